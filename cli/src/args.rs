//! The command line, declared with clap's derive API.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Exit codes, shown at the end of `--help`.
const AFTER_HELP: &str = "\
Exit codes:
  0  success
  2  usage error: bad arguments, or a malformed --schema / --memory file
  3  query error: bad SQL, invalid query, no usable index, bad cursor,
     read budget or another limit exceeded
  4  DynamoDB or connection error (DescribeTable, Query or Scan failed
     after the SDK's retries; credentials; unreachable endpoint)
  5  I/O error: an output file cannot be written, or an input file read

Every error is one line on stderr: `dynaquery: <kind> error: <message>`.

Connection: the AWS SDK's usual chain (AWS_REGION, AWS_PROFILE,
AWS_ACCESS_KEY_ID, ~/.aws/config, …), overridden by --region, --profile and
--endpoint. With --memory FILE, queries run on an in-memory table loaded
from FILE, with the schema from --schema FILE: no server, no credentials.";

/// SQL list queries, exports and EXPLAIN on Amazon DynamoDB, through dynaquery.
#[derive(Debug, Parser)]
#[command(name = "dynaquery", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// Where and how to connect.
    #[command(flatten)]
    pub conn: Connection,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Connection options, accepted before or after the sub-command.
#[derive(Debug, Args)]
pub struct Connection {
    /// DynamoDB endpoint URL (e.g. http://127.0.0.1:8000 for DynamoDB Local).
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint: Option<String>,
    /// AWS region (else AWS_REGION / the profile's; us-east-1 with --endpoint).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Named profile from ~/.aws/config and ~/.aws/credentials.
    #[arg(long, global = true)]
    pub profile: Option<String>,
    /// Most attempts per DynamoDB request, retries included (SDK default: 3).
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub max_attempts: Option<u32>,
    /// Timeout of each DynamoDB request attempt, in seconds (default: 30).
    #[arg(long, global = true, value_name = "SECS")]
    pub timeout: Option<f64>,
    /// Timeout of connecting to the endpoint, in seconds (default: 3.1).
    #[arg(long, global = true, value_name = "SECS")]
    pub connect_timeout: Option<f64>,
    /// Timeout of a whole DynamoDB operation, retries included, in seconds
    /// (default: 120).
    #[arg(long, global = true, value_name = "SECS")]
    pub operation_timeout: Option<f64>,
    /// Run on an in-memory table loaded from this JSON-lines file of
    /// DynamoDB-JSON items (needs --schema).
    #[arg(long, global = true, value_name = "FILE", requires = "schema")]
    pub memory: Option<PathBuf>,
    /// The table's schema from this JSON file instead of DescribeTable.
    #[arg(long, global = true, value_name = "FILE")]
    pub schema: Option<PathBuf>,
    /// Cursor signing key as ID:SECRET (ID 0-255, SECRET base64 of at least
    /// 32 bytes); repeat to rotate: the first signs, all verify. Prefer the
    /// environment variable, which keeps keys out of shell history
    /// (comma-separated there).
    #[arg(
        long = "cursor-key",
        global = true,
        value_name = "ID:SECRET",
        env = "DYNAQUERY_CURSOR_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub cursor_keys: Vec<String>,
    /// Cursors expire this many seconds after they were issued (needs a --cursor-key).
    #[arg(long, global = true, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub cursor_ttl: Option<u64>,
    /// Attributes present on every item, so that sparse GSIs keyed on them
    /// are usable (comma-separated or repeated). Added to the schema's.
    #[arg(long, global = true, value_name = "ATTR", value_delimiter = ',')]
    pub always_present: Vec<String>,
}

/// The sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one page of a SELECT and print it, with the cursor to the next page.
    Query(QueryArgs),
    /// Run every page of a SELECT and stream the rows to a file or stdout.
    Export(ExportArgs),
    /// Print the plan of a SELECT; with --analyze, run its first page and
    /// print what each stream read.
    Explain(ExplainArgs),
    /// Print a table's schema as dynaquery sees it.
    Describe(DescribeArgs),
}

