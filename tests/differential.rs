//! The in-memory backend held identical to DynamoDB Local: the same random
//! tables and queries (every predicate kind, NULLs, ties, fan-out,
//! multi-column ORDER BY, page sizes from 1) give the same rows page by page
//! on both, and both equal the naive reference. Some filters hold an `IN`
//! of more than 100 values, some an expression near or past DynamoDB's
//! 4 KB: both backends must run them alike or refuse them with the same
//! error.

mod common;
mod support;

use common::recording::{pages as recorded_pages, Recording};
use common::{gen, reference};
use dynaquery::dynamodb::ensure_table;
use dynaquery::Cond;
use dynaquery::{Backend, DynamoDb, Engine, Item, MemoryTable, Query};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use support::dynamodb_local as local;

const TABLES: usize = 10;
const QUERIES_PER_TABLE: usize = 40;
const PAGE_SIZES: [usize; 4] = [1, 2, 7, 30];
/// Queries per table drawing every key-condition shape (`gen::key_range_query_strategy`).
const KEY_QUERIES_PER_TABLE: usize = 12;
const KEY_PAGE_SIZES: [usize; 3] = [1, 3, 7];

/// `items` in a new DynamoDB Local table of `schema` and in a memory
/// table of the same schema, which is returned.
async fn load_both(
    client: &aws_sdk_dynamodb::Client,
    schema: &dynaquery::Schema,
    items: &[Item],
) -> MemoryTable {
    ensure_table(client, schema).await.unwrap();
    local::load(client, &schema.table, items).await;
    let memory = MemoryTable::new(schema.clone());
    for it in items {
        memory.put(it.clone()).unwrap();
    }
    memory
}

/// Every page of `q` on `engine`.
async fn pages<B: Backend>(engine: &Engine<B>, q: &Query) -> Result<Vec<Vec<Item>>, String> {
    let mut out = Vec::new();
    let mut q = q.clone();
    for _ in 0..200 {
        let page = engine.fetch(&q).await.map_err(|e| format!("{e:?}"))?;
        out.push(page.rows);
        match page.next_cursor {
            Some(c) => q = q.cursor(c),
            None => return Ok(out),
        }
    }
    Err("more than 200 pages".into())
}

