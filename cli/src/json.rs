//! Values to and from JSON.
//!
//! Output rows are *plain* JSON, one object per row, keys in name order:
//!
//! | DynamoDB | JSON |
//! |---|---|
//! | `S` | string |
//! | `N` | number, written with its exact decimal digits (`12345678901234567890123456789.123456789`, never through `f64`) |
//! | `BOOL` | `true` / `false` |
//! | `NULL` | `null` |
//! | `B` | string: standard base64 |
//! | `L` | array |
//! | `M` | object |
//! | `SS`, `NS`, `BS` | array of strings, numbers, base64 strings |
//!
//! Input items (`--memory`) are *DynamoDB JSON*, the format of
//! `aws dynamodb scan` and of DynamoDB's export to S3: every value is typed,
//! `{"S": "paid"}`, `{"N": "19.99"}` (numbers as strings, so exact),
//! `{"B": "<base64>"}`, `{"BOOL": true}`, `{"NULL": true}`, `{"L": [...]}`,
//! `{"M": {...}}`, `{"SS": [...]}`, `{"NS": ["1", "2"]}`, `{"BS": [...]}`.

use std::fmt::Write as _;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use dynaquery::{Item, Number, Value};
use serde_json::Value as Json;

/// Appends `s` as a JSON string literal.
fn push_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `v` as plain JSON (see the module docs for the mapping).
pub fn push_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // `Number`'s Display is plain notation: optional `-`, digits, an
        // optional fraction; always a valid JSON number, and exact.
        Value::N(n) => {
            let _ = write!(out, "{n}");
        }
        Value::S(s) => push_str(out, s),
        Value::B(b) => push_str(out, &STANDARD.encode(b)),
        Value::L(l) => push_array(out, l.iter(), push_value),
        Value::M(m) => push_object(out, m.iter(), push_value),
        Value::Ss(s) => push_array(out, s.iter(), |o, s| push_str(o, s)),
        Value::Ns(s) => push_array(out, s.iter(), |o, n| {
            let _ = write!(o, "{n}");
        }),
        Value::Bs(s) => push_array(out, s.iter(), |o, b| push_str(o, &STANDARD.encode(b))),
    }
}

fn push_array<T>(out: &mut String, items: impl Iterator<Item = T>, mut each: impl FnMut(&mut String, T)) {
    out.push('[');
    for (i, x) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, x);
    }
    out.push(']');
}

/// Appends the fields as a JSON object, each value written by `each`.
fn push_object<'a>(
    out: &mut String,
    fields: impl Iterator<Item = (&'a String, &'a Value)>,
    each: fn(&mut String, &Value),
) {
    out.push('{');
    for (i, (k, v)) in fields.enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_str(out, k);
        out.push(':');
        each(out, v);
    }
    out.push('}');
}

/// One row as a plain JSON object on one line (no trailing newline).
pub fn row(item: &Item) -> String {
    let mut out = String::with_capacity(128);
    push_object(&mut out, item.iter(), push_value);
    out
}

/// Bytes as standard base64 (how binary values are written).
pub fn base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// A JSON string literal.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_str(&mut out, s);
    out
}

/// A value in plain JSON (for nested values in CSV and table cells).
pub fn value(v: &Value) -> String {
    let mut out = String::new();
    push_value(&mut out, v);
    out
}

