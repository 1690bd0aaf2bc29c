//! A row on its way through the merge: the item and its precomputed
//! order-preserving key, so every comparison is a `memcmp`.
//!
//! Only the merge prefix is encoded when the row is read, while the item is
//! in cache, into a [`Key`] that holds it inline when short (no allocation
//! per row). The rest of the key is needed only by rows whose prefix ties
//! with another row's (the tie re-sort) or with the cursor's, so it is
//! encoded on demand ([`Row::complete`]): with few ties, the rest columns
//! are never encoded. A plan no index orders has an empty prefix and
//! compares whole keys, so its rows encode the whole key at once.
//!
//! ```text
//! order:  created_at DESC | total DESC, order_id ASC
//!         └─── prefix ───┘ └──────── rest ────────┘
//! read:   item + Key(prefix bytes)                 + prefix length
//! tie:    item + Key(prefix bytes ‖ rest bytes)    (complete)
//! ```
//!
//! The rest columns' values are still checked when the row is read, so a
//! list, map or set in any order column fails the page just as before.

use std::cmp::Ordering;

use super::key::{compare, Key};
use crate::encoding::{check_orderable, encode_column};
use crate::error::{Error, ErrorKind, Result};
use crate::plan::SortColumn;
use crate::value::Item;

/// An item with its sort key.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub item: Item,
    /// Encoding of the merge prefix, then, once [`complete`](Row::complete),
    /// of the rest of the order (`ORDER BY` + primary key).
    key: Key,
    /// Bytes of `key` that encode the columns the streams are sorted by.
    prefix_len: u32,
    /// Order columns in the prefix.
    served: u32,
    /// True when `key` holds the rest too.
    complete: bool,
}

impl Row {
    /// Encodes `item`'s merge prefix, its first `served` order columns
    /// (through `scratch`, whose contents are replaced), and checks that the
    /// other columns can be ordered. With `served == 0` (top-N) the whole key
    /// is encoded at once.
    ///
    /// # Errors
    /// [`ErrorKind::Unorderable`] when an order column holds a list, map or set.
    pub fn new(item: Item, order: &[SortColumn], served: usize, scratch: &mut Vec<u8>) -> Result<Row> {
        let served = served.min(order.len());
        let encoded = if served == 0 { order.len() } else { served };
        scratch.clear();
        encode(scratch, &item, &order[..encoded])?;
        for c in &order[encoded..] {
            check_orderable(item.get(&c.attr)).map_err(|e| unorderable(&c.attr, e))?;
        }
        Ok(Row {
            key: Key::from_slice(scratch),
            prefix_len: if served == 0 { 0 } else { scratch.len() as u32 },
            served: served as u32,
            complete: encoded == order.len(),
            item,
        })
    }

    /// Encodes the rest of the key, once (`order` is the order the row was
    /// built with).
    ///
    /// # Errors
    /// [`ErrorKind::Unorderable`], which [`Row::new`]'s check already rules out.
    pub fn complete(&mut self, order: &[SortColumn], scratch: &mut Vec<u8>) -> Result<()> {
        if self.complete {
            return Ok(());
        }
        scratch.clear();
        scratch.extend_from_slice(self.key.as_slice());
        encode(scratch, &self.item, &order[self.served as usize..])?;
        self.key = Key::from_slice(scratch);
        self.complete = true;
        Ok(())
    }

    /// The whole key; the row must be [`complete`](Row::complete).
    pub fn key(&self) -> &[u8] {
        debug_assert!(self.complete, "the rest of the key is not encoded");
        self.key.as_slice()
    }

    /// The merge prefix.
    pub fn prefix(&self) -> &[u8] {
        &self.key.as_slice()[..self.prefix_len as usize]
    }

    /// The key after the merge prefix: rows with equal prefixes compare by
    /// it. The row must be [`complete`](Row::complete).
    pub fn rest(&self) -> &[u8] {
        debug_assert!(self.complete, "the rest of the key is not encoded");
        &self.key.as_slice()[self.prefix_len as usize..]
    }

