//! Request validation, with DynamoDB's rules and error messages.

use std::collections::BTreeSet;

use crate::backend::{KeyCondition, SortRange};
use crate::cond::Cond;
use crate::error::{Error, ErrorKind, Result};
use crate::expr::CmpOp;
use crate::schema::{Index, IndexKind, KeyAttribute, KeySchema, Projection, Schema};
use crate::value::{Item, Value};

use super::size::{item_size, MAX_ITEM_BYTES};

/// A `ValidationException`.
pub(crate) fn invalid(message: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Backend, format!("ValidationException: {message}"))
}

/// A `ResourceNotFoundException`: [`ErrorKind::NotFound`].
pub(crate) fn not_found(message: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::NotFound, format!("ResourceNotFoundException: {message}"))
}

/// DynamoDB's `ValidationException` for an index the table does not have:
/// [`ErrorKind::NotFound`], as the DynamoDB backend classifies it.
pub(crate) fn no_such_index(name: &str) -> Error {
    Error::new(
        ErrorKind::NotFound,
        format!("ValidationException: The table does not have the specified index: {name}"),
    )
}

fn is_empty_scalar(value: &Value) -> Option<&'static str> {
    match value {
        Value::S(s) if s.is_empty() => Some("string"),
        Value::B(b) if b.is_empty() => Some("binary"),
        _ => None,
    }
}

/// Checks an item the way `PutItem` does.
pub(crate) fn put_item(schema: &Schema, item: &Item) -> Result<()> {
    for attr in schema.primary.attributes() {
        let Some(value) = item.get(&attr.name) else {
            return Err(invalid(format!(
                "One of the required keys was not given a value: add the table key attribute `{}` (type {})",
                attr.name,
                attr.ty.as_str()
            )));
        };
        if !attr.ty.matches(value) {
            return Err(invalid(format!(
                "One or more parameter values were invalid: Type mismatch for key {} expected: {} actual: {}",
                attr.name,
                attr.ty.as_str(),
                value.attr_type().as_str()
            )));
        }
        if let Some(kind) = is_empty_scalar(value) {
            return Err(invalid(format!(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot \
                 contain an empty {kind} value. Key: {}",
                attr.name
            )));
        }
    }
    for index in &schema.indexes {
        for attr in index.key.attributes() {
            let Some(value) = item.get(&attr.name) else { continue };
            if !attr.ty.matches(value) {
                // DynamoDB rejects NULL here too: an item leaves an index only
                // by lacking the attribute.
                return Err(invalid(format!(
                    "One or more parameter values were invalid: Type mismatch for Index Key {} Expected: {} \
                     Actual: {} IndexName: {}",
                    attr.name,
                    attr.ty.as_str(),
                    value.attr_type().as_str(),
                    index.name
                )));
            }
            if let Some(kind) = is_empty_scalar(value) {
                return Err(invalid(format!(
                    "One or more parameter values are not valid. A value specified for a secondary index key \
                     is not supported. The AttributeValue for a key attribute cannot contain an empty {kind} \
                     value. IndexName: {}, IndexKey: {}",
                    index.name, attr.name
                )));
            }
        }
    }
    for (name, value) in item {
        if name.is_empty() {
            return Err(invalid("One or more parameter values were invalid: An attribute name is empty"));
        }
        no_empty_set(value)?;
    }
    let size = item_size(item);
    if size > MAX_ITEM_BYTES {
        return Err(invalid(format!(
            "Item size has exceeded the maximum allowed size: {size} bytes, the limit is {MAX_ITEM_BYTES}"
        )));
    }
    Ok(())
}

fn no_empty_set(value: &Value) -> Result<()> {
    let kind = match value {
        Value::Ss(s) if s.is_empty() => "string",
        Value::Ns(s) if s.is_empty() => "number",
        Value::Bs(s) if s.is_empty() => "binary",
        Value::L(l) => return l.iter().try_for_each(no_empty_set),
        Value::M(m) => return m.values().try_for_each(no_empty_set),
        _ => return Ok(()),
    };
    Err(invalid(format!("One or more parameter values were invalid: An {kind} set may not be empty")))
}

