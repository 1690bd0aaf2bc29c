//! Unit tests of the in-memory backend; each DynamoDB fact they pin was
//! checked on DynamoDB Local 3.3.0.

use std::collections::BTreeSet;

use futures::FutureExt;

use super::*;
use crate::backend::{KeyCondition, SortRange};
use crate::cond::Cond;
use crate::expr::CmpOp;
use crate::schema::{Index, KeyAttribute, Projection};
use crate::value::{item, Value};
use crate::ErrorKind;

fn schema() -> Schema {
    Schema::new("orders", KeyAttribute::s("user"))
        .sort_key(KeyAttribute::n("n"))
        .index(Index::gsi("by_status", [KeyAttribute::s("status")], [KeyAttribute::s("created")]))
        .index(
            Index::gsi(
                "multi",
                [KeyAttribute::s("tenant"), KeyAttribute::s("status")],
                [KeyAttribute::n("created_n"), KeyAttribute::n("total")],
            )
            .projection(Projection::KeysOnly),
        )
        .index(
            Index::gsi("incl", [KeyAttribute::s("status")], [])
                .projection(Projection::Include(["note".to_owned()].into())),
        )
        .index(Index::lsi("by_created", KeyAttribute::s("created")).projection(Projection::KeysOnly))
}

fn order(user: &str, n: i64, status: &str, created: &str) -> Item {
    item([
        ("user", Value::from(user)),
        ("n", Value::from(n)),
        ("status", Value::from(status)),
        ("created", Value::from(created)),
        ("note", Value::from(format!("note {n}"))),
        ("extra", Value::from(n * 10)),
    ])
}

fn query(index: Option<&str>, partition: &[(&str, Value)]) -> ReadRequest {
    ReadRequest {
        table: "orders".into(),
        index: index.map(Into::into),
        key: Some(KeyCondition {
            partition: partition.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            sort_eq: vec![],
            sort_range: None,
        }),
        filter: None,
        projection: None,
        scan_forward: true,
        limit: None,
        exclusive_start_key: None,
        count_only: false,
        segment: None,
    }
}

fn user_query(user: &str) -> ReadRequest {
    query(None, &[("user", Value::from(user))])
}

fn run(table: &MemoryTable, request: ReadRequest) -> Result<ReadResponse> {
    table.read(request).now_or_never().unwrap()
}

fn ns(items: &[Item]) -> Vec<i64> {
    items.iter().map(|i| i["n"].to_string().parse().unwrap()).collect()
}

/// Ten orders of u1 (n 0..10) and three of u2.
fn filled() -> MemoryTable {
    let table = MemoryTable::new(schema());
    for n in 0..10 {
        table.put(order("u1", n, if n % 2 == 0 { "paid" } else { "new" }, &format!("2024-0{n}"))).unwrap();
    }
    for n in 0..3 {
        table.put(order("u2", n, "paid", "2023")).unwrap();
    }
    table
}

fn message(e: crate::Error) -> String {
    assert!(matches!(e.kind(), ErrorKind::Backend | ErrorKind::NotFound), "{e:?}");
    assert!(!e.is_retryable() && !e.is_client_error(), "{e:?}");
    e.message().to_owned()
}

