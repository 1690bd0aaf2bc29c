//! The sub-commands, from parsed arguments to output.

use std::io::{self, Write};

use dynaquery::sql::{self, Statement, StatementKind};
use dynaquery::{CursorKey, Engine, Options, Query, ScanSegment, Value};
use futures::StreamExt;

use crate::args::{
    Connection, DescribeArgs, DescribeFormat, ExplainArgs, ExportArgs, QueryArgs, QueryFormat, Sql,
};
use crate::connect::{self, Store};
use crate::exit::{write_error, Failure};
use crate::format::{self, table};
use crate::{describe, export, json, schema_file};

fn out_err(e: io::Error) -> Failure {
    write_error(&e, None)
}

/// Parses the SQL with its bind parameters, and applies the options that
/// shape how it runs.
/// The statement's text: the argument, or the `--sql-file` (`-`, like an
/// argument of `-`, reads stdin).
fn sql_text(sql: &Sql) -> Result<String, Failure> {
    let path = match (&sql.sql, &sql.sql_file) {
        (Some(text), None) if text != "-" => return Ok(text.clone()),
        (Some(_), None) => std::path::PathBuf::from("-"),
        (_, Some(p)) => p.clone(),
        (None, None) => return Err(Failure::usage("give the SELECT, --sql-file FILE, or - to read stdin")),
    };
    if path.as_os_str() == "-" {
        let mut text = String::new();
        io::Read::read_to_string(&mut io::stdin(), &mut text)
            .map_err(|e| Failure::new(crate::exit::Category::Io, format!("standard input: {e}")))?;
        return Ok(text);
    }
    std::fs::read_to_string(&path).map_err(|e| Failure::io(&path, &e))
}

fn statement(sql: &Sql) -> Result<Statement, Failure> {
    let params: Vec<Value> =
        sql.params.iter().map(|p| json::param(p)).collect::<Result<_, _>>().map_err(Failure::usage)?;
    let text = sql_text(sql)?;
    let mut st = sql::parse_with(&text, &params)?;
    if sql.allow_scan {
        st.query = st.query.allow_scan(true);
    }
    if let Some(b) = sql.read_budget {
        st.query = st.query.read_budget(b);
    }
    Ok(st)
}

async fn engine(conn: &Connection, st: &Statement) -> Result<Engine<Store>, Failure> {
    let options = options(conn)?;
    let (schema, store) = connect::open(conn, Some(&st.table)).await?;
    Ok(Engine::new(schema, store).with_options(options))
}

