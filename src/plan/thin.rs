//! EXPLAIN's comparison of a plan on a thin (`KEYS_ONLY`/`INCLUDE`) GSI
//! with what else could serve the query: an index that needs no fetch but
//! ranks lower, or a `Scan`.

use super::candidate::{self, Context};
use super::Plan;

/// A note comparing `plan`, which fetches with `BatchGetItem`, with the
/// best access path that needs no fetch, or with a scan when none does.
pub(super) fn compare(ctx: &Context<'_>, plan: &Plan) -> Option<String> {
    let fetch = plan.fetch.as_ref()?;
    let chosen = plan.index()?;
    let names = std::iter::once(None).chain(ctx.schema.indexes.iter().map(|i| Some(i.name.as_str())));
    let mut ours = None;
    let mut wide: Option<candidate::Candidate> = None;
    for name in names {
        let Ok(c) = candidate::evaluate(ctx, name) else { continue };
        if name == Some(chosen) {
            ours = Some(c);
        } else if c.fetch_rank() == 0 && wide.as_ref().is_none_or(|w| c.score() > w.score()) {
            wide = Some(c);
        }
    }
    let (_, served, streams) = ours.as_ref()?.summary();
    let per_page = match &fetch.filter {
        _ if !fetch.order.is_empty() => "the rows of the runs of ties a page touches".to_owned(),
        None => format!("at most {} a page", plan.limit),
        Some(_) => format!(
            "{} a page when the filter after the fetch keeps every candidate, more when it drops some",
            plan.limit
        ),
    };
    Some(match wide.as_ref().map(candidate::Candidate::summary) {
        Some((index, w_served, w_streams)) => {
            let what = index.map_or_else(|| format!("the table `{}`", ctx.schema.table), |i| format!("index `{i}`"));
            format!(
                "compared: {what} needs no BatchGetItem but its sort key serves {w_served} ORDER BY column{} \
                 with {w_streams} stream{} (this plan: {served} with {streams}); this plan reads the index's \
                 items plus about one read unit per item fetched ({per_page})",
                if w_served == 1 { "" } else { "s" },
                if w_streams == 1 { "" } else { "s" },
            )
        }
        None => format!(
            "compared: no index that projects what the query needs serves it; the alternative is a Scan of the \
             whole table (every item evaluated; only with Query::allow_scan); this plan reads the index's items \
             plus about one read unit per item fetched ({per_page})"
        ),
    })
}
