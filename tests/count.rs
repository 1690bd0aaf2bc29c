//! `Engine::count` and `Engine::count_by` against the naive reference
//! (filter everything, count), over random tables with many NULLs and
//! missing attributes; the requests a count sends; and what it refuses.

mod common;

use std::collections::BTreeMap;
use std::sync::Mutex;

use common::{gen, reference};
use dynaquery::{
    asc, col, desc, item, Backend, Engine, ErrorKind, Index, KeyAttribute, MemoryTable, Options, Projection,
    Query, ReadRequest, ReadResponse, Schema, Value,
};
use futures::executor::block_on;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1000)
}

/// `q` without what a count refuses (its order) or ignores.
fn counted(q: &Query) -> Query {
    let mut out = Query::new().allow_scan(q.get_allow_scan());
    if let Some(f) = q.get_filter() {
        out = out.filter(f.clone());
    }
    if let Some(i) = q.get_index() {
        out = out.index(i);
    }
    out
}

/// A backend that records every request and response it passes on.
struct Recorder<B> {
    inner: B,
    seen: Mutex<Vec<(ReadRequest, ReadResponse)>>,
}

impl<B> Recorder<B> {
    fn new(inner: B) -> Self {
        Recorder { inner, seen: Mutex::new(Vec::new()) }
    }

    fn seen(&self) -> Vec<(ReadRequest, ReadResponse)> {
        self.seen.lock().unwrap().clone()
    }
}

impl<B: Backend> Backend for Recorder<B> {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        let response = self.inner.read(request.clone()).await?;
        self.seen.lock().unwrap().push((request, response.clone()));
        Ok(response)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 1000, ..ProptestConfig::default() })]

    /// The count equals the reference's number of matching rows, whatever
    /// the page cap (small caps force many pages per stream) and the
    /// concurrency; grouped by `p`, each group equals the reference's.
    #[test]
    fn count_equals_the_reference(
        items in gen::table_strategy(120),
        q in gen::query_strategy(),
        page_bytes in prop_oneof![Just(1_048_576usize), 1usize..400],
        concurrency in 1usize..5,
    ) {
        let table = MemoryTable::new(gen::schema()).with_page_bytes(page_bytes);
        for it in &items {
            table.put(it.clone()).unwrap();
        }
        let engine = Engine::new(gen::schema(), Recorder::new(table))
            .with_options(Options::default().max_concurrency(concurrency));
        let q = counted(&q);
        let want = reference::run(&q, &gen::pk(), &items);
        let plan = engine.plan(&q).unwrap();
        let n = block_on(engine.count(&q)).map_err(|e| TestCaseError::fail(format!("{e}\n{plan}")))?;
        prop_assert_eq!(n.total, want.len() as u64, "plan:\n{}", plan);
        prop_assert_eq!(n.stats.rows, n.total);
        prop_assert_eq!(n.stats.per_stream.len(), plan.streams().len());
        prop_assert!(n.groups.is_empty());
        // Every request is Select: COUNT unless a residual filter needs items.
        let seen = engine.backend().seen();
        prop_assert_eq!(seen.len() as u64, n.stats.calls);
        for (request, response) in &seen {
            // (A union's branches each have their own residual filter.)
            if !plan.is_union() {
                prop_assert_eq!(request.count_only, plan.residual_filter().is_none());
            }
            if request.count_only {
                prop_assert!(response.items.is_empty() && request.projection.is_none());
            }
        }

        // Grouped by `p`: where every stream has its own `p` value.
        let grouped = block_on(engine.count_by(&q, "p"));
        let by_p = plan.streams().iter().all(|s| {
            s.key.as_ref().is_some_and(|k| k.partition.iter().any(|(a, _)| a == "p"))
        });
        match grouped {
            Ok(g) => {
                prop_assert!(by_p, "grouped a plan that does not fan out on p:\n{}", plan);
                let mut want_groups: BTreeMap<String, u64> = BTreeMap::new();
                for row in &want {
                    if let Some(Value::S(p)) = row.get("p") {
                        *want_groups.entry(p.clone()).or_default() += 1;
                    }
                }
                let got: Vec<(String, u64)> = g.groups.iter().map(|x| match &x.value {
                    Value::S(s) => (s.clone(), x.count),
                    other => (format!("{other:?}"), x.count),
                }).collect();
                // Ascending by value, zero groups left out.
                prop_assert_eq!(got, want_groups.into_iter().collect::<Vec<_>>(), "plan:\n{}", plan);
                prop_assert_eq!(g.total, want.len() as u64);
                prop_assert_eq!(g.group_by.as_deref(), Some("p"));
            }
            Err(e) => {
                prop_assert!(!by_p, "refused a count grouped by p on:\n{}\n{}", plan, e);
                prop_assert_eq!(e.kind(), ErrorKind::InvalidQuery);
                prop_assert!(e.message().contains("GROUP BY p"), "{}", e);
            }
        }
    }
}

