//! Cost report: dynaquery beside the hand-written approach and the naive
//! correct approach, measured in one run on the same data.
//!
//! ```text
//! cargo run --release --example cost_report                 # in-memory backend
//! cargo run --release --example cost_report -- --orders 200000 --seed 7
//! cargo run --release --example cost_report -- --memory-check   # 10 thousand vs 1 million orders
//! cargo run --release --example cost_report -- --case 'fan-out 32'   # only the cases named so
//! cargo run --release --example cost_report -- --endpoint http://127.0.0.1:8000   # DynamoDB Local
//! cargo run --release --example cost_report -- --thin         # ALL vs INCLUDE vs KEYS_ONLY GSI vs Scan
//! ```
//!
//! For each case and page: rows returned and whether they equal the naive
//! correct page, items read (`ScannedCount` summed), the lower bound a
//! perfect reader needs, their ratio, calls, sequential round trips, and
//! consumed capacity. Writes `target/cost_report.json` too.
//!
//! `--thin` compares, in memory, one query served by a GSI that projects
//! everything, by the same GSI projecting `INCLUDE (country)` (the output's
//! other attributes fetched with `BatchGetItem`), by it projecting
//! `KEYS_ONLY` (`country = 'FR'` then runs after the fetch, on candidate
//! rows), and by a Scan: items read, items fetched, `BatchGetItem` calls,
//! round trips and read units over five pages, and whether the rows equal
//! the wide index's.

#[path = "support/dynamo.rs"]
mod dynamo;
#[path = "support/orders.rs"]
mod orders;

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use dynaquery::{
    asc, col, desc, Backend, Direction, DynamoDb, Engine, Item, KeyCondition, MemoryTable, Query,
    ReadRequest, ReadResponse, Schema, SortRange, Value,
};
use dynaquery::{BatchGetRequest, BatchGetResponse};
use orders::{generate, schema, statuses};

const FROM: &str = "2026-10-25T00:00:00Z";
const TO: &str = "2026-11-24T00:00:00Z";
const PAGE: usize = 50;
const PAGES: usize = 5;
const HAND_WRITTEN_LIMIT: u32 = 200;

/// How much of the ORDER BY the index serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
enum OrderCase {
    /// `created_at DESC, order_id DESC` on GSI (status; created_at, order_id).
    Full,
    /// DESIGN.md's `created_at DESC, total DESC, order_id ASC`: ties on created_at re-sorted.
    FirstKey,
    /// `total DESC, order_id ASC`: no index serves it; top-N over a full read.
    None,
}

impl OrderCase {
    fn terms(self) -> Vec<(&'static str, Direction)> {
        match self {
            OrderCase::Full => vec![("created_at", Direction::Desc), ("order_id", Direction::Desc)],
            OrderCase::FirstKey => {
                vec![
                    ("created_at", Direction::Desc),
                    ("total", Direction::Desc),
                    ("order_id", Direction::Asc),
                ]
            }
            OrderCase::None => vec![("total", Direction::Desc), ("order_id", Direction::Asc)],
        }
    }

    /// Columns of the order the index delivers (the merge prefix).
    fn served(self) -> usize {
        match self {
            OrderCase::Full => 2,
            OrderCase::FirstKey => 1,
            OrderCase::None => 0,
        }
    }

    fn index(self) -> &'static str {
        match self {
            OrderCase::Full => "status-created_at-order_id",
            _ => "status-created_at",
        }
    }
}

