//! `ensure_table`: create a table from a [`Schema`] if it is absent, check
//! it if present.

use std::time::Duration;

use aws_sdk_dynamodb::types::TableStatus;
use aws_sdk_dynamodb::Client;

use super::{create_table, load_schema, sdk_error, sleep};
use crate::error::{Error, ErrorKind, Result};
use crate::schema::Schema;

/// What [`ensure_table`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Ensured {
    /// The table did not exist; it was created and is `ACTIVE`.
    Created,
    /// The table existed, is `ACTIVE`, and matches the schema.
    Existing,
}

/// Makes sure the table `schema` describes exists, is `ACTIVE`, and has the
/// schema's keys and indexes.
///
/// Absent: creates it as [`create_table`] does (on-demand billing, every
/// index) and waits until it is `ACTIVE`. Present (or created meanwhile by
/// someone else): waits while it is `CREATING` or `UPDATING`, then compares
/// its primary key and the schema's indexes (keys, kind, projection) with
/// `DescribeTable`'s; indexes the table has beyond the schema's are fine.
///
/// ```no_run
/// # async fn demo(client: aws_sdk_dynamodb::Client) -> Result<(), dynaquery::Error> {
/// use dynaquery::dynamodb::{ensure_table, put_items, Ensured};
/// use dynaquery::{Index, KeyAttribute, Schema};
/// let schema = Schema::new("orders", KeyAttribute::s("order_id"))
///     .index(Index::gsi("status-created_at", [KeyAttribute::s("status")], [KeyAttribute::s("created_at")]));
/// if ensure_table(&client, &schema).await? == Ensured::Created {
///     put_items(&client, &schema.table, &[]).await?; // load fixtures once
/// }
/// # Ok(()) }
/// ```
///
/// # Errors
/// [`ErrorKind::Schema`] when the table exists with another primary key, or
/// lacks one of the schema's indexes or has it with other keys or another
/// projection: the message names every difference. [`ErrorKind::Schema`]
/// also for a schema `CreateTable` cannot express (a key attribute with two
/// types). [`ErrorKind::TimedOut`] when the table is not `ACTIVE` within
/// about two minutes. The operation's own errors otherwise
/// ([`ErrorKind::AccessDenied`], [`ErrorKind::Throttled`], …).
pub async fn ensure_table(client: &Client, schema: &Schema) -> Result<Ensured> {
    let table = &schema.table;
    let created = match status(client, table).await? {
        Some(_) => Ensured::Existing,
        None => match create_table(client, schema).await {
            Ok(()) => return Ok(Ensured::Created),
            // Created by someone else between DescribeTable and CreateTable.
            Err(_) if status(client, table).await?.is_some() => Ensured::Existing,
            Err(e) => return Err(e),
        },
    };
    wait_active(client, table).await?;
    let actual = load_schema(client, table).await?;
    let diffs = schema.differences(&actual);
    if !diffs.is_empty() {
        return Err(Error::new(
            ErrorKind::Schema,
            format!(
                "table `{table}` exists but does not match the schema: {}; ensure_table never alters a \
                 table: fix the schema (dynamodb::load_schema reads the table's), or delete the table (or use \
                 another name) so that it is created as the schema says",
                diffs.join("; ")
            ),
        ));
    }
    Ok(created)
}

/// The table's status, `None` when it does not exist.
async fn status(client: &Client, table: &str) -> Result<Option<TableStatus>> {
    match client.describe_table().table_name(table).send().await {
        Ok(out) => {
            Ok(Some(out.table().and_then(|t| t.table_status()).cloned().unwrap_or(TableStatus::Active)))
        }
        Err(e) => {
            let e = sdk_error("DescribeTable", table, e);
            if e.kind() == ErrorKind::NotFound {
                Ok(None)
            } else {
                Err(e)
            }
        }
    }
}

async fn wait_active(client: &Client, table: &str) -> Result<()> {
    for attempt in 0..600u64 {
        match status(client, table).await? {
            Some(TableStatus::Active) => return Ok(()),
            Some(TableStatus::Creating | TableStatus::Updating) => {}
            None => {}
            Some(other) => {
                return Err(Error::new(
                    ErrorKind::Schema,
                    format!("table `{table}` is {}, not ACTIVE; it cannot be used as it is", other.as_str()),
                ))
            }
        }
        sleep(Duration::from_millis(100 + attempt.min(10) * 100)).await;
    }
    Err(Error::new(
        ErrorKind::TimedOut,
        format!("table `{table}` did not become ACTIVE within about two minutes; check it in the console, then retry"),
    )
    .with_retryable(true))
}
