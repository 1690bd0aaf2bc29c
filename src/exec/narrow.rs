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
use crate::plan::{ComposedNarrowing, Narrowing, Plan, MAX_SORT_KEY_BYTES};
use crate::template::{successor, Part};
use crate::value::{Item, Value};

/// Where one stream of a resumed page starts.
#[derive(Debug, Clone)]
pub(crate) struct Start {
    /// The key condition (`None`: a scan).
    pub key: Option<KeyCondition>,
    /// The cursor row's own key on the queried index, to start right after
    /// it (an `ExclusiveStartKey`), when the index order is the whole order
    /// and the stream holds the cursor's run (see [`crate::plan::Branch::start_key`]).
    pub after: Option<Item>,
}

/// Per stream: `None` = the whole stream lies at or before the cursor (skip
/// it); `Some(start)` = where to start.
pub(crate) fn narrow_streams(plan: &Plan, cursor: Option<&[Option<Value>]>) -> Vec<Option<Start>> {
    narrow_keys(plan, cursor)
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            let (key, at_cursor) = k?;
            let after =
                if at_cursor { cursor.and_then(|c| start_after(plan, i, key.as_ref(), c)) } else { None };
            Some(Start { key, after })
        })
        .collect()
}

/// The cursor row's key on the queried index, for stream `i`: each
/// attribute of its branch's `start_key` from the stream's constants or the
/// cursor's values, when all are there, valid key values, and the key
/// condition holds the cursor's position (DynamoDB refuses a start key
/// outside it). A forged cursor fails these checks or moves the start
/// within the stream's own range, as narrowing does.
fn start_after(plan: &Plan, i: usize, key: Option<&KeyCondition>, values: &[Option<Value>]) -> Option<Item> {
    let start_key = &plan.branch_of(i).start_key;
    if start_key.is_empty() {
        return None;
    }
    let (n, key) = (plan.narrowing.as_ref()?, key?);
    let col = plan.order.get(n.order_pos)?;
    let at = values.get(n.order_pos)?.as_ref()?;
    if key.sort_range.as_ref().is_some_and(|(a, r)| *a != col.attr || !Interval::of(Some(r)).contains(at)) {
        return None;
    }
    // Every column of the order constant on the stream must hold the
    // cursor's value: a stream whose constant sorts after the cursor's
    // (status `refunded` after a cursor on `paid`, in `ORDER BY s, status,
    // id`) starts at the narrowed key condition, with the whole run of the
    // cursor's `s`, not after the cursor's own key.
    for (pos, col) in plan.order.iter().enumerate() {
        let Some(own) = plan.stream_constant(i, &col.attr) else { continue };
        let (mut mine, mut theirs) = (Vec::new(), Vec::new());
        let same = encode_column(&mut mine, Some(own), col.dir).is_ok()
            && encode_column(&mut theirs, values.get(pos).and_then(Option::as_ref), col.dir).is_ok()
            && mine == theirs;
        if !same {
            return None;
        }
    }
    let mut item = Item::new();
    for attr in start_key {
        let v = plan.stream_constant(i, attr).or_else(|| {
            let pos = plan.order.iter().position(|c| c.attr == *attr)?;
            values.get(pos)?.as_ref()
        })?;
        if !v.is_valid_key() {
            return None;
        }
        item.insert(attr.clone(), v.clone());
    }
    Some(item)
}

/// What a cursor narrows streams on: the order column that is the index's
/// sort key, or the parts of a composed sort key.
enum Target<'p> {
    Plain(&'p Narrowing),
    Composed(&'p ComposedNarrowing),
}

impl Target<'_> {
    /// Position in [`Plan::order`] of the first column the streams are
    /// ordered by: the columns before it are constant on each stream.
    fn order_pos(&self) -> usize {
        match self {
            Target::Plain(n) => n.order_pos,
            Target::Composed(c) => c.parts.first().map_or(0, |(_, pos)| *pos),
        }
    }

    /// The sort-key attribute narrowed, and the key values at or after the
    /// cursor's position (`None`: the cursor says nothing usable here).
    fn after_cursor(&self, plan: &Plan, i: usize, values: &[Option<Value>]) -> Option<(String, Interval)> {
        let col = plan.order.get(self.order_pos())?;
        let asc = col.dir == Direction::Asc;
        match self {
            Target::Plain(n) => {
                let v = values.get(n.order_pos)?.as_ref()?;
                (n.ty.matches(v) && v.is_valid_key()).then(|| (col.attr.clone(), Interval::from(v, asc)))
            }
            Target::Composed(c) => Some((c.attr.clone(), composed_from(c, c.prefixes.get(i)?, values, asc)?)),
        }
    }
}

