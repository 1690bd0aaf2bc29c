//! Single-table design (composed keys, an entity-type attribute) against
//! the naive reference over the entity's logical items: random tables
//! holding several entity types (and another version of the same one) in
//! one table and one overloaded GSI, written through `Schema::stored_item`;
//! random queries on the logical attributes (strict bounds, prefixes of
//! each other, case variants, NULL and missing values); several sort-key
//! layouts (fixed-width, zero-padded, text, lowercased); page sizes from 1
//! up; COUNT. Then a table laid out as ElectroDB lays it out, and the same
//! on DynamoDB Local.

mod common;
mod support;

use common::recording::{pages as recorded_pages, Recording};
use common::{all_pages, reference};
use dynaquery::{
    asc, col, desc, Engine, Entity, ErrorKind, Expr, Index, Item, KeyAttribute, KeyTemplate, MemoryTable,
    OrderBy, Query, Schema, Strategy as PlanStrategy, Value,
};
use futures::executor::block_on;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(300)
}

/// The table's key, as the contract's final tie-breaker (physical).
const PK: [&str; 2] = ["pk", "sk"];

/// The attributes an `order` row comes back without.
const PHYSICAL: [&str; 8] = ["pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "__edb_e__", "__edb_v__"];

/// The sort-key layouts of `gsi1` the property test runs on.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Layout {
    /// `$order_1#createdat_{created_at:2}#total_{total:03}`: both served.
    FixedPadded,
    /// The same, lowercased (ElectroDB's default): nothing served, no range.
    FixedPaddedLower,
    /// `$order_1#total_{total:03}#createdat_{created_at}`: both served.
    PaddedText,
    /// `$order_1#createdat_{created_at}#{total}`: a text part not last.
    TextNotLast,
    /// `{created_at}`: a text part alone (no prefix).
    TextAlone,
    /// `$order_1#status_{status}#createdat_{created_at:2}` under one
    /// partition value `$shop`: an `IN` on `status` gives a stream per
    /// status, each serving `created_at`.
    StatusSorted,
}

impl Layout {
    fn gsi1sk(self) -> KeyTemplate {
        let (text, lower) = match self {
            Layout::FixedPadded => ("$order_1#createdat_{created_at:2}#total_{total:03}", false),
            Layout::FixedPaddedLower => ("$order_1#createdat_{created_at:2}#total_{total:03}", true),
            Layout::PaddedText => ("$order_1#total_{total:03}#createdat_{created_at}", false),
            Layout::TextNotLast => ("$order_1#createdat_{created_at}#{total}", false),
            Layout::TextAlone => ("{created_at}", false),
            Layout::StatusSorted => ("$order_1#status_{status}#createdat_{created_at:2}", false),
        };
        let t = KeyTemplate::parse(text).unwrap();
        if lower {
            t.lowercase()
        } else {
            t
        }
    }

    /// `created_at` values are 2 bytes where a part is fixed-width.
    fn fixed(self) -> bool {
        matches!(self, Layout::FixedPadded | Layout::FixedPaddedLower | Layout::StatusSorted)
    }

    /// `gsi1pk`: by status (lowercased, as ElectroDB writes it), or one
    /// value for the layout that sorts by status.
    fn gsi1pk(self) -> KeyTemplate {
        match self {
            Layout::StatusSorted => KeyTemplate::electrodb_pk("shop", Vec::<&str>::new()),
            _ => KeyTemplate::electrodb_pk("shop", ["status"]),
        }
    }
}

fn base(table: &str) -> Schema {
    Schema::new(table, KeyAttribute::s("pk")).sort_key(KeyAttribute::s("sk")).index(Index::gsi(
        "gsi1",
        [KeyAttribute::s("gsi1pk")],
        [KeyAttribute::s("gsi1sk")],
    ))
}

/// Entity `order` (version 1), ElectroDB-style: the partition keys
/// lowercased, `gsi1sk` by `layout`.
fn order_schema(table: &str, layout: Layout) -> Schema {
    base(table).entity(
        Entity::electrodb("order", "1")
            .key("pk", KeyTemplate::electrodb_pk("shop", ["order_id"]))
            .key("sk", KeyTemplate::electrodb_sk("order", "1", Vec::<&str>::new()))
            .key("gsi1pk", layout.gsi1pk())
            .key("gsi1sk", layout.gsi1sk()),
    )
}

