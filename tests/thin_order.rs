//! An `ORDER BY` attribute a KEYS_ONLY/INCLUDE GSI does not project, after
//! the prefix its sort key serves: each run of rows tied on that prefix is
//! fetched with `BatchGetItem` before it is tie-sorted, and the cursor's
//! run is re-read whole, fetched, then cut at the cursor. Against the naive
//! reference over random tables with many ties on the served column,
//! NULL/missing values on the fetched one, ASC/DESC mixes, page sizes from
//! 1 up, with and without a filter after the fetch; the items fetched per
//! page bounded by the runs the page touches; and the same on DynamoDB
//! Local.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{all_pages, gen, reference};
use dynaquery::{
    asc, col, desc, not, Engine, ErrorKind, Expr, Index, Item, KeyAttribute, MemoryTable, OrderBy,
    Projection, Query, Strategy as Order, Value,
};
use futures::executor::block_on;
use proptest::prelude::*;
use proptest::strategy::ValueTree;

mod support;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(300)
}

const PK: [&str; 1] = ["id"];

/// Table keyed by `id`; a KEYS_ONLY GSI on (p; s) and an INCLUDE (x, z)
/// GSI on (p; y). Both sparse.
fn schema(table: &str) -> dynaquery::Schema {
    dynaquery::Schema::new(table, KeyAttribute::s("id"))
        .index(
            Index::gsi("keys_p_s", [KeyAttribute::s("p")], [KeyAttribute::n("s")])
                .projection(Projection::KeysOnly),
        )
        .index(
            Index::gsi("incl_p_y", [KeyAttribute::s("p")], [KeyAttribute::s("y")])
                .projection(Projection::Include(["x".to_owned(), "z".to_owned()].into())),
        )
}

/// What index `ix` of [`schema`] stores.
fn stored(ix: &str, attr: &str) -> bool {
    match ix {
        "keys_p_s" => ["id", "p", "s"].contains(&attr),
        _ => ["id", "p", "y", "x", "z"].contains(&attr),
    }
}

/// The column the index's sort key serves (runs of ties are on it).
fn served_column(ix: &str) -> &'static str {
    if ix == "keys_p_s" {
        "s"
    } else {
        "y"
    }
}

fn dir(up: bool, attr: &str) -> OrderBy {
    if up {
        asc(attr)
    } else {
        desc(attr)
    }
}

/// A query forced onto a thin index: `p IN (…)`, its sort key present,
/// ORDER BY its sort key then an attribute it lacks (mixed types, NULL and
/// missing on `x`; numbers on `s`; `q` often missing), maybe more columns,
/// maybe a filter on attributes it lacks, maybe a SELECT.
fn query_strategy(every_partition: bool) -> impl Strategy<Value = Query> {
    (
        any::<bool>(),
        proptest::sample::subsequence((0..gen::PARTITIONS).collect::<Vec<_>>(), 1..=8),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        0u8..4,
        0u8..5,
        0u8..3,
        any::<bool>(),
    )
        .prop_map(move |(keys, parts, (up, up2, up3), then, late, sel, stored_filter)| {
            let ix = if keys { "keys_p_s" } else { "incl_p_y" };
            let sort = served_column(ix);
            let parts: Vec<usize> = if every_partition { (0..gen::PARTITIONS).collect() } else { parts };
            let mut q = Query::new()
                .index(ix)
                .filter(col("p").is_in(parts.into_iter().map(|i| format!("p{i:02}"))))
                .filter(col(sort).is_not_null());
            if stored_filter {
                q = q.filter(if keys { col("id").ne("i0003") } else { col("z").ne(true) });
            }
            // The fetched column: `x` on the KEYS_ONLY index, `s` on the INCLUDE one.
            let fetched = if keys { "x" } else { "s" };
            q = q.order_by(dir(up, sort)).order_by(dir(up2, fetched));
            q = match (then, keys) {
                (0, _) => q,
                (1, _) => q.order_by(dir(up3, "q")),
                (2, true) => q.order_by(dir(up3, "y")),
                (2, false) => q.order_by(dir(up3, "x")),
                _ => q.order_by(dir(up3, "id")),
            };
            let late: Option<Expr> = match (late, keys) {
                (0 | 1, _) => None,
                (2, _) => Some(col("q").ge(1)),
                (3, true) => Some(col("z").eq(true).or(col("x").is_null())),
                (3, false) => Some(col("s").gt(2).or(col("b").is_not_null())),
                (_, true) => Some(not(col("y").begins_with("a"))),
                (_, false) => Some(col("q").is_null().or(col("x").eq(1))),
            };
            if let Some(f) = late {
                q = q.filter(f);
            }
            match sel {
                0 => q,
                1 => q.select(["id", fetched]),
                _ => q.select(["id", "tags", "q"]),
            }
        })
}

