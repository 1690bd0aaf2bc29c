//! Snapshot tests of request traces: every request a few fixed pages send
//! (stream, key condition, `Limit`, start key, and what came back), in
//! memory, against a file checked in under `tests/snapshots/`. A change to
//! sizing or fetching that changes a request shows up as a reviewable diff
//! of these files, not only as a moved figure in the cost matrix.
//!
//! After a deliberate change, regenerate and review the diff:
//!
//! ```text
//! DYNAQUERY_UPDATE_SNAPSHOTS=1 cargo test --test request_traces
//! git diff tests/snapshots
//! ```

mod common;
#[path = "../examples/support/orders.rs"]
mod orders;
#[path = "../examples/support/trace.rs"]
mod trace;
#[path = "../examples/support/workloads.rs"]
mod workloads;

use std::path::PathBuf;
use std::sync::atomic::Ordering;

use dynaquery::{asc, col, desc, Engine, MemoryTable, OrderBy, Query, QueryStats};
use trace::Traced;
use workloads::{French, Shape, Sizes, Workload};

/// The three queries of the cost matrix (see `examples/cost_matrix.rs`).
#[derive(Clone, Copy)]
enum Variant {
    /// Ties on `created_at` re-sorted on `total`, `order_id`.
    Ties,
    /// The index serves the whole order.
    Total,
    /// A strict lower bound and no upper one.
    Strict,
}

fn query(v: Variant, w: &Workload) -> Query {
    ordered(v, w, false)
}

/// [`query`], every ORDER BY direction flipped when `oldest_first`
/// (`cost_matrix --ascending`).
fn ordered(v: Variant, w: &Workload, oldest_first: bool) -> Query {
    type Term = fn(&'static str) -> OrderBy;
    let (desc, asc): (Term, Term) = if oldest_first { (asc, desc) } else { (desc, asc) };
    let range = match v {
        Variant::Strict => col("created_at").gt(w.from.clone()),
        _ => col("created_at").between(w.from.clone(), w.to.clone()),
    };
    let q = Query::new()
        .filter(col("status").is_in(w.statuses.iter().copied()))
        .filter(col("country").eq("FR"))
        .filter(range)
        .read_budget(10_000_000)
        .limit(50);
    match v {
        Variant::Total => {
            q.index("status-created_at-order_id").order_by(desc("created_at")).order_by(desc("order_id"))
        }
        _ => q
            .index("status-created_at")
            .order_by(desc("created_at"))
            .order_by(desc("total"))
            .order_by(asc("order_id")),
    }
}

/// 30 000 orders of `shape` in an in-memory table, and a runtime to page
/// them on.
fn orders(shape: Shape, french: French, seed: u64) -> (Workload, MemoryTable, tokio::runtime::Runtime) {
    let w = workloads::generate(shape, french, seed, 30_000, Sizes::default());
    let table = common::memory(w.schema.clone(), &w.items);
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    (w, table, rt)
}

/// The requests of `pages` pages of `v` on a small table of `shape`.
fn trace(shape: Shape, french: French, seed: u64, v: Variant, pages: usize) -> String {
    let sizes = Sizes { batch: 600, batch_nights: 3, huge_batch: 5_000 };
    let w = workloads::generate(shape, french, seed, 4_000, sizes);
    let table = common::memory(w.schema.clone(), &w.items);
    let traced = Traced::new(&table);
    traced.on.store(true, Ordering::Relaxed);
    let engine = Engine::new(w.schema.clone(), &traced);
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let mut out = format!("# {} FR {} seed {seed}\n", shape.name(), french.label());
    let mut q = query(v, &w);
    for page_no in 1..=pages {
        let page = rt.block_on(engine.fetch(&q)).expect("page");
        let s = &page.stats;
        out.push_str(&format!(
            "\n## page {page_no}: {} rows, read {}, {} round trips, {} calls, sizing {:?}\n",
            page.rows.len(),
            s.items_read,
            s.round_trips,
            s.calls,
            s.sizing_start
        ));
        for line in traced.take() {
            out.push_str(&line);
            out.push('\n');
        }
        match page.next_cursor {
            Some(c) => q = query(v, &w).cursor(c),
            None => break,
        }
    }
    out
}

/// Compares `got` with the snapshot `name`, or writes it when
/// `DYNAQUERY_UPDATE_SNAPSHOTS=1`.
fn check(name: &str, got: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots").join(format!("{name}.txt"));
    if std::env::var_os("DYNAQUERY_UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::write(&path, got).expect("write snapshot");
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "snapshot {} missing ({e}): run DYNAQUERY_UPDATE_SNAPSHOTS=1 cargo test --test request_traces",
            path.display()
        )
    });
    if want != got {
        let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
        let at = w.iter().zip(&g).position(|(a, b)| a != b).unwrap_or(w.len().min(g.len()));
        panic!(
            "the requests of {name} changed (first difference at line {}):\n  was: {}\n  now: {}\n\
             If the change is meant, regenerate with DYNAQUERY_UPDATE_SNAPSHOTS=1 cargo test --test \
             request_traces and review `git diff tests/snapshots`.",
            at + 1,
            w.get(at).unwrap_or(&"<end>"),
            g.get(at).unwrap_or(&"<end>")
        );
    }
}

#[test]
fn daily_traffic_first_and_resumed_pages() {
    check("daily_ties", &trace(Shape::Daily, French::Flat(0.10), 1, Variant::Ties, 3));
}

#[test]
fn a_nightly_batch_read_through_by_pinned_requests() {
    check("batch_ties", &trace(Shape::Batch, French::Flat(0.50), 2, Variant::Ties, 4));
}

