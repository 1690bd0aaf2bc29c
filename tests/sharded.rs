//! Write-sharded partition keys (`status#0` … `status#N-1`) against the
//! naive reference over the logical items: random tables written through
//! `Schema::stored_item`, random queries on the logical attribute (every
//! shard read, or the one an `=` on the `by` attribute pins), page sizes
//! from 1 up, COUNT; schema checks; and the same on DynamoDB Local.

mod common;
mod support;

use common::{all_pages, reference};
use dynaquery::{
    asc, col, desc, Engine, ErrorKind, Expr, Index, Item, KeyAttribute, MemoryTable, OrderBy, Query, Schema,
    Sharding, Value,
};
use futures::executor::block_on;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(500)
}

const PK: [&str; 1] = ["id"];
const SHARDS: u32 = 3;

/// Table keyed by `id`; GSI `by_status` on (status_shard; s), sharded from
/// `status` over 3 shards picked by `user`.
fn schema(table: &str) -> Schema {
    Schema::new(table, KeyAttribute::s("id"))
        .index(
            Index::gsi("by_status", [KeyAttribute::s("status_shard")], [KeyAttribute::n("s")])
                .sharded(Sharding::new("status", "#", SHARDS).by("user")),
        )
        .always_present(["s"])
}

fn item_strategy(i: usize) -> impl Strategy<Value = Item> {
    (
        prop_oneof![8 => select(vec!["paid", "open", "refunded"]).prop_map(Some), 1 => Just(None)],
        prop_oneof![4 => select(vec!["u1", "u2", "u3", "u4"]).prop_map(Some), 1 => Just(None)],
        0i64..5,
        prop_oneof![
            2 => Just(None),
            1 => Just(Some(Value::Null)),
            3 => (0i64..3).prop_map(|n| Some(Value::from(n))),
        ],
    )
        .prop_map(move |(status, user, s, x)| {
            let mut it = Item::new();
            it.insert("id".into(), Value::from(format!("i{i:03}")));
            if let Some(v) = status {
                it.insert("status".into(), Value::from(v));
            }
            if let Some(v) = user {
                it.insert("user".into(), Value::from(v));
            }
            it.insert("s".into(), Value::from(s));
            if let Some(v) = x {
                it.insert("x".into(), v);
            }
            it
        })
}

fn table_strategy(max: usize) -> impl Strategy<Value = Vec<Item>> {
    (0..=max).prop_flat_map(|n| (0..n).map(item_strategy).collect::<Vec<_>>())
}

fn query_strategy() -> impl Strategy<Value = (Query, usize)> {
    (
        proptest::sample::subsequence(vec!["paid", "open", "refunded", "gone"], 1..=3),
        prop_oneof![3 => Just(None), 1 => select(vec!["u1", "u2", "u3", "u4"]).prop_map(Some)],
        prop_oneof![
            2 => Just(None),
            1 => (0i64..3).prop_map(|n| Some(col("x").ne(n))),
            1 => (0i64..5).prop_map(|n| Some(col("s").ge(n))),
        ],
        proptest::collection::vec(
            (select(vec!["s", "x", "id", "status"]), any::<bool>()).prop_map(|(a, up)| {
                if up {
                    asc(a)
                } else {
                    desc(a)
                }
            }),
            0..3,
        ),
    )
        .prop_map(
            |(statuses, user, extra, order): (Vec<&str>, Option<&str>, Option<Expr>, Vec<OrderBy>)| {
                let streams = statuses.len() * if user.is_some() { 1 } else { SHARDS as usize };
                let mut q = Query::new();
                q = if statuses.len() == 1 {
                    q.filter(col("status").eq(statuses[0]))
                } else {
                    q.filter(col("status").is_in(statuses))
                };
                if let Some(u) = user {
                    q = q.filter(col("user").eq(u));
                }
                if let Some(e) = extra {
                    q = q.filter(e);
                }
                for o in order {
                    q = q.order_by(o);
                }
                (q, streams)
            },
        )
}

fn engine(items: &[Item]) -> Engine<MemoryTable> {
    let schema = schema("t");
    let table = MemoryTable::new(schema.clone());
    for it in items {
        table.put(schema.stored_item(it)).unwrap();
    }
    Engine::new(schema, table)
}

