//! SQL text front-end: a `SELECT` in a documented subset, parsed into the
//! same typed [`Query`] the builder makes.
//!
//! ```
//! use dynaquery::{asc, col, desc, Query};
//!
//! let stmt = dynaquery::sql::parse(
//!     "SELECT order_id, total FROM orders.\"status-created_at\"
//!      WHERE status IN ('paid', 'shipped') AND country = 'FR' AND total >= 10.50
//!      ORDER BY created_at DESC, order_id
//!      LIMIT 50",
//! )?;
//! assert_eq!(stmt.table, "orders");
//! assert_eq!(stmt.index.as_deref(), Some("status-created_at"));
//! assert_eq!(
//!     stmt.query,
//!     Query::new()
//!         .select(["order_id", "total"])
//!         .index("status-created_at")
//!         .filter(
//!             col("status").is_in(["paid", "shipped"])
//!                 .and(col("country").eq("FR"))
//!                 .and(col("total").ge(dynaquery::Value::number("10.50")?)),
//!         )
//!         .order_by(desc("created_at"))
//!         .order_by(asc("order_id"))
//!         .limit(50)
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The subset
//!
//! | SQL | becomes |
//! |---|---|
//! | `SELECT *` / `SELECT a, b` | all attributes / [`Query::select`] (keys needed for the order and the cursor are still read) |
//! | `FROM t` | [`Statement::table`] |
//! | `FROM t.idx`, `FROM t."status-created_at"` | [`Statement::index`] and [`Query::index`] |
//! | `WHERE` `=`, `<>`/`!=`, `<`, `<=`, `>`, `>=` | [`Expr::Cmp`](crate::Expr::Cmp); `5 < total` is read as `total > 5` |
//! | `[NOT] BETWEEN lo AND hi`, `[NOT] IN (…)` | [`Expr::Between`](crate::Expr::Between), [`Expr::In`](crate::Expr::In) (under `NOT`) |
//! | `IS NULL`, `IS NOT NULL` | [`Expr::IsNull`](crate::Expr::IsNull), [`Expr::IsNotNull`](crate::Expr::IsNotNull) |
//! | `[NOT] LIKE 'prefix%'` | [`Expr::BeginsWith`](crate::Expr::BeginsWith): a literal prefix and one trailing `%`; escape `%`, `_` with `\` (or `ESCAPE 'c'`) |
//! | `contains(a, v)` | [`Expr::Contains`](crate::Expr::Contains): substring, or set/list member |
//! | `AND`, `OR`, `NOT`, `( … )` | [`Expr::And`](crate::Expr::And), [`Expr::Or`](crate::Expr::Or), [`Expr::Not`](crate::Expr::Not); a parenthesized group stays one node |
//! | `ORDER BY a [ASC\|DESC], …` | [`Query::order_by`]; `NULLS LAST` on `ASC` / `NULLS FIRST` on `DESC` (the default) are accepted |
//! | `LIMIT n` | [`Query::limit`] (n ≥ 1; 50 when absent) |
//! | `OFFSET n` | [`Query::offset`] and [`Statement::offset`] |
//! | `'text'`, `12.5`, `-1E-100`, `TRUE`, `X'00ff'` | string, exact decimal ([`Number`](crate::Number), never `f64`), boolean, binary |
//! | `$1`, `$2`, … or `?` | the parameters of [`parse_with`], in order (one style per statement) |
//! | `SELECT COUNT(*) FROM t WHERE …` | [`StatementKind::Count`]: run with [`Engine::count`](crate::Engine::count) (`Select: COUNT` reads, exact under the NULL rules) |
//! | `SELECT k, COUNT(*) FROM t WHERE k IN (…) GROUP BY k` | [`StatementKind::Count`] grouped by `k`, which must be the partition key of the index read: [`Engine::count_by`](crate::Engine::count_by), one count per partition-key value |
//!
//! Identifiers are case-sensitive and taken as written (DynamoDB attribute
//! names are case-sensitive; unlike PostgreSQL, unquoted names are not folded
//! to lower case). Double quotes make any name an identifier.
//!
//! Everything else is an [`ErrorKind::Sql`](crate::ErrorKind::Sql) error that
//! names the construct, says what to do instead, and carries its location
//! ([`Error::sql_location`](crate::Error::sql_location)): joins, aggregates
//! other than `COUNT(*)` (`COUNT(column)`, `COUNT(DISTINCT …)`, `SUM`, …),
//! `GROUP BY` other than one column with `COUNT(*)`, `LIMIT`/`OFFSET`/`ORDER BY`
//! (but on the grouped column) on a `COUNT`, `HAVING`, `DISTINCT`, subqueries, other functions, window
//! functions, set operations (`UNION`…), `WITH`, `FETCH`/`TOP`, expressions
//! and aliases in the select list, arithmetic, column-to-column comparisons,
//! `NULL` as an operand (write `IS NULL`), `LIKE` patterns other than a
//! prefix, `NULLS FIRST`/`NULLS LAST` against the default, statements other
//! than `SELECT`, and more than one statement.
//!
//! # Dialect
//!
//! Text is parsed by the [`sqlparser`] crate with its `GenericDialect`:
//! it reads both `$1` (PostgreSQL) and `?` (JDBC, SQLite, MySQL) bind
//! parameters — the PostgreSQL dialect reads `?` as a JSON operator — and,
//! like PostgreSQL, double-quoted identifiers and backslash-free
//! single-quoted strings (`'it''s'`). What the subset means is PostgreSQL's
//! meaning, under the semantics contract in the README.
//!
//! # OFFSET
//!
//! DynamoDB cannot skip rows. An offset is applied by
//! [`Engine::fetch`](crate::Engine::fetch) on the first page only (a query
//! with a cursor continues from the cursor), by reading the skipped rows
//! through the normal cursor machinery and discarding them: it costs the
//! reads of every skipped row. Prefer cursors for paging.

