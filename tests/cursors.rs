//! Cursors under attack: signed and expiring cursors, ≥ 10 000 mutated
//! cursors, and forged unsigned cursors that may move the position but never
//! widen what a query returns.

mod common;
mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use common::reference;
use dynaquery::{
    asc, col, desc, item, CursorKey, Engine, ErrorKind, Index, Item, KeyAttribute, MemoryTable, Options,
    Page, Query, Schema, Value,
};
use futures::executor::block_on;
use proptest::prelude::*;
use support::faults::Faults;

fn schema() -> Schema {
    Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::n("created_at")]))
        .always_present(["status", "created_at"])
}

fn items() -> Vec<Item> {
    (0..120)
        .map(|i| {
            item([
                ("order_id", Value::from(format!("o{i:04}"))),
                ("status", Value::from(["paid", "shipped", "new"][i % 3])),
                ("created_at", Value::from(i % 17)),
                ("total", Value::from((i * 7) % 11)),
            ])
        })
        .collect()
}

fn table() -> MemoryTable {
    let t = MemoryTable::new(schema());
    for it in items() {
        t.put(it).unwrap();
    }
    t
}

fn query() -> Query {
    Query::new()
        .filter(col("status").is_in(["paid", "shipped"]))
        .filter(col("total").gt(2))
        .order_by(desc("created_at"))
        .order_by(asc("total"))
        .limit(10)
}

fn key(id: u8, fill: u8) -> CursorKey {
    CursorKey::new(id, [fill; 32]).unwrap()
}

static NOW: AtomicU64 = AtomicU64::new(1_800_000_000);

fn test_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW.load(Ordering::SeqCst))
}

fn signed() -> Options {
    Options::default().cursor_keys([key(2, 7), key(1, 9)])
}

fn engine(options: Options) -> Engine<Faults<MemoryTable>> {
    Engine::new(schema(), Faults::new(table())).with_options(options)
}

#[test]
fn signed_cursors_page_through_and_rotate() {
    let e = engine(signed());
    let p1 = block_on(e.fetch(&query())).unwrap();
    let c = p1.next_cursor.unwrap();
    assert!(block_on(e.fetch(&query().cursor(c.clone()))).is_ok());
    // Rotation: a service that now signs with key 3 still accepts key 2's cursors...
    let rotated = engine(Options::default().cursor_keys([key(3, 5), key(2, 7)]));
    assert!(block_on(rotated.fetch(&query().cursor(c.clone()))).is_ok());
    // ...until key 2 is retired.
    let retired = engine(Options::default().cursor_keys([key(3, 5)]));
    let err = block_on(retired.fetch(&query().cursor(c.clone()))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCursor);
    assert!(err.to_string().contains("key 2"), "{err}");
    assert_eq!(retired.backend().calls(), 0);
}

#[test]
fn a_bit_flip_breaks_the_signature() {
    let e = engine(signed());
    let c = block_on(e.fetch(&query())).unwrap().next_cursor.unwrap();
    let mut raw = URL_SAFE_NO_PAD.decode(&c).unwrap();
    let last = raw.len() - 40; // inside the body, before the MAC
    raw[last] ^= 1;
    let before = e.backend().calls();
    let err = block_on(e.fetch(&query().cursor(URL_SAFE_NO_PAD.encode(raw)))).unwrap_err();
    assert!(err.to_string().contains("signature"), "{err}");
    assert_eq!(e.backend().calls(), before);
}

#[test]
fn cursors_expire() {
    let opts = signed().cursor_ttl(Duration::from_secs(600)).clock(test_clock);
    let e = engine(opts);
    let c = block_on(e.fetch(&query())).unwrap().next_cursor.unwrap();
    NOW.fetch_add(599, Ordering::SeqCst);
    assert!(block_on(e.fetch(&query().cursor(c.clone()))).is_ok());
    NOW.fetch_add(2, Ordering::SeqCst);
    let err = block_on(e.fetch(&query().cursor(c))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCursor);
    assert!(err.to_string().contains("expired"), "{err}");
}

#[test]
fn signed_and_unsigned_do_not_mix() {
    let unsigned = engine(Options::default());
    let signer = engine(signed());
    let u = block_on(unsigned.fetch(&query())).unwrap().next_cursor.unwrap();
    let s = block_on(signer.fetch(&query())).unwrap().next_cursor.unwrap();
    let e1 = block_on(signer.fetch(&query().cursor(u))).unwrap_err();
    assert!(e1.to_string().contains("not signed"), "{e1}");
    let e2 = block_on(unsigned.fetch(&query().cursor(s))).unwrap_err();
    assert!(e2.to_string().contains("no cursor keys"), "{e2}");
}

