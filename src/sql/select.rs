//! The statement's shape: one plain `SELECT … FROM … [WHERE …] [ORDER BY …]
//! [LIMIT …] [OFFSET …]`, and a named error for everything else.

use sqlparser::ast::{
    Distinct, Expr as SqlExpr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr,
    Query as SqlQuery, Select, SelectFlavor, SelectItem, SetExpr, Spanned, Statement as SqlStatement,
    WildcardAdditionalOptions,
};
use sqlparser::tokenizer::Span;

use super::located::Source;
use super::names::{column, from};
use super::order::{order_by, paging};
use super::params::Params;
use super::predicate::{function_error, Predicates};
use super::{Statement, StatementKind};
use crate::error::Result;
use crate::query::Query;

/// Advice for every statement that is not a `SELECT`.
const READ_ONLY: &str =
    "dynaquery runs SELECT list queries only; write with the AWS SDK (PutItem, UpdateItem, DeleteItem)";

/// Converts one parsed statement; `start` is the span of its first token.
pub(crate) fn statement(
    stmt: &SqlStatement,
    start: Span,
    params: &mut Params<'_>,
    src: Source<'_>,
) -> Result<Statement> {
    match stmt {
        SqlStatement::Query(q) => query(q, params, src),
        other => {
            let text = other.to_string();
            let keyword = text.split_whitespace().next().unwrap_or("this statement").to_uppercase();
            let advice = match other {
                SqlStatement::Explain { .. } | SqlStatement::ExplainTable { .. } => {
                    "parse the SELECT alone and Display `Engine::plan(&stmt.query)` for EXPLAIN"
                }
                _ => READ_ONLY,
            };
            Err(src.unsupported(&format!("the {keyword} statement"), advice, start))
        }
    }
}

fn query(q: &SqlQuery, params: &mut Params<'_>, src: Source<'_>) -> Result<Statement> {
    let SqlQuery {
        with,
        body,
        order_by: order,
        limit_clause,
        fetch,
        locks,
        for_clause,
        settings,
        format_clause,
        pipe_operators,
    } = q;
    if let Some(with) = with {
        return Err(src.unsupported(
            "WITH (a common table expression)",
            "dynaquery runs one SELECT on one table; inline the query",
            with.with_token.0.span,
        ));
    }
    let select = match &**body {
        SetExpr::Select(select) => select,
        SetExpr::SetOperation { op, right, .. } => {
            return Err(src.unsupported(
                &format!("{op} (a set operation)"),
                "run each SELECT separately and combine the rows in your service",
                right.span(),
            ))
        }
        SetExpr::Query(inner) => {
            return Err(src.unsupported(
                "a parenthesized query",
                "remove the parentheses around the SELECT",
                inner.span(),
            ))
        }
        SetExpr::Values(_) => return Err(src.unsupported("VALUES", READ_ONLY, body.span())),
        SetExpr::Table(_) => {
            return Err(src.unsupported("TABLE t", "write `SELECT * FROM t`", body.span()));
        }
        other => {
            let text = other.to_string();
            let keyword = text.split_whitespace().next().unwrap_or("this statement").to_uppercase();
            return Err(src.unsupported(&format!("the {keyword} statement"), READ_ONLY, other.span()));
        }
    };
    let whole = q.span();
    if let Some(f) = fetch {
        return Err(src.unsupported("FETCH FIRST … ROWS", "write `LIMIT n`", f.span()));
    }
    if !locks.is_empty() {
        return Err(src.unsupported(
            "FOR UPDATE / FOR SHARE",
            "DynamoDB queries take no locks; drop it",
            whole,
        ));
    }
    if let Some(f) = for_clause {
        return Err(src.unsupported(&format!("`{f}`"), "rows come back as items; drop it", whole));
    }
    if settings.is_some() {
        return Err(src.unsupported("SETTINGS", "drop it", whole));
    }
    if let Some(f) = format_clause {
        return Err(src.unsupported(&format!("`{f}`"), "rows come back as items; drop it", whole));
    }
    if !pipe_operators.is_empty() {
        return Err(src.unsupported("pipe operators (`|>`)", "write a plain SELECT", whole));
    }
    let (table, index, mut query, kind) = select_body(select, params, src)?;
    if let Some(order) = order {
        for term in order_by(order, src)? {
            if let StatementKind::Count { group_by } = &kind {
                if group_by.as_deref() != Some(term.attr.as_str()) {
                    return Err(src.unsupported(
                        &format!("ORDER BY {} on a COUNT", term.attr),
                        "a count is one number per group; drop the ORDER BY, or order by the GROUP BY column",
                        order.span(),
                    ));
                }
            }
            query = query.order_by(term);
        }
    }
    if let (StatementKind::Count { .. }, Some(clause)) = (&kind, limit_clause) {
        return Err(src.unsupported(
            "LIMIT / OFFSET on a COUNT",
            "a COUNT counts every matching row and returns one row per group; drop LIMIT and OFFSET",
            clause.span(),
        ));
    }
    let (limit, offset) = paging(limit_clause.as_ref(), params, src)?;
    if let Some(n) = limit {
        query = query.limit(n);
    }
    query = query.offset(offset);
    Ok(Statement { table, index, query, offset, kind })
}

