//! Unordered exports that scale out: DynamoDB's parallel scan
//! ([`Engine::segment_pages`], [`Engine::scan_segments_pages`],
//! [`Engine::scan_segments`]).
//!
//! ```text
//!                      ┌─ segment 0 of N: Scan ─ LastEvaluatedKey ─ Scan … ─┐
//! scan_segments(q, N, c)  segment 1 of N: Scan ─ …                          ├─> rows as they come
//!   at most c segments ┆  …                                                  │   (no order)
//!   read at once       └─ segment N-1 of N: Scan ─ …                        ─┘
//! ```
//!
//! Each segment is an independent pagination: one `Scan` call per page,
//! resumed from DynamoDB's own `LastEvaluatedKey`, which the segment's
//! cursor carries (with the segment, the total and the query's
//! fingerprint: `crate::scan_cursor`). There is no order to keep, so
//! nothing is merged, buffered or re-read: memory is one page per segment
//! being read, whatever the table's size.
//!
//! Only a query that has no `ORDER BY` and that no index serves (its plan
//! is a [`Scan`](Plan::is_scan), which the query must
//! [allow](Query::allow_scan)) runs this way. A query an index serves
//! reads only the partitions it names, through [`Engine::pages`]: scanning
//! the whole table in parallel would read more, not less. A query with an
//! `ORDER BY` keeps the merged `Query` path, which alone gives the order.

use std::sync::Arc;

use futures::stream::{self, Stream, StreamExt};

use crate::backend::{Backend, ReadRequest, ScanSegment};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::page::Page;
use crate::plan::Plan;
use crate::query::Query;
use crate::scan_cursor;
use crate::stats::{QueryStats, StreamStats};
use crate::value::Item;

/// Where a segment's pages stream stands.
enum Next<B> {
    /// Read the page starting after this key (`None`: the segment's start).
    Read(Engine<B>, Arc<Plan>, ScanSegment, Option<Item>),
    /// Yield this error, then end.
    Fail(Error),
    /// Ended.
    Done,
}

