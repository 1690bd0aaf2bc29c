//! The DynamoDB backend: one `Query` (or `Scan`) page per call, through an
//! `aws_sdk_dynamodb::Client` that you built — with your own credentials,
//! region, endpoint, retry policy and `BehaviorVersion`. dynaquery never
//! builds a client of its own.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let config = aws_config::load_from_env().await;
//! let client = aws_sdk_dynamodb::Client::new(&config);
//! let schema = dynaquery::dynamodb::load_schema(&client, "orders").await?;
//! let engine = dynaquery::Engine::new(schema, dynaquery::DynamoDb::new(client));
//! # let _ = engine; Ok(()) }
//! ```
//!
//! Throttling and transient failures are retried by the SDK's retry policy,
//! as you configured it; what still fails surfaces as an error — never as a
//! short page — whose `source()` is the SDK's error and whose kind is
//! decided the same way for every operation, from the SDK's error variant
//! and the service's error code: [`ErrorKind::Throttled`],
//! [`ErrorKind::TimedOut`], [`ErrorKind::AccessDenied`],
//! [`ErrorKind::NotFound`] (table or index), or [`ErrorKind::Backend`] for
//! the rest ([`Error::is_retryable`] for a 5xx, an I/O failure or a
//! truncated response).

mod classify;
mod convert;
mod create;
mod describe;
mod ensure;
#[cfg(test)]
mod one_expression_path;
mod render;
mod write;

pub use convert::{from_attribute_map, from_attribute_value, to_attribute_map, to_attribute_value};
pub use create::create_table;
pub use describe::{load_schema, verify_schema};
pub use ensure::{ensure_table, Ensured};
use render::render;
pub use write::put_items;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{KeysAndAttributes, ReturnConsumedCapacity, Select};
use aws_sdk_dynamodb::Client;

use crate::backend::{Backend, BatchGetRequest, BatchGetResponse, ReadRequest, ReadResponse};
use crate::error::{Error, ErrorKind, Result};

/// A [`Backend`] over an `aws_sdk_dynamodb::Client`. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct DynamoDb {
    client: Client,
}

impl DynamoDb {
    /// Wraps a client you configured.
    pub fn new(client: Client) -> Self {
        DynamoDb { client }
    }

    /// The client.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

/// Maps an SDK failure of any operation to the crate's error: its kind
/// and retryability from [`classify`](classify::classify), a message that
/// names the operation, the table and the service's code and message, and
/// the SDK's error kept as the source.
pub(crate) fn sdk_error<E>(operation: &str, table: &str, e: SdkError<E>) -> Error
where
    E: std::error::Error + ProvideErrorMetadata + Send + Sync + 'static,
{
    let (kind, retryable) = classify::classify(&e);
    let what = match (e.code(), e.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_owned(),
        _ => chain(&e),
    };
    let advice = match kind {
        ErrorKind::Throttled => {
            "DynamoDB throttled it beyond what the SDK's retry policy absorbed; retry later, \
                                 or raise the table's capacity"
        }
        ErrorKind::TimedOut => "it timed out after the SDK's retries; retry, or raise the client's timeouts",
        ErrorKind::AccessDenied => "check the credentials and that their IAM policy allows the operation",
        ErrorKind::NotFound => {
            "check the table and index names in the schema, and the client's region and endpoint"
        }
        _ => {
            "the SDK already retried what its retry policy allows; check the table name, the credentials and \
              that the schema matches the table"
        }
    };
    Error::new(kind, format!("{operation} on table `{table}` failed: {what} ({advice})"))
        .with_retryable(retryable)
        .with_source(e)
}

pub(crate) use crate::exec::sleep;

/// The `Display` of an error and of its sources, joined with `: ` on one
/// line (a source that repeats what its error said is left out). Never the
/// `Debug` dump: the full detail stays in the error kept as `source()`.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        let text = err.to_string().split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() && !parts.last().is_some_and(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = err.source();
    }
    let mut line = parts.join(": ");
    if line.len() > 400 {
        let cut = (0..=400).rev().find(|&i| line.is_char_boundary(i)).unwrap_or(0);
        line.truncate(cut);
        line.push('…');
    }
    line
}

fn limit(request: &ReadRequest) -> Option<i32> {
    request.limit.map(|l| i32::try_from(l).unwrap_or(i32::MAX))
}

