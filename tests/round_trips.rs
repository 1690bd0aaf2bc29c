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
        .index("status-created_at")
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
        q = q.cursor(page.next_cursor.expect("more pages"));
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
        .index("status-created_at")
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
            Some(c) => q = q.cursor(c),
            None => break,
        }
    }
    assert_eq!(pages, 80);
    assert!(calls <= 4 * 80, "{calls} calls for 80 pages");
}

/// Records every request, so a test can see where windows end.
struct Recording<'a> {
    table: &'a MemoryTable,
    requests: std::sync::Mutex<Vec<dynaquery::ReadRequest>>,
}

impl dynaquery::Backend for Recording<'_> {
    async fn read(&self, request: dynaquery::ReadRequest) -> dynaquery::Result<dynaquery::ReadResponse> {
        self.requests.lock().expect("lock").push(request.clone());
        self.table.read(request).await
    }
}

/// The far (older) end of a descending stream's window, when it has one.
fn window_end(r: &dynaquery::ReadRequest) -> Option<String> {
    match r.key.as_ref()?.sort_range.as_ref()? {
        (_, dynaquery::SortRange::Between(dynaquery::Value::S(lo), _)) => Some(lo.clone()),
        _ => None,
    }
}

fn design_query() -> Query {
    Query::new()
        .filter(col("status").is_in(["paid", "shipped"]))
        .filter(col("country").eq("FR"))
        .filter(col("created_at").between("2026-10-25T00:00:00Z", "2026-11-24T00:00:00Z"))
        .index("status-created_at")
        .order_by(desc("created_at"))
        .order_by(desc("total"))
        .limit(50)
}

/// Orders lie on the half hour. A window ending on a grid point leaves the
/// stream to go on from that point, so its next request reads the point's
/// rows again (a whole half hour of them) to drop them; one ending between
/// points, measured from its bound, plans the next window into the gap,
/// where it finds nothing. So once the grid shows, windows end half a step
/// past a point. And a page resuming a cursor reads every stream to one
/// position at first (before, each read a share of the need by `Limit`).
#[test]
fn windows_end_between_grid_points_and_resumed_pages_start_with_one() {
    let table = MemoryTable::new(orders::schema());
    for it in orders::generate(42, 60_000, 0.10) {
        table.put(it).expect("valid order");
    }
    let backend = Recording { table: &table, requests: Default::default() };
    let engine = Engine::new(orders::schema(), &backend);
    let mut q = design_query();
    let mut later_windows = 0;
    for page_no in 1..=5 {
        let page = block_on(engine.fetch(&q)).expect("page");
        assert_eq!(page.rows.len(), 50, "page {page_no}");
        let requests = std::mem::take(&mut *backend.requests.lock().expect("lock"));
        let (first, later) = requests.split_at(2);
        if page_no > 1 {
            let ends: Vec<Option<String>> = first.iter().map(window_end).collect();
            assert!(ends[0].is_some() && ends[0] == ends[1], "page {page_no}'s first round: {ends:?}");
        }
        for end in later.iter().filter_map(window_end) {
            // `YYYY-MM-DDTHH:MM:SSZ`: on the grid at :00:00 and :30:00.
            let (minutes, seconds) = (&end[14..16], &end[17..19]);
            assert!(
                !(matches!(minutes, "00" | "30") && seconds == "00"),
                "page {page_no}: a window ends on a grid point, {end}"
            );
            later_windows += 1;
        }
        q = q.cursor(page.next_cursor.expect("more pages"));
    }
    assert!(later_windows > 0, "no round after the first was windowed: the check saw nothing");
}
