//! SQL text front-end: a `SELECT` in a documented subset, parsed into the
//! same typed [`Query`] the builder makes.
//!
//! (Interface fixed first so the command-line tool can build against it; the
//! parser lands behind it.)

use crate::error::{Error, ErrorKind, Result};
use crate::query::Query;
use crate::value::Value;

/// A parsed `SELECT`: the table it names, an optional index hint
/// (`FROM orders.status-created_at` style), the typed [`Query`], and the
/// `OFFSET` (0 when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The table named in `FROM`.
    pub table: String,
    /// The index hint, when `FROM table.index` names one.
    pub index: Option<String>,
    /// The query (its `use_index` is already set from the hint).
    pub query: Query,
    /// Rows to skip before the first page (`OFFSET n`); 0 when absent.
    pub offset: u64,
}

/// Parses `sql` with no bind parameters.
///
/// # Errors
///
/// An `InvalidQuery` error that names the unsupported or malformed part.
pub fn parse(sql: &str) -> Result<Statement> {
    parse_with(sql, &[])
}

/// Parses `sql`, binding `$1`, `$2`, … (or `?` in order) to `params`.
///
/// # Errors
///
/// An `InvalidQuery` error that names the unsupported or malformed part.
pub fn parse_with(sql: &str, params: &[Value]) -> Result<Statement> {
    let _ = (sql, params);
    Err(Error::new(ErrorKind::InvalidQuery, "SQL parsing is not built yet"))
}
