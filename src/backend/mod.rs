//! The one seam between planning/merging and I/O: a [`Backend`] runs one
//! DynamoDB `Query` (or `Scan`) page per call.
//!
//! Two implementations ship: [`MemoryTable`](crate::MemoryTable), an
//! in-memory emulator of DynamoDB's Query semantics, and
//! [`DynamoDb`](crate::DynamoDb) over an `aws_sdk_dynamodb::Client`.

use std::future::Future;

use crate::cond::Cond;
use crate::error::Result;
use crate::value::{Item, Value};

#[cfg(feature = "aws-sdk-dynamodb+1")]
pub(crate) mod dynamodb;
pub(crate) mod expression;
pub(crate) mod memory;

/// The range condition on one sort-key attribute.
///
/// New variants may be added: a custom [`Backend`] should refuse one it
/// does not know with an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SortRange {
    /// `= v`
    Eq(Value),
    /// `< v`
    Lt(Value),
    /// `<= v`
    Le(Value),
    /// `> v`
    Gt(Value),
    /// `>= v`
    Ge(Value),
    /// `BETWEEN lo AND hi` (`lo <= hi`, same type; the planner guarantees it).
    Between(Value, Value),
    /// `begins_with(attr, prefix)`
    BeginsWith(Value),
}

/// A `KeyConditionExpression`, structured.
///
/// Equality on every partition attribute of the index; equality on a
/// leading run of its sort attributes; at most one range on the next one.
///
/// ```
/// use dynaquery::{KeyCondition, SortRange, Value};
/// let k = KeyCondition::new([("status", Value::from("paid"))])
///     .with_sort_range("created_at", SortRange::Ge(Value::from("2026-11-01")));
/// assert_eq!(k.partition[0].0, "status");
/// assert!(k.sort_eq.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct KeyCondition {
    /// `attr = value` for each partition attribute, in key order.
    pub partition: Vec<(String, Value)>,
    /// `attr = value` for a leading run of sort attributes, in key order.
    pub sort_eq: Vec<(String, Value)>,
    /// A range on the sort attribute after `sort_eq`.
    pub sort_range: Option<(String, SortRange)>,
}

impl KeyCondition {
    /// Equality on each partition attribute, in key order; no sort-key condition.
    pub fn new<S: Into<String>>(partition: impl IntoIterator<Item = (S, Value)>) -> Self {
        KeyCondition {
            partition: partition.into_iter().map(|(a, v)| (a.into(), v)).collect(),
            sort_eq: Vec::new(),
            sort_range: None,
        }
    }

    /// Adds `attr = value` on the next sort attribute.
    pub fn with_sort_eq(mut self, attr: impl Into<String>, value: Value) -> Self {
        self.sort_eq.push((attr.into(), value));
        self
    }

    /// Sets the range on the sort attribute after the `sort_eq` ones.
    pub fn with_sort_range(mut self, attr: impl Into<String>, range: SortRange) -> Self {
        self.sort_range = Some((attr.into(), range));
        self
    }
}

/// One `Query` (or, with `key: None`, `Scan`) request.
///
/// Build one with [`ReadRequest::query`] or [`ReadRequest::scan`], then
/// set the other fields (they are public; new ones may be added).
///
/// ```
/// use dynaquery::{col, Cond, KeyCondition, ReadRequest, Value};
/// let mut r = ReadRequest::query("orders", KeyCondition::new([("status", Value::from("paid"))]));
/// r.index = Some("status-created_at".into());
/// r.filter = Some(Cond::from(&col("country").eq("FR")));
/// r.limit = Some(100);
/// assert!(r.scan_forward);
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReadRequest {
    /// Table name.
    pub table: String,
    /// Index name; `None` for the table itself.
    pub index: Option<String>,
    /// Key condition; `None` means a `Scan`.
    pub key: Option<KeyCondition>,
    /// `FilterExpression`, applied after `limit` counted the items.
    pub filter: Option<Cond>,
    /// `ProjectionExpression` attributes; `None` = every attribute
    /// (`Select: ALL_ATTRIBUTES`).
    pub projection: Option<Vec<String>>,
    /// `ScanIndexForward`.
    pub scan_forward: bool,
    /// `Limit`: items evaluated (before the filter).
    pub limit: Option<u32>,
    /// `ExclusiveStartKey`.
    pub exclusive_start_key: Option<Item>,
    /// `Select: COUNT`: the response carries only [`ReadResponse::count`]
    /// and `ScannedCount`, no items (the filter still applies). DynamoDB
    /// refuses a projection together with it. A custom [`Backend`] that
    /// ignores it and answers with items through [`ReadResponse::new`]
    /// stays correct, only costlier: `count` is then the items' number.
    pub count_only: bool,
    /// One segment of a parallel `Scan` (DynamoDB's `Segment` and
    /// `TotalSegments`); `None` reads the whole table or index. Only a
    /// `Scan` takes it: a backend refuses it on a `Query`. A custom
    /// [`Backend`] that does not support segments must refuse a request
    /// that sets it, never read the whole table in its place.
    pub segment: Option<ScanSegment>,
}

