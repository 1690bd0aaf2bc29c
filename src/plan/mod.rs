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
mod composite;
mod explain;
mod suggest;
mod thin;
mod union;
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
use crate::value::{Item, Value};

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
    /// The [`Branch`] the stream belongs to (always 0 but in a union).
    pub(crate) branch: usize,
    /// Logical attributes constant on the stream that its key condition
    /// does not name (a sharded partition key's logical value).
    pub(crate) logical: Vec<(String, Value)>,
}

/// One access path of a plan: the index its streams query and the filters
/// they apply. A plan has one; a union (`OR` across indexes) has one per
/// disjunct, each reading the items its disjunct selects that no earlier
/// disjunct does, so no item comes back from two branches.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Branch {
    /// The index queried; `None` for the table's own key (or a scan).
    pub index: Option<String>,
    /// The `FilterExpression` condition.
    pub server_filter: Option<Cond>,
    /// The filter applied on the client.
    pub residual: Option<Cond>,
    /// Attributes every row of the branch holds with one value (top-level `=`).
    pub constants: Vec<(String, Value)>,
    /// The attributes of an `ExclusiveStartKey` on the queried index (its
    /// key, then the table's), when the index order is the whole order:
    /// then each item has its own position there, and a page can resume
    /// right after the cursor row instead of re-reading its run of ties.
    /// Empty otherwise.
    pub start_key: Vec<String>,
    /// The disjunct the branch reads, in a union.
    pub disjunct: Option<Expr>,
}

/// Where the cursor can narrow each stream's key condition.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Narrowing {
    /// Position in [`Plan::order`] of the sort-key column the streams are ordered by.
    pub order_pos: usize,
    /// Its declared type.
    pub ty: crate::schema::ScalarType,
}

/// Where a cursor narrows streams whose sort key is composed from logical
/// attributes (single-table design): the cursor's values of the parts that
/// serve the order, written as the template writes them, bound the
/// composed key from the cursor on (see `exec::narrow`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ComposedNarrowing {
    /// The physical sort-key attribute.
    pub attr: String,
    /// Its template.
    pub template: crate::template::KeyTemplate,
    /// Per stream, what every key it reads starts with before the first
    /// served part (literals, and parts pinned by `=` or one value of an
    /// `IN`).
    pub prefixes: Vec<String>,
    /// Index in the template's parts of the first served part.
    pub from: usize,
    /// The served parts in template order: attribute, and its position in
    /// [`Plan::order`].
    pub parts: Vec<(String, usize)>,
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
    /// Every row holds it (false only in a union, for a key attribute of
    /// some branches' indexes but not all).
    pub required: bool,
}

/// DynamoDB's largest partition-key value, in bytes.
pub(crate) const MAX_PARTITION_KEY_BYTES: usize = 2048;
/// DynamoDB's largest sort-key value, in bytes.
pub(crate) const MAX_SORT_KEY_BYTES: usize = 1024;

/// An executable plan. `Display` prints it as EXPLAIN.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub(crate) table: String,
    /// The access paths: one, or one per disjunct of a union.
    pub(crate) branches: Vec<Branch>,
    pub(crate) streams: Vec<StreamSpec>,
    pub(crate) scan_forward: bool,
    pub(crate) order: Vec<SortColumn>,
    pub(crate) served: usize,
    pub(crate) strategy: Strategy,
    pub(crate) projection: Option<Vec<String>>,
    pub(crate) output: Option<Vec<String>>,
    /// Attributes left out of every row: the physical partition values of
    /// sharded indexes (rows carry the logical attribute), unless selected.
    pub(crate) hidden: Vec<String>,
    pub(crate) limit: usize,
    pub(crate) read_budget: u64,
    pub(crate) narrowing: Option<Narrowing>,
    /// The cursor's narrowing of composed sort keys, when
    /// [`narrowing`](Plan::narrowing) has none.
    pub(crate) composed: Option<ComposedNarrowing>,
    pub(crate) notes: Vec<String>,
    /// The order's key columns, which a cursor's values are checked against.
    pub(crate) key_columns: Vec<KeyColumn>,
    pub(crate) fingerprint: [u8; 16],
    /// Attributes fetched with `BatchGetItem` for the page's rows: the
    /// plan queries a `KEYS_ONLY`/`INCLUDE` GSI that lacks them.
    pub(crate) fetch: Option<Fetch>,
}

