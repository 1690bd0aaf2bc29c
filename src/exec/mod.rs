//! Execution: streams → merge → tie re-sort → skip past the cursor → page.
//!
//! One concept per file: [`streams`] fetches (parallel, bounded, lazily
//! sized by [`sizing`]), [`merge`] k-way merges on the served prefix,
//! [`ties`] re-sorts runs of equal prefix, [`topk`] handles plans no index
//! orders, [`narrow`] resumes from a cursor, [`row`] holds the byte keys
//! (inline in a [`key`] when short); [`count`] reads every stream to its
//! end for a COUNT; [`fetch`] reads what a thin index lacks for the page's
//! rows with `BatchGetItem`; [`refilter`] runs the part of the filter that
//! needs those attributes, between the merge and the cut of the page.

mod ahead;
pub(crate) mod count;
mod fetch;
mod frontier;
mod interval;
mod key;
mod merge;
mod narrow;
mod refilter;
mod row;
pub(crate) mod sizing;
mod streams;
mod ties;
mod topk;

pub(crate) use fetch::sleep;
pub(crate) use row::unorderable;
pub(crate) use sizing::memory::Memory;
pub(crate) use sizing::MAX_STATE_BYTES;
pub use sizing::{SizingPolicy, SizingStart, PRIOR_SELECTIVITY};

use std::sync::Mutex;

use crate::backend::Backend;
use crate::cursor::{self, Position};
use crate::error::{ErrorKind, Result};
use crate::options::Options;
use crate::page::Page;
use crate::plan::{Plan, Strategy};
use crate::value::{Item, Value};

use merge::Merge;
use streams::Streams;
use ties::TieSort;

/// Where a page's request sizing may start from besides its cursor.
#[derive(Default)]
pub(crate) struct SizingFrom<'a> {
    /// The engine's memory of recent queries.
    pub memory: Option<&'a Mutex<Memory>>,
    /// The caller's selectivity hint.
    pub hint: Option<f64>,
}

