//! What one stream has read, and the key condition of its next request.
//!
//! **Invariant: a stream's read frontier only moves forward.** Every
//! request a stream sends starts where the last one stopped: after the
//! `LastEvaluatedKey` DynamoDB returned (same near bound, so the key lies
//! inside the new range), or, after a window was read to its end, strictly
//! past the window's bound. No request of a page reads an item an earlier
//! request of the page read; across pages the cursor narrows each stream to
//! "at or after the cursor row's value", so only the run of ties at that
//! value is read again. This file is the only place that decides which
//! items a request covers; sizing (`super::sizing`) only says how many
//! items to ask for and where a window may end, and a sizing mistake can
//! cost reads but never a row or a repeat.
//!
//! ```text
//!  query range      [━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━)  < 38
//!  cursor            ·········[━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━)  >= 9
//!  request 1                  [━━━━━━━━━━] window ≤ 20, read to its end
//!  request 2                              (━━━━━━━━━━━━━━━━━━━━━━━)  > 20 and < 38
//!                                          = BETWEEN 20.0…01 AND 37.9…9
//! ```
//!
//! Ranges intersect as [`Interval`]s, so "after 20 and before 38" is kept
//! as such and written with the neighbouring values (`super::interval`).

use std::cmp::Ordering;

use super::interval::Interval;
use crate::backend::KeyCondition;
use crate::value::{Item, Value};

/// One stream's read position.
#[derive(Debug, Clone)]
pub(crate) struct Frontier {
    /// The stream's key condition: the query's, narrowed by the cursor.
    /// `None` for a scan.
    key: Option<KeyCondition>,
    /// The sort-key column windows and read positions are on, when `key`
    /// ranges over it (or has no range): its name and that range.
    col: Option<(String, Interval)>,
    forward: bool,
    /// Values before this, in scan order, have been read: the near bound
    /// of the next segment of requests.
    from: Interval,
    /// Where the last response of the current segment stopped.
    lek: Option<Item>,
    done: bool,
}

/// The next request of a stream.
#[derive(Debug, Clone)]
pub(crate) struct Next {
    pub key: Option<KeyCondition>,
    pub exclusive_start_key: Option<Item>,
    /// The window the key condition ends at, when it does.
    pub window: Option<Value>,
}

impl Frontier {
    /// A stream that reads `key` (`None`: a scan) in `forward` order, with
    /// windows and positions on column `col` where `key` allows them.
    pub fn new(key: Option<KeyCondition>, col: Option<&str>, forward: bool) -> Frontier {
        let col = match (&key, col) {
            (Some(k), Some(c)) => match &k.sort_range {
                None => Some((c.to_owned(), Interval::ALL)),
                Some((a, r)) if a == c => Some((c.to_owned(), Interval::of(Some(r)))),
                Some(_) => None,
            },
            _ => None,
        };
        let mut f = Frontier { key, col, forward, from: Interval::ALL, lek: None, done: false };
        f.done = f.remaining().is_some_and(|r| r.to_range(None).is_err());
        f
    }

    /// Starts the stream right after `key`, an item key on the queried
    /// index inside the stream's range (a resumed page's cursor row, where
    /// that key orders items as the query does): the next request carries
    /// it as its `ExclusiveStartKey`, as if a response had stopped there.
    pub fn start_after(&mut self, key: Item) {
        if !self.done {
            self.lek = Some(key);
        }
    }

    /// True once the stream has read its whole range.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The stream's key condition (the query's, narrowed by the cursor).
    pub fn key(&self) -> Option<&KeyCondition> {
        self.key.as_ref()
    }

    /// What is left to read on the column: the range past the last bound
    /// read to (the `LastEvaluatedKey` of a segment narrows it further).
    fn remaining(&self) -> Option<Interval> {
        self.col.as_ref().map(|(_, r)| r.intersect(&self.from))
    }

    /// The next request: on from where the last one stopped, its key
    /// condition ending at `window` (inclusive) when that lies inside what
    /// is left and short of its end, and not before the `LastEvaluatedKey`.
    pub fn next(&self, window: Option<&Value>) -> Next {
        let written = self.key.as_ref().and_then(|k| k.sort_range.as_ref()).map(|(_, r)| r);
        let (Some((attr, _)), Some(remaining), Some(key)) = (&self.col, self.remaining(), &self.key) else {
            return Next { key: self.key.clone(), exclusive_start_key: self.lek.clone(), window: None };
        };
        let window = window.filter(|w| self.window_fits(&remaining, w));
        let range = match window {
            Some(w) => remaining.intersect(&Interval::from(w, !self.forward)),
            None => remaining,
        };
        let mut key = key.clone();
        // `remaining` is not empty (else the stream is done) and a window
        // lies inside it, so the range renders; were it not, the stream's
        // own key is read, which is never wrong (rows are checked again).
        if let Ok(r) = range.to_range(written) {
            key.sort_range = r.map(|r| (attr.clone(), r));
        }
        Next { key: Some(key), exclusive_start_key: self.lek.clone(), window: window.cloned() }
    }

