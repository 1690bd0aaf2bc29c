//! `dynaquery export`: every page of a query, streamed.
//!
//! Each page is written and dropped before the next is fetched, so memory
//! stays that of one page (at most `max_page_size` rows), whatever the size
//! of the result. A progress line is drawn on stderr when stderr is a
//! terminal, never when it is piped.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use dynaquery::{Backend, Engine, Item, Page, Query};
use futures::{Stream, StreamExt};
use indicatif::{ProgressBar, ProgressStyle};

use crate::args::ExportFormat;
use crate::exit::{write_error, Failure};
use crate::format::{self, csv::CsvRows};
use crate::json;

/// What an export wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Rows written.
    pub rows: u64,
    /// Pages fetched.
    pub pages: u64,
    /// Items DynamoDB evaluated, summed over pages.
    pub items_read: u64,
    /// `SELECT *` to CSV: attributes first seen after the first page, which
    /// the header (fixed by the first page) does not hold.
    pub unlisted: Vec<String>,
    /// The `next_cursor` of the last page written (and flushed): `None`
    /// before the first page, and after the last.
    pub cursor: Option<String>,
    /// True when the export stopped on `--max-items` with more to read.
    pub stopped: bool,
}

enum Sink<W: Write> {
    Jsonl(W),
    DynamodbJson(W),
    /// The header waits for the first page.
    CsvPending(Option<W>),
    Csv(Box<CsvRows<W>>),
}

impl<W: Write> Sink<W> {
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Jsonl(w) | Sink::DynamodbJson(w) => w.flush(),
            Sink::Csv(c) => c.flush(),
            Sink::CsvPending(_) => Ok(()),
        }
    }
}

/// A progress line on stderr, or nothing when stderr is not a terminal.
pub fn progress() -> ProgressBar {
    if !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner();
    if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed} {msg}") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// Fetches every page of `query` (from its cursor, if any) through
/// [`Engine::pages`] and writes its rows to `out` (the unit tests' entry). `path` names the output
/// in I/O errors (`None`: stdout).
///
/// # Errors
/// The engine's (query, backend) and the writer's (I/O).
#[cfg(test)]
pub async fn run<B: Backend + Clone + 'static, W: Write>(
    engine: &Engine<B>,
    query: Query,
    format: ExportFormat,
    out: W,
    path: Option<&Path>,
    bar: &ProgressBar,
) -> Result<Summary, Failure> {
    let mut summary = Summary::default();
    // Lazy: the next page is fetched only when asked for, after this one is written.
    let pages = engine.pages(query.clone());
    let output = Output { engine, query: &query, format, path, bar, max_items: None };
    write_pages(pages, &output, out, &mut summary).await?;
    Ok(summary)
}

/// How and where [`write_pages`] writes.
pub struct Output<'a, B> {
    /// For the CSV header of `SELECT *`.
    pub engine: &'a Engine<B>,
    /// The query, for its `SELECT` list.
    pub query: &'a Query,
    /// The format.
    pub format: ExportFormat,
    /// Names the output in I/O errors (`None`: stdout).
    pub path: Option<&'a Path>,
    /// Progress.
    pub bar: &'a ProgressBar,
    /// Stop after the page that brings the items read to this number.
    pub max_items: Option<u64>,
}

