//! KEYS_ONLY and INCLUDE global secondary indexes: the engine filters,
//! merges and pages the index's items, then fetches what the output needs
//! with `BatchGetItem` for the page's rows. Against the naive reference
//! over random tables (NULLs, missing attributes) and page sizes from 1
//! up; unprocessed keys retried; a backend without `batch_get` refused
//! clearly; and the same on DynamoDB Local.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};

use common::{all_pages, gen, reference};
use dynaquery::{
    asc, col, desc, Backend, BatchGetRequest, BatchGetResponse, Engine, ErrorKind, Expr, Index, KeyAttribute,
    MemoryTable, Projection, Query, ReadRequest, ReadResponse, Schema, Value,
};
use futures::executor::block_on;
use proptest::prelude::*;
use proptest::strategy::ValueTree;

mod support;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(500)
}

const PK: [&str; 1] = ["id"];

/// Table keyed by `id`; a KEYS_ONLY GSI on (p; s) and an INCLUDE (x, z)
/// GSI on (p; y). Both sparse.
fn schema(table: &str) -> Schema {
    Schema::new(table, KeyAttribute::s("id"))
        .index(
            Index::gsi("keys_p_s", [KeyAttribute::s("p")], [KeyAttribute::n("s")])
                .projection(Projection::KeysOnly),
        )
        .index(
            Index::gsi("incl_p_y", [KeyAttribute::s("p")], [KeyAttribute::s("y")])
                .projection(Projection::Include(["x".to_owned(), "z".to_owned()].into())),
        )
}

/// A query forced onto one of the thin indexes: `p IN (…)`, a condition
/// on its sort key (so the sparse index holds every match), a filter on
/// attributes it stores, ORDER BY its sort key (then maybe another stored
/// attribute), and a SELECT that needs a fetch or not.
fn query_strategy() -> impl Strategy<Value = Query> {
    (
        any::<bool>(),
        proptest::sample::subsequence((0..gen::PARTITIONS).collect::<Vec<_>>(), 1..=5),
        0u8..6,
        any::<bool>(),
        0u8..3,
        0u8..5,
        prop_oneof![Just(Value::from(1)), Just(Value::from("ab")), Just(Value::from("b"))],
    )
        .prop_map(|(keys_only, parts, extra, up, then, sel, v)| {
            let (index, sort) = if keys_only { ("keys_p_s", "s") } else { ("incl_p_y", "y") };
            let mut q = Query::new()
                .index(index)
                .filter(col("p").is_in(parts.into_iter().map(|i| format!("p{i:02}"))));
            q = q.filter(match (keys_only, extra) {
                (true, 0) => col("s").gt(0),
                (true, 1) => col("s").between(-1, 2),
                (false, 0) => col("y").ge("b"),
                (false, 1) => col("y").begins_with("a"),
                _ => col(sort).is_not_null(),
            });
            let stored_filter: Option<Expr> = match (keys_only, extra) {
                (_, 2) => Some(col("id").begins_with("i000")),
                (false, 3) => Some(col("x").ne(v)),
                (false, 4) => Some(col("z").eq(true).or(col("x").is_null())),
                (true, 3) => Some(col("id").gt("i0010")),
                _ => None,
            };
            if let Some(f) = stored_filter {
                q = q.filter(f);
            }
            q = q.order_by(if up { asc(sort) } else { desc(sort) });
            q = match (keys_only, then) {
                (false, 0) => q.order_by(desc("x")),
                (_, 1) => q.order_by(desc("id")),
                _ => q,
            };
            match sel {
                0 => q,
                1 => q.select(["id", "tags", "q"]),
                2 => q.select(["id", "x", "b"]),
                3 => q.select(["id", sort]),
                _ => q.select(["tags"]),
            }
        })
}

fn memory(items: &[dynaquery::Item]) -> MemoryTable {
    let table = MemoryTable::new(schema("t"));
    for it in items {
        table.put(it.clone()).unwrap();
    }
    table
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    /// Every page size gives the reference's rows, in its order, through
    /// the thin index; fetched items never exceed the rows (plus nothing
    /// for the look-ahead).
    #[test]
    fn thin_indexes_match_the_reference(
        items in gen::table_strategy(120),
        q in query_strategy(),
        big in 8usize..60,
    ) {
        let engine = Engine::new(schema("t"), memory(&items));
        let plan = engine.plan(&q).unwrap();
        prop_assert!(q.get_index() == plan.index());
        let want = reference::run(&q, &PK, &items);
        for size in [1, 2, 3, 7, big] {
            let got = block_on(all_pages(&engine, &q.clone().limit(size), items.len() + 2));
            let got = got.map_err(|e| TestCaseError::fail(format!("page size {size}: {e}\nplan:\n{plan}")))?;
            prop_assert_eq!(&got, &want, "page size {}; plan:\n{}", size, plan);
        }
        let page = block_on(engine.fetch(&q.clone().limit(big))).unwrap();
        prop_assert!(page.stats.items_fetched <= page.rows.len() as u64);
        if plan.fetch().is_none() {
            prop_assert_eq!(page.stats.batch_get_calls, 0);
        } else if !page.rows.is_empty() {
            prop_assert_eq!(page.stats.items_fetched, page.rows.len() as u64);
            prop_assert_eq!(page.stats.batch_get_calls, 1);
        }
    }
}