/// What a plan on a `KEYS_ONLY` or `INCLUDE` global secondary index reads
/// with `BatchGetItem`: the attributes the output and the filter need that
/// the index does not project.
///
/// The index serves a leading part of the `ORDER BY` with its sort key
/// (else the planner does not use it), so its items are merged on that part
/// as they are, after the filter's conjuncts on attributes it stores ran
/// (on the server or the client). An `ORDER BY` attribute it lacks
/// ([`order_attributes`](Fetch::order_attributes)) is fetched run by run:
/// the rows tied on the served part are fetched together, then sorted. Without a [`filter`](Fetch::filter), the fetch runs once a
/// page's rows are known, for those rows only. With one, it runs on
/// *candidate* rows in order, in batches sized to what the page still needs,
/// and the filter drops the candidates that fail it; more are taken until
/// the page is full, then until one more row passes (the look-ahead that
/// says whether a next page exists). Calls carry up to
/// [`MAX_BATCH_GET_KEYS`](crate::MAX_BATCH_GET_KEYS) keys; keys left
/// unprocessed are retried with bounded exponential backoff. A row whose
/// item was deleted between the `Query` and the fetch is left out of the
/// page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Fetch {
    /// The attributes fetched (the table's key is added to each call, to
    /// match items to rows); `None` fetches every attribute (the query
    /// selects all of them).
    pub attributes: Option<Vec<String>>,
    /// The table's key attributes.
    pub(crate) table_key: Vec<String>,
    /// The filter's conjuncts that name attributes the index lacks, applied
    /// to candidate rows once fetched.
    pub(crate) filter: Option<Cond>,
    /// The `ORDER BY` attributes the index lacks, all after the prefix its
    /// sort key serves: each run of rows tied on that prefix is fetched
    /// (with everything else the fetch reads) before it is tie-sorted.
    pub(crate) order: Vec<String>,
}

impl Fetch {
    /// The part of the filter that runs after the fetch (its conjuncts that
    /// name an attribute the index does not project); `None` when the fetch
    /// is for the output only.
    pub fn filter(&self) -> Option<&Cond> {
        self.filter.as_ref()
    }

    /// The `ORDER BY` attributes the index does not project (empty when it
    /// stores them all). They come after the prefix of the order the index
    /// sorts by, so the plan is a tie re-sort: each run of rows tied on that
    /// prefix is fetched whole with `BatchGetItem` before it is sorted.
    pub fn order_attributes(&self) -> &[String] {
        &self.order
    }
}

impl Plan {
    /// The index queried; `None` for the table's own key (or a scan). For
    /// a union ([`is_union`](Plan::is_union)) the first branch's: see
    /// [`indexes`](Plan::indexes).
    pub fn index(&self) -> Option<&str> {
        self.branches.first().and_then(|b| b.index.as_deref())
    }

    /// True when the plan is a union: the filter's `OR` is answered by one
    /// branch of streams per disjunct, each on the index that serves it,
    /// merged on the order (an item matching several disjuncts is read by
    /// the first branch only).
    pub fn is_union(&self) -> bool {
        self.branches.len() > 1
    }

