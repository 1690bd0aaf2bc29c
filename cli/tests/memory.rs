//! The CLI on `--memory` tables: no server. Output shapes, exact numbers,
//! exit codes and one-line errors.
//!
//! Tests that run SQL need the `dynaquery::sql` parser; `describe`, the
//! usage errors and the connection errors do not.

mod support;

use support::{fails, ok, run, scratch, stderr, stdout, write};

const SCHEMA: &str = r#"{
  "table": "orders",
  "partition_key": [{"name": "order_id", "type": "S"}],
  "indexes": [
    {"name": "status-created_at", "kind": "GSI",
     "partition_key": [{"name": "status", "type": "S"}],
     "sort_key": [{"name": "created_at", "type": "S"}]}
  ],
  "always_present": ["status", "created_at"]
}"#;

const BIG: &str = "12345678901234567890123456789.123456789";

/// Five orders; `o-3` has the 38-digit total, `o-5` a note with a comma and
/// a quote, `o-4` no country.
fn items() -> String {
    let rows = [
        ("o-1", "paid", "FR", "19.99", "2026-11-01T10:00:00Z", None),
        ("o-2", "paid", "DE", "120", "2026-11-02T10:00:00Z", None),
        ("o-3", "paid", "FR", BIG, "2026-11-03T10:00:00Z", None),
        ("o-4", "shipped", "", "-0.5", "2026-11-04T10:00:00Z", None),
        ("o-5", "shipped", "FR", "1E-100", "2026-11-05T10:00:00Z", Some("fragile, \"glass\"")),
    ];
    let mut out = String::new();
    for (id, status, country, total, at, note) in rows {
        let mut fields = vec![
            format!(r#""order_id":{{"S":"{id}"}}"#),
            format!(r#""status":{{"S":"{status}"}}"#),
            format!(r#""total":{{"N":"{total}"}}"#),
            format!(r#""created_at":{{"S":"{at}"}}"#),
        ];
        if !country.is_empty() {
            fields.push(format!(r#""country":{{"S":"{country}"}}"#));
        }
        if let Some(n) = note {
            fields.push(format!(r#""note":{{"S":{}}}"#, serde_json::to_string(n).unwrap()));
        }
        out.push_str(&format!("{{{}}}\n", fields.join(",")));
    }
    out
}

struct Files {
    _dir: tempfile::TempDir,
    dir: std::path::PathBuf,
    schema: String,
    memory: String,
}

fn files() -> Files {
    let dir = scratch();
    let schema = write(dir.path(), "schema.json", SCHEMA);
    let memory = write(dir.path(), "orders.jsonl", &items());
    Files { dir: dir.path().to_owned(), _dir: dir, schema, memory }
}

impl Files {
    /// `--memory … --schema …` then `args`.
    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["--memory", &self.memory, "--schema", &self.schema];
        all.extend(args);
        run(&all)
    }
}

// ---- no SQL needed ----

#[test]
fn describe_prints_the_schema_and_counts_items() {
    let f = files();
    let o = f.run(&["describe"]);
    ok(&o);
    assert_eq!(
        stdout(&o),
        "table orders\n  primary key: partition (order_id S)\n  \
         index status-created_at: GSI, partition (status S), sort (created_at S), projection ALL\n  \
         always present: created_at, status\n  items: 5 (in memory)\n"
    );
    // JSON is the --schema file format: it reads back to the same schema.
    let o = f.run(&["describe", "orders", "--format", "json"]);
    ok(&o);
    let again = write(&f.dir, "again.json", &stdout(&o));
    let o2 = run(&["--schema", &again, "describe"]);
    ok(&o2);
    let o3 = run(&["--schema", &f.schema, "describe"]);
    assert_eq!(stdout(&o2), stdout(&o3));
    assert!(stdout(&o3).starts_with("table orders\n"));
}

#[test]
fn usage_errors_exit_2_with_one_line() {
    let f = files();
    fails(&run(&[]), 2, "usage error");
    fails(&run(&["frobnicate"]), 2, "usage error");
    fails(&run(&["query"]), 2, "usage error");
    fails(&run(&["query", "SELECT * FROM orders", "--limit", "0"]), 2, "usage error");
    fails(&run(&["export", "SELECT * FROM orders", "--format", "xml"]), 2, "usage error");
    // --memory runs without DynamoDB.
    fails(
        &run(&["--memory", &f.memory, "--schema", &f.schema, "--endpoint", "http://127.0.0.1:1", "describe"]),
        2,
        "usage error",
    );
    // --memory needs --schema.
    fails(&run(&["--memory", &f.memory, "describe"]), 2, "usage error");
    // A malformed --memory line names the file and line.
    let bad = write(&f.dir, "bad.jsonl", &format!("{}{{\"order_id\": {{\"N\": 1.5}}}}\n", items()));
    let line = fails(&run(&["--memory", &bad, "--schema", &f.schema, "describe"]), 2, "usage error");
    assert!(line.contains("bad.jsonl:6"), "{line}");
    // A malformed --schema file.
    let bad = write(&f.dir, "bad-schema.json", r#"{"table": "orders"}"#);
    fails(&run(&["--schema", &bad, "describe"]), 2, "usage error");
    // Help and version are not errors.
    let o = run(&["--help"]);
    ok(&o);
    assert!(stdout(&o).contains("Exit codes:"));
}

#[test]
fn backend_errors_exit_4_with_one_line() {
    // Nothing listens on port 1: the connection is refused at once.
    let o = run(&[
        "--endpoint",
        "http://127.0.0.1:1",
        "--max-attempts",
        "1",
        "--timeout",
        "2",
        "describe",
        "orders",
    ]);
    let line = fails(&o, 4, "backend error");
    assert!(line.contains("DescribeTable"), "{line}");
}

#[test]
fn io_errors_exit_5_with_one_line() {
    let f = files();
    let missing = f.dir.join("missing.json");
    let line = fails(&run(&["--schema", missing.to_str().unwrap(), "describe"]), 5, "I/O error");
    assert!(line.contains("missing.json"), "{line}");
}

#[test]
fn a_table_the_schema_does_not_describe_is_a_query_error() {
    let f = files();
    fails(&f.run(&["describe", "customers"]), 3, "query error");
}

// ---- SQL (needs the dynaquery::sql parser) ----

#[test]
fn bad_sql_exits_3_with_one_line() {
    let f = files();
    fails(&f.run(&["query", "SELEKT nothing"]), 3, "query error");
}

#[test]
fn query_errors_exit_3() {
    let f = files();
    // No index serves a filter on country alone, and no scan was allowed.
    let line = fails(&f.run(&["query", "SELECT * FROM orders WHERE country = 'FR'"]), 3, "query error");
    assert!(line.contains("index"), "{line}");
    // A garbled cursor.
    fails(
        &f.run(&["query", "SELECT * FROM orders WHERE status = 'paid'", "--cursor", "garbage"]),
        3,
        "query error",
    );
    // Another table than --schema's.
    fails(&f.run(&["query", "SELECT * FROM customers"]), 3, "query error");
    // A read budget too small.
    fails(
        &f.run(&["query", "SELECT * FROM orders ORDER BY total", "--allow-scan", "--read-budget", "2"]),
        3,
        "query error",
    );
}

#[test]
fn query_table_pages_with_the_cursor_on_stderr() {
    let f = files();
    let sql = "SELECT order_id, total, country FROM orders WHERE status = $1 ORDER BY created_at DESC";
    let o = f.run(&["query", sql, "--param", "paid", "--limit", "2"]);
    ok(&o);
    assert_eq!(
        stdout(&o),
        format!(
            "order_id  {:<39}  country\n--------  {}  -------\no-3       {BIG}  FR\no-2       {:>39}  DE\n",
            "total",
            "-".repeat(39),
            "120"
        )
    );
    let err = stderr(&o);
    let cursor = err.trim().strip_prefix("(2 rows) next cursor: ").expect("the cursor on stderr");
    let o = f.run(&["query", sql, "--param", "paid", "--limit", "2", "--cursor", cursor]);
    ok(&o);
    assert_eq!(stdout(&o), "order_id  total  country\n--------  -----  -------\no-1       19.99  FR\n");
    assert_eq!(stderr(&o), "(1 row) last page\n");
}

#[test]
fn query_json_rows_then_the_cursor() {
    let f = files();
    let sql = "SELECT * FROM orders WHERE status IN ('paid', 'shipped') ORDER BY total DESC";
    let o = f.run(&["query", sql, "--format", "json", "--limit", "2"]);
    ok(&o);
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(
        lines[0],
        format!(
            r#"{{"country":"FR","created_at":"2026-11-03T10:00:00Z","order_id":"o-3","status":"paid","total":{BIG}}}"#
        )
    );
    assert!(lines[2].starts_with(r#"{"next_cursor":""#), "{}", lines[2]);
    // All pages through --cursor: every order once, in order.
    let base = ["--memory", &f.memory, "--schema", &f.schema, "query", sql];
    let (rows, pages) = support::all_pages(&base, 2);
    assert_eq!(pages, 3);
    let ids: Vec<String> = rows
        .iter()
        .map(|r| {
            serde_json::from_str::<serde_json::Value>(r).unwrap()["order_id"].as_str().unwrap().to_owned()
        })
        .collect();
    assert_eq!(ids, ["o-3", "o-2", "o-1", "o-5", "o-4"]);
    assert!(rows[4].contains(r#""total":-0.5"#));
    assert!(rows[3].contains(&format!(r#""total":0.{}1"#, "0".repeat(99))));
}

#[test]
fn offset_skips_rows_of_the_first_page() {
    let f = files();
    let sql =
        "SELECT order_id FROM orders WHERE status IN ('paid', 'shipped') ORDER BY order_id LIMIT 2 OFFSET 3";
    let o = f.run(&["query", sql, "--format", "json"]);
    ok(&o);
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines, [r#"{"order_id":"o-4"}"#, r#"{"order_id":"o-5"}"#, r#"{"next_cursor":null}"#]);
}

#[test]
fn export_jsonl_and_csv_keep_numbers_exact() {
    let f = files();
    let sql = "SELECT * FROM orders WHERE status IN ('paid', 'shipped') ORDER BY order_id";
    let out = f.dir.join("orders.out.jsonl");
    let o = f.run(&["export", sql, "--format", "jsonl", "--out", out.to_str().unwrap(), "--page-size", "2"]);
    ok(&o);
    assert_eq!(stderr(&o), "", "no progress bar when stderr is not a terminal");
    assert_eq!(stdout(&o), "");
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 5);
    assert!(text.lines().nth(2).unwrap().ends_with(&format!(r#""total":{BIG}}}"#)));

    // CSV to stdout: the header is the union of the first page's attributes,
    // primary key first; `o-5`'s note comes after the first page, so it is
    // not in the header, and a warning says so.
    let o = f.run(&["export", sql, "--format", "csv", "--page-size", "2"]);
    ok(&o);
    let csv = stdout(&o);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "order_id,country,created_at,status,total");
    assert_eq!(lines[3], format!("o-3,FR,2026-11-03T10:00:00Z,paid,{BIG}"));
    assert_eq!(lines[4], "o-4,,2026-11-04T10:00:00Z,shipped,-0.5");
    assert_eq!(lines[5], format!("o-5,FR,2026-11-05T10:00:00Z,shipped,0.{}1", "0".repeat(99)));
    assert!(stderr(&o).contains("not in the CSV header") && stderr(&o).contains("note"), "{}", stderr(&o));

    // With a SELECT list the header is the list, and quoting is RFC 4180's.
    let o = f.run(&[
        "export",
        "SELECT order_id, note, total FROM orders WHERE status = 'shipped'",
        "--format",
        "csv",
    ]);
    ok(&o);
    assert_eq!(
        stdout(&o),
        "order_id,note,total\no-4,,-0.5\no-5,\"fragile, \"\"glass\"\"\",0.".to_owned()
            + &"0".repeat(99)
            + "1\n"
    );

    // The DynamoDB-JSON export loads back as a --memory file.
    let dump = f.dir.join("dump.jsonl");
    ok(&f.run(&["export", sql, "--format", "dynamodb-json", "--out", dump.to_str().unwrap()]));
    let o = run(&["--memory", dump.to_str().unwrap(), "--schema", &f.schema, "export", sql]);
    ok(&o);
    assert_eq!(stdout(&o), text);
}

#[test]
fn export_io_error_exits_5_and_leaves_no_file() {
    let f = files();
    let sql = "SELECT * FROM orders WHERE status = 'paid'";
    let bad = f.dir.join("no-such-dir").join("out.csv");
    let line =
        fails(&f.run(&["export", sql, "--format", "csv", "--out", bad.to_str().unwrap()]), 5, "I/O error");
    assert!(line.contains("out.csv"), "{line}");
    // A query error after the output was named leaves nothing behind.
    let out = f.dir.join("never.jsonl");
    fails(
        &f.run(&["export", "SELECT * FROM orders WHERE country = 'FR'", "--out", out.to_str().unwrap()]),
        3,
        "query error",
    );
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(&f.dir).unwrap().count(), 2, "no temporary file left");
}

#[test]
fn explain_and_analyze() {
    let f = files();
    let sql = "SELECT * FROM orders WHERE status IN ('paid', 'shipped') AND country = 'FR' ORDER BY created_at DESC LIMIT 2";
    let o = f.run(&["explain", sql]);
    ok(&o);
    let text = stdout(&o);
    assert!(
        text.starts_with(
            "Query index `status-created_at` of table `orders`, ScanIndexForward=false\n  streams: 2\n"
        ),
        "{text}"
    );
    assert!(text.contains("strategy: k-way merge") || text.contains("strategy: merge on"), "{text}");
    assert!(!text.contains("analyze"));

    let o = f.run(&["explain", sql, "--analyze"]);
    ok(&o);
    let text = stdout(&o);
    let analyze = text.lines().find(|l| l.starts_with("analyze (first page): ")).expect("an analyze line");
    assert!(analyze.contains("2 rows"), "{analyze}");
    let header = text.lines().position(|l| l.starts_with("stream")).expect("a per-stream table");
    let streams: Vec<&str> = text.lines().skip(header + 2).collect();
    assert_eq!(streams.len(), 2, "{text}");
    assert!(streams[0].starts_with("#0 ") && streams[1].starts_with("#1 "), "{text}");
    // The per-stream reads add up to the page's; the merge took at least the
    // page's rows from the streams (plus the row that shows a next page).
    let column = |i: usize| -> u64 {
        streams.iter().map(|l| l.split_whitespace().nth(i).unwrap().parse::<u64>().unwrap()).sum()
    };
    let read: u64 = analyze.split(", ").find_map(|p| p.strip_suffix(" items read")).unwrap().parse().unwrap();
    assert_eq!(column(2), read, "{text}");
    assert!(column(4) >= 2, "{text}");
}

#[test]
fn query_count_prints_the_number() {
    let f = files();
    // `o-4` has no country: not counted by `country <> 'FR'` (SQL NULL).
    let o = f.run(&[
        "query",
        "SELECT COUNT(*) FROM orders WHERE status IN ('paid', 'shipped') AND country <> 'FR'",
    ]);
    ok(&o);
    assert_eq!(stdout(&o), "1\n");
    let o = f.run(&[
        "query",
        "SELECT COUNT(*) FROM orders WHERE status = $1",
        "--param",
        "paid",
        "--format",
        "json",
    ]);
    ok(&o);
    assert_eq!(stdout(&o), "{\"count\":3}\n");
}

#[test]
fn query_grouped_count_prints_a_line_per_group() {
    let f = files();
    let sql =
        "SELECT status, COUNT(*) FROM orders WHERE status IN ('shipped', 'paid', 'new') GROUP BY status";
    let o = f.run(&["query", sql]);
    ok(&o);
    assert_eq!(stdout(&o), "paid\t3\nshipped\t2\n");
    assert_eq!(stderr(&o), "(5 rows in 2 groups)\n");
    let o = f.run(&["query", sql, "--format", "json"]);
    ok(&o);
    assert_eq!(
        stdout(&o),
        "{\"status\":\"paid\",\"count\":3}\n{\"status\":\"shipped\",\"count\":2}\n{\"count\":5}\n"
    );
    // Grouping by anything but the partition key the query fans out on is refused.
    let line = fails(
        &f.run(&["query", "SELECT country, COUNT(*) FROM orders WHERE status = 'paid' GROUP BY country"]),
        3,
        "query error",
    );
    assert!(line.contains("GROUP BY country"), "{line}");
    // A count has no pages: a cursor is refused with what to do.
    let line = fails(
        &f.run(&["query", "SELECT COUNT(*) FROM orders WHERE status = 'paid'", "--cursor", "x"]),
        3,
        "query error",
    );
    assert!(line.contains("takes no cursor"), "{line}");
}

/// A schema file with a write-sharded index: `--memory` stores each item
/// with its shard attribute filled in, a query on the logical `status`
/// reads every shard, and the rows leave the physical attribute out.
#[test]
fn a_sharded_index_from_the_schema_file() {
    let dir = scratch();
    let schema = write(
        dir.path(),
        "schema.json",
        r##"{
  "table": "orders",
  "partition_key": [{"name": "order_id", "type": "S"}],
  "indexes": [
    {"name": "by_status", "kind": "GSI",
     "partition_key": [{"name": "status_shard", "type": "S"}],
     "sort_key": [{"name": "created_at", "type": "S"}],
     "sharding": {"logical": "status", "separator": "#", "shards": 3}}
  ],
  "always_present": ["created_at"]
}"##,
    );
    let memory = write(dir.path(), "orders.jsonl", &items());
    let args = ["--memory", memory.as_str(), "--schema", schema.as_str()];
    let sql = "SELECT * FROM orders WHERE status = 'paid' ORDER BY created_at DESC";
    let o = run(&[&args[..], &["explain", sql]].concat());
    ok(&o);
    let plan = stdout(&o);
    assert!(plan.contains("streams: 3") && plan.contains(r#"status_shard = "paid#2""#), "{plan}");
    let o = run(&[&args[..], &["query", sql, "--format", "json"]].concat());
    ok(&o);
    let out = stdout(&o);
    let ids: Vec<&str> =
        ["o-3", "o-2", "o-1"].into_iter().filter(|id| out.contains(&format!("\"{id}\""))).collect();
    assert_eq!(ids, ["o-3", "o-2", "o-1"], "{out}");
    assert_eq!(out.lines().filter(|l| l.contains("order_id")).count(), 3, "{out}");
    assert!(!out.contains("status_shard"), "{out}");
    assert!(out.find("o-3") < out.find("o-2") && out.find("o-2") < out.find("o-1"), "{out}");
}

/// A schema file with a single-table entity: `--memory` stores each item
/// with its composed keys and entity attributes, a query on the logical
/// attributes reads the composed partition with a composed range, and the
/// rows come back with the logical attributes only.
#[test]
fn a_single_table_entity_from_the_schema_file() {
    let dir = scratch();
    let schema = write(
        dir.path(),
        "schema.json",
        r##"{
  "table": "orders",
  "partition_key": [{"name": "pk", "type": "S"}],
  "sort_key": [{"name": "sk", "type": "S"}],
  "indexes": [
    {"name": "gsi1", "kind": "GSI",
     "partition_key": [{"name": "gsi1pk", "type": "S"}],
     "sort_key": [{"name": "gsi1sk", "type": "S"}]}
  ],
  "always_present": ["created_at"],
  "entity": {"attribute": "__edb_e__", "name": "order", "tags": {"__edb_v__": "1"},
             "keys": [{"attribute": "pk", "template": "$shop#order_id_{order_id}", "lowercase": true},
                      {"attribute": "sk", "template": "$order_1"},
                      {"attribute": "gsi1pk", "template": "$shop#status_{status}", "lowercase": true},
                      {"attribute": "gsi1sk", "template": "$order_1#createdat_{created_at:20}"}]}
}"##,
    );
    let memory = write(dir.path(), "orders.jsonl", &items());
    let args = ["--memory", memory.as_str(), "--schema", schema.as_str()];
    let sql = "SELECT * FROM orders WHERE status = 'paid' AND created_at > '2026-11-01T10:00:00Z' \
               ORDER BY created_at DESC";
    let o = run(&[&args[..], &["explain", sql]].concat());
    ok(&o);
    let plan = stdout(&o);
    assert!(
        plan.contains(
            r##"gsi1pk = "$shop#status_paid" AND gsi1sk BETWEEN "$order_1#createdat_2026-11-01T10:00:00Z""##
        ),
        "{plan}"
    );
    let o = run(&[&args[..], &["query", sql, "--format", "json"]].concat());
    ok(&o);
    let out = stdout(&o);
    assert_eq!(out.lines().filter(|l| l.contains("order_id")).count(), 2, "{out}");
    assert!(out.find("o-3") < out.find("o-2") && !out.contains("o-1"), "{out}");
    assert!(!out.contains("gsi1pk") && !out.contains("__edb_e__"), "{out}");
}
