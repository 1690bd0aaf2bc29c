//! One `Query`/`Scan` page over the stored items.

use std::collections::BTreeMap;
use std::ops::Bound;

use crate::backend::{expression, BatchGetRequest, BatchGetResponse, ReadRequest, ReadResponse};
use crate::error::Result;
use crate::schema::{Index, IndexKind, Schema};
use crate::value::Item;

use super::keys::{self, Range};
use super::size::{item_size, rcu, units};
use super::validate::{self, invalid, not_found};
use super::{State, Stored};

/// The encoded primary key of a (validated) item or key.
pub(super) fn primary_key(schema: &Schema, item: &Item) -> Result<Vec<u8>> {
    keys::encode_attrs(item, schema.primary.attributes())?
        .ok_or_else(|| invalid("One of the required keys was not given a value"))
}

/// Where `item` sits in each secondary index; `None` where it is absent.
pub(super) fn index_positions(schema: &Schema, item: &Item, primary: &[u8]) -> Result<Vec<Option<Vec<u8>>>> {
    schema
        .indexes
        .iter()
        .map(|ix| {
            Ok(keys::encode_attrs(item, ix.key.attributes())?.map(|k| keys::index_position(&k, primary)))
        })
        .collect()
}

/// The queried index: `None` for the table, else its slot and definition.
fn resolve<'s>(schema: &'s Schema, request: &ReadRequest) -> Result<Option<(usize, &'s Index)>> {
    if request.table != schema.table {
        return Err(not_found(format!(
            "Cannot do operations on a non-existent table: {} (this MemoryTable is {})",
            request.table, schema.table
        )));
    }
    let Some(name) = &request.index else { return Ok(None) };
    schema
        .indexes
        .iter()
        .enumerate()
        .find(|(_, ix)| ix.name == *name)
        .map(Some)
        .ok_or_else(|| validate::no_such_index(name))
}

/// The position of a validated `ExclusiveStartKey`.
fn start_position(schema: &Schema, index: Option<&Index>, esk: &Item) -> Result<Vec<u8>> {
    let primary = primary_key(schema, esk)?;
    let Some(ix) = index else { return Ok(primary) };
    let key = keys::encode_attrs(esk, ix.key.attributes())?
        .ok_or_else(|| invalid("The provided starting key is invalid"))?;
    Ok(keys::index_position(&key, &primary))
}

