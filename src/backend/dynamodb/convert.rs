//! `Value` ↔ `aws_sdk_dynamodb::types::AttributeValue`, exactly (numbers
//! through [`Number`], never `f64`).

use std::collections::HashMap;

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::error::{Error, ErrorKind, Result};
use crate::value::{Item, Number, Value};

/// Converts a [`Value`] to the SDK's `AttributeValue`.
pub fn to_attribute_value(v: &Value) -> AttributeValue {
    match v {
        Value::Null => AttributeValue::Null(true),
        Value::Bool(b) => AttributeValue::Bool(*b),
        Value::N(n) => AttributeValue::N(n.to_string()),
        Value::S(s) => AttributeValue::S(s.clone()),
        Value::B(b) => AttributeValue::B(Blob::new(b.clone())),
        Value::L(l) => AttributeValue::L(l.iter().map(to_attribute_value).collect()),
        Value::M(m) => AttributeValue::M(m.iter().map(|(k, v)| (k.clone(), to_attribute_value(v))).collect()),
        Value::Ss(s) => AttributeValue::Ss(s.iter().cloned().collect()),
        Value::Ns(s) => AttributeValue::Ns(s.iter().map(Number::to_string).collect()),
        Value::Bs(s) => AttributeValue::Bs(s.iter().map(|b| Blob::new(b.clone())).collect()),
    }
}

fn number(text: &str) -> Result<Number> {
    text.parse().map_err(|e: crate::value::NumberError| {
        Error::new(ErrorKind::Backend, format!("DynamoDB returned a number dynaquery cannot read: {e}"))
            .with_source(e)
    })
}

/// Converts the SDK's `AttributeValue` to a [`Value`].
///
/// # Errors
/// [`ErrorKind::Backend`] for a malformed number or a type this SDK version
/// does not know.
pub fn from_attribute_value(v: &AttributeValue) -> Result<Value> {
    Ok(match v {
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::Bool(b) => Value::Bool(*b),
        AttributeValue::N(n) => Value::N(number(n)?),
        AttributeValue::S(s) => Value::S(s.clone()),
        AttributeValue::B(b) => Value::B(b.as_ref().to_vec()),
        AttributeValue::L(l) => Value::L(l.iter().map(from_attribute_value).collect::<Result<_>>()?),
        AttributeValue::M(m) => {
            Value::M(m.iter().map(|(k, v)| Ok((k.clone(), from_attribute_value(v)?))).collect::<Result<_>>()?)
        }
        AttributeValue::Ss(s) => Value::Ss(s.iter().cloned().collect()),
        AttributeValue::Ns(s) => Value::Ns(s.iter().map(|n| number(n)).collect::<Result<_>>()?),
        AttributeValue::Bs(s) => Value::Bs(s.iter().map(|b| b.as_ref().to_vec()).collect()),
        other => {
            return Err(Error::new(
                ErrorKind::Backend,
                format!(
                    "DynamoDB returned an attribute type this version of dynaquery does not know: {other:?}"
                ),
            ))
        }
    })
}

/// Converts an [`Item`] to the SDK's item map (what `PutItem` and
/// `ExclusiveStartKey` take). Not to be confused with
/// [`to_item`](crate::to_item), which serializes your own types.
pub fn to_attribute_map(item: &Item) -> HashMap<String, AttributeValue> {
    item.iter().map(|(k, v)| (k.clone(), to_attribute_value(v))).collect()
}

/// Converts the SDK's item map (what `GetItem`, `Query` and `Scan`
/// return) to an [`Item`]. Not to be confused with
/// [`from_item`](crate::from_item), which deserializes into your own types.
///
/// # Errors
/// As [`from_attribute_value`].
pub fn from_attribute_map(item: &HashMap<String, AttributeValue>) -> Result<Item> {
    item.iter().map(|(k, v)| Ok((k.clone(), from_attribute_value(v)?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_type() {
        let n: Number = "-12345678901234567890123456789012345678".parse().unwrap();
        let v = Value::M(
            [
                ("n".to_owned(), Value::N(n.clone())),
                ("s".to_owned(), Value::from("x")),
                ("b".to_owned(), Value::B(vec![0, 255])),
                ("null".to_owned(), Value::Null),
                ("l".to_owned(), Value::L(vec![Value::Bool(true), Value::from(1)])),
                ("ss".to_owned(), Value::Ss(["a".to_owned()].into())),
                ("ns".to_owned(), Value::Ns([n].into())),
                ("bs".to_owned(), Value::Bs([vec![1u8]].into())),
            ]
            .into(),
        );
        assert_eq!(from_attribute_value(&to_attribute_value(&v)).unwrap(), v);
    }

    #[test]
    fn bad_numbers_are_errors_not_panics() {
        let e = from_attribute_value(&AttributeValue::N("1e".into())).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Backend);
    }
}