fn memory(items: &[Item]) -> MemoryTable {
    common::memory(schema("t"), items)
}

/// `q` without its conjuncts on attributes its index lacks: the candidates.
fn candidates_query(q: &Query) -> Query {
    common::candidates_query(q, stored)
}

fn id_of(row: &Item) -> String {
    format!("{}", row["id"])
}

/// The value of the served column, as a run's name (missing never happens:
/// the filter requires it).
fn run_of(row: &Item, ix: &str) -> String {
    format!("{:?}", row.get(served_column(ix)))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    /// Every page size gives the reference's rows in its order, through
    /// the thin index, with its order attribute fetched run by run.
    #[test]
    fn fetched_order_attributes_match_the_reference(
        items in gen::table_strategy(120),
        q in query_strategy(false),
        big in 8usize..60,
    ) {
        let engine = Engine::new(schema("t"), memory(&items));
        let plan = engine.plan(&q).unwrap();
        prop_assert!(q.get_index() == plan.index());
        prop_assert_eq!(plan.strategy(), Order::MergeThenSortTies);
        let fetch = plan.fetch().expect("the index lacks an ORDER BY attribute");
        prop_assert!(!fetch.order_attributes().is_empty(), "{}", plan);
        let want = reference::run(&q, &PK, &items);
        for size in [1, 2, 3, 5, big] {
            let got = block_on(all_pages(&engine, &q.clone().limit(size), items.len() + 2));
            let got = got.map_err(|e| TestCaseError::fail(format!("page size {size}: {e}\nplan:\n{plan}")))?;
            prop_assert_eq!(&got, &want, "page size {}; plan:\n{}", size, plan);
        }
    }

    /// Each page fetches at most the rows of the runs of ties it touches:
    /// the runs of the candidates it judged (its rows' and, with a filter
    /// after the fetch, the dropped ones' and its look-ahead's), and the
    /// cursor's run, each whole; at least its own rows. No cursor leads to
    /// an empty page, and a page is short only at the end.
    #[test]
    fn fetches_are_bounded_by_the_runs_a_page_touches(
        items in gen::table_strategy(120),
        q in query_strategy(true),
        size in 1usize..10,
    ) {
        let engine = Engine::new(schema("t"), memory(&items));
        let ix = q.get_index().unwrap_or_default().to_owned();
        let plan = engine.plan(&q).unwrap();
        let late = plan.fetch().and_then(|f| f.filter().cloned()).is_some();
        let want: Vec<String> = reference::run(&q, &PK, &items).iter().map(id_of).collect();
        let cand_rows = reference::run(&candidates_query(&q), &PK, &items);
        let cand: Vec<String> = cand_rows.iter().map(id_of).collect();
        let mut run_size: BTreeMap<String, usize> = BTreeMap::new();
        for r in &cand_rows {
            *run_size.entry(run_of(r, &ix)).or_default() += 1;
        }
        let run_at = |i: usize| run_of(&cand_rows[i], &ix);
        let mut q = q.limit(size);
        let (mut got, mut prev) = (Vec::new(), 0usize);
        for n in 0..items.len() + 2 {
            let page = block_on(engine.fetch(&q)).unwrap();
            let rows: Vec<String> = page.rows.iter().map(id_of).collect();
            prop_assert!(n == 0 || !rows.is_empty(), "page {} is empty after a cursor", n + 1);
            prop_assert!(page.next_cursor.is_none() || rows.len() == size);
            got.extend(rows.iter().cloned());
            let fetched = page.stats.items_fetched as usize;
            // Candidates judged: from the cursor to the page's last row,
            // then the look-ahead (as in tests/thin.rs).
            let at = match rows.last() {
                Some(last) => cand.iter().position(|c| c == last).expect("a row is a candidate") + 1,
                None => cand.len(),
            };
            let after = &cand[at..];
            let ahead = match (&page.next_cursor, late, after.iter().position(|c| want.contains(c))) {
                (Some(_), false, _) => 0,
                (Some(_), true, Some(m)) => 2 * (m + 1) - 1,
                (None, false, _) if rows.len() < size => 0,
                _ => after.len(),
            };
            let mut touched: BTreeSet<String> = (prev..(at + ahead).min(cand.len())).map(run_at).collect();
            if prev > 0 {
                touched.insert(run_at(prev - 1));
            }
            let bound: usize = touched.iter().map(|r| run_size[r]).sum();
            prop_assert!(
                fetched >= rows.len() && fetched <= bound,
                "page {} of {} rows fetched {} items; runs touched {:?} hold {}; plan:\n{}",
                n + 1, rows.len(), fetched, touched, bound, plan
            );
            prev = at;
            match page.next_cursor {
                Some(c) => q = q.cursor(c),
                None => break,
            }
        }
        prop_assert_eq!(got, want);
    }
}

