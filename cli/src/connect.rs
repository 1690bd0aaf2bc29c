//! Where the table lives: DynamoDB through a client built the AWS way, or an
//! in-memory table loaded from a file; and its schema.

use std::io::BufRead;
use std::path::Path;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::Client;
use dynaquery::dynamodb::load_schema;
use dynaquery::{
    Backend, BatchGetRequest, BatchGetResponse, DynamoDb, MemoryTable, ReadRequest, ReadResponse, Schema,
};

use crate::args::Connection;
use crate::exit::{Category, Failure};
use crate::{json, schema_file};

/// Connecting to the endpoint gives up after this long (`--connect-timeout`):
/// the SDK's own default.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_millis(3100);
/// Each request attempt gives up after this long (`--timeout`); a page of
/// at most 1 MB comes back well within it.
pub const DEFAULT_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(30);
/// A whole operation, its retries included, gives up after this long
/// (`--operation-timeout`).
pub const DEFAULT_OPERATION_TIMEOUT: Duration = Duration::from_secs(120);

/// The backend a command runs on.
#[derive(Debug, Clone)]
pub enum Store {
    /// DynamoDB (or DynamoDB Local) through the SDK.
    Dynamo(DynamoDb),
    /// The in-memory table of `--memory`.
    Memory(MemoryTable),
}

impl Backend for Store {
    async fn read(&self, request: ReadRequest) -> dynaquery::Result<ReadResponse> {
        match self {
            Store::Dynamo(d) => d.read(request).await,
            Store::Memory(m) => m.read(request).await,
        }
    }

    async fn batch_get(&self, request: BatchGetRequest) -> dynaquery::Result<BatchGetResponse> {
        match self {
            Store::Dynamo(d) => d.batch_get(request).await,
            Store::Memory(m) => m.batch_get(request).await,
        }
    }
}

/// Builds a DynamoDB client from the SDK's default chain (environment,
/// profile files, …), overridden by the command-line options.
///
/// # Errors
/// A usage error for a malformed endpoint or timeout, or no region at all.
pub async fn client(conn: &Connection) -> Result<Client, Failure> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest());
    if let Some(p) = &conn.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &conn.region {
        check_region(r, "--region")?;
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(e) = &conn.endpoint {
        if !(e.starts_with("http://") || e.starts_with("https://")) {
            return Err(Failure::usage(format!("--endpoint {e}: expected an http:// or https:// URL")));
        }
        loader = loader.endpoint_url(e);
    }
    if let Some(n) = conn.max_attempts {
        loader = loader.retry_config(RetryConfig::standard().with_max_attempts(n));
    }
    let secs = |flag: &str, value: Option<f64>, default: Duration| -> Result<Duration, Failure> {
        match value {
            None => Ok(default),
            Some(t) => Duration::try_from_secs_f64(t)
                .ok()
                .filter(|d| !d.is_zero())
                .ok_or_else(|| Failure::usage(format!("{flag} {t}: expected a positive number of seconds"))),
        }
    };
    loader = loader.timeout_config(
        TimeoutConfig::builder()
            .connect_timeout(secs("--connect-timeout", conn.connect_timeout, DEFAULT_CONNECT_TIMEOUT)?)
            .operation_attempt_timeout(secs("--timeout", conn.timeout, DEFAULT_ATTEMPT_TIMEOUT)?)
            .operation_timeout(secs(
                "--operation-timeout",
                conn.operation_timeout,
                DEFAULT_OPERATION_TIMEOUT,
            )?)
            .build(),
    );
    // An empty AWS_REGION is no region to the SDK's chain, but a mistake to the user.
    if conn.region.is_none() {
        if let Some(r) = std::env::var_os("AWS_REGION").or_else(|| std::env::var_os("AWS_DEFAULT_REGION")) {
            check_region(&r.to_string_lossy(), "AWS_REGION")?;
        }
    }
    let config = loader.load().await;
    if let Some(r) = config.region() {
        check_region(r.as_ref(), "the region")?;
    }
    if config.region().is_some() {
        return Ok(Client::new(&config));
    }
    if conn.endpoint.is_some() {
        // DynamoDB Local and other custom endpoints ignore the region; the SDK still needs one.
        let c = aws_sdk_dynamodb::config::Builder::from(&config).region(Region::new("us-east-1")).build();
        return Ok(Client::from_conf(c));
    }
    Err(Failure::usage("no AWS region: pass --region, set AWS_REGION, or set one in your profile"))
}