#[test]
fn pages_resume_after_the_cursor_row_inside_a_batch() {
    check("batch_total", &trace(Shape::Batch, French::Flat(0.50), 2, Variant::Total, 4));
}

/// A held-out shape (`examples/support/workloads.rs`): keys to the second,
/// a fifth of the orders in the two minutes after a push. Pinned so that a
/// sizing change shows what it does on data it was not tuned on.
#[test]
fn paging_through_pushes_on_keys_to_the_second() {
    check("push_seconds_strict", &trace(Shape::PushSeconds, French::Evening, 1, Variant::Strict, 3));
}

#[test]
fn a_strict_bound_on_date_only_keys() {
    check("date_only_strict", &trace(Shape::DateOnly, French::Flat(0.10), 3, Variant::Strict, 3));
}

/// Round trips of one page of the cost matrix (`cargo run --release
/// --example cost_matrix -- --shape daily`): the cold first page of the
/// `strict` query on daily traffic with French orders in the evenings,
/// seed 7. Its windows, sized by the evening's density, each found a row or
/// two in the quiet hours past it and it took 9 sequential round trips; a
/// window is now placed by the density of the stretch read since the last
/// round, not by the page's average.
#[test]
fn a_window_past_a_busy_evening_is_placed_by_the_quiet_hours_density() {
    let trips = round_trips(Shape::Daily, French::Evening, 7, Variant::Strict, 1);
    assert!(trips[0] <= 6, "{} sequential round trips", trips[0]);
}

/// Round trips of pages 2 to 4 of the cost matrix's `batch` shape (2 000
/// orders at one millisecond each night), French 10 %, seed 10, the `ties`
/// query: pages 2 and 3 lie inside one nightly batch, and page 4 reads the
/// rest of it and a day on to the next. The two pages inside the batch
/// covered no distance, and their 100 rows were pooled into the density
/// the cursor carries as if they had: page 4's first window reached a
/// third of the day it needed and took 4 round trips. A page on one
/// position now leaves that density as it was.
#[test]
fn pages_inside_one_run_of_ties_leave_the_density_the_cursor_carries() {
    let trips = round_trips(Shape::Batch, French::Flat(0.10), 10, Variant::Ties, 4);
    assert_eq!(trips[1..3], [1, 1], "pages 2 and 3 read inside the batch: {trips:?}");
    assert!(trips[3] <= 2, "page 4: {trips:?}");
}

/// Round trips of the cost matrix's `batch` shape, French 10 %, where a
/// page ends inside a nightly batch and the next one starts there: `ties`
/// seed 11 page 5 (it reads the batch again, whole) and `total` seed 6
/// page 8 (it resumes inside the batch after the cursor row). The density
/// the cursor carried counted the rows of the batches at the pages' ends
/// as if spread over the day between, and the next page's first window
/// reached a fraction of that day: 5 and 4 round trips. A run of ties at
/// either end of a page is now a point, not a density, and the first
/// window aims past the rows of the cursor's run the last page left.
#[test]
fn the_runs_at_a_pages_ends_are_points_not_a_density() {
    let ties = round_trips(Shape::Batch, French::Flat(0.10), 11, Variant::Ties, 5);
    assert!(ties[4] <= 2, "ties, page 5: {ties:?}");
    let total = round_trips(Shape::Batch, French::Flat(0.10), 6, Variant::Total, 8);
    assert!(total[7] <= 2, "total, page 8: {total:?}");
}

/// Round trips of the cost matrix's `batch` shape, French 10 %, seed 3,
/// the `ties` query, page 5 (`cargo run --release --example cost_matrix --
/// --shape batch --seeds 3..3 --trace-page "10%/ties/5"`): the `refunded`
/// stream's first 9 items all sat on the cursor's nightly batch, so its
/// density was an assumption, and its next window reached 28 minutes past
/// the batch for a page that the `paid` stream's rows, read already, ended
/// a day on: 4 round trips. A window for a stream still on its start now
/// reaches as far as the rows the streams hold.
#[test]
fn a_stream_still_on_the_cursors_run_reads_as_far_as_the_rows_held() {
    page_takes_at_most(Shape::Batch, French::Flat(0.10), 3, Variant::Ties, 5, 3);
}

/// Look-ahead pages on keys to the millisecond: `growth`, 10 % French in
/// the evenings, the `total` query. Each page's window was placed to hold
/// the last of the rows the page before had read, but was written back
/// with the cursor's fraction of a second (`18:20:22.998Z` for a row at
/// `18:20:22.300Z`): the row fell outside it, and the page took a second
/// round trip (seed 8 page 6, 164 items; seed 32 page 7, 179). A window's
/// end now holds its whole second: one round trip. The pages pinned move
/// as the pages before them change: seed 32's page 6 came to place its
/// window by the time of day and no longer read page 7's rows, and seed
/// 8's page 5, once the bound on a stretch left behind counted the
/// streams, read its stream of `new` orders less far, so it holds too few
/// of page 6's rows and page 6 is no look-ahead page (page 5 now reads
/// 1 396 items, 1 474 before; page 6 366, 140 before). Seed
/// 1's page 3 is one (`cost_matrix --shape growth --seeds 1..1
/// --trace-page "10% evening/total/3"`): 140 items for a bound of 138, in
/// one round trip, its window ending at `19:15:43.000Z`.
#[test]
fn a_look_ahead_page_on_millisecond_keys_reads_in_one_round() {
    let (seed, page) = (1, 3);
    let stats = page_stats(Shape::Growth, French::Evening, seed, Variant::Total, page);
    let s = &stats[page - 1];
    assert_eq!(s.round_trips, 1, "seed {seed} page {page}: {s:?}");
    assert!(s.items_read <= 142, "seed {seed} page {page}: {s:?}");
}

