//! Peak memory of a child process, and a fast table loader: shared by the
//! `export_memory` test and example.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// The export both measure: every order of `table`, through the GSI whose
/// sort key serves the order (a k-way merge of one stream per status).
pub fn export_all_sql(table: &str, statuses: &[String]) -> String {
    let statuses: Vec<String> = statuses.iter().map(|s| format!("'{s}'")).collect();
    format!(
        "SELECT * FROM {table}.\"status-created_at-order_id\" WHERE status IN ({}) ORDER BY created_at, order_id",
        statuses.join(", ")
    )
}

/// Loads `items` with the library's `put_items`, 8 slices in parallel.
pub async fn load(client: &aws_sdk_dynamodb::Client, table: &str, items: &[dynaquery::Item]) {
    let per = items.len().div_ceil(8).max(25);
    let loads = items.chunks(per).map(|part| dynaquery::dynamodb::put_items(client, table, part));
    futures::future::try_join_all(loads).await.expect("BatchWriteItem on DynamoDB Local");
}

/// `VmHWM` (peak resident set size, KiB) of a live process, from /proc.
pub fn vm_hwm(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Runs the binary and returns (exit status, peak RSS in KiB, seconds).
///
/// The peak is the child's own `VmHWM`, sampled every 10 ms until it exits
/// (it only grows, so the last sample is the peak up to 10 ms before the
/// end). Not `ru_maxrss` from `wait4`: Linux folds the parent's resident
/// size at `fork` into the child's `ru_maxrss`, and this parent holds the
/// generated table, so that figure would grow with the table whatever the
/// child does.
pub fn measure(bin: &Path, args: &[&str]) -> (i32, u64, f64) {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .spawn()
        .expect("the dynaquery binary runs");
    let pid = child.id();
    let mut peak = 0;
    let status = loop {
        if let Some(kib) = vm_hwm(pid) {
            peak = peak.max(kib);
        }
        match child.try_wait().expect("wait for dynaquery") {
            Some(status) => break status,
            None => std::thread::sleep(std::time::Duration::from_millis(10)),
        }
    };
    (status.code().unwrap_or(-1), peak, start.elapsed().as_secs_f64())
}
