//! dynaquery: the list queries product teams ask for — several filters, a
//! multi-column `ORDER BY`, `LIMIT` and stable pages — on Amazon DynamoDB.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod backend;
pub mod cond;
mod cursor;
pub mod encoding;
mod engine;
mod error;
mod exec;
pub mod expr;
mod options;
mod page;
pub mod plan;
pub mod query;
pub mod schema;
mod stats;
pub mod value;

pub use backend::memory::MemoryTable;
pub use backend::{Backend, KeyCondition, ReadRequest, ReadResponse, SortRange};
pub use cursor::MAX_CURSOR_LEN;
pub use encoding::Direction;
pub use engine::Engine;
pub use error::{Error, ErrorKind, Result};
pub use expr::{col, not, CmpOp, Expr};
pub use options::Options;
pub use page::Page;
pub use plan::{Plan, SortColumn, Strategy, StreamSpec};
pub use query::{asc, desc, OrderBy, Query};
pub use schema::{Index, IndexKind, KeyAttribute, KeySchema, Projection, ScalarType, Schema};
pub use stats::QueryStats;
pub use value::{from_item, item, to_item, AttrType, Item, Number, NumberError, Value};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
