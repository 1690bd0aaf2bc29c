//! The `serde` feature: values as DynamoDB JSON (numbers exact, as
//! strings), pages, stats and schemas round-trip through JSON; the
//! schema format is the CLI's `--schema` file.
#![cfg(feature = "serde")]

use dynaquery::{
    asc, col, item, Engine, Index, Item, KeyAttribute, MemoryTable, Number, Page, Projection, Query,
    QueryStats, Schema, Value,
};
use futures::executor::block_on;
use serde_json::json;

fn every_type() -> Item {
    item([
        ("null", Value::Null),
        ("bool", Value::Bool(true)),
        ("n", Value::number("12345678901234567890123456789012345678").unwrap()),
        ("small", Value::number("-1E-130").unwrap()),
        ("price", Value::try_from(19.99).unwrap()),
        ("s", Value::from("ünïcode \u{1F600}")),
        ("b", Value::B(vec![0, 1, 255])),
        ("l", Value::L(vec![Value::from(1), Value::from("two")])),
        ("m", Value::M([("k".to_owned(), Value::from(false))].into())),
        ("ss", Value::Ss(["a".to_owned(), "b".to_owned()].into())),
        ("ns", Value::Ns(["0.1".parse().unwrap(), "1E+10".parse().unwrap()].into())),
        ("bs", Value::Bs([vec![1u8], vec![2u8, 3]].into())),
    ])
}

#[test]
fn an_item_is_dynamodb_json_with_exact_numbers() {
    let it = every_type();
    let text = serde_json::to_value(&it).unwrap();
    assert_eq!(text["n"], json!({"N": "12345678901234567890123456789012345678"}));
    assert_eq!(text["price"], json!({"N": "19.99"}));
    assert_eq!(text["null"], json!({"NULL": true}));
    assert_eq!(text["b"], json!({"B": "AAH/"}));
    assert_eq!(text["ns"], json!({"NS": ["0.1", "10000000000"]}));
    assert_eq!(text["m"], json!({"M": {"k": {"BOOL": false}}}));
    let back: Item = serde_json::from_value(text).unwrap();
    assert_eq!(back, it);
}

#[test]
fn bad_dynamodb_json_is_refused_with_a_reason() {
    let err = |v: serde_json::Value| serde_json::from_value::<Value>(v).unwrap_err().to_string();
    assert!(err(json!({"N": 0.1})).contains("send it as a string"));
    assert!(err(json!({"N": "1e999"})).contains("range") || err(json!({"N": "1e999"})).contains("126"));
    assert!(err(json!({"X": "a"})).contains("unknown variant `X`"));
    assert!(err(json!({"S": "a", "N": "1"})).contains("one type key"));
    assert!(err(json!({"B": "not base64!"})).contains("base64"));
    assert!(err(json!({})).contains("empty map"));
    // An integer is exact, so it is accepted as a number.
    assert_eq!(serde_json::from_value::<Number>(json!(42)).unwrap(), Number::from(42));
}

fn schema() -> Schema {
    Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .index(
            Index::lsi("by-total", KeyAttribute::n("total"))
                .projection(Projection::Include(["status".to_owned()].into())),
        )
        .always_present(["status", "created_at"])
}

#[test]
fn a_page_and_its_stats_round_trip() {
    let t = MemoryTable::new(schema());
    for i in 0..5 {
        let mut it = every_type();
        it.insert("order_id".into(), Value::from(format!("o{i}")));
        it.insert("status".into(), Value::from("paid"));
        it.insert("created_at".into(), Value::from(format!("2026-11-0{}", i + 1)));
        t.put(it).unwrap();
    }
    let engine = Engine::new(schema(), t);
    let q = Query::new().filter(col("status").eq("paid")).order_by(asc("created_at")).limit(2);
    let page = block_on(engine.fetch(&q)).unwrap();
    let text = serde_json::to_string(&page).unwrap();
    let back: Page = serde_json::from_str(&text).unwrap();
    assert_eq!(back, page);
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["stats"]["sizing_start"], "cold");
    assert!(v["next_cursor"].is_string());
    assert_eq!(v["rows"][0]["order_id"], json!({"S": "o0"}));
    // The cursor from JSON continues the pagination.
    let next = block_on(engine.fetch(&q.cursor(back.next_cursor.unwrap()))).unwrap();
    assert_eq!(next.rows[0]["order_id"], Value::from("o2"));
    // Stats: missing fields are defaults.
    let stats: QueryStats = serde_json::from_value(json!({"calls": 3})).unwrap();
    assert_eq!((stats.calls, stats.items_read), (3, 0));
}

