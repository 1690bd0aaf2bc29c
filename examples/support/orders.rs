//! The orders workload from DESIGN.md, shared by the examples: schema,
//! deterministic data generator, and the query.

#![allow(dead_code)]

use dynaquery::{asc, col, desc, Index, Item, KeyAttribute, Query, Schema, Value};

/// The table's schema: primary key `order_id`, GSI `status-created_at`.
pub fn schema() -> Schema {
    Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .index(Index::gsi(
            "status-created_at-order_id",
            [KeyAttribute::s("status")],
            [KeyAttribute::s("created_at"), KeyAttribute::s("order_id")],
        ))
        .always_present(["status", "created_at"])
}

/// The first two statuses are the DESIGN.md query's; 32 in all, for fan-out
/// variants. The first five hold about 80 % of the orders.
pub fn statuses() -> Vec<String> {
    let mut s: Vec<String> =
        ["paid", "shipped", "new", "delivered", "cancelled"].iter().map(|s| s.to_string()).collect();
    s.extend((s.len()..32).map(|i| format!("status-{i:02}")));
    s
}

/// SplitMix64: a tiny deterministic generator, so a seed always gives the same table.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 > 1.0 - p
    }
}

/// `count` orders over the 60 days before 2026-11-24, on a 30-minute grid so
/// that `created_at` ties are common, with totals from a short price list so
/// that `total` ties too.
pub fn generate(seed: u64, count: usize, french: f64) -> Vec<Item> {
    let mut rng = Rng(seed);
    let statuses = statuses();
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
            let pool = if rng.chance(0.8) { 5 } else { statuses.len() as u64 };
            let status = statuses[rng.below(pool) as usize].as_str();
            it.insert("status".into(), Value::from(status));
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
pub fn days_2026_11_24() -> i64 {
    20_781
}

/// (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
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
pub fn design_query() -> Query {
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