    /// The index each branch queries, in branch order (one entry unless
    /// the plan is a union); `None` for the table's own key (or a scan).
    pub fn indexes(&self) -> Vec<Option<&str>> {
        self.branches.iter().map(|b| b.index.as_deref()).collect()
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

    /// The `FilterExpression` condition sent to DynamoDB (a union's first
    /// branch's; EXPLAIN prints every branch's).
    pub fn server_filter(&self) -> Option<&Cond> {
        self.branches.first().and_then(|b| b.server_filter.as_ref())
    }

    /// The filter applied on the client (what DynamoDB cannot express in a
    /// `FilterExpression`, e.g. predicates on the queried index's keys; a
    /// union's first branch's).
    pub fn residual_filter(&self) -> Option<&Cond> {
        self.branches.first().and_then(|b| b.residual.as_ref())
    }

    /// The branch stream `i` belongs to.
    pub(crate) fn branch_of(&self, i: usize) -> &Branch {
        let b = self.streams.get(i).map_or(0, |s| s.branch);
        &self.branches[b.min(self.branches.len() - 1)]
    }

    /// True when some branch filters (on the server or the client).
    pub(crate) fn is_filtered(&self) -> bool {
        self.branches.iter().any(|b| b.server_filter.is_some() || b.residual.is_some())
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

    /// What the plan fetches with `BatchGetItem`, when it queries a
    /// `KEYS_ONLY` or `INCLUDE` GSI that lacks attributes the output or the
    /// filter needs (then [`Fetch::filter`] is the part of the filter that
    /// runs after the fetch); `None` otherwise.
    pub fn fetch(&self) -> Option<&Fetch> {
        self.fetch.as_ref()
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
    plan_for(schema, query, options, false)
}

/// The plan of a count of `query`'s rows: as [`plan`], but through an
/// index that stores every attribute the filter names, since a count
/// reads no item back and so never fetches one with `BatchGetItem`.
pub(crate) fn plan_count(schema: &Schema, query: &Query, options: &Options) -> Result<Plan> {
    plan_for(schema, query, options, true)
}

fn plan_for(schema: &Schema, query: &Query, options: &Options, counting: bool) -> Result<Plan> {
    schema.validate()?;
    // An entity of a single-table design: only its items qualify.
    let entity_query;
    let query = match &schema.entity {
        Some(e) => {
            let mut q = query.clone().filter(crate::expr::col(&e.attribute).eq(e.name.as_str()));
            for (a, v) in &e.tags {
                q = q.filter(crate::expr::col(a).eq(v.clone()));
            }
            entity_query = q;
            &entity_query
        }
        None => query,
    };
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
    let ctx = candidate::Context {
        schema,
        query,
        conjuncts: &conjuncts,
        order: &order,
        options,
        exclude: &[],
        in_union: false,
        counting,
    };

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

    let (best, rejected) = best_candidate(&ctx);
    let mut plan = match best {
        Some(c) => {
            let mut plan = c.into_plan(&ctx, limit, notes);
            plan.notes.extend(thin::compare(&ctx, &plan));
            plan
        }
        None => {
            if let Some(too_wide) = rejected.iter().find(|r| r.too_wide) {
                return Err(Error::limit(too_wide.message.clone()));
            }
            match union::plan(&ctx, limit, &mut notes)? {
                union::Outcome::Planned(p) => *p,
                refused => {
                    if !query.get_allow_scan() {
                        return Err(match refused {
                            union::Outcome::Refused(e) => e,
                            _ => suggest::no_index_error(&ctx, &rejected),
                        });
                    }
                    notes.push(
                        "no index serves this query: scanning the whole table (allowed by the query)".into(),
                    );
                    candidate::scan(&ctx).into_plan(&ctx, limit, notes)
                }
            }
        }
    };
    plan.key_columns = key_columns(schema, &plan);
    plan.hidden = schema
        .indexes
        .iter()
        .filter_map(|ix| ix.shard_attribute().map(|(a, _)| a.to_owned()))
        .chain(schema.entity.iter().flat_map(|e| e.physical().map(str::to_owned)))
        .filter(|a| query.get_select().is_none_or(|sel| !sel.contains(a)))
        .collect();
    for b in 0..plan.branches.len() {
        plan.branches[b].start_key = start_key(schema, &plan, b);
    }
    plan.fingerprint = fingerprint(schema, query, &plan);
    Ok(plan)
}

/// The access path that serves `ctx` best among the table and the indexes
/// the query may use, with why the others cannot.
fn best_candidate(ctx: &candidate::Context<'_>) -> (Option<Candidate>, Vec<candidate::Rejection>) {
    let (schema, forced) = (ctx.schema, ctx.query.get_index());
    let names = std::iter::once(None)
        .chain(schema.indexes.iter().map(|i| Some(i.name.as_str())))
        .filter(|n| forced.is_none_or(|f| n.unwrap_or(&schema.table) == f));
    let mut rejected = Vec::new();
    let mut best: Option<Candidate> = None;
    for name in names {
        match candidate::evaluate(ctx, name) {
            Ok(c) => {
                if best.as_ref().is_none_or(|b| c.score() > b.score()) {
                    best = Some(c);
                }
            }
            Err(reason) => rejected.push(reason),
        }
    }
    (best, rejected)
}

/// The columns of `plan`'s order that are key attributes of the table or
/// of the index it queries, with their types and DynamoDB's size caps.
fn key_columns(schema: &Schema, plan: &Plan) -> Vec<KeyColumn> {
    let branch_keys: Vec<&crate::schema::KeySchema> =
        plan.branches.iter().filter_map(|b| schema.key_of(b.index.as_deref())).collect();
    // Every row holds the table's key, and the key of the index it came
    // from: in a union, an attribute of some branches' keys only may be
    // missing from a row.
    let required = |name: &str| {
        schema.primary.contains(name) || (!plan.is_scan() && branch_keys.iter().all(|k| k.contains(name)))
    };
    let keys = std::iter::once(&schema.primary).chain(branch_keys.iter().copied());
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
                None => out.push(KeyColumn { pos, ty: attr.ty, max_bytes, required: required(&attr.name) }),
            }
        }
    }
    out
}

