//! The naive reference: filter every item with SQL's three-valued logic,
//! sort everything by the contract's rules. Written from the contract, with
//! no code shared with the engine.

#![allow(dead_code)]

use std::cmp::Ordering;

use dynaquery::{CmpOp, Direction, Expr, Item, Query, Value};

/// SQL truth: `None` is UNKNOWN.
pub fn eval(e: &Expr, item: &Item) -> Option<bool> {
    let get = |a: &str| match item.get(a) {
        None | Some(Value::Null) => None,
        Some(v) => Some(v),
    };
    let same = |x: &Value, v: &Value| -> Option<Ordering> {
        match (x, v) {
            (Value::N(a), Value::N(b)) => Some(a.cmp(b)),
            (Value::S(a), Value::S(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (Value::B(a), Value::B(b)) => Some(a.cmp(b)),
            _ => None,
        }
    };
    match e {
        Expr::Cmp { attr, op, value } => {
            let x = get(attr)?;
            Some(match op {
                CmpOp::Eq => x == value,
                CmpOp::Ne => x != value,
                CmpOp::Lt => same(x, value) == Some(Ordering::Less),
                CmpOp::Le => matches!(same(x, value), Some(Ordering::Less | Ordering::Equal)),
                CmpOp::Gt => same(x, value) == Some(Ordering::Greater),
                CmpOp::Ge => matches!(same(x, value), Some(Ordering::Greater | Ordering::Equal)),
            })
        }
        Expr::Between { attr, lo, hi } => {
            let x = get(attr)?;
            Some(
                matches!(same(x, lo), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(same(x, hi), Some(Ordering::Less | Ordering::Equal)),
            )
        }
        Expr::In { attr, values } => {
            let x = get(attr)?;
            Some(values.iter().any(|v| v == x))
        }
        Expr::BeginsWith { attr, prefix } => {
            let x = get(attr)?;
            Some(match (x, prefix) {
                (Value::S(s), Value::S(p)) => s.starts_with(p.as_str()),
                (Value::B(b), Value::B(p)) => b.starts_with(p),
                _ => false,
            })
        }
        Expr::Contains { attr, value } => {
            let x = get(attr)?;
            Some(match (x, value) {
                (Value::S(s), Value::S(p)) => s.contains(p.as_str()),
                (Value::Ss(set), Value::S(p)) => set.contains(p),
                (Value::Ns(set), Value::N(p)) => set.contains(p),
                (Value::Bs(set), Value::B(p)) => set.contains(p),
                (Value::L(l), v) => l.contains(v),
                _ => false,
            })
        }
        Expr::IsNull(a) => Some(get(a).is_none()),
        Expr::IsNotNull(a) => Some(get(a).is_some()),
        Expr::And(es) => {
            let vs: Vec<Option<bool>> = es.iter().map(|e| eval(e, item)).collect();
            if vs.contains(&Some(false)) {
                Some(false)
            } else if vs.iter().all(|v| *v == Some(true)) {
                Some(true)
            } else {
                None
            }
        }
        Expr::Or(es) => {
            let vs: Vec<Option<bool>> = es.iter().map(|e| eval(e, item)).collect();
            if vs.contains(&Some(true)) {
                Some(true)
            } else if vs.iter().all(|v| *v == Some(false)) {
                Some(false)
            } else {
                None
            }
        }
        Expr::Not(e) => eval(e, item).map(|b| !b),
        _ => unreachable!("unknown expression"),
    }
}

/// The contract's ascending order for one column: BOOL < N < S < B, NULL last.
fn cmp_asc(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn rank(v: Option<&Value>) -> u8 {
        match v {
            Some(Value::Bool(_)) => 0,
            Some(Value::N(_)) => 1,
            Some(Value::S(_)) => 2,
            Some(Value::B(_)) => 3,
            None | Some(Value::Null) => 9,
            Some(_) => panic!("unorderable value in the reference"),
        }
    }
    match (a, b) {
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(Value::N(x)), Some(Value::N(y))) => x.cmp(y),
        (Some(Value::S(x)), Some(Value::S(y))) => x.as_bytes().cmp(y.as_bytes()),
        (Some(Value::B(x)), Some(Value::B(y))) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Compares two items by the query's ORDER BY, then the primary key ascending.
pub fn cmp_items(q: &Query, pk: &[&str], a: &Item, b: &Item) -> Ordering {
    for o in q.get_order_by() {
        let c = cmp_asc(a.get(&o.attr), b.get(&o.attr));
        let c = if o.dir == Direction::Desc { c.reverse() } else { c };
        if c != Ordering::Equal {
            return c;
        }
    }
    for k in pk {
        let c = cmp_asc(a.get(*k), b.get(*k));
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

/// Every matching item, in the contract's order.
pub fn run(q: &Query, pk: &[&str], items: &[Item]) -> Vec<Item> {
    let mut rows: Vec<Item> =
        items.iter().filter(|it| q.get_filter().is_none_or(|f| eval(f, it) == Some(true))).cloned().collect();
    rows.sort_by(|a, b| cmp_items(q, pk, a, b));
    if let Some(sel) = q.get_select() {
        for r in &mut rows {
            r.retain(|k, _| sel.iter().any(|s| s == k));
        }
    }
    rows
}
