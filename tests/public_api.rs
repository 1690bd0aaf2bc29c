//! The public API as code outside the crate meets it: a custom backend
//! built only from constructors (the request and response types are
//! `#[non_exhaustive]`), the one naming rule on `Query`, and the two
//! meanings `to_item` used to have, now two names.

use std::sync::Mutex;

use dynaquery::{
    asc, col, desc, item, Backend, Cond, Engine, Error, ErrorKind, Index, Item, KeyAttribute, MemoryTable,
    Query, ReadRequest, ReadResponse, Result, Schema, SortRange, Value,
};
use futures::executor::block_on;

fn schema() -> Schema {
    Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .always_present(["status", "created_at"])
}

fn table() -> MemoryTable {
    let t = MemoryTable::new(schema());
    for i in 0..30 {
        t.put(item([
            ("order_id", Value::from(format!("o-{i:02}"))),
            ("status", Value::from(if i % 3 == 0 { "new" } else { "paid" })),
            ("created_at", Value::from(format!("2026-11-{:02}", 1 + i % 7))),
            ("country", Value::from(if i % 2 == 0 { "FR" } else { "DE" })),
        ]))
        .unwrap();
    }
    t
}

/// A custom backend, written as a user would: it answers from a
/// `MemoryTable`'s items by itself (no delegation), rebuilding every
/// response through `ReadResponse::new`, and refuses what it does not know.
struct Handmade {
    items: Vec<Item>,
    requests: Mutex<Vec<ReadRequest>>,
}

fn key_matches(k: &dynaquery::KeyCondition, it: &Item) -> std::result::Result<bool, Error> {
    let mut ok = k.partition.iter().chain(&k.sort_eq).all(|(a, v)| it.get(a) == Some(v));
    if let Some((a, range)) = &k.sort_range {
        let x = it.get(a);
        ok &= match range {
            SortRange::Eq(v) => x == Some(v),
            SortRange::Lt(v) => x.and_then(|x| x.cmp_same_type(v)).is_some_and(|o| o.is_lt()),
            SortRange::Gt(v) => x.and_then(|x| x.cmp_same_type(v)).is_some_and(|o| o.is_gt()),
            SortRange::Ge(v) => x.and_then(|x| x.cmp_same_type(v)).is_some_and(|o| o.is_ge()),
            SortRange::Le(v) => x.and_then(|x| x.cmp_same_type(v)).is_some_and(|o| o.is_le()),
            SortRange::Between(lo, hi) => {
                x.and_then(|x| Some(x.cmp_same_type(lo)?.is_ge() && x.cmp_same_type(hi)?.is_le()))
                    == Some(true)
            }
            // `SortRange` is `#[non_exhaustive]`: a backend refuses what it does not know.
            other => return Err(Error::new(ErrorKind::Backend, format!("unsupported sort range {other:?}"))),
        };
    }
    Ok(ok)
}

impl Backend for Handmade {
    async fn read(&self, request: ReadRequest) -> Result<ReadResponse> {
        self.requests.lock().unwrap().push(request.clone());
        if let Some(f) = &request.filter {
            f.check_depth()?;
        }
        let key = request.key.as_ref().ok_or_else(|| Error::new(ErrorKind::Backend, "no scans here"))?;
        let sort = "created_at";
        let mut hits = Vec::new();
        for it in &self.items {
            if key_matches(key, it)? {
                hits.push(it.clone());
            }
        }
        hits.sort_by(|a, b| {
            a[sort]
                .cmp_same_type(&b[sort])
                .unwrap()
                .then_with(|| a["order_id"].cmp_same_type(&b["order_id"]).unwrap())
        });
        if !request.scan_forward {
            hits.reverse();
        }
        // One page holds everything: no `Limit` honoured, no start key needed
        // (the engine's cursors narrow the key condition instead).
        let scanned = hits.len() as u64;
        let rows = hits.into_iter().filter(|it| request.filter.as_ref().is_none_or(|f| f.eval(it))).collect();
        Ok(ReadResponse::new(rows, scanned))
    }
}

