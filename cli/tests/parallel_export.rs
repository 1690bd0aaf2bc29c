//! `export` of a query no index serves, with no ORDER BY: a parallel scan.
//! On `--memory` tables: the N segment exports concatenated equal one
//! export (as multisets), and equal the ordered export's rows; a segment
//! stopped part way resumes from its cursor without repeating or skipping
//! a row; another segment's (or query's) cursor is refused with a message
//! that says whose it is.
//!
//! Needs the `dynaquery::sql` parser.

mod support;

use std::path::Path;

use support::{fails, ok, run, scratch, stderr, stdout, write};

const SCHEMA: &str = r#"{"table": "t", "partition_key": [{"name": "id", "type": "S"}],
  "indexes": [{"name": "by_g", "kind": "GSI",
    "partition_key": [{"name": "g", "type": "S"}], "sort_key": [{"name": "n", "type": "N"}]}],
  "always_present": ["g", "n"]}"#;
const SQL: &str = "SELECT * FROM t WHERE n >= 40";
const ITEMS: usize = 400;
/// Items with `n >= 40`.
const MATCHING: usize = ITEMS - 40;

/// `--memory` and `--schema` files for table `t` in `dir`.
fn files(dir: &Path) -> (String, String) {
    let schema = write(dir, "t.schema.json", SCHEMA);
    let items: String = (0..ITEMS)
        .map(|i| {
            format!(
                "{{\"id\":{{\"S\":\"i{i:04}\"}},\"n\":{{\"N\":\"{i}\"}},\"g\":{{\"S\":\"g{}\"}}}}\n",
                i % 7
            )
        })
        .collect();
    (schema, write(dir, "t.jsonl", &items))
}

fn export(mem: &(String, String), args: &[&str]) -> std::process::Output {
    let mut all = vec!["--memory", &mem.1, "--schema", &mem.0, "export"];
    all.extend(args);
    run(&all)
}

fn sorted_lines(text: &str) -> Vec<String> {
    let mut v: Vec<String> = text.lines().map(str::to_owned).collect();
    v.sort();
    v
}

#[test]
fn n_segment_exports_concatenated_equal_one_export() {
    let d = scratch();
    let mem = files(d.path());
    // The ordered export (ORDER BY: the merged path), for reference.
    let ordered = export(&mem, &[&format!("{SQL} ORDER BY id"), "--allow-scan", "--page-size", "1000"]);
    ok(&ordered);
    let want = sorted_lines(&stdout(&ordered));
    assert_eq!(want.len(), MATCHING);

    // One export, implicitly parallel (no ORDER BY, a scan), with 1, 4 and 16 segments.
    for segments in ["1", "4", "16"] {
        let o = export(&mem, &[SQL, "--allow-scan", "--segments", segments, "--page-size", "9"]);
        ok(&o);
        assert_eq!(sorted_lines(&stdout(&o)), want, "--segments {segments}");
    }
    // --unordered drops the ORDER BY and scans in parallel too.
    let o = export(&mem, &[&format!("{SQL} ORDER BY n DESC"), "--allow-scan", "--unordered"]);
    ok(&o);
    assert_eq!(sorted_lines(&stdout(&o)), want);

    // Three segments, each its own export (its own file), concatenated.
    for total in [1u32, 3, 5] {
        let mut all = String::new();
        for i in 0..total {
            let out = d.path().join(format!("part-{i}-of-{total}.jsonl"));
            let (i, n) = (i.to_string(), total.to_string());
            let o = export(
                &mem,
                &[
                    SQL,
                    "--allow-scan",
                    "--segment",
                    &i,
                    "--total-segments",
                    &n,
                    "--page-size",
                    "7",
                    "--out",
                    out.to_str().unwrap(),
                ],
            );
            ok(&o);
            assert!(stderr(&o).ends_with("segment complete\n"), "{}", stderr(&o));
            let part = std::fs::read_to_string(&out).unwrap();
            if total > 1 {
                assert!(part.lines().count() < MATCHING, "segment {i} of {total} holds everything");
            }
            all.push_str(&part);
        }
        assert_eq!(sorted_lines(&all), want, "{total} segments concatenated");
    }
}

/// The cursor a stopped segment printed on stderr.
fn cursor_of(o: &std::process::Output) -> Option<String> {
    let err = stderr(o);
    err.lines().find_map(|l| l.split_once(" next cursor: ").map(|(_, c)| c.trim().to_owned()))
}

