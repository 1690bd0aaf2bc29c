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
/// | `cursor_keys` | none: cursors unsigned | a cursor without a valid signature fails with [`ErrorKind::InvalidCursor`](crate::ErrorKind::InvalidCursor) |
/// | `cursor_ttl` | none: cursors do not expire | an older cursor fails with [`ErrorKind::InvalidCursor`](crate::ErrorKind::InvalidCursor) |
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
    /// Largest page; a larger `LIMIT` is coerced down to it.
    pub max_page_size: usize,
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
            cursor_keys: Vec::new(),
            cursor_ttl: None,
            clock: crate::cursor_seal::system_now,
            max_streams: 100,
            max_concurrency: 32,
            read_budget: 50_000,
            max_page_size: 1000,
            max_buffered_rows: 100_000,
            sizing: crate::SizingPolicy::Adaptive,
        }
    }
}

impl Options {
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

    /// Makes cursors expire this long after they were issued.
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

    /// Sets [`max_buffered_rows`](Options::max_buffered_rows).
    pub fn max_buffered_rows(mut self, rows: usize) -> Self {
        self.max_buffered_rows = rows;
        self
    }
}
