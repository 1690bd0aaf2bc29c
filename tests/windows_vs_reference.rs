//! Windowed reads against the naive reference: date-time sort keys on a
//! coarse grid (many ties, day and month boundaries), skewed streams and a
//! filter of random selectivity, so rounds end their key conditions at
//! estimated positions and streams go on from those bounds.

mod common;

use common::{all_pages, by_p_ts_schema, memory, reference};
use dynaquery::{asc, col, desc, item, Engine, Item, Query, Value};
use futures::executor::block_on;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).map_or(300, |c: u32| c / 10 + 1)
}

/// `(stream, slot, french, total)` per item: the slot is a half hour
/// counted back from 2026-12-01T00:00:00Z, so days and a month turn over;
/// some tables keep only the date (`YYYY-MM-DD`).
fn table_strategy() -> impl Strategy<Value = Vec<Item>> {
    (0.02f64..0.9, 2u64..400, any::<bool>()).prop_flat_map(|(share, slots, date_only)| {
        prop::collection::vec((0u8..=9, 0..slots, prop::bool::weighted(share), 0u8..3), 1..400).prop_map(
            move |rows| {
                rows.into_iter()
                    .enumerate()
                    .map(|(i, (p, slot, fr, total))| {
                        // Skewed: streams 0 and 1 hold most items.
                        let p = if p < 7 { p % 2 } else { p - 5 };
                        let mins = 30 * slot as i64;
                        let (day, rest) = (mins / 1440, mins % 1440);
                        let (m, d) = if day < 30 { (11, 30 - day) } else { (10, 31 - (day - 30) % 31) };
                        let mut ts =
                            format!("2026-{m:02}-{d:02}T{:02}:{:02}:00Z", 23 - rest / 60, 59 - rest % 60);
                        if date_only {
                            ts.truncate(10);
                        }
                        item([
                            ("id", Value::from(format!("i{i:04}"))),
                            ("p", Value::from(format!("p{p}"))),
                            ("ts", Value::from(ts)),
                            ("country", Value::from(if fr { "FR" } else { "DE" })),
                            ("total", Value::from(u32::from(total))),
                        ])
                    })
                    .collect()
            },
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 500, ..ProptestConfig::default() })]

    #[test]
    fn windowed_pages_concatenate_to_the_reference(
        items in table_strategy(),
        streams in 1usize..=5,
        descending in any::<bool>(),
        bound in 0u8..4,
        big in 8usize..60,
    ) {
        let table = memory(by_p_ts_schema(), &items);
        let engine = Engine::new(by_p_ts_schema(), table);
        let mut q = Query::new()
            .filter(col("p").is_in((0..streams).map(|p| format!("p{p}"))))
            .filter(col("country").eq("FR"));
        // No bound, a `BETWEEN`, or a strict bound on either side, on a
        // value date-only tables hold (so strictness drops a whole run).
        q = match bound {
            1 => q.filter(col("ts").between("2026-11-10T00:00:00Z", "2026-11-29T12:00:00Z")),
            2 => q.filter(col("ts").gt("2026-11-28")),
            3 => q.filter(col("ts").lt("2026-11-29")),
            _ => q,
        };
        q = q.order_by(if descending { desc("ts") } else { asc("ts") }).order_by(desc("total")).order_by(asc("id"));
        let want = reference::run(&q, &["id"], &items);
        for size in [1, 3, 7, big] {
            let got = block_on(all_pages(&engine, &q.clone().limit(size), items.len() + 2))
                .map_err(|e| TestCaseError::fail(format!("page size {size}: {e}")))?;
            prop_assert_eq!(&got, &want, "page size {}", size);
        }
    }
}
