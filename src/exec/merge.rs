//! K-way merge of the streams on the prefix of the order they are sorted by.
//!
//! A binary heap holds one head per stream; ties go to the lower stream
//! index, so the merge is deterministic. A stream whose buffer is empty but
//! which goes on is represented by a *frontier* head: the position of the
//! last item it evaluated. Its next row cannot sort before that, so rows
//! before it are emitted without reading the stream further, and the stream
//! is read again only when its frontier reaches the top of the heap. A
//! sparse stream is therefore read only as far as the page actually goes.
//! A frontier head can be stale (a round of requests read its stream
//! further meanwhile): at the top it is then replaced by the stream's new
//! head, without another request.
//!
//! ```text
//!  heap: [row a1 (s0)] [frontier f2 (s2)] [row b7 (s1)]
//!  pop a1 → emit; next of s0 …
//!  top is frontier f2 → read s2 once → push its row or its new frontier
//! ```

use std::cmp::Ordering;
use std::collections::binary_heap::{BinaryHeap, PeekMut};

use super::row::Row;
use super::streams::Streams;
use crate::backend::Backend;
use crate::error::Result;
use crate::value::Item;

enum Kind {
    /// The stream's next row sorts at or after this position.
    Frontier(Vec<u8>),
    Row(Row),
}

struct Head {
    kind: Kind,
    stream: usize,
}

impl Head {
    fn key(&self) -> &[u8] {
        match &self.kind {
            Kind::Frontier(k) => k,
            Kind::Row(r) => r.prefix(),
        }
    }

    fn rank(&self) -> u8 {
        match self.kind {
            Kind::Frontier(_) => 0,
            Kind::Row(_) => 1,
        }
    }
}

impl Ord for Head {
    /// Reversed, so the max-heap pops the smallest first; a frontier sorts
    /// before rows at the same position (the stream may still hold ties).
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .key()
            .cmp(self.key())
            .then_with(|| other.rank().cmp(&self.rank()))
            .then_with(|| other.stream.cmp(&self.stream))
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
    /// Streams with no head in the heap yet.
    pending: Vec<usize>,
    started: bool,
}

impl Merge {
    /// Rows held in the heap.
    pub fn len(&self) -> usize {
        self.heap.iter().filter(|h| matches!(h.kind, Kind::Row(_))).count()
    }

    /// Gives every pending stream a head: its next row, its frontier, or —
    /// when neither is known yet — whatever one read brings.
    async fn settle<B: Backend>(&mut self, s: &mut Streams<'_, B>) -> Result<()> {
        if !self.started {
            self.started = true;
            self.pending = (0..s.len()).collect();
        }
        while let Some(i) = self.pending.pop() {
            self.push_head(i, s).await?;
        }
        Ok(())
    }

    async fn push_head<B: Backend>(&mut self, i: usize, s: &mut Streams<'_, B>) -> Result<()> {
        loop {
            if let Some(row) = s.pop(i) {
                self.heap.push(Head { kind: Kind::Row(row), stream: i });
                return Ok(());
            }
            if s.is_done(i) {
                return Ok(());
            }
            if let Some(f) = s.frontier_key(i) {
                self.heap.push(Head { kind: Kind::Frontier(f), stream: i });
                return Ok(());
            }
            s.read_once(i, &self.heads()).await?;
        }
    }

    /// The rows the heap holds, by stream: the sizing counts them as read.
    fn heads(&self) -> Vec<(usize, &Item)> {
        self.heap
            .iter()
            .filter_map(|h| match &h.kind {
                Kind::Row(r) => Some((h.stream, &r.item)),
                Kind::Frontier(_) => None,
            })
            .collect()
    }

    /// The next row in merge order, `None` when every stream is exhausted.
    pub async fn next<B: Backend>(&mut self, s: &mut Streams<'_, B>) -> Result<Option<Row>> {
        self.settle(s).await?;
        loop {
            let Some(mut top) = self.heap.peek_mut() else { return Ok(None) };
            let stream = top.stream;
            if matches!(top.kind, Kind::Frontier(_)) {
                let Head { kind, .. } = PeekMut::pop(top);
                if let Kind::Frontier(seen) = kind {
                    s.read_past(stream, &seen, &self.heads()).await?;
                }
                self.push_head(stream, s).await?;
                continue;
            }
            let replacement = match s.pop(stream) {
                Some(next) => Kind::Row(next),
                None => {
                    let Head { kind, .. } = PeekMut::pop(top);
                    self.pending.push(stream);
                    self.settle(s).await?;
                    return Ok(match kind {
                        Kind::Row(r) => Some(r),
                        Kind::Frontier(_) => None,
                    });
                }
            };
            let Kind::Row(row) = std::mem::replace(&mut top.kind, replacement) else { return Ok(None) };
            return Ok(Some(row));
        }
    }

    /// True when another row follows (reading on where a frontier leads).
    pub async fn has_more<B: Backend>(&mut self, s: &mut Streams<'_, B>) -> Result<bool> {
        self.settle(s).await?;
        loop {
            let Some(top) = self.heap.peek() else { return Ok(false) };
            if matches!(top.kind, Kind::Row(_)) {
                return Ok(true);
            }
            let stream = top.stream;
            if let Some(Head { kind: Kind::Frontier(seen), .. }) = self.heap.pop() {
                s.read_past(stream, &seen, &self.heads()).await?;
            }
            self.push_head(stream, s).await?;
        }
    }
}
