//! Faults, cancellation and concurrency: every case ends in a correct page
//! or a typed error — never a short page presented as complete.

mod common;
mod support;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::{all_pages, reference};
use dynaquery::{Engine, ErrorKind, Item, MemoryTable, Options, Query, Schema};
use support::faults::{Fault, Faults};
use support::fixture;

fn schema() -> Schema {
    fixture::schema()
}

fn items() -> Vec<Item> {
    fixture::items(400, 10)
}

fn table() -> MemoryTable {
    fixture::table(400, 10)
}

fn query() -> Query {
    fixture::query(10, 25)
}

/// The page fails with the backend's error, its kind and retryability kept.
async fn expect_backend_error(fault: Fault, at: u64, kind: ErrorKind) {
    let engine = Engine::new(schema(), Faults::new(table()).on_call(at, fault));
    let err = engine.fetch(&query()).await.expect_err("a fault must not produce a page");
    assert_eq!(err.kind(), kind, "{fault:?}: {err}");
    assert!(err.is_retryable() && !err.is_client_error(), "{fault:?}: {err:?}");
}

#[tokio::test]
async fn throttling_that_outlasts_retries_is_an_error() {
    expect_backend_error(Fault::Throttle, 0, ErrorKind::Throttled).await;
}

#[tokio::test]
async fn a_timeout_is_an_error() {
    expect_backend_error(Fault::Timeout, 3, ErrorKind::TimedOut).await;
}

#[tokio::test]
async fn a_5xx_is_an_error() {
    expect_backend_error(Fault::ServerError, 1, ErrorKind::Backend).await;
}

#[tokio::test]
async fn a_failure_in_the_middle_of_a_multi_page_fan_out_fails_the_page() {
    // Ten streams: calls 0–9 are the first round; call 12 is a refill.
    let engine = Engine::new(schema(), Faults::new(table()).on_call(12, Fault::ServerError));
    let err = engine.fetch(&query().limit(100)).await.expect_err("no short page");
    assert_eq!(err.kind(), ErrorKind::Backend);
    assert!(engine.backend().calls() > 12);
}

#[tokio::test]
async fn slow_streams_still_give_the_right_pages() {
    let engine = Engine::new(
        schema(),
        Faults::new(table())
            .always(Fault::Slow(Duration::from_millis(2)))
            .on_call(3, Fault::Slow(Duration::from_millis(60))),
    );
    let got = all_pages(&engine, &query(), 100).await.unwrap();
    assert_eq!(got, reference::run(&query(), &["order_id"], &items()));
}

#[tokio::test]
async fn dropping_the_page_future_cancels_every_request() {
    let engine = Engine::new(schema(), Faults::new(table()).always(Fault::Slow(Duration::from_secs(30))));
    let r = tokio::time::timeout(Duration::from_millis(100), engine.fetch(&query())).await;
    assert!(r.is_err(), "the page cannot finish: every request takes 30 s");
    let b = engine.backend();
    let started = b.calls();
    assert!(started >= 10, "the first round was in flight ({started} calls)");
    assert_eq!(b.in_flight.load(Ordering::SeqCst), 0, "every request future was dropped");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(b.calls(), started, "no request starts after the page future is gone");
    assert_eq!(b.finished.load(Ordering::SeqCst), 0, "none ran to completion");
}

#[tokio::test]
async fn concurrent_requests_never_exceed_the_cap() {
    for cap in [1usize, 3, 8] {
        let engine =
            Engine::new(schema(), Faults::new(table()).always(Fault::Slow(Duration::from_millis(3))))
                .with_options(Options::default().max_concurrency(cap));
        let got = all_pages(&engine, &query(), 100).await.unwrap();
        assert_eq!(got, reference::run(&query(), &["order_id"], &items()));
        let peak = engine.backend().peak_in_flight.load(Ordering::SeqCst);
        assert!(peak as usize <= cap, "cap {cap}, peak {peak}");
        assert!(peak >= 1);
    }
}