/// A window that would cross an evening's edge: `batch`, 10 % French in
/// the evenings, seed 11, page 6, newest first (`cost_matrix --shape batch
/// --seeds 11..11 --trace-page "10% evening/total/6"`). The page resumes
/// at 02:00, past that night's batch; its rows lie in the quiet hours
/// back to 22:00 and in the evening before them (396 items for a perfect
/// reader). The curve of the time of day, shrunk toward the average,
/// expected that evening to hold part of the page and drew the window on
/// across the day before it, whose share of French orders is a fifteenth
/// of the evening's: 1 213 items in one round trip. A window now ends at
/// the evening's edge where the stretch before it expects at least half
/// the page (`Tuning::cliff_share`; the edge: the hour 15:00-15:59, under
/// `Tuning::cliff_drop` of the rate before it).
#[test]
fn a_window_ends_at_an_evenings_edge_where_the_evening_holds_the_page() {
    let (seed, page) = (11, 6);
    let stats = page_stats(Shape::Batch, French::Evening, seed, Variant::Total, page);
    let s = &stats[page - 1];
    assert_eq!(s.round_trips, 1, "seed {seed} page {page}: {s:?}");
    assert!(s.items_read <= 495, "seed {seed} page {page}: {s:?}");
}

/// A late round reads past an evening's edge: `growth`, 10 % French in
/// the evenings, seed 1, page 10 of the `ties` query (`cost_matrix --shape
/// growth --seeds 1..1 --trace-page "10% evening/ties/10"`). After two
/// round trips the page still lacked most of its rows; its third round
/// planned to 19:07 the day before, past the evening of 17:00-21:59, and
/// its `Limit`s stopped at the evening's edge (53 and 31 items), where the
/// evening expected half the round's aim. The evening fell short (28
/// rows), and a fourth round trip read the rest. A late round aims past
/// its need by the estimate's error so that the page ends there: it reads
/// on (142 and 84 items), in three round trips.
#[test]
fn a_late_round_reads_past_an_evenings_edge() {
    page_takes_at_most(Shape::Growth, French::Evening, 1, Variant::Ties, 10, 3);
}

/// A stream whose windows came back empty reads by `Limit` alone, and that
/// read is a probe for its next rows: `daily`, 50 % French, seed 1, page 3
/// of the `ties` query (`cost_matrix --shape daily --seeds 1..1
/// --trace-page "50%/ties/3"`). The `refunded` stream holds a few items a
/// day; its first two windows held none, so its third request read the
/// whole range back with the `Limit` its window had planned: one item. That
/// item was a row inside the page, so the merge still could not tell where
/// the stream's next row lay, and a fourth round trip read it. Asked for
/// the items that hold a few rows at the page's selectivity, the probe
/// shows its next row past the page in the same round trip.
#[test]
fn a_stream_read_by_limit_after_empty_windows_asks_for_rows_not_an_item() {
    page_takes_at_most(Shape::Daily, French::Flat(0.50), 1, Variant::Ties, 3, 3);
}

/// Every stream's window came back empty (a page that reached the 3 days
/// without orders of `outage`), so every stream reads by `Limit` alone,
/// and each of those reads is a probe for the stream's next rows:
/// `outage`, 10 % French, seed 11, page 5 of the `ties` query
/// (`cost_matrix --shape outage --seeds 11..11 --trace-page "10%/ties/5"`).
/// The stream the merge waited on asked for the items that hold a few
/// rows; the other three asked for what their windows had planned (19, 6
/// and 2 items), found too few rows to reach past the page's last one, and
/// a fourth round trip read on. Each probe asks for a few rows now, and
/// the page ends in three.
#[test]
fn streams_that_all_ran_out_of_their_windows_each_probe_for_a_few_rows() {
    page_takes_at_most(Shape::Outage, French::Flat(0.10), 11, Variant::Ties, 5, 3);
}

/// A repeated first page on the engine that ran it (warm): `growth`, 10 %
/// French in the evenings, seed 12 (`cost_matrix --shape growth --seeds
/// 12..12 --trace-page "10% evening/ties/warm"`). Newest first, the page's
/// 50 rows lie in the last hours of the range and the evening before them
/// (192 items of a perfect reader's for the `ties` query); its cold run
/// read on into the day before, whose share of French orders is a fifth of
/// the evening's. Sized by the selectivity of everything the cold run
/// read, the warm run asked for 442 items. The engine remembers where the
/// cold run's next page began (its 51st row) and the items each stream
/// read to there, and the warm run reads to that row and no further, in
/// one round trip: the same range over the same rows.
#[test]
fn a_repeated_first_page_reads_to_where_its_last_run_ended_in_one_round() {
    let (w, table, rt) = orders(Shape::Growth, French::Evening, 12);
    for (v, bound) in [(Variant::Ties, 192), (Variant::Total, 192), (Variant::Strict, 192)] {
        let engine = Engine::new(w.schema.clone(), &table);
        let q = query(v, &w);
        let cold = rt.block_on(engine.fetch(&q)).expect("cold page");
        let warm = rt.block_on(engine.fetch(&q)).expect("warm page");
        assert_eq!(warm.stats.sizing_start, dynaquery::SizingStart::Warm);
        assert_eq!(warm.rows, cold.rows);
        assert_eq!(warm.next_cursor.is_some(), cold.next_cursor.is_some());
        assert_eq!(warm.stats.round_trips, 1, "warm: {:?}", warm.stats);
        assert!(warm.stats.items_read * 10 <= bound * 11, "warm: {:?}", warm.stats);
    }
}