impl Backend for DynamoDb {
    async fn read(&self, request: ReadRequest) -> Result<ReadResponse> {
        let r = render(request.key.as_ref(), request.filter.as_ref(), request.projection.as_deref())?;
        let names = (!r.names.is_empty()).then_some(r.names);
        let values = (!r.values.is_empty()).then_some(r.values);
        let select = match (request.count_only, request.projection.is_none()) {
            (true, _) => Some(Select::Count),
            (false, true) => Some(Select::AllAttributes),
            (false, false) => None,
        };
        let start = request.exclusive_start_key.as_ref().map(to_attribute_map);
        let (items, count, scanned, lek, capacity) = if request.key.is_some() {
            if request.segment.is_some() {
                // The SDK's Query has no Segment: refuse it as the memory backend does.
                return Err(Error::new(
                    ErrorKind::Backend,
                    format!("ValidationException: {}", crate::backend::SEGMENT_ON_QUERY),
                ));
            }
            let out = self
                .client
                .query()
                .table_name(&request.table)
                .set_index_name(request.index.clone())
                .set_key_condition_expression(r.key_condition)
                .set_filter_expression(r.filter)
                .set_projection_expression(r.projection)
                .set_select(select)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .scan_index_forward(request.scan_forward)
                .set_limit(limit(&request))
                .set_exclusive_start_key(start)
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(|e| sdk_error("Query", &request.table, e))?;
            let cap = out.consumed_capacity().and_then(|c| c.capacity_units());
            (out.items, out.count, out.scanned_count, out.last_evaluated_key, cap)
        } else {
            let out = self
                .client
                .scan()
                .table_name(&request.table)
                .set_index_name(request.index.clone())
                .set_filter_expression(r.filter)
                .set_projection_expression(r.projection)
                .set_select(select)
                .set_expression_attribute_names(names)
                .set_expression_attribute_values(values)
                .set_limit(limit(&request))
                .set_exclusive_start_key(start)
                .set_segment(request.segment.map(|s| s.segment() as i32))
                .set_total_segments(request.segment.map(|s| s.total() as i32))
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(|e| sdk_error("Scan", &request.table, e))?;
            let cap = out.consumed_capacity().and_then(|c| c.capacity_units());
            (out.items, out.count, out.scanned_count, out.last_evaluated_key, cap)
        };
        let items: Vec<_> =
            items.unwrap_or_default().iter().map(from_attribute_map).collect::<Result<_>>()?;
        Ok(ReadResponse {
            // `Count` is what passed the filter; for a normal read it is the items' number.
            count: if request.count_only { u64::try_from(count).unwrap_or(0) } else { items.len() as u64 },
            items,
            scanned_count: u64::try_from(scanned).unwrap_or(0),
            last_evaluated_key: lek.as_ref().map(from_attribute_map).transpose()?,
            consumed_capacity: capacity,
        })
    }

    /// One `BatchGetItem` call (eventually consistent reads, consumed
    /// capacity returned); `UnprocessedKeys` come back as they are, for the
    /// engine to retry.
    async fn batch_get(&self, request: BatchGetRequest) -> Result<BatchGetResponse> {
        let r = render(None, None, request.projection.as_deref())?;
        let names = (!r.names.is_empty()).then_some(r.names);
        let keys = request.keys.iter().map(to_attribute_map).collect();
        let wanted = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .set_projection_expression(r.projection)
            .set_expression_attribute_names(names)
            .build()
            .map_err(|e| {
                Error::new(ErrorKind::InvalidQuery, format!("BatchGetItem request: {e}")).with_source(e)
            })?;
        let out = self
            .client
            .batch_get_item()
            .request_items(&request.table, wanted)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(|e| sdk_error("BatchGetItem", &request.table, e))?;
        let capacity = out.consumed_capacity().iter().filter_map(|c| c.capacity_units()).reduce(|a, b| a + b);
        let items = out
            .responses
            .unwrap_or_default()
            .remove(&request.table)
            .unwrap_or_default()
            .iter()
            .map(from_attribute_map)
            .collect::<Result<Vec<_>>>()?;
        let unprocessed = out
            .unprocessed_keys
            .unwrap_or_default()
            .remove(&request.table)
            .map(|k| k.keys)
            .unwrap_or_default()
            .iter()
            .map(from_attribute_map)
            .collect::<Result<Vec<_>>>()?;
        Ok(BatchGetResponse { items, unprocessed_keys: unprocessed, consumed_capacity: capacity })
    }
}
