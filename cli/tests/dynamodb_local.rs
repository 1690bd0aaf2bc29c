//! End to end on DynamoDB Local: random tables created with `create_table`
//! and loaded with BatchWriteItem, random queries run as SQL through the
//! built binary — `query` page by page through `--cursor`, and `export` —
//! and every row compared with the naive reference.
//!
//! DynamoDB Local is installed and started by the library's own harness
//! (in the workspace's `target/`, shared with the library's tests); if it
//! cannot start, these tests fail with the harness's message. They never skip.
//!
//! Needs the `dynaquery::sql` parser.

#[path = "../../tests/support/dynamodb_local.rs"]
#[allow(dead_code)]
mod dynamodb_local;
#[path = "../../tests/common/gen.rs"]
mod gen;
#[path = "../../tests/common/reference.rs"]
mod reference;
mod support;

use dynaquery::{Item, Query};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

const TABLES: usize = 4;
const QUERIES_PER_TABLE: usize = 12;
const PAGE_SIZES: [usize; 4] = [1, 3, 7, 50];

fn runner(seed: u8) -> TestRunner {
    TestRunner::new_with_rng(Config::default(), TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]))
}

fn sample<S: Strategy>(runner: &mut TestRunner, s: S) -> S::Value {
    s.new_tree(runner).expect("a random value").current()
}

/// One random table on DynamoDB Local: its name and items.
fn table(rt: &tokio::runtime::Runtime, runner: &mut TestRunner) -> (String, Vec<Item>) {
    let items = sample(runner, gen::table_strategy(60));
    let mut schema = gen::schema();
    schema.table = dynamodb_local::table_name("cli");
    let client = dynamodb_local::client();
    rt.block_on(async {
        dynaquery::dynamodb::create_table(&client, &schema).await.expect("CreateTable");
        dynamodb_local::load(&client, &schema.table, &items).await;
    });
    (schema.table, items)
}

fn expected(q: &Query, items: &[Item]) -> Vec<String> {
    reference::run(q, &gen::pk(), items).iter().map(support::expected_json).collect()
}

#[test]
fn random_queries_through_the_cli_match_the_reference() {
    let endpoint = dynamodb_local::endpoint();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut runs = 0;
    for t in 0..TABLES {
        let mut runner = runner(t as u8 + 1);
        let (name, items) = table(&rt, &mut runner);
        for i in 0..QUERIES_PER_TABLE {
            let q = sample(&mut runner, gen::query_strategy());
            let (sql, params) = support::sql(&q, &name);
            let want = expected(&q, &items);
            let size = PAGE_SIZES[(t + i) % PAGE_SIZES.len()];
            let context = format!("table {name}, query {i}: {sql} {params:?}, page size {size}");

            let base =
                support::with_params(vec!["--endpoint", &endpoint, "query", &sql, "--allow-scan"], &params);
            let (rows, pages) = support::all_pages(&base, size);
            assert_eq!(rows, want, "query pages, {context}");
            // `next_cursor` is null exactly at the true end: no empty last page.
            assert_eq!(pages, want.len().div_ceil(size).max(1), "pages, {context}");
            runs += pages;

            let page_size = size.to_string();
            let args = support::with_params(
                vec!["--endpoint", &endpoint, "export", &sql, "--allow-scan", "--page-size", &page_size],
                &params,
            );
            let o = support::run(&args);
            support::ok(&o);
            let mut got: Vec<String> = support::stdout(&o).lines().map(str::to_owned).collect();
            if q.get_order_by().is_empty() {
                // No ORDER BY: a scan runs in parallel segments, rows in no order.
                let mut want = want.clone();
                want.sort();
                got.sort();
                assert_eq!(got, want, "export (as a multiset), {context}");
            } else {
                assert_eq!(got, want, "export, {context}");
            }
            runs += 1;
        }
    }
    assert!(runs > TABLES * QUERIES_PER_TABLE * 2);
}

