//! dynaquery: the list queries product teams ask for — several filters, a
//! multi-column `ORDER BY`, `LIMIT` and stable pages — on Amazon DynamoDB.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod backend;
pub mod cond;
pub mod encoding;
mod error;
pub mod expr;
pub mod query;
pub mod schema;
pub mod value;

pub use backend::memory::MemoryTable;
pub use backend::{Backend, KeyCondition, ReadRequest, ReadResponse, SortRange};
pub use encoding::Direction;
pub use error::{Error, ErrorKind, Result};
pub use expr::{col, not, CmpOp, Expr};
pub use query::{asc, desc, OrderBy, Query};
pub use schema::{Index, IndexKind, KeyAttribute, KeySchema, Projection, ScalarType, Schema};
pub use value::{item, AttrType, Item, Number, NumberError, Value};
