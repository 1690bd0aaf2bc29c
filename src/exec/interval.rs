//! A stream's range on its sort-key column as an interval with explicit
//! bounds, so ranges intersect exactly and render back to the key
//! condition DynamoDB accepts.
//!
//! A key condition says `=`, `<`, `<=`, `>`, `>=`, `BETWEEN` (both ends
//! inclusive) or `begins_with`. Intersecting two of them — the query's
//! `< 38` with "at or after the cursor's 9" — can give a shape none of those
//! says ("`>= 9 AND < 38`"). An [`Interval`] keeps both ends, inclusive or
//! not, and [`Interval::to_range`] writes a strict end that has a bound on
//! the other side as the inclusive bound on the neighbouring key value
//! ([`Value::next_down`], exact: see `value::adjacent`), so no intersection
//! is ever widened back to the query's own range.

use std::cmp::Ordering;

use crate::backend::SortRange;
use crate::value::Value;

/// One end of an [`Interval`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bound {
    Unbounded,
    Included(Value),
    Excluded(Value),
}

/// Values between `lo` and `hi`, in DynamoDB's sort-key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Interval {
    lo: Bound,
    hi: Bound,
}

/// Which end a bound sits at, for comparing bounds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Lo,
    Hi,
}

impl Interval {
    /// Every value.
    pub const ALL: Interval = Interval { lo: Bound::Unbounded, hi: Bound::Unbounded };

    /// The values a key condition's range admits.
    pub fn of(range: Option<&SortRange>) -> Interval {
        use Bound::*;
        let (lo, hi) = match range {
            None => (Unbounded, Unbounded),
            Some(SortRange::Eq(v)) => (Included(v.clone()), Included(v.clone())),
            Some(SortRange::Lt(v)) => (Unbounded, Excluded(v.clone())),
            Some(SortRange::Le(v)) => (Unbounded, Included(v.clone())),
            Some(SortRange::Gt(v)) => (Excluded(v.clone()), Unbounded),
            Some(SortRange::Ge(v)) => (Included(v.clone()), Unbounded),
            Some(SortRange::Between(a, b)) => (Included(a.clone()), Included(b.clone())),
            Some(SortRange::BeginsWith(p)) => {
                (Included(p.clone()), p.prefix_end().map_or(Unbounded, Excluded))
            }
        };
        Interval { lo, hi }
    }

    /// Values at or after `v` (`from_below`) or at or before it.
    pub fn from(v: &Value, from_below: bool) -> Interval {
        if from_below {
            Interval { lo: Bound::Included(v.clone()), hi: Bound::Unbounded }
        } else {
            Interval { lo: Bound::Unbounded, hi: Bound::Included(v.clone()) }
        }
    }

    /// Values strictly after `v` (`from_below`) or strictly before it.
    pub fn past(v: &Value, from_below: bool) -> Interval {
        if from_below {
            Interval { lo: Bound::Excluded(v.clone()), hi: Bound::Unbounded }
        } else {
            Interval { lo: Bound::Unbounded, hi: Bound::Excluded(v.clone()) }
        }
    }

    /// The values in both. A bound of another type than the other's is
    /// left out (it cannot be compared; the wider range is read and the
    /// rows it adds are dropped by the caller's own checks).
    pub fn intersect(&self, other: &Interval) -> Interval {
        Interval {
            lo: tighter(&self.lo, &other.lo, End::Lo).clone(),
            hi: tighter(&self.hi, &other.hi, End::Hi).clone(),
        }
    }

    /// True when no value lies in it.
    pub fn is_empty(&self) -> bool {
        use Bound::*;
        let (lo, hi, strict) = match (&self.lo, &self.hi) {
            (Unbounded, _) | (_, Unbounded) => return false,
            (Included(a), Included(b)) => (a, b, false),
            (Included(a) | Excluded(a), Included(b) | Excluded(b)) => (a, b, true),
        };
        match lo.cmp_same_type(hi) {
            Some(Ordering::Greater) => true,
            Some(Ordering::Equal) => strict,
            _ => false,
        }
    }

    /// True when `v` lies in it.
    pub fn contains(&self, v: &Value) -> bool {
        let above = |b: &Bound, want: Ordering| match b {
            Bound::Unbounded => true,
            Bound::Included(x) => v.cmp_same_type(x).is_some_and(|o| o == want || o.is_eq()),
            Bound::Excluded(x) => v.cmp_same_type(x) == Some(want),
        };
        above(&self.lo, Ordering::Greater) && above(&self.hi, Ordering::Less)
    }

    /// The far end in scan order: the high end scanning forward.
    pub fn far(&self, forward: bool) -> &Bound {
        if forward {
            &self.hi
        } else {
            &self.lo
        }
    }