#[test]
fn key_condition_ranges_in_both_directions() {
    let table = filled();
    let v = |n: i64| Value::from(n);
    let cases: Vec<(SortRange, Vec<i64>)> = vec![
        (SortRange::Eq(v(3)), vec![3]),
        (SortRange::Lt(v(3)), vec![0, 1, 2]),
        (SortRange::Le(v(3)), vec![0, 1, 2, 3]),
        (SortRange::Gt(v(7)), vec![8, 9]),
        (SortRange::Ge(v(7)), vec![7, 8, 9]),
        (SortRange::Between(v(2), v(4)), vec![2, 3, 4]),
        (SortRange::Between(v(4), v(4)), vec![4]),
        (SortRange::Gt(v(9)), vec![]),
    ];
    for (range, want) in cases {
        for forward in [true, false] {
            let mut request = user_query("u1");
            request.key.as_mut().unwrap().sort_range = Some(("n".into(), range.clone()));
            request.scan_forward = forward;
            let page = run(&table, request).unwrap();
            let mut want = want.clone();
            if !forward {
                want.reverse();
            }
            assert_eq!(ns(&page.items), want, "{range:?} forward={forward}");
            assert_eq!(page.last_evaluated_key, None);
        }
    }
    // begins_with on a string sort key (the LSI), both directions.
    let mut request = query(Some("by_created"), &[("user", Value::from("u1"))]);
    request.key.as_mut().unwrap().sort_range =
        Some(("created".into(), SortRange::BeginsWith(Value::from("2024-0"))));
    request.projection = Some(vec!["n".into()]);
    assert_eq!(ns(&run(&table, request.clone()).unwrap().items), (0..10).collect::<Vec<_>>());
    request.scan_forward = false;
    assert_eq!(ns(&run(&table, request).unwrap().items), (0..10).rev().collect::<Vec<_>>());
}

#[test]
fn multi_attribute_gsi_keys_order_attribute_by_attribute() {
    let table = MemoryTable::new(schema());
    let rows = [("t1", 2, 5), ("t1", 1, 9), ("t1", 2, 1), ("t2", 1, 1), ("t1", 1, 10)];
    for (n, (tenant, created, total)) in rows.into_iter().enumerate() {
        let it = item([
            ("user", Value::from("u")),
            ("n", Value::from(n)),
            ("tenant", Value::from(tenant)),
            ("status", Value::from("paid")),
            ("created_n", Value::from(created)),
            ("total", Value::from(total)),
        ]);
        table.put(it).unwrap();
    }
    let part = [("tenant", Value::from("t1")), ("status", Value::from("paid"))];
    let mut request = query(Some("multi"), &part);
    request.projection = Some(vec!["created_n".into(), "total".into(), "n".into()]);
    let page = run(&table, request.clone()).unwrap();
    let got: Vec<(String, String)> =
        page.items.iter().map(|i| (i["created_n"].to_string(), i["total"].to_string())).collect();
    let want = [("1", "9"), ("1", "10"), ("2", "1"), ("2", "5")];
    assert_eq!(got, want.map(|(a, b)| (a.to_owned(), b.to_owned())));

    request.key.as_mut().unwrap().sort_eq = vec![("created_n".into(), Value::from(2))];
    request.key.as_mut().unwrap().sort_range = Some(("total".into(), SortRange::Gt(Value::from(2))));
    assert_eq!(ns(&run(&table, request.clone()).unwrap().items), vec![0]);

    // A range on `total` without equality on `created_n` is rejected.
    request.key.as_mut().unwrap().sort_eq.clear();
    assert!(run(&table, request.clone()).is_err());
    // Equality on only one of the two partition attributes is rejected.
    let mut partial = query(Some("multi"), &part[..1]);
    partial.projection = Some(vec!["n".into()]);
    assert!(message(run(&table, partial).unwrap_err()).contains("missed key schema element: status"));
}

#[test]
fn limit_counts_items_before_the_filter() {
    // DynamoDB Local: Limit 2 with a filter matching nothing gave Items [],
    // ScannedCount 2 and a LastEvaluatedKey.
    let table = filled();
    let mut request = user_query("u1");
    request.limit = Some(2);
    request.filter = Some(Cond::Cmp { attr: "status".into(), op: CmpOp::Eq, value: Value::from("nope") });
    let page = run(&table, request).unwrap();
    assert!(page.items.is_empty());
    assert_eq!(page.scanned_count, 2);
    let lek = page.last_evaluated_key.unwrap();
    assert_eq!(lek, item([("user", Value::from("u1")), ("n", Value::from(1))]));
}

