//! The `serde` feature for values: a [`Value`] is DynamoDB JSON
//! (`{"S": "x"}`, `{"N": "19.99"}`, `{"B": "<base64>"}`…), so numbers
//! travel exactly, as strings, and an [`Item`](super::Item) is a map of
//! them — the format of DynamoDB's own API, its CLI and its exports.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Number, Value};

impl Serialize for Number {
    /// As a string (`"19.99"`): exact, whatever the format's own numbers are.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Number {
    /// From a string (`"19.99"`, exact) or an integer; a float is refused
    /// (it may already have lost digits: send the number as a string).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Number;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a DynamoDB number as a string, such as \"19.99\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Number, E> {
                v.parse().map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Number, E> {
                Ok(Number::from(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Number, E> {
                Ok(Number::from(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Number, E> {
                Err(E::custom(format!(
                    "the number {v} came as a float, which may have lost digits; send it as a string"
                )))
            }
        }
        d.deserialize_any(V)
    }
}

/// Bytes as standard base64, as DynamoDB JSON writes them.
struct B64<'a>(&'a [u8]);

impl Serialize for B64<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(self.0))
    }
}

fn unbase64<E: de::Error>(text: &str) -> Result<Vec<u8>, E> {
    STANDARD.decode(text).map_err(|e| E::custom(format!("binary value is not standard base64: {e}")))
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        let tag = self.attr_type().as_str();
        match self {
            Value::Null => m.serialize_entry(tag, &true)?,
            Value::Bool(b) => m.serialize_entry(tag, b)?,
            Value::N(n) => m.serialize_entry(tag, n)?,
            Value::S(v) => m.serialize_entry(tag, v)?,
            Value::B(b) => m.serialize_entry(tag, &B64(b))?,
            Value::L(l) => m.serialize_entry(tag, l)?,
            Value::M(v) => m.serialize_entry(tag, v)?,
            Value::Ss(v) => m.serialize_entry(tag, v)?,
            Value::Ns(v) => m.serialize_entry(tag, v)?,
            Value::Bs(v) => m.serialize_entry(tag, &v.iter().map(|b| B64(b)).collect::<Vec<_>>())?,
        }
        m.end()
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a DynamoDB JSON value: a map with one key, S, N, B, BOOL, NULL, L, M, SS, NS or BS",
                )
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
                let Some(tag) = map.next_key::<String>()? else {
                    return Err(de::Error::custom("an empty map is not a DynamoDB value"));
                };
                let v = match tag.as_str() {
                    "NULL" => {
                        if !map.next_value::<bool>()? {
                            return Err(de::Error::custom("{\"NULL\": false} is not a DynamoDB value"));
                        }
                        Value::Null
                    }
                    "BOOL" => Value::Bool(map.next_value()?),
                    "N" => Value::N(map.next_value()?),
                    "S" => Value::S(map.next_value()?),
                    "B" => Value::B(unbase64(&map.next_value::<String>()?)?),
                    "L" => Value::L(map.next_value()?),
                    "M" => Value::M(map.next_value::<BTreeMap<String, Value>>()?),
                    "SS" => Value::Ss(map.next_value::<BTreeSet<String>>()?),
                    "NS" => Value::Ns(map.next_value::<BTreeSet<Number>>()?),
                    "BS" => Value::Bs(
                        map.next_value::<Vec<String>>()?
                            .iter()
                            .map(|b| unbase64(b))
                            .collect::<Result<_, _>>()?,
                    ),
                    other => {
                        return Err(de::Error::unknown_variant(
                            other,
                            &["S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"],
                        ))
                    }
                };
                if map.next_key::<String>()?.is_some() {
                    return Err(de::Error::custom(format!(
                        "a DynamoDB value has one type key; `{tag}` came with another"
                    )));
                }
                Ok(v)
            }
        }
        d.deserialize_map(V)
    }
}