    /// A window narrows a request when it lies inside what is left, short
    /// of its far end, and not before the `LastEvaluatedKey` the request
    /// starts after (which must lie inside its range).
    fn window_fits(&self, remaining: &Interval, w: &Value) -> bool {
        if !remaining.contains(w) {
            return false;
        }
        let short_of_end = match remaining.far(self.forward) {
            super::interval::Bound::Included(end) => end != w,
            _ => true,
        };
        let after_lek = match (&self.lek, &self.col) {
            (Some(lek), Some((attr, _))) => lek.get(attr).and_then(|l| l.cmp_same_type(w)).is_some_and(|o| {
                if self.forward {
                    o != Ordering::Greater
                } else {
                    o != Ordering::Less
                }
            }),
            _ => true,
        };
        short_of_end && after_lek
    }

    /// Records the response to the request [`Frontier::next`] built with
    /// `window`: the stream goes on after `lek`, or, when a window was read
    /// to its end, strictly past the window; otherwise it is done.
    pub fn advance(&mut self, lek: Option<Item>, window: Option<Value>) {
        match (lek, window) {
            (Some(lek), _) => self.lek = Some(lek),
            (None, Some(w)) => {
                self.from = self.from.intersect(&Interval::past(&w, self.forward));
                self.lek = None;
                self.done = self.remaining().is_none_or(|r| r.to_range(None).is_err());
            }
            (None, None) => self.done = true,
        }
    }
}

/// The range a request's key condition reads on `attr` (every value when
/// it has none there).
#[cfg(test)]
fn read_range(key: &KeyCondition) -> Interval {
    Interval::of(key.sort_range.as_ref().map(|(_, r)| r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::SortRange;
    use crate::value::item;

    fn key(range: Option<SortRange>) -> KeyCondition {
        KeyCondition {
            partition: vec![("status".into(), Value::from("x"))],
            sort_eq: vec![],
            sort_range: range.map(|r| ("ts".to_owned(), r)),
        }
    }

    fn n(x: i64) -> Value {
        Value::from(x)
    }

    #[test]
    fn after_a_window_the_stream_goes_on_strictly_past_it_within_a_strict_bound() {
        let mut f = Frontier::new(Some(key(Some(SortRange::Lt(n(38))))), Some("ts"), true);
        let first = f.next(Some(&n(20)));
        assert_eq!(first.window, Some(n(20)));
        assert_eq!(first.key.as_ref().unwrap().sort_range, Some(("ts".into(), SortRange::Le(n(20)))));
        f.advance(None, first.window);
        let second = f.next(None);
        let range = read_range(second.key.as_ref().unwrap());
        assert!(!range.contains(&n(20)), "{range:?} reads 20 again");
        assert!(range.contains(&Value::number("20.5").unwrap()));
        assert!(!range.contains(&n(38)));
        f.advance(None, None);
        assert!(f.is_done());
    }

    #[test]
    fn a_window_before_the_last_evaluated_key_is_not_used() {
        let mut f = Frontier::new(Some(key(Some(SortRange::Gt(n(5))))), Some("ts"), false);
        let first = f.next(None);
        f.advance(Some(item([("ts", n(30))])), first.window);
        // Descending: a window at 40 lies behind the key at 30.
        let next = f.next(Some(&n(40)));
        assert_eq!(next.window, None);
        assert_eq!(next.exclusive_start_key, Some(item([("ts", n(30))])));
        // A window at 10 lies ahead: the range keeps its near side open.
        let next = f.next(Some(&n(10)));
        assert_eq!(next.window, Some(n(10)));
        assert_eq!(next.key.unwrap().sort_range, Some(("ts".into(), SortRange::Ge(n(10)))));
    }

    #[test]
    fn a_window_at_the_far_end_is_the_end() {
        let mut f = Frontier::new(Some(key(Some(SortRange::Between(n(1), n(9))))), Some("ts"), true);
        let next = f.next(Some(&n(9)));
        assert_eq!(next.window, None);
        f.advance(None, None);
        assert!(f.is_done());
    }

    #[test]
    fn a_window_read_to_the_last_value_leaves_nothing() {
        let mut f = Frontier::new(Some(key(Some(SortRange::Le(n(9))))), Some("ts"), true);
        let next = f.next(Some(&Value::number("8.9999999999999999999999999999999999999").unwrap()));
        assert!(next.window.is_some());
        f.advance(None, next.window);
        // 9 is left.
        assert!(!f.is_done());
        assert_eq!(f.next(None).key.unwrap().sort_range, Some(("ts".into(), SortRange::Eq(n(9)))));
    }
}