    /// The key condition's range for these values: `Ok(None)` for every
    /// value, `Err(Empty)` when none remains. `written` is the range the
    /// query itself wrote; when the interval is still that range, it is
    /// returned as written (a `begins_with` stays one).
    pub fn to_range(&self, written: Option<&SortRange>) -> Result<Option<SortRange>, Empty> {
        use Bound::*;
        if self.is_empty() {
            return Err(Empty);
        }
        if *self == Interval::of(written) {
            return Ok(written.cloned());
        }
        // A strict end beside a bound on the other side has no key
        // condition of its own: take the neighbouring value, inclusive.
        let both = !matches!(self.lo, Unbounded) && !matches!(self.hi, Unbounded);
        let lo = match &self.lo {
            Excluded(v) if both => Included(v.next_up().ok_or(Empty)?),
            b => b.clone(),
        };
        let hi = match &self.hi {
            Excluded(v) if both => Included(v.next_down().ok_or(Empty)?),
            b => b.clone(),
        };
        let tight = Interval { lo, hi };
        if tight.is_empty() {
            return Err(Empty);
        }
        Ok(match (tight.lo, tight.hi) {
            (Unbounded, Unbounded) => None,
            (Included(a), Unbounded) => Some(SortRange::Ge(a)),
            (Excluded(a), Unbounded) => Some(SortRange::Gt(a)),
            (Unbounded, Included(b)) => Some(SortRange::Le(b)),
            (Unbounded, Excluded(b)) => Some(SortRange::Lt(b)),
            (Included(a), Included(b)) if a == b => Some(SortRange::Eq(a)),
            (Included(a), Included(b)) => Some(SortRange::Between(a, b)),
            // `both` turned every strict end inclusive.
            (Excluded(_), _) | (_, Excluded(_)) => return Err(Empty),
        })
    }
}

/// No value remains in a range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Empty;

/// The tighter of two bounds at the same end.
fn tighter<'b>(a: &'b Bound, b: &'b Bound, end: End) -> &'b Bound {
    use Bound::*;
    let (x, y) = match (a, b) {
        (Unbounded, _) => return b,
        (_, Unbounded) => return a,
        (Included(x) | Excluded(x), Included(y) | Excluded(y)) => (x, y),
    };
    match x.cmp_same_type(y) {
        // Incomparable: keep the first (the stream's own range).
        None => a,
        Some(Ordering::Equal) => {
            if matches!(a, Excluded(_)) {
                a
            } else {
                b
            }
        }
        Some(o) => {
            let a_is_tighter = (o == Ordering::Greater) == (end == End::Lo);
            if a_is_tighter {
                a
            } else {
                b
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SortRange::*;

    fn n(x: i64) -> Value {
        Value::from(x)
    }

    fn num(s: &str) -> Value {
        Value::number(s).unwrap()
    }

    #[test]
    fn a_strict_far_bound_stays_a_bound_after_narrowing() {
        // The query's `< 38`, resumed at 9: at or after 9, before 38.
        let r = Interval::of(Some(&Lt(n(38)))).intersect(&Interval::from(&n(9), true));
        assert_eq!(
            r.to_range(Some(&Lt(n(38)))),
            Ok(Some(Between(n(9), num("37.999999999999999999999999999999999999"))))
        );
        // Descending: `> 5`, resumed at 20.
        let r = Interval::of(Some(&Gt(n(5)))).intersect(&Interval::from(&n(20), false));
        assert_eq!(
            r.to_range(Some(&Gt(n(5)))),
            Ok(Some(Between(num("5.0000000000000000000000000000000000001"), n(20))))
        );
    }

    #[test]
    fn unchanged_ranges_render_as_written() {
        for r in [Lt(n(3)), Gt(n(3)), BeginsWith(Value::from("ab")), Eq(n(1)), Between(n(1), n(2))] {
            assert_eq!(Interval::of(Some(&r)).to_range(Some(&r)), Ok(Some(r.clone())));
        }
        assert_eq!(Interval::ALL.to_range(None), Ok(None));
    }

    #[test]
    fn begins_with_narrowed_becomes_a_between() {
        let p = BeginsWith(Value::from("2026-"));
        // Descending, resumed at 2026-05: from the prefix up to the cursor.
        let r = Interval::of(Some(&p)).intersect(&Interval::from(&Value::from("2026-05"), false));
        assert_eq!(r.to_range(Some(&p)), Ok(Some(Between(Value::from("2026-"), Value::from("2026-05")))));
        // Ascending: from the cursor to the last string with the prefix.
        let r = Interval::of(Some(&p)).intersect(&Interval::from(&Value::from("2026-05"), true));
        let Ok(Some(Between(lo, Value::S(hi)))) = r.to_range(Some(&p)) else { panic!("{r:?}") };
        assert_eq!(lo, Value::from("2026-05"));
        assert!(hi.starts_with("2026-\u{10FFFF}"));
    }

    #[test]
    fn empty_intersections() {
        let lt = Interval::of(Some(&Lt(n(5))));
        assert!(lt.intersect(&Interval::from(&n(5), true)).is_empty());
        assert!(!lt.intersect(&Interval::from(&n(4), true)).is_empty());
        assert!(lt.intersect(&Interval::past(&n(4), true)).to_range(None).is_ok());
        // Past 4.99…9 (38 digits) nothing is below 5.
        let last = num("4.9999999999999999999999999999999999999");
        assert_eq!(lt.intersect(&Interval::past(&last, true)).to_range(None), Err(Empty));
        let between = Interval::of(Some(&Between(n(1), n(9))));
        assert!(between.intersect(&Interval::from(&n(10), true)).is_empty());
        assert_eq!(between.intersect(&Interval::from(&n(9), true)).to_range(None), Ok(Some(Eq(n(9)))));
    }

    #[test]
    fn contains_follows_the_bounds() {
        let r = Interval::of(Some(&Lt(n(38)))).intersect(&Interval::past(&n(9), true));
        assert!(!r.contains(&n(9)));
        assert!(r.contains(&n(10)));
        assert!(!r.contains(&n(38)));
        assert!(r.contains(&num("37.5")));
    }
}
