//! One access path: which predicates a given index (or the table's own key)
//! turns into key conditions, what remains as filters, and how much of the
//! order its streams already deliver.

use std::cmp::Reverse;
use std::collections::BTreeSet;

use super::{Branch, Fetch, Narrowing, Plan, SortColumn, Strategy, StreamSpec};
use crate::backend::{KeyCondition, SortRange};
use crate::cond::{lower, simplify, Cond};
use crate::encoding::Direction;
use crate::expr::{CmpOp, Expr};
use crate::options::Options;
use crate::query::Query;
use crate::schema::{IndexKind, KeyAttribute, KeySchema, Projection, Schema};
use crate::value::Value;

/// What the planner looks at.
pub(super) struct Context<'a> {
    pub schema: &'a Schema,
    pub query: &'a Query,
    pub conjuncts: &'a [&'a Expr],
    pub order: &'a [SortColumn],
    pub options: &'a Options,
    /// Conditions added to the filter as they are (a union branch's
    /// exclusion of the earlier branches' items).
    pub exclude: &'a [Cond],
    /// Planning one branch of a union: an index that would need a
    /// `BatchGetItem` fetch is not used there.
    pub in_union: bool,
    /// Planning a count, which reads no item back and never fetches: an
    /// index that lacks an attribute the filter names is not used.
    pub counting: bool,
}

/// Why an index cannot serve the query.
#[derive(Debug, Clone)]
pub(super) struct Rejection {
    pub message: String,
    /// The index would serve it, but fans out past `max_streams`.
    pub too_wide: bool,
}

/// A usable access path.
pub(super) struct Candidate {
    index: Option<String>,
    position: usize,
    partition: Vec<(String, Vec<Value>)>,
    sort_eq: Vec<(String, Value)>,
    sort_range: Option<(String, SortRange)>,
    empty: bool,
    consumed: Vec<bool>,
    key_attrs: BTreeSet<String>,
    scan_forward: bool,
    served: usize,
    served_sort_keys: usize,
    narrowing: Option<Narrowing>,
    unique: bool,
    is_scan: bool,
    /// For a sharded partition key: the logical attribute, and the
    /// logical value of each physical partition value.
    sharded: Option<(String, Vec<(Value, Value)>)>,
    /// A thin (`KEYS_ONLY`/`INCLUDE`) GSI: what `BatchGetItem` fetches.
    fetch: Option<Fetch>,
    /// Per conjunct: it names an attribute the thin index lacks, so it is
    /// applied after the fetch ([`Fetch::filter`]).
    late: Vec<bool>,
    /// What a single-table design's composed keys add (none otherwise).
    composite: super::composite::Extras,
}

fn label(schema: &Schema, index: Option<&str>) -> String {
    match index {
        None => format!("table `{}`", schema.table),
        Some(n) => format!("index `{n}`"),
    }
}

fn reject(message: String) -> Rejection {
    Rejection { message, too_wide: false }
}

impl Rejection {
    /// The index cannot serve the query.
    pub(super) fn new(message: String) -> Self {
        reject(message)
    }

    /// The index would serve it, but fans out past `max_streams`.
    pub(super) fn wide(message: String) -> Self {
        Rejection { message, too_wide: true }
    }
}