/// The `SELECT … FROM … WHERE …` part: table, index hint, and the query so far.
fn select_body(
    select: &Select,
    params: &mut Params<'_>,
    src: Source<'_>,
) -> Result<(String, Option<String>, Query, StatementKind)> {
    let Select {
        select_token,
        optimizer_hints,
        distinct,
        select_modifiers,
        top,
        top_before_distinct: _,
        projection,
        exclude,
        into,
        from: tables,
        lateral_views,
        prewhere,
        selection,
        connect_by,
        group_by,
        cluster_by,
        distribute_by,
        sort_by,
        having,
        named_window,
        qualify,
        window_before_qualify: _,
        value_table_mode,
        flavor,
    } = select;
    let at_select = select_token.0.span;
    let whole = select.span();
    if !matches!(flavor, SelectFlavor::Standard) {
        return Err(src.unsupported("FROM-first syntax", "write `SELECT … FROM …`", whole));
    }
    if !optimizer_hints.is_empty() {
        return Err(src.unsupported(
            "optimizer hints",
            "drop them; use `FROM table.index` to pick an index",
            at_select,
        ));
    }
    match distinct {
        None | Some(Distinct::All) => {}
        Some(_) => {
            return Err(src.unsupported(
                "DISTINCT",
                "every row is an item with its own primary key, so rows are already distinct; \
                 deduplicate values in your service",
                at_select,
            ))
        }
    }
    if select_modifiers.is_some() {
        return Err(src.unsupported("SELECT modifiers", "write a plain SELECT", at_select));
    }
    if top.is_some() {
        return Err(src.unsupported("TOP", "write `LIMIT n` at the end", at_select));
    }
    if value_table_mode.is_some() {
        return Err(src.unsupported("SELECT AS VALUE / STRUCT", "write a plain SELECT", at_select));
    }
    if tables.is_empty() {
        return Err(src.unsupported(
            "SELECT without FROM",
            "name the table: `SELECT … FROM orders`",
            at_select,
        ));
    }
    let selected = select_list(projection, src)?;
    if let Some(e) = exclude {
        return Err(src.unsupported(&format!("`{e}`"), "list the columns you want", at_select));
    }
    if let Some(into) = into {
        return Err(src.unsupported(&format!("`{into}`"), READ_ONLY, at_select));
    }
    let (table, index) = from(tables, at_select, src)?;
    if let Some(view) = lateral_views.first() {
        return Err(src.unsupported(
            &format!("`{view}`"),
            "DynamoDB has no joins; drop it",
            view.lateral_view.span(),
        ));
    }
    if let Some(p) = prewhere {
        return Err(src.unsupported("PREWHERE", "write WHERE", p.span()));
    }
    let filter = match selection {
        Some(w) => Some(Predicates { src, params }.predicate(w)?),
        None => None,
    };
    if !connect_by.is_empty() {
        return Err(src.unsupported(
            "CONNECT BY",
            "dynaquery runs list queries, not hierarchical ones",
            whole,
        ));
    }
    let group_span = |exprs: &[SqlExpr]| exprs.first().map_or(whole, Spanned::span);
    let kind = grouping(&selected, group_by, whole, src)?;
    for (clause, exprs) in [("CLUSTER BY", cluster_by), ("DISTRIBUTE BY", distribute_by)] {
        if !exprs.is_empty() {
            return Err(src.unsupported(clause, "drop it", group_span(exprs)));
        }
    }
    if let Some(s) = sort_by.first() {
        return Err(src.unsupported("SORT BY", "write ORDER BY", s.span()));
    }
    if let Some(h) = having {
        return Err(src.unsupported(
            "HAVING",
            "dynaquery runs list queries without GROUP BY; aggregate and filter groups in your service",
            h.span(),
        ));
    }
    if !named_window.is_empty() {
        return Err(src.unsupported(
            "WINDOW (a named window)",
            "dynaquery returns rows, not windows; compute it over the rows in your service",
            whole,
        ));
    }
    if let Some(q) = qualify {
        return Err(src.unsupported("QUALIFY", "filter with WHERE", q.span()));
    }
    let mut query = Query::new();
    if let Selected::Columns(cols) = selected {
        query = query.select(cols);
    }
    if let Some(index) = &index {
        query = query.index(index.clone());
    }
    if let Some(f) = filter {
        query = query.filter(f);
    }
    Ok((table, index, query, kind))
}