/// A backend that leaves keys unprocessed: on each of its first `stingy`
/// `batch_get` calls, every key after the first comes back unprocessed
/// (every key, when `stingy` is `u64::MAX`).
struct Stingy {
    inner: MemoryTable,
    stingy: u64,
    calls: AtomicU64,
    max_keys: AtomicU64,
}

impl Stingy {
    fn new(inner: MemoryTable, stingy: u64) -> Self {
        Stingy { inner, stingy, calls: AtomicU64::new(0), max_keys: AtomicU64::new(0) }
    }
}

impl Backend for Stingy {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        self.inner.read(request).await
    }

    async fn batch_get(&self, mut request: BatchGetRequest) -> dynaquery::Result<BatchGetResponse> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        self.max_keys.fetch_max(request.keys.len() as u64, Ordering::SeqCst);
        if n >= self.stingy {
            return self.inner.batch_get(request).await;
        }
        let rest = request.keys.split_off(usize::from(self.stingy != u64::MAX));
        if request.keys.is_empty() {
            return Ok(BatchGetResponse::default().with_unprocessed_keys(rest));
        }
        let out = self.inner.batch_get(request).await?;
        Ok(out.with_unprocessed_keys(rest))
    }
}

/// Items `i0000`…: all in partition `p00`, `s` = i, with a `note` only the
/// table holds.
fn notes_table(n: usize) -> (Vec<dynaquery::Item>, MemoryTable) {
    let items: Vec<dynaquery::Item> = (0..n)
        .map(|i| {
            dynaquery::item([
                ("id", Value::from(format!("i{i:04}"))),
                ("p", Value::from("p00")),
                ("s", Value::from(i as i64)),
                ("note", Value::from(format!("note {i}"))),
            ])
        })
        .collect();
    let table = memory(&items);
    (items, table)
}

fn notes_query(limit: usize) -> Query {
    Query::new()
        .filter(col("p").eq("p00"))
        .filter(col("s").is_not_null())
        .order_by(asc("s"))
        .select(["id", "note"])
        .limit(limit)
}

#[test]
fn unprocessed_keys_are_retried_until_read() {
    let (items, table) = notes_table(30);
    let engine = Engine::new(schema("t"), Stingy::new(table, 3));
    let q = notes_query(10);
    let plan = engine.plan(&q).unwrap();
    assert_eq!(plan.index(), Some("keys_p_s"));
    assert_eq!(plan.fetch().and_then(|f| f.attributes.clone()), Some(vec!["note".to_owned()]));
    let page = block_on(engine.fetch(&q)).unwrap();
    let want: Vec<_> = reference::run(&q, &PK, &items).into_iter().take(10).collect();
    assert_eq!(page.rows, want);
    // Three stingy calls read one key each, the fourth the other seven.
    assert_eq!(page.stats.batch_get_calls, 4);
    assert_eq!(page.stats.items_fetched, 10);
    assert!(page.stats.consumed_capacity.is_some());
    assert_eq!(engine.backend().calls.load(Ordering::SeqCst), 4);
}

#[test]
fn keys_still_unprocessed_after_the_retries_fail_the_page() {
    let (_, table) = notes_table(5);
    let engine = Engine::new(schema("t"), Stingy::new(table, u64::MAX));
    let err = block_on(engine.fetch(&notes_query(3))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled, "{err}");
    assert!(err.is_retryable());
    assert!(err.to_string().contains("unprocessed"), "{err}");
    assert_eq!(engine.backend().calls.load(Ordering::SeqCst), 8);
}

#[test]
fn a_page_of_250_rows_fetches_in_calls_of_at_most_100_keys() {
    let (items, table) = notes_table(300);
    let engine = Engine::new(schema("t"), Stingy::new(table, 0));
    let q = notes_query(250);
    let got = block_on(all_pages(&engine, &q, 5)).unwrap();
    assert_eq!(got, reference::run(&q, &PK, &items));
    let page = block_on(engine.fetch(&q)).unwrap();
    assert_eq!(page.stats.batch_get_calls, 3);
    assert_eq!(page.stats.items_fetched, 250);
    assert_eq!(engine.backend().max_keys.load(Ordering::SeqCst), 100);
}

/// A backend written before `batch_get` existed.
struct OnlyRead(MemoryTable);

impl Backend for OnlyRead {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        self.0.read(request).await
    }
}

#[test]
fn a_backend_without_batch_get_serves_other_plans_and_refuses_a_fetch_clearly() {
    let (_, table) = notes_table(5);
    let engine = Engine::new(schema("t"), OnlyRead(table));
    let ok = block_on(engine.fetch(&notes_query(3).select(["id", "s"]))).unwrap();
    assert_eq!(ok.rows.len(), 3);
    let err = block_on(engine.fetch(&notes_query(3))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Backend);
    assert!(err.to_string().contains("Backend::batch_get"), "{err}");
}

