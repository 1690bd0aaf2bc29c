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
    /// DynamoDB (or the in-memory backend) refused or failed the request
    /// for a reason none of [`Throttled`](ErrorKind::Throttled),
    /// [`TimedOut`](ErrorKind::TimedOut),
    /// [`AccessDenied`](ErrorKind::AccessDenied) or
    /// [`NotFound`](ErrorKind::NotFound) names: a 5xx, a connection failure,
    /// a request DynamoDB rejected as invalid. [`std::error::Error::source`]
    /// holds the SDK's error; [`Error::is_retryable`] says whether it was
    /// transient (a 5xx, an I/O failure, a truncated response).
    Backend,
    /// DynamoDB throttled the request beyond what the SDK's retry policy
    /// absorbed (`ProvisionedThroughputExceededException`,
    /// `ThrottlingException`, `RequestLimitExceeded`…). Retryable: retry
    /// later, or raise the table's capacity.
    Throttled,
    /// A request timed out (the SDK's operation or attempt timeout, or a
    /// connect/read timeout). Retryable.
    TimedOut,
    /// The credentials were refused or lack permission
    /// (`AccessDeniedException`, `UnrecognizedClientException`, a bad or
    /// expired signature or token). Fix the credentials or the IAM policy.
    AccessDenied,
    /// The table or index does not exist (`ResourceNotFoundException`, or
    /// DynamoDB's "The table does not have the specified index"): check the
    /// schema's names and the client's region and endpoint.
    NotFound,
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

impl ErrorKind {
    /// True for the caller's fault — the query, its cursor, its SQL, the
    /// [`Options`](crate::Options), a cap or read budget it exceeds, an
    /// `ORDER BY` on a column that holds lists: a service answers these
    /// with a 4xx and the message. False for the system's (the backend, the
    /// schema, deserializing into the service's own type): a 5xx.
    ///
    /// ```
    /// use dynaquery::ErrorKind;
    /// assert!(ErrorKind::InvalidCursor.is_client_error());
    /// assert!(!ErrorKind::Throttled.is_client_error());
    /// ```
    pub fn is_client_error(self) -> bool {
        match self {
            ErrorKind::InvalidOptions
            | ErrorKind::InvalidQuery
            | ErrorKind::NoUsableIndex
            | ErrorKind::InvalidCursor
            | ErrorKind::ReadBudgetExceeded
            | ErrorKind::LimitExceeded
            | ErrorKind::Unorderable
            | ErrorKind::Sql => true,
            ErrorKind::Schema
            | ErrorKind::Backend
            | ErrorKind::Throttled
            | ErrorKind::TimedOut
            | ErrorKind::AccessDenied
            | ErrorKind::NotFound
            | ErrorKind::Deserialize => false,
        }
    }

    /// True for a failure of the store or the way to it: [`Backend`](ErrorKind::Backend),
    /// [`Throttled`](ErrorKind::Throttled), [`TimedOut`](ErrorKind::TimedOut),
    /// [`AccessDenied`](ErrorKind::AccessDenied) and [`NotFound`](ErrorKind::NotFound).
    ///
    /// ```
    /// use dynaquery::ErrorKind;
    /// assert!(ErrorKind::NotFound.is_backend());
    /// assert!(!ErrorKind::Schema.is_backend());
    /// ```
    pub fn is_backend(self) -> bool {
        matches!(
            self,
            ErrorKind::Backend
                | ErrorKind::Throttled
                | ErrorKind::TimedOut
                | ErrorKind::AccessDenied
                | ErrorKind::NotFound
        )
    }
}

