//! Cost matrix: what dynaquery reads, how many round trips it waits for and
//! what capacity it pays, over a matrix of data shapes, French shares, query
//! variants and seeds, printed as distributions against the targets of
//! issue 14. It replaces seed 42 of `cost_report` as the yardstick.
//!
//! ```text
//! cargo build --release --example cost_matrix
//! cargo run --release --example cost_matrix                      # the default matrix, in memory (about 3 minutes on 2 busy cores)
//! cargo run --release --example cost_matrix -- --quick           # CI smoke: seeds 1..3, 4 000 orders, about 10 s
//! cargo run --release --example cost_matrix -- --trace-worst     # and the requests of each shape's worst page
//! cargo run --release --example cost_matrix -- --shape batch --seeds 3 --trace-page 10%/ties/8   # one page's requests
//! cargo run --release --example cost_matrix -- --shape batch --seeds 1..4 --pages 20
//! cargo run --release --example cost_matrix -- --shape batch-100k   # all French shares and seeds (slow: minutes per seed)
//! cargo run --release --example cost_matrix -- --orders 100000 --jobs 1
//! cargo run --release --example cost_matrix -- --endpoint http://127.0.0.1:8000   # DynamoDB Local
//! ```
//!
//! Flags: `--seeds A..B` (inclusive, default `1..16`; or one number),
//! `--orders N` (default 30 000 a table), `--shape NAME` (one shape),
//! `--page-size N` (rows a page, default 50), `--ascending` (every ORDER BY
//! direction flipped: a correctness sweep beside the default, descending one),
//! `--any-hour` (each seed's range ends at its own time of day, hours 5, 12,
//! 19, 2, … before midnight, rather than at midnight UTC: the first pages
//! then start in every hour of the daily curve, not only at its turn of
//! day; date keys keep their day boundaries), `--open` (the `open` query
//! below instead of the three), `--all-statuses` (every query's `IN` list
//! holds all seven statuses, fan-out 7, instead of 2 to 4),
//! `--pages N` (pages per query, default 10), `--jobs N` (worker threads
//! for the in-memory backend, default: the machine's cores), `--endpoint
//! URL` (DynamoDB Local or any DynamoDB endpoint; defaults there: 2 000
//! orders, seeds 1..2, batches of 500 on 3 nights, no `batch-100k` unless
//! asked for with `--shape`), `--quick`, `--trace-worst` (in memory only),
//! `--trace-page FR/QUERY/PAGE` (in memory only: the requests of that page,
//! a number for pages 2+ or `cold` / `warm` for page 1, for every shape
//! and seed run).
//!
//! The default matrix: 11 shapes × 4 French shares × seeds 1..16 × 3 queries,
//! except `batch-100k` (100 000 orders at one millisecond, a hundred times
//! a small table's run time), which runs seeds 1..4 at 10 % French only.
//!
//! The shapes (`examples/support/workloads.rs`): `daily`, `flash-sale`,
//! `batch`, `batch-100k`, `epoch-ms`, `date-only`, `ulid`, `date-id`, and
//! three held out from the tuning: `growth`, `outage`, `push-seconds`
//! (and, only when named with `--shape`, `epoch-us` and `epoch-ns`: the
//! `epoch-ms` orders in epoch micro- and nanoseconds; `snowflake`: the
//! same orders keyed by a 19-digit snowflake ID, no time; `bursts`: 30 %
//! of the orders in 200 bursts of heavy-tailed sizes at any hour); each
//! with 1 %, 10 %, 50 % French orders and 10 % concentrated in European
//! evenings. Seed `s` queries 2, 3 or 4 statuses (`s % 3`), always with
//! the 1 % `refunded` one (all seven with `--all-statuses`). The queries,
//! each paged `--pages` times along `next_cursor`, 50 rows a page:
//!
//! - `ties`: `status IN (…) AND country = 'FR' AND created_at BETWEEN a AND b
//!   ORDER BY created_at DESC, total DESC, order_id ASC` on `status-created_at`
//!   (runs of equal `created_at` re-sorted);
//! - `total`: the same filter, `ORDER BY created_at DESC, order_id DESC` on
//!   `status-created_at-order_id` (the index serves the whole order);
//! - `strict`: `created_at > a` (a strict bound, no upper one), ordered as `ties`;
//! - `open` (with `--open`, instead of the three): no bound on `created_at`
//!   at all, ordered as `ties`: the plain newest-first list.
//!
//! Page 1 runs twice on one fresh `Engine`: cold, then warm (the engine may
//! remember what it saw). Pages 2+ follow the cold page's cursor.
//! `QueryStats::sizing_start` says how each page's sizing started; the
//! report counts it per kind of page.
//!
//! Per page: items read (`ScannedCount` summed) against the items a perfect
//! reader needs (per stream: from where the page starts — the cursor's run
//! of ties included when the index order is not total — to the page's last
//! row's run, plus one look-ahead item where the stream goes on; to the end
//! of the range when no row follows the page), round trips, calls, RCU
//! against the RCU that perfect reader pays (per stream, its items' bytes in
//! 1 MB requests, each rounded up to 4 KB, half a unit per 4 KB), and whether
//! the rows and the cursor's presence equal the naive correct page (filter
//! everything, sort everything). A wrong page or an error is printed loudly
//! and makes the run exit with status 1. Writes `target/cost_matrix.json`
//! (`--json PATH` writes it elsewhere, so two runs can go side by side).
//!
//! The look-ahead is a convention: a reader whose key-condition window ends
//! between a run and the next item proves the run closed without reading
//! that item, so a page can read an item or two under the bound.

