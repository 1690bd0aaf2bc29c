//! The DynamoDB backend against DynamoDB Local: one test per predicate kind
//! and NULL rule, reserved words, values that look like expression syntax,
//! Limit-before-filter paging, a multi-attribute GSI key, and DescribeTable.

mod support;

use std::collections::BTreeSet;

use dynaquery::dynamodb::{create_table, ensure_table, load_schema};
use dynaquery::{
    col, item, not, Backend, Cond, DynamoDb, ErrorKind, Expr, Index, Item, KeyAttribute, KeyCondition,
    Projection, ReadRequest, Schema, SortRange, Value,
};
use support::dynamodb_local as local;

fn schema(table: &str) -> Schema {
    Schema::new(table, KeyAttribute::s("id")).index(Index::gsi(
        "by_status",
        [KeyAttribute::s("status")],
        [KeyAttribute::n("total")],
    ))
}

/// Items with reserved-word attribute names (`status`, `total`, `name`,
/// `size`), NULLs, missing attributes and syntax-looking values.
fn items() -> Vec<Item> {
    vec![
        item([
            ("id", Value::from("a")),
            ("status", "paid".into()),
            ("total", 10.into()),
            ("name", ":v0".into()),
            ("size", "#n0".into()),
            ("tags", Value::Ss(["x".to_owned(), "y".to_owned()].into())),
            ("list", Value::L(vec![Value::from(1), Value::from("two")])),
        ]),
        item([
            ("id", Value::from("b")),
            ("status", "paid".into()),
            ("total", 20.into()),
            ("name", "a) OR (b".into()),
            ("size", Value::Null),
        ]),
        item([
            ("id", Value::from("c")),
            ("status", "shipped".into()),
            ("total", 30.into()),
            ("name", "abc".into()),
        ]),
        item([("id", Value::from("d")), ("status", "paid".into()), ("total", 5.into())]),
    ]
}

async fn setup() -> (DynamoDb, String) {
    let client = local::client();
    let table = local::table_name("backend");
    ensure_table(&client, &schema(&table)).await.expect("create table");
    local::load(&client, &table, &items()).await;
    (DynamoDb::new(client), table)
}

/// Scans with the lowered filter, all pages; returns the ids.
async fn ids(db: &DynamoDb, table: &str, e: &Expr) -> BTreeSet<String> {
    let filter = match Cond::from(e) {
        dynaquery::Cond::Const(true) => None,
        c => Some(c),
    };
    let mut out = BTreeSet::new();
    let mut start = None;
    loop {
        let r = db
            .read({
                let mut r = ReadRequest::scan(table).with_limit(2);
                r.filter = filter.clone();
                r.exclusive_start_key = start;
                r
            })
            .await
            .expect("scan");
        out.extend(r.items.iter().filter_map(|i| match i.get("id") {
            Some(Value::S(s)) => Some(s.clone()),
            _ => None,
        }));
        start = r.last_evaluated_key;
        if start.is_none() {
            return out;
        }
    }
}

fn set(ids: &[&str]) -> BTreeSet<String> {
    ids.iter().map(|s| s.to_string()).collect()
}

