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

use super::key::compare;
use super::merge::Merge;
use super::row::Row;
use super::streams::Streams;
use crate::backend::Backend;
use crate::error::Result;

/// The tie re-sort state.
#[derive(Default)]
pub(crate) struct TieSort {
    /// The current run, sorted, last row first (so `pop` emits in order).
    ready: Vec<Row>,
    lookahead: Option<Row>,
    /// The run being collected (empty between calls unless one failed).
    run: Vec<Row>,
}

impl TieSort {
    /// The next row in full order.
    pub async fn next<B: Backend>(
        &mut self,
        merge: &mut Merge,
        s: &mut Streams<'_, B>,
    ) -> Result<Option<Row>> {
        if let Some(r) = self.ready.pop() {
            return Ok(Some(r));
        }
        let first = match self.lookahead.take() {
            Some(r) => r,
            None => match merge.next(s).await? {
                Some(r) => r,
                None => return Ok(None),
            },
        };
        // Most runs are a single row: emit it without buffering.
        let second = match merge.next(s).await? {
            Some(r) if compare(r.prefix(), first.prefix()).is_eq() => r,
            other => {
                self.lookahead = other;
                return Ok(Some(first));
            }
        };
        let run = &mut self.run;
        run.clear();
        run.extend([first, second]);
        s.note_buffered(run.len() + merge.len())?;
        loop {
            match merge.next(s).await? {
                Some(r) if compare(r.prefix(), run[0].prefix()).is_eq() => {
                    run.push(r);
                    s.note_buffered(run.len() + merge.len())?;
                }
                Some(r) => {
                    self.lookahead = Some(r);
                    break;
                }
                None => break,
            }
        }
        // Descending, so that popping from the end emits ascending.
        run.sort_unstable_by(|a, b| compare(b.rest(), a.rest()));
        std::mem::swap(&mut self.ready, run);
        Ok(self.ready.pop())
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
