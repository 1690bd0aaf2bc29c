//! Spans for the `tracing` feature: one per page, one per backend request,
//! following the AWS SDK's own use of `tracing` (its spans, such as the
//! `Query` operation's, nest under the request span). Compiled only with
//! the feature: without it no code and no type of this module exists.
//!
//! ```text
//! dynaquery.page     fingerprint, table, index, streams, strategy, limit
//!                    → rows, items_read, round_trips, rcu, sizing_start
//!   dynaquery.request  table, index, stream, limit
//!                    → scanned, returned, more, latency_us
//! ```

use std::fmt::Write as _;
use std::time::Instant;

use tracing::field::Empty;
use tracing::Instrument;

use crate::backend::{Backend, BatchGetRequest, BatchGetResponse, ReadRequest, ReadResponse};
use crate::error::Result;
use crate::page::Page;
use crate::plan::Plan;
use crate::value::Item;

/// The span of one page of `plan`; its outcome is recorded by [`record_page`].
pub(crate) fn page_span(plan: &Plan) -> tracing::Span {
    let fingerprint = plan.fingerprint().iter().fold(String::with_capacity(32), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    });
    tracing::debug_span!(
        "dynaquery.page",
        fingerprint = %fingerprint,
        table = %plan.table,
        index = plan.index().unwrap_or(""),
        streams = plan.streams().len(),
        strategy = ?plan.strategy(),
        limit = plan.limit(),
        rows = Empty,
        items_read = Empty,
        round_trips = Empty,
        rcu = Empty,
        sizing_start = Empty,
    )
}

/// Records what a page cost on its span.
pub(crate) fn record_page(span: &tracing::Span, page: &Page<Item>) {
    let s = &page.stats;
    span.record("rows", s.rows);
    span.record("items_read", s.items_read);
    span.record("round_trips", s.round_trips);
    if let Some(rcu) = s.consumed_capacity {
        span.record("rcu", rcu);
    }
    span.record("sizing_start", tracing::field::debug(s.sizing_start));
}

/// A backend whose every request runs in a `dynaquery.request` span.
pub(crate) struct Traced<'a, B>(pub &'a B);

/// The stream a request reads: its partition values, `attr=value` joined
/// by `,` (empty for a `Scan`).
fn stream(request: &ReadRequest) -> String {
    let mut out = String::new();
    for (attr, value) in request.key.iter().flat_map(|k| k.partition.iter().chain(&k.sort_eq)) {
        if !out.is_empty() {
            out.push(',');
        }
        let _ = write!(out, "{attr}={value:?}");
    }
    out
}

impl<B: Backend> Backend for Traced<'_, B> {
    async fn read(&self, request: ReadRequest) -> Result<ReadResponse> {
        let span = tracing::debug_span!(
            "dynaquery.request",
            table = %request.table,
            index = request.index.as_deref().unwrap_or(""),
            stream = %stream(&request),
            limit = request.limit,
            scanned = Empty,
            returned = Empty,
            more = Empty,
            latency_us = Empty,
        );
        let started = Instant::now();
        let out = self.0.read(request).instrument(span.clone()).await;
        span.record("latency_us", u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
        if let Ok(r) = &out {
            span.record("scanned", r.scanned_count);
            span.record("returned", r.count);
            span.record("more", r.last_evaluated_key.is_some());
        }
        out
    }

    async fn batch_get(&self, request: BatchGetRequest) -> Result<BatchGetResponse> {
        let span =
            tracing::debug_span!("dynaquery.batch_get", table = %request.table, keys = request.keys.len());
        self.0.batch_get(request).instrument(span).await
    }
}
