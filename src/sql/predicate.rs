//! `WHERE` → [`Expr`].
//!
//! | SQL | becomes |
//! |---|---|
//! | `a = v`, `<>`/`!=`, `<`, `<=`, `>`, `>=` | [`Expr::Cmp`]; `v < a` is flipped to `a > v` |
//! | `a [NOT] BETWEEN lo AND hi` | [`Expr::Between`] (under [`Expr::Not`]) |
//! | `a [NOT] IN (v, …)` | [`Expr::In`] (under [`Expr::Not`]) |
//! | `a IS [NOT] NULL` | [`Expr::IsNull`] / [`Expr::IsNotNull`] |
//! | `a [NOT] LIKE 'prefix%'` | [`Expr::BeginsWith`] (under [`Expr::Not`]) |
//! | `contains(a, v)` | [`Expr::Contains`] |
//! | `AND`, `OR`, `NOT`, `( … )` | [`Expr::And`], [`Expr::Or`], [`Expr::Not`] |
//!
//! An unparenthesized chain `a AND b AND c` becomes one [`Expr::And`] of
//! three; a parenthesized group stays a node of its own, so the structure
//! the text shows is the structure the query gets (`AND` binds tighter than
//! `OR`, as in every SQL).

use sqlparser::ast::{
    BinaryOperator, DuplicateTreatment, Expr as SqlExpr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, InTarget, Spanned, UnaryOperator,
};

use super::like::like_prefix;
use super::literal::literal;
use super::located::Source;
use super::names::column;
use super::params::Params;
use crate::error::Result;
use crate::expr::{col, not, CmpOp, Expr};
use crate::value::Value;

/// Functions that aggregate rows, named in the error that rejects them.
const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "array_agg",
    "string_agg",
    "group_concat",
    "stddev",
    "variance",
    "bool_and",
    "bool_or",
    "every",
    "listagg",
];

/// Converts `WHERE` expressions, binding parameters as it goes.
pub(crate) struct Predicates<'s, 'p, 'v> {
    pub(crate) src: Source<'s>,
    pub(crate) params: &'p mut Params<'v>,
}

/// One side of a comparison.
enum Operand {
    Column(String),
    Value(Value),
}