/// The SQL text and how it runs; shared by query, export and explain.
#[derive(Debug, Args)]
pub struct Sql {
    /// The SELECT statement; `-` reads it from stdin. (A statement that
    /// starts with `--`, a comment, would be taken for an option: pass it
    /// through --sql-file or stdin.)
    #[arg(required_unless_present = "sql_file", conflicts_with = "sql_file")]
    pub sql: Option<String>,
    /// Read the SELECT statement from this file (`-`: stdin).
    #[arg(long, value_name = "FILE")]
    pub sql_file: Option<std::path::PathBuf>,
    /// Bind parameter for $1, $2, … (or ? in order), repeated in order.
    /// A JSON string, number or boolean literal is taken as that type
    /// ("42" is a string, 42 a number, true a boolean); anything else is a
    /// string as written.
    #[arg(long = "param", value_name = "VALUE", allow_hyphen_values = true)]
    pub params: Vec<String>,
    /// Allow a full table Scan when no index serves the query.
    #[arg(long)]
    pub allow_scan: bool,
    /// Most items one page may read (default 50 000).
    #[arg(long, value_name = "ITEMS")]
    pub read_budget: Option<u64>,
}

/// `dynaquery query`.
#[derive(Debug, Args)]
pub struct QueryArgs {
    #[command(flatten)]
    pub sql: Sql,
    /// Continue after the page that printed this cursor.
    #[arg(long, value_name = "TOKEN")]
    pub cursor: Option<String>,
    /// Page size, overriding the statement's LIMIT.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = QueryFormat::Table)]
    pub format: QueryFormat,
}

/// Output of `dynaquery query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum QueryFormat {
    /// Aligned columns; the next cursor goes to stderr.
    Table,
    /// One JSON object per row, then `{"next_cursor": …}`.
    Json,
}

/// `dynaquery export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub sql: Sql,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
    /// Output file; stdout when absent or `-`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Rows per page fetched, overriding the statement's LIMIT. In a
    /// parallel scan, the items each Scan call evaluates (default 1000
    /// there when the statement has no LIMIT).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub page_size: Option<u64>,
    /// Rows in no order: the statement's ORDER BY is dropped, and a query
    /// no index serves (with --allow-scan) runs as a parallel scan. Implied
    /// for a statement with no ORDER BY and no OFFSET that scans.
    #[arg(long)]
    pub unordered: bool,
    /// Segments of the parallel scan, all read at once (at most 32 in
    /// flight), rows written as they come [default: 4].
    #[arg(long, value_name = "N", conflicts_with = "segment",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub segments: Option<u32>,
    /// Export only this segment (from 0) of a parallel scan split into
    /// --total-segments, so that N processes or machines split one export;
    /// each resumes from its own cursor.
    #[arg(long, value_name = "I", requires = "total_segments", value_parser = clap::value_parser!(u32))]
    pub segment: Option<u32>,
    /// How many segments the parallel scan is split into (with --segment).
    #[arg(long, value_name = "N", requires = "segment",
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub total_segments: Option<u32>,
    /// Resume the segment right after the page that gave this cursor.
    #[arg(long, value_name = "TOKEN", requires = "segment")]
    pub cursor: Option<String>,
    /// Append the segment's rows to --out, page by page, instead of
    /// writing a new file: a segment stopped by a signal or an error then
    /// keeps every row before the cursor it prints, and resumes with
    /// --cursor and --append to the same file (JSON lines or DynamoDB JSON).
    #[arg(long, requires = "segment", requires = "out")]
    pub append: bool,
    /// Stop the segment after the page that brings the items read to this
    /// number, printing the cursor that resumes it.
    #[arg(long, value_name = "ITEMS", requires = "segment",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub max_items: Option<u64>,
}

/// Output of `dynaquery export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// One JSON object per row.
    Jsonl,
    /// Comma-separated values with a header line.
    Csv,
    /// One DynamoDB-JSON item per line: the --memory input format.
    DynamodbJson,
}

/// `dynaquery explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub sql: Sql,
    /// Also run the first page and print its measured costs per stream.
    #[arg(long)]
    pub analyze: bool,
}

/// `dynaquery describe`.
#[derive(Debug, Args)]
pub struct DescribeArgs {
    /// The table (optional with --schema, which names it).
    pub table: Option<String>,
    /// Output format; `json` is the --schema file format.
    #[arg(long, value_enum, default_value_t = DescribeFormat::Text)]
    pub format: DescribeFormat,
}

/// Output of `dynaquery describe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DescribeFormat {
    /// For people.
    Text,
    /// The --schema file format.
    Json,
}