#[test]
fn a_stopped_segment_resumes_without_repeating_or_skipping() {
    let d = scratch();
    let mem = files(d.path());
    let base = [SQL, "--allow-scan", "--segment", "1", "--total-segments", "3", "--page-size", "5"];
    // The segment in one run.
    let whole = export(&mem, &base);
    ok(&whole);
    let want: Vec<String> = stdout(&whole).lines().map(str::to_owned).collect();
    assert!(want.len() > 40, "{}", want.len());

    // To one file with --append, stopped every 23 items read and resumed.
    let out = d.path().join("seg1.jsonl");
    let out_arg = out.to_str().unwrap().to_owned();
    let mut cursor: Option<String> = None;
    let mut runs = 0;
    loop {
        let mut args: Vec<&str> = base.to_vec();
        args.extend(["--out", &out_arg, "--append", "--max-items", "23"]);
        if let Some(c) = &cursor {
            args.extend(["--cursor", c]);
        }
        let o = export(&mem, &args);
        ok(&o);
        runs += 1;
        match cursor_of(&o) {
            Some(c) => cursor = Some(c),
            None => {
                assert!(stderr(&o).ends_with("segment complete\n"), "{}", stderr(&o));
                break;
            }
        }
        assert!(runs < 100, "no end");
    }
    assert!(runs > 3, "{runs} runs");
    let got: Vec<String> = std::fs::read_to_string(&out).unwrap().lines().map(str::to_owned).collect();
    // Same rows in the same order: nothing repeated, nothing skipped.
    assert_eq!(got, want);

    // To stdout, page by page the same.
    let mut args: Vec<&str> = base.to_vec();
    args.extend(["--max-items", "12"]);
    let first = export(&mem, &args);
    ok(&first);
    let c = cursor_of(&first).expect("a cursor");
    let mut args: Vec<&str> = base.to_vec();
    args.extend(["--cursor", &c]);
    let rest = export(&mem, &args);
    ok(&rest);
    assert_eq!(stdout(&first) + &stdout(&rest), stdout(&whole));
}

#[test]
fn a_cursor_of_another_segment_or_query_is_refused() {
    let d = scratch();
    let mem = files(d.path());
    let seg = |i: &'static str, n: &'static str| -> Vec<&'static str> {
        vec![SQL, "--allow-scan", "--segment", i, "--total-segments", n, "--page-size", "5"]
    };
    let mut args = seg("1", "4");
    args.extend(["--max-items", "5"]);
    let o = export(&mem, &args);
    ok(&o);
    let c = cursor_of(&o).expect("a cursor");

    let out = d.path().join("never.jsonl");
    for (mut args, why) in [
        (seg("2", "4"), "segment 1 of 4, not to segment 2 of 4"),
        (seg("1", "5"), "segment 1 of 4, not to segment 1 of 5"),
    ] {
        args.extend(["--cursor", &c, "--out", out.to_str().unwrap()]);
        let line = fails(&export(&mem, &args), 3, "query error");
        assert!(line.contains(why), "{line}");
        assert!(!out.exists(), "a refused cursor leaves no file");
    }
    // The same segment of another query.
    let other = ["SELECT * FROM t WHERE n >= 41", "--allow-scan", "--segment", "1", "--total-segments", "4"];
    let mut args = other.to_vec();
    args.extend(["--cursor", &c]);
    let line = fails(&export(&mem, &args), 3, "query error");
    assert!(line.contains("another query"), "{line}");
    // A page cursor of an ordered query is not a segment cursor, and back.
    let mut args = seg("1", "4");
    args.extend(["--cursor", "garbage"]);
    fails(&export(&mem, &args), 3, "query error");
    let q = run(&["--memory", &mem.1, "--schema", &mem.0, "query", SQL, "--allow-scan", "--cursor", &c]);
    let line = fails(&q, 3, "query error");
    assert!(line.contains("segment of a parallel scan"), "{line}");
}

#[test]
fn segment_flags_need_a_parallel_scan() {
    let d = scratch();
    let mem = files(d.path());
    // An index serves `g = 'g1'`: its Query reads one partition, no scan to split.
    let line = fails(
        &export(&mem, &["SELECT * FROM t WHERE g = 'g1'", "--segment", "0", "--total-segments", "2"]),
        2,
        "usage error",
    );
    assert!(line.contains("index `by_g` serves it"), "{line}");
    let line = fails(
        &export(
            &mem,
            &[&format!("{SQL} ORDER BY n"), "--allow-scan", "--segment", "0", "--total-segments", "2"],
        ),
        2,
        "usage error",
    );
    assert!(line.contains("ORDER BY"), "{line}");
    // DynamoDB's bounds on segments.
    let line = fails(
        &export(&mem, &[SQL, "--allow-scan", "--segment", "2", "--total-segments", "2"]),
        3,
        "query error",
    );
    assert!(line.contains("from 0 to total - 1"), "{line}");
    fails(&export(&mem, &[SQL, "--allow-scan", "--segment", "0", "--total-segments", "0"]), 2, "usage error");
    fails(&export(&mem, &[SQL, "--allow-scan", "--segment", "0"]), 2, "usage error");
    // Without --allow-scan the scan is refused, as any scan is.
    fails(&export(&mem, &[SQL, "--segment", "0", "--total-segments", "2"]), 3, "query error");
    // --segments on an export that is not a parallel scan, or with --segment.
    let line = fails(&export(&mem, &["SELECT * FROM t WHERE g = 'g1'", "--segments", "8"]), 2, "usage error");
    assert!(line.contains("--segments splits a parallel scan"), "{line}");
    fails(
        &export(&mem, &[SQL, "--allow-scan", "--segments", "8", "--segment", "0", "--total-segments", "2"]),
        2,
        "usage error",
    );
    // An index-served query without ORDER BY still exports, through its Query.
    let o = export(&mem, &["SELECT * FROM t WHERE g = 'g1'"]);
    ok(&o);
    assert_eq!(stdout(&o).lines().count(), (0..ITEMS).filter(|i| i % 7 == 1).count());
}
