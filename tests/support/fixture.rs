//! The small orders table the fault and paging tests share: `n` orders
//! over `statuses` statuses, 37 distinct timestamps (long runs of ties),
//! a third of them French.

use dynaquery::{asc, col, desc, item, Index, Item, KeyAttribute, MemoryTable, Query, Schema, Value};

/// Table `orders` keyed by `order_id`; GSI `status-created_at` (numbers).
pub fn schema() -> Schema {
    Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::n("created_at")]))
        .always_present(["status", "created_at"])
}

/// `n` orders: status `s{i % statuses}`, `created_at` `i % 37`.
pub fn items(n: usize, statuses: usize) -> Vec<Item> {
    (0..n)
        .map(|i| {
            item([
                ("order_id", Value::from(format!("o{i:04}"))),
                ("status", Value::from(format!("s{}", i % statuses))),
                ("created_at", Value::from(i % 37)),
                ("country", Value::from(if i % 3 == 0 { "FR" } else { "DE" })),
            ])
        })
        .collect()
}

/// [`items`] in a [`MemoryTable`].
pub fn table(n: usize, statuses: usize) -> MemoryTable {
    let t = MemoryTable::new(schema());
    for it in items(n, statuses) {
        t.put(it).unwrap();
    }
    t
}

/// The French orders of every status, newest first, `limit` a page.
pub fn query(statuses: usize, limit: usize) -> Query {
    Query::new()
        .filter(col("status").is_in((0..statuses).map(|s| format!("s{s}"))))
        .filter(col("country").eq("FR"))
        .order_by(desc("created_at"))
        .order_by(asc("order_id"))
        .limit(limit)
}
