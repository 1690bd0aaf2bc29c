//! The parallel streams of one page: one lazy, paginated DynamoDB `Query`
//! per partition-key value, fetched with bounded concurrency.
//!
//! Requests run as futures inside the page future (no spawned tasks), so
//! dropping the page future cancels every request in flight.
//!
//! ```text
//!   request(i) ──► queue ──(slot free)──► in_flight ──► ingest(i, response)
//!                                                         │ residual filter
//!                                                         │ encode sort key
//!                                                         │ drop rows ≤ cursor
//!                                                         ▼
//!                                                 states[i].buffer ──► merge
//! ```
//!
//! A round of requests (see `sizing::estimate::plan_round`) estimates the position
//! on the first sort-key column where the page ends and reads every stream
//! short of it *to that position*: the key condition's far bound is set
//! there (a window), so each stream stops where the page is estimated to
//! end whatever its own density, instead of after a `Limit` sized from a
//! density measured on a few items. A window read to its bound leaves the
//! stream going on strictly past the bound ([`super::frontier`] decides
//! what each request covers, and never reads an item twice).
//!
//! ```text
//!  stream a  ──●━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━│ end (estimated)
//!  stream b  ────────●━━━━━━━━━━━━━━━━━━━━━━━━━━━━━│
//!  stream c  ──────────────────────────────────────────●  (already past: no request)
//!            ● frontier   ━ read in this round     │ the key condition's bound
//! ```

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use futures::stream::{FuturesUnordered, StreamExt};

use super::ahead::Ahead;
use super::fetch::{self, Filled};
use super::frontier::Frontier;
use super::narrow::Start;
use super::row::Row;
use super::sizing::{self, position, Ctx, Observed, Point, Sizing, SizingStart, StreamView};
use crate::backend::{Backend, KeyCondition, ReadRequest, ReadResponse, SortRange};
use crate::encoding::Direction;
use crate::error::{Error, ErrorKind, Result};
use crate::options::Options;
use crate::plan::{Plan, Strategy};
use crate::stats::{QueryStats, StreamStats};
use crate::value::{Item, Value};

/// Empty windows in a row after which a stream reads by `Limit` alone.
const EMPTY_WINDOWS: u8 = sizing::Tuning::DEFAULT.empty_windows;

/// A request in flight: its stream, the id of the [`Ahead`] it is (when
/// it reads ahead past a run of ties), its round trip's depth, and the
/// response.
type Fetch<'a> = Pin<Box<dyn Future<Output = (usize, Option<u64>, u32, Result<ReadResponse>)> + Send + 'a>>;

/// One stream's progress.
pub(crate) struct StreamState {
    /// What the stream has read, and the key condition of its next
    /// request: the one place that decides which items a request covers.
    reads: Frontier,
    pub done: bool,
    busy: bool,
    pub buffer: VecDeque<Row>,
    obs: Observed,
    /// Where this stream starts reading, on the first sort-key column
    /// (value and encoding).
    start_pos: Option<Point>,
    /// The range is open where the stream starts reading, and `start_pos`
    /// is the first row it found (see [`sizing::StreamView::open_start`]);
    /// false once a run of ties read through moves the start.
    open_start: bool,
    /// How far it has read (the last evaluated item's position).
    frontier: Option<Point>,
    /// The `Limit` a round planned for its next request.
    next_limit: Option<u32>,
    /// Where a round planned the next request to stop: a value on the
    /// first sort-key column, made the key condition's far bound.
    next_window: Option<Value>,
    /// A round planned a request for this stream while its last one was
    /// still in flight: the `Limit` and window it planned, sent when that
    /// response arrives (see [`Streams::follow_round`]).
    missed: Option<(u32, Option<Value>)>,
    /// The far bound the request in flight carries (value, encoding).
    window: Option<Point>,
    /// The `Limit` of the request in flight.
    limit: u32,
    /// Windows in a row that held no item: after [`EMPTY_WINDOWS`], or
    /// after one when the merge waits on the stream or every stream still
    /// reading found its last window empty, the next request reads by
    /// `Limit` alone (a probe sized by [`Sizing::probe_limit`], or, for
    /// the stream the merge waits on, by the round), so a stream that has
    /// run out learns it (a query
    /// with no range on the column would otherwise move an empty window on
    /// and on), and one whose next key lies far on is not chased window by
    /// window. A single empty window is common (a sparse stream) and
    /// reaches the bound, so it holds nothing up.
    empty_windows: u8,
    /// Encoded values of the order columns before the first sort-key column
    /// (constant within the stream).
    const_prefix: Option<Vec<u8>>,
    /// The stream stopped inside a run of ties the page reads whole, at
    /// this position: its next request reads the rest of the run and
    /// nothing past it.
    run: Option<Point>,
    /// True once a row off the start position arrived (rows come in scan
    /// order, so the ones on it come first).
    left_start: bool,
    /// The read past the run `run` names, when one went out with the
    /// request for the run's rest.
    ahead: Option<Ahead>,
}

