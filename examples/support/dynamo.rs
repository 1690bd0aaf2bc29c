//! DynamoDB plumbing the examples share: a client for `--endpoint` / `--aws`,
//! and a table loaded once, with the library's `ensure_table` and
//! `put_items`. (Examples are apps: they may build a client; the library
//! never does.)

use dynaquery::dynamodb::{ensure_table, put_items, Ensured};
use dynaquery::{Item, Schema};

/// A client for DynamoDB Local at `endpoint` (any credentials), or for AWS
/// with the usual credential and region chain when `endpoint` is `None`.
pub async fn client(endpoint: Option<&str>) -> aws_sdk_dynamodb::Client {
    let mut config = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(url) = endpoint {
        // DynamoDB Local accepts any credentials.
        config = config.endpoint_url(url).region(aws_config::Region::new("us-east-1")).credentials_provider(
            aws_sdk_dynamodb::config::Credentials::new("local", "local", None, None, "example"),
        );
    }
    aws_sdk_dynamodb::Client::new(&config.load().await)
}

/// Creates `schema`'s table and loads `items` into it, unless the table
/// exists already (an earlier run with the same name loaded it); an
/// existing table must match the schema.
pub async fn ensure_loaded(
    client: &aws_sdk_dynamodb::Client,
    schema: &Schema,
    items: &[Item],
) -> Result<(), Box<dyn std::error::Error>> {
    if ensure_table(client, schema).await? == Ensured::Created {
        eprintln!("loading {} orders into {} ...", items.len(), schema.table);
        put_items(client, &schema.table, items).await?;
    }
    Ok(())
}