/// Evaluates the table (`None`) or the named index as an access path.
pub(super) fn evaluate(ctx: &Context<'_>, index: Option<&str>) -> Result<Candidate, Rejection> {
    let schema = ctx.schema;
    let name = label(schema, index);
    let (key, position): (&KeySchema, usize) = match index {
        None => (&schema.primary, 0),
        Some(n) => {
            let pos = schema.indexes.iter().position(|i| i.name == n).unwrap_or(usize::MAX - 1);
            match schema.indexes.get(pos) {
                Some(ix) => (&ix.key, pos + 1),
                None => return Err(reject(format!("{name}: not in the schema"))),
            }
        }
    };
    let (fetch, late) = check_projection(ctx, index, &name)?;
    let filter = ctx.query.get_filter();
    if let Some(entity) = &schema.entity {
        return evaluate_composite(ctx, index, &name, key, position, entity, (fetch, late));
    }
    let shard = index.and_then(|n| schema.find_index(n)).and_then(|ix| ix.shard_attribute());
    for a in key.attributes() {
        // A sharded partition attribute is there exactly when its logical one is.
        let a = match shard {
            Some((attr, sh)) if attr == a.name => &KeyAttribute { name: sh.logical.clone(), ty: a.ty },
            _ => a,
        };
        let known_present = schema.primary.contains(&a.name)
            || schema.always_present.contains(&a.name)
            || filter.is_some_and(|f| f.implies_present(&a.name));
        if !known_present {
            return Err(reject(format!(
                "{name}: items without `{}` are not in it (sparse), and the filter does not require `{}` \
                 (add `{} IS NOT NULL` or a condition on it, or declare it in Schema::always_present)",
                a.name, a.name, a.name
            )));
        }
    }

    let mut consumed = vec![false; ctx.conjuncts.len()];
    let mut empty = false;
    let mut partition = Vec::new();
    let mut streams: usize = 1;
    let mut sharded = None;
    for p in &key.partition {
        let physical = partition_values(ctx.conjuncts, p);
        let found = match shard {
            Some((attr, sh)) if attr == p.name && physical.is_none() => {
                shard_values(ctx.conjuncts, sh).map(|(ci, pairs)| {
                    let values = pairs.iter().map(|(phys, _)| phys.clone()).collect();
                    sharded = Some((sh.logical.clone(), pairs));
                    (ci, values)
                })
            }
            _ => physical,
        };
        let Some((ci, values)) = found else {
            return Err(reject(format!("{name}: needs `=` or `IN` on its partition key `{}`", p.name)));
        };
        consumed[ci] = true;
        if values.is_empty() {
            empty = true;
        }
        streams = streams.saturating_mul(values.len().max(1));
        partition.push((p.name.clone(), values));
    }
    if streams > ctx.options.max_streams {
        return Err(Rejection {
            message: format!(
                "{name} would fan out to {streams} parallel queries (one per partition-key value), \
                 more than Options::max_streams = {}; shorten the IN lists or raise the cap",
                ctx.options.max_streams
            ),
            too_wide: true,
        });
    }

    let mut sort_eq = Vec::new();
    let mut sort_range = None;
    for s in &key.sort {
        if let Some((ci, v)) = find_eq(ctx.conjuncts, &consumed, &s.name) {
            consumed[ci] = true;
            if !s.ty.matches(v) || !v.is_valid_key() {
                empty = true;
                break;
            }
            sort_eq.push((s.name.clone(), v.clone()));
            continue;
        }
        sort_range = pick_range(ctx.conjuncts, &mut consumed, s, &mut empty).map(|r| (s.name.clone(), r));
        break;
    }

    let mut constants: BTreeSet<&str> = key.partition.iter().map(|a| a.name.as_str()).collect();
    constants.extend(sharded.as_ref().map(|(logical, _)| logical.as_str()));
    constants.extend(sort_eq.iter().map(|(a, _)| a.as_str()));
    constants.extend(global_constants(ctx.conjuncts).into_iter().map(|(a, _)| a));
    let mut j = sort_eq.len();
    let mut dir: Option<Direction> = None;
    let (mut served, mut served_sort_keys, mut narrowing) = (0, 0, None);
    for (pos, col) in ctx.order.iter().enumerate() {
        if constants.contains(col.attr.as_str()) {
            served += 1;
            continue;
        }
        match key.sort.get(j) {
            Some(s) if s.name == col.attr && dir.is_none_or(|d| d == col.dir) => {
                if dir.is_none() {
                    dir = Some(col.dir);
                    narrowing = Some(Narrowing { order_pos: pos, ty: s.ty });
                }
                j += 1;
                served += 1;
                served_sort_keys += 1;
            }
            _ => break,
        }
    }
    if served_sort_keys == 0 && served < ctx.order.len() {
        narrowing = None;
        dir = None;
    }
    check_order_fetch(ctx, fetch.as_ref(), served, served_sort_keys, &name)?;
    let unique = index.is_none() && sort_eq.len() == key.sort.len();
    // DynamoDB rejects a FilterExpression naming the queried key's own
    // attributes (the table's key is fine on a GSI, its sort key on an LSI).
    let key_attrs: BTreeSet<String> = key.attributes().map(|a| a.name.clone()).collect();
    Ok(Candidate {
        index: index.map(str::to_owned),
        position,
        partition,
        sort_eq,
        sort_range,
        empty,
        consumed,
        key_attrs,
        scan_forward: dir != Some(Direction::Desc),
        served,
        served_sort_keys,
        narrowing,
        unique,
        is_scan: false,
        sharded,
        fetch,
        late,
        composite: Default::default(),
    })
}