/// Other writers of the same table and GSI: entity `customer` in the same
/// `gsi1` partitions, and version 2 of `order` with the same sort keys.
fn others(table: &str, layout: Layout) -> [Schema; 2] {
    [
        base(table).entity(
            Entity::electrodb("customer", "1")
                .key("pk", KeyTemplate::electrodb_pk("shop", ["order_id"]))
                .key("sk", KeyTemplate::electrodb_sk("customer", "1", Vec::<&str>::new()))
                .key("gsi1pk", layout.gsi1pk())
                .key("gsi1sk", KeyTemplate::parse("$customer_1#{created_at}").unwrap()),
        ),
        base(table).entity(
            Entity::electrodb("order", "2")
                .key("pk", KeyTemplate::electrodb_pk("shop", ["order_id"]))
                .key("sk", KeyTemplate::electrodb_sk("order", "2", Vec::<&str>::new()))
                .key("gsi1pk", layout.gsi1pk())
                .key("gsi1sk", layout.gsi1sk()),
        ),
    ]
}

const STATUSES: [&str; 4] = ["paid", "Paid", "new", "shipped"];

fn created_strategy(fixed: bool) -> BoxedStrategy<String> {
    let chars = proptest::collection::vec(
        select(vec!['a', 'A', 'b', '#', '!', '~']),
        if fixed { 2..=2 } else { 1..=3 },
    );
    chars.prop_map(|c| c.into_iter().collect()).boxed()
}

/// A logical item and which writer stores it: 0 = order v1, 1 = customer,
/// 2 = order v2.
fn item_strategy(i: usize, fixed: bool) -> impl Strategy<Value = (usize, Item)> {
    (
        prop_oneof![6 => Just(0usize), 1 => Just(1usize), 1 => Just(2usize)],
        prop_oneof![8 => select(STATUSES.to_vec()).prop_map(Some), 1 => Just(None)],
        prop_oneof![8 => created_strategy(fixed).prop_map(|s| Some(Value::from(s))), 1 => Just(None), 1 => Just(Some(Value::Null))],
        prop_oneof![8 => (0i64..12).prop_map(|n| Some(Value::from(n))), 1 => Just(None)],
        prop_oneof![2 => Just(None), 1 => Just(Some(Value::Null)), 2 => select(vec!["x", "y"]).prop_map(|s| Some(Value::from(s)))],
    )
        .prop_map(move |(who, status, created, total, note)| {
            let mut it = Item::new();
            it.insert("order_id".into(), Value::from(format!("o{i:03}")));
            for (k, v) in [
                ("status", status.map(Value::from)),
                ("created_at", created),
                ("total", total),
                ("note", note),
            ] {
                if let Some(v) = v {
                    it.insert(k.into(), v);
                }
            }
            (who, it)
        })
}

fn table_strategy(max: usize, fixed: bool) -> impl Strategy<Value = Vec<(usize, Item)>> {
    (0..=max).prop_flat_map(move |n| (0..n).map(|i| item_strategy(i, fixed)).collect::<Vec<_>>())
}

fn bound_strategy(fixed: bool) -> impl Strategy<Value = Option<Expr>> {
    let v = move || created_strategy(fixed).prop_map(Value::from);
    // Bounds of other widths too: a prefix of the values, or longer.
    let any_width = || created_strategy(false).prop_map(Value::from);
    prop_oneof![
        2 => Just(None),
        1 => v().prop_map(|x| Some(col("created_at").gt(x))),
        1 => any_width().prop_map(|x| Some(col("created_at").ge(x))),
        1 => v().prop_map(|x| Some(col("created_at").lt(x))),
        1 => any_width().prop_map(|x| Some(col("created_at").le(x))),
        2 => (any_width(), any_width()).prop_map(|(a, b)| Some(col("created_at").between(a, b))),
        1 => v().prop_map(|x| Some(col("created_at").eq(x))),
        1 => Just(Some(col("created_at").is_not_null())),
    ]
}