#[derive(Debug, Clone, serde::Serialize)]
struct Case {
    name: String,
    french: f64,
    fan_out: usize,
    order: OrderCase,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
struct Row {
    case: String,
    approach: &'static str,
    page: usize,
    rows: usize,
    correct: bool,
    items_read: u64,
    lower_bound: u64,
    ratio: f64,
    calls: u64,
    round_trips: u64,
    rcu: Option<f64>,
}

fn cases() -> Vec<Case> {
    let mk = |french: f64, fan_out: usize, order: OrderCase| Case {
        name: format!("{:>2}% FR, fan-out {fan_out:>2}, order {order:?}", (french * 100.0) as u32),
        french,
        fan_out,
        order,
    };
    vec![
        mk(0.01, 2, OrderCase::FirstKey),
        mk(0.10, 2, OrderCase::FirstKey),
        mk(0.50, 2, OrderCase::FirstKey),
        mk(0.10, 8, OrderCase::FirstKey),
        mk(0.10, 32, OrderCase::FirstKey),
        mk(0.10, 2, OrderCase::Full),
        mk(0.10, 2, OrderCase::None),
    ]
}

fn query(case: &Case) -> Query {
    let mut q = Query::new()
        .filter(col("status").is_in(statuses().into_iter().take(case.fan_out)))
        .filter(col("country").eq("FR"))
        .filter(col("created_at").between(FROM, TO))
        .index(case.order.index())
        .read_budget(1_000_000)
        .limit(PAGE);
    for (a, d) in case.order.terms() {
        q = q.order_by(if d == Direction::Asc { asc(a) } else { desc(a) });
    }
    q
}

/// With `COST_REPORT_TRACE` set, prints every request dynaquery sends:
/// stream, `Limit`, items evaluated, rows matched, and whether it goes on.
struct Traced<B>(B, bool);

impl<B: Backend> Backend for Traced<B> {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        let stream = request.key.as_ref().map(|k| format!("{:?}", k.partition[0].1)).unwrap_or_default();
        let limit = request.limit;
        let r = self.0.read(request).await?;
        if !self.1 {
            return Ok(r);
        }
        eprintln!(
            "  {stream:<16} limit {:>6} scanned {:>6} matched {:>4}{}",
            limit.map_or("-".into(), |l| l.to_string()),
            r.scanned_count,
            r.items.len(),
            if r.last_evaluated_key.is_some() { "" } else { " (end)" }
        );
        Ok(r)
    }

    async fn batch_get(&self, request: BatchGetRequest) -> dynaquery::Result<BatchGetResponse> {
        self.0.batch_get(request).await
    }
}