/// What the select list asks for.
enum Selected {
    /// `*`.
    All,
    /// Columns by name.
    Columns(Vec<String>),
    /// `COUNT(*)`, alone or with columns (each with where it is).
    Count(Vec<(String, Span)>),
}

/// The statement's kind from its select list and `GROUP BY`: rows, or a
/// `COUNT(*)` grouped by at most one column, which must be the selected
/// one (if any).
fn grouping(
    selected: &Selected,
    group_by: &GroupByExpr,
    whole: Span,
    src: Source<'_>,
) -> Result<StatementKind> {
    const LIST_ADVICE: &str = "GROUP BY goes with SELECT COUNT(*) only (`SELECT status, COUNT(*) … \
                               GROUP BY status`); aggregate other values in your service";
    let exprs: &[SqlExpr] = match group_by {
        GroupByExpr::All(_) => return Err(src.unsupported("GROUP BY ALL", LIST_ADVICE, whole)),
        GroupByExpr::Expressions(exprs, modifiers) => {
            if let Some(m) = modifiers.first() {
                let at = exprs.first().map_or(whole, Spanned::span);
                return Err(src.unsupported(&format!("GROUP BY … {m}"), "group by one column", at));
            }
            exprs
        }
    };
    let columns = match selected {
        Selected::Count(columns) => columns,
        _ => {
            return match exprs.first() {
                None => Ok(StatementKind::Rows),
                Some(e) => Err(src.unsupported("GROUP BY", LIST_ADVICE, e.span())),
            }
        }
    };
    let group =
        match exprs {
            [] => None,
            [e] => match column(e, src)? {
                Some(name) => Some(name),
                None => {
                    return Err(src.unsupported(
                        &format!("GROUP BY the expression `{e}`"),
                        "group by one column, the partition key of the index the query reads",
                        e.span(),
                    ))
                }
            },
            [_, second, ..] => return Err(src.unsupported(
                "GROUP BY more than one column",
                "a grouped COUNT runs one count per partition-key value: group by the partition key alone",
                second.span(),
            )),
        };
    for (name, at) in columns {
        if group.as_deref() != Some(name.as_str()) {
            return Err(src.unsupported(
                &format!("the column {name} next to COUNT(*) without GROUP BY {name}"),
                &format!(
                    "add `GROUP BY {name}` (it must be the partition key of the index read), or drop it"
                ),
                *at,
            ));
        }
    }
    Ok(StatementKind::Count { group_by: group })
}

