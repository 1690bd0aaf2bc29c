//! Literals and bind parameters: SQL text to [`Value`]s.
//!
//! - `'text'` (a doubled `''` is one quote) → [`Value::S`];
//! - `12`, `-0.5`, `1E-100` → [`Value::N`], parsed as exact decimals by
//!   [`Number`]'s own parser — never through `f64`;
//! - `TRUE` / `FALSE` → [`Value::Bool`]; `X'00ff'` → [`Value::B`];
//! - `$1`, `$2`, … or `?` → the caller's parameter (see [`super::params`]).
//!
//! `NULL` as an operand is an error: `a = NULL` is never true in SQL, and
//! `IS NULL` / `IS NOT NULL` say what is meant.

use sqlparser::ast::{Expr as SqlExpr, UnaryOperator, Value as SqlValue};
use sqlparser::tokenizer::Span;

use super::located::Source;
use super::params::Params;
use crate::error::Result;
use crate::value::{Number, Value};

/// The value of a literal or parameter, or `Ok(None)` when `e` is neither
/// (a column, a function, …: the caller says what it expected).
///
/// # Errors
/// `NULL`, a missing parameter, a malformed number, a string prefix
/// (`E'…'`, `N'…'`, `DATE '…'`) or arithmetic on a literal.
pub(crate) fn literal(e: &SqlExpr, params: &mut Params<'_>, src: Source<'_>) -> Result<Option<Value>> {
    use sqlparser::ast::Spanned;
    match e {
        SqlExpr::Value(v) => scalar(&v.value, v.span, params, src).map(Some),
        SqlExpr::UnaryOp { op: op @ (UnaryOperator::Minus | UnaryOperator::Plus), expr } => match &**expr {
            SqlExpr::Value(v) => match &v.value {
                SqlValue::Number(text, false) => {
                    let signed = match op {
                        UnaryOperator::Minus => format!("-{text}"),
                        _ => text.clone(),
                    };
                    number(&signed, e.span(), src).map(Some)
                }
                _ => Err(src.unsupported(
                    "arithmetic (a sign on a non-number)",
                    "write the value itself, or compute it in your service and bind it as a parameter",
                    e.span(),
                )),
            },
            _ => Err(src.unsupported(
                "arithmetic (a sign on an expression)",
                "write the value itself, or compute it in your service and bind it as a parameter",
                e.span(),
            )),
        },
        SqlExpr::TypedString(t) => Err(src.unsupported(
            &format!("the typed literal `{}`", t.data_type),
            "write a plain string or number: DynamoDB stores dates as strings or numbers",
            e.span(),
        )),
        _ => Ok(None),
    }
}

fn scalar(v: &SqlValue, span: Span, params: &mut Params<'_>, src: Source<'_>) -> Result<Value> {
    match v {
        SqlValue::Number(text, false) => number(text, span, src),
        SqlValue::SingleQuotedString(s) => Ok(Value::S(s.clone())),
        SqlValue::Boolean(b) => Ok(Value::Bool(*b)),
        SqlValue::HexStringLiteral(hex) => bytes(hex, span, src),
        SqlValue::Placeholder(p) => params.take(p, span, src),
        SqlValue::Null => Err(src.error(
            "NULL as an operand is not supported: a comparison with NULL is never true; \
             write `column IS NULL` or `column IS NOT NULL`",
            span,
        )),
        other => Err(src.unsupported(
            &format!("the literal `{other}`"),
            "write strings in single quotes ('text'), numbers as decimals, TRUE/FALSE, X'hex' for \
             binary, or bind a parameter",
            span,
        )),
    }
}

/// An exact decimal through [`Number`]'s parser.
fn number(text: &str, span: Span, src: Source<'_>) -> Result<Value> {
    text.parse::<Number>()
        .map(Value::N)
        .map_err(|e| src.error(format!("the number `{text}` is not valid: {e}"), span).with_source(e))
}

/// `X'00ff'` → bytes.
fn bytes(hex: &str, span: Span, src: Source<'_>) -> Result<Value> {
    let digits: Vec<u8> = hex.bytes().collect();
    let nibble = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
    if !digits.len().is_multiple_of(2) {
        return Err(src.error(format!("the binary literal X'{hex}' has an odd number of hex digits"), span));
    }
    digits
        .chunks(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect::<Option<Vec<u8>>>()
        .map(Value::B)
        .ok_or_else(|| src.error(format!("the binary literal X'{hex}' holds a non-hex digit"), span))
}

/// A non-negative integer for `LIMIT` / `OFFSET` (a literal or parameter).
pub(crate) fn count(e: &SqlExpr, what: &str, params: &mut Params<'_>, src: Source<'_>) -> Result<u64> {
    use sqlparser::ast::Spanned;
    let bad = |detail: &str| {
        src.error(
            format!("{what} must be a whole number of rows, {detail}; write e.g. `{what} 50`"),
            e.span(),
        )
    };
    match literal(e, params, src)? {
        Some(Value::N(n)) => {
            if n.is_negative() {
                return Err(bad("not negative"));
            }
            n.to_string().parse::<u64>().map_err(|_| bad(&format!("and {n} is not one")))
        }
        Some(other) => Err(bad(&format!("not the {} value {other}", other.attr_type().as_str()))),
        None => Err(bad("a literal or a bind parameter, not an expression")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::located::span_at as at;

    #[test]
    fn hex_literals() {
        let src = Source("X'00fF'");
        assert_eq!(bytes("00fF", at(1), src).unwrap(), Value::B(vec![0, 255]));
        assert_eq!(bytes("", at(1), src).unwrap(), Value::B(vec![]));
        assert!(bytes("0", at(1), src).unwrap_err().message().contains("odd number"));
        assert!(bytes("0g", at(1), src).unwrap_err().message().contains("non-hex"));
    }
}