/// Every stream of the page, and the requests in flight.
pub(crate) struct Streams<'a, B: Backend> {
    plan: &'a Plan,
    backend: &'a B,
    states: Vec<StreamState>,
    in_flight: FuturesUnordered<Fetch<'a>>,
    /// Streams whose next request waits for a free slot, and whether it
    /// is a read ahead ([`Ahead`]).
    queue: VecDeque<(usize, bool)>,
    max_concurrency: usize,
    max_buffered: usize,
    cursor_key: Option<Vec<u8>>,
    /// The cursor's served prefix, when the plan fetches `ORDER BY`
    /// attributes the index lacks: rows on it (the cursor's run) are kept
    /// at ingest and skipped once fetched ([`Streams::before_cursor`]).
    cursor_prefix: Option<Vec<u8>>,
    /// The rows this page has fetched with `BatchGetItem`.
    filled: Filled,
    /// The first sort-key column, whose positions size the requests.
    pos_col: Option<(String, Direction)>,
    /// Rows the page still needs (updated by the consumer), for sizing.
    pub need: usize,
    /// True when the page reads every run of ties on the first sort-key
    /// column whole (the tie re-sort orders a run on columns the index does
    /// not serve), so a stream inside one reads it to its end.
    whole_runs: bool,
    /// How many items each request asks for, and where windows end: the
    /// one seam between fetching and sizing.
    sizer: Box<dyn Sizing>,
    buffered: usize,
    clock: u32,
    pub stats: QueryStats,
}

impl<'a, B: Backend> Streams<'a, B> {
    /// `starts[i]` is where stream `i` starts, its key condition already
    /// narrowed by the cursor; `None` marks a stream wholly before the cursor.
    pub fn new(
        plan: &'a Plan,
        backend: &'a B,
        options: &Options,
        starts: Vec<Option<Start>>,
        cursor_key: Option<Vec<u8>>,
        sizer: Box<dyn Sizing>,
    ) -> Self {
        let pos_col = plan
            .narrowing
            .as_ref()
            .and_then(|n| plan.order.get(n.order_pos))
            .map(|c| (c.attr.clone(), c.dir));
        let states = starts
            .into_iter()
            .enumerate()
            .map(|(i, start)| {
                let skip = start.is_none();
                let (key, after) = start.map_or((None, None), |s| (s.key, s.after));
                let mut reads =
                    Frontier::new(key, pos_col.as_ref().map(|(a, _)| a.as_str()), plan.scan_forward);
                if let Some(after) = after {
                    reads.start_after(after);
                }
                let start_pos = reads.key().and_then(|k| range_start(k, plan.scan_forward, pos_col.as_ref()));
                StreamState {
                    const_prefix: const_prefix(plan, i),
                    done: skip || reads.is_done(),
                    reads,
                    busy: false,
                    buffer: VecDeque::new(),
                    obs: Observed::default(),
                    frontier: None,
                    next_limit: None,
                    next_window: None,
                    missed: None,
                    window: None,
                    limit: 0,
                    empty_windows: 0,
                    run: None,
                    ahead: None,
                    // Rows on the start are counted when the key condition
                    // (the cursor) sets it, not when the first row does.
                    left_start: start_pos.is_none(),
                    open_start: start_pos.is_none(),
                    start_pos,
                }
            })
            .collect::<Vec<_>>();
        let stats = QueryStats { streams: states.len(), ..QueryStats::default() };
        Streams {
            plan,
            backend,
            states,
            in_flight: FuturesUnordered::new(),
            queue: VecDeque::new(),
            max_concurrency: options.max_concurrency.max(1),
            max_buffered: options.max_buffered_rows,
            cursor_key,
            cursor_prefix: None,
            filled: Filled::default(),
            pos_col,
            need: plan.limit + 1,
            whole_runs: plan.reads_whole_runs(),
            sizer,
            buffered: 0,
            clock: 0,
            stats,
        }
    }

    /// Number of streams.
    pub fn len(&self) -> usize {
        self.states.len()
    }

    /// True when stream `i` has returned its last page.
    pub fn is_done(&self, i: usize) -> bool {
        self.states[i].done
    }

    /// Asks every stream for its first page. A page resuming a cursor that
    /// says how densely rows lay along the key reads every stream to where
    /// that density puts the page's end (a window, see the module docs), so
    /// the streams stop at one position instead of scattering around it.
    pub fn start(&mut self) -> Result<()> {
        let window = self.sizer.first_window(&ctx(
            &self.states,
            self.plan,
            self.need,
            self.pos_col.as_ref(),
            self.clock,
        ));
        for i in 0..self.states.len() {
            self.states[i].next_window.clone_from(&window);
            self.request(i)?;
        }
        Ok(())
    }