/// Writes the rows of every page of `pages` to `out`, page by page, and
/// flushes after each page; `summary` says how far it got (also when the
/// future is dropped part way, as on a signal: a page is written whole or
/// not at all, since nothing awaits while it is written).
///
/// # Errors
/// The pages' (query, backend) and the writer's (I/O).
pub async fn write_pages<B: Backend, W: Write>(
    pages: impl Stream<Item = dynaquery::Result<Page<Item>>>,
    output: &Output<'_, B>,
    out: W,
    summary: &mut Summary,
) -> Result<(), Failure> {
    let io_err = |e: io::Error| write_error(&e, output.path);
    let mut sink = match output.format {
        ExportFormat::Jsonl => Sink::Jsonl(out),
        ExportFormat::DynamodbJson => Sink::DynamodbJson(out),
        ExportFormat::Csv => Sink::CsvPending(Some(out)),
    };
    let mut pages = std::pin::pin!(pages);
    while let Some(page) = pages.next().await {
        let page = page?;
        summary.pages += 1;
        summary.items_read += page.stats.items_read;
        if let Sink::CsvPending(w) = &mut sink {
            let columns = format::columns(output.query.get_select(), output.engine.schema(), &page.rows);
            let w = w.take().ok_or_else(|| io_err(io::Error::other("output already closed")))?;
            sink = Sink::Csv(Box::new(CsvRows::new(w, columns).map_err(io_err)?));
        }
        write_rows(&mut sink, &page.rows).map_err(io_err)?;
        // Flushed before the cursor is recorded: the rows before it are out.
        sink.flush().map_err(io_err)?;
        summary.rows += page.rows.len() as u64;
        summary.cursor = page.next_cursor;
        output.bar.set_message(format!(
            "{} rows, {} pages, {} items read",
            summary.rows, summary.pages, summary.items_read
        ));
        // `page` is dropped here: one page in memory at a time.
        if output.max_items.is_some_and(|m| summary.items_read >= m) && summary.cursor.is_some() {
            summary.stopped = true;
            break;
        }
    }
    match sink {
        Sink::Jsonl(mut w) | Sink::DynamodbJson(mut w) => w.flush().map_err(io_err)?,
        Sink::Csv(c) => {
            summary.unlisted = c.unlisted.iter().cloned().collect();
            c.finish().map_err(io_err)?.flush().map_err(io_err)?;
        }
        Sink::CsvPending(_) => {}
    }
    Ok(())
}

fn write_rows<W: Write>(sink: &mut Sink<W>, rows: &[Item]) -> io::Result<()> {
    match sink {
        Sink::Jsonl(w) => {
            for r in rows {
                w.write_all(json::row(r).as_bytes())?;
                w.write_all(b"\n")?;
            }
            Ok(())
        }
        Sink::DynamodbJson(w) => {
            for r in rows {
                w.write_all(json::to_dynamodb_json(r).as_bytes())?;
                w.write_all(b"\n")?;
            }
            Ok(())
        }
        Sink::Csv(c) => rows.iter().try_for_each(|r| c.row(r)),
        Sink::CsvPending(_) => Ok(()),
    }
}

/// An output file written under a temporary name in the same directory and
/// renamed into place on success, so a failed export leaves no partial file.
///
/// - Only a regular file is replaced: a directory, a device, a FIFO, a
///   socket or a symbolic link at the target is a usage error, before
///   anything is written (and checked again just before the rename).
/// - The temporary file has a random name and is created with `O_EXCL`
///   (through `tempfile`), so nothing planted in the directory, a symbolic
///   link included, is followed or clobbered.
/// - It is removed on every failure path (dropping an uncommitted
///   `OutFile`), and [`Interrupts`] lets the caller stop on SIGINT/SIGTERM
///   and drop it too.
/// - A replaced file keeps its permission bits (and, where allowed, its
///   owner); a new file gets `0666` less the umask, as `File::create` would.
pub struct OutFile {
    path: PathBuf,
    /// `None` once committed.
    file: Option<io::BufWriter<tempfile::NamedTempFile>>,
}

/// The target's metadata when it exists; a usage error unless it is a regular file.
fn replaceable(path: &Path) -> Result<Option<std::fs::Metadata>, Failure> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Failure::io(path, &e)),
    };
    let t = meta.file_type();
    if t.is_file() {
        return Ok(Some(meta));
    }
    let what = if t.is_dir() {
        "is a directory"
    } else if t.is_symlink() {
        "is a symbolic link"
    } else {
        "is a device, FIFO or socket"
    };
    Err(Failure::usage(format!(
        "--out {}: {what}, not a regular file; export replaces only regular files — name a new or \
         regular file",
        path.display()
    )))
}

