//! Every bad input is a typed error that says what to do, and none of them
//! reaches the backend. One test per kind.

mod support;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use dynaquery::{
    asc, col, desc, item, CursorKey, Engine, Error, ErrorKind, Index, KeyAttribute, MemoryTable, Options,
    Query, Schema, Value,
};
use support::faults::Faults;

fn schema() -> Schema {
    Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .always_present(["status", "created_at"])
}

fn engine(options: Options) -> Engine<Faults<MemoryTable>> {
    let t = MemoryTable::new(schema());
    for i in 0..30 {
        t.put(item([
            ("order_id", Value::from(format!("o{i:02}"))),
            ("status", Value::from("paid")),
            ("created_at", Value::from(format!("2026-11-{:02}", 1 + i % 9))),
            ("tags", Value::L(vec![Value::from(i)])),
        ]))
        .unwrap();
    }
    Engine::new(schema(), Faults::new(t)).with_options(options)
}

fn q() -> Query {
    Query::new().filter(col("status").eq("paid")).order_by(desc("created_at")).limit(5)
}

/// Runs `query`, expects `kind`, a message mentioning `says`, and no backend call.
async fn rejected(e: &Engine<Faults<MemoryTable>>, query: Query, kind: ErrorKind, says: &str) -> Error {
    let before = e.backend().calls();
    let err = e.fetch(&query).await.expect_err("must be rejected");
    assert_eq!(err.kind(), kind, "{err}");
    assert!(err.to_string().contains(says), "`{err}` should say `{says}`");
    assert_eq!(e.backend().calls(), before, "`{err}` reached the backend");
    err
}

async fn cursor(e: &Engine<Faults<MemoryTable>>) -> String {
    e.fetch(&q()).await.unwrap().next_cursor.unwrap()
}

#[tokio::test]
async fn garbled_cursor() {
    let e = engine(Options::default());
    rejected(&e, q().cursor("%%%not base64%%%"), ErrorKind::InvalidCursor, "not URL-safe base64").await;
}

#[tokio::test]
async fn truncated_cursor() {
    let e = engine(Options::default());
    let c = cursor(&e).await;
    rejected(&e, q().cursor(&c[..c.len() - 5]), ErrorKind::InvalidCursor, "start from the first page").await;
}

#[tokio::test]
async fn re_encoded_cursor() {
    let e = engine(Options::default());
    let c = cursor(&e).await;
    let standard = STANDARD.encode(URL_SAFE_NO_PAD.decode(&c).unwrap()) + "==";
    rejected(&e, q().cursor(standard), ErrorKind::InvalidCursor, "base64").await;
}

#[tokio::test]
async fn bit_flipped_signed_cursor() {
    let e = engine(Options::default().cursor_keys([CursorKey::new(1, [3u8; 32]).unwrap()]));
    let mut raw = URL_SAFE_NO_PAD.decode(cursor(&e).await).unwrap();
    raw[20] ^= 0x10;
    rejected(&e, q().cursor(URL_SAFE_NO_PAD.encode(raw)), ErrorKind::InvalidCursor, "signature").await;
}

#[tokio::test]
async fn expired_cursor() {
    fn later() -> std::time::SystemTime {
        std::time::SystemTime::now() + std::time::Duration::from_secs(3600)
    }
    let keys = [CursorKey::new(1, [3u8; 32]).unwrap()];
    let e =
        engine(Options::default().cursor_keys(keys.clone()).cursor_ttl(std::time::Duration::from_secs(60)));
    let c = cursor(&e).await;
    let later_engine = engine(
        Options::default().cursor_keys(keys).cursor_ttl(std::time::Duration::from_secs(60)).clock(later),
    );
    rejected(&later_engine, q().cursor(c), ErrorKind::InvalidCursor, "expired").await;
}

#[tokio::test]
async fn foreign_query_cursor() {
    let e = engine(Options::default());
    let c = cursor(&e).await;
    rejected(
        &e,
        q().filter(col("country").eq("FR")).cursor(c.clone()),
        ErrorKind::InvalidCursor,
        "another query",
    )
    .await;
    rejected(&e, q().order_by(asc("total")).cursor(c), ErrorKind::InvalidCursor, "another query").await;
}

#[tokio::test]
async fn oversized_cursor() {
    let e = engine(Options::default());
    let huge = "A".repeat(dynaquery::MAX_CURSOR_LEN + 1);
    rejected(&e, q().cursor(huge), ErrorKind::InvalidCursor, "longer than").await;
}

#[tokio::test]
async fn empty_in_list() {
    let e = engine(Options::default());
    rejected(&e, q().filter(col("country").is_in(Vec::<String>::new())), ErrorKind::InvalidQuery, "IN ()")
        .await;
}

#[tokio::test]
async fn in_list_beyond_what_can_be_split() {
    let e = engine(Options::default());
    let many = (0..1001).map(Value::from);
    rejected(&e, q().filter(col("total").is_in(many)), ErrorKind::LimitExceeded, "split the request").await;
}

#[tokio::test]
async fn page_size_zero() {
    let e = engine(Options::default());
    rejected(&e, q().limit(0), ErrorKind::InvalidQuery, "LIMIT 0").await;
}

#[tokio::test]
async fn page_size_above_the_cap_is_coerced() {
    let e = engine(Options::default().max_page_size(7));
    let page = e.fetch(&q().limit(500)).await.unwrap();
    assert_eq!(page.rows.len(), 7, "a page above the cap is lowered to the cap, as documented");
    assert!(e
        .plan(&q().limit(500))
        .unwrap()
        .notes()
        .iter()
        .any(|n| n.contains("lowered to the page-size cap 7")));
}

