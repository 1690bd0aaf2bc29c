//! Engine behaviour through the public API, on the in-memory backend.

use std::sync::atomic::{AtomicU64, Ordering};

use dynaquery::{
    asc, col, desc, item, Backend, Engine, ErrorKind, Index, Item, KeyAttribute, MemoryTable, Options, Query,
    ReadRequest, ReadResponse, Schema, Value,
};
use futures::executor::block_on;

fn schema() -> Schema {
    Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .always_present(["status", "created_at"])
}

/// Counts calls, so tests can assert that bad input never reaches the backend.
struct Counting<B> {
    inner: B,
    calls: AtomicU64,
}

impl<B: Backend> Backend for Counting<B> {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.read(request).await
    }
}

fn table(n: usize) -> MemoryTable {
    let t = MemoryTable::new(schema());
    for i in 0..n {
        t.put(item([
            ("order_id", Value::from(format!("o{i:03}"))),
            ("status", Value::from(if i % 2 == 0 { "paid" } else { "shipped" })),
            ("created_at", Value::from(format!("2026-11-{:02}", 1 + i % 5))),
            ("total", Value::from(i % 3)),
            ("tags", Value::Ss(["a".to_owned()].into())),
        ]))
        .unwrap();
    }
    t
}

fn engine(n: usize) -> Engine<Counting<MemoryTable>> {
    Engine::new(schema(), Counting { inner: table(n), calls: AtomicU64::new(0) })
}

fn q() -> Query {
    Query::new()
        .filter(col("status").is_in(["paid", "shipped"]))
        .order_by(desc("created_at"))
        .order_by(asc("total"))
        .limit(4)
}

#[test]
fn cursor_of_another_query_is_rejected_before_any_read() {
    let e = engine(20);
    let page = block_on(e.fetch(&q())).unwrap();
    let cursor = page.next_cursor.unwrap();
    let before = e.backend().calls.load(Ordering::SeqCst);
    let other = q().filter(col("total").gt(0)).cursor(cursor.clone());
    let err = block_on(e.fetch(&other)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCursor);
    assert!(err.to_string().contains("belongs to another query"), "{err}");
    for garbled in ["", "!!!", "AAAA", &cursor[..cursor.len() / 2], &format!("{cursor}A")] {
        let err = block_on(e.fetch(&q().cursor(garbled))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidCursor, "{garbled:?}: {err}");
    }
    let huge = "A".repeat(dynaquery::MAX_CURSOR_LEN + 1);
    assert_eq!(block_on(e.fetch(&q().cursor(huge))).unwrap_err().kind(), ErrorKind::InvalidCursor);
    assert_eq!(e.backend().calls.load(Ordering::SeqCst), before, "rejected cursors reach no backend");
}

#[test]
fn changing_only_the_page_size_keeps_the_cursor_valid() {
    let e = engine(20);
    let page = block_on(e.fetch(&q())).unwrap();
    let next = block_on(e.fetch(&q().limit(7).cursor(page.next_cursor.unwrap()))).unwrap();
    assert_eq!(next.rows.len(), 7);
}

#[test]
fn pages_end_exactly_at_the_end() {
    let e = engine(8);
    let p1 = block_on(e.fetch(&q())).unwrap();
    assert_eq!(p1.rows.len(), 4);
    let p2 = block_on(e.fetch(&q().cursor(p1.next_cursor.unwrap()))).unwrap();
    assert_eq!(p2.rows.len(), 4);
    assert!(p2.next_cursor.is_none(), "8 rows in pages of 4: the second page is the last");
}

#[test]
fn read_budget_exceeded_is_an_error_not_a_short_page() {
    let e = engine(50);
    let err = block_on(e.fetch(&q().filter(col("total").eq(99)).read_budget(10))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadBudgetExceeded);
    assert!(err.to_string().contains("read budget of 10 items"), "{err}");
}

#[test]
fn ordering_by_a_set_is_an_unorderable_error() {
    let e = engine(5);
    let err =
        block_on(e.fetch(&Query::new().filter(col("status").eq("paid")).order_by(asc("tags")))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unorderable);
    assert!(err.to_string().contains("SS"), "{err}");
}

#[test]
fn a_filter_that_matches_nothing_makes_no_request() {
    let e = engine(5);
    let page = block_on(e.fetch(&Query::new().filter(col("status").eq(7)))).unwrap();
    assert!(page.rows.is_empty() && page.next_cursor.is_none());
    assert_eq!(e.backend().calls.load(Ordering::SeqCst), 0);
}

#[test]
fn select_returns_only_the_selected_attributes() {
    let e = engine(5);
    let page = block_on(e.fetch(&q().select(["order_id"]))).unwrap();
    assert!(page.rows.iter().all(|r| r.keys().eq(["order_id"])));
}

#[test]
fn rows_deserialize_into_the_callers_type() {
    #[derive(serde::Deserialize, Debug)]
    struct Order {
        order_id: String,
        total: u32,
    }
    let e = engine(6);
    let page: dynaquery::Page<Order> = block_on(e.fetch_as(&q())).unwrap();
    assert_eq!(page.rows.len(), 4);
    assert!(page.rows.iter().all(|o| o.order_id.starts_with('o') && o.total < 3));
}