#[tokio::test]
async fn every_predicate_kind_and_null_rule() {
    let (db, t) = setup().await;
    let cases: Vec<(&str, Expr, Vec<&str>)> = vec![
        ("=", col("status").eq("paid"), vec!["a", "b", "d"]),
        ("<> (reserved word)", col("status").ne("paid"), vec!["c"]),
        ("<", col("total").lt(20), vec!["a", "d"]),
        ("<=", col("total").le(20), vec!["a", "b", "d"]),
        (">", col("total").gt(20), vec!["c"]),
        (">=", col("total").ge(20), vec!["b", "c"]),
        ("BETWEEN", col("total").between(6, 25), vec!["a", "b"]),
        ("BETWEEN crossed", col("total").between(25, 6), vec![]),
        ("IN", col("total").is_in([5, 30]), vec!["c", "d"]),
        ("IN over 100", col("total").is_in((100..350).chain([20]).map(Value::from)), vec!["b"]),
        ("begins_with", col("name").begins_with("ab"), vec!["c"]),
        ("contains string", col("name").contains(") OR ("), vec!["b"]),
        ("contains set", col("tags").contains("y"), vec!["a"]),
        ("contains list", col("list").contains("two"), vec!["a"]),
        ("syntax-looking value", col("name").eq(":v0"), vec!["a"]),
        ("syntax-looking value 2", col("size").eq("#n0"), vec!["a"]),
        ("is_null: missing", col("name").is_null(), vec!["d"]),
        ("is_null: DynamoDB NULL", col("size").is_null(), vec!["b", "c", "d"]),
        ("is_not_null", col("size").is_not_null(), vec!["a"]),
        ("<> is false on missing and NULL", col("size").ne("zzz"), vec!["a"]),
        ("NOT = is false on missing", not(col("name").eq("abc")), vec!["a", "b"]),
        ("NOT <> is false on missing", not(col("size").ne("#n0")), vec!["a"]),
        ("AND", col("status").eq("paid").and(col("total").gt(5)), vec!["a", "b"]),
        ("OR", col("total").eq(5).or(col("name").eq("abc")), vec!["c", "d"]),
        ("NOT (a OR b)", not(col("total").eq(5).or(col("name").eq("abc"))), vec!["a", "b"]),
        ("cross-type comparison is false", col("name").lt(100), vec![]),
        ("cross-type <> is true", col("total").ne("10"), vec!["a", "b", "c", "d"]),
    ];
    for (what, e, want) in cases {
        assert_eq!(ids(&db, &t, &e).await, set(&want), "{what}: {e}");
    }
}

#[tokio::test]
async fn limit_counts_items_before_the_filter() {
    let (db, t) = setup().await;
    let r = db
        .read(
            ReadRequest::query(
                t.clone(),
                KeyCondition::new(vec![("status", Value::from("paid"))])
                    .with_sort_range("total", SortRange::Ge(Value::from(0))),
            )
            .with_index("by_status")
            .with_filter(Cond::from(&col("name").eq("nothing")))
            .with_limit(2)
            .with_scan_forward(false),
        )
        .await
        .unwrap();
    assert!(r.items.is_empty());
    assert_eq!(r.scanned_count, 2);
    let lek = r.last_evaluated_key.expect("a LastEvaluatedKey although no item matched");
    assert!(lek.contains_key("id") && lek.contains_key("status") && lek.contains_key("total"));
    assert!(r.consumed_capacity.is_some());
}

#[tokio::test]
async fn multi_attribute_gsi_key() {
    let client = local::client();
    let table = local::table_name("multi");
    let schema = Schema::new(&table, KeyAttribute::s("id")).index(Index::gsi(
        "by_tenant_status",
        [KeyAttribute::s("tenant"), KeyAttribute::s("status")],
        [KeyAttribute::s("created_at"), KeyAttribute::n("total")],
    ));
    create_table(&client, &schema).await.unwrap();
    let mut rows = Vec::new();
    for i in 0..12 {
        rows.push(item([
            ("id", Value::from(format!("i{i:02}"))),
            ("tenant", Value::from(if i % 2 == 0 { "t1" } else { "t2" })),
            ("status", Value::from("paid")),
            ("created_at", Value::from(format!("2026-11-{:02}", 1 + i % 3))),
            ("total", Value::from(i)),
        ]));
    }
    local::load(&client, &table, &rows).await;
    let db = DynamoDb::new(client.clone());
    let r = db
        .read(
            ReadRequest::query(
                table.clone(),
                KeyCondition::new(vec![("tenant", Value::from("t1")), ("status", Value::from("paid"))])
                    .with_sort_range("created_at", SortRange::Ge(Value::from("2026-11-02"))),
            )
            .with_index("by_tenant_status")
            .with_scan_forward(false),
        )
        .await
        .unwrap();
    let got: Vec<(String, String)> =
        r.items.iter().map(|i| (format!("{}", i["created_at"]), format!("{}", i["total"]))).collect();
    // t1 holds even i; created_at ≥ 11-02 keeps i % 3 ∈ {1, 2}: i = 2, 4, 8, 10; descending by (created_at, total).
    assert_eq!(
        got,
        vec![
            ("\"2026-11-03\"".into(), "8".into()),
            ("\"2026-11-03\"".into(), "2".into()),
            ("\"2026-11-02\"".into(), "10".into()),
            ("\"2026-11-02\"".into(), "4".into()),
        ]
    );
    let loaded = load_schema(&client, &table).await.unwrap();
    assert_eq!(sorted(loaded), sorted(schema));
}

