//! The list endpoint of `examples/list_endpoint.rs`: an axum [`Router`]
//! serving `GET /orders` over any dynaquery [`Backend`], with its
//! query-string parsing and its error mapping.
//!
//! It lives here, apart from the binary, so that `tests/list_endpoint.rs`
//! tests the very router the example serves: both include this file with
//! `#[path]`, as the other examples include `support/orders.rs`. A library
//! module (behind a feature) would put axum among the library's optional
//! dependencies and an app in its API; a workspace crate would be a second
//! package to publish or exclude for one example. A file shared by path
//! keeps axum a dev-dependency and the example one `cargo run` away.
//!
//! # The endpoint
//!
//! `GET /orders?status=paid,shipped&country=FR&from=2026-10-25&to=2026-11-24&limit=50&cursor=…`
//!
//! | parameter | meaning |
//! |---|---|
//! | `status` | required; repeat it (`status=paid&status=shipped`) or separate by commas: `status IN (…)` |
//! | `country` | optional: `country = …` |
//! | `from`, `to` | optional, inclusive: `created_at >= from`, `created_at <= to`; a UTC timestamp `2026-11-24T08:30:00Z`, or a date `2026-11-24` (from its first second, to its last) |
//! | `limit` | rows per page, 1 to [`MAX_PAGE_SIZE`]; [`DEFAULT_LIMIT`] when absent |
//! | `cursor` | the previous page's `next_cursor`, with the same other parameters (`limit` may change) |
//!
//! Rows come newest first: `ORDER BY created_at DESC, total DESC, order_id`.
//! The body is `{"items": [Order, …], "next_cursor": "…" | null}`;
//! `next_cursor` is `null` exactly at the end of the result.
//!
//! Cursors are signed (HMAC-SHA256 with the [`CursorKey`] given to
//! [`options`]) and expire after [`CURSOR_TTL`]: a cursor that was edited,
//! belongs to another filter, or is too old is refused before anything is
//! read.
//!
//! # Errors
//!
//! Every error is a JSON body `{"error": "<message>"}` whose message is safe
//! to show the caller: the endpoint's own message for a bad parameter, or
//! [`Error::client_message`] — never the table, the endpoint or the SDK's
//! error, which go to the log (stderr here) with the error's `Debug`.
//!
//! | status | when |
//! |---|---|
//! | 400 | a bad parameter (unknown, repeated, empty, not a number or date, `from` after `to`), and every [client error](Error::is_client_error): a bad, tampered, foreign or expired cursor, `limit=0`, a `limit` over [`MAX_PAGE_SIZE`] (refused, not lowered: [`options`] sets `reject_oversized_limit`, so a page never holds fewer rows than asked for but at the end), too many statuses |
//! | 404 | a path other than `/orders` |
//! | 429 | DynamoDB throttled the reads beyond the SDK's retries ([`ErrorKind::Throttled`]), with `Retry-After` |
//! | 503 | a [retryable](Error::is_retryable) failure (a timeout, a 5xx), with `Retry-After`; and a missing table or index ([`ErrorKind::NotFound`]) or refused credentials ([`ErrorKind::AccessDenied`]), without it |
//! | 500 | any other system error (a schema that disagrees with the table, a row that does not fit [`Order`]) |
//!
//! A missing table or index is the deployment's fault, not the caller's:
//! `/orders` exists, so a 404 would tell a client to stop asking for
//! something that will be there once the service is fixed. The library
//! files it as a system error that retrying does not cure, and so does the
//! endpoint: 503 (the service cannot serve now, which is what a load
//! balancer and a health check should see), with no `Retry-After`.

#![allow(dead_code)]

use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query as UrlQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use dynaquery::{asc, col, desc, Backend, CursorKey, Engine, Error, ErrorKind, Options, Query};
use serde::{Deserialize, Serialize};

/// Rows per page when `limit` is absent.
pub const DEFAULT_LIMIT: usize = 50;
/// The largest `limit` accepted; a larger one is a 400.
pub const MAX_PAGE_SIZE: usize = 100;
/// How long a cursor stays valid.
pub const CURSOR_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// What `Retry-After` says, in seconds, for a throttled or transient failure.
pub const RETRY_AFTER_SECS: u32 = 1;

