//! The SQL front-end (`dynaquery::sql`): random queries rendered to SQL and
//! parsed back (round trip, and the engine's pages against the reference),
//! every supported construct, and one test per rejected construct.

mod common;

use common::sql_render::{self, normalized, render, Style};
use common::{all_pages, gen, reference};
use dynaquery::sql::{self, Statement, StatementKind};
use dynaquery::{
    asc, col, desc, item, not, Engine, ErrorKind, Expr, Index, Item, KeyAttribute, MemoryTable, Options,
    Query, Schema, Value,
};
use futures::executor::block_on;
use proptest::prelude::*;

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default)
}

fn engine_for(items: &[Item]) -> Engine<MemoryTable> {
    let table = MemoryTable::new(gen::schema());
    for it in items {
        table.put(it.clone()).unwrap();
    }
    Engine::new(gen::schema(), table)
}

/// Renders `q` in `style`, parses it back, and checks the round trip.
fn round_trip(q: &Query, style: Style) -> Result<Statement, TestCaseError> {
    let r = render(q, "t", style);
    let stmt = sql::parse_with(&r.sql, &r.params)
        .map_err(|e| TestCaseError::fail(format!("{e:?}\nSQL: {}\nparams: {:?}", r.sql, r.params)))?;
    prop_assert_eq!(&stmt.table, "t");
    prop_assert_eq!(stmt.offset, q.get_offset());
    prop_assert_eq!(stmt.query.clone().allow_scan(true), normalized(q), "SQL: {}", r.sql);
    Ok(stmt)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(1000), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    /// 1 000 cases by default (`PROPTEST_CASES` overrides): a random query
    /// from `gen`, rendered to SQL (inline values, `$n` or `?` parameters;
    /// quoted or bare names; value-first comparisons; verbose ORDER BY) for
    /// page sizes 1, 2, 3, 7 and one larger, parses back to the same query,
    /// and its pages, concatenated, equal the reference.
    #[test]
    fn sql_round_trips_and_matches_the_reference(
        items in gen::table_strategy(80),
        q in gen::query_strategy(),
        big in 8usize..60,
        style in any::<u8>(),
    ) {
        let engine = engine_for(&items);
        let want = reference::run(&q, &gen::pk(), &items);
        for (i, size) in [1, 2, 3, 7, big].into_iter().enumerate() {
            let style = Style::from_bits(style.wrapping_add(i as u8 * 37));
            let sized = q.clone().limit(size);
            let stmt = round_trip(&sized, style)?;
            // With an index hint, quoted or not (round trip only: a forced
            // index need not serve the query).
            let index = ["by_p_s", "by_p_y", "by_pq_sy"][size % 3];
            let hinted = round_trip(&sized.clone().index(index), style)?;
            prop_assert_eq!(hinted.index.as_deref(), Some(index));
            let parsed = stmt.query.allow_scan(true);
            let got = block_on(all_pages(&engine, &parsed, items.len() + 2))
                .map_err(|e| TestCaseError::fail(format!("page size {size}: {e}")))?;
            prop_assert_eq!(&got, &want, "page size {}; SQL: {}", size, render(&sized, "t", style).sql);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(300), max_shrink_iters: 1000, ..ProptestConfig::default() })]

    /// 300 cases by default: `LIMIT n OFFSET k` parsed from SQL, then paged
    /// to the end through cursors, equals the reference without its first
    /// `k` rows — also when skipping takes several chunks (a page-size cap
    /// of 4) and when the offset passes the end.
    #[test]
    fn offset_pages_match_the_reference(
        items in gen::table_strategy(60),
        q in gen::query_strategy(),
        size in 1usize..9,
        offset in 0u64..70,
        style in any::<u8>(),
        small_cap in any::<bool>(),
    ) {
        let mut engine = engine_for(&items);
        if small_cap {
            engine = engine.with_options(Options::default().max_page_size(4));
        }
        let size = if small_cap { size.min(4) } else { size };
        let want: Vec<Item> = reference::run(&q, &gen::pk(), &items).into_iter().skip(offset as usize).collect();
        let stmt = round_trip(&q.clone().limit(size).offset(offset), Style::from_bits(style))?;
        let got = block_on(all_pages(&engine, &stmt.query.allow_scan(true), items.len() + 2))
            .map_err(|e| TestCaseError::fail(format!("offset {offset}, page size {size}: {e}")))?;
        prop_assert_eq!(&got, &want, "offset {}, page size {}", offset, size);
    }
}

// ---------------------------------------------------------------- supported

fn parse(sql: &str) -> Statement {
    match sql::parse(sql) {
        Ok(s) => s,
        Err(e) => panic!("{sql}: {e:?}"),
    }
}

/// The filter `WHERE …` becomes.
fn filter(where_clause: &str) -> Expr {
    let stmt = parse(&format!("SELECT * FROM orders WHERE {where_clause}"));
    stmt.query.get_filter().cloned().unwrap()
}

fn n(text: &str) -> Value {
    Value::number(text).unwrap()
}

#[test]
fn comparison_operators() {
    assert_eq!(filter("total = 5"), col("total").eq(5));
    assert_eq!(filter("total <> 5"), col("total").ne(5));
    assert_eq!(filter("total != 5"), col("total").ne(5));
    assert_eq!(filter("total < 5"), col("total").lt(5));
    assert_eq!(filter("total <= 5"), col("total").le(5));
    assert_eq!(filter("total > 5"), col("total").gt(5));
    assert_eq!(filter("total >= 5"), col("total").ge(5));
}

#[test]
fn value_on_the_left_is_flipped() {
    assert_eq!(filter("5 = total"), col("total").eq(5));
    assert_eq!(filter("5 <> total"), col("total").ne(5));
    assert_eq!(filter("5 < total"), col("total").gt(5));
    assert_eq!(filter("5 <= total"), col("total").ge(5));
    assert_eq!(filter("5 > total"), col("total").lt(5));
    assert_eq!(filter("5 >= total"), col("total").le(5));
}

