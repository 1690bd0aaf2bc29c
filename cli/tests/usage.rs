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

/// The next cursor printed by `query --format json`.
fn next_cursor(o: &std::process::Output) -> String {
    let out = support::stdout(o);
    let last = out.lines().last().unwrap_or_default().to_owned();
    let v: serde_json::Value = serde_json::from_str(&last).unwrap();
    v["next_cursor"].as_str().unwrap_or_else(|| panic!("no cursor in {out}")).to_owned()
}

#[test]
fn cursors_can_be_signed_with_rotating_keys_from_flags_or_the_environment() {
    use base64::Engine as _;
    let d = support::scratch();
    let (schema, memory) = memory_args(d.path());
    let key = |id: u8, b: u8| format!("{id}:{}", base64::engine::general_purpose::STANDARD.encode([b; 32]));
    let (old, new) = (key(1, 7), key(2, 9));
    let base = |extra: &[&str]| {
        let mut a = vec!["--memory", memory.as_str(), "--schema", schema.as_str()];
        a.extend_from_slice(&["query", "SELECT id FROM t ORDER BY id", "--allow-scan", "--limit", "1"]);
        a.extend_from_slice(&["--format", "json"]);
        a.extend_from_slice(extra);
        a.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let go = |args: Vec<String>, env: Option<&str>| {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut c = command(&refs);
        if let Some(v) = env {
            c.env("DYNAQUERY_CURSOR_KEYS", v);
        }
        c.output().unwrap()
    };
    // Signed with the old key.
    let first = go(base(&["--cursor-key", &old, "--cursor-ttl", "600"]), None);
    support::ok(&first);
    let cursor = next_cursor(&first);
    let resume = |keys: &[&str], env: Option<&str>| {
        let mut extra: Vec<&str> = Vec::new();
        for k in keys {
            extra.extend_from_slice(&["--cursor-key", k]);
        }
        extra.extend_from_slice(&["--cursor", &cursor]);
        go(base(&extra), env)
    };
    // After rotation (the new key signs, the old one still verifies), from flags or the environment.
    support::ok(&resume(&[&new, &old], None));
    support::ok(&resume(&[], Some(&format!("{new},{old}"))));
    // Unsigned, or with only the new key: not valid.
    fails(&resume(&[], None), 3, "query error");
    fails(&resume(&[&new], None), 3, "query error");
    // A TTL without a key, a malformed key: usage errors.
    fails(&go(base(&["--cursor-ttl", "600"]), None), 2, "usage error");
    fails(&go(base(&["--cursor-key", "1:short"]), None), 2, "usage error");
}
