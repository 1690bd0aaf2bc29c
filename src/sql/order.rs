//! `ORDER BY`, `LIMIT` and `OFFSET`.
//!
//! `ORDER BY` takes column names with `ASC` (the default) or `DESC`.
//! `NULLS LAST` with `ASC` and `NULLS FIRST` with `DESC` are accepted
//! because they are the contract's (PostgreSQL's) default placement; the
//! other two placements are errors. `LIMIT n` (n ≥ 1) and `OFFSET n` take a
//! whole number or a bind parameter.

use sqlparser::ast::{
    Expr as SqlExpr, LimitClause, OrderBy as SqlOrderBy, OrderByExpr, OrderByKind, OrderBySort, Spanned,
};

use sqlparser::tokenizer::Span;

use super::literal::count;
use super::located::Source;
use super::names::column;
use super::params::Params;
use crate::error::Result;
use crate::query::{asc, desc, OrderBy};

/// The `ORDER BY` terms.
pub(crate) fn order_by(order: &SqlOrderBy, src: Source<'_>) -> Result<Vec<OrderBy>> {
    if order.interpolate.is_some() {
        return Err(src.unsupported(
            "INTERPOLATE",
            "write plain `ORDER BY column [ASC|DESC]`",
            Span::empty(),
        ));
    }
    match &order.kind {
        OrderByKind::All(_) => Err(src.unsupported(
            "ORDER BY ALL",
            "name the columns: `ORDER BY created_at DESC, order_id`",
            Span::empty(),
        )),
        OrderByKind::Expressions(terms) => terms.iter().map(|t| term(t, src)).collect(),
    }
}

fn term(t: &OrderByExpr, src: Source<'_>) -> Result<OrderBy> {
    if t.with_fill.is_some() {
        return Err(src.unsupported("WITH FILL", "write plain `ORDER BY column [ASC|DESC]`", t.span()));
    }
    let attr = match column(&t.expr, src)? {
        Some(name) => name,
        None => {
            let what = match &t.expr {
                SqlExpr::Value(_) => format!("ordering by position or constant (`ORDER BY {}`)", t.expr),
                _ => format!("ordering by the expression `{}`", t.expr),
            };
            return Err(src.unsupported(
                &what,
                "order by column names: `ORDER BY created_at DESC`",
                t.expr.span(),
            ));
        }
    };
    let descending = match &t.options.sort {
        None | Some(OrderBySort::Asc) => false,
        Some(OrderBySort::Desc) => true,
        Some(OrderBySort::Using(op)) => {
            return Err(src.unsupported(&format!("ORDER BY … USING {op}"), "write ASC or DESC", t.span()))
        }
    };
    // Only the contract's placement may be written out: NULLS LAST with ASC,
    // NULLS FIRST with DESC.
    if let Some(first) = t.options.nulls_first.filter(|first| *first != descending) {
        let (nulls, direction) =
            if first { ("NULLS FIRST", "ascending") } else { ("NULLS LAST", "descending") };
        return Err(src.unsupported(
            &format!("{nulls} on the {direction} `{attr}`"),
            &format!(
                "ASC puts NULLs (and missing attributes) last and DESC puts them first, as PostgreSQL does \
                 by default; drop {nulls}"
            ),
            t.span(),
        ));
    }
    Ok(if descending { desc(attr) } else { asc(attr) })
}

/// `LIMIT` (when given) and `OFFSET` (0 when absent).
pub(crate) fn paging(
    clause: Option<&LimitClause>,
    params: &mut Params<'_>,
    src: Source<'_>,
) -> Result<(Option<usize>, u64)> {
    let Some(clause) = clause else {
        return Ok((None, 0));
    };
    match clause {
        LimitClause::LimitOffset { limit, offset, limit_by } => {
            if let Some(first) = limit_by.first() {
                return Err(src.unsupported("LIMIT … BY", "write `LIMIT n`", first.span()));
            }
            // Convert in text order, so `?` parameters bind in order either way.
            let limit_first = match (limit, offset) {
                (Some(l), Some(o)) => l.span().start <= o.value.span().start,
                _ => true,
            };
            let mut n = None;
            let mut skip = 0;
            let mut do_limit = |params: &mut Params<'_>| -> Result<()> {
                if let Some(l) = limit {
                    let rows = count(l, "LIMIT", params, src)?;
                    if rows == 0 {
                        return Err(
                            src.error("LIMIT must be at least 1: a page holds at least one row", l.span())
                        );
                    }
                    n = Some(usize::try_from(rows).unwrap_or(usize::MAX));
                }
                Ok(())
            };
            let mut do_offset = |params: &mut Params<'_>| -> Result<()> {
                if let Some(o) = offset {
                    skip = count(&o.value, "OFFSET", params, src)?;
                }
                Ok(())
            };
            if limit_first {
                do_limit(params)?;
                do_offset(params)?;
            } else {
                do_offset(params)?;
                do_limit(params)?;
            }
            Ok((n, skip))
        }
        LimitClause::OffsetCommaLimit { offset, .. } => {
            Err(src.unsupported("`LIMIT offset, count`", "write `LIMIT count OFFSET offset`", offset.span()))
        }
    }
}
