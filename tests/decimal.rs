//! The `rust_decimal` feature: `Decimal` ↔ `Number`, exactly, and a filter
//! on a `Decimal` value.
#![cfg(feature = "rust_decimal")]

use dynaquery::{col, item, Engine, KeyAttribute, MemoryTable, Number, NumberError, Query, Schema, Value};
use futures::executor::block_on;
use rust_decimal::Decimal;

#[test]
fn decimals_convert_exactly_both_ways() {
    for (d, text) in [
        (Decimal::new(1999, 2), "19.99"),
        (Decimal::new(-5, 28), "-0.0000000000000000000000000005"),
        (Decimal::MAX, "79228162514264337593543950335"),
        (Decimal::MIN, "-79228162514264337593543950335"),
        (Decimal::new(1000, 1), "100"),
        (Decimal::ZERO, "0"),
        (Decimal::new(-0, 3), "0"),
    ] {
        let n = Number::from(d);
        assert_eq!(n.to_string(), text);
        assert_eq!(n, text.parse::<Number>().unwrap(), "normalized as parsing does");
        assert_eq!(Decimal::try_from(&n).unwrap(), d.normalize());
    }
    let too_big: Number = "1E+29".parse().unwrap();
    assert!(matches!(Decimal::try_from(too_big), Err(NumberError::OutOfRange(_))));
    let too_precise: Number = "0.12345678901234567890123456789012345678".parse().unwrap();
    assert!(Decimal::try_from(&too_precise).is_err());
}

#[test]
fn a_decimal_filters_as_the_same_number() {
    let schema = Schema::new("orders", KeyAttribute::s("order_id"));
    let t = MemoryTable::new(schema.clone());
    for (id, total) in [("a", "19.98"), ("b", "19.99"), ("c", "20")] {
        t.put(item([("order_id", Value::from(id)), ("total", Value::number(total).unwrap())])).unwrap();
    }
    let q = Query::new().filter(col("total").ge(Decimal::new(1999, 2))).allow_scan(true);
    let page = block_on(Engine::new(schema, t).fetch(&q)).unwrap();
    let ids: Vec<_> = page.rows.iter().map(|r| r["order_id"].clone()).collect();
    assert_eq!(ids, [Value::from("b"), Value::from("c")]);
}