/// The comparator a service writes by hand: attribute maps, field by field.
fn cmp_items(terms: &[(&str, Direction)], a: &Item, b: &Item) -> Ordering {
    for (attr, dir) in terms {
        let o = match (a.get(*attr), b.get(*attr)) {
            (Some(x), Some(y)) => x.cmp_same_type(y).unwrap_or(Ordering::Equal),
            _ => Ordering::Equal,
        };
        let o = if *dir == Direction::Desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    id(a).cmp(&id(b))
}

fn id(it: &Item) -> String {
    match it.get("order_id") {
        Some(Value::S(s)) => s.clone(),
        _ => String::new(),
    }
}

fn stream_request(
    table: &str,
    case: &Case,
    status: &str,
    limit: Option<u32>,
    start: Option<Item>,
) -> ReadRequest {
    let key = KeyCondition::new([("status", Value::from(status))])
        .with_sort_range("created_at", SortRange::Between(FROM.into(), TO.into()));
    let mut request = ReadRequest::query(table, key)
        .with_index(case.order.index())
        .with_filter(dynaquery::Cond::from(&col("country").eq("FR")))
        // created_at DESC: read the index backwards, except for the unserved order.
        .with_scan_forward(case.order == OrderCase::None);
    request.limit = limit;
    request.exclusive_start_key = start;
    request
}

/// DESIGN.md's hand-written code: one Query per status with a fixed Limit,
/// merge, sort on the client, slice. It has no page 2.
async fn hand_written<B: Backend>(b: &B, table: &str, case: &Case) -> dynaquery::Result<(Vec<Item>, Row)> {
    let mut all = Vec::new();
    let mut row = Row { approach: "hand-written", page: 1, round_trips: 1, ..Row::default() };
    let reqs = statuses()
        .into_iter()
        .take(case.fan_out)
        .map(|s| b.read(stream_request(table, case, &s, Some(HAND_WRITTEN_LIMIT), None)));
    for r in futures::future::join_all(reqs).await {
        let r = r?;
        row.calls += 1;
        row.items_read += r.scanned_count;
        row.rcu = Some(row.rcu.unwrap_or(0.0) + r.consumed_capacity.unwrap_or(0.0));
        all.extend(r.items);
    }
    let terms = case.order.terms();
    all.sort_by(|a, b| cmp_items(&terms, a, b));
    all.truncate(PAGE);
    Ok((all, row))
}

/// Read every matching item of every stream (streams in parallel, pages of
/// each stream in sequence), sort, slice.
async fn naive_all<B: Backend>(b: &B, table: &str, case: &Case) -> dynaquery::Result<(Vec<Item>, Row)> {
    let mut row = Row { approach: "naive", ..Row::default() };
    let per_stream = statuses().into_iter().take(case.fan_out).map(|s| async move {
        let mut items = Vec::new();
        let (mut calls, mut read, mut rcu, mut start) = (0u64, 0u64, 0.0, None);
        loop {
            let r = b.read(stream_request(table, case, &s, None, start)).await?;
            calls += 1;
            read += r.scanned_count;
            rcu += r.consumed_capacity.unwrap_or(0.0);
            items.extend(r.items);
            start = r.last_evaluated_key;
            if start.is_none() {
                return Ok::<_, dynaquery::Error>((items, calls, read, rcu));
            }
        }
    });
    let mut all = Vec::new();
    for r in futures::future::join_all(per_stream).await {
        let (items, calls, read, rcu) = r?;
        row.calls += calls;
        row.round_trips = row.round_trips.max(calls);
        row.items_read += read;
        row.rcu = Some(row.rcu.unwrap_or(0.0) + rcu);
        all.extend(items);
    }
    let terms = case.order.terms();
    all.sort_by(|a, b| cmp_items(&terms, a, b));
    Ok((all, row))
}

/// The encoded merge prefix of an item for this case, in stream order.
fn prefix(case: &Case, it: &Item) -> Vec<u8> {
    let mut out = Vec::new();
    for (attr, dir) in case.order.terms().into_iter().take(case.order.served()) {
        let _ = dynaquery::encode_column(&mut out, it.get(attr), dir);
    }
    out
}

/// Items a perfect reader must see for a page: per stream, from the
/// cursor's run (or just after the cursor when the index order is total) to
/// the page's last row's run, plus one look-ahead item where the stream goes
/// on. With no served prefix, every item in range.
fn lower_bound(case: &Case, items: &[Item], after: Option<&Item>, last: Option<&Item>, more: bool) -> u64 {
    let mut bound = 0u64;
    for s in statuses().into_iter().take(case.fan_out) {
        let mut entries: Vec<&Item> = items
            .iter()
            .filter(|it| {
                it.get("status") == Some(&Value::from(s.as_str()))
                    && matches!(it.get("created_at"), Some(Value::S(c)) if c.as_str() >= FROM && c.as_str() <= TO)
            })
            .collect();
        if case.order.served() == 0 {
            bound += entries.len() as u64;
            continue;
        }
        entries.sort_by_key(|it| prefix(case, it));
        let total = case.order == OrderCase::Full;
        let from = after.map(|c| prefix(case, c));
        let to = last.map(|l| prefix(case, l));
        let mut inside = 0u64;
        let mut beyond = false;
        for e in entries {
            let p = prefix(case, e);
            let started = match &from {
                None => true,
                Some(f) if total => p > *f,
                Some(f) => p >= *f,
            };
            if !started {
                continue;
            }
            match &to {
                Some(t) if p > *t => {
                    beyond = true;
                    break;
                }
                _ => inside += 1,
            }
        }
        bound += inside + u64::from(beyond && more);
    }
    bound
}

async fn run_case<B: Backend>(
    b: &B,
    schema: &Schema,
    items: &[Item],
    case: &Case,
    out: &mut Vec<Row>,
) -> dynaquery::Result<()> {
    let trace = std::env::var_os("COST_REPORT_TRACE").is_some();
    let traced = Traced(b, trace);
    let engine = Engine::new(schema.clone(), &traced);
    let table = schema.table.as_str();
    let (naive_rows, naive_row) = naive_all(b, table, case).await?;
    let want: Vec<Vec<String>> =
        naive_rows.chunks(PAGE).take(PAGES).map(|c| c.iter().map(id).collect()).collect();

    let (hw, mut hw_row) = hand_written(b, table, case).await?;
    hw_row.case = case.name.clone();
    hw_row.rows = hw.len();
    hw_row.correct = want.first().is_some_and(|w| *w == hw.iter().map(id).collect::<Vec<_>>());
    hw_row.lower_bound = lower_bound(
        case,
        items,
        None,
        naive_rows.get(PAGE.min(naive_rows.len()).saturating_sub(1)),
        naive_rows.len() > PAGE,
    );
    hw_row.ratio = hw_row.items_read as f64 / hw_row.lower_bound.max(1) as f64;
    out.push(hw_row);

    let mut q = query(case);
    let mut prev_last: Option<Item> = None;
    for page_no in 1..=PAGES {
        if trace {
            eprintln!("{} page {page_no}", case.name);
        }
        let page = engine.fetch(&q).await?;
        let got: Vec<String> = page.rows.iter().map(id).collect();
        let s = &page.stats;
        let last = naive_rows.iter().find(|it| Some(id(it)) == got.last().cloned()).cloned();
        let lb = lower_bound(case, items, prev_last.as_ref(), last.as_ref(), page.next_cursor.is_some());
        if trace {
            eprintln!("  -> read {} bound {} round trips {}", s.items_read, lb, s.round_trips);
        }
        if std::env::var_os("COST_REPORT_STREAMS").is_some() {
            for (i, st) in s.per_stream.iter().enumerate() {
                eprintln!("{} p{page_no} stream {i}: {st:?}", case.name);
            }
        }
        out.push(Row {
            case: case.name.clone(),
            approach: "dynaquery",
            page: page_no,
            rows: got.len(),
            correct: want.get(page_no - 1).map_or(got.is_empty(), |w| *w == got),
            items_read: s.items_read,
            lower_bound: lb,
            ratio: s.items_read as f64 / lb.max(1) as f64,
            calls: s.calls,
            round_trips: u64::from(s.round_trips),
            rcu: s.consumed_capacity,
        });
        let mut naive_page = naive_row.clone();
        naive_page.case = case.name.clone();
        naive_page.page = page_no;
        naive_page.rows = want.get(page_no - 1).map_or(0, Vec::len);
        naive_page.correct = true;
        naive_page.lower_bound = lb;
        naive_page.ratio = naive_page.items_read as f64 / lb.max(1) as f64;
        out.push(naive_page);
        match page.next_cursor {
            Some(c) => {
                prev_last = last;
                q = q.cursor(c);
            }
            None => break,
        }
    }
    Ok(())
}

fn markdown(rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| case | approach | page | rows | correct | items read | lower bound | ratio | calls | round trips | RCU |"
    );
    let _ = writeln!(s, "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {:.2} | {} | {} | {} |",
            r.case,
            r.approach,
            r.page,
            r.rows,
            if r.correct { "yes" } else { "**NO**" },
            r.items_read,
            r.lower_bound,
            r.ratio,
            r.calls,
            r.round_trips,
            r.rcu.map_or("-".into(), |c| format!("{c:.1}"))
        );
    }
    s
}

