//! The CLI never hangs on an endpoint that accepts connections and never
//! answers: connect, per-attempt and whole-operation timeouts have defaults
//! and flags.

mod support;

use std::time::{Duration, Instant};

use support::{fails, run, scratch, write};

fn silent_listener() -> (std::net::TcpListener, String) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    (l, url)
}

/// Runs `query` against a silent endpoint with `extra` flags; asserts a
/// one-line backend error within `within`.
fn times_out(extra: &[&str], within: Duration) -> String {
    let d = scratch();
    let schema =
        write(d.path(), "t.json", r#"{"table": "t", "partition_key": [{"name": "id", "type": "S"}]}"#);
    let (_l, url) = silent_listener();
    let mut args = vec!["--endpoint", url.as_str(), "--schema", schema.as_str()];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["query", "SELECT * FROM t WHERE id = 'a'"]);
    let start = Instant::now();
    let o = run(&args);
    let took = start.elapsed();
    let line = fails(&o, 4, "backend error");
    assert!(took < within, "took {took:?}");
    line
}

#[test]
fn the_whole_operation_times_out() {
    let line = times_out(&["--operation-timeout", "2"], Duration::from_secs(15));
    assert!(line.contains("timed out") || line.contains("timeout"), "{line}");
}

#[test]
fn each_attempt_times_out() {
    times_out(&["--timeout", "1", "--max-attempts", "2"], Duration::from_secs(15));
}

#[test]
fn the_defaults_are_documented() {
    let o = run(&["--help"]);
    let help = String::from_utf8(o.stdout).unwrap();
    for flag in ["--connect-timeout", "--timeout", "--operation-timeout"] {
        assert!(help.contains(flag), "{flag} in --help");
    }
    assert!(help.contains("default: 3.1") || help.contains("[default"), "{help}");
    assert!(help.contains("default: 120"), "{help}");
}