/// [`evaluate`] for an entity of a single-table design: the key attributes
/// are composed from logical ones ([`super::composite`]); every conjunct
/// stays in the filter.
fn evaluate_composite(
    ctx: &Context<'_>,
    index: Option<&str>,
    name: &str,
    key: &KeySchema,
    position: usize,
    entity: &crate::template::Entity,
    (fetch, late): (Option<Fetch>, Vec<bool>),
) -> Result<Candidate, Rejection> {
    let schema = ctx.schema;
    let filter = ctx.query.get_filter();
    for a in key.attributes() {
        let Some(t) = entity.template(&a.name) else {
            return Err(reject(format!(
                "{name}: entity `{}` has no key template for `{}`, so its items are not in it (add one with \
                 Entity::key)",
                entity.name, a.name
            )));
        };
        // A composed attribute is there exactly when its parts are.
        for v in t.attributes() {
            // The table's key is composed from attributes every item has.
            let in_table_key = schema
                .primary
                .attributes()
                .any(|k| entity.template(&k.name).is_some_and(|pt| pt.attributes().any(|x| x == v)));
            let known_present = in_table_key
                || schema.always_present.contains(v)
                || filter.is_some_and(|f| f.implies_present(v));
            if !known_present && !schema.primary.contains(&a.name) {
                return Err(reject(format!(
                    "{name}: items without `{v}` are not in it (`{}` = `{t}` is composed from it), and the filter \
                     does not require `{v}` (add `{v} IS NOT NULL` or a condition on it, or declare it in \
                     Schema::always_present)",
                    a.name
                )));
            }
        }
    }
    if let Some(f) = fetch.as_ref().filter(|f| !f.order.is_empty()) {
        return Err(reject(format!(
            "{name}: does not project {}, which the ORDER BY needs, and the composed keys of a single-table \
             entity are not tie-sorted after a BatchGetItem fetch (project it into the index, or order by what \
             the index stores)",
            f.order.join(", ")
        )));
    }
    let c = super::composite::plan(ctx, key, entity, name)?;
    let first = c.extras.sorts.first().cloned().unwrap_or_default();
    let unique = index.is_none() && c.extras.sorts.len() == 1 && first.sort_eq.len() == key.sort.len();
    let key_attrs: BTreeSet<String> = key.attributes().map(|a| a.name.clone()).collect();
    Ok(Candidate {
        index: index.map(str::to_owned),
        position,
        partition: c.partition,
        sort_eq: first.sort_eq,
        sort_range: first.sort_range,
        empty: c.empty,
        consumed: vec![false; ctx.conjuncts.len()],
        key_attrs,
        scan_forward: c.dir != Some(Direction::Desc),
        served: c.served,
        served_sort_keys: c.served_sort_keys,
        // A cursor's logical values are not key values here: they narrow
        // the composed key instead (`composite.narrowing`).
        narrowing: None,
        unique,
        is_scan: false,
        sharded: None,
        fetch,
        late,
        composite: c.extras,
    })
}

/// A full-table scan: every conjunct in the server filter, top-N on the client.
pub(super) fn scan(ctx: &Context<'_>) -> Candidate {
    Candidate {
        index: None,
        position: 0,
        partition: Vec::new(),
        sort_eq: Vec::new(),
        sort_range: None,
        empty: false,
        consumed: vec![false; ctx.conjuncts.len()],
        key_attrs: BTreeSet::new(),
        scan_forward: true,
        served: 0,
        served_sort_keys: 0,
        narrowing: None,
        unique: false,
        is_scan: true,
        sharded: None,
        fetch: None,
        late: vec![false; ctx.conjuncts.len()],
        composite: Default::default(),
    }
}

