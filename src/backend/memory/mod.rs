//! [`MemoryTable`]: an in-memory second implementation of DynamoDB's
//! `Query` and `Scan` semantics (its fidelity rules are on the type).

mod keys;
mod read;
mod size;
mod validate;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_prop;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::backend::{Backend, BatchGetRequest, BatchGetResponse, ReadRequest, ReadResponse};
use crate::error::Result;
use crate::schema::Schema;
use crate::value::Item;

/// Default page cap: DynamoDB stops a page after 1 MB.
const DEFAULT_PAGE_BYTES: usize = 1_048_576;

/// One stored item and its size.
#[derive(Debug, Clone)]
struct Stored {
    item: Item,
    size: usize,
}

/// The table's items and one position map per secondary index.
#[derive(Debug, Default)]
struct State {
    /// Encoded primary key → item.
    items: BTreeMap<Vec<u8>, Stored>,
    /// Per index of `schema.indexes`: position → encoded primary key.
    indexes: Vec<BTreeMap<Vec<u8>, Vec<u8>>>,
}

#[derive(Debug)]
struct Shared {
    schema: Schema,
    state: RwLock<State>,
}

/// An in-memory DynamoDB table with its secondary indexes: a second
/// implementation of DynamoDB's `Query` and `Scan` semantics, for examples,
/// property tests and your own unit tests.
///
/// Cloning is cheap: clones share the same items. Every operation runs
/// synchronously under a lock; [`Backend::read`] returns a ready future.
///
/// It is not a mock. Behaviour was checked against DynamoDB Local 3.3.0:
///
/// - `limit` counts items *evaluated* before the filter, and a page that
///   stops on the limit carries a `last_evaluated_key` even when the limit
///   lands exactly on the last item of the range;
/// - a page also stops once the evaluated items' sizes reach the page cap
///   (1 MiB unless [`MemoryTable::with_page_bytes`] lowers it); the item that
///   reaches the cap is included, and a `last_evaluated_key` is set only when
///   another item follows. Like DynamoDB Local, the cap counts each item's
///   full size, also when reading an index;
/// - items come in index order (multi-attribute keys compare attribute by
///   attribute); items with equal index keys — possible in secondary
///   indexes — come in the order of a hash of their primary key: fixed, but
///   deliberately *not* primary-key order, since DynamoDB promises none;
/// - a `Scan` walks the table or index in that same index order;
///   `scan_forward` is ignored, as DynamoDB's `Scan` has no such parameter;
/// - indexes are sparse: an item lacking one of an index's key attributes is
///   not in it (DynamoDB rejects `NULL` in an index key attribute, so `put`
///   does too);
/// - errors carry DynamoDB's error type and message, as
///   [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) for a table or
///   index that does not exist (the request's table is not this one's, or
///   the schema has no such index), else
///   [`ErrorKind::Backend`](crate::ErrorKind::Backend) (never retryable);
/// - `consumed_capacity` is eventually consistent read capacity: the summed
///   size of the evaluated items (index entries for a GSI or LSI `Query`; an
///   LSI `Query` that needs attributes the index does not store adds each
///   fetched item rounded up on its own), rounded up to 4 KB, half a unit
///   per 4 KB.
///
/// ```
/// use dynaquery::{item, Backend, KeyAttribute, KeyCondition, MemoryTable, ReadRequest, Schema, Value};
/// use futures::FutureExt;
///
/// let table = MemoryTable::new(Schema::new("orders", KeyAttribute::s("user")).sort_key(KeyAttribute::n("n")));
/// for n in 0..3 {
///     table.put(item([("user", Value::from("u1")), ("n", Value::from(n))]))?;
/// }
/// let request = ReadRequest::query("orders", KeyCondition::new([("user", Value::from("u1"))]))
///     .with_scan_forward(false)
///     .with_limit(2);
/// // The future is ready at once: all the work happens under a lock.
/// let page = table.read(request).now_or_never().expect("ready")?;
/// assert_eq!(page.items.len(), 2);
/// assert_eq!(page.items[0]["n"], Value::from(2));
/// assert!(page.last_evaluated_key.is_some());
/// # Ok::<(), dynaquery::Error>(())
/// ```
#[derive(Clone)]
pub struct MemoryTable {
    shared: Arc<Shared>,
    page_bytes: usize,
}

impl fmt::Debug for MemoryTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTable")
            .field("table", &self.shared.schema.table)
            .field("items", &self.len())
            .field("page_bytes", &self.page_bytes)
            .finish()
    }
}

impl MemoryTable {
    /// An empty table with this schema.
    ///
    /// ```
    /// use dynaquery::{KeyAttribute, MemoryTable, Schema};
    /// let table = MemoryTable::new(Schema::new("orders", KeyAttribute::s("order_id")));
    /// assert!(table.is_empty());
    /// ```
    pub fn new(schema: Schema) -> MemoryTable {
        let state = State { items: BTreeMap::new(), indexes: vec![BTreeMap::new(); schema.indexes.len()] };
        MemoryTable {
            shared: Arc::new(Shared { schema, state: RwLock::new(state) }),
            page_bytes: DEFAULT_PAGE_BYTES,
        }
    }

    /// Lowers (or raises) the page cap of reads through this handle and its
    /// later clones, from the default 1 MiB (1 048 576 bytes). A cap of 0
    /// behaves like 1: every page then holds one item.
    ///
    /// ```
    /// use dynaquery::{KeyAttribute, MemoryTable, Schema};
    /// let table = MemoryTable::new(Schema::new("t", KeyAttribute::s("id"))).with_page_bytes(100);
    /// # let _ = table;
    /// ```
    pub fn with_page_bytes(mut self, bytes: usize) -> Self {
        self.page_bytes = bytes;
        self
    }