fn total_strategy() -> impl Strategy<Value = Option<Expr>> {
    prop_oneof![
        3 => Just(None),
        1 => (0i64..12).prop_map(|n| Some(col("total").gt(n))),
        1 => (-2i64..13).prop_map(|n| Some(col("total").le(n))),
        1 => (0i64..12).prop_map(|n| Some(col("total").eq(n))),
        1 => (0i64..12, 0i64..12).prop_map(|(a, b)| Some(col("total").between(a, b))),
        1 => Just(Some(col("total").gt(Value::N("2.5".parse().unwrap())))),
    ]
}

fn query_strategy(fixed: bool) -> impl Strategy<Value = Query> {
    (
        prop_oneof![
            1 => Just(Vec::new()),
            6 => proptest::sample::subsequence(vec!["paid", "Paid", "new", "shipped", "gone"], 1..=3),
        ],
        bound_strategy(fixed),
        total_strategy(),
        prop_oneof![3 => Just(None), 1 => Just(Some(col("note").ne("x")))],
        // So that gsi1 (sparse on both) may serve most queries.
        prop_oneof![1 => Just(None), 3 => Just(Some(col("created_at").is_not_null().and(col("total").is_not_null())))],
        proptest::collection::vec(
            (select(vec!["created_at", "total", "status", "order_id", "note"]), any::<bool>())
                .prop_map(|(a, up)| if up { asc(a) } else { desc(a) }),
            0..3,
        ),
    )
        .prop_map(|(statuses, created, total, note, present, order): (Vec<&str>, _, _, _, _, Vec<OrderBy>)| {
            let mut q = Query::new().allow_scan(true);
            q = match statuses.as_slice() {
                [] => q,
                [s] => q.filter(col("status").eq(*s)),
                _ => q.filter(col("status").is_in(statuses)),
            };
            for e in [created, total, note, present].into_iter().flatten() {
                q = q.filter(e);
            }
            for o in order {
                q = q.order_by(o);
            }
            q
        })
}

/// The engine for entity `order` over a table that every writer filled,
/// and the stored `order` (v1) items.
fn setup(items: &[(usize, Item)], layout: Layout) -> (Engine<MemoryTable>, Vec<Item>) {
    setup_with(items, layout, order_schema("app", layout))
}

/// [`setup`] with `schema` as the `order` entity's.
fn setup_with(items: &[(usize, Item)], layout: Layout, schema: Schema) -> (Engine<MemoryTable>, Vec<Item>) {
    let others = others("app", layout);
    let table = MemoryTable::new(schema.clone());
    let mut mine = Vec::new();
    for (who, it) in items {
        let stored = match who {
            0 => schema.stored_item(it),
            n => others[n - 1].stored_item(it),
        };
        if *who == 0 {
            mine.push(stored.clone());
        }
        table.put(stored).unwrap();
    }
    (Engine::new(schema, table), mine)
}

/// The reference over the stored items of the entity, ordered by the
/// table's (physical) key last, then with the physical attributes left out.
fn expected(q: &Query, mine: &[Item]) -> Vec<Item> {
    let mut rows = reference::run(q, &PK, mine);
    for r in &mut rows {
        for a in PHYSICAL {
            r.remove(a);
        }
    }
    rows
}

fn layouts() -> impl Strategy<Value = Layout> {
    select(vec![
        Layout::FixedPadded,
        Layout::FixedPaddedLower,
        Layout::PaddedText,
        Layout::TextNotLast,
        Layout::TextAlone,
        Layout::StatusSorted,
    ])
}