impl<B: Backend + Clone + 'static> Engine<B> {
    /// The plan of an unordered scan export, or why `query` is not one.
    fn scan_plan(&self, query: &Query) -> Result<Plan> {
        if let Some(o) = query.get_order_by().first() {
            return Err(Error::invalid_query(format!(
                "ORDER BY {}: a parallel scan returns rows in no order; drop the ORDER BY to scan in \
                 segments, or read the ordered result with Engine::pages",
                o.attr
            )));
        }
        if query.get_offset() > 0 {
            return Err(Error::invalid_query(format!(
                "OFFSET {}: a parallel scan has no order to skip rows in; drop the offset",
                query.get_offset()
            )));
        }
        let plan = self.plan(query)?;
        // (`is_scan` also holds for a plan with no stream, which reads nothing.)
        if !plan.is_scan() {
            let read = match plan.index() {
                Some(ix) => format!("index `{ix}`"),
                None => format!("the key of table `{}`", self.schema().table),
            };
            return Err(Error::invalid_query(format!(
                "{read} serves this query, reading only the partitions it names: run it with \
                 Engine::pages or Engine::rows; a parallel scan is for queries no index serves, and would \
                 read the whole table"
            )));
        }
        Ok(plan)
    }

    /// Every page of one segment of a parallel scan of `query`, from the
    /// query's [cursor](Query::cursor) (a cursor this segment's pages gave)
    /// or the segment's start.
    ///
    /// `query` must have no `ORDER BY` and no offset, and be one that no
    /// index serves, with [`Query::allow_scan`]: see
    /// [`scan_segments`](Engine::scan_segments). Run every segment of the
    /// same total, in as many processes or machines as you like: their
    /// rows together are every matching item exactly once.
    ///
    /// Each page is one `Scan` call of the segment: at most the query's
    /// [`limit`](Query::limit) items *evaluated* (after
    /// [`Options::max_page_size`](crate::Options::max_page_size), and never
    /// more than the read budget), and the rows among them that pass the
    /// filter — so a page may hold fewer rows than the limit, even none,
    /// before the end. Its `next_cursor` resumes the segment right after
    /// it; it is `None` at the segment's end. The cursor records the
    /// segment, the total and the query: it resumes only the same segment
    /// of the same total of the same query, and is refused with
    /// [`ErrorKind::InvalidCursor`](crate::ErrorKind::InvalidCursor)
    /// (saying which segment it belongs to) otherwise.
    ///
    /// The stream behaves like [`pages`](Engine::pages): checked up front
    /// (a bad query or cursor is its only element), lazy, ends at the
    /// first error, cancelled by dropping.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// use dynaquery::{col, item, Engine, ErrorKind, KeyAttribute, MemoryTable, Query, ScanSegment, Schema, Value};
    /// use futures::{StreamExt, TryStreamExt};
    ///
    /// let schema = Schema::new("events", KeyAttribute::s("id"));
    /// let table = MemoryTable::new(schema.clone());
    /// for i in 0..40 {
    ///     table.put(item([("id", Value::from(format!("e{i:02}"))), ("n", Value::from(i))])).unwrap();
    /// }
    /// let engine = Engine::new(schema, table);
    /// let q = Query::new().allow_scan(true).filter(col("n").ge(10)).limit(5);
    ///
    /// // Segment 1 of 3: its first page, then the rest from that page's cursor.
    /// let seg = ScanSegment::new(1, 3)?;
    /// let first = Box::pin(engine.segment_pages(q.clone(), seg)).next().await.unwrap()?;
    /// let cursor = first.next_cursor.clone().unwrap();
    /// let rest: Vec<_> = engine.segment_pages(q.clone().cursor(cursor.clone()), seg).try_collect().await?;
    /// let resumed = first.rows.len() + rest.iter().map(|p| p.rows.len()).sum::<usize>();
    ///
    /// // The three segments hold the 30 matching items, each once.
    /// let mut total = 0;
    /// for s in ScanSegment::all(3)? {
    ///     let pages: Vec<_> = engine.segment_pages(q.clone(), s).try_collect().await?;
    ///     let n: usize = pages.iter().map(|p| p.rows.len()).sum();
    ///     if s == seg { assert_eq!(n, resumed); }
    ///     total += n;
    /// }
    /// assert_eq!(total, 30);
    ///
    /// // Another segment's cursor is refused, saying whose it is.
    /// let wrong = Box::pin(engine.segment_pages(q.cursor(cursor), ScanSegment::new(2, 3)?)).next().await.unwrap();
    /// let e = wrong.unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::InvalidCursor);
    /// assert!(e.message().contains("segment 1 of 3"));
    /// # Ok::<(), dynaquery::Error>(())
    /// # }).unwrap();
    /// ```
    ///
    /// # Errors
    /// As stream elements:
    /// [`ErrorKind::InvalidQuery`](crate::ErrorKind::InvalidQuery) for an
    /// `ORDER BY`, an offset, or a query an index serves; the planning
    /// errors of [`plan`](Engine::plan) (a query that does not allow the
    /// scan is [`ErrorKind::NoUsableIndex`](crate::ErrorKind::NoUsableIndex));
    /// [`ErrorKind::InvalidCursor`](crate::ErrorKind::InvalidCursor); the
    /// backend's errors.
    pub fn segment_pages(
        &self,
        query: Query,
        segment: ScanSegment,
    ) -> impl Stream<Item = Result<Page<Item>>> + Send + 'static {
        let start = match self.check_segment_start(&query, segment) {
            // A filter nothing can match (no stream): nothing to read.
            Ok((plan, _)) if plan.streams().is_empty() => Next::Done,
            Ok((plan, key)) => Next::Read(self.clone(), Arc::new(plan), segment, key),
            Err(e) => Next::Fail(e),
        };
        pages_from(start)
    }

    /// Checks everything [`segment_pages`](Engine::segment_pages) checks
    /// before its first request — the options, the query (no `ORDER BY`,
    /// no offset, a scan) and its cursor against `segment` — without
    /// reading anything: to refuse a bad cursor before opening an output.
    ///
    /// ```
    /// use dynaquery::{Engine, ErrorKind, KeyAttribute, MemoryTable, Query, ScanSegment, Schema};
    /// let schema = Schema::new("events", KeyAttribute::s("id"));
    /// let engine = Engine::new(schema.clone(), MemoryTable::new(schema));
    /// let q = Query::new().allow_scan(true);
    /// assert!(engine.check_segment(&q, ScanSegment::new(0, 2)?).is_ok());
    /// let e = engine.check_segment(&q.cursor("garbage"), ScanSegment::new(0, 2)?).unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::InvalidCursor);
    /// # Ok::<(), dynaquery::Error>(())
    /// ```
    ///
    /// # Errors
    /// The errors [`segment_pages`](Engine::segment_pages) yields before reading.
    pub fn check_segment(&self, query: &Query, segment: ScanSegment) -> Result<()> {
        self.check_segment_start(query, segment).map(|_| ())
    }

    /// The plan and the start key of `segment` of `query`.
    fn check_segment_start(&self, query: &Query, segment: ScanSegment) -> Result<(Plan, Option<Item>)> {
        let plan = self.scan_plan(query)?;
        let key = match query.get_cursor() {
            Some(c) => Some(scan_cursor::decode(self.schema(), &plan, segment, c, self.options())?),
            None => None,
        };
        Ok((plan, key))
    }

    /// Every page of every segment of a parallel scan of `query` split
    /// into `total_segments`, as the pages come: at most `concurrency`
    /// segments are read at once (clamped to 1 ..=
    /// [`Options::max_concurrency`](crate::Options::max_concurrency)), each
    /// one page at a time, so memory holds at most `concurrency` pages
    /// whatever the table's size. Pages of different segments interleave;
    /// each page's `next_cursor` resumes its own segment (see
    /// [`segment_pages`](Engine::segment_pages), whose pages these are).
    ///
    /// The stream is checked up front, lazy, ends at the first error (the
    /// other segments' requests are dropped), and is cancelled by
    /// dropping; see [`scan_segments`](Engine::scan_segments).
    ///
    /// # Errors
    /// As [`scan_segments`](Engine::scan_segments).
    pub fn scan_segments_pages(
        &self,
        query: Query,
        total_segments: u32,
        concurrency: usize,
    ) -> impl Stream<Item = Result<Page<Item>>> + Send + 'static {
        let checked = (|| {
            if query.get_cursor().is_some() {
                return Err(Error::invalid_query(
                    "a cursor resumes one segment: resume each segment with Engine::segment_pages and \
                     its own cursor; a scan of all segments starts from their starts",
                ));
            }
            let segments = ScanSegment::all(total_segments)?;
            Ok((Arc::new(self.scan_plan(&query)?), segments))
        })();
        let (plan, segments) = match checked {
            Ok(c) => c,
            Err(e) => return stream::iter(Some(Err(e))).boxed().left_stream(),
        };
        if plan.streams().is_empty() {
            // A filter nothing can match (no stream): nothing to read.
            return stream::empty().boxed().left_stream();
        }
        let engine = self.clone();
        let limit = concurrency.clamp(1, self.options().max_concurrency.max(1));
        let pages = stream::iter(segments)
            .map(move |seg| pages_from(Next::Read(engine.clone(), Arc::clone(&plan), seg, None)).boxed())
            .flatten_unordered(limit);
        // Ends at the first error: the other segments are dropped with it.
        pages
            .scan(false, |failed, page| {
                let out = if *failed { None } else { Some(page) };
                *failed = matches!(out, Some(Err(_)));
                futures::future::ready(out)
            })
            .boxed()
            .right_stream()
    }

    /// Every row `query` matches, read by a parallel scan split into
    /// `total_segments` (DynamoDB's `Segment`/`TotalSegments`), at most
    /// `concurrency` segments at once, in no order: rows are yielded as
    /// their pages arrive. Every matching item comes exactly once (an item
    /// that exists, unchanged, for the whole scan); the filter runs on the
    /// server as a `FilterExpression` with the same NULL rules as
    /// [`fetch`](Engine::fetch).
    ///
    /// For an export that needs no order, of a query that no index
    /// serves: `query` must have no `ORDER BY`, no offset and no cursor,
    /// and allow the scan ([`Query::allow_scan`]). A query an index
    /// serves is refused, pointing at [`pages`](Engine::pages) and
    /// [`rows`](Engine::rows): its `Query` reads only the partitions it
    /// names, a parallel scan the whole table. The query's
    /// [`limit`](Query::limit) is each `Scan` call's `Limit` (items
    /// evaluated per page; larger pages mean fewer requests), within the
    /// read budget. To split the work across processes or machines, or to
    /// resume after a failure, run each segment with
    /// [`segment_pages`](Engine::segment_pages).
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// use dynaquery::{col, item, Engine, KeyAttribute, MemoryTable, Query, Schema, Value};
    /// use futures::TryStreamExt;
    ///
    /// let schema = Schema::new("events", KeyAttribute::s("id"));
    /// let table = MemoryTable::new(schema.clone());
    /// for i in 0..100 {
    ///     table.put(item([("id", Value::from(format!("e{i:03}"))), ("n", Value::from(i))])).unwrap();
    /// }
    /// let engine = Engine::new(schema, table);
    /// let q = Query::new().allow_scan(true).filter(col("n").lt(60)).limit(10);
    /// let rows: Vec<_> = engine.scan_segments(q, 4, 2).try_collect().await?;
    /// let mut ids: Vec<String> = rows.iter().map(|r| format!("{:?}", r["id"])).collect();
    /// ids.sort();
    /// ids.dedup();
    /// assert_eq!((rows.len(), ids.len()), (60, 60)); // every match, once
    /// # Ok::<(), dynaquery::Error>(())
    /// # }).unwrap();
    /// ```
    ///
    /// # Errors
    /// As stream elements, the first and last:
    /// [`ErrorKind::InvalidQuery`](crate::ErrorKind::InvalidQuery) for an
    /// `ORDER BY`, an offset, a cursor, a query an index serves, or
    /// `total_segments` outside 1 ..= 1 000 000; the planning errors of
    /// [`plan`](Engine::plan) (a query that does not allow the scan is
    /// [`ErrorKind::NoUsableIndex`](crate::ErrorKind::NoUsableIndex)); the
    /// backend's errors.
    pub fn scan_segments(
        &self,
        query: Query,
        total_segments: u32,
        concurrency: usize,
    ) -> impl Stream<Item = Result<Item>> + Send + 'static {
        self.scan_segments_pages(query, total_segments, concurrency).flat_map(|page| match page {
            Ok(p) => stream::iter(p.rows.into_iter().map(Ok)).left_stream(),
            Err(e) => stream::iter(Some(Err(e))).right_stream(),
        })
    }
}

