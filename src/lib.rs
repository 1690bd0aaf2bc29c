//! dynaquery: the list queries product teams ask for — several filters, a
//! multi-column `ORDER BY`, `LIMIT` and stable pages — on Amazon DynamoDB.
//!
//! # A tour
//!
//! 1. Describe the table with a [`Schema`]: its primary key, its GSIs and
//!    LSIs (keys as lists: GSIs allow up to four partition and four sort
//!    attributes) and their projections.
//! 2. Build a [`Query`] with [`col`], [`asc`] and [`desc`]: filters with SQL
//!    semantics ([`Expr`]), a multi-column `ORDER BY`, a `LIMIT`, an optional
//!    `SELECT` list and a cursor.
//! 3. [`Engine::plan`] turns it into a [`Plan`] — which index, one stream per
//!    partition-key value, the key condition, the server `FilterExpression`,
//!    the client residual filter, and how much of the order the index already
//!    delivers. `Display` it for EXPLAIN. Planning is pure: no I/O.
//! 4. [`Engine::fetch`] runs one page through a [`Backend`]: the streams run in
//!    parallel, are k-way merged on the served prefix of the order, runs of
//!    ties are re-sorted on the rest, rows at or before the cursor are
//!    skipped, and the page comes back with a cursor to the next one and its
//!    [`QueryStats`]. [`Engine::pages`] and [`Engine::rows`] walk every
//!    page as a `Send + 'static` stream, following the cursors for you.
//!
//! Or write step 2 as SQL text: [`sql::parse`] turns a `SELECT` in a
//! documented subset (filters, `ORDER BY`, `LIMIT`, `OFFSET`, `$1`/`?`
//! parameters, `FROM table.index` hints) into the same [`Query`], and names
//! whatever lies outside the subset in an [`ErrorKind::Sql`] error.
//!
//! Two backends ship: [`MemoryTable`], a faithful in-memory emulator of
//! DynamoDB's `Query` (for examples and your own unit tests), and the
//! DynamoDB backend over an `aws_sdk_dynamodb::Client` you build.
//!
//! Every failure is an [`Error`] with an [`ErrorKind`] and a message that
//! says what to do; nothing a caller or the network controls can panic. A
//! service maps it with [`Error::is_client_error`] (4xx or 5xx),
//! [`Error::is_retryable`] and [`Error::client_message`] (safe to show).
//! Limits and their defaults are in [`Options`].
//!
//! The semantics contract — what "correct" means, NULLs, ties, the order of
//! values across types — is in the README, and the module docs of
//! [`encoding`] and [`cond`] say how it is kept.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod backend;
pub mod cond;
mod cursor;
pub mod cursor_seal;
pub mod encoding;
mod engine;
mod error;
mod exec;
pub mod expr;
mod options;
mod page;
mod paging;
pub mod plan;
pub mod query;
pub mod schema;
pub mod sql;
mod stats;
pub mod value;

#[cfg(feature = "aws-sdk-dynamodb+1")]
pub use backend::dynamodb::DynamoDb;
pub use backend::memory::MemoryTable;
pub use backend::{Backend, KeyCondition, ReadRequest, ReadResponse, SortRange};
pub use cursor::MAX_CURSOR_LEN;
pub use cursor_seal::CursorKey;
pub use encoding::Direction;
pub use engine::Engine;
pub use error::{Error, ErrorKind, Result};
pub use exec::{SizingPolicy, SizingStart};
pub use expr::{col, not, CmpOp, Expr};
pub use options::Options;
pub use page::Page;
pub use plan::{Plan, SortColumn, Strategy, StreamSpec};
pub use query::{asc, desc, OrderBy, Query};
pub use schema::{Index, IndexKind, KeyAttribute, KeySchema, Projection, ScalarType, Schema};
pub use stats::{QueryStats, StreamStats};
pub use value::{from_item, item, to_item, AttrType, Item, Number, NumberError, Value};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
