//! Faults on the DynamoDB backend, through the SDK's own replay HTTP client:
//! the SDK's retry policy runs for real, and what it cannot absorb is a
//! typed error with the SDK's error as its source — never a short page.

use std::time::Duration;

use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_http_client::test_util::{ReplayEvent, StaticReplayClient};
use aws_smithy_types::body::SdkBody;
use dynaquery::{col, desc, DynamoDb, Engine, ErrorKind, Index, KeyAttribute, Query, Schema, Value};

fn schema() -> Schema {
    Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .always_present(["status", "created_at"])
}

fn query() -> Query {
    Query::new().filter(col("status").eq("paid")).order_by(desc("created_at")).limit(10)
}

fn request() -> http::Request<SdkBody> {
    http::Request::builder().uri("https://dynamodb.us-east-1.amazonaws.com/").body(SdkBody::empty()).unwrap()
}

fn throttled() -> ReplayEvent {
    let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}"#;
    ReplayEvent::new(request(), http::Response::builder().status(400).body(SdkBody::from(body)).unwrap())
}

fn server_error() -> ReplayEvent {
    let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"Internal server error"}"#;
    ReplayEvent::new(request(), http::Response::builder().status(500).body(SdkBody::from(body)).unwrap())
}

fn ok() -> ReplayEvent {
    let body = r#"{"Items":[
        {"order_id":{"S":"o2"},"status":{"S":"paid"},"created_at":{"S":"2026-11-02"}},
        {"order_id":{"S":"o1"},"status":{"S":"paid"},"created_at":{"S":"2026-11-01"}}
    ],"Count":2,"ScannedCount":2,"ConsumedCapacity":{"TableName":"orders","CapacityUnits":0.5}}"#;
    ReplayEvent::new(request(), http::Response::builder().status(200).body(SdkBody::from(body)).unwrap())
}

fn engine(events: Vec<ReplayEvent>, attempts: u32) -> (Engine<DynamoDb>, StaticReplayClient) {
    let replay = StaticReplayClient::new(events);
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .http_client(replay.clone())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .build();
    (Engine::new(schema(), DynamoDb::new(aws_sdk_dynamodb::Client::from_conf(config))), replay)
}

#[tokio::test]
async fn throttling_the_sdk_retries_away_gives_the_right_page() {
    let (e, replay) = engine(vec![throttled(), throttled(), ok()], 3);
    let page = e.fetch(&query()).await.unwrap();
    let ids: Vec<&Value> = page.rows.iter().map(|r| &r["order_id"]).collect();
    assert_eq!(ids, [&Value::from("o2"), &Value::from("o1")]);
    assert!(page.next_cursor.is_none());
    assert_eq!(replay.actual_requests().count(), 3, "two throttled attempts, then the answer");
    assert_eq!(page.stats.calls, 1, "one logical call");
}

