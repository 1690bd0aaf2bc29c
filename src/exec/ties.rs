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
//! Rows of a run share their prefix, so comparing the rest of their keys
//! compares their whole keys. The run's buffers are kept from run to run.
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
            let r = merge.next(s).await?;
            let end = r.is_none();
            let out = self.feed(r, merge, s)?;
            if out.is_some() || end {
                return Ok(out);
            }
        }
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
                return Ok(self.flush_run());
            }
            return Ok(self.lookahead.take());
        };
        if let Some(first) = self.run.first() {
            if compare(r.prefix(), first.prefix()).is_eq() {
                self.run.push(r);
                s.note_buffered(self.run.len() + merge.len())?;
                return Ok(None);
            }
            self.lookahead = Some(r);
            return Ok(self.flush_run());
        }
        let Some(first) = self.lookahead.take() else {
            self.lookahead = Some(r);
            return Ok(None);
        };
        // Most runs are a single row: emit it without buffering.
        if compare(r.prefix(), first.prefix()).is_ne() {
            self.lookahead = Some(r);
            return Ok(Some(first));
        }
        self.run.extend([first, r]);
        s.note_buffered(self.run.len() + merge.len())?;
        Ok(None)
    }

    /// Sorts the collected run into `ready` and emits its first row.
    fn flush_run(&mut self) -> Option<Row> {
        // Descending, so that popping from the end emits ascending.
        self.run.sort_unstable_by(|a, b| compare(b.rest(), a.rest()));
        std::mem::swap(&mut self.ready, &mut self.run);
        self.ready.pop()
    }

    /// Rows held, sorted or waiting.
    pub fn held(&self) -> usize {
        self.ready.len() + usize::from(self.lookahead.is_some())
    }

    /// True when another row follows.
    pub async fn has_more<B: Backend>(&mut self, merge: &mut Merge, s: &mut Streams<'_, B>) -> Result<bool> {
        if !self.ready.is_empty() || self.lookahead.is_some() {
            return Ok(true);
        }
        merge.has_more(s).await
    }
}