/// Every item in partition `p00`: `s` = i / 4 (runs of four), `note` only
/// in the table, descending within a run.
fn runs_table(n: usize) -> (Vec<Item>, MemoryTable) {
    let items: Vec<Item> = (0..n)
        .map(|i| {
            dynaquery::item([
                ("id", Value::from(format!("i{i:04}"))),
                ("p", Value::from("p00")),
                ("s", Value::from((i / 4) as i64)),
                ("x", Value::from(format!("x{:02}", 99 - i))),
            ])
        })
        .collect();
    let table = memory(&items);
    (items, table)
}

fn runs_query(limit: usize) -> Query {
    Query::new()
        .index("keys_p_s")
        .filter(col("p").eq("p00"))
        .filter(col("s").is_not_null())
        .order_by(asc("s"))
        .order_by(asc("x"))
        .limit(limit)
}

/// Runs of four: a page of 6 takes runs 0 and 1 (8 rows fetched, 6
/// returned, one call for each run); the next page re-reads run 1, whose
/// first two rows lie at or before the cursor, fetches it again, and run 2.
#[test]
fn each_run_is_fetched_whole_before_it_is_sorted() {
    let (items, table) = runs_table(20);
    let engine = Engine::new(schema("t"), table);
    let q = runs_query(6);
    let want = reference::run(&q, &PK, &items);
    let first = block_on(engine.fetch(&q)).unwrap();
    assert_eq!(first.rows, want[..6]);
    assert_eq!(first.stats.items_fetched, 8);
    assert_eq!(first.stats.batch_get_calls, 2);
    assert!(first.stats.consumed_capacity.is_some_and(|c| c > 0.0), "{:?}", first.stats);
    let second = block_on(engine.fetch(&q.clone().cursor(first.next_cursor.unwrap()))).unwrap();
    assert_eq!(second.rows, want[6..12]);
    assert_eq!(second.stats.items_fetched, 8);
    assert_eq!(second.stats.batch_get_calls, 2);
    assert_eq!(block_on(all_pages(&engine, &q, 10)).unwrap(), want);
}

/// A filter after the fetch on the same runs: one fetch per candidate
/// serves the order and the filter.
#[test]
fn one_fetch_serves_the_order_and_the_filter_after_it() {
    let (items, table) = runs_table(20);
    let engine = Engine::new(schema("t"), table);
    let odd: Vec<String> = (0..20).filter(|i| i % 2 == 1).map(|i| format!("x{:02}", 99 - i)).collect();
    let q = runs_query(3).filter(col("x").is_in(odd));
    let plan = engine.plan(&q).unwrap();
    assert!(plan.fetch().and_then(|f| f.filter()).is_some(), "{plan}");
    let want = reference::run(&q, &PK, &items);
    let first = block_on(engine.fetch(&q)).unwrap();
    assert_eq!(first.rows, want[..3]);
    // Runs 0 and 1 give the page's three rows; the look-ahead takes run 1's
    // last candidate, which passes: 8 items, each fetched once.
    assert_eq!(first.stats.items_fetched, 8);
    assert_eq!(block_on(all_pages(&engine, &q, 10)).unwrap(), want);
}

/// OFFSET: the cursor that resumes after the skipped rows reads the
/// fetched column, also when the last skipped row is a run of one (which
/// the tie re-sort does not fetch), so the page after the offset starts at
/// the right row; `x DESC` puts a NULL (an unfetched `x`) first, where a
/// cursor built before the fetch would repeat the row.
#[test]
fn offset_resumes_after_rows_ordered_by_a_fetched_attribute() {
    // Runs of four on `s` for the first eight items, then runs of one.
    let items: Vec<Item> = (0..16)
        .map(|i| {
            dynaquery::item([
                ("id", Value::from(format!("i{i:04}"))),
                ("p", Value::from("p00")),
                ("s", Value::from(if i < 8 { i / 4 } else { i } as i64)),
                ("x", Value::from(format!("x{:02}", i % 3))),
            ])
        })
        .collect();
    let engine = Engine::new(schema("t"), memory(&items));
    let q = Query::new()
        .index("keys_p_s")
        .filter(col("p").eq("p00"))
        .filter(col("s").is_not_null())
        .order_by(asc("s"))
        .order_by(desc("x"));
    let all = reference::run(&q, &PK, &items);
    for offset in [1, 3, 4, 5, 8, 9, 10, 13] {
        let page = block_on(engine.fetch(&q.clone().limit(2).offset(offset))).unwrap();
        let want: Vec<Item> = all.iter().skip(offset as usize).take(2).cloned().collect();
        assert_eq!(page.rows, want, "offset {offset}");
    }
    // And page by page, two rows a page.
    assert_eq!(block_on(all_pages(&engine, &q.limit(2), 20)).unwrap(), all);
}