/// A cold first page read oldest first, where the filter's share moves
/// with the time of day: `epoch-ms`, 10 % French in the evenings (30 %
/// from 17:00 to 21:59, 2 % the rest of the day), seed 4
/// (`cost_matrix --ascending --shape epoch-ms --seeds 4..4 --trace-page
/// "10% evening/ties/cold"`). The probe reads the range's first night and
/// finds a few rows; a round sized for that share read 1 105 items for a
/// perfect reader's 527 (the page's rows lie in the evening). Its early
/// rounds take the share ahead to be higher than the probe found, by the
/// error of a count that small: 648 items, in the same two round trips.
#[test]
fn a_cold_page_plans_past_a_probe_of_the_night_for_a_higher_share() {
    let (w, table, rt) = orders(Shape::EpochMs, French::Evening, 4);
    for (v, bound) in [(Variant::Ties, 527), (Variant::Total, 526), (Variant::Strict, 527)] {
        let engine = Engine::new(w.schema.clone(), &table);
        let page = rt.block_on(engine.fetch(&ordered(v, &w, true))).expect("cold page");
        let s = &page.stats;
        assert_eq!(s.sizing_start, dynaquery::SizingStart::Cold);
        assert_eq!(page.rows.len(), 50);
        assert!(s.round_trips <= 2, "{s:?}");
        assert!(s.items_read * 2 <= bound * 3, "{s:?}");
    }
}

/// The sequential round trips of pages 1..=`pages` of `v` on a table of
/// 30 000 orders of `shape`, each page full and every page but the last
/// followed by a cursor.
/// Asserts that page `page` (1-based) of `v` takes at most `most`
/// sequential round trips, the earlier pages read first.
fn page_takes_at_most(shape: Shape, french: French, seed: u64, v: Variant, page: usize, most: u32) {
    let trips = round_trips(shape, french, seed, v, page);
    assert!(trips[page - 1] <= most, "round trips of pages 1..={page}: {trips:?}");
}

fn round_trips(shape: Shape, french: French, seed: u64, v: Variant, pages: usize) -> Vec<u32> {
    page_stats(shape, french, seed, v, pages).iter().map(|s| s.round_trips).collect()
}

/// The stats of `pages` full pages of `v` on 30 000 orders of `shape`.
fn page_stats(shape: Shape, french: French, seed: u64, v: Variant, pages: usize) -> Vec<QueryStats> {
    sized_page_stats(shape, french, seed, v, pages, 50)
}

/// The stats of `pages` full pages of `size` rows of `v` on 30 000 orders
/// of `shape`, every page but the last followed by a cursor.
fn sized_page_stats(
    shape: Shape,
    french: French,
    seed: u64,
    v: Variant,
    pages: usize,
    size: usize,
) -> Vec<QueryStats> {
    let (w, table, rt) = orders(shape, french, seed);
    let engine = Engine::new(w.schema.clone(), &table);
    let mut q = query(v, &w).limit(size);
    let mut stats = Vec::new();
    for n in 1..=pages {
        let page = rt.block_on(engine.fetch(&q)).expect("page");
        assert_eq!(page.rows.len(), size, "page {n}");
        stats.push(page.stats.clone());
        if n < pages {
            q = q.cursor(page.next_cursor.unwrap_or_else(|| panic!("a page after page {n}")));
        }
    }
    stats
}

/// Pages shorter than a day where a filter value's share moves with the
/// time of day: `growth`, 10 % French in the evenings (30 % from 17:00 to
/// 21:59, 2 % the rest of the day), seed 1, the `ties` query. Pages 2 and
/// 4 cross a day at its 2 % in several rounds and end in an evening, their
/// last round having read on past the page; pages 3 and 5 start in that
/// evening. Sized by the selectivity the crossing pages carried, their
/// `Limit`s read a whole day: 520 and 472 items for bounds of 140 and 154
/// (`cost_matrix --shape growth --seeds 1..1 --trace-page "10%
/// evening/ties/3"`). The rows were read already: the cursor carries where
/// the last of the next page's rows lies and the items to there, and
/// pages 3 and 5 read to it in one round trip (141 and 153 items; 149 and
/// 163 before the tie re-sort's look-ahead row counted among the rows
/// the last page held past its end).
#[test]
fn a_page_whose_rows_the_last_page_read_reads_to_the_last_of_them() {
    let stats = page_stats(Shape::Growth, French::Evening, 1, Variant::Ties, 5);
    for n in [2, 4] {
        let s = &stats[n];
        assert_eq!(s.round_trips, 1, "page {}: {s:?}", n + 1);
        assert!(s.items_read <= 175, "page {}: {s:?}", n + 1);
    }
}

/// Pages inside a flash sale (4 500 orders in two hours, 50 times the
/// density of the hours before): `flash-sale`, 50 % French, seed 1,
/// pages 6 to 10 of the `ties` query (a perfect reader needs 100 to 105
/// items for each). The density the cursor carried pooled the sale's
/// pages with the quiet hours before them, row for row, so a page inside
/// the sale planned its first window hours wide, and only the `Limit`s'
/// guard (a quarter over the need) ended its read. The density carried now forgets the
/// older stretch once the two differ by more than sampling explains.
#[test]
fn pages_inside_a_flash_sale_plan_their_windows_by_the_sales_density() {
    let stats = page_stats(Shape::FlashSale, French::Flat(0.50), 1, Variant::Ties, 10);
    let read: Vec<u64> = stats.iter().map(|s| s.items_read).collect();
    // Pooled, pages 6..=10 read 130 to 137 items each; now 109 to 120.
    assert!(read[5..].iter().all(|r| *r <= 125), "items read by pages 1..=10: {read:?}");
}

