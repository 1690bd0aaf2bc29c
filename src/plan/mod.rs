//! Planning: a pure function from (schema, query) to a [`Plan`] you can print.
//!
//! ```text
//! plan(schema, query)
//!   ├─ validate operands                          (validate.rs)
//!   ├─ evaluate every index as an access path     (candidate.rs)
//!   │    partition =/IN → streams, sort range → key condition,
//!   │    other conjuncts → server filter or client residual,
//!   │    longest ORDER BY prefix the streams are sorted by
//!   ├─ pick the best, or fail naming the index that would serve (suggest.rs)
//!   └─ Display = EXPLAIN                          (explain.rs)
//! ```

mod candidate;
mod explain;
mod suggest;
pub(crate) mod validate;

use sha2::{Digest, Sha256};

use crate::backend::KeyCondition;
use crate::cond::Cond;
use crate::encoding::Direction;
use crate::error::{Error, Result};
use crate::expr::Expr;
use crate::options::Options;
use crate::query::Query;
use crate::schema::Schema;
use crate::value::Value;

use candidate::Candidate;

/// How the executor orders rows across streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Strategy {
    /// Every stream is sorted by the whole order: plain k-way merge.
    Merge,
    /// Streams are sorted by a prefix of the order: k-way merge on the
    /// prefix, then each run of rows equal on it is sorted on the rest.
    MergeThenSortTies,
    /// No useful prefix: read every matching row (within the read budget)
    /// and keep the top N with a heap.
    TopK,
}

/// One column of the total order: `ORDER BY` terms, then the primary key ascending.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SortColumn {
    /// Attribute name.
    pub attr: String,
    /// Direction.
    pub dir: Direction,
}

/// One parallel stream: a key condition (one partition-key value).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct StreamSpec {
    /// The key condition; `None` for a `Scan`.
    pub key: Option<KeyCondition>,
}

/// Where the cursor can narrow each stream's key condition.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Narrowing {
    /// Position in [`Plan::order`] of the sort-key column the streams are ordered by.
    pub order_pos: usize,
    /// Its declared type.
    pub ty: crate::schema::ScalarType,
}

/// A column of the order that is a key attribute of the table or of the
/// queried index: a cursor's value for it may reach DynamoDB (a key
/// condition, a start key), so it must be one DynamoDB takes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct KeyColumn {
    /// Position in [`Plan::order`].
    pub pos: usize,
    /// The declared type.
    pub ty: crate::schema::ScalarType,
    /// DynamoDB's cap on the value's bytes: 2048 for a partition key, 1024
    /// for a sort key (the smaller where it is both).
    pub max_bytes: usize,
}

/// DynamoDB's largest partition-key value, in bytes.
pub(crate) const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// DynamoDB's largest sort-key value, in bytes.
pub(crate) const MAX_SORT_KEY_BYTES: usize = 1024;

/// An executable plan. `Display` prints it as EXPLAIN.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub(crate) table: String,
    pub(crate) index: Option<String>,
    pub(crate) streams: Vec<StreamSpec>,
    pub(crate) scan_forward: bool,
    pub(crate) server_filter: Option<Cond>,
    pub(crate) residual: Option<Cond>,
    pub(crate) order: Vec<SortColumn>,
    pub(crate) served: usize,
    pub(crate) strategy: Strategy,
    pub(crate) projection: Option<Vec<String>>,
    pub(crate) output: Option<Vec<String>>,
    pub(crate) limit: usize,
    pub(crate) read_budget: u64,
    pub(crate) narrowing: Option<Narrowing>,
    /// Attributes every result row holds with one value (top-level `=`).
    pub(crate) constants: Vec<(String, Value)>,
    pub(crate) notes: Vec<String>,
    /// The order's key columns, which a cursor's values are checked against.
    pub(crate) key_columns: Vec<KeyColumn>,
    /// The attributes of an `ExclusiveStartKey` on the queried index (its
    /// key, then the table's), when the index order is the whole order:
    /// then each item has its own position there, and a page can resume
    /// right after the cursor row instead of re-reading its run of ties.
    /// Empty otherwise.
    pub(crate) start_key: Vec<String>,
    pub(crate) fingerprint: [u8; 16],
}

impl Plan {
    /// The index queried; `None` for the table's own key (or a scan).
    pub fn index(&self) -> Option<&str> {
        self.index.as_deref()
    }

