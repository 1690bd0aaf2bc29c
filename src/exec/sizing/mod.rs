//! Sizing: how many items each request asks for, and how far a window
//! reaches.
//!
//! Two concerns meet in a stream's next request. *Fetching*
//! ([`super::frontier`], [`super::streams`]) decides which items it covers
//! and keeps a stream's read frontier moving forward: that is correctness.
//! *Sizing* decides its `Limit` and where a window may end: that is cost.
//! They meet at the [`Sizing`] trait below and nowhere else; a sizing
//! mistake may cost reads or round trips, never a row.
//!
//! ```text
//!   Streams (fetching) ──── Ctx: streams' progress, need ────► Sizing
//!          ◄──── Limit per request, window end, prefetch yes/no ──┘
//!   cursor / Engine memory ◄──── state(): opaque bytes ──── Sizing
//! ```
//!
//! Two policies implement it, chosen by [`crate::Options::sizing`]:
//! [`adaptive`] (the default: selectivity and density estimates, rounds
//! that read every stream to one estimated position, Limits that grow
//! geometrically while a stream keeps coming back short) and
//! [`geometric`] (a plain baseline: a small first `Limit`, doubled on each
//! further request). Every knob is a field of [`Tuning`].
//!
//! The state a policy carries from one page to the next travels as an
//! opaque, versioned blob of at most [`MAX_STATE_BYTES`] bytes (in the
//! cursor, and in the `Engine`'s memory of recent queries), so a change of
//! sizing never changes the cursor format. A forged blob can change how
//! much a request asks for, within the read budget, never which items
//! qualify.

mod adaptive;
pub(crate) mod axis;
pub(crate) mod daily;
mod estimate;
mod geometric;
pub(crate) mod grid;
pub(crate) mod memory;
pub(crate) mod state;
mod tuning;

pub(crate) use tuning::Tuning;
pub use tuning::PRIOR_SELECTIVITY;

use std::collections::VecDeque;

use super::row::Row;
use crate::encoding::Direction;
use crate::value::{Item, Value};

/// Most bytes of sizing state a cursor or the engine's memory holds.
pub(crate) const MAX_STATE_BYTES: usize = 1024;

/// Which sizing policy an [`Engine`](crate::Engine) uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SizingPolicy {
    /// Estimates selectivity and density from what the page (and, through
    /// the cursor or the engine's memory, earlier pages) observed, reads
    /// every stream to one estimated position per round, and grows a
    /// stream's `Limit` geometrically while it keeps coming back short.
    #[default]
    Adaptive,
    /// A plain baseline: each stream's first `Limit` is its share of the
    /// page at an assumed selectivity, doubled on every further request.
    /// For comparison; it ignores earlier pages.
    Geometric,
}

/// How a page's sizing started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum SizingStart {
    /// Nothing was known: a first page the engine had not seen before.
    #[default]
    Cold,
    /// From what the engine observed for the same query before (same
    /// filter values included): a repeated first page.
    Warm,
    /// From the caller's selectivity hint ([`crate::Query::selectivity_hint`]).
    Hinted,
    /// From the cursor: a later page of a pagination.
    Resumed,
}

/// What one stream has done so far, as sizing sees it. Fetching keeps it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Observed {
    /// Items evaluated so far.
    pub scanned: u64,
    /// Items that passed every filter so far.
    pub matched: u64,
    /// Rows taken from this stream by the merge so far.
    pub taken: u64,
    /// Requests answered.
    pub calls: u64,
    /// Items evaluated up to and on a run of ties the stream read through
    /// with a request pinned to the run's value: its start moves to the
    /// run, and its density along the key is measured past it.
    pub run_items: u64,
    /// Rows (matched items) among those `run_items`.
    pub run_rows: u64,
    /// Rows on the stream's start position (after `run_rows`): a resumed
    /// page re-reads the cursor's run of ties there.
    pub start_rows: u64,
}

impl Observed {
    /// Items evaluated *along* the key past the stream's start position,
    /// which a density along the key rests on: a run of ties is a point,
    /// not a density, so the items of a run read through, and the share of
    /// the items on the start position that its rows show, are left out.
    /// Before the stream has moved off its start, every item since the last
    /// run counts (the caller decides what distance they covered).
    pub fn along(&self, moved: bool) -> u64 {
        let items = self.scanned.saturating_sub(self.run_items);
        let rows = self.matched.saturating_sub(self.run_rows);
        if !moved || rows == 0 {
            return items;
        }
        // Plus one on both sides: a few rows say little about where the
        // items lie, and none off the start must not read as no density.
        let off_start = rows.saturating_sub(self.start_rows);
        (items as f64 * (off_start + 1) as f64 / (rows + 1) as f64).round() as u64
    }
}