fn orders() -> (Schema, MemoryTable) {
    let schema = Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("by_status", [KeyAttribute::s("status")], [KeyAttribute::n("total")]))
        .always_present(["status", "total"]);
    let table = MemoryTable::new(schema.clone());
    for i in 0..30u32 {
        let mut it = item([
            ("order_id", Value::from(format!("o-{i:02}"))),
            ("status", Value::from(["paid", "shipped", "new"][i as usize % 3])),
            ("total", Value::from(i % 7)),
        ]);
        if i % 4 != 0 {
            it.insert("country".into(), Value::from(if i % 2 == 0 { "FR" } else { "DE" }));
        }
        table.put(it).unwrap();
    }
    (schema, table)
}

/// A residual filter (a predicate on the queried index's own sort key,
/// which a FilterExpression may not name) cannot run in `Select: COUNT`:
/// the count reads the items projected to what the residual needs, and
/// counts on the client.
#[test]
fn a_residual_filter_is_counted_on_the_client_from_a_projection() {
    let (schema, table) = orders();
    let items = table.items();
    let engine = Engine::new(schema, Recorder::new(table));
    let q = Query::new()
        .filter(col("status").is_in(["paid", "new"]).and(col("total").ne(3)).and(col("country").ne("FR")));
    let plan = engine.plan(&q).unwrap();
    assert!(plan.residual_filter().is_some(), "no residual:\n{plan}");
    let n = block_on(engine.count(&q)).unwrap();
    let want = reference::run(&q, &["order_id"], &items).len() as u64;
    assert!(want > 0);
    assert_eq!(n.total, want);
    let seen = engine.backend().seen();
    assert_eq!(seen.len(), 2);
    for (request, response) in seen {
        assert!(!request.count_only);
        assert_eq!(request.projection, Some(vec!["total".to_owned()]));
        // The server filter still runs on DynamoDB; items carry only `total`.
        assert!(request.filter.is_some());
        assert!(response.items.iter().all(|it| it.keys().all(|k| k == "total")), "{:?}", response.items);
    }
}

/// Without a residual, every request is `Select: COUNT`: no item comes back.
#[test]
fn a_count_reads_no_attribute_back() {
    let (schema, table) = orders();
    let items = table.items();
    let engine = Engine::new(schema, Recorder::new(table.with_page_bytes(60)));
    let q = Query::new().filter(col("status").is_in(["paid", "shipped"]).and(col("country").ne("FR")));
    let n = block_on(engine.count(&q)).unwrap();
    assert_eq!(n.total, reference::run(&q, &["order_id"], &items).len() as u64);
    assert_eq!(n.stats.streams, 2);
    let seen = engine.backend().seen();
    assert!(seen.len() > 2, "a small page cap makes several pages per stream: {}", seen.len());
    assert!(seen.iter().all(|(r, resp)| r.count_only && r.projection.is_none() && resp.items.is_empty()));
    assert_eq!(n.stats.items_read, 20);
    assert_eq!(n.stats.per_stream.iter().map(|s| s.rows_matched).sum::<u64>(), n.total);
}

/// A count goes through an index that stores what its filter names, even
/// where the rows' plan prefers a thinner one (fewer streams, but a
/// `BatchGetItem` fetch the filter waits on, which a count does not do):
/// no scan of the table, and no error when scans are not allowed.
#[test]
fn a_count_skips_an_index_that_would_fetch_for_its_filter() {
    let schema = Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("by_status", [KeyAttribute::s("status")], [KeyAttribute::n("total")]))
        .index(
            Index::gsi("by_user", [KeyAttribute::s("user")], [KeyAttribute::n("total")])
                .projection(Projection::KeysOnly),
        )
        .always_present(["status", "total"]);
    let table = MemoryTable::new(schema.clone());
    for i in 0..40u32 {
        let mut it = item([
            ("order_id", Value::from(format!("o-{i:02}"))),
            ("status", Value::from(["paid", "shipped", "new"][i as usize % 3])),
            ("total", Value::from(i % 7)),
            ("user", Value::from(format!("u{}", i % 4))),
        ]);
        if i % 5 != 0 {
            it.insert("country".into(), Value::from(if i % 2 == 0 { "FR" } else { "DE" }));
        }
        table.put(it).unwrap();
    }
    let items = table.items();
    let engine = Engine::new(schema, Recorder::new(table));
    let q = Query::new().filter(
        col("status").is_in(["paid", "shipped"]).and(col("user").eq("u1")).and(col("country").ne("FR")),
    );
    // The rows' plan: one stream of `by_user`, fetching for `status` and `country`.
    assert_eq!(engine.plan(&q).unwrap().index(), Some("by_user"));
    let want = reference::run(&q, &["order_id"], &items).len() as u64;
    assert!(want > 0);
    let n = block_on(engine.count(&q)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n.total, want);
    let seen = engine.backend().seen();
    assert!(seen.iter().all(|(r, _)| r.index.as_deref() == Some("by_status") && r.key.is_some()), "{seen:?}");
    let grouped = block_on(engine.count_by(&q, "status")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(grouped.groups.iter().map(|g| g.count).sum::<u64>(), want);
    // With scans allowed, still no scan.
    let n = block_on(engine.count(&q.clone().allow_scan(true))).unwrap();
    assert_eq!((n.total, n.stats.streams), (want, 2));
}

