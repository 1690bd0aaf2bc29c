//! Every knob of the sizing policies, in one place.

/// The selectivity assumed before a stream has returned anything, when the
/// plan filters (EXPLAIN says so).
pub const PRIOR_SELECTIVITY: f64 = Tuning::DEFAULT.prior_selectivity;

/// The knobs of the sizing policies. The code reads them from
/// [`Tuning::DEFAULT`]; each says what it trades.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tuning {
    // --- selectivity ---
    /// Selectivity assumed before anything is seen, when the plan filters.
    pub prior_selectivity: f64,
    /// Weight, in items, of that prior in the running estimate.
    pub prior_weight: f64,
    /// Weight, in items evaluated, of the selectivity pooled over every
    /// stream in each stream's own estimate: the streams share one filter,
    /// so a stream that has shown few rows borrows the others'.
    pub pool_weight: f64,
    /// Most items one round of a page with nothing to start from (cold,
    /// no hint, nothing in the engine's memory) may plan in all (a
    /// window's guard comes on top), as a multiple of the items the page
    /// has read. Its estimates rest on a
    /// probe: read ascending into a day whose matching rows crowd into
    /// the evening, a probe of the night found a row or two and its next
    /// round, sized for that selectivity, read 11 times the page's bound.
    /// Fewer, and a filter as sparse as it looked takes a round trip per
    /// multiple. A round may also plan up to `cold_overshoot` times the
    /// rows still needed at the highest selectivity the rows found
    /// plausibly hide (see `cold_hidden_rows`), where that is more.
    pub cold_growth: f64,
    /// How many times the rows a cold page still needs a round may plan
    /// for at the highest selectivity its rows found plausibly hide:
    /// `(rows found + cold_hidden_rows) / items read`. A probe that found
    /// a row or none says little about a rare filter value, and its next
    /// round, held to `cold_growth` times the probe, found a third of the
    /// page; the rounds planned on those few rows came back short (1 %
    /// French, cold first pages newest first: 152 of 480 took 4 or more
    /// round trips). At 2 (a probe of 104 items that found none may
    /// plan 3 467 items for 50 rows, 33 times the probe, one that found
    /// one 2 600, 25 times), newest first those pages took 4 or more on
    /// 137, read 3.5 % fewer items, and 5 of them read over twice their
    /// bound (20 before). A night's probe ascending into the evening that
    /// found none reads further too: the worst such page 5.45 -> 8.52
    /// times its bound. The cap scales with the page: pages of 20 stay
    /// held to `cold_growth`. A plain `cold_growth` of 32 did as well on
    /// pages of 50 but read 5.5 % more on pages of 20 at 1 %, and that
    /// worst page 10.62.
    pub cold_overshoot: f64,
    /// Rows a Poisson count that found none plausibly hides (the rule of
    /// three: a mean of 3 finds none 5 % of the time), added to the rows
    /// found to bound the selectivity a cold round may plan for.
    pub cold_hidden_rows: f64,
    /// Most items the selectivity carried to the next page may weigh:
    /// recent evidence keeps the final say (a cap, so old pages fade).
    pub carried_items: u64,
    /// Standard errors by which a page's selectivity may differ from the
    /// one it started from before the next page forgets the older one.
    pub shift_sigmas: f64,
    /// Items both sides must rest on before such a shift is judged.
    pub shift_items: u64,
    // --- limits ---
    /// Largest `Limit` asked for (DynamoDB's 1 MB page cap applies anyway).
    pub max_limit: f64,
    /// Weight, in rows, of the previous pages' stream shares in the next
    /// page's first split of the need.
    pub share_weight: f64,
    /// A window bounds a read; its `Limit` is the larger of `planned ×
    /// window_guard_factor` and `planned + window_guard_items`, a guard
    /// against a density far off: the factor for large `Limit`s, the items
    /// for small ones (both at once over-read small pages: four streams of
    /// a 50 % page added 32 items to a bound of about 90). Where the
    /// density carried from earlier pages lags the data (a daily curve
    /// read oldest first), windows reach too far and the guard, not the
    /// window, ends most reads: at 1.25, pages 2+ read 1.21x their bound
    /// at the median there (`daily`, `epoch-ms` ascending), 1.18x at 1.15.
    pub window_guard_factor: f64,
    /// Most the guard's factor rises to on a coarse grid: a window holds
    /// its last grid point whole, and a `Limit` ending inside it costs a
    /// round trip to read the rest, so the factor is `1 + 1 / points` for
    /// a window of that many whole points, between `window_guard_factor`
    /// and this. At 1.15 on dates (a window of a day or two), `date-only`
    /// pages with 4 or more round trips went 64 -> 88 of 1 749 (any hour,
    /// ascending). A late round (see `late_sigmas`) and a cold page's round
    /// (its density rests on a probe) take this one: at 1.15 there, pages
    /// with 4 or more round trips `batch` 128 -> 136 of 1 800, `epoch-ms`
    /// 32 -> 39 of 1 749.
    pub window_guard_most: f64,
    /// See `window_guard_factor`.
    pub window_guard_items: u32,
    /// A page whose rows the last page read already (past its cursor)
    /// reads to the last of them in its first round, and asks each stream
    /// for this times the items the last page found there (spread evenly
    /// over each response's distance), plus `window_guard_items`: the
    /// window bounds the read, the `Limit` only guards it, and one that
    /// ends short costs a round trip.
    pub ahead_guard: f64,
    /// A stream asked again after its last responses came back short
    /// (stopped at their `Limit` short of rows: `short_yield`, `short_rows`):
    /// its next `Limit` is at least the last one times this.
    pub short_growth: u32,
    /// A window planned after one whose round found no row at all reaches
    /// at least this many times as far past the rearmost frontier as that
    /// one did (the `Limit`s as the estimate sizes them): estimates rest on
    /// what was found, a few pseudo-rows a side, and a stretch with none of
    /// the page's rows (the hours a filter value is rare, a gap in the
    /// data) moved them a third at a time, a window of about the same
    /// length each round (nine round trips for a page of 1: `cost_matrix
    /// --page-size 1 --pages 40 --shape outage --seeds 2..2 --trace-page
    /// "10% evening/strict/39"`). At `short_growth` (2), a page of 1 that
    /// crosses a night from an evening's density still took 7 round trips
    /// (`--shape ulid --seeds 2..2 --trace-page "10% evening/ties/35"`),
    /// and pages of 1 with 4 or more were 420 of 10 086; at 4, 6 and 386,
    /// for 0.9 % more items read there. A window that came back empty where
    /// it aimed past the need by the Poisson slack says the density fell
    /// by more than that. Reaching further by the rows found under half the
    /// need, not none, read more than it saved on pages of 50 (cold first
    /// pages p90 `batch` 1.81 -> 2.55 newest first, items read up to +12 %).
    pub dry_growth: u32,
    /// Responses in a row that came back short before
    /// `short_growth` applies: one short response is what a fair estimate
    /// often gives, and doubling then overshoots. (A run of ties the tie
    /// re-sort reads whole is not sized at all: fetching pins the request
    /// to the run's value.)
    pub short_after: u8,
    /// Responses in a row that found the stream's rows all taken when they
    /// arrived (the merge had drained what the stream held and waited on
    /// it again), after an earlier response of the page, before
    /// `short_growth` applies whatever they found: a `Limit` sized for the
    /// rows the estimate expects, met each time, can still leave the page
    /// short of the stream's rows when the estimate of how far the page
    /// reaches is wrong (a sale the stream's density had not caught up
    /// with), and without growth each further request costs a round trip.
    pub drained_after: u8,
    /// A response that stopped at its `Limit` came back short only when it
    /// found under this share of the rows its `Limit` holds at the page's
    /// selectivity: reads sized by `Limit` alone always stop there.
    pub short_yield: f64,
    /// Rows below which a response that stopped at its `Limit` counts as
    /// short whatever it found: too few to judge its yield by.
    pub short_rows: f64,
    /// Rows the `Limit` of the stream the merge waits on is sized to find
    /// at least, in a round: fewer, and a request that finds none is one
    /// more round trip. So is a stream's that reads by `Limit` alone after
    /// its windows came back empty (`empty_windows`): its window's `Limit`
    /// was an item or two, and one that found a row inside the page left
    /// the merge waiting on the next (`daily`, 50 % French, seed 1, page 3:
    /// four round trips; now three).
    pub urgent_rows: usize,
    /// Items at the end of a response, all on the value it stopped at, after
    /// which fetching takes the stream to be inside a run of ties the page
    /// reads whole and pins its next request to that value: enough that a
    /// short run (two orders in one millisecond) costs no extra request,
    /// few enough that a long run is pinned after one response.
    pub run_evidence: usize,
    // --- rounds and windows ---
    /// Rows added to what a round aims for, as a fraction of the page.
    pub tail_fraction: f64,
    /// Standard deviations of a Poisson count a round aims past its need.
    pub slack_sigmas: f64,
    /// Most slack a round aims for, as a fraction of the page size.
    pub slack_fraction: f64,
    /// Standard errors of the selectivity estimate itself (rows found, a
    /// Poisson count) a round aims past its need once the page has made
    /// `late_after` round trips: the next shortfall costs a round trip
    /// past the third, so the round reads for the estimate being low. At
    /// 1, fewer pages took a fourth round trip (`ulid` 70 -> 66 of 1 746)
    /// but cold first pages read more where three would have done
    /// (`batch` ascending p90 1.88 -> 2.16); at 0 (off), `batch` had 126
    /// pages with four or more, 118 at 0.5.
    pub late_sigmas: f64,
    /// Round trips after which a round is late (see `late_sigmas`).
    pub late_after: u32,
    /// Standard errors of the selectivity estimate (rows found, a Poisson
    /// count) by which a page with nothing to start from (cold) takes the
    /// selectivity ahead to be higher in its rounds before `late_after`
    /// round trips, while the rows found are under `cold_sample` of the
    /// need: its estimate rests on a probe of the range's first items, and
    /// where the rows crowd further on (French orders in the evening, the
    /// probe read the night), a round sized for the probe's share read
    /// several times the page's bound (cold first pages oldest first p90
    /// 2.07-2.71 on five shapes). Rows read past the page are read for
    /// good; a round short of them costs one more round trip. Measured
    /// before `cold_sample` bounded it, over cold first pages: at 0.5
    /// the evening's pages still read too much (`epoch-ms` ascending p90
    /// 2.25); at 1.5, newest first, 426 of 1 932 took 4 or more round
    /// trips (300 unhedged, 381 at 1).
    pub cold_sigmas: f64,
    /// Share of the need the rows a cold page found must reach before its
    /// early rounds stop hedging (`cold_sigmas`): past it, the probe
    /// sampled a good part of the page's stretch. (A round the cold cap
    /// binds is not hedged either: it reads less than planned already.)
    /// With neither bound, cold first pages newest first with 4 or more
    /// round trips went 300 -> 381 of 1 932 for 0.3 % more items read;
    /// with both, 319 (items +0.2 %; ascending, −2.3 %).
    pub cold_sample: f64,
    /// Round trips after which every round aims for `short_growth` times
    /// the last one's need (the fifth round trip's round 2x, the sixth's
    /// 4x): the estimates have fallen short that often. At 4, pages of 20
    /// with 7 round trips 11 -> 3 (the rest: a run of 100 000 ties read in
    /// 1 MB pages, and one `date-only` page), pages of 1 8 -> 0; items
    /// read at pages of 50 within +0.8 %. At 3, pages of 20 read up to
    /// 3 % more for no fewer pages with 4 or more; at 5, no page of 20
    /// with 7 round trips took fewer.
    pub escalate_after: u32,
    /// Items of evidence at which a measured density is trusted half.
    pub shrink_items: f64,
    /// Grid steps a stream still at its start is taken to have covered.
    pub stuck_steps: f64,
    /// Pseudo-items added to both what the stretch read since the last
    /// round found and what the page's average density expected there,
    /// before their ratio scales the density ahead: fewer, and a handful
    /// of items swings the next window; more, and the average lags a
    /// density that changes (a night, a sale).
    pub recent_items: f64,
    /// Most that density may move from the page's average in one round,
    /// either way. Wide: it scales the rows and the items ahead alike, so
    /// the `Limit`s (the items for the rows the page needs) still bound a
    /// window that reaches too far; at 2, paging out of a flash sale (a
    /// density 50× the quiet hours') took a round trip per doubling.
    pub recent_most: f64,
    /// Pseudo-rows added to both the rows the items read since the last
    /// round held and the rows the page's selectivity expected among
    /// them, before their ratio scales the selectivity ahead (a share of
    /// a filter value that moves with the time of day, a nightly batch
    /// of one kind of order): fewer, and a row or two swings the next
    /// `Limit`s; more, and the page's average lags.
    pub recent_rows: f64,
    /// Most that selectivity may move from the page's own in one round,
    /// either way.
    pub recent_rows_most: f64,
    /// Rows the density ahead expected between the streams' last rows and
    /// their frontiers (summed), where they found none, past which that
    /// stretch sets the density ahead: `1 / (1 + expected)` of it, as if
    /// one row had been found there. 4.6 rows found none about 1 % of the
    /// time at a steady density. That is one stream's bound; on a page
    /// that starts from something (a cursor, a hint, the engine's memory)
    /// `k` streams' is the Gamma(`k`) quantile at the same chance (6.63
    /// for two, 10.04 for four, 14.56 for seven): at a steady density each
    /// stream's stretch past its last row expects about one row, and seven
    /// streams summed past 4.6 rows in four rounds of five, which set every
    /// round of an `IN` of seven values planning as if it had left a sale
    /// behind (`cost_matrix --all-statuses`: pages 2+ median 1.22 -> 1.14
    /// on `daily`). A cold page keeps 4.6: its rounds are capped
    /// (`cold_growth`), so a window past the density's estimate costs it no
    /// items, and with the Gamma bound a cold page over 32 statuses reached
    /// a nightly run of 16 000 ties in 7 round trips, not 4. The stretch a round read as a whole
    /// cannot show a sale left behind within it (the sale and the quiet
    /// hours after it average out); at 4 pseudo-rows (the factor
    /// `4 / (4 + expected)`, as the density ahead weighs items), pages
    /// leaving a sale took more round trips (`flash-sale` 1.75 -> 1.76 a
    /// page, `batch` 1.96 -> 1.98).
    pub gap_rows: f64,
    /// How many times the rows the page still needs a window reaches for
    /// when the stretch the last round read was sparser than the page's
    /// average (the density is falling: an evening's end, a sale left
    /// behind, where it may go on falling). Only the window reaches
    /// further: the `Limit`s stay sized for the rows needed, so they, not
    /// the window, end the read where the density held. At 1 (off), a
    /// page whose windows kept finding the data thinner took a round trip
    /// per window (`flash-sale` pages with 4 or more round trips 97 -> 73
    /// of 1 761 at 2; reading only past a fall by half, 82).
    pub falling_reach: f64,
    /// Pseudo-rows that pull each hour of the day's rate of rows toward
    /// the day's average ([`super::daily`]): fewer, and an hour read
    /// briefly (a row or two) sets windows there; more, and an evening
    /// several times as rich as the night moves windows little. Measured
    /// on an earlier form of the curve (each stream's rows expected at
    /// its rate when counted), pages of 50 newest first: at 4 and 8,
    /// pages with 4 or more round trips were 588 and 575 of 17 706, and
    /// `growth`'s pages 2+ p90 1.63 and 1.66; at 2, 575 and 1.58.
    pub day_rows: f64,
    /// A window whose rows, along the day's curve, run from a stretch
    /// into an hour under this share of that stretch's mean rate (an
    /// evening's edge, the night behind it) may end at the edge; see
    /// `cliff_share`. A sharp edge only: the rows past a gentle one (the
    /// day's orders easing toward midnight) cost little more than those
    /// before it, and the round trip an edge may cost buys little there.
    /// Measured with `cliff_share` 0.5, pages of 200 newest first: at
    /// 0.5, pages with 4 or more round trips 285 -> 352 of 13 211 and five
    /// cells lost (`flash-sale`'s and `push-seconds`' round trips, RCU on
    /// `daily`, `epoch-ms` and `ulid`); at 0.25, 305 and two (RCU on
    /// `epoch-ms` and `ulid`, p90 1.300 -> 1.333 and 1.273 -> 1.308).
    /// Pages of 50 alike at both: `growth`'s pages 2+ p90 1.54 -> 1.46,
    /// pages with 4 or more round trips 527 -> 570 and 560.
    pub cliff_drop: f64,
    /// The share of a window's aim the stretch before the day's cliff
    /// (`cliff_drop`) must expect for the window to end there. The curve
    /// is shrunk toward the average (`day_rows`), so a rich evening
    /// expects fewer rows than it holds, and the rows past its edge come
    /// at a fraction of its rate: a window drawn across the night to make
    /// up the difference read a day's items for the few rows a page
    /// might lack, where ending at the edge costs a round trip only when
    /// the evening falls short. Measured, pages of 50 newest first, with
    /// `cliff_drop` at 0.5: at 0.3, 0.4, 0.45, 0.5 and 0.6 on a page's
    /// first window alone,
    /// `growth`'s pages 2+ p90 1.54 -> 1.45, 1.45, 1.46, 1.47 and 1.48,
    /// pages with 4 or more round trips 527 -> 601, 576, 565, 554 and 538
    /// (the lower shares lost `batch`'s round trips). Not on a late round
    /// (`late_after`): it aims past its need so that the page ends there,
    /// and an edge where the evening fell short cost pages a fourth round
    /// trip (at 100 000 orders oldest first, 200 pages with 4 or more of
    /// 5 084; 195 reading on, items +0.09 %).
    pub cliff_share: f64,
    /// Empty windows in a row after which a stream reads by `Limit` alone,
    /// asking for `urgent_rows` rows at least (after one where every
    /// stream still reading found its last window empty: `outage`, 10 %
    /// French, seed 11, page 5, where every window fell in the 3 days
    /// without orders: four round trips; now three).
    pub empty_windows: u8,
    /// A run of ties read through is left out of the density along the key
    /// (a point mass) when it holds more than this many times the items a
    /// point of the key's grid held on average before it; below that it is
    /// what the key's points hold (date-only keys) and counts.
    pub point_mass_factor: u32,
    /// Most rows the density carried to the next page may weigh.
    pub reach_rows: u64,
    /// Standard errors (of two Poisson rates) by which a page's density
    /// may differ from the one carried before the next page forgets the
    /// older one. Wider than `shift_sigmas`: rows along a key cluster (a
    /// daily curve) far more than a Poisson count, and at 3 `daily` pages
    /// forgot their history at every evening's turn and took more round
    /// trips (1.75 -> 1.81 a page); at 8, pages inside a flash sale kept
    /// planning windows hours wide.
    pub reach_shift_sigmas: f64,
    // --- the key's grid ---
    /// Positions observed unchanged after which the grid is settled.
    pub grid_settled: u32,
    /// Positions observed before a grid is used.
    pub grid_min_seen: u32,
    // --- the geometric baseline ---
    /// The baseline's growth factor per request.
    pub baseline_growth: u32,
}

