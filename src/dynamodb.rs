//! Helpers for the DynamoDB backend ([`DynamoDb`](crate::DynamoDb)):
//! load or verify a [`Schema`](crate::Schema) from `DescribeTable`, create
//! a table from one ([`ensure_table`] creates it only if absent, and checks
//! it otherwise), write items in batches ([`put_items`]), and convert items to and from the SDK's
//! `AttributeValue`s exactly (numbers never through `f64`).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let config = aws_config::load_from_env().await;
//! let client = aws_sdk_dynamodb::Client::new(&config);
//! let schema = dynaquery::dynamodb::load_schema(&client, "orders").await?;
//! let engine = dynaquery::Engine::new(schema, dynaquery::DynamoDb::new(client));
//! # let _ = engine; Ok(()) }
//! ```

pub use crate::backend::dynamodb::{
    create_table, ensure_table, from_attribute_map, from_attribute_value, load_schema, put_items,
    to_attribute_map, to_attribute_value, verify_schema, Ensured,
};