/// Runs one page of `plan`, resuming after `position` when given. With
/// `discard`, the page's rows are read only to be skipped (an `OFFSET`):
/// what only the output needs is not fetched.
pub(crate) async fn execute<B: Backend>(
    plan: &Plan,
    backend: &B,
    options: &Options,
    position: Option<&Position>,
    from: SizingFrom<'_>,
    discard: bool,
) -> Result<Page<Item>> {
    let keys = narrow::narrow_streams(plan, position.map(|p| p.values.as_slice()));
    let sizer = sizing::policy(options.sizing, plan.streams.len());
    let mut s = Streams::new(plan, backend, options, keys, position.map(|p| p.key.clone()), sizer);
    let remembered = || from.memory?.lock().ok()?.get(&plan.fingerprint);
    if let Some(p) = position {
        let start = plan.narrowing.as_ref().and_then(|n| p.values.get(n.order_pos)).and_then(Option::as_ref);
        s.resume(&p.sizing, start, SizingStart::Resumed)?;
    } else if let Some(h) = from.hint {
        s.hint_selectivity(h);
    } else if let Some(state) = remembered() {
        // The engine's own state: were it unreadable, start cold.
        let _ = s.resume(&state, None, SizingStart::Warm);
    }
    if let (Some(p), true) = (position, s.fetches_order()) {
        s.defer_cursor_run(cursor_prefix(plan, &p.values)?);
    }
    let limit = plan.limit;
    let late = plan.fetch.as_ref().and_then(|f| f.filter.as_ref());
    // Rows become items as they are emitted: a row's key is not needed
    // after that, and the page is built without a second pass.
    // `run_rest`: rows of the last row's run the tie re-sort holds for the
    // next page; `held`: the rows read past the page that the merge and
    // the tie re-sort hold at the end (see `sizing::PageEnd`).
    let (mut rows, more, run_rest, held): Ended = match (plan.strategy, late) {
        (strategy, Some(filter)) => {
            // Candidates in order; the filter after the fetch cuts the page.
            let mut candidates = match strategy {
                Strategy::TopK => {
                    let (rows, _) = topk::collect(&mut s, limit, true).await?;
                    refilter::Candidates::Sorted(
                        rows.into_iter().map(|r| r.item).collect::<Vec<_>>().into_iter(),
                    )
                }
                Strategy::Merge => {
                    s.start()?;
                    refilter::Candidates::Merge(Merge::default())
                }
                Strategy::MergeThenSortTies => {
                    s.start()?;
                    refilter::Candidates::Ties(Merge::default(), TieSort::default())
                }
            };
            let (rows, more) = refilter::page(plan, filter, &mut candidates, &mut s).await?;
            (rows, more, 0, Vec::new())
        }
        (Strategy::TopK, None) => {
            let (rows, more) = topk::collect(&mut s, limit, false).await?;
            (rows.into_iter().map(|r| r.item).collect(), more, 0, Vec::new())
        }
        (Strategy::Merge, None) => {
            s.start()?;
            let mut merge = Merge::default();
            let mut rows: Vec<Item> = Vec::with_capacity(limit);
            loop {
                // Rows at hand need no read; `need` sizes only the reads.
                while rows.len() < limit {
                    let Some(r) = merge.next_at_hand(&mut s) else { break };
                    rows.push(r.item);
                }
                if rows.len() >= limit {
                    break;
                }
                s.need = (limit + 1 - rows.len()).max(1);
                match merge.next(&mut s).await? {
                    Some(r) => rows.push(r.item),
                    None => break,
                }
            }
            s.need = 1;
            let more = rows.len() == limit && lookahead(merge.has_more(&mut s).await)?;
            let rest = match rows.last() {
                Some(last) if more => s.held_on(last, &merge.held()),
                _ => 0,
            };
            (rows, more, rest, owned(&merge.held()))
        }
        (Strategy::MergeThenSortTies, None) => {
            s.start()?;
            let mut merge = Merge::default();
            let mut ties = TieSort::default();
            let mut rows: Vec<Item> = Vec::with_capacity(limit);
            loop {
                ties.take_at_hand(&mut merge, &mut s, &mut rows, limit)?;
                if rows.len() >= limit {
                    break;
                }
                s.need = (limit + 1 - rows.len()).saturating_sub(ties.held()).max(1);
                match ties.next(&mut merge, &mut s).await? {
                    Some(r) => rows.push(r.item),
                    None => break,
                }
            }
            s.need = 1;
            let more = rows.len() == limit && lookahead(ties.has_more(&mut merge, &mut s).await)?;
            let mut held = owned(&merge.held());
            held.extend(ties.held_past().cloned());
            (rows, more, ties.run_rest(), held)
        }
    };
    let end = sizing::PageEnd { rows: &rows, run_rest, held: &held };
    let state = if rows.is_empty() { Vec::new() } else { s.sizing_state(&end) };
    // A first page's state, for the engine to remember (see below): it
    // also says where the page ended.
    let remembered = match (position, from.memory) {
        (None, Some(_)) if !rows.is_empty() => s.remembered_state(&end),
        _ => Vec::new(),
    };
    let mut filled = s.take_filled();
    let mut stats = s.finish();
    match &plan.fetch {
        // Rows a filter after the fetch kept are filled already; skipped
        // rows (an OFFSET) need nothing the output alone needs, unless the
        // cursor needs their fetched ORDER BY attributes.
        Some(fetch) if fetch.filter.is_none() && (!discard || !fetch.order.is_empty()) => {
            // Before the cursor, which reads the fetched ORDER BY
            // attributes; the fetch leaves the index's ones as they are.
            fetch::fill(plan, fetch, backend, &mut rows, &mut stats, &mut filled).await?;
        }
        _ => {}
    }
    let next_cursor = match (more, rows.last()) {
        (true, Some(last)) => Some(cursor::encode(plan, last, &state, options)?),
        _ => None,
    };
    if !remembered.is_empty() {
        if let Some(mut memory) = from.memory.and_then(|m| m.lock().ok()) {
            memory.put(plan.fingerprint, remembered);
        }
    }
    stats.rows = rows.len() as u64;
    rows.iter_mut().for_each(|item| plan.shape_output(item));
    Ok(Page { rows, next_cursor, stats })
}

/// How a page's rows were gathered: the rows, whether more follow, the
/// rows of the last row's run held for the next page, and the rows read
/// past the page held at the end.
type Ended = (Vec<Item>, bool, usize, Vec<Item>);

/// The rows a merge holds, owned (one per stream at most), without their
/// streams.
fn owned(held: &[(usize, &Item)]) -> Vec<Item> {
    held.iter().map(|(_, item)| (*item).clone()).collect()
}

/// The look-ahead that decides whether a next page exists. Running out of
/// read budget there does not fail a complete page: it yields a cursor whose
/// next page may turn out empty.
fn lookahead(r: Result<bool>) -> Result<bool> {
    match r {
        Err(e) if e.kind() == ErrorKind::ReadBudgetExceeded => Ok(true),
        other => other,
    }
}

/// The cursor's values on the order's served prefix, encoded as a row's
/// [`Row::prefix`](row::Row::prefix).
///
/// # Errors
/// [`ErrorKind::Unorderable`] for a value with no order (a decoded cursor
/// holds none).
fn cursor_prefix(plan: &Plan, values: &[Option<Value>]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for (col, v) in plan.order.iter().zip(values).take(plan.served) {
        crate::encoding::encode_column(&mut out, v.as_ref(), col.dir)
            .map_err(|e| unorderable(&col.attr, e))?;
    }
    Ok(out)
}