impl ReadRequest {
    /// A `Query` on `table` (not an index), forward, with no filter,
    /// projection, `Limit` or start key.
    pub fn query(table: impl Into<String>, key: KeyCondition) -> Self {
        ReadRequest {
            table: table.into(),
            index: None,
            key: Some(key),
            filter: None,
            projection: None,
            scan_forward: true,
            limit: None,
            exclusive_start_key: None,
            count_only: false,
            segment: None,
        }
    }

    /// A `Scan` of `table`, with no filter, projection, `Limit` or start key.
    pub fn scan(table: impl Into<String>) -> Self {
        ReadRequest { key: None, ..ReadRequest::query(table, KeyCondition::new::<String>([])) }
    }

    /// Reads this index instead of the table.
    pub fn with_index(mut self, index: impl Into<String>) -> Self {
        self.index = Some(index.into());
        self
    }

    /// Sets the `FilterExpression`.
    pub fn with_filter(mut self, filter: Cond) -> Self {
        self.filter = Some(filter);
        self
    }

    /// Sets the `ProjectionExpression` attributes.
    pub fn with_projection<S: Into<String>>(mut self, attrs: impl IntoIterator<Item = S>) -> Self {
        self.projection = Some(attrs.into_iter().map(Into::into).collect());
        self
    }

    /// Sets `ScanIndexForward` (`false` reads the sort key descending).
    pub fn with_scan_forward(mut self, forward: bool) -> Self {
        self.scan_forward = forward;
        self
    }

    /// Sets `Limit`: items evaluated (before the filter).
    pub fn with_limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Sets `ExclusiveStartKey`.
    pub fn with_exclusive_start_key(mut self, key: Item) -> Self {
        self.exclusive_start_key = Some(key);
        self
    }

    /// Reads only this segment of a parallel `Scan`.
    ///
    /// ```
    /// use dynaquery::{ReadRequest, ScanSegment};
    /// let r = ReadRequest::scan("orders").with_segment(ScanSegment::new(2, 4)?);
    /// assert_eq!(r.segment.map(|s| (s.segment(), s.total())), Some((2, 4)));
    /// # Ok::<(), dynaquery::Error>(())
    /// ```
    pub fn with_segment(mut self, segment: ScanSegment) -> Self {
        self.segment = Some(segment);
        self
    }

    /// Asks for `Select: COUNT`: no items back, only how many passed the
    /// filter ([`ReadResponse::count`]) and how many were evaluated.
    ///
    /// ```
    /// use dynaquery::{KeyCondition, ReadRequest, Value};
    /// let r = ReadRequest::query("orders", KeyCondition::new([("status", Value::from("paid"))])).counting();
    /// assert!(r.count_only && r.projection.is_none());
    /// ```
    pub fn counting(mut self) -> Self {
        self.count_only = true;
        self
    }
}

