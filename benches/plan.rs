//! Planning: the pure step every page starts with (index choice, fan-out,
//! where each predicate goes), for the DESIGN.md query and a wide fan-out.
//!
//! `cargo bench --bench plan`

use criterion::{criterion_group, criterion_main, Criterion};
use dynaquery::{asc, col, desc, Engine, Index, KeyAttribute, MemoryTable, Query, Schema};

fn schema() -> Schema {
    Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .index(Index::gsi("country-total", [KeyAttribute::s("country")], [KeyAttribute::n("total")]))
        .index(Index::gsi(
            "tenant-status",
            [KeyAttribute::s("tenant"), KeyAttribute::s("status")],
            [KeyAttribute::s("created_at"), KeyAttribute::n("total")],
        ))
        .always_present(["status", "created_at", "country", "total"])
}

fn design(fan_out: usize) -> Query {
    let statuses: Vec<String> = (0..fan_out).map(|i| format!("status-{i:02}")).collect();
    Query::new()
        .filter(col("status").is_in(statuses))
        .filter(col("country").eq("FR"))
        .filter(col("created_at").between("2026-10-25T00:00:00Z", "2026-11-24T00:00:00Z"))
        .filter(col("user_id").ne("u-1").or(col("total").gt(10)))
        .order_by(desc("created_at"))
        .order_by(desc("total"))
        .order_by(asc("order_id"))
        .limit(50)
}

fn bench(c: &mut Criterion) {
    let engine = Engine::new(schema(), MemoryTable::new(schema()));
    let mut group = c.benchmark_group("plan");
    for fan_out in [2usize, 32] {
        let q = design(fan_out);
        engine.plan(&q).expect("plannable");
        group.bench_function(format!("design_query/fan_out_{fan_out}"), |b| {
            b.iter(|| engine.plan(std::hint::black_box(&q)).expect("plan"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
