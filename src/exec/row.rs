//! A row on its way through the merge: the item and its precomputed
//! order-preserving key, so every comparison is a `memcmp`.
//!
//! The whole key is encoded when the row is read, while the item is in
//! cache, into a [`Key`] that holds it inline when short (no allocation
//! per row). The merge compares the served prefix; the tie re-sort the rest.
//!
//! ```text
//! order:  created_at DESC | total DESC, order_id ASC
//!         └─── prefix ───┘ └──────── rest ────────┘
//! Row:    item + Key(prefix bytes ‖ rest bytes, split = prefix length)
//! ```

use super::key::{InlineBuf, Key};
use crate::encoding::{encode_into, Sink};
use crate::error::{Error, ErrorKind, Result};
use crate::plan::SortColumn;
use crate::value::Item;

/// An item with its sort key.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub item: Item,
    /// Encoding of the whole order (`ORDER BY` + primary key), split where
    /// the columns the streams are sorted by end.
    key: Key,
}

impl Row {
    /// Encodes `item`'s sort tuple, straight into the key's inline buffer
    /// or, when it does not fit, through `scratch` (whose contents are
    /// replaced); the first `served` columns form the merge prefix.
    ///
    /// # Errors
    /// [`ErrorKind::Unorderable`] when an order column holds a list, map or set.
    pub fn new(item: Item, order: &[SortColumn], served: usize, scratch: &mut Vec<u8>) -> Result<Row> {
        let mut inline = InlineBuf::new();
        let split = encode(&mut inline, &item, order, served)?;
        if let Some(key) = inline.finish(split) {
            return Ok(Row { key, item });
        }
        scratch.clear();
        let split = encode(scratch, &item, order, served)?;
        Ok(Row { key: Key::from_slice(scratch, split), item })
    }

    /// The whole key.
    #[inline]
    pub fn key(&self) -> &[u8] {
        self.key.as_slice()
    }

    /// The merge prefix.
    #[inline]
    pub fn prefix(&self) -> &[u8] {
        self.key.prefix()
    }

    /// The merge prefix's length.
    #[inline]
    pub fn prefix_len(&self) -> usize {
        self.key.split()
    }

    /// The first sixteen bytes of the merge prefix, zero-padded, as a
    /// big-endian number.
    #[inline]
    pub fn prefix_word(&self) -> u128 {
        self.key.prefix_word()
    }

    /// The key after the merge prefix: rows with equal prefixes compare by it.
    #[inline]
    pub fn rest(&self) -> &[u8] {
        self.key.rest()
    }
}

/// Encodes `item`'s order columns into `out`; returns where the first
/// `served` end.
#[inline]
fn encode<S: Sink>(out: &mut S, item: &Item, order: &[SortColumn], served: usize) -> Result<usize> {
    let mut split = None;
    for (i, c) in order.iter().enumerate() {
        if i == served {
            split = Some(out.len());
        }
        encode_into(out, item.get(&c.attr), c.dir).map_err(|e| unorderable(&c.attr, e))?;
    }
    Ok(split.unwrap_or_else(|| out.len()))
}

pub(crate) fn unorderable(attr: &str, e: crate::encoding::Unorderable) -> Error {
    Error::new(
        ErrorKind::Unorderable,
        format!(
            "ORDER BY `{attr}` met a value of type {}, which has no order (only strings, numbers, \
             binary and booleans do); order by another attribute or filter such items out",
            e.0.as_str()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::{ErrorKind, Item, Row, SortColumn};
    use crate::encoding::{encode_column, Direction};
    use crate::value::Value;

    #[test]
    fn prefix_then_rest_is_the_whole_key() {
        let cols = vec![
            SortColumn { attr: "a".into(), dir: Direction::Desc },
            SortColumn { attr: "b".into(), dir: Direction::Asc },
        ];
        let mut it = Item::new();
        it.insert("a".into(), Value::from(7usize));
        it.insert("b".into(), Value::from("x".repeat(50)));
        let mut whole = Vec::new();
        for c in &cols {
            encode_column(&mut whole, it.get(&c.attr), c.dir).unwrap();
        }
        for served in 0..=3 {
            let row = Row::new(it.clone(), &cols, served, &mut Vec::new()).unwrap();
            assert_eq!(row.key(), &whole[..]);
            let mut prefix = Vec::new();
            for c in &cols[..served.min(cols.len())] {
                encode_column(&mut prefix, it.get(&c.attr), c.dir).unwrap();
            }
            assert_eq!(row.prefix(), &prefix[..]);
            assert_eq!([row.prefix(), row.rest()].concat(), whole);
        }
    }

    #[test]
    fn inline_and_heap_keys_match_the_vec_encoding_across_the_limit() {
        let cols = vec![
            SortColumn { attr: "a".into(), dir: Direction::Desc },
            SortColumn { attr: "b".into(), dir: Direction::Desc },
            SortColumn { attr: "c".into(), dir: Direction::Asc },
        ];
        for n in 0..48 {
            let mut it = Item::new();
            it.insert("a".into(), Value::N("-12.5".parse().unwrap()));
            // Zero bytes take the escaping path.
            it.insert("b".into(), Value::from("x\0y".repeat(n % 5)));
            it.insert("c".into(), Value::B((0..n as u8).collect()));
            let mut whole = Vec::new();
            for c in &cols {
                encode_column(&mut whole, it.get(&c.attr), c.dir).unwrap();
            }
            for served in 0..=3 {
                let mut scratch = vec![7; 3];
                let row = Row::new(it.clone(), &cols, served, &mut scratch).unwrap();
                assert_eq!(row.key(), &whole[..], "{n} {served}");
                assert_eq!([row.prefix(), row.rest()].concat(), whole);
            }
        }
    }

    #[test]
    fn a_row_is_one_cache_line() {
        assert_eq!(std::mem::size_of::<Row>(), 64);
    }

    #[test]
    fn an_unorderable_value_fails() {
        let cols = vec![SortColumn { attr: "c".into(), dir: Direction::Asc }];
        let mut it = Item::new();
        it.insert("c".into(), Value::L(vec![]));
        let err = Row::new(it, &cols, 0, &mut Vec::new()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unorderable);
        assert!(err.to_string().contains("`c`"), "{err}");
    }
}
