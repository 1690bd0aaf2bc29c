//! `BatchWriteItem` in batches of 25, for loading test data, fixtures and
//! backfills.

use std::time::Duration;

use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use aws_sdk_dynamodb::Client;

use super::convert::to_attribute_map;
use super::{sdk_error, sleep};
use crate::error::{Error, ErrorKind, Result};
use crate::value::Item;

/// Most items one `BatchWriteItem` request may carry.
const BATCH: usize = 25;
/// Requests per batch before the items DynamoDB keeps leaving unprocessed
/// are an error: the first, and up to 7 retries.
const ATTEMPTS: u32 = 8;
/// The first retry's delay; each later one doubles it, up to [`MAX_DELAY`].
const FIRST_DELAY: Duration = Duration::from_millis(50);
const MAX_DELAY: Duration = Duration::from_secs(2);

/// Writes `items` into `table` with `BatchWriteItem`, 25 at a time, in order.
///
/// Items DynamoDB returns as `UnprocessedItems` (it does when a partition is
/// throttled) are sent again after a backoff (50 ms, doubling, at most 2 s
/// between requests), up to 8 requests per batch. Every request goes through
/// the client's own retry policy too. Each item replaces any item with the
/// same primary key, as `PutItem` does; two items with the same key in one
/// batch of 25 are refused by DynamoDB.
///
/// ```no_run
/// # async fn demo(client: aws_sdk_dynamodb::Client) -> Result<(), dynaquery::Error> {
/// use dynaquery::{item, Value};
/// let orders: Vec<_> =
///     (0..100).map(|i| item([("order_id", Value::from(format!("o-{i}"))), ("total", Value::from(i))])).collect();
/// dynaquery::dynamodb::put_items(&client, "orders", &orders).await?;
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`ErrorKind::Throttled`] (retryable) when a batch still has unprocessed
/// items after 8 requests: the items of earlier batches are written, the
/// rest are not (writing them all again is safe). A failed request's error
/// as for every operation: [`ErrorKind::NotFound`] for a missing table,
/// [`ErrorKind::AccessDenied`], [`ErrorKind::Throttled`], or
/// [`ErrorKind::Backend`] (for example an item without its key attributes,
/// or over 400 KB).
pub async fn put_items(client: &Client, table: &str, items: &[Item]) -> Result<()> {
    for (batch, chunk) in items.chunks(BATCH).enumerate() {
        let mut requests = chunk
            .iter()
            .map(|it| {
                PutRequest::builder()
                    .set_item(Some(to_attribute_map(it)))
                    .build()
                    .map(|put| WriteRequest::builder().put_request(put).build())
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| {
                Error::new(ErrorKind::Backend, format!("cannot build a BatchWriteItem request: {e}"))
                    .with_source(e)
            })?;
        let mut delay = FIRST_DELAY;
        for attempt in 1..=ATTEMPTS {
            let out = client
                .batch_write_item()
                .request_items(table, requests)
                .send()
                .await
                .map_err(|e| sdk_error("BatchWriteItem", table, e))?;
            requests = out.unprocessed_items.and_then(|mut m| m.remove(table)).unwrap_or_default();
            if requests.is_empty() {
                break;
            }
            if attempt == ATTEMPTS {
                let written = batch * BATCH;
                return Err(Error::new(
                    ErrorKind::Throttled,
                    format!(
                        "BatchWriteItem on table `{table}`: {} of the {} items of batch {} stayed unprocessed \
                         after {ATTEMPTS} requests (the {written} items before that batch are written); \
                         DynamoDB is throttling the table: retry later (writing the items again is safe), \
                         or raise its write capacity",
                        requests.len(),
                        chunk.len(),
                        batch + 1,
                    ),
                )
                .with_retryable(true));
            }
            sleep(delay).await;
            delay = (delay * 2).min(MAX_DELAY);
        }
    }
    Ok(())
}