/// A position on the first sort-key column: the value and its encoding.
pub(crate) type Point = (Value, Vec<u8>);

/// `item`'s value on the position column `attr`, and its encoding in
/// direction `dir` (the bytes rows are ordered by); `None` when it has no
/// encoding.
pub(crate) fn position<'i>(
    item: &'i Item,
    attr: &str,
    dir: Direction,
) -> Option<(Option<&'i Value>, Vec<u8>)> {
    let v = item.get(attr);
    let mut out = Vec::new();
    crate::encoding::encode_column(&mut out, v, dir).ok().map(|_| (v, out))
}

/// What sizing sees of one stream.
pub(crate) struct StreamView<'a> {
    pub done: bool,
    pub busy: bool,
    pub obs: Observed,
    /// Rows read but not yet taken by the merge.
    pub buffer: &'a VecDeque<Row>,
    /// Where it starts reading on the first sort-key column.
    pub start_pos: Option<&'a Point>,
    /// The range is open where the stream starts reading (`created_at >
    /// :since` read newest first): no bound says where, and `start_pos` is
    /// the first row the stream found (`None` before one).
    pub open_start: bool,
    /// How far it has read there.
    pub frontier: Option<&'a Point>,
    /// A run of ties the stream is inside: its next request reads the
    /// rest of it (pinned to its value, no `Limit`).
    pub run: Option<&'a Point>,
}

/// What sizing sees of the page.
pub(crate) struct Ctx<'a> {
    pub streams: Vec<StreamView<'a>>,
    /// Rows the page still needs (with the look-ahead row).
    pub need: usize,
    /// The page size.
    pub page: usize,
    /// True when a filter can drop items a request evaluates.
    pub filtered: bool,
    /// The first sort-key column and its direction, when the plan narrows.
    pub pos_col: Option<&'a (String, Direction)>,
    /// True when the page reads every run of ties on that column whole
    /// (the tie re-sort needs it), so a window's last point is read whole;
    /// false when the index order is the whole order and a read may stop
    /// inside a point.
    pub whole_points: bool,
    /// Sequential round trips the page has made so far.
    pub round_trips: u32,
}

impl Ctx<'_> {
    /// Streams still reading.
    pub fn active(&self) -> usize {
        self.streams.iter().filter(|s| !s.done).count()
    }

    /// `(matched, scanned)` summed over the page's streams.
    pub fn pool(&self) -> (u64, u64) {
        self.streams.iter().fold((0, 0), |(m, n), s| (m + s.obs.matched, n + s.obs.scanned))
    }

    /// Rows taken from every stream.
    pub fn taken(&self) -> u64 {
        self.streams.iter().map(|s| s.obs.taken).sum()
    }
}

/// A response as sizing sees it.
pub(crate) struct Response<'a> {
    /// Items that passed the server filter.
    pub items: &'a [Item],
    pub last_evaluated_key: Option<&'a Item>,
    /// Items evaluated.
    pub scanned: u64,
    /// The request's `Limit`.
    pub limit: u32,
}

/// How a page ended, for the state the next page starts from.
pub(crate) struct PageEnd<'a> {
    /// The page's rows, in page order (at least one).
    pub rows: &'a [Item],
    /// Rows of the last row's run of ties the page holds for the next one:
    /// the next page's first rows. A page that reads runs whole sorted the
    /// rest of that run (the next page reads it again); one that merges
    /// the index order counts the rows its streams read there and did not
    /// take (more may follow where a stream stopped inside the run). 0 when
    /// there are none, or unknown.
    pub run_rest: usize,
    /// The rows read past the page that it holds at its end, outside the
    /// streams' buffers: each stream's next row the merge holds, and the
    /// rows the tie re-sort holds past the rest of the last row's run (its
    /// look-ahead row). Empty when the page did not merge.
    pub held: &'a [Item],
}

