//! The adaptive policy: sizes each request from the selectivity and the
//! density along the first sort-key column that the page (and, through
//! its state, earlier pages) observed.
//!
//! - A round, when a stream the merge needs runs dry, estimates where the
//!   page ends on the first sort-key column and reads every stream short
//!   of it to that position (a window), each by its own density
//!   ([`estimate::plan_round`]).
//!   The density ahead is the one the streams read since the last round,
//!   scaled from the page's average by what that stretch found against
//!   what the average said it would ([`Tuning::recent_items`] a side);
//!   so is the selectivity ahead, by the rows those items held against
//!   the rows the page's selectivity expected there
//!   ([`Tuning::recent_rows`] a side).
//! - A resumed page reads every stream to where the earlier pages' density
//!   puts the page and its Poisson slack, on the grid the key's values lie
//!   on, past the rows of the cursor's run of ties the last page left. That
//!   density leaves out the runs at a page's ends: a nightly batch is a
//!   point, not a density. A page that reads runs whole reads the cursor's
//!   run again first, so its first `Limit`s carry that run's items on top:
//!   counted where the last page started on the run, else estimated from
//!   the run's rows at the carried selectivity (a day of a date key the
//!   last page read into).
//! - On a key that is a time (an ISO-8601 date-time, a number of epoch
//!   seconds to nanoseconds, a ULID: [`axis::time_unit`]), the rows a
//!   window expects follow the time of day ([`daily`](super::daily)): the
//!   cursor carries the rows found and the seconds covered per hour of the
//!   day (even and odd days apart), and a resumed page's windows (its
//!   first, from the density earlier pages measured, and every round's,
//!   from what the streams read) end where the rows
//!   expected along that curve, scaled from the rate measured on the
//!   stretch behind, reach the need. Pages shorter than a day alternate
//!   between an evening's share of a filter value and the night's, and a
//!   window sized at the night's rate read an evening several times over.
//!   An hour counts only where both parities agree (a sale on one day is
//!   not an afternoon), and a cold page, with no earlier page's counts,
//!   draws no curve.
//! - A resumed page whose rows the last page had read already (past its
//!   last row, short of every reading stream's frontier: the rows a late
//!   round read beyond the page) reads to the last of them and no
//!   further, in one round, each stream's `Limit` a guard on the items
//!   the last page found there ([`Adaptive::ahead`], `Hint::ahead`). The
//!   estimates are the last page's, and where the data moved under it
//!   (pages shorter than a day, alternating between an evening's share
//!   of a filter value and the day's) they size the next page for the
//!   stretch the last page crossed, not the one it ended in.
//! - A repeated first page (warm: the engine ran the same query before)
//!   of the same size reads every stream to where that run's next row lay
//!   and no further, in one round, each stream's `Limit` the items of the
//!   responses it needed there ([`Adaptive::first_end`], `Hint::first`,
//!   which only the engine's memory holds).
//! - A stream asked again after its last two responses came back short
//!   (stopped at their `Limit` having found under half the rows it holds
//!   at the page's selectivity, or too small to tell), or were drained
//!   (the merge had taken every row the stream held when each arrived:
//!   `drained_after`), gets at least `short_growth` times the last
//!   `Limit`, so round
//!   trips grow with the logarithm of what the estimates missed, never
//!   linearly. (Inside a run of ties the page reads whole, fetching pins
//!   the request to the run's value with no `Limit`: see `streams`.)
//! - On a cold page (which reads past runs), a stream whose round `Limit`
//!   would carry it into a run of ties another stream is inside (a nightly
//!   batch at one millisecond lies on every stream), the round's window
//!   reaching it, reads to the run's value with no `Limit`, and past it by
//!   a read ahead with what the `Limit` leaves ([`Round::through`]): the
//!   run's first 1 MB page comes in that round trip, not after a `Limit`
//!   stopped a few dozen items into it. Where the items up to the run do
//!   not fit the `Limit` (a cold page's window often reaches a run its page
//!   never gets to), the round's request is sent as planned.
//! - A window planned after one whose round found no row reaches at least
//!   `dry_growth` (four) times as far as that one did, its `Limit`s as the
//!   estimate sizes them: a stretch with none of the page's rows is
//!   crossed in round trips that grow with the logarithm of its length
//!   (base four: a window that aimed past the need by the Poisson slack
//!   and came back empty says the density fell by more than that).
//! - A page with nothing to start from (cold: no cursor, hint or memory)
//!   plans a round of at most `cold_growth` times the items it has read
//!   (a window's guard comes on top), or, where that is more, the items
//!   that would hold `cold_overshoot` (two) times the rows it needs at the
//!   highest selectivity its rows found plausibly hide (three rows more
//!   than found): its estimates rest on a probe, and a probe of a quiet
//!   stretch extrapolated fifty-fold reads many times the page's bound,
//!   while one of a rare filter value that found a row or none bounds its
//!   share loosely, and a round held to a multiple of it finds a fraction
//!   of the page. It pools its streams' selectivities by the key
//!   distance each probe covered as well as by items, and plans with the
//!   larger: a sparse stream's probe spans hours a dense one's did not
//!   reach, where a filter value's share may be several times higher.
//!   While the rows found are under `cold_sample` of the need and the
//!   page has made fewer than `late_after` round trips, a round its cap
//!   does not bind takes the selectivity ahead to be `cold_sigmas`
//!   standard errors (of the rows found, a Poisson count) higher than
//!   found: a probe of the night extrapolated over the evening read
//!   several times the page's bound, and a round that ends short costs a
//!   round trip, not items read for good.
//!   On a range open where the streams start reading, the earliest
//!   position any of them reached stands in for where each started
//!   ([`Adaptive::spans`]).
//! - A round planned once the page has made two round trips (its requests
//!   go out third or later) aims past the need by `late_sigmas` standard
//!   errors of the selectivity too, as a Poisson count of the rows it
//!   rests on: a shortfall there costs a fourth round trip, and a cold
//!   page's selectivity rests on a few dozen rows (a resumed page's on
//!   thousands of items, so it moves little there).
//! - A round planned once the page has made `escalate_after` round trips
//!   aims at `short_growth` times the need, and each round after it
//!   `short_growth` times again ([`escalation`]), as does a `Limit` asked
//!   outside a round: the estimates have
//!   fallen short round after round, so the data changed under the page,
//!   and what it reads grows geometrically, as a `Limit` that keeps coming
//!   back short does (at pages of 1 and 20 the rounds past the fourth
//!   took up to seven round trips).
//! - A stream whose last windows came back empty reads by `Limit` alone
//!   (see `streams`), and that read is a probe for its next rows: its
//!   `Limit` holds `urgent_rows` rows at the page's selectivity, not the
//!   item or two its window planned ([`Sizing::probe_limit`]).
//! - A window bounds a read; its `Limit` only guards against a density far
//!   off: 15 % over the planned `Limit` where the density is measured, 25 %
//!   in a late round, on a cold page, and on a coarse grid, where the
//!   window holds its last point (a date) whole ([`guard_factor`]).
//! - The selectivity a page carries to the next is pooled with what the
//!   earlier pages saw, unless the page's own differs from it by more
//!   than sampling explains (`shift_sigmas` standard errors): then the
//!   data changed (an evening's share of a filter value, a sale), and the
//!   page's own counts alone are carried, with the earlier ones beside
//!   them: after a fall, the next page's first round is sized by the
//!   geometric mean of the two ([`Adaptive::first_pool`]).

use super::axis::{self, Axis};
use super::daily::{count_row, Curve, DayCurve, Tally, BUCKETS};
use super::estimate::{self, Span, StreamEstimate, Target};
use super::grid::Grid;
use super::state::{Ahead, First, Hint, Reach, MAX_AHEAD};
use super::tuning::Tuning;
use super::{position, BadState, Ctx, PageEnd, Point, Response, Round, Sizing, SizingStart};
use crate::encoding::Direction;
use crate::value::{Item, Value};

const T: Tuning = Tuning::DEFAULT;

/// Most rows of one response counted per hour of the day ([`daily`](super::daily)).
const DAY_SAMPLES: usize = 32;

/// How a stream's last response ended, for geometric growth.
#[derive(Debug, Clone, Copy, Default)]
struct Growth {
    /// Responses in a row that came back short (see `observe`).
    short: u8,
    /// Responses in a row that arrived with the stream's rows all taken,
    /// after an earlier one of the page (see `observe`).
    drained: u8,
    /// The last request's `Limit`.
    last_limit: u32,
}

/// The adaptive policy's state for one page.
pub(crate) struct Adaptive {
    /// `(matched, scanned)` earlier pages observed (or the caller's hint).
    prior: (u64, u64),
    /// Rows earlier pages took from each stream, as pseudo-counts.
    prior_taken: Vec<f64>,
    prior_taken_total: f64,
    /// How far earlier pages' rows reached.
    prior_reach: Option<Reach>,
    /// The step of the grid earlier pages found.
    prior_grid: Option<u64>,
    /// Items the last page evaluated on the cursor's run of ties.
    prior_run_items: u64,
    /// Rows of the cursor's run after the cursor, when the last page read
    /// it whole and held them (0: none, or unknown).
    prior_run_rest: u64,
    /// The selectivity the last page shifted away from (`(0, 0)`: none).
    prior_from: (u64, u64),
    /// Where a resumed page starts on the first sort-key column.
    page_start: Option<Value>,
    /// The grid the items' positions lie on, so windows end between points.
    grid: Grid,
    growth: Vec<Growth>,
    start: SizingStart,
    /// Each stream's frontier and items along the key when the last round
    /// was planned (numeric axes), so the next sees what was read since.
    last_read: Vec<Option<(f64, u64)>>,
    /// Each stream's items evaluated and rows found when the last round
    /// was planned, so the next sees the selectivity read since.
    last_counts: Vec<(u64, u64)>,
    /// The page's first window is the cursor's run of ties alone, which
    /// the page reads whole: its first requests need no `Limit`.
    run_window: bool,
    /// The factor of the last window's `Limit` guard ([`guard_factor`]).
    window_guard: f64,
    /// The last window (numeric axes): how far it reached past the
    /// rearmost stream's frontier, and the rows its streams had found by
    /// then.
    last_window: Option<(f64, u64)>,
    /// What the last page read past the cursor, where it holds this page.
    prior_ahead: Option<Ahead>,
    /// The page's first window is the stretch the last page read past
    /// the cursor and found this page's rows in (`prior_ahead`).
    ahead_window: bool,
    /// Each stream's responses this page (numeric axes), for what the
    /// page read past its last row ([`Adaptive::ahead`]).
    segs: Vec<Vec<Seg>>,
    /// Where the same query's first page ended when the engine last ran
    /// it (a warm first page only).
    prior_first: Option<First>,
    /// The page's first window is where that page ended (`prior_first`).
    warm_window: bool,
    /// Seconds covered and rows found per hour of the day by earlier
    /// pages (date-time keys: [`daily`](super::daily)).
    prior_day: DayCurve,
    /// The rows each stream's responses found this page, per hour of the
    /// day (the time it covered is from its start to its frontier).
    page_rows: Vec<[f64; BUCKETS]>,
    /// Each stream's rows and the seconds it covered on earlier pages.
    prior_tally: Vec<Tally>,
}

/// One response of a stream along the first sort-key column: where it
/// started reading, the items it evaluated, and its last row's position.
/// Two parses a response, none a row: a parse per row would cost more
/// than the merge on long pages.
#[derive(Debug, Clone, Copy)]
struct Seg {
    from: f64,
    scanned: u64,
    last: Option<f64>,
}

impl Adaptive {
    pub fn new(streams: usize) -> Adaptive {
        Adaptive {
            prior: (0, 0),
            prior_taken: vec![0.0; streams],
            prior_taken_total: 0.0,
            prior_reach: None,
            prior_grid: None,
            prior_run_items: 0,
            prior_run_rest: 0,
            prior_from: (0, 0),
            page_start: None,
            grid: Grid::default(),
            growth: vec![Growth::default(); streams],
            start: SizingStart::Cold,
            last_read: Vec::new(),
            last_counts: Vec::new(),
            run_window: false,
            window_guard: T.window_guard_factor,
            last_window: None,
            prior_ahead: None,
            ahead_window: false,
            segs: vec![Vec::new(); streams],
            prior_first: None,
            warm_window: false,
            prior_day: DayCurve::default(),
            page_rows: vec![[0.0; BUCKETS]; streams],
            prior_tally: vec![Tally::default(); streams],
        }
    }

