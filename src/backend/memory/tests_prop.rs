//! Property test: paging with random limits and page caps reaches exactly
//! the items a naive filter of all items selects, in index order.

use std::cmp::Ordering;

use futures::FutureExt;
use proptest::prelude::*;

use super::*;
use crate::backend::{KeyCondition, SortRange};
use crate::cond::Cond;
use crate::expr::CmpOp;
use crate::schema::{Index, KeyAttribute};
use crate::value::{item, Value};

fn schema() -> Schema {
    Schema::new("t", KeyAttribute::s("p"))
        .sort_key(KeyAttribute::n("s"))
        .index(Index::gsi("g", [KeyAttribute::s("gp")], [KeyAttribute::n("gs")]))
        .index(Index::gsi("m", [KeyAttribute::s("gp")], [KeyAttribute::n("gs"), KeyAttribute::s("s2")]))
}

fn n(v: i64) -> Value {
    Value::from(v)
}

fn opt<T: std::fmt::Debug + Clone>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<T>> {
    prop_oneof![1 => Just(None), 3 => s.prop_map(Some)]
}

fn items() -> impl Strategy<Value = Vec<Item>> {
    let one = (
        prop_oneof![Just("a"), Just("b")],
        0i64..12,
        opt(prop_oneof![Just("x"), Just("y")]),
        opt(0i64..4),
        opt(prop_oneof![Just("a"), Just("ab"), Just("b"), Just("a\0")]),
        opt(0i64..5),
    );
    proptest::collection::vec(one, 0..40).prop_map(|v| {
        v.into_iter()
            .map(|(p, s, gp, gs, s2, val)| {
                let mut it = item([("p", Value::from(p)), ("s", n(s))]);
                for (k, v) in [
                    ("gp", gp.map(Value::from)),
                    ("gs", gs.map(n)),
                    ("s2", s2.map(Value::from)),
                    ("v", val.map(n)),
                ] {
                    if let Some(v) = v {
                        it.insert(k.into(), v);
                    }
                }
                it
            })
            .collect()
    })
}

fn range(values: impl Strategy<Value = Value> + Clone) -> impl Strategy<Value = SortRange> {
    prop_oneof![
        values.clone().prop_map(SortRange::Eq),
        values.clone().prop_map(SortRange::Lt),
        values.clone().prop_map(SortRange::Le),
        values.clone().prop_map(SortRange::Gt),
        values.clone().prop_map(SortRange::Ge),
        (values.clone(), values).prop_map(|(a, b)| match a.cmp_same_type(&b) {
            Some(Ordering::Greater) => SortRange::Between(b, a),
            _ => SortRange::Between(a, b),
        }),
    ]
}

/// `(index, key condition)`; `None` key = Scan.
fn request_key() -> impl Strategy<Value = (Option<&'static str>, Option<KeyCondition>)> {
    let num = (-1i64..13).prop_map(n);
    let s2 = prop_oneof![Just(""), Just("a"), Just("ab"), Just("b"), Just("c")].prop_map(Value::from);
    let kc = |attr: &str, v: &str, eq: Vec<(&str, Value)>, r: Option<(&str, SortRange)>| KeyCondition {
        partition: vec![(attr.to_owned(), Value::from(v))],
        sort_eq: eq.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        sort_range: r.map(|(k, r)| (k.to_owned(), r)),
    };
    let prefix = prop_oneof![Just("a"), Just("ab"), Just("b"), Just("a\0")]
        .prop_map(|p| SortRange::BeginsWith(Value::from(p)));
    let s2_range = prop_oneof![range(s2.prop_filter("non-empty", |v| *v != Value::from(""))), prefix];
    prop_oneof![
        prop_oneof![Just(None), Just(Some("g")), Just(Some("m"))].prop_map(|i| (i, None)),
        (prop_oneof![Just("a"), Just("b")], opt(range(num.clone())))
            .prop_map(move |(p, r)| (None, Some(kc("p", p, vec![], r.map(|r| ("s", r)))))),
        (prop_oneof![Just("x"), Just("y")], opt(range((-1i64..5).prop_map(n))))
            .prop_map(move |(p, r)| (Some("g"), Some(kc("gp", p, vec![], r.map(|r| ("gs", r)))))),
        (prop_oneof![Just("x"), Just("y")], 0i64..4, opt(s2_range)).prop_map(move |(p, gs, r)| (
            Some("m"),
            Some(kc("gp", p, vec![("gs", n(gs))], r.map(|r| ("s2", r))))
        )),
    ]
}