#[test]
fn limit_reached_on_the_last_item_still_gives_a_last_evaluated_key() {
    // DynamoDB Local: Limit 3 on a 3-item partition returned a
    // LastEvaluatedKey (Query and Scan); Limit 4 did not.
    let table = filled();
    let mut request = user_query("u2");
    request.limit = Some(3);
    assert!(run(&table, request.clone()).unwrap().last_evaluated_key.is_some());
    request.limit = Some(4);
    assert!(run(&table, request.clone()).unwrap().last_evaluated_key.is_none());
    // Resuming from it gives an empty last page.
    request.limit = Some(3);
    request.exclusive_start_key = run(&table, request.clone()).unwrap().last_evaluated_key;
    let last = run(&table, request).unwrap();
    assert!(last.items.is_empty() && last.last_evaluated_key.is_none());
}

fn pages(table: &MemoryTable, mut request: ReadRequest) -> (Vec<Item>, usize) {
    let mut out = Vec::new();
    let mut calls = 0;
    loop {
        let page = run(table, request.clone()).unwrap();
        calls += 1;
        out.extend(page.items);
        match page.last_evaluated_key {
            Some(lek) => request.exclusive_start_key = Some(lek),
            None => return (out, calls),
        }
    }
}

#[test]
fn paging_with_last_evaluated_key_reaches_every_item_once() {
    let table = filled();
    for index in [None, Some("by_status")] {
        for forward in [true, false] {
            for limit in 1..5 {
                let mut request = ReadRequest { key: None, ..user_query("u1") };
                request.index = index.map(Into::into);
                request.scan_forward = forward;
                request.limit = Some(limit);
                let (items, calls) = pages(&table, request);
                let keys: BTreeSet<(String, String)> =
                    items.iter().map(|i| (i["user"].to_string(), i["n"].to_string())).collect();
                assert_eq!(items.len(), 13);
                assert_eq!(keys.len(), 13);
                assert_eq!(calls, 13 / limit as usize + 1);
            }
        }
    }
    let mut request = query(Some("by_status"), &[("status", Value::from("paid"))]);
    request.limit = Some(2);
    request.scan_forward = false;
    let (items, _) = pages(&table, request);
    let created: Vec<String> = items.iter().map(|i| i["created"].to_string()).collect();
    let mut sorted = created.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(created, sorted);
    assert_eq!(items.len(), 8);
}

#[test]
fn a_page_stops_at_the_size_cap_including_the_crossing_item() {
    // DynamoDB Local: 262 146-byte items gave 4 per 1 MiB page (the 4th
    // crosses the cap); 262 144-byte items, exactly 1 MiB in 4, gave 4 with a
    // LastEvaluatedKey; 3 items crossing the cap together gave no
    // LastEvaluatedKey.
    let table = filled().with_page_bytes(300);
    let size = table.state().items.values().next().unwrap().size;
    assert!(size < 150, "each order is {size} bytes");
    let per_page = 300usize.div_ceil(size);
    let page = run(&table, user_query("u1")).unwrap();
    assert_eq!(page.items.len(), per_page);
    assert!(page.last_evaluated_key.is_some());
    let exact = filled().with_page_bytes(size * 3);
    let page = run(&exact, user_query("u1")).unwrap();
    assert_eq!(page.items.len(), 3);
    assert!(page.last_evaluated_key.is_some());
    let page = run(&exact, user_query("u2")).unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(page.last_evaluated_key, None, "the cap was reached on the last item");
    let (items, _) = pages(&table, user_query("u1"));
    assert_eq!(ns(&items), (0..10).collect::<Vec<_>>());
}

#[test]
fn indexes_are_sparse_and_reject_null_keys() {
    let table = filled();
    table
        .put(item([("user", Value::from("u3")), ("n", Value::from(0)), ("created", Value::from("x"))]))
        .unwrap();
    let scan = ReadRequest { key: None, index: Some("by_status".into()), ..user_query("u1") };
    assert_eq!(run(&table, scan).unwrap().scanned_count, 13);
    let lsi = query(Some("by_created"), &[("user", Value::from("u3"))]);
    assert_eq!(run(&table, lsi).unwrap().items.len(), 1);
    // DynamoDB Local rejects NULL in an index key attribute ("Invalid
    // attribute value type"), so NULL never puts an item in an index.
    let null = item([("user", Value::from("u4")), ("n", Value::from(0)), ("status", Value::Null)]);
    assert!(message(table.put(null).unwrap_err()).contains("Index Key status"));
}

