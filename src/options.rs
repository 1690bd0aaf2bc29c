//! Every cap and default in one place.

/// Limits and tuning for an [`Engine`](crate::Engine).
///
/// | setting | default | what happens past it |
/// |---|---|---|
/// | `max_streams` | 100 | planning fails with [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) |
/// | `max_concurrency` | 16 | further requests wait for a free slot |
/// | `read_budget` | 50 000 items per page | the page fails with [`ErrorKind::ReadBudgetExceeded`](crate::ErrorKind::ReadBudgetExceeded) |
/// | `max_page_size` | 1 000 rows | a larger `LIMIT` is lowered to it |
/// | `max_buffered_rows` | 100 000 | the page fails with [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) |
///
/// ```
/// let opts = dynaquery::Options::default().max_concurrency(4).read_budget(10_000);
/// assert_eq!(opts.max_concurrency, 4);
/// assert_eq!(opts.max_streams, 100);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
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
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_streams: 100,
            max_concurrency: 16,
            read_budget: 50_000,
            max_page_size: 1000,
            max_buffered_rows: 100_000,
        }
    }
}

impl Options {
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