    /// True when the row sorts at or before `cursor`, a whole key (none:
    /// false). The prefix decides unless it equals the cursor's; only then
    /// is the rest encoded.
    ///
    /// # Errors
    /// As [`Row::complete`].
    pub fn at_or_before(&mut self, cursor: Option<&[u8]>, order: &[SortColumn], scratch: &mut Vec<u8>) -> Result<bool> {
        let Some(cursor) = cursor else { return Ok(false) };
        let prefix = self.prefix();
        // Columns encode prefix-free, so bytes equal to the cursor's
        // beginning are the same leading columns.
        match compare(prefix, &cursor[..prefix.len().min(cursor.len())]) {
            Ordering::Less => return Ok(true),
            Ordering::Greater => return Ok(false),
            Ordering::Equal => {}
        }
        self.complete(order, scratch)?;
        Ok(compare(self.key(), cursor).is_le())
    }
}

/// Appends the encodings of `cols` of `item`.
fn encode(out: &mut Vec<u8>, item: &Item, cols: &[SortColumn]) -> Result<()> {
    for c in cols {
        encode_column(out, item.get(&c.attr), c.dir).map_err(|e| unorderable(&c.attr, e))?;
    }
    Ok(())
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
    use super::{encode_column, ErrorKind, Item, Row, SortColumn};
    use crate::encoding::Direction;
    use crate::value::Value;

    fn cols() -> Vec<SortColumn> {
        vec![
            SortColumn { attr: "a".into(), dir: Direction::Desc },
            SortColumn { attr: "b".into(), dir: Direction::Asc },
        ]
    }

    fn whole(cols: &[SortColumn], it: &Item) -> Vec<u8> {
        let mut out = Vec::new();
        for c in cols {
            encode_column(&mut out, it.get(&c.attr), c.dir).unwrap();
        }
        out
    }

    fn item(a: usize, b: &str) -> Item {
        let mut it = Item::new();
        it.insert("a".into(), Value::from(a));
        it.insert("b".into(), Value::from(b));
        it
    }

    #[test]
    fn prefix_then_rest_is_the_whole_key() {
        let cols = cols();
        let it = item(7, &"x".repeat(50));
        let all = whole(&cols, &it);
        for served in 0..=3 {
            let mut row = Row::new(it.clone(), &cols, served, &mut Vec::new()).unwrap();
            let prefix = whole(&cols[..served.min(cols.len())], &it);
            let prefix = if served == 0 { Vec::new() } else { prefix };
            assert_eq!(row.prefix(), &prefix[..]);
            row.complete(&cols, &mut Vec::new()).unwrap();
            assert_eq!(row.key(), &all[..]);
            assert_eq!(row.prefix(), &prefix[..]);
            assert_eq!([row.prefix(), row.rest()].concat(), all);
        }
    }

    #[test]
    fn at_or_before_is_whole_key_order() {
        let cols = cols();
        let items: Vec<Item> = [(7, "m"), (7, "a"), (7, "z"), (6, "m"), (8, "m"), (7, "")]
            .iter()
            .map(|(a, b)| item(*a, b))
            .collect();
        let cursor = whole(&cols, &items[0]);
        for served in 0..=2 {
            for it in &items {
                let mut row = Row::new(it.clone(), &cols, served, &mut Vec::new()).unwrap();
                let want = whole(&cols, it) <= cursor;
                assert_eq!(row.at_or_before(Some(&cursor), &cols, &mut Vec::new()).unwrap(), want, "{it:?}");
                assert!(!row.at_or_before(None, &cols, &mut Vec::new()).unwrap());
            }
        }
    }

    #[test]
    fn an_unorderable_value_fails_in_the_prefix_or_the_rest() {
        let cols = vec![
            SortColumn { attr: "a".into(), dir: Direction::Asc },
            SortColumn { attr: "c".into(), dir: Direction::Asc },
        ];
        let mut it = Item::new();
        it.insert("a".into(), Value::from(1usize));
        it.insert("c".into(), Value::L(vec![]));
        for served in 0..=2 {
            let err = Row::new(it.clone(), &cols, served, &mut Vec::new()).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Unorderable);
            assert!(err.to_string().contains("`c`"), "{err}");
        }
    }
}
