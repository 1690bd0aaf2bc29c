//! Positions along the first sort-key column, as numbers, so the sizing can
//! measure how far each stream has read and how far the page will go.
//!
//! Distances must be proportional to how items spread along the key, or a
//! density measured on one stretch mispredicts the next. So numbers project
//! to their value and ISO-8601 date-times (the usual `created_at`) to
//! seconds since the epoch; a decimal-digit odometer over the bytes would
//! put a 12-hour gap between `…T23:30` and `…T00:00` of the next day. ULIDs
//! project to their milliseconds since the epoch (the byte odometer spread
//! Crockford's 32 digits over the 43 byte values from `0` to `Z`, and
//! could not say where a day's hours lie). Other strings fall back to
//! [`bytes`], an odometer over their UTF-8 bytes; any other key to one over
//! its encoded bytes.
//!
//! Positions increase in scan order (`DESC` negates), as encoded keys do.

use crate::encoding::Direction;
use crate::value::{Item, Number, Value};

/// The byte odometer's mapping.
type ByteMap = Box<dyn Fn(&[u8]) -> f64>;

/// Maps one value (and its order-preserving encoding) to a position.
pub(crate) enum Axis {
    /// Every value is a number, an ISO-8601 date-time or a ULID.
    Numeric(Direction),
    /// Every value is a string: the byte odometer over its UTF-8 bytes,
    /// negated for `DESC`. A bound shorter than the keys (`> "2026-10-25"`
    /// on `date#id` keys) then ends where the keys go on; in the encoding
    /// it ends in a terminator.
    Text(ByteMap, Direction),
    /// Anything else: an odometer over the encoded bytes.
    Bytes(ByteMap),
}

impl Axis {
    /// The axis for `points` (value, encoded bytes): numeric when every
    /// value has a numeric reading, else the byte odometer (over the
    /// strings when every value is one).
    pub fn new(points: &[(Option<&Value>, &[u8])], dir: Direction) -> Axis {
        if !points.is_empty() && points.iter().all(|(v, _)| v.and_then(numeric).is_some()) {
            return Axis::Numeric(dir);
        }
        let texts: Option<Vec<&[u8]>> = points
            .iter()
            .map(|(v, _)| match v {
                Some(Value::S(s)) => Some(s.as_bytes()),
                _ => None,
            })
            .collect();
        if let Some(texts) = texts {
            return Axis::Text(Box::new(bytes(&texts)), dir);
        }
        let keys: Vec<&[u8]> = points.iter().map(|(_, k)| *k).collect();
        Axis::Bytes(Box::new(bytes(&keys)))
    }

    /// The position of one point, in scan order.
    pub fn position(&self, value: Option<&Value>, encoded: &[u8]) -> f64 {
        match self {
            Axis::Numeric(dir) => value.and_then(|v| numeric_position(v, *dir)).unwrap_or(0.0),
            Axis::Text(f, dir) => {
                let x = match value {
                    Some(Value::S(s)) => f(s.as_bytes()),
                    _ => 0.0,
                };
                if *dir == Direction::Desc {
                    -x
                } else {
                    x
                }
            }
            Axis::Bytes(f) => f(encoded),
        }
    }

