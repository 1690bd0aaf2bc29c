//! COUNT: every stream of a plan read to its end, counting instead of
//! returning rows.
//!
//! ```text
//!   stream 0 ──Select: COUNT──► Count, ScannedCount, LastEvaluatedKey ──► … ──► n0
//!   stream 1 ──Select: COUNT──► …                                        ──► n1
//!   (at most Options::max_concurrency streams in flight)
//! ```
//!
//! With no client residual filter each request is a `Select: COUNT` read:
//! DynamoDB applies the server filter after `Limit` and returns only
//! `Count`, `ScannedCount` and `LastEvaluatedKey` — no attribute comes back.
//! A residual filter is something DynamoDB cannot evaluate, so then each
//! request reads the items projected to the attributes the residual
//! names, and the residual counts them on the client.
//!
//! Every request's `Limit` is one more than what is left of the plan's
//! read budget: a stream that ends exactly at the budget learns it has
//! ended (DynamoDB sets `LastEvaluatedKey` when a page stops on its
//! `Limit`, even on the last item), and one that goes on evaluates one item
//! too many. A count whose streams together evaluated more than the budget
//! fails with [`ErrorKind::ReadBudgetExceeded`] — never a short count — so
//! a count succeeds exactly when it needs at most the budget (a failing
//! one may have read a little past it: one item, or more with several
//! streams in flight).

use std::sync::atomic::{AtomicU64, Ordering};

use futures::stream::{self, StreamExt};

use crate::backend::{Backend, KeyCondition, ReadRequest};
use crate::error::{Error, ErrorKind, Result};
use crate::options::Options;
use crate::plan::{Branch, Plan};
use crate::stats::{QueryStats, StreamStats};

/// What one stream counted.
#[derive(Debug, Default)]
struct Counted {
    rows: u64,
    calls: u64,
    scanned: u64,
    returned: u64,
    capacity: Option<f64>,
}

/// The count of each stream of `plan` (in the plan's stream order), and
/// what the reads cost.
///
/// # Errors
/// [`ErrorKind::ReadBudgetExceeded`] past the plan's read budget; the
/// backend's errors.
pub(crate) async fn count<B: Backend>(
    plan: &Plan,
    backend: &B,
    options: &Options,
) -> Result<(Vec<u64>, QueryStats)> {
    let projections: Vec<Option<Vec<String>>> =
        plan.branches.iter().map(|b| residual_projection(plan, b)).collect();
    let read = AtomicU64::new(0);
    let streams =
        plan.streams.iter().enumerate().map(|(i, s)| {
            let (projection, read) = (projections.get(s.branch).and_then(Option::as_ref), &read);
            let branch = plan.branch_of(i);
            async move {
                count_stream(plan, branch, backend, s.key.as_ref(), projection, read).await.map(|c| (i, c))
            }
        });
    let mut running = stream::iter(streams).buffer_unordered(options.max_concurrency.max(1));
    let mut counted: Vec<Counted> = plan.streams.iter().map(|_| Counted::default()).collect();
    while let Some(result) = running.next().await {
        let (i, c) = result?;
        if let Some(slot) = counted.get_mut(i) {
            *slot = c;
        }
    }
    let total_read = read.load(Ordering::Relaxed);
    if total_read > plan.read_budget {
        return Err(over_budget(plan.read_budget, total_read));
    }
    let mut stats = QueryStats { streams: plan.streams.len(), ..QueryStats::default() };
    for c in &counted {
        stats.calls += c.calls;
        stats.items_read += c.scanned;
        stats.items_returned += c.returned;
        stats.rows += c.rows;
        // Each stream's requests form a chain; streams run side by side.
        stats.round_trips = stats.round_trips.max(u32::try_from(c.calls).unwrap_or(u32::MAX));
        if let Some(u) = c.capacity {
            *stats.consumed_capacity.get_or_insert(0.0) += u;
        }
        stats.per_stream.push(StreamStats {
            calls: c.calls,
            items_read: c.scanned,
            rows_matched: c.rows,
            rows_taken: c.rows,
        });
    }
    Ok((counted.iter().map(|c| c.rows).collect(), stats))
}

/// Reads one stream to its end.
async fn count_stream<B: Backend>(
    plan: &Plan,
    branch: &Branch,
    backend: &B,
    key: Option<&KeyCondition>,
    projection: Option<&Vec<String>>,
    read: &AtomicU64,
) -> Result<Counted> {
    let mut out = Counted::default();
    let mut start = None;
    loop {
        let left = plan.read_budget.saturating_sub(read.load(Ordering::Relaxed));
        let request = ReadRequest {
            table: plan.table.clone(),
            index: branch.index.clone(),
            key: key.cloned(),
            filter: branch.server_filter.clone(),
            projection: projection.cloned(),
            scan_forward: plan.scan_forward,
            limit: Some(u32::try_from(left.saturating_add(1)).unwrap_or(u32::MAX)),
            exclusive_start_key: start.take(),
            count_only: projection.is_none(),
            segment: None,
        };
        let response = backend.read(request).await?;
        response.check_moved()?;
        let so_far = read.fetch_add(response.scanned_count, Ordering::Relaxed) + response.scanned_count;
        if so_far > plan.read_budget {
            return Err(over_budget(plan.read_budget, so_far));
        }
        out.calls += 1;
        out.scanned += response.scanned_count;
        out.returned += response.count;
        out.rows += match &branch.residual {
            Some(r) => response.items.iter().filter(|item| r.eval(item)).count() as u64,
            None => response.count,
        };
        if let Some(u) = response.consumed_capacity {
            *out.capacity.get_or_insert(0.0) += u;
        }
        match response.last_evaluated_key {
            Some(k) => start = Some(k),
            None => return Ok(out),
        }
    }
}

/// The attributes a count must read back: `None` (a `Select: COUNT`)
/// without a residual filter, else the attributes the residual names (the
/// primary key when it names none, so the projection is never empty).
fn residual_projection(plan: &Plan, branch: &Branch) -> Option<Vec<String>> {
    let residual = branch.residual.as_ref()?;
    let mut attrs: Vec<String> = residual.attributes().into_iter().map(str::to_owned).collect();
    if attrs.is_empty() {
        attrs = plan.order.iter().rev().take(1).map(|c| c.attr.clone()).collect();
    }
    Some(attrs)
}

fn over_budget(budget: u64, read: u64) -> Error {
    Error::new(
        ErrorKind::ReadBudgetExceeded,
        format!(
            "this count needs more than its read budget of {budget} items (read: {read}); narrow the \
             filter, add an index whose key condition serves it, or raise the budget \
             (Query::read_budget / Options::read_budget)"
        ),
    )
}
