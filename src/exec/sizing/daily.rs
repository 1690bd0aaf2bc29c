//! The time of day: how the rows a page finds spread over the 24 hours of
//! a day, where the first sort-key column is a time (an ISO-8601 date-time,
//! a number of epoch seconds, milliseconds, microseconds or nanoseconds,
//! or a ULID; see `axis::time_unit`). Counts are in seconds; a [`Curve`]
//! maps them to positions along the key (milliseconds on epoch
//! milliseconds and ULIDs, and so on).
//!
//! Real traffic follows a daily curve, and a filter value's share often
//! follows its own (French orders crowd into the European evening). A page
//! shorter than a day crosses from an evening to a night and back, so the
//! rows per second its last round (or the last page) measured are off by
//! several times for the stretch ahead. [`DayCurve`] counts, for each hour
//! of the day (UTC), on even and on odd days apart, the rows the streams
//! found there and the seconds they covered, each stream's seconds
//! weighted by its share of the streams' rate of rows (a [`Tally`] per
//! stream, over the pagination so far). [`Curve`] turns the rows over
//! those the streams' rate expected into a rate per hour relative to the
//! average, each hour's shrunk toward it by
//! [`Tuning::day_rows`](super::tuning::Tuning::day_rows) rows (an hour
//! seen briefly moves little, one never seen stays at the average), and
//! keeps an hour's only where both parities agree: a daily curve shows on
//! every day, a sale or an outage on one. A window then ends where the
//! rows expected along the curve reach the need, scaled from the rate the
//! streams measured on the stretch behind (see `estimate::plan_round`),
//! or at an evening's edge ([`Curve::cliff`]) where the evening expects
//! half the need or more (`estimate::short_of_cliff`).
//!
//! The counts travel in the sizing state from page to page, capped at
//! [`MAX_ROWS`] rows (older counts scaled down, so recent days keep the
//! say): 193 bytes, and 6 a stream.
//!
//! A run of ties (a nightly batch at one millisecond) is a point, not a
//! rate: rows on the position of the row before them are not counted.

/// Hours in a day.
pub(crate) const HOURS: usize = 24;

/// The counts' buckets: the hours of even days, then of odd days. A rate
/// that follows the time of day shows on both; a sale or an outage, on
/// one day, shows on one and is not taken for the day's curve.
pub(crate) const BUCKETS: usize = 2 * HOURS;
const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

/// Most rows the counts carried from page to page weigh (older counts are
/// scaled down past it).
pub(crate) const MAX_ROWS: f64 = 4096.0;

/// Most seconds one bucket carries: a u16 of minutes.
pub(crate) const MAX_BUCKET_SECS: f64 = 65_535.0 * 60.0;

/// Rows found and seconds covered per hour of the day (UTC), on even and
/// odd days. Each stream's seconds are weighted by its share of the
/// streams' rate of rows (over the pagination so far), so that the rows
/// expected in an hour are its seconds times the streams' rate together:
/// the streams of a page cover different stretches (a dense stream's probe
/// the last hour, a sparse one's days), and plain seconds pooled would
/// credit the dense stream's hour with every stream's rate.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DayCurve {
    pub rows: [f64; BUCKETS],
    pub secs: [f64; BUCKETS],
}

/// The bucket of `t` seconds since the epoch: its hour of the day, on odd
/// or even days.
fn bucket_of(t: f64) -> usize {
    let day = (t / DAY).floor();
    let parity = if day.rem_euclid(2.0) >= 1.0 { HOURS } else { 0 };
    parity + (t.rem_euclid(DAY) / HOUR) as usize % HOURS
}

/// Adds to `secs` the seconds of each bucket between `a` and `b` (seconds
/// since the epoch, either order).
fn cover(secs: &mut [f64; BUCKETS], a: f64, b: f64) {
    if !(a.is_finite() && b.is_finite()) {
        return;
    }
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let len = hi - lo;
    if len <= 0.0 {
        return;
    }
    // Pairs of whole days cover every bucket alike.
    let pairs = (len / (2.0 * DAY)).floor();
    if pairs > 0.0 {
        for s in secs.iter_mut() {
            *s += pairs * HOUR;
        }
    }
    let mut t = lo + pairs * 2.0 * DAY;
    while t < hi {
        let next = ((t / HOUR).floor() + 1.0) * HOUR;
        let end = next.min(hi);
        secs[bucket_of(t)] += end - t;
        t = end;
    }
}

