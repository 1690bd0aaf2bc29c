//! The orders workload from DESIGN.md:
//!
//! ```sql
//! SELECT order_id, user_id, status, country, total, created_at FROM orders
//! WHERE status IN ('paid', 'shipped') AND country = 'FR'
//!   AND created_at BETWEEN now() - interval '30 days' AND now()
//! ORDER BY created_at DESC, total DESC, order_id ASC
//! LIMIT 50;
//! ```
//!
//! Prints EXPLAIN, page 1, page 2 (from page 1's cursor) and the stats of each.
//!
//! ```text
//! cargo run --example orders                     # in-memory backend
//! cargo run --example orders -- --orders 50000 --seed 7 --french 0.01
//! cargo run --example orders -- --endpoint http://127.0.0.1:8000   # DynamoDB Local
//! ```
//!
//! With `--endpoint` (or `--aws`, for the account your usual AWS credentials
//! and region point at) the example creates a table named `orders-<seed>`
//! (or `--table NAME`), loads the same generated orders, and runs the same
//! query there: the pages are the same as in memory for the same seed.

#[path = "support/dynamo.rs"]
mod dynamo;
#[path = "support/orders.rs"]
mod orders;

use dynaquery::{Backend, DynamoDb, Engine, MemoryTable, Page, Schema, Value};
use orders::{design_query, generate, schema};

fn text(v: Option<&Value>) -> String {
    match v {
        Some(Value::S(s)) => s.clone(),
        Some(Value::N(n)) => n.to_string(),
        Some(other) => format!("{other}"),
        None => "NULL".into(),
    }
}

fn print_page(title: &str, page: &Page) {
    println!("\n## {title}: {} rows\n", page.rows.len());
    println!(
        "{:>3}  {:<10} {:<8} {:<8} {:<7} {:>7}  created_at",
        "#", "order_id", "user_id", "status", "country", "total"
    );
    for (i, r) in page.rows.iter().enumerate() {
        println!(
            "{:>3}  {:<10} {:<8} {:<8} {:<7} {:>7}  {}",
            i + 1,
            text(r.get("order_id")),
            text(r.get("user_id")),
            text(r.get("status")),
            text(r.get("country")),
            text(r.get("total")),
            text(r.get("created_at"))
        );
    }
    let s = &page.stats;
    println!(
        "\nstats: {} streams, {} calls, {} round trips, {} items read, {} returned by DynamoDB, {} rows, \
         peak {} rows buffered{}",
        s.streams,
        s.calls,
        s.round_trips,
        s.items_read,
        s.items_returned,
        s.rows,
        s.peak_buffered_rows,
        s.consumed_capacity.map(|c| format!(", {c} RCU")).unwrap_or_default()
    );
    println!("next cursor: {}", page.next_cursor.as_deref().unwrap_or("none (end of results)"));
}

struct Args {
    seed: u64,
    orders: usize,
    french: f64,
    endpoint: Option<String>,
    aws: bool,
    table: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { seed: 42, orders: 20_000, french: 0.10, endpoint: None, aws: false, table: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--orders" => args.orders = value()?.parse().map_err(|e| format!("--orders: {e}"))?,
            "--french" => args.french = value()?.parse().map_err(|e| format!("--french: {e}"))?,
            "--endpoint" => args.endpoint = Some(value()?),
            "--aws" => args.aws = true,
            "--table" => args.table = Some(value()?),
            "--help" | "-h" => {
                return Err("usage: orders [--seed N] [--orders N] [--french FRACTION] \
                            [--endpoint URL | --aws] [--table NAME]"
                    .into());
            }
            other => return Err(format!("unknown argument {other}; try --help")),
        }
    }
    Ok(args)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let items = generate(args.seed, args.orders, args.french);
    if args.endpoint.is_some() || args.aws {
        let client = dynamo::client(args.endpoint.as_deref()).await;
        let mut schema = schema();
        schema.table = args.table.clone().unwrap_or_else(|| format!("orders-{}", args.seed));
        let target = args.endpoint.clone().unwrap_or_else(|| "AWS".into());
        dynamo::ensure_loaded(&client, &schema, &items).await?;
        println!(
            "# {} generated orders (seed {}, {:.0}% French), DynamoDB at {target}, table `{}`",
            args.orders,
            args.seed,
            args.french * 100.0,
            schema.table
        );
        return run(schema, DynamoDb::new(client)).await;
    }
    let table = MemoryTable::new(schema());
    for it in items {
        table.put(it)?;
    }
    println!(
        "# {} generated orders (seed {}, {:.0}% French), in-memory backend",
        args.orders,
        args.seed,
        args.french * 100.0
    );
    run(schema(), table).await
}

/// EXPLAIN, page 1, page 2.
async fn run<B: Backend>(schema: Schema, backend: B) -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::new(schema, backend);
    let q = design_query();
    println!("\n## EXPLAIN\n\n{}", engine.plan(&q)?);
    let page1 = engine.fetch(&q).await?;
    print_page("Page 1", &page1);
    if let Some(cursor) = page1.next_cursor.clone() {
        let page2 = engine.fetch(&q.clone().cursor(cursor)).await?;
        print_page("Page 2", &page2);
    }
    Ok(())
}