/// The composed keys at or after the cursor's position: the stream's
/// `prefix`, then
/// the cursor's value of each served part written as the template writes
/// it (and the literals between), up to the first part it cannot write.
/// Served parts keep order (fixed-width or padded, or ending the template),
/// so a row after the cursor composes at or above that text, ascending;
/// descending, at or below it when it is the whole key, else below its
/// successor (every key starting with it holds a row tied with the cursor
/// on the parts written).
fn composed_from(
    c: &ComposedNarrowing,
    prefix: &str,
    values: &[Option<Value>],
    asc: bool,
) -> Option<Interval> {
    let mut text = prefix.to_owned();
    let (mut wrote, mut whole) = (false, true);
    for part in c.template.parts.get(c.from..)? {
        match part {
            Part::Literal(l) => text.push_str(l),
            Part::Attr { name, format } => {
                let written = c
                    .parts
                    .iter()
                    .find(|(a, _)| a == name)
                    .and_then(|(_, pos)| values.get(*pos)?.as_ref())
                    .and_then(|v| c.template.fitted(*format, v));
                let Some(w) = written else {
                    whole = false;
                    break;
                };
                text.push_str(&w);
                wrote = true;
            }
        }
    }
    if !wrote || text.len() > MAX_SORT_KEY_BYTES {
        return None;
    }
    if asc {
        Some(Interval::from(&Value::S(text), true))
    } else if whole {
        // The whole key: a row tied with the cursor composes exactly it,
        // and `text + more` (a longer last text part) sorts before it.
        Some(Interval::from(&Value::S(text), false))
    } else {
        Some(Interval::past(&Value::S(successor(&text)?), false))
    }
}

/// Per stream: `None` = the whole stream lies at or before the cursor;
/// `Some((key, at_cursor))` = the key condition to use, and whether the
/// stream holds the cursor's position (its constant columns equal the
/// cursor's) on a plain sort key.
fn narrow_keys(plan: &Plan, cursor: Option<&[Option<Value>]>) -> Vec<Option<(Option<KeyCondition>, bool)>> {
    let target = match (&plan.narrowing, &plan.composed) {
        (Some(n), _) => Some(Target::Plain(n)),
        (None, Some(c)) => Some(Target::Composed(c)),
        (None, None) => None,
    };
    plan.streams
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (Some(values), Some(target), Some(key)) = (cursor, &target, &s.key) else {
                return Some((s.key.clone(), false));
            };
            // The columns before the sort-key column are constant within the
            // stream: compare them with the cursor's to place the stream.
            let mut mine = Vec::new();
            let mut theirs = Vec::new();
            for (pos, col) in plan.order.iter().enumerate().take(target.order_pos()) {
                let Some(own) = plan.stream_constant(i, &col.attr) else {
                    return Some((s.key.clone(), false));
                };
                let ok = encode_column(&mut mine, Some(own), col.dir).is_ok()
                    && encode_column(&mut theirs, values.get(pos).and_then(Option::as_ref), col.dir).is_ok();
                if !ok {
                    return Some((s.key.clone(), false));
                }
            }
            match mine.cmp(&theirs) {
                Ordering::Less => None,
                Ordering::Greater => Some((s.key.clone(), false)),
                Ordering::Equal => {
                    let Some((attr, from)) = target.after_cursor(plan, i, values) else {
                        return Some((s.key.clone(), false));
                    };
                    let mut key = key.clone();
                    if key.sort_range.as_ref().is_some_and(|(a, _)| *a != attr) {
                        return Some((Some(key), false));
                    }
                    let written = key.sort_range.as_ref().map(|(_, r)| r);
                    match Interval::of(written).intersect(&from).to_range(written) {
                        Err(_) => None,
                        Ok(r) => {
                            key.sort_range = r.map(|r| (attr, r));
                            Some((Some(key), matches!(target, Target::Plain(_))))
                        }
                    }
                }
            }
        })
        .collect()
}