    /// The earlier pages' counts per hour of the day and this page's: the
    /// rows its responses found, and the time from each stream's start to
    /// its frontier (to its last row, once done). Empty where the first
    /// sort-key column is no time finer than a day ([`axis::time_unit`]).
    fn day_counts(&self, ctx: &Ctx<'_>) -> (DayCurve, Vec<Tally>, f64) {
        let mut day = self.prior_day.clone();
        let mut tallies = self.prior_tally.clone();
        let (Some((_, dir)), Some(unit)) = (ctx.pos_col, time_unit(ctx)) else { return (day, tallies, 0.0) };
        let seconds = |p: Option<&Point>| p.and_then(|p| axis::seconds(&p.0));
        // Each stream's stretch this page, in seconds since the epoch.
        let stretches: Vec<Option<(f64, f64)>> = ctx
            .streams
            .iter()
            .enumerate()
            .map(|(i, st)| {
                let from = seconds(st.start_pos)?;
                let to = if st.done {
                    // Positions of rows: `unit` seconds, negated newest first.
                    let scale = if *dir == Direction::Desc { -unit } else { unit };
                    self.last_row(i).map(|x| x * scale)
                } else {
                    seconds(st.frontier)
                }?;
                Some((from, to))
            })
            .collect();
        for ((tally, rows), stretch) in tallies.iter_mut().zip(&self.page_rows).zip(&stretches) {
            if let Some((from, to)) = stretch {
                *tally = tally.then(rows.iter().sum(), (to - from).abs());
            }
        }
        let rate: f64 = tallies.iter().map(Tally::rate).sum();
        for ((tally, rows), stretch) in tallies.iter().zip(&self.page_rows).zip(&stretches) {
            if let (Some((from, to)), true) = (stretch, rate > 0.0) {
                day.add(&DayCurve::of_stream(*from, *to, rows, tally.rate() / rate));
            }
        }
        (day, tallies, rate)
    }

    /// Counts `rows` (one response's, in key order) per hour of the day,
    /// from at most [`DAY_SAMPLES`] of them spread evenly, each standing
    /// for its share: a parse per row would cost more than the merge on
    /// long pages. A row on the position of the row before it is inside a
    /// run of ties (a point, not a rate) and is not counted.
    fn count_rows(&mut self, i: usize, attr: &str, rows: &[Item]) {
        let Some(first) = rows.first().and_then(|r| r.get(attr)) else { return };
        if axis::seconds(first).is_none() {
            return;
        }
        let Some(counts) = self.page_rows.get_mut(i) else { return };
        let step = rows.len().div_ceil(DAY_SAMPLES).max(1);
        let weight = step as f64;
        for j in (0..rows.len()).step_by(step) {
            let v = rows[j].get(attr);
            if j > 0 && v == rows[j - 1].get(attr) {
                continue;
            }
            if let Some(t) = v.and_then(axis::seconds) {
                count_row(counts, t, weight);
            }
        }
    }

    /// The rate of rows along the hours of the day the counts give, where
    /// the key is a time finer than an hour's grid.
    fn day_curve(&self, ctx: &Ctx<'_>) -> Option<Curve> {
        // A page with no earlier page's counts (a cold one) would draw the
        // curve from its probe: a few hours, and a sparse stream's days of
        // a few rows.
        if self.prior_day.is_empty() {
            return None;
        }
        let (_, dir) = ctx.pos_col?;
        let unit = time_unit(ctx)?;
        let step = self.grid.step().or(self.prior_grid);
        if step.is_some_and(|s| s as f64 * unit >= 3600.0) {
            return None;
        }
        let (day, _, rate) = self.day_counts(ctx);
        day.curve(T.day_rows, *dir == Direction::Desc, rate, unit)
    }

    /// The selectivity the next page starts from: this page's counts
    /// pooled with the prior, unless the two disagree by more than their
    /// sampling error allows (`shift_sigmas`): then the data changed under
    /// the pagination (an evening's share of a filter value, a sale) and
    /// the page's own counts alone are carried.
    fn carried(&self, ctx: &Ctx<'_>) -> ((u64, u64), (u64, u64)) {
        let (page, prior) = (ctx.pool(), self.prior);
        if page.1 >= T.shift_items && prior.1 >= T.shift_items {
            let p0 = rate(prior);
            let se = (p0 * (1.0 - p0) * (1.0 / page.1 as f64 + 1.0 / prior.1 as f64)).sqrt();
            if (rate(page) - p0).abs() > T.shift_sigmas * se {
                return (page, prior);
            }
        }
        (self.pool(ctx), (0, 0))
    }

    /// Items stream `i` evaluated between `lo` and `hi` along the key (both
    /// included), each response's spread evenly over the distance it read.
    fn items_between(&self, ctx: &Ctx<'_>, i: usize, lo: f64, hi: f64) -> f64 {
        let (Some((_, dir)), Some(segs), Some(st)) = (ctx.pos_col, self.segs.get(i), ctx.streams.get(i))
        else {
            return 0.0;
        };
        let end = st.frontier.and_then(|p| axis::numeric_position(&p.0, *dir));
        let mut n = 0.0;
        for (j, seg) in segs.iter().enumerate() {
            let last = seg.last.unwrap_or(seg.from);
            let to = segs.get(j + 1).map(|s| s.from).or(end).unwrap_or(last).max(seg.from);
            n += if to > seg.from {
                let overlap = (to.min(hi) - seg.from.max(lo)).clamp(0.0, to - seg.from);
                seg.scanned as f64 * overlap / (to - seg.from)
            } else if lo <= seg.from && seg.from <= hi {
                seg.scanned as f64
            } else {
                0.0
            };
        }
        n
    }

    /// Stream `i`'s last row's position along the key (numeric axes): its
    /// last response's with rows.
    fn last_row(&self, i: usize) -> Option<f64> {
        self.segs.get(i)?.iter().rev().find_map(|s| s.last)
    }

    /// What the page read past its last row, where that holds the next
    /// page's rows (the page size and the look-ahead): the distance from
    /// the last row to the position of the last of those rows, and each
    /// stream's items there. Only rows short of every reading stream's
    /// frontier count: past one, that stream may hold rows nobody read.
    fn ahead(&self, ctx: &Ctx<'_>, end: &PageEnd<'_>) -> Option<Ahead> {
        let (attr, dir) = ctx.pos_col?;
        let at = |it: &Item| axis::item_position(it, attr, *dir);
        let cursor = at(end.rows.last()?)?;
        let mut known = f64::INFINITY;
        for st in ctx.streams.iter().filter(|s| !s.done) {
            known = known.min(axis::numeric_position(&st.frontier?.0, *dir)?);
        }
        let mut past: Vec<f64> =
            held_past(ctx, end).filter_map(at).filter(|x| *x >= cursor && *x <= known).collect();
        if ctx.whole_points {
            // The rest of the last row's run, held by the tie re-sort.
            past.extend(std::iter::repeat_n(cursor, end.run_rest));
        }
        let rows = ctx.page.saturating_add(1);
        if past.len() < rows {
            return None;
        }
        past.sort_by(f64::total_cmp);
        let to = past[rows - 1];
        // A page that merges the index order resumes inside a point and
        // may stop inside one: a window, which holds its last point whole,
        // bounds nothing there. Where the rows show points of several (a
        // date of date-only keys, a nightly batch), or the next page's
        // rows lie on the cursor's own point, the `Limit`s alone would
        // bound the read, and the items to a row inside a point are not
        // known: no stretch is carried.
        if !ctx.whole_points && (to == cursor || past.windows(2).any(|w| w[0] == w[1])) {
            return None;
        }
        let items = (0..ctx.streams.len())
            .map(|i| self.items_between(ctx, i, cursor, to).ceil().min(MAX_AHEAD as f64) as u32)
            .collect();
        Some(Ahead { rows: rows as u64, span: to - cursor, items })
    }

    /// Where a first page ended, for the engine to remember: the position
    /// of its look-ahead row (the next page's first row) on the first
    /// sort-key column, and each stream's items up to there. A repeated
    /// run of the page reads the same range; over the same rows it finds
    /// its rows and the look-ahead row there, and reads no further.
    ///
    /// The items are an upper bound, never an interpolation: every
    /// response but those that started past the end counts whole (on axes
    /// with no numeric reading, all the stream read). Spread evenly over
    /// a response's distance, a burst's items were misplaced several-fold
    /// (`docs/PERFORMANCE.md`); a `Limit` too small costs a round trip,
    /// while the window bounds what one too large reads. Only a page
    /// that merged (it knows its next row) leaves one.
    fn first_end(&self, ctx: &Ctx<'_>, end: &PageEnd<'_>) -> Option<First> {
        let (attr, dir) = ctx.pos_col?;
        let last = end.rows.last()?;
        let key = |it| position(it, attr, *dir);
        let next: &Item = if ctx.whole_points && end.run_rest > 0 {
            // The tie re-sort holds the rest of the last row's run: the
            // next row lies on the last row's position.
            last
        } else {
            held_past(ctx, end).filter_map(|it| Some((key(it)?.1, it))).min_by(|a, b| a.0.cmp(&b.0))?.1
        };
        let (value, at) = key(next)?;
        if at < key(last)?.1 {
            return None;
        }
        // A page that merges the index order may stop inside a point, where
        // the window (which holds its last point whole) bounds nothing and
        // the `Limit`s, upper bounds, read on into it: a date of date-only
        // keys, a nightly batch. Where the end's point holds rows of the
        // page or held past it besides the next row, none is remembered.
        let on_end = |it: &&Item| position(it, attr, *dir).is_some_and(|(_, k)| k == at);
        if !ctx.whole_points && end.rows.iter().chain(held_past(ctx, end)).filter(on_end).count() >= 2 {
            return None;
        }
        let x = axis::numeric_position(value?, *dir);
        let items = (0..ctx.streams.len())
            .map(|i| {
                let all = ctx.streams[i].obs.scanned;
                // Every response after the stream's first that started past
                // the end is left out; the first starts at the range's start.
                let past: u64 = match (x, self.segs.get(i)) {
                    (Some(x), Some(segs)) => {
                        segs.iter().skip(1).filter(|s| s.from > x).map(|s| s.scanned).sum()
                    }
                    _ => 0,
                };
                all.saturating_sub(past).min(MAX_AHEAD) as u32
            })
            .collect();
        Some(First { rows: end.rows.len() as u64 + 1, end: value?.clone(), items })
    }

    /// The state the next page starts from, as a [`Hint`].
    fn hint(&self, ctx: &Ctx<'_>, end: &PageEnd<'_>) -> Option<Hint> {
        let last = end.rows.last()?;
        let needed: Vec<u64> = (0..ctx.streams.len()).map(|i| Adaptive::items_up_to(ctx, i, last)).collect();
        let (carried, from) = self.carried(ctx);
        let mut hint = Hint::new(carried, &needed);
        hint.shifted_from = from;
        hint.reach = self.reach(ctx, end.rows);
        hint.grid = self.grid.step().or(self.prior_grid);
        let on_start: u64 = (0..ctx.streams.len()).map(|i| Adaptive::items_on_start(ctx, i, last)).sum();
        hint.run_items = if on_start > 0 { on_start } else { Adaptive::run_items_by_rows(ctx, end, carried) };
        hint.run_rest = end.run_rest as u64;
        hint.ahead = self.ahead(ctx, end);
        let (day, tallies, _) = self.day_counts(ctx);
        if !day.is_empty() {
            hint.day = Some(day);
            hint.tallies = tallies;
        }
        Some(hint)
    }

    /// The selectivity a resumed page's first round is sized by. After a
    /// shift down (the last page's selectivity fell below the one before
    /// it, and was carried alone) neither side is trusted: pages shorter
    /// than a day alternate between an evening's share of a filter value
    /// and the day's, and `Limit`s sized at the day's read an evening
    /// several times over. The first round takes the geometric mean of
    /// the two (a factor off either way, not the whole ratio); the page's
    /// own counts size every later round. After a shift up the carried
    /// (higher) selectivity already reads the fewer items.
    fn first_pool(&self, ctx: &Ctx<'_>) -> (u64, u64) {
        let (from, now) = (rate(self.prior_from), rate(self.prior));
        if self.prior_from.1 == 0 || from <= now {
            return self.pool(ctx);
        }
        let n = self.prior.1.max(1);
        let between = ((from * now).sqrt() * n as f64).round() as u64;
        (between.min(n), n)
    }

    /// The page's pool with the prior.
    fn pool(&self, ctx: &Ctx<'_>) -> (u64, u64) {
        let (m, n) = ctx.pool();
        (m + self.prior.0, n + self.prior.1)
    }

    fn estimated(&self, ctx: &Ctx<'_>, i: usize) -> StreamEstimate {
        let s = &ctx.streams[i];
        StreamEstimate {
            obs: s.obs,
            buffered: s.buffer.len(),
            prior_taken: self.prior_taken.get(i).copied().unwrap_or(0.0),
        }
    }

    /// `limit` raised for a stream that keeps coming back short while the
    /// merge waits on it (its buffer is empty). A stream read ahead of need
    /// with rows at hand is not grown: its last `Limit` was met, not missed.
    fn grown(&self, ctx: &Ctx<'_>, i: usize, limit: u32) -> u32 {
        if ctx.streams.get(i).is_some_and(|s| !s.buffer.is_empty()) {
            return limit;
        }
        // Once the stream came back short twice in a row (once is what a
        // fair estimate often does), or the merge drained it and waited on
        // it again twice in a row.
        let Some(g) = self.growth.get(i).filter(|g| g.short >= T.short_after || g.drained >= T.drained_after)
        else {
            return limit;
        };
        let floor = (f64::from(g.last_limit) * f64::from(T.short_growth)).min(T.max_limit) as u32;
        limit.max(floor)
    }

    /// The most a round may ask for in all on a page with no prior (see
    /// [`Tuning::cold_growth`]); `None` once the page started from
    /// earlier pages, a hint or the engine's memory, or before it read
    /// anything (its probe is sized by the prior selectivity).
    fn cold_cap(&self, ctx: &Ctx<'_>) -> Option<f64> {
        let (matched, scanned) = ctx.pool();
        (self.prior.1 == 0 && scanned > 0).then(|| {
            // Or the items that would hold `cold_overshoot` times the need
            // at the highest selectivity the rows found plausibly hide: a
            // probe that found none bounds a rare filter value's share
            // loosely.
            let plausible = (matched as f64 + T.cold_hidden_rows) / scanned as f64;
            (T.cold_growth * scanned as f64).max(T.cold_overshoot * ctx.need as f64 / plausible)
        })
    }

