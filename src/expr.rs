//! Filter expressions with SQL semantics, as callers write them.
//!
//! A missing attribute (or DynamoDB `NULL`) is SQL `NULL`: no comparison
//! with it is true, and `NOT` of such a comparison is not true either.
//! Comparing values of different types is false (and `<>` true) rather than
//! `NULL`. Only top-level attribute names are addressed (no nested paths).
//!
//! ```
//! use dynaquery::{col, Expr};
//! let e: Expr = col("status").is_in(["paid", "shipped"])
//!     .and(col("country").eq("FR"))
//!     .and(col("created_at").between("2026-10-25", "2026-11-24"));
//! assert_eq!(
//!     e.to_string(),
//!     r#"status IN ("paid", "shipped") AND country = "FR" AND created_at BETWEEN "2026-10-25" AND "2026-11-24""#
//! );
//! ```

use std::collections::BTreeSet;
use std::fmt;

use crate::value::Value;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written in SQL and in DynamoDB expressions.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "<>",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A filter expression. Build it with [`col`] and combine with
/// [`Expr::and`], [`Expr::or`] and `!` (or [`not`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Expr {
    /// `attr op value`
    Cmp {
        /// Attribute name.
        attr: String,
        /// Operator.
        op: CmpOp,
        /// Right-hand side.
        value: Value,
    },
    /// `attr BETWEEN lo AND hi` (inclusive; empty when `lo > hi`).
    Between {
        /// Attribute name.
        attr: String,
        /// Lower bound.
        lo: Value,
        /// Upper bound.
        hi: Value,
    },
    /// `attr IN (values…)`
    In {
        /// Attribute name.
        attr: String,
        /// Candidates.
        values: Vec<Value>,
    },
    /// `begins_with(attr, prefix)` on strings or binary.
    BeginsWith {
        /// Attribute name.
        attr: String,
        /// Prefix.
        prefix: Value,
    },
    /// `contains(attr, value)`: substring of a string, or member of a set or list.
    Contains {
        /// Attribute name.
        attr: String,
        /// What to look for.
        value: Value,
    },
    /// `attr IS NULL`: missing, or DynamoDB `NULL`.
    IsNull(String),
    /// `attr IS NOT NULL`
    IsNotNull(String),
    /// All of these (true when empty).
    And(Vec<Expr>),
    /// Any of these (false when empty).
    Or(Vec<Expr>),
    /// Negation, with SQL's three-valued logic.
    Not(Box<Expr>),
}

/// A column reference, the start of every predicate.
#[derive(Debug, Clone)]
pub struct Col(String);

/// Names an attribute in a filter.
///
/// ```
/// use dynaquery::col;
/// assert_eq!(col("total").ge(100).to_string(), "total >= 100");
/// ```
pub fn col(name: impl Into<String>) -> Col {
    Col(name.into())
}

/// `NOT e`.
pub fn not(e: Expr) -> Expr {
    Expr::Not(Box::new(e))
}