fn count_query(q: &Query) -> Query {
    Query::new().filter(q.get_filter().cloned().expect("a filter"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    /// Pages over every shard (or the pinned one) concatenate to the
    /// reference over the logical items, the physical attribute left out;
    /// the COUNT agrees.
    #[test]
    fn sharded_queries_match_the_reference(
        items in table_strategy(80),
        (q, streams) in query_strategy(),
        big in 8usize..40,
    ) {
        let engine = engine(&items);
        let plan = engine.plan(&q).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(plan.index(), Some("by_status"), "{}", plan);
        prop_assert_eq!(plan.streams().len(), streams, "{}", plan);
        let want = reference::run(&q, &PK, &items);
        for size in [1, 2, 3, 7, big] {
            let got = block_on(all_pages(&engine, &q.clone().limit(size), items.len() + 2))
                .map_err(|e| TestCaseError::fail(format!("page size {size}: {e}\nplan:\n{plan}")))?;
            prop_assert_eq!(&got, &want, "page size {}; plan:\n{}", size, plan);
        }
        let count = block_on(engine.count(&count_query(&q))).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(count.total, want.len() as u64);
    }
}

#[test]
fn stored_items_carry_the_shard_their_by_attribute_picks() {
    let schema = schema("t");
    let it = dynaquery::item([
        ("id", "i1".into()),
        ("status", "paid".into()),
        ("user", "u3".into()),
        ("s", 1.into()),
    ]);
    let stored = schema.stored_item(&it);
    let shard = Sharding::shard_of(&Value::from("u3"), SHARDS);
    assert_eq!(stored["status_shard"], Value::from(format!("paid#{shard}")));
    // FNV-1a is fixed: other writers can compute the same suffix.
    assert_eq!(Sharding::shard_of(&Value::from("u3"), 1000), fnv("u3"));
    let without = schema.stored_item(&dynaquery::item([("id", "i2".into()), ("s", 1.into())]));
    assert!(!without.contains_key("status_shard"));
}

/// FNV-1a 64 of a string's UTF-8, modulo 1000: the documented shard function.
fn fnv(s: &str) -> u32 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h % 1000) as u32
}

#[test]
fn explain_names_the_shards_and_rows_hide_the_physical_attribute() {
    let items: Vec<Item> = (0..12)
        .map(|i| {
            dynaquery::item([
                ("id", Value::from(format!("i{i:02}"))),
                ("status", Value::from("paid")),
                ("user", Value::from(format!("u{}", i % 4))),
                ("s", Value::from(i)),
            ])
        })
        .collect();
    let engine = engine(&items);
    let q = Query::new().filter(col("status").eq("paid")).order_by(desc("s")).limit(5);
    let plan = engine.plan(&q).unwrap();
    let text = plan.to_string();
    assert!(text.contains("#0 status_shard = \"paid#0\""), "{text}");
    assert!(text.contains("#2 status_shard = \"paid#2\""), "{text}");
    assert!(text.contains("note: index `by_status` is write-sharded: each value of status is read from 3 shards of status_shard"), "{text}");
    let page = block_on(engine.fetch(&q)).unwrap();
    assert_eq!(page.rows.len(), 5);
    assert!(page.rows.iter().all(|r| !r.contains_key("status_shard") && r["status"] == Value::from("paid")));
    // Selected explicitly, it is returned.
    let sel = block_on(engine.fetch(&q.clone().select(["id", "status_shard"]))).unwrap();
    assert!(sel.rows.iter().all(|r| r.contains_key("status_shard")));
}

#[test]
fn a_bad_sharding_is_refused_naming_the_index() {
    let bad = [
        Index::gsi("g", [KeyAttribute::n("status_shard")], [KeyAttribute::n("s")])
            .sharded(Sharding::new("status", "#", 4)),
        Index::gsi("g", [KeyAttribute::s("status_shard")], [KeyAttribute::n("s")])
            .sharded(Sharding::new("status", "#", 0)),
        Index::gsi("g", [KeyAttribute::s("status_shard")], [KeyAttribute::n("s")])
            .sharded(Sharding::new("status", "", 4)),
        Index::gsi("g", [KeyAttribute::s("status")], [KeyAttribute::n("s")])
            .sharded(Sharding::new("status", "#", 4)),
    ];
    for ix in bad {
        let schema = Schema::new("t", KeyAttribute::s("id")).index(ix);
        let engine = Engine::new(schema.clone(), MemoryTable::new(schema));
        let err = engine.plan(&Query::new().filter(col("status").eq("paid"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Schema, "{err}");
        assert!(err.to_string().contains("sharded index `g`"), "{err}");
    }
}

/// Random sharded queries on DynamoDB Local equal the reference.
#[test]
fn sharded_queries_on_dynamodb_local() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = support::dynamodb_local::client();
    let table = support::dynamodb_local::table_name("sharded");
    let schema = schema(&table);
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::default());
    let items = table_strategy(80).new_tree(&mut runner).unwrap().current();
    let stored: Vec<Item> = items.iter().map(|it| schema.stored_item(it)).collect();
    rt.block_on(async {
        dynaquery::dynamodb::ensure_table(&client, &schema).await.unwrap();
        support::dynamodb_local::load(&client, &table, &stored).await;
    });
    let engine = Engine::new(schema, dynaquery::DynamoDb::new(client));
    for case in 0..20 {
        let (q, streams) = query_strategy().new_tree(&mut runner).unwrap().current();
        let plan = engine.plan(&q).unwrap();
        assert_eq!(plan.streams().len(), streams);
        let want = reference::run(&q, &PK, &items);
        for size in [1, 5, 50] {
            let got = rt.block_on(all_pages(&engine, &q.clone().limit(size), items.len() + 2)).unwrap();
            assert_eq!(got, want, "case {case}, page size {size}; plan:\n{plan}");
        }
        let count = rt.block_on(engine.count(&count_query(&q))).unwrap();
        assert_eq!(count.total, want.len() as u64, "case {case}");
    }
}