    /// True when the plan reads the whole table with `Scan`.
    pub fn is_scan(&self) -> bool {
        self.streams.iter().all(|s| s.key.is_none())
    }

    /// The parallel streams (one per partition-key value).
    pub fn streams(&self) -> &[StreamSpec] {
        &self.streams
    }

    /// The ordering strategy.
    pub fn strategy(&self) -> Strategy {
        self.strategy
    }

    /// The `FilterExpression` condition sent to DynamoDB.
    pub fn server_filter(&self) -> Option<&Cond> {
        self.server_filter.as_ref()
    }

    /// The filter applied on the client (what DynamoDB cannot express in a
    /// `FilterExpression`, e.g. predicates on the queried index's keys).
    pub fn residual_filter(&self) -> Option<&Cond> {
        self.residual.as_ref()
    }

    /// The total order: `ORDER BY` terms, then the primary key ascending.
    pub fn order(&self) -> &[SortColumn] {
        &self.order
    }

    /// How many leading columns of [`order`](Plan::order) every stream is already sorted by.
    pub fn served_prefix(&self) -> usize {
        self.served
    }

    /// `ScanIndexForward`.
    pub fn scan_forward(&self) -> bool {
        self.scan_forward
    }

    /// The page size (`LIMIT`) after coercion to
    /// [`Options::max_page_size`].
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Assumptions the planner made (guesses about selectivity, coerced limits).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// A digest of the normalized query and plan; cursors carry it.
    pub fn fingerprint(&self) -> [u8; 16] {
        self.fingerprint
    }
}

/// Plans `query` against `schema`.
///
/// # Errors
/// [`ErrorKind::InvalidQuery`](crate::ErrorKind::InvalidQuery) for malformed input,
/// [`ErrorKind::NoUsableIndex`](crate::ErrorKind::NoUsableIndex)
/// when only a scan could serve it and the query did not allow one (the
/// message names the index that would serve it),
/// [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded)
/// when the fan-out exceeds [`Options::max_streams`].
pub(crate) fn plan(schema: &Schema, query: &Query, options: &Options) -> Result<Plan> {
    let mut notes = Vec::new();
    if query.get_limit() == 0 {
        return Err(Error::invalid_query("LIMIT 0 returns nothing; ask for a page of at least one row"));
    }
    let mut limit = query.get_limit();
    if limit > options.max_page_size {
        if options.reject_oversized_limit {
            return Err(Error::limit(format!(
                "LIMIT {limit} is above the largest page this service allows ({}); ask for at most {} rows \
                 and follow next_cursor for the rest",
                options.max_page_size, options.max_page_size
            )));
        }
        notes.push(format!("LIMIT {limit} lowered to the page-size cap {}", options.max_page_size));
        limit = options.max_page_size;
    }
    if let Some(f) = query.get_filter() {
        // First, without recursion: everything after it walks the tree.
        validate::shape(f, options)?;
        validate::filter(f)?;
    }
    for o in query.get_order_by() {
        validate::name(&o.attr)?;
    }
    if let Some(sel) = query.get_select() {
        if sel.is_empty() {
            return Err(Error::invalid_query("SELECT lists no attributes; select at least one, or all"));
        }
        sel.iter().try_for_each(|a| validate::name(a))?;
    }

    let mut order: Vec<SortColumn> = Vec::new();
    for o in query.get_order_by() {
        if !order.iter().any(|c| c.attr == o.attr) {
            order.push(SortColumn { attr: o.attr.clone(), dir: o.dir });
        }
    }
    for pk in schema.primary_key_names() {
        if !order.iter().any(|c| c.attr == pk) {
            order.push(SortColumn { attr: pk.to_owned(), dir: Direction::Asc });
        }
    }

    let conjuncts: Vec<&Expr> = query.get_filter().map(Expr::conjuncts).unwrap_or_default();
    let ctx = candidate::Context { schema, query, conjuncts: &conjuncts, order: &order, options };

    let forced = query.get_index();
    if let Some(name) = forced {
        if name != schema.table && schema.find_index(name).is_none() {
            let known: Vec<&str> = schema.indexes.iter().map(|i| i.name.as_str()).collect();
            return Err(Error::invalid_query(format!(
                "index `{name}` is not in the schema of `{}` (indexes: {})",
                schema.table,
                if known.is_empty() { "none".to_owned() } else { known.join(", ") }
            )));
        }
    }
    let names: Vec<Option<&str>> = std::iter::once(None)
        .chain(schema.indexes.iter().map(|i| Some(i.name.as_str())))
        .filter(|n| forced.is_none_or(|f| n.unwrap_or(&schema.table) == f))
        .collect();

    let mut rejected = Vec::new();
    let mut best: Option<Candidate> = None;
    for name in names {
        match candidate::evaluate(&ctx, name) {
            Ok(c) => {
                if best.as_ref().is_none_or(|b| c.score() > b.score()) {
                    best = Some(c);
                }
            }
            Err(reason) => rejected.push(reason),
        }
    }

    let chosen = match best {
        Some(c) => c,
        None => {
            if let Some(too_wide) = rejected.iter().find(|r| r.too_wide) {
                return Err(Error::limit(too_wide.message.clone()));
            }
            if !query.get_allow_scan() {
                return Err(suggest::no_index_error(&ctx, &rejected));
            }
            notes.push("no index serves this query: scanning the whole table (allowed by the query)".into());
            candidate::scan(&ctx)
        }
    };
    let mut plan = chosen.into_plan(&ctx, limit, notes);
    plan.key_columns = key_columns(schema, &plan);
    plan.start_key = start_key(schema, &plan);
    plan.fingerprint = fingerprint(schema, query, &plan);
    Ok(plan)
}

