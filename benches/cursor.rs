//! Cursor encode and decode: what every page pays to hand out its cursor
//! and to check the one it was given, unsigned and HMAC-signed, for the
//! DESIGN.md query (three ORDER BY columns plus the primary key).
//!
//! `cargo bench --bench cursor`

#[path = "../examples/support/orders.rs"]
mod orders;

use criterion::{criterion_group, criterion_main, Criterion};
use dynaquery::{item, CursorKey, Engine, MemoryTable, Options, Value};
use orders::{design_query, schema};

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
        let plan = engine.plan(&design_query()).expect("plan");
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
