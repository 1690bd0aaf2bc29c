//! Byte positions in an index and the byte ranges a key condition selects.
//!
//! An entry's position is the order-preserving encoding
//! ([`encode_column`], ascending) of the index's partition attributes, then
//! its sort attributes, then — for secondary indexes, whose keys need not be
//! unique — an 8-byte FNV-1a hash of the encoded primary key, then the
//! encoded primary key itself. Byte order of positions is index order, and
//! items with equal index keys come in hash order: deterministic, but
//! deliberately not primary-key order, so that callers cannot come to rely
//! on an order DynamoDB does not promise.

use std::ops::Bound;

use crate::backend::{KeyCondition, SortRange};
use crate::encoding::{encode_column, Direction};
use crate::error::{Error, ErrorKind, Result};
use crate::schema::KeyAttribute;
use crate::value::{Item, Value};

/// A range of positions.
pub(crate) type Range = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// Appends the ascending encoding of one key value.
pub(crate) fn push_value(out: &mut Vec<u8>, value: &Value) -> Result<()> {
    encode_column(out, Some(value), Direction::Asc).map_err(|e| {
        Error::new(
            ErrorKind::Backend,
            format!("ValidationException: a key attribute cannot hold a {}", e.0.as_str()),
        )
    })
}

/// Encodes `attrs` of `item` in order; `None` when one is missing or `NULL`.
pub(crate) fn encode_attrs<'a>(
    item: &Item,
    attrs: impl IntoIterator<Item = &'a KeyAttribute>,
) -> Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    for attr in attrs {
        match item.get(&attr.name) {
            None | Some(Value::Null) => return Ok(None),
            Some(v) => push_value(&mut out, v)?,
        }
    }
    Ok(Some(out))
}

/// FNV-1a, 64 bits: the tie-breaking hash of an encoded primary key.
pub(crate) fn tie_hash(bytes: &[u8]) -> [u8; 8] {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h.to_be_bytes()
}

/// The segment of `total` that the encoded partition key `partition` falls
/// in: its FNV-1a hash, scaled onto `0..total`, so each segment is one
/// contiguous range of hashes (as DynamoDB splits a parallel `Scan`).
pub(crate) fn segment_of(partition: &[u8], total: u32) -> u32 {
    let h = u64::from_be_bytes(tie_hash(partition));
    // h * total / 2^64 < total, so it fits.
    ((u128::from(h) * u128::from(total)) >> 64) as u32
}

/// A secondary-index position: index key, tie hash, primary key.
pub(crate) fn index_position(index_key: &[u8], primary: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(index_key.len() + 8 + primary.len());
    out.extend_from_slice(index_key);
    out.extend_from_slice(&tie_hash(primary));
    out.extend_from_slice(primary);
    out
}

/// The smallest byte string above every string that starts with `prefix`;
/// `None` when there is none (all `0xFF`).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut out = prefix.to_vec();
    while let Some(last) = out.pop() {
        if last < 0xFF {
            out.push(last + 1);
            return Some(out);
        }
    }
    None
}

fn upper(prefix: &[u8]) -> Bound<Vec<u8>> {
    prefix_end(prefix).map_or(Bound::Unbounded, Bound::Excluded)
}

fn with(prefix: &[u8], value: &Value) -> Result<Vec<u8>> {
    let mut out = prefix.to_vec();
    push_value(&mut out, value)?;
    Ok(out)
}

/// The positions a (validated) key condition selects.
pub(crate) fn condition_range(key: &KeyCondition) -> Result<Range> {
    let mut prefix = Vec::new();
    for (_, v) in key.partition.iter().chain(&key.sort_eq) {
        push_value(&mut prefix, v)?;
    }
    let Some((_, range)) = &key.sort_range else {
        return Ok((Bound::Included(prefix.clone()), upper(&prefix)));
    };
    Ok(match range {
        SortRange::Eq(v) => {
            let at = with(&prefix, v)?;
            (Bound::Included(at.clone()), upper(&at))
        }
        SortRange::Lt(v) => (Bound::Included(prefix.clone()), Bound::Excluded(with(&prefix, v)?)),
        SortRange::Le(v) => (Bound::Included(prefix.clone()), upper(&with(&prefix, v)?)),
        SortRange::Gt(v) => (upper(&with(&prefix, v)?), upper(&prefix)),
        SortRange::Ge(v) => (Bound::Included(with(&prefix, v)?), upper(&prefix)),
        SortRange::Between(lo, hi) => (Bound::Included(with(&prefix, lo)?), upper(&with(&prefix, hi)?)),
        SortRange::BeginsWith(p) => {
            // A string's (binary's) encoding is a tag, its escaped bytes and a
            // two-byte terminator; escaping works byte by byte, so every value
            // starting with `p` encodes to a string starting with `p`'s
            // encoding minus the terminator, and no other value does.
            let mut at = with(&prefix, p)?;
            at.truncate(at.len().saturating_sub(2));
            (Bound::Included(at.clone()), upper(&at))
        }
    })
}

/// True when `pos` lies inside `range`.
pub(crate) fn contains(range: &Range, pos: &[u8]) -> bool {
    let above = match &range.0 {
        Bound::Included(lo) => pos >= lo.as_slice(),
        Bound::Excluded(lo) => pos > lo.as_slice(),
        Bound::Unbounded => true,
    };
    let below = match &range.1 {
        Bound::Included(hi) => pos <= hi.as_slice(),
        Bound::Excluded(hi) => pos < hi.as_slice(),
        Bound::Unbounded => true,
    };
    above && below
}

/// True when no position lies in `range` (and `BTreeMap::range` would panic
/// or return nothing).
pub(crate) fn is_empty(range: &Range) -> bool {
    match (&range.0, &range.1) {
        (Bound::Included(lo), Bound::Included(hi)) => lo > hi,
        (Bound::Included(lo), Bound::Excluded(hi))
        | (Bound::Excluded(lo), Bound::Included(hi))
        | (Bound::Excluded(lo), Bound::Excluded(hi)) => lo >= hi,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_skips_trailing_ff() {
        assert_eq!(prefix_end(&[1, 0xFF]), Some(vec![2]));
        assert_eq!(prefix_end(&[0xFF, 0xFF]), None);
        assert_eq!(prefix_end(&[]), None);
    }

    #[test]
    fn begins_with_range_holds_exactly_the_prefixed_strings() {
        let key = KeyCondition {
            partition: vec![("p".into(), Value::from("x"))],
            sort_eq: vec![],
            sort_range: Some(("s".into(), SortRange::BeginsWith(Value::from("a\0")))),
        };
        let range = condition_range(&key).unwrap();
        let pos = |s: &str| {
            let mut out = Vec::new();
            push_value(&mut out, &Value::from("x")).unwrap();
            push_value(&mut out, &Value::from(s)).unwrap();
            out
        };
        for (s, inside) in [("a\0", true), ("a\0b", true), ("a", false), ("a\x01", false), ("b", false)] {
            assert_eq!(contains(&range, &pos(s)), inside, "{s:?}");
        }
    }
}