#[test]
fn grouped_counts_are_one_per_partition_key_value() {
    let (schema, table) = orders();
    let engine = Engine::new(schema, table);
    let q = Query::new().filter(col("status").is_in(["shipped", "paid", "refunded"]).and(col("total").gt(2)));
    let g = block_on(engine.count_by(&q, "status")).unwrap();
    let groups: Vec<(Value, u64)> = g.groups.iter().map(|x| (x.value.clone(), x.count)).collect();
    // `refunded` has no row, so no group; ascending by value.
    assert_eq!(groups, [(Value::from("paid"), 6), (Value::from("shipped"), 5)]);
    assert_eq!(g.total, 11);
    let down = block_on(engine.count_by(&q.clone().order_by(desc("status")), "status")).unwrap();
    assert_eq!(down.groups[0].value, Value::from("shipped"));
    // Grouping by anything but the partition key of the index read is refused by name.
    let e = block_on(engine.count_by(&q, "country")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidQuery);
    assert!(e.message().starts_with("GROUP BY country:") && e.message().contains("index `by_status`"), "{e}");
    let e = block_on(engine.count_by(&q.clone().order_by(asc("total")), "status")).unwrap_err();
    assert!(e.message().contains("ORDER BY total"), "{e}");
}

#[test]
fn a_count_refuses_a_cursor_an_offset_and_an_order() {
    let (schema, table) = orders();
    let engine = Engine::new(schema, table);
    let q = Query::new().filter(col("status").eq("paid"));
    let page = block_on(engine.fetch(&q.clone().limit(2))).unwrap();
    let cursor = page.next_cursor.unwrap();
    for (bad, says) in [
        (q.clone().cursor(cursor), "takes no cursor"),
        (q.clone().offset(3), "OFFSET 3 on a COUNT"),
        (q.clone().order_by(asc("total")), "ORDER BY total on a COUNT"),
    ] {
        let e = block_on(engine.count(&bad)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidQuery, "{e}");
        assert!(e.message().contains(says) && e.message().contains("drop"), "{e}");
    }
    // A LIMIT is a page size: a count ignores it.
    assert_eq!(block_on(engine.count(&q.clone().limit(1))).unwrap().total, 10);
}

#[test]
fn the_read_budget_caps_the_whole_count() {
    let (schema, table) = orders();
    let engine = Engine::new(schema, table);
    // 20 items under `paid` and `shipped`, 10 each.
    let q = Query::new().filter(col("status").is_in(["paid", "shipped"]).and(col("country").eq("DE")));
    assert_eq!(block_on(engine.count(&q.clone().read_budget(20))).unwrap().stats.items_read, 20);
    let e = block_on(engine.count(&q.clone().read_budget(19))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReadBudgetExceeded);
    assert!(e.message().contains("read budget of 19 items"), "{e}");
    assert!(e.message().contains("Query::read_budget / Options::read_budget"), "{e}");
    let tight = engine.clone().with_options(Options::default().read_budget(5));
    assert_eq!(block_on(tight.count(&q)).unwrap_err().kind(), ErrorKind::ReadBudgetExceeded);
}

/// A backend failure is the count's error, never a short count.
#[test]
fn a_failing_read_fails_the_count() {
    struct Failing;
    impl Backend for Failing {
        async fn read(&self, _: ReadRequest) -> dynaquery::Result<ReadResponse> {
            Err(dynaquery::Error::new(ErrorKind::Backend, "boom"))
        }
    }
    let (schema, _) = orders();
    let engine = Engine::new(schema, Failing);
    let e = block_on(engine.count(&Query::new().filter(col("status").eq("paid")))).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Backend);
}
