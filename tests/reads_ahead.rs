//! Reads ahead past a run of ties against the naive reference.
//!
//! A cold first page whose streams stop inside a run (a date of date-only
//! keys) reads the rest of the run with a request pinned to its value
//! and, in the same round trip, on past it: that response is taken only
//! once the run's rest came back. Responses arrive in any order, so the
//! backend here holds back either the pinned requests (the read ahead
//! comes first and waits) or the others (the stream waits on the read
//! ahead), and every pagination must equal the reference while no request
//! of a page reads an item an earlier one of the page read.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use common::recording::Recording;
use common::{by_p_ts_schema, memory, reference};
use dynaquery::{
    asc, col, desc, item, Backend, BatchGetRequest, BatchGetResponse, Engine, Item, Query, QueryStats,
    ReadRequest, ReadResponse, Value,
};
use futures::executor::block_on;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).map_or(64, |c: u32| c / 10 + 1)
}

/// Which responses arrive late.
#[derive(Debug, Clone, Copy)]
enum Late {
    None,
    /// Requests pinned to a run (no real `Limit`): the read ahead arrives
    /// first and waits for the run's rest.
    Pinned,
    /// Every other request: the run's rest arrives first and the stream
    /// waits on the read ahead.
    Others,
}

/// A backend that answers the requests `late` names after the others in
/// flight (it yields to them a few times first).
struct Reordering<B> {
    inner: B,
    late: Late,
}

/// Pending `n` times, waking itself each time: the futures beside it in
/// the page's set of requests in flight are polled first.
struct YieldTimes(u8);

impl Future for YieldTimes {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 == 0 {
            return Poll::Ready(());
        }
        self.0 -= 1;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

impl<B: Backend> Backend for Reordering<B> {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        // A pinned request reads the rest of a run with no `Limit` but what
        // the read budget (50 000 items) has left; a sized one asks for at
        // most 10 000 (`Tuning::max_limit`).
        let pinned = request.limit.is_some_and(|l| l > 10_000);
        let late = match self.late {
            Late::None => false,
            Late::Pinned => pinned,
            Late::Others => !pinned,
        };
        if late {
            YieldTimes(8).await;
        }
        self.inner.read(request).await
    }

    async fn batch_get(&self, request: BatchGetRequest) -> dynaquery::Result<BatchGetResponse> {
        self.inner.batch_get(request).await
    }
}

/// The date `day` days before 2026-11-30 (`YYYY-MM-DD`; up to 60).
fn date(day: u32) -> String {
    if day < 30 {
        format!("2026-11-{:02}", 30 - day)
    } else {
        format!("2026-10-{:02}", 31 - (day - 30))
    }
}

/// `(stream, day, french, total)` per item: date-only keys over `days`
/// days, so every date is a run of ties on each stream.
fn table_strategy() -> impl Strategy<Value = Vec<Item>> {
    (0.05f64..0.9, 2u32..60, 200usize..1500).prop_flat_map(|(share, days, n)| {
        prop::collection::vec((0u8..=9, 0..days, prop::bool::weighted(share), 0u8..4), n).prop_map(|rows| {
            rows.into_iter()
                .enumerate()
                .map(|(i, (p, day, fr, total))| {
                    // Skewed: streams 0 and 1 hold most items.
                    let p = if p < 7 { p % 2 } else { p - 5 };
                    item([
                        ("id", Value::from(format!("i{i:05}"))),
                        ("p", Value::from(format!("p{p}"))),
                        ("ts", Value::from(date(day))),
                        ("country", Value::from(if fr { "FR" } else { "DE" })),
                        ("total", Value::from(u32::from(total))),
                    ])
                })
                .collect()
        })
    })
}

fn query(streams: usize, descending: bool, strict: bool) -> Query {
    let mut q = Query::new()
        .filter(col("p").is_in((0..streams).map(|p| format!("p{p}"))))
        .filter(col("country").eq("FR"));
    if strict {
        q = q.filter(col("ts").lt("2026-11-29"));
    }
    q.order_by(if descending { desc("ts") } else { asc("ts") }).order_by(desc("total")).order_by(asc("id"))
}

