//! Renders key conditions, filters and projections into DynamoDB expression
//! text, and decides what DynamoDB would refuse in them: the one path both
//! backends go through. The DynamoDB backend sends what [`render`] gives;
//! the in-memory backend renders every request the same way and throws the
//! text away, so a filter runs on `MemoryTable` exactly when DynamoDB would
//! take it (an `IN` over 100 values split into groups on both, an
//! expression over 4 KB refused by both, a condition nested past
//! [`MAX_DEPTH`](crate::cond::MAX_DEPTH) refused by both).
//!
//! Every attribute name goes through a `#n` placeholder and every value
//! through a `:v` placeholder: no name or value is ever spliced into
//! expression text, so reserved words (`status`, `total`) and values that
//! look like syntax are safe.

use std::collections::HashMap;

use crate::backend::{KeyCondition, SortRange};
use crate::cond::Cond;
use crate::error::{Error, ErrorKind, Result};
use crate::value::Value;

/// Most operands DynamoDB accepts in one `IN`.
pub const MAX_IN_OPERANDS: usize = 100;
/// Largest expression DynamoDB accepts, in bytes.
pub const MAX_EXPRESSION_BYTES: usize = 4096;

/// Expressions and their placeholder maps.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Rendered {
    /// `KeyConditionExpression`.
    pub key_condition: Option<String>,
    /// `FilterExpression`.
    pub filter: Option<String>,
    /// `ProjectionExpression`.
    pub projection: Option<String>,
    /// `ExpressionAttributeNames`.
    pub names: HashMap<String, String>,
    /// `ExpressionAttributeValues`.
    pub values: HashMap<String, Value>,
}

/// Builds placeholders while rendering.
#[derive(Default)]
struct Renderer {
    names: HashMap<String, String>,
    values: HashMap<String, Value>,
}

impl Renderer {
    fn name(&mut self, attr: &str) -> String {
        let n = self.names.len();
        self.names.entry(attr.to_owned()).or_insert_with(|| format!("#n{n}")).clone()
    }

    fn value(&mut self, v: &Value) -> String {
        let p = format!(":v{}", self.values.len());
        self.values.insert(p.clone(), v.clone());
        p
    }

    fn range(&mut self, attr: &str, r: &SortRange) -> String {
        let n = self.name(attr);
        let (op, v) = match r {
            SortRange::Eq(v) => ("=", v),
            SortRange::Lt(v) => ("<", v),
            SortRange::Le(v) => ("<=", v),
            SortRange::Gt(v) => (">", v),
            SortRange::Ge(v) => (">=", v),
            SortRange::Between(lo, hi) => {
                let (lo, hi) = (self.value(lo), self.value(hi));
                return format!("{n} BETWEEN {lo} AND {hi}");
            }
            SortRange::BeginsWith(p) => {
                let p = self.value(p);
                return format!("begins_with({n}, {p})");
            }
        };
        let v = self.value(v);
        format!("{n} {op} {v}")
    }

    fn key(&mut self, k: &KeyCondition) -> String {
        let mut parts: Vec<String> = Vec::new();
        for (a, v) in k.partition.iter().chain(k.sort_eq.iter()) {
            let (n, v) = (self.name(a), self.value(v));
            parts.push(format!("{n} = {v}"));
        }
        if let Some((a, r)) = &k.sort_range {
            parts.push(self.range(a, r));
        }
        parts.join(" AND ")
    }

    fn cond(&mut self, c: &Cond) -> Result<String> {
        Ok(match c {
            Cond::Const(b) => {
                return Err(Error::new(
                    ErrorKind::InvalidQuery,
                    format!("the constant condition {b} cannot be sent to DynamoDB (the planner folds constants away)"),
                ))
            }
            Cond::Exists(a) => format!("attribute_exists({})", self.name(a)),
            Cond::NotExists(a) => format!("attribute_not_exists({})", self.name(a)),
            Cond::IsType(a, t) => {
                let n = self.name(a);
                let v = self.value(&Value::from(t.as_str()));
                format!("attribute_type({n}, {v})")
            }
            Cond::Cmp { attr, op, value } => {
                let (n, v) = (self.name(attr), self.value(value));
                format!("{n} {} {v}", op.as_str())
            }
            Cond::In { attr, values } => {
                if values.is_empty() {
                    return Err(Error::new(
                        ErrorKind::InvalidQuery,
                        format!("`{attr} IN ()` has no values: an IN takes at least one operand"),
                    ));
                }
                let n = self.name(attr);
                let groups: Vec<String> = values
                    .chunks(MAX_IN_OPERANDS)
                    .map(|chunk| {
                        let vs: Vec<String> = chunk.iter().map(|v| self.value(v)).collect();
                        format!("{n} IN ({})", vs.join(", "))
                    })
                    .collect();
                match groups.len() {
                    1 => groups.into_iter().next().unwrap_or_default(),
                    _ => format!("({})", groups.join(" OR ")),
                }
            }
            Cond::BeginsWith { attr, prefix } => {
                let (n, v) = (self.name(attr), self.value(prefix));
                format!("begins_with({n}, {v})")
            }
            Cond::Contains { attr, value } => {
                let (n, v) = (self.name(attr), self.value(value));
                format!("contains({n}, {v})")
            }
            Cond::And(cs) | Cond::Or(cs) => {
                let sep = if matches!(c, Cond::And(_)) { " AND " } else { " OR " };
                let parts = cs.iter().map(|c| self.cond(c)).collect::<Result<Vec<_>>>()?;
                format!("({})", parts.join(sep))
            }
            Cond::Not(c) => format!("(NOT {})", self.cond(c)?),
        })
    }
}

