//! The adaptive policy's state from page to page, and its bytes.
//!
//! ```text
//! tag 0xA6 │ matched (u32) │ scanned (u32) │ reach rows (u16) │ reach span (f64)
//!          │ grid step (u64, 0 = none) │ run items (u32) │ run rest (u32)
//!          │ shifted from: matched (u32) │ scanned (u32) (0, 0 = no shift)
//!          │ streams (u16) │ one share (u8) per stream
//!          │ hours (u8: 0 or 48) │ per hour of the day, even days then odd: rows found (u16, quarter rows) │ seconds covered, weighted (u16, minutes)
//!          │ then, if any: streams (u16) │ per stream: rows (u16, quarter rows) │ seconds covered (f32)
//!          │ ahead rows (u32, 0 = none) │ then, if any: ahead span (f64)
//!          │ streams (u16) │ items (u32) per stream
//!          │ then, only in the engine's memory of a first page:
//!          │ first rows (u32) │ end tag (u8: a cursor's, 3 N, 4 S, 5 B) │ end length (u16)
//!          │ end bytes │ streams (u16) │ items (u32) per stream
//! ```
//!
//! Everything is capped when written and checked when read, so a forged
//! state moves sizing within bounds and nothing else.

use super::daily::{DayCurve, Tally, BUCKETS, MAX_BUCKET_SECS, MAX_ROWS};
use super::tuning::Tuning;
use super::BadState;
use crate::cursor::{key_value_from, key_value_parts};
use crate::value::Value;

/// This format's first byte. Another first byte is another policy's (or
/// version's) state, and is ignored: a cursor an earlier version wrote
/// (0xA5, without the hours of the day; 0xA4, without what lay ahead)
/// resumes without a prior, never fails.
pub(crate) const TAG: u8 = 0xA6;

/// Bytes of a state with no shares, no hours and no ahead: the tag, the
/// fields, the shares' count, the hours' count and the ahead's rows (0).
const HEADER_BYTES: usize = 50;

/// Bytes of the hours of the day, past their count.
const DAY_BYTES: usize = 4 * BUCKETS;

/// Bytes of one stream's tally.
const TALLY_BYTES: usize = 6;

/// Bytes of the ahead field with no stream's items: its rows, span and count.
const AHEAD_BYTES: usize = 14;

/// Bytes of the first page's end with no end bytes and no stream's items:
/// its rows, kind, length and count.
const FIRST_BYTES: usize = 9;

/// Most rows (and items of one stream) [`Ahead`] and [`First`] may carry.
pub(crate) const MAX_AHEAD: u64 = 1 << 24;

/// Largest grid step a state may carry: positions are exact integers in an
/// `f64` up to 2^53.
const MAX_GRID_STEP: u64 = 1 << 53;

/// Most items the selectivity may weigh.
pub(crate) const CARRIED_ITEMS: u64 = Tuning::DEFAULT.carried_items;

/// Most items of the cursor's run of ties a state may carry.
pub(crate) const MAX_RUN_ITEMS: u64 = 1 << 24;

/// Most rows the reach may weigh.
pub(crate) const REACH_ROWS: u64 = Tuning::DEFAULT.reach_rows;

/// Standard errors by which two densities may differ before the older is
/// forgotten.
const SHIFT_SIGMAS: f64 = Tuning::DEFAULT.reach_shift_sigmas;

