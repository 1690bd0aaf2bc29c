//! Merge + tie re-sort CPU against what services write by hand: collect the
//! same rows and sort them with a comparator over attribute maps.
//!
//! Both sides start from the same pre-sorted streams (one per partition-key
//! value, as DynamoDB returns them), handed over by value outside the timed
//! part (criterion's `iter_batched`), so the ratio compares merging —
//! encoding each row's sort key, k-way merge, tie re-sort, page assembly —
//! with sorting.
//!
//! `cargo bench --bench merge`
//!
//! For instruction counts, `MERGE_ONCE=k16/none` runs each side once for
//! that cell instead of benchmarking; run it under
//! `valgrind --tool=callgrind` and read the inclusive cost of
//! `run_dynaquery` and `run_sort` (the functions the timed closures call).

use std::cmp::Ordering;
use std::collections::VecDeque;
use std::sync::Mutex;

use criterion::{criterion_group, BatchSize, BenchmarkId, Criterion, Throughput};
use dynaquery::{
    asc, col, desc, Backend, Engine, Index, Item, KeyAttribute, Options, Query, ReadRequest, ReadResponse,
    Schema, Value,
};
use futures::executor::block_on;

const ROWS: usize = 100_000;

/// Hands out each stream's rows, already in index order, in pages of 1000,
/// by value (each page once).
struct Sorted {
    pages: Mutex<Vec<VecDeque<Vec<Item>>>>,
}

impl Sorted {
    fn new(streams: Vec<Vec<Item>>) -> Self {
        let pages = streams
            .into_iter()
            .map(|mut rows| {
                let mut out = VecDeque::new();
                while !rows.is_empty() {
                    let rest = rows.split_off(rows.len().min(1000));
                    out.push_back(std::mem::replace(&mut rows, rest));
                }
                out
            })
            .collect();
        Sorted { pages: Mutex::new(pages) }
    }
}

impl Backend for Sorted {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        let stream = match request.key.as_ref().map(|k| &k.partition[0].1) {
            Some(Value::S(s)) => s.trim_start_matches('p').parse::<usize>().unwrap_or(0),
            _ => 0,
        };
        let mut pages = self.pages.lock().expect("bench lock");
        let items = pages[stream].pop_front().unwrap_or_default();
        let lek = (!pages[stream].is_empty()).then(|| items.last().cloned().unwrap_or_default());
        let mut response = ReadResponse::new(items.clone(), items.len() as u64);
        response.last_evaluated_key = lek;
        Ok(response)
    }
}

fn schema() -> Schema {
    Schema::new("t", KeyAttribute::s("id"))
        .index(Index::gsi("g", [KeyAttribute::s("p")], [KeyAttribute::n("ts")]))
        .always_present(["ts"])
}

/// `k` streams of `ROWS / k` rows, `ts` descending; `distinct` values of `ts`
/// overall, so each value ties about `ROWS / distinct` times.
fn streams(k: usize, distinct: usize) -> Vec<Vec<Item>> {
    let mut out = vec![Vec::new(); k];
    for i in 0..ROWS {
        let s = i % k;
        let ts = (ROWS - i) * distinct / ROWS;
        let mut it = Item::new();
        it.insert("id".into(), Value::from(format!("id{:07}", (i * 7919) % ROWS)));
        it.insert("p".into(), Value::from(format!("p{s}")));
        it.insert("ts".into(), Value::from(ts));
        it.insert("total".into(), Value::from((i * 31) % 97));
        out[s].push(it);
    }
    out
}

fn query(k: usize) -> Query {
    Query::new()
        .filter(col("p").is_in((0..k).map(|s| format!("p{s}"))))
        .order_by(desc("ts"))
        .order_by(desc("total"))
        .order_by(asc("id"))
        .limit(ROWS)
}

fn comparator(a: &Item, b: &Item) -> Ordering {
    fn n<'a>(it: &'a Item, f: &str) -> Option<&'a dynaquery::Number> {
        match it.get(f) {
            Some(Value::N(n)) => Some(n),
            _ => None,
        }
    }
    n(b, "ts").cmp(&n(a, "ts")).then_with(|| n(b, "total").cmp(&n(a, "total"))).then_with(|| {
        match (a.get("id"), b.get("id")) {
            (Some(Value::S(x)), Some(Value::S(y))) => x.cmp(y),
            _ => Ordering::Equal,
        }
    })
}

/// The timed part of the dynaquery side.
#[inline(never)]
fn run_dynaquery(engine: Engine<Sorted>, q: &Query) -> dynaquery::Page {
    let page = block_on(engine.fetch(q)).expect("merge");
    assert_eq!(page.rows.len(), ROWS);
    page
}