/// Every page of `q` at `size` rows on a new engine (its first page
/// cold), with the rows and the stats of each page.
fn paginate(
    items: &[Item],
    q: &Query,
    size: usize,
    late: Late,
) -> Result<(Vec<Item>, Vec<QueryStats>), String> {
    let table = memory(by_p_ts_schema(), items);
    let backend = Recording::new(Reordering { inner: table, late }, &["id"], "ts");
    let engine = Engine::new(by_p_ts_schema(), backend);
    let (mut rows, mut stats) = (Vec::new(), Vec::new());
    let mut q = q.clone().limit(size);
    for _ in 0..items.len() + 2 {
        let page = block_on(engine.fetch(&q)).map_err(|e| format!("page {}: {e}", stats.len() + 1))?;
        engine.backend().end_page(page.rows.last());
        rows.extend(page.rows);
        stats.push(page.stats);
        let violations = engine.backend().violations();
        if !violations.is_empty() {
            return Err(format!("page {}: {violations:#?}", stats.len()));
        }
        match page.next_cursor {
            Some(c) => q = q.cursor(c),
            None => return Ok((rows, stats)),
        }
    }
    Err("more pages than rows".into())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn paginations_that_read_ahead_past_runs_equal_the_reference(
        items in table_strategy(),
        streams in 1usize..=5,
        descending in any::<bool>(),
        strict in any::<bool>(),
        size in 1usize..80,
    ) {
        let q = query(streams, descending, strict);
        let want = reference::run(&q, &["id"], &items);
        for late in [Late::None, Late::Pinned, Late::Others] {
            let (got, _) = paginate(&items, &q, size, late).map_err(|e| TestCaseError::fail(format!("{late:?}: {e}")))?;
            if got != want {
                let at = got.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
                let id = |v: &[Item], i: usize| v.get(i).map(|it| format!("{:?}", (it.get("id"), it.get("ts"), it.get("p"))));
                return Err(TestCaseError::fail(format!(
                    "{late:?}, page size {size}: {} rows, want {}; first difference at {at}: got {:?}, want {:?}",
                    got.len(), want.len(), id(&got, at), id(&want, at)
                )));
            }
        }
    }
}

/// A fixed table where cold first pages read ahead: 3 000 orders on 15
/// dates, 4 streams, a tenth French (a date holds about 50 items and 5
/// rows a stream: the first requests stop inside a date, and a page of 30
/// rows spans two). Whichever response of a round trip comes first, the
/// pages equal the reference, and the first page reads ahead. (At pages
/// of 25, the strict query's cold page newest first read nothing ahead
/// once a cold page's early rounds planned for a higher selectivity than
/// its probe found: its rounds ended elsewhere.)
#[test]
fn a_cold_page_reads_ahead_whichever_response_comes_first() {
    let items: Vec<Item> = (0..3000u32)
        .map(|i| {
            // A fixed spread: day, stream and country from the index.
            let h = i.wrapping_mul(2_654_435_761);
            item([
                ("id", Value::from(format!("i{i:05}"))),
                ("p", Value::from(format!("p{}", (h >> 8) % 4))),
                ("ts", Value::from(date((h >> 16) % 15))),
                ("country", Value::from(if (h >> 4) % 10 == 0 { "FR" } else { "DE" })),
                ("total", Value::from((h >> 12) % 7)),
            ])
        })
        .collect();
    for (descending, strict) in [(true, false), (false, false), (true, true)] {
        let q = query(4, descending, strict);
        let want = reference::run(&q, &["id"], &items);
        for late in [Late::None, Late::Pinned, Late::Others] {
            let (got, stats) = paginate(&items, &q, 30, late).unwrap_or_else(|e| panic!("{late:?}: {e}"));
            assert_eq!(got, want, "{late:?} descending={descending} strict={strict}");
            assert!(
                stats[0].reads_ahead > 0,
                "{late:?} descending={descending} strict={strict}: the cold first page read no run ahead: {:?}",
                stats[0]
            );
            assert!(stats[1..].iter().all(|s| s.reads_ahead == 0), "only cold pages read ahead");
        }
    }
}