    /// Every stream's progress as numbers along the first sort-key column,
    /// with the axis and a value of the column to write a position back.
    fn spans(&self, ctx: &Ctx<'_>, heads: &[(usize, &Item)]) -> Option<(Vec<Span>, Axis, Option<Value>)> {
        let (attr, dir) = ctx.pos_col?;
        let held: Vec<Vec<(Option<&Value>, Vec<u8>)>> = (0..ctx.streams.len())
            .map(|i| {
                heads
                    .iter()
                    .filter(|(j, _)| *j == i)
                    .map(|(_, it)| *it)
                    .chain(ctx.streams[i].buffer.iter().map(|r| &r.item))
                    .filter_map(|it| position(it, attr, *dir))
                    .collect()
            })
            .collect();
        let mut points: Vec<(Option<&Value>, &[u8])> = Vec::new();
        for (st, h) in ctx.streams.iter().zip(&held) {
            points.extend(st.start_pos.into_iter().chain(st.frontier).map(|(v, k)| (Some(v), k.as_slice())));
            points.extend(h.iter().map(|(v, k)| (*v, k.as_slice())));
        }
        let axis = Axis::new(&points, *dir);
        let template = points.iter().find_map(|(v, _)| v.cloned());
        let at = |p: &Point| axis.position(Some(&p.0), &p.1);
        // On a range open where the streams start reading (`created_at >
        // :since` newest first), nothing says where each started: its first
        // row is well past that on a sparse stream, and a stream that has
        // found none has no start at all (its page could plan no round, and
        // read by `Limit` alone). They read one index: the earliest
        // position any of them reached stands in for where each started.
        let open_start = ctx
            .streams
            .iter()
            .filter(|s| s.open_start && !s.done)
            .flat_map(|s| s.start_pos.into_iter().chain(s.frontier))
            .min_by(|a, b| a.1.cmp(&b.1));
        // Row positions are recorded as numbers: on another axis they mean nothing.
        let numeric = matches!(axis, Axis::Numeric(_));
        let spans = ctx
            .streams
            .iter()
            .zip(&held)
            .enumerate()
            .map(|(i, (st, h))| {
                let row = self.last_row(i);
                let start_pos = if st.open_start { open_start } else { st.start_pos };
                let (start, frontier) = if st.done { (0.0, 0.0) } else { (at(start_pos?), at(st.frontier?)) };
                Some(Span {
                    start,
                    frontier,
                    scanned: st.obs.scanned,
                    matched: st.obs.matched,
                    along: st.obs.along(frontier > start),
                    done: st.done,
                    buffered: h.iter().map(|(v, k)| axis.position(*v, k)).collect(),
                    recent: None,
                    recent_rows: None,
                    past_last_row: numeric.then(|| (frontier - row.unwrap_or(start)).max(0.0)),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some((spans, axis, template))
    }

    /// Items stream `i` evaluated up to the position of `last`: all of
    /// them when its frontier is not past it; else the items on its start
    /// position (a run of ties: the cursor's, or one read through) and the
    /// share of the items along the key that the distance to `last` holds.
    /// A page that ends on its start position (inside one run of ties)
    /// needed that run's items, not none.
    fn items_up_to(ctx: &Ctx<'_>, i: usize, last: &Item) -> u64 {
        let st = &ctx.streams[i];
        let scanned = st.obs.scanned;
        let (Some((attr, dir)), Some(start), Some(frontier)) = (ctx.pos_col, st.start_pos, st.frontier)
        else {
            return scanned;
        };
        let Some((v, k)) = position(last, attr, *dir) else { return scanned };
        if k <= frontier.1 {
            let points = [(Some(&start.0), start.1.as_slice()), (Some(&frontier.0), &frontier.1), (v, &k)];
            let axis = Axis::new(&points, *dir);
            if !matches!(axis, Axis::Numeric(_)) {
                // Three keys make a poor byte odometer (its wheels span the
                // bytes they show, not the key's alphabet): a stream of a
                // `date#id` page read to an id twice as far as its last row's
                // got a share of nearly nothing, and the next page's first
                // request for it a `Limit` of 1. Interpolate by rows instead:
                // the share of its rows the page took.
                return Adaptive::items_by_rows(st);
            }
            let (a, f, b) = (
                axis.position(Some(&start.0), &start.1),
                axis.position(Some(&frontier.0), &frontier.1),
                axis.position(v, &k),
            );
            if f > a {
                let along = st.obs.along(true).min(scanned);
                let on_start = scanned - along;
                let by_distance =
                    on_start + (along as f64 * ((b - a) / (f - a)).clamp(0.0, 1.0)).ceil() as u64;
                // A stream whose start is its first row (a range open where
                // it reads) counted no items before that row, nor the rows
                // on it: by distance alone, a stream whose rows the page took
                // all lay on its first row's position needed nothing, and
                // the next page's first request for it had a `Limit` of 1.
                // It needed at least its share of rows' worth of items.
                return if st.open_start {
                    by_distance.max(Adaptive::items_by_rows(st))
                } else {
                    by_distance
                };
            }
        }
        scanned
    }

    /// The items a stream evaluated in the share of its rows the page took.
    fn items_by_rows(st: &super::StreamView<'_>) -> u64 {
        let (scanned, taken, matched) = (st.obs.scanned, st.obs.taken as f64, st.obs.matched as f64);
        ((scanned as f64 * (taken + 1.0) / (matched + 1.0)).ceil() as u64).min(scanned)
    }

    /// Items stream `i` evaluated on its start position when `last` lies
    /// there (the page ended inside the run of ties it started on, or read
    /// through); else 0.
    fn items_on_start(ctx: &Ctx<'_>, i: usize, last: &Item) -> u64 {
        let st = &ctx.streams[i];
        let (Some((attr, dir)), Some(start)) = (ctx.pos_col, st.start_pos) else { return 0 };
        match position(last, attr, *dir) {
            Some((_, k)) if k == start.1 => st.obs.scanned - st.obs.along(true).min(st.obs.scanned),
            _ => 0,
        }
    }

    /// Items on the last row's position, from its rows, where the page did
    /// not start there (so no stream counted them): the page's rows there
    /// and the rest of the run it holds for the next page, at the
    /// selectivity carried. Only where the next page reads that run again
    /// (runs are read whole) and it is a run (two rows or more); else 0.
    fn run_items_by_rows(ctx: &Ctx<'_>, end: &PageEnd<'_>, carried: (u64, u64)) -> u64 {
        let Some((attr, dir)) = ctx.pos_col.filter(|_| ctx.whole_points) else { return 0 };
        let key = |it: &Item| position(it, attr, *dir).map(|(_, k)| k);
        let Some(last) = end.rows.last().and_then(key) else { return 0 };
        let on_last = end.rows.iter().rev().take_while(|r| key(r).as_ref() == Some(&last)).count();
        let rows = on_last + end.run_rest;
        if rows < 2 {
            return 0;
        }
        let selectivity = if ctx.filtered { rate(carried) } else { 1.0 };
        ((rows as f64 / selectivity).ceil() as u64).min(super::state::MAX_RUN_ITEMS)
    }

    /// The prior reach and this page's, pooled: from the cursor's position
    /// (or, on a first page, from its first row) to its last row, runs of
    /// ties at either end left out ([`page_stretch`]).
    fn reach(&self, ctx: &Ctx<'_>, rows: &[Item]) -> Option<Reach> {
        let (attr, dir) = ctx.pos_col?;
        let at = |it: &Item| axis::item_position(it, attr, *dir);
        let from = match &self.page_start {
            Some(start) => axis::numeric_position(start, *dir)?,
            None => at(rows.first()?)?,
        };
        // The distance runs to the last row's position: none, no reach.
        at(rows.last()?)?;
        let positions: Vec<f64> = rows.iter().filter_map(at).collect();
        let step = self.grid.step().or(self.prior_grid).map_or(0.0, |s| s as f64);
        let (rows, span) = page_stretch(&positions, from, self.page_start.is_none(), step);
        Reach::then(self.prior_reach, rows, span)
    }
}

impl Sizing for Adaptive {
    fn resume(
        &mut self,
        ctx: &Ctx<'_>,
        state: &[u8],
        start: Option<&Value>,
        how: SizingStart,
    ) -> Result<(), BadState> {
        let Some(hint) = Hint::decode(state, ctx.streams.len())? else { return Ok(()) };
        self.start = how;
        self.prior = hint.selectivity;
        self.prior_reach = hint.reach;
        self.prior_grid = hint.grid;
        self.prior_run_items = hint.run_items;
        self.prior_run_rest = hint.run_rest;
        self.prior_from = hint.shifted_from;
        self.prior_ahead = hint.ahead.filter(|a| a.items.len() == ctx.streams.len());
        self.prior_day = hint.day.unwrap_or_default();
        if hint.tallies.len() == ctx.streams.len() {
            self.prior_tally = hint.tallies;
        }
        // Only the engine's memory of a first page says where one ended.
        self.prior_first =
            hint.first.filter(|f| how == SizingStart::Warm && f.items.len() == ctx.streams.len());
        self.page_start = start.cloned();
        if let Some(x) = start.zip(ctx.pos_col).and_then(|(v, (_, d))| axis::numeric_position(v, *d)) {
            self.grid.observe(x);
        }
        if hint.shares.len() == self.prior_taken.len() {
            let total: f64 = hint.shares.iter().map(|s| f64::from(*s)).sum();
            if total > 0.0 {
                for (p, s) in self.prior_taken.iter_mut().zip(&hint.shares) {
                    *p = f64::from(*s) / total * T.share_weight;
                }
                self.prior_taken_total = T.share_weight;
            }
        }
        Ok(())
    }

    fn hint_selectivity(&mut self, selectivity: f64) {
        // As if `carried_items` items had shown it: it sizes the first
        // requests and fades as the page's own counts grow.
        let n = T.carried_items / 4;
        let s = selectivity.clamp(0.0, 1.0);
        self.prior = ((s * n as f64).round() as u64, n);
        self.start = SizingStart::Hinted;
    }

    fn start(&self) -> SizingStart {
        self.start
    }

    fn first_window(&mut self, ctx: &Ctx<'_>) -> Option<Value> {
        if self.page_start.is_none() {
            // A repeated first page of the same size: where the engine
            // saw it end (of another size, that holds too few rows or
            // reads too far).
            let first =
                self.prior_first.as_ref().filter(|f| f.rows == ctx.need as u64 && ctx.pos_col.is_some())?;
            self.warm_window = true;
            // Its `Limit`s are upper bounds already (`first_end`).
            self.window_guard = 1.0;
            return Some(first.end.clone());
        }
        let (start, (_, dir)) = (self.page_start.as_ref()?, ctx.pos_col?);
        let x = axis::numeric_position(start, *dir)?;
        let grid = self.prior_grid.map_or_else(Grid::default, |step| Grid::given(x, step));
        // The last page said how many rows of its last row's run of ties
        // it left after the cursor (the next page's first rows): a page that
        // reads runs whole reads that run again, one that does not resumes
        // inside it.
        let rest = self.prior_run_rest;
        let run_window = ctx.whole_points && rest >= ctx.need as u64;
        let ahead = self.prior_ahead.as_ref().filter(|a| !run_window && a.rows >= ctx.need as u64);
        let end = if let Some(a) = ahead {
            // The last page read this page's rows already: read to the
            // last of them, and no further.
            x + a.span
        } else if run_window {
            // The cursor's run holds the page: read it, whole (the tie
            // re-sort needs it so), and nothing past it. A page whose rows
            // all lay in that run measured no distance (no reach): the run
            // is the window all the same.
            x
        } else {
            let reach = self.prior_reach?;
            // On the grid earlier pages found: past the point nearest the
            // aim, at least one on (between points, the window would hold
            // only the points before its end, half a step's rows short on
            // average). The density earlier pages measured leaves out the
            // runs of ties at their ends (`page_stretch`), so the window aims
            // at the rows past the rest of the cursor's run the last page
            // left. It aims like every round, past the need by the Poisson slack: the
            // `Limit`s, sized to the need, bound what it reads, so a window
            // that ends short of them costs a second round for nothing.
            let aim = estimate::aim(ctx.need.saturating_sub(rest as usize).max(1), ctx.page);
            // On a key that is a time, along the rate of rows per hour of
            // the day (`daily`), from the one the earlier pages measured over
            // the stretch behind the cursor.
            let far = match self.day_curve(ctx) {
                Some(c) => {
                    // The aim in the curve's units, and short of an
                    // evening's edge where the evening expects half of it.
                    let amount = aim / reach.density() * c.mean(x - reach.span, x);
                    let far = c.reach(x, amount);
                    estimate::short_of_cliff(&c, x, far, amount, |e| c.between(x, e))
                }
                None => x + aim / reach.density(),
            };
            grid.past(grid.snap(far, x))
        };
        self.window_guard = guard_factor(grid.points_between(x, end), false);
        self.last_window = Some((end - x, 0));
        // The run's window ends on the run's own value: a position written
        // back as a key rounds (a date to the nearest day, a time to the
        // second), and may take in the next point.
        let axis = Axis::Numeric(*dir);
        let value = if run_window { Some(start.clone()) } else { axis.value_at(end, start) };
        // No `Limit` only where a window bounds the read.
        self.run_window = run_window && value.is_some();
        // The last page's items there size the `Limit`s only where the
        // window bounds the read.
        self.ahead_window = ahead.is_some() && value.is_some();
        value
    }

    fn limit(&self, ctx: &Ctx<'_>, i: usize) -> u32 {
        let obs = self.estimated(ctx, i);
        if obs.obs.scanned == 0 && self.run_window {
            return T.max_limit as u32;
        }
        let first = self.prior_first.as_ref().filter(|_| self.warm_window && obs.obs.scanned == 0);
        if let Some(items) = first.and_then(|f| f.items.get(i)) {
            // What the stream read up to there last time, at most: the
            // window bounds the read.
            return (*items).max(1);
        }
        let ahead = self.prior_ahead.as_ref().filter(|_| self.ahead_window && obs.obs.scanned == 0);
        let limit = if let Some(items) = ahead.and_then(|a| a.items.get(i)) {
            // The items the last page read there, spread evenly over each
            // response's distance: a guard, the window bounds the read.
            let run = if ctx.whole_points { self.prior_run_items as f64 } else { 0.0 };
            (f64::from(*items) * T.ahead_guard + run + f64::from(T.window_guard_items))
                .min(estimate::MAX_LIMIT) as u32
        } else if obs.obs.scanned == 0 && self.prior_taken_total > 0.0 {
            // A page resuming a cursor: the stream's share of the items the
            // last page needed.
            let share = obs.prior_taken / self.prior_taken_total;
            let limit = estimate::first_round_limit(share, ctx.need, ctx.filtered, self.first_pool(ctx));
            // A page that reads runs of ties whole reads the cursor's run
            // again before any row past the cursor: its items come on top.
            let rereads = ctx.whole_points && self.page_start.is_some();
            let run = if rereads { (share * self.prior_run_items as f64).ceil() } else { 0.0 };
            (f64::from(limit) + run).min(estimate::MAX_LIMIT) as u32
        } else {
            let want =
                estimate::wanted(&obs, ctx.need, ctx.taken(), ctx.active(), self.prior_taken_total).max(1);
            estimate::limit_for(&obs, want, ctx.filtered, self.pool(ctx))
        };
        // Past `escalate_after` round trips a `Limit` asked outside a round
        // grows as a round's aim does (`escalation`).
        let limit = (f64::from(limit) * escalation(ctx.round_trips)).min(estimate::MAX_LIMIT) as u32;
        let limit = self.grown(ctx, i, limit);
        match self.cold_cap(ctx) {
            Some(cap) => limit.min((cap / ctx.active().max(1) as f64).ceil().max(1.0) as u32),
            None => limit,
        }
    }

    fn windowed_limit(&self, limit: u32) -> u32 {
        let guard = ((f64::from(limit) * self.window_guard).ceil() as u32)
            .max(limit.saturating_add(T.window_guard_items));
        // Never past the largest `Limit` asked for, unless `limit` is.
        guard.min(T.max_limit as u32).max(limit)
    }

    fn probe_limit(&self, ctx: &Ctx<'_>, i: usize, planned: u32) -> u32 {
        // Sized for a window, a sparse stream's `Limit` is an item or two;
        // read without one, a `Limit` that finds a row inside the page still
        // leaves the merge waiting on the stream's next, a round trip
        // later. Ask for the items that hold `urgent_rows` rows, as the
        // stream the merge waits on does.
        let obs = self.estimated(ctx, i);
        let floor = estimate::limit_for(&obs, T.urgent_rows, ctx.filtered, self.pool(ctx));
        planned.max(self.grown(ctx, i, floor))
    }

    fn round(&mut self, ctx: &Ctx<'_>, urgent: usize, heads: &[(usize, &Item)]) -> Option<Round> {
        let (mut spans, axis, template) = self.spans(ctx, heads)?;
        let numeric = matches!(axis, Axis::Numeric(_));
        if numeric {
            for (s, last) in spans.iter_mut().zip(&self.last_read) {
                if let Some((f0, a0)) = *last {
                    s.recent = (s.frontier > f0).then(|| (s.frontier - f0, s.along.saturating_sub(a0)));
                }
            }
            self.last_read = spans.iter().map(|s| (!s.done).then_some((s.frontier, s.along))).collect();
        }
        for (s, (n0, m0)) in spans.iter_mut().zip(&self.last_counts) {
            s.recent_rows = Some((s.scanned.saturating_sub(*n0), s.matched.saturating_sub(*m0)));
        }
        self.last_counts = spans.iter().map(|s| (s.scanned, s.matched)).collect();
        let grid = numeric.then_some(&self.grid);
        let late = ctx.round_trips >= T.late_after;
        // The last window's round found no row: this one reaches at least
        // `dry_growth` times as far, so a stretch with none of the page's
        // rows costs round trips in the logarithm of its length, as a
        // `Limit` that keeps coming back short does (`grown`).
        let found = ctx.pool().0;
        let reach =
            self.last_window.filter(|&(_, at)| found <= at).map_or(0.0, |(d, _)| d * f64::from(T.dry_growth));
        let target = Target {
            need: ctx.need,
            page: ctx.page,
            prior: self.prior,
            whole_points: ctx.whole_points,
            late,
            min_reach: if numeric { reach } else { 0.0 },
            boost: escalation(ctx.round_trips),
            hedge: false,
        };
        let day = if numeric { self.day_curve(ctx) } else { None };
        let mut planned = estimate::plan_round(&spans, &target, grid, day.as_ref())?;
        let cold_cap = self.cold_cap(ctx);
        // A cold page's early round that its cap does not bind plans for a
        // higher selectivity than its probe found (`cold_sigmas`); one the
        // cap binds reads less than planned already, and a nearer window
        // would end it short of the cap.
        let asked: f64 = planned.limits.iter().flatten().map(|l| f64::from(*l)).sum();
        if cold_cap.is_some_and(|cap| asked <= cap) {
            if let Some(hedged) =
                estimate::plan_round(&spans, &Target { hedge: true, ..target }, grid, day.as_ref())
            {
                planned = hedged;
            }
        }
        let window = template.and_then(|t| axis.value_at(planned.end, &t));
        let behind = spans.iter().filter(|s| !s.done).map(|s| s.frontier).reduce(f64::min);
        self.last_window = behind.filter(|_| numeric).map(|b| (planned.end - b, found));
        let points = behind.zip(grid).and_then(|(from, g)| g.points_between(from, planned.end));
        // A cold page's window rests on a probe.
        self.window_guard = guard_factor(points, late || cold_cap.is_some());
        let mut limits: Vec<Option<u32>> =
            planned.limits.into_iter().enumerate().map(|(j, l)| l.map(|l| self.grown(ctx, j, l))).collect();
        if limits.get(urgent).is_some_and(Option::is_none) {
            // The estimate put the page's end at or before this stream's
            // frontier (ties there): read an even share of the need.
            let obs = self.estimated(ctx, urgent);
            let even = estimate::limit_for(
                &obs,
                ctx.need.div_ceil(ctx.active().max(1)),
                ctx.filtered,
                self.pool(ctx),
            );
            limits[urgent] = Some(self.grown(ctx, urgent, even));
        } else if let Some(Some(l)) = limits.get_mut(urgent) {
            // The merge waits on this stream's next row: the estimate may put
            // the page's end just past its frontier, but a `Limit` of a few
            // items finds no row most of the time at a low selectivity, and
            // each miss is a round trip. Ask for enough to expect
            // `urgent_rows` rows.
            let obs = self.estimated(ctx, urgent);
            let floor = estimate::limit_for(&obs, T.urgent_rows, ctx.filtered, self.pool(ctx));
            *l = (*l).max(self.grown(ctx, urgent, floor));
        }
        if let Some(cap) = cold_cap {
            let asked: f64 = limits.iter().flatten().map(|l| f64::from(*l)).sum();
            if asked > cap {
                for l in limits.iter_mut().flatten() {
                    *l = ((f64::from(*l) * cap / asked).ceil() as u32).max(1);
                }
            }
        }
        let through = if self.reads_past_runs() {
            through_runs(ctx, &spans, &axis, &mut limits, planned.end)
        } else {
            Vec::new()
        };
        Some(Round { limits, window, through })
    }

    fn is_point_mass(&self, ctx: &Ctx<'_>, i: usize, at: &Point, items: u64) -> bool {
        // Without a grid a point holds nothing in particular: a run is a mass.
        let (Some((_, dir)), Some(step)) = (ctx.pos_col, self.grid.step()) else { return true };
        let st = &ctx.streams[i];
        let Some(start) = st.start_pos else { return true };
        let (Some(x0), Some(x1)) =
            (axis::numeric_position(&start.0, *dir), axis::numeric_position(&at.0, *dir))
        else {
            return true;
        };
        let dist = x1 - x0;
        if dist <= 0.0 {
            return true;
        }
        // Items the stream read along the key before the run, per point.
        let before = st.obs.along(true).saturating_sub(items) as f64;
        let per_point = before / dist * step as f64;
        items as f64 > f64::from(T.point_mass_factor) * per_point.max(1.0)
    }

    fn reads_past_runs(&self) -> bool {
        // A cold page plans its rounds on a probe: nothing tells it how
        // much of the page a run's rest holds, and its rounds are the ones
        // a run costs most (a date of date-only keys is a run, and a page
        // meets one in every round). A page that starts from an estimate
        // (cursor, memory, hint) usually ends inside the run it stopped
        // in: reading past it there read more than it saved (README,
        // Performance: what was tried).
        self.start == SizingStart::Cold
    }

    fn wants(&self, ctx: &Ctx<'_>, i: usize) -> bool {
        let obs = self.estimated(ctx, i);
        estimate::wanted(&obs, ctx.need, ctx.taken(), ctx.active(), self.prior_taken_total) > 0
    }

    fn observe(&mut self, ctx: &Ctx<'_>, i: usize, response: &Response<'_>) {
        let Some((attr, dir)) = ctx.pos_col else { return };
        let at = |it: &Item| axis::item_position(it, attr, *dir);
        let last = response.items.last().and_then(at);
        let from = ctx
            .streams
            .get(i)
            .and_then(|st| st.frontier.or(st.start_pos))
            .and_then(|p| axis::numeric_position(&p.0, *dir))
            .or_else(|| response.items.first().and_then(at));
        if let (Some(from), Some(segs)) = (from, self.segs.get_mut(i)) {
            segs.push(Seg { from, scanned: response.scanned, last });
        }
        self.count_rows(i, attr, response.items);
        // Every item until the grid settles, then none: a lookup, a parse
        // and a gcd per row would cost more than the merge on long pages.
        if !self.grid.settled() {
            let seen = response.items.iter().chain(response.last_evaluated_key);
            for x in seen.filter_map(|it| axis::item_position(it, attr, *dir)) {
                self.grid.observe(x);
                if self.grid.settled() {
                    break;
                }
            }
        }
        // Short: stopped at its `Limit` and found under `short_yield` of the
        // rows that `Limit` holds at the page's selectivity. A read that
        // stops at its `Limit` having found what it was sized for did its
        // job (a read sized by `Limit` always stops there); doubling it
        // would read twice what the next request needs. A probe too small
        // to expect `short_rows` rows tells nothing either way: stopped,
        // it counts as short, so a stream read a few items at a time (the
        // merge waits on its next row) grows.
        let (m, n) = self.pool(ctx);
        let selectivity = if ctx.filtered { (m as f64 + 1.0) / (n as f64 + 2.0) } else { 1.0 };
        let sized_for = f64::from(response.limit) * selectivity;
        let stopped = response.last_evaluated_key.is_some() && response.scanned >= u64::from(response.limit);
        let found = response.items.len() as f64;
        let short = stopped && (sized_for < T.short_rows || found < sized_for * T.short_yield);
        // Drained: the merge took every row the stream held before this
        // response came (its earlier responses of the page included), so
        // the page needed more of it than it was asked for, again.
        let drained = stopped && ctx.streams.get(i).is_some_and(|s| s.buffer.is_empty() && s.obs.calls >= 2);
        let Some(g) = self.growth.get_mut(i) else { return };
        g.short = if short { g.short.saturating_add(1) } else { 0 };
        g.drained = if drained { g.drained.saturating_add(1) } else { 0 };
        g.last_limit = response.limit;
    }

    fn state(&self, ctx: &Ctx<'_>, end: &PageEnd<'_>) -> Vec<u8> {
        self.hint(ctx, end).map_or_else(Vec::new, |h| h.encode())
    }

    fn remembered_state(&self, ctx: &Ctx<'_>, end: &PageEnd<'_>) -> Vec<u8> {
        let Some(mut hint) = self.hint(ctx, end) else { return Vec::new() };
        hint.first = self.first_end(ctx, end);
        hint.encode()
    }
}

/// For each stream, the run of ties another stream is inside (the page
/// reads it whole: its pinned request reads the rest) that the stream's
/// `Limit` would carry it into this round, the round's window reaching it:
/// a nightly batch written at one millisecond lies on every stream at once.
/// Stopped by that `Limit` a few dozen items into its own run, the stream
/// would read the rest a round trip later, a 1 MB page after another on a
/// run of 100 000. Read as a stream inside the run is (to the run's value,
/// no `Limit`), it brings the first of them now, and the read ahead past
/// the run takes what is left of its `Limit` (set in `limits`: the read
/// past the run counts from the run on). Only where the items from the
/// stream's frontier up to the run, at its density along the key, fit in
/// its `Limit` (the round reads to the run anyway): a cold page's window,
/// placed by a probe, often reaches a run its page never gets to, and a
/// stream read to it would read a megabyte for nothing. Numeric axes only.
fn through_runs(
    ctx: &Ctx<'_>,
    spans: &[Span],
    axis: &Axis,
    limits: &mut [Option<u32>],
    end: f64,
) -> Vec<Option<Point>> {
    if !ctx.whole_points || !matches!(axis, Axis::Numeric(_)) {
        return Vec::new();
    }
    let runs: Vec<(f64, &Point)> = ctx
        .streams
        .iter()
        .filter(|s| !s.done)
        .filter_map(|s| s.run)
        .map(|p| (axis.position(Some(&p.0), &p.1), p))
        .collect();
    if runs.is_empty() {
        return Vec::new();
    }
    spans
        .iter()
        .zip(&ctx.streams)
        .zip(limits.iter_mut())
        .map(|((s, st), limit)| {
            let planned = (*limit)?;
            if s.done || st.run.is_some() || s.frontier <= s.start || s.along == 0 {
                return None;
            }
            let density = s.along as f64 / (s.frontier - s.start);
            let (at, run) = runs
                .iter()
                .filter(|(at, _)| *at > s.frontier && *at <= end)
                .min_by(|a, b| a.0.total_cmp(&b.0))?;
            let before = (density * (at - s.frontier)).ceil();
            (before <= f64::from(planned)).then(|| {
                // The read past the run counts from the run on.
                *limit = Some((f64::from(planned) - before).max(1.0) as u32);
                (*run).clone()
            })
        })
        .collect()
}

/// The rows a page read past its end and holds: those held outside the
/// streams' buffers (`PageEnd::held`), then every stream's buffered rows.
fn held_past<'a>(ctx: &'a Ctx<'_>, end: &'a PageEnd<'_>) -> impl Iterator<Item = &'a Item> {
    end.held.iter().chain(ctx.streams.iter().flat_map(|s| s.buffer.iter().map(|r| &r.item)))
}

/// The selectivity `(matched, scanned)` shows, half a row and one item
/// added (so none seen is not 0, and few items say little).
fn rate((matched, scanned): (u64, u64)) -> f64 {
    (matched as f64 + 0.5) / (scanned as f64 + 1.0)
}

/// The rows and the distance along the first sort-key column that a
/// page's density rests on, from its rows' positions in page order and
/// where it started: the cursor's position, or its first row on a first
/// page (`first_row`: that row marks the start and is not counted).
///
/// A run of ties at either end (the rest of the cursor's run the page read
/// again, a nightly batch it ended inside) is a point, not a density: with
/// one there, only the rows strictly between the two ends count, over the
/// distance between them less one grid `step` (the end points' own share
/// of it: a date's, on date keys). Counted in, two pages' worth of a
/// batch's rows over a day between batches made the day look several
/// times as dense. Where nothing lies between the ends, every row counts
/// over the whole distance; inside one run the distance is 0 (no density).
fn page_stretch(positions: &[f64], from: f64, first_row: bool, step: f64) -> (f64, f64) {
    let Some(&last) = positions.last() else { return (0.0, 0.0) };
    let lead = usize::from(first_row);
    let n = positions.len();
    let span = last - from;
    let on_start = positions.iter().take_while(|&&x| x == from).count();
    let on_last = positions.iter().rev().take_while(|&&x| x == last).count();
    let runs = on_start > lead || on_last > 1;
    let between = n.saturating_sub(on_start + on_last);
    if runs && span > step && between > 0 {
        return (between as f64, span - step);
    }
    (n.saturating_sub(lead) as f64, span)
}

/// How many times its need a round aims for once the page has made
/// `escalate_after` round trips: `short_growth` to the power of the rounds
/// past it. Each round trip past there says the estimates fell short again
/// (the data changed under the page: an evening, a sale, a run of ties),
/// so the next round reads geometrically more, as a `Limit` that keeps
/// coming back short grows (`grown`).
fn escalation(round_trips: u32) -> f64 {
    // Capped where the `Limit`s are anyway (`max_limit`): a page that
    // far along reads by the largest `Limit`.
    let k = round_trips.saturating_add(1).saturating_sub(T.escalate_after).min(16);
    f64::from(T.short_growth).powi(k as i32)
}

/// A window's `Limit` guard, as a factor of the planned `Limit`: at least
/// `window_guard_factor`. The window holds its last grid point whole
/// (`points`: whole points it holds past the stream furthest behind), so
/// on a coarse grid (a date) the guard covers that point's share, `1 /
/// points`: a `Limit` ending inside it costs a round trip to read the
/// rest. A `wide` round takes the most, `window_guard_most`: a late one
/// (its shortfall costs a fourth round trip; it aims past its need by the
/// estimate's error too) or a cold page's (its density rests on a probe).
fn guard_factor(points: Option<f64>, wide: bool) -> f64 {
    if wide {
        return T.window_guard_most;
    }
    points.map_or(T.window_guard_factor, |k| {
        (1.0 + 1.0 / k.max(1.0)).clamp(T.window_guard_factor, T.window_guard_most)
    })
}

/// The seconds a position along the first sort-key column spans, where
/// that key is a time finer than a day ([`axis::time_unit`]), read from
/// where the streams start.
fn time_unit(ctx: &Ctx<'_>) -> Option<f64> {
    ctx.streams.iter().find_map(|st| st.start_pos.and_then(|p| axis::time_unit(&p.0)))
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;
    use crate::encoding::{encode_column, Direction};
    use crate::exec::sizing::{Observed, StreamView};

    fn point(n: i64) -> Point {
        let v = Value::from(n);
        let mut k = Vec::new();
        encode_column(&mut k, Some(&v), Direction::Asc).unwrap();
        (v, k)
    }

    /// A page of one filtered stream that evaluated `scanned` items and
    /// matched `matched`, waiting on its next row.
    fn waiting<'a>(
        buffer: &'a VecDeque<crate::exec::row::Row>,
        col: &'a (String, Direction),
        scanned: u64,
        matched: u64,
    ) -> Ctx<'a> {
        Ctx {
            streams: vec![StreamView {
                done: false,
                busy: false,
                obs: Observed { scanned, matched, ..Observed::default() },
                buffer,
                start_pos: None,
                open_start: false,
                frontier: None,
                run: None,
            }],
            need: 10,
            page: 50,
            filtered: true,
            pos_col: Some(col),
            whole_points: false,
            round_trips: 0,
        }
    }

    /// Feeds `Adaptive` a response that stopped at its `Limit` with `rows` rows.
    fn stopped(a: &mut Adaptive, ctx: &Ctx<'_>, limit: u32, rows: usize) {
        let items = vec![crate::value::item([("n", Value::from(1i64))]); rows];
        let lek = crate::value::item([("n", Value::from(2i64))]);
        let r = Response { items: &items, last_evaluated_key: Some(&lek), scanned: u64::from(limit), limit };
        a.observe(ctx, 0, &r);
    }

    #[test]
    fn a_cold_round_may_plan_twice_the_need_at_the_share_its_probe_plausibly_hides() {
        let (buffer, col) = (VecDeque::new(), ("n".to_owned(), Direction::Asc));
        let a = Adaptive::new(1);
        // No row in 104 items: a share up to 3 in 104 is plausible, and
        // twice 50 rows at that share is 3 467 items, more than
        // `cold_growth` (16) times the 104 read.
        let mut ctx = waiting(&buffer, &col, 104, 0);
        ctx.need = 50;
        assert_eq!(a.cold_cap(&ctx).map(f64::round), Some(3467.0));
        // One row: 4 in 104, 2 600 items.
        let mut ctx = waiting(&buffer, &col, 104, 1);
        ctx.need = 50;
        assert_eq!(a.cold_cap(&ctx).map(f64::round), Some(2600.0));
        // Ten rows say more: 16 times the items read stands.
        let mut ctx = waiting(&buffer, &col, 104, 10);
        ctx.need = 40;
        assert_eq!(a.cold_cap(&ctx), Some(1664.0));
        // A page that started from anything but a probe has no cap.
        let mut a = Adaptive::new(1);
        a.prior = (10, 100);
        assert_eq!(a.cold_cap(&ctx), None);
    }

    #[test]
    fn a_probe_after_empty_windows_asks_for_the_items_that_hold_a_few_rows() {
        // 40 rows in 400 items: about a tenth. A window's `Limit` of one
        // item, read without the window, finds a row or none, and one inside
        // the page leaves the merge waiting on the next: the probe asks for
        // the items that hold `urgent_rows` (3) rows, 30.
        let (buffer, col) = (VecDeque::new(), ("n".to_owned(), Direction::Asc));
        let ctx = waiting(&buffer, &col, 400, 40);
        let a = Adaptive::new(1);
        assert_eq!(a.probe_limit(&ctx, 0, 1), 30);
        // A `Limit` planned above that stands.
        assert_eq!(a.probe_limit(&ctx, 0, 80), 80);
    }

    #[test]
    fn a_limit_that_found_what_it_was_sized_for_is_not_doubled() {
        // 10 % selectivity: a `Limit` of 400 holds about 40 rows. Two reads
        // that stop at it with ~40 rows did their job; the next `Limit` is
        // what the estimate says, not twice the last (it was 800, a page 1
        // on ULID keys read 10× what its last request needed).
        let (buffer, col) = (VecDeque::new(), ("n".to_owned(), Direction::Asc));
        let ctx = waiting(&buffer, &col, 800, 80);
        let mut a = Adaptive::new(1);
        stopped(&mut a, &ctx, 400, 38);
        stopped(&mut a, &ctx, 400, 41);
        assert_eq!(a.grown(&ctx, 0, 60), 60);
        // Two that found under half of it came back short: doubled.
        let mut a = Adaptive::new(1);
        stopped(&mut a, &ctx, 400, 12);
        stopped(&mut a, &ctx, 400, 9);
        assert_eq!(a.grown(&ctx, 0, 60), 800);
        // Probes too small to expect a few rows count as short whatever
        // they found, so a stream read a few items at a time grows.
        let mut a = Adaptive::new(1);
        stopped(&mut a, &ctx, 4, 1);
        stopped(&mut a, &ctx, 4, 1);
        assert_eq!(a.grown(&ctx, 0, 2), 8);
    }

    #[test]
    fn a_stream_the_merge_drains_again_and_again_grows() {
        // A cold page of 200 on a flash sale: each response of one stream
        // found the rows its `Limit` was sized for, the merge took them all
        // before the next came, and the page needed more: ten round trips
        // of about 40 items (`cost_matrix --page-size 200 --shape
        // flash-sale --seeds 10..10 --trace-page "10%/strict/cold"`). Two
        // such responses in a row, and the next `Limit` is twice the last.
        let (buffer, col) = (VecDeque::new(), ("n".to_owned(), Direction::Asc));
        let mut ctx = waiting(&buffer, &col, 800, 80);
        ctx.streams[0].obs.calls = 2;
        let mut a = Adaptive::new(1);
        stopped(&mut a, &ctx, 400, 41);
        assert_eq!(a.grown(&ctx, 0, 60), 60);
        stopped(&mut a, &ctx, 400, 39);
        assert_eq!(a.grown(&ctx, 0, 60), 800);
        // The page's first response found nothing held before it: no drain.
        ctx.streams[0].obs.calls = 1;
        let mut a = Adaptive::new(1);
        stopped(&mut a, &ctx, 400, 41);
        stopped(&mut a, &ctx, 400, 39);
        assert_eq!(a.grown(&ctx, 0, 60), 60);
    }

    #[test]
    fn a_page_whose_selectivity_moved_carries_its_own() {
        // The earlier pages saw 10 % (200 of 2 000 items): a page of the
        // evening's 30 % (90 of 300) is far outside what sampling explains,
        // so the next page starts from 30 %, not from the pooled 12.6 %
        // (its `Limit`s sized for a third of the rows they then found).
        let (buffer, col) = (VecDeque::new(), ("n".to_owned(), Direction::Asc));
        let ctx = waiting(&buffer, &col, 300, 90);
        let mut a = Adaptive::new(1);
        a.prior = (200, 2_000);
        assert_eq!(a.carried(&ctx), ((90, 300), (200, 2_000)));
        // 11 % (33 of 300) is within sampling error: pooled.
        let ctx = waiting(&buffer, &col, 300, 33);
        assert_eq!(a.carried(&ctx), ((233, 2_300), (0, 0)));
        // Too few items to judge: pooled.
        let ctx = waiting(&buffer, &col, 30, 9);
        assert_eq!(a.carried(&ctx), ((209, 2_030), (0, 0)));
    }

    #[test]
    fn a_page_after_a_shift_down_sizes_its_first_round_between_the_two() {
        // The last page left the evening's 30 % for the day's 3 %: the next
        // may be back in an evening (pages shorter than a day alternate),
        // where `Limit`s sized at 3 % read ten times its rows. Its first
        // round takes the geometric mean, near 9.7 %: a third of the items
        // 3 % asks for, three times what 30 % does.
        let (buffer, col) = (VecDeque::new(), ("n".to_owned(), Direction::Asc));
        let mut ctx = waiting(&buffer, &col, 0, 0);
        ctx.need = 30;
        let first = |hint: &Hint| {
            let mut a = Adaptive::new(1);
            a.resume(&ctx, &hint.encode(), None, SizingStart::Resumed).unwrap();
            a.limit(&ctx, 0)
        };
        let day = Hint { selectivity: (9, 300), shares: vec![255], ..Hint::default() };
        let evening = Hint { selectivity: (90, 300), ..day.clone() };
        let (at_day, at_evening) = (first(&day), first(&evening));
        assert!((800..900).contains(&at_day) && (95..110).contains(&at_evening), "{at_day} {at_evening}");
        let after_shift = first(&Hint { shifted_from: (90, 300), ..day.clone() });
        assert!((280..320).contains(&after_shift), "{after_shift}");
        // A shift up (the last page found the evening): its own, the higher.
        assert_eq!(first(&Hint { shifted_from: (9, 300), ..evening }), at_evening);
    }

    #[test]
    fn a_resumed_pages_first_window_aims_past_its_need() {
        // Earlier pages found 1 row per unit. A page of 50 resumes at 1 000
        // (ascending): its window aims like every round, at the need plus
        // the tail and the Poisson slack (50 + 2 + 3 rows), not short of the
        // need (at 0.9 of it, most pages read a second round to finish;
        // the `Limit`s, sized to the need, bound what the window reads).
        let (buffer, col) = (VecDeque::new(), ("n".to_owned(), Direction::Asc));
        let mut ctx = waiting(&buffer, &col, 0, 0);
        ctx.need = 50;
        let mut a = Adaptive::new(1);
        a.prior_reach = Reach::new(100.0, 100.0);
        a.page_start = Some(Value::from(1_000i64));
        let end = a.first_window(&ctx).and_then(|v| axis::numeric_position(&v, Direction::Asc));
        let end = end.expect("a numeric window");
        assert!((1_055.0..1_057.0).contains(&end), "{end}");
    }

    #[test]
    fn a_page_resumed_inside_a_run_that_holds_it_reads_the_run_alone_with_no_reach() {
        // Pages of 20 on date-only keys, 50 % French: a day holds about 250
        // rows, a run of ties the pages read whole. A page whose rows all
        // lay on that day measured no distance, so it carried no reach, and
        // the next page, resumed inside the day with 30 rows of it left,
        // found no window: its first requests were sized by the last page's
        // shares, past the day (`cost_matrix --page-size 20 --shape
        // date-only --seeds 11..11 --trace-page "50%/ties/3"`: 367 items
        // for a bound of 316). The run holds the page: it reads that run
        // alone, with no `Limit`, reach or no reach, and its window ends on
        // the run's own value (the window written back from a position took
        // in the day after there: 747 items; the run alone is 312).
        let (buffer, col) = (VecDeque::new(), ("n".to_owned(), Direction::Asc));
        let mut ctx = waiting(&buffer, &col, 0, 0);
        (ctx.need, ctx.page, ctx.whole_points) = (21, 20, true);
        let mut a = Adaptive::new(1);
        a.page_start = Some(Value::from(86_400i64 * 100));
        a.prior_run_rest = 30;
        let end = a.first_window(&ctx).and_then(|v| axis::numeric_position(&v, Direction::Asc));
        assert_eq!(end, Some(86_400.0 * 100.0));
        assert_eq!(a.limit(&ctx, 0), T.max_limit as u32);
        // Fewer rows left in the run than the page needs: no window without
        // a reach (the `Limit`s size the page, as before).
        let mut b = Adaptive::new(1);
        b.page_start = Some(Value::from(86_400i64 * 100));
        b.prior_run_rest = 20;
        assert!(b.first_window(&ctx).is_none());
        assert!(b.limit(&ctx, 0) < T.max_limit as u32);
        // Dates newest first, with a reach and the grid of days known or
        // not: the window is the run's own day.
        let desc = ("d".to_owned(), Direction::Desc);
        let mut ctx = waiting(&buffer, &desc, 0, 0);
        (ctx.need, ctx.page, ctx.whole_points) = (21, 20, true);
        let day = Reach::new(50.0, 86_400.0);
        for (grid, reach) in [(None, None), (Some(86_400), None), (Some(86_400), day), (None, day)] {
            let mut c = Adaptive::new(1);
            c.page_start = Some(Value::from("2026-11-23"));
            (c.prior_run_rest, c.prior_grid, c.prior_reach) = (30, grid, reach);
            assert_eq!(c.first_window(&ctx), Some(Value::from("2026-11-23")), "{grid:?}");
        }
    }

    #[test]
    fn a_window_guard_adds_a_share_or_a_few_items_not_both() {
        // The guard on a windowed read is the larger of 1.15x the planned
        // `Limit` and 8 items more: a 50 % page of four streams with
        // `Limit`s near 20 read 32 items past its ~90-item bound with both.
        let a = Adaptive::new(1);
        assert_eq!(a.windowed_limit(10), 18);
        assert_eq!(a.windowed_limit(40), 48);
        assert_eq!(a.windowed_limit(100), 115);
        // Never past the largest `Limit` asked for, unless the plan is.
        assert_eq!(a.windowed_limit(9_800), 10_000);
        assert_eq!(a.windowed_limit(12_000), 12_000);
    }

    #[test]
    fn a_window_over_a_few_grid_points_guards_its_last_point() {
        // A window holds its last grid point whole (it ends half a step
        // past it): on dates, a day. A `Limit` a few items short of that
        // day stops inside it, and reading its rest is a round trip. So
        // the guard covers one point's share of the window (1 / points),
        // between 1.15x and 1.25x; a key to the millisecond, whose points
        // hold a row or none, keeps 1.15x.
        let (buffer, col) = (VecDeque::new(), ("n".to_owned(), Direction::Asc));
        let mut ctx = waiting(&buffer, &col, 0, 0);
        ctx.need = 50;
        let window = |step: u64, rows: f64, span: f64| {
            let mut a = Adaptive::new(1);
            a.prior_reach = Reach::new(rows, span);
            a.prior_grid = Some(step);
            a.page_start = Some(Value::from(86_400i64 * 100));
            a.first_window(&ctx).expect("a window");
            a
        };
        // Dates as day numbers times 86 400: a page of 50 rows is about a day.
        let days = window(86_400, 50.0, 86_400.0);
        assert_eq!(days.windowed_limit(100), 125);
        // Milliseconds (a step of 1 is no grid): thousands of points.
        let ms = window(1, 1.0, 100.0);
        assert_eq!(ms.windowed_limit(100), 115);
        // Ten points: a tenth is under the least guard.
        let ten = window(10, 55.0, 100.0);
        assert_eq!(ten.windowed_limit(100), 115);
        // Five points: a fifth.
        let five = window(100, 55.0, 500.0);
        assert_eq!(five.windowed_limit(100), 120);
    }

    #[test]
    fn a_late_or_cold_rounds_window_takes_the_widest_guard() {
        // A round planned once the page made two round trips: a `Limit`
        // that ends short of the window there costs a fourth, so its guard
        // is the widest (1.25x), as its aim reaches past the estimate's
        // error too. So is a cold page's, whose window rests on a probe.
        // Other rounds keep 1.15x on a key with no grid.
        let col = ("n".to_owned(), Direction::Asc);
        let (start, frontier) = (point(0), point(1_000));
        let buffer = VecDeque::new();
        let obs = Observed { scanned: 100, matched: 50, ..Observed::default() };
        let guard = |round_trips: u32, prior: (u64, u64)| {
            let mut ctx = one_stream(&col, &start, &frontier, &buffer, obs);
            ctx.need = 20;
            ctx.round_trips = round_trips;
            let mut a = Adaptive::new(1);
            a.prior = prior;
            let round = a.round(&ctx, 0, &[]).expect("a round");
            assert!(round.window.is_some(), "a windowed round");
            a.windowed_limit(100)
        };
        let resumed = (500, 1_000);
        assert_eq!(guard(0, resumed), 115);
        assert_eq!(guard(1, resumed), 115);
        assert_eq!(guard(2, resumed), 125);
        assert_eq!(guard(0, (0, 0)), 125);
    }

    /// A page of one stream that read from `start` to `frontier` on `col`.
    fn one_stream<'a>(
        col: &'a (String, Direction),
        start: &'a Point,
        frontier: &'a Point,
        buffer: &'a VecDeque<crate::exec::row::Row>,
        obs: Observed,
    ) -> Ctx<'a> {
        Ctx {
            streams: vec![StreamView {
                done: false,
                busy: false,
                obs,
                buffer,
                start_pos: Some(start),
                open_start: false,
                frontier: Some(frontier),
                run: None,
            }],
            need: 0,
            page: 50,
            filtered: true,
            pos_col: Some(col),
            whole_points: true,
            round_trips: 0,
        }
    }