/// A GSI only returns what it projects; a sort or a filter on anything else
/// would silently see it as missing. DynamoDB also rejects a filter on an
/// attribute a GSI *or LSI* does not store (an LSI fetches the rest from the
/// table only for the projection).
///
/// A thin GSI (`KEYS_ONLY`, `INCLUDE`) is still usable when it stores
/// every attribute the `ORDER BY` names: its items are filtered on what it
/// stores (server and client filters), merged and ordered as they are;
/// the conjuncts of the filter that name an attribute it lacks (returned
/// marked, per conjunct) are applied after `BatchGetItem` fetched those
/// attributes for candidate rows in order, only as many as the page still
/// needs; and the attributes the output needs beyond it are fetched with
/// them (the returned [`Fetch`]). Rows are dropped only by the filter, so
/// pages and cursors are those of an index that projected everything.
///
/// An `ORDER BY` attribute it lacks is fetched too ([`Fetch::order`]),
/// when it lies in the part of the order the tie re-sort handles: see
/// [`check_order_fetch`], run once the served prefix is known.
fn check_projection(
    ctx: &Context<'_>,
    index: Option<&str>,
    name: &str,
) -> Result<(Option<Fetch>, Vec<bool>), Rejection> {
    let none = vec![false; ctx.conjuncts.len()];
    let Some(ix) = index.and_then(|n| ctx.schema.find_index(n)) else { return Ok((None, none)) };
    if ix.projection == Projection::All {
        return Ok((None, none));
    }
    let stored = |a: &str| {
        ctx.schema.primary.contains(a)
            || ix.key.contains(a)
            || matches!(&ix.projection, Projection::Include(set) if set.contains(a))
    };
    let mut in_filter: BTreeSet<&str> = ctx.query.get_filter().map(Expr::attributes).unwrap_or_default();
    in_filter.extend(ctx.exclude.iter().flat_map(Cond::attributes));
    let filter_missing: Vec<&str> = in_filter.into_iter().filter(|a| !stored(a)).collect();
    let order_missing: Vec<&str> = if ix.kind == IndexKind::Global {
        ctx.order.iter().map(|c| c.attr.as_str()).filter(|a| !stored(a)).collect()
    } else {
        Vec::new()
    };
    if !order_missing.is_empty() && (ctx.in_union || !ctx.exclude.is_empty()) {
        return Err(reject(format!(
            "{name}: does not project {}, which the ORDER BY needs, and a branch of an OR across indexes \
             does not fetch with BatchGetItem (use an index that projects it, or order by what the index stores)",
            order_missing.join(", ")
        )));
    }
    if !filter_missing.is_empty()
        && (ix.kind == IndexKind::Local || ctx.in_union || ctx.counting || !ctx.exclude.is_empty())
    {
        let why = if ix.kind == IndexKind::Local {
            "a local secondary index is not read with a BatchGetItem fetch"
        } else if ctx.counting {
            "a COUNT does not fetch items with BatchGetItem"
        } else {
            "a branch of an OR across indexes does not fetch with BatchGetItem"
        };
        return Err(reject(format!(
            "{name}: does not project {}, which the filter needs, and {why}",
            filter_missing.join(", ")
        )));
    }
    if ix.kind == IndexKind::Local {
        return Ok((None, none));
    }
    // Conjuncts naming an attribute the index lacks wait for the fetch.
    let late: Vec<bool> = ctx
        .conjuncts
        .iter()
        .map(|c| c.attributes().into_iter().any(|a| filter_missing.contains(&a)))
        .collect();
    let table_key: Vec<String> = ctx.schema.primary_key_names().map(str::to_owned).collect();
    let mut wanted: Vec<String> = Vec::new();
    let mut want = |a: &str| {
        if !wanted.iter().any(|w| w == a) {
            wanted.push(a.to_owned());
        }
    };
    ctx.query.get_select().into_iter().flatten().filter(|a| !stored(a)).for_each(|a| want(a));
    order_missing.iter().for_each(|a| want(a));
    for (c, _) in ctx.conjuncts.iter().zip(&late).filter(|(_, l)| **l) {
        c.attributes().into_iter().filter(|a| !ctx.schema.primary.contains(a)).for_each(&mut want);
    }
    let order: Vec<String> = order_missing.iter().map(|a| (*a).to_owned()).collect();
    let fetch = match ctx.query.get_select() {
        None => Some(Fetch { attributes: None, table_key, filter: None, order }),
        Some(_) => {
            (!wanted.is_empty()).then_some(Fetch { attributes: Some(wanted), table_key, filter: None, order })
        }
    };
    if fetch.is_some() && ctx.in_union {
        return Err(reject(format!(
            "{name}: does not project every selected attribute, and a branch of an OR across indexes \
             does not fetch them with BatchGetItem"
        )));
    }
    Ok((fetch, late))
}

/// A thin GSI lacking `ORDER BY` attributes ([`Fetch::order`]) serves the
/// query only when its sort key serves a leading part of the order and the
/// attributes it lacks all come after that part: rows tied on the part form
/// runs, which the tie re-sort holds whole anyway, so each run is fetched
/// before it is sorted. With no served part, a top-N would fetch every
/// candidate; an attribute inside the served part (a constant fixed by the
/// filter) would order rows before it is fetched.
fn check_order_fetch(
    ctx: &Context<'_>,
    fetch: Option<&Fetch>,
    served: usize,
    served_sort_keys: usize,
    name: &str,
) -> Result<(), Rejection> {
    let Some(f) = fetch.filter(|f| !f.order.is_empty()) else { return Ok(()) };
    let lacks = f.order.join(", ");
    if served_sort_keys == 0 {
        return Err(reject(format!(
            "{name}: does not project {lacks}, which the ORDER BY needs, and its sort key serves no leading \
             ORDER BY column, so every candidate would have to be fetched with BatchGetItem before the top \
             rows are known; order by the index's sort key first, or use an index that projects {lacks}"
        )));
    }
    let pos = |a: &str| ctx.order.iter().position(|c| c.attr == a).unwrap_or(usize::MAX);
    if let Some(a) = f.order.iter().find(|a| pos(a) < served) {
        return Err(reject(format!(
            "{name}: does not project {a}, which the ORDER BY needs before the columns the index sorts by \
             (the filter fixes its value); drop {a} from the ORDER BY, or use an index that projects it"
        )));
    }
    Ok(())
}