/// `COUNT(*)` → `true`; another call to COUNT → an error that says what to
/// write; any other function → `false`.
fn is_count_star(f: &Function, e: &SqlExpr, src: Source<'_>) -> Result<bool> {
    if !f.name.to_string().eq_ignore_ascii_case("count") || f.over.is_some() {
        return Ok(false);
    }
    let star = match &f.args {
        FunctionArguments::List(list) => {
            list.duplicate_treatment.is_none()
                && list.clauses.is_empty()
                && matches!(list.args.as_slice(), [FunctionArg::Unnamed(FunctionArgExpr::Wildcard)])
        }
        _ => false,
    };
    let plain = matches!(f.parameters, FunctionArguments::None)
        && f.filter.is_none()
        && f.null_treatment.is_none()
        && f.within_group.is_empty();
    if star && plain {
        return Ok(true);
    }
    Err(src.unsupported(
        &format!("`{e}` (only COUNT(*) is supported)"),
        "write COUNT(*) and put the condition in WHERE (COUNT(column) is COUNT(*) with `column IS NOT \
         NULL`); COUNT(DISTINCT …) is not supported",
        e.span(),
    ))
}

/// `*`, a list of column names, or `COUNT(*)` with at most one column.
fn select_list(items: &[SelectItem], src: Source<'_>) -> Result<Selected> {
    if let [SelectItem::Wildcard(options)] = items {
        plain_wildcard(options, items, src)?;
        return Ok(Selected::All);
    }
    let mut out = Vec::with_capacity(items.len());
    let mut spans = Vec::with_capacity(items.len());
    let mut count: Option<Span> = None;
    for item in items {
        match item {
            SelectItem::UnnamedExpr(e @ SqlExpr::Function(f)) if is_count_star(f, e, src)? => {
                if count.is_some() {
                    return Err(src.unsupported("COUNT(*) twice", "select COUNT(*) once", item.span()));
                }
                count = Some(item.span());
            }
            SelectItem::UnnamedExpr(e) => match column(e, src)? {
                Some(name) => {
                    out.push(name);
                    spans.push(e.span());
                }
                None => {
                    return Err(match e {
                        SqlExpr::Function(f) => function_error(src, f, e),
                        _ => src.unsupported(
                            &format!("the expression `{e}` in the select list"),
                            "select columns by name (`SELECT order_id, total`) and compute values in your service",
                            e.span(),
                        ),
                    })
                }
            },
            SelectItem::ExprWithAlias { expr, alias } => {
                if let SqlExpr::Function(f) = expr {
                    if is_count_star(f, expr, src)? {
                        return Err(src.unsupported(
                            &format!("the alias `AS {alias}`"),
                            "write COUNT(*) without an alias; name the number in your service",
                            item.span(),
                        ));
                    }
                    return Err(function_error(src, f, expr));
                }
                return Err(src.unsupported(
                    &format!("the alias `AS {alias}`"),
                    "select columns by their own names; rename them in your service",
                    item.span(),
                ));
            }
            SelectItem::Wildcard(_) => {
                return Err(src.unsupported(
                    "`*` together with other columns",
                    "write `SELECT *` alone, or list the columns",
                    item.span(),
                ))
            }
            other => {
                return Err(src.unsupported(
                    &format!("`{other}` in the select list"),
                    "write `SELECT *` or list the columns by name",
                    other.span(),
                ))
            }
        }
    }
    Ok(match count {
        Some(_) => Selected::Count(out.into_iter().zip(spans).collect()),
        None => Selected::Columns(out),
    })
}

/// `*` without `EXCEPT`, `EXCLUDE`, `REPLACE`, `RENAME` or `ILIKE`.
fn plain_wildcard(o: &WildcardAdditionalOptions, items: &[SelectItem], src: Source<'_>) -> Result<()> {
    let extra = o.opt_ilike.is_some()
        || o.opt_exclude.is_some()
        || o.opt_except.is_some()
        || o.opt_replace.is_some()
        || o.opt_rename.is_some()
        || o.opt_alias.is_some();
    if extra {
        let span = items.first().map_or(Span::empty(), Spanned::span);
        return Err(src.unsupported(
            &format!(
                "`{}` (a modified wildcard)",
                items.first().map(ToString::to_string).unwrap_or_default()
            ),
            "write `SELECT *` or list the columns you want",
            span,
        ));
    }
    Ok(())
}
