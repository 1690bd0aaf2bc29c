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
//! A round of requests (see [`sizing::plan_round`]) estimates the position
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

use super::axis::{self, Axis};
use super::frontier::Frontier;
use super::grid::Grid;
use super::row::Row;
use super::sizing::{self, Observed};
use crate::backend::{Backend, KeyCondition, ReadRequest, ReadResponse, SortRange};
use crate::cursor::Reach;
use crate::encoding::Direction;
use crate::error::{Error, ErrorKind, Result};
use crate::options::Options;
use crate::plan::{Plan, Strategy};
use crate::stats::{QueryStats, StreamStats};
use crate::value::{Item, Value};

/// Empty windows in a row after which a stream reads by `Limit` alone.
const EMPTY_WINDOWS: u8 = 2;

/// A position on the first sort-key column: the value and its encoding.
type Point = (Value, Vec<u8>);

type Fetch<'a> = Pin<Box<dyn Future<Output = (usize, u32, Result<ReadResponse>)> + Send + 'a>>;

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
    /// How far it has read (the last evaluated item's position).
    frontier: Option<Point>,
    /// The `Limit` a round planned for its next request.
    next_limit: Option<u32>,
    /// Where a round planned the next request to stop: a value on the
    /// first sort-key column, made the key condition's far bound.
    next_window: Option<Value>,
    /// The far bound the request in flight carries (value, encoding).
    window: Option<Point>,
    /// Windows in a row that held no item: after [`EMPTY_WINDOWS`], or
    /// after one when the merge waits on the stream, the next request reads
    /// by `Limit` alone, so a stream that has run out learns it (a query
    /// with no range on the column would otherwise move an empty window on
    /// and on), and one whose next key lies far on is not chased window by
    /// window. A single empty window is common (a sparse stream) and
    /// reaches the bound, so it holds nothing up.
    empty_windows: u8,
    /// Encoded values of the order columns before the first sort-key column
    /// (constant within the stream).
    const_prefix: Option<Vec<u8>>,
    calls: u64,
}

/// Every stream of the page, and the requests in flight.
pub(crate) struct Streams<'a, B: Backend> {
    plan: &'a Plan,
    backend: &'a B,
    states: Vec<StreamState>,
    in_flight: FuturesUnordered<Fetch<'a>>,
    queue: VecDeque<usize>,
    max_concurrency: usize,
    max_buffered: usize,
    cursor_key: Option<Vec<u8>>,
    /// The first sort-key column, whose positions size the requests.
    pos_col: Option<(String, Direction)>,
    /// Rows the page still needs (updated by the consumer), for sizing.
    pub need: usize,
    /// `(matched, scanned)` observed by earlier pages (the cursor's hint):
    /// pseudo-counts added to this page's own in every sizing estimate.
    prior: (u64, u64),
    /// Sum of every stream's `obs.prior_taken`.
    prior_taken_total: f64,
    /// How far earlier pages' rows reached (the cursor's hint).
    prior_reach: Option<Reach>,
    /// The step of the grid earlier pages found (the cursor's hint).
    prior_grid: Option<u64>,
    /// Where a page resuming a cursor starts on the first sort-key column
    /// (the cursor row's value).
    page_start: Option<Value>,
    /// The grid the items' positions lie on, so windows end between its
    /// points.
    grid: Grid,
    taken_total: u64,
    buffered: usize,
    clock: u32,
    pub stats: QueryStats,
}

