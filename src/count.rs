//! What [`Engine::count`](crate::Engine::count) returns.

use crate::stats::QueryStats;
use crate::value::Value;

/// The number of rows a query matches, per group when grouped, and what
/// counting them cost.
///
/// ```
/// # futures::executor::block_on(async {
/// use dynaquery::{col, item, Engine, Index, KeyAttribute, MemoryTable, Query, Schema, Value};
///
/// let schema = Schema::new("orders", KeyAttribute::s("order_id"))
///     .index(Index::gsi("by_status", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
///     .always_present(["status", "created_at"]);
/// let table = MemoryTable::new(schema.clone());
/// for (id, status, country) in [("o1", "paid", "FR"), ("o2", "paid", "DE"), ("o3", "shipped", "FR")] {
///     table.put(item([
///         ("order_id", Value::from(id)),
///         ("status", status.into()),
///         ("created_at", "2026-11-01".into()),
///         ("country", country.into()),
///     ])).unwrap();
/// }
/// let engine = Engine::new(schema, table);
/// let q = Query::new().filter(col("status").is_in(["paid", "shipped", "new"]).and(col("country").eq("FR")));
///
/// let n = engine.count(&q).await.unwrap();
/// assert_eq!(n.total, 2);
/// assert_eq!(n.stats.streams, 3); // one Select: COUNT read per status
///
/// // One count per partition-key value; values with no row are left out.
/// let by_status = engine.count_by(&q, "status").await.unwrap();
/// let groups: Vec<(Value, u64)> = by_status.groups.iter().map(|g| (g.value.clone(), g.count)).collect();
/// assert_eq!(groups, [(Value::from("paid"), 1), (Value::from("shipped"), 1)]);
/// # });
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Count {
    /// Rows that match the query's filter, under the same rules as
    /// [`Engine::fetch`](crate::Engine::fetch) (a missing attribute is SQL
    /// `NULL`).
    pub total: u64,
    /// The attribute the count is grouped by; `None` for a plain count.
    pub group_by: Option<String>,
    /// One entry per value of [`group_by`](Count::group_by) that has at
    /// least one matching row (as SQL's `GROUP BY`), ascending by value
    /// unless the query orders that attribute `DESC`; empty for a plain
    /// count. The counts add up to [`total`](Count::total).
    pub groups: Vec<CountGroup>,
    /// What the reads cost: calls, items evaluated (`ScannedCount`), one
    /// [`StreamStats`](crate::StreamStats) per stream; `rows` is the total.
    pub stats: QueryStats,
}

/// One group of a grouped [`Count`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CountGroup {
    /// The value of the grouping attribute.
    pub value: Value,
    /// Rows with that value that match the query.
    pub count: u64,
}