/// Peak rows buffered by the DESIGN.md query (merge-served) over five pages,
/// on tables of 10 thousand and 1 million orders: it must not grow with the
/// table. The large table holds the small one's orders plus 990 thousand
/// more under other statuses, so both answer the same pages.
async fn memory_check(seed: u64) -> Result<(), Box<dyn std::error::Error>> {
    let case = Case { name: "memory".into(), french: 0.10, fan_out: 2, order: OrderCase::FirstKey };
    println!("| orders | pages | rows | peak rows buffered (max over pages) | items read |");
    println!("|---:|---:|---:|---:|---:|");
    for count in [10_000usize, 1_000_000] {
        let table = MemoryTable::new(schema());
        for it in generate(seed, 10_000, case.french) {
            table.put(it)?;
        }
        for (i, mut it) in generate(seed + 1, count - 10_000, case.french).into_iter().enumerate() {
            it.insert("order_id".into(), Value::from(format!("x-{i:07}")));
            it.insert("status".into(), Value::from(if i % 2 == 0 { "archived" } else { "returned" }));
            table.put(it)?;
        }
        let engine = Engine::new(schema(), &table);
        let mut q = query(&case);
        let (mut peak, mut rows, mut read, mut pages) = (0usize, 0usize, 0u64, 0usize);
        for _ in 0..PAGES {
            let page = engine.fetch(&q).await?;
            pages += 1;
            peak = peak.max(page.stats.peak_buffered_rows);
            rows += page.rows.len();
            read += page.stats.items_read;
            match page.next_cursor {
                Some(c) => q = q.cursor(c),
                None => break,
            }
        }
        println!("| {count} | {pages} | {rows} | {peak} | {read} |");
    }
    Ok(())
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut seed = 42u64;
    let mut count: Option<usize> = None;
    let mut endpoint: Option<String> = None;
    let mut only: Option<String> = None;
    let mut thin = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seed" => seed = args.next().ok_or("--seed needs a value")?.parse()?,
            "--orders" => count = Some(args.next().ok_or("--orders needs a value")?.parse()?),
            "--endpoint" => endpoint = Some(args.next().ok_or("--endpoint needs a URL")?),
            "--case" => only = Some(args.next().ok_or("--case needs a part of a case name")?),
            "--memory-check" => return memory_check(seed).await,
            "--thin" => thin = true,
            other => {
                return Err(format!(
                    "unknown argument {other} (known: --seed N, --orders N, --endpoint URL, --case TEXT, --memory-check, --thin)"
                )
                .into())
            }
        }
    }
    if thin {
        return thin_report(seed, count.unwrap_or(200_000)).await;
    }
    // DynamoDB Local loads about a thousand items a second: a smaller default there.
    let count = count.unwrap_or(if endpoint.is_some() { 20_000 } else { 200_000 });
    let client = match &endpoint {
        Some(url) => Some(dynamo::client(Some(url)).await),
        None => None,
    };
    let mut tables: BTreeMap<u64, (Vec<Item>, Schema, MemoryTable)> = BTreeMap::new();
    let mut rows = Vec::new();
    for case in cases().into_iter().filter(|c| only.as_ref().is_none_or(|o| c.name.contains(o.as_str()))) {
        let key = (case.french * 1000.0) as u64;
        if let std::collections::btree_map::Entry::Vacant(slot) = tables.entry(key) {
            let items = generate(seed, count, case.french);
            let mut sch = schema();
            let memory = MemoryTable::new(sch.clone());
            match &client {
                Some(client) => {
                    sch.table = format!("cost-{seed}-{count}-{key}");
                    dynamo::ensure_loaded(client, &sch, &items).await?;
                }
                None => {
                    for it in &items {
                        memory.put(it.clone())?;
                    }
                }
            }
            slot.insert((items, sch, memory));
        }
        let (items, sch, memory) = &tables[&key];
        match &client {
            Some(client) => run_case(&DynamoDb::new(client.clone()), sch, items, &case, &mut rows).await?,
            None => run_case(memory, sch, items, &case, &mut rows).await?,
        }
    }
    let md = markdown(&rows);
    let backend = endpoint.as_deref().map_or("in-memory backend".to_string(), |u| format!("DynamoDB at {u}"));
    println!("# Cost report: {count} orders, seed {seed}, {backend}, pages of {PAGE}\n\n{md}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir)?;
    let name = if endpoint.is_some() { "cost_report_dynamodb.json" } else { "cost_report.json" };
    std::fs::write(dir.join(name), serde_json::to_string_pretty(&rows)?)?;
    println!("\nJSON: target/{name}");
    Ok(())
}

