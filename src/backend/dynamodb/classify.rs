//! Which [`ErrorKind`] an SDK failure is, decided the same way for every
//! operation (`Query`, `Scan`, `DescribeTable`, `CreateTable`): from the
//! [`SdkError`] variant and, for a service error, its error code
//! ([`ProvideErrorMetadata`]) and HTTP status — never from one operation's
//! error enum.
//!
//! ```text
//! SdkError::TimeoutError                         → TimedOut      retryable
//! SdkError::DispatchFailure  timeout             → TimedOut      retryable
//!                            I/O                 → Backend       retryable
//!                            other (throttling)  → Throttled     retryable
//!                            other (transient)   → Backend       retryable
//!                            user, other         → Backend
//! SdkError::ResponseError    (truncated, garbled)→ Backend       retryable
//! SdkError::ConstructionFailure                  → Backend
//! SdkError::ServiceError     throttling codes    → Throttled     retryable
//!                            timeout codes       → TimedOut      retryable
//!                            credential codes    → AccessDenied
//!                            not-found codes     → NotFound
//!                            5xx, 5xx codes      → Backend       retryable
//!                            429                 → Throttled     retryable
//!                            anything else       → Backend
//! ```

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_types::retry::ErrorKind as RetryKind;

use crate::error::ErrorKind;

/// Codes DynamoDB (and the AWS front door) use for throttling.
const THROTTLED: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "RequestThrottled",
    "RequestThrottledException",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    // Too many concurrent control-plane operations (`CreateTable`…).
    "LimitExceededException",
];

/// Codes for a request that timed out on the service's side.
const TIMED_OUT: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

/// Codes for refused credentials or missing permissions.
const ACCESS_DENIED: &[&str] = &[
    "AccessDeniedException",
    "AccessDenied",
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "IncompleteSignature",
    "IncompleteSignatureException",
    "MissingAuthenticationToken",
    "MissingAuthenticationTokenException",
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "UnauthorizedOperation",
    "NotAuthorized",
];

/// Codes for a table or index that does not exist.
const NOT_FOUND: &[&str] = &["ResourceNotFoundException", "TableNotFoundException", "IndexNotFoundException"];

/// Codes of transient failures on the service's side.
const TRANSIENT: &[&str] =
    &["InternalServerError", "InternalFailure", "ServiceUnavailable", "ServiceUnavailableException"];

/// The start of DynamoDB's `ValidationException` message for a missing index.
const NO_SUCH_INDEX: &str = "The table does not have the specified index";

/// The kind of `e` and whether retrying the same request may succeed.
pub(crate) fn classify<E: ProvideErrorMetadata>(e: &SdkError<E>) -> (ErrorKind, bool) {
    match e {
        SdkError::TimeoutError(_) => (ErrorKind::TimedOut, true),
        SdkError::DispatchFailure(d) if d.is_timeout() => (ErrorKind::TimedOut, true),
        SdkError::DispatchFailure(d) if d.is_io() => (ErrorKind::Backend, true),
        SdkError::DispatchFailure(d) => match d.as_other() {
            Some(RetryKind::ThrottlingError) => (ErrorKind::Throttled, true),
            Some(RetryKind::TransientError | RetryKind::ServerError) => (ErrorKind::Backend, true),
            _ => (ErrorKind::Backend, false),
        },
        SdkError::ResponseError(_) => (ErrorKind::Backend, true),
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            by_code(s.err().code(), s.err().message(), status)
        }
        // `ConstructionFailure`, and variants a later SDK adds.
        _ => (ErrorKind::Backend, false),
    }
}