macro_rules! cmp_methods {
    ($($(#[$doc:meta])* $name:ident => $op:ident),*) => {$(
        $(#[$doc])*
        pub fn $name(self, value: impl Into<Value>) -> Expr {
            Expr::Cmp { attr: self.0, op: CmpOp::$op, value: value.into() }
        }
    )*};
}

impl Col {
    cmp_methods! {
        /// `attr = value`
        eq => Eq,
        /// `attr <> value` (false when the attribute is missing, unlike DynamoDB's own `<>`).
        ne => Ne,
        /// `attr < value`
        lt => Lt,
        /// `attr <= value`
        le => Le,
        /// `attr > value`
        gt => Gt,
        /// `attr >= value`
        ge => Ge
    }

    /// `attr BETWEEN lo AND hi`
    pub fn between(self, lo: impl Into<Value>, hi: impl Into<Value>) -> Expr {
        Expr::Between { attr: self.0, lo: lo.into(), hi: hi.into() }
    }

    /// `attr IN (values…)`
    pub fn is_in<V: Into<Value>>(self, values: impl IntoIterator<Item = V>) -> Expr {
        Expr::In { attr: self.0, values: values.into_iter().map(Into::into).collect() }
    }

    /// `begins_with(attr, prefix)`
    pub fn begins_with(self, prefix: impl Into<Value>) -> Expr {
        Expr::BeginsWith { attr: self.0, prefix: prefix.into() }
    }

    /// `contains(attr, value)`
    pub fn contains(self, value: impl Into<Value>) -> Expr {
        Expr::Contains { attr: self.0, value: value.into() }
    }

    /// `attr IS NULL`
    pub fn is_null(self) -> Expr {
        Expr::IsNull(self.0)
    }

    /// `attr IS NOT NULL`
    pub fn is_not_null(self) -> Expr {
        Expr::IsNotNull(self.0)
    }
}

impl Expr {
    /// `self AND other`, flattening nested `AND`s.
    pub fn and(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::And(mut a), Expr::And(b)) => {
                a.extend(b);
                Expr::And(a)
            }
            (Expr::And(mut a), b) => {
                a.push(b);
                Expr::And(a)
            }
            (a, b) => Expr::And(vec![a, b]),
        }
    }

    /// `self OR other`, flattening nested `OR`s.
    pub fn or(self, other: Expr) -> Expr {
        match (self, other) {
            (Expr::Or(mut a), Expr::Or(b)) => {
                a.extend(b);
                Expr::Or(a)
            }
            (Expr::Or(mut a), b) => {
                a.push(b);
                Expr::Or(a)
            }
            (a, b) => Expr::Or(vec![a, b]),
        }
    }

    /// The attribute names this expression reads.
    pub fn attributes(&self) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        self.collect_attributes(&mut out);
        out
    }

    fn collect_attributes<'a>(&'a self, out: &mut BTreeSet<&'a str>) {
        match self {
            Expr::Cmp { attr, .. }
            | Expr::Between { attr, .. }
            | Expr::In { attr, .. }
            | Expr::BeginsWith { attr, .. }
            | Expr::Contains { attr, .. }
            | Expr::IsNull(attr)
            | Expr::IsNotNull(attr) => {
                out.insert(attr);
            }
            Expr::And(es) | Expr::Or(es) => es.iter().for_each(|e| e.collect_attributes(out)),
            Expr::Not(e) => e.collect_attributes(out),
        }
    }

    /// The top-level conjuncts: `a AND (b AND c)` gives `[a, b, c]`.
    pub fn conjuncts(&self) -> Vec<&Expr> {
        match self {
            Expr::And(es) => es.iter().flat_map(Expr::conjuncts).collect(),
            e => vec![e],
        }
    }

    /// True when this expression can only be true for an item where `attr`
    /// is present and not `NULL` (so a sparse index on `attr` loses nothing).
    pub fn implies_present(&self, attr: &str) -> bool {
        self.implies_present_when(attr, true)
    }

    /// `truth` = whether we ask about the expression being true or false.
    fn implies_present_when(&self, attr: &str, truth: bool) -> bool {
        match self {
            Expr::Cmp { attr: a, .. }
            | Expr::Between { attr: a, .. }
            | Expr::In { attr: a, .. }
            | Expr::BeginsWith { attr: a, .. }
            | Expr::Contains { attr: a, .. } => a == attr,
            Expr::IsNotNull(a) => truth && a == attr,
            Expr::IsNull(a) => !truth && a == attr,
            Expr::And(es) if truth => es.iter().any(|e| e.implies_present_when(attr, true)),
            Expr::And(es) => !es.is_empty() && es.iter().all(|e| e.implies_present_when(attr, false)),
            Expr::Or(es) if truth => !es.is_empty() && es.iter().all(|e| e.implies_present_when(attr, true)),
            Expr::Or(es) => es.iter().any(|e| e.implies_present_when(attr, false)),
            Expr::Not(e) => e.implies_present_when(attr, !truth),
        }
    }
}

impl std::ops::Not for Expr {
    type Output = Expr;
    fn not(self) -> Expr {
        not(self)
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, es: &[Expr], sep: &str, empty: &str) -> fmt::Result {
            if es.is_empty() {
                return f.write_str(empty);
            }
            for (i, e) in es.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                match e {
                    Expr::And(_) | Expr::Or(_) => write!(f, "({e})")?,
                    _ => write!(f, "{e}")?,
                }
            }
            Ok(())
        }
        match self {
            Expr::Cmp { attr, op, value } => write!(f, "{attr} {} {value}", op.as_str()),
            Expr::Between { attr, lo, hi } => write!(f, "{attr} BETWEEN {lo} AND {hi}"),
            Expr::In { attr, values } => {
                write!(f, "{attr} IN (")?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str(")")
            }
            Expr::BeginsWith { attr, prefix } => write!(f, "begins_with({attr}, {prefix})"),
            Expr::Contains { attr, value } => write!(f, "contains({attr}, {value})"),
            Expr::IsNull(a) => write!(f, "{a} IS NULL"),
            Expr::IsNotNull(a) => write!(f, "{a} IS NOT NULL"),
            Expr::And(es) => list(f, es, " AND ", "TRUE"),
            Expr::Or(es) => list(f, es, " OR ", "FALSE"),
            Expr::Not(e) => match **e {
                Expr::And(_) | Expr::Or(_) => write!(f, "NOT ({e})"),
                _ => write!(f, "NOT {e}"),
            },
        }
    }
}