#[test]
fn a_filter_on_an_attribute_the_index_lacks_still_refuses_it() {
    let q = notes_query(3).filter(col("note").eq("x"));
    let engine = Engine::new(schema("t"), MemoryTable::new(schema("t")));
    let err = engine.plan(&q.clone().index("keys_p_s")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NoUsableIndex, "{err}");
    assert!(err.to_string().contains("does not project note"), "{err}");
}

#[test]
fn explain_shows_the_fetch() {
    let engine = Engine::new(schema("t"), MemoryTable::new(schema("t")));
    let text = engine.plan(&notes_query(50)).unwrap().to_string();
    assert!(text.contains("fetch: BatchGetItem of note for the page's rows (≤100 keys a call)"), "{text}");
    assert!(text.contains("index `keys_p_s` projects KEYS_ONLY"), "{text}");
    let all = engine.plan(&notes_query(50).select(["id", "s"])).unwrap();
    assert!(all.fetch().is_none());
    assert!(!all.to_string().contains("fetch:"));
}

#[test]
fn an_index_projecting_everything_wins_over_a_thin_one_when_otherwise_equal() {
    let schema = schema("t").index(Index::gsi("all_p_s", [KeyAttribute::s("p")], [KeyAttribute::n("s")]));
    let engine = Engine::new(schema.clone(), MemoryTable::new(schema));
    let p = engine.plan(&notes_query(5)).unwrap();
    assert_eq!(p.index(), Some("all_p_s"));
    assert!(p.fetch().is_none());
}

/// Random thin-index queries on DynamoDB Local equal the reference.
#[test]
fn thin_indexes_on_dynamodb_local() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = support::dynamodb_local::client();
    let table = support::dynamodb_local::table_name("thin");
    let schema = schema(&table);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::default());
    let items = gen::table_strategy(80).new_tree(&mut runner).unwrap().current();
    rt.block_on(async {
        dynaquery::dynamodb::ensure_table(&client, &schema).await.unwrap();
        support::dynamodb_local::load(&client, &table, &items).await;
    });
    let loaded = rt.block_on(dynaquery::dynamodb::load_schema(&client, &table)).unwrap();
    let projections: Vec<_> = loaded.indexes.iter().map(|i| (i.name.clone(), i.projection.clone())).collect();
    assert!(projections.contains(&("keys_p_s".to_owned(), Projection::KeysOnly)), "{projections:?}");
    assert!(
        projections
            .contains(&("incl_p_y".to_owned(), Projection::Include(["x".to_owned(), "z".to_owned()].into()))),
        "{projections:?}"
    );
    let engine = Engine::new(schema, dynaquery::DynamoDb::new(client));
    let mut fetched = 0;
    for case in 0..20 {
        let q = query_strategy().new_tree(&mut runner).unwrap().current();
        let plan = engine.plan(&q).unwrap();
        let want = reference::run(&q, &PK, &items);
        for size in [1, 5, 50] {
            let got = rt.block_on(all_pages(&engine, &q.clone().limit(size), items.len() + 2)).unwrap();
            assert_eq!(got, want, "case {case}, page size {size}; plan:\n{plan}");
        }
        let page = rt.block_on(engine.fetch(&q.clone().limit(50))).unwrap();
        if plan.fetch().is_some() && !page.rows.is_empty() {
            fetched += 1;
            assert_eq!(page.stats.items_fetched, page.rows.len() as u64);
            assert!(page.stats.batch_get_calls >= 1);
        }
    }
    assert!(fetched > 0, "no case fetched");
}

/// `MemoryTable::batch_get` as DynamoDB answers: found items (projected),
/// absent keys left out, 1 to 100 distinct keys, capacity reported.
#[test]
fn memory_batch_get_follows_dynamodb() {
    let (_, table) = notes_table(120);
    let key = |i: usize| dynaquery::item([("id", Value::from(format!("i{i:04}")))]);
    let r = block_on(table.batch_get(
        BatchGetRequest::new("t", vec![key(3), key(999), key(7)]).with_projection(["id", "note"]),
    ))
    .unwrap();
    let mut ids: Vec<String> = r.items.iter().map(|it| format!("{}", it["id"])).collect();
    ids.sort();
    assert_eq!(ids, vec!["\"i0003\"", "\"i0007\""]);
    assert!(r.items.iter().all(|it| it.len() == 2 && it.contains_key("note")));
    assert!(r.unprocessed_keys.is_empty());
    assert_eq!(r.consumed_capacity, Some(1.0));
    let err = |req| block_on(table.batch_get(req)).unwrap_err().to_string();
    assert!(err(BatchGetRequest::new("t", (0..101).map(key).collect())).contains("between 1 and 100"));
    assert!(err(BatchGetRequest::new("t", vec![])).contains("between 1 and 100"));
    assert!(err(BatchGetRequest::new("t", vec![key(1), key(1)])).contains("duplicates"));
    assert!(err(BatchGetRequest::new("other", vec![key(1)])).contains("not found"));
    let bad = dynaquery::item([("id", Value::from("i0001")), ("p", Value::from("p00"))]);
    assert!(err(BatchGetRequest::new("t", vec![bad])).contains("key element does not match"));
}
