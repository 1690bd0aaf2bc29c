//! Re-sorting runs of ties (PostgreSQL's "incremental sort").
//!
//! The merge delivers rows ordered by a prefix of the order. Rows equal on
//! that prefix form a run — DynamoDB returns them in no useful order, and a
//! run may span several DynamoDB pages — so each run is buffered whole,
//! sorted on the rest of the key, then emitted.
//!
//! ```text
//! merge:  (t3 a) (t3 c) (t3 b) | (t2 x) ...      prefix = created_at
//!          └──── one run ────┘   └ look-ahead: ends the run
//! emit:   (t3 a) (t3 b) (t3 c)
//! ```
//!
//! A run also ends, with no look-ahead row, once every stream has read
//! past it ([`Merge::passed`]: each head, a row or a stream's frontier,
//! sorts after the run's prefix): reading on for the row after it would
//! cost a request, and a round trip, that a page ending inside the run
//! does not need.
//!
//! Rows of a run share their prefix, so comparing the rest of their keys
//! compares their whole keys. The run's buffers are kept from run to run.
//!
//! A thin index may lack `ORDER BY` attributes of the rest
//! ([`Fetch::order_attributes`](crate::Fetch::order_attributes)): then each
//! run of two rows or more, and the cursor's run, is *unfilled* when it
//! ends — its rows' keys are wrong on the missing columns — and is fetched
//! with `BatchGetItem` (the whole fetch, so the filter after it and the
//! output need no second one), its keys encoded again, its rows at or
//! before the cursor dropped (the streams kept the cursor's run whole, see
//! `Streams::defer_cursor_run`), and only then sorted. A run of one row
//! needs no order: it is fetched later, with the page's other rows.
//!
//! ```text
//! run ends ─▶ unfilled ─▶ BatchGetItem (≤100 keys a call) ─▶ re-encode
//!          ─▶ drop rows ≤ cursor ─▶ sort on the rest ─▶ ready
//! ```
//!
//! Items fetched per page are thus the rows of the runs it touches: the
//! runs of two rows or more its rows (or its look-ahead's) belong to,
//! whole, and the cursor's run, whole; plus its rows of one-row runs.
//!
//! The state lives in the struct, not in the future, so that rows the
//! merge has at hand go through [`TieSort::take_at_hand`], a plain
//! function, and [`TieSort::next`] carries on where it stops.

use super::key::compare;
use super::merge::Merge;
use super::row::Row;
use super::streams::Streams;
use crate::backend::Backend;
use crate::error::Result;
use crate::value::Item;

/// The tie re-sort state.
#[derive(Default)]
pub(crate) struct TieSort {
    /// The current run, sorted, last row first (so `pop` emits in order).
    ready: Vec<Row>,
    /// The row after the last emitted one, whose run is not known to end.
    lookahead: Option<Row>,
    /// The run being collected (two rows or more).
    run: Vec<Row>,
    /// A run that ended, waiting for its `ORDER BY` attributes to be
    /// fetched before it is sorted (see the module docs).
    unfilled: Vec<Row>,
}

impl TieSort {
    /// Appends to `out`, up to `limit` items, the rows in full order that
    /// the merge gives without a read ([`Merge::next_at_hand`]); stops
    /// where a read may be needed: then [`next`](TieSort::next) goes on
    /// from there. A loop here rather than a call per row, so that rows
    /// reach `out` without being wrapped in `Result` and `Option` on the way.
    ///
    /// # Errors
    /// As [`next`](TieSort::next), except for reads.
    pub fn take_at_hand<B: Backend>(
        &mut self,
        merge: &mut Merge,
        s: &mut Streams<'_, B>,
        out: &mut Vec<Item>,
        limit: usize,
    ) -> Result<()> {
        while out.len() < limit {
            if let Some(r) = self.ready.pop() {
                out.push(r.item);
                continue;
            }
            if !self.unfilled.is_empty() {
                // A fetch comes first: `next` does it.
                return Ok(());
            }
            let Some(r) = merge.next_at_hand(s) else { return Ok(()) };
            if let Some(r) = self.feed(Some(r), merge, s)? {
                out.push(r.item);
            }
        }
        Ok(())
    }

    /// The next row in full order.
    pub async fn next<B: Backend>(
        &mut self,
        merge: &mut Merge,
        s: &mut Streams<'_, B>,
    ) -> Result<Option<Row>> {
        loop {
            if let Some(r) = self.ready.pop() {
                return Ok(Some(r));
            }
            if !self.unfilled.is_empty() {
                self.settle(s).await?;
                continue;
            }
            if self.run.first().or(self.lookahead.as_ref()).is_some_and(|r| merge.passed(r.prefix())) {
                // Every stream has read past the run: it is whole, and
                // ends here without a read for the row after it.
                if let Some(r) = self.feed(None, merge, s)? {
                    return Ok(Some(r));
                }
                continue;
            }
            let r = merge.next(s).await?;
            let end = r.is_none();
            let out = self.feed(r, merge, s)?;
            if out.is_some() || (end && self.unfilled.is_empty()) {
                return Ok(out);
            }
        }
    }

