//! The typed query: filter, `ORDER BY`, `LIMIT`, projection and cursor.
//! Plain data; [`crate::plan`] decides how to run it.

use crate::encoding::Direction;
use crate::expr::Expr;

/// One `ORDER BY` term.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct OrderBy {
    /// Attribute name.
    pub attr: String,
    /// Direction (NULLs last for `ASC`, first for `DESC`).
    pub dir: Direction,
}

/// `attr ASC` (NULLs last).
pub fn asc(attr: impl Into<String>) -> OrderBy {
    OrderBy { attr: attr.into(), dir: Direction::Asc }
}

/// `attr DESC` (NULLs first).
pub fn desc(attr: impl Into<String>) -> OrderBy {
    OrderBy { attr: attr.into(), dir: Direction::Desc }
}

/// A list query: `SELECT … WHERE … ORDER BY … LIMIT …`, plus a cursor.
///
/// # Naming
///
/// `Query` is both the builder and the plain data it builds, so one rule
/// names every field's two methods (the rule `std::process::Command` and
/// clap's `Command` follow):
///
/// - the **setter** is named by the field, takes and returns `self`:
///   [`filter`](Query::filter), [`order_by`](Query::order_by),
///   [`limit`](Query::limit), [`offset`](Query::offset),
///   [`select`](Query::select), [`cursor`](Query::cursor),
///   [`index`](Query::index), [`allow_scan`](Query::allow_scan),
///   [`read_budget`](Query::read_budget),
///   [`selectivity_hint`](Query::selectivity_hint);
/// - the **getter** is `get_` + the same name and takes `&self`:
///   [`get_filter`](Query::get_filter), [`get_limit`](Query::get_limit), …
///
/// Setting a field twice keeps the last value, except `filter` (which
/// `AND`s) and `order_by` (which appends a term), as in SQL.
///
/// ```
/// use dynaquery::{asc, col, desc, Query};
/// let q = Query::new()
///     .filter(col("status").is_in(["paid", "shipped"]))
///     .filter(col("country").eq("FR"))
///     .order_by(desc("created_at"))
///     .order_by(desc("total"))
///     .order_by(asc("order_id"))
///     .limit(50);
/// assert_eq!(q.get_limit(), 50);
/// assert_eq!(q.get_filter().unwrap().to_string(), r#"status IN ("paid", "shipped") AND country = "FR""#);
/// assert_eq!(q.get_order_by().len(), 3);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Query {
    filter: Option<Expr>,
    order_by: Vec<OrderBy>,
    limit: usize,
    offset: u64,
    select: Option<Vec<String>>,
    cursor: Option<String>,
    index: Option<String>,
    allow_scan: bool,
    read_budget: Option<u64>,
    /// The caller's selectivity hint, in millionths (kept as an integer so
    /// the query stays `Eq` and `Hash`).
    selectivity_ppm: Option<u32>,
}

impl Default for Query {
    fn default() -> Self {
        Query::new()
    }
}

impl Query {
    /// The page size (`LIMIT`) of a query that sets none: 50.
    pub const DEFAULT_LIMIT: usize = 50;

    /// A query with no filter, no order (primary key order), and a page of [`Query::DEFAULT_LIMIT`].
    pub fn new() -> Self {
        Query {
            filter: None,
            order_by: Vec::new(),
            limit: Self::DEFAULT_LIMIT,
            offset: 0,
            select: None,
            cursor: None,
            index: None,
            allow_scan: false,
            read_budget: None,
            selectivity_ppm: None,
        }
    }

    /// Adds a filter (`WHERE`), `AND`ed with any filter already set.
    pub fn filter(mut self, e: Expr) -> Self {
        self.filter = Some(match self.filter.take() {
            None => e,
            Some(f) => f.and(e),
        });
        self
    }

    /// The query with `e` as its whole filter.
    pub(crate) fn replace_filter(mut self, e: Expr) -> Self {
        self.filter = Some(e);
        self
    }

    /// Appends an `ORDER BY` term. The primary key, ascending, always ends
    /// the order, so the order is total.
    pub fn order_by(mut self, o: OrderBy) -> Self {
        self.order_by.push(o);
        self
    }