fn check_size(what: &str, text: &str) -> Result<()> {
    if text.len() > MAX_EXPRESSION_BYTES {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!(
                "the {what} would be {} bytes, more than DynamoDB's {MAX_EXPRESSION_BYTES}; simplify the filter \
                 or shorten its IN lists",
                text.len()
            ),
        ));
    }
    Ok(())
}

/// Renders one request's expressions.
///
/// # Errors
/// [`ErrorKind::LimitExceeded`] when an expression exceeds 4 KB or the
/// filter nests deeper than [`MAX_DEPTH`](crate::cond::MAX_DEPTH) (checked
/// first, without recursion); [`ErrorKind::InvalidQuery`] for a constant
/// condition or an empty `IN`.
pub fn render(
    key: Option<&KeyCondition>,
    filter: Option<&Cond>,
    projection: Option<&[String]>,
) -> Result<Rendered> {
    if let Some(f) = filter {
        f.check_depth()?;
    }
    let mut r = Renderer::default();
    let key_condition = key.map(|k| r.key(k));
    let filter = filter.map(|f| r.cond(f)).transpose()?;
    let projection = projection.map(|attrs| attrs.iter().map(|a| r.name(a)).collect::<Vec<_>>().join(", "));
    for (what, text) in [
        ("KeyConditionExpression", &key_condition),
        ("FilterExpression", &filter),
        ("ProjectionExpression", &projection),
    ] {
        if let Some(t) = text {
            check_size(what, t)?;
        }
    }
    let names = r.names.into_iter().map(|(attr, p)| (p, attr)).collect();
    Ok(Rendered { key_condition, filter, projection, names, values: r.values })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cond::lower;
    use crate::expr::col;

    #[test]
    fn renders_with_placeholders_only() {
        let key = KeyCondition {
            partition: vec![("status".into(), Value::from("paid"))],
            sort_eq: vec![],
            sort_range: Some(("created_at".into(), SortRange::Between("a".into(), "b".into()))),
        };
        let filter = lower(&col("total").ne(":v0"));
        let r = render(Some(&key), Some(&filter), Some(&["total".to_owned(), "status".to_owned()])).unwrap();
        assert_eq!(r.key_condition.as_deref(), Some("#n0 = :v0 AND #n1 BETWEEN :v1 AND :v2"));
        assert_eq!(
            r.filter.as_deref(),
            Some("(attribute_exists(#n2) AND (NOT attribute_type(#n2, :v3)) AND #n2 <> :v4)")
        );
        assert_eq!(r.projection.as_deref(), Some("#n2, #n0"));
        assert_eq!(r.names["#n0"], "status");
        assert_eq!(r.names["#n2"], "total");
        assert_eq!(r.values[":v3"], Value::from("NULL"));
        assert_eq!(r.values[":v4"], Value::from(":v0"));
    }

    #[test]
    fn long_in_lists_are_split_into_groups_of_100() {
        let filter = lower(&col("c").is_in((0..250).map(Value::from)));
        let r = render(None, Some(&filter), None).unwrap();
        let f = r.filter.unwrap();
        assert_eq!(f.matches(" IN (").count(), 3);
        assert!(f.starts_with("(#n0 IN (:v0, ") && f.contains(" OR #n0 IN (:v100, "), "{f}");
        assert_eq!(r.values.len(), 250);
    }

    #[test]
    fn oversized_expressions_are_limit_errors() {
        let filter = lower(&col("c").is_in((0..1000).map(Value::from)));
        let e = render(None, Some(&filter), None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        assert!(e.to_string().contains("FilterExpression"), "{e}");
    }

    #[test]
    fn conditions_past_the_depth_cap_are_refused_without_recursion() {
        // On a 1 MiB stack: the check must not recurse (rendering would).
        let deep = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(|| {
                let mut c = Cond::Exists("a".into());
                for _ in 0..1_000_000 {
                    c = Cond::Not(Box::new(c));
                }
                let kind = render(None, Some(&c), None).unwrap_err().kind();
                // Dropping it would recurse as deep as it nests.
                std::mem::forget(c);
                kind
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(deep, ErrorKind::LimitExceeded);
        let mut c = Cond::Exists("a".into());
        for _ in 1..crate::cond::MAX_DEPTH {
            c = Cond::Not(Box::new(c));
        }
        assert!(render(None, Some(&c), None).is_ok());
        assert_eq!(
            render(None, Some(&Cond::Not(Box::new(c))), None).unwrap_err().kind(),
            ErrorKind::LimitExceeded
        );
    }

    #[test]
    fn constants_are_never_sent() {
        assert_eq!(render(None, Some(&Cond::Const(true)), None).unwrap_err().kind(), ErrorKind::InvalidQuery);
    }
}