    /// What sizing sees of the page.
    fn ctx(&self) -> Ctx<'_> {
        ctx(&self.states, self.plan, self.need, self.pos_col.as_ref(), self.clock)
    }

    /// Takes stream `i`'s next buffered row.
    pub fn pop(&mut self, i: usize) -> Option<Row> {
        let row = self.states[i].buffer.pop_front()?;
        self.buffered -= 1;
        self.states[i].obs.taken += 1;
        Some(row)
    }

    /// Takes every buffered row of stream `i` (for top-N).
    pub fn drain(&mut self, i: usize) -> impl Iterator<Item = Row> + '_ {
        let st = &mut self.states[i];
        self.buffered -= st.buffer.len();
        st.buffer.drain(..)
    }

    /// True while any request is queued or in flight.
    pub fn busy(&self) -> bool {
        !self.in_flight.is_empty() || !self.queue.is_empty()
    }

    /// Reads stream `i` once more (one response), unless it is done. While
    /// it waits, every other stream the page is estimated to need is
    /// refilled too, so the refills share one round trip.
    /// `heads` are the rows the merge holds, by stream (they count as read).
    pub async fn read_once(&mut self, i: usize, heads: &[(usize, &Item)]) -> Result<()> {
        if self.states[i].done {
            return Ok(());
        }
        if !self.states[i].busy {
            self.refill_round(i, heads)?;
        }
        while self.states[i].busy {
            if self.wait().await?.is_none() {
                break;
            }
        }
        Ok(())
    }

    /// Reads stream `i` on from the frontier `seen`, unless the stream has
    /// moved past it since (a round read it meanwhile): then its buffered
    /// rows or newer frontier take the place of `seen` with no request.
    pub async fn read_past(&mut self, i: usize, seen: &[u8], heads: &[(usize, &Item)]) -> Result<()> {
        let st = &self.states[i];
        if st.buffer.is_empty() && !st.done && self.frontier_key(i).is_none_or(|f| f.as_slice() <= seen) {
            self.read_once(i, heads).await?;
        }
        Ok(())
    }

    /// A lower bound for the merge prefix of stream `i`'s next row: its
    /// constant columns, then the position of the last item it evaluated.
    pub fn frontier_key(&self, i: usize) -> Option<Vec<u8>> {
        let st = &self.states[i];
        let mut key = st.const_prefix.clone()?;
        key.extend_from_slice(&st.frontier.as_ref()?.1);
        Some(key)
    }

    /// Stream `urgent` ran dry: plan one round of requests for every stream
    /// short of where the page is estimated to end, sized by each stream's
    /// observed density, so the refills share one round trip.
    fn refill_round(&mut self, urgent: usize, heads: &[(usize, &Item)]) -> Result<()> {
        self.read_run_siblings(urgent)?;
        let ctx = ctx(&self.states, self.plan, self.need, self.pos_col.as_ref(), self.clock);
        let round = self.sizer.round(&ctx, urgent, heads);
        let Some(round) = round else {
            self.request(urgent)?;
            self.read_ahead(None)?;
            return self.prefetch_low();
        };
        // Every stream still reading found its last window empty: the page
        // as a whole ran out of items there (the end of the data, on an
        // open range), not one sparse stream. Windows placed past it rest
        // on a density falling toward nothing and reach on and on; each
        // such stream reads by `Limit` alone, a probe for its next rows.
        let ran_out = self.states.iter().filter(|s| !s.done).all(|s| s.empty_windows > 0);
        for (j, limit) in round.limits.iter().enumerate() {
            // A newer round supersedes what an older one planned. A stream
            // reading the rest of a run of ties (pinned) is left to the run's
            // logic: what it reads past the run is decided when the run is
            // whole (see `read_ahead`).
            let through = round.through.get(j).cloned().flatten();
            self.states[j].missed = None;
            let Some(l) = *limit else { continue };
            // The stream the merge waits on, after an empty window, reads
            // by `Limit`: it may have run out. So does every stream where
            // all of them found their last windows empty, and each such
            // read is a probe for the stream's next rows
            // (`Sizing::probe_limit`; the round sized the one the merge
            // waits on for a few rows already).
            let (busy, done) = (self.states[j].busy, self.states[j].done);
            let by_limit = self.states[j].empty_windows > 0 && (j == urgent || ran_out);
            let l = if !busy && !done && by_limit && j != urgent && round.window.is_some() {
                self.sizer.probe_limit(&self.ctx(), j, l)
            } else {
                l
            };
            let st = &mut self.states[j];
            if busy {
                if st.run.is_none() && j != urgent {
                    st.missed = Some((l, round.window.clone()));
                }
            } else if !done {
                st.next_limit = Some(l);
                match through.filter(|_| !by_limit) {
                    // Into a run of ties another stream is inside: read as
                    // the streams inside it are (pinned to its value, no
                    // `Limit`), and past it by the read ahead below (see
                    // `Round::through`).
                    Some(run) => st.run = Some(run),
                    None => st.next_window = round.window.clone().filter(|_| !by_limit),
                }
                self.request(j)?;
            }
        }
        self.request(urgent)?;
        self.read_ahead(Some(&round))
    }

    /// Every stream this round reads the rest of a run of ties on (a
    /// pinned request, no `Limit`) while the round plans to read it on past
    /// the run reads past it now, in the same round trip (see
    /// [`super::ahead`]), when sizing says so ([`Sizing::reads_past_runs`]):
    /// to the round's window with the `Limit` it planned (no guard above
    /// it), or, with no round, by the stream's `Limit` alone. A round whose window ends at or
    /// before the run (the page is estimated to end inside it) reads
    /// nothing past it.
    fn read_ahead(&mut self, round: Option<&sizing::Round>) -> Result<()> {
        if self.plan.strategy == Strategy::TopK || !self.sizer.reads_past_runs() {
            return Ok(());
        }
        for j in 0..self.states.len() {
            let st = &self.states[j];
            let Some((run, _)) = &st.run else { continue };
            if !st.busy || st.done || st.ahead.is_some() {
                continue;
            }
            let limit = match round {
                Some(r) => match r.limits.get(j) {
                    Some(Some(l)) => *l,
                    _ => continue,
                },
                None => self.sizer.limit(&self.ctx(), j),
            };
            let window = round.and_then(|r| r.window.as_ref()).filter(|v| self.fits_column(v));
            let Some(next) = Ahead::past_run(&st.reads, run, window) else { continue };
            let applied = match next.window.clone().map(|w| self.point(w)) {
                Some(None) => continue,
                Some(p) => p,
                None => None,
            };
            // The round's `Limit` as planned, without a window's guard: it
            // counts the rows from the run's position on, and the run's rest
            // brings some of them.
            let Some(request) = self.read_request(j, next.key.clone(), None, limit) else { return Ok(()) };
            self.stats.reads_ahead += 1;
            self.states[j].ahead = Some(Ahead::new(self.stats.reads_ahead, request, next, applied));
            self.queue.push_back((j, true));
        }
        self.launch_queued()
    }

    /// Stream `i` read the rest of its run: it goes on with the read
    /// ahead past it, if one went out. Its response is ingested now if it
    /// came; else the stream waits on it. A read ahead the frontier no
    /// longer asks for is dropped (its reads were counted).
    fn take_ahead(&mut self, i: usize) -> Result<()> {
        let st = &mut self.states[i];
        if st.run.is_some() || st.busy {
            // The run goes on (DynamoDB's 1 MB page): the read ahead waits.
            return Ok(());
        }
        let Some(mut ahead) = st.ahead.take() else { return Ok(()) };
        if !ahead.still_asked(&st.reads) {
            return Ok(());
        }
        // The request the stream sends next is this one.
        st.window = ahead.window.take();
        st.limit = ahead.limit;
        let Some(response) = ahead.response.take() else {
            ahead.awaited = true;
            st.ahead = Some(ahead);
            st.busy = true;
            return Ok(());
        };
        self.ingest(i, response)
    }

    /// Stream `urgent` is inside a run of ties the page reads whole (the
    /// merge needs its next row, so the page reaches the run, and the tie
    /// re-sort needs every stream's rows on it): every other idle stream
    /// that stopped inside the same run reads the rest of it now, in the
    /// same round trip, instead of when the merge reaches its head. A
    /// stream stopped on the run's value counts, whatever its own response
    /// showed of the run (a sparse stream may have reached it on its last
    /// item): the page must read the rest of that value on every stream,
    /// and the pinned request reads exactly that.
    ///
    /// The stream the merge waits on may not show the run itself (a sparse
    /// stream reaches a nightly batch on its last item or two) while
    /// another stream stopped on the same value does: the run is known
    /// all the same, and the others read their rest of it now. So does the
    /// stream waited on when it stopped on a run another shows (its
    /// response may hold no row of the run): by a `Limit` it stopped
    /// inside the run again, a round trip before the run's rest.
    fn read_run_siblings(&mut self, urgent: usize) -> Result<()> {
        let st = &self.states[urgent];
        let at = match (&st.run, &st.frontier) {
            (Some((_, at)), _) => at.clone(),
            (None, Some((_, at)))
                if self.states.iter().any(|o| o.run.as_ref().is_some_and(|(_, k)| k == at)) =>
            {
                at.clone()
            }
            _ => return Ok(()),
        };
        // The stream waited on, stopped on a run another stream reads
        // through, reads its rest the same way (see above).
        let st = &mut self.states[urgent];
        if st.run.is_none() {
            // Its frontier is `at` (the match above).
            st.run = st.frontier.clone();
        }
        for j in 0..self.states.len() {
            let st = &mut self.states[j];
            if j == urgent || st.busy || st.done {
                continue;
            }
            if st.run.is_none() && st.frontier.as_ref().is_some_and(|(_, k)| *k == at) {
                st.run = st.frontier.clone();
            }
            if st.run.as_ref().is_some_and(|(_, k)| *k == at) {
                self.request(j)?;
            }
        }
        Ok(())
    }

    /// Starts sizing from what earlier pages left: the cursor's state
    /// (`start` is the cursor row's value on the first sort-key column), or
    /// the engine's memory of the same query.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidCursor`] when the state is malformed.
    pub fn resume(&mut self, state: &[u8], start: Option<&Value>, how: SizingStart) -> Result<()> {
        let ctx = ctx(&self.states, self.plan, self.need, self.pos_col.as_ref(), self.clock);
        let r = self.sizer.resume(&ctx, state, start, how);
        r.map_err(|e| {
            Error::invalid_cursor(format!("the cursor is malformed ({}); restart from the first page", e.0))
        })
    }

    /// Starts sizing from the caller's selectivity hint.
    pub fn hint_selectivity(&mut self, selectivity: f64) {
        self.sizer.hint_selectivity(selectivity);
    }

    /// Rows read and not taken on `last`'s position of the first sort-key
    /// column, in the streams' buffers and `heads` (the merge's): after a
    /// page that ended inside a run of ties, the rest of the run it holds,
    /// the next page's first rows (more may follow where a stream stopped
    /// inside the run).
    pub fn held_on(&self, last: &Item, heads: &[(usize, &Item)]) -> usize {
        let Some((attr, dir)) = &self.pos_col else { return 0 };
        let Some((_, at)) = position(last, attr, *dir) else { return 0 };
        let on = |item: &Item| position(item, attr, *dir).is_some_and(|(_, k)| k == at);
        let buffered = self.states.iter().flat_map(|st| st.buffer.iter()).filter(|r| on(&r.item)).count();
        buffered + heads.iter().filter(|(_, item)| on(item)).count()
    }

    /// The sizing state for the next page's cursor.
    pub fn sizing_state(&self, end: &sizing::PageEnd<'_>) -> Vec<u8> {
        bounded(self.sizer.state(&self.ctx(), end))
    }

    /// The sizing state the engine remembers of a first page
    /// ([`Sizing::remembered_state`]), empty when it would not fit.
    pub fn remembered_state(&self, end: &sizing::PageEnd<'_>) -> Vec<u8> {
        bounded(self.sizer.remembered_state(&self.ctx(), end))
    }

    /// Issues requests for streams whose buffers hold less than their share of the need.
    fn prefetch_low(&mut self) -> Result<()> {
        let wanted: Vec<usize> = {
            let ctx = self.ctx();
            (0..self.states.len())
                .filter(|&j| !ctx.streams[j].done && !ctx.streams[j].busy && self.sizer.wants(&ctx, j))
                .collect()
        };
        for j in wanted {
            self.request(j)?;
        }
        Ok(())
    }

    /// Waits for one response and ingests it. Returns the stream it was for.
    pub async fn wait(&mut self) -> Result<Option<usize>> {
        let Some((i, ahead, depth, result)) = self.in_flight.next().await else { return Ok(None) };
        self.clock = self.clock.max(depth);
        self.stats.round_trips = self.clock;
        self.states[i].obs.calls += 1;
        self.stats.calls += 1;
        let response = result?;
        self.stats.items_read += response.scanned_count;
        self.stats.items_returned += response.items.len() as u64;
        if let Some(c) = response.consumed_capacity {
            *self.stats.consumed_capacity.get_or_insert(0.0) += c;
        }
        let st = &mut self.states[i];
        match (ahead, st.ahead.as_mut()) {
            (None, _) => {
                st.busy = false;
                let scanned = response.scanned_count;
                self.ingest(i, response)?;
                self.take_ahead(i)?;
                self.follow_round(i, scanned)?;
            }
            (Some(id), Some(a)) if a.id == id => {
                if a.awaited {
                    st.ahead = None;
                    st.busy = false;
                    self.ingest(i, response)?;
                } else {
                    a.response = Some(response);
                }
            }
            // A read ahead dropped: its reads count, its items do not.
            (Some(_), _) => {}
        }
        self.launch_queued()?;
        Ok(Some(i))
    }

    /// Sends the request a round planned for stream `i` while its last
    /// request was still in flight. The round trip that response answered
    /// is the one before the round's, so the request goes out in the
    /// round's round trip, not when the merge next waits on the stream.
    /// Its `Limit` is the planned one less the items that response read
    /// toward the round's end; nothing is sent when the stream is done,
    /// busy again, inside a run of ties (its next request reads the run),
    /// or already at the round's window.
    fn follow_round(&mut self, i: usize, scanned: u64) -> Result<()> {
        let Some((limit, window)) = self.states[i].missed.take() else { return Ok(()) };
        let st = &self.states[i];
        if st.done || st.busy || st.ahead.is_some() || st.run.is_some() {
            return Ok(());
        }
        let left = u64::from(limit).saturating_sub(scanned);
        if left == 0 {
            return Ok(());
        }
        let end = window.clone().and_then(|w| self.point(w));
        if let (Some(end), Some(frontier)) = (end, st.frontier.as_ref()) {
            if frontier.1 >= end.1 {
                return Ok(());
            }
        }
        let st = &mut self.states[i];
        st.next_limit = Some(u32::try_from(left).unwrap_or(u32::MAX));
        st.next_window = window;
        self.request(i)
    }

    /// Queues a request for stream `i` (sized now, sent when a slot is free).
    pub fn request(&mut self, i: usize) -> Result<()> {
        let st = &mut self.states[i];
        if st.done || st.busy {
            return Ok(());
        }
        st.busy = true;
        self.queue.push_back((i, false));
        self.launch_queued()
    }

    fn launch_queued(&mut self) -> Result<()> {
        while self.in_flight.len() < self.max_concurrency {
            let Some((i, ahead)) = self.queue.pop_front() else { break };
            if ahead {
                let request = self.states[i].ahead.as_mut().and_then(|a| Some((a.id, a.request.take()?)));
                if let Some((id, request)) = request {
                    let (depth, backend) = (self.clock + 1, self.backend);
                    self.in_flight
                        .push(Box::pin(async move { (i, Some(id), depth, backend.read(request).await) }));
                }
                continue;
            }
            let planned = self.states[i].next_limit.take();
            let missed = self.states[i].empty_windows >= EMPTY_WINDOWS;
            // A round's `Limit` planned for a window this stream now reads
            // without: a probe for its next rows, wherever they lie.
            let planned = match planned {
                Some(l) if missed && self.states[i].next_window.is_some() => {
                    Some(self.sizer.probe_limit(&self.ctx(), i, l))
                }
                other => other,
            };
            let window = self.states[i].next_window.take().filter(|_| !missed);
            let pinned = self.states[i].run.as_ref().map(|(v, _)| v.clone());
            let window = pinned.clone().or(window);
            if window.is_none() {
                self.states[i].empty_windows = 0;
            }
            let (request, applied) = self.build_request(i, planned, window, pinned.is_some())?;
            self.states[i].window = applied;
            self.states[i].limit = request.limit.unwrap_or(u32::MAX);
            let depth = self.clock + 1;
            let backend = self.backend;
            self.in_flight.push(Box::pin(async move { (i, None, depth, backend.read(request).await) }));
        }
        Ok(())
    }

    /// The request for stream `i`; with a `window`, its key condition ends
    /// there (returned with its encoding when the condition could say so).
    /// A `pinned` window is the value of a run of ties the stream is
    /// inside: the request reads the rest of the run with no `Limit` but
    /// the read budget (DynamoDB's 1 MB page still applies).
    fn build_request(
        &self,
        i: usize,
        planned: Option<u32>,
        window: Option<Value>,
        pinned: bool,
    ) -> Result<(ReadRequest, Option<Point>)> {
        let plan = self.plan;
        let st = &self.states[i];
        let over_budget = || {
            Error::new(
                ErrorKind::ReadBudgetExceeded,
                format!(
                    "this page needs more than its read budget of {} items (read so far: {}); narrow the \
                     filter, add an index whose sort key serves the ORDER BY, or raise the budget \
                     (Query::read_budget / Options::read_budget)",
                    plan.read_budget, self.stats.items_read
                ),
            )
        };
        let limit = if plan.strategy == Strategy::TopK {
            u32::MAX
        } else {
            planned.unwrap_or_else(|| self.sizer.limit(&self.ctx(), i))
        };
        let next = st.reads.next(window.as_ref().filter(|v| self.fits_column(v)));
        let applied = next.window.and_then(|v| self.point(v));
        let limit = match (&applied, pinned) {
            (Some(_), true) => u32::MAX,
            (Some(_), false) => self.sizer.windowed_limit(limit),
            (None, _) => limit,
        };
        let request =
            self.read_request(i, next.key, next.exclusive_start_key, limit).ok_or_else(over_budget)?;
        Ok((request, applied))
    }

    /// A `Query` for stream `i` on `key` after `start`, asking for `limit`
    /// items at most and never more than the page's read budget has left
    /// (`None` when it has none).
    fn read_request(
        &self,
        i: usize,
        key: Option<KeyCondition>,
        start: Option<Item>,
        limit: u32,
    ) -> Option<ReadRequest> {
        let plan = self.plan;
        let left = plan.read_budget.saturating_sub(self.stats.items_read);
        if left == 0 {
            return None;
        }
        let branch = plan.branch_of(i);
        Some(ReadRequest {
            table: plan.table.clone(),
            index: branch.index.clone(),
            key,
            filter: branch.server_filter.clone(),
            projection: plan.projection.clone(),
            scan_forward: plan.scan_forward,
            limit: Some(request_limit(limit, left)),
            exclusive_start_key: start,
            count_only: false,
            segment: None,
        })
    }

    /// `v` on the first sort-key column, with its encoding.
    fn point(&self, v: Value) -> Option<Point> {
        let (_, dir) = self.pos_col.as_ref()?;
        let mut enc = Vec::new();
        crate::encoding::encode_column(&mut enc, Some(&v), *dir).ok()?;
        Some((v, enc))
    }

    /// True when `v` can stand in a key condition on the first sort-key
    /// column (its declared type, a valid key value).
    fn fits_column(&self, v: &Value) -> bool {
        self.plan.narrowing.as_ref().is_some_and(|n| n.ty.matches(v)) && v.is_valid_key()
    }

    fn ingest(&mut self, i: usize, response: ReadResponse) -> Result<()> {
        response.check_moved()?;
        let plan = self.plan;
        let seen = sizing::Response {
            items: &response.items,
            last_evaluated_key: response.last_evaluated_key.as_ref(),
            scanned: response.scanned_count,
            limit: self.states[i].limit,
        };
        self.sizer.observe(&ctx(&self.states, plan, self.need, self.pos_col.as_ref(), self.clock), i, &seen);
        let whole_runs = self.whole_runs;
        let response_scanned = response.scanned_count;
        let st = &mut self.states[i];
        let pinned = st.run.take();
        st.obs.scanned += response.scanned_count;
        if let Some((attr, dir)) = &self.pos_col {
            let owned = |item: &Item| position(item, attr, *dir).and_then(|(v, k)| Some((v?.clone(), k)));
            if st.start_pos.is_none() {
                st.start_pos = response.items.first().and_then(owned);
            }
            let read_to = response.last_evaluated_key.as_ref().and_then(owned);
            st.run = read_to
                .clone()
                .filter(|stop| whole_runs && in_run(stop, st.frontier.as_ref(), &response.items, attr, *dir));
            // Only forward (the frontier module's invariant): a position
            // behind the one recorded is a response that read backwards,
            // which DynamoDB never sends (the key is the network's, so a
            // typed error, not an assertion). Going on would read the
            // stretch again, its rows twice.
            if read_to.as_ref().zip(st.frontier.as_ref()).is_some_and(|(new, old)| new.1 < old.1) {
                return Err(Error::new(
                    ErrorKind::Backend,
                    format!(
                        "the backend's LastEvaluatedKey for stream {i} lies before the key it had read to: \
                         DynamoDB reads forward from ExclusiveStartKey, so this read went backwards; check \
                         the endpoint (an emulator or a proxy) or the Backend implementation"
                    ),
                ));
            }
            st.frontier = read_to;
        }
        let mut read_through = None;
        let window = st.window.take();
        let window_read = response.last_evaluated_key.is_none().then_some(window).flatten();
        st.reads.advance(response.last_evaluated_key, window_read.as_ref().map(|(v, _)| v.clone()));
        st.done = st.reads.is_done();
        if let Some((v, enc)) = window_read {
            read_through = pinned.filter(|r| r.1 == enc);
            // The window was read to its bound: the stream goes on strictly
            // past it (unless nothing is left there).
            let mut past = enc;
            // Sorts after every key that begins with the bound's value and
            // before any larger value (no encoded column starts with 0xFF).
            past.push(0xFF);
            st.frontier = (!st.done).then_some((v, past));
            st.empty_windows =
                if response.scanned_count == 0 { st.empty_windows.saturating_add(1) } else { 0 };
        }
        let mut scratch = Vec::new();
        let residual = plan.branch_of(i).residual.as_ref();
        for item in response.items {
            if residual.is_some_and(|r| !r.eval(&item)) {
                continue;
            }
            st.obs.matched += 1;
            if !st.left_start {
                let at_start = match (&self.pos_col, &st.start_pos) {
                    (Some((attr, dir)), Some(start)) => {
                        position(&item, attr, *dir).is_some_and(|(_, k)| k == start.1)
                    }
                    _ => false,
                };
                if at_start {
                    st.obs.start_rows += 1;
                } else {
                    st.left_start = true;
                }
            }
            let row = Row::new(item, &plan.order, plan.served, &mut scratch)?;
            let before = match (&self.cursor_prefix, &self.cursor_key) {
                // The rest of the key is not known before the fetch.
                (Some(p), _) => row.prefix() < p.as_slice(),
                (None, Some(c)) => row.key() <= c.as_slice(),
                (None, None) => false,
            };
            if before {
                continue;
            }
            st.buffer.push_back(row);
            self.buffered += 1;
        }
        let read_through = read_through.filter(|run| {
            let ctx = ctx(&self.states, plan, self.need, self.pos_col.as_ref(), self.clock);
            self.sizer.is_point_mass(&ctx, i, run, response_scanned)
        });
        let st = &mut self.states[i];
        if let Some(run) = read_through {
            // A run of ties read through: a point, not a density. The
            // stream's density along the key is measured from here on.
            st.start_pos = Some(run);
            st.open_start = false;
            st.obs.run_items = st.obs.scanned;
            st.obs.run_rows = st.obs.matched;
            st.obs.start_rows = 0;
            st.left_start = true;
        }
        self.note_buffered(0)
    }

    /// The plan.
    pub fn plan(&self) -> &'a Plan {
        self.plan
    }

    /// True when the plan fetches `ORDER BY` attributes the index lacks,
    /// run by run, before the tie re-sort.
    pub fn fetches_order(&self) -> bool {
        self.plan.fetch.as_ref().is_some_and(|f| !f.order.is_empty())
    }

    /// Keeps the rows on the cursor's served `prefix` at ingest: the plan
    /// fetches `ORDER BY` attributes, so whether such a row lies at or
    /// before the cursor is known only once its run is fetched.
    pub fn defer_cursor_run(&mut self, prefix: Vec<u8>) {
        self.cursor_prefix = Some(prefix);
    }

    /// True when `prefix` is the cursor's served prefix, held back at ingest.
    pub fn is_cursor_run(&self, prefix: &[u8]) -> bool {
        self.cursor_prefix.as_deref() == Some(prefix)
    }

    /// True when `row` (its whole key known) lies at or before the cursor.
    pub fn before_cursor(&self, row: &Row) -> bool {
        self.cursor_key.as_ref().is_some_and(|c| row.key() <= c.as_slice())
    }

    /// Fetches the plan's [`Fetch`](crate::plan::Fetch) attributes for
    /// `rows` not fetched yet this page ([`fetch::fill`]); the costs count
    /// in the stats.
    ///
    /// # Errors
    /// As [`fetch::fill`].
    pub async fn fill(&mut self, rows: &mut Vec<Item>) -> Result<()> {
        let Some(fetch) = self.plan.fetch.as_ref() else { return Ok(()) };
        let mut cost = QueryStats::default();
        // Boxed: the page future nests this fetch inside the merge and the
        // tie re-sort, and its layout would otherwise grow past the
        // compiler's depth limit in callers that nest the page further.
        let filled =
            Box::pin(fetch::fill(self.plan, fetch, self.backend, rows, &mut cost, &mut self.filled)).await;
        self.absorb_fetch(&cost);
        filled
    }

    /// The rows fetched so far, for a fill after the streams are done.
    pub fn take_filled(&mut self) -> Filled {
        std::mem::take(&mut self.filled)
    }

    /// Adds the costs of `BatchGetItem` calls the page made between its
    /// reads: they count in the stats, and their round trips lie on the
    /// critical path (the reads after them wait for them).
    pub fn absorb_fetch(&mut self, fetched: &QueryStats) {
        self.stats.batch_get_calls += fetched.batch_get_calls;
        self.stats.items_fetched += fetched.items_fetched;
        if let Some(c) = fetched.consumed_capacity {
            *self.stats.consumed_capacity.get_or_insert(0.0) += c;
        }
        self.clock = self.clock.saturating_add(fetched.round_trips);
        self.stats.round_trips = self.clock;
    }

    /// The page is complete: what is still in flight is abandoned.
    pub fn finish(mut self) -> QueryStats {
        self.stats.abandoned_calls = self.in_flight.len() as u64;
        self.stats.sizing_start = self.sizer.start();
        self.stats.per_stream = self
            .states
            .iter()
            .map(|st| StreamStats {
                calls: st.obs.calls,
                items_read: st.obs.scanned,
                rows_matched: st.obs.matched,
                rows_taken: st.obs.taken,
            })
            .collect();
        self.stats
    }

    /// Records `extra` rows held by the consumer on top of the stream
    /// buffers; fails past `Options::max_buffered_rows`.
    pub fn note_buffered(&mut self, extra: usize) -> Result<()> {
        let total = self.buffered + extra;
        self.stats.peak_buffered_rows = self.stats.peak_buffered_rows.max(total);
        if total > self.max_buffered {
            return Err(Error::limit(format!(
                "this page would hold {total} rows in memory (a long run of equal ORDER BY values, or a \
                 large top-N), more than Options::max_buffered_rows = {}; add an ORDER BY column the index \
                 serves, or raise the cap",
                self.max_buffered
            )));
        }
        Ok(())
    }
}