/// The request the example prints as a sample and the README shows.
pub const SAMPLE_PATH: &str = "/orders?status=paid,shipped&country=FR&from=2026-10-25&to=2026-11-24&limit=3";

/// The data the example serves: the orders example's generator
/// (`support/orders.rs`, which the including crate has as `mod orders`),
/// with the same defaults.
#[derive(Debug, Clone, Copy)]
pub struct ExampleData {
    pub seed: u64,
    pub orders: usize,
    pub french: f64,
}

impl Default for ExampleData {
    fn default() -> Self {
        ExampleData { seed: 42, orders: 20_000, french: 0.10 }
    }
}

impl ExampleData {
    /// The generated orders.
    pub fn items(&self) -> Vec<dynaquery::Item> {
        crate::orders::generate(self.seed, self.orders, self.french)
    }
}

/// The columns an [`Order`] holds: the query reads only these.
const COLUMNS: [&str; 6] = ["order_id", "user_id", "status", "country", "total", "created_at"];

/// One row, as the endpoint serves it.
///
/// `total` is an `f64`: deserializing a DynamoDB number into a float rounds
/// it to the nearest one, which a JSON encoder writes back as the same
/// decimal for up to 15 significant digits (`19.99` stays `19.99`; `49`
/// becomes `49.0`). A service that needs all of DynamoDB's 38 digits reads
/// [`Value::N`](dynaquery::Value::N) rows with `fetch` instead.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub order_id: String,
    pub user_id: String,
    pub status: String,
    pub country: String,
    pub total: f64,
    pub created_at: String,
}

/// The response body of `GET /orders`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrdersPage {
    pub items: Vec<Order>,
    pub next_cursor: Option<String>,
}

/// The engine options the endpoint relies on: signed cursors that expire,
/// and a `limit` over [`MAX_PAGE_SIZE`] refused rather than lowered.
pub fn options(key: CursorKey) -> Options {
    Options::default()
        .cursor_keys([key])
        .cursor_ttl(CURSOR_TTL)
        .max_page_size(MAX_PAGE_SIZE)
        .reject_oversized_limit(true)
}

/// The router: `GET /orders` over `engine` (built with [`options`]), and a
/// JSON 404 for every other path.
pub fn router<B: Backend + Clone + 'static>(engine: Engine<B>) -> Router {
    Router::new().route("/orders", get(list_orders::<B>)).fallback(not_found).with_state(engine)
}

async fn list_orders<B: Backend + Clone + 'static>(
    State(engine): State<Engine<B>>,
    params: Result<UrlQuery<Vec<(String, String)>>, QueryRejection>,
) -> Result<Json<OrdersPage>, ApiError> {
    let UrlQuery(params) =
        params.map_err(|_| ApiError::bad_request("the query string is not valid URL encoding"))?;
    let query = orders_query(&params)?;
    let page = engine.fetch_as::<Order>(&query).await.map_err(ApiError::from)?;
    Ok(Json(OrdersPage { items: page.rows, next_cursor: page.next_cursor }))
}

async fn not_found() -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        message: "no such resource; try GET /orders".into(),
        retry_after: false,
    }
}

