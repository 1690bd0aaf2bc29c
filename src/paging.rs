//! Every page of a query as a stream: [`Engine::pages`] and [`Engine::rows`].
//!
//! ```text
//! pages(query) ── check ──✗──> [Err(e)]                       (nothing read)
//!                   │
//!                   ✓
//!                   v
//!   poll ──> fetch(query) ──> Ok(page) ── next_cursor ── Some(c) ──> query.cursor(c) ─┐
//!              ^                  │                                                 │
//!              │                  └─ None ──> end                                   │
//!              └────────────────────────────── next poll ───────────────────────────┘
//!            fetch fails ──> Err(e), then end
//! ```
//!
//! The stream owns a clone of the engine and the query, so it is `Send` and
//! `'static`: a service can spawn it, or hand it to a response body. It is
//! lazy: a page is fetched when the stream is polled for it, never ahead,
//! so memory holds one page at a time. Dropping the stream drops the page
//! future in flight, which cancels every request it started.

use futures::stream::{self, Stream, StreamExt};

use crate::backend::Backend;
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::page::Page;
use crate::query::Query;
use crate::value::Item;

/// Where a pages stream stands.
enum Next<B> {
    /// Fetch this query's page next.
    Fetch(Engine<B>, Query),
    /// Yield this error, then end.
    Fail(Error),
    /// Ended.
    Done,
}

impl<B: Backend + Clone + 'static> Engine<B> {
    /// Every page of `query`, from its cursor (or the start), as a stream:
    /// each page is fetched with [`fetch`](Engine::fetch) when the stream is
    /// polled, and the next resumes from its `next_cursor`, until a page
    /// has none. The query's [`limit`](Query::limit) is the page size; its
    /// [`offset`](Query::offset) applies to the first page only, as in
    /// [`fetch`](Engine::fetch).
    ///
    /// The stream is `Send + 'static`: it owns a clone of the engine
    /// (cheap: see [`Engine`]) and of the query. Its guarantees:
    ///
    /// - **Checked up front.** The options, the filter, the plan and the
    ///   query's cursor are checked when `pages` is called; a bad cursor
    ///   (or any other such error) is the stream's first and only element,
    ///   and nothing is read.
    /// - **Lazy.** A page is fetched only when polled for: one page in
    ///   memory at a time, and no request runs between polls.
    /// - **Ends at the first error.** A failed page is yielded as `Err`,
    ///   then the stream ends. Every page yielded before it is complete, and
    ///   its `next_cursor` resumes right after it.
    /// - **Cancellation.** Dropping the stream drops the page future in
    ///   flight, which cancels every request it started; no task is spawned.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// use dynaquery::{asc, item, Engine, KeyAttribute, MemoryTable, Query, Schema, Value};
    /// use futures::{StreamExt, TryStreamExt};
    ///
    /// let schema = Schema::new("orders", KeyAttribute::s("order_id"));
    /// let table = MemoryTable::new(schema.clone());
    /// for i in 0..5 {
    ///     table.put(item([("order_id", Value::from(format!("o{i}")))])).unwrap();
    /// }
    /// let engine = Engine::new(schema, table);
    /// let q = Query::new().allow_scan(true).order_by(asc("order_id")).limit(2);
    /// let pages: Vec<_> = engine.pages(q).try_collect().await.unwrap();
    /// let sizes: Vec<usize> = pages.iter().map(|p| p.rows.len()).collect();
    /// assert_eq!(sizes, [2, 2, 1]);
    /// assert!(pages[2].next_cursor.is_none());
    ///
    /// // A bad cursor is the first and only element.
    /// let bad = Query::new().allow_scan(true).order_by(asc("order_id")).cursor("garbage");
    /// let all: Vec<_> = engine.pages(bad).collect::<Vec<_>>().await;
    /// assert_eq!(all.len(), 1);
    /// assert_eq!(all[0].as_ref().unwrap_err().kind(), dynaquery::ErrorKind::InvalidCursor);
    /// # });
    /// ```
    ///
    /// # Errors
    /// As [`fetch`](Engine::fetch), as stream elements.
    pub fn pages(&self, query: Query) -> impl Stream<Item = Result<Page<Item>>> + Send + 'static {
        let start = match self.check(&query) {
            Ok(()) => Next::Fetch(self.clone(), query),
            Err(e) => Next::Fail(e),
        };
        stream::unfold(start, |next| async move {
            match next {
                Next::Done => None,
                Next::Fail(e) => Some((Err(e), Next::Done)),
                Next::Fetch(engine, query) => match engine.fetch(&query).await {
                    Ok(page) => {
                        let next = match &page.next_cursor {
                            Some(c) => Next::Fetch(engine, query.cursor(c.clone())),
                            None => Next::Done,
                        };
                        Some((Ok(page), next))
                    }
                    Err(e) => Some((Err(e), Next::Done)),
                },
            }
        })
    }

    /// Every row of `query`, page after page: [`pages`](Engine::pages)
    /// flattened, with the same guarantees — checked up front, lazy (a page
    /// is fetched once the previous page's rows are consumed), ends at the
    /// first error, cancelled by dropping. The query's
    /// [`limit`](Query::limit) is the page size, not a cap on the rows: use
    /// [`StreamExt::take`] for that, which stops
    /// fetching once it has enough.
    ///
    /// ```
    /// # futures::executor::block_on(async {
    /// use dynaquery::{col, desc, item, Engine, Index, KeyAttribute, MemoryTable, Query, Schema, Value};
    /// use futures::{StreamExt, TryStreamExt};
    ///
    /// let schema = Schema::new("orders", KeyAttribute::s("order_id"))
    ///     .index(Index::gsi("by_status", [KeyAttribute::s("status")], [KeyAttribute::n("total")]))
    ///     .always_present(["status", "total"]);
    /// let table = MemoryTable::new(schema.clone());
    /// for i in 0..10 {
    ///     let status = if i % 2 == 0 { "paid" } else { "new" };
    ///     table.put(item([("order_id", Value::from(format!("o{i}"))), ("status", status.into()), ("total", i.into())])).unwrap();
    /// }
    /// let engine = Engine::new(schema, table);
    /// let q = Query::new().filter(col("status").eq("paid")).order_by(desc("total")).limit(2);
    /// let totals: Vec<Value> = engine.rows(q.clone()).map_ok(|r| r["total"].clone()).try_collect().await.unwrap();
    /// assert_eq!(totals, [8, 6, 4, 2, 0].map(Value::from));
    ///
    /// // The three largest: `take` stops after the second page.
    /// let top: Vec<_> = engine.rows(q).take(3).collect().await;
    /// assert_eq!(top.len(), 3);
    /// # });
    /// ```
    ///
    /// # Errors
    /// As [`fetch`](Engine::fetch), as stream elements.
    pub fn rows(&self, query: Query) -> impl Stream<Item = Result<Item>> + Send + 'static {
        self.pages(query).flat_map(|page| match page {
            Ok(p) => stream::iter(p.rows.into_iter().map(Ok)).left_stream(),
            Err(e) => stream::iter(Some(Err(e))).right_stream(),
        })
    }
}
