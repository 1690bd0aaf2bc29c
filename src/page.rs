//! One page of results.

use crate::stats::QueryStats;
use crate::value::Item;

/// One page: rows in the query's order, the cursor to the next page, and
/// what it cost.
///
/// With the `serde` feature it serializes as `{"rows": [...],
/// "next_cursor": "…" | null, "stats": {...}}`, rows as `T` serializes
/// (an [`Item`] as DynamoDB JSON) — ready for a list endpoint's body.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Page<T = Item> {
    /// The rows, at most the query's `LIMIT`; fewer only at the true end.
    pub rows: Vec<T>,
    /// Pass to [`Query::cursor`](crate::Query::cursor) for the next page;
    /// `None` when no row follows.
    pub next_cursor: Option<String>,
    /// Reads, calls and round trips this page took.
    pub stats: QueryStats,
}

impl<T> Page<T> {
    /// Converts every row, keeping the cursor and stats.
    ///
    /// # Errors
    /// The first error `f` returns.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            rows: self.rows.into_iter().map(f).collect::<Result<_, E>>()?,
            next_cursor: self.next_cursor,
            stats: self.stats,
        })
    }
}
