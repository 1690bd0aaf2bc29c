//! A stream's read frontier only moves forward: every key-condition shape
//! (`=`, `<`, `<=`, `>`, `>=`, `BETWEEN`, `begins_with`; one- and
//! multi-attribute sort keys; S, N and B; both directions) pages exactly
//! like the reference, no request evaluates an item an earlier request of
//! the pagination evaluated (but the ties at a cursor), and deep pages cost
//! what early pages cost.

mod common;

use common::recording::Recording;
use common::{gen, reference};
use dynaquery::{asc, col, desc, item, Engine, Index, Item, KeyAttribute, MemoryTable, Query, Schema, Value};
use futures::executor::block_on;
use proptest::prelude::*;

fn pages<B: dynaquery::Backend>(
    engine: &Engine<Recording<B>>,
    q: &Query,
    max_pages: usize,
) -> Result<Vec<Vec<Item>>, String> {
    block_on(common::recording::pages(engine, q, max_pages))
}

fn ids(pages: &[Vec<Item>]) -> Vec<Vec<String>> {
    pages
        .iter()
        .map(|p| {
            p.iter()
                .map(|r| match &r["id"] {
                    Value::S(s) => s.clone(),
                    v => format!("{v:?}"),
                })
                .collect()
        })
        .collect()
}

/// The five items issue 13 shrank the bug to.
fn repro_engine() -> Engine<Recording<MemoryTable>> {
    let schema = Schema::new("repro", KeyAttribute::s("id")).index(Index::gsi(
        "status-created_at",
        [KeyAttribute::s("status")],
        [KeyAttribute::n("created_at")],
    ));
    let table = MemoryTable::new(schema.clone());
    for (id, at) in [("i002617", 1), ("i002574", 8), ("i002560", 9), ("i002604", 20), ("i002608", 21)] {
        table
            .put(item([("id", Value::from(id)), ("status", "cancelled".into()), ("created_at", at.into())]))
            .unwrap();
    }
    Engine::new(schema, Recording::new(table, &["id"], "created_at"))
}

#[test]
fn a_strict_far_bound_pages_like_postgresql() {
    let q = Query::new()
        .filter(col("status").eq("cancelled"))
        .filter(col("created_at").lt(38))
        .order_by(asc("created_at"));
    // PostgreSQL: 617 574 | 560 604 | 608.
    let engine = repro_engine();
    let got = pages(&engine, &q.clone().limit(2), 10).unwrap();
    assert_eq!(
        ids(&got),
        [vec!["i002617", "i002574"], vec!["i002560", "i002604"], vec!["i002608"]],
        "{}",
        engine.plan(&q).unwrap()
    );
    assert_eq!(engine.backend().violations(), Vec::<String>::new());
    // LIMIT 1: five pages, the last with no cursor (no empty sixth page).
    let engine = repro_engine();
    let got = pages(&engine, &q.clone().limit(1), 10).unwrap();
    assert_eq!(ids(&got).concat(), ["i002617", "i002574", "i002560", "i002604", "i002608"]);
    assert_eq!(got.len(), 5);
    assert_eq!(engine.backend().violations(), Vec::<String>::new());
    // Descending with a strict far bound on the other side.
    let q = Query::new()
        .filter(col("status").eq("cancelled"))
        .filter(col("created_at").gt(1))
        .order_by(desc("created_at"))
        .limit(2);
    let engine = repro_engine();
    let got = pages(&engine, &q, 10).unwrap();
    assert_eq!(ids(&got), [vec!["i002608", "i002604"], vec!["i002560", "i002574"]]);
    assert_eq!(engine.backend().violations(), Vec::<String>::new());
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1500)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    /// Every bound shape, every key type, both directions, `LIMIT` 1 to 7:
    /// the pages concatenate to the reference, and no stream reads
    /// backwards.
    #[test]
    fn every_key_shape_pages_like_the_reference_and_reads_forward(
        items in gen::table_strategy(150),
        (q, column) in gen::key_range_query_strategy(),
        size in 1usize..=7,
    ) {
        let table = MemoryTable::new(gen::schema());
        for it in &items {
            table.put(it.clone()).unwrap();
        }
        let engine = Engine::new(gen::schema(), Recording::new(table, &gen::pk(), column.attr()));
        let q = q.limit(size);
        let plan = engine.plan(&q).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let want = reference::run(&q, &gen::pk(), &items);
        let got = pages(&engine, &q, items.len() + 2).map_err(|e| TestCaseError::fail(format!("{e}\n{plan}")))?;
        prop_assert_eq!(got.concat(), want, "plan:\n{}", plan);
        let violations = engine.backend().violations();
        prop_assert!(violations.is_empty(), "{:#?}\nplan:\n{}", violations, plan);
    }
}

/// Three partitions of `n` items each on a numeric sort key with runs of
/// ties (every value three times), every other item French.
fn deep_table(n: i64) -> (Schema, MemoryTable, Vec<Item>) {
    let schema = Schema::new("deep", KeyAttribute::s("id")).index(Index::gsi(
        "by_status",
        [KeyAttribute::s("status")],
        [KeyAttribute::n("ts")],
    ));
    let table = MemoryTable::new(schema.clone());
    let mut items = Vec::new();
    for status in ["a", "b", "c"] {
        for i in 0..n {
            let it = item([
                ("id", Value::from(format!("{status}{i:05}"))),
                ("status", status.into()),
                ("ts", Value::from(i / 3)),
                ("country", if i % 2 == 0 { "FR" } else { "DE" }.into()),
            ]);
            table.put(it.clone()).unwrap();
            items.push(it);
        }
    }
    (schema, table, items)
}

/// Page 50 of a long pagination reads about what page 2 reads, for every
/// bound shape and direction.
#[test]
fn deep_pages_read_what_early_pages_read() {
    let n = 2400;
    let (lo, hi) = (10, n / 3 - 10);
    let shapes: Vec<(&str, dynaquery::Expr)> = vec![
        ("<", col("ts").lt(hi)),
        ("<=", col("ts").le(hi)),
        (">", col("ts").gt(lo)),
        (">=", col("ts").ge(lo)),
        ("between", col("ts").between(lo, hi)),
        ("none", col("ts").is_not_null()),
    ];
    for (name, range) in shapes {
        for up in [true, false] {
            let (schema, table, items) = deep_table(n);
            let engine = Engine::new(schema, Recording::new(table, &["id"], "ts"));
            let q = Query::new()
                .filter(col("status").is_in(["a", "b", "c"]))
                .filter(col("country").eq("FR"))
                .filter(range.clone())
                .order_by(if up { asc("ts") } else { desc("ts") })
                .limit(20);
            let got = pages(&engine, &q, 1000).unwrap();
            assert!(got.len() > 60, "{name}: {} pages", got.len());
            assert_eq!(got.concat(), reference::run(&q, &["id"], &items), "{name} up={up}");
            assert_eq!(engine.backend().violations(), Vec::<String>::new(), "{name} up={up}");
            let per_page = engine.backend().items_per_page();
            let early = per_page[1..10].iter().copied().max().unwrap();
            let deep = per_page[50..60].iter().copied().max().unwrap();
            // 20 rows at 50 % are about 40 items; ties at the cursor are
            // read again (three per value, three streams).
            assert!(
                deep <= early * 3 / 2 + 10,
                "{name} up={up}: early pages read at most {early}, pages 50-60 up to {deep}: {per_page:?}"
            );
            assert!(
                deep <= 120,
                "{name} up={up}: pages 50-60 read up to {deep} items for 20 rows: {per_page:?}"
            );
        }
    }
}