/// A `--param` argument: a JSON string, number or boolean literal (or
/// `null`) is that type; anything else is a string as written.
///
/// # Errors
/// A number literal DynamoDB cannot store (over 38 digits, out of range).
pub fn param(text: &str) -> Result<Value, String> {
    if is_json_number(text) {
        // Parsed from the text itself, so the digits stay exact.
        return text.parse::<Number>().map(Value::N).map_err(|e| format!("--param {text}: {e}"));
    }
    match serde_json::from_str::<Json>(text) {
        Ok(Json::String(s)) => Ok(Value::S(s)),
        Ok(Json::Bool(b)) => Ok(Value::Bool(b)),
        Ok(Json::Null) => Ok(Value::Null),
        _ => Ok(Value::S(text.to_owned())),
    }
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, JSON's number grammar.
fn is_json_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b[int_start] == b'0') {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The members of a set, refused (as DynamoDB refuses them: "Input
/// collection contains duplicates") when two are equal (`"1"` and `"1.0"`
/// are one number).
fn set<T: Ord>(ty: &str, members: Vec<T>) -> Result<std::collections::BTreeSet<T>, String> {
    let n = members.len();
    let out: std::collections::BTreeSet<T> = members.into_iter().collect();
    if out.len() != n {
        return Err(format!(
            "the {ty} set has duplicate members; DynamoDB rejects it: list each member once"
        ));
    }
    Ok(out)
}

fn typed(v: &Json) -> Result<Value, String> {
    let Json::Object(m) = v else {
        return Err(format!("expected a typed DynamoDB-JSON value like {{\"S\": \"…\"}}, got {v}"));
    };
    let mut fields = m.iter();
    let (Some((ty, inner)), None) = (fields.next(), fields.next()) else {
        return Err(format!("a DynamoDB-JSON value has exactly one type key, got {v}"));
    };
    let string =
        |j: &Json| j.as_str().map(str::to_owned).ok_or_else(|| format!("{ty} needs a string, got {j}"));
    let number = |j: &Json| -> Result<Number, String> {
        let s = j
            .as_str()
            .ok_or_else(|| format!("N values are strings in DynamoDB JSON (so they stay exact), got {j}"))?;
        if s.trim() != s {
            // DynamoDB rejects them: "The parameter cannot be converted to a numeric value".
            return Err(format!(
                "the N value {s:?} has spaces around it; DynamoDB rejects it: write {:?}",
                s.trim()
            ));
        }
        s.parse::<Number>().map_err(|e| e.to_string())
    };
    let binary = |j: &Json| -> Result<Vec<u8>, String> {
        let s = j.as_str().ok_or_else(|| format!("B values are base64 strings, got {j}"))?;
        STANDARD.decode(s).map_err(|e| format!("B value {s:?} is not base64: {e}"))
    };
    fn list<'a>(ty: &str, j: &'a Json) -> Result<&'a Vec<Json>, String> {
        j.as_array().ok_or_else(|| format!("{ty} needs an array, got {j}"))
    }
    Ok(match ty.as_str() {
        "S" => Value::S(string(inner)?),
        "N" => Value::N(number(inner)?),
        "B" => Value::B(binary(inner)?),
        "BOOL" => {
            Value::Bool(inner.as_bool().ok_or_else(|| format!("BOOL needs true or false, got {inner}"))?)
        }
        "NULL" => Value::Null,
        "L" => Value::L(list(ty, inner)?.iter().map(typed).collect::<Result<_, _>>()?),
        "M" => Value::M(
            inner
                .as_object()
                .ok_or_else(|| format!("M needs an object, got {inner}"))?
                .iter()
                .map(|(k, v)| Ok((k.clone(), typed(v)?)))
                .collect::<Result<_, String>>()?,
        ),
        "SS" => Value::Ss(set(ty, list(ty, inner)?.iter().map(string).collect::<Result<_, _>>()?)?),
        "NS" => Value::Ns(set(ty, list(ty, inner)?.iter().map(number).collect::<Result<_, _>>()?)?),
        "BS" => Value::Bs(set(ty, list(ty, inner)?.iter().map(binary).collect::<Result<_, _>>()?)?),
        other => {
            return Err(format!("unknown DynamoDB type {other:?} (S, N, B, BOOL, NULL, L, M, SS, NS, BS)"))
        }
    })
}

/// One DynamoDB-JSON item: `{"attr": {"S": "…"}, …}`, or wrapped as
/// `{"Item": {…}}` the way DynamoDB's export to S3 writes it.
///
/// # Errors
/// What is malformed, and where.
pub fn dynamodb_item(text: &str) -> Result<Item, String> {
    let json: Json = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Json::Object(mut m) = json else { return Err("an item is a JSON object".into()) };
    if m.len() == 1 {
        if let Some(Json::Object(inner)) = m.get("Item") {
            // `{"Item": {"a": {"S": …}}}`, unless `Item` is itself an attribute.
            if typed(&Json::Object(inner.clone())).is_err() {
                m = inner.clone();
            }
        }
    }
    m.iter().map(|(k, v)| Ok((k.clone(), typed(v).map_err(|e| format!("attribute `{k}`: {e}"))?))).collect()
}

