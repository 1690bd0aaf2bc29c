//! CSV rows, through the `csv` crate (RFC 4180 quoting: a field is quoted
//! when it holds a comma, a quote or a line break).
//!
//! The header is the `SELECT` list, or for `SELECT *` the union of the
//! attributes of the first page (primary key first, then by name); see
//! [`super::columns`]. A missing attribute and DynamoDB `NULL` are both an
//! empty field; numbers keep their exact digits. Control characters other
//! than tab, CR and LF are escaped as the aligned table shows them
//! (`\u{1b}`): see `printable`.

use std::collections::BTreeSet;
use std::io::{self, Write};

use dynaquery::{Item, Value};

use super::cell;

/// `s` with control characters escaped as the aligned table shows them
/// (`\u{0}`, `\u{1b}`, `\u{7f}`, `\u{9b}`), except tab, CR and LF, which
/// RFC 4180 quoting carries as they are. A NUL or an ESC in a CSV file
/// breaks the tools that read it, and an escape sequence reaches the
/// terminal when the CSV goes to stdout; exports that must keep such bytes
/// exactly use JSON lines or DynamoDB JSON.
fn printable(s: String) -> String {
    let keep = |c: char| !c.is_control() || matches!(c, '\t' | '\r' | '\n');
    if s.chars().all(keep) {
        return s;
    }
    s.chars().map(|c| if keep(c) { c.to_string() } else { c.escape_default().to_string() }).collect()
}

/// Writes rows under a header fixed by the first page.
pub struct CsvRows<W: Write> {
    out: csv::Writer<W>,
    columns: Vec<String>,
    /// Attributes seen after the header was fixed, which it does not hold.
    pub unlisted: BTreeSet<String>,
}

fn io_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl<W: Write> CsvRows<W> {
    /// Writes the header line.
    ///
    /// # Errors
    /// The writer's.
    pub fn new(out: W, columns: Vec<String>) -> io::Result<Self> {
        let mut out = csv::WriterBuilder::new().flexible(false).from_writer(out);
        out.write_record(columns.iter().map(|c| printable(c.clone()))).map_err(io_error)?;
        Ok(CsvRows { out, columns, unlisted: BTreeSet::new() })
    }

    /// Writes one row.
    ///
    /// # Errors
    /// The writer's.
    pub fn row(&mut self, row: &Item) -> io::Result<()> {
        for k in row.keys() {
            if !self.columns.contains(k) && !self.unlisted.contains(k) {
                self.unlisted.insert(k.clone());
            }
        }
        let fields = self.columns.iter().map(|c| match row.get(c) {
            None | Some(Value::Null) => String::new(),
            Some(v) => printable(cell(v)),
        });
        self.out.write_record(fields).map_err(io_error)
    }

    /// Flushes what was written so far.
    ///
    /// # Errors
    /// The writer's.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    /// Flushes and returns the writer.
    ///
    /// # Errors
    /// The writer's.
    pub fn finish(self) -> io::Result<W> {
        self.out.into_inner().map_err(|e| io::Error::new(e.error().kind(), e.error().to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynaquery::item;

    #[test]
    fn exact_numbers_and_quoting() {
        let mut w = CsvRows::new(Vec::new(), vec!["id".into(), "total".into(), "note".into()]).unwrap();
        w.row(&item([
            ("id", Value::from("o-1")),
            ("total", Value::number("12345678901234567890123456789.123456789").unwrap()),
            ("note", Value::from("a, \"b\"\nc")),
        ]))
        .unwrap();
        w.row(&item([("id", Value::from("o-2")), ("note", Value::Null), ("extra", Value::Bool(true))]))
            .unwrap();
        assert_eq!(w.unlisted.iter().collect::<Vec<_>>(), ["extra"]);
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(
            text,
            "id,total,note\no-1,12345678901234567890123456789.123456789,\"a, \"\"b\"\"\nc\"\no-2,,\n"
        );
    }

    #[test]
    fn control_characters_are_escaped_but_tab_and_line_breaks_are_quoted() {
        let mut w = CsvRows::new(Vec::new(), vec!["id".into(), "note".into()]).unwrap();
        w.row(&item([
            ("id", Value::from("o\u{0}1")),
            ("note", Value::from("\u{1b}[31mred\u{7f}\u{9b}\tx\r\ny")),
        ]))
        .unwrap();
        let text = String::from_utf8(w.finish().unwrap()).unwrap();
        assert_eq!(text, "id,note\no\\u{0}1,\"\\u{1b}[31mred\\u{7f}\\u{9b}\tx\r\ny\"\n");
        assert!(!text.bytes().any(|b| b < 0x20 && !b"\t\r\n".contains(&b)));
    }
}
