//! Long runs of equal sort keys (a nightly batch written at one
//! millisecond), read the way a perfect reader would: a page whose rows end
//! inside a run reads the run to its end and not past it, and a page that
//! resumes inside a run on an index that orders it (the index serves the
//! whole order) starts right after the cursor row instead of re-reading
//! the run from its start. In memory and on DynamoDB Local; counts only.

#[path = "../examples/support/orders.rs"]
mod orders;
mod support;

use dynaquery::dynamodb::ensure_table;
use dynaquery::{col, desc, Backend, DynamoDb, Engine, Item, MemoryTable, Query, Value};
use support::dynamodb_local as local;

const BATCH_AT: &str = "2026-11-20T02:00:00.000Z";

/// `run` orders at [`BATCH_AT`] and `rest` spread over the days before,
/// every one `paid` (one stream) and French.
fn batch(run: usize, rest: usize) -> Vec<Item> {
    let mut items = orders::generate(5, run + rest, 1.0);
    for (i, it) in items.iter_mut().enumerate() {
        it.insert("status".into(), Value::from("paid"));
        if i < run {
            it.insert("created_at".into(), Value::from(BATCH_AT));
        } else if it["created_at"].to_string().as_str() >= format!("{:?}", BATCH_AT).as_str() {
            // Keep the rest before the batch, so the run is the newest rows.
            it.insert("created_at".into(), Value::from("2026-11-01T00:00:00.000Z"));
        }
    }
    items
}

fn memory(items: &[Item]) -> MemoryTable {
    let table = MemoryTable::new(orders::schema());
    for it in items {
        table.put(it.clone()).expect("valid order");
    }
    table
}

/// Ties on `created_at` re-sorted on `total`: the page needs the whole run.
fn ties_query(limit: usize) -> Query {
    Query::new()
        .filter(col("status").eq("paid"))
        .index("status-created_at")
        .order_by(desc("created_at"))
        .order_by(desc("total"))
        .limit(limit)
}

/// The index `status-created_at-order_id` serves the whole order.
fn total_query(limit: usize) -> Query {
    Query::new()
        .filter(col("status").eq("paid"))
        .index("status-created_at-order_id")
        .order_by(desc("created_at"))
        .order_by(desc("order_id"))
        .limit(limit)
}

/// Every row, sorted by the query's order (the naive reference).
fn sorted_by_total_query(items: &[Item]) -> Vec<String> {
    let mut rows: Vec<(String, String)> =
        items.iter().map(|it| (it["created_at"].to_string(), it["order_id"].to_string())).collect();
    rows.sort_by(|a, b| b.cmp(a));
    rows.into_iter().map(|(_, id)| id).collect()
}

#[tokio::test]
async fn a_page_inside_a_run_reads_the_run_and_not_past_it() {
    for run in [1_000, 3_000, 5_000, 12_000] {
        let table = memory(&batch(run, 5_000));
        let engine = Engine::new(orders::schema(), &table);
        let page = engine.fetch(&ties_query(25)).await.unwrap();
        assert_eq!(page.rows.len(), 25);
        // The whole run, plus what the first request read before it knew
        // the run was one, plus the look-ahead past it.
        let read = page.stats.items_read;
        assert!(read >= run as u64, "read {read}: the run must be read whole");
        assert!(read <= run as u64 + 2 * 26, "read {read} items for a run of {run}: it read past the run");
        // One request to find the run, one per 1 MB of it (about 5 000 of
        // these orders), one past it.
        let most = 3 + run / 5_000;
        assert!(
            page.stats.round_trips as usize <= most,
            "{} round trips for a run of {run} (at most {most})",
            page.stats.round_trips
        );
    }
}

/// Pages deep into a run of 3 000 ties: each reads about a page, not the
/// run up to the cursor.
async fn pages_resume_after_the_cursor_row<B: Backend>(engine: &Engine<B>, items: &[Item]) {
    let want = sorted_by_total_query(items);
    let mut q = total_query(50);
    let mut got: Vec<String> = Vec::new();
    for page_no in 1..=30 {
        let page = engine.fetch(&q).await.unwrap();
        got.extend(page.rows.iter().map(|r| r["order_id"].to_string()));
        assert!(
            page.stats.items_read <= 3 * 51,
            "page {page_no} read {} items for 50 rows: it re-read the run before the cursor",
            page.stats.items_read
        );
        match page.next_cursor {
            Some(c) => q = total_query(50).cursor(c),
            None => break,
        }
    }
    assert_eq!(got.len(), 1_500);
    assert_eq!(got, want[..1_500], "rows differ from the naive order");
}

#[tokio::test]
async fn a_resumed_page_starts_right_after_the_cursor_row_in_memory() {
    let items = batch(3_000, 500);
    let table = memory(&items);
    pages_resume_after_the_cursor_row(&Engine::new(orders::schema(), &table), &items).await;
}

#[tokio::test]
async fn a_resumed_page_starts_right_after_the_cursor_row_on_dynamodb_local() {
    let client = local::client();
    let mut schema = orders::schema();
    schema.table = local::table_name("runs");
    ensure_table(&client, &schema).await.unwrap();
    let items = batch(3_000, 500);
    local::load(&client, &schema.table, &items).await;
    pages_resume_after_the_cursor_row(&Engine::new(schema, DynamoDb::new(client)), &items).await;
}