impl Predicates<'_, '_, '_> {
    /// The filter `e` stands for.
    pub(crate) fn predicate(&mut self, e: &SqlExpr) -> Result<Expr> {
        let src = self.src;
        match e {
            SqlExpr::Nested(inner) => self.predicate(inner),
            SqlExpr::BinaryOp { op: op @ (BinaryOperator::And | BinaryOperator::Or), .. } => {
                let mut parts = Vec::new();
                chain(e, op, &mut parts);
                let parts = parts.into_iter().map(|p| self.predicate(p)).collect::<Result<Vec<_>>>()?;
                Ok(if *op == BinaryOperator::And { Expr::And(parts) } else { Expr::Or(parts) })
            }
            SqlExpr::UnaryOp { op: UnaryOperator::Not, expr } => Ok(not(self.predicate(expr)?)),
            SqlExpr::BinaryOp { left, op, right } => self.comparison(e, left, op, right),
            SqlExpr::Between { expr, negated, low, high } => {
                let attr = self.column(expr, "BETWEEN")?;
                let lo = self.value(low, "BETWEEN")?;
                let hi = self.value(high, "BETWEEN")?;
                Ok(negate(*negated, col(attr).between(lo, hi)))
            }
            SqlExpr::In { expr, target, negated, global } => {
                if *global {
                    return Err(src.unsupported("GLOBAL IN", "write `column IN (value, …)`", e.span()));
                }
                match target {
                    InTarget::List(list) => {
                        let attr = self.column(expr, "IN")?;
                        let values = list.iter().map(|v| self.value(v, "IN")).collect::<Result<Vec<_>>>()?;
                        Ok(negate(*negated, col(attr).is_in(values)))
                    }
                    InTarget::Subquery(_) => Err(subquery(src, e)),
                    _ => Err(src.unsupported(
                        &format!("`{e}`"),
                        "list the values: `column IN (value, …)`",
                        e.span(),
                    )),
                }
            }
            SqlExpr::IsNull(x) => Ok(col(self.column(x, "IS NULL")?).is_null()),
            SqlExpr::IsNotNull(x) => Ok(col(self.column(x, "IS NOT NULL")?).is_not_null()),
            SqlExpr::Like { negated, any, expr, pattern, escape_char } => {
                if *any {
                    return Err(src.unsupported(
                        "LIKE ANY",
                        "write one `LIKE 'prefix%'` per prefix, joined with OR",
                        e.span(),
                    ));
                }
                let attr = self.column(expr, "LIKE")?;
                let pattern_text = match self.value(pattern, "LIKE")? {
                    Value::S(s) => s,
                    other => {
                        return Err(src.error(
                            format!(
                                "the LIKE pattern must be a string, not the {} value {other}",
                                other.attr_type().as_str()
                            ),
                            pattern.span(),
                        ))
                    }
                };
                let escape = match escape_char {
                    None => Some('\\'),
                    Some(esc) => match self.value(esc, "ESCAPE")? {
                        Value::S(s) if s.is_empty() => None,
                        Value::S(s) if s.chars().count() == 1 => s.chars().next(),
                        other => {
                            return Err(src.error(
                                format!("the ESCAPE of LIKE must be one character (or ''), not {other}"),
                                esc.span(),
                            ))
                        }
                    },
                };
                match like_prefix(&pattern_text, escape) {
                    Ok(prefix) => Ok(negate(*negated, col(attr).begins_with(prefix))),
                    Err(why) => Err(src.unsupported(
                        &format!("the LIKE pattern '{}'", pattern_text.replace('\'', "''")),
                        &format!(
                            "{why}; only a literal prefix followed by one trailing % (`LIKE 'prefix%'`) is \
                             supported, as begins_with — escape a literal % or _ with a backslash"
                        ),
                        pattern.span(),
                    )),
                }
            }
            SqlExpr::ILike { .. } => Err(src.unsupported(
                "ILIKE",
                "DynamoDB compares strings case-sensitively; use `LIKE 'prefix%'` on a normalized attribute",
                e.span(),
            )),
            SqlExpr::SimilarTo { .. } | SqlExpr::RLike { .. } => Err(src.unsupported(
                "regular-expression matching (SIMILAR TO / RLIKE / REGEXP)",
                "use `LIKE 'prefix%'` (begins_with) or contains(column, 'text')",
                e.span(),
            )),
            SqlExpr::Function(f) => self.function(f, e),
            SqlExpr::Subquery(_) | SqlExpr::Exists { .. } => Err(subquery(src, e)),
            SqlExpr::IsTrue(x) | SqlExpr::IsNotTrue(x) | SqlExpr::IsFalse(x) | SqlExpr::IsNotFalse(x) => {
                Err(src.unsupported(
                    &format!("`{e}`"),
                    &format!("compare with a boolean instead, e.g. `{x} = TRUE` or `NOT {x} = TRUE`"),
                    e.span(),
                ))
            }
            SqlExpr::IsDistinctFrom(..) | SqlExpr::IsNotDistinctFrom(..) => Err(src.unsupported(
                "IS [NOT] DISTINCT FROM",
                "write `=` / `<>` together with IS NULL / IS NOT NULL",
                e.span(),
            )),
            SqlExpr::Identifier(ident) => Err(src.unsupported(
                &format!("the bare column `{}` as a condition", ident.value),
                &format!("compare it with a value, e.g. `{} = TRUE`", ident),
                e.span(),
            )),
            SqlExpr::Value(_) => Err(src.unsupported(
                &format!("the constant condition `{e}`"),
                "write a condition on a column, or leave out WHERE",
                e.span(),
            )),
            SqlExpr::Case { .. } => {
                Err(src.unsupported("CASE", "write the conditions with AND / OR", e.span()))
            }
            SqlExpr::Cast { .. } => {
                Err(src.unsupported("CAST", "compare the attribute with a value of its own type", e.span()))
            }
            _ => Err(src.unsupported(
                &format!("the expression `{e}` in WHERE"),
                "conditions compare one column with a value (=, <>, <, <=, >, >=, BETWEEN, IN, IS NULL, \
                 LIKE 'prefix%', contains) and combine with AND / OR / NOT",
                e.span(),
            )),
        }
    }

    /// `left op right` with one column and one value.
    fn comparison(
        &mut self,
        e: &SqlExpr,
        left: &SqlExpr,
        op: &BinaryOperator,
        right: &SqlExpr,
    ) -> Result<Expr> {
        let src = self.src;
        let op = match op {
            BinaryOperator::Eq => CmpOp::Eq,
            BinaryOperator::NotEq => CmpOp::Ne,
            BinaryOperator::Lt => CmpOp::Lt,
            BinaryOperator::LtEq => CmpOp::Le,
            BinaryOperator::Gt => CmpOp::Gt,
            BinaryOperator::GtEq => CmpOp::Ge,
            BinaryOperator::Plus
            | BinaryOperator::Minus
            | BinaryOperator::Multiply
            | BinaryOperator::Divide
            | BinaryOperator::Modulo
            | BinaryOperator::StringConcat => return Err(arithmetic(src, e, op)),
            other => {
                return Err(src.unsupported(
                    &format!("the operator `{other}`"),
                    "use =, <>, <, <=, >, >=, BETWEEN, IN, IS NULL, LIKE 'prefix%' or contains",
                    e.span(),
                ))
            }
        };
        match (self.operand(left)?, self.operand(right)?) {
            (Operand::Column(attr), Operand::Value(v)) => Ok(cmp(attr, op, v)),
            (Operand::Value(v), Operand::Column(attr)) => Ok(cmp(attr, flip(op), v)),
            (Operand::Column(_), Operand::Column(_)) => Err(src.unsupported(
                &format!("the column-to-column comparison `{e}`"),
                "a DynamoDB filter compares an attribute with a value; compare the columns in your service",
                e.span(),
            )),
            (Operand::Value(_), Operand::Value(_)) => Err(src.unsupported(
                &format!("the comparison of two values `{e}`"),
                "one side of a comparison must be a column",
                e.span(),
            )),
        }
    }

    /// A column or a value, for a comparison.
    fn operand(&mut self, e: &SqlExpr) -> Result<Operand> {
        if let SqlExpr::Nested(inner) = e {
            return self.operand(inner);
        }
        if let Some(name) = column(e, self.src)? {
            return Ok(Operand::Column(name));
        }
        if let Some(v) = literal(e, self.params, self.src)? {
            return Ok(Operand::Value(v));
        }
        Err(self.not_an_operand(e, "a comparison"))
    }

    /// The column `e` must name, as the subject of `what`.
    fn column(&mut self, e: &SqlExpr, what: &str) -> Result<String> {
        match column(e, self.src)? {
            Some(name) => Ok(name),
            None => match literal(e, self.params, self.src)? {
                Some(_) => Err(self.src.unsupported(
                    &format!("a value before {what} (`{e}`)"),
                    &format!("write the column first: `column {what} …`"),
                    e.span(),
                )),
                None => Err(self.not_an_operand(e, what)),
            },
        }
    }

    /// The literal or parameter `e` must be, as an operand of `what`.
    fn value(&mut self, e: &SqlExpr, what: &str) -> Result<Value> {
        match literal(e, self.params, self.src)? {
            Some(v) => Ok(v),
            None => match column(e, self.src)? {
                Some(name) => Err(self.src.unsupported(
                    &format!("the column `{name}` as an operand of {what}"),
                    "a DynamoDB filter compares an attribute with values; compare columns in your service",
                    e.span(),
                )),
                None => Err(self.not_an_operand(e, what)),
            },
        }
    }

    /// The error for an operand that is neither a column nor a value.
    fn not_an_operand(&self, e: &SqlExpr, what: &str) -> crate::Error {
        let src = self.src;
        match e {
            SqlExpr::Function(f) => function_error(src, f, e),
            SqlExpr::Subquery(_) | SqlExpr::Exists { .. } => subquery(src, e),
            SqlExpr::BinaryOp { op, .. } => arithmetic(src, e, op),
            SqlExpr::Cast { .. } => {
                src.unsupported("CAST", "compare the attribute with a value of its own type", e.span())
            }
            SqlExpr::Case { .. } => src.unsupported("CASE", "write the conditions with AND / OR", e.span()),
            SqlExpr::Interval(_) => src.unsupported(
                "INTERVAL",
                "compute the bound in your service and bind it as a parameter ($1)",
                e.span(),
            ),
            _ => src.unsupported(
                &format!("the expression `{e}` in {what}"),
                "operands are a column name, a literal ('text', 12.5, TRUE) or a bind parameter ($1 or ?)",
                e.span(),
            ),
        }
    }

    /// `contains(column, value)`; every other function is an error.
    fn function(&mut self, f: &Function, e: &SqlExpr) -> Result<Expr> {
        let name = f.name.to_string();
        if !name.eq_ignore_ascii_case("contains")
            || f.over.is_some()
            || f.filter.is_some()
            || !f.within_group.is_empty()
        {
            return Err(function_error(self.src, f, e));
        }
        let args = match &f.args {
            FunctionArguments::List(list)
                if list.clauses.is_empty()
                    && !matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)) =>
            {
                list.args
                    .iter()
                    .map(|a| match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) => Some(x),
                        _ => None,
                    })
                    .collect::<Option<Vec<_>>>()
            }
            _ => None,
        };
        match args.as_deref() {
            Some([target, needle]) => {
                let attr = self.column(target, "contains()")?;
                let v = self.value(needle, "contains()")?;
                Ok(col(attr).contains(v))
            }
            _ => Err(self.src.error(
                format!("contains() takes a column and a value: write `contains(column, 'text')`, not `{e}`"),
                e.span(),
            )),
        }
    }
}