/// True when `c` holds an `IN` of more than 100 values.
fn has_long_in(c: &Cond) -> bool {
    match c {
        Cond::In { values, .. } => values.len() > 100,
        Cond::And(cs) | Cond::Or(cs) => cs.iter().any(has_long_in),
        Cond::Not(c) => has_long_in(c),
        _ => false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_backend_matches_dynamodb_local_page_by_page() {
    let client = local::client();
    let mut runner =
        TestRunner::new(Config { rng_seed: proptest::test_runner::RngSeed::Fixed(7), ..Config::default() });
    let (mut checked, mut refused, mut long_in) = (0, 0, 0);
    let mut key_checked = 0;
    for t in 0..TABLES {
        let items = gen::table_strategy(60).new_tree(&mut runner).unwrap().current();
        let mut schema = gen::schema();
        schema.table = local::table_name(&format!("diff{t}"));
        let memory = load_both(&client, &schema, &items).await;
        let on_ddb = Engine::new(schema.clone(), DynamoDb::new(client.clone()));
        let on_mem = Engine::new(schema.clone(), memory);
        for _ in 0..QUERIES_PER_TABLE {
            let q = gen::query_strategy_with_long_in().new_tree(&mut runner).unwrap().current();
            let want = reference::run(&q, &gen::pk(), &items);
            for size in PAGE_SIZES {
                let q = q.clone().limit(size);
                let plan = on_mem.plan(&q).unwrap();
                let (a, b) = match (pages(&on_ddb, &q).await, pages(&on_mem, &q).await) {
                    (Ok(a), Ok(b)) => (a, b),
                    (Err(a), Err(b)) => {
                        // Refused alike (an expression over 4 KB), before any request.
                        assert_eq!(a, b, "DynamoDB Local and memory refuse differently\n{plan}");
                        assert!(a.contains("LimitExceeded"), "{a}\n{plan}");
                        refused += 1;
                        continue;
                    }
                    (a, b) => panic!("DynamoDB Local: {a:?}\nmemory: {b:?}\n{plan}"),
                };
                if plan.server_filter().is_some_and(has_long_in) {
                    long_in += 1;
                }
                assert_eq!(a, b, "pages differ between DynamoDB Local and memory\n{plan}\nquery: {q:?}");
                let flat: Vec<Item> = a.into_iter().flatten().collect();
                assert_eq!(flat, want, "DynamoDB Local differs from the reference\n{plan}\nquery: {q:?}");
                checked += 1;
            }
        }
        // Every key-condition shape, on both backends through the
        // recording wrapper: same pages, the reference's rows, and no
        // stream reading an item twice (but the ties at a cursor).
        for _ in 0..KEY_QUERIES_PER_TABLE {
            let (q, column) = gen::key_range_query_strategy().new_tree(&mut runner).unwrap().current();
            let want = reference::run(&q, &gen::pk(), &items);
            for size in KEY_PAGE_SIZES {
                let q = q.clone().limit(size);
                let plan = on_mem.plan(&q).unwrap();
                let ddb = Engine::new(
                    schema.clone(),
                    Recording::new(DynamoDb::new(client.clone()), &gen::pk(), column.attr()),
                );
                let mem =
                    Engine::new(schema.clone(), Recording::new(on_mem.backend(), &gen::pk(), column.attr()));
                let a = recorded_pages(&ddb, &q, 200)
                    .await
                    .unwrap_or_else(|e| panic!("DynamoDB Local: {e}\n{plan}"));
                let b = recorded_pages(&mem, &q, 200).await.unwrap_or_else(|e| panic!("memory: {e}\n{plan}"));
                assert_eq!(a, b, "pages differ between DynamoDB Local and memory\n{plan}\nquery: {q:?}");
                assert_eq!(
                    a.concat(),
                    want,
                    "DynamoDB Local differs from the reference\n{plan}\nquery: {q:?}"
                );
                for (name, violations) in
                    [("DynamoDB Local", ddb.backend().violations()), ("memory", mem.backend().violations())]
                {
                    assert!(
                        violations.is_empty(),
                        "{name}: a stream read backwards: {violations:#?}\n{plan}"
                    );
                }
                key_checked += 1;
            }
        }
    }
    assert_eq!(checked + refused, TABLES * QUERIES_PER_TABLE * PAGE_SIZES.len());
    assert!(refused > 0 && long_in > 0, "no long IN drawn: refused {refused}, run {long_in}");
    assert_eq!(key_checked, TABLES * KEY_QUERIES_PER_TABLE * KEY_PAGE_SIZES.len());
    eprintln!(
        "differential: {checked} paginations identical on DynamoDB Local, in memory and in the reference \
         ({long_in} with an IN past 100 values), and {key_checked} over every key-condition shape; \
         {refused} refused alike (expressions over 4 KB)"
    );
}

/// COUNT on both backends: `Engine::count` equals the reference on
/// DynamoDB Local and in memory with the same requests (one stream at a
/// time, so in the same order), and every stream read by hand as
/// `Select: COUNT` with a small `Limit` gives the same `Count`,
/// `ScannedCount` and `LastEvaluatedKey` page by page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_counts_like_dynamodb_local() {
    use dynaquery::{Options, ReadRequest};
    const COUNT_TABLES: usize = 4;
    const COUNT_QUERIES: usize = 25;
    let client = local::client();
    let mut runner =
        TestRunner::new(Config { rng_seed: proptest::test_runner::RngSeed::Fixed(17), ..Config::default() });
    let (mut counted, mut pages, mut residual, mut grouped) = (0, 0, 0, 0);
    for t in 0..COUNT_TABLES {
        let items = gen::table_strategy(80).new_tree(&mut runner).unwrap().current();
        let mut schema = gen::schema();
        schema.table = local::table_name(&format!("count{t}"));
        let memory = load_both(&client, &schema, &items).await;
        let one_at_a_time = Options::default().max_concurrency(1);
        let ddb = DynamoDb::new(client.clone());
        // A projection with Select: COUNT is refused by both, alike.
        let r = ReadRequest::scan(schema.table.clone()).with_projection(["id"]).counting();
        let x = ddb.read(r.clone()).await.unwrap_err();
        let y = memory.read(r).await.unwrap_err();
        assert_eq!(x.kind(), y.kind(), "DynamoDB Local: {x}\nmemory: {y}");
        let words = "Cannot specify the ProjectionExpression when choosing to get only the Count";
        assert!(x.to_string().contains(words) && y.to_string().contains(words), "{x}\n{y}");
        let on_ddb = Engine::new(schema.clone(), ddb.clone()).with_options(one_at_a_time.clone());
        let on_mem = Engine::new(schema.clone(), memory.clone()).with_options(one_at_a_time);
        for _ in 0..COUNT_QUERIES {
            let q = gen::query_strategy().new_tree(&mut runner).unwrap().current();
            let mut q_count = Query::new().allow_scan(q.get_allow_scan());
            if let Some(f) = q.get_filter() {
                q_count = q_count.filter(f.clone());
            }
            let want = reference::run(&q_count, &gen::pk(), &items).len() as u64;
            let plan = on_mem.plan(&q_count).unwrap();
            let a = on_ddb.count(&q_count).await.unwrap_or_else(|e| panic!("DynamoDB Local: {e}\n{plan}"));
            let b = on_mem.count(&q_count).await.unwrap_or_else(|e| panic!("memory: {e}\n{plan}"));
            assert_eq!(a.total, want, "DynamoDB Local differs from the reference\n{plan}");
            assert_eq!(b.total, want, "memory differs from the reference\n{plan}");
            assert_eq!(
                (a.stats.calls, a.stats.items_read, a.stats.items_returned),
                (b.stats.calls, b.stats.items_read, b.stats.items_returned),
                "{plan}"
            );
            counted += 1;
            if plan.residual_filter().is_some() {
                residual += 1;
            }
            // Grouped by `p` where the plan fans out on it: the same groups.
            if plan
                .streams()
                .iter()
                .all(|s| s.key.as_ref().is_some_and(|k| k.partition.iter().any(|(a, _)| a == "p")))
            {
                let a = on_ddb
                    .count_by(&q_count, "p")
                    .await
                    .unwrap_or_else(|e| panic!("DynamoDB Local: {e}\n{plan}"));
                let b =
                    on_mem.count_by(&q_count, "p").await.unwrap_or_else(|e| panic!("memory: {e}\n{plan}"));
                assert_eq!(a.groups, b.groups, "{plan}");
                assert_eq!(a.groups.iter().map(|g| g.count).sum::<u64>(), want);
                grouped += 1;
            }
            // Each stream by hand, Select: COUNT with Limit 3 (the filter
            // after the limit), page by page.
            for s in plan.streams() {
                let mut r = match &s.key {
                    Some(k) => ReadRequest::query(schema.table.clone(), k.clone()),
                    None => ReadRequest::scan(schema.table.clone()),
                }
                .with_scan_forward(plan.scan_forward())
                .with_limit(3)
                .counting();
                r.index = plan.index().map(str::to_owned);
                r.filter = plan.server_filter().cloned();
                let x = counted_pages(&ddb, r.clone())
                    .await
                    .unwrap_or_else(|e| panic!("DynamoDB Local: {e}\n{plan}"));
                let y = counted_pages(&memory, r).await.unwrap_or_else(|e| panic!("memory: {e}\n{plan}"));
                if s.key.is_some() {
                    assert_eq!(x, y, "the Select: COUNT pages differ\n{plan}");
                } else {
                    // A Scan walks DynamoDB Local's hash order, the memory
                    // backend's key order: the pages end on other items,
                    // so only the sums compare.
                    let sums = |p: &[(u64, u64, Option<Item>)]| {
                        p.iter().fold((0, 0), |(c, n), (pc, pn, _)| (c + pc, n + pn))
                    };
                    assert_eq!(sums(&x), sums(&y), "the Select: COUNT sums differ\n{plan}");
                }
                pages += x.len();
            }
        }
    }
    assert_eq!(counted, COUNT_TABLES * COUNT_QUERIES);
    assert!(residual > 0 && grouped > 0, "residual filters: {residual}, grouped: {grouped}");
    eprintln!("count: {counted} counts ({residual} with a client residual filter, {grouped} also grouped by p) equal on DynamoDB Local, in memory and in the reference; {pages} Select: COUNT pages compared (Query streams page by page, Scans by their sums)");
}

/// Every `Select: COUNT` page of `r`: `(Count, ScannedCount, LastEvaluatedKey)`.
/// `Select: COUNT` on GSIs that project only some attributes (KEYS_ONLY,
/// INCLUDE): DynamoDB Local counts on them, so the memory backend must too,
/// with and without a server filter and a client residual filter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_counts_on_partly_projected_indexes_like_dynamodb_local() {
    use dynaquery::{col, Index, KeyAttribute, Projection, Schema, Value};
    let client = local::client();
    let schema = Schema::new(local::table_name("count_proj"), KeyAttribute::s("id"))
        .index(
            Index::gsi("keys", [KeyAttribute::s("p")], [KeyAttribute::n("s")])
                .projection(Projection::KeysOnly),
        )
        .index(
            Index::gsi("incl", [KeyAttribute::s("u")], [KeyAttribute::n("s")])
                .projection(Projection::Include(["x".to_owned()].into())),
        )
        .always_present(["s"]);
    let items: Vec<Item> = (0..40i64)
        .map(|i| {
            let mut it = Item::new();
            it.insert("id".into(), Value::from(format!("i{i:02}")));
            it.insert("p".into(), Value::from(format!("p{}", i % 3)));
            it.insert("u".into(), Value::from(format!("u{}", i % 2)));
            it.insert("s".into(), Value::from(i % 7));
            if i % 4 != 0 {
                it.insert("x".into(), Value::from(i % 5));
            }
            it.insert("y".into(), Value::from(i));
            it
        })
        .collect();
    let memory = load_both(&client, &schema, &items).await;
    let on_ddb = Engine::new(schema.clone(), DynamoDb::new(client.clone()));
    let on_mem = Engine::new(schema.clone(), memory);
    let queries = [
        (Query::new().index("keys").filter(col("p").is_in(["p0", "p2"])), 27),
        (Query::new().index("keys").filter(col("p").eq("p1").and(col("s").ge(3))), 7),
        (Query::new().index("incl").filter(col("u").eq("u1")), 20),
        (Query::new().index("incl").filter(col("u").is_in(["u0", "u1"]).and(col("x").gt(2))), 12),
    ];
    for (q, want) in &queries {
        let a = on_ddb.count(q).await.unwrap_or_else(|e| panic!("DynamoDB Local: {e}\n{q:?}"));
        let b = on_mem.count(q).await.unwrap_or_else(|e| panic!("memory: {e}\n{q:?}"));
        assert_eq!((a.total, b.total), (*want, *want), "{q:?}");
        assert_eq!((a.stats.calls, a.stats.items_read), (b.stats.calls, b.stats.items_read), "{q:?}");
    }
    // `y` is not in the index: both refuse the count alike, before reading.
    let q = Query::new().index("incl").filter(col("u").eq("u0").and(col("y").lt(10)));
    let (a, b) = (on_ddb.count(&q).await.unwrap_err(), on_mem.count(&q).await.unwrap_err());
    assert_eq!((a.kind(), a.message()), (b.kind(), b.message()));
    assert!(a.message().contains("does not project"), "{a}");
}

