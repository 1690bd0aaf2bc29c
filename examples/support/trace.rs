//! A backend wrapper that logs every request while switched on (stream,
//! key condition, `Limit`, start key, and what came back), one line each,
//! for `cost_matrix --trace-worst` and the request-trace snapshot tests.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering as AtomicOrdering};
use std::sync::Mutex;

use dynaquery::{Backend, BatchGetRequest, BatchGetResponse, ReadRequest, ReadResponse, Value};

/// Logs every request while switched on: stream, key condition, `Limit`,
/// start key, and what came back.
pub struct Traced<B> {
    pub inner: B,
    pub on: AtomicBool,
    /// Responses received while tracing: a request issued after `n` of them
    /// waited for those (requests with the same `n` went out together).
    done: AtomicUsize,
    pub log: Mutex<Vec<String>>,
}

impl<B> Traced<B> {
    pub fn new(inner: B) -> Self {
        Traced { inner, on: AtomicBool::new(false), done: AtomicUsize::new(0), log: Mutex::new(Vec::new()) }
    }
}

impl<B: Backend> Backend for Traced<B> {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        // The in-memory backend answers on the first poll; a network does not.
        // Yielding once lets every request the engine sends together go out
        // before the first answer, as it would over a network.
        let answered = self.done.load(AtomicOrdering::Relaxed);
        YieldOnce(false).await;
        if !self.on.load(AtomicOrdering::Relaxed) {
            return self.inner.read(request).await;
        }
        let mut line = format!("after {answered:>2} responses: ");
        if let Some(k) = &request.key {
            let part = k.partition.iter().map(|(_, v)| show(v)).collect::<Vec<_>>().join(",");
            let _ = write!(line, "{part:<10}");
            for (a, v) in &k.sort_eq {
                let _ = write!(line, " {a} = {}", show(v));
            }
            if let Some((a, r)) = &k.sort_range {
                let _ = write!(line, " {a} {}", range_text(r));
            }
        }
        let _ = write!(
            line,
            " | {} limit {}",
            if request.scan_forward { "fwd" } else { "back" },
            request.limit.map_or("-".into(), |l| l.to_string())
        );
        if let Some(esk) = &request.exclusive_start_key {
            // The key's attributes but the stream's partition values.
            let part =
                |a: &str| request.key.as_ref().is_some_and(|k| k.partition.iter().any(|(p, _)| p == a));
            let at: Vec<String> = esk.iter().filter(|(a, _)| !part(a)).map(|(_, v)| show(v)).collect();
            let _ = write!(line, " | start after {}", at.join(" "));
        }
        let r = self.inner.read(request).await?;
        self.done.fetch_add(1, AtomicOrdering::Relaxed);
        let _ = write!(
            line,
            " -> scanned {} returned {}{}",
            r.scanned_count,
            r.items.len(),
            if r.last_evaluated_key.is_some() { "" } else { " (end)" }
        );
        self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(line);
        Ok(r)
    }

    async fn batch_get(&self, request: BatchGetRequest) -> dynaquery::Result<BatchGetResponse> {
        self.inner.batch_get(request).await
    }
}

/// Pending once, then ready.
pub struct YieldOnce(pub bool);

impl std::future::Future for YieldOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

pub fn range_text(r: &dynaquery::SortRange) -> String {
    use dynaquery::SortRange::*;
    match r {
        Eq(v) => format!("= {}", show(v)),
        Lt(v) => format!("< {}", show(v)),
        Le(v) => format!("<= {}", show(v)),
        Gt(v) => format!("> {}", show(v)),
        Ge(v) => format!(">= {}", show(v)),
        Between(a, b) => format!("BETWEEN {} AND {}", show(a), show(b)),
        other => format!("{other:?}"),
    }
}

/// A key value for the trace, a run of U+10FFFF (what a bound just below a
/// string ends with) shortened.
pub fn show(v: &Value) -> String {
    match v {
        Value::S(s) => {
            let head = s.trim_end_matches('\u{10ffff}');
            let n = s[head.len()..].chars().count();
            if n == 0 {
                format!("{s:?}")
            } else {
                format!("{head:?}+U+10FFFF*{n}")
            }
        }
        other => other.to_string(),
    }
}

impl<B> Traced<B> {
    /// The lines logged so far, taken.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.log.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}
