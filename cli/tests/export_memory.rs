//! `dynaquery export` streams: its peak memory does not grow with the table.
//!
//! Loads 10 000 and then 100 000 orders into DynamoDB Local, exports each in
//! full to JSON lines with the built binary, and compares the child's peak
//! resident set size (`VmHWM`, Linux). The export reads one 1000-row page at
//! a time, so ten times the rows must not mean more memory.
//!
//! Needs the `dynaquery::sql` parser. About a minute, mostly loading.

#[path = "../../tests/support/dynamodb_local.rs"]
#[allow(dead_code)]
mod dynamodb_local;
#[path = "../../examples/support/orders.rs"]
mod orders;
mod support;

use std::path::Path;

use support::rss;

/// Loads `n` orders and exports them; returns the export's peak RSS in KiB.
fn export_peak(rt: &tokio::runtime::Runtime, endpoint: &str, dir: &Path, n: usize) -> u64 {
    let client = dynamodb_local::client();
    let mut schema = orders::schema();
    schema.table = dynamodb_local::table_name("export_memory");
    let items = orders::generate(7, n, 0.1);
    rt.block_on(async {
        dynaquery::dynamodb::create_table(&client, &schema).await.expect("CreateTable");
        rss::load(&client, &schema.table, &items).await;
    });
    drop(items);
    let sql = rss::export_all_sql(&schema.table, &orders::statuses());
    let out = dir.join(format!("{n}.jsonl"));
    let args = [
        "--endpoint",
        endpoint,
        "--always-present",
        "status,created_at",
        "export",
        &sql,
        "--page-size",
        "1000",
        "--out",
        out.to_str().unwrap(),
    ];
    let (code, peak, secs) = rss::measure(Path::new(support::BIN), &args);
    assert_eq!(code, 0, "dynaquery export failed");
    let rows = std::fs::read_to_string(&out).unwrap().lines().count();
    assert_eq!(rows, n, "every order exported");
    eprintln!("{n} orders: peak RSS {:.1} MiB, export {secs:.1} s", peak as f64 / 1024.0);
    peak
}

#[test]
fn export_memory_is_flat_in_the_table_size() {
    let endpoint = dynamodb_local::endpoint();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let dir = support::scratch();
    let small = export_peak(&rt, &endpoint, dir.path(), 10_000);
    let large = export_peak(&rt, &endpoint, dir.path(), 100_000);
    // Ten times the rows; allow 25 % (and at least 4 MiB) for allocator noise.
    let allowed = small + (small / 4).max(4096);
    assert!(
        large <= allowed,
        "peak RSS grew with the table: {small} KiB for 10 000 orders, {large} KiB for 100 000"
    );
}