/// One segment of a parallel `Scan`: DynamoDB's `Segment` (from 0) and
/// `TotalSegments`.
///
/// The segments of one total split the table (or index) into disjoint
/// parts whose union is all of it; all items of one partition-key value
/// are in the same segment. Which segment an item lands in is the store's
/// business: DynamoDB and [`MemoryTable`](crate::MemoryTable) split
/// differently.
///
/// ```
/// use dynaquery::{ErrorKind, ScanSegment};
/// let s = ScanSegment::new(1, 4)?;
/// assert_eq!((s.segment(), s.total()), (1, 4));
/// assert_eq!(s.to_string(), "segment 1 of 4");
/// assert_eq!(ScanSegment::all(3)?.count(), 3);
/// // As DynamoDB: 1 ≤ total ≤ 1 000 000, and segment < total.
/// assert_eq!(ScanSegment::new(4, 4).unwrap_err().kind(), ErrorKind::InvalidQuery);
/// assert!(ScanSegment::new(0, 0).is_err());
/// assert!(ScanSegment::new(0, 1_000_001).is_err());
/// # Ok::<(), dynaquery::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScanSegment {
    segment: u32,
    total: u32,
}

impl ScanSegment {
    /// The most segments DynamoDB splits a `Scan` into.
    pub const MAX_TOTAL: u32 = 1_000_000;

    /// Segment `segment` (from 0) of `total`.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidQuery`](crate::ErrorKind::InvalidQuery) unless
    /// `1 <= total <= 1 000 000` and `segment < total`, the bounds DynamoDB
    /// enforces; the message says which one failed.
    pub fn new(segment: u32, total: u32) -> Result<Self> {
        Self::check_total(total)?;
        if segment >= total {
            return Err(crate::Error::invalid_query(format!(
                "segment {segment} of {total}: segments are numbered from 0 to total - 1 ({})",
                total - 1
            )));
        }
        Ok(ScanSegment { segment, total })
    }

    /// Every segment of `total`, in order: `0 of total`, `1 of total`, …
    ///
    /// # Errors
    /// As [`new`](ScanSegment::new), for `total` out of `1..=1 000 000`.
    pub fn all(total: u32) -> Result<impl Iterator<Item = ScanSegment>> {
        Self::check_total(total)?;
        Ok((0..total).map(move |segment| ScanSegment { segment, total }))
    }

    fn check_total(total: u32) -> Result<()> {
        if total == 0 || total > Self::MAX_TOTAL {
            return Err(crate::Error::invalid_query(format!(
                "{total} total segments: a parallel scan has 1 to {} segments",
                Self::MAX_TOTAL
            )));
        }
        Ok(())
    }

    /// This segment's number, from 0.
    pub fn segment(self) -> u32 {
        self.segment
    }

    /// How many segments the scan is split into.
    pub fn total(self) -> u32 {
        self.total
    }
}

impl std::fmt::Display for ScanSegment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "segment {} of {}", self.segment, self.total)
    }
}

/// Both backends' refusal of a segment on a `Query` (DynamoDB's `Query`
/// has no such parameter).
pub(crate) const SEGMENT_ON_QUERY: &str =
    "Segment and TotalSegments are parameters of a Scan; a Query takes neither";

/// DynamoDB Local 3.3.0's refusal of an `ExclusiveStartKey` outside the
/// requested segment.
pub(crate) const START_KEY_NOT_IN_SEGMENT: &str = "Exclusive start key must lie within the segment";

/// One page of a `Query`/`Scan` response: what a [`Backend`] returns.
///
/// ```
/// use dynaquery::{item, ReadResponse, Value};
/// let r = ReadResponse::new(vec![item([("id", Value::from("a"))])], 3)
///     .with_last_evaluated_key(item([("id", Value::from("c"))]));
/// assert_eq!((r.items.len(), r.count, r.scanned_count), (1, 1, 3));
///
/// // A `Select: COUNT` page: no items, only the count.
/// let c = ReadResponse::counted(2, 3);
/// assert!(c.items.is_empty());
/// assert_eq!((c.count, c.scanned_count), (2, 3));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct ReadResponse {
    /// Items that passed the filter, projected; empty for a
    /// [`count_only`](ReadRequest::count_only) read.
    pub items: Vec<Item>,
    /// `Count`: items that passed the filter. For a normal read it equals
    /// `items.len()`; for a [`count_only`](ReadRequest::count_only) read it
    /// is the only trace of them.
    pub count: u64,
    /// `ScannedCount`: items evaluated before the filter.
    pub scanned_count: u64,
    /// `LastEvaluatedKey`: present when the read stopped before the end.
    pub last_evaluated_key: Option<Item>,
    /// Read capacity units consumed, where the backend reports them.
    pub consumed_capacity: Option<f64>,
}

