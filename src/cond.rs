//! Conditions with DynamoDB's own semantics, and the lowering that turns a
//! SQL-semantics [`Expr`] into one.
//!
//! DynamoDB's condition language is two-valued: `a <> 5` is *true* when `a`
//! is missing. The contract is SQL's three-valued logic, where a comparison
//! with a missing attribute is neither true nor false. [`lower`] computes, for
//! every sub-expression, a DynamoDB condition that holds exactly when the SQL
//! expression is TRUE (and, for `NOT`, one that holds exactly when it is
//! FALSE), adding `attribute_exists` and `attribute_type(…, NULL)` checks
//! where DynamoDB's answer would differ. The same [`Cond`] is rendered into a
//! `FilterExpression` by the DynamoDB backend, evaluated by the in-memory
//! backend, and evaluated on the client for the residual filter, so all three
//! agree by construction.

use std::collections::BTreeSet;

use crate::error::{Error, Result};
use crate::expr::{CmpOp, Expr};
use crate::value::{AttrType, Item, Value};

/// Most levels a [`Cond`] may nest (a leaf is one level; each `AND`, `OR`
/// and `NOT` above it adds one). Both backends refuse a deeper condition
/// with [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded)
/// before anything walks it, since evaluating and rendering recurse. The
/// planner's conditions stay far below it: see
/// [`Options::max_filter_depth`](crate::Options::max_filter_depth).
pub(crate) const MAX_DEPTH: usize = 128;

/// A condition in DynamoDB's condition-expression language: what a
/// [`ReadRequest`](crate::ReadRequest) carries as its `FilterExpression`.
///
/// DynamoDB's condition language is two-valued: `a <> 5` is *true* when
/// `a` is missing. The crate's contract is SQL's three-valued logic, so a
/// [`Cond`] built from an [`Expr`] (with `From`) holds exactly where the
/// SQL expression is TRUE, with `attribute_exists` and
/// `attribute_type(…, NULL)` checks added where DynamoDB's answer would
/// differ. The same `Cond` is rendered into a `FilterExpression` by the
/// DynamoDB backend, evaluated by [`MemoryTable`](crate::MemoryTable) with
/// [`Cond::eval`], and evaluated on the client for the residual filter, so
/// all three agree by construction.
///
/// ```
/// use dynaquery::{col, item, Cond, Value};
/// let c = Cond::from(&col("country").ne("FR"));
/// // SQL: a comparison with a missing attribute is not TRUE…
/// assert!(!c.eval(&item([("id", Value::from("o-1"))])));
/// // …although DynamoDB's own `<>` is true there.
/// let raw = Cond::Cmp { attr: "country".into(), op: dynaquery::CmpOp::Ne, value: "FR".into() };
/// assert!(raw.eval(&item([("id", Value::from("o-1"))])));
/// ```
///
/// New variants may be added: a custom [`Backend`](crate::Backend) should
/// refuse one it does not know with an error rather than guess.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Cond {
    /// A constant; never sent to DynamoDB (the planner folds it away).
    Const(bool),
    /// `attribute_exists(attr)` (true for a DynamoDB `NULL` too).
    Exists(String),
    /// `attribute_not_exists(attr)`
    NotExists(String),
    /// `attribute_type(attr, :t)`
    IsType(String, AttrType),
    /// `attr op :v`
    Cmp {
        /// Attribute name.
        attr: String,
        /// Operator.
        op: CmpOp,
        /// Operand.
        value: Value,
    },
    /// `attr IN (:v1, …)` (at most 100 operands in one DynamoDB expression).
    In {
        /// Attribute name.
        attr: String,
        /// Candidates.
        values: Vec<Value>,
    },
    /// `begins_with(attr, :p)`
    BeginsWith {
        /// Attribute name.
        attr: String,
        /// Prefix.
        prefix: Value,
    },
    /// `contains(attr, :v)`
    Contains {
        /// Attribute name.
        attr: String,
        /// Operand.
        value: Value,
    },
    /// `(a AND b AND …)`
    And(Vec<Cond>),
    /// `(a OR b OR …)`
    Or(Vec<Cond>),
    /// `NOT a`
    Not(Box<Cond>),
}

fn present(attr: &str) -> Cond {
    Cond::And(vec![
        Cond::Exists(attr.to_owned()),
        Cond::Not(Box::new(Cond::IsType(attr.to_owned(), AttrType::Null))),
    ])
}

