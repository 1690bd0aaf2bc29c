//! The entry point: a schema, a backend, and options.

use std::sync::{Arc, Mutex};

use crate::backend::Backend;
use crate::cursor;
use crate::error::{Error, ErrorKind, Result};
use crate::exec;
use crate::options::Options;
use crate::page::Page;
use crate::plan::{self, Plan};
use crate::query::Query;
use crate::schema::Schema;
use crate::value::{from_item, Item};

/// Plans and runs queries against one table through a [`Backend`].
///
/// ```
/// # tokio_test_block_on(async {
/// use dynaquery::{asc, col, item, Engine, Index, KeyAttribute, MemoryTable, Query, Schema, Value};
///
/// let schema = Schema::new("orders", KeyAttribute::s("order_id"))
///     .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
///     // Every order has a `created_at`, so the sparse GSI holds every `paid` order.
///     .always_present(["status", "created_at"]);
/// let table = MemoryTable::new(schema.clone());
/// for (id, status, at) in [("o1", "paid", "2026-11-02"), ("o2", "paid", "2026-11-01"), ("o3", "new", "2026-11-03")] {
///     table.put(item([("order_id", Value::from(id)), ("status", status.into()), ("created_at", at.into())])).unwrap();
/// }
/// let engine = Engine::new(schema, table);
/// let q = Query::new().filter(col("status").eq("paid")).order_by(asc("created_at")).limit(1);
/// let page = engine.fetch(&q).await.unwrap();
/// assert_eq!(page.rows[0]["order_id"], Value::from("o2"));
/// let next = engine.fetch(&q.clone().cursor(page.next_cursor.unwrap())).await.unwrap();
/// assert_eq!(next.rows[0]["order_id"], Value::from("o1"));
/// assert!(next.next_cursor.is_none());
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output { futures::executor::block_on(f) }
/// ```
///
/// An engine remembers, for a bounded number of recent queries (same
/// filter values), what their first pages observed, so a repeated first
/// page sizes its requests warm ([`QueryStats::sizing_start`](crate::QueryStats::sizing_start)).
/// Clones share that memory.
///
/// Cloning is cheap when the backend's is (both shipped backends are): the
/// schema, options and memory are shared behind `Arc`s. A service builds
/// one engine and clones it into each handler; [`pages`](Engine::pages)
/// and [`rows`](Engine::rows) clone it into the streams they return. Wrap a
/// backend that is not `Clone` in an `Arc` (`Arc<B>` is a [`Backend`]).
#[derive(Debug, Clone)]
pub struct Engine<B> {
    schema: Arc<Schema>,
    backend: B,
    options: Arc<Options>,
    memory: Arc<Mutex<exec::Memory>>,
}

impl<B: Backend> Engine<B> {
    /// An engine with default [`Options`].
    pub fn new(schema: Schema, backend: B) -> Self {
        Engine { schema: Arc::new(schema), backend, options: Arc::default(), memory: Arc::default() }
    }

    /// Replaces the options.
    pub fn with_options(mut self, options: Options) -> Self {
        self.options = Arc::new(options);
        self
    }

    /// The schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The options.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Plans `query` without running it; `Display` the result for EXPLAIN.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidOptions`](crate::ErrorKind::InvalidOptions) (see
    /// [`Options::validate`]);
    /// [`ErrorKind::InvalidQuery`](crate::ErrorKind::InvalidQuery) for malformed input,
    /// [`ErrorKind::NoUsableIndex`](crate::ErrorKind::NoUsableIndex)
    /// when only a scan could serve it and the query did not allow one (the
    /// message names the index that would serve it),
    /// [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded)
    /// when the fan-out exceeds [`Options::max_streams`].
    pub fn plan(&self, query: &Query) -> Result<Plan> {
        self.options.validate()?;
        plan::plan(&self.schema, query, &self.options)
    }

    /// Runs one page of `query` (after its cursor, if any).
    ///
    /// Everything about the query and cursor is checked before the first
    /// request. Dropping the returned future cancels every request in flight.
    ///
    /// Without a cursor, a [`Query::offset`] of `n` first reads the result's
    /// first `n` rows page by page (chunks of up to
    /// [`Options::max_page_size`] rows, resumed through the normal cursors)
    /// and discards them; the page's [`QueryStats`](crate::QueryStats)
    /// include those reads, and its read budget covers them too. With a
    /// cursor the offset is not applied again.
    ///
    /// # Errors
    /// Planning errors, [`ErrorKind::InvalidCursor`](crate::ErrorKind::InvalidCursor),
    /// [`ErrorKind::ReadBudgetExceeded`](crate::ErrorKind::ReadBudgetExceeded),
    /// [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded),
    /// [`ErrorKind::Unorderable`](crate::ErrorKind::Unorderable) and the
    /// backend's [`ErrorKind::Backend`](crate::ErrorKind::Backend).
    pub async fn fetch(&self, query: &Query) -> Result<Page<Item>> {
        self.check_shape(query)?;
        let mut page = if query.get_cursor().is_none() && query.get_offset() > 0 {
            self.fetch_after_offset(query).await?
        } else {
            self.fetch_one(query).await?
        };
        if query.get_limit() > self.options.max_page_size {
            page.stats.limit_clamped_from = Some(query.get_limit());
        }
        Ok(page)
    }

