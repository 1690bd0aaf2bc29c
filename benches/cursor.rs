//! Cursor encode and decode: what every page pays to hand out its cursor
//! and to check the one it was given, unsigned and HMAC-signed.
//!
//! `cargo bench --bench cursor`

use criterion::{criterion_group, criterion_main, Criterion};
use dynaquery::{
    asc, col, desc, item, CursorKey, Engine, Index, KeyAttribute, MemoryTable, Options, Query, Schema, Value,
};

fn schema() -> Schema {
    Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .always_present(["status", "created_at"])
}

/// The DESIGN.md query: three ORDER BY columns plus the primary key.
fn query() -> Query {
    Query::new()
        .filter(col("status").is_in(["paid", "shipped"]))
        .filter(col("country").eq("FR"))
        .filter(col("created_at").between("2026-10-25T00:00:00Z", "2026-11-24T00:00:00Z"))
        .order_by(desc("created_at"))
        .order_by(desc("total"))
        .order_by(asc("order_id"))
        .limit(50)
}

fn bench(c: &mut Criterion) {
    let row = item([
        ("order_id", Value::from("o-0001234567")),
        ("status", "paid".into()),
        ("country", "FR".into()),
        ("total", Value::N("1234.56".parse().expect("a number"))),
        ("created_at", "2026-11-20T10:00:00Z".into()),
    ]);
    let mut group = c.benchmark_group("cursor");
    let signed = Options::default().cursor_keys(vec![CursorKey::new(1, vec![7u8; 32]).expect("a key")]);
    for (label, options) in [("unsigned", Options::default()), ("signed", signed)] {
        let engine = Engine::new(schema(), MemoryTable::new(schema())).with_options(options);
        let plan = engine.plan(&query()).expect("plan");
        let token = engine.cursor_after(&plan, &row).expect("encode");
        group.bench_function(format!("encode/{label}"), |b| {
            b.iter(|| engine.cursor_after(&plan, std::hint::black_box(&row)).expect("encode"))
        });
        group.bench_function(format!("decode/{label}"), |b| {
            b.iter(|| engine.check_cursor(&plan, std::hint::black_box(&token)).expect("decode"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