/// `--thin`: one query over the same orders through a GSI projecting ALL,
/// INCLUDE (country), KEYS_ONLY, and a Scan; costs over [`PAGES`] pages.
async fn thin_report(seed: u64, count: usize) -> Result<(), Box<dyn std::error::Error>> {
    use dynaquery::{Index, KeyAttribute, Projection};
    let gsi = |p: Projection| {
        Schema::new("orders", dynaquery::KeyAttribute::s("order_id"))
            .index(
                Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")])
                    .projection(p),
            )
            .always_present(["status", "created_at"])
    };
    let layouts = [
        ("GSI projecting ALL", Some(gsi(Projection::All))),
        ("GSI INCLUDE (country)", Some(gsi(Projection::Include(["country".to_owned()].into())))),
        ("GSI KEYS_ONLY", Some(gsi(Projection::KeysOnly))),
        ("Scan (no index)", None),
    ];
    println!("# Thin GSIs: {count} orders, seed {seed}, in-memory backend, {PAGES} pages of {PAGE}\n");
    println!("SELECT order_id, user_id, status, country, total, created_at FROM orders WHERE status IN ('paid', \
              'shipped') AND country = 'FR' AND created_at BETWEEN '{FROM}' AND '{TO}' ORDER BY created_at DESC\n");
    println!("| FR share | layout | rows equal | items read | items fetched | BatchGetItem calls | Query calls | round trips | read units |");
    println!("|---|---|---|---:|---:|---:|---:|---:|---:|");
    for french in [0.1, 0.5] {
        let items = generate(seed, count, french);
        let mut wide_rows: Option<Vec<Item>> = None;
        for (name, layout) in &layouts {
            let schema = layout.clone().unwrap_or_else(|| Schema::new("orders", KeyAttribute::s("order_id")));
            let table = MemoryTable::new(schema.clone());
            for it in &items {
                table.put(it.clone())?;
            }
            let engine = Engine::new(schema, table);
            let mut q = Query::new()
                .filter(col("status").is_in(["paid", "shipped"]))
                .filter(col("country").eq("FR"))
                .filter(col("created_at").between(FROM, TO))
                .order_by(desc("created_at"))
                .select(["order_id", "user_id", "status", "country", "total", "created_at"])
                .allow_scan(layout.is_none())
                .read_budget(10_000_000)
                .limit(PAGE);
            let (mut rows, mut read, mut fetched, mut gets, mut calls, mut trips, mut rcu) =
                (Vec::new(), 0, 0, 0, 0, 0, 0.0);
            for _ in 0..PAGES {
                let page = engine.fetch(&q).await?;
                read += page.stats.items_read;
                fetched += page.stats.items_fetched;
                gets += page.stats.batch_get_calls;
                calls += page.stats.calls;
                trips += page.stats.round_trips;
                rcu += page.stats.consumed_capacity.unwrap_or(0.0);
                rows.extend(page.rows);
                match page.next_cursor {
                    Some(c) => q = q.cursor(c),
                    None => break,
                }
            }
            let equal = match &wide_rows {
                None => {
                    wide_rows = Some(rows);
                    "(reference)".to_owned()
                }
                Some(w) => (w == &rows).to_string(),
            };
            println!(
                "| {:>2}% | {name} | {equal} | {read} | {fetched} | {gets} | {calls} | {trips} | {rcu:.1} |",
                (french * 100.0) as u32
            );
        }
    }
    Ok(())
}