#[test]
fn explain_says_which_order_attributes_are_fetched_run_by_run() {
    let engine = Engine::new(schema("t"), MemoryTable::new(schema("t")));
    let plan = engine.plan(&runs_query(10).select(["id", "s"])).unwrap();
    assert_eq!(plan.fetch().map(|f| f.order_attributes().to_vec()), Some(vec!["x".to_owned()]));
    assert_eq!(plan.fetch().and_then(|f| f.attributes.clone()), Some(vec!["x".to_owned()]));
    let text = plan.to_string();
    assert!(text.contains("projection: id, s\n"), "{text}");
    assert!(
        text.contains(
            "fetch: BatchGetItem of x for the page's runs of ties and its other rows (≤100 keys a call)"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "order fetch: x fetched run by run: rows tied on (s ASC) are fetched together, then sorted"
        ),
        "{text}"
    );
    assert!(text.contains("ORDER BY x comes from BatchGetItem run by run"), "{text}");
    assert!(text.contains("the rows of the runs of ties a page touches"), "{text}");
}

#[test]
fn an_order_the_index_does_not_serve_at_all_is_still_refused_clearly() {
    let engine = Engine::new(schema("t"), MemoryTable::new(schema("t")));
    let q = Query::new()
        .index("keys_p_s")
        .filter(col("p").eq("p00"))
        .filter(col("s").is_not_null())
        .order_by(asc("x"))
        .order_by(asc("s"));
    let err = engine.plan(&q).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoUsableIndex, "{err}");
    let msg = err.to_string();
    assert!(msg.contains("does not project x, which the ORDER BY needs"), "{msg}");
    assert!(msg.contains("order by the index's sort key first"), "{msg}");
    // Fixed by the filter, before the served column: refused too.
    let q = runs_query(5).filter(col("x").eq("x01"));
    let q = Query::new()
        .index("keys_p_s")
        .filter(q.get_filter().unwrap().clone())
        .order_by(asc("x"))
        .order_by(asc("s"));
    let err = engine.plan(&q).unwrap_err();
    assert!(err.to_string().contains("drop x from the ORDER BY"), "{err}");
}

/// Random cases on DynamoDB Local equal the reference.
#[test]
fn fetched_order_attributes_on_dynamodb_local() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = support::dynamodb_local::client();
    let table = support::dynamodb_local::table_name("thin_order");
    let schema = schema(&table);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::default());
    // A table large enough that the queries find rows.
    let items = loop {
        let items = gen::table_strategy(80).new_tree(&mut runner).unwrap().current();
        if items.len() >= 50 {
            break items;
        }
    };
    rt.block_on(async {
        dynaquery::dynamodb::ensure_table(&client, &schema).await.unwrap();
        support::dynamodb_local::load(&client, &table, &items).await;
    });
    let engine = Engine::new(schema, dynaquery::DynamoDb::new(client));
    let mut fetched = 0;
    // At least 20 random cases, and on until one found rows (the seed is
    // random: a fixed count of cases could draw none).
    for case in 0..200 {
        if case >= 20 && fetched > 0 {
            break;
        }
        let q = query_strategy(case % 2 == 0).new_tree(&mut runner).unwrap().current();
        let plan = engine.plan(&q).unwrap();
        let want = reference::run(&q, &PK, &items);
        for size in [1, 4, 50] {
            let got = rt.block_on(all_pages(&engine, &q.clone().limit(size), items.len() + 2)).unwrap();
            assert_eq!(got, want, "case {case}, page size {size}; plan:\n{plan}");
        }
        let page = rt.block_on(engine.fetch(&q.clone().limit(50))).unwrap();
        if !page.rows.is_empty() {
            fetched += 1;
            assert!(page.stats.items_fetched >= page.rows.len() as u64);
            assert!(page.stats.consumed_capacity.is_some_and(|c| c > 0.0), "{:?}", page.stats);
        }
    }
    assert!(fetched > 0, "no case fetched");
}