fn count_query(q: &Query) -> Query {
    let mut c = Query::new().allow_scan(true);
    if let Some(f) = q.get_filter() {
        c = c.filter(f.clone());
    }
    c
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    /// Pages concatenate to the reference over the entity's logical items,
    /// whatever the layout, with the other entities (same partitions, same
    /// sort-key prefix) never returned; the COUNT agrees.
    #[test]
    fn single_table_queries_match_the_reference(
        (layout, items, q) in layouts().prop_flat_map(|l| (Just(l), table_strategy(60, l.fixed()), query_strategy(l.fixed()))),
        big in 8usize..40,
    ) {
        let (engine, mine) = setup(&items, layout);
        let plan = engine.plan(&q).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let want = expected(&q, &mine);
        for size in [1, 2, 3, 7, big] {
            let got = block_on(all_pages(&engine, &q.clone().limit(size), items.len() + 2))
                .map_err(|e| TestCaseError::fail(format!("page size {size}: {e}\nplan:\n{plan}")))?;
            prop_assert_eq!(&got, &want, "layout {:?}, page size {}; plan:\n{}", layout, size, plan);
        }
        let count = block_on(engine.count(&count_query(&q))).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(count.total, want.len() as u64);
    }
}

/// The logical column a plan's streams are ordered by first, when it
/// merges on a part of the composed sort key: the first order column not
/// pinned by `=` (a pinned one is constant on every stream), when it is
/// served and a part of `gsi1sk`.
fn stream_column(q: &Query, plan: &dynaquery::Plan) -> Option<String> {
    if plan.strategy() == PlanStrategy::TopK || plan.index() != Some("gsi1") {
        return None;
    }
    let pinned = |attr: &str| {
        q.get_filter().is_some_and(|f| {
            f.conjuncts().iter().any(|c| match c {
                Expr::Cmp { attr: a, op: dynaquery::CmpOp::Eq, .. } => a == attr,
                Expr::In { attr: a, values } => a == attr && values.len() == 1,
                _ => false,
            })
        })
    };
    // A leading column constant per stream (`status` of an `IN`) places
    // whole streams after the cursor: the recording's check, on one column
    // across streams, does not apply there.
    plan.order()[..plan.served_prefix()]
        .iter()
        .map(|c| c.attr.as_str())
        .find(|a| !pinned(a))
        .filter(|a| ["created_at", "total"].contains(a))
        .map(str::to_owned)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), max_shrink_iters: 2000, ..ProptestConfig::default() })]

    /// A later page starts each stream at the cursor's position on the
    /// composed sort key: no request evaluates again an item an earlier
    /// page evaluated before the cursor (its run of ties on the first
    /// served column excepted), and the pages still equal the reference.
    #[test]
    fn a_later_page_reads_on_from_the_cursor_on_composed_keys(
        (layout, items, q) in layouts().prop_flat_map(|l| (Just(l), table_strategy(60, l.fixed()), query_strategy(l.fixed()))),
        size in 1usize..8,
    ) {
        let (engine, mine) = setup(&items, layout);
        let plan = engine.plan(&q).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let Some(column) = stream_column(&q, &plan) else { return Ok(()) };
        let schema = order_schema("app", layout);
        // Another entity's items in the range sit where their own template
        // puts them, not by their `created_at`: only `order` items are placed.
        let recording = Recording::new(engine.backend().clone(), &PK, &column)
            .checking_only(|it| it.get("__edb_e__") == Some(&Value::from("order")));
        let engine = Engine::new(schema, recording);
        let got = block_on(recorded_pages(&engine, &q.clone().limit(size), items.len() + 2))
            .map_err(|e| TestCaseError::fail(format!("page size {size}: {e}\nplan:\n{plan}")))?;
        prop_assert_eq!(got.concat(), expected(&q, &mine), "layout {:?}, page size {}; plan:\n{}", layout, size, plan);
        prop_assert_eq!(engine.backend().violations(), Vec::<String>::new(), "layout {:?}, page size {}, column {}; plan:\n{}", layout, size, column, plan);
    }
}

