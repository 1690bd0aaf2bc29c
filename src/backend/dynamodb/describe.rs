//! [`Schema`] from `DescribeTable`.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{KeySchemaElement, KeyType, ProjectionType, ScalarAttributeType};
use aws_sdk_dynamodb::Client;

use super::sdk_error;
use crate::error::{Error, ErrorKind, Result};
use crate::schema::{Index, IndexKind, KeyAttribute, KeySchema, Projection, ScalarType, Schema};

fn schema_error(table: &str, what: String) -> Error {
    Error::new(ErrorKind::Schema, format!("DescribeTable `{table}`: {what}"))
}

fn keys(table: &str, elements: &[KeySchemaElement], types: &HashMap<&str, ScalarType>) -> Result<KeySchema> {
    let mut key = KeySchema { partition: Vec::new(), sort: Vec::new() };
    for e in elements {
        let name = e.attribute_name();
        let ty = *types.get(name).ok_or_else(|| {
            schema_error(table, format!("key attribute `{name}` has no attribute definition"))
        })?;
        let attr = KeyAttribute { name: name.to_owned(), ty };
        match e.key_type() {
            KeyType::Hash => key.partition.push(attr),
            KeyType::Range => key.sort.push(attr),
            other => return Err(schema_error(table, format!("unknown key type {other:?} on `{name}`"))),
        }
    }
    if key.partition.is_empty() {
        return Err(schema_error(table, "a key without a partition (HASH) attribute".into()));
    }
    Ok(key)
}

fn projection(p: Option<&aws_sdk_dynamodb::types::Projection>) -> Projection {
    match p.and_then(|p| p.projection_type()) {
        Some(ProjectionType::KeysOnly) => Projection::KeysOnly,
        Some(ProjectionType::Include) => Projection::Include(
            p.map(|p| p.non_key_attributes().iter().cloned().collect()).unwrap_or_default(),
        ),
        _ => Projection::All,
    }
}

/// Loads the schema of `table`: key schema, GSIs (with multi-attribute
/// keys) and LSIs, with their projections. `always_present` is left empty:
/// declare such attributes with [`Schema::always_present`].
///
/// # Errors
/// [`ErrorKind::Backend`] when `DescribeTable` fails; [`ErrorKind::Schema`]
/// when the description is incomplete.
pub async fn load_schema(client: &Client, table: &str) -> Result<Schema> {
    let out = client
        .describe_table()
        .table_name(table)
        .send()
        .await
        .map_err(|e| sdk_error("DescribeTable", table, e))?;
    let d = out.table().ok_or_else(|| schema_error(table, "no table description returned".into()))?;
    let mut types = HashMap::new();
    for a in d.attribute_definitions() {
        let ty = match a.attribute_type() {
            ScalarAttributeType::S => ScalarType::S,
            ScalarAttributeType::N => ScalarType::N,
            ScalarAttributeType::B => ScalarType::B,
            other => return Err(schema_error(table, format!("unknown attribute type {other:?}"))),
        };
        types.insert(a.attribute_name(), ty);
    }
    let primary = keys(table, d.key_schema(), &types)?;
    let mut indexes = Vec::new();
    for g in d.global_secondary_indexes() {
        indexes.push(Index {
            name: g.index_name().unwrap_or_default().to_owned(),
            kind: IndexKind::Global,
            key: keys(table, g.key_schema(), &types)?,
            projection: projection(g.projection()),
            sharding: None,
        });
    }
    for l in d.local_secondary_indexes() {
        indexes.push(Index {
            name: l.index_name().unwrap_or_default().to_owned(),
            kind: IndexKind::Local,
            key: keys(table, l.key_schema(), &types)?,
            projection: projection(l.projection()),
            sharding: None,
        });
    }
    Ok(Schema {
        table: d.table_name().unwrap_or(table).to_owned(),
        primary,
        indexes,
        always_present: Default::default(),
        entity: None,
    })
}

/// Checks `schema` against the table's real one before any query runs.
///
/// # Errors
/// [`ErrorKind::Schema`] listing the differences; [`ErrorKind::Backend`]
/// when `DescribeTable` fails.
pub async fn verify_schema(client: &Client, schema: &Schema) -> Result<()> {
    schema.check_matches(&load_schema(client, &schema.table).await?)
}
