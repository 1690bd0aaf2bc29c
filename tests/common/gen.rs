//! Random tables and queries for property tests: heavy ties, NULLs,
//! missing attributes, mixed types, fan-out from 1 to 40 streams.

#![allow(dead_code)]

use std::collections::BTreeSet;

use dynaquery::{
    asc, col, desc, not, Expr, Index, Item, KeyAttribute, Number, OrderBy, Query, Schema, Value,
};
use proptest::prelude::*;
use proptest::sample::select;

pub const PARTITIONS: usize = 40;

/// Table `t` keyed by `id`; GSIs on (p; s), (p; y), (p; b), a
/// multi-attribute one on (p, q; s, y), and (p; s, id). All sparse: items may lack p, q,
/// s, y or b. `s` is a number, `y` a string, `b` binary.
pub fn schema() -> Schema {
    Schema::new("t", KeyAttribute::s("id"))
        .index(Index::gsi("by_p_s", [KeyAttribute::s("p")], [KeyAttribute::n("s")]))
        .index(Index::gsi("by_p_y", [KeyAttribute::s("p")], [KeyAttribute::s("y")]))
        .index(Index::gsi("by_p_b", [KeyAttribute::s("p")], [KeyAttribute::b("b")]))
        .index(Index::gsi(
            "by_pq_sy",
            [KeyAttribute::s("p"), KeyAttribute::n("q")],
            [KeyAttribute::n("s"), KeyAttribute::s("y")],
        ))
        // Ends with the table's key: `ORDER BY s[, p], id` is its whole
        // order, so pages resume right after the cursor row (a start key).
        .index(Index::gsi("by_p_s_id", [KeyAttribute::s("p")], [KeyAttribute::n("s"), KeyAttribute::s("id")]))
}

pub fn pk() -> [&'static str; 1] {
    ["id"]
}

fn p_value() -> impl Strategy<Value = String> {
    (0..PARTITIONS).prop_map(|i| format!("p{i:02}"))
}

fn num() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-3i64..4).prop_map(Value::from),
        select(vec!["0.5", "-0.5", "1.25", "10000000000000000000000000000000000001", "1E-100"])
            .prop_map(|s| Value::N(s.parse::<Number>().unwrap())),
    ]
}

/// Non-empty strings (DynamoDB rejects empty index-key strings).
fn key_text() -> impl Strategy<Value = Value> {
    select(vec!["a", "ab", "abc", "b", "B", "\u{e9}", "\u{ff21}", "\u{1f600}", "a b"]).prop_map(Value::from)
}

/// Non-empty binaries, near the byte range's ends.
fn key_bytes() -> impl Strategy<Value = Value> {
    select(vec![vec![0u8], vec![0, 1], vec![1], vec![1, 0], vec![1, 255], vec![255], vec![0, 255, 0]])
        .prop_map(Value::B)
}

fn text() -> impl Strategy<Value = Value> {
    select(vec!["", "a", "ab", "abc", "b", "B", "\u{e9}", "\u{ff21}", "\u{1f600}", "a b"])
        .prop_map(Value::from)
}

/// A value for the mixed-type attribute `x`.
fn mixed() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        3 => num().prop_map(Some),
        2 => text().prop_map(Some),
        1 => any::<bool>().prop_map(|b| Some(Value::Bool(b))),
        1 => Just(Some(Value::B(vec![0, 1]))),
        1 => Just(Some(Value::Null)),
        2 => Just(None),
    ]
}

fn maybe<T: std::fmt::Debug + Clone + 'static>(
    s: impl Strategy<Value = T> + 'static,
    absent: u32,
) -> impl Strategy<Value = Option<T>> {
    prop_oneof![10 - absent => s.prop_map(Some), absent => Just(None)]
}