/// The pages of one segment, from `start`.
fn pages_from<B: Backend + Clone + 'static>(
    start: Next<B>,
) -> impl Stream<Item = Result<Page<Item>>> + Send + 'static {
    stream::unfold(start, |next| async move {
        match next {
            Next::Done => None,
            Next::Fail(e) => Some((Err(e), Next::Done)),
            Next::Read(engine, plan, seg, key) => match read_page(&engine, &plan, seg, key).await {
                Ok((page, Some(last))) => Some((Ok(page), Next::Read(engine, plan, seg, Some(last)))),
                Ok((page, None)) => Some((Ok(page), Next::Done)),
                Err(e) => Some((Err(e), Next::Done)),
            },
        }
    })
}

/// One page of `seg`: one `Scan` call after `start`, and its
/// `LastEvaluatedKey`.
async fn read_page<B: Backend>(
    engine: &Engine<B>,
    plan: &Plan,
    seg: ScanSegment,
    start: Option<Item>,
) -> Result<(Page<Item>, Option<Item>)> {
    let limit = (plan.limit as u64).min(plan.read_budget).clamp(1, u64::from(u32::MAX)) as u32;
    let mut request = ReadRequest::scan(plan.table.clone()).with_limit(limit).with_segment(seg);
    // A scan plan has one branch.
    let branch = plan.branch_of(0);
    request.index = branch.index.clone();
    request.filter = branch.server_filter.clone();
    request.projection = plan.projection.clone();
    request.exclusive_start_key = start;
    let response = engine.backend().read(request).await?;
    // A key that does not move would hand out the same cursor forever.
    response.check_moved()?;
    let returned = response.items.len();
    let mut rows: Vec<Item> = match &branch.residual {
        Some(r) => response.items.into_iter().filter(|item| r.eval(item)).collect(),
        None => response.items,
    };
    rows.iter_mut().for_each(|row| plan.shape_output(row));
    let next_cursor = match &response.last_evaluated_key {
        Some(k) => Some(scan_cursor::encode(plan, seg, k, engine.options())?),
        None => None,
    };
    let stats = QueryStats {
        streams: 1,
        calls: 1,
        items_read: response.scanned_count,
        items_returned: response.count,
        rows: rows.len() as u64,
        round_trips: 1,
        consumed_capacity: response.consumed_capacity,
        peak_buffered_rows: returned,
        per_stream: vec![StreamStats {
            calls: 1,
            items_read: response.scanned_count,
            rows_matched: rows.len() as u64,
            rows_taken: rows.len() as u64,
        }],
        ..QueryStats::default()
    };
    Ok((Page { rows, next_cursor, stats }, response.last_evaluated_key))
}

