//! Reading ahead past a run of ties: a stream's second range in flight.
//!
//! A stream that stopped inside a run of ties the page reads whole reads
//! the rest of the run with a request pinned to the run's value (no
//! `Limit`). When the round plans to read the stream on past the run, the
//! request for that range can go out in the same round trip instead of
//! after the run's rest came back: a date of date-only keys, or a nightly
//! batch at one millisecond, then costs one round trip, not two.
//!
//! ```text
//!  stream   ──●━━━━━━━━┃━━━━━━━━━━━━━━━━━━━━━│ window
//!             frontier  run's end (unknown)
//!             [ pinned: rest of the run ]
//!                       (━━ read ahead: strictly past the run ━━]
//! ```
//!
//! Correctness stays with the stream's [`Frontier`]: the read ahead is
//! built from a copy of it advanced past the run, exactly as the real one
//! is once the pinned request has read the run to its end. Its response is
//! taken only then, and only if the frontier asks for exactly that range
//! ([`Ahead::still_asked`]); else it is dropped. Responses may arrive in
//! either order: one that comes first waits for the run's rest.

use super::frontier::{Frontier, Next};
use super::sizing::Point;
use crate::backend::{KeyCondition, ReadRequest, ReadResponse};
use crate::value::Value;

/// A read ahead past a run of ties, from the round that sent it until its
/// response is taken or dropped.
pub(crate) struct Ahead {
    /// Its number on the page, to tell its response from that of an
    /// earlier read ahead dropped.
    pub id: u64,
    /// The request, until it is sent.
    pub request: Option<ReadRequest>,
    /// Its key condition, to check against the frontier when it is taken.
    key: Option<KeyCondition>,
    /// The far bound it carries (value, encoding).
    pub window: Option<Point>,
    /// Its `Limit`.
    pub limit: u32,
    /// Its response, when it arrived while the run was still being read.
    pub response: Option<ReadResponse>,
    /// The run is read and the stream waits on this request.
    pub awaited: bool,
}

impl Ahead {
    /// The request a stream reading `reads` sends once the run of ties at
    /// `run` is read to its end: strictly past the run, ending at `window`
    /// when it lies there. `None` when nothing is left past the run, or
    /// when `window` ends at or before it (the page is estimated to end
    /// inside the run: nothing to read ahead).
    pub fn past_run(reads: &Frontier, run: &Value, window: Option<&Value>) -> Option<Next> {
        let mut after = reads.clone();
        after.advance(None, Some(run.clone()));
        if after.is_done() {
            return None;
        }
        let next = after.next(window);
        (window.is_none() || next.window.is_some()).then_some(next)
    }

    /// A read ahead numbered `id`: `request`, built from `next` (see
    /// [`Ahead::past_run`]), its window's bound `window`.
    pub fn new(id: u64, request: ReadRequest, next: Next, window: Option<Point>) -> Ahead {
        Ahead {
            id,
            limit: request.limit.unwrap_or(u32::MAX),
            request: Some(request),
            key: next.key,
            window,
            response: None,
            awaited: false,
        }
    }

    /// True when a stream reading `reads` asks for exactly this read now
    /// (its run read to the end): the range, no `ExclusiveStartKey`.
    pub fn still_asked(&self, reads: &Frontier) -> bool {
        let asks = reads.next(self.window.as_ref().map(|(v, _)| v));
        !reads.is_done() && asks.exclusive_start_key.is_none() && asks.key == self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::SortRange;
    use crate::value::item;

    fn reads(range: SortRange) -> Frontier {
        let key = KeyCondition {
            partition: vec![("p".into(), Value::from("x"))],
            sort_eq: vec![],
            sort_range: Some(("ts".into(), range)),
        };
        Frontier::new(Some(key), Some("ts"), true)
    }

    fn n(x: i64) -> Value {
        Value::from(x)
    }

    #[test]
    fn a_read_ahead_is_what_the_frontier_asks_once_the_run_is_read() {
        let mut f = reads(SortRange::Lt(n(100)));
        // Stopped inside the run at 10.
        f.advance(Some(item([("ts", n(10))])), None);
        let next = Ahead::past_run(&f, &n(10), Some(&n(40))).expect("a range past the run");
        let range = next.key.as_ref().and_then(|k| k.sort_range.clone());
        assert!(next.exclusive_start_key.is_none());
        assert_eq!(next.window, Some(n(40)));
        let mut request = ReadRequest::query("t", next.key.clone().expect("a key"));
        request.limit = Some(50);
        let ahead = Ahead::new(1, request, next, Some((n(40), vec![])));
        // Before the run is read, the frontier asks for its rest.
        assert!(!ahead.still_asked(&f), "{range:?}");
        // The pinned request reads the run to its end: now it asks for it.
        let run = f.next(Some(&n(10)));
        f.advance(None, run.window);
        assert!(ahead.still_asked(&f), "{range:?}");
    }

    #[test]
    fn nothing_is_read_ahead_past_the_end_or_before_the_window() {
        let mut f = reads(SortRange::Le(n(10)));
        f.advance(Some(item([("ts", n(10))])), None);
        assert!(Ahead::past_run(&f, &n(10), None).is_none(), "the run is the range's end");
        let mut f = reads(SortRange::Lt(n(100)));
        f.advance(Some(item([("ts", n(10))])), None);
        assert!(Ahead::past_run(&f, &n(10), Some(&n(10))).is_none(), "the window ends on the run");
        assert!(Ahead::past_run(&f, &n(10), Some(&n(5))).is_none(), "the window ends before the run");
        assert!(Ahead::past_run(&f, &n(10), None).is_some(), "no window: read by `Limit`");
    }
}
