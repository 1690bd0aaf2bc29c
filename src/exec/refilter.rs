//! The filter after the fetch, for a plan on a thin (`KEYS_ONLY`/`INCLUDE`)
//! GSI whose filter names attributes the index lacks ([`Fetch::filter`](crate::plan::Fetch::filter)).
//!
//! The streams, the merge and the tie re-sort deliver *candidates*: rows
//! that passed the part of the filter the index can answer, in the full
//! order. Here, between the merge and the cut of the page, candidates are
//! taken in that order in batches sized to what the page still needs,
//! their missing attributes fetched with `BatchGetItem`, and the rest of
//! the filter applied; a row that fails is dropped and more are taken.
//!
//! ```text
//! merge ─▶ ties ─▶ candidates ──batch of min(need, 100)──▶ BatchGetItem
//!                      ▲                                       │
//!                      └──── need = LIMIT − rows kept ◀── filter: keep / drop
//! page full ─▶ look-ahead: batches of 1, 2, 4 … until one passes (a next
//!              page exists) or the candidates end (none does)
//! ```
//!
//! Why the page and its cursor stay exact: candidates come in the total
//! order, and a batch never holds more candidates than the page still
//! needs, so every candidate before the page's last row was fetched and
//! judged; the cursor is that last row's position, so the next page starts
//! with the first candidate after it — the look-ahead's, fetched again
//! there (a cursor carries no rows). The look-ahead goes on until a row
//! passes, so a page carries a cursor only when another row follows: a page
//! is short only at the end, and never followed by an empty one. Items
//! fetched per page are the candidates up to its last row, plus the
//! look-ahead's, which are at most twice the candidates it dropped, plus one.
//!
//! When the plan also fetches `ORDER BY` attributes the index lacks, the
//! tie re-sort has fetched each run of ties whole (with the attributes the
//! filter needs) before it delivers it: those candidates are judged without
//! a second fetch, so a page fetches the candidates it judges, and the
//! whole runs of ties they (and the cursor) belong to.

use crate::backend::{Backend, MAX_BATCH_GET_KEYS};
use crate::cond::Cond;
use crate::error::{ErrorKind, Result};
use crate::plan::Plan;
use crate::value::Item;

use super::merge::Merge;
use super::streams::Streams;
use super::ties::TieSort;

/// Where a page's candidates come from, in the plan's full order.
pub(crate) enum Candidates {
    /// Already sorted (a top-N read everything).
    Sorted(std::vec::IntoIter<Item>),
    /// The k-way merge, when the streams deliver the whole order.
    Merge(Merge),
    /// The merge, then the tie re-sort.
    Ties(Merge, TieSort),
}

impl Candidates {
    async fn next<B: Backend>(&mut self, s: &mut Streams<'_, B>) -> Result<Option<Item>> {
        Ok(match self {
            Candidates::Sorted(rows) => rows.next(),
            Candidates::Merge(m) => m.next(s).await?.map(|r| r.item),
            Candidates::Ties(m, t) => t.next(m, s).await?.map(|r| r.item),
        })
    }
}

/// How a page's candidates fared.
struct Tally {
    /// Candidates judged.
    tried: usize,
    /// Those the filter kept.
    kept: usize,
}

impl Tally {
    /// Candidates to read for `rows` more rows, at the share of candidates
    /// kept so far (all of them before any was judged). Only sizes reads.
    fn candidates_for(&self, rows: usize) -> usize {
        if self.tried == 0 || self.kept >= self.tried {
            return rows;
        }
        let per_row = self.tried as f64 / self.kept.max(1) as f64;
        ((rows as f64 * per_row).ceil() as usize).max(rows)
    }
}

/// One page of `plan`: its rows, filled by the fetch and kept by
/// `filter`, and whether another row follows.
///
/// # Errors
/// The streams' and the fetch's; running out of read budget during the
/// look-ahead yields `true` (a cursor whose next page may turn out empty),
/// as the pages without a fetch do.
pub(crate) async fn page<B: Backend>(
    plan: &Plan,
    filter: &Cond,
    candidates: &mut Candidates,
    s: &mut Streams<'_, B>,
) -> Result<(Vec<Item>, bool)> {
    let limit = plan.limit;
    let mut rows: Vec<Item> = Vec::with_capacity(limit);
    let mut tally = Tally { tried: 0, kept: 0 };
    let mut ended = false;
    while rows.len() < limit && !ended {
        let want = (limit - rows.len()).min(MAX_BATCH_GET_KEYS);
        let batch;
        (batch, ended) = take(candidates, s, want, limit + 1 - rows.len(), &tally).await?;
        judge(filter, s, batch, &mut rows, &mut tally).await?;
    }
    s.need = 1;
    if ended || rows.len() < limit {
        return Ok((rows, false));
    }
    let more = match lookahead(filter, candidates, s, &mut tally).await {
        Err(e) if e.kind() == ErrorKind::ReadBudgetExceeded => true,
        other => other?,
    };
    Ok((rows, more))
}

/// True when a candidate after the page passes the filter: candidates are
/// fetched in batches of 1, 2, 4 … (at most [`MAX_BATCH_GET_KEYS`]) until
/// one passes or none is left.
async fn lookahead<B: Backend>(
    filter: &Cond,
    candidates: &mut Candidates,
    s: &mut Streams<'_, B>,
    tally: &mut Tally,
) -> Result<bool> {
    let mut size = 1;
    loop {
        let (batch, ended) = take(candidates, s, size, 1, tally).await?;
        let mut passed = Vec::new();
        judge(filter, s, batch, &mut passed, tally).await?;
        if !passed.is_empty() {
            return Ok(true);
        }
        if ended {
            return Ok(false);
        }
        size = (size * 2).min(MAX_BATCH_GET_KEYS);
    }
}

/// Takes up to `size` candidates, and whether they ran out first. Sizing
/// only: the streams read for the candidates `rows` more rows need, at the
/// share kept so far.
async fn take<B: Backend>(
    candidates: &mut Candidates,
    s: &mut Streams<'_, B>,
    size: usize,
    rows: usize,
    tally: &Tally,
) -> Result<(Vec<Item>, bool)> {
    let mut batch: Vec<Item> = Vec::with_capacity(size);
    while batch.len() < size {
        s.need = tally.candidates_for(rows).saturating_sub(batch.len()).max(1);
        match candidates.next(s).await? {
            Some(item) => batch.push(item),
            None => return Ok((batch, true)),
        }
    }
    Ok((batch, false))
}

/// Fetches `batch`'s missing attributes and appends to `out` the rows the
/// filter keeps, in order.
async fn judge<B: Backend>(
    filter: &Cond,
    s: &mut Streams<'_, B>,
    mut batch: Vec<Item>,
    out: &mut Vec<Item>,
    tally: &mut Tally,
) -> Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    tally.tried += batch.len();
    // Rows of runs fetched for the tie re-sort are not fetched again.
    s.fill(&mut batch).await?;
    let before = out.len();
    out.extend(batch.into_iter().filter(|row| filter.eval(row)));
    tally.kept += out.len() - before;
    Ok(())
}