mod bounds;
mod like;
mod literal;
mod located;
mod names;
mod order;
mod params;
mod predicate;
mod select;

use sqlparser::dialect::GenericDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Span, Token, TokenWithSpan, Tokenizer};

use crate::error::Result;
use crate::options::Options;
use crate::query::Query;
use crate::value::Value;

use located::Source;
use params::Params;

/// A parsed `SELECT`: the table it names, an optional index hint
/// (`FROM orders.status_created_at`, or `FROM orders."status-created_at"`
/// for names with dashes), the typed [`Query`], and the `OFFSET` (0 when
/// absent).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Statement {
    /// The table named in `FROM`.
    pub table: String,
    /// The index hint, when `FROM table.index` names one.
    pub index: Option<String>,
    /// The query: its [`Query::index`] is already set from the hint and
    /// its [`Query::offset`] from `OFFSET`, so
    /// [`Engine::fetch`](crate::Engine::fetch) runs it as written.
    pub query: Query,
    /// Rows to skip before the first page (`OFFSET n`); 0 when absent. The
    /// same number is already set on [`query`](Statement::query)
    /// ([`Query::offset`] is a setter, so setting it again does not add up).
    pub offset: u64,
    /// Rows, or a `COUNT(*)`: run a count with
    /// [`Engine::count`](crate::Engine::count), or
    /// [`Engine::count_by`](crate::Engine::count_by) when grouped.
    pub kind: StatementKind,
}

/// What a [`Statement`] returns.
///
/// ```
/// use dynaquery::sql::{self, StatementKind};
/// let rows = sql::parse("SELECT * FROM orders WHERE status = 'paid'")?;
/// assert_eq!(rows.kind, StatementKind::Rows);
///
/// let n = sql::parse("SELECT COUNT(*) FROM orders WHERE status = 'paid' AND country <> 'FR'")?;
/// assert_eq!(n.kind, StatementKind::Count { group_by: None });
///
/// let per = sql::parse("SELECT status, COUNT(*) FROM orders WHERE status IN ('paid', 'new') GROUP BY status")?;
/// assert_eq!(per.kind, StatementKind::Count { group_by: Some("status".into()) });
/// // Run it with `engine.count_by(&per.query, "status")`.
/// # Ok::<(), dynaquery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatementKind {
    /// A plain `SELECT`: rows, for [`Engine::fetch`](crate::Engine::fetch).
    Rows,
    /// `SELECT COUNT(*)`, or `SELECT col, COUNT(*) … GROUP BY col` (the
    /// column must be the partition key of the index the query reads; the
    /// engine checks it): for [`Engine::count`](crate::Engine::count), or
    /// [`Engine::count_by`](crate::Engine::count_by) with `group_by`.
    Count {
        /// The `GROUP BY` column.
        group_by: Option<String>,
    },
}

impl Statement {
    /// The query, ready for [`Engine::fetch`](crate::Engine::fetch) (index
    /// hint and offset included) — or, for a [`StatementKind::Count`], for
    /// [`Engine::count`](crate::Engine::count).
    pub fn into_query(self) -> Query {
        self.query
    }
}

/// Parses `sql` with no bind parameters.
///
/// ```
/// use dynaquery::{col, desc, sql, Query};
/// let stmt = sql::parse("SELECT * FROM orders WHERE status = 'paid' ORDER BY created_at DESC LIMIT 20 OFFSET 40")?;
/// assert_eq!(stmt.table, "orders");
/// assert_eq!(stmt.offset, 40);
/// assert_eq!(
///     stmt.query,
///     Query::new().filter(col("status").eq("paid")).order_by(desc("created_at")).limit(20).offset(40)
/// );
///
/// let err = sql::parse("SELECT country, SUM(total) FROM orders GROUP BY country").unwrap_err();
/// assert_eq!(err.kind(), dynaquery::ErrorKind::Sql);
/// assert!(err.message().starts_with("the aggregate SUM() is not supported"));
/// assert_eq!(err.sql_location(), Some((1, 17)));
/// # Ok::<(), dynaquery::Error>(())
/// ```
///
/// # Errors
///
/// An [`ErrorKind::Sql`](crate::ErrorKind::Sql) error that names the
/// unsupported or malformed part and where it is (see the [module
/// docs](self) for the subset); a parameter placeholder without a value.
pub fn parse(sql: &str) -> Result<Statement> {
    parse_with(sql, &[])
}

