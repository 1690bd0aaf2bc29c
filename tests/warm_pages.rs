//! A repeated first page (warm: the engine remembers where the same page
//! ended before, and reads to there) against the naive reference, over a
//! table that changed in between: rows added before, inside and past the
//! remembered end, rows deleted there, and the page size changed. The
//! engine's memory may change what a page reads, never which rows it
//! returns.

mod common;

use common::{all_pages, by_p_ts_schema, memory, reference};
use dynaquery::{asc, col, desc, item, Engine, Item, Query, SizingStart, Value};
use futures::executor::block_on;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).map_or(200, |c: u32| c / 10 + 1)
}

/// An order in stream `p` at half-hour `slot` counted back from
/// 2026-12-01T00:00:00Z (many ties; date-only keys tie whole days).
fn order(id: String, p: u8, slot: u64, fr: bool, total: u8, date_only: bool) -> Item {
    let mins = 30 * slot as i64;
    let (day, rest) = (mins / 1440, mins % 1440);
    let mut ts = format!("2026-11-{:02}T{:02}:{:02}:00Z", 30 - day, 23 - rest / 60, 59 - rest % 60);
    if date_only {
        ts.truncate(10);
    }
    item([
        ("id", Value::from(id)),
        ("p", Value::from(format!("p{p}"))),
        ("ts", Value::from(ts)),
        ("country", Value::from(if fr { "FR" } else { "DE" })),
        ("total", Value::from(u32::from(total))),
    ])
}

type Row = (u8, u64, bool, u8);

fn rows(n: usize, slots: u64, share: f64) -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec((0u8..4, 0..slots, prop::bool::weighted(share), 0u8..3), 0..n)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 500, ..ProptestConfig::default() })]

    #[test]
    fn a_warm_first_page_over_changed_rows_is_the_reference_page(
        (before, added, date_only) in (0.05f64..0.9, 2u64..600, any::<bool>())
            .prop_flat_map(|(share, slots, date_only)| {
                (rows(300, slots, share), rows(40, slots, share), Just(date_only))
            }),
        deleted in prop::collection::vec(any::<prop::sample::Index>(), 0..30),
        descending in any::<bool>(),
        ties in any::<bool>(),
        bound in 0u8..3,
        size in 1usize..30,
        other_size in 1usize..30,
    ) {
        let mut items: Vec<Item> = before
            .iter()
            .enumerate()
            .map(|(i, &(p, slot, fr, total))| order(format!("i{i:04}"), p, slot, fr, total, date_only))
            .collect();
        let table = memory(by_p_ts_schema(), &items);
        let engine = Engine::new(by_p_ts_schema(), &table);
        let dir = |c: &str| if descending { desc(c) } else { asc(c) };
        let mut q = Query::new()
            .filter(col("p").is_in(["p0", "p1", "p2"]))
            .filter(col("country").eq("FR"))
            .order_by(dir("ts"));
        // No bound, a `BETWEEN`, or a strict bound on a value date-only
        // tables hold.
        q = match bound {
            1 => q.filter(col("ts").between("2026-11-12T00:00:00Z", "2026-11-29T12:00:00Z")),
            2 => q.filter(col("ts").lt("2026-11-29")),
            _ => q,
        };
        if ties {
            q = q.order_by(desc("total"));
        }
        let q = q.order_by(asc("id"));
        let first = block_on(engine.fetch(&q.clone().limit(size))).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let want = reference::run(&q, &["id"], &items);
        prop_assert_eq!(&first.rows[..], &want[..want.len().min(size)]);

        // The same page again over the same rows: warm, the same page.
        let again = block_on(engine.fetch(&q.clone().limit(size))).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(&again.rows, &first.rows);
        prop_assert_eq!(again.next_cursor.is_some(), first.next_cursor.is_some());
        if !first.rows.is_empty() {
            prop_assert_eq!(again.stats.sizing_start, SizingStart::Warm);
        }
        // Where the first run found a next row, the warm run reads to it
        // in one round (every run of ties here is read whole).
        if first.next_cursor.is_some() {
            prop_assert_eq!(again.stats.round_trips, 1, "{:?}", again.stats);
        }

        // Rows added anywhere (before, inside and past where the page
        // ended), rows deleted.
        for (j, &(p, slot, fr, total)) in added.iter().enumerate() {
            let it = order(format!("n{j:04}"), p, slot, fr, total, date_only);
            table.put(it.clone()).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            items.push(it);
        }
        if !items.is_empty() {
            let mut gone: Vec<usize> = deleted.iter().map(|d| d.index(items.len())).collect();
            gone.sort_unstable();
            gone.dedup();
            for k in gone.into_iter().rev() {
                let it = items.remove(k);
                table.delete(&item([("id", it.get("id").cloned().unwrap_or(Value::Null))])).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            }
        }
        let want = reference::run(&q, &["id"], &items);
        for n in [size, other_size] {
            let page = block_on(engine.fetch(&q.clone().limit(n))).map_err(|e| TestCaseError::fail(format!("{e}")))?;
            prop_assert_eq!(&page.rows[..], &want[..want.len().min(n)], "page size {}", n);
            prop_assert_eq!(page.next_cursor.is_some(), want.len() > n, "page size {}", n);
            // And every page after it.
            let all = block_on(all_pages(&engine, &q.clone().limit(n), want.len() + 2)).map_err(TestCaseError::fail)?;
            prop_assert_eq!(&all, &want, "page size {}", n);
        }
    }
}