/// One round of requests: the `Limit` for each stream to read now, and
/// where their key conditions end (a window), if anywhere.
#[derive(Debug, Clone, Default)]
pub(crate) struct Round {
    pub limits: Vec<Option<u32>>,
    pub window: Option<Value>,
    /// Per stream, a run of ties another stream is inside that its
    /// `Limit` would carry it into: the stream reads as one inside that
    /// run does (a request pinned to its value, no `Limit`, so the run's
    /// first 1 MB page comes in this round trip) and past it by a read
    /// ahead (see [`Sizing::reads_past_runs`]) with what its `Limit` in
    /// `limits` leaves. Empty: none.
    pub through: Vec<Option<Point>>,
}

/// Sizing state that does not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BadState(pub &'static str);

/// A sizing policy: the one interface between fetching and sizing.
pub(crate) trait Sizing: Send {
    /// Starts from state an earlier page left (`how` says where it came
    /// from); `start` is the cursor row's value on the first sort-key
    /// column on a resumed page.
    ///
    /// # Errors
    /// [`BadState`] when the state is this policy's but malformed; state
    /// of another policy or version is ignored.
    fn resume(
        &mut self,
        ctx: &Ctx<'_>,
        state: &[u8],
        start: Option<&Value>,
        how: SizingStart,
    ) -> Result<(), BadState>;

    /// Starts from the caller's selectivity hint.
    fn hint_selectivity(&mut self, selectivity: f64);

    /// How this page's sizing started.
    fn start(&self) -> SizingStart;

    /// Where the page's first requests end, when the policy reads every
    /// stream to one position at once.
    fn first_window(&mut self, ctx: &Ctx<'_>) -> Option<Value>;

    /// The `Limit` of stream `i`'s next request when no round planned it.
    fn limit(&self, ctx: &Ctx<'_>, i: usize) -> u32;

    /// The `Limit` of a request whose key condition ends at a window, from
    /// the one planned for it: the window bounds the read, the `Limit` only
    /// guards against a density far off the estimate.
    fn windowed_limit(&self, limit: u32) -> u32;

    /// The `Limit` of a request a round planned for a window, from the one
    /// planned, where the stream reads by `Limit` alone instead (its last
    /// windows came back empty: see `streams`): the request is a probe for
    /// the stream's next rows, wherever they lie.
    fn probe_limit(&self, _ctx: &Ctx<'_>, _i: usize, planned: u32) -> u32 {
        planned
    }

    /// Stream `urgent` ran dry while the page needs rows: the requests to
    /// send now (`None`: just `urgent`, by [`Sizing::limit`]). `heads` are
    /// the rows the merge holds, by stream.
    fn round(&mut self, ctx: &Ctx<'_>, urgent: usize, heads: &[(usize, &Item)]) -> Option<Round>;

    /// True when stream `i`, idle, should be read ahead of need.
    fn wants(&self, ctx: &Ctx<'_>, i: usize) -> bool;

    /// Stream `i` read through a run of `items` ties at `at`: true when the
    /// run is a point mass its density along the key should leave out (a
    /// batch at one millisecond), false when it is what a point of the
    /// key's grid holds anyway (every date of date-only keys is a run).
    fn is_point_mass(&self, _ctx: &Ctx<'_>, _i: usize, _at: &Point, _items: u64) -> bool {
        true
    }

    /// True when a stream that reads the rest of a run of ties (a request
    /// pinned to the run's value, no `Limit`) reads on past the run in the
    /// same round trip, to where the round plans it to read (fetching
    /// sends that request beside the pinned one and takes its response
    /// once the run is read). It saves a round trip when the page needs
    /// rows past the run, and costs that request's reads when the rest of
    /// the run held the page.
    fn reads_past_runs(&self) -> bool {
        false
    }

    /// A response for stream `i` arrived.
    fn observe(&mut self, ctx: &Ctx<'_>, i: usize, response: &Response<'_>);

    /// The state the next page starts from (at most [`MAX_STATE_BYTES`]).
    fn state(&self, ctx: &Ctx<'_>, end: &PageEnd<'_>) -> Vec<u8>;

    /// The state the engine remembers of a first page, for the next run
    /// of the same query's first page (at most [`MAX_STATE_BYTES`]): by
    /// default the next page's.
    fn remembered_state(&self, ctx: &Ctx<'_>, end: &PageEnd<'_>) -> Vec<u8> {
        self.state(ctx, end)
    }
}

/// The policy `which`, for a page of `streams` streams.
pub(crate) fn policy(which: SizingPolicy, streams: usize) -> Box<dyn Sizing> {
    match which {
        SizingPolicy::Adaptive => Box::new(adaptive::Adaptive::new(streams)),
        SizingPolicy::Geometric => Box::new(geometric::Geometric::default()),
    }
}
