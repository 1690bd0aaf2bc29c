//! Resuming from a cursor by narrowing each stream's sort-key condition to
//! the cursor's value — never by replaying a raw `LastEvaluatedKey`, since
//! DynamoDB's order among equal index keys is not ours.
//!
//! Narrowing only ever intersects the query's own range, so a forged cursor
//! can move the start but never widen what a request reads.

use std::cmp::Ordering;

use crate::backend::{KeyCondition, SortRange};
use crate::encoding::{encode_column, Direction};
use crate::plan::Plan;
use crate::value::Value;

/// Per stream: `None` = the whole stream lies at or before the cursor (skip
/// it); `Some(key)` = the key condition to use.
pub(crate) fn narrow_streams(
    plan: &Plan,
    cursor: Option<&[Option<Value>]>,
) -> Vec<Option<Option<KeyCondition>>> {
    plan.streams
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (Some(values), Some(n), Some(key)) = (cursor, &plan.narrowing, &s.key) else {
                return Some(s.key.clone());
            };
            // The columns before the sort-key column are constant within the
            // stream: compare them with the cursor's to place the stream.
            let mut mine = Vec::new();
            let mut theirs = Vec::new();
            for (pos, col) in plan.order.iter().enumerate().take(n.order_pos) {
                let Some(own) = plan.stream_constant(i, &col.attr) else { return Some(s.key.clone()) };
                let ok = encode_column(&mut mine, Some(own), col.dir).is_ok()
                    && encode_column(&mut theirs, values.get(pos).and_then(Option::as_ref), col.dir).is_ok();
                if !ok {
                    return Some(s.key.clone());
                }
            }
            match mine.cmp(&theirs) {
                Ordering::Less => None,
                Ordering::Greater => Some(s.key.clone()),
                Ordering::Equal => {
                    let Some(Some(v)) = values.get(n.order_pos) else { return Some(s.key.clone()) };
                    let Some(col) = plan.order.get(n.order_pos) else { return Some(s.key.clone()) };
                    if !n.ty.matches(v) || !v.is_valid_key() {
                        return Some(s.key.clone());
                    }
                    let mut key = key.clone();
                    let current = key.sort_range.as_ref().map(|(_, r)| r);
                    match intersect(current, v, col.dir == Direction::Asc) {
                        None => None,
                        Some(r) => {
                            key.sort_range = r.map(|r| (col.attr.clone(), r));
                            Some(Some(key))
                        }
                    }
                }
            }
        })
        .collect()
}

/// Intersects `range` with `>= v` (`lower`) or `<= v`. `None` = empty;
/// `Some(r)` = the new range (unchanged where the key condition cannot
/// express the intersection; rows before the cursor are skipped anyway).
pub(crate) fn intersect(range: Option<&SortRange>, v: &Value, lower: bool) -> Option<Option<SortRange>> {
    use Ordering::*;
    use SortRange::*;
    let cmp = |a: &Value, b: &Value| a.cmp_same_type(b).unwrap_or(Equal);
    let keep = || Some(range.cloned());
    if lower {
        match range {
            None => Some(Some(Ge(v.clone()))),
            Some(Ge(lo)) => Some(Some(Ge(if cmp(v, lo) == Greater { v } else { lo }.clone()))),
            Some(Gt(lo)) if cmp(v, lo) == Greater => Some(Some(Ge(v.clone()))),
            Some(Le(hi)) | Some(Between(_, hi)) if cmp(v, hi) == Greater => None,
            Some(Lt(hi)) if cmp(v, hi) != Less => None,
            Some(Le(hi)) => Some(Some(Between(v.clone(), hi.clone()))),
            Some(Between(lo, hi)) => {
                Some(Some(Between(if cmp(v, lo) == Greater { v } else { lo }.clone(), hi.clone())))
            }
            _ => keep(),
        }
    } else {
        match range {
            None => Some(Some(Le(v.clone()))),
            Some(Le(hi)) => Some(Some(Le(if cmp(v, hi) == Less { v } else { hi }.clone()))),
            Some(Lt(hi)) if cmp(v, hi) == Less => Some(Some(Le(v.clone()))),
            Some(Ge(lo)) | Some(Between(lo, _)) if cmp(v, lo) == Less => None,
            Some(Gt(lo)) if cmp(v, lo) != Greater => None,
            Some(Ge(lo)) => Some(Some(Between(lo.clone(), v.clone()))),
            Some(Between(lo, hi)) => {
                Some(Some(Between(lo.clone(), if cmp(v, hi) == Less { v } else { hi }.clone())))
            }
            _ => keep(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(x: i64) -> Value {
        Value::from(x)
    }

    #[test]
    fn intersections() {
        use SortRange::*;
        assert_eq!(intersect(None, &n(5), true), Some(Some(Ge(n(5)))));
        assert_eq!(intersect(Some(&Between(n(1), n(9))), &n(5), true), Some(Some(Between(n(5), n(9)))));
        assert_eq!(intersect(Some(&Between(n(1), n(9))), &n(0), true), Some(Some(Between(n(1), n(9)))));
        assert_eq!(intersect(Some(&Between(n(1), n(9))), &n(10), true), None);
        assert_eq!(intersect(Some(&Between(n(1), n(9))), &n(5), false), Some(Some(Between(n(1), n(5)))));
        assert_eq!(intersect(Some(&Between(n(1), n(9))), &n(0), false), None);
        assert_eq!(intersect(Some(&Lt(n(5))), &n(5), true), None);
        assert_eq!(intersect(Some(&Lt(n(5))), &n(3), true), Some(Some(Lt(n(5)))));
        assert_eq!(intersect(Some(&Gt(n(5))), &n(5), false), None);
        assert_eq!(intersect(Some(&Ge(n(5))), &n(7), false), Some(Some(Between(n(5), n(7)))));
        assert_eq!(
            intersect(Some(&BeginsWith(Value::from("a"))), &Value::from("b"), true),
            Some(Some(BeginsWith(Value::from("a"))))
        );
    }
}
