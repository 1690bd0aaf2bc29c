//! A row on its way through the merge: the item and its precomputed
//! order-preserving key, so every comparison is a `memcmp`.

use crate::encoding::encode_column;
use crate::error::{Error, ErrorKind, Result};
use crate::plan::SortColumn;
use crate::value::Item;

/// An item with its sort key.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub item: Item,
    /// Encoding of the whole order (`ORDER BY` + primary key).
    pub key: Vec<u8>,
    /// Bytes of `key` that encode the columns the streams are sorted by.
    pub prefix_len: usize,
}

impl Row {
    /// Encodes `item`'s sort tuple; `served` columns form the merge prefix.
    pub fn new(item: Item, order: &[SortColumn], served: usize) -> Result<Row> {
        let mut key = Vec::with_capacity(32 * order.len());
        let mut prefix_len = 0;
        for (i, c) in order.iter().enumerate() {
            if i == served {
                prefix_len = key.len();
            }
            encode_column(&mut key, item.get(&c.attr), c.dir).map_err(|e| unorderable(&c.attr, e))?;
        }
        if served >= order.len() {
            prefix_len = key.len();
        }
        Ok(Row { item, key, prefix_len })
    }

    /// The merge prefix.
    pub fn prefix(&self) -> &[u8] {
        &self.key[..self.prefix_len]
    }
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