#[test]
fn export_csv_and_describe_on_dynamodb_local() {
    let endpoint = dynamodb_local::endpoint();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut runner = runner(99);
    let (name, items) = table(&rt, &mut runner);

    // describe: DescribeTable, as the crate sees it.
    let o = support::run(&["--endpoint", &endpoint, "describe", &name]);
    support::ok(&o);
    let text = support::stdout(&o);
    assert!(text.starts_with(&format!("table {name}\n  primary key: partition (id S)\n")), "{text}");
    assert!(
        text.contains("index by_pq_sy: GSI, partition (p S, q N), sort (s N, y S), projection ALL"),
        "{text}"
    );

    // CSV with a select list: one line per row, exact numbers, NULL and missing empty.
    let q = Query::new().allow_scan(true).select(["id", "s", "x"]).order_by(dynaquery::asc("id"));
    let (sql, params) = support::sql(&q, &name);
    let args = support::with_params(
        vec!["--endpoint", &endpoint, "export", &sql, "--format", "csv", "--allow-scan", "--page-size", "7"],
        &params,
    );
    let o = support::run(&args);
    support::ok(&o);
    let mut reader = csv::Reader::from_reader(o.stdout.as_slice());
    assert_eq!(reader.headers().unwrap().iter().collect::<Vec<_>>(), ["id", "s", "x"]);
    let got: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    let want: Vec<Vec<String>> = reference::run(&q, &gen::pk(), &items)
        .iter()
        .map(|r| {
            ["id", "s", "x"]
                .iter()
                .map(|c| match r.get(*c) {
                    None | Some(dynaquery::Value::Null) => String::new(),
                    Some(dynaquery::Value::S(s)) => s.clone(),
                    Some(dynaquery::Value::N(n)) => n.to_string(),
                    Some(dynaquery::Value::Bool(b)) => b.to_string(),
                    Some(dynaquery::Value::B(b)) => {
                        use base64::Engine as _;
                        base64::engine::general_purpose::STANDARD.encode(b)
                    }
                    Some(other) => panic!("unexpected {other:?}"),
                })
                .collect()
        })
        .collect();
    assert_eq!(got, want);

    // A table that does not exist: DescribeTable fails, exit 4.
    let o = support::run(&["--endpoint", &endpoint, "describe", "no_such_table"]);
    let line = support::fails(&o, 4, "backend error");
    assert!(line.contains("ResourceNotFoundException"), "{line}");
}

/// The parallel scan export on DynamoDB Local: one export with 1, 4 and 16
/// segments, and 3 segment exports concatenated, all hold the reference's
/// rows (as multisets). A segment stopped by SIGINT with `--append` keeps
/// every row before the cursor it prints; resumed with that cursor, the
/// file equals the segment exported in one run.
#[test]
fn parallel_export_on_dynamodb_local() {
    let endpoint = dynamodb_local::endpoint();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let mut schema = gen::schema();
    schema.table = dynamodb_local::table_name("cli_pscan");
    let items: Vec<Item> = (0..1500)
        .map(|i| {
            dynaquery::item([
                ("id", dynaquery::Value::from(format!("i{i:05}"))),
                ("x", dynaquery::Value::from(i % 10)),
            ])
        })
        .collect();
    let client = dynamodb_local::client();
    rt.block_on(async {
        dynaquery::dynamodb::create_table(&client, &schema).await.expect("CreateTable");
        dynamodb_local::load(&client, &schema.table, &items).await;
    });
    let q = Query::new().allow_scan(true).filter(dynaquery::col("x").lt(7));
    let (sql, params) = support::sql(&q, &schema.table);
    let mut want = expected(&q, &items);
    want.sort();
    assert_eq!(want.len(), 1050);
    let export = |extra: &[&str]| {
        let mut args = vec!["--endpoint", &endpoint, "export", &sql, "--allow-scan"];
        args.extend(extra);
        let args = support::with_params(args, &params);
        support::run(&args)
    };
    let sorted = |text: String| {
        let mut v: Vec<String> = text.lines().map(str::to_owned).collect();
        v.sort();
        v
    };
    for segments in ["1", "4", "16"] {
        let o = export(&["--segments", segments, "--page-size", "100"]);
        support::ok(&o);
        assert_eq!(sorted(support::stdout(&o)), want, "--segments {segments}");
    }
    let mut all = String::new();
    for i in ["0", "1", "2"] {
        let o = export(&["--segment", i, "--total-segments", "3", "--page-size", "50"]);
        support::ok(&o);
        all.push_str(&support::stdout(&o));
    }
    assert_eq!(sorted(all), want, "3 segment exports concatenated");

    // SIGINT part way through segment 0 of 2 (one item per Scan call), then resume.
    let seg = ["--segment", "0", "--total-segments", "2", "--page-size", "1"];
    let whole = export(&seg);
    support::ok(&whole);
    let dir = support::scratch();
    let out = dir.path().join("seg0.jsonl");
    let out_arg = out.to_str().unwrap();
    let mut args =
        vec!["--endpoint", &endpoint, "export", &sql, "--allow-scan", "--out", out_arg, "--append"];
    args.extend(seg);
    let args = support::with_params(args, &params);
    let child = support::command(&args).stderr(std::process::Stdio::piped()).spawn().unwrap();
    let start = std::time::Instant::now();
    while std::fs::read_to_string(&out).map_or(0, |t| t.lines().count()) < 20 {
        assert!(start.elapsed() < std::time::Duration::from_secs(60), "no rows appeared");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let killed = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status();
    assert!(killed.unwrap().success());
    let stopped = child.wait_with_output().unwrap();
    assert_eq!(stopped.status.code(), Some(130), "{}", support::stderr(&stopped));
    let line = support::stderr(&stopped);
    let cursor = line
        .split("--cursor ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no resume cursor in {line}"));
    let kept = std::fs::read_to_string(&out).unwrap().lines().count();
    assert!(kept >= 20 && kept < support::stdout(&whole).lines().count(), "{kept} rows kept");
    let mut resume = vec!["--out", out_arg, "--append", "--cursor", cursor];
    resume.extend(seg);
    support::ok(&export(&resume));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), support::stdout(&whole), "resumed after SIGINT");
}