#[tokio::test]
async fn throttling_beyond_the_retry_policy_is_a_throttled_error_with_the_sdk_source() {
    let (e, replay) = engine(vec![throttled(), throttled(), throttled()], 3);
    let err = e.fetch(&query()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
    assert!(err.is_retryable() && !err.is_client_error());
    assert!(err.to_string().contains("ProvisionedThroughputExceededException"), "{err}");
    assert!(!err.client_message().contains("orders"), "{}", err.client_message());
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(replay.actual_requests().count(), 3);
}

#[tokio::test]
async fn a_5xx_is_retried_then_surfaces() {
    let (e, _) = engine(vec![server_error(), ok()], 2);
    assert_eq!(e.fetch(&query()).await.unwrap().rows.len(), 2);
    let (e, _) = engine(vec![server_error(), server_error()], 2);
    let err = e.fetch(&query()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Backend);
    assert!(err.is_retryable(), "a 5xx is transient");
    assert!(err.to_string().contains("InternalServerError"), "{err}");
}

fn denied() -> ReplayEvent {
    let body = r#"{"__type":"com.amazon.coral.service#AccessDeniedException","message":"User: arn:aws:iam::123456789012:user/app is not authorized to perform: dynamodb:Query"}"#;
    ReplayEvent::new(request(), http::Response::builder().status(400).body(SdkBody::from(body)).unwrap())
}

fn missing_table() -> ReplayEvent {
    let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#;
    ReplayEvent::new(request(), http::Response::builder().status(400).body(SdkBody::from(body)).unwrap())
}

#[tokio::test]
async fn access_denied_and_a_missing_table_are_typed_and_not_retried() {
    let (e, replay) = engine(vec![denied()], 3);
    let err = e.fetch(&query()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AccessDenied);
    assert!(!err.is_retryable() && !err.is_client_error());
    assert_eq!(err.client_message(), "internal error");
    assert_eq!(replay.actual_requests().count(), 1, "the SDK does not retry it either");
    let (e, _) = engine(vec![missing_table()], 3);
    let err = e.fetch(&query()).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(!err.is_retryable());
}

// `dynamodb::put_items`: unprocessed items are sent again, with backoff, a
// bounded number of times.

fn client(events: Vec<ReplayEvent>) -> (aws_sdk_dynamodb::Client, StaticReplayClient) {
    let replay = StaticReplayClient::new(events);
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "test"))
        .http_client(replay.clone())
        .retry_config(RetryConfig::standard().with_max_attempts(1))
        .build();
    (aws_sdk_dynamodb::Client::from_conf(config), replay)
}

/// A `BatchWriteItem` answer leaving the items `ids` unprocessed.
fn unprocessed(ids: &[&str]) -> ReplayEvent {
    let puts: Vec<String> = ids
        .iter()
        .map(|id| format!(r#"{{"PutRequest":{{"Item":{{"order_id":{{"S":"{id}"}}}}}}}}"#))
        .collect();
    let body = format!(r#"{{"UnprocessedItems":{{"orders":[{}]}}}}"#, puts.join(","));
    ReplayEvent::new(request(), http::Response::builder().status(200).body(SdkBody::from(body)).unwrap())
}

fn orders(n: usize) -> Vec<dynaquery::Item> {
    (0..n).map(|i| dynaquery::item([("order_id", Value::from(format!("o{i:02}")))])).collect()
}

fn puts_in(request: &aws_smithy_runtime_api::http::Request) -> usize {
    let body = std::str::from_utf8(request.body().bytes().unwrap_or_default()).unwrap_or_default();
    body.matches("PutRequest").count()
}

#[tokio::test]
async fn put_items_writes_25_at_a_time_and_sends_unprocessed_items_again() {
    let (client, replay) = client(vec![unprocessed(&["o03", "o07"]), unprocessed(&[]), unprocessed(&[])]);
    dynaquery::dynamodb::put_items(&client, "orders", &orders(30)).await.unwrap();
    let sent: Vec<usize> = replay.actual_requests().map(puts_in).collect();
    assert_eq!(sent, [25, 2, 5], "batch 1, its two unprocessed items again, batch 2");
}

#[tokio::test]
async fn put_items_gives_up_after_8_requests_with_a_retryable_throttled_error() {
    let events = (0..8).map(|_| unprocessed(&["o01"])).collect();
    let (client, replay) = client(events);
    let err = dynaquery::dynamodb::put_items(&client, "orders", &orders(3)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
    assert!(err.is_retryable() && !err.is_client_error());
    assert!(
        err.to_string().contains("1 of the 3 items of batch 1 stayed unprocessed after 8 requests"),
        "{err}"
    );
    assert_eq!(replay.actual_requests().count(), 8);
}

#[tokio::test]
async fn put_items_on_a_missing_table_is_not_found() {
    let (client, _) = client(vec![missing_table()]);
    let err = dynaquery::dynamodb::put_items(&client, "orders", &orders(1)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("BatchWriteItem"), "{err}");
}
