//! Sizing through its seam, on the in-memory backend: how a page starts
//! (cold, warm, hinted, resumed), that swapping the policy never changes a
//! page, and that a run of tied sort keys costs round trips logarithmic in
//! its length. Counts only, never wall-clock times.

#[path = "../examples/support/orders.rs"]
mod orders;

use dynaquery::{col, desc, Engine, Item, MemoryTable, Options, Query, SizingPolicy, SizingStart, Value};
use futures::executor::block_on;

fn orders_query() -> Query {
    Query::new()
        .filter(col("status").is_in(orders::statuses()))
        .filter(col("country").eq("FR"))
        .index("status-created_at")
        .order_by(desc("created_at"))
        .order_by(desc("total"))
        .limit(25)
}

fn table(items: impl IntoIterator<Item = Item>) -> MemoryTable {
    let table = MemoryTable::new(orders::schema());
    for it in items {
        table.put(it).expect("valid order");
    }
    table
}

#[test]
fn a_page_says_how_its_sizing_started() {
    let table = table(orders::generate(3, 3_000, 0.2));
    let engine = Engine::new(orders::schema(), &table);
    let first = block_on(engine.fetch(&orders_query())).unwrap();
    assert_eq!(first.stats.sizing_start, SizingStart::Cold);
    let again = block_on(engine.fetch(&orders_query())).unwrap();
    assert_eq!(
        again.stats.sizing_start,
        SizingStart::Warm,
        "a repeated first page starts from the engine's memory"
    );
    assert_eq!(again.rows, first.rows);
    let next = block_on(engine.fetch(&orders_query().cursor(first.next_cursor.unwrap()))).unwrap();
    assert_eq!(next.stats.sizing_start, SizingStart::Resumed);

    // Other filter values are another query: cold again.
    let other = orders_query().filter(col("total").gt(10));
    assert_eq!(block_on(engine.fetch(&other)).unwrap().stats.sizing_start, SizingStart::Cold);

    let fresh = Engine::new(orders::schema(), &table);
    let hinted = block_on(fresh.fetch(&orders_query().selectivity_hint(0.2))).unwrap();
    assert_eq!(hinted.stats.sizing_start, SizingStart::Hinted);
    assert_eq!(hinted.rows, first.rows);
}

#[test]
fn the_geometric_baseline_returns_the_same_pages() {
    let table = table(orders::generate(11, 4_000, 0.1));
    let adaptive = Engine::new(orders::schema(), &table);
    let geometric = Engine::new(orders::schema(), &table)
        .with_options(Options::default().sizing(SizingPolicy::Geometric));
    let (mut a, mut g) = (orders_query(), orders_query());
    for page_no in 1..=12 {
        let pa = block_on(adaptive.fetch(&a)).unwrap();
        let pg = block_on(geometric.fetch(&g)).unwrap();
        assert_eq!(pa.rows, pg.rows, "page {page_no}");
        assert_eq!(pa.next_cursor.is_some(), pg.next_cursor.is_some(), "page {page_no}");
        match (pa.next_cursor, pg.next_cursor) {
            (Some(x), Some(y)) => (a, g) = (a.cursor(x), g.cursor(y)),
            _ => break,
        }
    }
}

/// A nightly batch: `n` orders at one timestamp, 10 % French. Reading
/// through the run takes a round trip per 1 MB of it, not one per few items.
#[test]
fn a_run_of_ties_costs_logarithmic_round_trips() {
    let mut worst = Vec::new();
    for n in [2_000usize, 16_000] {
        let mut items = orders::generate(5, n, 0.1);
        for it in &mut items {
            it.insert("created_at".into(), Value::from("2026-11-20T02:00:00.000Z"));
        }
        items.extend(orders::generate(6, 500, 0.1));
        let table = table(items);
        let engine = Engine::new(orders::schema(), &table);
        let page = block_on(engine.fetch(&orders_query())).unwrap();
        assert_eq!(page.rows.len(), 25);
        worst.push(page.stats.round_trips);
    }
    // Eight times the items, at most two more round trips: the run is read
    // by requests pinned to its value, one per 1 MB of it; linear growth
    // would be eight times.
    assert!(worst[1] <= worst[0] + 2, "round trips {worst:?} for runs of 2 000 and 16 000 ties");
    assert!(worst[1] <= 12, "round trips {worst:?}");
}