fn filter() -> impl Strategy<Value = Option<Cond>> {
    let cmp = |op| (0i64..5).prop_map(move |v| Cond::Cmp { attr: "v".into(), op, value: n(v) });
    opt(prop_oneof![cmp(CmpOp::Lt), cmp(CmpOp::Ne), cmp(CmpOp::Eq), Just(Cond::NotExists("v".into()))])
}

/// The key condition, evaluated naively on an item.
fn selects(key: &KeyCondition, it: &Item) -> bool {
    let eq = |(k, v): &(String, Value)| it.get(k) == Some(v);
    let range_ok = key.sort_range.as_ref().is_none_or(|(k, r)| {
        let Some(x) = it.get(k) else { return false };
        let c = |v: &Value| x.cmp_same_type(v);
        match r {
            SortRange::Eq(v) => x == v,
            SortRange::Lt(v) => c(v) == Some(Ordering::Less),
            SortRange::Le(v) => matches!(c(v), Some(Ordering::Less | Ordering::Equal)),
            SortRange::Gt(v) => c(v) == Some(Ordering::Greater),
            SortRange::Ge(v) => matches!(c(v), Some(Ordering::Greater | Ordering::Equal)),
            SortRange::Between(lo, hi) => {
                matches!(c(lo), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(c(hi), Some(Ordering::Less | Ordering::Equal))
            }
            SortRange::BeginsWith(Value::S(p)) => matches!(x, Value::S(s) if s.starts_with(p.as_str())),
            SortRange::BeginsWith(_) => false,
        }
    });
    key.partition.iter().all(eq) && key.sort_eq.iter().all(eq) && range_ok
}

fn cmp_tuple(a: &Item, b: &Item, attrs: &[&str]) -> Ordering {
    attrs.iter().fold(Ordering::Equal, |acc, k| {
        acc.then_with(|| a[*k].cmp_same_type(&b[*k]).unwrap_or(Ordering::Equal))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn pages_reach_exactly_the_naively_selected_items_in_index_order(
        items in items(),
        (index, key) in request_key(),
        filter in filter(),
        forward in any::<bool>(),
        limits in proptest::collection::vec(opt(1u32..6), 1..4),
        page_bytes in prop_oneof![Just(1_048_576usize), 0usize..60],
    ) {
        let table = MemoryTable::new(schema()).with_page_bytes(page_bytes);
        for it in &items {
            table.put(it.clone()).unwrap();
        }
        let key_attrs: &[&str] = match index {
            None => &["p", "s"],
            Some("g") => &["gp", "gs"],
            _ => &["gp", "gs", "s2"],
        };
        let mut want: Vec<Item> = table
            .items()
            .into_iter()
            .filter(|it| key_attrs.iter().all(|k| it.contains_key(*k)))
            .filter(|it| key.as_ref().is_none_or(|k| selects(k, it)))
            .filter(|it| filter.as_ref().is_none_or(|f| f.eval(it)))
            .collect();
        let mut request = ReadRequest {
            table: "t".into(),
            index: index.map(Into::into),
            key: key.clone(),
            filter: filter.clone(),
            projection: None,
            scan_forward: forward,
            limit: None,
            exclusive_start_key: None,
            count_only: false,
            segment: None,
        };
        let mut got = Vec::new();
        for call in 0.. {
            prop_assert!(call <= items.len() + 1, "paging does not end");
            request.limit = limits[call % limits.len()];
            let page = table.read(request.clone()).now_or_never().unwrap().unwrap();
            // The same page as `Select: COUNT`: the same count, scanned
            // count and LastEvaluatedKey, no items.
            let counted = table.read(request.clone().counting()).now_or_never().unwrap().unwrap();
            prop_assert_eq!(page.count, page.items.len() as u64);
            prop_assert!(counted.items.is_empty());
            prop_assert_eq!(
                (counted.count, counted.scanned_count, &counted.last_evaluated_key),
                (page.count, page.scanned_count, &page.last_evaluated_key)
            );
            got.extend(page.items);
            match page.last_evaluated_key {
                Some(lek) => request.exclusive_start_key = Some(lek),
                None => break,
            }
        }
        let ascending = forward || key.is_none();
        for pair in got.windows(2) {
            let o = cmp_tuple(&pair[0], &pair[1], key_attrs);
            prop_assert!(if ascending { o != Ordering::Greater } else { o != Ordering::Less },
                "out of index order: {:?}", pair);
        }
        let pk = |it: &Item| (it["p"].to_string(), it["s"].to_string());
        got.sort_by_key(pk);
        want.sort_by_key(pk);
        prop_assert_eq!(got, want);
    }
}