#[path = "support/dynamo.rs"]
mod dynamo;
#[path = "support/orders.rs"]
mod orders;
#[path = "support/matrix_report.rs"]
mod report;
#[path = "support/trace.rs"]
mod trace;
#[path = "support/workloads.rs"]
mod workloads;

use std::collections::BTreeMap;

use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use dynaquery::{
    asc, col, desc, Backend, Direction, DynamoDb, Engine, Item, MemoryTable, Page, Query, QueryStats, Value,
};
use trace::Traced;
use workloads::{French, Shape, Sizes, Workload};

/// Rows a page (`--page-size`, default 50).
static PAGE_SIZE: OnceLock<usize> = OnceLock::new();
/// Every ORDER BY direction flipped (`--ascending`).
static ASCENDING: OnceLock<bool> = OnceLock::new();
/// Each seed's range ends at its own time of day (`--any-hour`).
static ANY_HOUR: OnceLock<bool> = OnceLock::new();
/// The plain list alone, no bound on `created_at` (`--open`).
static OPEN: OnceLock<bool> = OnceLock::new();
/// Every status in the `IN` list, fan-out 7 (`--all-statuses`).
static ALL_STATUSES: OnceLock<bool> = OnceLock::new();

/// The queries the run pages through: the three of the matrix, or `open`.
fn queries() -> &'static [Variant] {
    if OPEN.get() == Some(&true) {
        &[Variant::Open]
    } else {
        &Variant::ALL
    }
}

fn page_size() -> usize {
    *PAGE_SIZE.get().unwrap_or(&50)
}

fn ascending() -> bool {
    ASCENDING.get() == Some(&true)
}

/// A job's table: the workload, with its range moved to the seed's time
/// of day under `--any-hour`.
fn workload(job: Job, count: usize, sizes: Sizes) -> Workload {
    let mut w = workloads::generate(job.shape, job.french, job.seed, count, sizes);
    if any_hour() {
        w.range_ending(workloads::seeded_end(job.seed));
    }
    if all_statuses() {
        w.statuses = workloads::STATUS_MIX.iter().map(|(s, _)| *s).collect();
    }
    w
}

fn all_statuses() -> bool {
    ALL_STATUSES.get() == Some(&true)
}

fn any_hour() -> bool {
    ANY_HOUR.get() == Some(&true)
}

fn flip(d: Direction) -> Direction {
    match (ascending(), d) {
        (false, d) => d,
        (true, Direction::Asc) => Direction::Desc,
        (true, Direction::Desc) => Direction::Asc,
    }
}
/// DynamoDB's page cap, which splits a perfect reader's requests too.
const PAGE_BYTES: usize = 1_048_576;

/// Seeds of `batch-100k` in the full matrix (10 % French only).
const HUGE_SEEDS: u64 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
enum Variant {
    Ties,
    Total,
    Strict,
    Open,
}

impl Variant {
    /// The default matrix's queries.
    const ALL: [Variant; 3] = [Variant::Ties, Variant::Total, Variant::Strict];

