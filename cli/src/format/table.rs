//! Aligned columns for people: a header, a rule, one line per row.
//!
//! Numbers are right-aligned, everything else left-aligned; widths count
//! terminal columns (East Asian wide characters and emoji are two), and
//! control characters are shown escaped (`\n`) so that a row stays one line.
//! A missing attribute is an empty cell; DynamoDB `NULL` prints `NULL`.

use std::io::{self, Write};

use dynaquery::{Item, Value};
use unicode_width::UnicodeWidthStr;

use super::cell;

fn visible(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_owned();
    }
    s.chars().map(|c| if c.is_control() { c.escape_default().to_string() } else { c.to_string() }).collect()
}

/// Writes `rows` under `columns`.
///
/// # Errors
/// The writer's.
pub fn write(out: &mut impl Write, columns: &[String], rows: &[Item]) -> io::Result<()> {
    let cells: Vec<Vec<(String, bool)>> = rows
        .iter()
        .map(|r| {
            columns
                .iter()
                .map(|c| match r.get(c) {
                    None => (String::new(), false),
                    Some(v) => (visible(&cell(v)), matches!(v, Value::N(_))),
                })
                .collect()
        })
        .collect();
    let header: Vec<String> = columns.iter().map(|c| visible(c)).collect();
    write_grid(out, &header, &cells)
}

/// Writes a header and rows of pre-rendered cells (`true` = right-align).
///
/// # Errors
/// The writer's.
pub fn write_grid(out: &mut impl Write, header: &[String], rows: &[Vec<(String, bool)>]) -> io::Result<()> {
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for r in rows {
        for (w, (c, _)) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.width());
        }
    }
    let line = |out: &mut dyn Write, cells: &mut dyn Iterator<Item = (&str, bool)>| -> io::Result<()> {
        let mut text = String::new();
        for (i, ((c, right), w)) in cells.zip(&widths).enumerate() {
            if i > 0 {
                text.push_str("  ");
            }
            let pad = " ".repeat(w.saturating_sub(c.width()));
            if right {
                text.push_str(&pad);
                text.push_str(c);
            } else {
                text.push_str(c);
                text.push_str(&pad);
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, &mut header.iter().map(|h| (h.as_str(), false)))?;
    let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
    line(out, &mut rule.iter().map(|r| (r.as_str(), false)))?;
    for r in rows {
        line(out, &mut r.iter().map(|(c, right)| (c.as_str(), *right)))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use dynaquery::item;

    #[test]
    fn aligns_and_escapes() {
        let rows = vec![
            item([("id", Value::from("o-1")), ("total", Value::number("9.99").unwrap())]),
            item([
                ("id", Value::from("o-22\n")),
                ("total", Value::number("12345678901234567890123456789.123456789").unwrap()),
                ("note", Value::Null),
            ]),
            item([("id", Value::from("😀😀"))]),
        ];
        let mut out = Vec::new();
        write(&mut out, &["id".into(), "total".into(), "note".into()], &rows).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "\
id      total                                    note
------  ---------------------------------------  ----
o-1                                        9.99
o-22\\n  12345678901234567890123456789.123456789  NULL
😀😀
"
        );
    }
}