    /// The options, and the filter's shape: what every call checks first.
    fn check_shape(&self, query: &Query) -> Result<()> {
        self.options.validate()?;
        if let Some(f) = query.get_filter() {
            // Before anything clones or walks the filter (both recurse).
            plan::validate::shape(f, &self.options)?;
        }
        Ok(())
    }

    /// Everything [`fetch`](Engine::fetch) checks before its first
    /// request — options, the filter, the plan, the cursor — without
    /// reading anything.
    pub(crate) fn check(&self, query: &Query) -> Result<()> {
        self.check_shape(query)?;
        let plan = self.plan(query)?;
        match query.get_cursor() {
            Some(c) => self.check_cursor(&plan, c),
            None => Ok(()),
        }
    }

    /// One page, ignoring the query's offset.
    async fn fetch_one(&self, query: &Query) -> Result<Page<Item>> {
        let plan = self.plan(query)?;
        let position = query.get_cursor().map(|c| cursor::decode(&plan, c, &self.options)).transpose()?;
        let from = exec::SizingFrom { memory: Some(&self.memory), hint: query.get_selectivity_hint() };
        #[cfg(feature = "tracing")]
        {
            use tracing::Instrument;
            let span = crate::trace::page_span(&plan);
            let backend = crate::trace::Traced(&self.backend);
            let page = exec::execute(&plan, &backend, &self.options, position.as_ref(), from)
                .instrument(span.clone())
                .await?;
            crate::trace::record_page(&span, &page);
            Ok(page)
        }
        #[cfg(not(feature = "tracing"))]
        exec::execute(&plan, &self.backend, &self.options, position.as_ref(), from).await
    }

