//! `OR` across indexes (index union) against the naive reference: random
//! ORs of indexable and non-indexable disjuncts over a table with one GSI
//! per disjunct's attribute, many ties, NULLs and missing attributes, page
//! sizes from 1 up; COUNT over a union; what EXPLAIN shows and what is
//! refused; and the same on DynamoDB Local.

mod common;
mod support;

use common::{all_pages, reference};
use dynaquery::{
    asc, col, desc, not, Engine, ErrorKind, Expr, Index, Item, KeyAttribute, MemoryTable, OrderBy, Query,
    Schema, Value,
};
use futures::executor::block_on;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1000)
}

const PK: [&str; 1] = ["id"];

/// Table `t` keyed by `id`; GSIs on (status; s), (user; s), (region; y),
/// (status; y), (status; s, id) and (user; s, id), sparse on their partition keys (every item has `s`
/// and `y`): every disjunct kind has an index, and some pairs of them
/// deliver the same order while others do not.
fn schema(table: &str) -> Schema {
    Schema::new(table, KeyAttribute::s("id"))
        .always_present(["s", "y"])
        .index(Index::gsi("by_status_s", [KeyAttribute::s("status")], [KeyAttribute::n("s")]))
        .index(Index::gsi("by_user_s", [KeyAttribute::s("user")], [KeyAttribute::n("s")]))
        .index(Index::gsi("by_region_y", [KeyAttribute::s("region")], [KeyAttribute::s("y")]))
        .index(Index::gsi("by_status_y", [KeyAttribute::s("status")], [KeyAttribute::s("y")]))
        // The whole order `s, id`: branches on these merge with no tie
        // re-sort and resume right after the cursor row (a start key).
        .index(Index::gsi(
            "by_status_s_id",
            [KeyAttribute::s("status")],
            [KeyAttribute::n("s"), KeyAttribute::s("id")],
        ))
        .index(Index::gsi(
            "by_user_s_id",
            [KeyAttribute::s("user")],
            [KeyAttribute::n("s"), KeyAttribute::s("id")],
        ))
}

fn maybe<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
    absent: u32,
) -> impl Strategy<Value = Option<T>> {
    prop_oneof![10 - absent => s.prop_map(Some), absent => Just(None)]
}

fn item_strategy(i: usize) -> impl Strategy<Value = Item> {
    (
        maybe(select(vec!["paid", "refunded", "open"]), 2),
        maybe(select(vec!["u1", "u2", "u3"]), 3),
        maybe(select(vec!["eu", "us"]), 3),
        0i64..4,
        select(vec!["a", "b", "c"]),
        prop_oneof![
            2 => Just(None),
            1 => Just(Some(Value::Null)),
            3 => (0i64..3).prop_map(|n| Some(Value::from(n))),
            2 => select(vec!["FR", "DE"]).prop_map(|s| Some(Value::from(s))),
        ],
    )
        .prop_map(move |(status, user, region, s, y, x)| {
            let mut it = Item::new();
            it.insert("id".into(), Value::from(format!("i{i:03}")));
            let mut put = |k: &str, v: Option<Value>| {
                if let Some(v) = v {
                    it.insert(k.into(), v);
                }
            };
            put("status", status.map(Value::from));
            put("user", user.map(Value::from));
            put("region", region.map(Value::from));
            put("s", Some(Value::from(s)));
            put("y", Some(Value::from(y)));
            put("x", x);
            it
        })
}

fn table_strategy(max: usize) -> impl Strategy<Value = Vec<Item>> {
    (0..=max).prop_flat_map(|n| (0..n).map(item_strategy).collect::<Vec<_>>())
}

/// A predicate no index's key serves.
fn plain_leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        (0i64..4).prop_map(|n| col("s").ge(n)),
        (0i64..3, 0i64..4).prop_map(|(a, b)| col("s").between(a, b)),
        select(vec!["a", "b"]).prop_map(|v| col("y").gt(v)),
        select(vec!["FR", "DE"]).prop_map(|v| col("x").ne(v)),
        (0i64..3).prop_map(|n| col("x").eq(n)),
        Just(col("x").is_null()),
        Just(col("x").is_not_null()),
        select(vec!["paid", "open"]).prop_map(|v| not(col("status").eq(v))),
    ]
}

