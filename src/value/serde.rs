//! Items to and from the caller's own types, through serde_dynamo.

use std::collections::HashMap;

use serde_dynamo::AttributeValue as Av;

use super::{Item, Number, Value};
use crate::error::{Error, ErrorKind, Result};

fn to_av(v: Value) -> Av {
    match v {
        Value::Null => Av::Null(true),
        Value::Bool(b) => Av::Bool(b),
        Value::N(n) => Av::N(n.to_string()),
        Value::S(s) => Av::S(s),
        Value::B(b) => Av::B(b),
        Value::L(l) => Av::L(l.into_iter().map(to_av).collect()),
        Value::M(m) => Av::M(m.into_iter().map(|(k, v)| (k, to_av(v))).collect()),
        Value::Ss(s) => Av::Ss(s.into_iter().collect()),
        Value::Ns(s) => Av::Ns(s.into_iter().map(|n| n.to_string()).collect()),
        Value::Bs(s) => Av::Bs(s.into_iter().collect()),
    }
}

fn number(s: &str) -> Result<Number> {
    s.parse()
        .map_err(|e: super::NumberError| Error::new(ErrorKind::Deserialize, e.to_string()).with_source(e))
}

fn from_av(v: Av) -> Result<Value> {
    Ok(match v {
        Av::Null(_) => Value::Null,
        Av::Bool(b) => Value::Bool(b),
        Av::N(n) => Value::N(number(&n)?),
        Av::S(s) => Value::S(s),
        Av::B(b) => Value::B(b),
        Av::L(l) => Value::L(l.into_iter().map(from_av).collect::<Result<_>>()?),
        Av::M(m) => Value::M(m.into_iter().map(|(k, v)| Ok((k, from_av(v)?))).collect::<Result<_>>()?),
        Av::Ss(s) => Value::Ss(s.into_iter().collect()),
        Av::Ns(s) => Value::Ns(s.iter().map(|n| number(n)).collect::<Result<_>>()?),
        Av::Bs(s) => Value::Bs(s.into_iter().collect()),
    })
}

/// Serializes a value of the caller's type into an [`Item`].
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Order { order_id: String, total: u32 }
/// let it = dynaquery::to_item(&Order { order_id: "o-1".into(), total: 42 }).unwrap();
/// assert_eq!(it["total"], dynaquery::Value::from(42));
/// ```
///
/// # Errors
/// [`ErrorKind::Deserialize`] when the value does not serialize to a map, or
/// holds a number DynamoDB cannot store.
pub fn to_item<T: serde::Serialize + ?Sized>(value: &T) -> Result<Item> {
    let raw: HashMap<String, Av> = serde_dynamo::to_item(value).map_err(|e| {
        Error::new(ErrorKind::Deserialize, format!("cannot serialize item: {e}")).with_source(e)
    })?;
    raw.into_iter().map(|(k, v)| Ok((k, from_av(v)?))).collect()
}

/// Deserializes an [`Item`] into the caller's type.
///
/// # Errors
/// [`ErrorKind::Deserialize`] when the item does not fit `T`.
pub fn from_item<T: serde::de::DeserializeOwned>(item: Item) -> Result<T> {
    let raw: HashMap<String, Av> = item.into_iter().map(|(k, v)| (k, to_av(v))).collect();
    serde_dynamo::from_item(raw).map_err(|e| {
        Error::new(ErrorKind::Deserialize, format!("a row does not fit the requested type: {e}"))
            .with_source(e)
    })
}