#[test]
fn projections_follow_the_index() {
    let table = filled();
    let part = [("status", Value::from("paid"))];
    // KEYS_ONLY: table keys and index keys only; ALL_ATTRIBUTES is refused.
    let mut keys_only = query(Some("multi"), &[("tenant", Value::from("t")), ("status", Value::from("s"))]);
    assert!(message(run(&table, keys_only.clone()).unwrap_err()).contains("Select type ALL_ATTRIBUTES"));
    keys_only.projection = Some(vec!["note".into()]);
    assert!(message(run(&table, keys_only.clone()).unwrap_err()).contains("does not project [note]"));
    keys_only.projection = Some(vec!["user".into(), "total".into()]);
    assert!(run(&table, keys_only).is_ok());
    // INCLUDE: the listed attributes too.
    let mut include = query(Some("incl"), &part);
    include.projection = Some(vec!["note".into(), "n".into(), "missing_attr".into()]);
    assert!(message(run(&table, include.clone()).unwrap_err()).contains("does not project [missing_attr]"));
    include.projection = Some(vec!["note".into(), "n".into()]);
    let page = run(&table, include.clone()).unwrap();
    assert_eq!(page.items.len(), 8);
    assert!(page.items.iter().all(|i| i.keys().collect::<Vec<_>>() == ["n", "note"]));
    // A filter may only read attributes the index stores.
    include.filter = Some(Cond::Exists("extra".into()));
    assert!(message(run(&table, include).unwrap_err()).contains("does not project one or more filter"));
    // An LSI fetches what it does not store.
    let mut lsi = query(Some("by_created"), &[("user", Value::from("u1"))]);
    lsi.projection = Some(vec!["extra".into()]);
    let page = run(&table, lsi.clone()).unwrap();
    assert_eq!(page.items[0], item([("extra", Value::from(0))]));
    lsi.projection = None;
    assert_eq!(run(&table, lsi).unwrap().items[0], order("u1", 0, "paid", "2024-00"));
}

/// `Select: COUNT` asks for no attributes, so an index that does not
/// project them all counts like any other (DynamoDB Local 3.3.0 answers it
/// on KEYS_ONLY and INCLUDE GSIs); only a filter must read what it stores.
#[test]
fn a_count_reads_an_index_that_projects_only_some_attributes() {
    let table = filled();
    let mut keys_only = query(Some("multi"), &[("tenant", Value::from("t")), ("status", Value::from("s"))]);
    keys_only.count_only = true;
    assert_eq!(run(&table, keys_only).unwrap().count, 0);
    let mut include = query(Some("incl"), &[("status", Value::from("paid"))]);
    include.count_only = true;
    let all = run(&table, include.clone()).unwrap();
    assert_eq!((all.count, all.scanned_count, all.items.len()), (8, 8, 0));
    include.filter = Some(Cond::Exists("note".into()));
    assert_eq!(run(&table, include.clone()).unwrap().count, 8);
    include.filter = Some(Cond::Exists("extra".into()));
    assert!(message(run(&table, include).unwrap_err()).contains("does not project one or more filter"));
}

#[test]
fn ties_on_the_index_key_do_not_come_in_primary_key_order() {
    let table = MemoryTable::new(schema());
    for n in 0..20 {
        table.put(order("u", n, "paid", "same")).unwrap();
    }
    let request = query(Some("by_status"), &[("status", Value::from("paid"))]);
    let forward = ns(&run(&table, request.clone()).unwrap().items);
    assert_ne!(forward, (0..20).collect::<Vec<_>>());
    assert_eq!(forward, ns(&run(&table, request.clone()).unwrap().items), "deterministic");
    let backward = ns(&run(&table, ReadRequest { scan_forward: false, ..request }).unwrap().items);
    assert_eq!(backward, forward.iter().rev().copied().collect::<Vec<_>>());
}

