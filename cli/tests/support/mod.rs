//! Running the built `dynaquery` binary, and what its output should be.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};

use dynaquery::{Direction, Expr, Item, Query, Value};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_dynaquery");

/// A command for the binary, isolated from the user's AWS configuration:
/// fixed credentials and region, no profile files, no instance metadata.
pub fn command(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/dynaquery-test-config")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/dynaquery-test-credentials")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ENDPOINT_URL")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("DYNAQUERY_CURSOR_KEYS");
    c
}

/// Runs the binary to completion.
pub fn run(args: &[&str]) -> Output {
    command(args).output().expect("the dynaquery binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("stderr is UTF-8")
}

/// Asserts success, showing stderr otherwise.
pub fn ok(o: &Output) {
    assert!(o.status.success(), "exit {:?}, stderr:\n{}", o.status.code(), stderr(o));
}

/// Asserts exit `code` with exactly one line on stderr that starts with
/// `dynaquery: <label>:`; returns that line.
pub fn fails(o: &Output, code: i32, label: &str) -> String {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(code), "stderr: {err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line on stderr, got: {err:?}");
    assert!(lines[0].starts_with(&format!("dynaquery: {label}: ")), "{}", lines[0]);
    assert!(stdout(o).is_empty() || code == 5, "nothing on stdout on error: {}", stdout(o));
    lines[0].to_owned()
}

/// The README's JSON row format, written from its documentation: keys in
/// name order, numbers with their exact digits, `B` as base64, sets as arrays.
pub fn expected_json(item: &Item) -> String {
    fn s(out: &mut String, text: &str) {
        out.push_str(&serde_json::to_string(text).unwrap());
    }
    fn b64(bytes: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }
    fn v(out: &mut String, value: &Value) {
        match value {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(&b.to_string()),
            Value::N(n) => out.push_str(&n.to_string()),
            Value::S(t) => s(out, t),
            Value::B(b) => s(out, &b64(b)),
            Value::L(l) => {
                out.push('[');
                for (i, x) in l.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v(out, x);
                }
                out.push(']');
            }
            Value::M(m) => obj(out, m),
            Value::Ss(set) => {
                let parts: Vec<String> = set.iter().map(|x| serde_json::to_string(x).unwrap()).collect();
                write!(out, "[{}]", parts.join(",")).unwrap();
            }
            Value::Ns(set) => {
                let parts: Vec<String> = set.iter().map(|x| x.to_string()).collect();
                write!(out, "[{}]", parts.join(",")).unwrap();
            }
            Value::Bs(set) => {
                let parts: Vec<String> =
                    set.iter().map(|x| serde_json::to_string(&b64(x)).unwrap()).collect();
                write!(out, "[{}]", parts.join(",")).unwrap();
            }
        }
    }
    fn obj(out: &mut String, m: &Item) {
        out.push('{');
        for (i, (k, x)) in m.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            s(out, k);
            out.push(':');
            v(out, x);
        }
        out.push('}');
    }
    let mut out = String::new();
    obj(&mut out, item);
    out
}