async fn counted_pages<B: Backend>(
    db: &B,
    mut r: dynaquery::ReadRequest,
) -> dynaquery::Result<Vec<(u64, u64, Option<Item>)>> {
    let mut out = Vec::new();
    for _ in 0..200 {
        let page = db.read(r.clone()).await?;
        assert!(page.items.is_empty(), "a Select: COUNT page holds items");
        out.push((page.count, page.scanned_count, page.last_evaluated_key.clone()));
        match page.last_evaluated_key {
            Some(k) => r.exclusive_start_key = Some(k),
            None => return Ok(out),
        }
    }
    panic!("more than 200 pages");
}

/// Every page of one segment of a `Scan` with `Limit` 7: the items.
async fn segment_items<B: Backend>(db: &B, mut r: dynaquery::ReadRequest) -> dynaquery::Result<Vec<Item>> {
    let mut out = Vec::new();
    for _ in 0..500 {
        let page = db.read(r.clone()).await?;
        assert!(page.scanned_count <= 7, "a page over its Limit");
        out.extend(page.items);
        match page.last_evaluated_key {
            Some(k) => r.exclusive_start_key = Some(k),
            None => return Ok(out),
        }
    }
    panic!("more than 500 pages");
}

/// The `id`s of `items`, sorted: the multiset of rows, by primary key.
fn ids(items: &[Item]) -> Vec<String> {
    let mut out: Vec<String> = items.iter().map(|i| format!("{:?}", i.get("id"))).collect();
    out.sort();
    out
}

