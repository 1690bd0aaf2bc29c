//! Writes between page fetches never make an unchanged row appear twice or
//! go missing (keyset pagination's guarantee).

mod common;

use std::collections::BTreeSet;

use common::{gen, reference};
use dynaquery::{Engine, Item, MemoryTable, Value};
use futures::executor::block_on;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Write {
    Insert(Item),
    Delete(usize),
    /// Moves item `n`'s sort attributes to those of a fresh random item.
    Update(usize, Item),
}

fn write_strategy() -> impl Strategy<Value = Write> {
    prop_oneof![
        (1000usize..2000).prop_flat_map(gen::item_strategy).prop_map(Write::Insert),
        any::<usize>().prop_map(Write::Delete),
        (any::<usize>(), gen::item_strategy(0)).prop_map(|(n, it)| Write::Update(n, it)),
    ]
}

fn id(it: &Item) -> String {
    match it.get("id") {
        Some(Value::S(s)) => s.clone(),
        _ => String::new(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(1000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn unchanged_rows_appear_exactly_once_in_order(
        items in gen::table_strategy(80),
        q in gen::query_strategy(),
        size in 1usize..8,
        writes in proptest::collection::vec(proptest::collection::vec(write_strategy(), 0..4), 1..40),
    ) {
        let q = q.limit(size);
        let table = MemoryTable::new(gen::schema());
        for it in &items {
            table.put(it.clone()).unwrap();
        }
        let engine = Engine::new(gen::schema(), table.clone());
        let mut touched: BTreeSet<String> = BTreeSet::new();
        let mut seen: Vec<Item> = Vec::new();
        let mut query = q.clone();
        let mut rounds = writes.into_iter();
        for _ in 0..(items.len() + 200) {
            let page = block_on(engine.fetch(&query)).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
            seen.extend(page.rows);
            let Some(c) = page.next_cursor else { break };
            query = query.cursor(c);
            let current = table.items();
            for w in rounds.next().unwrap_or_default() {
                match w {
                    Write::Insert(it) => {
                        touched.insert(id(&it));
                        table.put(it).unwrap();
                    }
                    Write::Delete(n) if !current.is_empty() => {
                        let victim = &current[n % current.len()];
                        touched.insert(id(victim));
                        let key: Item = [("id".to_owned(), victim["id"].clone())].into();
                        table.delete(&key).unwrap();
                    }
                    Write::Update(n, mut fresh) if !current.is_empty() => {
                        let target = &current[n % current.len()];
                        touched.insert(id(target));
                        fresh.insert("id".into(), target["id"].clone());
                        table.put(fresh).unwrap();
                    }
                    _ => {}
                }
            }
        }
        // Rows never written during the pagination: exactly the reference, once each, in order.
        let stable: Vec<Item> = items.iter().filter(|it| !touched.contains(&id(it))).cloned().collect();
        let want: Vec<String> = reference::run(&q, &gen::pk(), &stable).iter().map(id).collect();
        let got: Vec<String> = seen.iter().map(id).filter(|i| !touched.contains(i)).collect();
        prop_assert_eq!(got, want);
    }
}