/// The `=`/`IN` conjunct on `attr` with the fewest values, and its values.
pub(super) fn fewest_values<'a>(conjuncts: &[&'a Expr], attr: &str) -> Option<(usize, &'a [Value])> {
    let mut best: Option<(usize, &[Value])> = None;
    for (i, c) in conjuncts.iter().enumerate() {
        let vals: &[Value] = match c {
            Expr::Cmp { attr: a, op: CmpOp::Eq, value } if a == attr => std::slice::from_ref(value),
            Expr::In { attr: a, values } if a == attr => values,
            _ => continue,
        };
        if best.is_none_or(|(_, b)| vals.len() < b.len()) {
            best = Some((i, vals));
        }
    }
    best
}

/// The `=`/`IN` conjunct on a partition attribute with the fewest values:
/// its values, deduplicated, keeping only those of the key's type (others
/// can match nothing).
fn partition_values(conjuncts: &[&Expr], p: &KeyAttribute) -> Option<(usize, Vec<Value>)> {
    let (i, vals) = fewest_values(conjuncts, &p.name)?;
    let mut out: Vec<Value> = Vec::with_capacity(vals.len());
    for v in vals {
        // Key attributes are never empty strings or binary: such values match nothing.
        if p.ty.matches(v) && v.is_valid_key() && !out.contains(v) {
            out.push(v.clone());
        }
    }
    Some((i, out))
}

/// For a sharded partition key: the `=`/`IN` conjunct on its logical
/// attribute with the fewest values, and each physical value with the
/// logical one it stands for — every shard of each value, or the one shard
/// an `=` on the sharding's `by` attribute picks.
fn shard_values(conjuncts: &[&Expr], sh: &crate::schema::Sharding) -> Option<(usize, Vec<(Value, Value)>)> {
    let (i, vals) = fewest_values(conjuncts, &sh.logical)?;
    let pinned = sh.by.as_deref().and_then(|by| {
        conjuncts.iter().find_map(|c| match c {
            Expr::Cmp { attr, op: CmpOp::Eq, value } if attr == by => Some(value),
            Expr::In { attr, values } if attr == by && values.len() == 1 => values.first(),
            _ => None,
        })
    });
    let shards: Vec<u32> = match pinned {
        Some(v) => vec![crate::schema::Sharding::shard_of(v, sh.shards)],
        None => (0..sh.shards).collect(),
    };
    let mut out: Vec<(Value, Value)> = Vec::new();
    for v in vals {
        if out.iter().any(|(_, l)| l == v) {
            continue;
        }
        for &n in &shards {
            if let Some(phys) = sh.physical(v, n) {
                out.push((phys, v.clone()));
            }
        }
    }
    Some((i, out))
}

fn find_eq<'a>(conjuncts: &[&'a Expr], consumed: &[bool], attr: &str) -> Option<(usize, &'a Value)> {
    conjuncts.iter().enumerate().find_map(|(i, c)| match c {
        _ if consumed[i] => None,
        Expr::Cmp { attr: a, op: CmpOp::Eq, value } if a == attr => Some((i, value)),
        Expr::In { attr: a, values } if a == attr && values.len() == 1 => values.first().map(|v| (i, v)),
        _ => None,
    })
}

/// Top-level `attr = value` conjuncts: every result row holds that value.
pub(super) fn global_constants<'a>(conjuncts: &[&'a Expr]) -> Vec<(&'a str, &'a Value)> {
    conjuncts
        .iter()
        .filter_map(|c| match c {
            Expr::Cmp { attr, op: CmpOp::Eq, value } => Some((attr.as_str(), value)),
            Expr::In { attr, values } if values.len() == 1 => values.first().map(|v| (attr.as_str(), v)),
            _ => None,
        })
        .collect()
}