    #[test]
    fn a_page_that_ends_on_its_start_position_needed_the_items_there() {
        // A stream resumed inside a run of ties at 10: of its 100 items, 9
        // of its 10 rows lie on 10 (the run), one further on, at 20. A page
        // whose last row is on 10 needed the run's items, not none (they
        // were 0, so the next page's first round gave this stream no share).
        let col = ("n".to_owned(), Direction::Asc);
        let (start, frontier) = (point(10), point(20));
        let buffer = VecDeque::new();
        let obs = Observed { scanned: 100, matched: 10, start_rows: 9, ..Observed::default() };
        let ctx = one_stream(&col, &start, &frontier, &buffer, obs);
        let last = crate::value::item([("n", Value::from(10i64))]);
        // Items off the start: 100 × (1 + 1) / (10 + 1) ≈ 18; on it, the rest.
        assert_eq!(Adaptive::items_up_to(&ctx, 0, &last), 100 - obs.along(true));
        assert!(Adaptive::items_up_to(&ctx, 0, &last) > 75);
        let later = crate::value::item([("n", Value::from(15i64))]);
        let half = Adaptive::items_up_to(&ctx, 0, &later);
        assert_eq!(half, 100 - obs.along(true) + obs.along(true).div_ceil(2));
    }

    #[test]
    fn a_page_that_ends_inside_a_run_it_read_into_carries_the_runs_items() {
        // Pages of 20 on date-only keys read newest first, 10 % French: a
        // page read from one day into the next and ended there, 3 of its
        // rows on that day and 7 more of the day held for the next page,
        // which reads the day again (the tie re-sort needs it whole). No
        // stream started on that day, so none counted its items, and the
        // next page's first `Limit`s were sized for its 20 rows alone: they
        // ended inside the day, and reading the rest of it, then the day
        // after, took four round trips (`cost_matrix --page-size 20 --shape
        // date-only --seeds 9..9 --trace-page "10%/ties/3"`). The state
        // carries the day's items, from its rows at the page's selectivity.
        let col = ("n".to_owned(), Direction::Asc);
        let (start, frontier) = (point(10), point(30));
        let buffer = VecDeque::new();
        let obs = Observed { scanned: 200, matched: 20, ..Observed::default() };
        let ctx = one_stream(&col, &start, &frontier, &buffer, obs);
        let row = |n: i64| crate::value::item([("n", Value::from(n))]);
        let rows = [row(12), row(15), row(20), row(20), row(20)];
        let a = Adaptive::new(1);
        let decode = |state: Vec<u8>| Hint::decode(&state, 1).unwrap().unwrap();
        let hint = decode(a.state(&ctx, &PageEnd { rows: &rows, run_rest: 7, held: &[] }));
        // 10 rows at about 10 %: about 100 items.
        assert!((90..=110).contains(&hint.run_items), "{}", hint.run_items);
        // The next page's first `Limit` reads them on top of its rows.
        let limit_after = |hint: &Hint| {
            let mut b = Adaptive::new(1);
            b.resume(&ctx, &hint.encode(), Some(&Value::from(20i64)), SizingStart::Resumed).unwrap();
            let fresh = one_stream(&col, &start, &frontier, &buffer, Observed::default());
            b.limit(&Ctx { need: 21, page: 20, ..fresh }, 0)
        };
        let without = limit_after(&Hint { run_items: 0, ..hint.clone() });
        assert!(limit_after(&hint) >= without + 90, "{} vs {without}", limit_after(&hint));
        // A single row on the last position is not a run: nothing carried
        // (a millisecond key reads its cursor's point again, one item).
        let single = [row(12), row(15), row(20)];
        assert_eq!(decode(a.state(&ctx, &PageEnd { rows: &single, run_rest: 0, held: &[] })).run_items, 0);
        // A page whose order is the index order resumes inside the run.
        let merged = Ctx { whole_points: false, ..one_stream(&col, &start, &frontier, &buffer, obs) };
        assert_eq!(decode(a.state(&merged, &PageEnd { rows: &rows, run_rest: 7, held: &[] })).run_items, 0);
    }