/// One item with id `i`.
pub fn item_strategy(i: usize) -> impl Strategy<Value = Item> {
    (
        maybe(p_value(), 1),
        maybe(0i64..6, 2),
        maybe(key_text(), 3),
        mixed(),
        maybe(0i64..3, 3),
        prop_oneof![Just(None), Just(Some(Value::Null)), any::<bool>().prop_map(|b| Some(Value::Bool(b)))],
        maybe(proptest::collection::btree_set(select(vec!["a", "b", "c"]), 1..3), 5),
        maybe(key_bytes(), 3),
    )
        .prop_map(move |(p, s, y, x, q, z, tags, b)| {
            let mut it = Item::new();
            it.insert("id".into(), Value::from(format!("i{i:04}")));
            if let Some(p) = p {
                it.insert("p".into(), Value::from(p));
            }
            if let Some(s) = s {
                it.insert("s".into(), Value::from(s));
            }
            if let Some(y) = y {
                it.insert("y".into(), y);
            }
            if let Some(x) = x {
                it.insert("x".into(), x);
            }
            if let Some(q) = q {
                it.insert("q".into(), Value::from(q));
            }
            if let Some(z) = z {
                it.insert("z".into(), z);
            }
            if let Some(b) = b {
                it.insert("b".into(), b);
            }
            if let Some(tags) = tags {
                it.insert(
                    "tags".into(),
                    Value::Ss(tags.into_iter().map(str::to_owned).collect::<BTreeSet<_>>()),
                );
            }
            it
        })
}

pub fn table_strategy(max: usize) -> impl Strategy<Value = Vec<Item>> {
    (0..=max).prop_flat_map(|n| (0..n).map(item_strategy).collect::<Vec<_>>())
}

fn leaf() -> impl Strategy<Value = Expr> {
    let attr = || select(vec!["s", "y", "x", "q", "z", "id", "p"]);
    prop_oneof![
        (attr(), select(vec![0u8, 1, 2, 3, 4, 5]), prop_oneof![num(), text()]).prop_map(|(a, op, v)| {
            let c = col(a);
            match op {
                0 => c.eq(v),
                1 => c.ne(v),
                2 => c.lt(v),
                3 => c.le(v),
                4 => c.gt(v),
                _ => c.ge(v),
            }
        }),
        (attr(), num(), num()).prop_map(|(a, lo, hi)| col(a).between(lo, hi)),
        (attr(), text(), text()).prop_map(|(a, lo, hi)| col(a).between(lo, hi)),
        (attr(), proptest::collection::vec(prop_oneof![num(), text()], 1..4))
            .prop_map(|(a, vs)| col(a).is_in(vs)),
        (select(vec!["y", "x", "id"]), text()).prop_map(|(a, v)| col(a).begins_with(v)),
        (select(vec!["y", "x", "tags"]), text()).prop_map(|(a, v)| col(a).contains(v)),
        attr().prop_map(|a| col(a).is_null()),
        attr().prop_map(|a| col(a).is_not_null()),
        any::<bool>().prop_map(|b| col("z").eq(b)),
    ]
}

/// An `IN` past DynamoDB's 100 operands per `IN` (the renderer splits it
/// into OR'ed groups), up to lists whose expression lands near and past
/// DynamoDB's 4 KB (each operand renders as `:vNNN, `, about 7 bytes):
/// both backends must split, or refuse, alike.
pub fn long_in() -> impl Strategy<Value = Expr> {
    (
        select(vec!["x", "y", "z"]),
        prop_oneof![2 => 101usize..260, 1 => 520usize..640],
        proptest::collection::vec(prop_oneof![num(), text()], 1..6),
    )
        .prop_map(|(a, n, hits)| {
            // Mostly values no item holds, and a few that items do.
            let misses = (0..n.saturating_sub(hits.len())).map(|i| Value::from(format!("miss-{i}")));
            col(a).is_in(hits.into_iter().chain(misses))
        })
}

pub fn predicate() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(2, 6, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 1..3).prop_map(Expr::And),
            proptest::collection::vec(inner.clone(), 1..3).prop_map(Expr::Or),
            inner.prop_map(not),
        ]
    })
}

fn order_term() -> impl Strategy<Value = OrderBy> {
    (select(vec!["s", "y", "x", "z", "p", "q", "id"]), any::<bool>()).prop_map(|(a, up)| {
        if up {
            asc(a)
        } else {
            desc(a)
        }
    })
}

/// A random query over [`schema`]: usually an `IN` on `p` (1–40 streams),
/// extra predicates of every kind, 0–3 ORDER BY terms, sometimes a SELECT.
pub fn query_strategy() -> impl Strategy<Value = Query> {
    query_with(predicate().boxed())
}

/// As [`query_strategy`], and one predicate in 13 is a [`long_in`]: some
/// of those queries are over DynamoDB's 4 KB and must be refused.
pub fn query_strategy_with_long_in() -> impl Strategy<Value = Query> {
    query_with(prop_oneof![12 => predicate(), 1 => long_in()].boxed())
}