/// Items at the end of a response, all on the value it stopped at, after
/// which a stream is taken to be inside a run of ties (`Tuning::run_evidence`).
const RUN_EVIDENCE: usize = sizing::Tuning::DEFAULT.run_evidence;

/// True when a response that stopped at `stop` (its `LastEvaluatedKey`'s
/// position) left its stream inside a run of ties at that position: the
/// stream had already stopped there before this response (the whole
/// response lay on the value), or the response's last [`RUN_EVIDENCE`]
/// items lie on it.
///
/// A wrong guess costs one request that reads the rest of a short run
/// alone, never a row: the pinned request covers exactly what the stream
/// had left at that value.
fn in_run(stop: &Point, before: Option<&Point>, items: &[Item], attr: &str, dir: Direction) -> bool {
    if before.is_some_and(|b| b.1 == stop.1) {
        return true;
    }
    items.len() >= RUN_EVIDENCE
        && items[items.len() - RUN_EVIDENCE..]
            .iter()
            .all(|it| position(it, attr, dir).is_some_and(|(_, k)| k == stop.1))
}

/// The encoded position where a stream's key range begins in scan order, on
/// the first sort-key column; `None` when the range is open on that side.
fn range_start(key: &KeyCondition, forward: bool, col: Option<&(String, Direction)>) -> Option<Point> {
    let (attr, dir) = col?;
    let (a, range) = key.sort_range.as_ref()?;
    if a != attr {
        return None;
    }
    let v = match (range, forward) {
        (SortRange::Ge(v) | SortRange::Gt(v) | SortRange::Between(v, _), true) => v,
        (SortRange::Le(v) | SortRange::Lt(v) | SortRange::Between(_, v), false) => v,
        _ => return None,
    };
    let mut out = Vec::new();
    crate::encoding::encode_column(&mut out, Some(v), *dir).ok().map(|_| (v.clone(), out))
}