#[test]
fn put_validates_like_put_item() {
    let table = MemoryTable::new(schema());
    let base = order("u", 1, "paid", "c");
    let with = |k: &str, v: Option<Value>| {
        let mut it = base.clone();
        match v {
            Some(v) => it.insert(k.into(), v),
            None => it.remove(k),
        };
        table.put(it).map_err(message)
    };
    assert!(with("n", None).unwrap_err().contains("not given a value"));
    assert!(with("n", Some(Value::from("1"))).unwrap_err().contains("Type mismatch for key n"));
    assert!(with("user", Some(Value::from(""))).unwrap_err().contains("empty string"));
    assert!(with("status", Some(Value::from(1))).unwrap_err().contains("Type mismatch for Index Key status"));
    assert!(with("created", Some(Value::from(""))).unwrap_err().contains("IndexKey: created"));
    assert!(with("big", Some(Value::from("x".repeat(410_000))))
        .unwrap_err()
        .contains("maximum allowed size"));
    assert!(with("set", Some(Value::Ss(BTreeSet::new()))).unwrap_err().contains("set may not be empty"));
    assert!(table.is_empty());
    with("note", Some(Value::from(""))).unwrap();
    assert_eq!(table.len(), 1);
}

#[test]
fn updates_and_deletes_maintain_every_index() {
    let table = filled();
    let status = |s: &str| {
        let mut request = query(Some("incl"), &[("status", Value::from(s))]);
        request.projection = Some(vec!["n".into()]);
        ns(&run(&table, request).unwrap().items).len()
    };
    assert_eq!((status("paid"), status("new")), (8, 5));
    table.put(order("u1", 0, "new", "2024-00")).unwrap();
    assert_eq!((status("paid"), status("new")), (7, 6));
    let mut no_status = order("u1", 1, "x", "2024-01");
    no_status.remove("status");
    table.put(no_status).unwrap();
    assert_eq!((status("paid"), status("new")), (7, 5));
    let key = item([("user", Value::from("u1")), ("n", Value::from(0))]);
    assert_eq!(table.delete(&key).unwrap().unwrap()["status"], Value::from("new"));
    assert_eq!(table.delete(&key).unwrap(), None);
    assert_eq!(table.get(&key).unwrap(), None);
    assert_eq!((status("paid"), status("new")), (7, 4));
    assert_eq!(table.len(), 12);
    assert!(table.get(&item([("user", Value::from("u1"))])).is_err());
    let items = table.items();
    assert_eq!(items.len(), 12);
    assert_eq!(ns(&items[..3]), vec![1, 2, 3]);
}