    /// The table's schema.
    pub fn schema(&self) -> &Schema {
        &self.shared.schema
    }

    fn state(&self) -> RwLockReadGuard<'_, State> {
        self.shared.state.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn state_mut(&self) -> RwLockWriteGuard<'_, State> {
        self.shared.state.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores `item` like `PutItem`, replacing any item with the same
    /// primary key and updating every secondary index.
    ///
    /// # Errors
    /// [`ErrorKind::Backend`](crate::ErrorKind::Backend) with DynamoDB's
    /// `ValidationException` message when a table key attribute is missing,
    /// has another type than declared, or is an empty string or binary; when
    /// an index key attribute is present with another type (`NULL`
    /// included) or empty; when a set is empty; or when the item is over
    /// 400 KB.
    ///
    /// ```
    /// use dynaquery::{item, KeyAttribute, MemoryTable, Schema, Value};
    /// let table = MemoryTable::new(Schema::new("t", KeyAttribute::s("id")));
    /// table.put(item([("id", Value::from("a")), ("x", Value::from(1))]))?;
    /// assert!(table.put(item([("id", Value::from(7))])).is_err());
    /// # Ok::<(), dynaquery::Error>(())
    /// ```
    pub fn put(&self, item: Item) -> Result<()> {
        let schema = self.schema();
        validate::put_item(schema, &item)?;
        let primary = read::primary_key(schema, &item)?;
        let positions = read::index_positions(schema, &item, &primary)?;
        let size = size::item_size(&item);
        let mut state = self.state_mut();
        if let Some(old) = state.items.remove(&primary) {
            let old_positions = read::index_positions(schema, &old.item, &primary)?;
            remove_positions(&mut state, old_positions);
        }
        for (i, pos) in positions.into_iter().enumerate() {
            if let (Some(pos), Some(map)) = (pos, state.indexes.get_mut(i)) {
                map.insert(pos, primary.clone());
            }
        }
        state.items.insert(primary, Stored { item, size });
        Ok(())
    }

    /// Removes the item with this primary key (exactly the key attributes)
    /// and returns it.
    ///
    /// # Errors
    /// [`ErrorKind::Backend`](crate::ErrorKind::Backend) when `key` does not
    /// hold exactly the table's key attributes with their declared types.
    ///
    /// ```
    /// use dynaquery::{item, KeyAttribute, MemoryTable, Schema, Value};
    /// let table = MemoryTable::new(Schema::new("t", KeyAttribute::s("id")));
    /// table.put(item([("id", Value::from("a"))]))?;
    /// assert!(table.delete(&item([("id", Value::from("a"))]))?.is_some());
    /// assert!(table.is_empty());
    /// # Ok::<(), dynaquery::Error>(())
    /// ```
    pub fn delete(&self, key: &Item) -> Result<Option<Item>> {
        let schema = self.schema();
        validate::table_key(schema, key)?;
        let primary = read::primary_key(schema, key)?;
        let mut state = self.state_mut();
        let Some(old) = state.items.remove(&primary) else { return Ok(None) };
        let positions = read::index_positions(schema, &old.item, &primary)?;
        remove_positions(&mut state, positions);
        Ok(Some(old.item))
    }

    /// The item with this primary key (exactly the key attributes).
    ///
    /// # Errors
    /// As [`delete`](Self::delete).
    ///
    /// ```
    /// use dynaquery::{item, KeyAttribute, MemoryTable, Schema, Value};
    /// let table = MemoryTable::new(Schema::new("t", KeyAttribute::s("id")));
    /// assert_eq!(table.get(&item([("id", Value::from("a"))]))?, None);
    /// # Ok::<(), dynaquery::Error>(())
    /// ```
    pub fn get(&self, key: &Item) -> Result<Option<Item>> {
        let schema = self.schema();
        validate::table_key(schema, key)?;
        let primary = read::primary_key(schema, key)?;
        Ok(self.state().items.get(&primary).map(|s| s.item.clone()))
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.state().items.len()
    }

    /// True when the table holds no item.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every item, in primary-key order (partition key, then sort key, each
    /// ascending: numbers by value, strings and binary by bytes).
    pub fn items(&self) -> Vec<Item> {
        self.state().items.values().map(|s| s.item.clone()).collect()
    }

    /// Runs one `Query`/`Scan` page synchronously; [`Backend::read`] wraps it.
    fn read_now(&self, request: &ReadRequest) -> Result<ReadResponse> {
        let state = self.state();
        read::read(self.schema(), &state, self.page_bytes, request)
    }
}

fn remove_positions(state: &mut State, positions: Vec<Option<Vec<u8>>>) {
    for (i, pos) in positions.into_iter().enumerate() {
        if let (Some(pos), Some(map)) = (pos, state.indexes.get_mut(i)) {
            map.remove(&pos);
        }
    }
}

impl Backend for MemoryTable {
    /// Reads one page; see [`MemoryTable`] for the rules.
    fn read(&self, request: ReadRequest) -> impl std::future::Future<Output = Result<ReadResponse>> + Send {
        std::future::ready(self.read_now(&request))
    }

    /// Runs one `BatchGetItem` call: every item at once (up to DynamoDB's
    /// 100 keys and 16 MB), one eventually consistent read per item.
    fn batch_get(
        &self,
        request: BatchGetRequest,
    ) -> impl std::future::Future<Output = Result<BatchGetResponse>> + Send {
        let state = self.state();
        std::future::ready(read::batch_get(self.schema(), &state, &request))
    }
}