/// Parallel scan on both backends: for 1, 3 and 4 segments, of the table
/// and of a GSI, the segments (each read to its end through
/// `LastEvaluatedKey`, `Limit` 7) are disjoint and together hold exactly
/// what a full scan holds. Which segment an item lands in differs between
/// DynamoDB Local and memory, and is not compared. Then through the
/// engine: `scan_segments` and every `segment_pages` concatenated return
/// the reference's rows for random filters, as a multiset.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_scan_segments_split_the_table_on_both_backends() {
    use dynaquery::{ReadRequest, ScanSegment};
    use futures::TryStreamExt;
    const SCAN_TABLES: usize = 3;
    const SCAN_QUERIES: usize = 12;
    let client = local::client();
    let mut runner =
        TestRunner::new(Config { rng_seed: proptest::test_runner::RngSeed::Fixed(23), ..Config::default() });
    let (mut splits, mut queries) = (0, 0);
    for t in 0..SCAN_TABLES {
        let items = gen::table_strategy(80).new_tree(&mut runner).unwrap().current();
        let mut schema = gen::schema();
        schema.table = local::table_name(&format!("pscan{t}"));
        let memory = load_both(&client, &schema, &items).await;
        let ddb = DynamoDb::new(client.clone());
        for index in [None, Some("by_p_s")] {
            let base = || {
                let r = ReadRequest::scan(schema.table.clone()).with_limit(7);
                match index {
                    Some(ix) => r.with_index(ix),
                    None => r,
                }
            };
            let whole_ddb = ids(&segment_items(&ddb, base()).await.unwrap());
            let whole_mem = ids(&segment_items(&memory, base()).await.unwrap());
            assert_eq!(whole_ddb, whole_mem, "full scans differ (index {index:?})");
            for total in [1, 3, 4] {
                for (name, got) in [("DynamoDB Local", true), ("memory", false)] {
                    let mut union = Vec::new();
                    for seg in ScanSegment::all(total).unwrap() {
                        let r = base().with_segment(seg);
                        let part = if got {
                            segment_items(&ddb, r).await.unwrap()
                        } else {
                            segment_items(&memory, r).await.unwrap()
                        };
                        union.extend(part);
                    }
                    let union = ids(&union);
                    let mut distinct = union.clone();
                    distinct.dedup();
                    assert_eq!(distinct, union, "{name}: segments of {total} overlap (index {index:?})");
                    assert_eq!(
                        union, whole_ddb,
                        "{name}: {total} segments are not the whole scan (index {index:?})"
                    );
                    splits += 1;
                }
            }
        }
        // A start key of segment 0 is refused by segment 1, alike.
        let first = ReadRequest::scan(schema.table.clone()).with_limit(1);
        let seg = |s| ScanSegment::new(s, 4).unwrap();
        let from_ddb = ddb.read(first.clone().with_segment(seg(0))).await.unwrap().last_evaluated_key;
        let from_mem = memory.read(first.with_segment(seg(0))).await.unwrap().last_evaluated_key;
        if let (Some(a), Some(b)) = (from_ddb, from_mem) {
            let r =
                |k| ReadRequest::scan(schema.table.clone()).with_segment(seg(1)).with_exclusive_start_key(k);
            let (x, y) = (ddb.read(r(a)).await.unwrap_err(), memory.read(r(b)).await.unwrap_err());
            let words = "ValidationException: Exclusive start key must lie within the segment";
            assert_eq!(x.kind(), y.kind());
            assert!(x.message().contains(words) && y.message().contains(words), "{x}\n{y}");
        }
        // A segment on a Query is refused alike.
        let key = dynaquery::KeyCondition::new([("p", dynaquery::Value::from("p00"))]);
        let r = ReadRequest::query(schema.table.clone(), key)
            .with_index("by_p_s")
            .with_segment(ScanSegment::new(0, 2).unwrap());
        let (x, y) = (ddb.read(r.clone()).await.unwrap_err(), memory.read(r).await.unwrap_err());
        assert_eq!((x.kind(), x.message()), (y.kind(), y.message()));

        let on_ddb = Engine::new(schema.clone(), ddb.clone());
        let on_mem = Engine::new(schema.clone(), memory.clone());
        for _ in 0..SCAN_QUERIES {
            let drawn = gen::query_strategy().new_tree(&mut runner).unwrap().current();
            let mut q = Query::new().allow_scan(true).limit(5);
            if let Some(f) = drawn.get_filter() {
                q = q.filter(f.clone());
            }
            let plan = on_mem.plan(&q).unwrap();
            if !plan.is_scan() || plan.streams().is_empty() {
                continue; // an index serves it: not a parallel scan
            }
            let want = ids(&reference::run(&q, &gen::pk(), &items));
            for total in [1, 3, 4] {
                for (name, rows) in [
                    (
                        "DynamoDB Local",
                        on_ddb.scan_segments(q.clone(), total, 2).try_collect::<Vec<_>>().await,
                    ),
                    ("memory", on_mem.scan_segments(q.clone(), total, 2).try_collect::<Vec<_>>().await),
                ] {
                    let rows = rows.unwrap_or_else(|e| panic!("{name}: {e}\n{plan}"));
                    assert_eq!(
                        ids(&rows),
                        want,
                        "{name}: scan_segments({total}) differs from the reference\n{plan}"
                    );
                }
                // Each segment on its own, page by page.
                let mut rows = Vec::new();
                for seg in ScanSegment::all(total).unwrap() {
                    let pages: Vec<_> = on_ddb.segment_pages(q.clone(), seg).try_collect().await.unwrap();
                    rows.extend(pages.into_iter().flat_map(|p| p.rows));
                }
                assert_eq!(ids(&rows), want, "DynamoDB Local: segment_pages({total}) differ\n{plan}");
            }
            queries += 1;
        }
    }
    assert_eq!(splits, SCAN_TABLES * 2 * 3 * 2);
    assert!(queries >= SCAN_TABLES * SCAN_QUERIES / 3, "only {queries} filters planned as scans");
    eprintln!(
        "parallel scan: {splits} splits into 1, 3 and 4 segments disjoint and whole on DynamoDB Local and in \
         memory; {queries} filtered scans equal the reference through scan_segments and segment_pages"
    );
}