/// The timed part of the baseline.
#[inline(never)]
fn run_sort(data: Vec<Vec<Item>>) -> Vec<Item> {
    let mut all: Vec<Item> = data.into_iter().flatten().collect();
    all.sort_by(comparator);
    assert_eq!(all.len(), ROWS);
    all
}

/// The least any merge of these rows can cost, for the quick check: collect
/// the streams as the baseline does, compare each pair of neighbours' `ts`
/// (what finding runs of ties takes), keep the rows. With one stream the
/// baseline's sort does little more (its input is sorted: one pass of
/// n − 1 comparisons), which bounds the k1 ratios. Pairs looked up afresh,
/// as the sort's comparator does, let the CPU overlap neighbouring rows'
/// cache misses; a loop that carries the previous row's value ran 2–3 times
/// slower.
#[inline(never)]
fn run_floor(data: Vec<Vec<Item>>) -> (Vec<Item>, usize) {
    fn ts(it: &Item) -> Option<&dynaquery::Number> {
        match it.get("ts") {
            Some(Value::N(n)) => Some(n),
            _ => None,
        }
    }
    let all: Vec<Item> = data.into_iter().flatten().collect();
    let runs = all.windows(2).filter(|w| ts(&w[0]) != ts(&w[1])).count();
    (std::hint::black_box(all), runs)
}

fn options(k: usize) -> Options {
    Options::default()
        .max_page_size(ROWS)
        .max_streams(k)
        .read_budget(10 * ROWS as u64)
        .max_buffered_rows(10 * ROWS)
}

const TIES: [(&str, usize); 3] = [("none", ROWS), ("light", ROWS / 4), ("heavy", ROWS / 100)];

/// `MERGE_ONCE=k16/none`: one run of each side, for callgrind; with
/// `MERGE_REPS=n`, `n` runs of each side, alternating, and their median
/// times side by side (a quick check, not a criterion measurement), with
/// the floor ([`run_floor`]), which replaces the sort every other rep.
fn once(cell: &str) {
    let (k, ties) = cell.split_once('/').expect("MERGE_ONCE=k<streams>/<ties>");
    let k: usize = k.trim_start_matches('k').parse().expect("k<streams>");
    let distinct = TIES.iter().find(|t| t.0 == ties).expect("none|light|heavy").1;
    let reps: usize = std::env::var("MERGE_REPS").ok().and_then(|r| r.parse().ok()).unwrap_or(1);
    let data = streams(k, distinct);
    let q = query(k);
    let (mut merge_times, mut sort_times, mut floor_times) = (Vec::new(), Vec::new(), Vec::new());
    for rep in 0..reps {
        let engine = Engine::new(schema(), Sorted::new(data.clone())).with_options(options(k));
        let input = data.clone();
        let start = std::time::Instant::now();
        let page = run_dynaquery(engine, &q);
        merge_times.push(start.elapsed());
        // The floor takes the sort's place every other rep, so that both
        // meet the same memory layout (which the clones' order decides).
        if reps > 1 && rep % 2 == 1 {
            let start = std::time::Instant::now();
            let floor = run_floor(input);
            floor_times.push(start.elapsed());
            drop(floor);
            continue;
        }
        let start = std::time::Instant::now();
        let sorted = run_sort(input);
        sort_times.push(start.elapsed());
        assert!(page.rows == sorted, "both sides agree");
    }
    if reps > 1 {
        merge_times.sort();
        sort_times.sort();
        floor_times.sort();
        let median = |t: &[std::time::Duration]| t[t.len() / 2];
        let (m, s, f) = (median(&merge_times), median(&sort_times), median(&floor_times));
        println!(
            "{cell}: dynaquery {m:.2?}, collect_and_sort {s:.2?}, ratio {:.3}; floor {f:.2?}, ratio {:.3}",
            m.as_secs_f64() / s.as_secs_f64(),
            f.as_secs_f64() / s.as_secs_f64()
        );
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("merge_vs_sort");
    group.sample_size(10).throughput(Throughput::Elements(ROWS as u64));
    for k in [1usize, 4, 16, 64] {
        for (ties, distinct) in TIES {
            let data = streams(k, distinct);
            let options = options(k);
            let q = query(k);
            let label = format!("k{k}/{ties}");
            group.bench_function(BenchmarkId::new("dynaquery", &label), |b| {
                b.iter_batched(
                    || Engine::new(schema(), Sorted::new(data.clone())).with_options(options.clone()),
                    |engine| run_dynaquery(engine, &q),
                    BatchSize::LargeInput,
                )
            });
            group.bench_function(BenchmarkId::new("collect_and_sort", &label), |b| {
                b.iter_batched(|| data.clone(), run_sort, BatchSize::LargeInput)
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);

fn main() {
    if let Ok(cell) = std::env::var("MERGE_ONCE") {
        once(&cell);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