#[cfg(test)]
mod tests {
    use futures::TryStreamExt;

    use crate::{col, item, Engine, Index, KeyAttribute, MemoryTable, Query, ScanSegment, Schema, Value};

    /// A filter no item can match plans no stream: the parallel scan reads
    /// nothing and returns nothing (it must not scan the table with the
    /// server filter alone, which lacks the contradiction).
    #[tokio::test]
    async fn a_plan_with_no_stream_reads_nothing() {
        let schema = Schema::new("t", KeyAttribute::s("id"))
            .index(Index::gsi("by_g", [KeyAttribute::s("g")], [KeyAttribute::n("n")]))
            .always_present(["g", "n"]);
        let table = MemoryTable::new(schema.clone());
        for i in 0..20 {
            table
                .put(item([("id", Value::from(format!("i{i}"))), ("g", "a".into()), ("n", i.into())]))
                .unwrap();
        }
        let engine = Engine::new(schema, table);
        // Key attributes are never empty strings: the table's key condition matches nothing.
        let q = Query::new().allow_scan(true).filter(col("id").eq("")).filter(col("n").ge(0));
        let plan = engine.plan(&q).unwrap();
        assert!(plan.streams().is_empty(), "{plan}");
        let rows: Vec<_> = engine.scan_segments(q.clone(), 3, 2).try_collect().await.unwrap();
        assert!(rows.is_empty(), "{plan}");
        let pages: Vec<_> =
            engine.segment_pages(q, ScanSegment::new(0, 2).unwrap()).try_collect().await.unwrap();
        assert!(pages.iter().all(|p| p.rows.is_empty()), "{plan}");
    }
}
