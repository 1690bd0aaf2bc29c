//! The crate's one error type.

use std::fmt;

/// What went wrong, in categories a caller can act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The [`Options`](crate::Options) contradict each other or exceed what
    /// can be honoured: `cursor_ttl` without `cursor_keys`,
    /// `max_filter_depth` over its ceiling. The message names the setting.
    InvalidOptions,
    /// The query itself is malformed: an empty `IN`, a `NULL` operand, a
    /// limit of zero, an unknown index name, an invalid number. Fix the query.
    InvalidQuery,
    /// No index can serve the query without a table scan. The message names
    /// the index that would; add it, or allow a scan explicitly.
    NoUsableIndex,
    /// The cursor does not decode, or belongs to another query. Restart from
    /// the first page.
    InvalidCursor,
    /// The query would read more items than its read budget allows. Narrow
    /// the filter, add an index, or raise the budget.
    ReadBudgetExceeded,
    /// A configured cap (fan-out streams, buffered rows, expression size) was
    /// exceeded. The message names the cap and its setting.
    LimitExceeded,
    /// An `ORDER BY` column holds a list, map or set, which has no order.
    Unorderable,
    /// The schema does not match what the table holds or reports.
    Schema,
    /// DynamoDB (or the in-memory backend) refused or failed the request;
    /// [`std::error::Error::source`] holds the SDK's error.
    Backend,
    /// A row could not be deserialized into the caller's type.
    Deserialize,
    /// SQL text given to [`crate::sql`] does not parse, or uses a construct
    /// outside the supported subset (a join, an aggregate, `GROUP BY`, a
    /// function, a missing bind parameter…). The message names the construct
    /// and says what to do instead; [`Error::sql_location`] points at it, and
    /// a syntax error keeps `sqlparser`'s error as
    /// [`std::error::Error::source`].
    Sql,
}

/// A dynaquery error: a [`kind`](Error::kind), a message that says what to
/// do, and the underlying error where there is one.
pub struct Error {
    kind: ErrorKind,
    message: String,
    suggested_index: Option<String>,
    sql_location: Option<(u64, u64)>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// `Result<T, dynaquery::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, message: message.into(), suggested_index: None, sql_location: None, source: None }
    }

    /// Attaches the underlying error.
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    pub(crate) fn with_suggested_index(mut self, index: impl Into<String>) -> Self {
        self.suggested_index = Some(index.into());
        self
    }

    /// An [`ErrorKind::Sql`] error at `location` (line, column; both from 1).
    pub(crate) fn sql(message: impl Into<String>, location: Option<(u64, u64)>) -> Self {
        let mut e = Error::new(ErrorKind::Sql, message);
        e.sql_location = location;
        e
    }

    /// The same error, filed under `kind` (keeping message, location and source).
    pub(crate) fn into_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    pub(crate) fn invalid_query(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidQuery, message)
    }

    pub(crate) fn invalid_cursor(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidCursor, message)
    }

    pub(crate) fn limit(message: impl Into<String>) -> Self {
        Error::new(ErrorKind::LimitExceeded, message)
    }

    /// The category.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without the source chain.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// For [`ErrorKind::NoUsableIndex`]: a description of the index that
    /// would serve the query, e.g. `GSI partition key (status), sort key (created_at)`.
    pub fn suggested_index(&self) -> Option<&str> {
        self.suggested_index.as_deref()
    }

    /// For [`ErrorKind::Sql`]: where in the SQL text the problem is, as
    /// `(line, column)`, both counted from 1 (columns in characters), when
    /// the parser knows it.
    ///
    /// ```
    /// let err = dynaquery::sql::parse("SELECT * FROM orders\nGROUP BY status").unwrap_err();
    /// assert_eq!(err.kind(), dynaquery::ErrorKind::Sql);
    /// assert_eq!(err.sql_location(), Some((2, 10)));
    /// ```
    pub fn sql_location(&self) -> Option<(u64, u64)> {
        self.sql_location
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("message", &self.message);
        if let Some(loc) = &self.sql_location {
            d.field("sql_location", loc);
        }
        if let Some(s) = &self.source {
            d.field("source", s);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as _)
    }
}

impl From<crate::value::NumberError> for Error {
    fn from(e: crate::value::NumberError) -> Self {
        Error::invalid_query(e.to_string()).with_source(e)
    }
}