    fn name(self) -> &'static str {
        match self {
            Variant::Ties => "ties",
            Variant::Total => "total",
            Variant::Strict => "strict",
            Variant::Open => "open",
        }
    }

    fn terms(self) -> Vec<(&'static str, Direction)> {
        let terms = match self {
            Variant::Total => vec![("created_at", Direction::Desc), ("order_id", Direction::Desc)],
            Variant::Ties | Variant::Strict | Variant::Open => vec![
                ("created_at", Direction::Desc),
                ("total", Direction::Desc),
                ("order_id", Direction::Asc),
            ],
        };
        terms.into_iter().map(|(a, d)| (a, flip(d))).collect()
    }

    /// ORDER BY columns the index delivers (the merge prefix).
    fn served(self) -> usize {
        match self {
            Variant::Total => 2,
            _ => 1,
        }
    }

    /// The index order is total: a stream never repeats a prefix.
    fn total(self) -> bool {
        self == Variant::Total
    }

    fn index(self) -> &'static str {
        match self {
            Variant::Total => "status-created_at-order_id",
            _ => "status-created_at",
        }
    }

    fn in_range(self, w: &Workload, at: Option<&Value>) -> bool {
        let Some(at) = at else { return false };
        let cmp = |b: &Value| at.cmp_same_type(b);
        match self {
            Variant::Strict => cmp(&w.from) == Some(std::cmp::Ordering::Greater),
            Variant::Open => true,
            _ => matches!(cmp(&w.from), Some(o) if o.is_ge()) && matches!(cmp(&w.to), Some(o) if o.is_le()),
        }
    }

    fn query(self, w: &Workload) -> Query {
        let range = match self {
            Variant::Strict => Some(col("created_at").gt(w.from.clone())),
            Variant::Open => None,
            _ => Some(col("created_at").between(w.from.clone(), w.to.clone())),
        };
        let mut q = Query::new()
            .filter(col("status").is_in(w.statuses.iter().copied()))
            .filter(col("country").eq("FR"));
        if let Some(range) = range {
            q = q.filter(range);
        }
        let mut q = q.index(self.index()).read_budget(10_000_000).limit(page_size());
        for (a, d) in self.terms() {
            q = q.order_by(if d == Direction::Asc { asc(a) } else { desc(a) });
        }
        q
    }
}

/// One query over one table, with everything needed to judge its pages.
struct Prepared {
    variant: Variant,
    query: Query,
    /// The naive correct result: `order_id` and merge prefix of each row, in order.
    want: Vec<(String, Vec<u8>)>,
    /// Per stream, every item in the key range (matching or not): merge
    /// prefix and size, in the order the stream reads them.
    streams: Vec<Vec<(Vec<u8>, usize)>>,
}

fn encode(terms: &[(&str, Direction)], it: &Item) -> Vec<u8> {
    let mut out = Vec::new();
    for (attr, dir) in terms {
        let _ = dynaquery::encode_column(&mut out, it.get(*attr), *dir);
    }
    out
}

fn id(it: &Item) -> String {
    match it.get("order_id") {
        Some(Value::S(s)) => s.clone(),
        _ => String::new(),
    }
}

fn prepare(w: &Workload, variant: Variant) -> Prepared {
    let terms = variant.terms();
    let served = &terms[..variant.served()];
    let mut full = terms.clone();
    full.push(("order_id", Direction::Asc));
    let fr = Value::from("FR");
    let mut want: Vec<(Vec<u8>, String, Vec<u8>)> = Vec::new();
    let mut streams: Vec<Vec<(Vec<u8>, usize)>> = vec![Vec::new(); w.statuses.len()];
    for it in &w.items {
        let Some(Value::S(status)) = it.get("status") else { continue };
        let Some(s) = w.statuses.iter().position(|x| x == status) else { continue };
        if !variant.in_range(w, it.get("created_at")) {
            continue;
        }
        let prefix = encode(served, it);
        streams[s].push((prefix.clone(), workloads::item_size(it)));
        if it.get("country") == Some(&fr) {
            want.push((encode(&full, it), id(it), prefix));
        }
    }
    want.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for s in &mut streams {
        s.sort_by(|a, b| a.0.cmp(&b.0));
    }
    Prepared {
        variant,
        query: variant.query(w),
        want: want.into_iter().map(|(_, id, p)| (id, p)).collect(),
        streams,
    }
}

