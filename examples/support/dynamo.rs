//! DynamoDB plumbing the examples share: a client for `--endpoint` / `--aws`,
//! and a batch loader. (Examples are apps: they may build a client; the
//! library never does.)

use dynaquery::dynamodb::{create_table, to_attribute_map};
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
/// exists already (an earlier run with the same name loaded it).
pub async fn ensure_loaded(
    client: &aws_sdk_dynamodb::Client,
    schema: &Schema,
    items: &[Item],
) -> Result<(), Box<dyn std::error::Error>> {
    if client.describe_table().table_name(&schema.table).send().await.is_ok() {
        return Ok(());
    }
    eprintln!("loading {} orders into {} ...", items.len(), schema.table);
    create_table(client, schema).await?;
    load(client, &schema.table, items).await
}

/// BatchWriteItem, 25 at a time, retrying unprocessed items.
async fn load(
    client: &aws_sdk_dynamodb::Client,
    table: &str,
    items: &[Item],
) -> Result<(), Box<dyn std::error::Error>> {
    use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
    for chunk in items.chunks(25) {
        let mut requests = chunk
            .iter()
            .map(|it| {
                Ok(WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(to_attribute_map(it))).build()?)
                    .build())
            })
            .collect::<Result<Vec<_>, aws_sdk_dynamodb::error::BuildError>>()?;
        while !requests.is_empty() {
            let out = client.batch_write_item().request_items(table, requests).send().await?;
            requests = out.unprocessed_items.and_then(|mut m| m.remove(table)).unwrap_or_default();
        }
    }
    Ok(())
}
