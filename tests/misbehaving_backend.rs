//! A backend that breaks DynamoDB's contract: the page ends in a typed
//! error, never a hang, a panic or a short page presented as complete.

mod support;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use dynaquery::{
    col, Backend, BatchGetRequest, BatchGetResponse, Engine, ErrorKind, Item, Query, ReadRequest,
    ReadResponse,
};
use support::fixture;

/// Answers a read's first request as the table does, but says it stopped
/// before the end (a `LastEvaluatedKey`: its last item's, or an empty key
/// where it returned none), and every request that resumes after a key
/// with no items, none evaluated, and the same key again: a server (or an
/// emulator) whose pagination does not move.
#[derive(Clone)]
struct Stalls<B>(B);

impl<B: Backend> Backend for Stalls<B> {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        match request.exclusive_start_key.clone() {
            Some(start) => Ok(ReadResponse::new(Vec::new(), 0).with_last_evaluated_key(start)),
            None => {
                let first = self.0.read(request).await?;
                let key = first.items.last().cloned().unwrap_or_default();
                Ok(first.with_last_evaluated_key(key))
            }
        }
    }

    async fn batch_get(&self, request: BatchGetRequest) -> dynaquery::Result<BatchGetResponse> {
        self.0.batch_get(request).await
    }
}

/// The page's or the count's outcome, which must come: the responses are
/// ready at once, so a loop that never ends would never yield to the
/// timeout either; the test runs it on another thread and waits there.
fn ends<T, F>(work: impl FnOnce() -> F + Send + 'static) -> T
where
    T: Send + 'static,
    F: std::future::Future<Output = T>,
{
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        let _ = tx.send(rt.block_on(work()));
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("it must end: a key that does not move is the backend's fault, not more to read")
}

/// A `Backend` error that names the key, the backend's fault and not
/// worth retrying: asking again gets the same answer.
fn backends_fault(err: &dynaquery::Error) {
    assert_eq!(err.kind(), ErrorKind::Backend, "{err}");
    assert!(err.to_string().contains("LastEvaluatedKey"), "{err}");
    assert!(!err.is_retryable() && !err.is_client_error(), "{err:?}");
}

fn engine() -> Engine<Stalls<dynaquery::MemoryTable>> {
    Engine::new(fixture::schema(), Stalls(fixture::table(400, 10)))
}

#[test]
fn a_page_whose_last_evaluated_key_does_not_move_is_an_error_not_a_hang() {
    let err = ends(|| async { engine().fetch(&fixture::query(10, 25).limit(100)).await })
        .expect_err("a stream that cannot be read to its end gives no page");
    backends_fault(&err);
}

#[test]
fn a_count_whose_last_evaluated_key_does_not_move_is_an_error_not_a_hang() {
    let french = Query::new()
        .filter(col("status").is_in((0..10).map(|s| format!("s{s}"))))
        .filter(col("country").eq("FR"));
    let err = ends(|| async move { engine().count(&french).await })
        .expect_err("a count that cannot read to the end gives no count");
    backends_fault(&err);
}

/// Answers a stream's first read as the table does, but stopped after its
/// items (their last one's key), and its resumed reads with a
/// `LastEvaluatedKey` behind where the stream had read to: the first
/// item's of its first read.
struct Rewinds<B> {
    inner: B,
    first: Mutex<HashMap<String, Item>>,
}

impl<B: Backend> Backend for Rewinds<B> {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        let stream = format!("{:?} {:?}", request.index, request.key.as_ref().map(|k| &k.partition));
        let resumed = request.exclusive_start_key.is_some();
        let r = self.inner.read(request).await?;
        // The key of an item of the fixture's index: the table's and the
        // index's key attributes.
        let key = |it: &Item| -> Item {
            let keys = ["order_id", "status", "created_at"];
            it.iter()
                .filter(|(k, _)| keys.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let (Some(head), Some(last)) = (r.items.first().map(key), r.items.last().map(key)) else {
            return Ok(r);
        };
        let mut first = self.first.lock().unwrap();
        match first.get(&stream) {
            Some(behind) if resumed => {
                let behind = behind.clone();
                Ok(r.with_last_evaluated_key(behind))
            }
            _ => {
                first.entry(stream).or_insert(head);
                Ok(r.with_last_evaluated_key(last))
            }
        }
    }

    async fn batch_get(&self, request: BatchGetRequest) -> dynaquery::Result<BatchGetResponse> {
        self.inner.batch_get(request).await
    }
}

#[test]
fn a_page_whose_last_evaluated_key_goes_backwards_is_an_error_not_a_panic_or_rows_twice() {
    let err = ends(|| async {
        let engine = Engine::new(
            fixture::schema(),
            Rewinds { inner: fixture::table(400, 10), first: Mutex::default() },
        );
        engine.fetch(&fixture::query(10, 25).limit(100)).await
    })
    .expect_err("a stream read backwards gives no page");
    backends_fault(&err);
}

#[test]
fn a_parallel_scan_whose_last_evaluated_key_does_not_move_is_an_error_not_a_hang() {
    use futures::StreamExt;
    let rows = ends(|| async {
        let scan = Query::new().filter(col("country").eq("FR")).allow_scan(true);
        engine().scan_segments(scan, 4, 4).collect::<Vec<_>>().await
    });
    let err = rows.into_iter().find_map(Result::err).expect("a segment that cannot be read to its end fails");
    backends_fault(&err);
}
