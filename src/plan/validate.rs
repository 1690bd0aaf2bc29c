//! Checks a query's shape before planning: every bad input is a typed
//! error that says what to do, and none of them reaches DynamoDB.

use crate::error::{Error, Result};
use crate::expr::{CmpOp, Expr};
use crate::options::Options;
use crate::value::Value;

/// Most operands one `IN` may list. Partition-key `IN`s fan out (capped by
/// `Options::max_streams`); a filter `IN` is split into groups of 100,
/// DynamoDB's limit per `IN`.
pub const MAX_IN_VALUES: usize = 1000;

/// Checks the filter's nesting against [`Options::max_filter_depth`] and its
/// predicate count against [`Options::max_predicates`], without recursion
/// and stopping at the first level or leaf past a cap: the walks that come
/// after it (validation, lowering, planning, rendering) recurse, so a filter
/// built programmatically a million levels deep must stop here.
pub fn shape(e: &Expr, options: &Options) -> Result<()> {
    depth(e, options)?;
    let mut leaves = 0usize;
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            Expr::And(es) | Expr::Or(es) => stack.extend(es),
            Expr::Not(inner) => stack.push(inner),
            _ => leaves += 1,
        }
        if leaves > options.max_predicates {
            return Err(Error::limit(format!(
                "the filter holds more than Options::max_predicates = {} predicates; simplify it (an IN \
                 list counts once) or raise the cap",
                options.max_predicates
            )));
        }
    }
    Ok(())
}

/// Checks the filter's nesting against [`Options::max_filter_depth`]
/// (a predicate is 1 level; each `AND`, `OR` and `NOT` above it adds one),
/// without recursion.
pub fn depth(e: &Expr, options: &Options) -> Result<()> {
    let cap = options.max_filter_depth;
    let mut stack = vec![(e, 1usize)];
    while let Some((e, d)) = stack.pop() {
        if d > cap {
            return Err(Error::limit(format!(
                "the filter nests more than Options::max_filter_depth = {cap} levels (AND, OR and NOT \
                 around a predicate); flatten it (a OR b OR c instead of a OR (b OR (c))), or raise the cap"
            )));
        }
        match e {
            Expr::And(es) | Expr::Or(es) => stack.extend(es.iter().map(|c| (c, d + 1))),
            Expr::Not(inner) => stack.push((inner, d + 1)),
            _ => {}
        }
    }
    Ok(())
}

/// Validates every predicate's operands.
pub fn filter(e: &Expr) -> Result<()> {
    match e {
        Expr::Cmp { attr, op, value } => {
            name(attr)?;
            not_null(attr, value)?;
            if !matches!(op, CmpOp::Eq | CmpOp::Ne) && !value.is_key_scalar() {
                return Err(Error::invalid_query(format!(
                    "`{attr} {} {value}`: ordering comparisons take a string, number or binary operand, not {}",
                    op.as_str(),
                    value.attr_type().as_str()
                )));
            }
            Ok(())
        }
        Expr::Between { attr, lo, hi } => {
            name(attr)?;
            for v in [lo, hi] {
                not_null(attr, v)?;
                if !v.is_key_scalar() {
                    return Err(Error::invalid_query(format!(
                        "`{attr} BETWEEN`: bounds must be strings, numbers or binary, not {}",
                        v.attr_type().as_str()
                    )));
                }
            }
            Ok(())
        }
        Expr::In { attr, values } => {
            name(attr)?;
            if values.is_empty() {
                return Err(Error::invalid_query(format!(
                    "`{attr} IN ()` has no values: it can match nothing; drop the query or pass at least one value"
                )));
            }
            if values.len() > MAX_IN_VALUES {
                return Err(Error::limit(format!(
                    "`{attr} IN (…)` lists {} values; at most {MAX_IN_VALUES} are supported — split the request",
                    values.len()
                )));
            }
            values.iter().try_for_each(|v| not_null(attr, v))
        }
        Expr::BeginsWith { attr, prefix } => {
            name(attr)?;
            if !matches!(prefix, Value::S(_) | Value::B(_)) {
                return Err(Error::invalid_query(format!(
                    "`begins_with({attr}, {prefix})`: the prefix must be a string or binary"
                )));
            }
            Ok(())
        }
        Expr::Contains { attr, value } => {
            name(attr)?;
            not_null(attr, value)?;
            if !value.is_key_scalar() {
                return Err(Error::invalid_query(format!(
                    "`contains({attr}, …)`: the operand must be a string, number or binary"
                )));
            }
            Ok(())
        }
        Expr::IsNull(attr) | Expr::IsNotNull(attr) => name(attr),
        Expr::And(es) | Expr::Or(es) => es.iter().try_for_each(filter),
        Expr::Not(e) => filter(e),
    }
}

/// An attribute name must be non-empty (DynamoDB rejects empty names).
pub fn name(attr: &str) -> Result<()> {
    if attr.is_empty() {
        return Err(Error::invalid_query("an attribute name is empty"));
    }
    Ok(())
}

fn not_null(attr: &str, v: &Value) -> Result<()> {
    if v.is_null() {
        return Err(Error::invalid_query(format!(
            "a comparison of `{attr}` with NULL is never true in SQL; use col(\"{attr}\").is_null() or .is_not_null()"
        )));
    }
    Ok(())
}