/// What a perfect reader needs for page `page` (1-based): items, RCU, and
/// round trips (its streams read in parallel, each in as few 1 MB
/// requests as DynamoDB allows: a run of ties past 1 MB takes several).
fn perfect(p: &Prepared, page: usize) -> (u64, f64, u32) {
    let start = match page {
        1 => None,
        _ => match p.want.get((page - 1) * page_size() - 1) {
            Some(r) => Some(&r.1),
            None => return (0, 0.0, 1),
        },
    };
    let end = p.want.get(page * page_size()).map(|_| &p.want[page * page_size() - 1].1);
    let (mut items, mut rcu, mut trips) = (0u64, 0.0, 1u32);
    for s in &p.streams {
        let lo = match start {
            None => 0,
            Some(c) if p.variant.total() => s.partition_point(|e| e.0 <= *c),
            Some(c) => s.partition_point(|e| e.0 < *c),
        };
        let hi = match end {
            None => s.len(),
            Some(last) => {
                let hi = s.partition_point(|e| e.0 <= *last);
                // The stream that holds the last row of a total order needs no
                // look-ahead; any other stream that goes on does (to close a run
                // of ties, or to show its next item comes later).
                let holds_last = p.variant.total() && hi > 0 && s[hi - 1].0 == *last;
                hi + usize::from(hi < s.len() && !holds_last)
            }
        };
        if hi > lo {
            items += (hi - lo) as u64;
            rcu += perfect_rcu(&s[lo..hi]);
            trips = trips.max(perfect_requests(&s[lo..hi]));
        }
    }
    (items, rcu, trips)
}

/// Requests reading `entries` takes, in 1 MB pages.
fn perfect_requests(entries: &[(Vec<u8>, usize)]) -> u32 {
    let bytes: usize = entries.iter().map(|e| e.1).sum();
    bytes.div_ceil(PAGE_BYTES).max(1) as u32
}