    #[test]
    fn a_page_whose_rows_the_last_page_read_reads_to_the_last_of_them() {
        // Pages of 50 newest first on `growth`, 10 % French in the evenings:
        // a page that crossed the day with `Limit`s sized for the day's 2 %
        // ended in an evening holding a hundred rows it had read past its
        // last row. The next page sized its `Limit`s by the page's pooled
        // selectivity and read a whole day again, 520 items for a bound of
        // 140 (`cost_matrix --shape growth --seeds 1..1 --trace-page "10%
        // evening/ties/3"`). The rows were read already: the next page
        // reads to the last of them, in one round trip.
        //
        // One stream, read up: a response from 0 to 100 evaluated 100
        // items and found rows at 10, 20, ... 80; a page of 3 took 10, 20
        // and 30, and the merge holds 40 to 80.
        let col = ("n".to_owned(), Direction::Asc);
        let (start, frontier) = (point(0), point(100));
        let buffer = VecDeque::new();
        let row = |n: i64| crate::value::item([("n", Value::from(n))]);
        let found: Vec<Item> = (1..=8).map(|k| row(10 * k)).collect();
        let lek = row(100);
        let mut a = Adaptive::new(1);
        let reading = one_stream(&col, &start, &start, &buffer, Observed::default());
        a.observe(
            &reading,
            0,
            &Response { items: &found, last_evaluated_key: Some(&lek), scanned: 100, limit: 100 },
        );
        let obs = Observed { scanned: 100, matched: 8, taken: 3, calls: 1, ..Observed::default() };
        let ctx = Ctx { page: 3, need: 1, ..one_stream(&col, &start, &frontier, &buffer, obs) };
        let rows = [row(10), row(20), row(30)];
        let held: Vec<Item> = (4..=8).map(|k| row(10 * k)).collect();
        let state = a.state(&ctx, &PageEnd { rows: &rows, run_rest: 0, held: &held });
        let hint = Hint::decode(&state, 1).unwrap().unwrap();
        // The next page's 4 rows (3 and the look-ahead) end at 70, 40 past
        // the cursor, where the stream evaluated about 40 items.
        assert_eq!(hint.ahead, Some(Ahead { rows: 4, span: 40.0, items: vec![40] }));
        let mut b = Adaptive::new(1);
        b.resume(&ctx, &state, Some(&Value::from(30i64)), SizingStart::Resumed).unwrap();
        let fresh =
            Ctx { need: 4, page: 3, ..one_stream(&col, &start, &frontier, &buffer, Observed::default()) };
        let window = b.first_window(&fresh).and_then(|v| axis::numeric_position(&v, Direction::Asc));
        assert_eq!(window, Some(70.0));
        // The `Limit` guards the window, which bounds the read.
        let limit = b.limit(&fresh, 0);
        assert!((80..=100).contains(&limit), "{limit}");
        // Fewer rows past the cursor than the next page needs: nothing.
        let few = a.state(&ctx, &PageEnd { rows: &rows, run_rest: 0, held: &held[..3] });
        assert_eq!(Hint::decode(&few, 1).unwrap().unwrap().ahead, None);
        // A page that merges the index order stops inside a point, where a
        // window bounds nothing: carried only while the rows show no point
        // of several (fine keys), and past the cursor's own point.
        let merged = Ctx { whole_points: false, ..one_stream(&col, &start, &frontier, &buffer, obs) };
        let merged = Ctx { page: 3, need: 1, ..merged };
        let fine = a.state(&merged, &PageEnd { rows: &rows, run_rest: 0, held: &held });
        assert_eq!(Hint::decode(&fine, 1).unwrap().unwrap().ahead.map(|a| a.span), Some(40.0));
        let tied: Vec<Item> = [40, 40, 50, 60, 70].iter().map(|n| row(*n)).collect();
        let coarse = a.state(&merged, &PageEnd { rows: &rows, run_rest: 0, held: &tied });
        assert_eq!(Hint::decode(&coarse, 1).unwrap().unwrap().ahead, None);
        // Rows past where another stream still reading has read to are not
        // known to be the next page's: that stream may hold rows before them.
        let behind = point(55);
        let mut two = ctx;
        two.streams.push(StreamView {
            frontier: Some(&behind),
            ..one_stream(&col, &start, &frontier, &buffer, obs).streams.remove(0)
        });
        let mut c = Adaptive::new(2);
        c.observe(
            &two,
            0,
            &Response { items: &found, last_evaluated_key: Some(&lek), scanned: 100, limit: 100 },
        );
        let state = c.state(&two, &PageEnd { rows: &rows, run_rest: 0, held: &held });
        assert_eq!(Hint::decode(&state, 2).unwrap().unwrap().ahead, None);
    }

