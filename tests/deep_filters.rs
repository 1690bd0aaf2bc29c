//! Long and deep filters are bounded before any recursion can exhaust the
//! stack: every test runs on a thread with a 1 MiB stack, what a small
//! worker gets. Without the caps these abort the process (stack overflow).

use dynaquery::MemoryTable;
use dynaquery::{asc, col, not, sql, Engine, ErrorKind, Expr, KeyAttribute, Options, Query, Schema};

const STACK: usize = 1 << 20;

/// Runs `f` on a thread with a 1 MiB stack.
fn small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new().stack_size(STACK).spawn(f).unwrap().join().unwrap()
}

fn chain(n: usize, op: &str) -> String {
    let terms: Vec<String> = (0..n).map(|i| format!("a = {i}")).collect();
    format!("SELECT * FROM t WHERE {}", terms.join(op))
}

fn schema() -> Schema {
    Schema::new("t", KeyAttribute::s("id"))
}

#[test]
fn long_and_or_chains_in_sql_are_limit_errors() {
    for op in [" AND ", " OR "] {
        let sql = chain(9000, op);
        let kind = small_stack(move || sql::parse(&sql).map(|_| ()).unwrap_err().kind());
        assert_eq!(kind, ErrorKind::LimitExceeded, "{op}");
    }
    // Arithmetic chains are as deep as AND chains inside the parser.
    let sql = format!("SELECT * FROM t WHERE a = {}", vec!["1"; 9000].join(" + "));
    let err = small_stack(move || sql::parse(&sql).map(|_| ()).unwrap_err());
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
    assert!(err.message().contains("max_sql_operators"), "{err}");
}

#[test]
fn groups_nested_in_groups_add_up() {
    // 40 levels of 100 ANDs each: no level is long, the path through them is.
    let mut sql = String::from("SELECT * FROM t WHERE ");
    for _ in 0..30 {
        sql.push_str(&(0..100).map(|i| format!("a = {i} AND ")).collect::<String>());
        sql.push('(');
    }
    sql.push_str("a = 1");
    sql.push_str(&")".repeat(30));
    let err = small_stack(move || sql::parse(&sql).map(|_| ()).unwrap_err());
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
}

#[test]
fn deep_nesting_in_sql_is_a_limit_error() {
    for sql in [
        format!("SELECT * FROM t WHERE {}a = 1{}", "(".repeat(10_000), ")".repeat(10_000)),
        format!("SELECT * FROM t WHERE {}a = 1", "NOT ".repeat(10_000)),
    ] {
        let err = small_stack(move || sql::parse(&sql).map(|_| ()).unwrap_err());
        assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
        assert!(err.message().contains("max_filter_depth"), "{err}");
    }
}

#[test]
fn overlong_sql_is_a_limit_error_and_the_caps_are_options() {
    let sql = format!("SELECT * FROM t WHERE a IN ({})", vec!["'x'"; 30_000].join(", "));
    let err = sql::parse(&sql).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
    assert!(err.message().contains("max_sql_len"), "{err}");
    // Raised caps let it through (it is only long, not deep).
    let opts = Options::default().max_sql_len(200_000);
    assert!(sql::parse_with_options(&sql, &[], &opts).is_ok());
    let opts = Options::default().max_sql_operators(5);
    let err = sql::parse_with_options(&chain(4, " AND "), &[], &opts).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
    let opts = Options::default().max_filter_depth(3);
    let err =
        sql::parse_with_options("SELECT * FROM t WHERE NOT (a = 1 OR NOT (b = 2))", &[], &opts).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
}

#[test]
fn what_the_caps_allow_runs_on_a_small_stack() {
    // 200 predicates (the max_predicates default) on keyword-named columns,
    // with BETWEEN and IS NOT NULL, fit the operator cap and a 1 MiB stack.
    let terms: Vec<String> = (0..200)
        .map(|i| match i % 3 {
            0 => format!("status = 'p{i}'"),
            1 => format!("total BETWEEN {i} AND {}", i + 1),
            _ => "country IS NOT NULL".to_owned(),
        })
        .collect();
    let sql = format!("SELECT * FROM t WHERE {} ORDER BY id", terms.join(" OR "));
    let explained = small_stack(move || {
        let stmt = sql::parse(&sql).unwrap();
        let engine = Engine::new(schema(), MemoryTable::new(schema()));
        // Planning lowers, validates and prints it: every walk over the tree.
        // (Running it would be refused: its FilterExpression is over 4 KB.)
        engine.plan(&stmt.query.allow_scan(true)).unwrap().to_string()
    });
    assert!(explained.contains("Scan"), "{explained}");
}

#[test]
fn deep_builder_filters_are_limit_errors_before_any_walk() {
    let err = small_stack(|| {
        let mut e = col("a").eq(1);
        for _ in 0..200_000 {
            e = not(e);
        }
        let q = Query::new().filter(e).order_by(asc("id")).allow_scan(true).offset(3);
        let engine = Engine::new(schema(), MemoryTable::new(schema()));
        let err = futures::executor::block_on(engine.fetch(&q)).unwrap_err();
        let plan_err = engine.plan(&q).unwrap_err();
        assert_eq!(plan_err.kind(), ErrorKind::LimitExceeded);
        // Dropping it would recurse as deep as it nests: the caller's
        // concern, not the library's.
        std::mem::forget(q);
        err
    });
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
    assert!(err.message().contains("max_filter_depth"), "{err}");
}

#[test]
fn deep_and_or_nesting_built_by_hand_is_a_limit_error() {
    let err = small_stack(|| {
        let mut e = col("a").eq(1);
        for i in 0..200_000 {
            e = if i % 2 == 0 {
                Expr::And(vec![e, col("b").eq(i)])
            } else {
                Expr::Or(vec![e, col("b").eq(i)])
            };
        }
        let engine = Engine::new(schema(), MemoryTable::new(schema()));
        let q = Query::new().filter(e).allow_scan(true);
        let err = engine.plan(&q).unwrap_err();
        std::mem::forget(q);
        err
    });
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
}
