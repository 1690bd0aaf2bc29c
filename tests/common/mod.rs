//! Shared test support.
#![allow(dead_code)]

pub mod gen;
pub mod recording;
pub mod reference;
pub mod sql_render;

use dynaquery::{Backend, Engine, Index, Item, KeyAttribute, MemoryTable, Query, Schema};

/// A table `t` keyed by `id`, with a GSI `by_p_ts`: partition `p`, sort
/// `ts` (both on every item).
pub fn by_p_ts_schema() -> Schema {
    Schema::new("t", KeyAttribute::s("id"))
        .index(Index::gsi("by_p_ts", [KeyAttribute::s("p")], [KeyAttribute::s("ts")]))
        .always_present(["p", "ts"])
}

/// An in-memory table of `schema` holding `items`.
pub fn memory(schema: Schema, items: &[Item]) -> MemoryTable {
    let table = MemoryTable::new(schema);
    for it in items {
        table.put(it.clone()).unwrap();
    }
    table
}

/// The query of a thin index's candidates: `q` without its conjuncts on
/// attributes its index lacks (`stored(index, attr)` says which it has;
/// those conjuncts run after the fetch).
pub fn candidates_query(q: &Query, stored: impl Fn(&str, &str) -> bool) -> Query {
    let ix = q.get_index().unwrap_or_default();
    let mut c = Query::new().index(ix);
    if let Some(f) = q.get_filter() {
        for conjunct in f.conjuncts() {
            if conjunct.attributes().iter().all(|a| stored(ix, a)) {
                c = c.filter(conjunct.clone());
            }
        }
    }
    for o in q.get_order_by() {
        c = c.order_by(o.clone());
    }
    c
}

/// Every page of `q`, concatenated, with the page sizes seen.
pub async fn all_pages<B: Backend>(
    engine: &Engine<B>,
    q: &Query,
    max_pages: usize,
) -> Result<Vec<Item>, String> {
    let mut out = Vec::new();
    let mut q = q.clone();
    for _ in 0..max_pages {
        let page = engine.fetch(&q).await.map_err(|e| format!("{e:?}"))?;
        let full = page.rows.len() == q.get_limit();
        out.extend(page.rows);
        match page.next_cursor {
            Some(c) => {
                if !full {
                    return Err("a short page carried a cursor".into());
                }
                q = q.cursor(c);
            }
            None => return Ok(out),
        }
    }
    Err(format!("more than {max_pages} pages"))
}