/// The encoded constant columns that precede the first sort-key column in
/// the order, for stream `i`; `None` when there is no such column.
fn const_prefix(plan: &Plan, i: usize) -> Option<Vec<u8>> {
    let n = plan.narrowing.as_ref()?;
    let mut out = Vec::new();
    for col in plan.order.iter().take(n.order_pos) {
        let v = plan.stream_constant(i, &col.attr)?;
        crate::encoding::encode_column(&mut out, Some(v), col.dir).ok()?;
    }
    Some(out)
}

/// What sizing sees of the page: each stream's progress, and the need.
fn ctx<'s>(
    states: &'s [StreamState],
    plan: &Plan,
    need: usize,
    pos_col: Option<&'s (String, Direction)>,
    round_trips: u32,
) -> Ctx<'s> {
    Ctx {
        streams: states
            .iter()
            .map(|st| StreamView {
                done: st.done,
                busy: st.busy,
                obs: st.obs,
                buffer: &st.buffer,
                start_pos: st.start_pos.as_ref(),
                open_start: st.open_start,
                frontier: st.frontier.as_ref(),
                run: st.run.as_ref(),
            })
            .collect(),
        need,
        page: plan.limit,
        filtered: plan.is_filtered(),
        pos_col,
        whole_points: plan.reads_whole_runs(),
        round_trips,
    }
}

