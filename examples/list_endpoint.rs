//! A list endpoint written the way a Rust service is: axum, tokio, one
//! [`Engine`] cloned into each request, typed rows, signed cursors, and
//! errors mapped to HTTP statuses. The router and its error mapping are in
//! `support/list_endpoint_app.rs` (shared with `tests/list_endpoint.rs`);
//! this file loads the data and serves.
//!
//! ```text
//! cargo run --example list_endpoint                  # in memory, the orders example's data
//! cargo run --example list_endpoint -- --endpoint http://127.0.0.1:8000   # DynamoDB Local
//! curl 'http://127.0.0.1:3000/orders?status=paid,shipped&country=FR&from=2026-10-25&to=2026-11-24&limit=3'
//! ```
//!
//! The data is the orders example's (the same flags: `--seed`, `--orders`,
//! `--french`). With `--endpoint` (or `--aws`) it creates the table
//! `orders-<seed>` (or `--table NAME`) if it is absent, loads the orders
//! into it, and serves from DynamoDB. `--addr` sets where it listens
//! (`127.0.0.1:3000`; port 0 picks a free one).
//!
//! Cursors are signed with the key in `DYNAQUERY_CURSOR_KEY` (at least 32
//! bytes; give every instance of a service the same key, so any of them
//! accepts another's cursors), or else with 32 random bytes from the OS,
//! so that cursors do not outlive the process.

#[path = "support/dynamo.rs"]
mod dynamo;
#[path = "support/list_endpoint_app.rs"]
mod list_endpoint_app;
#[path = "support/orders.rs"]
mod orders;

use std::io::Read;

use dynaquery::{Backend, CursorKey, DynamoDb, Engine, MemoryTable, Schema};

struct Args {
    seed: u64,
    orders: usize,
    french: f64,
    endpoint: Option<String>,
    aws: bool,
    table: Option<String>,
    addr: String,
}

fn parse_args() -> Result<Args, String> {
    let d = list_endpoint_app::ExampleData::default();
    let mut args = Args {
        seed: d.seed,
        orders: d.orders,
        french: d.french,
        endpoint: None,
        aws: false,
        table: None,
        addr: "127.0.0.1:3000".into(),
    };
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
            "--addr" => args.addr = value()?,
            "--help" | "-h" => {
                return Err("usage: list_endpoint [--addr HOST:PORT] [--seed N] [--orders N] \
                            [--french FRACTION] [--endpoint URL | --aws] [--table NAME]\n\
                            cursors are signed with DYNAQUERY_CURSOR_KEY (at least 32 bytes), \
                            or a random key"
                    .into());
            }
            other => return Err(format!("unknown argument {other}; try --help")),
        }
    }
    Ok(args)
}

/// The signing key: `DYNAQUERY_CURSOR_KEY`, or 32 random bytes.
fn cursor_key() -> Result<CursorKey, String> {
    if let Some(secret) = std::env::var_os("DYNAQUERY_CURSOR_KEY") {
        let secret = secret.into_encoded_bytes();
        return CursorKey::new(1, secret).map_err(|e| format!("DYNAQUERY_CURSOR_KEY: {e}"));
    }
    let mut secret = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut secret))
        .map_err(|e| format!("no random key ({e}): set DYNAQUERY_CURSOR_KEY to at least 32 bytes"))?;
    CursorKey::new(1, secret).map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (args, key) = match parse_args().and_then(|a| Ok((a, cursor_key()?))) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let data = list_endpoint_app::ExampleData { seed: args.seed, orders: args.orders, french: args.french };
    let items = data.items();
    let mut schema = orders::schema();
    if args.endpoint.is_some() || args.aws {
        let client = dynamo::client(args.endpoint.as_deref()).await;
        schema.table = args.table.clone().unwrap_or_else(|| format!("orders-{}", args.seed));
        dynamo::ensure_loaded(&client, &schema, &items).await?;
        let target = args.endpoint.clone().unwrap_or_else(|| "AWS".into());
        println!(
            "{} orders (seed {}) in table `{}`, DynamoDB at {target}",
            items.len(),
            args.seed,
            schema.table
        );
        serve(&args.addr, schema, DynamoDb::new(client), key).await
    } else {
        let table = MemoryTable::new(schema.clone());
        for item in items {
            table.put(item)?;
        }
        println!("{} orders (seed {}) in memory", args.orders, args.seed);
        serve(&args.addr, schema, table, key).await
    }
}

async fn serve<B: Backend + Clone + 'static>(
    addr: &str,
    schema: Schema,
    backend: B,
    key: CursorKey,
) -> Result<(), Box<dyn std::error::Error>> {
    let engine = Engine::new(schema, backend).with_options(list_endpoint_app::options(key));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    println!("listening on http://{addr}");
    println!("try: curl 'http://{addr}{}'", list_endpoint_app::SAMPLE_PATH);
    axum::serve(listener, list_endpoint_app::router(engine)).await?;
    Ok(())
}