/// What a pagination has observed so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Hint {
    /// Selectivity so far: `(matched, scanned)`, at most [`CARRIED_ITEMS`] scanned.
    pub selectivity: (u64, u64),
    /// Each stream's share of the items the last page needed (evaluated up
    /// to its last row), in 255ths; empty when unknown.
    pub shares: Vec<u8>,
    /// How far the last pages' rows reached along the first sort-key column.
    pub reach: Option<Reach>,
    /// The step of the grid that column's values lie on, when one was found.
    pub grid: Option<u64>,
    /// Items the last page's streams evaluated on its last row's position
    /// where they started there too (the page ended inside the run of ties
    /// it began in or read through); else, where the page ended inside a
    /// run it read into, the run's rows (on the page and held for the next)
    /// at the selectivity carried: a page that reads runs whole reads them
    /// again from the cursor's run. At most [`MAX_RUN_ITEMS`].
    pub run_items: u64,
    /// Rows of the last row's run of ties the page left for the next one,
    /// when it reads runs whole (it holds the rest of that run, sorted):
    /// the next page's first rows. At most [`MAX_RUN_ITEMS`].
    pub run_rest: u64,
    /// The selectivity the last page's counts departed from (the prior it
    /// started with, `(matched, scanned)`), when they departed by more than
    /// sampling explains and were carried alone; `(0, 0)` when pooled. At
    /// most [`CARRIED_ITEMS`] scanned.
    pub shifted_from: (u64, u64),
    /// What the last page had read past its cursor, where that held the
    /// next page's rows.
    pub ahead: Option<Ahead>,
    /// Rows found and seconds covered per hour of the day so far, where
    /// the first sort-key column is a date-time (the rows in quarter rows,
    /// at most [`MAX_ROWS`] in all; the seconds in minutes, each at most a
    /// u16).
    pub day: Option<DayCurve>,
    /// With `day`: each stream's rows and the seconds it covered so far
    /// (rows at most [`MAX_ROWS`]); empty when unknown.
    pub tallies: Vec<Tally>,
    /// Where a first page's rows and its look-ahead row ended, for the
    /// engine to remember (a cursor never carries it).
    pub first: Option<First>,
}

/// Where a first page ended: its `rows` rows (the page and its look-ahead
/// row) lie at or before `end` on the first sort-key column, and stream
/// `i` evaluated at most `items[i]` items up to there. A repeated first
/// page of the same query reads to `end` and no further.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct First {
    /// At least 1, at most [`MAX_AHEAD`].
    pub rows: u64,
    /// The look-ahead row's value on that column: a string, number or bytes.
    pub end: Value,
    /// Each at most [`MAX_AHEAD`]; one per stream.
    pub items: Vec<u32>,
}

/// The stretch past a cursor that the page before it read: the next
/// page's `rows` rows (the page and its look-ahead) lie within `span`
/// of the cursor's position along the first sort-key column, and stream
/// `i` evaluated about `items[i]` items there.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ahead {
    /// At least 1, at most [`MAX_AHEAD`].
    pub rows: u64,
    /// Finite, at least 0.
    pub span: f64,
    /// Each at most [`MAX_AHEAD`]; one per stream.
    pub items: Vec<u32>,
}

/// `rows` rows spread over `span` along the first sort-key column (a
/// number's own units, seconds for date-times).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Reach {
    /// At most [`REACH_ROWS`], at least 1.
    pub rows: u64,
    /// Finite and above 0.
    pub span: f64,
}

impl Reach {
    /// `rows` over `span`, scaled down to at most [`REACH_ROWS`] rows;
    /// `None` unless both are positive and finite.
    pub fn new(rows: f64, span: f64) -> Option<Reach> {
        if !(rows >= 1.0 && span > 0.0 && rows.is_finite() && span.is_finite()) {
            return None;
        }
        let scale = (REACH_ROWS as f64 / rows).min(1.0);
        Some(Reach { rows: (rows * scale).round().max(1.0) as u64, span: span * scale })
    }

