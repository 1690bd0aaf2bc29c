//! Writes the README's sample data for `dynaquery --memory`: the orders
//! workload of `examples/orders.rs` (same generator, same seed) as
//! DynamoDB-JSON lines, and its schema in the `--schema` format.
//!
//! ```sh
//! cargo run -p dynaquery-cli --example orders_data -- cli/examples/data 500
//! ```

#[path = "../../examples/support/orders.rs"]
mod orders;

use std::fmt::Write as _;
use std::path::PathBuf;

use dynaquery::Value;

const SCHEMA: &str = r#"{
  "table": "orders",
  "partition_key": [{"name": "order_id", "type": "S"}],
  "indexes": [
    {
      "name": "status-created_at",
      "kind": "GSI",
      "partition_key": [{"name": "status", "type": "S"}],
      "sort_key": [{"name": "created_at", "type": "S"}],
      "projection": "ALL"
    },
    {
      "name": "status-created_at-order_id",
      "kind": "GSI",
      "partition_key": [{"name": "status", "type": "S"}],
      "sort_key": [{"name": "created_at", "type": "S"}, {"name": "order_id", "type": "S"}],
      "projection": "ALL"
    }
  ],
  "always_present": ["created_at", "status"]
}
"#;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().unwrap_or_else(|| "cli/examples/data".into()));
    let count: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(500);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("orders.schema.json"), SCHEMA)?;
    let mut out = String::new();
    for item in orders::generate(42, count, 0.1) {
        let fields: Vec<String> = item
            .iter()
            .map(|(k, v)| {
                let typed = match v {
                    Value::S(s) => format!("{{\"S\":{}}}", serde_json::to_string(s).expect("a string")),
                    Value::N(n) => format!("{{\"N\":\"{n}\"}}"),
                    other => panic!("the orders workload has only strings and numbers, not {other:?}"),
                };
                format!("{}:{typed}", serde_json::to_string(k).expect("a name"))
            })
            .collect();
        let _ = writeln!(out, "{{{}}}", fields.join(","));
    }
    std::fs::write(dir.join("orders.jsonl"), out)?;
    println!("wrote {count} orders to {}", dir.join("orders.jsonl").display());
    Ok(())
}
