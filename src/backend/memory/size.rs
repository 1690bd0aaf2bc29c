//! Item sizes and read capacity, counted the way DynamoDB (Local) counts them.
//!
//! Measured on DynamoDB Local 3.3.0 through the write capacity of `PutItem`:
//! an item's size is the sum, over its attributes, of the name's UTF-8
//! length and the value's size, where
//!
//! - `S`: UTF-8 bytes; `B`: bytes; `BOOL` and `NULL`: 1 byte;
//! - `N`: 1 byte, plus one byte per base-100 digit pair of the decimal
//!   (pairs aligned on the decimal point, leading and trailing zero pairs
//!   dropped), plus 1 when negative: `12` is 2 bytes, `123` and `1.5` are 3,
//!   `-12345` is 5, zero is 1, a 38-digit integer is 20;
//! - `L`: 3 bytes plus, per element, its size plus 1;
//! - `M`: 3 bytes plus, per entry, the key's length, the value's size and 1;
//! - `SS`, `NS`, `BS`: the sum of the elements' sizes.

use crate::value::{Item, Number, Value};

/// Largest item DynamoDB stores: 400 KB.
pub(crate) const MAX_ITEM_BYTES: usize = 400 * 1024;

/// One read capacity unit covers 4 KB of a strongly consistent read.
const RCU_BYTES: usize = 4096;

/// The size DynamoDB charges for `item`.
pub(crate) fn item_size(item: &Item) -> usize {
    item.iter().map(|(name, value)| name.len() + value_size(value)).sum()
}

/// The size of one attribute value.
pub(crate) fn value_size(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) => 1,
        Value::N(n) => number_size(n),
        Value::S(s) => s.len(),
        Value::B(b) => b.len(),
        Value::L(list) => 3 + list.iter().map(|v| value_size(v) + 1).sum::<usize>(),
        Value::M(map) => 3 + map.iter().map(|(k, v)| k.len() + value_size(v) + 1).sum::<usize>(),
        Value::Ss(set) => set.iter().map(String::len).sum(),
        Value::Ns(set) => set.iter().map(number_size).sum(),
        Value::Bs(set) => set.iter().map(Vec::len).sum(),
    }
}

/// `1 + base-100 digits (+1 if negative)`; zero is 1 byte.
fn number_size(n: &Number) -> usize {
    let digits = n.digits().len() as i64;
    if digits == 0 {
        return 1;
    }
    // The value is 0.d1d2…dn × 10^e: digit i sits at power e - i.
    let e = i64::from(n.exponent());
    let high = (e - 1).div_euclid(2);
    let low = (e - digits).div_euclid(2);
    let pairs = (high - low + 1) as usize;
    1 + pairs + usize::from(n.is_negative())
}

/// 4 KB units covering `bytes`, rounded up.
pub(crate) fn units(bytes: usize) -> usize {
    bytes.div_ceil(RCU_BYTES)
}

/// Eventually consistent read capacity for `units` 4 KB units.
pub(crate) fn rcu(units: usize) -> f64 {
    units as f64 * 0.5
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn n(s: &str) -> Value {
        Value::number(s).unwrap()
    }

    /// Sizes measured on DynamoDB Local 3.3.0 (PutItem write capacity boundary).
    #[test]
    fn number_sizes_match_dynamodb_local() {
        for (text, size) in [
            ("1", 2),
            ("12", 2),
            ("123", 3),
            ("1234", 3),
            ("12345", 4),
            ("100000", 2),
            ("1e30", 2),
            ("-1", 3),
            ("-12345", 5),
            ("0", 1),
            ("0.001", 2),
            ("1.5", 3),
            ("11111111111111111111111111111111111111", 20),
            ("1111111111111111111111111111111111111", 20),
        ] {
            assert_eq!(value_size(&n(text)), size, "{text}");
        }
    }

    #[test]
    fn document_sizes_match_dynamodb_local() {
        let s = |x: &str| Value::from(x);
        assert_eq!(value_size(&Value::B(b"abc".to_vec())), 3);
        assert_eq!(value_size(&Value::Bool(true)), 1);
        assert_eq!(value_size(&Value::Null), 1);
        assert_eq!(value_size(&s("\u{e9}")), 2);
        assert_eq!(value_size(&Value::L(vec![])), 3);
        assert_eq!(value_size(&Value::L(vec![s("a")])), 5);
        assert_eq!(value_size(&Value::L(vec![s("a"), s("b")])), 7);
        assert_eq!(value_size(&Value::L(vec![Value::L(vec![])])), 7);
        assert_eq!(value_size(&Value::M(BTreeMap::new())), 3);
        let m: BTreeMap<String, Value> = [("kk".to_owned(), s("a")), ("k".to_owned(), n("1"))].into();
        assert_eq!(value_size(&Value::M(m)), 11);
        let ss: BTreeSet<String> = ["a".to_owned(), "bb".to_owned()].into();
        assert_eq!(value_size(&Value::Ss(ss)), 3);
        let ns =
            [n("1"), n("12345")].into_iter().map(|v| if let Value::N(x) = v { x } else { unreachable!() });
        assert_eq!(value_size(&Value::Ns(ns.collect())), 6);
        assert_eq!(item_size(&crate::item([("pk", s("a"))])), 3);
    }

    #[test]
    fn capacity_rounds_the_sum_up_to_4kb() {
        assert_eq!(rcu(units(0)), 0.0);
        assert_eq!(rcu(units(8194)), 1.5);
        assert_eq!(rcu(units(1_048_576)), 128.0);
    }
}
