//! Errors that point into the SQL text: a line and column, and the quoted
//! fragment, from `sqlparser`'s spans.

use sqlparser::parser::ParserError;
use sqlparser::tokenizer::{Location, Span, TokenizerError};

use crate::error::Error;

/// Longest fragment quoted in a message, in characters.
const MAX_FRAGMENT: usize = 60;

/// The SQL text being parsed, to locate and quote what an error is about.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Source<'a>(pub(crate) &'a str);

impl Source<'_> {
    /// `"{what} is not supported: {advice}"`, located at `span`.
    pub(crate) fn unsupported(&self, what: &str, advice: &str, span: Span) -> Error {
        self.error(format!("{what} is not supported: {advice}"), span)
    }

    /// An [`ErrorKind::Sql`](crate::ErrorKind::Sql) error with `message`,
    /// followed by ` (line L, column C: `fragment`)` when `span` is known.
    pub(crate) fn error(&self, message: impl Into<String>, span: Span) -> Error {
        let mut message = message.into();
        let location = location(span.start);
        if let Some((line, column)) = location {
            message.push_str(&format!(" (line {line}, column {column}"));
            if let Some(text) = self.fragment(span) {
                message.push_str(&format!(": `{text}`"));
            }
            message.push(')');
        }
        Error::sql(message, location)
    }

    /// The text `span` covers, whitespace collapsed, shortened to
    /// [`MAX_FRAGMENT`] characters; `None` when the span is unknown or empty.
    fn fragment(&self, span: Span) -> Option<String> {
        let start = self.byte_offset(span.start)?;
        let end = self.byte_offset(span.end).unwrap_or(self.0.len()).max(start);
        let text = self.0.get(start..end)?.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            return None;
        }
        if text.chars().count() > MAX_FRAGMENT {
            let short: String = text.chars().take(MAX_FRAGMENT).collect();
            return Some(format!("{short}…"));
        }
        Some(text)
    }

    /// The byte offset of a (1-based line, 1-based character column) location.
    fn byte_offset(&self, at: Location) -> Option<usize> {
        if at.line == 0 || at.column == 0 {
            return None;
        }
        let mut line = 1u64;
        let mut column = 1u64;
        for (i, ch) in self.0.char_indices() {
            if line == at.line && column == at.column {
                return Some(i);
            }
            if ch == '\n' {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
        }
        (line == at.line && column == at.column).then_some(self.0.len())
    }

    /// The location just after the last character.
    fn end(&self) -> (u64, u64) {
        let line = self.0.matches('\n').count() as u64 + 1;
        let last = self.0.rsplit('\n').next().unwrap_or("");
        (line, last.chars().count() as u64 + 1)
    }

    /// A tokenizer error (an unterminated string, a stray character).
    pub(crate) fn tokenizer_error(&self, e: TokenizerError) -> Error {
        let at = Span::new(e.location, e.location);
        self.error(format!("the SQL does not parse: {}", e.message), at).with_source(e)
    }

    /// A syntax error from `sqlparser`, which writes the location into its
    /// message (`… at Line: 1, Column: 8`).
    pub(crate) fn parser_error(&self, e: ParserError) -> Error {
        let (message, location) = match &e {
            ParserError::RecursionLimitExceeded => (
                "the SQL nests too deeply (more than 50 levels of parentheses or operators); \
                 simplify the filter"
                    .to_owned(),
                None,
            ),
            ParserError::TokenizerError(m) | ParserError::ParserError(m) => {
                let (text, location) = split_location(m);
                let hint = if text.ends_with("found: -") {
                    "; a name with dashes needs double quotes: FROM orders.\"status-created_at\""
                } else {
                    "; write one SELECT in the subset the `dynaquery::sql` docs list"
                };
                // sqlparser gives no location for the end of the text.
                let location = location.or_else(|| text.ends_with("found: EOF").then(|| self.end()));
                (format!("the SQL does not parse: {text}{hint}"), location)
            }
        };
        let span = match location {
            Some((line, column)) => Span::new(Location::new(line, column), Location::new(line, column)),
            None => Span::empty(),
        };
        self.error(message, span).with_source(e)
    }
}

/// `(line, column)` of a known location.
pub(crate) fn location(at: Location) -> Option<(u64, u64)> {
    (at.line > 0 && at.column > 0).then_some((at.line, at.column))
}

/// Splits `"Expected: …, found: x at Line: 1, Column: 8"` into the text and
/// the location.
fn split_location(message: &str) -> (&str, Option<(u64, u64)>) {
    let Some(i) = message.rfind(" at Line: ") else {
        return (message, None);
    };
    let rest = &message[i + " at Line: ".len()..];
    let parsed = rest.split_once(", Column: ").and_then(|(line, column)| {
        Some((line.trim().parse::<u64>().ok()?, column.trim().parse::<u64>().ok()?))
    });
    match parsed {
        Some(loc) => (&message[..i], Some(loc)),
        None => (message, None),
    }
}

/// A one-character span at `column` of line 1, for unit tests.
#[cfg(test)]
pub(crate) fn span_at(column: u64) -> Span {
    Span::new(Location::new(1, column), Location::new(1, column + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sqlparser_locations() {
        assert_eq!(
            split_location("Expected: an expression, found: EOF at Line: 3, Column: 14"),
            ("Expected: an expression, found: EOF", Some((3, 14)))
        );
        assert_eq!(split_location("no location"), ("no location", None));
    }

    #[test]
    fn quotes_the_fragment_a_span_covers() {
        let src = Source("SELECT *\nFROM t GROUP BY a");
        let span = Span::new(Location::new(2, 8), Location::new(2, 18));
        let e = src.error("GROUP BY", span);
        assert_eq!(e.sql_location(), Some((2, 8)));
        assert_eq!(e.message(), "GROUP BY (line 2, column 8: `GROUP BY a`)");
        assert_eq!(src.error("x", Span::empty()).sql_location(), None);
    }
}
