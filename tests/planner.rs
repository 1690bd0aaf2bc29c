//! One test per planner decision, checked against the `Plan` value and EXPLAIN.

use dynaquery::{
    asc, col, desc, ErrorKind, Index, KeyAttribute, Projection, Query, Schema, SortRange, Strategy, Value,
};

fn orders() -> Schema {
    Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .index(Index::gsi(
            "customer-created_at",
            [KeyAttribute::s("customer")],
            [KeyAttribute::s("created_at")],
        ))
        .index(Index::gsi("status-shipped_at", [KeyAttribute::s("status")], [KeyAttribute::s("shipped_at")]))
        .always_present(["created_at", "status", "customer"])
}

fn design_query() -> Query {
    Query::new()
        .filter(col("status").is_in(["paid", "shipped"]))
        .filter(col("country").eq("FR"))
        .filter(col("created_at").between("2026-10-25", "2026-11-24"))
        .order_by(desc("created_at"))
        .order_by(desc("total"))
        .order_by(asc("order_id"))
        .limit(50)
}

fn plan(schema: &Schema, q: &Query) -> dynaquery::Plan {
    engine(schema).plan(q).unwrap()
}

fn engine(schema: &Schema) -> dynaquery::Engine<dynaquery::MemoryTable> {
    dynaquery::Engine::new(schema.clone(), dynaquery::MemoryTable::new(schema.clone()))
}

fn plan_err(schema: &Schema, q: &Query) -> dynaquery::Error {
    engine(schema).plan(q).unwrap_err()
}

