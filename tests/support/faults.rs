//! A `Backend` wrapper for tests: counts calls, tracks requests in flight
//! (and their cancellation), and injects faults by call number.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use dynaquery::{Backend, BatchGetRequest, BatchGetResponse, Error, ErrorKind, ReadRequest, ReadResponse};

/// What to do to one call.
#[derive(Debug, Clone, Copy)]
pub enum Fault {
    /// Fail as DynamoDB does when the SDK's retries ran out on throttling.
    Throttle,
    /// Hang, then fail as a timed-out request does.
    Timeout,
    /// Fail with a 5xx.
    ServerError,
    /// Answer correctly, late.
    Slow(Duration),
}

/// Wraps a backend; see the module docs.
pub struct Faults<B> {
    inner: B,
    faults: Mutex<HashMap<u64, Fault>>,
    every: Mutex<Option<Fault>>,
    pub calls: AtomicU64,
    pub finished: AtomicU64,
    pub in_flight: AtomicI64,
    pub peak_in_flight: AtomicI64,
}

struct InFlight<'a>(&'a AtomicI64);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl<B> Faults<B> {
    pub fn new(inner: B) -> Self {
        Faults {
            inner,
            faults: Mutex::new(HashMap::new()),
            every: Mutex::new(None),
            calls: AtomicU64::new(0),
            finished: AtomicU64::new(0),
            in_flight: AtomicI64::new(0),
            peak_in_flight: AtomicI64::new(0),
        }
    }

    /// Injects `fault` into call number `n` (0-based).
    pub fn on_call(self, n: u64, fault: Fault) -> Self {
        self.faults.lock().unwrap().insert(n, fault);
        self
    }

    /// Injects `fault` into every call.
    pub fn always(self, fault: Fault) -> Self {
        *self.every.lock().unwrap() = Some(fault);
        self
    }

    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::SeqCst)
    }
}

impl<B: Backend> Backend for Faults<B> {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::SeqCst);
        let _guard = InFlight(&self.in_flight);
        let fault = self.faults.lock().unwrap().get(&n).copied().or(*self.every.lock().unwrap());
        let out = match fault {
            Some(Fault::Throttle) => Err(Error::new(
                ErrorKind::Throttled,
                "Query failed: ThrottlingException: Rate of requests exceeds the allowed throughput",
            )),
            Some(Fault::Timeout) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Err(Error::new(ErrorKind::TimedOut, "Query failed: dispatch failure: timeout"))
            }
            Some(Fault::ServerError) => {
                Err(Error::new(ErrorKind::Backend, "Query failed: InternalServerError (HTTP 500)")
                    .with_retryable(true))
            }
            Some(Fault::Slow(d)) => {
                tokio::time::sleep(d).await;
                self.inner.read(request).await
            }
            None => self.inner.read(request).await,
        };
        self.finished.fetch_add(1, Ordering::SeqCst);
        out
    }

    /// Forwarded as it is: faults are injected into `read` calls only.
    async fn batch_get(&self, request: BatchGetRequest) -> dynaquery::Result<BatchGetResponse> {
        self.inner.batch_get(request).await
    }
}