impl ReadResponse {
    /// The items that passed the filter, and `ScannedCount` (items evaluated
    /// before it); no `LastEvaluatedKey` (the read reached the end) and no
    /// capacity figure.
    pub fn new(items: Vec<Item>, scanned_count: u64) -> Self {
        let count = items.len() as u64;
        ReadResponse { items, count, scanned_count, last_evaluated_key: None, consumed_capacity: None }
    }

    /// The response to a [`count_only`](ReadRequest::count_only) read:
    /// `count` items passed the filter out of `scanned_count` evaluated;
    /// no items, no `LastEvaluatedKey`, no capacity figure.
    pub fn counted(count: u64, scanned_count: u64) -> Self {
        ReadResponse { count, ..ReadResponse::new(Vec::new(), scanned_count) }
    }

    /// Sets `LastEvaluatedKey`: the read stopped before the end.
    pub fn with_last_evaluated_key(mut self, key: Item) -> Self {
        self.last_evaluated_key = Some(key);
        self
    }

    /// Sets the read capacity units consumed.
    pub fn with_consumed_capacity(mut self, units: f64) -> Self {
        self.consumed_capacity = Some(units);
        self
    }

    /// An error where the response breaks the part of DynamoDB's `Query`
    /// contract that paging relies on to end: a read that stopped before
    /// the end (a `LastEvaluatedKey`) evaluated at least one item first
    /// (`Limit` is at least 1, and a 1 MB page holds one item at least). A
    /// server or emulator whose pagination does not move would otherwise
    /// be read forever, and with responses that are ready at once the
    /// loop would never yield to a caller's timeout.
    pub(crate) fn check_moved(&self) -> Result<()> {
        if self.last_evaluated_key.is_some() && self.scanned_count == 0 {
            return Err(crate::error::Error::new(
                crate::error::ErrorKind::Backend,
                "the backend stopped a read before its end (LastEvaluatedKey) having evaluated no item \
                 (ScannedCount 0): DynamoDB evaluates at least one item first, so this pagination would \
                 never move; check the endpoint (an emulator or a proxy) or the Backend implementation",
            ));
        }
        Ok(())
    }
}

/// The most keys one DynamoDB `BatchGetItem` call takes.
pub const MAX_BATCH_GET_KEYS: usize = 100;

/// One `BatchGetItem` call on one table: up to
/// [`MAX_BATCH_GET_KEYS`] primary keys, distinct, each holding exactly the
/// table's key attributes.
///
/// Build one with [`BatchGetRequest::new`] (its fields are public; new ones
/// may be added).
///
/// ```
/// use dynaquery::{item, BatchGetRequest, Value};
/// let r = BatchGetRequest::new("orders", vec![item([("order_id", Value::from("o1"))])])
///     .with_projection(["order_id", "note"]);
/// assert_eq!(r.keys.len(), 1);
/// assert_eq!(r.projection.as_deref(), Some(&["order_id".to_owned(), "note".to_owned()][..]));
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BatchGetRequest {
    /// Table name.
    pub table: String,
    /// The primary keys to read (at most [`MAX_BATCH_GET_KEYS`], no duplicates).
    pub keys: Vec<Item>,
    /// `ProjectionExpression` attributes; `None` = every attribute.
    pub projection: Option<Vec<String>>,
}

impl BatchGetRequest {
    /// Reads `keys` from `table`, every attribute.
    pub fn new(table: impl Into<String>, keys: Vec<Item>) -> Self {
        BatchGetRequest { table: table.into(), keys, projection: None }
    }

    /// Sets the `ProjectionExpression` attributes.
    pub fn with_projection<S: Into<String>>(mut self, attrs: impl IntoIterator<Item = S>) -> Self {
        self.projection = Some(attrs.into_iter().map(Into::into).collect());
        self
    }
}