impl OutFile {
    /// Creates the temporary file next to `path`.
    ///
    /// # Errors
    /// Usage (exit 2) when `path` exists and is not a regular file; I/O
    /// (exit 5), naming `path`.
    pub fn create(path: &Path) -> Result<Self, Failure> {
        use std::os::unix::fs::PermissionsExt;
        let existing = replaceable(path)?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".dynaquery.tmp")
            .permissions(std::fs::Permissions::from_mode(0o666))
            .tempfile_in(dir)
            .map_err(|e| Failure::io(path, &e))?;
        if let Some(meta) = existing {
            use std::os::unix::fs::MetadataExt;
            // Owner first (it may clear set-id bits), then the mode. Only
            // root may give a file away; others keep their own ownership.
            let _ = std::os::unix::fs::fchown(tmp.as_file(), Some(meta.uid()), Some(meta.gid()));
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(meta.mode() & 0o7777))
                .map_err(|e| Failure::io(path, &e))?;
        }
        Ok(OutFile { path: path.to_owned(), file: Some(io::BufWriter::new(tmp)) })
    }

    /// Flushes, syncs and renames the file into place.
    ///
    /// # Errors
    /// Usage (exit 2) when something other than a regular file took the
    /// target's place meanwhile; I/O (exit 5), naming the path. The
    /// temporary file is removed on every error.
    pub fn commit(mut self) -> Result<(), Failure> {
        let io = |e: io::Error| Failure::io(&self.path, &e);
        let Some(f) = self.file.take() else { return Ok(()) };
        let tmp = f.into_inner().map_err(|e| io(e.into_error()))?;
        tmp.as_file().sync_all().map_err(io)?;
        replaceable(&self.path)?;
        tmp.persist(&self.path).map_err(|e| io(e.error))?;
        Ok(())
    }
}

impl Write for OutFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(io::Error::other("output file already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

// Dropping an uncommitted `OutFile` drops its `NamedTempFile`, which removes it.

/// SIGINT and SIGTERM, caught from the moment [`Interrupts::install`]
/// returns: install them *before* creating the [`OutFile`], or a signal
/// that arrives in between kills the process with the temporary file left
/// behind.
pub struct Interrupts {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

impl Interrupts {
    /// Installs the handlers (inside the Tokio runtime).
    ///
    /// # Errors
    /// I/O (exit 5) when the handlers cannot be installed.
    pub fn install() -> Result<Self, Failure> {
        use tokio::signal::unix::{signal, SignalKind};
        let install =
            |k| signal(k).map_err(|e| Failure::new(crate::exit::Category::Io, format!("signals: {e}")));
        Ok(Interrupts { int: install(SignalKind::interrupt())?, term: install(SignalKind::terminate())? })
    }

    /// Resolves when the process gets SIGINT or SIGTERM, with the exit
    /// code a shell reports for it (130, 143). Race it against the export
    /// (`tokio::select!`) and drop the [`OutFile`] when it wins.
    pub async fn recv(&mut self) -> u8 {
        tokio::select! {
            _ = self.int.recv() => 130,
            _ = self.term.recv() => 143,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynaquery::{asc, col, item, KeyAttribute, MemoryTable, Schema, Value};

    fn engine() -> Engine<MemoryTable> {
        let schema = Schema::new("t", KeyAttribute::s("id"));
        let table = MemoryTable::new(schema.clone());
        for i in 0..25 {
            let mut it = item([("id", Value::from(format!("i{i:02}"))), ("n", Value::from(i))]);
            if i == 20 {
                it.insert("late".into(), Value::from("x"));
            }
            table.put(it).unwrap();
        }
        Engine::new(schema, table)
    }

    #[test]
    fn jsonl_every_page() {
        futures::executor::block_on(async {
            let e = engine();
            let q = Query::new().allow_scan(true).filter(col("n").ge(3)).order_by(asc("n")).limit(4);
            let mut out = Vec::new();
            let s = run(&e, q, ExportFormat::Jsonl, &mut out, None, &ProgressBar::hidden()).await.unwrap();
            let text = String::from_utf8(out).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines.len(), 22);
            assert_eq!(lines[0], r#"{"id":"i03","n":3}"#);
            assert_eq!(lines[17], r#"{"id":"i20","late":"x","n":20}"#);
            assert_eq!((s.rows, s.pages), (22, 6));
        });
    }

    #[test]
    fn csv_header_from_the_first_page() {
        futures::executor::block_on(async {
            let e = engine();
            let q = Query::new().allow_scan(true).order_by(asc("n")).limit(10);
            let mut out = Vec::new();
            let s = run(&e, q, ExportFormat::Csv, &mut out, None, &ProgressBar::hidden()).await.unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(text.starts_with("id,n\ni00,0\ni01,1\n"), "{text}");
            assert_eq!(text.lines().count(), 26);
            assert_eq!(s.unlisted, ["late"]);
        });
    }
}
