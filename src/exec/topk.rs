//! Top-N with a heap, for plans no index orders: read every matching row
//! (within the read budget), keep the `limit + 1` smallest keys.

use std::collections::BinaryHeap;

use super::key::compare;
use super::row::Row;
use super::streams::Streams;
use crate::backend::Backend;
use crate::error::Result;

struct ByKey(Row);

impl Ord for ByKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        compare(self.0.key(), other.0.key())
    }
}
impl PartialOrd for ByKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for ByKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.key() == other.0.key()
    }
}
impl Eq for ByKey {}

/// Reads every stream to its end; returns the first `limit` rows in order and
/// whether more follow. With `keep_all`, every row is kept and returned in
/// order (the filter after a fetch still drops some of them).
pub(crate) async fn collect<B: Backend>(
    s: &mut Streams<'_, B>,
    limit: usize,
    keep_all: bool,
) -> Result<(Vec<Row>, bool)> {
    let keep = if keep_all { usize::MAX } else { limit + 1 };
    let mut heap: BinaryHeap<ByKey> = BinaryHeap::with_capacity(limit + 2);
    s.start()?;
    while s.busy() {
        let Some(i) = s.wait().await? else { break };
        let rows: Vec<Row> = s.drain(i).collect();
        for row in rows {
            if heap.len() < keep {
                heap.push(ByKey(row));
            } else if heap.peek().is_some_and(|top| compare(row.key(), top.0.key()).is_lt()) {
                if let Some(mut top) = heap.peek_mut() {
                    *top = ByKey(row);
                }
            }
        }
        s.note_buffered(heap.len())?;
        if !s.is_done(i) {
            s.request(i)?;
        }
    }
    let mut rows: Vec<Row> = heap.into_sorted_vec().into_iter().map(|b| b.0).collect();
    let more = rows.len() > limit;
    if !keep_all {
        rows.truncate(limit);
    }
    Ok((rows, more))
}