    /// This reach and a newer stretch of `rows` over `span`, pooled, unless
    /// the two densities differ by more than their sampling error allows
    /// (`reach_shift_sigmas` standard errors of two Poisson rates): then the data
    /// changed under the pagination (into a sale, out of a busy evening)
    /// and the newer stretch alone is carried. Pooled, a long sparse
    /// stretch outweighs a short dense one by far: the prior's 150 rows
    /// over a night kept a page inside a sale planning windows hours wide.
    ///
    /// A stretch that covered no distance (a page inside one run of ties)
    /// leaves the reach as it was: its rows lie on one point, which says
    /// nothing of the density off it.
    pub fn then(prior: Option<Reach>, rows: f64, span: f64) -> Option<Reach> {
        let Some(p) = prior else { return Reach::new(rows, span) };
        if !(rows >= 1.0 && span > 0.0 && span.is_finite()) {
            return prior;
        }
        let (r0, s0) = (p.rows as f64, p.span);
        let (d0, d1) = (r0 / s0, rows / span);
        let se = (r0 / (s0 * s0) + rows / (span * span)).sqrt();
        if (d1 - d0).abs() > SHIFT_SIGMAS * se {
            return Reach::new(rows, span).or(prior);
        }
        Reach::new(r0 + rows, s0 + span).or(prior)
    }

    /// Rows per unit of distance.
    pub fn density(&self) -> f64 {
        self.rows as f64 / self.span
    }
}

impl Hint {
    /// The hint for a page that observed `pool` (`(matched, scanned)`, the
    /// earlier pages' included) and needed `needed[i]` items of stream `i`.
    pub fn new(pool: (u64, u64), needed: &[u64]) -> Hint {
        let total: u64 = needed.iter().sum();
        let shares = if total == 0 {
            Vec::new()
        } else {
            needed.iter().map(|t| ((t * 255 + total / 2) / total).min(255) as u8).collect()
        };
        Hint { selectivity: cap(pool), shares, ..Hint::default() }
    }

