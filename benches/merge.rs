//! Merge + tie re-sort CPU against what services write by hand: collect the
//! same rows and sort them with a comparator over attribute maps.
//!
//! Both sides start from the same pre-sorted streams (one per partition-key
//! value, as DynamoDB returns them) and both pay for copying the rows out of
//! them, so the ratio compares merging with sorting.
//!
//! `cargo bench --bench merge`

use std::cmp::Ordering;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dynaquery::{
    asc, col, desc, Backend, Engine, Index, Item, KeyAttribute, Options, Query, ReadRequest, ReadResponse,
    Schema, Value,
};
use futures::executor::block_on;

const ROWS: usize = 100_000;

/// Serves each stream's rows, already in index order, in pages of 1000.
struct Sorted {
    streams: Vec<Vec<Item>>,
}

impl Backend for Sorted {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        let key = request.key.as_ref().map(|k| &k.partition[0].1);
        let stream = match key {
            Some(Value::S(s)) => s.trim_start_matches('p').parse::<usize>().unwrap_or(0),
            _ => 0,
        };
        let rows = &self.streams[stream];
        let start = match request.exclusive_start_key.as_ref().and_then(|k| k.get("seq")) {
            Some(Value::N(n)) => n.to_string().parse::<usize>().unwrap_or(0) + 1,
            _ => 0,
        };
        let end = (start + 1000).min(rows.len());
        let items: Vec<Item> = rows[start..end].to_vec();
        let lek = (end < rows.len()).then(|| {
            let mut k = items.last().cloned().unwrap_or_default();
            k.insert("seq".into(), Value::from(end - 1));
            k
        });
        Ok(ReadResponse {
            scanned_count: items.len() as u64,
            items,
            last_evaluated_key: lek,
            consumed_capacity: None,
        })
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
        it.insert("seq".into(), Value::from(out[s].len()));
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
    let n = |it: &Item, f: &str| match it.get(f) {
        Some(Value::N(n)) => Some(n.clone()),
        _ => None,
    };
    n(b, "ts").cmp(&n(a, "ts")).then_with(|| n(b, "total").cmp(&n(a, "total"))).then_with(|| {
        match (a.get("id"), b.get("id")) {
            (Some(Value::S(x)), Some(Value::S(y))) => x.cmp(y),
            _ => Ordering::Equal,
        }
    })
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("merge_vs_sort");
    group.sample_size(10).throughput(Throughput::Elements(ROWS as u64));
    for k in [1usize, 4, 16, 64] {
        for (ties, distinct) in [("none", ROWS), ("light", ROWS / 4), ("heavy", ROWS / 100)] {
            let data = streams(k, distinct);
            let engine = Engine::new(schema(), Sorted { streams: data.clone() }).with_options(
                Options::default()
                    .max_page_size(ROWS)
                    .max_streams(k)
                    .read_budget(10 * ROWS as u64)
                    .max_buffered_rows(10 * ROWS),
            );
            let q = query(k);
            let label = format!("k{k}/{ties}");
            group.bench_with_input(BenchmarkId::new("dynaquery", &label), &q, |b, q| {
                b.iter(|| {
                    let page = block_on(engine.fetch(q)).expect("merge");
                    assert_eq!(page.rows.len(), ROWS);
                })
            });
            group.bench_with_input(BenchmarkId::new("collect_and_sort", &label), &data, |b, data| {
                b.iter(|| {
                    let mut all: Vec<Item> = data.iter().flatten().cloned().collect();
                    all.sort_by(comparator);
                    assert_eq!(all.len(), ROWS);
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
