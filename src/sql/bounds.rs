//! Caps checked on the text and its tokens, before the parser builds a tree.
//!
//! `sqlparser` builds a chain `a AND b AND c …` (or `1 + 1 + …`, `x IS NULL
//! IS NULL …`) as a left-deep tree, one level per operator, and walks it
//! recursively (dropping it, printing it, locating it); so do we. A long
//! enough chain overflows any stack. The parser's own recursion limit only
//! counts parentheses and prefix operators, so the operators are counted
//! here first, on the flat token list:
//!
//! ```text
//! WHERE a = 1 AND (b = 2 OR c IN (1, 2, 3))
//!         1   2    3   4   5  6    (commas reset a level's count)
//!       └──── level 0 ───┘└─ level 1 ─┘
//! ```
//!
//! A node's depth is at most the operators counted on the levels enclosing
//! it, so the count along the open levels is what
//! [`Options::max_sql_operators`] caps. The nesting of parentheses and
//! `NOT`s is the parser's recursion limit, set from
//! [`Options::max_filter_depth`].

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::located::Source;
use crate::error::{Error, Result};
use crate::options::Options;

/// Refuses text longer than [`Options::max_sql_len`].
pub(crate) fn length(sql: &str, options: &Options) -> Result<()> {
    if sql.len() > options.max_sql_len {
        return Err(Error::limit(format!(
            "the SQL text is {} bytes, more than Options::max_sql_len = {}; bind long IN lists as \
             parameters, split the query, or raise the cap",
            sql.len(),
            options.max_sql_len
        )));
    }
    Ok(())
}

/// Refuses a token list whose operator chains, summed over the nesting
/// that encloses them, exceed [`Options::max_sql_operators`].
pub(crate) fn operators(tokens: &[TokenWithSpan], options: &Options, src: Source<'_>) -> Result<()> {
    let cap = options.max_sql_operators;
    // The count on each open level; `path` is their sum.
    let mut levels: Vec<usize> = vec![0];
    let mut path = 0usize;
    // A run of `NOT`s (and opening parentheses) nests one level each; the
    // parser gives up on a long run with a syntax error instead of its
    // recursion limit, so the run is measured here.
    let mut nots = 0usize;
    for t in tokens {
        match &t.token {
            Token::Word(w) if w.keyword == Keyword::NOT && w.quote_style.is_none() => {
                nots += 1;
                if nots + levels.len() - 1 > options.max_filter_depth {
                    return Err(too_deep(options));
                }
                continue;
            }
            Token::Whitespace(_) | Token::LParen => {}
            _ => nots = 0,
        }
        match &t.token {
            Token::LParen | Token::LBracket | Token::LBrace => levels.push(0),
            Token::RParen | Token::RBracket | Token::RBrace => {
                if levels.len() > 1 {
                    path -= levels.pop().unwrap_or(0);
                }
            }
            Token::Comma | Token::SemiColon => {
                if let Some(top) = levels.last_mut() {
                    path -= *top;
                    *top = 0;
                }
            }
            tok if is_operand(tok) => {}
            _ => {
                if let Some(top) = levels.last_mut() {
                    *top += 1;
                }
                path += 1;
                if path > cap {
                    return Err(src
                        .error(
                            format!(
                                "the SQL chains more than Options::max_sql_operators = {cap} operators (AND, \
                                 OR, comparisons, IS, IN, BETWEEN, LIKE, arithmetic…) along one path of its \
                                 nesting; use IN (…) for lists of values, split the query, or raise the cap"
                            ),
                            t.span,
                        )
                        .into_kind(crate::ErrorKind::LimitExceeded));
                }
            }
        }
    }
    Ok(())
}

/// Tokens that are operands or layout, not operators.
fn is_operand(t: &Token) -> bool {
    match t {
        Token::Word(w) => {
            matches!(
                w.keyword,
                Keyword::NoKeyword | Keyword::NOT | Keyword::NULL | Keyword::TRUE | Keyword::FALSE
            ) || w.quote_style.is_some()
        }
        Token::Whitespace(_)
        | Token::Period
        | Token::EOF
        | Token::Number(..)
        | Token::Char(_)
        | Token::Placeholder(_)
        | Token::SingleQuotedString(_)
        | Token::DoubleQuotedString(_)
        | Token::TripleSingleQuotedString(_)
        | Token::TripleDoubleQuotedString(_)
        | Token::DollarQuotedString(_)
        | Token::SingleQuotedByteStringLiteral(_)
        | Token::DoubleQuotedByteStringLiteral(_)
        | Token::TripleSingleQuotedByteStringLiteral(_)
        | Token::TripleDoubleQuotedByteStringLiteral(_)
        | Token::SingleQuotedRawStringLiteral(_)
        | Token::DoubleQuotedRawStringLiteral(_)
        | Token::TripleSingleQuotedRawStringLiteral(_)
        | Token::TripleDoubleQuotedRawStringLiteral(_)
        | Token::NationalStringLiteral(_)
        | Token::EscapedStringLiteral(_)
        | Token::UnicodeStringLiteral(_)
        | Token::HexStringLiteral(_) => true,
        _ => false,
    }
}

/// The error for text nested deeper than the parser's recursion limit.
pub(crate) fn too_deep(options: &Options) -> Error {
    Error::limit(format!(
        "the SQL nests more than Options::max_filter_depth = {} levels (parentheses, NOT, AND inside OR); \
         flatten the filter (a OR b OR c instead of a OR (b OR (c))), or raise the cap",
        options.max_filter_depth
    ))
}