    /// A key value of `template`'s kind and format at position `pos` or
    /// just past it in scan order, to end a window of reading there; `None`
    /// on the byte odometer or for a format it cannot write.
    ///
    /// A date-only key is written as a whole day, and a window's bound is
    /// inclusive: the day at or past `pos` would read one day more than a
    /// window aimed half a step past a day meant (every day is a grid point
    /// holding a day's rows). So date-only windows end on the day nearest
    /// `pos`, a tie going to the day nearer the scan's start. A date-time
    /// with a fraction of a second ends past the whole of its second
    /// ([`whole_second`]).
    pub fn value_at(&self, pos: f64, template: &Value) -> Option<Value> {
        let Axis::Numeric(dir) = self else { return None };
        if !pos.is_finite() {
            return None;
        }
        // Past `pos` in scan order: up for ASC, down for DESC.
        let (x, up) = if *dir == Direction::Desc { (-pos, false) } else { (pos, true) };
        let round = |v: f64, unit: f64| if up { (v / unit).ceil() * unit } else { (v / unit).floor() * unit };
        let nearest = |v: f64, unit: f64| {
            if up {
                (v / unit - 0.5).ceil() * unit
            } else {
                (v / unit + 0.5).floor() * unit
            }
        };
        let (value, slack) = match template {
            Value::N(_) => {
                // Millionths, rounded past `x`; where that rounding (a
                // product in binary) lands short of `x`, as on epoch
                // milliseconds a third of the time, `x` itself, written
                // exactly (the shortest decimal that reads back as `x`).
                let rounded = Value::number(&format!("{:.6}", round(x, 1e-6))).ok()?;
                let past = numeric(&rounded).is_some_and(|b| if up { b >= x } else { b <= x });
                (if past { rounded } else { Value::number(&format!("{x}")).ok()? }, 0.0)
            }
            Value::S(t) if t.len() == 10 => (Value::S(format_like(t, nearest(x, DAY) as i64)?), DAY / 2.0),
            // The millisecond `x` falls in, whole (`x` has a fraction).
            Value::S(t) if ulid_millis(t).is_some() => (Value::S(ulid_at(x.floor(), up)?), 1.0 / 1024.0),
            Value::S(t) => (Value::S(whole_second(&format_like(t, round(x, 1.0) as i64)?, up)), 0.0),
            _ => return None,
        };
        let back = numeric(&value)?;
        let ok = if up { back >= x - slack - 1e-6 } else { back <= x + slack + 1e-6 };
        ok.then_some(value)
    }
}

/// `time` with the digits of its fraction of a second (if any) set so it
/// holds its whole second: all nines for a window ending up the key (ASC),
/// zeros for one ending down it (DESC). A position is a whole second, and
/// a value written like the cursor keeps the cursor's fraction, which cut
/// the second there: rows of that second on the far side of it fell
/// outside the window.
fn whole_second(time: &str, up: bool) -> String {
    let b = time.as_bytes();
    if b.get(19) != Some(&b'.') {
        return time.to_owned();
    }
    let digits = b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
    let fill = if up { "9" } else { "0" };
    format!("{}{}{}", &time[..20], fill.repeat(digits), &time[20 + digits..])
}

/// Seconds in a day: the unit of a date-only key.
const DAY: f64 = 86_400.0;

/// Seconds since 1970 written like `template` (`YYYY-MM-DD`, or
/// `YYYY-MM-DDTHH:MM:SS` followed by the template's own suffix such as `Z`).
fn format_like(template: &str, secs: i64) -> Option<String> {
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return None;
    }
    let date = format!("{y:04}-{m:02}-{d:02}");
    let t = template.as_bytes();
    if t.len() == 10 {
        // Days only: the caller rounded to a whole day.
        return (rest == 0).then_some(date);
    }
    if t.len() >= 19 && matches!(t[10], b'T' | b' ') && t[13] == b':' && t[16] == b':' {
        let sep = char::from(t[10]);
        let suffix = template.get(19..)?;
        return Some(format!(
            "{date}{sep}{:02}:{:02}:{:02}{suffix}",
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        ));
    }
    None
}

/// (year, month, day) of days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// A number's value, or an ISO-8601 date-time's seconds since the epoch.
/// `v`'s position on the numeric axis in scan order; `None` when it has
/// no numeric reading (then distances are not comparable across pages).
pub(crate) fn numeric_position(v: &Value, dir: Direction) -> Option<f64> {
    numeric(v).map(|x| if dir == Direction::Desc { -x } else { x })
}

/// The [`numeric_position`] of `item`'s value of `attr`; `None` when it
/// has none or no numeric reading.
pub(crate) fn item_position(item: &Item, attr: &str, dir: Direction) -> Option<f64> {
    numeric_position(item.get(attr)?, dir)
}

/// Seconds since the epoch of a value that is a time finer than a day: an
/// ISO-8601 date-time with a time of day, a number of epoch seconds or
/// milliseconds, or a ULID ([`time_unit`]); `None` otherwise.
pub(crate) fn seconds(v: &Value) -> Option<f64> {
    time_reading(v).map(|(x, unit)| x * unit)
}

/// Numbers read as epoch seconds: from 2001-09-09 (10^9) up to 2286.
const EPOCH_SECONDS: std::ops::Range<f64> = 1e9..1e10;