/// A predicate the partition key of some index serves.
fn keyed_leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        select(vec!["paid", "refunded", "open", "gone"]).prop_map(|v| col("status").eq(v)),
        proptest::sample::subsequence(vec!["paid", "refunded", "open"], 1..=2)
            .prop_map(|vs| col("status").is_in(vs)),
        select(vec!["u1", "u2", "u3"]).prop_map(|v| col("user").eq(v)),
        select(vec!["eu", "us"]).prop_map(|v| col("region").eq(v)),
    ]
}

/// A disjunct: usually a keyed leaf, sometimes with a plain one ANDed.
fn keyed_disjunct() -> impl Strategy<Value = Expr> {
    (keyed_leaf(), maybe(plain_leaf(), 6)).prop_map(|(k, p)| match p {
        Some(p) => k.and(p),
        None => k,
    })
}

fn order_strategy() -> impl Strategy<Value = Vec<OrderBy>> {
    proptest::collection::vec(
        (select(vec!["s", "y", "x", "id", "status"]), any::<bool>()).prop_map(|(a, up)| {
            if up {
                asc(a)
            } else {
                desc(a)
            }
        }),
        0..3,
    )
}

/// `rest AND (d1 OR … OR dn)`, every disjunct keyed.
fn union_query() -> impl Strategy<Value = Query> {
    (
        proptest::collection::vec(keyed_disjunct(), 2..5),
        maybe(plain_leaf(), 5),
        order_strategy(),
        any::<bool>(),
    )
        .prop_map(|(ds, rest, order, select_some)| {
            let mut q = Query::new().filter(Expr::Or(ds));
            if let Some(r) = rest {
                q = q.filter(r);
            }
            for o in order {
                q = q.order_by(o);
            }
            if select_some {
                q = q.select(["id", "x"]);
            }
            q
        })
}

fn engine(items: &[Item]) -> Engine<MemoryTable> {
    let table = MemoryTable::new(schema("t"));
    for it in items {
        table.put(it.clone()).unwrap();
    }
    Engine::new(schema("t"), table)
}