/// The generated queries mostly plan on `gsi1` with a key condition on
/// `gsi1sk`, and some serve part of the order: the property test covers
/// the mapping, not only scans.
#[test]
fn the_generated_queries_exercise_the_composed_key_conditions() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for layout in [Layout::FixedPadded, Layout::PaddedText, Layout::TextAlone, Layout::StatusSorted] {
        let (engine, _) = setup(&[], layout);
        let (mut on_gsi, mut ranged, mut served, mut narrowed) = (0, 0, 0, 0);
        for _ in 0..300 {
            let q = query_strategy(layout.fixed()).new_tree(&mut runner).unwrap().current();
            let plan = engine.plan(&q).unwrap();
            if plan.index() == Some("gsi1") {
                on_gsi += 1;
                let text = plan.to_string();
                ranged += usize::from(
                    text.contains("gsi1sk BETWEEN") || text.contains("gsi1sk <") || text.contains("gsi1sk >"),
                );
                served += usize::from(plan.strategy() != PlanStrategy::TopK && plan.served_prefix() > 0);
                narrowed += usize::from(stream_column(&q, &plan).is_some());
            }
        }
        assert!(
            on_gsi > 120 && ranged > 30 && served > 10 && narrowed > 10,
            "{layout:?}: {on_gsi} on gsi1, {ranged} ranged, {served} served, {narrowed} narrowed by a cursor"
        );
    }
}

fn orders() -> Vec<(usize, Item)> {
    let mut out = Vec::new();
    for i in 0..40i64 {
        let status = STATUSES[(i % 4) as usize];
        let created = ["aa", "ab", "bA", "b#", "~a"][(i % 5) as usize];
        let mut it = dynaquery::item([
            ("order_id", Value::from(format!("o{i:03}"))),
            ("status", Value::from(status)),
            ("created_at", Value::from(created)),
            ("total", Value::from(i % 7)),
        ]);
        if i % 6 == 0 {
            it.insert("note".into(), Value::from("x"));
        }
        let who = if i % 5 == 4 {
            1
        } else if i % 7 == 6 {
            2
        } else {
            0
        };
        out.push((who, it));
    }
    out
}

#[test]
fn explain_shows_the_composed_conditions_and_serves_fixed_width_parts() {
    let schema = order_schema("app", Layout::FixedPadded).always_present(["created_at", "total"]);
    let (engine, mine) = setup_with(&orders(), Layout::FixedPadded, schema);
    let q = Query::new()
        .filter(col("status").is_in(["paid", "shipped"]))
        .filter(col("created_at").between("ab", "b#"))
        .order_by(desc("created_at"))
        .order_by(desc("total"))
        .limit(5);
    let plan = engine.plan(&q).unwrap();
    let text = plan.to_string();
    assert_eq!(plan.index(), Some("gsi1"), "{text}");
    assert!(
        text.contains(
            r##"#0 gsi1pk = "$shop#status_paid" AND gsi1sk BETWEEN "$order_1#createdat_ab" AND "$order_1#createdat_b$""##
        ),
        "{text}"
    );
    assert_eq!(plan.strategy(), PlanStrategy::MergeThenSortTies, "{text}");
    // created_at and total are served; the table's key is sorted in ties.
    assert_eq!(plan.served_prefix(), 2, "{text}");
    assert!(!plan.scan_forward());
    assert!(text.contains("__edb_e__ = \"order\""), "{text}");
    let want = expected(&q, &mine);
    assert!(want.len() > 3, "{want:?}");
    for size in [1, 2, 5] {
        let got = block_on(all_pages(&engine, &q.clone().limit(size), 100)).unwrap();
        assert_eq!(got, want, "page size {size}");
        for r in &got {
            assert!(PHYSICAL.iter().all(|a| !r.contains_key(*a)), "{r:?}");
        }
    }
}