fn absent(attr: &str) -> Cond {
    Cond::Or(vec![Cond::NotExists(attr.to_owned()), Cond::IsType(attr.to_owned(), AttrType::Null)])
}

fn cmp(attr: &str, op: CmpOp, value: &Value) -> Cond {
    Cond::Cmp { attr: attr.to_owned(), op, value: value.clone() }
}

/// The DynamoDB condition that is true exactly where the SQL expression is TRUE.
pub(crate) fn lower(expr: &Expr) -> Cond {
    simplify(lower_when(expr, true))
}

impl From<&Expr> for Cond {
    /// The DynamoDB condition that is true exactly where the SQL expression
    /// is TRUE (see [`Cond`]).
    fn from(expr: &Expr) -> Cond {
        lower(expr)
    }
}

/// `truth = true`: where `expr` is TRUE; `false`: where it is FALSE (not NULL).
fn lower_when(expr: &Expr, truth: bool) -> Cond {
    // For a leaf that DynamoDB already evaluates to false on a missing
    // attribute, TRUE is the leaf itself and FALSE is "present and not leaf".
    let leaf = |attr: &str, c: Cond| {
        if truth {
            c
        } else {
            Cond::And(vec![present(attr), Cond::Not(Box::new(c))])
        }
    };
    match expr {
        Expr::Cmp { attr, op: CmpOp::Ne, value } => {
            if truth {
                Cond::And(vec![present(attr), cmp(attr, CmpOp::Ne, value)])
            } else {
                cmp(attr, CmpOp::Eq, value)
            }
        }
        Expr::Cmp { attr, op, value } => leaf(attr, cmp(attr, *op, value)),
        Expr::Between { attr, lo, hi } => {
            // Rendered as two comparisons: DynamoDB rejects BETWEEN with lo > hi.
            leaf(attr, Cond::And(vec![cmp(attr, CmpOp::Ge, lo), cmp(attr, CmpOp::Le, hi)]))
        }
        Expr::In { attr, values } => leaf(attr, Cond::In { attr: attr.clone(), values: values.clone() }),
        Expr::BeginsWith { attr, prefix } => {
            leaf(attr, Cond::BeginsWith { attr: attr.clone(), prefix: prefix.clone() })
        }
        Expr::Contains { attr, value } => {
            leaf(attr, Cond::Contains { attr: attr.clone(), value: value.clone() })
        }
        Expr::IsNull(attr) => {
            if truth {
                absent(attr)
            } else {
                present(attr)
            }
        }
        Expr::IsNotNull(attr) => {
            if truth {
                present(attr)
            } else {
                absent(attr)
            }
        }
        Expr::And(es) if truth => Cond::And(es.iter().map(|e| lower_when(e, true)).collect()),
        Expr::And(es) => Cond::Or(es.iter().map(|e| lower_when(e, false)).collect()),
        Expr::Or(es) if truth => Cond::Or(es.iter().map(|e| lower_when(e, true)).collect()),
        Expr::Or(es) => Cond::And(es.iter().map(|e| lower_when(e, false)).collect()),
        Expr::Not(e) => lower_when(e, !truth),
    }
}

/// Flattens nested `AND`/`OR`, folds constants and single-child groups.
pub(crate) fn simplify(c: Cond) -> Cond {
    match c {
        Cond::And(cs) => {
            let mut out = Vec::with_capacity(cs.len());
            for c in cs.into_iter().map(simplify) {
                match c {
                    Cond::Const(true) => {}
                    Cond::Const(false) => return Cond::Const(false),
                    Cond::And(inner) => out.extend(inner),
                    c => out.push(c),
                }
            }
            match out.len() {
                0 => Cond::Const(true),
                1 => out.pop().unwrap_or(Cond::Const(true)),
                _ => Cond::And(out),
            }
        }
        Cond::Or(cs) => {
            let mut out = Vec::with_capacity(cs.len());
            for c in cs.into_iter().map(simplify) {
                match c {
                    Cond::Const(false) => {}
                    Cond::Const(true) => return Cond::Const(true),
                    Cond::Or(inner) => out.extend(inner),
                    c => out.push(c),
                }
            }
            match out.len() {
                0 => Cond::Const(false),
                1 => out.pop().unwrap_or(Cond::Const(false)),
                _ => Cond::Or(out),
            }
        }
        Cond::Not(c) => match simplify(*c) {
            Cond::Const(b) => Cond::Const(!b),
            Cond::Not(inner) => *inner,
            c => Cond::Not(Box::new(c)),
        },
        c => c,
    }
}