/// A dynaquery error: a [`kind`](Error::kind), a message that says what to
/// do, and the underlying error where there is one.
///
/// For a service: [`is_client_error`](Error::is_client_error) separates the
/// caller's fault (4xx) from the system's (5xx),
/// [`is_retryable`](Error::is_retryable) says whether the same request may
/// succeed later, and [`client_message`](Error::client_message) is the text
/// that is safe to show the caller. [`message`](Error::message) and
/// [`source`](std::error::Error::source) keep the detail for logs.
///
/// ```
/// use dynaquery::{Error, ErrorKind};
/// let e = Error::new(ErrorKind::Throttled, "Query on table `orders` failed: ThrottlingException: …");
/// assert!(!e.is_client_error() && e.is_retryable());
/// assert!(!e.client_message().contains("orders"));
/// ```
pub struct Error {
    kind: ErrorKind,
    message: String,
    suggested_index: Option<String>,
    sql_location: Option<(u64, u64)>,
    retryable: Option<bool>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// `Result<T, dynaquery::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            kind,
            message: message.into(),
            suggested_index: None,
            sql_location: None,
            retryable: None,
            source: None,
        }
    }

    /// Attaches the underlying error.
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Overrides whether the error is [retryable](Error::is_retryable): for
    /// a [`Backend`](crate::Backend) implementation that knows a failure is
    /// transient (or that a kind usually retryable is not, this time).
    ///
    /// ```
    /// use dynaquery::{Error, ErrorKind};
    /// let e = Error::new(ErrorKind::Backend, "ServiceUnavailable").with_retryable(true);
    /// assert!(e.is_retryable());
    /// ```
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.retryable = Some(retryable);
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

    /// True when the caller caused the error (see
    /// [`ErrorKind::is_client_error`]): answer with a 4xx and
    /// [`client_message`](Error::client_message).
    pub fn is_client_error(&self) -> bool {
        self.kind.is_client_error()
    }

    /// True when the same request may succeed if retried later:
    /// [`ErrorKind::Throttled`], [`ErrorKind::TimedOut`], and a transient
    /// [`ErrorKind::Backend`] failure (a 5xx, a connection or I/O failure, a
    /// truncated response). Everything else fails the same way again.
    /// The SDK has already retried as its retry policy allows; a service
    /// usually passes this on (`503` with `Retry-After`) rather than
    /// looping itself.
    pub fn is_retryable(&self) -> bool {
        self.retryable.unwrap_or(matches!(self.kind, ErrorKind::Throttled | ErrorKind::TimedOut))
    }

    /// A message safe to show the service's caller.
    ///
    /// For a [client error](Error::is_client_error), the
    /// [`message`](Error::message): it says what to change in the query and
    /// names only the query's own attributes and values (or SQL), the
    /// table and its indexes, and the caps. For a system error, a fixed text per kind —
    /// never the table, the endpoint, the SDK's error or the backend's
    /// message; log [`message`](Error::message) and
    /// [`source`](std::error::Error::source) for those.
    ///
    /// ```
    /// use dynaquery::{Error, ErrorKind};
    /// let e = Error::new(ErrorKind::AccessDenied, "Query on table `orders` at https://dynamodb… failed");
    /// assert_eq!(e.client_message(), "internal error");
    /// let e = Error::new(ErrorKind::InvalidCursor, "the cursor belongs to another query; restart from the first page");
    /// assert_eq!(e.client_message(), e.message());
    /// ```
    pub fn client_message(&self) -> &str {
        if self.is_client_error() {
            return &self.message;
        }
        match self.kind {
            ErrorKind::Throttled => "too many requests right now; retry after a short wait",
            ErrorKind::TimedOut => "the request timed out; retry",
            _ if self.is_retryable() => "a temporary failure; retry",
            _ => "internal error",
        }
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
        if let Some(r) = &self.retryable {
            d.field("retryable", r);
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

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorKind; 15] = [
        ErrorKind::InvalidOptions,
        ErrorKind::InvalidQuery,
        ErrorKind::NoUsableIndex,
        ErrorKind::InvalidCursor,
        ErrorKind::ReadBudgetExceeded,
        ErrorKind::LimitExceeded,
        ErrorKind::Unorderable,
        ErrorKind::Schema,
        ErrorKind::Backend,
        ErrorKind::Throttled,
        ErrorKind::TimedOut,
        ErrorKind::AccessDenied,
        ErrorKind::NotFound,
        ErrorKind::Deserialize,
        ErrorKind::Sql,
    ];

    #[test]
    fn client_system_and_retryable() {
        for kind in ALL {
            let e = Error::new(kind, "Query on table `orders` at https://dynamodb.local failed");
            let client = matches!(
                kind,
                ErrorKind::InvalidOptions
                    | ErrorKind::InvalidQuery
                    | ErrorKind::NoUsableIndex
                    | ErrorKind::InvalidCursor
                    | ErrorKind::ReadBudgetExceeded
                    | ErrorKind::LimitExceeded
                    | ErrorKind::Unorderable
                    | ErrorKind::Sql
            );
            assert_eq!(e.is_client_error(), client, "{kind:?}");
            assert_eq!(
                e.is_retryable(),
                matches!(kind, ErrorKind::Throttled | ErrorKind::TimedOut),
                "{kind:?}"
            );
            // A client error says what to fix; a system error says nothing about the system.
            assert_eq!(e.client_message() == e.message(), client, "{kind:?}");
            if !client {
                assert!(!e.client_message().contains("orders") && !e.client_message().contains("http"));
            }
            // Client errors are never backend errors.
            assert!(!(client && kind.is_backend()), "{kind:?}");
        }
    }

    #[test]
    fn retryable_can_be_overridden() {
        let e = Error::new(ErrorKind::Backend, "ServiceUnavailable");
        assert!(!e.is_retryable());
        let e = e.with_retryable(true);
        assert!(e.is_retryable());
        assert_eq!(e.client_message(), "a temporary failure; retry");
        assert!(!Error::new(ErrorKind::Throttled, "x").with_retryable(false).is_retryable());
        assert!(format!("{e:?}").contains("retryable: true"));
    }
}