impl<'a, B: Backend> Streams<'a, B> {
    /// `keys[i]` is stream `i`'s key condition, already narrowed by the
    /// cursor; `None` in `skip` marks a stream wholly before the cursor.
    pub fn new(
        plan: &'a Plan,
        backend: &'a B,
        options: &Options,
        keys: Vec<Option<Option<KeyCondition>>>,
        cursor_key: Option<Vec<u8>>,
    ) -> Self {
        let pos_col = plan
            .narrowing
            .as_ref()
            .and_then(|n| plan.order.get(n.order_pos))
            .map(|c| (c.attr.clone(), c.dir));
        let states = keys
            .into_iter()
            .enumerate()
            .map(|(i, k)| {
                let key = k.clone().flatten();
                let reads = Frontier::new(key, pos_col.as_ref().map(|(a, _)| a.as_str()), plan.scan_forward);
                StreamState {
                    const_prefix: const_prefix(plan, i),
                    done: k.is_none() || reads.is_done(),
                    start_pos: reads.key().and_then(|k| range_start(k, plan.scan_forward, pos_col.as_ref())),
                    reads,
                    busy: false,
                    buffer: VecDeque::new(),
                    obs: Observed::default(),
                    frontier: None,
                    next_limit: None,
                    next_window: None,
                    window: None,
                    empty_windows: 0,
                    calls: 0,
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
            pos_col,
            need: plan.limit + 1,
            prior: (0, 0),
            prior_taken_total: 0.0,
            prior_reach: None,
            prior_grid: None,
            page_start: None,
            grid: Grid::default(),
            taken_total: 0,
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
        let window = self.first_window();
        for i in 0..self.states.len() {
            self.states[i].next_window.clone_from(&window);
            self.request(i)?;
        }
        Ok(())
    }

    /// The first round's window end: the cursor's position plus the
    /// distance that holds [`sizing::FIRST_WINDOW_AIM`] of the need at the
    /// prior density.
    fn first_window(&self) -> Option<Value> {
        let (reach, start, (_, dir)) = (self.prior_reach?, self.page_start.as_ref()?, self.pos_col.as_ref()?);
        let x = axis::numeric_position(start, *dir)?;
        let aim = x + self.need as f64 * sizing::FIRST_WINDOW_AIM / reach.density();
        // On the grid earlier pages found: past the point nearest the aim,
        // at least one on. Between points, the window would hold only the
        // points before its end, half a step's rows short on average.
        let grid = self.prior_grid.map_or_else(Grid::default, |step| Grid::given(x, step));
        let end = grid.past(grid.snap(aim, x));
        Axis::Numeric(*dir).value_at(end, start)
    }

    /// Takes stream `i`'s next buffered row.
    pub fn pop(&mut self, i: usize) -> Option<Row> {
        let row = self.states[i].buffer.pop_front()?;
        self.buffered -= 1;
        self.states[i].obs.taken += 1;
        self.taken_total += 1;
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
        let Some((round, window)) = self.spans(heads).and_then(|(spans, axis, template)| {
            let grid = matches!(axis, Axis::Numeric(_)).then_some(&self.grid);
            let round = sizing::plan_round(&spans, self.need, self.plan.limit, self.prior, grid)?;
            let window = template.and_then(|t| axis.value_at(round.end, &t));
            Some((round, window))
        }) else {
            self.request(urgent)?;
            return self.prefetch_low();
        };
        let limits = round.limits;
        let urgent_planned = limits.get(urgent).copied().flatten().is_some();
        for (j, limit) in limits.into_iter().enumerate() {
            if let Some(l) = limit {
                if !self.states[j].busy && !self.states[j].done {
                    // The stream the merge waits on, after an empty window,
                    // reads by `Limit`: it may have run out.
                    let st = &mut self.states[j];
                    st.next_limit = Some(l);
                    st.next_window = window.clone().filter(|_| j != urgent || st.empty_windows == 0);
                    self.request(j)?;
                }
            }
        }
        if !urgent_planned && !self.states[urgent].busy {
            // The estimate put the page's end at or before this stream's
            // frontier (ties there): read an even share of the need.
            let active = self.states.iter().filter(|s| !s.done).count().max(1);
            let st = &self.states[urgent];
            let obs = Observed { buffered: st.buffer.len(), ..st.obs };
            self.states[urgent].next_limit =
                Some(sizing::limit_for(&obs, self.need.div_ceil(active), self.filtered(), self.pool()));
        }
        self.request(urgent)
    }

    /// Starts sizing from what earlier pages observed (a cursor's hint);
    /// `start` is the cursor row's value on the first sort-key column.
    pub fn set_prior(&mut self, hint: &crate::cursor::Hint, start: Option<&Value>) {
        self.prior = hint.selectivity;
        self.prior_reach = hint.reach;
        self.prior_grid = hint.grid;
        self.page_start = start.cloned();
        if let Some(x) =
            start.zip(self.pos_col.as_ref()).and_then(|(v, (_, d))| axis::numeric_position(v, *d))
        {
            self.grid.observe(x);
        }
        if hint.shares.len() == self.states.len() {
            let total: f64 = hint.shares.iter().map(|s| f64::from(*s)).sum();
            if total > 0.0 {
                for (st, s) in self.states.iter_mut().zip(&hint.shares) {
                    st.obs.prior_taken = f64::from(*s) / total * sizing::SHARE_WEIGHT;
                }
                self.prior_taken_total = sizing::SHARE_WEIGHT;
            }
        }
    }

    /// The hint for the next page's cursor: the selectivity pooled so far;
    /// each stream's share of the items the page needed, i.e. those it
    /// evaluated up to `last`, the page's last row (what it read past that
    /// is estimated along the first sort-key column and left out); and how
    /// far the page's `rows` rows, `first` to `last`, reached.
    pub fn hint(&self, first: &Item, last: &Item, rows: usize) -> crate::cursor::Hint {
        let needed: Vec<u64> = self.states.iter().map(|st| self.items_up_to(st, last)).collect();
        let mut hint = crate::cursor::Hint::new(self.pool(), &needed);
        hint.reach = self.reach(first, last, rows);
        hint.grid = self.grid.step().or(self.prior_grid);
        hint
    }

    /// The prior reach and this page's, pooled: from the cursor's position
    /// (or, on a first page, from its first row) to its last row.
    fn reach(&self, first: &Item, last: &Item, rows: usize) -> Option<Reach> {
        let (attr, dir) = self.pos_col.as_ref()?;
        let at = |v: &Value| axis::numeric_position(v, *dir);
        let (from, rows) = match &self.page_start {
            Some(start) => (at(start), rows as f64),
            None => (first.get(attr).and_then(at), rows.saturating_sub(1) as f64),
        };
        let span = last.get(attr).and_then(at)? - from?;
        Reach::then(self.prior_reach, rows, span)
    }

    /// Items `st` evaluated up to the position of `last`: all of them when
    /// its frontier is not past it, else the share of its distance.
    fn items_up_to(&self, st: &StreamState, last: &Item) -> u64 {
        let scanned = st.obs.scanned;
        let (Some((attr, dir)), Some(start), Some(frontier)) = (&self.pos_col, &st.start_pos, &st.frontier)
        else {
            return scanned;
        };
        let Some((v, k)) = position(last, attr, *dir) else { return scanned };
        if k <= frontier.1 {
            let points = [(Some(&start.0), start.1.as_slice()), (Some(&frontier.0), &frontier.1), (v, &k)];
            let axis = Axis::new(&points, *dir);
            let (a, f, b) = (
                axis.position(Some(&start.0), &start.1),
                axis.position(Some(&frontier.0), &frontier.1),
                axis.position(v, &k),
            );
            if f > a {
                return (scanned as f64 * ((b - a) / (f - a)).clamp(0.0, 1.0)).ceil() as u64;
            }
        }
        scanned
    }

    /// True when a filter can drop items a request evaluates.
    fn filtered(&self) -> bool {
        self.plan.server_filter.is_some() || self.plan.residual.is_some()
    }

    /// `(matched, scanned)` over every stream of the page, plus the prior.
    fn pool(&self) -> (u64, u64) {
        self.states.iter().fold(self.prior, |(m, n), st| (m + st.obs.matched, n + st.obs.scanned))
    }

    /// Every stream's progress as numbers along the first sort-key column.
    /// Also returns the axis and a value of the column, to write a
    /// position back as a key value.
    fn spans(&self, heads: &[(usize, &Item)]) -> Option<(Vec<sizing::Span>, Axis, Option<Value>)> {
        let (attr, dir) = self.pos_col.as_ref()?;
        // Rows read but not yet emitted: the merge's heads, then each buffer.
        let held = |i: usize| {
            let st = &self.states[i];
            heads
                .iter()
                .filter(move |(j, _)| *j == i)
                .map(|(_, it)| *it)
                .chain(st.buffer.iter().map(|r| &r.item))
        };
        let held: Vec<Vec<(Option<&Value>, Vec<u8>)>> = (0..self.states.len())
            .map(|i| held(i).filter_map(|it| position(it, attr, *dir)).collect())
            .collect();
        let mut points: Vec<(Option<&Value>, &[u8])> = Vec::new();
        for (st, h) in self.states.iter().zip(&held) {
            points
                .extend(st.start_pos.iter().chain(st.frontier.iter()).map(|(v, k)| (Some(v), k.as_slice())));
            points.extend(h.iter().map(|(v, k)| (*v, k.as_slice())));
        }
        let axis = Axis::new(&points, *dir);
        let template = points.iter().find_map(|(v, _)| v.cloned());
        let at = |p: &Point| axis.position(Some(&p.0), &p.1);
        let spans = self
            .states
            .iter()
            .zip(&held)
            .map(|(st, h)| {
                let (start, frontier) = if st.done {
                    (0.0, 0.0)
                } else {
                    (at(st.start_pos.as_ref()?), at(st.frontier.as_ref()?))
                };
                Some(sizing::Span {
                    start,
                    frontier,
                    scanned: st.obs.scanned,
                    matched: st.obs.matched,
                    done: st.done,
                    buffered: h.iter().map(|(v, k)| axis.position(*v, k)).collect(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some((spans, axis, template))
    }

    /// Issues requests for streams whose buffers hold less than their share of the need.
    fn prefetch_low(&mut self) -> Result<()> {
        let active = self.states.iter().filter(|s| !s.done).count();
        for j in 0..self.states.len() {
            let st = &self.states[j];
            if st.done || st.busy {
                continue;
            }
            if sizing::wanted(
                &Observed { buffered: st.buffer.len(), ..st.obs },
                self.need,
                self.taken_total,
                active,
                self.prior_taken_total,
            ) > 0
            {
                self.request(j)?;
            }
        }
        Ok(())
    }

    /// Waits for one response and ingests it. Returns the stream it was for.
    pub async fn wait(&mut self) -> Result<Option<usize>> {
        let Some((i, depth, result)) = self.in_flight.next().await else { return Ok(None) };
        self.clock = self.clock.max(depth);
        self.stats.round_trips = self.clock;
        self.states[i].busy = false;
        self.states[i].calls += 1;
        self.stats.calls += 1;
        let response = result?;
        self.ingest(i, response)?;
        self.launch_queued()?;
        Ok(Some(i))
    }

    /// Queues a request for stream `i` (sized now, sent when a slot is free).
    pub fn request(&mut self, i: usize) -> Result<()> {
        let st = &mut self.states[i];
        if st.done || st.busy {
            return Ok(());
        }
        st.busy = true;
        self.queue.push_back(i);
        self.launch_queued()
    }

    fn launch_queued(&mut self) -> Result<()> {
        while self.in_flight.len() < self.max_concurrency {
            let Some(i) = self.queue.pop_front() else { break };
            let planned = self.states[i].next_limit.take();
            let missed = self.states[i].empty_windows >= EMPTY_WINDOWS;
            let window = self.states[i].next_window.take().filter(|_| !missed);
            if window.is_none() {
                self.states[i].empty_windows = 0;
            }
            let (request, applied) = self.build_request(i, planned, window)?;
            self.states[i].window = applied;
            let depth = self.clock + 1;
            let backend = self.backend;
            self.in_flight.push(Box::pin(async move { (i, depth, backend.read(request).await) }));
        }
        Ok(())
    }

    /// The request for stream `i`; with a `window`, its key condition ends
    /// there (returned with its encoding when the condition could say so).
    fn build_request(
        &self,
        i: usize,
        planned: Option<u32>,
        window: Option<Value>,
    ) -> Result<(ReadRequest, Option<Point>)> {
        let plan = self.plan;
        let st = &self.states[i];
        let left = plan.read_budget.saturating_sub(self.stats.items_read);
        if left == 0 {
            return Err(Error::new(
                ErrorKind::ReadBudgetExceeded,
                format!(
                    "this page needs more than its read budget of {} items (read so far: {}); narrow the \
                     filter, add an index whose sort key serves the ORDER BY, or raise the budget \
                     (Query::read_budget / Options::read_budget)",
                    plan.read_budget, self.stats.items_read
                ),
            ));
        }
        let limit = if plan.strategy == Strategy::TopK {
            u32::MAX
        } else if let Some(l) = planned {
            l
        } else {
            let active = self.states.iter().filter(|s| !s.done).count();
            let obs = Observed { buffered: st.buffer.len(), ..st.obs };
            if st.obs.scanned == 0 && self.prior_taken_total > 0.0 {
                // A page resuming a cursor: the stream's share of the items
                // the last page needed.
                let share = st.obs.prior_taken / self.prior_taken_total;
                sizing::first_round_limit(share, self.need, self.filtered(), self.pool())
            } else {
                let want =
                    sizing::wanted(&obs, self.need, self.taken_total, active, self.prior_taken_total).max(1);
                sizing::limit_for(&obs, want, self.filtered(), self.pool())
            }
        };
        let next = st.reads.next(window.as_ref().filter(|v| self.fits_column(v)));
        let applied = next.window.and_then(|v| {
            let (_, dir) = self.pos_col.as_ref()?;
            let mut enc = Vec::new();
            crate::encoding::encode_column(&mut enc, Some(&v), *dir).ok()?;
            Some((v, enc))
        });
        // A window bounds the read; the `Limit` only guards against a
        // density far off the estimate.
        let limit = if applied.is_some() { limit.saturating_mul(2).saturating_add(8) } else { limit };
        let request = ReadRequest {
            table: plan.table.clone(),
            index: plan.index.clone(),
            key: next.key,
            filter: plan.server_filter.clone(),
            projection: plan.projection.clone(),
            scan_forward: plan.scan_forward,
            limit: Some(u64::from(limit).min(left).min(u64::from(u32::MAX)) as u32),
            exclusive_start_key: next.exclusive_start_key,
        };
        Ok((request, applied))
    }

    /// True when `v` can stand in a key condition on the first sort-key
    /// column (its declared type, a valid key value).
    fn fits_column(&self, v: &Value) -> bool {
        self.plan.narrowing.as_ref().is_some_and(|n| n.ty.matches(v)) && v.is_valid_key()
    }

    fn ingest(&mut self, i: usize, response: ReadResponse) -> Result<()> {
        let plan = self.plan;
        self.stats.items_read += response.scanned_count;
        self.stats.items_returned += response.items.len() as u64;
        if let Some(c) = response.consumed_capacity {
            *self.stats.consumed_capacity.get_or_insert(0.0) += c;
        }
        let st = &mut self.states[i];
        st.obs.scanned += response.scanned_count;
        if let Some((attr, dir)) = &self.pos_col {
            let owned = |item: &Item| position(item, attr, *dir).and_then(|(v, k)| Some((v?.clone(), k)));
            if st.start_pos.is_none() {
                st.start_pos = response.items.first().and_then(owned);
            }
            let read_to = response.last_evaluated_key.as_ref().and_then(owned);
            // Only forward (the frontier module's invariant): a position
            // behind the one recorded would be a request that read backwards.
            debug_assert!(
                read_to.as_ref().zip(st.frontier.as_ref()).is_none_or(|(new, old)| new.1 >= old.1),
                "stream {i} read backwards"
            );
            st.frontier = read_to;
            // Every item until the grid settles, then none: a lookup, a
            // parse and a gcd per row would cost more than the merge on
            // long pages.
            if !self.grid.settled() {
                let seen = response.items.iter().chain(&response.last_evaluated_key);
                for x in seen.filter_map(|it| axis::numeric_position(it.get(attr)?, *dir)) {
                    self.grid.observe(x);
                    if self.grid.settled() {
                        break;
                    }
                }
            }
        }
        let window = st.window.take();
        let window_read = response.last_evaluated_key.is_none().then_some(window).flatten();
        st.reads.advance(response.last_evaluated_key, window_read.as_ref().map(|(v, _)| v.clone()));
        st.done = st.reads.is_done();
        if let Some((v, enc)) = window_read {
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
        for item in response.items {
            if plan.residual.as_ref().is_some_and(|r| !r.eval(&item)) {
                continue;
            }
            st.obs.matched += 1;
            let row = Row::new(item, &plan.order, plan.served, &mut scratch)?;
            if self.cursor_key.as_ref().is_some_and(|c| row.key() <= c.as_slice()) {
                continue;
            }
            st.buffer.push_back(row);
            self.buffered += 1;
        }
        self.note_buffered(0)
    }

    /// The page is complete: what is still in flight is abandoned.
    pub fn finish(mut self) -> QueryStats {
        self.stats.abandoned_calls = self.in_flight.len() as u64;
        self.stats.per_stream = self
            .states
            .iter()
            .map(|st| StreamStats {
                calls: st.calls,
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

/// An item's value on the position column, and its encoding.
fn position<'i>(item: &'i Item, attr: &str, dir: Direction) -> Option<(Option<&'i Value>, Vec<u8>)> {
    let v = item.get(attr);
    let mut out = Vec::new();
    crate::encoding::encode_column(&mut out, v, dir).ok().map(|_| (v, out))
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
