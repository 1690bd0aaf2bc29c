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

/// A stream that runs out early, in a query with no range on the sort key:
/// a window read to its bound and found empty must not leave the stream
/// "going on" to be chased window after window.
#[test]
fn a_stream_that_runs_out_is_not_chased_window_after_window() {
    let table = MemoryTable::new(orders::schema());
    let mut items = orders::generate(7, 4_000, 0.5);
    for (i, it) in items.iter_mut().enumerate() {
        let status = if i == 0 { "rare" } else { "paid" };
        it.insert("status".into(), dynaquery::Value::from(status));
    }
    for it in items {
        table.put(it).expect("valid order");
    }
    let engine = Engine::new(orders::schema(), &table);
    let mut q = Query::new()
        .filter(col("status").is_in(["paid", "rare"]))
        .use_index("status-created_at")
        .order_by(desc("created_at"))
        .order_by(desc("total"))
        .limit(50);
    let mut calls = 0;
    let mut pages = 0;
    loop {
        let page = block_on(engine.fetch(&q)).expect("page");
        calls += page.stats.calls;
        pages += 1;
        assert!(page.stats.round_trips <= 4, "page {pages}: {} round trips", page.stats.round_trips);
        match page.next_cursor {
            Some(c) => q = q.after(c),
            None => break,
        }
    }
    assert_eq!(pages, 80);
    assert!(calls <= 4 * 80, "{calls} calls for 80 pages");
}