    #[test]
    fn a_first_page_is_remembered_by_where_its_next_row_lies() {
        // A first page the engine runs again (warm) was sized by the
        // selectivity of everything its cold run read, on past its rows:
        // `cost_matrix --shape growth --seeds 12..12 --trace-page "10%
        // evening/ties/warm"` read 442 items for a bound of 192. The engine
        // remembers where the page's next row lay and the items each
        // stream read up to there, and the repeated page reads to it.
        //
        // One stream, read up from 0: a response evaluated 60 items and
        // found rows at 10 to 50, the next 40 more to 100 with rows at 70
        // and 80. A page of 3 took 10, 20 and 30; the merge holds 40.
        let col = ("n".to_owned(), Direction::Asc);
        let (start, frontier) = (point(0), point(100));
        let buffer = VecDeque::new();
        let row = |n: i64| crate::value::item([("n", Value::from(n))]);
        let mut a = Adaptive::new(1);
        let first: Vec<Item> = (1..=5).map(|k| row(10 * k)).collect();
        let reading = one_stream(&col, &start, &start, &buffer, Observed::default());
        let lek = row(60);
        a.observe(
            &reading,
            0,
            &Response { items: &first, last_evaluated_key: Some(&lek), scanned: 60, limit: 60 },
        );
        let (at60, second, lek) = (point(60), [row(70), row(80)], row(100));
        let reading = one_stream(&col, &start, &at60, &buffer, Observed::default());
        a.observe(
            &reading,
            0,
            &Response { items: &second, last_evaluated_key: Some(&lek), scanned: 40, limit: 40 },
        );
        let obs = Observed { scanned: 100, matched: 7, taken: 3, calls: 2, ..Observed::default() };
        let ctx = Ctx { page: 3, need: 1, ..one_stream(&col, &start, &frontier, &buffer, obs) };
        let rows = [row(10), row(20), row(30)];
        let held = [row(40)];
        let end = PageEnd { rows: &rows, run_rest: 0, held: &held };
        // A cursor does not carry it.
        assert_eq!(Hint::decode(&a.state(&ctx, &end), 1).unwrap().unwrap().first, None);
        let state = a.remembered_state(&ctx, &end);
        let hint = Hint::decode(&state, 1).unwrap().unwrap();
        // Every response that started at or before 40 counts whole: the
        // first, 60 items (an upper bound, not 40 by interpolation).
        assert_eq!(hint.first, Some(First { rows: 4, end: Value::from(40i64), items: vec![60] }));
        // The repeated page reads to 40, its `Limit` those 60 items (and
        // the few a window's guard adds).
        let fresh =
            Ctx { need: 4, page: 3, ..one_stream(&col, &start, &start, &buffer, Observed::default()) };
        let mut b = Adaptive::new(1);
        b.resume(&fresh, &state, None, SizingStart::Warm).unwrap();
        assert_eq!(b.first_window(&fresh), Some(Value::from(40i64)));
        assert_eq!(b.limit(&fresh, 0), 60);
        assert_eq!(b.windowed_limit(60), 60 + T.window_guard_items);
        // A page of another size, or state from a cursor: no window from it.
        let mut d = Adaptive::new(1);
        d.resume(&fresh, &state, None, SizingStart::Resumed).unwrap();
        assert_eq!(d.first_window(&fresh), None);
        let mut c = Adaptive::new(1);
        c.resume(&fresh, &state, None, SizingStart::Warm).unwrap();
        assert_eq!(c.first_window(&Ctx { need: 5, page: 4, ..fresh }), None);
        let smaller =
            Ctx { need: 3, page: 2, ..one_stream(&col, &start, &start, &buffer, Observed::default()) };
        let mut e = Adaptive::new(1);
        e.resume(&smaller, &state, None, SizingStart::Warm).unwrap();
        assert_eq!(e.first_window(&smaller), None);
        // A page that reads runs whole and holds the rest of its last
        // row's run: the next row lies on the last row's position.
        let tied = Ctx { page: 3, need: 1, ..one_stream(&col, &start, &frontier, &buffer, obs) };
        let state = a.remembered_state(&tied, &PageEnd { rows: &rows, run_rest: 2, held: &held });
        let end = Hint::decode(&state, 1).unwrap().unwrap().first.map(|f| f.end);
        assert_eq!(end, Some(Value::from(30i64)));
        // A page that holds no row past it (it did not merge): nothing.
        let state = a.remembered_state(&ctx, &PageEnd { rows: &rows, run_rest: 0, held: &[] });
        assert_eq!(Hint::decode(&state, 1).unwrap().unwrap().first, None);
        // A page that merges the index order, whose next row's point holds
        // another row: its window would bound nothing there.
        let merged = Ctx { whole_points: false, ..one_stream(&col, &start, &frontier, &buffer, obs) };
        let merged = Ctx { page: 3, need: 1, ..merged };
        let fine = a.remembered_state(&merged, &PageEnd { rows: &rows, run_rest: 0, held: &held });
        assert!(Hint::decode(&fine, 1).unwrap().unwrap().first.is_some());
        let two = [row(40), row(40)];
        let coarse = a.remembered_state(&merged, &PageEnd { rows: &rows, run_rest: 0, held: &two });
        assert_eq!(Hint::decode(&coarse, 1).unwrap().unwrap().first, None);
    }

