//! The estimates behind the adaptive policy: how many items to ask each
//! stream for next (knobs: [`Tuning`]).
//!
//! `Limit` counts items evaluated before the filter, so a fixed overfetch
//! gives short pages when the filter is selective and wasted reads when it is
//! not. Instead each request asks for what the page still needs from this
//! stream, divided by the selectivity observed on it so far.

use super::daily::Curve;
use super::grid::Grid;
use super::tuning::{Tuning, PRIOR_SELECTIVITY};
use super::Observed;

const T: Tuning = Tuning::DEFAULT;
const PRIOR_WEIGHT: f64 = T.prior_weight;
pub(crate) const MAX_LIMIT: f64 = T.max_limit;
const TAIL_FRACTION: f64 = T.tail_fraction;
const SLACK_SIGMAS: f64 = T.slack_sigmas;
const SLACK_FRACTION: f64 = T.slack_fraction;
const LATE_SIGMAS: f64 = T.late_sigmas;
const COLD_SIGMAS: f64 = T.cold_sigmas;
const COLD_SAMPLE: f64 = T.cold_sample;
const SHRINK_ITEMS: f64 = T.shrink_items;
const POOL_WEIGHT: f64 = T.pool_weight;
const STUCK_STEPS: f64 = T.stuck_steps;
const RECENT_ITEMS: f64 = T.recent_items;
const RECENT_ROWS: f64 = T.recent_rows;
const GAP_ROWS: f64 = T.gap_rows;
const FALLING_REACH: f64 = T.falling_reach;
const CLIFF_DROP: f64 = T.cliff_drop;
const CLIFF_SHARE: f64 = T.cliff_share;

/// What the estimates need to know about one stream: what fetching
/// observed, and two things it does not keep.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StreamEstimate {
    /// What fetching observed (items evaluated, matched, taken).
    pub obs: Observed,
    /// Rows buffered, not yet taken.
    pub buffered: usize,
    /// Rows earlier pages took from this stream, as pseudo-counts (the
    /// cursor's shares × `Tuning::share_weight`); 0 on a first page.
    pub prior_taken: f64,
}

/// Rows the page still wants from one stream: its share of the remaining
/// need, by the share of rows it supplied so far (even at first, or as the
/// previous pages' shares say). `prior_total` sums every stream's
/// `prior_taken`.
pub(crate) fn wanted(
    est: &StreamEstimate,
    need: usize,
    taken_total: u64,
    active: usize,
    prior_total: f64,
) -> usize {
    let active = active.max(1) as f64;
    let share = (est.obs.taken as f64 + est.prior_taken + 1.0) / (taken_total as f64 + prior_total + active);
    let want = (need as f64 * share.min(1.0)).ceil() as usize;
    want.saturating_sub(est.buffered)
}

/// The `Limit` for the next request of a stream that should yield `want` rows.
/// `pool` is `(matched, scanned)` summed over every stream of the page: the
/// streams share one filter, so a stream that has shown few items borrows
/// their selectivity (weighted [`POOL_WEIGHT`] items) instead of its own
/// noisy one.
pub(crate) fn limit_for(est: &StreamEstimate, want: usize, filtered: bool, pool: (u64, u64)) -> u32 {
    let selectivity = if filtered {
        let pooled = pooled_selectivity(true, pool);
        (est.obs.matched as f64 + POOL_WEIGHT * pooled) / (est.obs.scanned as f64 + POOL_WEIGHT)
    } else {
        1.0
    };
    let items = (want.max(1) as f64 / selectivity.max(1e-3)).ceil();
    items.clamp(1.0, MAX_LIMIT) as u32
}

/// The selectivity `pool` (`(matched, scanned)` over every stream) shows,
/// weighed with [`PRIOR_SELECTIVITY`]; 1 when nothing filters.
fn pooled_selectivity(filtered: bool, pool: (u64, u64)) -> f64 {
    if filtered {
        (pool.0 as f64 + PRIOR_SELECTIVITY * PRIOR_WEIGHT) / (pool.1 as f64 + PRIOR_WEIGHT)
    } else {
        1.0
    }
}

/// The first `Limit` of a page that resumes a cursor, for a stream that
/// needed `share` of the previous page's items: that share of the items
/// the whole page should need (`need` rows at the selectivity seen so far),
/// plus the item that shows the stream goes on.
pub(crate) fn first_round_limit(share: f64, need: usize, filtered: bool, pool: (u64, u64)) -> u32 {
    let items = share * need as f64 / pooled_selectivity(filtered, pool).max(1e-3);
    (items.ceil() + 1.0).clamp(1.0, MAX_LIMIT) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unfiltered_asks_for_exactly_the_share() {
        let o = StreamEstimate::default();
        assert_eq!(wanted(&o, 51, 0, 2, 0.0), 26);
        assert_eq!(limit_for(&o, 26, false, (0, 0)), 26);
        // Nothing seen yet: the prior.
        assert_eq!(limit_for(&o, 26, true, (0, 0)), 52);
    }

    #[test]
    fn follows_observed_selectivity() {
        let o = StreamEstimate {
            obs: Observed { scanned: 100, matched: 10, taken: 10, ..Observed::default() },
            ..StreamEstimate::default()
        };
        let l = limit_for(&o, 20, true, (10, 100));
        assert!((160..=200).contains(&l), "{l}");
    }

    #[test]
    fn the_previous_pages_shares_split_the_first_round() {
        // Two streams; the previous pages took 90 % of their rows from the first.
        let big = StreamEstimate { prior_taken: 0.9 * T.share_weight, ..StreamEstimate::default() };
        let small = StreamEstimate { prior_taken: 0.1 * T.share_weight, ..StreamEstimate::default() };
        assert_eq!(wanted(&big, 51, 0, 2, T.share_weight), 46);
        assert_eq!(wanted(&small, 51, 0, 2, T.share_weight), 6);
    }

    #[test]
    fn a_stream_that_showed_nothing_borrows_the_pooled_selectivity() {
        // Four items, no match, while the page's streams together matched 10 %.
        let o = StreamEstimate {
            obs: Observed { scanned: 4, ..Observed::default() },
            ..StreamEstimate::default()
        };
        let l = limit_for(&o, 2, true, (100, 1000));
        assert!((18..=24).contains(&l), "{l}");
    }
}

/// What the boundary estimate knows about one stream, as numbers along the
/// first sort-key column (see [`super::axis`]).
#[derive(Debug, Clone, Default)]
pub(crate) struct Span {
    /// Where the stream started reading, and how far it has read.
    pub start: f64,
    pub frontier: f64,
    pub scanned: u64,
    pub matched: u64,
    /// Items evaluated past `start`, which the density along the key rests
    /// on: `scanned` less the items of a run of ties the stream read
    /// through at `start` (a run is a point, not a density).
    pub along: u64,
    pub done: bool,
    /// Positions of rows read but not yet taken by the merge.
    pub buffered: Vec<f64>,
    /// What the stream read since the page's last round was planned: the
    /// distance its frontier moved, and the items it evaluated along the
    /// key there. `None` before a round (or when it did not move).
    pub recent: Option<(f64, u64)>,
    /// What the stream evaluated since the page's last round was planned:
    /// items, and the rows among them. `None` before a round.
    pub recent_rows: Option<(u64, u64)>,
    /// The distance from the stream's last row of the page (its start,
    /// before its first row) to its frontier. `None` off numeric axes.
    pub past_last_row: Option<f64>,
}

