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
//! ```

use dynaquery::{asc, col, desc, Engine, Index, Item, KeyAttribute, MemoryTable, Page, Query, Schema, Value};

/// The table's schema: primary key `order_id`, GSI `status-created_at`.
fn schema() -> Schema {
    Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .always_present(["status", "created_at"])
}

/// SplitMix64: a tiny deterministic generator, so a seed always gives the same table.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
}

/// `count` orders over the 60 days before 2026-11-24, on a 30-minute grid so
/// that `created_at` ties are common, with totals from a short price list so
/// that `total` ties too.
fn generate(seed: u64, count: usize, french: f64) -> Vec<Item> {
    let mut rng = Rng(seed);
    let statuses = ["new", "paid", "shipped", "delivered", "cancelled"];
    let others = ["DE", "US", "GB", "ES", "IT", "BE"];
    let prices = ["9.99", "19.99", "19.99", "24.50", "49", "99.90", "120", "120"];
    (0..count)
        .map(|i| {
            let slot = rng.below(60 * 24 * 2);
            let (day, minute) = (slot / (24 * 2), (slot % (24 * 2)) * 30);
            let (y, m, d) = civil_from_days(days_2026_11_24() - day as i64);
            let created_at = format!("{y}-{m:02}-{d:02}T{:02}:{:02}:00Z", minute / 60, minute % 60);
            let country =
                if rng.chance(french) { "FR" } else { others[rng.below(others.len() as u64) as usize] };
            let mut it = Item::new();
            it.insert("order_id".into(), Value::from(format!("o-{i:07}")));
            it.insert("user_id".into(), Value::from(format!("u-{:05}", rng.below(5000))));
            it.insert("status".into(), Value::from(statuses[rng.below(5) as usize]));
            it.insert("country".into(), Value::from(country));
            it.insert(
                "total".into(),
                Value::number(prices[rng.below(prices.len() as u64) as usize]).unwrap_or(Value::Null),
            );
            it.insert("created_at".into(), Value::from(created_at));
            it
        })
        .collect()
}

/// Days from 1970-01-01 to 2026-11-24.
fn days_2026_11_24() -> i64 {
    20_781
}

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The DESIGN.md query.
fn design_query() -> Query {
    Query::new()
        .filter(col("status").is_in(["paid", "shipped"]))
        .filter(col("country").eq("FR"))
        .filter(col("created_at").between("2026-10-25T00:00:00Z", "2026-11-24T00:00:00Z"))
        .order_by(desc("created_at"))
        .order_by(desc("total"))
        .order_by(asc("order_id"))
        .select(["order_id", "user_id", "status", "country", "total", "created_at"])
        .limit(50)
}

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
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args { seed: 42, orders: 20_000, french: 0.10 };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--seed" => args.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--orders" => args.orders = value()?.parse().map_err(|e| format!("--orders: {e}"))?,
            "--french" => args.french = value()?.parse().map_err(|e| format!("--french: {e}"))?,
            "--help" | "-h" => {
                return Err("usage: orders [--seed N] [--orders N] [--french FRACTION]".into());
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
    let engine = Engine::new(schema(), table);
    let q = design_query();
    println!("\n## EXPLAIN\n\n{}", engine.plan(&q)?);
    let page1 = engine.fetch(&q).await?;
    print_page("Page 1", &page1);
    if let Some(cursor) = page1.next_cursor.clone() {
        let page2 = engine.fetch(&q.clone().after(cursor)).await?;
        print_page("Page 2", &page2);
    }
    Ok(())
}