    #[test]
    fn a_look_ahead_window_holds_the_whole_second_of_the_last_row() {
        // A date-time's position is its whole second, and a window written
        // back keeps the cursor's fraction of a second. Read newest first
        // from a cursor at 20:14:55.998, a window ending at the second of a
        // row at 18:20:22.300 was written "18:20:22.998": the row fell
        // outside it, and the page took a second round trip (`cost_matrix
        // --shape growth --seeds 32..32 --trace-page "10% evening/total/7"`).
        let col = ("created_at".to_owned(), Direction::Desc);
        let cursor = Value::from("2026-11-21T20:14:55.998Z");
        let row = "2026-11-21T18:20:22.300Z";
        let x = |v: &str| axis::numeric_position(&Value::from(v), Direction::Desc).unwrap();
        let ahead = Ahead { rows: 51, span: x(row) - x("2026-11-21T20:14:55.998Z"), items: vec![100] };
        let state = Hint { ahead: Some(ahead), ..Hint::new((10, 100), &[1]) }.encode();
        let mut enc = Vec::new();
        encode_column(&mut enc, Some(&cursor), Direction::Desc).unwrap();
        let start = (cursor.clone(), enc);
        let buffer = VecDeque::new();
        let ctx =
            Ctx { need: 51, page: 50, ..one_stream(&col, &start, &start, &buffer, Observed::default()) };
        let mut a = Adaptive::new(1);
        a.resume(&ctx, &state, Some(&cursor), SizingStart::Resumed).unwrap();
        let Some(Value::S(window)) = a.first_window(&ctx) else { panic!("no window") };
        // Newest first the window is the lower bound: at or before the row.
        assert!(window.as_str() <= row, "{window}");
        // And not a whole second before its second.
        assert!(window.as_str() >= "2026-11-21T18:20:21.000Z", "{window}");
    }

    #[test]
    fn a_stream_that_started_on_its_first_row_needed_the_items_to_its_rows() {
        // A first page of `created_at > :since` newest first on date-only
        // keys: nothing says where a stream starts, so its start is its
        // first row, and fetching counts no rows on it. The page took 3 of
        // this stream's 5 rows, all on that first row's day: by distance
        // from there it needed nothing, its share of the next page's first
        // round was 0, and that request a `Limit` of 1 (`cost_matrix
        // --page-size 20 --shape date-only --seeds 5..5 --trace-page
        // "10%/strict/2"`: six round trips, 1 330 items for a bound of 780).
        let col = ("n".to_owned(), Direction::Asc);
        let (start, frontier) = (point(10), point(30));
        let buffer = VecDeque::new();
        let obs = Observed { scanned: 70, matched: 5, taken: 3, ..Observed::default() };
        let mut ctx = one_stream(&col, &start, &frontier, &buffer, obs);
        ctx.streams[0].open_start = true;
        let last = crate::value::item([("n", Value::from(10i64))]);
        // At least the share of its items its rows show: 70 × (3 + 1) / (5 + 1).
        assert_eq!(Adaptive::items_up_to(&ctx, 0, &last), 47);
        // Its last row further on: by distance, when that says more.
        let later = crate::value::item([("n", Value::from(28i64))]);
        assert_eq!(Adaptive::items_up_to(&ctx, 0, &later), 63);
    }

    #[test]
    fn a_stream_on_a_key_with_no_numeric_reading_needed_what_it_read() {
        // `date#id` keys, read up from the bound "2026-10-25": the stream
        // read 91 items, to id 13268 of the 25th; the page's last row is id
        // 232. An odometer over three keys spans only the digits they show
        // (wheels of 2, 4, 1, 4 and 7 here), so the distance to the last row
        // came out near none, the next page's first request for this stream
        // asked for 1 item, and the page read another stream's share twice.
        // Without a numeric reading, the items are interpolated by rows:
        // the page took all 43 of its rows, so it needed all 91 items.
        let col = ("created_at".to_owned(), Direction::Asc);
        let enc = |s: &str| {
            let v = Value::from(s);
            let mut k = Vec::new();
            encode_column(&mut k, Some(&v), Direction::Asc).unwrap();
            (v, k)
        };
        let (start, frontier) = (enc("2026-10-25"), enc("2026-10-25#o-0013268"));
        let buffer = VecDeque::new();
        let obs = Observed { scanned: 91, matched: 43, taken: 43, ..Observed::default() };
        let ctx = one_stream(&col, &start, &frontier, &buffer, obs);
        let last = crate::value::item([("created_at", Value::from("2026-10-25#o-0000232"))]);
        assert_eq!(Adaptive::items_up_to(&ctx, 0, &last), 91);
        // Had it taken 21 of them: 91 × 22 / 44 items.
        let obs = Observed { taken: 21, ..obs };
        let ctx = one_stream(&col, &start, &frontier, &buffer, obs);
        assert_eq!(Adaptive::items_up_to(&ctx, 0, &last), 46);
    }