/// Chooses at most one range condition on sort attribute `s` for the key
/// condition. A conjunct whose operand has another type than the key is
/// false for every item of the index, which makes the result empty.
fn pick_range(
    conjuncts: &[&Expr],
    consumed: &mut [bool],
    s: &KeyAttribute,
    empty: &mut bool,
) -> Option<SortRange> {
    let (mut between, mut lower, mut upper, mut prefix) = (None, None, None, None);
    for (i, c) in conjuncts.iter().enumerate() {
        if consumed[i] {
            continue;
        }
        let ok = |v: &Value| s.ty.matches(v);
        // DynamoDB rejects an empty string or binary in a key condition; such
        // a conjunct stays in the client filter.
        let keyable = |vs: &[&Value]| vs.iter().all(|v| v.is_valid_key() || !ok(v));
        match c {
            Expr::Between { lo, hi, .. } if !keyable(&[lo, hi]) => {}
            Expr::Cmp { value, .. } | Expr::BeginsWith { prefix: value, .. } if !keyable(&[value]) => {}
            Expr::Between { attr, lo, hi } if *attr == s.name => {
                if !ok(lo) || !ok(hi) || lo.cmp_same_type(hi) == Some(std::cmp::Ordering::Greater) {
                    consumed[i] = true;
                    *empty = true;
                } else if between.is_none() {
                    between = Some((i, SortRange::Between(lo.clone(), hi.clone())));
                }
            }
            Expr::Cmp { attr, op, value } if *attr == s.name && !matches!(op, CmpOp::Eq | CmpOp::Ne) => {
                if !ok(value) {
                    consumed[i] = true;
                    *empty = true;
                    continue;
                }
                let r = match op {
                    CmpOp::Gt => SortRange::Gt(value.clone()),
                    CmpOp::Ge => SortRange::Ge(value.clone()),
                    CmpOp::Lt => SortRange::Lt(value.clone()),
                    _ => SortRange::Le(value.clone()),
                };
                let slot = if matches!(op, CmpOp::Gt | CmpOp::Ge) { &mut lower } else { &mut upper };
                if slot.is_none() {
                    *slot = Some((i, r));
                }
            }
            Expr::BeginsWith { attr, prefix: p } if *attr == s.name => {
                if !ok(p) {
                    consumed[i] = true;
                    *empty = true;
                } else if prefix.is_none() {
                    prefix = Some((i, SortRange::BeginsWith(p.clone())));
                }
            }
            _ => {}
        }
    }
    if *empty {
        return None;
    }
    let take = |consumed: &mut [bool], (i, r): (usize, SortRange)| {
        consumed[i] = true;
        r
    };
    if let Some(b) = between {
        return Some(take(consumed, b));
    }
    match (lower, upper) {
        (Some((li, SortRange::Ge(lo))), Some((ui, SortRange::Le(hi)))) => {
            consumed[li] = true;
            consumed[ui] = true;
            if lo.cmp_same_type(&hi) == Some(std::cmp::Ordering::Greater) {
                *empty = true;
                return None;
            }
            Some(SortRange::Between(lo, hi))
        }
        (Some(l), _) => Some(take(consumed, l)),
        (None, Some(u)) => Some(take(consumed, u)),
        (None, None) => prefix.map(|p| take(consumed, p)),
    }
}

impl Candidate {
    /// Higher is better: a unique lookup; then the most `ORDER BY` columns
    /// served by the index sort key; then the narrowest key condition; then
    /// the fewest streams; then an index that needs no `BatchGetItem` fetch,
    /// then one that fetches for the output only (not for the filter, which
    /// fetches for rows it may drop); then the table before indexes, in
    /// schema order. A scan is planned only when no candidate serves.
    pub(super) fn score(&self) -> impl Ord {
        let sort_conditions = self.sort_eq.len() * 2 + usize::from(self.sort_range.is_some());
        let streams = self.streams();
        (
            self.unique,
            self.served_sort_keys,
            sort_conditions,
            Reverse(streams),
            Reverse(self.fetch_rank()),
            Reverse(self.position),
        )
    }

    /// The index (`None`: the table), the `ORDER BY` columns its sort key
    /// serves, and its streams: what EXPLAIN's comparison of a thin index
    /// with the alternatives names.
    pub(super) fn summary(&self) -> (Option<&str>, usize, usize) {
        (self.index.as_deref(), self.served_sort_keys, self.streams())
    }

    /// The parallel queries: one per partition value, times the composed
    /// sort prefixes.
    fn streams(&self) -> usize {
        let partitions: usize = self.partition.iter().map(|(_, v)| v.len().max(1)).product();
        partitions.saturating_mul(self.composite.sorts.len().max(1))
    }

    /// 0: no fetch; 1: a fetch for the output; 2: a fetch the filter or
    /// the tie re-sort waits on.
    pub(super) fn fetch_rank(&self) -> u8 {
        match (&self.fetch, self.late.contains(&true)) {
            (None, _) => 0,
            (Some(f), false) if f.order.is_empty() => 1,
            (Some(_), _) => 2,
        }
    }