    /// Fetches the unfilled run's missing attributes, encodes its keys
    /// again, drops its rows at or before the cursor, and sorts the rest
    /// into `ready`.
    ///
    /// # Errors
    /// The fetch's; [`ErrorKind::Unorderable`](crate::ErrorKind::Unorderable)
    /// when a fetched `ORDER BY` attribute is a list, map or set.
    async fn settle<B: Backend>(&mut self, s: &mut Streams<'_, B>) -> Result<()> {
        let mut items: Vec<Item> = std::mem::take(&mut self.unfilled).into_iter().map(|r| r.item).collect();
        s.fill(&mut items).await?;
        let plan = s.plan();
        let mut scratch = Vec::new();
        let mut run = Vec::with_capacity(items.len());
        for item in items {
            let row = Row::new(item, &plan.order, plan.served, &mut scratch)?;
            if !s.before_cursor(&row) {
                run.push(row);
            }
        }
        // Descending, so that popping from the end emits ascending.
        run.sort_unstable_by(|a, b| compare(b.rest(), a.rest()));
        self.ready = run;
        Ok(())
    }

    /// Takes the merge's next row (`None`: the merge has ended) and returns
    /// the row it lets go, if any: a row whose run turned out to be itself
    /// alone, or the first of a run that ended, sorted.
    fn feed<B: Backend>(
        &mut self,
        r: Option<Row>,
        merge: &Merge,
        s: &mut Streams<'_, B>,
    ) -> Result<Option<Row>> {
        let Some(r) = r else {
            if !self.run.is_empty() {
                return Ok(self.flush_run(s));
            }
            return Ok(self.lookahead.take().and_then(|one| self.single(one, s)));
        };
        if let Some(first) = self.run.first() {
            if compare(r.prefix(), first.prefix()).is_eq() {
                self.run.push(r);
                s.note_buffered(self.run.len() + merge.len())?;
                return Ok(None);
            }
            self.lookahead = Some(r);
            return Ok(self.flush_run(s));
        }
        let Some(first) = self.lookahead.take() else {
            self.lookahead = Some(r);
            return Ok(None);
        };
        // Most runs are a single row: emit it without buffering.
        if compare(r.prefix(), first.prefix()).is_ne() {
            self.lookahead = Some(r);
            return Ok(self.single(first, s));
        }
        self.run.extend([first, r]);
        s.note_buffered(self.run.len() + merge.len())?;
        Ok(None)
    }

    /// A run of one row: emitted as it is, unless it is the cursor's run
    /// and the plan fetches `ORDER BY` attributes (then whether it lies
    /// after the cursor is known only once fetched).
    fn single<B: Backend>(&mut self, row: Row, s: &Streams<'_, B>) -> Option<Row> {
        if s.fetches_order() && s.is_cursor_run(row.prefix()) {
            self.unfilled.push(row);
            return None;
        }
        Some(row)
    }

    /// Sorts the collected run into `ready` and emits its first row; or,
    /// when the plan fetches `ORDER BY` attributes, leaves it unfilled.
    fn flush_run<B: Backend>(&mut self, s: &Streams<'_, B>) -> Option<Row> {
        if s.fetches_order() {
            std::mem::swap(&mut self.unfilled, &mut self.run);
            return None;
        }
        // Descending, so that popping from the end emits ascending.
        self.run.sort_unstable_by(|a, b| compare(b.rest(), a.rest()));
        std::mem::swap(&mut self.ready, &mut self.run);
        self.ready.pop()
    }

    /// Rows of the current run sorted and not yet emitted: after a page,
    /// the rest of its last row's run (a run is sorted only once whole).
    pub fn run_rest(&self) -> usize {
        self.ready.len()
    }

    /// The rows held past the rest of the last emitted row's run (the
    /// look-ahead row, a run being collected or waiting for its fetch):
    /// rows the merge no longer holds.
    pub fn held_past(&self) -> impl Iterator<Item = &Item> {
        self.lookahead.iter().chain(&self.run).chain(&self.unfilled).map(|r| &r.item)
    }

    /// Rows held, sorted or waiting.
    pub fn held(&self) -> usize {
        self.ready.len() + self.unfilled.len() + usize::from(self.lookahead.is_some())
    }

    /// True when another row follows. An unfilled run other than the
    /// cursor's holds rows after it without a fetch.
    pub async fn has_more<B: Backend>(&mut self, merge: &mut Merge, s: &mut Streams<'_, B>) -> Result<bool> {
        loop {
            if !self.ready.is_empty() || self.lookahead.is_some() {
                return Ok(true);
            }
            match self.unfilled.first() {
                Some(r) if !s.is_cursor_run(r.prefix()) => return Ok(true),
                Some(_) => self.settle(s).await?,
                None => return merge.has_more(s).await,
            }
        }
    }
}
