//! The `tracing` feature: a `dynaquery.page` span per page and a
//! `dynaquery.request` span per backend request inside it, with the fields
//! the crate docs list. A hand-written `Subscriber` captures them.
#![cfg(feature = "tracing")]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use dynaquery::{col, desc, item, Engine, Index, KeyAttribute, MemoryTable, Query, Schema, Value};
use futures::executor::block_on;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

#[derive(Debug, Clone, Default)]
struct Captured {
    name: String,
    parent: Option<u64>,
    fields: BTreeMap<String, String>,
}

#[derive(Default)]
struct Capture {
    spans: Mutex<Vec<Captured>>,
    current: Mutex<Vec<u64>>,
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_owned(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_owned(), value.to_owned());
    }
}

/// The subscriber: a handle on the shared capture.
struct Sub(Arc<Capture>);

impl Subscriber for Sub {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut c = Captured { name: span.metadata().name().to_owned(), ..Captured::default() };
        span.record(&mut Fields(&mut c.fields));
        c.parent = match span.parent() {
            Some(p) => Some(p.into_u64()),
            None if span.is_contextual() => self.0.current.lock().unwrap().last().copied(),
            None => None,
        };
        let mut spans = self.0.spans.lock().unwrap();
        spans.push(c);
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.0.spans.lock().unwrap();
        values.record(&mut Fields(&mut spans[span.into_u64() as usize - 1].fields));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, _: &Event<'_>) {}
    fn enter(&self, span: &Id) {
        self.0.current.lock().unwrap().push(span.into_u64());
    }
    fn exit(&self, span: &Id) {
        let mut current = self.0.current.lock().unwrap();
        if let Some(i) = current.iter().rposition(|s| *s == span.into_u64()) {
            current.remove(i);
        }
    }
}

fn engine() -> Engine<MemoryTable> {
    let schema = Schema::new("orders", KeyAttribute::s("order_id"))
        .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]))
        .always_present(["status", "created_at"]);
    let t = MemoryTable::new(schema.clone());
    for i in 0..40 {
        t.put(item([
            ("order_id", Value::from(format!("o{i:02}"))),
            ("status", Value::from(if i % 2 == 0 { "paid" } else { "shipped" })),
            ("created_at", Value::from(format!("2026-11-{:02}", 1 + i % 20))),
        ]))
        .unwrap();
    }
    Engine::new(schema, t)
}

#[test]
fn a_page_span_holds_one_request_span_per_request_with_their_fields() {
    let capture = Arc::new(Capture::default());
    let engine = engine();
    let q =
        Query::new().filter(col("status").is_in(["paid", "shipped"])).order_by(desc("created_at")).limit(5);
    let (first, second) = tracing::subscriber::with_default(Sub(capture.clone()), || {
        let first = block_on(engine.fetch(&q)).unwrap();
        let second = block_on(engine.fetch(&q)).unwrap();
        (first, second)
    });
    let spans = capture.spans.lock().unwrap().clone();
    let pages: Vec<(usize, &Captured)> =
        spans.iter().enumerate().filter(|(_, s)| s.name == "dynaquery.page").collect();
    assert_eq!(pages.len(), 2, "{spans:#?}");
    for ((i, page), fetched) in pages.iter().zip([&first, &second]) {
        let f = &page.fields;
        assert_eq!(f["fingerprint"].len(), 32, "{f:?}");
        assert_eq!((f["table"].as_str(), f["index"].as_str()), ("orders", "status-created_at"));
        assert_eq!((f["streams"].as_str(), f["limit"].as_str()), ("2", "5"));
        assert_eq!(f["strategy"], format!("{:?}", engine.plan(&q).unwrap().strategy()));
        assert_eq!(f["rows"], fetched.stats.rows.to_string());
        assert_eq!(f["items_read"], fetched.stats.items_read.to_string());
        assert_eq!(f["round_trips"], fetched.stats.round_trips.to_string());
        assert_eq!(f["rcu"], format!("{:?}", fetched.stats.consumed_capacity.unwrap()));
        assert_eq!(f["sizing_start"], format!("{:?}", fetched.stats.sizing_start));
        // Its requests: children, one per backend call, with their fields.
        let requests: Vec<&Captured> = spans
            .iter()
            .filter(|s| s.name == "dynaquery.request" && s.parent == Some(*i as u64 + 1))
            .collect();
        for r in &requests {
            let f = &r.fields;
            assert!(f["stream"] == r#"status="paid""# || f["stream"] == r#"status="shipped""#, "{f:?}");
            assert!(f.get("limit").is_some_and(|l| l.parse::<u32>().is_ok()), "{f:?}");
        }
        // Requests that answered (a prefetch the page did not need may be
        // dropped unanswered) record what they read and how long it took.
        let answered: Vec<_> = requests.iter().filter(|r| r.fields.contains_key("scanned")).collect();
        assert!(answered.len() as u64 >= fetched.stats.calls, "{requests:#?}");
        for r in &answered {
            assert!(["returned", "more", "latency_us"].iter().all(|k| r.fields.contains_key(*k)), "{r:?}");
        }
        let scanned: u64 = answered.iter().map(|r| r.fields["scanned"].parse::<u64>().unwrap()).sum();
        assert!(scanned >= fetched.stats.items_read, "{scanned} vs {}", fetched.stats.items_read);
    }
    // The same query again starts warm, and the span says so.
    assert_eq!(pages[0].1.fields["sizing_start"], "Cold");
    assert_eq!(pages[1].1.fields["sizing_start"], "Warm");
}
