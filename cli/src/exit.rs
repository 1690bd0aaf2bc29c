//! Exit codes and the one-line error report.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 2 | usage: bad arguments, a malformed `--schema` or `--memory` file |
//! | 3 | query: bad SQL, invalid query, no usable index, bad cursor, budget or limit exceeded |
//! | 4 | DynamoDB or connection failure ([`ErrorKind::Backend`], `Throttled`, `TimedOut`, `AccessDenied`, `NotFound`: [`ErrorKind::is_backend`]) |
//! | 5 | I/O: an output file cannot be written, an input file cannot be read |
//! | 130, 143 | stopped by SIGINT, SIGTERM (`export --out` removes its partial output first) |

use std::fmt;
use std::path::Path;

use dynaquery::ErrorKind;

/// Why the command failed, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// Exit 2.
    Usage,
    /// Exit 3.
    Query,
    /// Exit 4.
    Backend,
    /// Exit 5.
    Io,
    /// Stopped by a signal: 130 (SIGINT) or 143 (SIGTERM), as a shell reports it.
    Signal(u8),
}

impl Category {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            Category::Usage => 2,
            Category::Query => 3,
            Category::Backend => 4,
            Category::Io => 5,
            Category::Signal(code) => code,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Category::Usage => "usage error",
            Category::Query => "query error",
            Category::Backend => "backend error",
            Category::Io => "I/O error",
            Category::Signal(_) => "interrupted",
        }
    }
}

/// A failure to report: a category and a message.
#[derive(Debug)]
pub struct Failure {
    /// Decides the exit code.
    pub category: Category,
    message: String,
    /// A broken pipe on stdout: the reader went away, which is not an error
    /// for a command-line tool (`dynaquery export … | head`). Exit 0, silently.
    pub quiet: bool,
}

impl Failure {
    /// A failure of `category`.
    pub fn new(category: Category, message: impl Into<String>) -> Self {
        Failure { category, message: message.into(), quiet: false }
    }

    /// A usage error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::new(Category::Usage, message)
    }

    /// Stopped by a signal; `code` is 130 (SIGINT) or 143 (SIGTERM).
    pub fn signal(code: u8) -> Self {
        let name = if code == 130 { "SIGINT" } else { "SIGTERM" };
        Failure::new(Category::Signal(code), format!("{name}: stopped, the partial output removed"))
    }

    /// Stopped by a signal, with the rows written so far kept: `note`
    /// says where they are and how to resume.
    pub fn signal_kept(code: u8, note: &str) -> Self {
        let name = if code == 130 { "SIGINT" } else { "SIGTERM" };
        Failure::new(Category::Signal(code), format!("{name}: stopped; {note}"))
    }

    /// The same failure, with `note` added to its message.
    pub fn with_note(mut self, note: &str) -> Self {
        self.message.push_str("; ");
        self.message.push_str(note);
        self
    }

    /// An I/O error on `path` (exit 5).
    pub fn io(path: &Path, e: &std::io::Error) -> Self {
        Failure::new(Category::Io, format!("{}: {e}", path.display()))
    }

    /// An I/O error on standard output (exit 5).
    pub fn stdout(e: &std::io::Error) -> Self {
        Failure::new(Category::Io, format!("standard output: {e}"))
    }

    /// The single line printed on stderr: no newline inside.
    pub fn line(&self) -> String {
        let one_line: String = self.message.split_whitespace().collect::<Vec<_>>().join(" ");
        format!("dynaquery: {}: {one_line}", self.category.label())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line())
    }
}

/// The category of a library error: DynamoDB failures (every kind
/// [`ErrorKind::is_backend`] names) are backend errors, everything else
/// (the query, the cursor, a limit, the schema) a query error.
pub fn category_of(kind: ErrorKind) -> Category {
    match kind {
        k if k.is_backend() => Category::Backend,
        // Options come from the command line's flags.
        ErrorKind::InvalidOptions => Category::Usage,
        // InvalidQuery, NoUsableIndex, InvalidCursor, ReadBudgetExceeded,
        // LimitExceeded, Unorderable, Schema, Deserialize, and kinds added
        // later (the SQL front-end's `Sql`).
        _ => Category::Query,
    }
}

impl From<dynaquery::Error> for Failure {
    fn from(e: dynaquery::Error) -> Self {
        let mut message = e.message().to_owned();
        if let Some(ix) = e.suggested_index() {
            if !message.contains(ix) {
                message.push_str(&format!(" (an index that would serve it: {ix})"));
            }
        }
        if e.kind() == ErrorKind::NoUsableIndex {
            message.push_str(" (on the command line, --allow-scan allows the scan)");
        }
        Failure::new(category_of(e.kind()), message)
    }
}

/// A failed write to `path` (`None`: stdout); a broken pipe on stdout is quiet.
pub fn write_error(e: &std::io::Error, path: Option<&Path>) -> Failure {
    match path {
        Some(p) => Failure::io(p, e),
        None => {
            let mut f = Failure::stdout(e);
            f.quiet = e.kind() == std::io::ErrorKind::BrokenPipe;
            f
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_with_the_category() {
        let f = Failure::new(Category::Backend, "Query failed:\n  connection refused\n");
        assert_eq!(f.line(), "dynaquery: backend error: Query failed: connection refused");
        assert_eq!(f.category.code(), 4);
    }

    #[test]
    fn library_kinds_map_to_codes() {
        for k in [
            ErrorKind::Backend,
            ErrorKind::Throttled,
            ErrorKind::TimedOut,
            ErrorKind::AccessDenied,
            ErrorKind::NotFound,
        ] {
            assert_eq!(category_of(k).code(), 4, "{k:?}");
        }
        assert_eq!(category_of(ErrorKind::InvalidOptions).code(), 2);
        for k in [
            ErrorKind::InvalidQuery,
            ErrorKind::NoUsableIndex,
            ErrorKind::InvalidCursor,
            ErrorKind::ReadBudgetExceeded,
            ErrorKind::LimitExceeded,
        ] {
            assert_eq!(category_of(k).code(), 3, "{k:?}");
        }
    }
}
