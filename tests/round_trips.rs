//! Sequential round trips per page on a skewed fan-out, on the in-memory
//! backend: counts, never wall-clock times.
//!
//! Regression: a frontier head left in the merge after a round of requests
//! had read its stream further made the merge request that stream again
//! when the head reached the top, one sparse stream per round trip; the
//! first page of a 32-way fan-out took 15–18 sequential round trips (on this
//! table: 9, against 5 with the fix).

#[path = "../examples/support/orders.rs"]
mod orders;

use dynaquery::{col, desc, Engine, MemoryTable, Query};
use futures::executor::block_on;

#[test]
fn a_wide_skewed_fan_out_pages_in_a_few_round_trips() {
    let table = MemoryTable::new(orders::schema());
    for it in orders::generate(42, 60_000, 0.10) {
        table.put(it).expect("valid order");
    }
    let engine = Engine::new(orders::schema(), &table);
    let mut q = Query::new()
        .filter(col("status").is_in(orders::statuses()))
        .filter(col("country").eq("FR"))
        .filter(col("created_at").between("2026-10-25T00:00:00Z", "2026-11-24T00:00:00Z"))
        .use_index("status-created_at")
        .order_by(desc("created_at"))
        .order_by(desc("total"))
        .limit(50);
    for page_no in 1..=3 {
        let page = block_on(engine.fetch(&q)).expect("page");
        assert_eq!(page.rows.len(), 50, "page {page_no}");
        assert_eq!(page.stats.streams, 32);
        assert!(
            page.stats.round_trips <= 6,
            "page {page_no}: {} sequential round trips for 32 streams ({} calls)",
            page.stats.round_trips,
            page.stats.calls
        );
        q = q.after(page.next_cursor.expect("more pages"));
    }
}