/// Checks a `GetItem`/`DeleteItem` key: exactly the table's key attributes.
pub(crate) fn table_key(schema: &Schema, key: &Item) -> Result<()> {
    let names: BTreeSet<&str> = schema.primary_key_names().collect();
    let ok = key.len() == names.len()
        && schema.primary.attributes().all(|a| key.get(&a.name).is_some_and(|v| a.ty.matches(v)));
    if !ok {
        return Err(invalid(format!(
            "The provided key element does not match the schema: give exactly the key attributes {names:?} \
             with their declared types"
        )));
    }
    if let Some((name, kind)) = key.iter().find_map(|(n, v)| is_empty_scalar(v).map(|k| (n, k))) {
        return Err(invalid(format!(
            "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain \
             an empty {kind} value. Key: {name}"
        )));
    }
    Ok(())
}

/// The attributes a key-condition operand must match.
fn operand(attr: &KeyAttribute, value: &Value, index: Option<&Index>) -> Result<()> {
    if !attr.ty.matches(value) {
        return Err(invalid(
            "One or more parameter values were invalid: Condition parameter type does not match schema type",
        ));
    }
    if let Some(kind) = is_empty_scalar(value) {
        return Err(match index {
            None => invalid(format!(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot \
                 contain an empty {kind} value. Key: {}",
                attr.name
            )),
            Some(ix) => invalid(format!(
                "One or more parameter values are not valid. A value specified for a secondary index key is \
                 not supported. The AttributeValue for a key attribute cannot contain an empty {kind} value. \
                 IndexName: {}, IndexKey: {}",
                ix.name, attr.name
            )),
        });
    }
    Ok(())
}

/// Checks a key condition against the queried key.
pub(crate) fn key_condition(key: &KeySchema, index: Option<&Index>, cond: &KeyCondition) -> Result<()> {
    for attr in &key.partition {
        match cond.partition.iter().find(|(n, _)| *n == attr.name) {
            None => return Err(invalid(format!("Query condition missed key schema element: {}", attr.name))),
            Some((_, v)) => operand(attr, v, index)?,
        }
    }
    if cond.partition.len() != key.partition.len() {
        return Err(invalid(
            "Query key condition not supported: the partition condition must be one equality on each \
             partition key attribute and nothing else",
        ));
    }
    if cond.sort_eq.len() + usize::from(cond.sort_range.is_some()) > key.sort.len() {
        return Err(invalid(
            "Query key condition not supported: more sort key conditions than sort key attributes",
        ));
    }
    for ((name, v), attr) in cond.sort_eq.iter().zip(&key.sort) {
        if *name != attr.name {
            return Err(invalid(format!(
                "Query key condition not supported: sort key conditions must follow the key order; expected a \
                 condition on {}, got one on {name}",
                attr.name
            )));
        }
        operand(attr, v, index)?;
    }
    let Some((name, range)) = &cond.sort_range else { return Ok(()) };
    let Some(attr) = key.sort.get(cond.sort_eq.len()) else {
        return Err(invalid(
            "Query key condition not supported: the sort key has no attribute to range over",
        ));
    };
    if *name != attr.name {
        return Err(invalid(format!(
            "Query key condition not supported: the range condition must be on {}, not {name}",
            attr.name
        )));
    }
    match range {
        SortRange::Eq(v) | SortRange::Lt(v) | SortRange::Le(v) | SortRange::Gt(v) | SortRange::Ge(v) => {
            operand(attr, v, index)
        }
        SortRange::BeginsWith(v) => {
            if !matches!(v, Value::S(_) | Value::B(_)) {
                return Err(invalid(format!(
                    "Invalid KeyConditionExpression: Incorrect operand type for operator or function; \
                     operator or function: begins_with, operand type: {}",
                    v.attr_type().as_str()
                )));
            }
            operand(attr, v, index)
        }
        SortRange::Between(lo, hi) => {
            operand(attr, lo, index)?;
            operand(attr, hi, index)?;
            if lo.cmp_same_type(hi) == Some(std::cmp::Ordering::Greater) {
                return Err(invalid(format!(
                    "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater \
                     than or equal to lower bound; lower bound operand: {lo}, upper bound operand: {hi}"
                )));
            }
            Ok(())
        }
    }
}

/// True when `index` itself stores attribute `name` (LSIs may fetch more).
pub(crate) fn stores(schema: &Schema, index: &Index, name: &str) -> bool {
    schema.primary.contains(name)
        || index.key.contains(name)
        || match &index.projection {
            Projection::All => true,
            Projection::KeysOnly => false,
            Projection::Include(set) => set.contains(name),
        }
}