/// Paging out of a flash sale (4 500 orders in two hours, about 50 times
/// the density of the hours before it): `flash-sale`, 10 % French, seed
/// 10, 30 000 orders. The page that leaves the sale measured its density
/// there; with the density ahead allowed to move only 2× a round, its
/// windows crossed the quiet hours one doubling per round trip (6 round
/// trips on page 7). The stretch each round read now places the next
/// window however far it must be; the `Limit`s, sized by the rows the page
/// needs, bound what it reads.
#[test]
fn paging_out_of_a_flash_sale_crosses_the_quiet_hours_in_a_few_round_trips() {
    let trips = round_trips(Shape::FlashSale, French::Flat(0.10), 10, Variant::Ties, 10);
    assert_eq!(trips.len(), 10, "{trips:?}");
    assert!(trips[1..].iter().all(|t| *t <= 4), "round trips of pages 1..=10: {trips:?}");
}

/// The page that leaves a flash sale: `flash-sale`, 10 % French, seed 6,
/// page 4 of the `ties` query. Its first window, placed by the sale's
/// density, ended 19 minutes before the sale began; the stretch that round
/// read (the sale and those minutes) was as dense as the page's average,
/// so the next windows crept over the quiet hours a few minutes at a time
/// (4 round trips). No stream found a row in those 19 minutes, where the
/// sale's density expected many: that stretch now sets the density
/// ahead, and the second round finishes the page.
#[test]
fn a_page_leaving_a_flash_sale_reads_the_quiet_hours_past_it_in_one_round() {
    page_takes_at_most(Shape::FlashSale, French::Flat(0.10), 6, Variant::Ties, 4, 2);
}

/// A page that leaves a flash sale into a quiet afternoon and a quieter
/// night: `flash-sale`, 10 % French, seed 1, page 7 of the `ties` query.
/// Each window, placed by the density of the stretch the last round read,
/// found the data thinner again past it (4 rows where 20 were expected,
/// then 9 where 18 were) and ended the reads short of their `Limit`s: 4
/// round trips. While the density falls, a window reaches for twice the
/// rows the page needs, and the `Limit`s, sized for the need, end the
/// reads: 3.
#[test]
fn a_page_whose_windows_find_the_data_thinning_reaches_further() {
    page_takes_at_most(Shape::FlashSale, French::Flat(0.10), 1, Variant::Ties, 7, 3);
}

/// A page whose window crosses a nightly batch and stops inside it on
/// both streams: `batch`, 10 % French, seed 6, page 6 of the `ties` query.
/// The dense stream's response ended on a row of the batch after rows of
/// it (the run shows), the sparse one's on the batch's first items (it
/// does not). The merge waited on the sparse one first, and the dense one
/// read its rest of the batch a round trip later (4 round trips). The run
/// the dense stream showed is the sparse one's too: both read on in one
/// round trip.
#[test]
fn a_run_another_stream_shows_is_read_by_every_stream_stopped_on_it_at_once() {
    page_takes_at_most(Shape::Batch, French::Flat(0.10), 6, Variant::Ties, 6, 3);
}

/// A page that reaches a nightly batch (2 000 orders at one millisecond)
/// with every stream stopped inside it at its `Limit`: `batch`, 10 %
/// French, seed 14, page 8 of the `ties` query. The streams whose last
/// response showed the run read its rest in one round trip, but the sparse
/// ones, which reached the batch on their last item or two, waited for the
/// merge to reach their heads: a round trip each (6 on the page, for 3).
/// A stream stopped on the run's value now reads its rest in the same
/// round trip as the others.
#[test]
fn every_stream_stopped_inside_a_run_reads_its_rest_in_one_round_trip() {
    page_takes_at_most(Shape::Batch, French::Flat(0.10), 14, Variant::Ties, 8, 3);
}