impl Cond {
    /// Most levels a condition may nest (a leaf is one level; each `AND`,
    /// `OR` and `NOT` above it adds one): 128. Both shipped backends refuse a
    /// deeper condition with
    /// [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) before
    /// anything walks it, since evaluating and rendering recurse; a custom
    /// backend should call [`check_depth`](Cond::check_depth) first too.
    /// The planner's conditions stay far below it: see
    /// [`Options::max_filter_depth`](crate::Options::max_filter_depth).
    pub const MAX_DEPTH: usize = MAX_DEPTH;

    /// Evaluates with DynamoDB's semantics (two-valued; `<>` true when missing).
    pub fn eval(&self, item: &Item) -> bool {
        match self {
            Cond::Const(b) => *b,
            Cond::Exists(a) => item.contains_key(a),
            Cond::NotExists(a) => !item.contains_key(a),
            Cond::IsType(a, t) => item.get(a).is_some_and(|v| v.attr_type() == *t),
            Cond::Cmp { attr, op, value } => match item.get(attr) {
                None => *op == CmpOp::Ne,
                Some(x) => compare(x, *op, value),
            },
            Cond::In { attr, values } => item.get(attr).is_some_and(|x| values.iter().any(|v| x == v)),
            Cond::BeginsWith { attr, prefix } => match (item.get(attr), prefix) {
                (Some(Value::S(s)), Value::S(p)) => s.as_bytes().starts_with(p.as_bytes()),
                (Some(Value::B(b)), Value::B(p)) => b.starts_with(p),
                _ => false,
            },
            Cond::Contains { attr, value } => item.get(attr).is_some_and(|x| contains(x, value)),
            Cond::And(cs) => cs.iter().all(|c| c.eval(item)),
            Cond::Or(cs) => cs.iter().any(|c| c.eval(item)),
            Cond::Not(c) => !c.eval(item),
        }
    }

    /// Attribute names this condition reads.
    /// Checks that this condition nests at most [`Cond::MAX_DEPTH`] levels,
    /// without recursion (so it is safe on any condition, however deep).
    ///
    /// ```
    /// use dynaquery::Cond;
    /// let mut c = Cond::Exists("a".into());
    /// for _ in 0..Cond::MAX_DEPTH {
    ///     c = Cond::Not(Box::new(c));
    /// }
    /// assert_eq!(c.check_depth().unwrap_err().kind(), dynaquery::ErrorKind::LimitExceeded);
    /// ```
    ///
    /// # Errors
    /// [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded) past the cap.
    pub fn check_depth(&self) -> Result<()> {
        let mut stack = vec![(self, 1usize)];
        while let Some((c, d)) = stack.pop() {
            if d > MAX_DEPTH {
                return Err(Error::limit(format!(
                    "the condition nests more than {MAX_DEPTH} levels (AND, OR and NOT around a leaf); \
                     flatten it"
                )));
            }
            match c {
                Cond::And(cs) | Cond::Or(cs) => stack.extend(cs.iter().map(|c| (c, d + 1))),
                Cond::Not(inner) => stack.push((inner, d + 1)),
                _ => {}
            }
        }
        Ok(())
    }

    /// The attribute names this condition reads.
    pub fn attributes(&self) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        self.collect(&mut out);
        out
    }

    fn collect<'a>(&'a self, out: &mut BTreeSet<&'a str>) {
        match self {
            Cond::Const(_) => {}
            Cond::Exists(a) | Cond::NotExists(a) | Cond::IsType(a, _) => {
                out.insert(a);
            }
            Cond::Cmp { attr, .. }
            | Cond::In { attr, .. }
            | Cond::BeginsWith { attr, .. }
            | Cond::Contains { attr, .. } => {
                out.insert(attr);
            }
            Cond::And(cs) | Cond::Or(cs) => cs.iter().for_each(|c| c.collect(out)),
            Cond::Not(c) => c.collect(out),
        }
    }
}

