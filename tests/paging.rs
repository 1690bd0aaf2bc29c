//! `Engine::pages` and `Engine::rows`: every page as a `Send + 'static`
//! stream, checked up front, lazy, ending at the first error, cancelled by
//! dropping.

mod common;
mod support;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use common::{all_pages, reference};
use dynaquery::{col, desc, Engine, ErrorKind, Item, MemoryTable, Page, Query, Schema, Value};
use futures::{Stream, StreamExt, TryStreamExt};
use support::faults::{Fault, Faults};
use support::fixture;

fn schema() -> Schema {
    fixture::schema()
}

fn items() -> Vec<Item> {
    fixture::items(300, 4)
}

fn table() -> MemoryTable {
    fixture::table(300, 4)
}

fn query() -> Query {
    fixture::query(4, 7)
}

fn faulty(faults: Faults<MemoryTable>) -> Engine<Arc<Faults<MemoryTable>>> {
    Engine::new(schema(), Arc::new(faults))
}

fn ids(rows: &[Item]) -> Vec<Value> {
    rows.iter().map(|r| r["order_id"].clone()).collect()
}

/// Compile-time: what a service needs to spawn the stream or hand it to a body.
fn send_static<S: Stream + Send + 'static>(s: S) -> S {
    s
}

#[tokio::test]
async fn pages_follow_the_cursors_to_the_end() {
    let engine = Engine::new(schema(), table());
    let pages: Vec<Page> = send_static(engine.pages(query())).try_collect().await.unwrap();
    let want = reference::run(&query(), &["order_id"], &items());
    assert_eq!(want.len(), 100);
    assert_eq!(pages.len(), 15, "14 full pages of 7 and one of 2");
    assert!(pages[..14].iter().all(|p| p.rows.len() == 7 && p.next_cursor.is_some()));
    assert!(pages[14].next_cursor.is_none());
    let rows: Vec<Item> = pages.into_iter().flat_map(|p| p.rows).collect();
    assert_eq!(rows, want);
    // The same as following the cursors by hand.
    assert_eq!(rows, all_pages(&engine, &query(), 20).await.unwrap());
}

#[tokio::test]
async fn rows_flatten_the_pages_and_resume_from_a_cursor() {
    let engine = Engine::new(schema(), table());
    let want = reference::run(&query(), &["order_id"], &items());
    let rows: Vec<Item> = send_static(engine.rows(query())).try_collect().await.unwrap();
    assert_eq!(ids(&rows), ids(&want));
    // From the second page's cursor on.
    let first = engine.fetch(&query()).await.unwrap();
    let rest: Vec<Item> =
        engine.rows(query().cursor(first.next_cursor.unwrap())).try_collect().await.unwrap();
    assert_eq!(ids(&rest), ids(&want[7..]));
    // An offset applies once, to the first page.
    let skipped: Vec<Item> = engine.rows(query().offset(10)).try_collect().await.unwrap();
    assert_eq!(ids(&skipped), ids(&want[10..]));
}

#[tokio::test]
async fn the_streams_can_be_spawned() {
    let engine = Engine::new(schema(), table());
    let handle = tokio::spawn(engine.rows(query()).try_collect::<Vec<Item>>());
    drop(engine);
    assert_eq!(handle.await.unwrap().unwrap().len(), 100);
}

#[tokio::test]
async fn a_bad_cursor_is_the_first_and_only_element_and_reads_nothing() {
    let engine = faulty(Faults::new(table()));
    let another = Query::new().filter(col("status").eq("s1")).order_by(desc("created_at")).limit(3);
    let other = engine.fetch(&another).await.unwrap().next_cursor.unwrap();
    let calls = engine.backend().calls();
    for cursor in ["garbage".to_owned(), "AAAA".to_owned(), other] {
        let q = query().cursor(cursor.clone());
        let all: Vec<_> = engine.pages(q.clone()).collect().await;
        assert_eq!(all.len(), 1, "{cursor}");
        assert_eq!(all[0].as_ref().unwrap_err().kind(), ErrorKind::InvalidCursor, "{cursor}");
        let all: Vec<_> = engine.rows(q).collect().await;
        assert_eq!(all.len(), 1, "{cursor}");
        assert_eq!(all[0].as_ref().unwrap_err().kind(), ErrorKind::InvalidCursor, "{cursor}");
    }
    // A query no index serves, likewise.
    let all: Vec<_> = engine.rows(Query::new().filter(col("country").eq("FR"))).collect().await;
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].as_ref().unwrap_err().kind(), ErrorKind::NoUsableIndex);
    assert_eq!(engine.backend().calls(), calls, "nothing was read");
}

#[tokio::test]
async fn a_failed_page_ends_the_stream_after_the_complete_pages() {
    // The first call of the second page fails: count the first page's calls.
    let probe = faulty(Faults::new(table()));
    probe.fetch(&query()).await.unwrap();
    let engine = faulty(Faults::new(table()).on_call(probe.backend().calls(), Fault::Throttle));
    let all: Vec<_> = engine.pages(query()).collect().await;
    assert_eq!(all.len(), 2, "one complete page, then the error, then the end");
    let (last, ok) = all.split_last().unwrap();
    assert_eq!(last.as_ref().unwrap_err().kind(), ErrorKind::Throttled);
    assert!(ok.iter().all(|p| p.as_ref().is_ok_and(|p| p.rows.len() == 7)));
    // The last complete page's cursor resumes where the stream stopped.
    let cursor = ok.last().unwrap().as_ref().unwrap().next_cursor.clone().unwrap();
    let rest: Vec<Item> = engine.rows(query().cursor(cursor)).try_collect().await.unwrap();
    let want = reference::run(&query(), &["order_id"], &items());
    assert_eq!(ids(&rest), ids(&want[7 * ok.len()..]));
}

#[tokio::test]
async fn pages_are_fetched_only_when_polled() {
    let engine = faulty(Faults::new(table()));
    let mut pages = Box::pin(engine.pages(query()));
    assert_eq!(engine.backend().calls(), 0, "nothing before the first poll");
    let first = pages.next().await.unwrap().unwrap();
    assert_eq!(first.rows.len(), 7);
    let after_first = engine.backend().calls();
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(engine.backend().calls(), after_first, "no prefetch between polls");
    pages.next().await.unwrap().unwrap();
    assert!(engine.backend().calls() > after_first);
}

#[tokio::test]
async fn dropping_the_stream_cancels_the_requests_in_flight() {
    let engine = faulty(Faults::new(table()).always(Fault::Slow(Duration::from_secs(30))));
    let mut rows = Box::pin(engine.rows(query()));
    let r = tokio::time::timeout(Duration::from_millis(100), rows.next()).await;
    assert!(r.is_err(), "the first page cannot finish: every request takes 30 s");
    let b = engine.backend();
    assert!(b.calls() > 0);
    assert!(b.in_flight.load(Ordering::SeqCst) > 0, "requests are in flight");
    drop(rows);
    assert_eq!(b.in_flight.load(Ordering::SeqCst), 0, "every request was dropped with the stream");
    assert_eq!(b.finished.load(Ordering::SeqCst), 0, "none completed");
}