#[test]
fn between_and_not_between() {
    assert_eq!(filter("total BETWEEN 10 AND 20"), col("total").between(10, 20));
    assert_eq!(filter("total NOT BETWEEN 10 AND 20"), not(col("total").between(10, 20)));
    assert_eq!(
        filter("created_at BETWEEN '2026-10-25' AND '2026-11-24'"),
        col("created_at").between("2026-10-25", "2026-11-24")
    );
}

#[test]
fn in_and_not_in() {
    assert_eq!(filter("status IN ('paid', 'shipped')"), col("status").is_in(["paid", "shipped"]));
    assert_eq!(filter("status NOT IN ('new')"), not(col("status").is_in(["new"])));
    assert_eq!(filter("x IN (1, 'a', TRUE)"), col("x").is_in([Value::from(1), "a".into(), true.into()]));
}

#[test]
fn is_null_and_is_not_null() {
    assert_eq!(filter("country IS NULL"), col("country").is_null());
    assert_eq!(filter("country IS NOT NULL"), col("country").is_not_null());
}

#[test]
fn like_prefix_becomes_begins_with() {
    assert_eq!(filter("order_id LIKE 'o-1%'"), col("order_id").begins_with("o-1"));
    assert_eq!(filter("order_id NOT LIKE 'o-1%'"), not(col("order_id").begins_with("o-1")));
    assert_eq!(filter("order_id LIKE '%'"), col("order_id").begins_with(""));
    // Escaped wildcards are literal characters of the prefix.
    assert_eq!(filter(r"code LIKE '50\%\_off%'"), col("code").begins_with("50%_off"));
    assert_eq!(filter("code LIKE '50!%off%' ESCAPE '!'"), col("code").begins_with("50%off"));
    assert_eq!(filter("code LIKE 'it''s%'"), col("code").begins_with("it's"));
    let stmt = sql::parse_with("SELECT * FROM t WHERE code LIKE $1", &[Value::from("ab%")]).unwrap();
    assert_eq!(stmt.query.get_filter(), Some(&col("code").begins_with("ab")));
}

#[test]
fn contains_function() {
    assert_eq!(filter("contains(tags, 'red')"), col("tags").contains("red"));
    assert_eq!(filter("CONTAINS(title, 'sale')"), col("title").contains("sale"));
}

#[test]
fn and_or_not_and_parentheses() {
    let a = || col("a").eq(1);
    let b = || col("b").eq(2);
    let c = || col("c").eq(3);
    // AND binds tighter than OR.
    assert_eq!(filter("a = 1 OR b = 2 AND c = 3"), Expr::Or(vec![a(), Expr::And(vec![b(), c()])]));
    assert_eq!(filter("a = 1 AND b = 2 OR c = 3"), Expr::Or(vec![Expr::And(vec![a(), b()]), c()]));
    // Parentheses override it, and each group stays a node.
    assert_eq!(filter("(a = 1 OR b = 2) AND c = 3"), Expr::And(vec![Expr::Or(vec![a(), b()]), c()]));
    assert_eq!(filter("a = 1 AND (b = 2 AND c = 3)"), Expr::And(vec![a(), Expr::And(vec![b(), c()])]));
    // An unparenthesized chain is one node.
    assert_eq!(filter("a = 1 AND b = 2 AND c = 3"), Expr::And(vec![a(), b(), c()]));
    assert_eq!(filter("a = 1 OR b = 2 OR c = 3"), Expr::Or(vec![a(), b(), c()]));
    // NOT binds tighter than AND; redundant parentheses vanish.
    assert_eq!(filter("NOT a = 1 AND b = 2"), Expr::And(vec![not(a()), b()]));
    assert_eq!(filter("NOT (a = 1 AND b = 2)"), not(Expr::And(vec![a(), b()])));
    assert_eq!(filter("((a = 1))"), a());
}

