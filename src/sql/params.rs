//! Bind parameters: `$1`, `$2`, … (PostgreSQL) or `?` (JDBC, SQLite,
//! MySQL), one style per statement.
//!
//! The n-th `?` in the text binds the n-th value; `$n` binds value n and may
//! repeat. A placeholder without a value, a value no placeholder uses, and a
//! `NULL` value (write `IS NULL`) are errors. Values go into the query as
//! data, never into text.

use sqlparser::tokenizer::Span;

use super::located::Source;
use crate::error::Result;
use crate::value::Value;

/// How a statement numbers its parameters; mixing the two is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `$1`, `$2`, … (PostgreSQL).
    Dollar,
    /// `?`, numbered in order of appearance (JDBC, MySQL, SQLite).
    Question,
}

/// The caller's bind parameters and which of them the statement used.
#[derive(Debug)]
pub(crate) struct Params<'a> {
    values: &'a [Value],
    used: Vec<bool>,
    /// Where each `?` is written, in text order: the n-th `?` binds value n,
    /// whatever order the clauses are converted in.
    questions: Vec<(u64, u64)>,
    next_question: usize,
    style: Option<Style>,
}

impl<'a> Params<'a> {
    /// `values`, for a text whose `?` placeholders start at `questions`.
    pub(crate) fn new(values: &'a [Value], mut questions: Vec<(u64, u64)>) -> Self {
        questions.sort_unstable();
        Params { values, used: vec![false; values.len()], questions, next_question: 0, style: None }
    }

    /// The value bound to `placeholder` (`$2`, `?`), written at `span`.
    pub(crate) fn take(&mut self, placeholder: &str, span: Span, src: Source<'_>) -> Result<Value> {
        let (style, index) = if placeholder == "?" {
            let at = (span.start.line, span.start.column);
            let index = match self.questions.binary_search(&at) {
                Ok(i) => i,
                Err(_) => self.next_question,
            };
            self.next_question += 1;
            (Style::Question, index)
        } else {
            match placeholder.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
                Some(n) if n >= 1 => (Style::Dollar, n - 1),
                _ => {
                    return Err(src.unsupported(
                        &format!("the parameter `{placeholder}`"),
                        "bind parameters are positional: write $1, $2, … or ?",
                        span,
                    ))
                }
            }
        };
        match self.style {
            Some(s) if s != style => {
                return Err(src.error(
                    format!(
                        "the parameter `{placeholder}` mixes `$n` and `?` parameters in one statement; \
                         use one style"
                    ),
                    span,
                ))
            }
            _ => self.style = Some(style),
        }
        let Some(value) = self.values.get(index) else {
            return Err(src.error(
                format!(
                    "the parameter `{placeholder}` (number {}) has no value: {} parameter(s) were given; \
                     pass one value per parameter",
                    index + 1,
                    self.values.len()
                ),
                span,
            ));
        };
        if value.is_null() {
            return Err(src.error(
                format!(
                    "the parameter `{placeholder}` is NULL, and a comparison with NULL is never true; \
                     write `column IS NULL` or `column IS NOT NULL` instead"
                ),
                span,
            ));
        }
        self.used[index] = true;
        Ok(value.clone())
    }

    /// Fails when a parameter was given but the statement never names it.
    pub(crate) fn finish(self, src: Source<'_>) -> Result<()> {
        let unused: Vec<String> = self
            .used
            .iter()
            .enumerate()
            .filter(|(_, used)| !**used)
            .map(|(i, _)| match self.style {
                Some(Style::Question) => format!("number {}", i + 1),
                _ => format!("${}", i + 1),
            })
            .collect();
        if unused.is_empty() {
            return Ok(());
        }
        let used = self.used.iter().filter(|u| **u).count();
        Err(src.error(
            format!(
                "{} parameter(s) were given but the statement uses {used}: parameter {} is never used; \
                 pass exactly the parameters the statement names",
                self.values.len(),
                unused.join(", ")
            ),
            Span::empty(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::located::span_at as at;

    #[test]
    fn question_marks_bind_in_text_order() {
        let values = [Value::from(1), Value::from(2)];
        let src = Source("? ?");
        let mut params = Params::new(&values, vec![(1, 3), (1, 1)]);
        // Taken out of order, each `?` still binds by its position.
        assert_eq!(params.take("?", at(3), src).unwrap(), Value::from(2));
        assert_eq!(params.take("?", at(1), src).unwrap(), Value::from(1));
        params.finish(src).unwrap();
    }

    #[test]
    fn unused_and_mixed_parameters() {
        let values = [Value::from(1), Value::from(2)];
        let src = Source("$1 ?");
        let mut params = Params::new(&values, vec![(1, 4)]);
        assert_eq!(params.take("$1", at(1), src).unwrap(), Value::from(1));
        assert!(params.take("?", at(4), src).unwrap_err().message().contains("mixes"));
        assert!(params.finish(src).unwrap_err().message().contains("$2 is never used"));
        let mut params = Params::new(&values, vec![]);
        assert!(params.take("$0", at(1), src).unwrap_err().message().contains("positional"));
    }
}