    /// The bytes of this state.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![TAG];
        // `new` and `decode` keep `scanned <= CARRIED_ITEMS`, so both fit a u32.
        let (matched, scanned) = cap(self.selectivity);
        out.extend_from_slice(&(matched as u32).to_be_bytes());
        out.extend_from_slice(&(scanned as u32).to_be_bytes());
        let (rows, span) = self.reach.map_or((0, 0.0), |r| (r.rows.min(REACH_ROWS) as u16, r.span));
        out.extend_from_slice(&rows.to_be_bytes());
        out.extend_from_slice(&span.to_be_bytes());
        out.extend_from_slice(&self.grid.and_then(grid_step).unwrap_or(0).to_be_bytes());
        out.extend_from_slice(&(self.run_items.min(MAX_RUN_ITEMS) as u32).to_be_bytes());
        out.extend_from_slice(&(self.run_rest.min(MAX_RUN_ITEMS) as u32).to_be_bytes());
        let (from_matched, from_scanned) = cap(self.shifted_from);
        out.extend_from_slice(&(from_matched as u32).to_be_bytes());
        out.extend_from_slice(&(from_scanned as u32).to_be_bytes());
        // Shares past what the state can hold are dropped (they only split
        // a first round).
        let shares = if self.shares.len() <= super::MAX_STATE_BYTES - HEADER_BYTES {
            self.shares.as_slice()
        } else {
            &[]
        };
        out.extend_from_slice(&(shares.len() as u16).to_be_bytes());
        out.extend_from_slice(shares);
        // Dropped where it would not fit (it only shapes windows).
        let day = self.day.as_ref().filter(|_| {
            out.len() + 1 + DAY_BYTES + 2 + TALLY_BYTES * self.tallies.len() + AHEAD_BYTES
                <= super::MAX_STATE_BYTES
        });
        match day {
            Some(d) => {
                let mut d = d.clone();
                d.cap();
                out.push(BUCKETS as u8);
                for h in 0..BUCKETS {
                    out.extend_from_slice(&quarters(d.rows[h]).to_be_bytes());
                    let minutes = (d.secs[h].min(MAX_BUCKET_SECS) / 60.0).round();
                    out.extend_from_slice(&(minutes as u16).to_be_bytes());
                }
                out.extend_from_slice(&(self.tallies.len() as u16).to_be_bytes());
                for t in &self.tallies {
                    let t = Tally::default().then(t.rows, t.secs);
                    out.extend_from_slice(&quarters(t.rows).to_be_bytes());
                    out.extend_from_slice(&(t.secs as f32).to_be_bytes());
                }
            }
            None => out.push(0),
        }
        // Dropped where it would not fit (it only sizes a first round).
        let ahead = self.ahead.as_ref().filter(|a| {
            out.len() + AHEAD_BYTES + 4 * a.items.len() <= super::MAX_STATE_BYTES
                && (1..=MAX_AHEAD).contains(&a.rows)
                && a.span.is_finite()
                && a.span >= 0.0
        });
        match ahead {
            Some(a) => {
                out.extend_from_slice(&(a.rows as u32).to_be_bytes());
                out.extend_from_slice(&a.span.to_be_bytes());
                put_items(&mut out, &a.items);
            }
            None => out.extend_from_slice(&0u32.to_be_bytes()),
        }
        // Dropped where it would not fit (it only sizes a repeated first page).
        let first =
            self.first.as_ref().and_then(|f| Some((f, key_value_parts(&f.end)?))).filter(|(f, (_, end))| {
                out.len() + FIRST_BYTES + end.len() + 4 * f.items.len() <= super::MAX_STATE_BYTES
                    && (1..=MAX_AHEAD).contains(&f.rows)
            });
        if let Some((f, (tag, end))) = first {
            out.extend_from_slice(&(f.rows as u32).to_be_bytes());
            out.push(tag);
            // `end` fits the state, so its length fits a u16.
            out.extend_from_slice(&(end.len() as u16).to_be_bytes());
            out.extend_from_slice(&end);
            put_items(&mut out, &f.items);
        }
        out
    }

    /// Reads a state [`Hint::encode`] wrote for a page of `streams` streams;
    /// `Ok(None)` for another policy's state (or none).
    pub fn decode(bytes: &[u8], streams: usize) -> Result<Option<Hint>, BadState> {
        if bytes.first() != Some(&TAG) {
            return Ok(None);
        }
        let r = std::cell::Cell::new(&bytes[1..]);
        let take = |n: usize| -> Result<&[u8], BadState> {
            if r.get().len() < n {
                return Err(BadState("truncated sizing state"));
            }
            let (head, rest) = r.get().split_at(n);
            r.set(rest);
            Ok(head)
        };
        let u32_at = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
        // What `put_items` wrote: one count per stream, each at most
        // `MAX_AHEAD`; else `malformed`.
        let take_items = |malformed: &'static str| -> Result<Vec<u32>, BadState> {
            let n = take(2)?;
            let n = usize::from(u16::from_be_bytes([n[0], n[1]]));
            let items: Vec<u32> = take(4 * n)?.chunks_exact(4).map(u32_at).collect();
            if n != streams || items.iter().any(|i| u64::from(*i) > MAX_AHEAD) {
                return Err(BadState(malformed));
            }
            Ok(items)
        };
        let selectivity =
            counts(u32_at(take(4)?), u32_at(take(4)?)).ok_or(BadState("malformed selectivity hint"))?;
        let rows = take(2)?;
        let rows = u64::from(u16::from_be_bytes([rows[0], rows[1]]));
        let span = f64::from_be_bytes(take(8)?.try_into().map_err(|_| BadState("truncated sizing state"))?);
        let reach = match (rows, Reach::new(rows as f64, span)) {
            (0, _) if span == 0.0 => None,
            (1..=REACH_ROWS, Some(reach)) => Some(reach),
            _ => return Err(BadState("malformed reach hint")),
        };
        let grid =
            match u64::from_be_bytes(take(8)?.try_into().map_err(|_| BadState("truncated sizing state"))?) {
                0 => None,
                step => Some(grid_step(step).ok_or(BadState("malformed grid hint"))?),
            };
        let run_items = u64::from(u32_at(take(4)?));
        let run_rest = u64::from(u32_at(take(4)?));
        if run_items > MAX_RUN_ITEMS || run_rest > MAX_RUN_ITEMS {
            return Err(BadState("malformed run hint"));
        }
        let shifted_from =
            counts(u32_at(take(4)?), u32_at(take(4)?)).ok_or(BadState("malformed shift hint"))?;
        let n = take(2)?;
        let n = usize::from(u16::from_be_bytes([n[0], n[1]]));
        if n != 0 && n != streams {
            return Err(BadState("wrong number of stream shares"));
        }
        let shares = take(n)?.to_vec();
        let mut tallies = Vec::new();
        let day = match take(1)?[0] {
            0 => None,
            n if usize::from(n) == BUCKETS => {
                let mut d = DayCurve::default();
                for (h, b) in take(DAY_BYTES)?.chunks_exact(4).enumerate() {
                    d.rows[h] = f64::from(u16::from_be_bytes([b[0], b[1]])) / 4.0;
                    d.secs[h] = f64::from(u16::from_be_bytes([b[2], b[3]])) * 60.0;
                }
                if d.rows.iter().sum::<f64>() > MAX_ROWS + BUCKETS as f64 {
                    return Err(BadState("malformed hours of the day"));
                }
                let n = take(2)?;
                let n = usize::from(u16::from_be_bytes([n[0], n[1]]));
                if n != 0 && n != streams {
                    return Err(BadState("wrong number of stream tallies"));
                }
                for b in take(TALLY_BYTES * n)?.chunks_exact(TALLY_BYTES) {
                    let rows = f64::from(u16::from_be_bytes([b[0], b[1]])) / 4.0;
                    let secs = f64::from(f32::from_be_bytes([b[2], b[3], b[4], b[5]]));
                    if !(rows <= MAX_ROWS && secs.is_finite() && secs >= 0.0) {
                        return Err(BadState("malformed stream tally"));
                    }
                    tallies.push(Tally { rows, secs });
                }
                Some(d)
            }
            _ => return Err(BadState("malformed hours of the day")),
        };
        let ahead = match u64::from(u32_at(take(4)?)) {
            0 => None,
            rows => {
                let span =
                    f64::from_be_bytes(take(8)?.try_into().map_err(|_| BadState("truncated sizing state"))?);
                let items = take_items("malformed ahead hint")?;
                if !(rows <= MAX_AHEAD && span.is_finite() && span >= 0.0) {
                    return Err(BadState("malformed ahead hint"));
                }
                Some(Ahead { rows, span, items })
            }
        };
        let first = if r.get().is_empty() {
            None
        } else {
            let rows = u64::from(u32_at(take(4)?));
            let tag = take(1)?[0];
            let len = take(2)?;
            let end = take(usize::from(u16::from_be_bytes([len[0], len[1]])))?;
            let end = key_value_from(tag, end).map_err(|_| BadState("malformed first page hint"))?;
            let items = take_items("malformed first page hint")?;
            if !(1..=MAX_AHEAD).contains(&rows) {
                return Err(BadState("malformed first page hint"));
            }
            Some(First { rows, end, items })
        };
        if !r.get().is_empty() {
            return Err(BadState("trailing bytes in the sizing state"));
        }
        Ok(Some(Hint {
            selectivity,
            shares,
            reach,
            grid,
            run_items,
            run_rest,
            shifted_from,
            ahead,
            day,
            tallies,
            first,
        }))
    }
}