#[test]
fn buffered_rows_cap_is_enforced() {
    // 40 rows tie on created_at: the run must be held whole to re-sort it.
    let t = MemoryTable::new(schema());
    for i in 0..40 {
        t.put(item([
            ("order_id", Value::from(format!("o{i:03}"))),
            ("status", Value::from("paid")),
            ("created_at", Value::from("2026-11-01")),
        ]))
        .unwrap();
    }
    let opts = Options::default().max_buffered_rows(10);
    let e = Engine::new(schema(), t).with_options(opts);
    let err = block_on(e.fetch(&q())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    assert!(err.to_string().contains("max_buffered_rows = 10"), "{err}");
}

#[test]
fn stats_count_calls_reads_and_round_trips() {
    let e = engine(40);
    let page = block_on(e.fetch(&q())).unwrap();
    let s = &page.stats;
    assert_eq!(s.streams, 2);
    assert_eq!(s.rows, 4);
    let started = e.backend().calls.load(Ordering::SeqCst);
    assert!(s.calls <= started && started <= s.calls + s.abandoned_calls, "{s:?} vs {started}");
    assert!(s.round_trips >= 1 && u64::from(s.round_trips) <= s.calls);
    assert!(s.items_read >= s.items_returned && s.items_returned >= 4);
    assert!(s.consumed_capacity.is_some());
}

#[test]
fn items_module_round_trip() {
    let it: Item = dynaquery::to_item(&serde_json::json!({"a": 1, "b": "x"})).unwrap();
    assert_eq!(it["a"], Value::from(1));
}

/// A float filter value is its shortest decimal, exactly: `<= 19.99` keeps
/// the item stored as `19.99` (the float's binary expansion,
/// 19.98999…, would not), and a NaN never becomes a filter.
#[test]
fn float_filter_values_are_their_shortest_decimal() {
    let t = MemoryTable::new(schema());
    for (id, total) in [("a", "19.98"), ("b", "19.99"), ("c", "19.990000000000001"), ("d", "20")] {
        t.put(item([
            ("order_id", Value::from(id)),
            ("status", Value::from("paid")),
            ("created_at", Value::from("2026-11-01")),
            ("total", Value::number(total).unwrap()),
        ]))
        .unwrap();
    }
    let engine = Engine::new(schema(), t);
    let at_most = |v: f64| -> dynaquery::Result<Vec<Value>> {
        let q = Query::new()
            .filter(col("status").eq("paid"))
            .filter(col("total").le(Value::try_from(v)?))
            .order_by(asc("created_at"));
        Ok(block_on(engine.fetch(&q))?.rows.iter().map(|r| r["order_id"].clone()).collect())
    };
    assert_eq!(at_most(19.99).unwrap(), [Value::from("a"), Value::from("b")]);
    let err = at_most(f64::NAN).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidQuery);
    assert!(err.is_client_error());
}

#[test]
fn a_limit_above_max_page_size_is_lowered_and_reported() {
    let engine = Engine::new(schema(), table(30)).with_options(Options::default().max_page_size(8));
    let q = Query::new().filter(col("status").eq("paid")).order_by(desc("created_at")).limit(10);
    let page = block_on(engine.fetch(&q)).unwrap();
    assert_eq!(page.rows.len(), 8, "lowered to the cap");
    assert_eq!(page.stats.limit_clamped_from, Some(10));
    assert!(page.next_cursor.is_some());
    // EXPLAIN says it too, and the plan runs the cap.
    let plan = engine.plan(&q).unwrap();
    assert_eq!(plan.limit(), 8);
    assert!(plan.notes().iter().any(|n| n.contains("LIMIT 10 lowered")), "{:?}", plan.notes());
    // The next page (through the cursor) and every page of a stream say so as well.
    let next = block_on(engine.fetch(&q.clone().cursor(page.next_cursor.unwrap()))).unwrap();
    assert_eq!((next.rows.len(), next.stats.limit_clamped_from), (7, Some(10)));
    let pages: Vec<_> = block_on(futures::TryStreamExt::try_collect::<Vec<_>>(engine.pages(q))).unwrap();
    assert!(pages.iter().all(|p| p.stats.limit_clamped_from == Some(10)));
    // A LIMIT at the cap is not reported.
    let at_cap = block_on(engine.fetch(&Query::new().filter(col("status").eq("paid")).limit(8))).unwrap();
    assert_eq!(at_cap.stats.limit_clamped_from, None);
}

#[test]
fn a_limit_above_max_page_size_is_refused_when_configured() {
    let backend = Counting { inner: table(30), calls: AtomicU64::new(0) };
    let engine = Engine::new(schema(), backend)
        .with_options(Options::default().max_page_size(8).reject_oversized_limit(true));
    let q = Query::new().filter(col("status").eq("paid")).order_by(desc("created_at")).limit(9);
    let err = block_on(engine.fetch(&q)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    assert!(err.is_client_error() && !err.is_retryable());
    assert!(err.to_string().contains("LIMIT 9") && err.to_string().contains("(8)"), "{err}");
    assert_eq!(engine.backend().calls.load(Ordering::SeqCst), 0, "refused before any read");
    // At the cap it runs.
    let page = block_on(engine.fetch(&q.limit(8))).unwrap();
    assert_eq!((page.rows.len(), page.stats.limit_clamped_from), (8, None));
}
