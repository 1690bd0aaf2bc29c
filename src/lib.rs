//! dynaquery: the list queries product teams ask for — several filters, a
//! multi-column `ORDER BY`, `LIMIT` and stable pages — on Amazon DynamoDB.
//!
//! ```
//! use dynaquery::{asc, col, desc, item, Engine, Index, KeyAttribute, MemoryTable, Query, Schema, Value};
//!
//! # fn main() -> Result<(), dynaquery::Error> {
//! let schema = Schema::new("orders", KeyAttribute::s("order_id"))
//!     .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
//!     .always_present(["status", "created_at"]);
//! // Any `Backend`: the in-memory table here, `DynamoDb::new(client)` in production.
//! let table = MemoryTable::new(schema.clone());
//! for (id, status, country, at) in [
//!     ("o-1", "paid", "FR", "2026-11-20"),
//!     ("o-2", "shipped", "FR", "2026-11-21"),
//!     ("o-3", "paid", "DE", "2026-11-22"),
//!     ("o-4", "paid", "FR", "2026-11-22"),
//! ] {
//!     table.put(item([
//!         ("order_id", Value::from(id)),
//!         ("status", status.into()),
//!         ("country", country.into()),
//!         ("created_at", at.into()),
//!     ]))?;
//! }
//! let engine = Engine::new(schema, table);
//!
//! let query = Query::new()
//!     .filter(col("status").is_in(["paid", "shipped"]))
//!     .filter(col("country").eq("FR"))
//!     .order_by(desc("created_at"))
//!     .order_by(asc("order_id"))
//!     .limit(2);
//! // Any executor; services usually run on tokio.
//! let page = futures::executor::block_on(engine.fetch(&query))?;
//! let ids: Vec<_> = page.rows.iter().map(|r| r["order_id"].clone()).collect();
//! assert_eq!(ids, [Value::from("o-4"), Value::from("o-2")]);
//!
//! // The next page continues after the cursor; `None` marks the true end.
//! let next = futures::executor::block_on(engine.fetch(&query.cursor(page.next_cursor.unwrap())))?;
//! assert_eq!(next.rows[0]["order_id"], Value::from("o-1"));
//! assert!(next.next_cursor.is_none());
//! # Ok(()) }
//! ```
//!
//! # A tour
//!
//! 1. Describe the table with a [`Schema`]: its primary key, its GSIs and
//!    LSIs (keys as lists: GSIs allow up to four partition and four sort
//!    attributes) and their projections — or load it with
//!    [`dynamodb::load_schema`].
//! 2. Build a [`Query`] with [`col`], [`asc`] and [`desc`]: filters with SQL
//!    semantics ([`Expr`]), a multi-column `ORDER BY`, a `LIMIT`, an optional
//!    `SELECT` list and a cursor. Or write it as SQL text: [`sql::parse`]
//!    turns a `SELECT` in a documented subset into the same [`Query`], and
//!    names whatever lies outside the subset in an [`ErrorKind::Sql`] error.
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
//! 5. An export that needs no order, of a query no index serves, runs as
//!    DynamoDB's parallel scan: [`Engine::scan_segments`] streams every
//!    matching row, a bounded number of [`ScanSegment`]s read at once, and
//!    [`Engine::segment_pages`] pages through one segment (in another
//!    process or on another machine), resumable from its own cursor.
//!
//! Two backends ship: [`MemoryTable`], a faithful in-memory emulator of
//! DynamoDB's `Query` (for examples and your own unit tests), and
//! [`DynamoDb`] over an `aws_sdk_dynamodb::Client` you build. A custom
//! [`Backend`] receives a [`ReadRequest`] and answers a [`ReadResponse`];
//! for plans on a `KEYS_ONLY` or `INCLUDE` index ([`Plan::fetch`]) it also
//! answers [`Backend::batch_get`] (a [`BatchGetRequest`] of up to
//! [`MAX_BATCH_GET_KEYS`] keys).
//!
//! Every failure is an [`Error`] with an [`ErrorKind`] and a message that
//! says what to do; nothing a caller or the network controls can panic. A
//! service maps it with [`Error::is_client_error`] (4xx or 5xx),
//! [`Error::is_retryable`] and [`Error::client_message`] (safe to show).
//! Limits and their defaults are in [`Options`].
//!
//! # What "correct" means
//!
//! A query's rows, concatenated over all its pages, are what PostgreSQL
//! would return for the same data and the same SQL, with these rules:
//!
//! - **Order of values.** Strings compare by their UTF-8 bytes (PostgreSQL
//!   `COLLATE "C"`, DynamoDB's own sort-key order); numbers as exact
//!   decimals of up to 38 digits ([`Number`], never through `f64`); binary
//!   as unsigned bytes; `false` before `true`. In one sort column, values
//!   of different types sort as booleans < numbers < strings < binary
//!   ([`encode_column`] is that order as bytes). A list, map or set in an
//!   `ORDER BY` column is an [`ErrorKind::Unorderable`] error.
//! - **NULL.** A missing attribute, or DynamoDB's `NULL`, is SQL `NULL`: no
//!   comparison with it is true — `country <> 'FR'` is false for an order
//!   with no country, although DynamoDB's own `<>` says true (the
//!   [`Cond`] sent to DynamoDB adds the `attribute_exists` guard).
//!   [`Col::is_null`] and [`Col::is_not_null`] test for it.
//! - **NULLs in `ORDER BY`.** PostgreSQL's default: last for `ASC`, first
//!   for `DESC`.
//! - **Ties.** The table's primary key, ascending, always ends the order, so
//!   the order is total — which is what makes cursors exact.
//! - **Nothing vanishes.** GSIs are sparse; an index is used only when the
//!   filter implies its key attributes exist, or the schema declares them
//!   [always present](Schema::always_present).
//! - **Pages.** A row that exists, unchanged, for the whole pagination
//!   appears exactly once; rows inserted, deleted or updated meanwhile may or
//!   may not appear, as with keyset pagination in any SQL database. A page
//!   has `LIMIT` rows, fewer only at the true end, where `next_cursor` is
//!   `None`.
//!
//! # Features
//!
//! - `aws-sdk-dynamodb+1` (default): the [`DynamoDb`] backend and the
//!   [`dynamodb`] helpers, on `aws-sdk-dynamodb` 1.x (named after the SDK
//!   major version, as serde_dynamo does).
//! - `serde` (off): `Serialize` and `Deserialize` for [`Value`] and so
//!   [`Item`] (DynamoDB JSON: `{"N": "19.99"}`, numbers exact, as strings;
//!   binary as base64), [`Number`] (a string), [`Page`], [`QueryStats`] and
//!   [`Schema`] (the CLI's `--schema` file format: `{"table": …,
//!   "partition_key": [{"name": …, "type": "S"}], "indexes": [...]}`, checked
//!   as DynamoDB would when read).
//! - `rust_decimal` (off): `From<rust_decimal::Decimal>` for [`Number`] and
//!   [`Value`] (exact), `TryFrom<Number>` for `Decimal` (exact when it
//!   fits), so `col("total").ge(Decimal::new(1999, 2))` works.
//! - `tracing` (off): a `dynaquery.page` span per page (query fingerprint,
//!   table, index, streams, strategy, limit; then rows, items read, round
//!   trips, RCU, and `sizing_start`: cold, warm, hinted or resumed) and a
//!   `dynaquery.request` span per backend request (table, index, stream,
//!   `Limit`; then scanned, returned, whether more follows, latency in µs),
//!   at `DEBUG` level; the SDK's own spans nest inside. Without the feature
//!   none of this is compiled.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// Every module is private: what users need is re-exported below, each item
// by one path (the crate root), plus two modules whose free functions read
// best qualified: `sql::parse` and `dynamodb::load_schema`.
mod backend;
mod cond;
mod count;
mod cursor;
mod cursor_seal;
#[cfg(feature = "aws-sdk-dynamodb+1")]
pub mod dynamodb;
mod encoding;
mod engine;
mod error;
mod exec;
mod expr;
mod options;
mod page;
mod paging;
mod plan;
mod query;
mod scan_cursor;
mod schema;
#[cfg(feature = "serde")]
mod schema_file;
mod segments;
pub mod sql;
mod stats;
mod template;
#[cfg(feature = "tracing")]
mod trace;
mod value;