#[tokio::test]
async fn describe_table_round_trips_the_schema() {
    let client = local::client();
    let table = local::table_name("describe");
    let schema = Schema::new(&table, KeyAttribute::s("pk"))
        .sort_key(KeyAttribute::n("sk"))
        .index(Index::gsi("g_all", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .index(
            Index::gsi("g_inc", [KeyAttribute::s("country")], [])
                .projection(Projection::Include(["total".to_owned()].into())),
        )
        .index(
            Index::gsi("g_keys", [KeyAttribute::b("blob")], [KeyAttribute::n("n")])
                .projection(Projection::KeysOnly),
        )
        .index(Index::lsi("l_created", KeyAttribute::s("created_at")));
    create_table(&client, &schema).await.unwrap();
    let loaded = load_schema(&client, &table).await.unwrap();
    assert_eq!(sorted(loaded), sorted(schema));
}

fn sorted(mut s: Schema) -> Schema {
    s.indexes.sort_by(|a, b| a.name.cmp(&b.name));
    s
}

#[tokio::test]
async fn failures_are_backend_errors_with_the_sdk_source() {
    let db = DynamoDb::new(local::client());
    let err = db.read(ReadRequest::scan("no_such_table")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(!err.is_retryable() && !err.is_client_error());
    assert!(std::error::Error::source(&err).is_some());
    assert!(err.to_string().contains("no_such_table"), "{err}");
}

/// DynamoDB reports a missing index as a `ValidationException`; it is
/// `NotFound` all the same, like a missing table.
#[tokio::test]
async fn a_missing_index_is_not_found() {
    let (db, table) = setup().await;
    let err = db
        .read(
            ReadRequest::query(table, KeyCondition::new(vec![("status", Value::from("paid"))]))
                .with_index("no_such_index"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert!(err.to_string().contains("no_such_index"), "{err}");
}

#[tokio::test]
async fn ensure_table_creates_once_then_verifies_and_names_a_mismatch() {
    use dynaquery::dynamodb::{ensure_table, put_items, Ensured};
    let client = local::client();
    let table = local::table_name("ensure");
    let schema = schema(&table);
    assert_eq!(ensure_table(&client, &schema).await.unwrap(), Ensured::Created);
    assert_eq!(ensure_table(&client, &schema).await.unwrap(), Ensured::Existing);
    // A schema that declares fewer indexes than the table has is fine.
    let fewer = Schema::new(&table, KeyAttribute::s("id"));
    assert_eq!(ensure_table(&client, &fewer).await.unwrap(), Ensured::Existing);

    // Another sort key on the index, and an index the table lacks: both named.
    let other = Schema::new(&table, KeyAttribute::s("id"))
        .index(Index::gsi("by_status", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .index(Index::gsi("by_country", [KeyAttribute::s("country")], []));
    let err = ensure_table(&client, &other).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Schema);
    let text = err.to_string();
    assert!(
        text.contains("index `by_status` is") && text.contains("index `by_country` does not exist"),
        "{text}"
    );
    assert!(text.contains("never alters a table"), "{text}");
    // Another primary key.
    let err = ensure_table(&client, &Schema::new(&table, KeyAttribute::n("id"))).await.unwrap_err();
    assert!(err.to_string().contains("primary key"), "{err}");

    // put_items: more than one batch of 25, readable back page by page.
    let rows: Vec<Item> = (0..60)
        .map(|i| {
            item([("id", Value::from(format!("p{i:02}"))), ("status", "paid".into()), ("total", i.into())])
        })
        .collect();
    put_items(&client, &table, &rows).await.unwrap();
    let engine = dynaquery::Engine::new(schema, DynamoDb::new(client));
    let q = dynaquery::Query::new().filter(col("status").eq("paid")).allow_scan(true).limit(1000);
    assert_eq!(engine.fetch(&q).await.unwrap().rows.len(), 60);
}
