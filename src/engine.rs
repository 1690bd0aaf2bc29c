//! The entry point: a schema, a backend, and options.

use std::sync::{Arc, Mutex};

use crate::backend::Backend;
use crate::count::{Count, CountGroup};
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
    /// [`ErrorKind::InvalidOptions`] (see
    /// [`Options::validate`]);
    /// [`ErrorKind::InvalidQuery`] for malformed input,
    /// [`ErrorKind::NoUsableIndex`]
    /// when only a scan could serve it and the query did not allow one (the
    /// message names the index that would serve it),
    /// [`ErrorKind::LimitExceeded`]
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
    /// Planning errors, [`ErrorKind::InvalidCursor`],
    /// [`ErrorKind::ReadBudgetExceeded`],
    /// [`ErrorKind::LimitExceeded`],
    /// [`ErrorKind::Unorderable`] and the
    /// backend's [`ErrorKind::Backend`].
    pub async fn fetch(&self, query: &Query) -> Result<Page<Item>> {
        self.check_shape(query)?;
        let mut page = if query.get_cursor().is_none() && query.get_offset() > 0 {
            self.fetch_after_offset(query).await?
        } else {
            self.fetch_one(query, false).await?
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

    /// One page, ignoring the query's offset. With `discard`, its rows are
    /// skipped (an `OFFSET`): what only the output needs is not fetched.
    async fn fetch_one(&self, query: &Query, discard: bool) -> Result<Page<Item>> {
        let plan = self.plan(query)?;
        let position = query.get_cursor().map(|c| cursor::decode(&plan, c, &self.options)).transpose()?;
        let from = exec::SizingFrom { memory: Some(&self.memory), hint: query.get_selectivity_hint() };
        #[cfg(feature = "tracing")]
        {
            use tracing::Instrument;
            let span = crate::trace::page_span(&plan);
            let backend = crate::trace::Traced(&self.backend);
            let page = exec::execute(&plan, &backend, &self.options, position.as_ref(), from, discard)
                .instrument(span.clone())
                .await?;
            crate::trace::record_page(&span, &page);
            Ok(page)
        }
        #[cfg(not(feature = "tracing"))]
        exec::execute(&plan, &self.backend, &self.options, position.as_ref(), from, discard).await
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
    /// [`ErrorKind::Unorderable`] when an
    /// `ORDER BY` attribute of `row` is a list, map or set;
    /// [`ErrorKind::LimitExceeded`] when the
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
    /// [`ErrorKind::InvalidCursor`], as
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
            let page = match self.fetch_one(&step.read_budget(left), skipping).await {
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

    /// Counts the rows `query` matches — all of them, not a page — with
    /// `Select: COUNT` reads: every stream of the plan is read to its end
    /// (at most [`Options::max_concurrency`] at once) and no attribute comes
    /// back. The count is exact under the same rules as
    /// [`fetch`](Engine::fetch): a missing attribute is SQL `NULL`, so
    /// `country <> 'FR'` does not count an order with no `country`. When
    /// the plan has a client residual filter (which `Select: COUNT` cannot
    /// apply), the items are read projected to the attributes it needs and
    /// counted on the client. A count never fetches items with
    /// `BatchGetItem`, so it reads through an index that stores every
    /// attribute the filter names, even where the rows' plan would take a
    /// KEYS_ONLY or INCLUDE index that lacks some.
    ///
    /// What the count ignores or refuses, since a count has no pages:
    /// [`Query::limit`] (a page size) and [`Query::select`] are ignored; a
    /// [`Query::cursor`], an [`Query::offset`] above 0 and any
    /// [`Query::order_by`] are refused (an order cannot change a count;
    /// see [`count_by`](Engine::count_by) for ordering groups).
    ///
    /// The read budget ([`Query::read_budget`], else
    /// [`Options::read_budget`]) caps the items evaluated by the whole
    /// count. See [`Count`] for an example.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidQuery`] for a
    /// cursor, an offset or an `ORDER BY`; the planning errors of
    /// [`plan`](Engine::plan);
    /// [`ErrorKind::ReadBudgetExceeded`]
    /// when the count would evaluate more items than the budget; the
    /// backend's errors.
    pub async fn count(&self, query: &Query) -> Result<Count> {
        if let Some(o) = query.get_order_by().first() {
            return Err(Error::invalid_query(format!(
                "ORDER BY {} on a COUNT: a count is one number, no order changes it; drop the ORDER BY \
                 (to order the groups of a grouped count, use Engine::count_by and order by its attribute)",
                o.attr
            )));
        }
        self.count_grouped(query, None).await
    }

    /// Counts the rows `query` matches per value of `attr`, which must be
    /// the partition key of the index the query reads (SQL's `SELECT
    /// status, COUNT(*) … WHERE status IN (…) GROUP BY status`): each
    /// partition-key value is one stream of the plan, so each group is one
    /// stream's count. Values with no matching row are left out, as SQL's
    /// `GROUP BY` does. Groups come ascending by value; an
    /// [`Query::order_by`] on `attr` alone may say `DESC`.
    ///
    /// Otherwise as [`count`](Engine::count).
    ///
    /// # Errors
    /// As [`count`](Engine::count), plus
    /// [`ErrorKind::InvalidQuery`] when
    /// `attr` is not the partition key of the chosen index (the message
    /// names the key and says what to do), or the query orders by another
    /// attribute.
    pub async fn count_by(&self, query: &Query, attr: &str) -> Result<Count> {
        if let Some(o) = query.get_order_by().iter().find(|o| o.attr != attr) {
            return Err(Error::invalid_query(format!(
                "ORDER BY {} on a COUNT grouped by {attr}: the groups can be ordered only by {attr}; drop it",
                o.attr
            )));
        }
        self.count_grouped(query, Some(attr)).await
    }

    async fn count_grouped(&self, query: &Query, group_by: Option<&str>) -> Result<Count> {
        self.check_shape(query)?;
        if query.get_cursor().is_some() {
            return Err(Error::invalid_query(
                "a COUNT takes no cursor: it counts every matching row in one call; drop Query::cursor \
                 (count the query the pages came from)",
            ));
        }
        if query.get_offset() > 0 {
            return Err(Error::invalid_query(format!(
                "OFFSET {} on a COUNT: a count covers every matching row; drop the offset (and subtract it \
                 from the total if that is what you need)",
                query.get_offset()
            )));
        }
        // The plan of the filter alone: no order, no page, no projection.
        let mut plain = Query::new().allow_scan(query.get_allow_scan()).limit(1);
        if let Some(f) = query.get_filter() {
            plain = plain.filter(f.clone());
        }
        if let Some(i) = query.get_index() {
            plain = plain.index(i);
        }
        if let Some(b) = query.get_read_budget() {
            plain = plain.read_budget(b);
        }
        // A count reads no item back, so it never fetches: it goes through
        // an index that stores what the filter names (the planner leaves
        // out those that do not, and says so when none is left).
        self.options.validate()?;
        let plan = plan::plan_count(&self.schema, &plain, &self.options)?;
        let groups_of = match group_by {
            Some(attr) => Some(self.group_values(&plan, attr)?),
            None => None,
        };
        let (per_stream, stats) = exec::count::count(&plan, &self.backend, &self.options).await?;
        let total = per_stream.iter().sum();
        let mut groups: Vec<CountGroup> = Vec::new();
        if let Some(values) = groups_of {
            for (value, n) in values.into_iter().zip(per_stream) {
                match groups.iter_mut().find(|g| g.value == value) {
                    Some(g) => g.count += n,
                    None => groups.push(CountGroup { value, count: n }),
                }
            }
            groups.retain(|g| g.count > 0);
            let desc = query.get_order_by().first().is_some_and(|o| o.dir == crate::Direction::Desc);
            let dir = if desc { crate::Direction::Desc } else { crate::Direction::Asc };
            groups.sort_by_cached_key(|g| {
                let mut key = Vec::new();
                // Partition-key values are scalars, which always encode.
                let _ = crate::encoding::encode_column(&mut key, Some(&g.value), dir);
                key
            });
        }
        Ok(Count { total, group_by: group_by.map(str::to_owned), groups, stats })
    }

    /// The value of `attr` in each stream of `plan`, when `attr` is a
    /// partition-key attribute of the index every stream queries (of every
    /// branch's index, in a union: its branches never read one item twice).
    fn group_values(&self, plan: &Plan, attr: &str) -> Result<Vec<crate::value::Value>> {
        let partition_of = |index: Option<&str>| -> Vec<&str> {
            self.schema
                .key_of(index)
                .map(|k| k.partition.iter().map(|a| a.name.as_str()).collect())
                .unwrap_or_default()
        };
        let key_names = partition_of(plan.index());
        let keyed = (0..plan.streams().len())
            .all(|i| partition_of(plan.branch_of(i).index.as_deref()).contains(&attr));
        let value = |s: &plan::StreamSpec| {
            s.key.as_ref()?.partition.iter().find(|(a, _)| a == attr).map(|(_, v)| v.clone())
        };
        match plan.streams().iter().map(value).collect::<Option<Vec<_>>>() {
            // A plan with no stream (a filter nothing can match) has no group.
            Some(values) if values.is_empty() || keyed => Ok(values),
            _ => {
                let read = match (plan.is_scan(), plan.index()) {
                    (true, _) => "a Scan of the whole table".to_owned(),
                    (false, Some(ix)) => format!("index `{ix}`, partition key {}", key_names.join(", ")),
                    (false, None) => format!("the table, partition key {}", key_names.join(", ")),
                };
                Err(Error::invalid_query(format!(
                    "GROUP BY {attr}: a grouped COUNT runs one count per partition-key value, so it can group \
                     only by the partition key of the index it reads, and this query reads {read}; group by \
                     that key with `=`/`IN` on it in the filter (or pick an index keyed by {attr} with \
                     `FROM table.index` / Query::index), or count each value of {attr} with its own COUNT"
                )))
            }
        }
    }

    /// Like [`fetch`](Engine::fetch), deserializing each row into `T` with serde_dynamo.
    ///
    /// A number deserialized into `f64` (or `f32`) is rounded to the nearest
    /// float: DynamoDB numbers carry up to 38 significant digits, a float
    /// about 16. serde_dynamo does not deserialize a number into a
    /// `String`; to keep numbers exact, read [`Value::N`](crate::Value::N)
    /// from [`fetch`](Engine::fetch) (or deserialize the row into
    /// [`Item`] and convert the numbers you need).
    ///
    /// # Errors
    /// As [`fetch`](Engine::fetch), plus [`ErrorKind::Deserialize`].
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
