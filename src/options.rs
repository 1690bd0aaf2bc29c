//! Every cap and default in one place.

/// Limits and tuning for an [`Engine`](crate::Engine).
///
/// | setting | default | what happens past it |
/// |---|---|---|
/// | `max_streams` | 100 | planning fails with [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) |
/// | `max_concurrency` | 32 | further requests wait for a free slot |
/// | `read_budget` | 50 000 items per page | the page fails with [`ErrorKind::ReadBudgetExceeded`](crate::ErrorKind::ReadBudgetExceeded) |
/// | `max_page_size` | 1 000 rows | a larger `LIMIT` is lowered to it |
/// | `max_buffered_rows` | 100 000 | the page fails with [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) |
/// | `max_predicates` | 200 | planning fails with [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) |
/// | `max_filter_depth` | 32 levels | planning, or [`sql::parse_with_options`](crate::sql::parse_with_options), fails with [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) |
/// | `max_sql_len` | 65 536 bytes | [`sql::parse_with_options`](crate::sql::parse_with_options) fails with [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) |
/// | `max_sql_operators` | 600 | [`sql::parse_with_options`](crate::sql::parse_with_options) fails with [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) |
/// | `cursor_keys` | none: cursors unsigned | a cursor without a valid signature fails with [`ErrorKind::InvalidCursor`](crate::ErrorKind::InvalidCursor) |
/// | `cursor_ttl` | none: cursors do not expire | an older cursor fails with [`ErrorKind::InvalidCursor`](crate::ErrorKind::InvalidCursor); needs `cursor_keys`, else every call fails with [`ErrorKind::InvalidOptions`](crate::ErrorKind::InvalidOptions) |
/// | cursor length | [`MAX_CURSOR_LEN`](crate::MAX_CURSOR_LEN) characters | rejected before decoding |
///
/// ```
/// let opts = dynaquery::Options::default().max_concurrency(4).read_budget(10_000);
/// assert_eq!(opts.max_concurrency, 4);
/// assert_eq!(opts.max_streams, 100);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Most predicates (comparisons, `IN`s, functions) one filter may hold.
    pub max_predicates: usize,
    /// Most levels a filter may nest: a predicate is one level, and each
    /// `AND`, `OR` and `NOT` around it adds one (in SQL text, each level of
    /// parentheses too). Checked without recursion before anything walks
    /// the filter, so a filter built a million levels deep is an error, not
    /// a stack overflow. At most [`MAX_FILTER_DEPTH`](Options::MAX_FILTER_DEPTH).
    pub max_filter_depth: usize,
    /// Longest SQL text, in bytes, that [`sql`](crate::sql) parses.
    pub max_sql_len: usize,
    /// Most operators (`AND`, `OR`, comparisons, `IS`, `IN`, `BETWEEN`,
    /// `LIKE`, arithmetic…) SQL text may chain along one path of its
    /// nesting (a comma starts a new count). The parser builds such a chain
    /// one tree level per operator, so this bounds the stack it needs; the
    /// default parses 200 predicates on a thread with a 1 MiB stack.
    pub max_sql_operators: usize,
    /// Keys that sign cursors (the first) and verify them (any); empty = unsigned.
    pub cursor_keys: Vec<crate::CursorKey>,
    /// How long a cursor stays valid after it was issued; `None` = forever.
    pub cursor_ttl: Option<std::time::Duration>,
    /// The clock for cursor expiry (replaceable in tests).
    pub clock: fn() -> std::time::SystemTime,
    /// Most parallel streams (partition-key values) one query may fan out to.
    pub max_streams: usize,
    /// Most DynamoDB requests in flight at once for one page.
    pub max_concurrency: usize,
    /// Most items one page may read (`ScannedCount` summed), unless the query sets its own.
    pub read_budget: u64,
    /// Largest page. A larger `LIMIT` is lowered to it and the page says
    /// so in [`QueryStats::limit_clamped_from`](crate::QueryStats::limit_clamped_from),
    /// or is refused when [`reject_oversized_limit`](Options::reject_oversized_limit)
    /// is set.
    pub max_page_size: usize,
    /// Refuse a `LIMIT` above [`max_page_size`](Options::max_page_size)
    /// with [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded)
    /// (a client error) instead of lowering it. Off by default.
    pub reject_oversized_limit: bool,
    /// Most rows held in memory at once (a run of ties being re-sorted, stream buffers).
    pub max_buffered_rows: usize,
    /// How requests are sized (how many items each asks for): the
    /// adaptive policy, or the plain geometric baseline to compare with.
    /// Sizing never changes which rows a page holds.
    pub sizing: crate::SizingPolicy,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_predicates: 200,
            max_filter_depth: 32,
            max_sql_len: 64 * 1024,
            max_sql_operators: 600,
            cursor_keys: Vec::new(),
            cursor_ttl: None,
            clock: crate::cursor_seal::system_now,
            max_streams: 100,
            max_concurrency: 32,
            read_budget: 50_000,
            max_page_size: 1000,
            reject_oversized_limit: false,
            max_buffered_rows: 100_000,
            sizing: crate::SizingPolicy::Adaptive,
        }
    }
}

impl Options {
    /// The largest [`max_filter_depth`](Options::max_filter_depth) accepted:
    /// the lowered condition is a few levels deeper than the filter, and
    /// backends refuse conditions deeper than [`Cond::MAX_DEPTH`](crate::Cond::MAX_DEPTH).
    pub const MAX_FILTER_DEPTH: usize = crate::cond::MAX_DEPTH - 8;