/// Keeps the attributes of `item` that `index` stores.
fn entry(schema: &Schema, index: &Index, item: &Item) -> Item {
    item.iter()
        .filter(|(k, _)| validate::stores(schema, index, k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn pick(item: &Item, projection: Option<&[String]>) -> Item {
    match projection {
        None => item.clone(),
        Some(attrs) => attrs.iter().filter_map(|a| item.get(a).map(|v| (a.clone(), v.clone()))).collect(),
    }
}

/// The table's and the queried index's key attributes of `item`.
fn last_key(schema: &Schema, index: Option<&Index>, item: &Item) -> Item {
    let index_attrs = index.into_iter().flat_map(|ix| ix.key.attributes());
    schema
        .primary
        .attributes()
        .chain(index_attrs)
        .filter_map(|a| item.get(&a.name).map(|v| (a.name.clone(), v.clone())))
        .collect()
}

/// What a read costs, as DynamoDB Local charges it.
#[derive(Default)]
struct Capacity {
    bytes: usize,
    fetched_units: usize,
}

/// Runs one page of `request`.
pub(super) fn read(
    schema: &Schema,
    state: &State,
    page_bytes: usize,
    request: &ReadRequest,
) -> Result<ReadResponse> {
    let resolved = resolve(schema, request)?;
    let index = resolved.map(|(_, ix)| ix);
    let key = index.map_or(&schema.primary, |ix| &ix.key);
    if request.limit == Some(0) {
        return Err(invalid("Limit must be greater than or equal to 1"));
    }
    // What DynamoDB refuses in the expressions (sizes, nesting, constants,
    // IN lists) is decided where the DynamoDB backend renders them.
    let projection = request.projection.as_deref();
    if request.count_only && projection.is_some() {
        // DynamoDB Local 3.3.0's own words.
        return Err(invalid("Cannot specify the ProjectionExpression when choosing to get only the Count"));
    }
    expression::render(request.key.as_ref(), request.filter.as_ref(), projection)?;
    let filter = request.filter.as_ref();
    if let Some(f) = filter {
        validate::filter(schema, index, key, request.key.is_some(), f)?;
    }
    if !request.count_only {
        // A count asks for no attributes, on any index.
        validate::projection(schema, index, projection)?;
    }
    let mut range: Range = (Bound::Unbounded, Bound::Unbounded);
    if let Some(cond) = &request.key {
        validate::key_condition(key, index, cond)?;
        range = keys::condition_range(cond)?;
    }
    let forward = request.scan_forward || request.key.is_none();
    if request.segment.is_some() && request.key.is_some() {
        return Err(invalid(crate::backend::SEGMENT_ON_QUERY));
    }
    // A parallel scan's segment: the items whose partition key hashes into it.
    let in_segment = |item: &Item| -> Result<bool> {
        match request.segment {
            None => Ok(true),
            Some(seg) => {
                let partition = keys::encode_attrs(item, key.partition.iter())?.unwrap_or_default();
                Ok(keys::segment_of(&partition, seg.total()) == seg.segment())
            }
        }
    };
    if let Some(esk) = &request.exclusive_start_key {
        validate::start_key(schema, index, esk)?;
        if !in_segment(esk)? {
            return Err(invalid(crate::backend::START_KEY_NOT_IN_SEGMENT));
        }
        let pos = start_position(schema, index, esk)?;
        if request.key.is_some() && !keys::contains(&range, &pos) {
            return Err(invalid("The provided starting key does not match the range key predicate"));
        }
        if forward {
            range.0 = Bound::Excluded(pos);
        } else {
            range.1 = Bound::Excluded(pos);
        }
    }
    // An LSI reads attributes it does not store from the table.
    let fetches = index.is_some_and(|ix| {
        ix.kind == IndexKind::Local
            && match projection {
                None => ix.projection != crate::schema::Projection::All,
                Some(attrs) => attrs.iter().any(|a| !validate::stores(schema, ix, a)),
            }
    });
    let charge_entries = request.key.is_some() && index.is_some();

    let mut entries = walk(state, resolved.map(|(slot, _)| slot), range, forward)
        .filter(|stored| in_segment(&stored.item).unwrap_or(false))
        .peekable();
    let mut response = ReadResponse::default();
    let mut capacity = Capacity::default();
    let mut read_bytes = 0usize;
    while let Some(stored) = entries.next() {
        response.scanned_count += 1;
        read_bytes = read_bytes.saturating_add(stored.size);
        match index {
            Some(ix) if charge_entries => {
                capacity.bytes += item_size(&entry(schema, ix, &stored.item));
                if fetches {
                    capacity.fetched_units += units(stored.size);
                }
            }
            _ => capacity.bytes += stored.size,
        }
        if filter.is_none_or(|f| f.eval(&stored.item)) {
            response.count += 1;
            if !request.count_only {
                response.items.push(pick(&stored.item, projection));
            }
        }
        let at_limit = request.limit.is_some_and(|l| response.scanned_count >= u64::from(l));
        let at_cap = read_bytes >= page_bytes && entries.peek().is_some();
        if at_limit || at_cap {
            response.last_evaluated_key = Some(last_key(schema, index, &stored.item));
            break;
        }
    }
    response.consumed_capacity = Some(rcu(units(capacity.bytes) + capacity.fetched_units));
    Ok(response)
}

/// The stored items in `range` of the table (`slot: None`) or an index, in
/// index order or its reverse.
fn walk<'a>(
    state: &'a State,
    slot: Option<usize>,
    range: Range,
    forward: bool,
) -> Box<dyn Iterator<Item = &'a Stored> + 'a> {
    if keys::is_empty(&range) {
        return Box::new(std::iter::empty());
    }
    fn order<'a, I: DoubleEndedIterator + 'a>(
        it: I,
        forward: bool,
    ) -> Box<dyn Iterator<Item = I::Item> + 'a> {
        if forward {
            Box::new(it)
        } else {
            Box::new(it.rev())
        }
    }
    match slot {
        None => order(state.items.range(range).map(|(_, s)| s), forward),
        Some(slot) => {
            let Some(map) = state.indexes.get(slot) else { return Box::new(std::iter::empty()) };
            let items: &'a BTreeMap<Vec<u8>, Stored> = &state.items;
            order(map.range(range).filter_map(move |(_, primary)| items.get(primary)), forward)
        }
    }
}

/// DynamoDB's cap on one `BatchGetItem` response.
const BATCH_GET_BYTES: usize = 16 * 1024 * 1024;

/// One `BatchGetItem` call, as DynamoDB answers it: at most 100 distinct
/// keys of the table; items found come back (projected), keys past the
/// 16 MB response cap come back unprocessed.
pub(super) fn batch_get(
    schema: &Schema,
    state: &State,
    request: &BatchGetRequest,
) -> Result<BatchGetResponse> {
    if request.table != schema.table {
        return Err(not_found(format!("Requested resource not found: table `{}`", request.table)));
    }
    if request.keys.is_empty() || request.keys.len() > crate::backend::MAX_BATCH_GET_KEYS {
        return Err(invalid(format!(
            "1 validation error detected: Value at 'requestItems.{}.member.keys' failed to satisfy constraint: \
             Member must have length between 1 and 100 (it has {})",
            request.table,
            request.keys.len()
        )));
    }
    let projection = request.projection.as_deref();
    expression::render(None, None, projection)?;
    let mut positions = Vec::with_capacity(request.keys.len());
    for key in &request.keys {
        validate::table_key(schema, key)?;
        let pos = primary_key(schema, key)?;
        if positions.contains(&pos) {
            return Err(invalid("Provided list of item keys contains duplicates"));
        }
        positions.push(pos);
    }
    let mut response = BatchGetResponse::default();
    let (mut bytes, mut capacity) = (0usize, 0.0);
    for (key, pos) in request.keys.iter().zip(positions) {
        let Some(stored) = state.items.get(&pos) else { continue };
        if bytes > 0 && bytes + stored.size > BATCH_GET_BYTES {
            response.unprocessed_keys.push(key.clone());
            continue;
        }
        bytes += stored.size;
        capacity += rcu(units(stored.size));
        response.items.push(pick(&stored.item, projection));
    }
    response.consumed_capacity = Some(capacity);
    Ok(response)
}
