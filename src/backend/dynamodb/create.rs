//! `CreateTable` from a [`Schema`], for tests, examples and your own test setups.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, LocalSecondaryIndex,
    Projection as SdkProjection, ProjectionType, ScalarAttributeType, TableStatus,
};
use aws_sdk_dynamodb::Client;

use super::{sdk_error, sleep};
use crate::error::{Error, ErrorKind, Result};
use crate::schema::{IndexKind, KeySchema, Projection, ScalarType, Schema};

fn build_error(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::new(ErrorKind::Schema, format!("cannot describe the table to DynamoDB: {e}")).with_source(e)
}

fn key_elements(key: &KeySchema) -> Result<Vec<KeySchemaElement>> {
    let hash = key.partition.iter().map(|a| (a, KeyType::Hash));
    let range = key.sort.iter().map(|a| (a, KeyType::Range));
    hash.chain(range)
        .map(|(a, t)| {
            KeySchemaElement::builder().attribute_name(&a.name).key_type(t).build().map_err(build_error)
        })
        .collect()
}

fn projection(p: &Projection) -> SdkProjection {
    match p {
        Projection::All => SdkProjection::builder().projection_type(ProjectionType::All).build(),
        Projection::KeysOnly => SdkProjection::builder().projection_type(ProjectionType::KeysOnly).build(),
        Projection::Include(attrs) => SdkProjection::builder()
            .projection_type(ProjectionType::Include)
            .set_non_key_attributes(Some(attrs.iter().cloned().collect()))
            .build(),
    }
}

/// Creates the table described by `schema` (on-demand billing, every index),
/// and waits until it is `ACTIVE`.
///
/// # Errors
/// [`ErrorKind::Schema`] when a key attribute is declared with two types;
/// [`ErrorKind::Backend`] when DynamoDB refuses.
pub async fn create_table(client: &Client, schema: &Schema) -> Result<()> {
    let mut types: BTreeMap<&str, ScalarType> = BTreeMap::new();
    let keys = std::iter::once(&schema.primary).chain(schema.indexes.iter().map(|i| &i.key));
    for a in keys.flat_map(KeySchema::attributes) {
        if let Some(t) = types.insert(&a.name, a.ty) {
            if t != a.ty {
                return Err(Error::new(
                    ErrorKind::Schema,
                    format!(
                        "key attribute `{}` is declared as both {} and {}",
                        a.name,
                        t.as_str(),
                        a.ty.as_str()
                    ),
                ));
            }
        }
    }
    let definitions = types
        .iter()
        .map(|(name, ty)| {
            let t = match ty {
                ScalarType::S => ScalarAttributeType::S,
                ScalarType::N => ScalarAttributeType::N,
                ScalarType::B => ScalarAttributeType::B,
            };
            AttributeDefinition::builder()
                .attribute_name(*name)
                .attribute_type(t)
                .build()
                .map_err(build_error)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut gsis = Vec::new();
    let mut lsis = Vec::new();
    for ix in &schema.indexes {
        match ix.kind {
            IndexKind::Global => gsis.push(
                GlobalSecondaryIndex::builder()
                    .index_name(&ix.name)
                    .set_key_schema(Some(key_elements(&ix.key)?))
                    .projection(projection(&ix.projection))
                    .build()
                    .map_err(build_error)?,
            ),
            IndexKind::Local => lsis.push(
                LocalSecondaryIndex::builder()
                    .index_name(&ix.name)
                    .set_key_schema(Some(key_elements(&ix.key)?))
                    .projection(projection(&ix.projection))
                    .build()
                    .map_err(build_error)?,
            ),
        }
    }
    client
        .create_table()
        .table_name(&schema.table)
        .set_attribute_definitions(Some(definitions))
        .set_key_schema(Some(key_elements(&schema.primary)?))
        .set_global_secondary_indexes((!gsis.is_empty()).then_some(gsis))
        .set_local_secondary_indexes((!lsis.is_empty()).then_some(lsis))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .map_err(|e| sdk_error("CreateTable", &schema.table, e))?;
    for attempt in 0..600u64 {
        let out = client
            .describe_table()
            .table_name(&schema.table)
            .send()
            .await
            .map_err(|e| sdk_error("DescribeTable", &schema.table, e))?;
        if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
            return Ok(());
        }
        sleep(Duration::from_millis(100 + attempt.min(10) * 100)).await;
    }
    Err(Error::new(ErrorKind::Backend, format!("table `{}` did not become ACTIVE in time", schema.table)))
}