#[test]
fn requests_dynamodb_rejects_are_errors() {
    let table = filled();
    let err = |r: ReadRequest| message(run(&table, r).unwrap_err());
    assert!(err(ReadRequest { table: "other".into(), ..user_query("u1") }).starts_with("ResourceNotFound"));
    assert!(err(ReadRequest { index: Some("nope".into()), ..user_query("u1") }).contains("specified index"));
    assert!(err(ReadRequest { limit: Some(0), ..user_query("u1") }).contains("Limit"));
    let counted_projection = user_query("u1").with_projection(["n"]).counting();
    assert!(err(counted_projection).contains("ProjectionExpression"));
    // Kinds as the DynamoDB backend classifies DynamoDB's own errors.
    let kind = |r: ReadRequest| run(&table, r).unwrap_err().kind();
    assert_eq!(kind(ReadRequest { table: "other".into(), ..user_query("u1") }), ErrorKind::NotFound);
    assert_eq!(kind(ReadRequest { index: Some("nope".into()), ..user_query("u1") }), ErrorKind::NotFound);
    assert_eq!(kind(ReadRequest { limit: Some(0), ..user_query("u1") }), ErrorKind::Backend);
    let filter = |attr: &str| Some(Cond::Cmp { attr: attr.into(), op: CmpOp::Eq, value: Value::from(1) });
    assert!(err(ReadRequest { filter: filter("n"), ..user_query("u1") }).contains("non-primary key"));
    // A GSI query may filter on the table's key; a Scan on its own key.
    let gsi = query(Some("by_status"), &[("status", Value::from("paid"))]);
    assert!(run(&table, ReadRequest { filter: filter("n"), ..gsi.clone() }).is_ok());
    assert!(err(ReadRequest { filter: filter("created"), ..gsi.clone() }).contains("non-primary key"));
    assert!(run(&table, ReadRequest { filter: filter("n"), key: None, ..user_query("u1") }).is_ok());
    let bool_lt = Cond::Cmp { attr: "x".into(), op: CmpOp::Lt, value: Value::Bool(true) };
    assert!(err(ReadRequest { filter: Some(bool_lt), ..user_query("u1") }).contains("operand type: BOOL"));
    let ranged = |r: SortRange| {
        let mut q = user_query("u1");
        q.key.as_mut().unwrap().sort_range = Some(("n".into(), r));
        q
    };
    assert!(err(ranged(SortRange::Between(Value::from(5), Value::from(1)))).contains("BETWEEN"));
    assert!(err(ranged(SortRange::BeginsWith(Value::from(1)))).contains("begins_with"));
    assert!(err(ranged(SortRange::Gt(Value::from("1")))).contains("does not match schema type"));
    assert!(err(query(None, &[("user", Value::from(1))])).contains("does not match schema type"));
    assert!(err(query(None, &[("user", Value::from(""))])).contains("empty string"));
    // ExclusiveStartKey: exactly the keys, inside the key condition's range.
    let esk = |pairs: Vec<(&str, Value)>, r: ReadRequest| ReadRequest {
        exclusive_start_key: Some(item(pairs)),
        ..r
    };
    let u1 = |n: Value| vec![("user", Value::from("u1")), ("n", n)];
    assert!(err(esk(vec![("user", Value::from("u1"))], user_query("u1"))).contains("same size"));
    assert!(err(esk(u1(Value::from("1")), user_query("u1"))).contains("Type mismatch"));
    assert!(err(esk(vec![("user", Value::from("u2")), ("n", Value::from(1))], user_query("u1")))
        .contains("range key predicate"));
    assert!(
        err(esk(u1(Value::from(1)), ranged(SortRange::Gt(Value::from(1))))).contains("range key predicate")
    );
    assert!(err(esk(u1(Value::from(1)), gsi.clone())).contains("starting key is invalid"));
    // A synthesized start key for a missing item resumes after its position.
    let half = Value::number("4.5").unwrap();
    assert_eq!(ns(&run(&table, esk(u1(half), user_query("u1"))).unwrap().items), vec![5, 6, 7, 8, 9]);
}

#[test]
fn consumed_capacity_rounds_the_evaluated_bytes_up_to_4kb() {
    let table = filled();
    let page = run(&table, user_query("u1")).unwrap();
    assert_eq!(page.consumed_capacity, Some(0.5));
    let big = MemoryTable::new(schema());
    for n in 0..3 {
        let mut it = order("u", n, "paid", "c");
        it.insert("pad".into(), Value::from("x".repeat(4000)));
        big.put(it).unwrap();
    }
    // About 12 KB of items: 3 units, 1.5 RCU; the KEYS_ONLY LSI's entries are
    // tiny, but fetching the rest costs one rounded read per item.
    assert_eq!(run(&big, user_query("u")).unwrap().consumed_capacity, Some(1.5));
    let mut lsi = query(Some("by_created"), &[("user", Value::from("u"))]);
    lsi.projection = Some(vec!["n".into()]);
    assert_eq!(run(&big, lsi.clone()).unwrap().consumed_capacity, Some(0.5));
    lsi.projection = Some(vec!["pad".into()]);
    assert_eq!(run(&big, lsi).unwrap().consumed_capacity, Some(0.5 + 1.5));
}
