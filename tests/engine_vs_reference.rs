//! The engine against the naive reference, over random tables and queries.

mod common;

use common::{all_pages, gen, reference};
use dynaquery::{Engine, MemoryTable};
use futures::executor::block_on;
use proptest::prelude::*;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(3000)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    /// For page sizes 1, 2, 3, 7 and one larger, the concatenated pages equal
    /// the reference exactly: no hole, no duplicate, no reordering.
    #[test]
    fn pages_concatenate_to_the_reference(
        items in gen::table_strategy(120),
        q in gen::query_strategy(),
        big in 8usize..60,
    ) {
        let table = MemoryTable::new(gen::schema());
        for it in &items {
            table.put(it.clone()).unwrap();
        }
        let engine = Engine::new(gen::schema(), table);
        let want = reference::run(&q, &gen::pk(), &items);
        for size in [1, 2, 3, 7, big] {
            let got = block_on(all_pages(&engine, &q.clone().limit(size), items.len() + 2));
            let got = got.map_err(|e| TestCaseError::fail(format!("page size {size}: {e}\nplan:\n{}", engine.plan(&q).unwrap())))?;
            prop_assert_eq!(&got, &want, "page size {}; plan:\n{}", size, engine.plan(&q).unwrap());
        }
    }
}