/// Adds `weight` rows found at `t` seconds since the epoch to `rows`.
pub(crate) fn count_row(rows: &mut [f64; BUCKETS], t: f64, weight: f64) {
    if t.is_finite() && weight > 0.0 {
        rows[bucket_of(t)] += weight;
    }
}

/// Rows one stream found and the seconds it covered, over a pagination's
/// pages so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Tally {
    pub rows: f64,
    pub secs: f64,
}

impl Tally {
    /// Rows per second (0 before any second).
    pub fn rate(&self) -> f64 {
        if self.secs > 0.0 {
            self.rows / self.secs
        } else {
            0.0
        }
    }

    /// This tally and `rows` found over `secs` more, scaled down so the
    /// rows weigh at most [`MAX_ROWS`].
    pub fn then(self, rows: f64, secs: f64) -> Tally {
        let (rows, secs) = (self.rows + rows.max(0.0), self.secs + secs.max(0.0));
        let k = if rows > MAX_ROWS { MAX_ROWS / rows } else { 1.0 };
        Tally { rows: rows * k, secs: secs * k }
    }
}

impl Default for DayCurve {
    fn default() -> DayCurve {
        DayCurve { rows: [0.0; BUCKETS], secs: [0.0; BUCKETS] }
    }
}

impl DayCurve {
    /// One stream's counts: it covered the time between `a` and `b`
    /// (seconds since the epoch, either order), `share` of the streams'
    /// rate of rows, and found `rows` per bucket. Also the seconds it
    /// covered, for its tally.
    pub fn of_stream(a: f64, b: f64, rows: &[f64; BUCKETS], share: f64) -> DayCurve {
        let mut secs = [0.0; BUCKETS];
        cover(&mut secs, a, b);
        DayCurve { rows: *rows, secs: secs.map(|s| s * share) }
    }

    /// Adds `other`'s counts.
    pub fn add(&mut self, other: &DayCurve) {
        for h in 0..BUCKETS {
            self.rows[h] += other.rows[h];
            self.secs[h] += other.secs[h];
        }
        self.cap();
    }

    /// Scales every count down so the rows weigh at most [`MAX_ROWS`]
    /// and no bucket's seconds pass what the state carries.
    pub fn cap(&mut self) {
        let rows: f64 = self.rows.iter().sum();
        let secs = self.secs.iter().copied().fold(0.0, f64::max);
        let k = (MAX_ROWS / rows.max(MAX_ROWS)).min(MAX_BUCKET_SECS / secs.max(MAX_BUCKET_SECS));
        if k < 1.0 {
            for h in 0..BUCKETS {
                self.rows[h] *= k;
                self.secs[h] *= k;
            }
        }
    }

    /// No second covered anywhere.
    pub fn is_empty(&self) -> bool {
        self.secs.iter().all(|s| *s <= 0.0)
    }

    /// The curve these counts give: each hour's rows over those expected
    /// there, each side plus `shrink_rows` (an hour with little evidence
    /// stays near the average, one never covered at it), on even and on
    /// odd days, each over that parity's own level; of the two, the one
    /// nearer the average, and the average where they lie either side of
    /// it: a rate believed to follow the
    /// time of day has shown on two days. The rows expected in a bucket
    /// are its seconds times `rate`, the streams' rate of rows together
    /// (per second, over the pagination so far). `None` before any second
    /// is covered. A position along the key is `unit` seconds (negated
    /// where `desc`).
    pub fn curve(&self, shrink_rows: f64, desc: bool, rate: f64, unit: f64) -> Option<Curve> {
        if self.is_empty() || !(rate.is_finite() && rate > 0.0 && unit.is_finite() && unit > 0.0) {
            return None;
        }
        let ratio = |b: usize| (self.rows[b] + shrink_rows) / (self.secs[b] * rate + shrink_rows);
        // Each day's parity against its own level: a sale on an even day
        // raises the streams' rate, and every other hour would look poorer
        // than the average on both.
        let level = |p: usize| {
            let rows: f64 = self.rows[p..p + HOURS].iter().sum();
            let secs: f64 = self.secs[p..p + HOURS].iter().sum();
            (rows + shrink_rows) / (secs * rate + shrink_rows)
        };
        let (even_level, odd_level) = (level(0), level(HOURS));
        let mut cum = [0.0; HOURS + 1];
        for h in 0..HOURS {
            let (even, odd) = (ratio(h) / even_level, ratio(HOURS + h) / odd_level);
            let m = if even > 1.0 && odd > 1.0 {
                even.min(odd)
            } else if even < 1.0 && odd < 1.0 {
                even.max(odd)
            } else {
                1.0
            };
            cum[h + 1] = cum[h] + m * HOUR;
        }
        Some(Curve { cum, scale: if desc { -unit } else { unit } })
    }
}