#[tokio::test]
async fn filter_beyond_the_cap() {
    let e = engine(Options::default().max_predicates(3));
    let f = (0..4).fold(col("a").eq(0), |acc, i| acc.and(col(format!("x{i}")).eq(i)));
    rejected(&e, q().filter(f), ErrorKind::LimitExceeded, "max_predicates = 3").await;
}

#[tokio::test]
async fn fan_out_beyond_the_cap() {
    let e = engine(Options::default().max_streams(4));
    let q = Query::new().filter(col("status").is_in(["a", "b", "c", "d", "e"])).order_by(desc("created_at"));
    rejected(&e, q, ErrorKind::LimitExceeded, "max_streams = 4").await;
}

#[tokio::test]
async fn null_operand() {
    let e = engine(Options::default());
    rejected(&e, q().filter(col("country").eq(Value::Null)), ErrorKind::InvalidQuery, "is_null").await;
}

#[tokio::test]
async fn order_by_a_value_that_cannot_be_ordered() {
    // Known only once an item is read: the page fails instead of ordering it somewhere.
    let e = engine(Options::default());
    let err = e.fetch(&q().order_by(asc("tags"))).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unorderable);
    assert!(err.to_string().contains("type L"), "{err}");
}

#[tokio::test]
async fn schema_that_does_not_match_the_table() {
    let table = MemoryTable::new(schema());
    let wrong = Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::n("created_at")]))
        .index(Index::gsi("missing", [KeyAttribute::s("x")], []));
    let err = wrong.check_matches(table.schema()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Schema);
    assert!(err.to_string().contains("index `missing` does not exist"), "{err}");
    assert!(err.to_string().contains("index `status-created_at`"), "{err}");
    assert!(schema().check_matches(table.schema()).is_ok());
}

/// A cursor for `q()` that points after `row` (forged: no page returned it).
fn forged(e: &Engine<Faults<MemoryTable>>, row: dynaquery::Item) -> String {
    e.cursor_after(&e.plan(&q()).unwrap(), &row).unwrap()
}

#[tokio::test]
async fn forged_cursor_with_a_sort_key_over_dynamodb_limits() {
    // A 5 KB sort value inside the query's range: DynamoDB caps a sort key at 1024 bytes.
    let e = engine(Options::default());
    let row = item([
        ("order_id", Value::from("o01")),
        ("status", Value::from("paid")),
        ("created_at", Value::from(format!("2026-11-05{}", "x".repeat(5000)))),
    ]);
    rejected(&e, q().cursor(forged(&e, row)), ErrorKind::InvalidCursor, "created_at").await;
    // At the limit it is a position like any other.
    let row = item([
        ("order_id", Value::from("o01")),
        ("status", Value::from("paid")),
        ("created_at", Value::from(format!("2026-11-05{}", "x".repeat(1014)))),
    ]);
    assert!(e.fetch(&q().cursor(forged(&e, row))).await.is_ok());
}

#[tokio::test]
async fn forged_cursor_with_a_partition_key_over_dynamodb_limits() {
    // The table's partition key: at most 2048 bytes.
    let e = engine(Options::default());
    let row = item([("order_id", Value::from("o".repeat(2049))), ("created_at", Value::from("2026-11-05"))]);
    rejected(&e, q().cursor(forged(&e, row)), ErrorKind::InvalidCursor, "order_id").await;
}

#[tokio::test]
async fn forged_cursor_with_key_values_of_the_wrong_type_or_missing() {
    let e = engine(Options::default());
    for row in [
        item([("order_id", Value::from("o01")), ("created_at", Value::from(20261105))]),
        item([("order_id", Value::from(7)), ("created_at", Value::from("2026-11-05"))]),
        item([("created_at", Value::from("2026-11-05"))]),
        item([("order_id", Value::from("")), ("created_at", Value::from("2026-11-05"))]),
    ] {
        rejected(&e, q().cursor(forged(&e, row)), ErrorKind::InvalidCursor, "key").await;
    }
}

#[tokio::test]
async fn cursor_ttl_without_cursor_keys_is_refused() {
    // An unsigned envelope's issue time can be rewritten: such cursors would never really expire.
    let opts = Options::default().cursor_ttl(std::time::Duration::from_secs(60));
    let err = opts.validate().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidOptions);
    assert!(err.message().contains("cursor_keys"), "{err}");
    let e = engine(opts);
    rejected(&e, q(), ErrorKind::InvalidOptions, "cursor_keys").await;
    assert_eq!(e.plan(&q()).unwrap_err().kind(), ErrorKind::InvalidOptions);
    let signed = Options::default()
        .cursor_keys([CursorKey::new(1, [3u8; 32]).unwrap()])
        .cursor_ttl(std::time::Duration::from_secs(60));
    assert!(signed.validate().is_ok());
}

#[tokio::test]
async fn filter_depth_past_what_backends_take_is_refused() {
    let opts = Options::default().max_filter_depth(Options::MAX_FILTER_DEPTH + 1);
    assert_eq!(opts.validate().unwrap_err().kind(), ErrorKind::InvalidOptions);
    assert!(Options::default().max_filter_depth(Options::MAX_FILTER_DEPTH).validate().is_ok());
}

#[tokio::test]
async fn offset_past_the_read_budget_reports_what_it_read() {
    // 30 items, a budget of 12: the skip runs out of budget inside its first chunk.
    let e = engine(Options::default().read_budget(12));
    let err = e.fetch(&q().filter(col("country").eq("FR")).offset(20)).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ReadBudgetExceeded);
    assert!(err.message().contains("read so far: 12"), "{err}");
    assert!(e.backend().calls() > 0);
}
