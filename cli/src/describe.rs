//! `dynaquery describe`: the schema as dynaquery sees it.

use std::fmt::Write as _;

use dynaquery::{IndexKind, KeySchema, Projection, Schema};

fn key(k: &KeySchema) -> String {
    let attrs = |a: &[dynaquery::KeyAttribute]| {
        a.iter().map(|a| format!("{} {}", a.name, a.ty.as_str())).collect::<Vec<_>>().join(", ")
    };
    if k.sort.is_empty() {
        format!("partition ({})", attrs(&k.partition))
    } else {
        format!("partition ({}), sort ({})", attrs(&k.partition), attrs(&k.sort))
    }
}

/// The schema for people:
///
/// ```text
/// table orders
///   primary key: partition (order_id S)
///   index status-created_at: GSI, partition (status S), sort (created_at S), projection ALL
///   always present: created_at, status
/// ```
pub fn text(schema: &Schema) -> String {
    let mut out = format!("table {}\n  primary key: {}\n", schema.table, key(&schema.primary));
    for ix in &schema.indexes {
        let kind = match ix.kind {
            IndexKind::Global => "GSI",
            IndexKind::Local => "LSI",
        };
        let projection = match &ix.projection {
            Projection::All => "ALL".to_owned(),
            Projection::KeysOnly => "KEYS_ONLY".to_owned(),
            Projection::Include(a) => {
                format!("INCLUDE ({})", a.iter().cloned().collect::<Vec<_>>().join(", "))
            }
        };
        let _ = writeln!(out, "  index {}: {kind}, {}, projection {projection}", ix.name, key(&ix.key));
    }
    if schema.indexes.is_empty() {
        out.push_str("  no secondary index\n");
    }
    if schema.always_present.is_empty() {
        out.push_str("  always present: none declared (see --always-present)\n");
    } else {
        let names: Vec<&str> = schema.always_present.iter().map(String::as_str).collect();
        let _ = writeln!(out, "  always present: {}", names.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynaquery::{Index, KeyAttribute};

    #[test]
    fn lists_keys_indexes_and_promises() {
        let s = Schema::new("orders", KeyAttribute::s("order_id"))
            .index(Index::gsi(
                "status-created_at",
                [KeyAttribute::s("status")],
                [KeyAttribute::s("created_at")],
            ))
            .index(Index::lsi("by-total", KeyAttribute::n("total")).projection(Projection::KeysOnly))
            .always_present(["status", "created_at"]);
        assert_eq!(
            text(&s),
            "table orders\n  primary key: partition (order_id S)\n  \
             index status-created_at: GSI, partition (status S), sort (created_at S), projection ALL\n  \
             index by-total: LSI, partition (order_id S), sort (total N), projection KEYS_ONLY\n  \
             always present: created_at, status\n"
        );
    }
}