/// Parses `sql`, binding `$1`, `$2`, … (or `?` in order of appearance) to
/// `params`. Values go into the query as data, never into text.
///
/// ```
/// use dynaquery::{col, sql, Query, Value};
/// let stmt = sql::parse_with(
///     "SELECT * FROM orders WHERE status = $1 AND total > $2 LIMIT $3",
///     &[Value::from("paid"), Value::from(100), Value::from(10)],
/// )?;
/// assert_eq!(stmt.query, Query::new().filter(col("status").eq("paid").and(col("total").gt(100))).limit(10));
///
/// let same = sql::parse_with(
///     "SELECT * FROM orders WHERE status = ? AND total > ? LIMIT ?",
///     &[Value::from("paid"), Value::from(100), Value::from(10)],
/// )?;
/// assert_eq!(same, stmt);
///
/// let missing = sql::parse_with("SELECT * FROM orders WHERE status = $2", &[Value::from("paid")]).unwrap_err();
/// assert_eq!(missing.kind(), dynaquery::ErrorKind::Sql);
/// assert!(missing.message().contains("has no value"));
/// # Ok::<(), dynaquery::Error>(())
/// ```
///
/// # Errors
///
/// As [`parse`]; also a parameter that has no value, a parameter given but
/// never used, a `NULL` parameter, and `$n` mixed with `?`.
pub fn parse_with(sql: &str, params: &[Value]) -> Result<Statement> {
    parse_with_options(sql, params, &Options::default())
}

/// Parses `sql` with `params`, within the SQL caps of `options` instead of
/// the defaults: [`Options::max_sql_len`], [`Options::max_sql_operators`]
/// and [`Options::max_filter_depth`] (use the [`Options`] your
/// [`Engine`](crate::Engine) runs with). The caps are checked on the text
/// and its tokens before the parser builds a tree, so no SQL text can
/// exhaust the stack: the defaults parse on a thread with a 1 MiB stack.
///
/// ```
/// use dynaquery::{sql, ErrorKind, Options};
/// let long = format!("SELECT * FROM t WHERE {}", vec!["a = 1"; 2000].join(" OR "));
/// assert_eq!(sql::parse(&long).unwrap_err().kind(), ErrorKind::LimitExceeded);
///
/// let tight = Options::default().max_filter_depth(2);
/// let err = sql::parse_with_options("SELECT * FROM t WHERE NOT (a = 1 OR b = 2)", &[], &tight).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::LimitExceeded);
/// assert!(err.message().contains("max_filter_depth = 2"));
/// ```
///
/// # Errors
/// As [`parse_with`]; [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded)
/// past a cap.
pub fn parse_with_options(sql: &str, params: &[Value], options: &Options) -> Result<Statement> {
    bounds::length(sql, options)?;
    let src = Source(sql);
    let dialect = GenericDialect {};
    let tokens =
        Tokenizer::new(&dialect, sql).tokenize_with_location().map_err(|e| src.tokenizer_error(e))?;
    bounds::operators(&tokens, options, src)?;
    let questions = tokens
        .iter()
        .filter(|t| matches!(&t.token, Token::Placeholder(p) if p == "?"))
        .map(|t| (t.span.start.line, t.span.start.column))
        .collect();
    let starts = statement_starts(&tokens);
    let statements = Parser::new(&dialect)
        // A statement, its query and its WHERE take a few levels before the filter's first.
        .with_recursion_limit(options.max_filter_depth.saturating_add(PARSER_LEVELS))
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| match e {
            ParserError::RecursionLimitExceeded => bounds::too_deep(options),
            e => src.parser_error(e),
        })?;
    let stmt = match statements.as_slice() {
        [one] => one,
        [] => return Err(src.error("the SQL holds no statement: write one SELECT", Span::empty())),
        [_, ..] => {
            return Err(src.unsupported(
                "more than one statement",
                "pass one SELECT at a time",
                starts.get(1).copied().unwrap_or_else(Span::empty),
            ))
        }
    };
    let mut params = Params::new(params, questions);
    let out = select::statement(stmt, starts.first().copied().unwrap_or_else(Span::empty), &mut params, src)?;
    params.finish(src)?;
    if let Some(f) = out.query.get_filter() {
        crate::plan::validate::depth(f, options)?;
    }
    Ok(out)
}

/// Parser recursion levels above a `WHERE` filter's own: the statement,
/// its query, the `WHERE` expression, and slack for a subquery's error.
const PARSER_LEVELS: usize = 8;

/// The span of each statement's first token: the first token of the text,
/// and the first after each `;`.
fn statement_starts(tokens: &[TokenWithSpan]) -> Vec<Span> {
    let mut out = Vec::new();
    let mut at_start = true;
    for t in tokens {
        match &t.token {
            Token::Whitespace(_) | Token::EOF => {}
            Token::SemiColon => at_start = true,
            _ if at_start => {
                out.push(t.span);
                at_start = false;
            }
            _ => {}
        }
    }
    out
}