/// The rows `streams` stretches past their last rows may expect in all
/// and find none as often, at a steady density, as one stretch that
/// expected [`GAP_ROWS`]: each stream's stretch past its last row to its
/// frontier expects an exponential count of rows (the distance back to
/// the last event of a Poisson process), so their sum is a Gamma count of
/// `streams` shapes, and the bound is its quantile at `exp(-GAP_ROWS)`.
/// One stream: `GAP_ROWS`.
fn gap_threshold(streams: usize) -> f64 {
    let k = streams.max(1);
    let chance = (-GAP_ROWS).exp();
    // P(Gamma(k, 1) > t) = e^-t * sum_{j<k} t^j / j!, falling in t.
    let survival = |t: f64| {
        let (mut term, mut sum) = (1.0, 1.0);
        for j in 1..k {
            term *= t / j as f64;
            sum += term;
        }
        (-t).exp() * sum
    };
    let (mut lo, mut hi) = (GAP_ROWS, GAP_ROWS + 4.0 * k as f64);
    for _ in 0..60 {
        let mid = (lo + hi) / 2.0;
        if survival(mid) > chance {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// Rows a window aims to find when the page still needs `need` of a page
/// of `page`. Rows found past a boundary scatter like a Poisson count: a
/// window sized to the expected count comes back short half the time, and
/// each shortfall costs a round trip. So aim `SLACK_SIGMAS` standard
/// deviations past the need, plus a small tail, but at most
/// `SLACK_FRACTION` of the page: a small remainder is rarely chased one
/// round trip at a time, and a large one is not over-read.
pub(crate) fn aim(need: usize, page: usize) -> f64 {
    let page = page as f64;
    let need = need.max(1) as f64;
    let slack = (SLACK_SIGMAS * need.sqrt()).min(page * SLACK_FRACTION);
    need + page * TAIL_FRACTION + slack
}

/// Estimates how many items each stream must read so that, together, the
/// streams deliver `need` more rows: finds the position `x` where the rows
/// already buffered plus each stream's row density × distance reach `need`,
/// then asks every stream short of `x` for its item density × distance.
/// `None` when the densities are unknown (no distance covered, or no rows
/// seen anywhere): the caller falls back to [`limit_for`]. `page` is the
/// page size, which scales the tail and the slack; `prior` is the
/// `(matched, scanned)` earlier pages observed, pooled with this page's.
/// Rows the page's streams hold but have not emitted count as found.
/// A `late` round (the page has made two round trips) aims further by
/// [`Tuning::late_sigmas`] standard errors of the pooled selectivity, a
/// Poisson count of the rows found: `need × late_sigmas / √(rows + 1)`.
/// A `hedge`d round (a cold page's early one, while the rows found are
/// under [`Tuning::cold_sample`] of the need) takes the rows ahead to be
/// `1 + cold_sigmas / √(rows + 1)` times the estimate.
///
/// On a key that is a time, `day` is the rate of rows along the hours of the
/// day ([`super::daily`]): each stream's rows ahead follow it, from the
/// rate the stream measured on the stretch its density rests on (what it
/// read since the last round, else since its start), and the round ends
/// at an evening's edge where the evening expects half the need or more
/// ([`short_of_cliff`]), unless it is `late`: a late round aims past its
/// need so that the page ends there, and reads on past the edge.
pub(crate) fn plan_round(
    spans: &[Span],
    target: &Target,
    on_grid: Option<&Grid>,
    day: Option<&Curve>,
) -> Option<Round> {
    let Target { need, page, prior, whole_points, late, min_reach, boost, hedge } = *target;
    // Past the need by the Poisson slack (see `aim`).
    let bare_need = need.max(1) as f64;
    let mut need = aim(need, page);
    let grid = grid_step(spans);
    // A window's bound between grid points read everything up to the last
    // point before it: distances run from there.
    let from = |s: &Span| on_grid.map_or(s.frontier, |g| g.floor(s.frontier));
    let mut rates = Vec::with_capacity(spans.len());
    for s in spans {
        if s.done {
            rates.push((0.0, 0.0));
            continue;
        }
        // No distance covered yet: no density. A stream that covered
        // distance and found nothing (an empty window) has density 0.
        if s.frontier < s.start || (s.along == 0 && s.frontier <= s.start) {
            return None;
        }
        // A stream still at its start after `scanned` items (a run of
        // ties) read part of its first point of the key's grid: half of
        // it, in expectation. Counting the whole step underrated the
        // densest streams of a first page (their few items all on one
        // point), so the round ended too far and the sparse streams read
        // their windows past the page's end.
        let dist = (from(s) - s.start).max(grid * STUCK_STEPS);
        let items_per_unit = s.along as f64 / dist;
        // Rows per unit: scaled by the selectivity below.
        rates.push((items_per_unit, items_per_unit));
    }
    // The density ahead is the one the streams read last, not the page's
    // average: paging into a night or out of a sale, the average lags by
    // every window read before. Each rate is scaled by what the last
    // round's reads found against what the average said they would.
    let recent = recent_factor(spans, &rates);
    for r in &mut rates {
        r.0 *= recent;
        r.1 *= recent;
    }
    let (pool_matched, pool_scanned) = spans.iter().fold(prior, |(m, n), s| (m + s.matched, n + s.scanned));
    let by_items = pool_matched as f64 / pool_scanned.max(1) as f64;
    // A page with nothing to start from pools its streams' probes by the
    // distance each covered, too, and takes the larger: a dense stream's
    // probe covers the first minutes of the range, a sparse one's days, and
    // a share that moves with the time of day (French orders crowding into
    // the evening) is what the sparse stream saw, not the dense streams'
    // night. Earlier pages (a cursor, a hint, the engine's memory) measured
    // the stretch already.
    let own = stream_selectivities(spans, by_items);
    let spread = if prior == (0, 0) { spread_selectivity(spans) } else { 0.0 };
    let selectivities = if spread > by_items { stream_selectivities(spans, spread) } else { own.clone() };
    // The selectivity ahead is the one the streams read last, as for the
    // density: a filter value's share moves with the time of day, and a
    // nightly batch holds mostly one kind of order.
    let recent_sel = recent_selectivity(spans, &selectivities);
    for (sel, r) in selectivities.iter().zip(rates.iter_mut()) {
        r.0 *= sel * recent_sel;
    }
    // Past their last rows, the streams read a stretch where the density
    // ahead expected `gap` rows and found none: a sale or an evening left
    // behind within the last round, which the stretch as a whole (sale
    // and quiet hours together) cannot show. Past `GAP_ROWS` (a chance of
    // about 1 % at that density) for one stream, and past the bound as
    // rare for several ([`gap_threshold`]: each stream's stretch expects a
    // row at a steady density, and seven streams' summed past 4.6 rows
    // four times in five) on a page with a prior, it is the density
    // ahead, as one row would be found there: 1 / (1 + gap) of it.
    // The rows expected there are at the streams' own rates: a selectivity
    // raised by another stream's spread (above) would find a gap where the
    // stream's own rate sees none.
    let (gap, stretches) = spans
        .iter()
        .zip(&rates)
        .zip(own.iter().zip(&selectivities))
        .filter(|((s, _), _)| !s.done)
        .filter_map(|((s, (r, _)), (own, sel))| {
            s.past_last_row.map(|d| r * d * own / sel.max(f64::MIN_POSITIVE))
        })
        .fold((0.0, 0), |(sum, n), g| (sum + g, n + 1));
    // A page with nothing to start from (no prior) keeps the one-stream
    // bound: its rounds are capped (`cold_growth`), so a window reaching
    // past the density's estimate costs no items there, and it reaches a
    // run of ties or the page's rows a round sooner.
    // The streams' bound is never under one stream's: the quantile is
    // only sought where the gap passes that.
    if gap > GAP_ROWS && (prior == (0, 0) || gap > gap_threshold(stretches)) {
        for r in &mut rates {
            r.0 /= 1.0 + gap;
            r.1 /= 1.0 + gap;
        }
    }
    if hedge && !late && (pool_matched as f64) < bare_need * COLD_SAMPLE {
        // A page with nothing to start from plans its early rounds on a
        // probe of the range's first items. Where the rows it found are a
        // small part of the need, the round extrapolates their share over
        // a stretch several times the one sampled, where it need not hold
        // (French orders crowd into the evening; the probe read the night).
        // Rows read past the page are read for good, while a round short
        // of them costs one more, which is what a late round's aim is for:
        // such a round takes the selectivity ahead to be higher than found
        // by `cold_sigmas` standard errors of the `rows` found (a Poisson
        // count), so it ends nearer.
        let rows = pool_matched as f64;
        let higher = 1.0 + COLD_SIGMAS / (rows + 1.0).sqrt();
        for r in &mut rates {
            r.0 *= higher;
        }
    }
    if late {
        // The rows ahead are extrapolated from `rows` found: their count
        // is off by about 1 / √rows of itself.
        let rows = pool_matched as f64;
        need += bare_need * LATE_SIGMAS / (rows + 1.0).sqrt();
    }
    need *= boost.max(1.0);
    let total_rate: f64 = rates.iter().map(|r| r.0).sum();
    // Along the day's curve, a stream's rate is the one measured on the
    // stretch its density rests on, over the curve's mean there.
    let along: Vec<f64> = spans
        .iter()
        .map(|s| {
            day.map_or(1.0, |c| {
                let measured = s.recent.map_or(s.start, |(d, _)| s.frontier - d);
                1.0 / c.mean(measured, s.frontier).max(f64::MIN_POSITIVE)
            })
        })
        .collect();
    let distance = |s: &Span, k: f64, x: f64| -> f64 {
        let d = (x - from(s)).max(0.0);
        match day {
            Some(c) if d > 0.0 => k * c.between(from(s), x),
            _ => d,
        }
    };
    let rows_by = |x: f64| -> f64 {
        spans
            .iter()
            .zip(&rates)
            .zip(&along)
            .map(|((s, (r, _)), k)| {
                let known = s.buffered.iter().filter(|p| **p <= x).count() as f64;
                known + if s.done { 0.0 } else { r * distance(s, *k, x) }
            })
            .sum()
    };
    let lo0 = spans.iter().filter(|s| !s.done).map(from).fold(f64::INFINITY, f64::min);
    if !lo0.is_finite() {
        return None;
    }
    if total_rate <= 0.0 {
        return None;
    }
    // The first position where the rows expected reach `target`.
    let position_for = |target: f64| -> Option<f64> {
        let (mut lo, mut hi) = (lo0, lo0);
        let mut step = target / total_rate;
        let mut grew = 0;
        while rows_by(hi) < target {
            hi = lo0 + step;
            step *= 2.0;
            grew += 1;
            if grew > 64 {
                return None;
            }
        }
        for _ in 0..64 {
            let mid = (lo + hi) / 2.0;
            if rows_by(mid) < target {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        Some(hi)
    };
    // Along the day's curve, a window that would leave a rich stretch
    // (an evening) for a poor one ends at the edge where the rich one
    // expects half the need or more ([`short_of_cliff`]). The window still
    // reaches the bare need's point on a grid (below); the `Limit`s stop
    // at the edge. Not on a late round: it aims past the need by the
    // estimate's error so that the page ends there, and an edge where the
    // evening fell short would cost the page another round trip.
    let hi = position_for(need)?;
    let hi = match day {
        Some(c) if !late => short_of_cliff(c, lo0, hi, need, rows_by),
        _ => hi,
    };
    // On a grid, the end moves onto a point: at least the first where the
    // bare need is expected (a point's rows are read whole, so they stand
    // in for the slack when a point holds many), else the nearest to the
    // aim with slack, and always past every frontier short of it.
    let end = match on_grid {
        Some(g) => {
            let bare = position_for(bare_need)?;
            g.past(g.snap(hi, lo0).max(g.ceil(bare, lo0)))
        }
        None => hi,
    };
    // The `Limit`s reach the window's end when its last point is read
    // whole (the tie re-sort needs its runs); else only the aim: a point
    // of a coarse grid (a date) can hold more than the page, and a read
    // may stop inside it.
    let reach = if whole_points { end } else { hi.min(end) };
    let limits = spans
        .iter()
        .zip(&rates)
        .map(|(s, (_, d))| {
            (!s.done && s.frontier < end).then(|| {
                // A density measured on few items is shrunk: an
                // overestimate would be read for good, an underestimate
                // only costs the next round.
                let shrink = s.along as f64 / (s.along as f64 + SHRINK_ITEMS);
                let items = (d * (reach - from(s)).max(0.0) * shrink).ceil() + 1.0;
                items.clamp(1.0, MAX_LIMIT) as u32
            })
        })
        .collect();
    // The density falling (the last round's stretch sparser than the
    // average): the window reaches for `FALLING_REACH` times the need, in
    // case it goes on falling; the `Limit`s above, sized for the need,
    // end the read where it held.
    // And at least `min_reach` past the rearmost frontier (the caller's
    // floor after a window that found no row), the `Limit`s as they are.
    let falling = (recent < 1.0).then(|| position_for(need * FALLING_REACH)).flatten();
    let floor = (min_reach > 0.0).then_some(lo0 + min_reach);
    // And, where a stream short of the end has read nothing along the key
    // (its items all sat on its start's point, so its density above is an
    // assumption, not a measure), as far as the rows already read reach:
    // the page ends at or before its `need`-th known row, so that stream
    // is read up to there in the end, and a window short of it cost a
    // round for the stretch between. The `Limit`s, sized for the need,
    // still end each read where the estimate held.
    let guessed = spans.iter().any(|s| !s.done && s.frontier <= s.start && s.frontier < end);
    let known = guessed.then(|| known_end(spans, bare_need as usize)).flatten();
    let end = match falling.into_iter().chain(floor).chain(known).reduce(f64::max) {
        Some(far) => on_grid.map_or(far, |g| g.past(g.snap(far, lo0))).max(end),
        None => end,
    };
    Some(Round { end, limits })
}

/// Where a window from `from` to `end` ends along the day's curve: at the
/// first cliff between (an hour whose rate falls under
/// [`Tuning::cliff_drop`] of the mean before it: an evening's edge) where
/// the rows `expected` short of it reach [`Tuning::cliff_share`] of the
/// window's `aim`; else at `end`. The curve is shrunk toward the day's
/// average, so a rich evening holds more rows than it expects, and past
/// its edge the rows come at a fraction of its rate: a window that crosses
/// the night to make up the rest reads a day's items for the few rows a
/// page may lack, where one that ends at the edge costs a round trip only
/// when the evening falls short.
pub(crate) fn short_of_cliff(
    day: &Curve,
    from: f64,
    end: f64,
    aim: f64,
    expected: impl Fn(f64) -> f64,
) -> f64 {
    match day.cliff(from, end, CLIFF_DROP) {
        Some(edge) if expected(edge) >= CLIFF_SHARE * aim => edge,
        _ => end,
    }
}

/// The position of the `need`-th row the streams hold but have not
/// emitted, in scan order: the page ends there at the latest. `None` when
/// they hold fewer.
fn known_end(spans: &[Span], need: usize) -> Option<f64> {
    let mut known: Vec<f64> = spans.iter().flat_map(|s| s.buffered.iter().copied()).collect();
    if need == 0 || known.len() < need {
        return None;
    }
    let (_, nth, _) = known.select_nth_unstable_by(need - 1, f64::total_cmp);
    Some(*nth)
}

/// Each stream's selectivity, its own counts shrunk toward `pooled` by
/// [`POOL_WEIGHT`] items: a stream that has shown few items borrows the
/// others'.
fn stream_selectivities(spans: &[Span], pooled: f64) -> Vec<f64> {
    spans
        .iter()
        .map(|s| (s.matched as f64 + POOL_WEIGHT * pooled) / (s.scanned as f64 + POOL_WEIGHT))
        .collect()
}

/// The streams' selectivities (rows over items evaluated) weighted by the
/// distance along the key each covered; streams still at their start, or
/// done, aside; one stream's is its own. Rows that share a position count
/// once: a run of ties (a nightly batch a sparse stream's probe reached)
/// is one point of the key, not a share spread along it. 0 when no stream
/// covered any distance.
fn spread_selectivity(spans: &[Span]) -> f64 {
    let (mut covered, mut sum) = (0.0, 0.0);
    for s in spans.iter().filter(|s| !s.done && s.frontier > s.start) {
        let mut at = s.buffered.clone();
        at.sort_by(f64::total_cmp);
        at.dedup();
        let repeated = (s.buffered.len() - at.len()) as u64;
        let rows = s.matched.saturating_sub(repeated) as f64;
        let d = s.frontier - s.start;
        covered += d;
        sum += d * rows / s.scanned.max(1) as f64;
    }
    if covered > 0.0 {
        sum / covered
    } else {
        0.0
    }
}

/// How much denser (over 1) or sparser (under 1) the stretch the streams
/// read since the last round was than the page's average density `rates`
/// (items per unit) says: the items found there over those expected,
/// each side plus [`RECENT_ITEMS`] so that a few items move it little.
/// Clamped to `[1 / recent_most, recent_most]`. The factor scales the
/// rows and the items ahead alike, so it moves where a window ends but
/// not the `Limit`s (the items for the rows the page needs, at its
/// selectivity): a window that reaches too far is still read only that
/// far. 1 before any round.
fn recent_factor(spans: &[Span], rates: &[(f64, f64)]) -> f64 {
    let (mut found, mut expected) = (0.0, 0.0);
    for (s, (_, d)) in spans.iter().zip(rates) {
        if let (false, Some((dist, items))) = (s.done, s.recent) {
            found += items as f64;
            expected += d * dist;
        }
    }
    shrunk_ratio(found, expected, RECENT_ITEMS, T.recent_most)
}

/// How much more (over 1) or less (under 1) selective the items the
/// streams read since the last round were than each stream's selectivity
/// on the page says: the rows found there over those expected, each side
/// plus [`RECENT_ROWS`] so that a row or two moves it little. Clamped to
/// `[1 / recent_rows_most, recent_rows_most]`. It scales the rows ahead,
/// not the items: the `Limit`s ask for the items the need takes at the
/// selectivity the streams see now. 1 before any round.
fn recent_selectivity(spans: &[Span], selectivities: &[f64]) -> f64 {
    let (mut found, mut expected) = (0.0, 0.0);
    for (s, sel) in spans.iter().zip(selectivities) {
        if let (false, Some((items, rows))) = (s.done, s.recent_rows) {
            found += rows as f64;
            expected += items as f64 * sel;
        }
    }
    shrunk_ratio(found, expected, RECENT_ROWS, T.recent_rows_most)
}

/// `found` over `expected`, each plus `pseudo` (so that a little evidence
/// moves it little, and none leaves it at 1), clamped to `[1 / most, most]`.
fn shrunk_ratio(found: f64, expected: f64, pseudo: f64, most: f64) -> f64 {
    ((found + pseudo) / (expected + pseudo)).clamp(1.0 / most, most)
}

/// One round of requests: where the page is estimated to end, on the
/// position axis, and the `Limit` for each stream short of it.
#[derive(Debug)]
pub(crate) struct Round {
    pub end: f64,
    pub limits: Vec<Option<u32>>,
}

/// What a round plans for ([`plan_round`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    /// Rows the page still needs.
    pub need: usize,
    /// The page size (it scales the tail and the slack).
    pub page: usize,
    /// `(matched, scanned)` earlier pages observed.
    pub prior: (u64, u64),
    /// The window's last point is read whole (the tie re-sort needs it).
    pub whole_points: bool,
    /// The page has made `late_after` round trips.
    pub late: bool,
    /// Least distance past the rearmost frontier the round reaches.
    pub min_reach: f64,
    /// The page has nothing to start from (cold): an early round, while
    /// the rows found are few against the need, takes the selectivity
    /// ahead to be higher than found ([`Tuning::cold_sigmas`]).
    pub hedge: bool,
    /// Times the need (with its slack) the round aims for: over 1 once the
    /// page's estimates have fallen short round after round.
    pub boost: f64,
}

#[cfg(test)]
impl Target {
    /// `need` rows of a page of 50, nothing before it.
    pub fn rows(need: usize) -> Target {
        Target {
            need,
            page: 50,
            prior: (0, 0),
            whole_points: true,
            late: false,
            min_reach: 0.0,
            boost: 1.0,
            hedge: false,
        }
    }
}

/// The smallest gap between distinct positions seen (the key's grid: 30
/// minutes for timestamps on the half hour); 1 when nothing is seen apart.
fn grid_step(spans: &[Span]) -> f64 {
    let mut seen: Vec<f64> = spans
        .iter()
        .filter(|s| !s.done)
        .flat_map(|s| [s.start, s.frontier].into_iter().chain(s.buffered.iter().copied()))
        .collect();
    seen.sort_by(f64::total_cmp);
    seen.windows(2)
        .map(|w| w[1] - w[0])
        .filter(|d| *d > 0.0)
        .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.min(d))))
        .unwrap_or(1.0)
}

#[cfg(test)]
mod round_tests {
    use super::*;

    /// A stream that read 100 items over 100 units, 10 of them rows.
    fn ten_percent() -> Span {
        Span {
            start: 0.0,
            frontier: 100.0,
            scanned: 100,
            matched: 10,
            along: 100,
            done: false,
            buffered: vec![],
            recent: None,
            recent_rows: None,
            past_last_row: None,
        }
    }

    #[test]
    fn a_cold_round_on_few_rows_plans_for_a_higher_selectivity() {
        // Two streams' probes showed 4 rows in 200 items, a tenth of the
        // 40 rows the page still needs: the round takes the selectivity to
        // be 1 + 1 / √5 times that (one standard error of a count of 4), so
        // each `Limit` is that many times smaller and the window ends nearer.
        let few = Span { matched: 2, ..ten_percent() };
        let plain = plan_round(&[few.clone(), few.clone()], &Target::rows(40), None, None).unwrap();
        let hedged =
            plan_round(&[few.clone(), few.clone()], &Target { hedge: true, ..Target::rows(40) }, None, None)
                .unwrap();
        let factor = 1.0 + T.cold_sigmas / 5f64.sqrt();
        for (p, h) in plain.limits.iter().zip(&hedged.limits) {
            let (p, h) = (f64::from(p.unwrap()), f64::from(h.unwrap()));
            assert!((p / h - factor).abs() <= 0.02 * factor, "{p} -> {h}, expected / {factor}");
        }
        assert!(hedged.end < plain.end);
        // Not in a late round (its aim reads for the estimate being low),
        // nor once the rows found reach `cold_sample` of the need: 20 rows
        // against 40.
        let late = Target { late: true, ..Target::rows(40) };
        let a = plan_round(&[few.clone(), few.clone()], &late, None, None).unwrap();
        let b = plan_round(&[few.clone(), few], &Target { hedge: true, ..late }, None, None).unwrap();
        assert_eq!(a.limits, b.limits);
        let s = ten_percent();
        let a = plan_round(&[s.clone(), s.clone()], &Target::rows(40), None, None).unwrap();
        let b = plan_round(&[s.clone(), s], &Target { hedge: true, ..Target::rows(40) }, None, None).unwrap();
        assert_eq!(a.limits, b.limits);
    }

    #[test]
    fn a_late_round_aims_past_the_need_by_the_estimates_own_error() {
        // Two streams showed 20 rows in all. A round after the page's second
        // round trip aims half a standard error of that count (20 rows:
        // 1 / √21 of the rows still needed) further: 40 rows × 0.5 / √21
        // ≈ 4.4 rows, 2.2 a stream, 22 items each before the shrink.
        let s = ten_percent();
        let early = plan_round(&[s.clone(), s.clone()], &Target::rows(40), None, None).unwrap();
        let late =
            plan_round(&[s.clone(), s], &Target { late: true, ..Target::rows(40) }, None, None).unwrap();
        let extra = 40.0 * T.late_sigmas / 21f64.sqrt() / 2.0 * 10.0 * 100.0 / 104.0;
        for (e, l) in early.limits.iter().zip(&late.limits) {
            let (e, l) = (f64::from(e.unwrap()), f64::from(l.unwrap()));
            assert!((l - e - extra).abs() <= 1.5, "{e} -> {l}, expected {extra} more");
        }
        assert!(late.end > early.end);
        // Resting on earlier pages' thousands of items, it moves little.
        let s = ten_percent();
        let early = plan_round(
            &[s.clone(), s.clone()],
            &Target { prior: (400, 4_000), ..Target::rows(40) },
            None,
            None,
        )
        .unwrap();
        let late = plan_round(
            &[s.clone(), s],
            &Target { prior: (400, 4_000), late: true, ..Target::rows(40) },
            None,
            None,
        )
        .unwrap();
        let (e, l) = (f64::from(early.limits[0].unwrap()), f64::from(late.limits[0].unwrap()));
        assert!(l - e <= 0.05 * e, "{e} -> {l}");
    }

    #[test]
    fn two_equal_streams_split_the_need() {
        let s = ten_percent();
        let limits = plan_round(&[s.clone(), s], &Target::rows(40), None, None).unwrap().limits;
        // Each stream yields 0.1 rows per unit. Aim: 40 rows + 2 tail rows
        // (4 % of 50) + min(1.5 × √40, 6 % of 50 = 3) = 45 rows, 22.5 each →
        // 225 units → 225 items, shrunk by 100 / 104, plus the look-ahead.
        let want = (225.0 * 100.0 / 104.0f64).ceil() as u32 + 1;
        for l in limits {
            let l = l.unwrap();
            assert!((want - 1..=want + 1).contains(&l), "{l} vs {want}");
        }
    }

    #[test]
    fn a_read_that_may_stop_inside_a_point_is_not_sized_to_the_whole_point() {
        // Date-only keys: points 100 apart, 10 rows a point at 10 %. The
        // page needs 4 rows: the window must end past the next point (a key
        // condition cannot stop inside it), but unless the tie re-sort needs
        // the point whole, the `Limit` covers the aim only, not the point.
        let s = ten_percent();
        let grid = Grid::given(0.0, 100);
        let whole = plan_round(std::slice::from_ref(&s), &Target::rows(4), Some(&grid), None).unwrap();
        let aim =
            plan_round(&[s], &Target { whole_points: false, ..Target::rows(4) }, Some(&grid), None).unwrap();
        assert_eq!(whole.end, aim.end);
        assert!(whole.end >= 200.0, "{}", whole.end);
        let (w, a) = (whole.limits[0].unwrap(), aim.limits[0].unwrap());
        // The aim: 9 rows (as below) → 90 items, shrunk, plus the look-ahead.
        let want = (90.0 * 100.0 / 104.0f64).ceil() as u32 + 1;
        assert!((want - 1..=want + 1).contains(&a), "{a} vs {want}");
        assert!(w >= 96, "the whole point: {w}");
    }

    #[test]
    fn a_stream_still_on_its_start_reads_as_far_as_the_rows_already_held() {
        // A dense stream holds 60 rows up to position 600; a sparse one read
        // 9 items, all on its start's point (the cursor's run of ties in a
        // nightly batch), so its density is an assumption: a half grid step
        // per 9 items put the page's end a fraction of the way to the held
        // rows, and its window found nothing there (`cost_matrix --shape
        // batch --seeds 3..3 --trace-page "10%/ties/5"`: 4 round trips).
        // The page ends at or before its 51st held row, so the window
        // reaches there; the `Limit`s stay the need's.
        let dense = Span {
            start: 0.0,
            frontier: 600.0,
            scanned: 600,
            matched: 60,
            along: 600,
            buffered: (1..=60).map(|i| f64::from(i) * 10.0).collect(),
            ..Span::default()
        };
        let stuck = Span { start: 0.0, frontier: 0.0, scanned: 9, matched: 0, along: 9, ..Span::default() };
        let grid = Grid::given(0.0, 1);
        let moved = Span { frontier: 5.0, ..stuck.clone() };
        let guessed = plan_round(&[dense.clone(), stuck], &Target::rows(51), Some(&grid), None).unwrap();
        let measured = plan_round(&[dense, moved], &Target::rows(51), Some(&grid), None).unwrap();
        assert!(guessed.end >= 510.0, "{}", guessed.end);
        // The `Limit` is the need's, as for a stream that had moved a little
        // (not the items to 510 at the assumed density: thousands).
        let (g, m) = (guessed.limits[1].unwrap(), measured.limits[1].unwrap());
        assert!(g.abs_diff(m) <= 5, "{g} vs {m}");
        // A stream whose density rests on a distance read keeps its window.
        assert!(measured.end < 510.0, "{}", measured.end);
    }

    #[test]
    fn the_density_ahead_follows_what_the_last_round_read() {
        // The page averaged 1 item per unit, but the stretch read since the
        // last round (50 units) held 10 items, not 50: a night after a busy
        // evening. The window for the same need reaches further, and its
        // `Limit` asks for the items the sparser stretch holds, not for
        // what the average says. The density is falling, so the window
        // reaches for `falling_reach` times the need at that density (it
        // may go on falling); the `Limit` is the need's.
        let avg =
            Span { start: 0.0, frontier: 100.0, scanned: 100, matched: 100, along: 100, ..Span::default() };
        let night = Span { recent: Some((50.0, 10)), ..avg.clone() };
        let flat = plan_round(std::slice::from_ref(&avg), &Target::rows(10), None, None).unwrap();
        let sparse = plan_round(&[night], &Target::rows(10), None, None).unwrap();
        // Found 10 + 4 against 50 + 4 expected: 14 / 54 of the average.
        let (d_flat, d_sparse) = (flat.end - 100.0, sparse.end - 100.0);
        let want = FALLING_REACH * 54.0 / 14.0;
        assert!((d_sparse / d_flat - want).abs() < 0.01, "{d_flat} {d_sparse}");
        // Items per unit fall as the distance grows: the same `Limit`.
        let (l_flat, l_sparse) = (flat.limits[0].unwrap(), sparse.limits[0].unwrap());
        assert!(l_flat.abs_diff(l_sparse) <= 1, "{l_flat} {l_sparse}");
        // A stretch as dense as the average leaves the window alone.
        let steady = Span { recent: Some((50.0, 50)), ..avg };
        let same = plan_round(&[steady], &Target::rows(10), None, None).unwrap();
        assert!((same.end - flat.end).abs() < 1e-6, "{} {}", same.end, flat.end);
    }

    /// Oldest first, on a curve of ten days with 50 rows an hour from
    /// 18:00 to 22:00 and 5 the rest; every item a row. The page read
    /// 18:00-20:00 of day 10 (100 rows): 100 more are expected by 22:00,
    /// and past it a tenth as many an hour. The round planned for
    /// `target`, and where it ends in hours from the start of day 10.
    fn evening_round(target: &Target) -> (Round, f64) {
        let (d, rate) = super::super::daily::tests::evenings();
        let curve = d.curve(T.day_rows, false, rate, 1.0).expect("counted");
        let hour = 3600.0;
        let day_10 = 10.0 * 24.0 * hour;
        let s = Span {
            start: day_10 + 18.0 * hour,
            frontier: day_10 + 20.0 * hour,
            scanned: 100,
            matched: 100,
            along: 100,
            ..Span::default()
        };
        let round = plan_round(std::slice::from_ref(&s), target, None, Some(&curve)).unwrap();
        let at = (round.end - day_10) / hour;
        (round, at)
    }

    #[test]
    fn a_window_ends_at_an_evenings_edge_where_the_evening_expects_half_the_need() {
        // The need inside the evening: the window ends where it is met.
        let (_, within) = evening_round(&Target::rows(60));
        assert!(within < 22.0, "{within}");
        // Aiming at about 180 rows, the evening's 100 are more than half:
        // the window ends at 22:00, its `Limit` at the evening's items.
        let (edge, at) = evening_round(&Target::rows(150));
        assert_eq!(at, 22.0);
        let limit = edge.limits[0].unwrap();
        assert!((90..=101).contains(&limit), "{limit}");
        // Aiming at about 330, they are under half: on through the night.
        let (past, at) = evening_round(&Target::rows(300));
        assert!(at > 30.0, "{at}");
        assert!(past.limits[0].unwrap() > 300, "{:?}", past.limits);
    }

    #[test]
    fn a_late_round_reads_past_an_evenings_edge() {
        // The evening of the test above, on a page that has made
        // `late_after` round trips: a round ending at the edge and finding
        // the evening short would cost the page another, which a late
        // round's aim (past the need by the estimate's error) is there to
        // spare. It reads on through the night, as a round with no edge.
        let (round, at) = evening_round(&Target { late: true, ..Target::rows(150) });
        assert!(at > 22.0, "{at}");
        assert!(round.limits[0].unwrap() > 150, "{:?}", round.limits);
        // An early round on the same aim ends at the edge (above).
        assert_eq!(evening_round(&Target::rows(150)).1, 22.0);
    }

    #[test]
    fn the_selectivity_ahead_follows_what_the_last_round_read() {
        // The page matched 10 % of 1 000 items, but the 200 items read since
        // the last round held 2 rows, not the 20 that rate expects: a
        // nightly batch of one kind of order, or the quiet hours of a share
        // that peaks in the evening. The next round asks for the items the
        // need takes at the rate seen last (pulled toward the page's by
        // `recent_rows` rows a side), not at the page's average.
        let avg = Span {
            start: 0.0,
            frontier: 1000.0,
            scanned: 1000,
            matched: 100,
            along: 1000,
            ..Span::default()
        };
        let quiet = Span { recent_rows: Some((200, 2)), ..avg.clone() };
        let flat = plan_round(std::slice::from_ref(&avg), &Target::rows(20), None, None).unwrap();
        let sparse = plan_round(&[quiet], &Target::rows(20), None, None).unwrap();
        let (l_flat, l_sparse) = (flat.limits[0].unwrap(), sparse.limits[0].unwrap());
        // 20 + 4 expected against 2 + 4 found: 4 times the items.
        let want = f64::from(l_flat - 1) * (20.0 + RECENT_ROWS) / (2.0 + RECENT_ROWS);
        assert!((f64::from(l_sparse - 1) - want).abs() <= want * 0.01 + 1.0, "{l_flat} {l_sparse} {want}");
        // A busier stretch asks for fewer; one as selective as the page
        // leaves the `Limit` alone.
        let busy = Span { recent_rows: Some((200, 60)), ..avg.clone() };
        let l_busy = plan_round(&[busy], &Target::rows(20), None, None).unwrap().limits[0].unwrap();
        assert!(l_busy < l_flat, "{l_busy} {l_flat}");
        let steady = Span { recent_rows: Some((200, 20)), ..avg };
        let l_steady = plan_round(&[steady], &Target::rows(20), None, None).unwrap().limits[0].unwrap();
        assert_eq!(l_steady, l_flat);
    }

    /// A cold page read oldest first from midnight, French orders crowding
    /// into the evening: the dense stream's probe covered the first hour
    /// (80 items, no row), the sparse one's most of a day (25 items, 5
    /// rows spread along it).
    fn night_and_day() -> [Span; 2] {
        let dense =
            Span { start: 0.0, frontier: 10.0, scanned: 80, matched: 0, along: 80, ..Span::default() };
        let sparse = Span {
            start: 0.0,
            frontier: 200.0,
            scanned: 25,
            matched: 5,
            along: 25,
            buffered: vec![40.0, 90.0, 120.0, 150.0, 190.0],
            ..Span::default()
        };
        [dense, sparse]
    }

    #[test]
    fn a_cold_page_weighs_each_streams_selectivity_by_the_distance_it_covered() {
        let spans = night_and_day();
        // By distance: (10 × 0 + 200 × 5 / 25) / 210; by items, 5 / 105.
        let spread = spread_selectivity(&spans);
        assert!((spread - 40.0 / 210.0).abs() < 1e-9, "{spread}");
        // The dense stream reads toward the day the sparse one saw: a cold
        // round asks it for fewer items than a page that pooled the same
        // counts by items (a prior of the same rate: earlier pages measured
        // the stretch, so no spread).
        let cold = plan_round(&spans, &Target::rows(40), None, None).unwrap();
        let warm = plan_round(&spans, &Target { prior: (1, 21), ..Target::rows(40) }, None, None).unwrap();
        let (c, w) = (cold.limits[0].unwrap(), warm.limits[0].unwrap());
        assert!(f64::from(c) < 0.6 * f64::from(w), "cold {c}, warm {w}");
        assert!(cold.end < warm.end, "{} {}", cold.end, warm.end);
        // One stream alone: its own selectivity, as by items.
        let one = &spans[1..];
        assert!((spread_selectivity(one) - 0.2).abs() < 1e-9);
    }

    #[test]
    fn rows_on_one_position_are_one_point_of_the_spread() {
        // The sparse stream's probe reached a nightly batch and its 5 rows
        // are all on the batch's millisecond: one point of the key, not a
        // share of the day. Spread, it counts 1 row: under the rate by
        // items, which the round keeps.
        let [dense, mut sparse] = night_and_day();
        sparse.buffered = vec![200.0; 5];
        let spans = [dense, sparse];
        let spread = spread_selectivity(&spans);
        assert!((spread - 8.0 / 210.0).abs() < 1e-9, "{spread}");
        assert!(spread < 5.0 / 105.0);
        let cold = plan_round(&spans, &Target::rows(40), None, None).unwrap();
        let by_items =
            plan_round(&spans, &Target { prior: (1, 21), ..Target::rows(40) }, None, None).unwrap();
        let (c, b) = (cold.limits[0].unwrap(), by_items.limits[0].unwrap());
        assert!(c.abs_diff(b) <= 1, "{c} {b}");
    }

    #[test]
    fn a_spread_selectivity_does_not_make_a_gap_of_a_streams_own_stretch() {
        // The dense stream read 20 units past its last row. At its own rate
        // (1 row in its 80 items, pulled toward the page's), about 3 rows
        // were expected there, and none found is no news (`gap_rows` is
        // 4.6). At the rate the sparse stream's day lends it, nearly 9: the
        // round would plan as if the page had left a busy stretch behind.
        let [mut dense, sparse] = night_and_day();
        dense.frontier = 20.0;
        dense.matched = 1;
        dense.past_last_row = Some(20.0);
        let spans = [dense, sparse];
        let cold = plan_round(&spans, &Target::rows(40), None, None).unwrap();
        let mut no_gap = spans.clone();
        no_gap[0].past_last_row = None;
        let plain = plan_round(&no_gap, &Target::rows(40), None, None).unwrap();
        assert!((cold.end - plain.end).abs() < 1e-6, "{} {}", cold.end, plain.end);
    }

    #[test]
    fn a_stretch_past_the_last_row_that_found_none_sets_the_density_ahead() {
        // 1 row per unit on average, and the last round's stretch as a
        // whole as dense (a sale, then quiet hours), but the last 20
        // units, past the stream's last row, held none of the 20 rows the
        // density expects there: the window for the same need reaches
        // 1 + 20 times as far, and asks for the same items.
        let avg =
            Span { start: 0.0, frontier: 100.0, scanned: 100, matched: 100, along: 100, ..Span::default() };
        let left = Span { past_last_row: Some(20.0), ..avg.clone() };
        let flat = plan_round(std::slice::from_ref(&avg), &Target::rows(10), None, None).unwrap();
        let quiet = plan_round(&[left], &Target::rows(10), None, None).unwrap();
        let (d_flat, d_quiet) = (flat.end - 100.0, quiet.end - 100.0);
        assert!((d_quiet / d_flat - 21.0).abs() < 0.01, "{d_flat} {d_quiet}");
        let (l_flat, l_quiet) = (flat.limits[0].unwrap(), quiet.limits[0].unwrap());
        assert!(l_flat.abs_diff(l_quiet) <= 1, "{l_flat} {l_quiet}");
        // A few units past the last row are what a density of 1 leaves
        // between rows (4 expected, none found: a chance of 2 %): the
        // window stays where the average puts it.
        let near = Span { past_last_row: Some(4.0), ..avg };
        let same = plan_round(&[near], &Target::rows(10), None, None).unwrap();
        assert!((same.end - flat.end).abs() < 1e-6, "{} {}", same.end, flat.end);
    }

    #[test]
    fn seven_streams_that_each_read_a_row_gap_past_their_last_row_left_no_stretch_behind() {
        // Seven streams (an `IN` of seven values) at a steady density of 1
        // row a unit, each having read 1.5 units past its last row: about
        // what a steady density leaves between a stream's last row and
        // where its read stopped (an exponential wait of mean 1). Together
        // they expected 10.5 rows there, past the 4.6 one stretch may
        // expect and find none 1 % of the time; seven such stretches sum
        // past 4.6 82 % of the time (and past 14.56, the bound for seven,
        // 1 %). The window stays where the average puts it. One stream
        // that read 10.5 units past its last row did leave a busy stretch
        // behind.
        // A resumed page: earlier pages saw every item a row.
        let resumed = Target { prior: (1000, 1000), ..Target::rows(30) };
        let avg =
            Span { start: 0.0, frontier: 100.0, scanned: 100, matched: 100, along: 100, ..Span::default() };
        let steady: Vec<Span> = (0..7).map(|_| Span { past_last_row: Some(1.5), ..avg.clone() }).collect();
        let plain: Vec<Span> = (0..7).map(|_| avg.clone()).collect();
        let (a, b) = (
            plan_round(&steady, &resumed, None, None).unwrap(),
            plan_round(&plain, &resumed, None, None).unwrap(),
        );
        assert!((a.end - b.end).abs() < 1e-6, "{} {}", a.end, b.end);
        let one = Span { past_last_row: Some(10.5), ..avg.clone() };
        let quiet = plan_round(&[one], &resumed, None, None).unwrap();
        let flat = plan_round(std::slice::from_ref(&avg), &resumed, None, None).unwrap();
        assert!((quiet.end - 100.0) / (flat.end - 100.0) > 10.0, "{} {}", quiet.end, flat.end);
        // A cold page (nothing to start from) keeps the one-stream bound:
        // its rounds are capped, and a window past the density's estimate
        // reaches a run of ties or the page's rows a round sooner.
        let cold = plan_round(&steady, &Target::rows(30), None, None).unwrap();
        let cold_plain = plan_round(&plain, &Target::rows(30), None, None).unwrap();
        assert!((cold.end - 100.0) / (cold_plain.end - 100.0) > 10.0, "{} {}", cold.end, cold_plain.end);
    }

    #[test]
    fn the_gap_bound_over_k_streams_is_as_rare_as_one_streams() {
        // One stream: the tuned 4.6 rows. More: the Gamma quantile at the
        // same chance, e^-4.6 (about 1 %), growing with the streams.
        assert!((gap_threshold(1) - GAP_ROWS).abs() < 1e-9);
        assert!((gap_threshold(0) - GAP_ROWS).abs() < 1e-9);
        let mut last = GAP_ROWS;
        for k in 2..=40 {
            let t = gap_threshold(k);
            assert!(t > last, "{k}: {t}");
            // e^-t * sum_{j<k} t^j / j! is the chance k stretches of mean 1
            // sum past t.
            let (mut term, mut sum) = (1.0f64, 1.0f64);
            for j in 1..k {
                term *= t / j as f64;
                sum += term;
            }
            let chance = (-t).exp() * sum;
            assert!((chance / (-GAP_ROWS).exp() - 1.0).abs() < 1e-6, "{k}: {chance}");
            last = t;
        }
        // Two streams: 6.63 rows; four: 10.04; seven: 14.56.
        for (k, t) in [(2, 6.632), (4, 10.038), (7, 14.562)] {
            assert!((gap_threshold(k) - t).abs() < 1e-3, "{k}: {}", gap_threshold(k));
        }
    }

    #[test]
    fn a_small_remainder_gets_poisson_slack() {
        let s = ten_percent();
        let limits = plan_round(&[s], &Target::rows(4), None, None).unwrap().limits;
        // 4 rows + 2 tail + 1.5 × √4 = 9 rows → 90 items (shrunk) + 1.
        let want = (90.0 * 100.0 / 104.0f64).ceil() as u32 + 1;
        let l = limits[0].unwrap();
        assert!((want - 1..=want + 1).contains(&l), "{l} vs {want}");
    }

    #[test]
    fn a_stream_still_at_its_start_is_measured_by_the_grid_step() {
        // Stream 0 read 14 items without leaving its first key value; stream
        // 1 shows the grid (positions 1800 apart). Stream 0 must not look
        // infinitely dense, or the round would end just past its frontier.
        let stuck = Span {
            start: 0.0,
            frontier: 0.0,
            scanned: 14,
            matched: 1,
            along: 14,
            done: false,
            buffered: vec![],
            recent: None,
            recent_rows: None,
            past_last_row: None,
        };
        let moving = Span {
            start: 0.0,
            frontier: 3600.0,
            scanned: 14,
            matched: 1,
            along: 14,
            done: false,
            buffered: vec![1800.0],
            recent: None,
            recent_rows: None,
            past_last_row: None,
        };
        let limits = plan_round(&[stuck, moving], &Target::rows(10), None, None).unwrap().limits;
        let l = limits[0].unwrap();
        assert!(l > 14, "{l}");
    }

    #[test]
    fn a_stream_still_at_its_start_covered_half_a_step() {
        // Ten rows, all on the first point of a 1800-wide grid (the other
        // stream shows the grid, and nothing else). Were the first point
        // taken as covered whole, the rows would lie 10 per 1800 and the
        // round would end at 4500; half covered, 10 per 900: at 2250.
        let stuck = Span {
            start: 0.0,
            frontier: 0.0,
            scanned: 10,
            matched: 10,
            along: 10,
            done: false,
            buffered: vec![],
            recent: None,
            recent_rows: None,
            past_last_row: None,
        };
        let empty = Span { start: 0.0, frontier: 1800.0, ..stuck.clone() };
        let empty = Span { scanned: 0, matched: 0, along: 0, ..empty };
        // Aim: 20 rows + 2 tail + min(1.5 × √20, 3) slack = 25 rows.
        let round = plan_round(&[stuck, empty], &Target::rows(20), None, None).unwrap();
        assert!((round.end - 2250.0).abs() < 1.0, "{}", round.end);
    }

    #[test]
    fn a_stream_already_past_the_boundary_is_left_alone() {
        let near = Span {
            start: 0.0,
            frontier: 10.0,
            scanned: 10,
            matched: 5,
            along: 10,
            done: false,
            buffered: vec![],
            recent: None,
            recent_rows: None,
            past_last_row: None,
        };
        let far = Span {
            start: 0.0,
            frontier: 1000.0,
            scanned: 10,
            matched: 5,
            along: 10,
            done: false,
            buffered: vec![500.0; 3],
            recent: None,
            recent_rows: None,
            past_last_row: None,
        };
        let limits = plan_round(&[near, far], &Target::rows(2), None, None).unwrap().limits;
        assert!(limits[0].is_some());
        assert_eq!(limits[1], None);
    }
}