/// One item as DynamoDB JSON (the `--memory` input format), one line.
pub fn to_dynamodb_json(item: &Item) -> String {
    fn push(out: &mut String, v: &Value) {
        let scalar = |out: &mut String, ty: &str, body: &str| {
            let _ = write!(out, "{{\"{ty}\":{body}}}");
        };
        match v {
            Value::Null => scalar(out, "NULL", "true"),
            Value::Bool(b) => scalar(out, "BOOL", if *b { "true" } else { "false" }),
            Value::N(n) => scalar(out, "N", &string(&n.to_string())),
            Value::S(s) => scalar(out, "S", &string(s)),
            Value::B(b) => scalar(out, "B", &string(&STANDARD.encode(b))),
            Value::L(l) => {
                out.push_str("{\"L\":");
                push_array(out, l.iter(), push);
                out.push('}');
            }
            Value::M(m) => {
                out.push_str("{\"M\":");
                push_object(out, m.iter(), push);
                out.push('}');
            }
            Value::Ss(s) => {
                out.push_str("{\"SS\":");
                push_array(out, s.iter(), |o, s| push_str(o, s));
                out.push('}');
            }
            Value::Ns(s) => {
                out.push_str("{\"NS\":");
                push_array(out, s.iter(), |o, n| push_str(o, &n.to_string()));
                out.push('}');
            }
            Value::Bs(s) => {
                out.push_str("{\"BS\":");
                push_array(out, s.iter(), |o, b| push_str(o, &STANDARD.encode(b)));
                out.push('}');
            }
        }
    }
    let mut out = String::new();
    push_object(&mut out, item.iter(), push);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynaquery::item;

    fn n(s: &str) -> Value {
        Value::number(s).unwrap()
    }

    fn num(s: &str) -> Number {
        s.parse().unwrap()
    }

    #[test]
    fn numbers_stay_exact_in_rows() {
        let it = item([
            ("total", n("12345678901234567890123456789.123456789")),
            ("big", n("99999999999999999999999999999999999999")),
            ("tiny", n("1E-130")),
            ("neg", n("-0.5")),
        ]);
        assert_eq!(
            row(&it),
            format!(
                "{{\"big\":99999999999999999999999999999999999999,\"neg\":-0.5,\"tiny\":0.{}1,\
                 \"total\":12345678901234567890123456789.123456789}}",
                "0".repeat(129)
            )
        );
    }

    #[test]
    fn every_type_and_escapes() {
        let it = item([
            ("s", Value::from("a\"b\\c\nd\u{1}é😀")),
            ("b", Value::B(vec![0, 1, 255])),
            ("t", Value::Bool(true)),
            ("z", Value::Null),
            ("l", Value::L(vec![Value::from(1), Value::from("x")])),
            ("m", Value::M(item([("k", Value::from(2))]))),
            ("ss", Value::Ss(["a".to_owned(), "b".to_owned()].into())),
            ("ns", Value::Ns([num("1.5"), num("2")].into())),
        ]);
        assert_eq!(
            row(&it),
            r#"{"b":"AAH/","l":[1,"x"],"m":{"k":2},"ns":[1.5,2],"s":"a\"b\\c\nd\u0001é😀","ss":["a","b"],"t":true,"z":null}"#
        );
        // The output is JSON any parser reads.
        let parsed: Json = serde_json::from_str(&row(&it)).unwrap();
        assert_eq!(parsed["s"], Json::String("a\"b\\c\nd\u{1}é😀".into()));
    }

    #[test]
    fn params_by_literal_type() {
        assert_eq!(param("paid").unwrap(), Value::from("paid"));
        assert_eq!(param("\"42\"").unwrap(), Value::from("42"));
        assert_eq!(param("42").unwrap(), Value::from(42));
        assert_eq!(
            param("12345678901234567890123456789.123456789").unwrap(),
            n("12345678901234567890123456789.123456789")
        );
        assert_eq!(param("true").unwrap(), Value::Bool(true));
        assert_eq!(param("2026-11-24").unwrap(), Value::from("2026-11-24"));
        assert_eq!(param("").unwrap(), Value::from(""));
        assert!(param("1e999").is_err());
        assert_eq!(param("-0.5").unwrap(), n("-0.5"));
        assert_eq!(param("1E-100").unwrap(), n("1E-100"));
        for not_a_number in ["01", "1.", ".5", "+1", "1e", "0x10", "1 2", "-"] {
            assert_eq!(param(not_a_number).unwrap(), Value::from(not_a_number), "{not_a_number}");
        }
    }

    #[test]
    fn dynamodb_json_round_trips() {
        let it = item([
            ("id", Value::from("o-1")),
            ("total", n("12345678901234567890123456789.123456789")),
            ("b", Value::B(vec![1, 2])),
            ("ok", Value::Bool(false)),
            ("nothing", Value::Null),
            ("l", Value::L(vec![Value::from(1), Value::M(item([("x", Value::from("y"))]))])),
            ("ss", Value::Ss(["a".to_owned()].into())),
            ("ns", Value::Ns([num("-1"), num("0.25")].into())),
            ("bs", Value::Bs([vec![9u8]].into())),
        ]);
        let text = to_dynamodb_json(&it);
        assert_eq!(dynamodb_item(&text).unwrap(), it);
        assert_eq!(dynamodb_item(&format!("{{\"Item\":{text}}}")).unwrap(), it);
    }

    #[test]
    fn dynamodb_json_errors_say_where() {
        let e = dynamodb_item(r#"{"total": {"N": 1.5}}"#).unwrap_err();
        assert!(e.contains("attribute `total`") && e.contains("strings"), "{e}");
        assert!(dynamodb_item(r#"{"a": {"X": "1"}}"#).unwrap_err().contains("unknown DynamoDB type"));
        assert!(dynamodb_item(r#"{"a": "plain"}"#).is_err());
        assert!(dynamodb_item("[1]").is_err());
        assert!(dynamodb_item("{").unwrap_err().starts_with("not JSON"));
    }
}