#[test]
fn short_secrets_are_refused() {
    assert_eq!(CursorKey::new(1, [0u8; 16]).unwrap_err().kind(), ErrorKind::InvalidQuery);
}

struct Fixture {
    engine: Engine<Faults<MemoryTable>>,
    valid: String,
    other_query: String,
    expected: Page,
}

/// One signed cursor (page 1 → page 2), its expected page 2, and a cursor of another query.
fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let engine = engine(signed());
        let valid = block_on(engine.fetch(&query())).unwrap().next_cursor.unwrap();
        let expected = block_on(engine.fetch(&query().cursor(valid.clone()))).unwrap();
        let other = query().filter(col("total").lt(9));
        let other_query = block_on(engine.fetch(&other)).unwrap().next_cursor.unwrap();
        Fixture { engine, valid, other_query, expected }
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    FlipBit(usize, u8),
    Truncate(usize),
    Splice(usize, usize),
    OtherQuery,
    RandomBytes(Vec<u8>),
    RandomText(String),
    StandardBase64,
    Unmodified,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<usize>(), 0u8..8).prop_map(|(i, b)| Mutation::FlipBit(i, b)),
        2 => any::<usize>().prop_map(Mutation::Truncate),
        2 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Splice(a, b)),
        1 => Just(Mutation::OtherQuery),
        2 => proptest::collection::vec(any::<u8>(), 0..200).prop_map(Mutation::RandomBytes),
        1 => "[ -~]{0,300}".prop_map(Mutation::RandomText),
        1 => Just(Mutation::StandardBase64),
        1 => Just(Mutation::Unmodified),
    ]
}

fn apply(m: &Mutation, f: &Fixture) -> String {
    let raw = URL_SAFE_NO_PAD.decode(&f.valid).unwrap();
    match m {
        Mutation::FlipBit(i, b) => {
            let mut r = raw.clone();
            let n = r.len();
            r[i % n] ^= 1 << b;
            URL_SAFE_NO_PAD.encode(r)
        }
        Mutation::Truncate(i) => f.valid[..i % f.valid.len()].to_owned(),
        Mutation::Splice(a, b) => {
            let other = URL_SAFE_NO_PAD.decode(&f.other_query).unwrap();
            let (a, b) = (a % raw.len(), b % other.len());
            URL_SAFE_NO_PAD.encode([&raw[..a], &other[b..]].concat())
        }
        Mutation::OtherQuery => f.other_query.clone(),
        Mutation::RandomBytes(bytes) => URL_SAFE_NO_PAD.encode(bytes),
        Mutation::RandomText(t) => t.clone(),
        Mutation::StandardBase64 => STANDARD.encode(raw),
        Mutation::Unmodified => f.valid.clone(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(10_000),
        ..ProptestConfig::default()
    })]

    /// Every mutated cursor is a typed error that reaches no backend, except
    /// the unmodified one, which gives exactly the right page.
    #[test]
    fn mutated_cursors_are_rejected_before_any_read(m in mutation()) {
        let f = fixture();
        let token = apply(&m, f);
        let before = f.engine.backend().calls();
        let r = block_on(f.engine.fetch(&query().cursor(token.clone())));
        if token == f.valid {
            prop_assert_eq!(r.unwrap().rows, f.expected.rows.clone());
        } else {
            let err = r.expect_err("a modified cursor must be rejected");
            prop_assert_eq!(err.kind(), ErrorKind::InvalidCursor, "{:?}: {}", m, err);
            prop_assert_eq!(f.engine.backend().calls(), before, "a rejected cursor reached the backend");
        }
    }

    /// Without a key, a forged but well-formed cursor — any position, any
    /// sizing hint — can move the position, but every row it returns still
    /// passes the query's filter, in order.
    #[test]
    fn forged_cursors_never_widen_the_result(
        (scanned, matched) in (0u32..=400).prop_flat_map(|s| (Just(s), 0..=s)),
        shares in proptest::option::of(proptest::collection::vec(any::<u8>(), 64)),
        values in proptest::collection::vec(prop_oneof![
            Just(None),
            any::<bool>().prop_map(|b| Some(Value::Bool(b))),
            (-5i64..25).prop_map(|n| Some(Value::from(n))),
            "[a-z0-9]{0,6}".prop_map(|s| Some(Value::from(s))),
            proptest::collection::vec(any::<u8>(), 0..4).prop_map(|b| Some(Value::B(b))),
        ], 3),
    ) {
        let e = engine(Options::default());
        let plan = e.plan(&query()).unwrap();
        // Version 3: fingerprint, the sizing hint, then the order values.
        let mut body = vec![3u8];
        body.extend_from_slice(&plan.fingerprint());
        body.extend_from_slice(&matched.to_be_bytes());
        body.extend_from_slice(&scanned.to_be_bytes());
        let shares: Vec<u8> = shares.map(|s| s.into_iter().cycle().take(plan.streams().len()).collect()).unwrap_or_default();
        body.extend_from_slice(&(shares.len() as u16).to_be_bytes());
        body.extend_from_slice(&shares);
        body.extend_from_slice(&(plan.order().len() as u16).to_be_bytes());
        for v in values.iter().take(plan.order().len()) {
            match v {
                None => body.push(0),
                Some(Value::Bool(b)) => body.push(1 + u8::from(*b)),
                Some(Value::N(n)) => {
                    let t = n.to_string();
                    body.push(3);
                    body.extend_from_slice(&(t.len() as u16).to_be_bytes());
                    body.extend_from_slice(t.as_bytes());
                }
                Some(Value::S(s)) => {
                    body.push(4);
                    body.extend_from_slice(&(s.len() as u32).to_be_bytes());
                    body.extend_from_slice(s.as_bytes());
                }
                Some(Value::B(b)) => {
                    body.push(5);
                    body.extend_from_slice(&(b.len() as u32).to_be_bytes());
                    body.extend_from_slice(b);
                }
                Some(_) => unreachable!(),
            }
        }
        let page = match block_on(e.fetch(&query().cursor(URL_SAFE_NO_PAD.encode(body)))) {
            Ok(page) => page,
            // Key values DynamoDB would not take (wrong type, empty, missing)
            // are refused before any request.
            Err(err) => {
                prop_assert_eq!(err.kind(), dynaquery::ErrorKind::InvalidCursor, "{}", err);
                prop_assert!(err.message().contains("key attribute"), "{}", err);
                return Ok(());
            }
        };
        let filter = query().get_filter().cloned().unwrap();
        let full = reference::run(&query(), &["order_id"], &items());
        let mut last_pos = None;
        for row in &page.rows {
            prop_assert_eq!(reference::eval(&filter, row), Some(true), "{:?} fails the filter", row);
            let pos = full.iter().position(|r| r == row);
            prop_assert!(pos.is_some());
            prop_assert!(last_pos < pos, "rows out of order");
            last_pos = pos;
        }
    }
}