/// Checks a filter: not on the queried key, only on attributes the index
/// stores, and with operand types DynamoDB accepts.
pub(crate) fn filter(
    schema: &Schema,
    index: Option<&Index>,
    key: &KeySchema,
    is_query: bool,
    filter: &Cond,
) -> Result<()> {
    let attrs = filter.attributes();
    if is_query {
        if let Some(a) = attrs.iter().find(|a| key.contains(a)) {
            return Err(invalid(format!(
                "Filter Expression can only contain non-primary key attributes: Primary key attribute: {a}"
            )));
        }
    }
    if let Some(ix) = index {
        let missing: Vec<&str> = attrs.iter().copied().filter(|a| !stores(schema, ix, a)).collect();
        if !missing.is_empty() {
            return Err(invalid(format!(
                "One or more parameter values were invalid: Secondary index {} does not project one or more \
                 filter attributes: [{}]",
                ix.name,
                missing.join(", ")
            )));
        }
    }
    operand_types(filter)
}

fn operand_types(c: &Cond) -> Result<()> {
    let bad = |op: &str, v: &Value| {
        Err(invalid(format!(
            "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: \
             {op}, operand type: {}",
            v.attr_type().as_str()
        )))
    };
    match c {
        Cond::Cmp { op, value, .. } if !matches!(op, CmpOp::Eq | CmpOp::Ne) && !value.is_key_scalar() => {
            bad(op.as_str(), value)
        }
        Cond::BeginsWith { prefix, .. } if !matches!(prefix, Value::S(_) | Value::B(_)) => {
            bad("begins_with", prefix)
        }
        Cond::And(cs) | Cond::Or(cs) => cs.iter().try_for_each(operand_types),
        Cond::Not(c) => operand_types(c),
        _ => Ok(()),
    }
}

/// Checks a projection list against what the queried index can return.
pub(crate) fn projection(
    schema: &Schema,
    index: Option<&Index>,
    projection: Option<&[String]>,
) -> Result<()> {
    if let Some(attrs) = projection {
        if attrs.is_empty() {
            return Err(invalid("Invalid ProjectionExpression: The expression can not be empty;"));
        }
        let mut seen = BTreeSet::new();
        if let Some(dup) = attrs.iter().find(|a| !seen.insert(a.as_str())) {
            return Err(invalid(format!(
                "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or \
                 rewrite one of these paths; path one: [{dup}], path two: [{dup}]"
            )));
        }
    }
    let Some(ix) = index.filter(|ix| ix.kind == IndexKind::Global) else { return Ok(()) };
    match projection {
        None if ix.projection != Projection::All => Err(invalid(format!(
            "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global \
             secondary index {} because its projection type is not ALL; ask for the projected attributes",
            ix.name
        ))),
        None => Ok(()),
        Some(attrs) => {
            let missing: Vec<&str> =
                attrs.iter().map(String::as_str).filter(|a| !stores(schema, ix, a)).collect();
            if missing.is_empty() {
                Ok(())
            } else {
                Err(invalid(format!(
                    "One or more parameter values were invalid: Global secondary index {} does not project [{}]",
                    ix.name,
                    missing.join(", ")
                )))
            }
        }
    }
}

/// Checks an `ExclusiveStartKey`: exactly the table's and the index's key
/// attributes, with their declared types.
pub(crate) fn start_key(schema: &Schema, index: Option<&Index>, esk: &Item) -> Result<()> {
    let mut expected: Vec<&KeyAttribute> = schema.primary.attributes().collect();
    if let Some(ix) = index {
        expected.extend(ix.key.attributes().filter(|a| !schema.primary.contains(&a.name)));
    }
    let same_names = esk.len() == expected.len() && expected.iter().all(|a| esk.contains_key(&a.name));
    if !same_names {
        return Err(match index {
            None => invalid(
                "Exclusive Start Key must have same size as table's key schema: give exactly the table's key \
                 attributes",
            ),
            Some(_) => invalid(
                "The provided starting key is invalid: give exactly the table's and the index's key attributes",
            ),
        });
    }
    for attr in expected {
        let Some(value) = esk.get(&attr.name) else { continue };
        if !attr.ty.matches(value) {
            return Err(invalid(format!(
                "The provided starting key is invalid: Type mismatch for key attribute {}: expected {}, got {}",
                attr.name,
                attr.ty.as_str(),
                value.attr_type().as_str()
            )));
        }
        if let Some(kind) = is_empty_scalar(value) {
            return Err(invalid(format!(
                "The provided starting key is invalid: The AttributeValue for a key attribute cannot contain \
                 an empty {kind} value. Key: {}",
                attr.name
            )));
        }
    }
    Ok(())
}