/// The engine's options from `--cursor-key` (or `DYNAQUERY_CURSOR_KEYS`)
/// and `--cursor-ttl`.
///
/// # Errors
/// A usage error for a malformed key, or a TTL without a key.
fn options(conn: &Connection) -> Result<Options, Failure> {
    use base64::Engine as _;
    let keys = conn
        .cursor_keys
        .iter()
        .filter(|k| !k.trim().is_empty())
        .map(|k| {
            let bad = |why: &str| {
                Failure::usage(format!(
                    "--cursor-key (or DYNAQUERY_CURSOR_KEYS): {why}; expected ID:SECRET, ID 0-255 and SECRET \
                     the base64 of at least 32 random bytes"
                ))
            };
            let (id, secret) = k.trim().split_once(':').ok_or_else(|| bad("no `:` between id and secret"))?;
            let id: u8 = id.parse().map_err(|_| bad(&format!("the id {id:?} is not 0-255")))?;
            let secret = base64::engine::general_purpose::STANDARD
                .decode(secret)
                .map_err(|_| bad(&format!("the secret of key {id} is not base64")))?;
            CursorKey::new(id, secret).map_err(|e| bad(e.message()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut options = Options::default().cursor_keys(keys);
    if let Some(secs) = conn.cursor_ttl {
        options = options.cursor_ttl(std::time::Duration::from_secs(secs));
    }
    options.validate()?;
    Ok(options)
}

fn page_size(q: Query, n: Option<u64>) -> Query {
    match n {
        Some(n) => q.limit(usize::try_from(n).unwrap_or(usize::MAX)),
        None => q,
    }
}

/// `dynaquery query`: one page.
pub async fn query(conn: &Connection, a: &QueryArgs) -> Result<(), Failure> {
    let st = statement(&a.sql)?;
    let engine = engine(conn, &st).await?;
    if let StatementKind::Count { group_by } = &st.kind {
        return count(&engine, st.query, group_by.as_deref(), a).await;
    }
    let mut q = page_size(st.query, a.limit);
    if let Some(c) = &a.cursor {
        q = q.cursor(c.clone());
    }
    // The engine applies OFFSET to the first page (not again after a cursor).
    let page = engine.fetch(&q).await?;
    let (rows, next) = (page.rows, page.next_cursor);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match a.format {
        QueryFormat::Table => {
            let columns = format::columns(q.get_select(), engine.schema(), &rows);
            table::write(&mut out, &columns, &rows).map_err(out_err)?;
            out.flush().map_err(out_err)?;
            // The cursor goes to stderr, so stdout holds the table alone.
            let count = match rows.len() {
                1 => "1 row".to_owned(),
                n => format!("{n} rows"),
            };
            match &next {
                Some(c) => eprintln!("({count}) next cursor: {c}"),
                None => eprintln!("({count}) last page"),
            }
        }
        QueryFormat::Json => {
            for r in &rows {
                writeln!(out, "{}", json::row(r)).map_err(out_err)?;
            }
            let cursor = next.as_deref().map_or_else(|| "null".to_owned(), json::string);
            writeln!(out, "{{\"next_cursor\":{cursor}}}").map_err(out_err)?;
            out.flush().map_err(out_err)?;
        }
    }
    Ok(())
}

/// `dynaquery query` with a `SELECT COUNT(*)`: the number on stdout; when
/// grouped, one `value<TAB>count` line per group (`--format json`: one
/// `{"<column>": value, "count": n}` line per group), then the total.
async fn count(
    engine: &Engine<Store>,
    mut q: Query,
    group_by: Option<&str>,
    a: &QueryArgs,
) -> Result<(), Failure> {
    if let Some(c) = &a.cursor {
        // The engine refuses it with a message that says what to do.
        q = q.cursor(c.clone());
    }
    let n = match group_by {
        Some(attr) => engine.count_by(&q, attr).await?,
        None => engine.count(&q).await?,
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match a.format {
        QueryFormat::Table => {
            for g in &n.groups {
                writeln!(out, "{}\t{}", format::cell(&g.value), g.count).map_err(out_err)?;
            }
            if group_by.is_some() {
                out.flush().map_err(out_err)?;
                // The total goes to stderr, so stdout holds one line per group.
                eprintln!("({} rows in {} groups)", n.total, n.groups.len());
            } else {
                writeln!(out, "{}", n.total).map_err(out_err)?;
            }
        }
        QueryFormat::Json => {
            if let Some(attr) = group_by {
                for g in &n.groups {
                    writeln!(
                        out,
                        "{{{}:{},\"count\":{}}}",
                        json::string(attr),
                        json::value(&g.value),
                        g.count
                    )
                    .map_err(out_err)?;
                }
            }
            writeln!(out, "{{\"count\":{}}}", n.total).map_err(out_err)?;
        }
    }
    out.flush().map_err(out_err)
}

/// Segments of an export's parallel scan unless `--segments` says otherwise.
const DEFAULT_SEGMENTS: u32 = 4;

/// How an export reads.
#[derive(Debug, Clone, Copy)]
enum Mode {
    /// Every page of the query, in order, through `Engine::pages`.
    Pages,
    /// A parallel scan of this many segments, all at once.
    Parallel(u32),
    /// One segment of a parallel scan, resumable.
    Segment(ScanSegment),
}

/// `query` without its ORDER BY.
fn without_order(q: &Query) -> Query {
    let mut out = Query::new().limit(q.get_limit()).offset(q.get_offset()).allow_scan(q.get_allow_scan());
    if let Some(f) = q.get_filter() {
        out = out.filter(f.clone());
    }
    if let Some(sel) = q.get_select() {
        out = out.select(sel.iter().cloned());
    }
    if let Some(ix) = q.get_index() {
        out = out.index(ix);
    }
    if let Some(b) = q.get_read_budget() {
        out = out.read_budget(b);
    }
    if let Some(h) = q.get_selectivity_hint() {
        out = out.selectivity_hint(h);
    }
    out
}

/// `dynaquery export`: every page, streamed.
pub async fn export(conn: &Connection, a: &ExportArgs) -> Result<(), Failure> {
    let st = statement(&a.sql)?;
    if st.kind != StatementKind::Rows {
        return Err(Failure::usage("export writes rows; run a SELECT COUNT(*) with `dynaquery query`"));
    }
    if a.append && a.format == crate::args::ExportFormat::Csv {
        return Err(Failure::usage(
            "--append with --format csv would repeat the header; append JSON lines or DynamoDB JSON",
        ));
    }
    let engine = engine(conn, &st).await?;
    let mut q = page_size(st.query, a.page_size);
    if a.unordered {
        q = without_order(&q);
    }
    // Plan before creating any file: a bad query leaves nothing behind.
    let plan = engine.plan(&q)?;
    // A parallel scan when no order is asked for and no index serves the query.
    let scan =
        q.get_order_by().is_empty() && q.get_offset() == 0 && plan.is_scan() && !plan.streams().is_empty();
    let mode = match (a.segment, a.total_segments) {
        (Some(i), Some(n)) => {
            if !scan {
                return Err(Failure::usage(format!(
                    "--segment splits a parallel scan, and this export is not one: {}",
                    if !q.get_order_by().is_empty() {
                        "it has an ORDER BY (drop it, or pass --unordered)".to_owned()
                    } else if q.get_offset() > 0 {
                        "it has an OFFSET (drop it)".to_owned()
                    } else {
                        format!(
                            "{} serves it, reading only the partitions it names (export it without --segment)",
                            plan.index().map_or_else(|| "the table's key".to_owned(), |ix| format!("index `{ix}`"))
                        )
                    }
                )));
            }
            Mode::Segment(ScanSegment::new(i, n)?)
        }
        _ if scan => Mode::Parallel(a.segments.unwrap_or(DEFAULT_SEGMENTS)),
        _ => Mode::Pages,
    };
    if let (Some(_), Mode::Pages) = (a.segments, mode) {
        return Err(Failure::usage(
            "--segments splits a parallel scan, and this export is not one: it has an ORDER BY or an \
             OFFSET, or an index serves it (drop --segments, or the ORDER BY with --unordered)",
        ));
    }
    if scan && a.page_size.is_none() && q.get_limit() == Query::DEFAULT_LIMIT {
        // A scan page is one Scan call's Limit: larger pages, fewer calls.
        q = q.limit(engine.options().max_page_size);
    }
    if let Some(c) = &a.cursor {
        q = q.cursor(c.clone());
    }
    if let Mode::Segment(seg) = mode {
        // A bad cursor is refused before any file is created.
        engine.check_segment(&q, seg)?;
    }
    let pages = match mode {
        Mode::Pages => engine.pages(q.clone()).boxed(),
        Mode::Parallel(n) => engine.scan_segments_pages(q.clone(), n, n as usize).boxed(),
        Mode::Segment(seg) => engine.segment_pages(q.clone(), seg).boxed(),
    };
    // The engine applies OFFSET to the first page; an OFFSET past the end
    // exports nothing but still creates the output.
    let path = a.out.as_deref().filter(|p| p.as_os_str() != "-");
    let bar = export::progress();
    let max_items = if let Mode::Segment(_) = mode { a.max_items } else { None };
    let output = export::Output { engine: &engine, query: &q, format: a.format, path, bar: &bar, max_items };
    let mut summary = export::Summary::default();
    let segment = matches!(mode, Mode::Segment(_));
    let result = write_export(pages, &output, a.append, segment, &mut summary).await;
    // Cleared on every path, so that an error is one clean line on a terminal.
    bar.finish_and_clear();
    if let Mode::Segment(seg) = mode {
        // Where the segment resumes: after the last page written, or where it started.
        let resume = if summary.pages > 0 { summary.cursor.clone() } else { a.cursor.clone() };
        let kept = path.is_none() || a.append;
        let rows = format!("{seg}: {} rows, {} items read", summary.rows, summary.items_read);
        return match result {
            Err(f) if f.quiet => Err(f),
            Err(f) => match (&resume, kept) {
                (Some(c), true) => {
                    let note = format!(
                        "{rows}; the output holds every row before this cursor: resume with --cursor {c}{}",
                        if path.is_some() { " --append" } else { "" }
                    );
                    Err(match f.category {
                        crate::exit::Category::Signal(code) => Failure::signal_kept(code, &note),
                        _ => f.with_note(&note),
                    })
                }
                (None, true) => Err(f.with_note(&format!("{rows}; rerun the segment from its start"))),
                (_, false) => Err(f.with_note(
                    "rerun the segment (with --append, a stopped segment keeps its rows and resumes from its cursor)",
                )),
            },
            Ok(()) => {
                match (&summary.cursor, summary.stopped) {
                    (Some(c), true) => eprintln!("({rows}) next cursor: {c}"),
                    _ => eprintln!("({rows}) segment complete"),
                }
                Ok(())
            }
        };
    }
    result?;
    if !summary.unlisted.is_empty() {
        eprintln!(
            "dynaquery: warning: attributes first seen after the first page are not in the CSV header \
             (list them in SELECT to export them): {}",
            summary.unlisted.join(", ")
        );
    }
    Ok(())
}

/// Writes every page to `output.path` (under a temporary name, renamed
/// when complete; appended to with `append`) or to stdout.
async fn write_export(
    pages: impl futures::Stream<Item = dynaquery::Result<dynaquery::Page<dynaquery::Item>>>,
    output: &export::Output<'_, Store>,
    append: bool,
    segment: bool,
    summary: &mut export::Summary,
) -> Result<(), Failure> {
    match output.path {
        Some(p) if append => {
            let mut signals = export::Interrupts::install()?;
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .map_err(|e| Failure::io(p, &e))?;
            let mut w = io::BufWriter::new(file);
            let outcome = tokio::select! {
                s = export::write_pages(pages, output, &mut w, summary) => s,
                code = signals.recv() => Err(Failure::signal(code)),
            };
            // Every page written so far was flushed with it.
            w.flush().map_err(|e| Failure::io(p, &e))?;
            w.get_ref().sync_all().map_err(|e| Failure::io(p, &e))?;
            outcome
        }
        Some(p) => {
            // Handlers first: a signal between creating the temporary file
            // and installing them would leave the file behind.
            let mut signals = export::Interrupts::install()?;
            let mut file = export::OutFile::create(p)?;
            let outcome = tokio::select! {
                s = export::write_pages(pages, output, &mut file, summary) => s,
                code = signals.recv() => Err(Failure::signal(code)),
            };
            // On any error `file` is dropped here, which removes the temporary file.
            outcome?;
            file.commit()
        }
        None if !segment => {
            let stdout = io::stdout();
            let out = io::BufWriter::new(stdout.lock());
            export::write_pages(pages, output, out, summary).await
        }
        None => {
            // A segment stops cleanly on a signal, so that it can print its cursor.
            let mut signals = export::Interrupts::install()?;
            let stdout = io::stdout();
            let mut out = io::BufWriter::new(stdout.lock());
            let outcome = tokio::select! {
                s = export::write_pages(pages, output, &mut out, summary) => s,
                code = signals.recv() => Err(Failure::new(
                    crate::exit::Category::Signal(code),
                    if code == 130 { "SIGINT: stopped" } else { "SIGTERM: stopped" },
                )),
            };
            let _ = out.flush();
            outcome
        }
    }
}

/// `dynaquery explain`: the plan; with `--analyze`, the first page's costs.
pub async fn explain(conn: &Connection, a: &ExplainArgs) -> Result<(), Failure> {
    let st = statement(&a.sql)?;
    if st.kind != StatementKind::Rows {
        return Err(Failure::usage(
            "explain shows the plan of a row query; run the SELECT COUNT(*) with `dynaquery query` (its \
             plan is the plan of the same SELECT * without ORDER BY)",
        ));
    }
    let engine = engine(conn, &st).await?;
    let plan = engine.plan(&st.query)?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    writeln!(out, "{plan}").map_err(out_err)?;
    if st.offset > 0 {
        writeln!(out, "  offset: {} rows, read and skipped before the first page", st.offset)
            .map_err(out_err)?;
    }
    if a.analyze {
        let page = engine.fetch(&st.query).await?;
        let s = &page.stats;
        let capacity = s.consumed_capacity.map_or_else(|| "not reported".to_owned(), |c| format!("{c} RCU"));
        writeln!(
            out,
            "analyze (first page): {} rows, {} calls ({} abandoned), {} items read, {} items returned, \
             {} round trips, capacity {capacity}, peak {} buffered rows, next page: {}",
            s.rows,
            s.calls,
            s.abandoned_calls,
            s.items_read,
            s.items_returned,
            s.round_trips,
            s.peak_buffered_rows,
            if page.next_cursor.is_some() { "yes" } else { "no" }
        )
        .map_err(out_err)?;
        if s.batch_get_calls > 0 {
            writeln!(
                out,
                "analyze (first page): {} BatchGetItem calls fetched {} items the index does not project",
                s.batch_get_calls, s.items_fetched
            )
            .map_err(out_err)?;
        }
        let header: Vec<String> =
            ["stream", "calls", "items_read", "rows_matched", "rows_taken"].map(String::from).to_vec();
        let rows: Vec<Vec<(String, bool)>> = s
            .per_stream
            .iter()
            .enumerate()
            .map(|(i, p)| {
                vec![
                    (format!("#{i}"), false),
                    (p.calls.to_string(), true),
                    (p.items_read.to_string(), true),
                    (p.rows_matched.to_string(), true),
                    (p.rows_taken.to_string(), true),
                ]
            })
            .collect();
        table::write_grid(&mut out, &header, &rows).map_err(out_err)?;
    }
    out.flush().map_err(out_err)
}

/// `dynaquery describe`.
pub async fn describe(conn: &Connection, a: &DescribeArgs) -> Result<(), Failure> {
    let schema = match &conn.schema {
        // The file's schema: no server.
        Some(path) => {
            let schema = connect::schema_from_file(path)?;
            connect::check_table(&schema, a.table.as_deref())?;
            schema.always_present(conn.always_present.iter().cloned())
        }
        None => connect::open(conn, a.table.as_deref()).await?.0,
    };
    // With --memory, load the items too: every line is checked, and counted.
    let items = match &conn.memory {
        Some(path) => Some(connect::load_memory(path, schema.clone())?.len()),
        None => None,
    };
    let text = match a.format {
        DescribeFormat::Text => {
            let mut t = describe::text(&schema);
            if let Some(n) = items {
                t.push_str(&format!("  items: {n} (in memory)\n"));
            }
            t
        }
        DescribeFormat::Json => schema_file::to_json(&schema) + "\n",
    };
    let stdout = io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes()).map_err(out_err)?;
    out.flush().map_err(out_err)
}