#[test]
fn design_query_fans_out_per_status_and_sorts_ties() {
    let p = plan(&orders(), &design_query());
    assert_eq!(p.index(), Some("status-created_at"));
    assert_eq!(p.streams().len(), 2);
    let k0 = p.streams()[0].key.as_ref().unwrap();
    assert_eq!(k0.partition, vec![("status".to_owned(), Value::from("paid"))]);
    assert_eq!(
        k0.sort_range,
        Some(("created_at".to_owned(), SortRange::Between("2026-10-25".into(), "2026-11-24".into())))
    );
    assert!(!p.scan_forward());
    assert_eq!(p.strategy(), Strategy::MergeThenSortTies);
    assert_eq!(p.served_prefix(), 1);
    assert_eq!(p.server_filter().unwrap().to_string(), r#"country = "FR""#);
    assert!(p.residual_filter().is_none());
    let explain = p.to_string();
    assert!(
        explain.starts_with("Query index `status-created_at` of table `orders`, ScanIndexForward=false"),
        "{explain}"
    );
    assert!(
        explain.contains(r#"#1 status = "shipped" AND created_at BETWEEN "2026-10-25" AND "2026-11-24""#),
        "{explain}"
    );
    assert!(
        explain
            .contains("strategy: merge on (created_at DESC), then sort ties on (total DESC, order_id ASC)"),
        "{explain}"
    );
    assert!(explain.contains("note: filter selectivity unknown"), "{explain}");
}

#[test]
fn predicates_on_the_index_key_go_to_the_client_filter() {
    let q = design_query().filter(col("created_at").ne("2026-11-01"));
    let p = plan(&orders(), &q);
    assert_eq!(p.index(), Some("status-created_at"));
    let residual = p.residual_filter().expect("residual").to_string();
    assert!(residual.contains("created_at <> \"2026-11-01\""), "{residual}");
    assert!(!p.server_filter().unwrap().to_string().contains("created_at"));
}

#[test]
fn ne_on_a_non_key_attribute_gets_an_existence_guard() {
    let q = Query::new().filter(col("status").eq("paid")).filter(col("country").ne("FR"));
    let p = plan(&orders(), &q);
    assert_eq!(
        p.server_filter().unwrap().to_string(),
        r#"(attribute_exists(country) AND NOT attribute_type(country, NULL) AND country <> "FR")"#
    );
}

#[test]
fn sparse_index_is_not_used_unless_the_filter_implies_its_key() {
    let q = Query::new().filter(col("status").eq("paid")).order_by(desc("shipped_at"));
    let p = plan(&orders(), &q);
    assert_ne!(p.index(), Some("status-shipped_at"), "shipped_at is sparse: rows without it would vanish");
    assert_eq!(p.strategy(), Strategy::TopK);

    let q = q.filter(col("shipped_at").is_not_null());
    let p = plan(&orders(), &q);
    assert_eq!(p.index(), Some("status-shipped_at"));
    assert_eq!(p.strategy(), Strategy::MergeThenSortTies);

    let q = Query::new()
        .filter(col("status").eq("paid"))
        .filter(col("shipped_at").gt("2026"))
        .order_by(desc("shipped_at"));
    assert_eq!(plan(&orders(), &q).index(), Some("status-shipped_at"));

    // `OR` implies presence only when every branch does.
    let q = Query::new()
        .filter(col("status").eq("paid"))
        .filter(col("shipped_at").gt("2026").or(col("country").eq("FR")))
        .order_by(desc("shipped_at"));
    assert_ne!(plan(&orders(), &q).index(), Some("status-shipped_at"));
}

#[test]
fn prefers_the_index_whose_sort_key_serves_the_order() {
    let q = Query::new()
        .filter(col("status").eq("paid"))
        .filter(col("customer").eq("c1"))
        .order_by(desc("created_at"));
    // Both GSIs serve created_at; the tie is broken by schema order, deterministically.
    assert_eq!(plan(&orders(), &q).index(), Some("status-created_at"));
    let q = q.index("customer-created_at");
    let p = plan(&orders(), &q);
    assert_eq!(p.index(), Some("customer-created_at"));
    assert!(p.residual_filter().is_none());
}

#[test]
fn no_index_error_names_the_index_that_would_serve() {
    let q = Query::new().filter(col("country").eq("FR")).order_by(desc("created_at"));
    let e = plan_err(&orders(), &q);
    assert_eq!(e.kind(), ErrorKind::NoUsableIndex);
    assert_eq!(e.suggested_index(), Some("a GSI with partition key (country) and sort key (created_at)"));
    assert!(
        e.to_string().contains("index `status-created_at`: needs `=` or `IN` on its partition key `status`"),
        "{e}"
    );
    assert!(e.to_string().contains("Query::allow_scan(true)"), "{e}");
}

#[test]
fn allowed_scan_reads_everything_and_keeps_the_top() {
    let q = Query::new().filter(col("country").eq("FR")).order_by(desc("created_at")).allow_scan(true);
    let p = plan(&orders(), &q);
    assert!(p.is_scan());
    assert_eq!(p.strategy(), Strategy::TopK);
    assert!(p.to_string().starts_with("Scan table `orders`"));
}

#[test]
fn fan_out_beyond_the_cap_is_a_limit_error() {
    let statuses: Vec<String> = (0..101).map(|i| format!("s{i}")).collect();
    let q = Query::new().filter(col("status").is_in(statuses)).order_by(desc("created_at"));
    let e = plan_err(&orders(), &q);
    assert_eq!(e.kind(), ErrorKind::LimitExceeded);
    assert!(e.to_string().contains("max_streams = 100"), "{e}");
}

#[test]
fn multi_attribute_partition_keys_fan_out_as_a_cartesian_product() {
    let schema = Schema::new("t", KeyAttribute::s("id")).index(Index::gsi(
        "ts",
        [KeyAttribute::s("tenant"), KeyAttribute::s("status")],
        [KeyAttribute::s("created_at"), KeyAttribute::n("total")],
    ));
    let q = Query::new()
        .filter(col("tenant").is_in(["a", "b"]))
        .filter(col("status").is_in(["x", "y", "z"]))
        .filter(col("created_at").eq("2026-11-01"))
        .filter(col("total").gt(10))
        .order_by(desc("total"));
    let p = plan(&schema, &q);
    assert_eq!(p.index(), Some("ts"));
    assert_eq!(p.streams().len(), 6);
    let k = p.streams()[5].key.as_ref().unwrap();
    assert_eq!(k.partition, vec![("tenant".into(), Value::from("b")), ("status".into(), Value::from("z"))]);
    assert_eq!(k.sort_eq, vec![("created_at".into(), Value::from("2026-11-01"))]);
    assert_eq!(k.sort_range, Some(("total".into(), SortRange::Gt(Value::from(10)))));
    assert!(!p.scan_forward());
    // created_at is constant, total is served: only the primary key tie-break remains.
    assert_eq!(p.strategy(), Strategy::MergeThenSortTies);
    assert_eq!(p.served_prefix(), 1);
}

#[test]
fn table_key_lookups_are_unique_and_merge() {
    let q = Query::new().filter(col("order_id").is_in(["b", "a", "b"])).filter(col("status").eq("paid"));
    let p = plan(&orders(), &q);
    assert_eq!(p.index(), None);
    assert_eq!(p.streams().len(), 2, "duplicate IN values do not double a stream");
    assert_eq!(p.strategy(), Strategy::Merge);
}

#[test]
fn table_sort_key_serves_the_whole_order() {
    let schema = Schema::new("events", KeyAttribute::s("device")).sort_key(KeyAttribute::n("ts"));
    let q = Query::new().filter(col("device").is_in(["d1", "d2"])).order_by(desc("ts"));
    let p = plan(&schema, &q);
    // (device, ts) is the table key: each stream is sorted by (ts DESC, device), a total order.
    assert_eq!(p.strategy(), Strategy::Merge);
    let q = Query::new().filter(col("device").eq("d1")).order_by(desc("ts"));
    let p = plan(&schema, &q);
    assert_eq!(p.strategy(), Strategy::Merge);
    assert!(!p.scan_forward());
}

#[test]
fn keys_only_gsi_fetches_what_the_output_and_the_filter_need() {
    let schema = Schema::new("orders", KeyAttribute::s("order_id"))
        .index(
            Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")])
                .projection(Projection::KeysOnly),
        )
        .always_present(["created_at"]);
    let q = Query::new().filter(col("status").eq("paid")).order_by(desc("created_at"));
    // Every attribute: fetched for the page's rows.
    let p = plan(&schema, &q);
    assert_eq!(p.index(), Some("status-created_at"));
    assert_eq!(p.fetch().map(|f| f.attributes.clone()), Some(None));
    // Attributes the index stores: no fetch.
    let p = plan(&schema, &q.clone().select(["order_id", "created_at"]));
    assert_eq!(p.index(), Some("status-created_at"));
    assert!(p.fetch().is_none());
    // One it lacks: fetched; the Query reads only what the index has.
    let p = plan(&schema, &q.clone().select(["order_id", "total"]));
    assert_eq!(p.fetch().and_then(|f| f.attributes.clone()), Some(vec!["total".to_owned()]));
    assert!(p.to_string().contains("projection: order_id, created_at\n"), "{p}");
    // A filter on it: applied after the fetch, to candidate rows.
    let p = plan(&schema, &q.clone().filter(col("total").gt(5)).select(["order_id"]));
    assert_eq!(p.index(), Some("status-created_at"));
    let fetch = p.fetch().unwrap();
    assert_eq!(fetch.attributes, Some(vec!["total".to_owned()]));
    assert_eq!(fetch.filter().map(ToString::to_string), Some("total > 5".to_owned()));
    assert!(p.server_filter().is_none());
    // An ORDER BY on it after the served `created_at`: fetched run by run.
    let p = plan(&schema, &q.clone().order_by(desc("total")).select(["order_id"]));
    assert_eq!(p.index(), Some("status-created_at"));
    assert_eq!(p.fetch().map(|f| f.order_attributes().to_vec()), Some(vec!["total".to_owned()]));
    assert!(p.to_string().contains("projection: order_id, created_at\n"), "{p}");
    // Before it: refused (a top-N would fetch every candidate).
    let q =
        Query::new().filter(col("status").eq("paid")).order_by(desc("total")).order_by(desc("created_at"));
    let e = plan_err(&schema, &q);
    assert!(e.to_string().contains("does not project total, which the ORDER BY needs"), "{e}");
}

#[test]
fn a_key_operand_of_the_wrong_type_makes_the_plan_empty() {
    let q = Query::new().filter(col("status").eq(5)).order_by(desc("created_at"));
    let p = plan(&orders(), &q);
    assert_eq!(p.index(), Some("status-created_at"));
    assert!(p.streams().is_empty());
    let q = Query::new().filter(col("status").eq("paid")).filter(col("created_at").gt(5));
    assert!(plan(&orders(), &q).streams().is_empty());
    let q = Query::new().filter(col("status").eq("paid")).filter(col("created_at").between("b", "a"));
    assert!(plan(&orders(), &q).streams().is_empty());
}

#[test]
fn bad_inputs_are_typed_errors() {
    let s = orders();
    let cases = [
        (Query::new().filter(col("status").is_in(Vec::<String>::new())), ErrorKind::InvalidQuery, "IN ()"),
        (Query::new().filter(col("status").eq(Value::Null)), ErrorKind::InvalidQuery, "is_null"),
        (Query::new().filter(col("status").eq("x")).limit(0), ErrorKind::InvalidQuery, "LIMIT 0"),
        (
            Query::new().filter(col("status").eq("x")).filter(col("flag").lt(true)),
            ErrorKind::InvalidQuery,
            "ordering comparisons",
        ),
        (
            Query::new().filter(col("status").eq("x")).index("nope"),
            ErrorKind::InvalidQuery,
            "not in the schema",
        ),
        (Query::new().filter(col("").eq("x")), ErrorKind::InvalidQuery, "empty"),
    ];
    for (q, kind, text) in cases {
        let e = plan_err(&s, &q);
        assert_eq!(e.kind(), kind, "{e}");
        assert!(e.to_string().contains(text), "{e} should mention {text}");
    }
}

#[test]
fn a_page_above_the_cap_is_coerced_and_said() {
    let p = plan(&orders(), &design_query().limit(5000));
    assert_eq!(p.limit(), 1000);
    assert!(p.notes().iter().any(|n| n.contains("lowered to the page-size cap 1000")));
}

#[test]
fn fingerprint_ignores_page_size_but_not_the_filter() {
    let s = orders();
    let a = plan(&s, &design_query()).fingerprint();
    assert_eq!(a, plan(&s, &design_query().limit(7)).fingerprint());
    assert_ne!(a, plan(&s, &design_query().filter(col("total").gt(1))).fingerprint());
}

#[test]
fn select_projects_what_order_and_cursor_need() {
    let p = plan(&orders(), &design_query().select(["order_id", "total"]));
    let explain = p.to_string();
    assert!(explain.contains("projection: order_id, total, created_at"), "{explain}");
}
