//! Shared test support.
#![allow(dead_code)]

pub mod gen;
pub mod recording;
pub mod reference;
pub mod sql_render;

use dynaquery::{Backend, Engine, Item, Query};

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