impl Tuning {
    /// The values the policies use.
    pub const DEFAULT: Tuning = Tuning {
        prior_selectivity: 0.5,
        prior_weight: 4.0,
        pool_weight: 100.0,
        cold_growth: 16.0,
        cold_overshoot: 2.0,
        cold_hidden_rows: 3.0,
        carried_items: 2000,
        shift_sigmas: 3.0,
        shift_items: 50,
        max_limit: 10_000.0,
        share_weight: 50.0,
        window_guard_factor: 1.15,
        window_guard_most: 1.25,
        window_guard_items: 8,
        ahead_guard: 2.0,
        short_growth: 2,
        dry_growth: 4,
        short_after: 2,
        drained_after: 2,
        short_yield: 0.5,
        short_rows: 8.0,
        urgent_rows: 3,
        run_evidence: 3,
        tail_fraction: 0.04,
        slack_sigmas: 1.5,
        slack_fraction: 0.06,
        late_sigmas: 0.5,
        late_after: 2,
        cold_sigmas: 1.0,
        cold_sample: 0.25,
        escalate_after: 4,
        shrink_items: 4.0,
        stuck_steps: 0.5,
        recent_items: 4.0,
        recent_most: 32.0,
        recent_rows: 4.0,
        recent_rows_most: 16.0,
        gap_rows: 4.6,
        day_rows: 2.0,
        cliff_drop: 0.25,
        cliff_share: 0.5,
        falling_reach: 2.0,
        empty_windows: 2,
        point_mass_factor: 8,
        reach_rows: 150,
        reach_shift_sigmas: 5.0,
        grid_settled: 64,
        grid_min_seen: 16,
        baseline_growth: 2,
    };
}