/// A value as a `--param` argument (the CLI's rule: a JSON string, number
/// or boolean literal is that type).
pub fn param(v: &Value) -> String {
    match v {
        Value::S(s) => serde_json::to_string(s).unwrap(),
        Value::N(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => panic!("no --param for {other:?}"),
    }
}

/// `q` as SQL text against `table`, every value a `$n` parameter, in the
/// subset documented in `dynaquery::sql`. LIMIT is left to `--limit` /
/// `--page-size`.
pub fn sql(q: &Query, table: &str) -> (String, Vec<String>) {
    fn expr(e: &Expr, out: &mut String, ps: &mut Vec<String>) {
        let p = |v: &Value, ps: &mut Vec<String>| {
            ps.push(param(v));
            format!("${}", ps.len())
        };
        match e {
            Expr::Cmp { attr, op, value } => {
                let op = op.as_str();
                let v = p(value, ps);
                write!(out, "\"{attr}\" {op} {v}").unwrap();
            }
            Expr::Between { attr, lo, hi } => {
                let lo = p(lo, ps);
                let hi = p(hi, ps);
                write!(out, "\"{attr}\" BETWEEN {lo} AND {hi}").unwrap();
            }
            Expr::In { attr, values } => {
                let vs: Vec<String> = values.iter().map(|v| p(v, ps)).collect();
                write!(out, "\"{attr}\" IN ({})", vs.join(", ")).unwrap();
            }
            Expr::BeginsWith { attr, prefix } => {
                let Value::S(prefix) = prefix else { panic!("LIKE takes a string prefix: {prefix:?}") };
                let mut pattern = String::new();
                for c in prefix.chars() {
                    if matches!(c, '%' | '_' | '\\') {
                        pattern.push('\\');
                    }
                    pattern.push(c);
                }
                pattern.push('%');
                let v = p(&Value::S(pattern), ps);
                write!(out, "\"{attr}\" LIKE {v}").unwrap();
            }
            Expr::Contains { attr, value } => {
                let v = p(value, ps);
                write!(out, "contains(\"{attr}\", {v})").unwrap();
            }
            Expr::IsNull(a) => write!(out, "\"{a}\" IS NULL").unwrap(),
            Expr::IsNotNull(a) => write!(out, "\"{a}\" IS NOT NULL").unwrap(),
            Expr::And(es) | Expr::Or(es) => {
                let sep = if matches!(e, Expr::And(_)) { " AND " } else { " OR " };
                out.push('(');
                for (i, x) in es.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    expr(x, out, ps);
                }
                out.push(')');
            }
            Expr::Not(inner) => {
                out.push_str("NOT (");
                expr(inner, out, ps);
                out.push(')');
            }
            other => panic!("no SQL for {other:?}"),
        }
    }
    let mut out = String::from("SELECT ");
    match q.get_select() {
        None => out.push('*'),
        Some(cols) => out.push_str(&cols.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ")),
    }
    write!(out, " FROM \"{table}\"").unwrap();
    let mut params = Vec::new();
    if let Some(f) = q.get_filter() {
        out.push_str(" WHERE ");
        expr(f, &mut out, &mut params);
    }
    if !q.get_order_by().is_empty() {
        let terms: Vec<String> = q
            .get_order_by()
            .iter()
            .map(|o| format!("\"{}\" {}", o.attr, if o.dir == Direction::Desc { "DESC" } else { "ASC" }))
            .collect();
        write!(out, " ORDER BY {}", terms.join(", ")).unwrap();
    }
    (out, params)
}

/// `args` followed by `--param P` for each parameter.
pub fn with_params<'a>(mut args: Vec<&'a str>, params: &'a [String]) -> Vec<&'a str> {
    for p in params {
        args.push("--param");
        args.push(p);
    }
    args
}

/// Every page of a query through `dynaquery query --format json`,
/// following `next_cursor`: the row lines, and the number of pages.
pub fn all_pages(base: &[&str], limit: usize) -> (Vec<String>, usize) {
    let limit = limit.to_string();
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    for pages in 1..10_000 {
        let mut args: Vec<&str> = base.to_vec();
        args.extend(["--format", "json", "--limit", &limit]);
        if let Some(c) = &cursor {
            args.extend(["--cursor", c]);
        }
        let o = run(&args);
        ok(&o);
        let text = stdout(&o);
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let last = lines.pop().expect("a next_cursor line");
        let last: serde_json::Value = serde_json::from_str(&last).expect("the last line is JSON");
        let n = lines.len();
        rows.extend(lines);
        match last.get("next_cursor") {
            Some(serde_json::Value::String(c)) => {
                assert_eq!(n.to_string(), limit, "a page with a cursor is full");
                cursor = Some(c.clone());
            }
            Some(serde_json::Value::Null) => return (rows, pages),
            other => panic!("last line should be {{\"next_cursor\": …}}, got {other:?}"),
        }
    }
    panic!("too many pages");
}

/// A scratch directory for one test, removed when dropped.
pub fn scratch() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary directory")
}

/// Writes `text` to `dir/name` and returns the path as a string.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}
pub mod rss;
