//! K-way merge of the streams on the prefix of the order they are sorted by.
//!
//! A binary heap holds each stream's head row; ties on the prefix go to the
//! lower stream index, so the merge is deterministic. A stream whose buffer
//! runs dry is refilled lazily — only when its next row is actually needed —
//! so the page never reads past what it returns.

use std::cmp::Ordering;
use std::collections::binary_heap::{BinaryHeap, PeekMut};

use super::row::Row;
use super::streams::Streams;
use crate::backend::Backend;
use crate::error::Result;

struct Head {
    row: Row,
    stream: usize,
}

impl Ord for Head {
    /// Reversed, so the max-heap pops the smallest prefix first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.row.prefix().cmp(self.row.prefix()).then_with(|| other.stream.cmp(&self.stream))
    }
}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Head {}

/// The merge state.
#[derive(Default)]
pub(crate) struct Merge {
    heap: BinaryHeap<Head>,
    /// Streams that ran dry and must be refilled before the next pop.
    pending: Vec<usize>,
    started: bool,
}

impl Merge {
    /// Rows held in the heap.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    async fn settle<B: Backend>(&mut self, s: &mut Streams<'_, B>) -> Result<()> {
        if !self.started {
            self.started = true;
            self.pending = (0..s.len()).collect();
        }
        while let Some(i) = self.pending.pop() {
            s.ensure(i).await?;
            if let Some(row) = s.pop(i) {
                self.heap.push(Head { row, stream: i });
            }
        }
        Ok(())
    }

    /// The next row in merge order, `None` when every stream is exhausted.
    pub async fn next<B: Backend>(&mut self, s: &mut Streams<'_, B>) -> Result<Option<Row>> {
        self.settle(s).await?;
        let Some(mut top) = self.heap.peek_mut() else { return Ok(None) };
        let stream = top.stream;
        match s.pop(stream) {
            Some(next) => Ok(Some(std::mem::replace(&mut top.row, next))),
            None => {
                let Head { row, .. } = PeekMut::pop(top);
                if !s.is_done(stream) {
                    self.pending.push(stream);
                }
                Ok(Some(row))
            }
        }
    }

    /// True when another row follows (refilling a dry stream if needed).
    pub async fn has_more<B: Backend>(&mut self, s: &mut Streams<'_, B>) -> Result<bool> {
        self.settle(s).await?;
        Ok(!self.heap.is_empty())
    }
}