    /// The cursor that resumes `plan`'s result just after `row` (a row of
    /// that result: its `ORDER BY` attributes and primary key are read),
    /// signed and stamped as the [`Options`] say. Useful for "start after
    /// this item" links; pages carry their own cursors already.
    ///
    /// ```
    /// use dynaquery::{asc, col, item, Engine, KeyAttribute, MemoryTable, Query, Schema, Value};
    ///
    /// let schema = Schema::new("orders", KeyAttribute::s("order_id"));
    /// let engine = Engine::new(schema.clone(), MemoryTable::new(schema));
    /// let q = Query::new().filter(col("order_id").eq("o-7"));
    /// let plan = engine.plan(&q).unwrap();
    /// let cursor = engine.cursor_after(&plan, &item([("order_id", Value::from("o-7"))])).unwrap();
    /// assert!(engine.check_cursor(&plan, &cursor).is_ok());
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::Unorderable`](crate::ErrorKind::Unorderable) when an
    /// `ORDER BY` attribute of `row` is a list, map or set;
    /// [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) when the
    /// cursor would be longer than [`MAX_CURSOR_LEN`](crate::MAX_CURSOR_LEN).
    pub fn cursor_after(&self, plan: &Plan, row: &Item) -> Result<String> {
        self.options.validate()?;
        cursor::encode(plan, row, &[], &self.options)
    }

    /// Checks `cursor` against `plan` (signature, expiry, format, the query
    /// it belongs to) without reading anything: what [`fetch`](Engine::fetch)
    /// does first, for services that want to reject a bad cursor early.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidCursor`](crate::ErrorKind::InvalidCursor), as
    /// [`fetch`](Engine::fetch) would report it.
    pub fn check_cursor(&self, plan: &Plan, cursor: &str) -> Result<()> {
        self.options.validate()?;
        cursor::decode(plan, cursor, &self.options).map(|_| ())
    }

    /// The first page of `query` after skipping its offset: reads and
    /// discards the skipped rows in pages, each resumed from the previous
    /// page's cursor, then runs the real page from the last cursor. The
    /// query's read budget covers the whole call, skipped rows included.
    async fn fetch_after_offset(&self, query: &Query) -> Result<Page<Item>> {
        let offset = query.get_offset();
        let budget = query.get_read_budget().unwrap_or(self.options.read_budget);
        let chunk = self.options.max_page_size.max(1) as u64;
        let over_budget = |read: u64| {
            Error::new(
                ErrorKind::ReadBudgetExceeded,
                format!(
                    "skipping OFFSET {offset} rows needs more than this page's read budget of {budget} \
                     items (read so far: {read}); page with cursors instead of OFFSET, narrow the filter, or \
                     raise the budget (Query::read_budget / Options::read_budget)"
                ),
            )
        };
        let mut stats = crate::stats::QueryStats::default();
        let mut remaining = offset;
        let mut q = query.clone().offset(0);
        loop {
            // Chunks of skipped rows first, then the page itself.
            let skipping = remaining > 0;
            let mut step = q.clone();
            if skipping {
                step = step.limit(remaining.min(chunk) as usize);
            }
            let left = budget.saturating_sub(stats.items_read);
            if left == 0 {
                return Err(over_budget(stats.items_read));
            }
            let page = match self.fetch_one(&step.read_budget(left)).await {
                // The step stops once it has read all `left` items it was given.
                Err(e) if e.kind() == ErrorKind::ReadBudgetExceeded => {
                    return Err(over_budget(stats.items_read + left).with_source(e))
                }
                other => other?,
            };
            stats.absorb(&page.stats);
            if !skipping {
                stats.rows = page.stats.rows;
                return Ok(Page { rows: page.rows, next_cursor: page.next_cursor, stats });
            }
            remaining -= (page.rows.len() as u64).min(remaining);
            match page.next_cursor {
                Some(c) => q = q.cursor(c),
                // The result ends inside the offset: an empty last page.
                None => return Ok(Page { rows: Vec::new(), next_cursor: None, stats }),
            }
        }
    }

    /// Like [`fetch`](Engine::fetch), deserializing each row into `T` with serde_dynamo.
    ///
    /// A number deserialized into `f64` (or `f32`) is rounded to the nearest
    /// float: DynamoDB numbers carry up to 38 significant digits, a float
    /// about 16. Deserialize into a string, or read [`Value::N`](crate::Value::N)
    /// from [`fetch`](Engine::fetch), to keep them exact.
    ///
    /// # Errors
    /// As [`fetch`](Engine::fetch), plus [`ErrorKind::Deserialize`](crate::ErrorKind::Deserialize).
    pub async fn fetch_as<T: serde::de::DeserializeOwned>(&self, query: &Query) -> Result<Page<T>> {
        self.fetch(query).await?.try_map(from_item)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{col, desc, item, Index, KeyAttribute, MemoryTable, Schema, Value};

    /// The grid the first page's rows lie on travels in its cursor, and on
    /// through the next page's: it places the next page's first window.
    #[tokio::test]
    async fn a_cursor_carries_the_grid_of_the_sort_key() {
        let schema = Schema::new("orders", KeyAttribute::s("order_id"))
            .index(Index::gsi("by_status", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
            .always_present(["status", "created_at"]);
        let table = MemoryTable::new(schema.clone());
        for i in 0..400u32 {
            // Two orders per half hour, back from 2026-11-24.
            let (h, m) = ((i / 2) / 2, (i / 2) % 2 * 30);
            let (day, hour) = (23 - h / 24, h % 24);
            table
                .put(item([
                    ("order_id", Value::from(format!("o-{i:04}"))),
                    ("status", Value::from(if i % 3 == 0 { "paid" } else { "shipped" })),
                    ("created_at", Value::from(format!("2026-11-{day:02}T{hour:02}:{m:02}:00Z"))),
                ]))
                .unwrap();
        }
        let engine = Engine::new(schema, table);
        let query = Query::new()
            .filter(col("status").is_in(["paid", "shipped"]))
            .order_by(desc("created_at"))
            .limit(40);
        let plan = engine.plan(&query).unwrap();
        let first = engine.fetch(&query).await.unwrap();
        let token = first.next_cursor.clone().unwrap();
        assert_eq!(grid_of(&cursor::decode(&plan, &token, &engine.options).unwrap().sizing), Some(1800));
        let second = engine.fetch(&query.clone().cursor(token)).await.unwrap();
        let token = second.next_cursor.unwrap();
        assert_eq!(grid_of(&cursor::decode(&plan, &token, &engine.options).unwrap().sizing), Some(1800));
    }

    /// The grid step an adaptive sizing state carries.
    fn grid_of(state: &[u8]) -> Option<u64> {
        crate::exec::sizing::state::Hint::decode(state, 2).unwrap().unwrap().grid
    }
}