#[cfg(feature = "aws-sdk-dynamodb+1")]
pub use backend::dynamodb::DynamoDb;
pub use backend::memory::MemoryTable;
pub use backend::{
    Backend, BatchGetRequest, BatchGetResponse, KeyCondition, ReadRequest, ReadResponse, ScanSegment,
    SortRange, MAX_BATCH_GET_KEYS,
};
pub use cond::Cond;
pub use count::{Count, CountGroup};
pub use cursor::MAX_CURSOR_LEN;
pub use cursor_seal::CursorKey;
pub use encoding::{encode_column, Direction, Unorderable};
pub use engine::Engine;
pub use error::{Error, ErrorKind, Result};
pub use exec::{SizingPolicy, SizingStart};
pub use expr::{col, not, CmpOp, Col, Expr};
pub use options::Options;
pub use page::Page;
pub use plan::{Fetch, Plan, SortColumn, Strategy, StreamSpec};
pub use query::{asc, desc, OrderBy, Query};
pub use schema::{Index, IndexKind, KeyAttribute, KeySchema, Projection, ScalarType, Schema, Sharding};
pub use stats::{QueryStats, StreamStats};
pub use template::{Entity, KeyTemplate, Part, PartFormat};
pub use value::{from_item, item, to_item, AttrType, Item, Number, NumberError, Value};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