#[test]
fn quoted_identifiers_and_reserved_words() {
    let stmt = parse(
        r#"SELECT "status", total, "order" FROM orders WHERE status = 'paid' AND "total" > 5 AND "order" = 1 AND "odd name" = 'x' ORDER BY "created_at" DESC"#,
    );
    assert_eq!(
        stmt.query,
        Query::new()
            .select(["status", "total", "order"])
            .filter(Expr::And(vec![
                col("status").eq("paid"),
                col("total").gt(5),
                col("order").eq(1),
                col("odd name").eq("x"),
            ]))
            .order_by(desc("created_at"))
    );
    // Names are case-sensitive, as DynamoDB's are: no folding to lower case.
    assert_eq!(filter("Status = 'paid'"), col("Status").eq("paid"));
    assert_eq!(filter(r#""a""b" = 1"#), col(r#"a"b"#).eq(1));
}

#[test]
fn literals() {
    assert_eq!(filter("s = 'it''s'"), col("s").eq("it's"));
    assert_eq!(filter("s = 'é\u{1f600}'"), col("s").eq("é\u{1f600}"));
    assert_eq!(filter(r"s = 'a\b'"), col("s").eq(r"a\b"));
    assert_eq!(filter("s = ''"), col("s").eq(""));
    // Exact decimals, never through f64.
    let big = "99999999999999999999999999999999999999";
    assert_eq!(filter(&format!("t = {big}")), col("t").eq(n(big)));
    assert_eq!(filter("t = 0.1"), col("t").eq(n("0.1")));
    assert_eq!(filter("t = -12.50"), col("t").eq(n("-12.5")));
    assert_eq!(filter("t = +3"), col("t").eq(3));
    assert_eq!(filter("t = 1E-100"), col("t").eq(n("1E-100")));
    assert_eq!(filter("t = -1.5e3"), col("t").eq(-1500));
    assert_eq!(filter("b = TRUE"), col("b").eq(true));
    assert_eq!(filter("b = false"), col("b").eq(false));
    assert_eq!(filter("bin = X'00fF'"), col("bin").eq(Value::B(vec![0, 255])));
}

#[test]
fn bind_parameters_in_both_styles() {
    let params = [Value::from("paid"), n("10.25"), Value::from(true), Value::from(20), Value::from(3)];
    let want = Query::new()
        .filter(Expr::And(vec![col("status").eq("paid"), col("total").gt(n("10.25")), col("vip").eq(true)]))
        .limit(20)
        .offset(3);
    let dollar = sql::parse_with(
        "SELECT * FROM o WHERE status = $1 AND total > $2 AND vip = $3 LIMIT $4 OFFSET $5",
        &params,
    )
    .unwrap();
    assert_eq!(dollar.query, want);
    assert_eq!(dollar.offset, 3);
    let question = sql::parse_with(
        "SELECT * FROM o WHERE status = ? AND total > ? AND vip = ? LIMIT ? OFFSET ?",
        &params,
    )
    .unwrap();
    assert_eq!(question, dollar);
    // `$n` may repeat, and come in any order.
    let stmt =
        sql::parse_with("SELECT * FROM o WHERE a = $2 OR b = $1 OR c = $2", &[1.into(), 2.into()]).unwrap();
    assert_eq!(
        stmt.query.get_filter(),
        Some(&Expr::Or(vec![col("a").eq(2), col("b").eq(1), col("c").eq(2)]))
    );
    // `?` binds in text order even when OFFSET comes first.
    let stmt = sql::parse_with("SELECT * FROM o OFFSET ? LIMIT ?", &[5.into(), 7.into()]);
    if let Ok(stmt) = stmt {
        assert_eq!((stmt.offset, stmt.query.get_limit()), (5, 7));
    }
    // Parameters are data: SQL in a value stays a string.
    let stmt = sql::parse_with("SELECT * FROM o WHERE a = ?", &[Value::from("x' OR '1'='1")]).unwrap();
    assert_eq!(stmt.query.get_filter(), Some(&col("a").eq("x' OR '1'='1")));
    // Values of any type bind; sets too (contains).
    let stmt = sql::parse_with("SELECT * FROM o WHERE bin = $1", &[Value::B(vec![1, 2])]).unwrap();
    assert_eq!(stmt.query.get_filter(), Some(&col("bin").eq(Value::B(vec![1, 2]))));
}

#[test]
fn order_by_limit_offset() {
    let stmt = parse("SELECT * FROM orders ORDER BY created_at DESC, total DESC NULLS FIRST, order_id, x ASC NULLS LAST LIMIT 25 OFFSET 100;");
    assert_eq!(
        stmt.query,
        Query::new()
            .order_by(desc("created_at"))
            .order_by(desc("total"))
            .order_by(asc("order_id"))
            .order_by(asc("x"))
            .limit(25)
            .offset(100)
    );
    assert_eq!(stmt.offset, 100);
    let stmt = parse("select * from orders");
    assert_eq!(stmt.query, Query::new());
    assert_eq!(stmt.offset, 0);
    assert_eq!(stmt.query.get_limit(), dynaquery::Query::DEFAULT_LIMIT);
    assert_eq!(parse("SELECT * FROM o LIMIT 1E+2").query.get_limit(), 100);
}

#[test]
fn the_orders_query() {
    let stmt = parse(
        "SELECT order_id, user_id, status, country, total, created_at
         FROM orders
         WHERE status IN ('paid', 'shipped')
           AND country = 'FR'
           AND created_at BETWEEN '2026-10-25T00:00:00Z' AND '2026-11-24T00:00:00Z'
         ORDER BY created_at DESC, total DESC, order_id ASC
         LIMIT 50",
    );
    assert_eq!((stmt.table.as_str(), stmt.index.as_deref(), stmt.offset), ("orders", None, 0));
    assert_eq!(
        stmt.query,
        Query::new()
            .select(["order_id", "user_id", "status", "country", "total", "created_at"])
            .filter(col("status").is_in(["paid", "shipped"]))
            .filter(col("country").eq("FR"))
            .filter(col("created_at").between("2026-10-25T00:00:00Z", "2026-11-24T00:00:00Z"))
            .order_by(desc("created_at"))
            .order_by(desc("total"))
            .order_by(asc("order_id"))
            .limit(50)
    );
    assert_eq!(stmt.clone().into_query(), stmt.query);
}

fn orders_schema() -> Schema {
    Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .index(Index::gsi("status_total", [KeyAttribute::s("status")], [KeyAttribute::n("total")]))
        .always_present(["status", "created_at", "total"])
}

fn orders() -> Engine<MemoryTable> {
    let table = MemoryTable::new(orders_schema());
    for i in 0..30i64 {
        let status = ["paid", "shipped", "new"][(i % 3) as usize];
        table
            .put(item([
                ("order_id", Value::from(format!("o-{i:02}"))),
                ("status", status.into()),
                ("total", Value::from((i * 7) % 11)),
                ("created_at", Value::from(format!("2026-11-{:02}", 1 + i % 5))),
            ]))
            .unwrap();
    }
    Engine::new(orders_schema(), table)
}

#[test]
fn index_hint() {
    let stmt = parse(r#"SELECT * FROM orders."status-created_at" WHERE status = 'paid'"#);
    assert_eq!((stmt.table.as_str(), stmt.index.as_deref()), ("orders", Some("status-created_at")));
    assert_eq!(stmt.query.get_index(), Some("status-created_at"));
    let stmt = parse("SELECT * FROM orders.status_total WHERE status = 'paid' ORDER BY total");
    assert_eq!(stmt.index.as_deref(), Some("status_total"));
    assert_eq!(
        stmt.query,
        Query::new().index("status_total").filter(col("status").eq("paid")).order_by(asc("total"))
    );
    let stmt = parse(r#"SELECT * FROM "orders"."status_total""#);
    assert_eq!((stmt.table.as_str(), stmt.index.as_deref()), ("orders", Some("status_total")));

    // The hint reaches the planner: the same query plans on the index it names.
    let engine = orders();
    for index in ["status-created_at", "status_total"] {
        let stmt = parse(&format!(
            r#"SELECT * FROM orders."{index}" WHERE status = 'paid' ORDER BY created_at DESC"#
        ));
        let plan = engine.plan(&stmt.query).unwrap();
        assert_eq!(plan.index(), Some(index), "{plan}");
        let rows = block_on(all_pages(&engine, &stmt.query, 50)).unwrap();
        assert_eq!(rows.len(), 10);
    }
}

#[test]
fn offset_against_the_reference() {
    let engine = orders();
    let q = parse(
        "SELECT * FROM orders WHERE status IN ('paid', 'shipped') ORDER BY created_at DESC, total LIMIT 3",
    )
    .query;
    let all = block_on(all_pages(&engine, &q, 100)).unwrap();
    let want_all = {
        let items = block_on(all_pages(&engine, &Query::new().allow_scan(true).limit(1000), 10)).unwrap();
        reference::run(&q, &["order_id"], &items)
    };
    assert_eq!(all, want_all);
    assert_eq!(all.len(), 20);
    for offset in [0u64, 1, 2, 3, 5, 19, 20, 21, 100] {
        let stmt = parse(&format!(
            "SELECT * FROM orders WHERE status IN ('paid', 'shipped') ORDER BY created_at DESC, total LIMIT 3 OFFSET {offset}"
        ));
        assert_eq!(stmt.offset, offset);
        // First page: the reference's rows after the offset.
        let first = block_on(engine.fetch(&stmt.query)).unwrap();
        let want: Vec<Item> = all.iter().skip(offset as usize).take(3).cloned().collect();
        assert_eq!(first.rows, want, "offset {offset}");
        // The page's cursor continues after it, with or without the offset on the query.
        let rest = block_on(all_pages(&engine, &stmt.query, 100)).unwrap();
        assert_eq!(rest, all.iter().skip(offset as usize).cloned().collect::<Vec<_>>(), "offset {offset}");
        if let Some(c) = &first.next_cursor {
            let without = block_on(engine.fetch(&q.clone().cursor(c.clone()))).unwrap();
            let with = block_on(engine.fetch(&stmt.query.clone().cursor(c.clone()))).unwrap();
            assert_eq!(with.rows, without.rows, "the offset is not applied again after a cursor");
            assert_eq!(with.rows, all.iter().skip(offset as usize + 3).take(3).cloned().collect::<Vec<_>>());
        }
        // Skipping costs reads, and the stats say so.
        if offset >= 3 {
            let plain = block_on(engine.fetch(&q)).unwrap();
            assert!(first.stats.items_read > plain.stats.items_read, "offset {offset}: {:?}", first.stats);
        }
    }
}

#[test]
fn offset_in_chunks_when_the_page_size_is_capped() {
    let engine = orders().with_options(Options::default().max_page_size(2));
    let q = parse("SELECT order_id FROM orders WHERE status = 'new' ORDER BY total DESC LIMIT 2").query;
    let all = block_on(all_pages(&engine, &q, 100)).unwrap();
    assert_eq!(all.len(), 10);
    for offset in 0..12u64 {
        let got = block_on(all_pages(&engine, &q.clone().offset(offset), 100)).unwrap();
        assert_eq!(got, all.iter().skip(offset as usize).cloned().collect::<Vec<_>>(), "offset {offset}");
    }
}

// -------------------------------------------------------------- unsupported

/// `(line, column)` of the first `at` in `sql`, counted from 1 in characters.
fn location_of(sql: &str, at: &str) -> (u64, u64) {
    let i = sql.find(at).unwrap_or_else(|| panic!("{at:?} not in {sql:?}"));
    let before = &sql[..i];
    let line = before.matches('\n').count() as u64 + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() as u64 + 1;
    (line, column)
}

/// `sql` fails with an `ErrorKind::Sql` error whose message names `names`
/// and whose location is where `at` starts (`None`: no location).
fn rejects_with(sql: &str, params: &[Value], names: &str, at: Option<&str>) -> dynaquery::Error {
    let e = match sql::parse_with(sql, params) {
        Ok(stmt) => panic!("{sql} parsed: {stmt:?}"),
        Err(e) => e,
    };
    assert_eq!(e.kind(), ErrorKind::Sql, "{sql}: {e:?}");
    assert!(e.message().contains(names), "{sql}: the message {:?} does not name {names:?}", e.message());
    assert_eq!(e.sql_location(), at.map(|at| location_of(sql, at)), "{sql}: {e}");
    if let Some((line, column)) = e.sql_location() {
        assert!(e.message().contains(&format!("line {line}, column {column}")), "{}", e.message());
    }
    e
}

fn rejects(sql: &str, names: &str, at: &str) -> dynaquery::Error {
    rejects_with(sql, &[], names, Some(at))
}

#[test]
fn rejects_join() {
    rejects("SELECT * FROM orders JOIN users ON orders.user_id = users.id", "JOIN", "users ON");
    rejects("SELECT * FROM orders LEFT JOIN users ON user_id = id", "JOIN", "users ON");
}

#[test]
fn rejects_implicit_join() {
    rejects("SELECT * FROM orders, users", "more than one table", "users");
}

#[test]
fn rejects_aggregates() {
    let e = rejects("SELECT status, sum(total) FROM orders", "aggregate SUM()", "sum(");
    assert!(e.message().contains("aggregate in your service"), "{e}");
    rejects("SELECT * FROM orders WHERE AVG(total) > 5", "aggregate AVG()", "AVG");
}

#[test]
fn rejects_group_by() {
    let e = rejects("SELECT * FROM orders\nGROUP BY status", "GROUP BY", "status");
    assert!(e.message().contains("GROUP BY goes with SELECT COUNT(*) only"), "{e}");
    assert!(e.message().contains("aggregate other values in your service"), "{e}");
}

/// `SELECT COUNT(*) FROM t WHERE …`: a count statement with the query's
/// filter, which `Engine::count` runs.
#[test]
fn count_star_is_a_count_statement() {
    let s = sql::parse("SELECT COUNT(*) FROM orders WHERE status = 'paid' AND country <> 'FR'").unwrap();
    assert_eq!(s.kind, StatementKind::Count { group_by: None });
    assert_eq!(s.query, Query::new().filter(col("status").eq("paid").and(col("country").ne("FR"))));
    let lower = sql::parse("select count(*) from orders.by_status where status = $1").unwrap_err();
    assert!(lower.message().contains("has no value"), "{lower}");
    let lower = sql::parse_with("select count(*) from orders.by_status where status = $1", &["paid".into()]);
    let lower = lower.unwrap();
    assert_eq!(lower.kind, StatementKind::Count { group_by: None });
    assert_eq!(lower.query, Query::new().index("by_status").filter(col("status").eq("paid")));
    assert_eq!(sql::parse("SELECT * FROM orders").unwrap().kind, StatementKind::Rows);
}

/// `SELECT status, COUNT(*) … WHERE status IN (…) GROUP BY status`: a count
/// grouped by the column, which `Engine::count_by` runs (one count per
/// partition-key value); `ORDER BY` the grouped column orders the groups.
#[test]
fn count_grouped_by_one_column_is_a_grouped_count_statement() {
    let s = sql::parse(
        "SELECT status, COUNT(*) FROM orders WHERE status IN ('paid', 'shipped') GROUP BY status ORDER BY status DESC",
    )
    .unwrap();
    assert_eq!(s.kind, StatementKind::Count { group_by: Some("status".into()) });
    assert_eq!(
        s.query,
        Query::new().filter(col("status").is_in(["paid", "shipped"])).order_by(desc("status"))
    );
    let swapped = sql::parse("SELECT COUNT(*), status FROM orders WHERE status IN ('paid') GROUP BY status");
    assert_eq!(swapped.unwrap().kind, StatementKind::Count { group_by: Some("status".into()) });
    let bare = sql::parse("SELECT COUNT(*) FROM orders WHERE status IN ('paid') GROUP BY status").unwrap();
    assert_eq!(bare.kind, StatementKind::Count { group_by: Some("status".into()) });
}

/// Both count shapes, parsed and run, against the reference.
#[test]
fn count_statements_match_the_reference() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..40 {
        let items =
            proptest::strategy::ValueTree::current(&gen::table_strategy(80).new_tree(&mut runner).unwrap());
        let engine = engine_for(&items);
        let stmt = sql::parse(
            "SELECT COUNT(*) FROM t WHERE p IN ('p01', 'p02', 'p03') AND (x <> 'a' OR s >= 1) AND y IS NOT NULL",
        )
        .unwrap();
        let want = reference::run(&stmt.query, &gen::pk(), &items);
        assert_eq!(block_on(engine.count(&stmt.query)).unwrap().total, want.len() as u64);
        let grouped = sql::parse(
            "SELECT p, COUNT(*) FROM t WHERE p IN ('p01', 'p02', 'p03') AND x <> 'a' AND y IS NOT NULL GROUP BY p ORDER BY p DESC",
        )
        .unwrap();
        let StatementKind::Count { group_by: Some(g) } = &grouped.kind else { panic!("{:?}", grouped.kind) };
        let got = block_on(engine.count_by(&grouped.query, g)).unwrap();
        let want = reference::run(&grouped.query.clone().order_by(asc("id")), &gen::pk(), &items);
        for group in &got.groups {
            let n = want.iter().filter(|r| r.get("p") == Some(&group.value)).count() as u64;
            assert_eq!(group.count, n, "{:?}", group.value);
            assert!(n > 0);
        }
        let values: Vec<&Value> = got.groups.iter().map(|g| &g.value).collect();
        assert!(
            values.windows(2).all(|w| sql_render::literal(w[0]) > sql_render::literal(w[1])),
            "{values:?}"
        );
        assert_eq!(got.groups.iter().map(|g| g.count).sum::<u64>(), want.len() as u64);
    }
}

#[test]
fn rejects_count_shapes_other_than_count_star() {
    let e = rejects("SELECT COUNT(total) FROM orders", "only COUNT(*) is supported", "COUNT");
    assert!(e.message().contains("IS NOT NULL"), "{e}");
    rejects("SELECT COUNT(DISTINCT status) FROM orders", "only COUNT(*) is supported", "COUNT");
    rejects("SELECT COUNT(*) AS n FROM orders", "the alias `AS n`", "COUNT");
    rejects("SELECT COUNT(*), COUNT(*) FROM orders", "COUNT(*) twice", "COUNT(*) FROM");
    let e = rejects("SELECT status, COUNT(*) FROM orders", "without GROUP BY status", "status");
    assert!(e.message().contains("add `GROUP BY status`"), "{e}");
    rejects("SELECT country, COUNT(*) FROM orders GROUP BY status", "column country", "country");
    rejects("SELECT COUNT(*) FROM orders GROUP BY status, country", "more than one column", "country");
    rejects("SELECT COUNT(*) FROM orders GROUP BY lower(status)", "GROUP BY the expression", "lower");
    rejects(
        "SELECT COUNT(*) FROM orders ORDER BY created_at",
        "ORDER BY created_at on a COUNT",
        "created_at",
    );
    rejects("SELECT COUNT(*) FROM orders LIMIT 5", "LIMIT / OFFSET on a COUNT", "5");
    rejects("SELECT COUNT(*) FROM orders OFFSET 5", "LIMIT / OFFSET on a COUNT", "5");
    rejects("SELECT * FROM orders WHERE COUNT(*) > 1", "aggregate COUNT()", "COUNT");
}

#[test]
fn rejects_having() {
    rejects("SELECT * FROM orders HAVING total > 5", "HAVING", "total >");
}

#[test]
fn rejects_subqueries() {
    rejects("SELECT * FROM orders WHERE user_id IN (SELECT id FROM users)", "subquery", "user_id IN");
    rejects("SELECT * FROM orders WHERE total > (SELECT 1)", "subquery", "SELECT 1");
    rejects("SELECT * FROM orders WHERE EXISTS (SELECT 1)", "subquery", "SELECT 1");
    rejects("SELECT * FROM (SELECT * FROM orders)", "subquery in FROM", "SELECT * FROM orders)");
}

#[test]
fn rejects_functions() {
    rejects("SELECT * FROM orders WHERE lower(country) = 'fr'", "function lower()", "lower");
    let e = rejects("SELECT * FROM orders WHERE created_at > now()", "function now()", "now()");
    assert!(e.message().contains("bind it as a parameter"), "{e}");
    let e =
        rejects("SELECT * FROM orders WHERE begins_with(id, 'a')", "function begins_with()", "begins_with");
    assert!(e.message().contains("LIKE 'prefix%'"), "{e}");
    rejects("SELECT upper(country) FROM orders", "function upper()", "upper");
    rejects("SELECT * FROM orders WHERE contains(tags)", "contains() takes a column and a value", "contains");
}

#[test]
fn rejects_distinct() {
    rejects("SELECT DISTINCT status FROM orders", "DISTINCT", "SELECT");
}

#[test]
fn rejects_union() {
    rejects("SELECT * FROM a UNION SELECT * FROM b", "UNION", "SELECT * FROM b");
    rejects("SELECT * FROM a EXCEPT SELECT * FROM b", "EXCEPT", "SELECT * FROM b");
}

#[test]
fn rejects_window_functions() {
    rejects(
        "SELECT row_number() OVER (ORDER BY total) FROM orders",
        "window function ROW_NUMBER()",
        "row_number",
    );
}

#[test]
fn rejects_cte() {
    rejects("WITH paid AS (SELECT * FROM orders) SELECT * FROM paid", "WITH", "WITH");
}

#[test]
fn rejects_writes_and_ddl() {
    rejects("INSERT INTO orders (id) VALUES ('o-1')", "INSERT statement", "INSERT");
    rejects("UPDATE orders SET total = 1 WHERE id = 'o'", "UPDATE statement", "UPDATE");
    rejects("DELETE FROM orders WHERE id = 'o'", "DELETE statement", "DELETE");
    rejects("  CREATE TABLE t (a INT)", "CREATE statement", "CREATE");
    rejects("DROP TABLE orders", "DROP statement", "DROP");
    let e = rejects("EXPLAIN SELECT * FROM orders", "EXPLAIN statement", "EXPLAIN");
    assert!(e.message().contains("Engine::plan"), "{e}");
}

#[test]
fn rejects_multiple_statements() {
    rejects("SELECT * FROM a;\n SELECT * FROM b", "more than one statement", "SELECT * FROM b");
}

#[test]
fn rejects_expressions_and_aliases_in_the_select_list() {
    rejects("SELECT total * 2 FROM orders", "expression `total * 2` in the select list", "total");
    rejects("SELECT total AS t FROM orders", "alias `AS t`", "total AS");
    rejects("SELECT *, total FROM orders", "`*` together with other columns", "*");
    rejects("SELECT o.* FROM orders", "`o.*`", "o.*");
}

#[test]
fn rejects_arithmetic_in_predicates() {
    rejects("SELECT * FROM orders WHERE total + 1 > 5", "arithmetic (`+`)", "total +");
    rejects("SELECT * FROM orders WHERE total > 2 * 3", "arithmetic (`*`)", "2 *");
    rejects("SELECT * FROM orders WHERE total > -x", "arithmetic (a sign on an expression)", "x");
}

#[test]
fn rejects_column_to_column_comparisons() {
    rejects("SELECT * FROM orders WHERE total > discount", "column-to-column comparison", "total >");
    rejects(
        "SELECT * FROM orders WHERE total BETWEEN lo AND 5",
        "column `lo` as an operand of BETWEEN",
        "lo AND",
    );
    rejects("SELECT * FROM orders WHERE 1 = 2", "comparison of two values", "1 = 2");
}

#[test]
fn rejects_select_without_from() {
    rejects("SELECT 1", "SELECT without FROM", "SELECT");
}

#[test]
fn rejects_like_that_is_not_a_prefix() {
    let e = rejects("SELECT * FROM orders WHERE country LIKE '%FR'", "LIKE pattern '%FR'", "'%FR'");
    assert!(e.message().contains("before the end"), "{e}");
    rejects("SELECT * FROM orders WHERE country LIKE 'F_%'", "LIKE pattern 'F_%'", "'F_%'");
    rejects("SELECT * FROM orders WHERE country LIKE 'FR'", "LIKE pattern 'FR'", "'FR'");
    rejects("SELECT * FROM orders WHERE country ILIKE 'fr%'", "ILIKE", "country ILIKE");
}

#[test]
fn rejects_fetch_and_top() {
    rejects("SELECT * FROM orders FETCH FIRST 5 ROWS ONLY", "FETCH FIRST", "5");
    let e = sql::parse("SELECT TOP 5 * FROM orders").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Sql);
    assert!(e.message().contains("TOP"), "{e}");
}

#[test]
fn rejects_nulls_placement_against_the_default() {
    rejects("SELECT * FROM o ORDER BY a ASC NULLS FIRST", "NULLS FIRST on the ascending `a`", "a ASC");
    rejects("SELECT * FROM o ORDER BY a NULLS FIRST", "NULLS FIRST on the ascending `a`", "a NULLS");
    rejects("SELECT * FROM o ORDER BY b, a DESC NULLS LAST", "NULLS LAST on the descending `a`", "a DESC");
}

#[test]
fn rejects_null_operands() {
    let e = rejects("SELECT * FROM orders WHERE country = NULL", "NULL as an operand", "NULL");
    assert!(e.message().contains("IS NULL"), "{e}");
    rejects("SELECT * FROM orders WHERE country IN ('FR', NULL)", "NULL as an operand", "NULL");
    rejects_with(
        "SELECT * FROM orders WHERE country = $1",
        &[Value::Null],
        "parameter `$1` is NULL",
        Some("$1"),
    );
}

#[test]
fn rejects_bad_parameters() {
    let sql = "SELECT * FROM o WHERE a = $1 AND b = $3";
    rejects_with(sql, &[1.into(), 2.into()], "parameter `$3` (number 3) has no value", Some("$3"));
    let sql = "SELECT * FROM o WHERE a = ? AND b = ?";
    let e = sql::parse_with(sql, &[1.into()]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Sql);
    assert!(e.message().contains("parameter `?` (number 2) has no value"), "{e}");
    assert_eq!(e.sql_location(), Some((1, sql.rfind('?').unwrap() as u64 + 1)));
    let e = sql::parse_with("SELECT * FROM o WHERE a = $1", &[1.into(), 2.into()]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Sql);
    assert!(e.message().contains("$2 is never used"), "{e}");
    let e = sql::parse_with("SELECT * FROM o", &[1.into()]).unwrap_err();
    assert!(e.message().contains("never used"), "{e}");
    rejects_with(
        "SELECT * FROM o WHERE a = $1 AND b = ?",
        &[1.into(), 2.into()],
        "mixes `$n` and `?`",
        Some("?"),
    );
    rejects_with("SELECT * FROM o WHERE a = :name", &[1.into()], "parameter `:name`", Some(":name"));
}

#[test]
fn rejects_qualified_names_and_aliases() {
    rejects("SELECT * FROM orders WHERE o.total > 1", "qualified name `o.total`", "o.total");
    rejects("SELECT * FROM orders AS x", "table alias `x`", "x");
    rejects("SELECT * FROM db.orders.idx", "with 3 parts", "db.orders.idx");
}

#[test]
fn rejects_order_by_expressions_and_positions() {
    rejects("SELECT * FROM orders ORDER BY 1", "ordering by position or constant", "1");
    rejects("SELECT * FROM orders ORDER BY total * 2", "ordering by the expression `total * 2`", "total *");
}

#[test]
fn rejects_bad_limits_and_offsets() {
    rejects("SELECT * FROM o LIMIT 0", "LIMIT must be at least 1", "0");
    rejects("SELECT * FROM o LIMIT -1", "LIMIT must be a whole number", "1");
    rejects("SELECT * FROM o LIMIT 1.5", "LIMIT must be a whole number", "1.5");
    rejects("SELECT * FROM o LIMIT 'x'", "LIMIT must be a whole number", "'x'");
    rejects("SELECT * FROM o LIMIT 5 OFFSET 2.5", "OFFSET must be a whole number", "2.5");
    rejects_with(
        "SELECT * FROM o LIMIT $1",
        &[Value::from("ten")],
        "LIMIT must be a whole number",
        Some("$1"),
    );
}

#[test]
fn rejects_other_conditions() {
    rejects("SELECT * FROM o WHERE flag", "bare column `flag`", "flag");
    rejects("SELECT * FROM o WHERE flag IS TRUE", "flag IS TRUE", "flag IS");
    rejects("SELECT * FROM o WHERE CAST(a AS INT) = 1", "CAST", "a AS INT");
    rejects("SELECT * FROM o WHERE CASE WHEN a = 1 THEN TRUE END", "CASE", "CASE");
    rejects("SELECT * FROM o WHERE TRUE", "constant condition", "TRUE");
    rejects("SELECT * FROM o WHERE d = DATE '2026-01-01'", "typed literal", "'2026");
    rejects("SELECT * FROM o WHERE d > now() - INTERVAL '30 days'", "arithmetic (`-`)", "now()");
    rejects("SELECT * FROM o WHERE a IS DISTINCT FROM 1", "IS [NOT] DISTINCT FROM", "a IS");
}

#[test]
fn rejects_numbers_dynamodb_cannot_store() {
    rejects("SELECT * FROM o WHERE a = 1E+200", "the number `1E+200` is not valid", "1E+200");
    rejects(
        "SELECT * FROM o WHERE a = 123456789012345678901234567890123456789",
        "is not valid",
        "123456789012345678901234567890123456789",
    );
}

#[test]
fn rejects_locking_and_into() {
    rejects("SELECT * FROM orders FOR UPDATE", "FOR UPDATE", "SELECT");
    let e = sql::parse("SELECT * INTO copy FROM orders").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Sql);
    assert!(e.message().contains("INTO"), "{e}");
}

#[test]
fn syntax_errors_keep_the_parser_error_and_location() {
    let e = sql::parse("SELECT * FROM orders WHERE").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Sql);
    assert!(e.message().contains("does not parse"), "{e}");
    assert_eq!(e.sql_location(), Some((1, 27)), "the end of the text: {e}");
    let e = sql::parse("SELECT * FROM orders\nWHERE total >").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Sql);
    assert!(e.message().contains("does not parse"), "{e}");
    assert!(std::error::Error::source(&e).is_some());
    let e = sql::parse("SELECT * FROM orders WHERE a = 'unterminated").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Sql);
    assert_eq!(e.sql_location(), Some(location_of("SELECT * FROM orders WHERE a = 'unterminated", "'")));
    assert!(std::error::Error::source(&e).is_some());
    let e = sql::parse(r"SELECT * FROM orders.status-created_at").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Sql, "{e}");
    assert!(e.message().contains(r#"needs double quotes: FROM orders."status-created_at""#), "{e}");
    assert_eq!(e.sql_location(), Some((1, 28)));
    let e = sql::parse("").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Sql);
    assert!(e.message().contains("no statement"), "{e}");
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let deep = format!("SELECT * FROM o WHERE {}a = 1{}", "(".repeat(5000), ")".repeat(5000));
    let e = sql::parse(&deep).unwrap_err();
    // A cap (Options::max_filter_depth), not a syntax error: tests/deep_filters.rs.
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert!(e.message().contains("nests more than Options::max_filter_depth = 32"), "{e}");
    let deep = format!("SELECT * FROM o WHERE {}a = 1", "NOT ".repeat(5000));
    assert_eq!(sql::parse(&deep).unwrap_err().kind(), ErrorKind::LimitExceeded);
}

