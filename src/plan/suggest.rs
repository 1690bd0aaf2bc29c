//! The advice in a "no usable index" error: which index would serve the query.

use super::candidate::{Context, Rejection};
use crate::error::{Error, ErrorKind};
use crate::expr::{CmpOp, Expr};

/// Builds the [`ErrorKind::NoUsableIndex`] error: why each index was
/// rejected, and the key of a GSI that would serve the query.
pub(super) fn no_index_error(ctx: &Context<'_>, rejected: &[Rejection]) -> Error {
    let lead = format!("no index of table `{}` can serve this query without a full scan", ctx.schema.table);
    with_lead(ctx, rejected, lead)
}

/// As [`no_index_error`], for the branch of an `OR` that no index serves:
/// the advice names the index that branch lacks.
pub(super) fn no_index_for_disjunct(ctx: &Context<'_>, rejected: &[Rejection], disjunct: &Expr) -> Error {
    let lead = format!(
        "no index of table `{}` serves the OR's branch `{disjunct}` without a full scan (an OR is answered \
         with one Query per branch, so every branch needs an index)",
        ctx.schema.table
    );
    with_lead(ctx, rejected, lead)
}

fn with_lead(ctx: &Context<'_>, rejected: &[Rejection], lead: String) -> Error {
    let equality_attr = |e: &&&Expr| match e {
        Expr::Cmp { attr, op: CmpOp::Eq, .. } | Expr::In { attr, .. } => Some(attr.clone()),
        _ => None,
    };
    let in_order = |a: &str| ctx.order.iter().any(|c| c.attr == a);
    let partition = ctx
        .conjuncts
        .iter()
        .filter_map(|e| equality_attr(&e))
        .find(|a| !in_order(a))
        .or_else(|| ctx.conjuncts.iter().filter_map(|e| equality_attr(&e)).next());
    let sort = ctx
        .query
        .get_order_by()
        .iter()
        .map(|o| o.attr.clone())
        .find(|a| Some(a) != partition.as_ref())
        .or_else(|| {
            ctx.conjuncts.iter().find_map(|e| match e {
                Expr::Cmp { attr, .. } | Expr::Between { attr, .. } | Expr::BeginsWith { attr, .. }
                    if Some(attr) != partition.as_ref() =>
                {
                    Some(attr.clone())
                }
                _ => None,
            })
        });
    let reasons: Vec<&str> = rejected.iter().map(|r| r.message.as_str()).collect();
    let mut message = lead;
    if !reasons.is_empty() {
        message.push_str(": ");
        message.push_str(&reasons.join("; "));
    }
    let suggestion = match (&partition, &sort) {
        (Some(p), Some(s)) => Some(format!("a GSI with partition key ({p}) and sort key ({s})")),
        (Some(p), None) => Some(format!("a GSI with partition key ({p})")),
        _ => None,
    };
    match &suggestion {
        Some(s) => message.push_str(&format!(
            ". An index that would serve it: {s}. Create it, or call Query::allow_scan(true) to read the \
             whole table (within the read budget)"
        )),
        None => message.push_str(
            ". The filter has no `=` or `IN` to partition on: add one on an indexed attribute, or call \
             Query::allow_scan(true) to read the whole table (within the read budget)",
        ),
    }
    let err = Error::new(ErrorKind::NoUsableIndex, message);
    match suggestion {
        Some(s) => err.with_suggested_index(s),
        None => err,
    }
}
