//! Resuming from a cursor by narrowing each stream's sort-key condition to
//! the cursor's value — never by replaying a raw `LastEvaluatedKey`, since
//! DynamoDB's order among equal index keys is not ours.
//!
//! Narrowing only ever intersects the query's own range, so a forged cursor
//! can move the start but never widen what a request reads.

use std::cmp::Ordering;

use super::interval::Interval;
use crate::backend::KeyCondition;
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
                    if key.sort_range.as_ref().is_some_and(|(a, _)| *a != col.attr) {
                        return Some(Some(key));
                    }
                    let written = key.sort_range.as_ref().map(|(_, r)| r);
                    let from = Interval::from(v, col.dir == Direction::Asc);
                    match Interval::of(written).intersect(&from).to_range(written) {
                        Err(_) => None,
                        Ok(r) => {
                            key.sort_range = r.map(|r| (col.attr.clone(), r));
                            Some(Some(key))
                        }
                    }
                }
            }
        })
        .collect()
}
