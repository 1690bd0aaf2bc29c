//! Output formats: aligned tables, JSON lines and CSV.

pub mod csv;
pub mod table;

use std::collections::BTreeSet;

use dynaquery::{Item, Schema, Value};

use crate::json;

/// The columns to print: the `SELECT` list as written; for `SELECT *`, the
/// union of the attributes of `rows` — the primary key first (in key
/// order), then every other attribute in name order.
pub fn columns(selected: Option<&[String]>, schema: &Schema, rows: &[Item]) -> Vec<String> {
    if let Some(sel) = selected {
        return sel.to_vec();
    }
    let keys: Vec<String> = schema.primary_key_names().map(str::to_owned).collect();
    let rest: BTreeSet<&String> = rows.iter().flat_map(|r| r.keys()).filter(|k| !keys.contains(k)).collect();
    keys.iter().cloned().chain(rest.into_iter().cloned()).collect()
}

/// A value as one cell of text: strings as they are, numbers with their
/// exact digits, booleans `true`/`false`, `NULL` as `NULL`, binary as
/// base64, lists, maps and sets as plain JSON.
pub fn cell(v: &Value) -> String {
    match v {
        Value::S(s) => s.clone(),
        Value::N(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "NULL".to_owned(),
        Value::B(b) => json::base64(b),
        _ => json::value(v),
    }
}