/// A resumed page that the cursor's run of ties holds whole (pages 2–4
/// lie inside a nightly batch of orders at one millisecond) reads that run
/// and nothing past it, in one round trip: the last page said how many of
/// the run's rows it left, and the tie re-sort closes the run once every
/// stream has read past it, without reading on to the row after it. (They
/// read a window reaching hours past the batch: 514, 490 and 479 items for
/// a run of 456.)
#[test]
fn a_page_inside_a_run_of_ties_reads_that_run_and_nothing_past_it() {
    let got = trace(Shape::Batch, French::Flat(0.50), 2, Variant::Ties, 4);
    let pages: Vec<&str> = got.split("\n## page ").skip(1).collect();
    assert_eq!(pages.len(), 4, "{got}");
    for page in &pages[1..] {
        let (head, requests) = page.split_once('\n').expect("a page header");
        assert!(head.contains(", 1 round trips,"), "one round trip: {head}");
        let requests: Vec<&str> = requests.lines().filter(|l| !l.is_empty()).collect();
        assert!(!requests.is_empty(), "{page}");
        for r in requests {
            assert!(
                r.contains(r#"created_at = "2026-11-23T02:00:00.000Z""#),
                "a request past the batch: {r}"
            );
        }
    }
}

/// A cold first page on date-only keys (every date a run of ties):
/// `date-only`, 10 % French in the evenings, seed 1, the `ties` query.
/// Its probe stopped inside the newest date on every stream; one stream
/// read the rest of that date pinned, and only a round trip later read on
/// into the next date, where it stopped inside a run again (4 round
/// trips). A cold page's stream that reads the rest of a run now reads on
/// past it in the same round trip, to the round's window: 3.
#[test]
fn a_cold_page_reads_past_the_run_it_stopped_in_within_the_same_round_trip() {
    let stats = page_stats(Shape::DateOnly, French::Evening, 1, Variant::Ties, 1);
    assert!(stats[0].reads_ahead > 0, "{:?}", stats[0]);
    assert!(stats[0].round_trips <= 3, "{:?}", stats[0]);
}

/// A cold first page read oldest first, from midnight UTC, on daily
/// traffic whose French orders crowd into the European evening (`daily`,
/// 10 % French in the evenings, seed 1, the `ties` query ascending; `cargo
/// run --release --example cost_matrix -- --ascending --shape daily`). Its
/// probe of the night found one row in 102 items, and the round sized for
/// that selectivity asked for 6 450 items where the page's bound is 579
/// (11.3×). A page with nothing to start from now plans a round of at most
/// 16 times the items it has read: 2.94×. Its `refunded` probe found a row
/// days on, and with the selectivity spread by distance (below) the round
/// plans a window, whose guard comes on top of that cap: 3.65×.
#[test]
fn a_cold_page_that_starts_in_the_quiet_hours_does_not_extrapolate_its_probe_fifty_fold() {
    let (read, bound) = cold_page_read_oldest_first(1);
    assert!(read <= 4 * bound, "read {read} items for a bound of {bound}");
}

/// The same query and traffic, seed 5 (four statuses). The probe of the
/// dense streams read the night and found no row in 78 items; `refunded`'s
/// 26 items spanned days and held 3 rows. Pooled by items, the page's
/// selectivity was 3 in 104, and the next round read 4.65 times the
/// page's bound. A cold page's selectivity now weighs each stream's by the
/// distance along the key it covered (the larger of the two is taken):
/// the sparse stream's probe speaks for the day ahead of the dense ones.
#[test]
fn a_cold_page_takes_the_share_a_sparse_streams_probe_saw_along_the_day() {
    let (read, bound) = cold_page_read_oldest_first(5);
    assert!(read <= 2 * bound, "read {read} items for a bound of {bound}");
}

/// Items read by the cold first page of the `ties` query ascending on
/// `daily` traffic with 10 % French in the evenings (30 000 orders,
/// `seed`), and a perfect reader's items for that page: per stream, every
/// item in the range up to the last row's `created_at`, and one more where
/// the stream goes on.
fn cold_page_read_oldest_first(seed: u64) -> (u64, u64) {
    let (w, table, rt) = orders(Shape::Daily, French::Evening, seed);
    let engine = Engine::new(w.schema.clone(), &table);
    let q = ordered(Variant::Ties, &w, true);
    let page = rt.block_on(engine.fetch(&q)).expect("page");
    assert_eq!(page.rows.len(), 50);
    assert_eq!(page.stats.sizing_start, dynaquery::SizingStart::Cold);
    let last = page.rows[49].get("created_at").expect("created_at").clone();
    let in_range = |v: &dynaquery::Value| {
        v.cmp_same_type(&w.from).is_some_and(|o| o.is_ge())
            && v.cmp_same_type(&w.to).is_some_and(|o| o.is_le())
    };
    let bound: usize = w
        .statuses
        .iter()
        .map(|s| {
            let of = |it: &&dynaquery::Item| {
                it.get("status") == Some(&dynaquery::Value::from(*s))
                    && it.get("created_at").is_some_and(in_range)
            };
            let all = w.items.iter().filter(of).count();
            let upto = w
                .items
                .iter()
                .filter(of)
                .filter(|it| {
                    it.get("created_at").and_then(|v| v.cmp_same_type(&last)).is_some_and(|o| o.is_le())
                })
                .count();
            upto + usize::from(upto < all)
        })
        .sum();
    (page.stats.items_read, bound as u64)
}

/// A round planned while a stream's request was still in flight: `daily`,
/// 1 % French, seed 2, the `ties` query, cold first page. The densest
/// stream's answer came first and its round (3) planned 40 more items for
/// the 1 % `refunded` stream, whose request of the round before was still
/// in flight; the round skipped it, and when the merge reached its rows it
/// read them a round trip later (4 round trips). A stream the round missed
/// now sends the request it planned as soon as its answer arrives, in the
/// round's round trip: 3.
#[test]
fn a_stream_in_flight_when_a_round_is_planned_reads_in_that_round_trip() {
    let stats = page_stats(Shape::Daily, French::Flat(0.01), 2, Variant::Ties, 1);
    assert!(stats[0].round_trips <= 3, "{:?}", stats[0]);
}

/// A cold first page's third round trip plans on a selectivity a few dozen
/// rows showed: `daily`, 10 % French, seed 8, and `epoch-ms`, 1 % French,
/// seed 9, page 1 of the `ties` query. Each aimed its round past the need
/// by the Poisson slack of the rows still needed alone; the rows ahead
/// came in under the estimate, and a fourth round trip read the few left.
/// A round planned after two round trips aims past the need by half a
/// standard error of the selectivity too (a Poisson count of the rows it
/// rests on): 3 round trips each.
#[test]
fn a_late_round_reads_for_an_estimate_that_rests_on_few_rows() {
    for (shape, french) in [(Shape::Daily, French::Flat(0.10)), (Shape::EpochMs, French::Flat(0.01))] {
        let seed = if shape == Shape::Daily { 8 } else { 9 };
        let stats = page_stats(shape, french, seed, Variant::Ties, 1);
        assert!(stats[0].round_trips <= 3, "{shape:?}: {:?}", stats[0]);
    }
}

/// A cold first page of a 1 % filter: `ulid`, 1 % French, seed 6, the
/// `ties` query (`cost_matrix --shape ulid --seeds 6..6 --trace-page
/// "1%/ties/cold"`). Its probe found no row in 104 items, and its next
/// round, held to 16 times the items read (`cold_growth`), read 832 items
/// of `paid` and found 17 rows: the rounds planned on so few came back
/// short, 4 round trips and 5 740 items for a bound of 4 137. None found
/// in 104 leaves a share up to 3 in 104 plausible; a round may plan twice
/// the page at that share (`cold_overshoot`): 1 768 items found 28 rows,
/// and the page ends in 3 round trips and 4 309 items.
#[test]
fn a_cold_page_of_a_rare_filter_value_takes_three_round_trips() {
    let stats = page_stats(Shape::Ulid, French::Flat(0.01), 6, Variant::Ties, 1);
    assert_eq!(stats[0].sizing_start, dynaquery::SizingStart::Cold);
    assert!(stats[0].round_trips <= 3, "{:?}", stats[0]);
    assert!(stats[0].items_read * 10 <= 4_137 * 11, "{:?}", stats[0]);
}

/// The last page of an open range read oldest first (`created_at > a`,
/// ascending, no upper bound): `flash-sale`, 1 % French, seed 3, page 2,
/// and `date-only`, 1 % French, seed 1, page 2 (fan-out 2 and 3). The
/// first round read every stream to the end of its data; the next windows,
/// placed by a density that kept falling, reached years into an empty
/// future, and a stream read by `Limit` alone only after its own window
/// came back empty while the merge waited on it, or after two: 4 round
/// trips where a perfect reader needs 1. When every stream still reading
/// found its last window empty, the page as a whole ran out there: each
/// reads by `Limit` alone, and the page ends in 3.
#[test]
fn the_last_page_of_an_open_range_stops_chasing_windows_once_every_stream_found_one_empty() {
    for (shape, seed) in [(Shape::FlashSale, 3), (Shape::DateOnly, 1)] {
        let pages = open_range_oldest_first(shape, French::Flat(0.01), seed);
        let last = pages.last().expect("a page");
        assert!(pages.len() >= 2, "{shape:?}: {} pages", pages.len());
        assert!(last.round_trips <= 3, "{shape:?} seed {seed}, last of {} pages: {last:?}", pages.len());
    }
}

/// The stats of every page of `created_at > from` read oldest first
/// (ascending on every column of the `ties` order), along the cursors
/// until none is left, on 30 000 orders of `shape`.
fn open_range_oldest_first(shape: Shape, french: French, seed: u64) -> Vec<QueryStats> {
    let (w, table, rt) = orders(shape, french, seed);
    let engine = Engine::new(w.schema.clone(), &table);
    let mut q = ordered(Variant::Strict, &w, true);
    let mut stats = Vec::new();
    loop {
        let page = rt.block_on(engine.fetch(&q)).expect("page");
        stats.push(page.stats.clone());
        match page.next_cursor {
            Some(c) if stats.len() < 100 => q = q.cursor(c),
            _ => return stats,
        }
    }
}

/// A stream whose request stopped inside a run of ties another stream is
/// reading through, with no row of the run in its response: `batch`, 10 %
/// French in the evenings, seed 2, page 3 of the `ties` query. Three
/// streams stopped inside the nightly batch (2 000 orders at one
/// millisecond) and read its rest by requests pinned to its value; the
/// fourth's answer came last, its last evaluated key on the batch and no
/// row, and the merge waited on it. The round read it by a `Limit` of 117
/// past its key, toward a window two days on: it stopped inside the batch
/// again and read the rest a round trip later (4 round trips). A stream
/// stopped on a run another stream reads through reads its rest the same
/// way, pinned, even when the merge waits on it: 3.
#[test]
fn the_stream_the_merge_waits_on_reads_the_run_its_siblings_read_through() {
    page_takes_at_most(Shape::Batch, French::Evening, 2, Variant::Ties, 3, 3);
}

/// A cold first page whose rows end inside a run of 100 000 orders at one
/// millisecond: `batch-100k`, 1 % French, seed 2, the `ties` and `strict`
/// queries (`cost_matrix --shape batch-100k --seeds 2..2 --trace-page
/// "1%/ties/cold"`). The sparse streams' responses stopped inside the run
/// a round before the densest one's; its `Limit` (4 669 items) carried it
/// into its own run and stopped there, and the rest of that run, three
/// 1 MB pages and a last one, came after: 7 round trips, where a perfect
/// reader needs 4 and the target allows 6. On a cold page, a `Limit` that
/// would carry a stream into a run another stream is inside reads to the
/// run with no `Limit` (its first 1 MB page comes in that round trip) and
/// past it by a read ahead with what the `Limit` leaves.
#[test]
fn a_limit_that_reaches_a_run_another_stream_is_inside_reads_its_first_megabyte_at_once() {
    for v in [Variant::Ties, Variant::Strict] {
        let stats = page_stats(Shape::BatchHuge, French::Flat(0.01), 2, v, 1);
        assert!(stats[0].round_trips <= 6, "{:?}", stats[0]);
    }
}

/// Items read by each of ten pages of 50 of `v` on `shape`, 100 000
/// orders, 10 % French in the evenings, seed 3: pages shorter than a day.
fn evening_pages(shape: Shape, v: Variant) -> Vec<u64> {
    let w = workloads::generate(shape, French::Evening, 3, 100_000, Sizes::default());
    let table = common::memory(w.schema.clone(), &w.items);
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let engine = Engine::new(w.schema.clone(), &table);
    let mut q = query(v, &w);
    let mut read = Vec::new();
    for n in 1..=10 {
        let page = rt.block_on(engine.fetch(&q)).expect("page");
        assert_eq!(page.rows.len(), 50, "page {n}");
        read.push(page.stats.items_read);
        q = query(v, &w).cursor(page.next_cursor.expect("a next page"));
    }
    read
}

/// Pages shorter than a day where a filter value's share follows the time
/// of day: `daily` on 100 000 orders, 10 % French in the evenings (30 %
/// from 17:00 to 21:59, 2 % the rest of the day), seed 3, the `total`
/// query, ten pages (about three days). A page that crosses the day at
/// its 2 % and runs on into the previous evening sized its rounds by the
/// day's share: page 6 read 3 378 items for a bound of 743 (`cost_matrix
/// --orders 100000 --shape daily --seeds 3..3 --trace-page "10%
/// evening/total/6"`), and pages 2 to 10 together 10 689 for bounds that
/// sum to 4 051. The cursor carries the rows found and the time covered
/// per hour of the day, on even and odd days, and a window ends where the
/// rows expected along that curve reach the need: 7 393 items in all,
/// page 6 1 576.
#[test]
fn pages_shorter_than_a_day_place_their_windows_by_the_time_of_day() {
    let read = evening_pages(Shape::Daily, Variant::Total);
    let later: u64 = read[1..].iter().sum();
    // Bounds of pages 2 to 10 (cost_matrix's perfect reader): 4 051.
    assert!(later <= 2 * 4_051, "pages 2 to 10 read {later} items: {read:?}");
}

/// The same on epoch-millisecond numbers (`epoch-ms`, 100 000 orders, 10 %
/// French in the evenings, seed 3, the `ties` query): a number's unit is
/// not declared, and the curve read only ISO-8601 date-times, so pages 2 to
/// 10 read 9 631 items for bounds that sum to 4 056, page 4 2 566 for 677
/// and page 6 3 386 for 697 (`cost_matrix --orders 100000 --shape epoch-ms
/// --seeds 3..3`). A number of 13 digits (epoch milliseconds since 2001)
/// or 10 (epoch seconds) is now read as a time: 5 086 items.
#[test]
fn epoch_millisecond_keys_place_their_windows_by_the_time_of_day() {
    let read = evening_pages(Shape::EpochMs, Variant::Ties);
    let later: u64 = read[1..].iter().sum();
    // Bounds of pages 2 to 10 (cost_matrix's perfect reader): 4 056.
    assert!(2 * later <= 3 * 4_056, "pages 2 to 10 read {later} items: {read:?}");
}

/// The same orders with keys in epoch microseconds and nanoseconds (16
/// and 19 digits; `Shape::EpochUs` and `Shape::EpochNs`, outside the
/// matrix): a number's unit is read from its size, and only 10 and 13
/// digits were read as times, so their windows placed by the page's
/// average density read pages 2 to 10 as the milliseconds did before they
/// were read as times. 16 digits are now read as microseconds and 19 as
/// nanoseconds, both since 2001.
#[test]
fn epoch_micro_and_nanosecond_keys_place_their_windows_by_the_time_of_day() {
    for shape in [Shape::EpochUs, Shape::EpochNs] {
        let read = evening_pages(shape, Variant::Ties);
        let later: u64 = read[1..].iter().sum();
        // The milliseconds' bounds of pages 2 to 10: 4 056.
        assert!(2 * later <= 3 * 4_056, "{shape:?}: pages 2 to 10 read {later} items: {read:?}");
    }
}

/// The same on ULID keys (`ulid`, 100 000 orders, 10 % French in the
/// evenings, seed 3, the `total` query). A ULID was ranked by an odometer
/// over its bytes, which spread Crockford's 32 digits over the 43 byte
/// values from `0` to `Z` and could not say where a day's hours lie, and
/// no window could be written back as a ULID: pages 2 to 10 read 6 781
/// items for bounds that sum to 4 080, page 5 1 327 for 706 (`cost_matrix
/// --orders 100000 --shape ulid --seeds 3..3`). A ULID is now read as its
/// milliseconds: 5 381 items.
#[test]
fn ulid_keys_place_their_windows_by_the_time_of_day() {
    let read = evening_pages(Shape::Ulid, Variant::Total);
    let later: u64 = read[1..].iter().sum();
    // Bounds of pages 2 to 10 (cost_matrix's perfect reader): 4 080.
    assert!(20 * later <= 29 * 4_080, "pages 2 to 10 read {later} items: {read:?}");
}

/// Pages of one row crossing a night where the share of French orders
/// falls from the evening's 30 % to 2 %: `ulid`, 10 % French in the
/// evenings, seed 2, the `ties` query, pages of 1 (`cost_matrix --page-size
/// 1 --pages 40 --shape ulid --seeds 2..2 --trace-page "10%
/// evening/ties/35"`). Page 35's windows, placed by the evening's density,
/// found no row four rounds running, each reaching twice as far as the one
/// before, and the page took 7 round trips where the target allows 6. A
/// window that found no row is evidence the density fell by more than the
/// Poisson slack covers: the next reaches four times as far.
#[test]
fn pages_of_one_row_cross_a_night_in_at_most_six_round_trips() {
    let stats = sized_page_stats(Shape::Ulid, French::Evening, 2, Variant::Ties, 40, 1);
    let trips: Vec<u32> = stats.iter().map(|s| s.round_trips).collect();
    assert!(trips.iter().all(|t| *t <= 6), "round trips of pages 1..=40: {trips:?}");
}