/// Capacity of reading `entries` in as few requests as DynamoDB allows.
fn perfect_rcu(entries: &[(Vec<u8>, usize)]) -> f64 {
    let (mut units, mut chunk) = (0usize, 0usize);
    for (_, size) in entries {
        chunk += size;
        if chunk >= PAGE_BYTES {
            units += chunk.div_ceil(4096);
            chunk = 0;
        }
    }
    units += chunk.div_ceil(4096);
    units as f64 * 0.5
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
enum Kind {
    /// Page 1 on a fresh engine.
    Cold,
    /// Page 1 again, on the engine that ran it.
    Warm,
    /// Pages 2+.
    Next,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Cold => "p1 cold",
            Kind::Warm => "p1 warm",
            Kind::Next => "p2+",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
struct PageRec {
    shape: &'static str,
    french: String,
    seed: u64,
    query: &'static str,
    fan_out: usize,
    kind: Kind,
    page: usize,
    rows: usize,
    correct: bool,
    error: Option<String>,
    items_read: u64,
    bound: u64,
    ratio: f64,
    calls: u64,
    round_trips: u32,
    /// Round trips a perfect reader needs (see `perfect`).
    perfect_round_trips: u32,
    rcu: Option<f64>,
    perfect_rcu: f64,
    rcu_ratio: Option<f64>,
    /// What `QueryStats` says about how the page started (cold or warm), when it says.
    started: Option<String>,
    /// Characters of the page's next cursor, when it has one.
    cursor_chars: Option<usize>,
}

/// How the page's sizing started (cold, warm, hinted, resumed).
fn started(stats: &QueryStats) -> Option<String> {
    Some(format!("{:?}", stats.sizing_start))
}

/// Which page of a job to trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Target {
    variant: Variant,
    kind: Kind,
    page: usize,
}

/// Runs every query of `w` on `backend`, `pages` pages each.
async fn run_job<B: Backend>(
    backend: &Traced<B>,
    w: &Workload,
    prepared: &[Prepared],
    pages: usize,
    trace: Option<Target>,
) -> Vec<PageRec> {
    let mut out = Vec::new();
    for p in prepared {
        let engine = Engine::new(w.schema.clone(), backend);
        let fetch = |kind: Kind, page: usize, q: Query| {
            let engine = &engine;
            async move {
                let traced = trace == Some(Target { variant: p.variant, kind, page });
                backend.on.store(traced, AtomicOrdering::Relaxed);
                let r = engine.fetch(&q).await;
                backend.on.store(false, AtomicOrdering::Relaxed);
                r
            }
        };
        let q = p.query.clone();
        let cold = fetch(Kind::Cold, 1, q.clone()).await;
        out.push(record(w, p, Kind::Cold, 1, &cold));
        let warm = fetch(Kind::Warm, 1, q.clone()).await;
        out.push(record(w, p, Kind::Warm, 1, &warm));
        let mut cursor = cold.ok().and_then(|pg| pg.next_cursor);
        for page in 2..=pages {
            let Some(c) = cursor.take() else { break };
            let r = fetch(Kind::Next, page, q.clone().cursor(c)).await;
            out.push(record(w, p, Kind::Next, page, &r));
            cursor = r.ok().and_then(|pg| pg.next_cursor);
        }
    }
    out
}

fn record(w: &Workload, p: &Prepared, kind: Kind, page: usize, r: &dynaquery::Result<Page<Item>>) -> PageRec {
    let (bound, perfect_rcu, perfect_round_trips) = perfect(p, page);
    let mut rec = PageRec {
        shape: w.shape.name(),
        french: w.french.label(),
        seed: w.seed,
        query: p.variant.name(),
        fan_out: w.statuses.len(),
        kind,
        page,
        rows: 0,
        correct: false,
        error: None,
        items_read: 0,
        bound,
        ratio: 0.0,
        calls: 0,
        round_trips: 0,
        perfect_round_trips,
        rcu: None,
        perfect_rcu,
        rcu_ratio: None,
        started: None,
        cursor_chars: None,
    };
    match r {
        Err(e) => rec.error = Some(e.to_string()),
        Ok(pg) => {
            let lo = ((page - 1) * page_size()).min(p.want.len());
            let hi = (page * page_size()).min(p.want.len());
            let got = pg.rows.iter().map(id);
            rec.correct = got.eq(p.want[lo..hi].iter().map(|r| r.0.clone()))
                && pg.next_cursor.is_some() == (p.want.len() > page * page_size());
            let s = &pg.stats;
            rec.rows = pg.rows.len();
            rec.items_read = s.items_read;
            rec.ratio = s.items_read as f64 / bound.max(1) as f64;
            rec.calls = s.calls;
            rec.round_trips = s.round_trips;
            rec.rcu = s.consumed_capacity;
            rec.rcu_ratio = s.consumed_capacity.map(|c| {
                if perfect_rcu > 0.0 {
                    c / perfect_rcu
                } else if c == 0.0 {
                    1.0
                } else {
                    c / 0.5
                }
            });
            rec.started = started(s);
            rec.cursor_chars = pg.next_cursor.as_ref().map(|c| c.len());
        }
    }
    rec
}

#[derive(Debug, Clone, Copy)]
struct Job {
    shape: Shape,
    french: French,
    seed: u64,
}

/// Generates a job's table into a `MemoryTable` and runs it.
fn run_memory_job(
    job: Job,
    count: usize,
    sizes: Sizes,
    pages: usize,
    trace: Option<Target>,
) -> Result<(Vec<PageRec>, Vec<String>), String> {
    let mut w = workload(job, count, sizes);
    let prepared: Vec<Prepared> = queries().iter().map(|v| prepare(&w, *v)).collect();
    let table = MemoryTable::new(w.schema.clone());
    for it in std::mem::take(&mut w.items) {
        table.put(it).map_err(|e| e.to_string())?;
    }
    let traced = Traced::new(&table);
    let rt = tokio::runtime::Builder::new_current_thread().build().map_err(|e| e.to_string())?;
    let recs = rt.block_on(run_job(&traced, &w, &prepared, pages, trace));
    let log = std::mem::take(&mut *traced.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
    Ok((recs, log))
}

struct Args {
    seeds: (u64, u64),
    orders: Option<usize>,
    shape: Option<String>,
    pages: usize,
    endpoint: Option<String>,
    quick: bool,
    jobs: Option<usize>,
    trace_worst: bool,
    /// Where to write the JSON (default `target/cost_matrix.json`).
    json: Option<std::path::PathBuf>,
    /// `(French share, query, page)` to trace.
    trace_page: Option<(String, String, Kind, usize)>,
}

fn parse_seeds(s: &str) -> Result<(u64, u64), String> {
    let bad = || format!("--seeds wants A..B (inclusive) or N, not {s}");
    match s.split_once("..") {
        Some((a, b)) => {
            let b = b.strip_prefix('=').unwrap_or(b);
            let (a, b) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
            if a > b {
                return Err(bad());
            }
            Ok((a, b))
        }
        None => s.parse().map(|n| (n, n)).map_err(|_| bad()),
    }
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        seeds: (1, 16),
        orders: None,
        shape: None,
        pages: 10,
        endpoint: None,
        quick: false,
        jobs: None,
        trace_worst: false,
        json: None,
        trace_page: None,
    };
    let mut seeds: Option<(u64, u64)> = None;
    let mut args = std::env::args().skip(1);
    let value = |args: &mut dyn Iterator<Item = String>, flag: &str| {
        args.next().ok_or(format!("{flag} needs a value"))
    };
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--seeds" => seeds = Some(parse_seeds(&value(&mut args, "--seeds")?)?),
            "--orders" => a.orders = Some(value(&mut args, "--orders")?.parse().map_err(|e| format!("--orders: {e}"))?),
            "--shape" => {
                let name = value(&mut args, "--shape")?;
                if !Shape::ALL.iter().chain(&Shape::OUTSIDE).any(|s| s.name() == name) {
                    let known: Vec<&str> = Shape::ALL.iter().chain(&Shape::OUTSIDE).map(|s| s.name()).collect();
                    return Err(format!("unknown shape {name} (known: {})", known.join(", ")));
                }
                a.shape = Some(name);
            }
            "--pages" => a.pages = value(&mut args, "--pages")?.parse().map_err(|e| format!("--pages: {e}"))?,
            "--jobs" => a.jobs = Some(value(&mut args, "--jobs")?.parse().map_err(|e| format!("--jobs: {e}"))?),
            "--endpoint" => a.endpoint = Some(value(&mut args, "--endpoint")?),
            "--page-size" => {
                let n: usize = value(&mut args, "--page-size")?.parse().map_err(|e| format!("--page-size: {e}"))?;
                if n == 0 {
                    return Err("--page-size wants 1 or more".into());
                }
                let _ = PAGE_SIZE.set(n);
            }
            "--ascending" => {
                let _ = ASCENDING.set(true);
            }
            "--any-hour" => {
                let _ = ANY_HOUR.set(true);
            }
            "--open" => {
                let _ = OPEN.set(true);
            }
            "--all-statuses" => {
                let _ = ALL_STATUSES.set(true);
            }
            "--quick" => a.quick = true,
            "--json" => a.json = Some(value(&mut args, "--json")?.into()),
            "--trace-worst" => a.trace_worst = true,
            "--trace-page" => {
                let v = value(&mut args, "--trace-page")?;
                let bad = || format!("--trace-page wants FR/QUERY/PAGE (say 10%/ties/8, or 10%/ties/cold), not {v}");
                let mut parts = v.split('/');
                let (Some(fr), Some(q), Some(page), None) = (parts.next(), parts.next(), parts.next(), parts.next())
                else {
                    return Err(bad());
                };
                let (kind, page) = match page {
                    "cold" => (Kind::Cold, 1),
                    "warm" => (Kind::Warm, 1),
                    n => (Kind::Next, n.parse().map_err(|_| bad())?),
                };
                a.trace_page = Some((fr.to_owned(), q.to_owned(), kind, page));
            }
            other => {
                return Err(format!(
                    "unknown argument {other} (known: --seeds A..B, --orders N, --shape NAME, --pages N, --page-size N, \
                     --ascending, --any-hour, --open, --all-statuses, --jobs N, --endpoint URL, --quick, --trace-worst, --trace-page FR/QUERY/PAGE, --json PATH)"
                ))
            }
        }
    }
    a.seeds = seeds.unwrap_or(if a.quick || a.endpoint.is_some() {
        (1, if a.quick { 3 } else { 2 })
    } else {
        (1, 16)
    });
    a.pages = a.pages.max(1);
    Ok(a)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    assert!(workloads::end_matches_orders());
    let args = parse_args()?;
    let started_at = Instant::now();
    let dynamo = args.endpoint.is_some();
    let count = args.orders.unwrap_or(if dynamo {
        2_000
    } else if args.quick {
        4_000
    } else {
        30_000
    });
    let sizes = if dynamo || args.quick {
        Sizes { batch: 500, batch_nights: 3, huge_batch: 20_000 }
    } else {
        Sizes::default()
    };
    let shapes: Vec<Shape> = Shape::ALL
        .into_iter()
        .chain(args.shape.is_some().then_some(Shape::OUTSIDE).into_iter().flatten())
        .filter(|s| match &args.shape {
            Some(name) => s.name() == name,
            // Loading 100 000 items into DynamoDB Local takes minutes: only when asked for.
            None => !(dynamo && *s == Shape::BatchHuge),
        })
        .collect();
    let frenches = French::ALL.to_vec();
    // batch-100k costs a hundred times a small table's time: in the full
    // matrix it runs the first HUGE_SEEDS seeds at 10 % French only, first
    // (the longest jobs start first); `--shape batch-100k` runs all of it.
    let trimmed = args.shape.is_none();
    let mut jobs: Vec<Job> = shapes
        .iter()
        .flat_map(|&shape| {
            frenches.iter().flat_map(move |&french| {
                (args.seeds.0..=args.seeds.1).map(move |seed| Job { shape, french, seed })
            })
        })
        .filter(|j| {
            !(trimmed
                && j.shape == Shape::BatchHuge
                && (j.french != French::Flat(0.10) || j.seed >= args.seeds.0 + HUGE_SEEDS))
        })
        .collect();
    jobs.sort_by_key(|j| j.shape != Shape::BatchHuge);
    let threads =
        args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    eprintln!(
        "cost matrix: {} jobs ({} shapes x {} French shares x seeds {}..{}), {count} orders each, {} pages, {}",
        jobs.len(),
        shapes.len(),
        frenches.len(),
        args.seeds.0,
        args.seeds.1,
        args.pages,
        if dynamo { "DynamoDB".to_string() } else { format!("in memory, {threads} threads") }
    );

    let mut recs: Vec<PageRec> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    match &args.endpoint {
        Some(url) => {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(async {
                let client = dynamo::client(Some(url)).await;
                for job in &jobs {
                    let mut w = workload(*job, count, sizes);
                    w.schema.table = format!(
                        "matrix-{}-{}-{}-{count}-{}",
                        job.shape.name(),
                        job.french.slug(),
                        job.seed,
                        w.items.len()
                    );
                    dynamo::ensure_loaded(&client, &w.schema, &w.items).await?;
                    let prepared: Vec<Prepared> = queries().iter().map(|v| prepare(&w, *v)).collect();
                    let traced = Traced::new(DynamoDb::new(client.clone()));
                    recs.extend(run_job(&traced, &w, &prepared, args.pages, None).await);
                }
                Ok::<_, Box<dyn std::error::Error>>(())
            })?;
        }
        None => {
            let next = AtomicUsize::new(0);
            let done: Mutex<Vec<(usize, Vec<PageRec>)>> = Mutex::new(Vec::new());
            let errors: Mutex<Vec<String>> = Mutex::new(Vec::new());
            std::thread::scope(|scope| {
                for _ in 0..threads {
                    scope.spawn(|| loop {
                        let i = next.fetch_add(1, AtomicOrdering::Relaxed);
                        let Some(job) = jobs.get(i) else { break };
                        match run_memory_job(*job, count, sizes, args.pages, None) {
                            Ok((r, _)) => {
                                done.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push((i, r))
                            }
                            Err(e) => errors
                                .lock()
                                .unwrap_or_else(std::sync::PoisonError::into_inner)
                                .push(format!("{job:?}: {e}")),
                        }
                        if (i + 1).is_multiple_of(32) {
                            eprintln!(
                                "  {} / {} jobs, {:.0} s",
                                i + 1,
                                jobs.len(),
                                started_at.elapsed().as_secs_f64()
                            );
                        }
                    });
                }
            });
            let mut done = done.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner);
            done.sort_by_key(|d| d.0);
            recs.extend(done.into_iter().flat_map(|d| d.1));
            failures.extend(errors.into_inner().unwrap_or_else(std::sync::PoisonError::into_inner));
        }
    }
    let elapsed = started_at.elapsed();

    for r in &recs {
        if let Some(e) = &r.error {
            failures.push(format!(
                "ERROR {} FR {} seed {} {} {} page {}: {e}",
                r.shape,
                r.french,
                r.seed,
                r.query,
                r.kind.label(),
                r.page
            ));
        } else if !r.correct {
            failures.push(format!(
                "WRONG PAGE {} FR {} seed {} {} {} page {} ({} rows)",
                r.shape,
                r.french,
                r.seed,
                r.query,
                r.kind.label(),
                r.page,
                r.rows
            ));
        }
    }

    let backend =
        args.endpoint.as_deref().map_or("in-memory backend".to_string(), |u| format!("DynamoDB at {u}"));
    println!(
        "# Cost matrix: {count} orders a table, seeds {}..{}, {} pages of {} per query{}{}, {backend}\n",
        args.seeds.0,
        args.seeds.1,
        args.pages,
        page_size(),
        match (ascending(), any_hour()) {
            (false, false) => "",
            (true, false) => " (ascending)",
            (false, true) => " (ranges ending at each seed's hour)",
            (true, true) => " (ascending, ranges ending at each seed's hour)",
        },
        if all_statuses() { ", every status in the IN list (fan-out 7)" } else { "" }
    );
    let warm_flags: BTreeMap<(&str, String), usize> = recs
        .iter()
        .filter_map(|r| Some((r.kind.label(), r.started.clone()?)))
        .fold(BTreeMap::new(), |mut m, s| {
            *m.entry(s).or_default() += 1;
            m
        });
    println!(
        "{} pages measured; {} wrong or failed.{}\n",
        recs.len(),
        failures.len(),
        if warm_flags.is_empty() {
            " QueryStats does not say whether a page started cold or warm.".to_string()
        } else {
            let flags: Vec<String> = warm_flags.iter().map(|((k, s), n)| format!("{k} {s}: {n}")).collect();
            format!(" QueryStats says how sizing started (pages, sizing_start: count): {}.", flags.join(", "))
        }
    );
    if !failures.is_empty() {
        println!("!!!!!!!! INCORRECT PAGES OR ERRORS !!!!!!!!");
        for f in failures.iter().take(50) {
            println!("!!! {f}");
            eprintln!("!!! {f}");
        }
        println!();
    }
    let (text, groups) = report::report(&recs, &shapes, &frenches);
    print!("{text}");
    println!("\nWall clock: {:.1} s ({} threads)", elapsed.as_secs_f64(), if dynamo { 1 } else { threads });

    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir)?;
    let name = if dynamo { "cost_matrix_dynamodb.json" } else { "cost_matrix.json" };
    let doc = serde_json::json!({
        "orders": count,
        "seeds": [args.seeds.0, args.seeds.1],
        "pages_per_query": args.pages,
        "page_size": page_size(),
        "ascending": ascending(),
        "any_hour": any_hour(),
        "all_statuses": all_statuses(),
        "backend": backend,
        "wall_clock_s": elapsed.as_secs_f64(),
        "failures": failures,
        "summary": groups,
        "pages": recs,
    });
    let path = args.json.clone().unwrap_or_else(|| dir.join(name));
    std::fs::write(&path, serde_json::to_string(&doc)?)?;
    println!(
        "JSON: {}",
        args.json.as_ref().map_or_else(|| format!("target/{name}"), |p| p.display().to_string())
    );

    if args.trace_worst && !dynamo {
        println!("\n## Requests of each shape's worst pages (by read/bound; by round trips, per query)\n");
        for shape in &shapes {
            let ok = || recs.iter().filter(|r| r.shape == shape.name() && r.error.is_none());
            let by_ratio = ok().max_by(|a, b| a.ratio.total_cmp(&b.ratio));
            let by_trips = queries()
                .iter()
                .filter_map(|v| ok().filter(|r| r.query == v.name()).max_by_key(|r| r.round_trips));
            for w in by_ratio.into_iter().chain(by_trips) {
                trace_page(w, *shape, &frenches, count, sizes, args.pages);
            }
        }
    }
    if let (Some((fr, q, kind, page)), false) = (&args.trace_page, dynamo) {
        for shape in &shapes {
            let picked = recs.iter().filter(|r| {
                r.shape == shape.name()
                    && r.kind == *kind
                    && r.french == *fr
                    && r.query == *q
                    && r.page == *page
                    && r.error.is_none()
            });
            for w in picked {
                trace_page(w, *shape, &frenches, count, sizes, args.pages);
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{} pages wrong or failed", failures.len()).into())
    }
}

/// Runs the job of page record `w` again with its requests logged, and
/// prints them.
fn trace_page(w: &PageRec, shape: Shape, frenches: &[French], count: usize, sizes: Sizes, pages: usize) {
    let french = *frenches.iter().find(|f| f.label() == w.french).unwrap_or(&French::Flat(0.1));
    let variant = *queries().iter().find(|v| v.name() == w.query).unwrap_or(&Variant::Ties);
    let target = Target { variant, kind: w.kind, page: w.page };
    println!(
        "### {} FR {} seed {} (fan-out {}), query {}, {} page {}: read {} bound {} ({:.2}x), {} round trips, {} calls",
        w.shape,
        w.french,
        w.seed,
        w.fan_out,
        w.query,
        w.kind.label(),
        w.page,
        w.items_read,
        w.bound,
        w.ratio,
        w.round_trips,
        w.calls
    );
    let note = workloads::generate(shape, french, w.seed, count, sizes).note;
    if !note.is_empty() {
        println!("({note})");
    }
    match run_memory_job(Job { shape, french, seed: w.seed }, count, sizes, pages, Some(target)) {
        Ok((_, log)) => {
            println!("```");
            for l in log {
                println!("{l}");
            }
            println!("```\n");
        }
        Err(e) => println!("trace failed: {e}\n"),
    }
}