#[test]
fn a_schema_is_the_cli_schema_file() {
    let file = json!({
        "table": "orders",
        "partition_key": [{"name": "order_id", "type": "S"}],
        "indexes": [
            {"name": "status-created_at", "kind": "GSI",
             "partition_key": [{"name": "status", "type": "S"}],
             "sort_key": [{"name": "created_at", "type": "S"}]},
            {"name": "by-total", "kind": "LSI", "sort_key": [{"name": "total", "type": "N"}],
             "projection": "INCLUDE", "non_key_attributes": ["status"]}
        ],
        "always_present": ["status", "created_at"]
    });
    let s: Schema = serde_json::from_value(file).unwrap();
    assert_eq!(s, schema());
    let back: Schema = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    let bad = json!({"table": "t", "partition_key": [{"name": "a", "type": "S"}],
                     "indexes": [{"name": "g", "kind": "GSI", "partition_key": []}]});
    let err = serde_json::from_value::<Schema>(bad).unwrap_err().to_string();
    assert!(err.contains("GSI `g`: 1 to 4 partition_key attributes"), "{err}");
}

#[test]
fn a_sharded_index_in_the_schema_file() {
    let file = json!({
        "table": "orders",
        "partition_key": [{"name": "order_id", "type": "S"}],
        "indexes": [
            {"name": "by_status", "kind": "GSI",
             "partition_key": [{"name": "status_shard", "type": "S"}],
             "sort_key": [{"name": "created_at", "type": "S"}],
             "sharding": {"logical": "status", "separator": "#", "shards": 10, "by": "user_id"}}
        ]
    });
    let s: Schema = serde_json::from_value(file).unwrap();
    let want = Schema::new("orders", KeyAttribute::s("order_id")).index(
        Index::gsi("by_status", [KeyAttribute::s("status_shard")], [KeyAttribute::s("created_at")])
            .sharded(dynaquery::Sharding::new("status", "#", 10).by("user_id")),
    );
    assert_eq!(s, want);
    let back: Schema = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    let bad = json!({"table": "t", "partition_key": [{"name": "a", "type": "S"}],
                     "indexes": [{"name": "g", "kind": "GSI", "partition_key": [{"name": "p", "type": "S"}],
                                  "sharding": {"logical": "status", "separator": "#", "shards": 0}}]});
    let err = serde_json::from_value::<Schema>(bad).unwrap_err().to_string();
    assert!(err.contains("sharded index `g`: 0 shards"), "{err}");
}

#[test]
fn an_entity_round_trips_through_the_schema_file() {
    let file = json!({
        "table": "app",
        "partition_key": [{"name": "pk", "type": "S"}],
        "sort_key": [{"name": "sk", "type": "S"}],
        "indexes": [
            {"name": "gsi1", "kind": "GSI",
             "partition_key": [{"name": "gsi1pk", "type": "S"}],
             "sort_key": [{"name": "gsi1sk", "type": "S"}]}
        ],
        "entity": {"attribute": "__edb_e__", "name": "order", "tags": {"__edb_v__": "1"},
                   "keys": [{"attribute": "pk", "template": "$shop#order_id_{order_id}", "lowercase": true},
                            {"attribute": "sk", "template": "$order_1"},
                            {"attribute": "gsi1pk", "template": "$shop#status_{status}", "lowercase": true},
                            {"attribute": "gsi1sk", "template": "$order_1#{created_at:10}#{total:08}"}]}
    });
    let s: Schema = serde_json::from_value(file).unwrap();
    let t = |s: &str| dynaquery::KeyTemplate::parse(s).unwrap();
    let want = Schema::new("app", KeyAttribute::s("pk"))
        .sort_key(KeyAttribute::s("sk"))
        .index(Index::gsi("gsi1", [KeyAttribute::s("gsi1pk")], [KeyAttribute::s("gsi1sk")]))
        .entity(
            dynaquery::Entity::electrodb("order", "1")
                .key("pk", dynaquery::KeyTemplate::electrodb_pk("shop", ["order_id"]))
                .key("sk", t("$order_1"))
                .key("gsi1pk", t("$shop#status_{status}").lowercase())
                .key("gsi1sk", t("$order_1#{created_at:10}#{total:08}")),
        );
    assert_eq!(s, want);
    let back: Schema = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
    assert_eq!(back, s);
    let bad = json!({"table": "t", "partition_key": [{"name": "pk", "type": "S"}],
                     "entity": {"attribute": "type", "name": "order",
                                "keys": [{"attribute": "pk", "template": "O#{id"}]}});
    let err = serde_json::from_value::<Schema>(bad).unwrap_err().to_string();
    assert!(err.contains("key template `O#{id`"), "{err}");
    let unkeyed = json!({"table": "t", "partition_key": [{"name": "pk", "type": "S"}],
                         "entity": {"attribute": "type", "name": "order", "keys": []}});
    let err = serde_json::from_value::<Schema>(unkeyed).unwrap_err().to_string();
    assert!(err.contains("entity `order`: the table's key attribute `pk` has no key template"), "{err}");
}
