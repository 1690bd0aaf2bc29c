//! The in-memory backend decides what DynamoDB refuses through the same
//! rendering path as the DynamoDB backend (`backend::expression`): a filter
//! `IN` over 100 values is split into groups on both, an expression over
//! 4 KB is refused by both with the same error, and so is a condition
//! nested past `Cond::MAX_DEPTH`.
//! (A unit test: it compares with the renderer, which is private.)

use super::render::render;
use crate::cond::{lower, Cond, MAX_DEPTH};
use crate::{
    asc, col, item, Backend, Engine, ErrorKind, KeyAttribute, MemoryTable, Query, ReadRequest, Schema, Value,
};

fn schema() -> Schema {
    Schema::new("t", KeyAttribute::s("id"))
}

fn table() -> MemoryTable {
    let t = MemoryTable::new(schema());
    for i in 0..300 {
        t.put(item([("id", Value::from(format!("i{i:03}"))), ("x", Value::from(i))])).unwrap();
    }
    t
}

fn scan(filter: Cond) -> ReadRequest {
    ReadRequest::scan("t").with_filter(filter)
}

#[tokio::test]
async fn a_filter_in_over_100_values_runs_in_memory_as_on_dynamodb() {
    let engine = Engine::new(schema(), table());
    let q = Query::new()
        .filter(col("x").is_in((0..250).map(|i| Value::from(i * 2))))
        .order_by(asc("id"))
        .allow_scan(true)
        .limit(1000);
    let page = engine.fetch(&q).await.unwrap();
    assert_eq!(page.rows.len(), 150);
    // It renders as three OR'ed groups of at most 100, on DynamoDB.
    let plan = engine.plan(&q).unwrap();
    let text = render(None, plan.server_filter(), None).unwrap().filter.unwrap();
    assert_eq!(text.matches(" IN (").count(), 3, "{text}");
}

#[tokio::test]
async fn an_expression_over_4_kb_is_refused_in_memory_as_on_dynamodb() {
    // About 9.5 KB of FilterExpression.
    let filter = lower(&col("x").is_in((0..900).map(Value::from)));
    let on_ddb = render(None, Some(&filter), None).unwrap_err();
    let in_memory = table().read(scan(filter)).await.unwrap_err();
    assert_eq!(in_memory.kind(), ErrorKind::LimitExceeded, "{in_memory}");
    assert_eq!(in_memory.to_string(), on_ddb.to_string());
    assert!(in_memory.to_string().contains("FilterExpression"), "{in_memory}");

    // Through the engine too.
    let engine = Engine::new(schema(), table());
    let q = Query::new().filter(col("x").is_in((0..900).map(Value::from))).allow_scan(true);
    assert_eq!(engine.fetch(&q).await.unwrap_err().kind(), ErrorKind::LimitExceeded);
}

#[tokio::test]
async fn a_condition_nested_past_the_cap_is_refused_in_memory_as_on_dynamodb() {
    let mut c = Cond::Exists("x".into());
    for _ in 0..MAX_DEPTH {
        c = Cond::Not(Box::new(c));
    }
    let on_ddb = render(None, Some(&c), None).unwrap_err();
    let in_memory = table().read(scan(c)).await.unwrap_err();
    assert_eq!(in_memory.kind(), ErrorKind::LimitExceeded, "{in_memory}");
    assert_eq!(in_memory.to_string(), on_ddb.to_string());
}

#[tokio::test]
async fn a_constant_condition_is_refused_in_memory_as_on_dynamodb() {
    let on_ddb = render(None, Some(&Cond::Const(true)), None).unwrap_err();
    let in_memory = table().read(scan(Cond::Const(true))).await.unwrap_err();
    assert_eq!(in_memory.to_string(), on_ddb.to_string());
}