    pub(super) fn into_plan(self, ctx: &Context<'_>, limit: usize, mut notes: Vec<String>) -> Plan {
        let mut server = Vec::new();
        let mut residual = Vec::new();
        let mut late = Vec::new();
        for (i, c) in ctx.conjuncts.iter().enumerate() {
            if self.consumed[i] {
                continue;
            }
            if self.late[i] {
                late.push(lower(c));
                continue;
            }
            let on_key = c.attributes().iter().any(|a| self.key_attrs.contains(*a));
            if on_key {
                residual.push(lower(c));
            } else {
                server.push(lower(c));
            }
        }
        for c in ctx.exclude {
            let on_key = c.attributes().iter().any(|a| self.key_attrs.contains(*a));
            if on_key {
                residual.push(c.clone());
            } else {
                server.push(c.clone());
            }
        }
        let fold = |cs: Vec<Cond>, empty: &mut bool| match simplify(Cond::And(cs)) {
            Cond::Const(true) => None,
            Cond::Const(false) => {
                *empty = true;
                None
            }
            c => Some(c),
        };
        let mut empty = self.empty;
        let server_filter = fold(server, &mut empty);
        let residual_filter = fold(residual, &mut empty);
        let late_filter = fold(late, &mut empty);
        let mut fetch = self.fetch;
        if let Some(f) = &mut fetch {
            f.filter = late_filter;
        }

        let mut composed = self.composite.narrowing.clone();
        let streams = if empty {
            notes.push("the filter can match nothing here: no request is made".into());
            Vec::new()
        } else if self.is_scan {
            vec![StreamSpec { key: None, branch: 0, logical: Vec::new() }]
        } else {
            let mut combos: Vec<Vec<(String, Value)>> = vec![Vec::new()];
            for (attr, values) in &self.partition {
                combos = combos
                    .into_iter()
                    .flat_map(|prefix| {
                        values.iter().map(move |v| {
                            let mut p = prefix.clone();
                            p.push((attr.clone(), v.clone()));
                            p
                        })
                    })
                    .collect();
            }
            // Composed sort keys may read several prefixes per partition
            // value (an `IN` on a leading part): one stream each.
            let plain = [super::composite::SortVariant {
                sort_eq: self.sort_eq.clone(),
                sort_range: self.sort_range.clone(),
                ..Default::default()
            }];
            let sorts = if self.composite.sorts.is_empty() { &plain[..] } else { &self.composite.sorts[..] };
            let mut streams = Vec::with_capacity(combos.len() * sorts.len());
            let mut prefixes = Vec::with_capacity(streams.capacity());
            for partition in combos {
                let logical = self
                    .sharded
                    .as_ref()
                    .and_then(|(attr, pairs)| {
                        let (_, v) = partition.first()?;
                        let (_, l) = pairs.iter().find(|(p, _)| p == v)?;
                        Some(vec![(attr.clone(), l.clone())])
                    })
                    .unwrap_or_else(|| self.composite.logical_of(&partition));
                for sort in sorts {
                    let mut logical = logical.clone();
                    logical.extend(sort.logical.iter().cloned());
                    prefixes.push(sort.prefix.clone());
                    streams.push(StreamSpec {
                        key: Some(KeyCondition {
                            partition: partition.clone(),
                            sort_eq: sort.sort_eq.clone(),
                            sort_range: sort.sort_range.clone(),
                        }),
                        branch: 0,
                        logical,
                    });
                }
            }
            if let Some(n) = &mut composed {
                n.prefixes = prefixes;
            }
            streams
        };

        notes.extend(self.composite.notes.iter().cloned());
        if let (Some((logical, pairs)), Some(ix)) = (&self.sharded, &self.index) {
            let shards = pairs.iter().filter(|(_, l)| Some(l) == pairs.first().map(|(_, l)| l)).count();
            notes.push(format!(
                "index `{ix}` is write-sharded: each value of {logical} is read from {shards} shard{} of {}",
                if shards == 1 { "" } else { "s" },
                self.partition.first().map_or("?", |(a, _)| a.as_str())
            ));
        }
        let strategy = if self.served == ctx.order.len() {
            Strategy::Merge
        } else if self.served_sort_keys > 0 {
            Strategy::MergeThenSortTies
        } else {
            Strategy::TopK
        };
        if strategy == Strategy::TopK && !streams.is_empty() {
            notes.push(
                "no index sort key serves the leading ORDER BY column: every matching item is read \
                 (within the read budget) and the top rows kept"
                    .into(),
            );
        }
        if server_filter.is_some()
            || residual_filter.is_some()
            || fetch.as_ref().is_some_and(|f| f.filter.is_some())
        {
            notes.push(format!(
                "filter selectivity unknown: the first page's first Limit assumes {}% of items match; later \
                 requests follow the observed Count/ScannedCount, which the cursor carries to the next page",
                (crate::exec::PRIOR_SELECTIVITY * 100.0) as u32
            ));
        }

        let output = ctx.query.get_select().map(<[String]>::to_vec);
        // A thin index is read for what it stores: the order, the key and
        // the client filter's attributes (and the selected ones it has).
        let read_select = match (&output, &fetch) {
            (None, Some(_)) => Some(Vec::new()),
            (o, _) => o.clone(),
        };
        let projection = read_select.as_ref().map(|sel| {
            let mut p: Vec<String> = Vec::new();
            let mut add = |a: &str| {
                if !p.iter().any(|x| x == a) {
                    p.push(a.to_owned());
                }
            };
            let fetched = |a: &str| {
                fetch
                    .as_ref()
                    .is_some_and(|f| f.attributes.as_ref().is_some_and(|v| v.iter().any(|x| x == a)))
            };
            sel.iter().filter(|a| !fetched(a)).for_each(|a| add(a));
            // An order attribute the index lacks comes from the fetch: a
            // GSI refuses a projection naming what it does not store.
            let order_fetched = |a: &str| fetch.as_ref().is_some_and(|f| f.order.iter().any(|x| x == a));
            ctx.order.iter().filter(|c| !order_fetched(&c.attr)).for_each(|c| add(&c.attr));
            ctx.schema.primary_key_names().for_each(&mut add);
            if let Some(r) = &residual_filter {
                r.attributes().into_iter().for_each(&mut add);
            }
            p
        });
        if let (Some(f), Some(ix)) = (&fetch, &self.index) {
            let kind = match ctx.schema.find_index(ix).map(|i| &i.projection) {
                Some(Projection::KeysOnly) => "KEYS_ONLY",
                _ => "INCLUDE",
            };
            let what = match &f.attributes {
                Some(a) => a.join(", "),
                None => "every attribute".to_owned(),
            };
            if !f.order.is_empty() {
                let served: Vec<&str> = ctx.order.iter().take(self.served).map(|c| c.attr.as_str()).collect();
                notes.push(format!(
                    "index `{ix}` projects {kind}: ORDER BY {} comes from BatchGetItem run by run: the rows tied \
                     on ({}) are fetched together (≤{} keys a call), with {what}, before they are sorted; a page \
                     fetches the rows of the runs it touches, the cursor's run included, each once",
                    f.order.join(", "),
                    served.join(", "),
                    crate::backend::MAX_BATCH_GET_KEYS
                ));
            }
            match &f.filter {
                None if !f.order.is_empty() => {}
                None => notes.push(format!(
                    "index `{ix}` projects {kind}: {what} come from BatchGetItem for the page's rows only (at \
                     most {limit} items, {} call{} a page, about one read unit each), after the index's items \
                     were filtered, merged and paged; an index projecting them would need no such reads",
                    limit.div_ceil(crate::backend::MAX_BATCH_GET_KEYS),
                    if limit > crate::backend::MAX_BATCH_GET_KEYS { "s" } else { "" }
                )),
                Some(late) => notes.push(format!(
                    "index `{ix}` projects {kind}: `{late}` names attributes it lacks and runs after \
                     BatchGetItem fetched {what} for candidate rows (those passing the rest of the filter) in \
                     order, only as many as the page still needs, then for a look-ahead until one more row \
                     passes; each candidate fetched costs about one read unit, those the filter drops included"
                )),
            }
        }
        let constants =
            global_constants(ctx.conjuncts).into_iter().map(|(a, v)| (a.to_owned(), v.clone())).collect();
        Plan {
            table: ctx.schema.table.clone(),
            branches: vec![Branch {
                index: self.index,
                server_filter,
                residual: residual_filter,
                constants,
                start_key: Vec::new(),
                disjunct: None,
            }],
            streams,
            scan_forward: if strategy == Strategy::TopK { true } else { self.scan_forward },
            order: ctx.order.to_vec(),
            served: self.served,
            strategy,
            projection,
            output,
            hidden: Vec::new(),
            limit,
            read_budget: ctx.query.get_read_budget().unwrap_or(ctx.options.read_budget),
            narrowing: if strategy == Strategy::TopK { None } else { self.narrowing },
            composed: if strategy == Strategy::TopK { None } else { composed },
            notes,
            key_columns: Vec::new(),
            fingerprint: [0; 16],
            fetch,
        }
    }
}
