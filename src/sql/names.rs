//! Names: columns (attributes) and the `FROM table[.index]` target.
//!
//! Identifiers are taken exactly as written, quoted (`"status"`) or not:
//! DynamoDB attribute names are case-sensitive, so unlike PostgreSQL an
//! unquoted name is not folded to lower case. Quoting is needed only for
//! names that are not plain identifiers (`"status-created_at"`, names with
//! spaces) — reserved words such as `status` or `total` may stay unquoted
//! where the grammar allows it.

use sqlparser::ast::{Expr as SqlExpr, ObjectName, ObjectNamePart, Spanned, TableFactor, TableWithJoins};

use super::located::Source;
use crate::error::Result;

/// The attribute `e` names, or `Ok(None)` when `e` is not a name at all.
///
/// # Errors
/// A qualified name (`t.a`, a nested path).
pub(crate) fn column(e: &SqlExpr, src: Source<'_>) -> Result<Option<String>> {
    match e {
        SqlExpr::Identifier(ident) => Ok(Some(ident.value.clone())),
        SqlExpr::CompoundIdentifier(_) | SqlExpr::CompoundFieldAccess { .. } => Err(src.unsupported(
            &format!("the qualified name `{e}`"),
            "name top-level attributes only, without a table prefix (nested paths are not supported)",
            e.span(),
        )),
        _ => Ok(None),
    }
}

/// The table and optional index hint of `FROM table` / `FROM table.index`.
pub(crate) fn from(
    tables: &[TableWithJoins],
    select_span: sqlparser::tokenizer::Span,
    src: Source<'_>,
) -> Result<(String, Option<String>)> {
    let [only] = tables else {
        return Err(match tables.get(1) {
            None => {
                src.unsupported("SELECT without FROM", "name the table: `SELECT … FROM orders`", select_span)
            }
            Some(second) => src.unsupported(
                "more than one table in FROM (an implicit join)",
                "DynamoDB has no joins; query each table separately and combine the rows in your service",
                second.span(),
            ),
        });
    };
    if let Some(join) = only.joins.first() {
        return Err(src.unsupported(
            "JOIN",
            "DynamoDB has no joins; query each table separately and combine the rows in your service",
            join.span(),
        ));
    }
    let advice = "write `FROM table` or `FROM table.index`";
    match &only.relation {
        TableFactor::Table {
            name,
            alias,
            args,
            with_hints,
            version,
            with_ordinality,
            partitions,
            json_path,
            sample,
            index_directives,
            inheritance,
        } => {
            if let Some(alias) = alias {
                return Err(src.unsupported(
                    &format!("the table alias `{}`", alias.name),
                    "name columns without a table prefix, and drop the alias",
                    alias.name.span,
                ));
            }
            let extra = args.is_some()
                || !with_hints.is_empty()
                || version.is_some()
                || *with_ordinality
                || !partitions.is_empty()
                || json_path.is_some()
                || sample.is_some()
                || !index_directives.is_empty()
                || inheritance.is_some();
            if extra {
                return Err(src.unsupported(
                    &format!("the table expression `{}`", only.relation),
                    advice,
                    only.relation.span(),
                ));
            }
            table_and_index(name, src)
        }
        TableFactor::Derived { .. } => Err(src.unsupported(
            "a subquery in FROM",
            "query the table directly: `FROM table` or `FROM table.index`",
            only.relation.span(),
        )),
        TableFactor::NestedJoin { .. } => Err(src.unsupported(
            "JOIN",
            "DynamoDB has no joins; query each table separately and combine the rows in your service",
            only.relation.span(),
        )),
        other => Err(src.unsupported(&format!("the table expression `{other}`"), advice, other.span())),
    }
}

/// `table` or `table.index` (either part may be quoted: `orders."status-created_at"`).
fn table_and_index(name: &ObjectName, src: Source<'_>) -> Result<(String, Option<String>)> {
    let mut parts = Vec::with_capacity(name.0.len());
    for part in &name.0 {
        match part {
            ObjectNamePart::Identifier(ident) => parts.push(ident.value.clone()),
            ObjectNamePart::Function(_) => {
                return Err(src.unsupported(
                    &format!("the table function `{name}`"),
                    "write `FROM table` or `FROM table.index`",
                    name.span(),
                ))
            }
        }
    }
    match parts.as_slice() {
        [table] => Ok((table.clone(), None)),
        [table, index] => Ok((table.clone(), Some(index.clone()))),
        _ => Err(src.unsupported(
            &format!("the name `{name}` with {} parts", parts.len()),
            "write `FROM table` or `FROM table.index` (the second part names an index, not a schema)",
            name.span(),
        )),
    }
}