fn count_query(q: &Query) -> Query {
    let mut out = Query::new().allow_scan(q.get_allow_scan());
    if let Some(f) = q.get_filter() {
        out = out.filter(f.clone());
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    /// Every OR of keyed disjuncts plans as a union of Queries (never a
    /// scan), and for page sizes 1, 2, 3, 7 and one larger its pages
    /// concatenate to the reference: no row twice, none missing, in order.
    /// Its COUNT equals the reference's.
    #[test]
    fn unions_page_like_the_reference(
        items in table_strategy(90),
        q in union_query(),
        big in 8usize..40,
    ) {
        let engine = engine(&items);
        let plan = engine.plan(&q).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert!(plan.streams().iter().all(|s| s.key.is_some()), "{}", plan);
        let want = reference::run(&q, &PK, &items);
        for size in [1, 2, 3, 7, big] {
            let got = block_on(all_pages(&engine, &q.clone().limit(size), items.len() + 2))
                .map_err(|e| TestCaseError::fail(format!("page size {size}: {e}\nplan:\n{plan}")))?;
            prop_assert_eq!(&got, &want, "page size {}; plan:\n{}", size, plan);
        }
        let count = block_on(engine.count(&count_query(&q))).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(count.total, want.len() as u64, "plan:\n{}", plan);
    }

    /// An OR with a disjunct no index serves is refused, naming that
    /// disjunct and the index it lacks; allowed to scan, it scans and
    /// still equals the reference.
    #[test]
    fn a_disjunct_without_an_index_is_refused_or_scanned(
        items in table_strategy(60),
        keyed in keyed_disjunct(),
        plain in plain_leaf(),
        plain_first in any::<bool>(),
        order in order_strategy(),
    ) {
        let or = if plain_first { plain.clone().or(keyed) } else { keyed.or(plain.clone()) };
        let mut q = Query::new().filter(or);
        for o in order {
            q = q.order_by(o);
        }
        let engine = engine(&items);
        let err = engine.plan(&q).expect_err("a disjunct has no index");
        prop_assert_eq!(err.kind(), ErrorKind::NoUsableIndex);
        prop_assert!(err.to_string().contains(&format!("`{plain}`")), "{}", err);
        prop_assert!(err.suggested_index().is_some() || err.to_string().contains("no `=` or `IN`"), "{}", err);
        let q = q.allow_scan(true);
        prop_assert!(engine.plan(&q).unwrap().is_scan());
        let got = block_on(all_pages(&engine, &q.clone().limit(3), items.len() + 2)).unwrap();
        prop_assert_eq!(got, reference::run(&q, &PK, &items));
    }
}

/// The example: two GSIs, one per side of the OR, merged on the
/// order; an item matching both sides appears once.
#[test]
fn refunded_or_one_user_reads_two_indexes_and_returns_each_item_once() {
    let items: Vec<Item> = (0..40)
        .map(|i| {
            dynaquery::item([
                ("id", Value::from(format!("o{i:02}"))),
                ("status", Value::from(if i % 3 == 0 { "refunded" } else { "paid" })),
                ("user", Value::from(if i % 4 == 0 { "u1" } else { "u2" })),
                ("s", Value::from(i / 2)),
            ])
        })
        .collect();
    let engine = engine(&items);
    let q = Query::new()
        .filter(col("status").eq("refunded").or(col("user").eq("u1")))
        .order_by(desc("s"))
        .limit(5);
    let plan = engine.plan(&q).unwrap();
    assert!(plan.is_union());
    assert_eq!(plan.indexes(), vec![Some("by_status_s"), Some("by_user_s")]);
    let explain = plan.to_string();
    assert!(
        explain.starts_with("Union of 2 branches (OR across indexes), ScanIndexForward=false"),
        "{explain}"
    );
    assert!(
        explain.contains("branch 1: Query index `by_status_s` of table `t` for status = \"refunded\""),
        "{explain}"
    );
    assert!(
        explain.contains("branch 2: Query index `by_user_s` of table `t` for user = \"u1\", leaving out"),
        "{explain}"
    );
    // The second branch leaves out what the first reads.
    assert!(explain.contains("server filter: NOT status = \"refunded\""), "{explain}");
    let got = block_on(all_pages(&engine, &q, 50)).unwrap();
    let want = reference::run(&q, &PK, &items);
    assert_eq!(got, want);
    // o00, o12, o24, o36 match both sides: each once.
    assert_eq!(got.iter().filter(|r| r["id"] == Value::from("o12")).count(), 1);
    assert_eq!(want.len(), 40 / 3 + 1 + 40 / 4 - 4);
}

/// Branches whose indexes deliver different orders: read whole, top rows kept.
#[test]
fn branches_with_different_orders_fall_back_to_top_n() {
    let items: Vec<Item> = (0..30)
        .map(|i| {
            dynaquery::item([
                ("id", Value::from(format!("o{i:02}"))),
                ("status", Value::from(if i % 2 == 0 { "paid" } else { "open" })),
                ("region", Value::from(if i % 5 == 0 { "eu" } else { "us" })),
                ("s", Value::from(i % 7)),
                ("y", Value::from(["a", "b", "c"][i % 3])),
            ])
        })
        .collect();
    let engine = engine(&items);
    let q =
        Query::new().filter(col("status").eq("paid").or(col("region").eq("eu"))).order_by(asc("s")).limit(4);
    let plan = engine.plan(&q).unwrap();
    assert!(plan.is_union());
    assert_eq!(plan.strategy(), dynaquery::Strategy::TopK, "{plan}");
    assert_eq!(block_on(all_pages(&engine, &q, 50)).unwrap(), reference::run(&q, &PK, &items));
}

/// Random unions on DynamoDB Local: the pages and the count equal the
/// reference, as in memory.
#[test]
fn unions_on_dynamodb_local() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = support::dynamodb_local::client();
    let table = support::dynamodb_local::table_name("union");
    let mut runner =
        proptest::test_runner::TestRunner::new(ProptestConfig { cases: 12, ..ProptestConfig::default() });
    let items = table_strategy(80).new_tree(&mut runner).unwrap().current();
    let schema = schema(&table);
    rt.block_on(async {
        dynaquery::dynamodb::ensure_table(&client, &schema).await.unwrap();
        support::dynamodb_local::load(&client, &table, &items).await;
    });
    let engine = Engine::new(schema, dynaquery::DynamoDb::new(client));
    for case in 0..25 {
        let q = union_query().new_tree(&mut runner).unwrap().current();
        let want = reference::run(&q, &PK, &items);
        let plan = engine.plan(&q).unwrap();
        for size in [1, 4, 50] {
            let got = rt.block_on(all_pages(&engine, &q.clone().limit(size), items.len() + 2)).unwrap();
            assert_eq!(got, want, "case {case}, page size {size}; plan:\n{plan}");
        }
        let count = rt.block_on(engine.count(&count_query(&q))).unwrap();
        assert_eq!(count.total, want.len() as u64, "case {case}; plan:\n{plan}");
    }
}