/// `rows` (at most [`MAX_ROWS`]) in quarter rows.
fn quarters(rows: f64) -> u16 {
    (rows * 4.0).round().clamp(0.0, 65_535.0) as u16
}

/// Appends `items`' count (u16) and each (u32, at most [`MAX_AHEAD`]).
fn put_items(out: &mut Vec<u8>, items: &[u32]) {
    out.extend_from_slice(&(items.len() as u16).to_be_bytes());
    for n in items {
        out.extend_from_slice(&(u64::from(*n).min(MAX_AHEAD) as u32).to_be_bytes());
    }
}

/// `(matched, scanned)` when a state may carry them: no more rows than
/// items, at most [`CARRIED_ITEMS`] items.
fn counts(matched: u32, scanned: u32) -> Option<(u64, u64)> {
    let (matched, scanned) = (u64::from(matched), u64::from(scanned));
    (matched <= scanned && scanned <= CARRIED_ITEMS).then_some((matched, scanned))
}

/// `step` when a state may carry it as a grid step.
fn grid_step(step: u64) -> Option<u64> {
    (2..=MAX_GRID_STEP).contains(&step).then_some(step)
}

/// `(matched, scanned)` scaled down so that `scanned <= CARRIED_ITEMS`.
fn cap((matched, scanned): (u64, u64)) -> (u64, u64) {
    let matched = matched.min(scanned);
    if scanned <= CARRIED_ITEMS {
        return (matched, scanned);
    }
    (((matched as u128 * CARRIED_ITEMS as u128) / scanned as u128) as u64, CARRIED_ITEMS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_round_trips_capped() {
        let mut hint = Hint::new((900, 10_000), &[6, 3, 1]);
        assert_eq!(hint.selectivity, (180, CARRIED_ITEMS));
        assert_eq!(hint.shares, vec![153, 77, 26]);
        hint.reach = Reach::new(300.0, 5400.0);
        hint.grid = Some(1800);
        hint.run_items = 2000;
        hint.run_rest = 37;
        hint.shifted_from = (40, 100);
        hint.ahead = Some(Ahead { rows: 51, span: 1234.5, items: vec![300, 120, 9] });
        assert_eq!(hint.reach, Some(Reach { rows: REACH_ROWS, span: 2700.0 }));
        let mut day = DayCurve::default();
        day.rows[3] = 12.25;
        day.rows[BUCKETS - 1] = 4000.0;
        day.secs[3] = 5400.0;
        day.secs[30] = 60.0 * 65_535.0;
        hint.day = Some(day);
        hint.tallies =
            vec![Tally { rows: 40.5, secs: 7200.0 }, Tally::default(), Tally { rows: 0.25, secs: 0.5 }];
        assert_eq!(Hint::decode(&hint.encode(), 3), Ok(Some(hint.clone())));
        // The hours of the day without the streams' tallies.
        let no_tallies = Hint { tallies: Vec::new(), ..hint.clone() };
        assert_eq!(Hint::decode(&no_tallies.encode(), 3), Ok(Some(no_tallies)));
        // A first page's end, of each key type.
        for end in [
            Value::S("2026-11-23T17:03:42.226Z".into()),
            Value::N("-12.5".parse().unwrap()),
            Value::B(vec![0, 255]),
        ] {
            let first = First { rows: 51, end, items: vec![190, 8, 0] };
            let with = Hint { first: Some(first), ..hint.clone() };
            assert_eq!(Hint::decode(&with.encode(), 3), Ok(Some(with.clone())));
        }
        let bare = Hint::new((0, 0), &[0, 0, 0]);
        assert_eq!(Hint::decode(&bare.encode(), 3), Ok(Some(Hint::default())));
        // Another policy's state, or none: ignored.
        assert_eq!(Hint::decode(&[], 3), Ok(None));
        assert_eq!(Hint::decode(&[0x47, 1, 2], 3), Ok(None));
        // The earlier version's state (nothing ahead): ignored, not
        // refused, so a cursor from before an upgrade resumes.
        let mut earlier = Hint { ahead: None, day: None, ..hint.clone() }.encode();
        earlier.truncate(earlier.len() - 4);
        earlier[0] = 0xA4;
        assert_eq!(Hint::decode(&earlier, 3), Ok(None));
        // Nor the one before the hours of the day.
        let mut earlier = Hint { day: None, ..hint.clone() }.encode();
        earlier.remove(HEADER_BYTES - 5 + 3);
        earlier[0] = 0xA5;
        assert_eq!(Hint::decode(&earlier, 3), Ok(None));
    }

    #[test]
    fn the_largest_state_fits_its_cap() {
        let most = vec![1; crate::exec::sizing::MAX_STATE_BYTES - HEADER_BYTES];
        let mut hint = Hint::new((u64::MAX, u64::MAX), &most);
        hint.reach = Reach::new(1e9, 1e9);
        hint.shifted_from = (5, 10);
        let bytes = hint.encode();
        assert_eq!(bytes.len(), crate::exec::sizing::MAX_STATE_BYTES);
        // What lay ahead is dropped where it does not fit.
        let ahead = Ahead { rows: 51, span: 10.0, items: vec![1; most.len()] };
        let with = Hint { ahead: Some(ahead), ..hint.clone() }.encode();
        assert_eq!(with, bytes);
        // So are the hours of the day.
        let day = Hint {
            day: Some(DayCurve::default()),
            tallies: vec![Tally::default(); most.len()],
            ..hint.clone()
        };
        assert_eq!(day.encode(), bytes);
        // So is where a first page ended.
        let first = First { rows: 51, end: Value::from(1i64), items: vec![1; most.len()] };
        assert_eq!(Hint { first: Some(first), ..hint.clone() }.encode(), bytes);
        assert_eq!(Hint::decode(&bytes, most.len()).map(|h| h.map(|h| h.shares.len())), Ok(Some(most.len())));
        // One stream more: its shares are dropped, not the cap broken.
        let over = vec![1; most.len() + 1];
        assert_eq!(Hint::new((1, 2), &over).encode().len(), HEADER_BYTES);
    }

    #[test]
    fn a_reach_that_moved_past_its_sampling_error_forgets_the_older_one() {
        // 150 rows over a quiet night (10 hours), then a page of 50 rows in
        // four minutes of a sale: the sale's density alone.
        let night = Reach::new(150.0, 36_000.0);
        let sale = Reach::then(night, 50.0, 240.0).unwrap();
        assert_eq!(sale, Reach { rows: 50, span: 240.0 });
        // 50 rows in 3 hours and 20 minutes, about the night's density:
        // pooled (and scaled to the cap).
        let calm = Reach::then(night, 50.0, 12_000.0).unwrap();
        assert_eq!(calm.rows, REACH_ROWS);
        assert!((calm.density() - 200.0 / 48_000.0).abs() < 1e-9, "{calm:?}");
        // A page of 3 rows cannot tell much: pooled.
        let few = Reach::then(night, 3.0, 600.0).unwrap();
        assert_eq!(few.rows, REACH_ROWS);
        // No prior: the stretch itself.
        assert_eq!(Reach::then(None, 20.0, 100.0), Some(Reach { rows: 20, span: 100.0 }));
    }

    #[test]
    fn a_page_on_one_position_leaves_the_reach_as_it_was() {
        // A page of 50 rows inside a nightly batch (one millisecond) covered
        // no distance: its rows say nothing of the density off the run.
        // Pooled, they made the reach half again as dense, and the next
        // page's window a third as wide as the data between runs asks for.
        let night = Reach::new(150.0, 36_000.0);
        assert_eq!(Reach::then(night, 50.0, 0.0), night);
        assert_eq!(Reach::then(None, 50.0, 0.0), None);
    }

    #[test]
    fn an_impossible_state_is_refused() {
        let good = Hint::new((5, 10), &[1, 1, 1]).encode();
        // matched > scanned
        let mut bad = good.clone();
        bad[4] = 11;
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed selectivity hint")));
        // a grid step of 1
        let mut bad = good.clone();
        bad[26] = 1;
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed grid hint")));
        // a reach over the cap
        let mut bad = good.clone();
        bad[9..11].copy_from_slice(&(REACH_ROWS as u16 + 1).to_be_bytes());
        bad[11..19].copy_from_slice(&1.0f64.to_be_bytes());
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed reach hint")));
        // a run over the cap
        let mut bad = good.clone();
        bad[27..31].copy_from_slice(&(MAX_RUN_ITEMS as u32 + 1).to_be_bytes());
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed run hint")));
        let mut bad = good.clone();
        bad[31..35].copy_from_slice(&(MAX_RUN_ITEMS as u32 + 1).to_be_bytes());
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed run hint")));
        // a shift from more rows than items
        let mut bad = good.clone();
        bad[35..39].copy_from_slice(&7u32.to_be_bytes());
        bad[39..43].copy_from_slice(&6u32.to_be_bytes());
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed shift hint")));
        assert_eq!(Hint::decode(&good, 4), Err(BadState("wrong number of stream shares")));
        // What lay ahead: a span that is no distance, items for other streams.
        let ahead = |span: f64, items: Vec<u32>| {
            Hint { ahead: Some(Ahead { rows: 51, span, items }), ..Hint::new((5, 10), &[1, 1, 1]) }.encode()
        };
        let mut bad = ahead(5.0, vec![1, 2, 3]);
        bad[53..61].copy_from_slice(&f64::NAN.to_be_bytes());
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed ahead hint")));
        bad[53..61].copy_from_slice(&(-1.0f64).to_be_bytes());
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed ahead hint")));
        assert_eq!(Hint::decode(&ahead(5.0, vec![1, 2]), 3), Err(BadState("malformed ahead hint")));
        let mut bad = ahead(5.0, vec![1, 2, 3]);
        bad[63..67].copy_from_slice(&(MAX_AHEAD as u32 + 1).to_be_bytes());
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed ahead hint")));
        assert_eq!(Hint::decode(&ahead(5.0, vec![1, 2, 3]), 3).map(|h| h.is_some()), Ok(true));
        assert_eq!(Hint::decode(&good[..10], 3), Err(BadState("truncated sizing state")));
        // The hours of the day: another count of hours, rows over the cap,
        // tallies for other streams, a tally of no seconds.
        let day = |tallies: Vec<Tally>| {
            Hint { day: Some(DayCurve::default()), tallies, ..Hint::new((5, 10), &[1, 1, 1]) }.encode()
        };
        let at = HEADER_BYTES - 5 + 3;
        let fine = day(vec![Tally::default(); 3]);
        assert_eq!(Hint::decode(&fine, 3).map(|h| h.map(|h| h.tallies.len())), Ok(Some(3)));
        let mut bad = fine.clone();
        bad[at] = 24;
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed hours of the day")));
        let mut bad = fine.clone();
        bad[at + 1..at + 3].copy_from_slice(&u16::MAX.to_be_bytes());
        bad[at + 5..at + 7].copy_from_slice(&u16::MAX.to_be_bytes());
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed hours of the day")));
        assert_eq!(
            Hint::decode(&day(vec![Tally::default(); 2]), 3),
            Err(BadState("wrong number of stream tallies"))
        );
        let mut bad = fine.clone();
        let tally = at + 1 + DAY_BYTES + 2;
        bad[tally + 2..tally + 6].copy_from_slice(&f32::NAN.to_be_bytes());
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed stream tally")));
        // A first page's end: of no key type, items for other streams, no rows.
        let first = |rows: u64, end: Value, items: Vec<u32>| {
            Hint { first: Some(First { rows, end, items }), ..Hint::new((5, 10), &[1, 1, 1]) }.encode()
        };
        let fine = first(51, Value::from(7i64), vec![1, 2, 3]);
        assert_eq!(Hint::decode(&fine, 3).map(|h| h.and_then(|h| h.first).map(|f| f.rows)), Ok(Some(51)));
        let kind = good.len() + 4;
        let mut bad = fine.clone();
        bad[kind] = 9;
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed first page hint")));
        let mut bad = fine.clone();
        bad[kind + 3] = b'x';
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed first page hint")));
        let mut bad = fine.clone();
        bad[good.len() + 4..good.len() + 8].copy_from_slice(&0u32.to_be_bytes());
        assert_eq!(Hint::decode(&bad, 3), Err(BadState("malformed first page hint")));
        assert_eq!(
            Hint::decode(&first(51, Value::from(7i64), vec![1, 2]), 3),
            Err(BadState("malformed first page hint"))
        );
        assert_eq!(Hint::decode(&fine[..fine.len() - 1], 3), Err(BadState("truncated sizing state")));
        // Not a key's type: not written.
        assert_eq!(first(51, Value::Bool(true), vec![1, 2, 3]), good);
    }
}