/// Numbers read as epoch milliseconds: the same dates in milliseconds.
const EPOCH_MILLIS: std::ops::Range<f64> = 1e12..1e13;

/// Numbers read as epoch microseconds: the same dates in microseconds.
const EPOCH_MICROS: std::ops::Range<f64> = 1e15..1e16;

/// Numbers read as epoch nanoseconds: the same dates in nanoseconds (an
/// `f64` holds them to a few hundred nanoseconds, finer than an hour needs).
const EPOCH_NANOS: std::ops::Range<f64> = 1e18..1e19;

/// The seconds one unit of `v`'s numeric reading spans, where `v` is a
/// time finer than a day: 1 for an ISO-8601 date-time with a time of day
/// (read in seconds) and for a number of epoch seconds, 1/1000 for one of
/// epoch milliseconds and for a ULID (read in its milliseconds), 1e-6 and
/// 1e-9 for epoch micro- and nanoseconds. A number's unit is not declared,
/// so it is read from its size: 10 digits before the point are seconds,
/// 13 milliseconds, 16 microseconds and 19 nanoseconds, each since 2001;
/// other numbers, dates alone and composite strings have none.
pub(crate) fn time_unit(v: &Value) -> Option<f64> {
    time_reading(v).map(|(_, unit)| unit)
}

/// `v`'s numeric reading and [`time_unit`], where `v` is a time finer than
/// a day, from one parse. A string with a `T` or a space at byte 10 that
/// is no date-time may still be a ULID (`T` is one of its digits).
fn time_reading(v: &Value) -> Option<(f64, f64)> {
    match v {
        Value::S(s) => {
            let iso = matches!(s.as_bytes().get(10), Some(b'T' | b' ')).then(|| timestamp(s)).flatten();
            iso.map(|t| (t, 1.0)).or_else(|| ulid_millis(s).map(|ms| (ms, 1e-3)))
        }
        Value::N(n) => {
            let x = number_f64(n);
            [(EPOCH_SECONDS, 1.0), (EPOCH_MILLIS, 1e-3), (EPOCH_MICROS, 1e-6), (EPOCH_NANOS, 1e-9)]
                .into_iter()
                .find(|(digits, _)| digits.contains(&x))
                .map(|(_, unit)| (x, unit))
        }
        _ => None,
    }
}

fn numeric(v: &Value) -> Option<f64> {
    match v {
        Value::N(n) => Some(number_f64(n)),
        Value::S(s) => timestamp(s).or_else(|| ulid_millis(s)),
        _ => None,
    }
}

/// Crockford's base 32, the digits of a ULID.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Characters of a ULID, and of its time (48 bits of epoch milliseconds).
const ULID_LEN: usize = 26;
const ULID_TIME: usize = 10;

/// Milliseconds since the epoch of a ULID (26 characters of Crockford's
/// base 32 in upper case, the first 10 its time), with its next two
/// characters as a fraction of the millisecond, so the ULIDs of one
/// millisecond spread over it as they sort; `None` for any other string.
fn ulid_millis(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.len() != ULID_LEN || b[0] > b'7' {
        return None;
    }
    let digit = |c: &u8| CROCKFORD.iter().position(|d| d == c).map(|i| i as u64);
    let digits = b.iter().map(digit).collect::<Option<Vec<u64>>>()?;
    let millis = digits[..ULID_TIME].iter().fold(0u64, |m, d| m << 5 | d);
    Some(millis as f64 + (digits[ULID_TIME] * 32 + digits[ULID_TIME + 1]) as f64 / 1024.0)
}

/// The ULID that ends a window at `millis` (a whole millisecond): its time,
/// then the highest random part where the window ends up the key (ASC),
/// the lowest where it ends down it (DESC), so it holds the whole
/// millisecond.
fn ulid_at(millis: f64, up: bool) -> Option<String> {
    if !(0.0..(1u64 << 48) as f64).contains(&millis) {
        return None;
    }
    let m = millis as u64;
    let time = (0..ULID_TIME).map(|i| char::from(CROCKFORD[(m >> (5 * (ULID_TIME - 1 - i)) & 31) as usize]));
    let fill = if up { 'Z' } else { '0' };
    Some(time.chain(std::iter::repeat_n(fill, ULID_LEN - ULID_TIME)).collect())
}