    #[test]
    fn a_stream_with_no_row_on_the_page_has_read_a_gap_since_its_start() {
        // A page of 1 resumed at 100 in the quiet hours: its streams' windows
        // came back empty round after round, each as long as the last (ten
        // round trips, `cost_matrix --page-size 1 --pages 40 --shape daily
        // --seeds 2..2 --trace-page "10% evening/strict/37"`), as the rows
        // the density expected past a stream's last row counted only after
        // its first row. Before it, the stretch since the stream's start
        // counts.
        let col = ("n".to_owned(), Direction::Asc);
        let (start, frontier, buffer) = (point(100), point(160), VecDeque::new());
        let obs = Observed { scanned: 12, calls: 3, ..Observed::default() };
        let ctx = one_stream(&col, &start, &frontier, &buffer, obs);
        let a = Adaptive::new(1);
        let (spans, _, _) = a.spans(&ctx, &[]).expect("numeric spans");
        assert_eq!(spans[0].past_last_row, Some(60.0));
        // After a row at 130: from the row.
        let mut a = Adaptive::new(1);
        a.segs[0].push(Seg { from: 0.0, scanned: 0, last: Some(130.0) });
        let (spans, _, _) = a.spans(&ctx, &[]).expect("numeric spans");
        assert_eq!(spans[0].past_last_row, Some(30.0));
    }

    #[test]
    fn a_round_after_one_that_found_no_row_reaches_dry_growth_times_as_far() {
        // A page of 1 paging out of the evening into the afternoon: the items'
        // density held, the filter's share fell, and each window, sized for
        // the two rows the page needed, came back without one, reaching a
        // little further each time (nine round trips, `cost_matrix
        // --page-size 1 --pages 40 --shape outage --seeds 2..2 --trace-page
        // "10% evening/strict/39"`). A window after one whose round found
        // no row reaches at least `dry_growth` times as far as it did.
        let col = ("n".to_owned(), Direction::Asc);
        let (start, buffer) = (point(0), VecDeque::new());
        let mut a = Adaptive::new(1);
        a.segs[0].push(Seg { from: 0.0, scanned: 0, last: Some(100.0) });
        let f1 = point(100);
        let mut ctx = one_stream(&col, &start, &f1, &buffer, obs_at(200, 40));
        (ctx.need, ctx.page) = (2, 1);
        let end = |r: Round| r.window.and_then(|v| axis::numeric_position(&v, Direction::Asc)).unwrap();
        let e1 = end(a.round(&ctx, 0, &[]).expect("a round"));
        assert!(e1 > 100.0 && e1 < 120.0, "{e1}");
        // Read to its end at the same density of items, no row there.
        let f2 = point(e1.ceil() as i64);
        let read = 2 * (e1.ceil() as u64 - 100);
        let mut ctx = one_stream(&col, &start, &f2, &buffer, obs_at(200 + read, 40));
        (ctx.need, ctx.page) = (2, 1);
        let e2 = end(a.round(&ctx, 0, &[]).expect("a round"));
        assert!(e2 - e1.ceil() >= f64::from(T.dry_growth) * (e1 - 100.0), "{e1} then {e2}");
        // One that found its rows: no floor (the estimate alone).
        let mut b = Adaptive::new(1);
        b.segs[0].push(Seg { from: 0.0, scanned: 0, last: Some(100.0) });
        let mut ctx = one_stream(&col, &start, &f1, &buffer, obs_at(200, 40));
        (ctx.need, ctx.page) = (2, 1);
        let b1 = end(b.round(&ctx, 0, &[]).expect("a round"));
        let mut ctx = one_stream(&col, &start, &f2, &buffer, obs_at(200 + read, 42));
        (ctx.need, ctx.page) = (2, 1);
        let b2 = end(b.round(&ctx, 0, &[]).expect("a round"));
        assert!(b2 - e1.ceil() < 2.0 * (b1 - 100.0), "{b1} then {b2}");
    }

    #[test]
    fn rounds_past_the_fourth_round_trip_aim_geometrically_further() {
        // A page of 20 whose estimates fell short round after round (an
        // evening's share of a filter value, then the night's; a sale left
        // behind) took seven round trips, each round sized for what was
        // still missing at the last round's rates (`cost_matrix --page-size
        // 20 --shape push-seconds --seeds 10..10 --trace-page "10%
        // evening/strict/8"`). Once the page has made `escalate_after`
        // round trips, each round aims at `short_growth` times the last
        // one's need: the reads grow geometrically, and so the round trips
        // with the logarithm of how far off the estimates are.
        let col = ("n".to_owned(), Direction::Asc);
        let (start, frontier, buffer) = (point(0), point(100), VecDeque::new());
        let reach = |round_trips: u32| {
            let mut a = Adaptive::new(1);
            a.segs[0].push(Seg { from: 0.0, scanned: 0, last: Some(100.0) });
            let mut ctx = one_stream(&col, &start, &frontier, &buffer, obs_at(200, 40));
            (ctx.need, ctx.page, ctx.round_trips) = (20, 20, round_trips);
            let r = a.round(&ctx, 0, &[]).expect("a round");
            let end = r.window.and_then(|v| axis::numeric_position(&v, Direction::Asc)).unwrap();
            (end - 100.0, r.limits[0].expect("a limit"))
        };
        let (late, at4, at5) =
            (reach(T.escalate_after - 1), reach(T.escalate_after), reach(T.escalate_after + 1));
        assert!(at4.0 >= 1.9 * late.0 && at4.0 <= 2.1 * late.0, "{late:?} then {at4:?}");
        assert!(at5.0 >= 3.8 * late.0 && at5.0 <= 4.2 * late.0, "{late:?} then {at5:?}");
        assert!(at4.1 > late.1 * 3 / 2 && at5.1 > at4.1 * 3 / 2, "{late:?}, {at4:?}, {at5:?}");
        // A `Limit` asked outside a round (the merge waits on one stream)
        // grows the same way.
        let alone = |round_trips: u32| {
            let a = Adaptive::new(1);
            let mut ctx = one_stream(&col, &start, &frontier, &buffer, obs_at(200, 40));
            (ctx.need, ctx.page, ctx.round_trips) = (20, 20, round_trips);
            a.limit(&ctx, 0)
        };
        let (late, at4, at5) =
            (alone(T.escalate_after - 1), alone(T.escalate_after), alone(T.escalate_after + 1));
        assert!(at4 >= 2 * late - 1 && at4 <= 2 * late + 1 && at5 >= 2 * at4 - 1, "{late} {at4} {at5}");
    }

    #[test]
    fn a_range_open_where_it_starts_plans_rounds_from_the_earliest_row() {
        // `created_at > :since` newest first: no bound says where the streams
        // start, and a stream's start is the first row it found. A stream
        // whose probe found none had no start, so no round was planned and
        // a cold page read by `Limit` alone, with no window (pages with 4
        // or more round trips 186 of 644 cold first pages on the strict
        // query, 87 on the same query bounded, `cost_matrix`). The streams
        // read one index: the earliest position any of them reached (a first
        // row, or a frontier) stands in for where each started.
        let col = ("n".to_owned(), Direction::Asc);
        let (row, f0, f1, buffer) = (point(10), point(40), point(34), VecDeque::new());
        let stream = |start, frontier, scanned, matched| StreamView {
            done: false,
            busy: false,
            obs: obs_at(scanned, matched),
            buffer: &buffer,
            start_pos: start,
            open_start: true,
            frontier: Some(frontier),
            run: None,
        };
        let mut ctx = one_stream(&col, &row, &f0, &buffer, obs_at(34, 1));
        ctx.streams = vec![stream(Some(&row), &f0, 34, 1), stream(None, &f1, 34, 0)];
        ctx.need = 51;
        let a = Adaptive::new(2);
        let (spans, _, _) = a.spans(&ctx, &[]).expect("spans on an open range");
        // Both from the earliest position seen: the first stream's row at 10.
        assert_eq!((spans[0].start, spans[1].start), (10.0, 10.0));
        // A stream whose frontier is the earliest position seen starts there.
        let early = point(5);
        ctx.streams = vec![stream(Some(&row), &f0, 34, 1), stream(None, &early, 34, 0)];
        let (spans, _, _) = a.spans(&ctx, &[]).expect("spans on an open range");
        assert_eq!((spans[0].start, spans[1].start), (5.0, 5.0));
        // A bounded range keeps each stream's own start.
        ctx.streams = vec![stream(Some(&row), &f0, 34, 1), stream(Some(&early), &f1, 34, 0)];
        ctx.streams.iter_mut().for_each(|s| s.open_start = false);
        let (spans, _, _) = a.spans(&ctx, &[]).expect("spans");
        assert_eq!((spans[0].start, spans[1].start), (10.0, 5.0));
    }

    fn obs_at(scanned: u64, matched: u64) -> Observed {
        Observed { scanned, matched, ..Observed::default() }
    }

    #[test]
    fn a_pages_density_leaves_out_the_runs_at_its_ends() {
        // Keys to the millisecond, no ties: every row, cursor to last row.
        let calm: Vec<f64> = (1..=50).map(f64::from).collect();
        assert_eq!(page_stretch(&calm, 0.0, false, 0.0), (50.0, 50.0));
        // A first page measures from its first row, which marks the start.
        assert_eq!(page_stretch(&calm, 1.0, true, 0.0), (49.0, 49.0));
        // A page that starts with 28 rows of its cursor's nightly batch and
        // ends on 12 rows of the next night's: the 10 rows of the day
        // between, over the day (the runs are points, not a density).
        let mut batch = vec![0.0; 28];
        batch.extend((1..=10).map(|i| f64::from(i) * 8_000.0));
        batch.extend([86_400.0; 12]);
        assert_eq!(page_stretch(&batch, 0.0, false, 0.0), (10.0, 86_400.0));
        // Dates: the rest of the cursor's day, a whole day, part of the
        // next: the whole day's rows over one day.
        let mut dates = vec![0.0; 10];
        dates.extend([86_400.0; 30]);
        dates.extend([172_800.0; 10]);
        assert_eq!(page_stretch(&dates, 0.0, false, 86_400.0), (30.0, 86_400.0));
        // No whole point between its ends: every row, over the whole distance.
        let two_days: Vec<f64> = [0.0; 20].into_iter().chain([86_400.0; 30]).collect();
        assert_eq!(page_stretch(&two_days, 0.0, false, 86_400.0), (50.0, 86_400.0));
        // Inside one run: no distance (the reach is left as it was).
        assert_eq!(page_stretch(&[5.0; 50], 5.0, false, 0.0), (50.0, 0.0));
    }

    #[test]
    fn a_limit_that_carries_a_stream_into_a_run_another_is_inside_reads_to_it_whole() {
        // Two streams from 0, ascending. Stream 1 is inside a run of ties at
        // 100 (its next request reads the rest, pinned). Stream 0 read 40
        // items over 0..40: one item a unit, so 60 items lie between its
        // frontier and the run.
        let col = ("t".to_owned(), Direction::Asc);
        let (start, f0, run, buffer) = (point(0), point(40), point(100), VecDeque::new());
        let mut ctx = one_stream(&col, &start, &f0, &buffer, obs_at(40, 4));
        ctx.streams.push(StreamView { frontier: Some(&run), run: Some(&run), ..ctx.streams[0] });
        let (spans, axis, _) = Adaptive::new(2).spans(&ctx, &[]).expect("spans");
        let reads_to = |limits: [Option<u32>; 2], end: f64| {
            let mut limits = limits;
            let through = through_runs(&ctx, &spans, &axis, &mut limits, end);
            (through, limits)
        };
        // A `Limit` of 100 items carries stream 0 into the run, and the
        // window reaches it: stream 0 reads to the run's value (pinned), and
        // past it by a read ahead with the 40 items its `Limit` leaves.
        let to_run = vec![Some(run.clone()), None];
        assert_eq!(reads_to([Some(100), None], 150.0), (to_run.clone(), [Some(40), None]));
        // The run's own stream reads it pinned, whatever its `Limit`.
        assert_eq!(reads_to([Some(100), Some(1_000)], 150.0), (to_run, [Some(40), Some(1_000)]));
        // A `Limit` short of it (a cold page's window often reaches a run
        // its page never gets to), or a window that ends before it: the
        // round's own request.
        assert_eq!(reads_to([Some(59), None], 150.0), (vec![None, None], [Some(59), None]));
        assert_eq!(reads_to([Some(100), None], 99.0), (vec![None, None], [Some(100), None]));
        // A page that does not read runs whole has no run to read through.
        ctx.whole_points = false;
        let mut limits = [Some(100), Some(100)];
        assert!(through_runs(&ctx, &spans, &axis, &mut limits, 150.0).iter().all(Option::is_none));
        assert_eq!(limits, [Some(100), Some(100)]);
    }
}