/// What one `BatchGetItem` call returned.
///
/// ```
/// use dynaquery::{item, BatchGetResponse, Value};
/// let r = BatchGetResponse::new(vec![item([("order_id", Value::from("o1"))])])
///     .with_unprocessed_keys(vec![item([("order_id", Value::from("o2"))])])
///     .with_consumed_capacity(0.5);
/// assert_eq!((r.items.len(), r.unprocessed_keys.len(), r.consumed_capacity), (1, 1, Some(0.5)));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct BatchGetResponse {
    /// The items found, projected, in no particular order. A key with no
    /// item is simply absent.
    pub items: Vec<Item>,
    /// `UnprocessedKeys`: keys the store did not read this time (throttling,
    /// the 16 MB response cap). The engine asks for them again, with backoff.
    pub unprocessed_keys: Vec<Item>,
    /// Read capacity units consumed, where the backend reports them.
    pub consumed_capacity: Option<f64>,
}

impl BatchGetResponse {
    /// The items found; no unprocessed keys, no capacity figure.
    pub fn new(items: Vec<Item>) -> Self {
        BatchGetResponse { items, unprocessed_keys: Vec::new(), consumed_capacity: None }
    }

    /// Sets the keys left unprocessed.
    pub fn with_unprocessed_keys(mut self, keys: Vec<Item>) -> Self {
        self.unprocessed_keys = keys;
        self
    }

    /// Sets the read capacity units consumed.
    pub fn with_consumed_capacity(mut self, units: f64) -> Self {
        self.consumed_capacity = Some(units);
        self
    }
}

/// The refusal of [`Backend::batch_get`]'s default implementation.
pub(crate) const NO_BATCH_GET: &str = "this backend does not implement Backend::batch_get (BatchGetItem), \
     which a query on a KEYS_ONLY or INCLUDE index needs to fetch the attributes the index does not \
     project; implement it, or select only attributes the index projects";

/// Runs one page of a DynamoDB `Query` or `Scan`.
///
/// Implementations must give DynamoDB's semantics: `limit` caps items
/// *evaluated* before the filter, a page stops at 1 MB, items come in index
/// sort-key order (ties in no promised order), and `last_evaluated_key` is
/// set whenever the read stopped early.
pub trait Backend: Send + Sync {
    /// Reads one page.
    ///
    /// # Errors
    /// [`ErrorKind::Backend`](crate::ErrorKind::Backend) for a request the
    /// store rejects or fails; never a short page in place of an error.
    fn read(&self, request: ReadRequest) -> impl Future<Output = Result<ReadResponse>> + Send;

    /// Runs one `BatchGetItem` call: reads the items of `request.keys`
    /// from the table. Keys the store did not get to go in
    /// [`BatchGetResponse::unprocessed_keys`]; the engine retries them
    /// with bounded exponential backoff, so an implementation does not.
    ///
    /// Plans that query a `KEYS_ONLY` or `INCLUDE` global secondary index
    /// call it for the attributes the index lacks (see
    /// [`Plan::fetch`](crate::Plan::fetch)); no other plan does.
    ///
    /// The default implementation fails with
    /// [`ErrorKind::Backend`](crate::ErrorKind::Backend), so that a custom
    /// backend written before this method existed keeps compiling and
    /// serves every other plan.
    ///
    /// # Errors
    /// [`ErrorKind::Backend`](crate::ErrorKind::Backend) for a request the
    /// store rejects or fails; never missing items in place of an error.
    fn batch_get(&self, request: BatchGetRequest) -> impl Future<Output = Result<BatchGetResponse>> + Send {
        let _ = request;
        std::future::ready(Err(crate::Error::new(crate::ErrorKind::Backend, NO_BATCH_GET)))
    }
}

impl<B: Backend> Backend for &B {
    fn read(&self, request: ReadRequest) -> impl Future<Output = Result<ReadResponse>> + Send {
        (**self).read(request)
    }

    fn batch_get(&self, request: BatchGetRequest) -> impl Future<Output = Result<BatchGetResponse>> + Send {
        (**self).batch_get(request)
    }
}

impl<B: Backend> Backend for std::sync::Arc<B> {
    fn read(&self, request: ReadRequest) -> impl Future<Output = Result<ReadResponse>> + Send {
        (**self).read(request)
    }

    fn batch_get(&self, request: BatchGetRequest) -> impl Future<Output = Result<BatchGetResponse>> + Send {
        (**self).batch_get(request)
    }
}
