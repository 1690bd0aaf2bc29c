//! SQL `OFFSET`, kept in one place.
//!
//! The engine pages by keyset cursors, so `OFFSET n` is applied by reading
//! the first `n` rows in pages (of at most the engine's `max_page_size`
//! rows) and continuing from the cursor after them: exact, and as costly as
//! an `OFFSET` in any SQL database (the skipped rows are read). It applies
//! to the first page only; with `--cursor` the cursor decides the position.
//!
//! If the library's `Query` gains an offset of its own, this is the one
//! function to replace.

use dynaquery::{Backend, Engine, Query};

use crate::exit::Failure;

/// `query` positioned after its first `offset` rows; `None` when the
/// result has no more rows than that.
///
/// # Errors
/// The engine's, for the pages read while skipping.
pub async fn skip<B: Backend>(
    engine: &Engine<B>,
    query: Query,
    offset: u64,
) -> Result<Option<Query>, Failure> {
    if offset == 0 || query.cursor().is_some() {
        return Ok(Some(query));
    }
    let page_size = query.page_size();
    let chunk = engine.options().max_page_size.max(1) as u64;
    let mut left = offset;
    let mut q = query;
    while left > 0 {
        let n = left.min(chunk);
        let page = engine.fetch(&q.clone().limit(n as usize)).await?;
        left -= page.rows.len() as u64;
        match page.next_cursor {
            Some(c) => q = q.after(c),
            None => return Ok(None),
        }
    }
    Ok(Some(q.limit(page_size)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynaquery::{asc, item, KeyAttribute, MemoryTable, Schema, Value};

    fn engine(n: usize) -> Engine<MemoryTable> {
        let schema = Schema::new("t", KeyAttribute::n("id"));
        let table = MemoryTable::new(schema.clone());
        for i in 0..n {
            table.put(item([("id", Value::from(i))])).unwrap();
        }
        Engine::new(schema, table).with_options(dynaquery::Options::default().max_page_size(4))
    }

    fn ids(rows: &[dynaquery::Item]) -> Vec<String> {
        rows.iter().map(|r| r["id"].to_string()).collect()
    }

    #[test]
    fn skips_exactly() {
        futures::executor::block_on(async {
            let e = engine(10);
            let q = Query::new().allow_scan(true).order_by(asc("id")).limit(3);
            for (offset, expected) in
                [(0, vec!["0", "1", "2"]), (1, vec!["1", "2", "3"]), (4, vec!["4", "5", "6"]), (9, vec!["9"])]
            {
                let q = skip(&e, q.clone(), offset).await.unwrap().unwrap();
                assert_eq!(ids(&e.fetch(&q).await.unwrap().rows), expected, "offset {offset}");
            }
            assert!(skip(&e, q.clone(), 10).await.unwrap().is_none());
            assert!(skip(&e, q.clone(), 11).await.unwrap().is_none());
        });
    }
}