#[test]
fn renderer_literals_parse_back() {
    for v in [
        Value::from("it's"),
        Value::from(""),
        n("-0.5"),
        n("1E-100"),
        Value::from(true),
        Value::B(vec![0, 1]),
    ] {
        let text = format!("SELECT * FROM t WHERE a = {}", sql_render::literal(&v));
        assert_eq!(filter(&text["SELECT * FROM t WHERE ".len()..]), col("a").eq(v), "{text}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(500), ..ProptestConfig::default() })]

    /// 500 cases by default: strings full of quotes, wildcards, backslashes
    /// and non-ASCII survive as literals, LIKE prefixes and quoted names.
    #[test]
    fn awkward_strings_round_trip(
        text in proptest::collection::vec(proptest::sample::select(vec!['a', 'Z', '\'', '"', '%', '_', '\\', ' ', 'é', '😀', '\n', ';', '$', '?']), 0..12)
            .prop_map(|cs| cs.into_iter().collect::<String>()),
        name in proptest::collection::vec(proptest::sample::select(vec!['a', '"', ' ', '-', '.', 'é', '$']), 1..8)
            .prop_map(|cs| cs.into_iter().collect::<String>()),
        style in any::<u8>(),
    ) {
        let style = Style { quote: true, ..Style::from_bits(style) };
        let q = Query::new()
            .allow_scan(true)
            .filter(col(name.clone()).eq(text.clone()))
            .filter(col("k").begins_with(text.clone()))
            .filter(col(name.clone()).is_in([text.clone(), "x".to_owned()]))
            .order_by(desc(name.clone()))
            .select([name.clone()]);
        round_trip(&q, style)?;
    }
}

#[test]
fn offset_reads_count_against_the_read_budget() {
    let engine = orders();
    let q = parse(
        "SELECT * FROM orders WHERE status IN ('paid', 'shipped') ORDER BY created_at DESC LIMIT 2 OFFSET 15",
    )
    .query;
    let page = block_on(engine.fetch(&q)).unwrap();
    assert_eq!(page.rows.len(), 2);
    assert!(page.stats.items_read >= 17, "{:?}", page.stats);
    let e = block_on(engine.fetch(&q.clone().read_budget(8))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReadBudgetExceeded);
    assert!(e.message().contains("OFFSET 15"), "{e}");
    // Without the offset the same budget is enough for one page.
    assert!(block_on(engine.fetch(&q.offset(0).read_budget(8))).is_ok());
}

/// The README's headline SQL (its first `sql` block) parses as written,
/// with the two timestamps a service binds.
#[test]
fn the_readme_headline_sql_parses_as_written() {
    let readme = include_str!("../README.md");
    let start = readme.find("```sql\n").expect("a sql block in the README") + "```sql\n".len();
    let text = &readme[start..start + readme[start..].find("```").expect("the block ends")];
    let stmt =
        sql::parse_with(text, &[Value::from("2026-10-25T00:00:00Z"), Value::from("2026-11-24T00:00:00Z")])
            .unwrap_or_else(|e| panic!("the README's headline SQL does not parse: {e}\n{text}"));
    assert_eq!(stmt.table, "orders");
    assert_eq!(stmt.query.get_limit(), 50);
    assert_eq!(stmt.query.get_order_by().len(), 3);
}

/// `OR` across indexes, written in SQL: each statement plans as a union
/// of Queries (no scan allowed) and pages like the reference; its COUNT
/// agrees.
#[test]
fn or_across_indexes_statements_match_the_reference() {
    let statements = [
        // Two branches on one index, merged on its sort key.
        "SELECT * FROM t WHERE s IS NOT NULL AND ((p = 'p01' AND s >= 1) OR p IN ('p02', 'p03')) ORDER BY s DESC LIMIT 3",
        // The table's key on one side, an index on the other: read whole, top N.
        "SELECT id, x FROM t WHERE id = 'i0003' OR (p = 'p04' AND y IS NOT NULL) ORDER BY x LIMIT 2",
        // Branches on different sort keys of one partition, with a filter beside the OR.
        "SELECT * FROM t WHERE y IS NOT NULL AND s IS NOT NULL AND (p = 'p05' OR p = 'p06') ORDER BY y, s DESC LIMIT 4",
    ];
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..30 {
        let items =
            proptest::strategy::ValueTree::current(&gen::table_strategy(90).new_tree(&mut runner).unwrap());
        let engine = engine_for(&items);
        for text in statements {
            let stmt = sql::parse(text).unwrap();
            let plan = engine.plan(&stmt.query).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert!(plan.is_union() || plan.streams().is_empty(), "{text}:\n{plan}");
            let want = reference::run(&stmt.query, &gen::pk(), &items);
            let got = block_on(all_pages(&engine, &stmt.query, items.len() + 2)).unwrap();
            assert_eq!(got, want, "{text}:\n{plan}");
            let mut count = Query::new();
            if let Some(f) = stmt.query.get_filter() {
                count = count.filter(f.clone());
            }
            assert_eq!(block_on(engine.count(&count)).unwrap().total, want.len() as u64, "{text}");
        }
    }
}