#[test]
fn a_custom_backend_built_from_constructors_pages_like_the_memory_table() {
    let memory = table();
    let handmade = Handmade { items: memory.items(), requests: Mutex::new(Vec::new()) };
    let q = Query::new()
        .filter(col("status").eq("paid"))
        .filter(col("country").eq("FR"))
        .order_by(desc("created_at"))
        .order_by(asc("order_id"))
        .limit(4);
    let reference = Engine::new(schema(), memory);
    let custom = Engine::new(schema(), handmade);
    let (mut a, mut b) = (q.clone(), q.clone());
    let mut pages = 0;
    loop {
        let (pa, pb) = (block_on(reference.fetch(&a)).unwrap(), block_on(custom.fetch(&b)).unwrap());
        assert_eq!(pa.rows, pb.rows, "page {pages}");
        pages += 1;
        match (pa.next_cursor, pb.next_cursor) {
            (Some(x), Some(y)) => (a, b) = (a.cursor(x), b.cursor(y)),
            (None, None) => break,
            other => panic!("the two ends disagree: {other:?}"),
        }
    }
    assert_eq!(pages, 3, "10 French paid orders in pages of 4");
    let requests = custom.backend().requests.lock().unwrap();
    assert!(requests.iter().all(|r| r.index.as_deref() == Some("status-created_at") && !r.scan_forward));
    assert!(requests.iter().all(|r| r.filter == Some(Cond::from(&col("country").eq("FR")))));
}

/// A backend written before `Select: COUNT` existed ignores
/// `count_only` and answers with items through `ReadResponse::new`: its
/// `count` is the items' number, so `Engine::count` stays exact on it.
#[test]
fn a_custom_backend_that_ignores_count_only_still_counts_right() {
    let memory = table();
    let handmade = Handmade { items: memory.items(), requests: Mutex::new(Vec::new()) };
    let q = Query::new().filter(col("status").is_in(["paid", "new"])).filter(col("country").eq("FR"));
    let want = block_on(Engine::new(schema(), memory).count(&q)).unwrap().total;
    let custom = Engine::new(schema(), handmade);
    assert_eq!(block_on(custom.count(&q)).unwrap().total, want);
    assert_eq!(want, 15);
    assert!(custom.backend().requests.lock().unwrap().iter().all(|r| r.count_only));
}

#[test]
fn query_setters_and_getters_follow_one_rule() {
    let q = Query::new()
        .filter(col("status").eq("paid"))
        .filter(col("country").eq("FR"))
        .order_by(desc("created_at"))
        .limit(7)
        .offset(3)
        .select(["order_id"])
        .cursor("c")
        .index("status-created_at")
        .allow_scan(true)
        .read_budget(99)
        .selectivity_hint(0.5);
    assert_eq!(q.get_filter().unwrap().to_string(), r#"status = "paid" AND country = "FR""#);
    assert_eq!(q.get_order_by(), [desc("created_at")]);
    assert_eq!(q.get_limit(), 7);
    assert_eq!(q.get_offset(), 3);
    assert_eq!(q.get_select(), Some(&["order_id".to_owned()][..]));
    assert_eq!(q.get_cursor(), Some("c"));
    assert_eq!(q.get_index(), Some("status-created_at"));
    assert!(q.get_allow_scan());
    assert_eq!(q.get_read_budget(), Some(99));
    assert_eq!(q.get_selectivity_hint(), Some(0.5));
    // Setting twice keeps the last value (filter and order_by excepted).
    assert_eq!(q.clone().limit(1).limit(7), q);
    assert_eq!(Query::new().get_limit(), Query::DEFAULT_LIMIT);
}

#[test]
fn to_item_means_serde_and_to_attribute_map_means_the_sdk() {
    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Order {
        order_id: String,
        total: u32,
    }
    let order = Order { order_id: "o-1".into(), total: 42 };
    let it = dynaquery::to_item(&order).unwrap();
    assert_eq!(it["total"], Value::from(42));
    assert_eq!(dynaquery::from_item::<Order>(it.clone()).unwrap(), order);
    let sdk = dynaquery::dynamodb::to_attribute_map(&it);
    assert_eq!(sdk["total"], aws_sdk_dynamodb::types::AttributeValue::N("42".into()));
    assert_eq!(dynaquery::dynamodb::from_attribute_map(&sdk).unwrap(), it);
}