/// The nearest `f64` to an exact decimal, as the standard parser reads
/// `±0.d₁d₂…e±x`: a mantissa times a power of ten rounds twice, and a
/// window written at a position then read back on the wrong side of it.
fn number_f64(n: &Number) -> f64 {
    use std::io::Write;
    // At most 38 digits, a sign, `0.`, `e` and an exponent: no allocation.
    let mut buf = [0u8; 64];
    let mut w = &mut buf[..];
    let sign = if n.is_negative() { "-" } else { "" };
    let written = write!(w, "{sign}0.").is_ok()
        && n.digits().iter().all(|d| w.write_all(&[b'0' + d]).is_ok())
        && write!(w, "e{}", n.exponent()).is_ok();
    let len = 64 - w.len();
    let text = written.then(|| std::str::from_utf8(&buf[..len]).ok()).flatten();
    text.and_then(|t| t.parse().ok()).unwrap_or(0.0)
}

/// Seconds since 1970 of `YYYY-MM-DD`, optionally followed by `THH`, `:MM`,
/// `:SS` (the rest — fractions, zone — is ignored: positions only need to
/// be proportional). `None` for anything else.
fn timestamp(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let part = b.get(from..from + len)?;
        part.iter().try_fold(0i64, |acc, c| c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0')))
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (y, m, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) * 86_400;
    if b.len() > 10 && !matches!(b[10], b'T' | b' ') {
        // A composite key (`2026-11-23#o-17`): read as its date, every key
        // of a day would sit on one point, and a page that ends inside a
        // day would look as if it had not moved. The byte odometer ranks
        // the whole key.
        return None;
    }
    if matches!(b.get(10), Some(b'T' | b' ')) {
        secs += num(11, 2)? * 3600;
        if b.get(13) == Some(&b':') {
            secs += num(14, 2)? * 60;
            if b.get(16) == Some(&b':') {
                secs += num(17, 2)?;
            }
        }
    }
    Some(secs as f64)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Maps byte keys to numbers, monotonically enough to rank positions and
/// measure distances: the bytes after the prefix all keys share, read as an
/// odometer whose wheel at each byte spans only the byte values seen there,
/// over as many bytes as an `f64` holds exactly (radices multiplying up to
/// 2^52). A key that has ended reads 0 on the wheels past its end (a prefix
/// ranks before its extensions) and does not widen them: counted as byte 0,
/// one short key stretched every wheel past its end to the whole byte
/// range and used up the exact digits before the keys' last bytes.
pub(crate) fn bytes(keys: &[&[u8]]) -> impl Fn(&[u8]) -> f64 {
    const MAX_WIDTH: usize = 32;
    const EXACT: f64 = 4_503_599_627_370_496.0; // 2^52
    let common = keys.split_first().map_or(0, |(first, rest)| {
        rest.iter()
            .fold(first.len(), |n, k| first.iter().zip(k.iter()).take(n).take_while(|(a, b)| a == b).count())
    });
    let mut wheels: Vec<(u8, f64)> = Vec::new();
    let mut span = 1.0f64;
    for i in 0..MAX_WIDTH {
        let (mut lo, mut hi) = (u8::MAX, 0u8);
        for b in keys.iter().filter_map(|k| k.get(common + i)) {
            lo = lo.min(*b);
            hi = hi.max(*b);
        }
        if lo > hi {
            // Every key has ended.
            break;
        }
        let radix = f64::from(hi.saturating_sub(lo)) + 1.0;
        if span * radix > EXACT {
            break;
        }
        span *= radix;
        wheels.push((lo, radix));
    }
    move |k: &[u8]| {
        wheels.iter().enumerate().fold(0f64, |v, (i, (lo, radix))| {
            let digit = f64::from(k.get(common + i).copied().unwrap_or(0).saturating_sub(*lo));
            v * radix + digit.min(radix - 1.0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::encode_column;

    #[test]
    fn timestamps_measure_real_time_across_a_day_boundary() {
        let t = |s: &str| timestamp(s).unwrap();
        let evening = t("2026-11-23T23:30:00Z") - t("2026-11-23T23:00:00Z");
        let midnight = t("2026-11-24T00:00:00Z") - t("2026-11-23T23:30:00Z");
        assert_eq!(evening, 1800.0);
        assert_eq!(midnight, 1800.0);
        assert_eq!(t("1970-01-02"), 86_400.0);
        assert_eq!(t("2000-03-01T00:00:00Z") - t("2000-02-28T00:00:00Z"), 2.0 * 86_400.0);
        assert!(timestamp("order-17").is_none());
        assert!(timestamp("2026-13-01").is_none());
    }

    #[test]
    fn numeric_axis_follows_scan_order() {
        let a = Value::from("2026-11-01T00:00:00Z");
        let b = Value::from("2026-11-02T00:00:00Z");
        let axis = Axis::new(&[(Some(&a), b"a"), (Some(&b), b"b")], Direction::Desc);
        assert!(matches!(axis, Axis::Numeric(_)));
        // Descending: the later date comes first in scan order.
        assert!(axis.position(Some(&b), b"") < axis.position(Some(&a), b""));
        let n = |s: &str| number_f64(&s.parse::<Number>().unwrap());
        assert_eq!(n("1234.5"), 1234.5);
        assert_eq!(n("-0.25"), -0.25);
    }

    #[test]
    fn window_ends_are_written_like_the_data_at_or_past_the_position_or_on_the_nearest_day() {
        let t = Value::from("2026-11-23T10:30:00Z");
        let desc = Axis::new(&[(Some(&t), b"")], Direction::Desc);
        let pos = desc.position(Some(&t), b"") + 90.5; // 90.5 s later in a DESC scan
        assert_eq!(desc.value_at(pos, &t), Some(Value::from("2026-11-23T10:28:29Z")));
        let asc = Axis::new(&[(Some(&t), b"")], Direction::Asc);
        let pos = asc.position(Some(&t), b"") + 86_400.0 * 40.0;
        assert_eq!(asc.value_at(pos, &t), Some(Value::from("2027-01-02T10:30:00Z")));
        // Date-only keys: the window ends on the whole day nearest the
        // position, a tie going to the day nearer the scan's start. A
        // window aimed half a step past a day (the grid's `past`) ends on
        // that day: the bound is inclusive and a day holds a whole point's
        // rows, so the next day would be read whole for nothing.
        let d = Value::from("2026-11-23");
        let desc = Axis::new(&[(Some(&d), b"")], Direction::Desc);
        let at = |days: f64| desc.position(Some(&d), b"") + 86_400.0 * days;
        assert_eq!(desc.value_at(at(1.5), &d), Some(Value::from("2026-11-22")));
        assert_eq!(desc.value_at(at(1.6), &d), Some(Value::from("2026-11-21")));
        assert_eq!(desc.value_at(at(1.2), &d), Some(Value::from("2026-11-22")));
        let asc = Axis::new(&[(Some(&d), b"")], Direction::Asc);
        let at = |days: f64| asc.position(Some(&d), b"") + 86_400.0 * days;
        assert_eq!(asc.value_at(at(0.5), &d), Some(Value::from("2026-11-23")));
        assert_eq!(asc.value_at(at(0.7), &d), Some(Value::from("2026-11-24")));
        let n = Value::from(7);
        let asc = Axis::new(&[(Some(&n), b"")], Direction::Asc);
        assert_eq!(asc.value_at(12.25, &n), Some(Value::number("12.25").unwrap()));
        assert_eq!(asc.value_at(1.0, &Value::from("x")), None);
    }

    #[test]
    fn numbers_read_as_the_nearest_f64() {
        for t in [
            "0",
            "-120",
            "0.000125",
            "1795349595588.1091",
            "-1e-130",
            "9.9e125",
            "12345678901234567890123456789012345678",
        ] {
            let n = Value::number(t).unwrap();
            assert_eq!(numeric(&n), Some(t.parse::<f64>().unwrap()), "{t}");
        }
    }

    #[test]
    fn a_window_on_a_large_number_is_written_on_its_side_of_the_position() {
        // Rounded to millionths by a multiplication, 1795349595588.1091
        // came back as 1795349595588.1094, past the position newest first,
        // and no window was written: one in three rounds of a page on epoch
        // milliseconds read by `Limit` alone.
        let ms = Value::from(1_795_349_595_588i64);
        for dir in [Direction::Desc, Direction::Asc] {
            let axis = Axis::new(&[(Some(&ms), b"")], dir);
            for x in
                [1_795_349_595_588.109_1, 1_795_288_216_020.235, 1_795_462_933_123_456.2, 1.795e18 + 512.0]
            {
                let pos = if dir == Direction::Desc { -x } else { x };
                let v = axis.value_at(pos, &ms).unwrap_or_else(|| panic!("{dir:?} {x}: no window"));
                let back = numeric(&v).expect("a number");
                match dir {
                    Direction::Desc => assert!(back <= x, "{back} above {x}"),
                    Direction::Asc => assert!(back >= x, "{back} below {x}"),
                }
                assert!((back - x).abs() <= x * 1e-15, "{back} far from {x}");
            }
        }
    }

    #[test]
    fn a_window_on_date_times_with_a_fraction_holds_its_whole_second() {
        // A position is a whole second (`timestamp` drops the fraction), so
        // a window end written back must hold the whole of its second. Kept
        // at the template's own fraction, a DESC window written from a
        // cursor at `.998` ended at `18:20:22.998Z` and left out every row
        // of that second before `.998` (`cost_matrix --shape growth --seeds
        // 32..32 --trace-page "10% evening/total/7"` took a second round
        // trip for one of them).
        let t = Value::from("2026-11-21T20:14:55.998Z");
        let desc = Axis::new(&[(Some(&t), b"")], Direction::Desc);
        let pos = desc.position(Some(&t), b"") + 6873.0;
        assert_eq!(desc.value_at(pos, &t), Some(Value::from("2026-11-21T18:20:22.000Z")));
        let asc = Axis::new(&[(Some(&t), b"")], Direction::Asc);
        let pos = asc.position(Some(&t), b"") + 5.0;
        assert_eq!(asc.value_at(pos, &t), Some(Value::from("2026-11-21T20:15:00.999Z")));
        // Only the fraction's digits change; the zone stays as written.
        let z = Value::from("2026-11-21T20:14:55.5+01:00");
        let asc = Axis::new(&[(Some(&z), b"")], Direction::Asc);
        let pos = asc.position(Some(&z), b"") + 1.0;
        assert_eq!(asc.value_at(pos, &z), Some(Value::from("2026-11-21T20:14:56.9+01:00")));
    }

    #[test]
    fn a_date_followed_by_more_than_a_time_is_not_read_as_its_date() {
        assert!(timestamp("2026-11-23#o-0000017").is_none());
        assert!(timestamp("2026-11-23_b").is_none());
        let (a, b) = (Value::from("2026-11-23#o-0000017"), Value::from("2026-11-23#o-0000018"));
        let axis = Axis::new(
            &[(Some(&a), b"2026-11-23#o-0000017"), (Some(&b), b"2026-11-23#o-0000018")],
            Direction::Asc,
        );
        assert!(matches!(axis, Axis::Text(..)));
        assert!(
            axis.position(Some(&a), b"2026-11-23#o-0000017")
                < axis.position(Some(&b), b"2026-11-23#o-0000018")
        );
        // Date-only keys and date-times keep their numeric reading.
        assert!(timestamp("2026-11-23").is_some());
        assert!(timestamp("2026-11-23T10:30:00.123Z").is_some());
        assert!(timestamp("2026-11-23 10:30").is_some());
    }

    #[test]
    fn a_bound_shorter_than_the_keys_leaves_the_odometer_its_resolution() {
        // `created_at > "2026-10-25"` on composite `date#id` keys: the
        // bound is shorter than every key. Read as missing (or as the
        // encoding's terminator), its absent bytes widened every wheel
        // past the date to the whole byte range, the odometer ran out of
        // exact digits before the ids, and every key of a day sat on one
        // position: a round read a day's density as a point.
        let texts = [
            "2026-10-25",
            "2026-11-22#o-0019868",
            "2026-11-23#o-0015506",
            "2026-11-23#o-0021518",
            "2026-11-23#o-0024742",
        ];
        let values: Vec<Value> = texts.iter().map(|t| Value::from(*t)).collect();
        for dir in [Direction::Asc, Direction::Desc] {
            let encoded: Vec<Vec<u8>> = values
                .iter()
                .map(|v| {
                    let mut k = Vec::new();
                    encode_column(&mut k, Some(v), dir).unwrap();
                    k
                })
                .collect();
            let points: Vec<(Option<&Value>, &[u8])> =
                values.iter().zip(&encoded).map(|(v, k)| (Some(v), k.as_slice())).collect();
            let axis = Axis::new(&points, dir);
            let p: Vec<f64> = values.iter().zip(&encoded).map(|(v, k)| axis.position(Some(v), k)).collect();
            // In scan order, the texts are sorted up (ASC) or down (DESC).
            let sign = if dir == Direction::Asc { 1.0 } else { -1.0 };
            assert!(p.windows(2).all(|w| sign * (w[1] - w[0]) > 0.0), "{dir:?}: {p:?}");
            // The ids of one day spread over a share of a day's step.
            let day = (p[3] - p[1]).abs();
            let within = (p[4] - p[2]).abs();
            assert!(within > day * 0.1, "{dir:?}: ids {within} apart, a day {day}");
        }
    }

    #[test]
    fn a_ulid_is_read_as_its_milliseconds_and_a_window_holds_its_whole_millisecond() {
        // 01JD0000000000000000000000: 2024-11-18T15:59:22.112Z; the time
        // part is 48 bits.
        let at = |s: &str| ulid_millis(s);
        let t = at("01JD0000000000000000000000").unwrap();
        assert_eq!(t, 1_731_945_562_112.0);
        // The next two characters spread one millisecond's ULIDs over it.
        assert_eq!(at("01JD000000Z000000000000000").unwrap(), t + 31.0 * 32.0 / 1024.0);
        assert!(at("01JD000000ZZZZZZZZZZZZZZZZ").unwrap() < t + 1.0);
        assert_eq!(at("01JD0000010000000000000000").unwrap(), t + 1.0);
        // Not a ULID: too short, past the 48 bits, a letter Crockford skips,
        // lower case.
        for not in [
            "01JD00000000000000000000",
            "81JD0000000000000000000000",
            "01JD00000I0000000000000000",
            "01jd0000000000000000000000",
        ] {
            assert_eq!(at(not), None, "{not}");
            assert_eq!(time_unit(&Value::from(not)), None, "{not}");
        }
        assert_eq!(time_unit(&Value::from("01JD0000000000000000000000")), Some(1e-3));
        // A `T` after the time part (1 ULID in 32) is no date-time's.
        assert_eq!(time_unit(&Value::from("01JD00000AT000000000000000")), Some(1e-3));
        assert!(seconds(&Value::from("01JD00000AT000000000000000")).is_some());
        let seconds = seconds(&Value::from("01JD0000000000000000000000")).unwrap();
        assert!((seconds - 1_731_945_562.112).abs() < 1e-6);
        // A window's end: the whole millisecond at or past the position.
        let keys = ["01JD0000000000000000000000", "01JD000009ABCDEFGHJKMNPQRS"];
        let points: Vec<(Option<Value>, Vec<u8>)> =
            keys.iter().map(|k| (Some(Value::from(*k)), k.as_bytes().to_vec())).collect();
        let pts: Vec<(Option<&Value>, &[u8])> =
            points.iter().map(|(v, b)| (v.as_ref(), b.as_slice())).collect();
        for dir in [Direction::Asc, Direction::Desc] {
            let axis = Axis::new(&pts, dir);
            assert!(matches!(axis, Axis::Numeric(_)));
            let template = Value::from(keys[1]);
            let x = axis.position(Some(&template), keys[1].as_bytes());
            let end = axis.value_at(x, &template).expect("a ULID");
            let expect = if dir == Direction::Asc {
                "01JD000009ZZZZZZZZZZZZZZZZ"
            } else {
                "01JD0000090000000000000000"
            };
            assert_eq!(end, Value::from(expect), "{dir:?}");
            // Half a millisecond on in scan order (the key's fraction is
            // 331/1024): the same millisecond up, the one before down.
            let half = axis.value_at(x + 0.5, &template).expect("a ULID");
            let expect = if dir == Direction::Asc {
                "01JD000009ZZZZZZZZZZZZZZZZ"
            } else {
                "01JD0000080000000000000000"
            };
            assert_eq!(half, Value::from(expect), "{dir:?}");
        }
        assert_eq!(ulid_at(-1.0, true), None);
        assert_eq!(ulid_at(2f64.powi(48), true), None);
    }

    /// A ULID of millisecond `ms` and 16 random digits.
    fn any_ulid() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::strategy::Strategy;
        (0u64..1 << 48, proptest::collection::vec(0usize..32, 16)).prop_map(|(ms, rest)| {
            let time = ulid_at(ms as f64, false).expect("48 bits");
            time[..ULID_TIME].chars().chain(rest.iter().map(|d| char::from(CROCKFORD[*d]))).collect()
        })
    }

    proptest::proptest! {
        /// Positions keep the ULIDs' order, and a window written back at
        /// a ULID's position, or past it in scan order, holds that ULID.
        #[test]
        fn ulid_positions_keep_order_and_window_ends_hold_their_keys(
            a in any_ulid(),
            b in any_ulid(),
            past in 0.0f64..5.0,
        ) {
            let (x, y) = (ulid_millis(&a).expect("a ULID"), ulid_millis(&b).expect("a ULID"));
            if a < b {
                proptest::prop_assert!(x <= y, "{a} {x} {b} {y}");
            }
            let key = Value::from(a.as_str());
            for dir in [Direction::Asc, Direction::Desc] {
                let axis = Axis::Numeric(dir);
                let at = axis.position(Some(&key), a.as_bytes());
                let Some(Value::S(end)) = axis.value_at(at + past, &key) else {
                    proptest::prop_assert!(false, "no window end at {a}");
                    unreachable!()
                };
                match dir {
                    Direction::Asc => proptest::prop_assert!(a <= end, "{a} past {end}"),
                    Direction::Desc => proptest::prop_assert!(a >= end, "{a} before {end}"),
                }
            }
        }
    }

    #[test]
    fn numbers_of_epoch_micro_or_nanoseconds_are_times() {
        let us = Value::from(1_795_462_933_123_456i64);
        assert_eq!(time_unit(&us), Some(1e-6));
        assert!((seconds(&us).unwrap() - 1_795_462_933.123_456).abs() < 1e-6);
        let ns = Value::from(1_795_462_933_123_456_789i64);
        assert_eq!(time_unit(&ns), Some(1e-9));
        assert!((seconds(&ns).unwrap() - 1_795_462_933.123_456_7).abs() < 1e-6);
        // 14, 15, 17 and 18 digits, and past 19: no time.
        for not in [
            "17954629331234",
            "179546293312345",
            "17954629331234567",
            "179546293312345678",
            "17954629331234567890",
        ] {
            assert_eq!(time_unit(&Value::number(not).unwrap()), None, "{not}");
        }
    }

    #[test]
    fn numbers_of_epoch_seconds_or_milliseconds_are_times() {
        let ms = Value::from(1_795_462_933_123i64);
        assert_eq!(time_unit(&ms), Some(1e-3));
        assert!((seconds(&ms).unwrap() - 1_795_462_933.123).abs() < 1e-6);
        assert_eq!(time_unit(&Value::from(1_795_462_933i64)), Some(1.0));
        assert_eq!(time_unit(&Value::number("1795462933.25").unwrap()), Some(1.0));
        assert_eq!(seconds(&Value::from("2026-11-23T17:00:00Z")), timestamp("2026-11-23T17:00:00Z"));
        // Counts, dates as digits, 11 or 12 digits, a date alone: no time.
        for not in [17i64, 20_261_123, 20_261_123_170_000, 999_999_999, 99_999_999_999, -1_795_462_933_123] {
            assert_eq!(time_unit(&Value::from(not)), None, "{not}");
        }
        assert_eq!(time_unit(&Value::from("2026-11-23")), None);
    }

    #[test]
    fn other_keys_fall_back_to_a_byte_odometer() {
        let a = Value::from("alpha");
        let b = Value::from("beta");
        let axis = Axis::new(&[(Some(&a), b"alpha"), (Some(&b), b"beta")], Direction::Asc);
        assert!(matches!(axis, Axis::Text(..)));
        assert!(axis.position(Some(&a), b"alpha") < axis.position(Some(&b), b"beta"));
    }

    #[test]
    fn byte_odometer_is_monotone_and_keeps_the_minutes() {
        let keys: [&[u8]; 3] = [b"2026-11-01T10:00", b"2026-11-01T10:30", b"2026-12-01T00:00"];
        let p = bytes(&keys);
        assert!(p(keys[0]) < p(keys[1]) && p(keys[1]) < p(keys[2]));
    }
}