/// `state`, or nothing when it is over [`sizing::MAX_STATE_BYTES`].
fn bounded(mut state: Vec<u8>) -> Vec<u8> {
    if state.len() > sizing::MAX_STATE_BYTES {
        state.clear();
    }
    state
}

/// The `Limit` a request carries: what sizing asked for, never more than
/// the page's read budget has `left` (at least 1: the caller sends no
/// request once it has none), and never 0, which DynamoDB rejects. The
/// sizing policies round their estimates up, but this is the one place
/// every request passes, so no estimate can fail a page here.
fn request_limit(asked: u32, left: u64) -> u32 {
    u64::from(asked.max(1)).min(left).min(u64::from(u32::MAX)) as u32
}

#[cfg(test)]
mod tests {
    use super::request_limit;

    #[test]
    fn a_request_asks_for_at_least_one_item_and_at_most_the_budget_left() {
        // DynamoDB rejects a `Limit` of 0 (ValidationException: Limit must
        // be greater than or equal to 1): a sizing estimate rounded down to
        // nothing must not fail the page.
        assert_eq!(request_limit(0, 100), 1);
        assert_eq!(request_limit(40, 100), 40);
        assert_eq!(request_limit(u32::MAX, 100), 100);
        assert_eq!(request_limit(7, u64::MAX), 7);
    }
}