/// The attributes of an `ExclusiveStartKey` branch `b` may resume from (see
/// [`Branch::start_key`]): when the index serves the whole order, which ends
/// with the table's key, so no two items share a position on it.
fn start_key(schema: &Schema, plan: &Plan, b: usize) -> Vec<String> {
    if plan.strategy != Strategy::Merge || plan.narrowing.is_none() || plan.is_scan() {
        return Vec::new();
    }
    let Some(key) = schema.key_of(plan.branches[b].index.as_deref()) else { return Vec::new() };
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
    for b in &plan.branches {
        put(b.index.as_deref().unwrap_or(""));
    }
    put(&format!("{:?}", plan.strategy));
    // Spelled as the streams' `Debug` was before branches, so that cursors
    // of plans without a union stay valid across the change.
    let keys: Vec<String> =
        plan.streams.iter().map(|s| format!("StreamSpec {{ key: {:?} }}", s.key)).collect();
    put(&format!("[{}]", keys.join(", ")));
    if plan.is_union() {
        put(&format!("{:?}", plan.streams.iter().map(|s| s.branch).collect::<Vec<_>>()));
        put(&format!("{:?}", plan.branches.iter().map(|b| &b.disjunct).collect::<Vec<_>>()));
    }
    let digest = h.finalize();
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

impl Plan {
    /// True when the page reads every run of ties on the first sort-key
    /// column whole: the tie re-sort starts right after it.
    pub(crate) fn reads_whole_runs(&self) -> bool {
        self.strategy == Strategy::MergeThenSortTies
            && self.narrowing.as_ref().is_some_and(|n| n.order_pos + 1 == self.served)
    }

    /// A row as the caller sees it: the selected attributes only (when the
    /// query selects), without the hidden physical ones.
    pub(crate) fn shape_output(&self, row: &mut Item) {
        if let Some(sel) = &self.output {
            row.retain(|k, _| sel.iter().any(|s| s == k));
        }
        for attr in &self.hidden {
            row.remove(attr);
        }
    }

    /// The value of a column that is the same on every row of stream `i`, if any.
    pub(crate) fn stream_constant(&self, i: usize, attr: &str) -> Option<&Value> {
        let key = self.streams.get(i).and_then(|s| s.key.as_ref());
        key.and_then(|k| k.partition.iter().chain(k.sort_eq.iter()).find(|(a, _)| a == attr).map(|(_, v)| v))
            .or_else(|| {
                let spec = self.streams.get(i)?;
                spec.logical.iter().find(|(a, _)| a == attr).map(|(_, v)| v)
            })
            .or_else(|| self.branch_of(i).constants.iter().find(|(a, _)| a == attr).map(|(_, v)| v))
    }
}