/// The rate of rows per hour of the day relative to the day's average,
/// integrated: `cum[h]` is the rate's integral from midnight to hour `h`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Curve {
    cum: [f64; HOURS + 1],
    /// Seconds since the epoch are positions along the key times `scale`
    /// (negative newest first; 1/1000 in magnitude on epoch milliseconds).
    scale: f64,
}

impl Curve {
    /// The rate's integral from the epoch to position `x`, in seconds.
    fn at(&self, x: f64) -> f64 {
        let t = x * self.scale;
        let days = (t / DAY).floor();
        let in_day = t - days * DAY;
        let h = ((in_day / HOUR) as usize).min(HOURS - 1);
        let m = (self.cum[h + 1] - self.cum[h]) / HOUR;
        days * self.cum[HOURS] + self.cum[h] + m * (in_day - h as f64 * HOUR)
    }

    /// The rate's integral between positions `a` and `b` (either order):
    /// `|b − a|` where the rate is the average throughout.
    pub fn between(&self, a: f64, b: f64) -> f64 {
        (self.at(b) - self.at(a)).abs() / self.scale.abs()
    }

    /// The first position at or past `from` (positions increase in scan
    /// order) where the rate's integral from `from` reaches `amount`.
    pub fn reach(&self, from: f64, amount: f64) -> f64 {
        if !(amount > 0.0 && amount.is_finite() && from.is_finite()) {
            return from;
        }
        let (mut lo, mut hi) = (from, from + amount);
        let mut grew = 0;
        while self.between(from, hi) < amount && grew < 64 {
            lo = hi;
            hi = from + (hi - from) * 2.0;
            grew += 1;
        }
        for _ in 0..48 {
            let mid = (lo + hi) / 2.0;
            if self.between(from, mid) < amount {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        hi
    }

    /// The first hour's start past `from` and short of `to` (positions,
    /// scan order) where the rate of the hour it begins falls under `drop`
    /// times the rate's mean from `from` to it: the edge of an evening a
    /// window would leave for the night. A week ahead at most.
    pub fn cliff(&self, from: f64, to: f64, drop: f64) -> Option<f64> {
        let scale = self.scale;
        let hour = HOUR / scale.abs();
        let mut x = from;
        for _ in 0..7 * HOURS {
            // The next hour's start in scan order: later in time where
            // positions run with it, earlier where they run against it.
            let t = x * scale / HOUR;
            let next = (if scale > 0.0 { t.floor() + 1.0 } else { t.ceil() - 1.0 }) * HOUR / scale;
            if !(next > x && next < to) {
                return None;
            }
            if self.mean(next, next + hour) < drop * self.mean(from, next) {
                return Some(next);
            }
            x = next;
        }
        None
    }

    /// The rate's mean between `a` and `b`; at `a` where they meet.
    pub fn mean(&self, a: f64, b: f64) -> f64 {
        let len = (b - a).abs();
        if len > 1.0 {
            return self.between(a, b) / len;
        }
        let t = (a * self.scale).rem_euclid(DAY);
        let h = ((t / HOUR) as usize).min(HOURS - 1);
        (self.cum[h + 1] - self.cum[h]) / HOUR
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::tuning::Tuning;
    use super::*;

    const T: Tuning = Tuning::DEFAULT;

    #[test]
    fn a_covered_stretch_lands_on_its_hours_and_days() {
        let mut secs = [0.0; BUCKETS];
        // 22:30 on day 0 (even) to 01:30 on day 1 (odd).
        cover(&mut secs, 22.5 * HOUR, 25.5 * HOUR);
        assert_eq!(secs[22], 1800.0);
        assert_eq!(secs[23], 3600.0);
        assert_eq!(secs[HOURS], 3600.0);
        assert_eq!(secs[HOURS + 1], 1800.0);
        assert_eq!(secs.iter().sum::<f64>(), 3.0 * HOUR);
        // Two whole days and an hour: every bucket once, the last hour
        // (05:00 on day 3, odd) twice.
        let mut secs = [0.0; BUCKETS];
        cover(&mut secs, 3.0 * DAY + 6.0 * HOUR, DAY + 5.0 * HOUR);
        assert_eq!(secs[HOURS + 5], 2.0 * HOUR);
        assert_eq!(secs[5], HOUR);
        assert_eq!(secs[HOURS + 6], HOUR);
        assert_eq!(secs.iter().sum::<f64>(), 2.0 * DAY + HOUR);
    }

    /// One stream's counts and its tally after them.
    fn one(a: f64, b: f64, rows: &[f64; BUCKETS], before: Tally) -> (DayCurve, Tally) {
        let tally = before.then(rows.iter().sum(), (b - a).abs());
        (DayCurve::of_stream(a, b, rows, 1.0), tally)
    }

    /// Ten days of a stream with 50 rows an hour from 18:00 to 22:00 and
    /// 5 the rest of the day.
    pub(crate) fn evenings() -> (DayCurve, f64) {
        ten_days(|h| (18..22).contains(&h))
    }

    /// Ten days of a stream with 50 rows in each hour `rich` holds and 5
    /// in the others, and its rate.
    fn ten_days(rich: impl Fn(usize) -> bool) -> (DayCurve, f64) {
        let mut rows = [0.0; BUCKETS];
        for day in 0..10 {
            for h in 0..HOURS {
                let n = if rich(h) { 50.0 } else { 5.0 };
                count_row(&mut rows, f64::from(day) * DAY + h as f64 * HOUR + 10.0, n);
            }
        }
        let (d, tally) = one(0.0, 10.0 * DAY, &rows, Tally::default());
        (d, tally.rate())
    }

    #[test]
    fn an_evening_with_ten_times_the_rows_is_near_ten_times_the_rate() {
        let (d, rate) = evenings();
        let c = d.curve(T.day_rows, false, rate, 1.0).expect("counted");
        let evening = c.mean(19.0 * HOUR, 20.0 * HOUR);
        let night = c.mean(2.0 * HOUR, 3.0 * HOUR);
        // Shrunk by a few rows an hour: a little under ten.
        assert!((8.0..=10.0).contains(&(evening / night)), "{evening} / {night}");
        // Either order alike; newest first, positions are negated seconds.
        assert_eq!(c.between(DAY, 2.0 * HOUR), c.between(2.0 * HOUR, DAY));
        let desc = d.curve(T.day_rows, true, rate, 1.0).expect("counted");
        assert_eq!(desc.mean(-19.0 * HOUR, -20.0 * HOUR), evening);
        // From 23:00 newest first, two hours' worth of rows at the average
        // take the quiet hour and part of the evening.
        let end = desc.reach(-23.0 * HOUR, 2.0 * HOUR);
        assert!(end > -22.0 * HOUR && end < -19.0 * HOUR, "{}", end / HOUR);
        assert!((desc.between(-23.0 * HOUR, end) - 2.0 * HOUR).abs() < 1e-3);
    }

    #[test]
    fn an_evenings_edge_is_a_cliff_in_either_order_and_in_any_unit() {
        let (d, rate) = evenings();
        // Oldest first from 19:30, the evening ends at 22:00.
        let asc = d.curve(T.day_rows, false, rate, 1.0).expect("counted");
        assert_eq!(asc.cliff(DAY + 19.5 * HOUR, 2.0 * DAY, 0.5), Some(DAY + 22.0 * HOUR));
        // Not within a window that ends before it, nor on a night running
        // into the next evening, nor where the fall is under the bar.
        assert_eq!(asc.cliff(DAY + 19.5 * HOUR, DAY + 22.0 * HOUR, 0.5), None);
        assert_eq!(asc.cliff(DAY + 2.0 * HOUR, DAY + 21.0 * HOUR, 0.5), None);
        assert_eq!(asc.cliff(DAY + 19.5 * HOUR, 2.0 * DAY, 0.05), None);
        // Newest first from 21:30, it ends at 18:00: the hour entered
        // there is 17:00-17:59.
        let desc = d.curve(T.day_rows, true, rate, 1.0).expect("counted");
        assert_eq!(desc.cliff(-(DAY + 21.5 * HOUR), -DAY, 0.5), Some(-(DAY + 18.0 * HOUR)));
        // From the hour's very start, the next start is an hour on.
        assert_eq!(desc.cliff(-(DAY + 19.0 * HOUR), -DAY, 0.5), Some(-(DAY + 18.0 * HOUR)));
        // On epoch milliseconds, the same edge a thousand times as far.
        let millis = d.curve(T.day_rows, true, rate, 1e-3).expect("counted");
        let ms = |t: f64| -t * 1000.0;
        assert_eq!(millis.cliff(ms(DAY + 21.5 * HOUR), ms(DAY), 0.5), Some(ms(DAY + 18.0 * HOUR)));
    }

    #[test]
    fn an_evening_across_midnight_has_its_edge_on_the_other_day() {
        // Ten days with 50 rows an hour from 22:00 to 01:59 and 5 the
        // rest: an evening in the Americas, in UTC. Its hours lie on two
        // days, and so on both parities of each.
        let (d, rate) = ten_days(|h| !(2..22).contains(&h));
        let asc = d.curve(T.day_rows, false, rate, 1.0).expect("counted");
        // Oldest first from 23:30 on day 4, the evening ends at 02:00 on
        // day 5; newest first from 01:30 on day 5, at 22:00 on day 4.
        let at = |day: f64, h: f64| day * DAY + h * HOUR;
        assert_eq!(asc.cliff(at(4.0, 23.5), at(6.0, 0.0), 0.5), Some(at(5.0, 2.0)));
        let desc = d.curve(T.day_rows, true, rate, 1.0).expect("counted");
        assert_eq!(desc.cliff(-at(5.0, 1.5), -at(3.0, 0.0), 0.5), Some(-at(4.0, 22.0)));
        // The evening's hours are as rich on either side of midnight.
        let (before, after) = (asc.mean(at(4.0, 23.0), at(4.0, 24.0)), asc.mean(at(5.0, 0.0), at(5.0, 1.0)));
        assert!((before / after - 1.0).abs() < 0.05, "{before} {after}");
        assert!(before > 5.0 * asc.mean(at(5.0, 3.0), at(5.0, 4.0)));
    }

    #[test]
    fn on_epoch_milliseconds_the_curve_measures_positions_in_milliseconds() {
        let (d, rate) = evenings();
        let seconds = d.curve(T.day_rows, true, rate, 1.0).expect("counted");
        let millis = d.curve(T.day_rows, true, rate, 1e-3).expect("counted");
        let ms = |t: f64| -t * 1000.0;
        // The same hours, a thousand times the positions.
        let (a, b) = (ms(23.0 * HOUR), ms(17.5 * HOUR));
        let rows = seconds.between(-23.0 * HOUR, -17.5 * HOUR);
        assert!((millis.between(a, b) - 1000.0 * rows).abs() < 1e-3 * rows, "{}", millis.between(a, b));
        assert_eq!(millis.mean(a, b), seconds.mean(-23.0 * HOUR, -17.5 * HOUR));
        assert_eq!(millis.mean(ms(19.5 * HOUR), ms(19.5 * HOUR)), seconds.mean(-19.5 * HOUR, -19.5 * HOUR));
        let end = millis.reach(a, 2_000.0 * HOUR);
        assert!((end - 1000.0 * seconds.reach(-23.0 * HOUR, 2.0 * HOUR)).abs() < 1.0, "{end}");
    }

    #[test]
    fn streams_that_covered_different_stretches_are_each_weighed_by_their_rate() {
        // A dense stream read one evening hour (100 rows), a sparse one
        // read ten days (one row a day, at noon). Plain seconds pooled,
        // the evening hour would look far richer than the rest of the day.
        let mut dense = [0.0; BUCKETS];
        count_row(&mut dense, 20.5 * HOUR, 100.0);
        let mut sparse = [0.0; BUCKETS];
        for day in 0..10 {
            count_row(&mut sparse, f64::from(day) * DAY + 12.0 * HOUR, 1.0);
        }
        let dense_tally = Tally::default().then(100.0, HOUR);
        let sparse_tally = Tally::default().then(10.0, 10.0 * DAY);
        let rate = dense_tally.rate() + sparse_tally.rate();
        let mut d = DayCurve::of_stream(20.0 * HOUR, 21.0 * HOUR, &dense, dense_tally.rate() / rate);
        d.add(&DayCurve::of_stream(10.0 * DAY, 0.0, &sparse, sparse_tally.rate() / rate));
        let c = d.curve(T.day_rows, false, rate, 1.0).expect("counted");
        let evening = c.mean(20.0 * HOUR, 21.0 * HOUR);
        assert!((0.9..=1.1).contains(&evening), "{evening}");
        assert!(c.mean(12.0 * HOUR, 13.0 * HOUR) > evening);
    }

    #[test]
    fn pages_shorter_than_a_day_measure_each_hour_against_the_whole_pagination() {
        // Newest first over two days, each page an evening (20:00 to
        // 22:00, 40 rows an hour) or a day (08:00 to 20:00, 4 rows an
        // hour). Each page at its own rate would be flat.
        let mut d = DayCurve::default();
        let mut tally = Tally::default();
        for day in [1.0, 0.0] {
            let at = |h: f64| day * DAY + h * HOUR;
            let mut evening = [0.0; BUCKETS];
            count_row(&mut evening, at(20.5), 40.0);
            count_row(&mut evening, at(21.5), 40.0);
            let (first, t) = one(at(22.0), at(20.0), &evening, tally);
            let mut rows = [0.0; BUCKETS];
            for h in 8..20 {
                count_row(&mut rows, at(h as f64) + 60.0, 4.0);
            }
            let (second, t) = one(at(20.0), at(8.0), &rows, t);
            d.add(&first);
            d.add(&second);
            tally = t;
        }
        assert_eq!(tally, Tally { rows: 256.0, secs: 28.0 * HOUR });
        let c = d.curve(T.day_rows, true, tally.rate(), 1.0).expect("counted");
        let (e, m) = (c.mean(-20.0 * HOUR, -22.0 * HOUR), c.mean(-8.0 * HOUR, -20.0 * HOUR));
        // The evening several times as rich as the day.
        assert!(m < 1.0 && e > 1.0 && e / m > 4.0, "{e} {m}");
    }

    #[test]
    fn a_sale_on_one_day_is_not_taken_for_the_time_of_day() {
        // Four days at 10 rows an hour, and 500 more from 14:00 to 15:00
        // on day 2: a sale, not an afternoon.
        let mut rows = [0.0; BUCKETS];
        for day in 0..4 {
            for h in 0..HOURS {
                count_row(&mut rows, f64::from(day) * DAY + h as f64 * HOUR + 1.0, 10.0);
            }
        }
        count_row(&mut rows, 2.0 * DAY + 14.5 * HOUR, 500.0);
        let (d, tally) = one(0.0, 4.0 * DAY, &rows, Tally::default());
        let c = d.curve(T.day_rows, false, tally.rate(), 1.0).expect("counted");
        // The sale's hour within a few percent of the rest of the day (it
        // was 50 times as rich on one day of four).
        let (sale, before) = (c.mean(14.0 * HOUR, 15.0 * HOUR), c.mean(3.0 * HOUR, 4.0 * HOUR));
        assert!(sale <= before * 1.1, "{sale} {before}");
        assert!((c.mean(9.0 * HOUR, 10.0 * HOUR) - before).abs() < 1e-9);
    }

    #[test]
    fn an_hour_seen_briefly_or_never_stays_near_the_average() {
        let mut rows = [0.0; BUCKETS];
        count_row(&mut rows, 30.0, 1.0);
        let (d, tally) = one(0.0, 2.0 * HOUR, &rows, Tally::default());
        let c = d.curve(T.day_rows, false, tally.rate(), 1.0).expect("counted");
        // One row in two hours, in the first, on one day: the average.
        assert!((c.mean(0.0, 60.0) - 1.0).abs() < 1e-9, "{}", c.mean(0.0, 60.0));
        assert!((c.mean(5.0 * HOUR, 6.0 * HOUR) - 1.0).abs() < 1e-9);
        assert!(DayCurve::default().curve(T.day_rows, false, 1.0, 1.0).is_none());
        assert!(d.curve(T.day_rows, false, 0.0, 1.0).is_none());
        assert!(d.curve(T.day_rows, false, 1.0, 0.0).is_none());
    }

    #[test]
    fn counts_past_the_cap_are_scaled_down_together() {
        let mut rows = [0.0; BUCKETS];
        for h in 0..HOURS {
            count_row(&mut rows, h as f64 * HOUR, if h == 3 { 3000.0 } else { 1000.0 });
        }
        let mut e = DayCurve::default();
        e.add(&DayCurve::of_stream(0.0, DAY, &rows, 1.0));
        assert!((e.rows.iter().sum::<f64>() - MAX_ROWS).abs() < 1e-6);
        assert!((e.rows[3] / e.secs[3] - 3000.0 / HOUR).abs() < 1e-9);
        // A tally keeps its rate under the cap.
        let t = Tally::default().then(10_000.0, 100.0);
        assert_eq!((t.rows, t.rate()), (MAX_ROWS, 100.0));
    }
}