/// A stream whose constant column sorts after the cursor's (status
/// `refunded` after a cursor on `paid`), on an index that serves the whole
/// order `s, status, id`: the stream does not hold the cursor's position,
/// so it must not resume right after the cursor's `(s, id)` — that skipped
/// `refunded` rows with the cursor's `s` and a smaller `id`.
#[test]
fn a_stream_past_the_cursor_on_a_constant_column_reads_its_whole_run() {
    let schema = dynaquery::Schema::new("t", dynaquery::KeyAttribute::s("id"))
        .index(dynaquery::Index::gsi(
            "by_status_s_id",
            [dynaquery::KeyAttribute::s("status")],
            [dynaquery::KeyAttribute::n("s"), dynaquery::KeyAttribute::s("id")],
        ))
        .always_present(["s"]);
    let items: Vec<dynaquery::Item> = [("i000", "paid", 0), ("i001", "refunded", 2), ("i002", "paid", 2)]
        .into_iter()
        .map(|(id, status, s)| {
            dynaquery::item([("id", id.into()), ("status", status.into()), ("s", dynaquery::Value::from(s))])
        })
        .collect();
    let table = dynaquery::MemoryTable::new(schema.clone());
    for it in &items {
        table.put(it.clone()).unwrap();
    }
    let engine = dynaquery::Engine::new(schema, table);
    let q = dynaquery::Query::new()
        .filter(dynaquery::col("status").is_in(["paid", "refunded"]))
        .order_by(dynaquery::asc("s"))
        .order_by(dynaquery::asc("status"))
        .limit(1);
    let got = block_on(common::all_pages(&engine, &q, 10)).unwrap();
    let ids: Vec<String> = got.iter().map(|r| r["id"].to_string()).collect();
    assert_eq!(ids, ["\"i000\"", "\"i002\"", "\"i001\""]);
    assert_eq!(got, reference::run(&q, &["id"], &items));
}
