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
pub mod dynamodb;
pub mod expression;
pub mod memory;

/// The range condition on one sort-key attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyCondition {
    /// `attr = value` for each partition attribute, in key order.
    pub partition: Vec<(String, Value)>,
    /// `attr = value` for a leading run of sort attributes, in key order.
    pub sort_eq: Vec<(String, Value)>,
    /// A range on the sort attribute after `sort_eq`.
    pub sort_range: Option<(String, SortRange)>,
}

/// One `Query` (or, with `key: None`, `Scan`) request.
#[derive(Debug, Clone, PartialEq)]
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
}

/// One page of a `Query`/`Scan` response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReadResponse {
    /// Items that passed the filter, projected.
    pub items: Vec<Item>,
    /// `ScannedCount`: items evaluated before the filter.
    pub scanned_count: u64,
    /// `LastEvaluatedKey`: present when the read stopped before the end.
    pub last_evaluated_key: Option<Item>,
    /// Read capacity units consumed, where the backend reports them.
    pub consumed_capacity: Option<f64>,
}

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
}

impl<B: Backend> Backend for &B {
    fn read(&self, request: ReadRequest) -> impl Future<Output = Result<ReadResponse>> + Send {
        (**self).read(request)
    }
}

impl<B: Backend> Backend for std::sync::Arc<B> {
    fn read(&self, request: ReadRequest) -> impl Future<Output = Result<ReadResponse>> + Send {
        (**self).read(request)
    }
}
