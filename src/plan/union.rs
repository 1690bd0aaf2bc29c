//! `OR` across indexes (index union).
//!
//! A filter `rest AND (d1 OR … OR dn)` that no single index serves is
//! planned as n branches: branch i is the query `rest AND di`, planned on
//! the access path that serves it best, with "`dj` is not TRUE" added to
//! its filter for every earlier disjunct `dj`. So the branches are
//! disjoint: an item matching several disjuncts is read back by the first
//! of them only, the merge needs no de-duplication, a cursor resumes every
//! branch as it resumes the streams of one index, and a `COUNT` is the sum
//! of its streams'. Every branch's filter implies the whole `WHERE`, so
//! rows are right whatever branch brings them.
//!
//! The streams of all branches merge on the order like the streams of one
//! index, when every branch delivers the same prefix of it (the same sort
//! key, the same direction); otherwise every branch is read whole and the
//! top rows kept.

use super::candidate::{Candidate, Context, Rejection};
use super::{best_candidate, suggest, Plan, Strategy};
use crate::cond::{lower, Cond};
use crate::error::{Error, Result};
use crate::expr::Expr;

/// What the union planner made of a query no single index serves.
pub(super) enum Outcome {
    /// The filter has no top-level `OR`.
    NoOr,
    /// A union of one branch per disjunct.
    Planned(Box<Plan>),
    /// Every `OR` has a branch no index serves (the error names it).
    Refused(Error),
}

/// Plans `ctx` as a union over one of its top-level `OR` conjuncts: of those
/// every branch of which an index serves, the one with the fewest streams.
pub(super) fn plan(ctx: &Context<'_>, limit: usize, notes: &mut Vec<String>) -> Result<Outcome> {
    let mut refused: Option<Error> = None;
    let mut best: Option<Plan> = None;
    for (k, c) in ctx.conjuncts.iter().enumerate() {
        let Expr::Or(_) = c else { continue };
        let disjuncts = disjuncts(c);
        match union_on(ctx, k, &disjuncts, limit) {
            Ok(p) => {
                if best.as_ref().is_none_or(|b| p.streams.len() < b.streams.len()) {
                    best = Some(p);
                }
            }
            Err(e) => {
                refused.get_or_insert(e);
            }
        }
    }
    Ok(match (best, refused) {
        (Some(mut p), _) => {
            let mut all = std::mem::take(notes);
            all.append(&mut p.notes);
            p.notes = all;
            Outcome::Planned(Box::new(p))
        }
        (None, Some(e)) => Outcome::Refused(e),
        (None, None) => Outcome::NoOr,
    })
}

/// The disjuncts of an `OR`, nested `OR`s flattened.
fn disjuncts(e: &Expr) -> Vec<&Expr> {
    match e {
        Expr::Or(es) => es.iter().flat_map(disjuncts).collect(),
        e => vec![e],
    }
}

/// The union whose branches are the disjuncts of conjunct `k`.
fn union_on(ctx: &Context<'_>, k: usize, disjuncts: &[&Expr], limit: usize) -> Result<Plan> {
    let rest: Vec<Expr> =
        ctx.conjuncts.iter().enumerate().filter(|(j, _)| *j != k).map(|(_, e)| (*e).clone()).collect();
    let mut exclude: Vec<Cond> = Vec::new();
    let mut branches: Vec<Plan> = Vec::with_capacity(disjuncts.len());
    for d in disjuncts {
        let query =
            ctx.query.clone().replace_filter(Expr::And(rest.iter().cloned().chain([(*d).clone()]).collect()));
        let conjuncts: Vec<&Expr> = query.get_filter().map(Expr::conjuncts).unwrap_or_default();
        let bctx =
            Context { query: &query, conjuncts: &conjuncts, exclude: &exclude, in_union: true, ..*ctx };
        let (best, rejected): (Option<Candidate>, Vec<Rejection>) = best_candidate(&bctx);
        let Some(c) = best else {
            if let Some(too_wide) = rejected.iter().find(|r| r.too_wide) {
                return Err(Error::limit(too_wide.message.clone()));
            }
            return Err(suggest::no_index_for_disjunct(&bctx, &rejected, d));
        };
        let mut p = c.into_plan(&bctx, limit, Vec::new());
        p.branches[0].disjunct = Some((*d).clone());
        branches.push(p);
        // "d is not TRUE": `lower(d)` holds exactly where d is TRUE.
        exclude.push(Cond::Not(Box::new(lower(d))));
    }
    combine(ctx, branches, disjuncts)
}

/// One plan of the branches' streams, merged on what they all deliver.
fn combine(ctx: &Context<'_>, branches: Vec<Plan>, disjuncts: &[&Expr]) -> Result<Plan> {
    let total: usize = branches.iter().map(|p| p.streams.len()).sum();
    if total > ctx.options.max_streams {
        return Err(Error::limit(format!(
            "the OR's {} branches would fan out to {total} parallel queries (one per branch and \
             partition-key value), more than Options::max_streams = {}; shorten the OR or its IN lists, \
             or raise the cap",
            branches.len(),
            ctx.options.max_streams
        )));
    }
    let live: Vec<&Plan> = branches.iter().filter(|p| !p.streams.is_empty()).collect();
    let lead = live.first().copied().unwrap_or(&branches[0]);
    let served = live.iter().map(|p| p.served).min().unwrap_or(lead.served);
    let merges = live.iter().all(|p| {
        p.strategy != Strategy::TopK
            && p.narrowing.is_some()
            && p.narrowing == lead.narrowing
            && p.scan_forward == lead.scan_forward
    });
    let (strategy, narrowing, scan_forward) = if merges {
        let s = if served == ctx.order.len() { Strategy::Merge } else { Strategy::MergeThenSortTies };
        (s, lead.narrowing.clone(), lead.scan_forward)
    } else {
        (Strategy::TopK, None, true)
    };

    let mut notes = vec![format!(
        "OR across indexes: {} branches, one per disjunct of `{}`; each leaves out the items an earlier \
         one reads, so no row comes back twice",
        branches.len(),
        Expr::Or(disjuncts.iter().map(|d| (*d).clone()).collect())
    )];
    if strategy == Strategy::TopK && !live.is_empty() {
        notes.push(
            "the branches' indexes do not deliver one order: every matching item is read (within the read \
             budget) and the top rows kept"
                .into(),
        );
    }
    let projection = merged_projection(&branches);
    let mut plan = Plan {
        streams: Vec::with_capacity(total),
        branches: Vec::with_capacity(branches.len()),
        scan_forward,
        served,
        strategy,
        narrowing,
        // Composed keys are only merged on in a plan of one branch.
        composed: None,
        projection,
        ..lead.clone()
    };
    for (b, mut p) in branches.into_iter().enumerate() {
        for n in p.notes.drain(..) {
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
        plan.streams.extend(p.streams.into_iter().map(|mut s| {
            s.branch = b;
            s
        }));
        plan.branches.append(&mut p.branches);
    }
    plan.notes = notes;
    Ok(plan)
}

/// Every attribute some branch reads back (`None`: all of them).
fn merged_projection(branches: &[Plan]) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for p in branches {
        for a in p.projection.as_ref()? {
            if !out.contains(a) {
                out.push(a.clone());
            }
        }
    }
    Some(out)
}
