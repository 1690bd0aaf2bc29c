//! The README's command-line output blocks ("Command line"), checked
//! against what the CLI prints on the example data, so a change to sizing,
//! the cursor format or the output cannot leave them stale. On a mismatch
//! the test prints the block as the CLI prints it now, to paste into the
//! README.

mod support;

use support::{ok, run, stderr, stdout};

const README: &str = include_str!("../../README.md");

/// The `--memory`/`--schema` arguments of the README's `$M`, relative to
/// the workspace root (tests run in `cli/`).
fn m() -> Vec<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data");
    vec![
        "--memory".into(),
        format!("{root}/orders.jsonl"),
        "--schema".into(),
        format!("{root}/orders.schema.json"),
    ]
}

fn dq(args: &[&str]) -> (String, String) {
    let mut all: Vec<String> = m();
    all.extend(args.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let o = run(&refs);
    ok(&o);
    (stdout(&o), stderr(&o))
}

/// The README's first `text` block whose first line starts with `first`.
fn block(first: &str) -> String {
    let mut rest = README;
    while let Some(at) = rest.find("```text\n") {
        let body = &rest[at + "```text\n".len()..];
        let end = body.find("```").expect("a text block ends");
        if body.starts_with(first) {
            return body[..end].to_owned();
        }
        rest = &body[end..];
    }
    panic!("no README text block starts with {first:?}");
}

fn check(name: &str, readme: &str, now: &str) {
    assert!(
        readme == now,
        "the README's {name} block is stale; the CLI prints now:\n```text\n{now}```\nREADME has:\n```text\n{readme}```"
    );
}

#[test]
fn the_query_block_and_its_cursor() {
    let (out, err) = dq(&[
        "query",
        "SELECT order_id, user_id, status, country, total, created_at FROM orders
    WHERE status IN ('paid', 'shipped') AND country = 'FR' AND created_at BETWEEN ? AND ?
    ORDER BY created_at DESC, total DESC, order_id LIMIT 5",
        "--param",
        "2026-10-25T00:00:00Z",
        "--param",
        "2026-11-24T00:00:00Z",
    ]);
    check("query", &block("order_id   user_id"), &format!("{out}{err}"));
}

#[test]
fn the_count_block() {
    let (total, _) =
        dq(&["query", "SELECT COUNT(*) FROM orders WHERE status IN ('paid', 'shipped') AND country <> 'FR'"]);
    let (groups, err) = dq(&[
        "query",
        "SELECT status, COUNT(*) FROM orders
    WHERE status IN ('paid', 'shipped') AND country <> 'FR' GROUP BY status",
    ]);
    let readme = block(total.lines().next().unwrap_or("?"));
    check("COUNT", &readme, &format!("{total}{groups}{err}"));
}

/// The README shows the plan's first lines, `  …`, then the analysis.
#[test]
fn the_explain_analyze_block() {
    let (out, _) = dq(&[
        "explain",
        "--analyze",
        "SELECT order_id, total FROM orders
    WHERE status IN ('paid', 'shipped') AND country = 'FR'
    ORDER BY created_at DESC, total DESC, order_id LIMIT 5",
    ]);
    let readme = block("Query index `status-created_at`");
    let (head, tail) = readme.split_once("  …\n").expect("the README elides the plan's middle with `  …`");
    let lines: Vec<&str> = out.lines().collect();
    let (h, t) = (head.lines().count(), tail.lines().count());
    let now = format!(
        "{}\n  …\n{}\n",
        lines[..h.min(lines.len())].join("\n"),
        lines[lines.len().saturating_sub(t)..].join("\n")
    );
    check("explain --analyze", &readme, &now);
}
