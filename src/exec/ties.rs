//! Re-sorting runs of ties (PostgreSQL's "incremental sort").
//!
//! The merge delivers rows ordered by a prefix of the order. Rows equal on
//! that prefix form a run — DynamoDB returns them in no useful order, and a
//! run may span several DynamoDB pages — so each run is buffered whole, sorted
//! on the full key, then emitted.
//!
//! ```text
//! merge:  (t3 a) (t3 c) (t3 b) | (t2 x) ...      prefix = created_at
//!          └──── one run ────┘   └ look-ahead: ends the run
//! emit:   (t3 a) (t3 b) (t3 c)
//! ```

use std::collections::VecDeque;

use super::merge::Merge;
use super::row::Row;
use super::streams::Streams;
use crate::backend::Backend;
use crate::error::Result;

/// The tie re-sort state.
#[derive(Default)]
pub(crate) struct TieSort {
    ready: VecDeque<Row>,
    lookahead: Option<Row>,
}

impl TieSort {
    /// The next row in full order.
    pub async fn next<B: Backend>(
        &mut self,
        merge: &mut Merge,
        s: &mut Streams<'_, B>,
    ) -> Result<Option<Row>> {
        if let Some(r) = self.ready.pop_front() {
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
            Some(r) if r.prefix() == first.prefix() => r,
            other => {
                self.lookahead = other;
                return Ok(Some(first));
            }
        };
        let mut run = vec![first, second];
        s.note_buffered(run.len() + merge.len())?;
        loop {
            match merge.next(s).await? {
                Some(r) if r.prefix() == run[0].prefix() => {
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
        run.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        self.ready = run.into();
        Ok(self.ready.pop_front())
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