fn query_with(preds: BoxedStrategy<Expr>) -> impl Strategy<Value = Query> {
    (
        maybe(proptest::sample::subsequence((0..PARTITIONS).collect::<Vec<_>>(), 1..=PARTITIONS), 2),
        maybe(proptest::collection::vec(0i64..3, 1..3), 6),
        proptest::collection::vec(preds, 0..3),
        proptest::collection::vec(order_term(), 0..4),
        any::<u8>(),
    )
        .prop_map(|(parts, qs, preds, order, sel)| {
            let mut q = Query::new().allow_scan(true);
            if let Some(parts) = parts {
                q = q.filter(col("p").is_in(parts.into_iter().map(|i| format!("p{i:02}"))));
            }
            if let Some(qs) = qs {
                q = q.filter(col("q").is_in(qs));
            }
            for p in preds {
                q = q.filter(p);
            }
            for o in order {
                q = q.order_by(o);
            }
            if sel % 5 == 0 {
                q = q.select(["id", "x"]);
            }
            q
        })
}

/// A sort-key column the key-range queries range over: its name, and
/// whether the multi-attribute index (p, q; s, y) serves it with `q` and,
/// for `y`, `s` fixed.
#[derive(Debug, Clone, Copy)]
pub enum KeyColumn {
    /// `s` (N) on `by_p_s`.
    S,
    /// `y` (S) on `by_p_y`.
    Y,
    /// `b` (B) on `by_p_b`.
    B,
    /// `y` on `by_pq_sy`, after `q = …` and `s = …`: a range on the second
    /// sort attribute of a multi-attribute key.
    YAfterS,
}

impl KeyColumn {
    pub fn attr(self) -> &'static str {
        match self {
            KeyColumn::S => "s",
            KeyColumn::Y | KeyColumn::YAfterS => "y",
            KeyColumn::B => "b",
        }
    }

    fn value(self) -> BoxedStrategy<Value> {
        match self {
            KeyColumn::S => num().boxed(),
            KeyColumn::Y | KeyColumn::YAfterS => key_text().boxed(),
            KeyColumn::B => key_bytes().boxed(),
        }
    }
}

/// Every key-condition shape DynamoDB allows — `=`, `<`, `<=`, `>`, `>=`,
/// `BETWEEN`, `begins_with` (strings and binaries), or none — on a sort
/// key of each type (and on the second attribute of a multi-attribute
/// sort key), ordered by that key in either direction, over 1–4
/// partitions, sometimes with a filter and a tie-breaking column.
pub fn key_range_query_strategy() -> impl Strategy<Value = (Query, KeyColumn)> {
    select(vec![KeyColumn::S, KeyColumn::Y, KeyColumn::B, KeyColumn::YAfterS]).prop_flat_map(|c| {
        (
            Just(c),
            0u8..8,
            any::<bool>(),
            proptest::sample::subsequence((0..PARTITIONS).collect::<Vec<_>>(), 1..=4),
            c.value(),
            c.value(),
            0u8..4,
            any::<bool>(),
            (0i64..6, 0i64..3),
        )
            .prop_map(|(c, shape, up, parts, v, w, extra, then_x, (s_eq, q_eq))| {
                let a = c.attr();
                let range = match (shape, &v) {
                    (0, _) => col(a).eq(v),
                    (1, _) => col(a).lt(v),
                    (2, _) => col(a).le(v),
                    (3, _) => col(a).gt(v),
                    (4, _) => col(a).ge(v),
                    (5, _) => col(a).between(v, w),
                    (6, Value::S(_) | Value::B(_)) => col(a).begins_with(v),
                    _ => col(a).is_not_null(),
                };
                let mut q = Query::new()
                    .filter(col("p").is_in(parts.into_iter().map(|i| format!("p{i:02}"))))
                    .filter(range);
                if let KeyColumn::YAfterS = c {
                    q = q.filter(col("q").eq(q_eq)).filter(col("s").eq(s_eq));
                }
                q = match extra {
                    0 => q.filter(col("x").is_not_null()),
                    1 => q.filter(col("z").ne(true)),
                    _ => q,
                };
                q = q.order_by(if up { asc(a) } else { desc(a) });
                if then_x {
                    q = q.order_by(asc("x"));
                }
                (q, c)
            })
    })
}