    /// Checks that the settings can be honoured together. Every
    /// [`Engine`](crate::Engine) call that plans, reads or makes a cursor
    /// checks them first.
    ///
    /// ```
    /// use std::time::Duration;
    /// use dynaquery::{CursorKey, ErrorKind, Options};
    /// let unsigned = Options::default().cursor_ttl(Duration::from_secs(3600));
    /// assert_eq!(unsigned.validate().unwrap_err().kind(), ErrorKind::InvalidOptions);
    /// let signed = unsigned.cursor_keys([CursorKey::new(1, [7u8; 32]).unwrap()]);
    /// assert!(signed.validate().is_ok());
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOptions`](crate::ErrorKind::InvalidOptions) for
    /// a [`cursor_ttl`](Options::cursor_ttl) without
    /// [`cursor_keys`](Options::cursor_keys) (an unsigned cursor's issue
    /// time can be rewritten, so it would never really expire), and a
    /// [`max_filter_depth`](Options::max_filter_depth) over
    /// [`MAX_FILTER_DEPTH`](Options::MAX_FILTER_DEPTH).
    pub fn validate(&self) -> crate::Result<()> {
        use crate::{Error, ErrorKind};
        if self.cursor_ttl.is_some() && self.cursor_keys.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidOptions,
                "Options::cursor_ttl is set without Options::cursor_keys: an unsigned cursor's issue time \
                 can be rewritten, so it would never really expire; add a key with Options::cursor_keys, \
                 or drop the TTL",
            ));
        }
        if self.max_filter_depth > Self::MAX_FILTER_DEPTH {
            return Err(Error::new(
                ErrorKind::InvalidOptions,
                format!(
                    "Options::max_filter_depth = {} is over its ceiling Options::MAX_FILTER_DEPTH = {}: \
                     backends refuse deeper conditions; lower it",
                    self.max_filter_depth,
                    Self::MAX_FILTER_DEPTH
                ),
            ));
        }
        Ok(())
    }

    /// Sets [`sizing`](Options::sizing).
    pub fn sizing(mut self, policy: crate::SizingPolicy) -> Self {
        self.sizing = policy;
        self
    }

    /// Sets [`max_predicates`](Options::max_predicates).
    pub fn max_predicates(mut self, n: usize) -> Self {
        self.max_predicates = n;
        self
    }

    /// Sets [`max_filter_depth`](Options::max_filter_depth).
    pub fn max_filter_depth(mut self, levels: usize) -> Self {
        self.max_filter_depth = levels;
        self
    }

    /// Sets [`max_sql_len`](Options::max_sql_len).
    pub fn max_sql_len(mut self, bytes: usize) -> Self {
        self.max_sql_len = bytes;
        self
    }

    /// Sets [`max_sql_operators`](Options::max_sql_operators).
    pub fn max_sql_operators(mut self, n: usize) -> Self {
        self.max_sql_operators = n;
        self
    }

    /// Signs cursors with the first key and accepts cursors signed by any of them.
    ///
    /// ```
    /// use dynaquery::{CursorKey, Options};
    /// let newest = CursorKey::new(2, [7u8; 32]).unwrap();
    /// let previous = CursorKey::new(1, [9u8; 32]).unwrap();
    /// let opts = Options::default().cursor_keys([newest, previous]);
    /// assert_eq!(opts.cursor_keys[0].id(), 2);
    /// ```
    pub fn cursor_keys(mut self, keys: impl IntoIterator<Item = crate::CursorKey>) -> Self {
        self.cursor_keys = keys.into_iter().collect();
        self
    }

    /// Makes cursors expire this long after they were issued. Needs
    /// [`cursor_keys`](Options::cursor_keys): an expiring cursor must be a
    /// signed one (see [`validate`](Options::validate)).
    pub fn cursor_ttl(mut self, ttl: std::time::Duration) -> Self {
        self.cursor_ttl = Some(ttl);
        self
    }

    /// Replaces the clock used for cursor expiry.
    pub fn clock(mut self, clock: fn() -> std::time::SystemTime) -> Self {
        self.clock = clock;
        self
    }

    /// The current time by [`clock`](Options::clock).
    pub fn now(&self) -> std::time::SystemTime {
        (self.clock)()
    }

    /// Sets [`max_streams`](Options::max_streams).
    pub fn max_streams(mut self, n: usize) -> Self {
        self.max_streams = n;
        self
    }

    /// Sets [`max_concurrency`](Options::max_concurrency) (at least 1 is used).
    pub fn max_concurrency(mut self, n: usize) -> Self {
        self.max_concurrency = n;
        self
    }

    /// Sets [`read_budget`](Options::read_budget).
    pub fn read_budget(mut self, items: u64) -> Self {
        self.read_budget = items;
        self
    }

    /// Sets [`max_page_size`](Options::max_page_size).
    pub fn max_page_size(mut self, rows: usize) -> Self {
        self.max_page_size = rows;
        self
    }

    /// Sets [`reject_oversized_limit`](Options::reject_oversized_limit).
    ///
    /// ```
    /// use dynaquery::{Engine, ErrorKind, KeyAttribute, MemoryTable, Options, Query, Schema};
    /// let schema = Schema::new("t", KeyAttribute::s("id"));
    /// let engine = Engine::new(schema.clone(), MemoryTable::new(schema))
    ///     .with_options(Options::default().max_page_size(100).reject_oversized_limit(true));
    /// let err = engine.plan(&Query::new().allow_scan(true).limit(101)).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    /// assert!(err.is_client_error());
    /// ```
    pub fn reject_oversized_limit(mut self, reject: bool) -> Self {
        self.reject_oversized_limit = reject;
        self
    }

    /// Sets [`max_buffered_rows`](Options::max_buffered_rows).
    pub fn max_buffered_rows(mut self, rows: usize) -> Self {
        self.max_buffered_rows = rows;
        self
    }
}