/// Collects the operands of an unparenthesized chain of `op`.
fn chain<'e>(e: &'e SqlExpr, op: &BinaryOperator, out: &mut Vec<&'e SqlExpr>) {
    match e {
        SqlExpr::BinaryOp { left, op: o, right } if o == op => {
            chain(left, op, out);
            chain(right, op, out);
        }
        _ => out.push(e),
    }
}

fn negate(negated: bool, e: Expr) -> Expr {
    if negated {
        not(e)
    } else {
        e
    }
}

fn cmp(attr: String, op: CmpOp, v: Value) -> Expr {
    Expr::Cmp { attr, op, value: v }
}

/// `v op a` is `a flip(op) v`.
fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Eq => CmpOp::Eq,
        CmpOp::Ne => CmpOp::Ne,
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
    }
}

fn subquery(src: Source<'_>, e: &SqlExpr) -> crate::Error {
    src.unsupported(
        "a subquery",
        "DynamoDB runs one query at a time; run the inner query first and bind its values as parameters",
        e.span(),
    )
}

fn arithmetic(src: Source<'_>, e: &SqlExpr, op: &BinaryOperator) -> crate::Error {
    src.unsupported(
        &format!("arithmetic (`{op}`) in `{e}`"),
        "compute the value in your service and bind it as a parameter ($1 or ?)",
        e.span(),
    )
}

/// Names a rejected function: an aggregate, a window function, or any other.
pub(crate) fn function_error(src: Source<'_>, f: &Function, e: &SqlExpr) -> crate::Error {
    let name = f.name.to_string();
    let lower = name.to_ascii_lowercase();
    if f.over.is_some() {
        return src.unsupported(
            &format!("the window function {}() … OVER", name.to_uppercase()),
            "dynaquery returns rows, not windows; compute it over the rows in your service",
            e.span(),
        );
    }
    if AGGREGATES.contains(&lower.as_str()) {
        return src.unsupported(
            &format!("the aggregate {}()", name.to_uppercase()),
            "dynaquery runs list queries; aggregate in your service",
            e.span(),
        );
    }
    let advice = match lower.as_str() {
        "begins_with" => "write `column LIKE 'prefix%'`, which becomes begins_with".to_owned(),
        "now" | "current_timestamp" | "current_date" | "current_time" | "localtimestamp" => {
            "compute the time in your service and bind it as a parameter ($1 or ?)".to_owned()
        }
        _ => "the only function is contains(column, value); compute other values in your service and \
              bind them as parameters"
            .to_owned(),
    };
    src.unsupported(&format!("the function {name}()"), &advice, e.span())
}