/// A service error, from its code, message and HTTP status.
fn by_code(code: Option<&str>, message: Option<&str>, status: u16) -> (ErrorKind, bool) {
    let is = |codes: &[&str]| code.is_some_and(|c| codes.contains(&c));
    let no_such_index =
        code == Some("ValidationException") && message.is_some_and(|m| m.starts_with(NO_SUCH_INDEX));
    if is(THROTTLED) {
        (ErrorKind::Throttled, true)
    } else if is(TIMED_OUT) {
        (ErrorKind::TimedOut, true)
    } else if is(ACCESS_DENIED) {
        (ErrorKind::AccessDenied, false)
    } else if is(NOT_FOUND) || no_such_index {
        (ErrorKind::NotFound, false)
    } else if is(TRANSIENT) || (500..600).contains(&status) {
        (ErrorKind::Backend, true)
    } else if status == 429 {
        (ErrorKind::Throttled, true)
    } else {
        (ErrorKind::Backend, false)
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_dynamodb::config::http::HttpResponse;
    use aws_sdk_dynamodb::error::{ConnectorError, ErrorMetadata};
    use aws_sdk_dynamodb::operation::create_table::CreateTableError;
    use aws_sdk_dynamodb::operation::describe_table::DescribeTableError;
    use aws_sdk_dynamodb::operation::query::QueryError;
    use aws_sdk_dynamodb::operation::scan::ScanError;
    use aws_sdk_dynamodb::types::error::{
        InternalServerError, ProvisionedThroughputExceededException, RequestLimitExceeded,
        ResourceNotFoundException,
    };
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;

    use super::*;
    use crate::backend::dynamodb::sdk_error;

    fn raw(status: u16) -> HttpResponse {
        HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::empty())
    }

    fn meta(code: &str, message: &str) -> ErrorMetadata {
        ErrorMetadata::builder().code(code).message(message).build()
    }

    /// A service error of any operation, by its code: what the SDK builds
    /// for a code its model does not list.
    fn generic<E: ProvideErrorMetadata>(
        make: fn(ErrorMetadata) -> E,
        code: &str,
        message: &str,
        status: u16,
    ) -> SdkError<E> {
        SdkError::service_error(make(meta(code, message)), raw(status))
    }

    #[test]
    fn modelled_service_errors_of_each_operation() {
        let e = SdkError::service_error(
            QueryError::ProvisionedThroughputExceededException(
                ProvisionedThroughputExceededException::builder()
                    .message("slow down")
                    .meta(meta("ProvisionedThroughputExceededException", "slow down"))
                    .build(),
            ),
            raw(400),
        );
        assert_eq!(classify(&e), (ErrorKind::Throttled, true));
        let e = SdkError::service_error(
            ScanError::RequestLimitExceeded(
                RequestLimitExceeded::builder().meta(meta("RequestLimitExceeded", "account limit")).build(),
            ),
            raw(400),
        );
        assert_eq!(classify(&e), (ErrorKind::Throttled, true));
        let e = SdkError::service_error(
            DescribeTableError::ResourceNotFoundException(
                ResourceNotFoundException::builder()
                    .meta(meta("ResourceNotFoundException", "Requested resource not found"))
                    .build(),
            ),
            raw(400),
        );
        assert_eq!(classify(&e), (ErrorKind::NotFound, false));
        let e = SdkError::service_error(
            QueryError::InternalServerError(
                InternalServerError::builder().meta(meta("InternalServerError", "oops")).build(),
            ),
            raw(500),
        );
        assert_eq!(classify(&e), (ErrorKind::Backend, true));
    }

    #[test]
    fn service_errors_by_code_whatever_the_operation() {
        let cases: &[(&str, &str, u16, ErrorKind, bool)] = &[
            ("ThrottlingException", "Rate exceeded", 400, ErrorKind::Throttled, true),
            ("ProvisionedThroughputExceededException", "", 400, ErrorKind::Throttled, true),
            ("RequestLimitExceeded", "", 400, ErrorKind::Throttled, true),
            ("LimitExceededException", "too many tables being created", 400, ErrorKind::Throttled, true),
            ("RequestTimeoutException", "", 408, ErrorKind::TimedOut, true),
            (
                "AccessDeniedException",
                "not authorized to perform dynamodb:Query",
                400,
                ErrorKind::AccessDenied,
                false,
            ),
            (
                "UnrecognizedClientException",
                "The security token is invalid",
                400,
                ErrorKind::AccessDenied,
                false,
            ),
            ("InvalidSignatureException", "", 400, ErrorKind::AccessDenied, false),
            ("ExpiredTokenException", "", 400, ErrorKind::AccessDenied, false),
            ("MissingAuthenticationTokenException", "", 400, ErrorKind::AccessDenied, false),
            (
                "ResourceNotFoundException",
                "Cannot do operations on a non-existent table",
                400,
                ErrorKind::NotFound,
                false,
            ),
            (
                "ValidationException",
                "The table does not have the specified index: by_user",
                400,
                ErrorKind::NotFound,
                false,
            ),
            (
                "ValidationException",
                "One or more parameter values were invalid",
                400,
                ErrorKind::Backend,
                false,
            ),
            ("InternalServerError", "", 500, ErrorKind::Backend, true),
            ("ServiceUnavailable", "", 503, ErrorKind::Backend, true),
            ("SomethingNew", "", 502, ErrorKind::Backend, true),
            ("SomethingNew", "", 429, ErrorKind::Throttled, true),
            ("SomethingNew", "", 400, ErrorKind::Backend, false),
        ];
        for &(code, message, status, kind, retryable) in cases {
            let want = (kind, retryable);
            assert_eq!(classify(&generic(QueryError::generic, code, message, status)), want, "Query {code}");
            assert_eq!(classify(&generic(ScanError::generic, code, message, status)), want, "Scan {code}");
            let describe = generic(DescribeTableError::generic, code, message, status);
            assert_eq!(classify(&describe), want, "DescribeTable {code}");
            let create = generic(CreateTableError::generic, code, message, status);
            assert_eq!(classify(&create), want, "CreateTable {code}");
        }
    }

    #[test]
    fn transport_failures() {
        let io = || Box::new(std::io::Error::other("connection reset by peer"));
        let cases: Vec<(SdkError<QueryError>, ErrorKind, bool)> = vec![
            (SdkError::timeout_error(io()), ErrorKind::TimedOut, true),
            (SdkError::dispatch_failure(ConnectorError::timeout(io())), ErrorKind::TimedOut, true),
            (SdkError::dispatch_failure(ConnectorError::io(io())), ErrorKind::Backend, true),
            (SdkError::dispatch_failure(ConnectorError::user(io())), ErrorKind::Backend, false),
            (
                SdkError::dispatch_failure(ConnectorError::other(io(), Some(RetryKind::ThrottlingError))),
                ErrorKind::Throttled,
                true,
            ),
            (
                SdkError::dispatch_failure(ConnectorError::other(io(), Some(RetryKind::TransientError))),
                ErrorKind::Backend,
                true,
            ),
            (SdkError::dispatch_failure(ConnectorError::other(io(), None)), ErrorKind::Backend, false),
            (SdkError::response_error(io(), raw(200)), ErrorKind::Backend, true),
            (SdkError::construction_failure(io()), ErrorKind::Backend, false),
        ];
        for (e, kind, retryable) in cases {
            assert_eq!(classify(&e), (kind, retryable), "{e:?}");
        }
    }

    /// The crate error keeps the kind, the retry flag and the SDK error as
    /// its source; its client message holds neither the table nor the SDK's text.
    #[test]
    fn the_crate_error_from_an_sdk_error() {
        let e = generic(
            ScanError::generic,
            "AccessDeniedException",
            "User arn:aws:iam::123:user/x is not authorized",
            400,
        );
        let err = sdk_error("Scan", "secret_table", e);
        assert_eq!(err.kind(), ErrorKind::AccessDenied);
        assert!(!err.is_retryable() && !err.is_client_error());
        assert!(err.message().contains("secret_table") && err.message().contains("AccessDeniedException"));
        assert_eq!(err.client_message(), "internal error");
        let source = std::error::Error::source(&err).expect("the SDK error is the source");
        assert!(source.downcast_ref::<SdkError<ScanError>>().is_some());

        let e: SdkError<QueryError> = SdkError::dispatch_failure(ConnectorError::timeout(Box::new(
            std::io::Error::other("https://dynamodb.eu-west-3.amazonaws.com/ timed out"),
        )));
        let err = sdk_error("Query", "orders", e);
        assert_eq!(err.kind(), ErrorKind::TimedOut);
        assert!(err.is_retryable());
        assert!(!err.client_message().contains("amazonaws"), "{}", err.client_message());

        let e = generic(QueryError::generic, "InternalServerError", "Internal server error", 500);
        let err = sdk_error("Query", "orders", e);
        assert_eq!((err.kind(), err.is_retryable()), (ErrorKind::Backend, true));
        assert_eq!(err.client_message(), "a temporary failure; retry");
    }
}
