//! Usage errors are usage errors (exit 2, one line), never backend errors.

mod support;

use support::{command, fails, run};

#[test]
fn a_malformed_region_is_a_usage_error() {
    for bad in ["bad region!", "", "eu_west_1", "x".repeat(70).as_str()] {
        let o = run(&["--region", bad, "--max-attempts", "1", "describe", "orders"]);
        let line = fails(&o, 2, "usage error");
        assert!(line.contains("region"), "{line}");
    }
}

#[test]
fn an_empty_or_malformed_aws_region_is_a_usage_error() {
    for bad in ["", "bad region!"] {
        let o =
            command(&["--max-attempts", "1", "describe", "orders"]).env("AWS_REGION", bad).output().unwrap();
        let line = fails(&o, 2, "usage error");
        assert!(line.contains("region"), "{line}");
    }
}

#[test]
fn backend_errors_are_one_readable_line_without_sdk_dumps() {
    // Nothing listens on port 1; and without credentials, loading them fails.
    let refused = run(&["--endpoint", "http://127.0.0.1:1", "--max-attempts", "1", "describe", "orders"]);
    let no_credentials =
        command(&["--endpoint", "http://127.0.0.1:1", "--max-attempts", "1", "describe", "orders"])
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .output()
            .unwrap();
    for o in [refused, no_credentials] {
        let line = fails(&o, 4, "backend error");
        for dump in ["DispatchFailure(", " { ", "SdkBody", "Extensions"] {
            assert!(!line.contains(dump), "a Debug dump in: {line}");
        }
        assert!(line.contains("DescribeTable on table `orders` failed"), "{line}");
    }
}

/// Runs `describe` on a `--memory` file holding `bytes`.
fn load(bytes: &[u8]) -> std::process::Output {
    let d = support::scratch();
    let schema = support::write(
        d.path(),
        "t.json",
        r#"{"table": "t", "partition_key": [{"name": "id", "type": "S"}]}"#,
    );
    let memory = d.path().join("t.jsonl");
    std::fs::write(&memory, bytes).unwrap();
    run(&["--memory", memory.to_str().unwrap(), "--schema", &schema, "describe"])
}

#[test]
fn memory_file_with_invalid_utf8_names_the_line() {
    let o = load(b"{\"id\":{\"S\":\"a\"}}\n{\"id\":{\"S\":\"\xff\"}}\n");
    let line = fails(&o, 2, "usage error");
    assert!(line.contains("t.jsonl:2"), "{line}");
    assert!(line.contains("UTF-8"), "{line}");
}

#[test]
fn memory_file_values_dynamodb_rejects_are_rejected() {
    for (item, says) in [
        (r#"{"id":{"S":"a"},"n":{"N":" 5 "}}"#, "N"),
        (r#"{"id":{"S":"a"},"ss":{"SS":["x","x"]}}"#, "duplicate"),
        (r#"{"id":{"S":"a"},"ns":{"NS":["1","1.0"]}}"#, "duplicate"),
        (r#"{"id":{"S":"a"},"bs":{"BS":["AA==","AA=="]}}"#, "duplicate"),
    ] {
        let line = fails(&load(item.as_bytes()), 2, "usage error");
        assert!(line.contains("t.jsonl:1") && line.contains(says), "{item}: {line}");
    }
    support::ok(&load(br#"{"id":{"S":"a"},"n":{"N":"5"},"ss":{"SS":["x","y"]}}"#));
}

const ITEMS: &str = "{\"id\":{\"S\":\"a\"}}\n{\"id\":{\"S\":\"b\"}}\n";
const COMMENTED: &str = "-- the first page\nSELECT id FROM t WHERE id = 'a'";

fn memory_args(d: &std::path::Path) -> (String, String) {
    let schema =
        support::write(d, "t.json", r#"{"table": "t", "partition_key": [{"name": "id", "type": "S"}]}"#);
    (schema, support::write(d, "t.jsonl", ITEMS))
}

#[test]
fn sql_from_a_file_or_stdin_may_start_with_a_comment() {
    let d = support::scratch();
    let (schema, memory) = memory_args(d.path());
    let file = support::write(d.path(), "q.sql", COMMENTED);
    let o =
        run(&["--memory", &memory, "--schema", &schema, "query", "--sql-file", &file, "--format", "json"]);
    support::ok(&o);
    assert!(support::stdout(&o).contains(r#"{"id":"a"}"#), "{}", support::stdout(&o));

    use std::io::Write as _;
    let mut child = command(&["--memory", &memory, "--schema", &schema, "query", "-", "--format", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(COMMENTED.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    support::ok(&o);
    assert!(support::stdout(&o).contains(r#"{"id":"a"}"#), "{}", support::stdout(&o));

    // Both, or neither, is a usage error.
    let both =
        run(&["--memory", &memory, "--schema", &schema, "query", "SELECT * FROM t", "--sql-file", &file]);
    fails(&both, 2, "usage error");
    fails(&run(&["--memory", &memory, "--schema", &schema, "query"]), 2, "usage error");
}