#[test]
fn an_in_on_a_leading_sort_part_reads_one_stream_per_value() {
    let schema = order_schema("app", Layout::StatusSorted).always_present(["created_at", "total"]);
    let (engine, mine) = setup_with(&orders(), Layout::StatusSorted, schema);
    let q = Query::new()
        .filter(col("status").is_in(["paid", "new", "paid"]))
        .filter(col("created_at").ge("ab"))
        .order_by(desc("created_at"))
        .limit(3);
    let plan = engine.plan(&q).unwrap();
    let text = plan.to_string();
    assert_eq!(plan.index(), Some("gsi1"), "{text}");
    assert_eq!(plan.streams().len(), 2, "{text}");
    for status in ["new", "paid"] {
        let cond = format!(
            r##"gsi1pk = "$shop" AND gsi1sk BETWEEN "$order_1#status_{status}#createdat_ab" AND "$order_1#status_{status}#createdat`""##
        );
        assert!(text.contains(&cond), "{cond}\n{text}");
    }
    assert!(text.contains("one stream per composed prefix (2)"), "{text}");
    // Each stream holds one status: created_at is served by both.
    assert_eq!(plan.strategy(), PlanStrategy::MergeThenSortTies, "{text}");
    assert_eq!(plan.served_prefix(), 1, "{text}");
    let want = expected(&q, &mine);
    assert!(want.len() > 3, "{want:?}");
    for size in [1, 2, 5] {
        let got = block_on(all_pages(&engine, &q.clone().limit(size), 100)).unwrap();
        assert_eq!(got, want, "page size {size}");
    }
}

