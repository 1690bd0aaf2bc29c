//! The `--schema` file: a table's schema as JSON, in the library's own
//! format (`dynaquery`'s `serde` feature: `Schema` is `Serialize` and
//! `Deserialize`).
//!
//! ```json
//! {
//!   "table": "orders",
//!   "partition_key": [{"name": "order_id", "type": "S"}],
//!   "sort_key": [],
//!   "indexes": [
//!     {
//!       "name": "status-created_at",
//!       "kind": "GSI",
//!       "partition_key": [{"name": "status", "type": "S"}],
//!       "sort_key": [{"name": "created_at", "type": "S"}],
//!       "projection": "ALL"
//!     }
//!   ],
//!   "always_present": ["status", "created_at"]
//! }
//! ```
//!
//! Types are `S`, `N` or `B`. `kind` is `GSI` (up to four partition and
//! four sort attributes) or `LSI` (one sort attribute; its partition key is
//! the table's, so `partition_key` is omitted). `projection` is `ALL` (the
//! default), `KEYS_ONLY` or `INCLUDE` with `"non_key_attributes": [...]`.
//! `sort_key`, `indexes` and `always_present` may be omitted.
//! `dynaquery describe --format json` prints this format.

use dynaquery::Schema;

/// Parses a schema file's text.
///
/// # Errors
/// A message naming what is wrong (serde's, with line and column, or a rule).
pub fn parse(text: &str) -> Result<Schema, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// The schema as a schema file's text.
pub fn to_json(schema: &Schema) -> String {
    serde_json::to_string_pretty(schema).unwrap_or_else(|_| "{}".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynaquery::{Index, KeyAttribute, Projection};

    const ORDERS: &str = r#"{
      "table": "orders",
      "partition_key": [{"name": "order_id", "type": "S"}],
      "indexes": [
        {"name": "status-created_at", "kind": "GSI",
         "partition_key": [{"name": "status", "type": "S"}],
         "sort_key": [{"name": "created_at", "type": "S"}]},
        {"name": "by-total", "kind": "LSI", "sort_key": [{"name": "total", "type": "N"}],
         "projection": "INCLUDE", "non_key_attributes": ["status"]}
      ],
      "always_present": ["status", "created_at"]
    }"#;

    #[test]
    fn parses_and_prints_back() {
        let s = parse(ORDERS).unwrap();
        let expected = Schema::new("orders", KeyAttribute::s("order_id"))
            .index(Index::gsi(
                "status-created_at",
                [KeyAttribute::s("status")],
                [KeyAttribute::s("created_at")],
            ))
            .index(
                Index::lsi("by-total", KeyAttribute::n("total"))
                    .projection(Projection::Include(["status".to_owned()].into())),
            )
            .always_present(["status", "created_at"]);
        assert_eq!(s, expected);
        assert_eq!(parse(&to_json(&s)).unwrap(), s);
    }

    #[test]
    fn rejects_what_dynamodb_would() {
        assert!(parse(r#"{"table": "t", "partition_key": []}"#).is_err());
        assert!(parse(r#"{"table": "t", "partition_key": [{"name": "a", "type": "X"}]}"#).is_err());
        assert!(parse(r#"{"table": "t", "partition_key": [{"name": "a", "type": "S"}], "extra": 1}"#)
            .unwrap_err()
            .contains("extra"));
        let lsi2 = r#"{"table": "t", "partition_key": [{"name": "a", "type": "S"}],
            "indexes": [{"name": "l", "kind": "LSI", "sort_key": []}]}"#;
        assert!(parse(lsi2).unwrap_err().contains("exactly one sort_key"));
    }
}