/// The dynaquery query for the endpoint's parameters (see the module docs).
///
/// # Errors
/// A 400 naming the parameter, for anything the module docs do not allow.
pub fn orders_query(params: &[(String, String)]) -> Result<Query, ApiError> {
    let mut statuses: Vec<String> = Vec::new();
    let (mut country, mut from, mut to, mut cursor, mut limit) = (None, None, None, None, None);
    for (name, value) in params {
        let once = |slot: &Option<String>| -> Result<String, ApiError> {
            if slot.is_some() {
                return Err(ApiError::bad_request(format!("`{name}` is given more than once")));
            }
            if value.is_empty() {
                return Err(ApiError::bad_request(format!("`{name}` is empty")));
            }
            Ok(value.clone())
        };
        match name.as_str() {
            "status" => {
                for s in value.split(',') {
                    if s.is_empty() {
                        return Err(ApiError::bad_request("`status` holds an empty value"));
                    }
                    statuses.push(s.to_owned());
                }
            }
            "country" => country = Some(once(&country)?),
            "from" => from = Some(once(&from)?),
            "to" => to = Some(once(&to)?),
            "cursor" => cursor = Some(once(&cursor)?),
            "limit" => limit = Some(once(&limit)?),
            other => {
                return Err(ApiError::bad_request(format!(
                    "unknown parameter `{}`; the parameters are status, country, from, to, limit and cursor",
                    other.chars().take(40).collect::<String>()
                )))
            }
        }
    }
    if statuses.is_empty() {
        return Err(ApiError::bad_request(
            "`status` is required: status=paid, status=paid&status=shipped or status=paid,shipped",
        ));
    }
    let limit = match limit {
        None => DEFAULT_LIMIT,
        Some(l) => l.parse::<usize>().map_err(|_| {
            ApiError::bad_request(format!("`limit` must be a whole number from 1 to {MAX_PAGE_SIZE}"))
        })?,
    };
    let from = from.map(|v| timestamp("from", &v, "T00:00:00Z")).transpose()?;
    let to = to.map(|v| timestamp("to", &v, "T23:59:59Z")).transpose()?;

    let mut query = Query::new()
        .select(COLUMNS)
        .filter(col("status").is_in(statuses))
        .order_by(desc("created_at"))
        .order_by(desc("total"))
        .order_by(asc("order_id"))
        .limit(limit);
    if let Some(c) = country {
        query = query.filter(col("country").eq(c));
    }
    query = match (from, to) {
        (Some(f), Some(t)) if f > t => return Err(ApiError::bad_request("`from` is after `to`")),
        (Some(f), Some(t)) => query.filter(col("created_at").between(f, t)),
        (Some(f), None) => query.filter(col("created_at").ge(f)),
        (None, Some(t)) => query.filter(col("created_at").le(t)),
        (None, None) => query,
    };
    if let Some(c) = cursor {
        query = query.cursor(c);
    }
    Ok(query)
}

/// `value` as the `created_at` format (`2026-11-24T08:30:00Z`); a date
/// alone gets `time_of_day` (its first or last second).
fn timestamp(name: &str, value: &str, time_of_day: &str) -> Result<String, ApiError> {
    let bad = || {
        ApiError::bad_request(format!(
            "`{name}` must be a date (2026-11-24) or a UTC timestamp (2026-11-24T08:30:00Z)"
        ))
    };
    let full = match value.len() {
        10 => format!("{value}{time_of_day}"),
        20 => value.to_owned(),
        _ => return Err(bad()),
    };
    let b = full.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    let number = |r: std::ops::Range<usize>| full[r].parse::<u32>().unwrap_or(u32::MAX);
    let shaped = digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && b[10] == b'T'
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
        && b[19] == b'Z';
    let in_range = shaped
        && (1..=12).contains(&number(5..7))
        && (1..=31).contains(&number(8..10))
        && number(11..13) < 24
        && number(14..16) < 60
        && number(17..19) < 60;
    if in_range {
        Ok(full)
    } else {
        Err(bad())
    }
}

/// An error response: a status, a message safe to show, and whether to send
/// `Retry-After`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
    pub retry_after: bool,
}

impl ApiError {
    fn bad_request(message: impl Into<String>) -> Self {
        ApiError { status: StatusCode::BAD_REQUEST, message: message.into(), retry_after: false }
    }
}

/// The status for a dynaquery error: see the module docs' table.
pub fn status_of(e: &Error) -> (StatusCode, bool) {
    if e.is_client_error() {
        return (StatusCode::BAD_REQUEST, false);
    }
    match e.kind() {
        ErrorKind::Throttled => (StatusCode::TOO_MANY_REQUESTS, true),
        _ if e.is_retryable() => (StatusCode::SERVICE_UNAVAILABLE, true),
        ErrorKind::NotFound | ErrorKind::AccessDenied => (StatusCode::SERVICE_UNAVAILABLE, false),
        _ => (StatusCode::INTERNAL_SERVER_ERROR, false),
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        let (status, retry_after) = status_of(&e);
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            // The detail (table, endpoint, the SDK's error) is for the
            // operator's log only.
            eprintln!("GET /orders: {status}: {e:?}");
        }
        ApiError { status, message: e.client_message().to_owned(), retry_after }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(serde_json::json!({ "error": self.message }))).into_response();
        if self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        response
    }
}