/// An AWS region name: 1 to 50 lower-case letters, digits and dashes
/// (`eu-west-1`, `us-gov-west-1`, `cn-north-1`), not starting or ending
/// with a dash.
///
/// # Errors
/// A one-line usage error naming where the region came from.
fn check_region(region: &str, from: &str) -> Result<(), Failure> {
    let ok = !region.is_empty()
        && region.len() <= 50
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !region.starts_with('-')
        && !region.ends_with('-');
    if ok {
        return Ok(());
    }
    Err(Failure::usage(format!(
        "{from} {region:?} is not an AWS region name (lower-case letters, digits and dashes, e.g. eu-west-1); \
         fix it, or leave it unset to use the profile's"
    )))
}

fn read_file(path: &Path) -> Result<String, Failure> {
    std::fs::read_to_string(path).map_err(|e| Failure::io(path, &e))
}

/// The `--schema` file's schema.
///
/// # Errors
/// I/O (exit 5) or a malformed file (exit 2).
pub fn schema_from_file(path: &Path) -> Result<Schema, Failure> {
    schema_file::parse(&read_file(path)?)
        .map_err(|e| Failure::usage(format!("--schema {}: {e}", path.display())))
}

/// Loads the `--memory` file: one DynamoDB-JSON item per line (blank lines
/// are skipped), each stored as `PutItem` would, with the physical
/// partition attribute of each write-sharded index filled in from its
/// logical one (`Schema::stored_item`).
///
/// # Errors
/// I/O (exit 5); a malformed line or an item the table rejects (exit 2),
/// naming the line.
pub fn load_memory(path: &Path, schema: Schema) -> Result<MemoryTable, Failure> {
    let file = std::fs::File::open(path).map_err(|e| Failure::io(path, &e))?;
    let table = MemoryTable::new(schema.clone());
    for (i, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
        let line = line.map_err(|e| Failure::io(path, &e))?;
        let at = || format!("--memory {}:{}", path.display(), i + 1);
        let line = String::from_utf8(line).map_err(|e| {
            Failure::usage(format!(
                "{}: not UTF-8 (byte {} of the line); save the file as UTF-8",
                at(),
                e.utf8_error().valid_up_to() + 1
            ))
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let item = json::dynamodb_item(&line).map_err(|e| Failure::usage(format!("{}: {e}", at())))?;
        table
            .put(schema.stored_item(&item))
            .map_err(|e| Failure::usage(format!("{}: item rejected: {e}", at())))?;
    }
    Ok(table)
}

/// Checks that the statement's (or `describe`'s) table is the one a
/// `--schema` file describes.
///
/// # Errors
/// A query error (exit 3) naming both.
pub fn check_table(schema: &Schema, table: Option<&str>) -> Result<(), Failure> {
    match table {
        Some(t) if t != schema.table => Err(Failure::new(
            Category::Query,
            format!("table `{t}` is not the one --schema describes (`{}`)", schema.table),
        )),
        _ => Ok(()),
    }
}

/// The schema and backend for `table` (the statement's `FROM`, or
/// `describe`'s argument; `None` when only a schema file can name it).
///
/// # Errors
/// Usage, I/O, query (a table the --schema file does not describe) and
/// backend (DescribeTable) failures.
pub async fn open(conn: &Connection, table: Option<&str>) -> Result<(Schema, Store), Failure> {
    let file_schema = conn.schema.as_deref().map(schema_from_file).transpose()?;
    if let Some(s) = &file_schema {
        check_table(s, table)?;
    }
    let (schema, store) = match (&conn.memory, file_schema) {
        (Some(path), Some(schema)) => {
            let table = load_memory(path, schema.clone())?;
            (schema, Store::Memory(table))
        }
        (Some(_), None) => return Err(Failure::usage("--memory needs --schema FILE")),
        (None, Some(schema)) => (schema, Store::Dynamo(DynamoDb::new(client(conn).await?))),
        (None, None) => {
            let Some(table) = table else {
                return Err(Failure::usage("name the table (or pass --schema FILE)"));
            };
            let client = client(conn).await?;
            let schema = load_schema(&client, table).await?;
            (schema, Store::Dynamo(DynamoDb::new(client)))
        }
    };
    Ok((schema.always_present(conn.always_present.iter().cloned()), store))
}