    /// The page size (`LIMIT`). Zero is rejected when the query runs; above
    /// [`Options::max_page_size`](crate::Options::max_page_size) it is
    /// lowered to it (and reported) or refused, as the options say.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = n;
        self
    }

    /// Skips the first `n` rows of the result on the first page (`OFFSET n`).
    ///
    /// Applied only when the query has no cursor: a page after a cursor
    /// continues from the cursor, so a query that keeps its offset while
    /// following `next_cursor`s pages through the rest of the result exactly
    /// once. The offset is not part of the cursor's fingerprint, so a cursor
    /// from an offset page also continues the same query without offset.
    ///
    /// DynamoDB cannot skip rows: [`Engine::fetch`](crate::Engine::fetch)
    /// reads the skipped rows page by page through the usual cursor
    /// machinery (chunks of up to [`Options::max_page_size`](crate::Options)
    /// rows) and discards them, so an offset costs the reads of the rows it
    /// skips, and they count against the page's read budget. Prefer cursors
    /// for paging; use an offset for a one-off jump.
    ///
    /// ```
    /// use dynaquery::Query;
    /// let q = Query::new().limit(10).offset(20);
    /// assert_eq!(q.get_offset(), 20);
    /// assert_eq!(q.clone().offset(20), q); // a setter: setting it twice does not add up
    /// ```
    pub fn offset(mut self, n: u64) -> Self {
        self.offset = n;
        self
    }

    /// Returns only these attributes (`SELECT a, b`). Keys needed for the
    /// order and the cursor are still read.
    pub fn select<S: Into<String>>(mut self, attrs: impl IntoIterator<Item = S>) -> Self {
        self.select = Some(attrs.into_iter().map(Into::into).collect());
        self
    }

    /// Continues after the page whose [`next_cursor`](crate::Page::next_cursor)
    /// this is.
    ///
    /// ```
    /// use dynaquery::Query;
    /// let q = Query::new().cursor("opaque-token");
    /// assert_eq!(q.get_cursor(), Some("opaque-token"));
    /// assert_eq!(q.first_page().get_cursor(), None);
    /// ```
    pub fn cursor(mut self, cursor: impl Into<String>) -> Self {
        self.cursor = Some(cursor.into());
        self
    }

    /// Drops the cursor (back to the first page).
    pub fn first_page(mut self) -> Self {
        self.cursor = None;
        self
    }

    /// Restricts planning to this index (the table's own key is named by the table name).
    pub fn index(mut self, name: impl Into<String>) -> Self {
        self.index = Some(name.into());
        self
    }

    /// Allows a full table `Scan` when no index serves the query.
    pub fn allow_scan(mut self, allow: bool) -> Self {
        self.allow_scan = allow;
        self
    }

    /// Caps the items this query may read per page (overrides the engine's default).
    pub fn read_budget(mut self, items: u64) -> Self {
        self.read_budget = Some(items);
        self
    }

    /// Opts in to sizing the first page's requests from `selectivity`, the
    /// share of the items the index range holds that the filter keeps
    /// (0.1 when one order in ten is French), instead of a blind prior.
    /// Later pages size from what earlier pages observed, whatever the
    /// hint. A wrong hint only costs reads or round trips (within the read
    /// budget), never rows. Clamped to `[0.000001, 1]`; NaN is ignored.
    ///
    /// ```
    /// use dynaquery::{col, Query};
    /// let q = Query::new().filter(col("country").eq("FR")).selectivity_hint(0.1);
    /// assert_eq!(q.get_selectivity_hint(), Some(0.1));
    /// ```
    pub fn selectivity_hint(mut self, selectivity: f64) -> Self {
        if !selectivity.is_nan() {
            self.selectivity_ppm = Some((selectivity.clamp(1e-6, 1.0) * 1e6).round() as u32);
        }
        self
    }

    /// The filter, if any (all [`filter`](Query::filter)s `AND`ed).
    pub fn get_filter(&self) -> Option<&Expr> {
        self.filter.as_ref()
    }

    /// The `ORDER BY` terms.
    pub fn get_order_by(&self) -> &[OrderBy] {
        &self.order_by
    }

    /// The page size (`LIMIT`) as set; the plan's
    /// [`Plan::limit`](crate::Plan::limit) is the one that runs.
    pub fn get_limit(&self) -> usize {
        self.limit
    }

    /// The rows the first page skips (`OFFSET`); 0 when none.
    pub fn get_offset(&self) -> u64 {
        self.offset
    }

    /// The selected attributes, `None` for all.
    pub fn get_select(&self) -> Option<&[String]> {
        self.select.as_deref()
    }

    /// The cursor, if continuing.
    pub fn get_cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    /// The index the caller forced, if any.
    pub fn get_index(&self) -> Option<&str> {
        self.index.as_deref()
    }

    /// Whether a full scan is allowed.
    pub fn get_allow_scan(&self) -> bool {
        self.allow_scan
    }

    /// The per-query read budget, if set.
    pub fn get_read_budget(&self) -> Option<u64> {
        self.read_budget
    }

    /// The selectivity hint, if set.
    pub fn get_selectivity_hint(&self) -> Option<f64> {
        self.selectivity_ppm.map(|p| f64::from(p) / 1e6)
    }
}