/// DynamoDB's comparison of a present attribute with an operand.
fn compare(x: &Value, op: CmpOp, v: &Value) -> bool {
    use std::cmp::Ordering::*;
    match op {
        CmpOp::Eq => x == v,
        CmpOp::Ne => x != v,
        _ => match (x.cmp_same_type(v), op) {
            (Some(o), CmpOp::Lt) => o == Less,
            (Some(o), CmpOp::Le) => o != Greater,
            (Some(o), CmpOp::Gt) => o == Greater,
            (Some(o), CmpOp::Ge) => o != Less,
            _ => false,
        },
    }
}

/// DynamoDB's `contains`: substring of a string, byte run of a binary,
/// element of a set or list.
fn contains(x: &Value, v: &Value) -> bool {
    match (x, v) {
        (Value::S(s), Value::S(p)) => s.contains(p.as_str()),
        (Value::B(b), Value::B(p)) => p.is_empty() || b.windows(p.len()).any(|w| w == p.as_slice()),
        (Value::Ss(set), Value::S(p)) => set.contains(p),
        (Value::Ns(set), Value::N(p)) => set.contains(p),
        (Value::Bs(set), Value::B(p)) => set.contains(p),
        (Value::L(list), v) => list.contains(v),
        _ => false,
    }
}

impl std::fmt::Display for Cond {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let join = |f: &mut std::fmt::Formatter<'_>, cs: &[Cond], sep: &str| -> std::fmt::Result {
            f.write_str("(")?;
            for (i, c) in cs.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                write!(f, "{c}")?;
            }
            f.write_str(")")
        };
        match self {
            Cond::Const(b) => write!(f, "{}", if *b { "TRUE" } else { "FALSE" }),
            Cond::Exists(a) => write!(f, "attribute_exists({a})"),
            Cond::NotExists(a) => write!(f, "attribute_not_exists({a})"),
            Cond::IsType(a, t) => write!(f, "attribute_type({a}, {})", t.as_str()),
            Cond::Cmp { attr, op, value } => write!(f, "{attr} {} {value}", op.as_str()),
            Cond::In { attr, values } => {
                write!(f, "{attr} IN (")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str(")")
            }
            Cond::BeginsWith { attr, prefix } => write!(f, "begins_with({attr}, {prefix})"),
            Cond::Contains { attr, value } => write!(f, "contains({attr}, {value})"),
            Cond::And(cs) => join(f, cs, " AND "),
            Cond::Or(cs) => join(f, cs, " OR "),
            Cond::Not(c) => write!(f, "NOT {c}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::col;
    use crate::value::item;

    #[test]
    fn ne_is_false_on_missing_unlike_dynamodb() {
        let missing = item::<&str>([]);
        let raw = Cond::Cmp { attr: "country".into(), op: CmpOp::Ne, value: "FR".into() };
        assert!(raw.eval(&missing), "DynamoDB's own <> is true on a missing attribute");
        assert!(!lower(&col("country").ne("FR")).eval(&missing));
        assert!(!lower(&!col("country").eq("FR")).eval(&missing));
        assert!(!lower(&!col("country").ne("FR")).eval(&missing));
        let null = item([("country", Value::Null)]);
        assert!(!lower(&col("country").ne("FR")).eval(&null));
        assert!(lower(&col("country").is_null()).eval(&null));
        let de = item([("country", Value::from("DE"))]);
        assert!(lower(&col("country").ne("FR")).eval(&de));
        assert!(lower(&!col("country").eq("FR")).eval(&de));
    }

    /// DynamoDB Local 3.3.0: `contains(b, :v)` on a binary attribute
    /// `0x010203` is true for `:v = 0x02` and `0x0203` (a byte run, like a
    /// substring), false for a string operand.
    #[test]
    fn contains_on_binary_is_a_byte_run_as_on_dynamodb_local() {
        let it = item([("b", Value::B(vec![1, 2, 3]))]);
        let c = |v: Value| Cond::Contains { attr: "b".into(), value: v }.eval(&it);
        assert!(c(Value::B(vec![2])));
        assert!(c(Value::B(vec![2, 3])));
        assert!(!c(Value::B(vec![3, 1])));
        assert!(!c(Value::from("a")));
    }

    #[test]
    fn between_with_crossed_bounds_is_empty() {
        let it = item([("x", Value::from(5))]);
        assert!(!lower(&col("x").between(9, 1)).eval(&it));
        assert!(lower(&!col("x").between(9, 1)).eval(&it));
    }
}