#[test]
fn a_lowercased_part_is_not_served_and_explain_says_so() {
    let schema = order_schema("app", Layout::FixedPaddedLower).always_present(["created_at", "total"]);
    let (engine, mine) = setup_with(&orders(), Layout::FixedPaddedLower, schema);
    let q = Query::new()
        .filter(col("status").eq("paid"))
        .filter(col("created_at").gt("aa"))
        .order_by(desc("created_at"))
        .order_by(desc("total"));
    let plan = engine.plan(&q).unwrap();
    let text = plan.to_string();
    assert!(text.contains(r#"begins_with(gsi1sk, "$order_1#createdat_")"#), "{text}");
    assert!(text.contains("ORDER BY created_at is not served by index `gsi1`"), "{text}");
    assert!(text.contains("the range on `created_at` is not a key condition"), "{text}");
    assert_eq!(plan.strategy(), PlanStrategy::TopK);
    for size in [1, 3, 50] {
        let got = block_on(all_pages(&engine, &q.clone().limit(size), 100)).unwrap();
        assert_eq!(got, expected(&q, &mine), "page size {size}");
    }
}

#[test]
fn a_bad_entity_is_refused_naming_it() {
    let t = |s: &str| KeyTemplate::parse(s).unwrap();
    let bad = [
        Entity::new("type", "order").key("pk", t("O#{id}")),
        Entity::new("type", "order").key("pk", t("O#{id}")).key("sk", t("O")).key("nope", t("x")),
        Entity::new("pk", "order").key("pk", t("O#{id}")).key("sk", t("O")),
        Entity::new("type", "order").key("pk", t("O#{sk}")).key("sk", t("O")),
    ];
    for e in bad {
        let schema = base("app").entity(e);
        let engine = Engine::new(schema.clone(), MemoryTable::new(schema));
        let err = engine.plan(&Query::new().filter(col("id").eq("1"))).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Schema, "{err}");
        assert!(err.to_string().contains("entity `order`"), "{err}");
    }
    let strict = order_schema("app", Layout::FixedPadded);
    let wide = dynaquery::item([
        ("order_id", Value::from("o1")),
        ("status", Value::from("paid")),
        ("created_at", Value::from("abc")),
        ("total", Value::from(1)),
    ]);
    assert_eq!(strict.try_stored_item(&wide).unwrap_err().kind(), ErrorKind::InvalidQuery);
}

/// ElectroDB's documented example item (`MallStore`, service
/// `MallStoreDirectory`, version 1), as ElectroDB writes it: keys
/// `$service#attr_value…` and `$entity_version#attr_value…`, composite
/// values lowercased, `__edb_e__`/`__edb_v__`, the logical attributes as
/// plain attributes.
fn mall_store_schema(table: &str) -> Schema {
    Schema::new(table, KeyAttribute::s("pk"))
        .sort_key(KeyAttribute::s("sk"))
        .index(Index::gsi("gis1pk-gsi1sk-index", [KeyAttribute::s("gis1pk")], [KeyAttribute::s("gsi1sk")]))
        .index(Index::gsi("gis2pk-gsi2sk-index", [KeyAttribute::s("gis2pk")], [KeyAttribute::s("gsi2sk")]))
        .entity(
            Entity::electrodb("MallStore", "1")
                .key("pk", KeyTemplate::electrodb_pk("MallStoreDirectory", ["cityId", "mallId"]))
                .key("sk", KeyTemplate::electrodb_sk("MallStore", "1", ["buildingId", "storeId"]))
                .key("gis1pk", KeyTemplate::electrodb_pk("MallStoreDirectory", ["mallId"]))
                .key("gsi1sk", KeyTemplate::electrodb_sk("MallStore", "1", ["buildingId", "unitId"]))
                .key("gis2pk", KeyTemplate::electrodb_pk("MallStoreDirectory", ["storeId"]))
                .key("gsi2sk", KeyTemplate::electrodb_sk("MallStore", "1", ["leaseEndDate"])),
        )
        // ElectroDB's `required: true` attributes.
        .always_present(["cityId", "mallId", "storeId", "buildingId", "unitId", "leaseEndDate"])
}

fn mall_store(store: &str, building: &str, unit: &str, lease: &str, rent: &str) -> Item {
    dynaquery::item([
        ("cityId", Value::from("Atlanta1")),
        ("mallId", Value::from("EastPointe")),
        ("storeId", Value::from(store)),
        ("buildingId", Value::from(building)),
        ("unitId", Value::from(unit)),
        ("category", Value::from("food/coffee")),
        ("leaseEndDate", Value::from(lease)),
        ("rent", Value::from(rent)),
    ])
}

/// A row as ElectroDB writes it, spelled out (not through `stored_item`).
fn electrodb_written(store: &str, building: &str, unit: &str, lease: &str, rent: &str) -> Item {
    let mut it = mall_store(store, building, unit, lease, rent);
    let l = |s: &str| s.to_lowercase();
    for (k, v) in [
        ("pk", "$mallstoredirectory#cityid_atlanta1#mallid_eastpointe".to_owned()),
        ("sk", format!("$mallstore_1#buildingid_{}#storeid_{}", l(building), l(store))),
        ("gis1pk", "$mallstoredirectory#mallid_eastpointe".to_owned()),
        ("gsi1sk", format!("$mallstore_1#buildingid_{}#unitid_{}", l(building), l(unit))),
        ("gis2pk", format!("$mallstoredirectory#storeid_{}", l(store))),
        ("gsi2sk", format!("$mallstore_1#leaseenddate_{lease}")),
        ("__edb_e__", "MallStore".to_owned()),
        ("__edb_v__", "1".to_owned()),
    ] {
        it.insert(k.into(), Value::from(v));
    }
    it
}

#[test]
fn an_electrodb_table_is_read_as_electrodb_wrote_it() {
    let schema = mall_store_schema("StoreDirectory");
    // ElectroDB's documentation's item, composed by `stored_item`.
    let doc = electrodb_written("LatteLarrys", "BuildingA1", "B47", "2020-03-22", "4500.00");
    assert_eq!(
        schema.stored_item(&mall_store("LatteLarrys", "BuildingA1", "B47", "2020-03-22", "4500.00")),
        doc
    );

    let table = MemoryTable::new(schema.clone());
    let stores = [
        ("LatteLarrys", "BuildingA1", "B47", "2020-03-22", "4500.00"),
        ("MochaMikes", "BuildingA1", "B12", "2020-07-01", "3000.00"),
        ("TeaTims", "BuildingA1", "b2", "2021-01-15", "2500.00"),
        ("BagelBobs", "BuildingB2", "A1", "2020-05-30", "4000.00"),
        ("CakeCarls", "buildinga1", "C3", "2020-04-01", "3500.00"),
    ];
    for s in stores {
        table.put(electrodb_written(s.0, s.1, s.2, s.3, s.4)).unwrap();
    }
    // Another entity of the service in the same partitions.
    let mut other = electrodb_written("Ghost", "BuildingA1", "B48", "2020-03-22", "1.00");
    other.insert("__edb_e__".into(), Value::from("MallOffice"));
    other.insert("sk".into(), Value::from("$mallstore_1#buildingid_buildinga1#storeid_ghost"));
    table.put(other).unwrap();
    let engine = Engine::new(schema, table);

    // Stores of building A1 whose lease ends in the first half of 2020,
    // through GSI 1 (mall; building, unit): begins_with on the composed prefix.
    let q = Query::new()
        .filter(col("mallId").eq("EastPointe"))
        .filter(col("buildingId").eq("BuildingA1"))
        .filter(col("leaseEndDate").between("2020-01-01", "2020-07-01"))
        .order_by(asc("unitId"));
    let plan = engine.plan(&q).unwrap();
    let text = plan.to_string();
    assert_eq!(plan.index(), Some("gis1pk-gsi1sk-index"), "{text}");
    assert!(
        text.contains(r##"gis1pk = "$mallstoredirectory#mallid_eastpointe" AND begins_with(gsi1sk, "$mallstore_1#buildingid_buildinga1#unitid_")"##),
        "{text}"
    );
    // unitId is lowercased in the key: its order is not served.
    assert!(text.contains("ORDER BY unitId is not served"), "{text}");
    let page = block_on(engine.fetch(&q)).unwrap();
    let got: Vec<&Value> = page.rows.iter().map(|r| &r["storeId"]).collect();
    assert_eq!(got, [&Value::from("MochaMikes"), &Value::from("LatteLarrys")]);
    assert_eq!(page.rows[0], mall_store("MochaMikes", "BuildingA1", "B12", "2020-07-01", "3000.00"));

    // A lease-date range on GSI 2 (store; lease end date), read by store.
    let q = Query::new()
        .filter(col("storeId").is_in(["LatteLarrys", "BagelBobs", "TeaTims"]))
        .filter(col("leaseEndDate").gt("2020-03-22"))
        .order_by(desc("leaseEndDate"));
    let plan = engine.plan(&q).unwrap();
    assert_eq!(plan.index(), Some("gis2pk-gsi2sk-index"), "{plan}");
    assert_eq!(plan.streams().len(), 3);
    let page = block_on(engine.fetch(&q)).unwrap();
    let got: Vec<&Value> = page.rows.iter().map(|r| &r["storeId"]).collect();
    assert_eq!(got, [&Value::from("TeaTims"), &Value::from("BagelBobs")]);
}

/// Random single-table queries on DynamoDB Local equal the reference.
#[test]
fn single_table_queries_on_dynamodb_local() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = support::dynamodb_local::client();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::default());
    for layout in [Layout::FixedPadded, Layout::FixedPaddedLower, Layout::TextAlone, Layout::StatusSorted] {
        let table = support::dynamodb_local::table_name("single");
        let schema = order_schema(&table, layout);
        let others = others(&table, layout);
        let items = table_strategy(60, layout.fixed()).new_tree(&mut runner).unwrap().current();
        let mut stored = Vec::new();
        let mut mine = Vec::new();
        for (who, it) in &items {
            let s = match who {
                0 => schema.stored_item(it),
                n => others[n - 1].stored_item(it),
            };
            if *who == 0 {
                mine.push(s.clone());
            }
            stored.push(s);
        }
        rt.block_on(async {
            dynaquery::dynamodb::ensure_table(&client, &schema).await.unwrap();
            support::dynamodb_local::load(&client, &table, &stored).await;
        });
        let engine = Engine::new(schema, dynaquery::DynamoDb::new(client.clone()));
        for case in 0..12 {
            let q = query_strategy(layout.fixed()).new_tree(&mut runner).unwrap().current();
            let plan = engine.plan(&q).unwrap();
            let want = expected(&q, &mine);
            for size in [1, 5, 50] {
                let got = rt.block_on(all_pages(&engine, &q.clone().limit(size), items.len() + 2)).unwrap();
                assert_eq!(got, want, "{layout:?} case {case}, page size {size}; plan:\n{plan}");
            }
            let count = rt.block_on(engine.count(&count_query(&q))).unwrap();
            assert_eq!(count.total, want.len() as u64, "{layout:?} case {case}");
        }
    }
}