/// The columns of `plan`'s order that are key attributes of the table or
/// of the index it queries, with their types and DynamoDB's size caps.
fn key_columns(schema: &Schema, plan: &Plan) -> Vec<KeyColumn> {
    let index = plan.index.as_deref().and_then(|n| schema.find_index(n));
    let keys = std::iter::once(&schema.primary).chain(index.map(|ix| &ix.key));
    let mut out: Vec<KeyColumn> = Vec::new();
    for key in keys {
        let roles = key
            .partition
            .iter()
            .map(|a| (a, MAX_PARTITION_KEY_BYTES))
            .chain(key.sort.iter().map(|a| (a, MAX_SORT_KEY_BYTES)));
        for (attr, max_bytes) in roles {
            let Some(pos) = plan.order.iter().position(|c| c.attr == attr.name) else { continue };
            match out.iter_mut().find(|k| k.pos == pos) {
                Some(k) => k.max_bytes = k.max_bytes.min(max_bytes),
                None => out.push(KeyColumn { pos, ty: attr.ty, max_bytes }),
            }
        }
    }
    out
}

/// The attributes of an `ExclusiveStartKey` a page may resume from (see
/// [`Plan::start_key`]): when the index serves the whole order, which ends
/// with the table's key, so no two items share a position on it.
fn start_key(schema: &Schema, plan: &Plan) -> Vec<String> {
    if plan.strategy != Strategy::Merge || plan.narrowing.is_none() || plan.is_scan() {
        return Vec::new();
    }
    let Some(key) = schema.key_of(plan.index.as_deref()) else { return Vec::new() };
    let mut out: Vec<String> = Vec::new();
    for a in key.attributes().chain(schema.primary.attributes()) {
        if !out.contains(&a.name) {
            out.push(a.name.clone());
        }
    }
    out
}

/// SHA-256 over the normalized query and the plan's shape, truncated to 16 bytes.
/// The page size and the cursor are left out: changing the page size between
/// pages keeps cursors valid.
fn fingerprint(schema: &Schema, query: &Query, plan: &Plan) -> [u8; 16] {
    let mut h = Sha256::new();
    let mut put = |s: &str| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    };
    put("dynaquery-cursor-v1");
    put(&schema.table);
    put(&format!("{:?}", query.get_filter()));
    put(&format!("{:?}", plan.order));
    put(&format!("{:?}", query.get_select()));
    put(plan.index.as_deref().unwrap_or(""));
    put(&format!("{:?}", plan.strategy));
    put(&format!("{:?}", plan.streams));
    let digest = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

impl Plan {
    /// The value of a column that is the same on every row of stream `i`, if any.
    pub(crate) fn stream_constant(&self, i: usize, attr: &str) -> Option<&Value> {
        let key = self.streams.get(i).and_then(|s| s.key.as_ref());
        key.and_then(|k| k.partition.iter().chain(k.sort_eq.iter()).find(|(a, _)| a == attr).map(|(_, v)| v))
            .or_else(|| self.constants.iter().find(|(a, _)| a == attr).map(|(_, v)| v))
    }
}
