//! Test-side SQL renderer: a [`Query`] back to SQL text in the subset
//! `dynaquery::sql` parses, with values inline or as bind parameters.
//! Written from the subset's documentation, sharing no code with the parser.

#![allow(dead_code)]

use std::fmt::Write as _;

use dynaquery::{CmpOp, Direction, Expr, Query, Value};

/// How values are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Params {
    /// Literals in the text.
    Inline,
    /// `$1`, `$2`, … with the values alongside.
    Dollar,
    /// `?` with the values alongside.
    Question,
}

/// Rendering choices that must not change what the text means.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub params: Params,
    /// Double-quote every identifier.
    pub quote: bool,
    /// Write comparisons value-first (`5 < total`).
    pub flip: bool,
    /// Write `ASC` explicitly and the default `NULLS` placement.
    pub verbose_order: bool,
    /// Clauses on separate lines.
    pub newlines: bool,
}

impl Style {
    pub fn plain() -> Self {
        Style { params: Params::Inline, quote: false, flip: false, verbose_order: false, newlines: false }
    }

    /// A style picked by the bits of `n`.
    pub fn from_bits(n: u8) -> Self {
        Style {
            params: match n % 3 {
                0 => Params::Inline,
                1 => Params::Dollar,
                _ => Params::Question,
            },
            quote: n & 4 != 0,
            flip: n & 8 != 0,
            verbose_order: n & 16 != 0,
            newlines: n & 32 != 0,
        }
    }
}

/// SQL text and the values of its parameters.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub sql: String,
    pub params: Vec<Value>,
}

struct Writer {
    style: Style,
    out: String,
    params: Vec<Value>,
}

/// Renders `q` against `table` (and `index`, if any).
pub fn render(q: &Query, table: &str, style: Style) -> Rendered {
    let mut w = Writer { style, out: String::new(), params: Vec::new() };
    w.out.push_str("SELECT ");
    match q.get_select() {
        None => w.out.push('*'),
        Some(cols) => {
            for (i, c) in cols.iter().enumerate() {
                if i > 0 {
                    w.out.push_str(", ");
                }
                w.ident(c);
            }
        }
    }
    w.clause("FROM ");
    w.ident(table);
    if let Some(index) = q.get_index() {
        w.out.push('.');
        w.ident(index);
    }
    if let Some(f) = q.get_filter() {
        w.clause("WHERE ");
        w.top(f);
    }
    if !q.get_order_by().is_empty() {
        w.clause("ORDER BY ");
        for (i, o) in q.get_order_by().iter().enumerate() {
            if i > 0 {
                w.out.push_str(", ");
            }
            w.ident(&o.attr);
            match (o.dir, style.verbose_order) {
                (Direction::Asc, false) => {}
                (Direction::Asc, true) => w.out.push_str(" ASC NULLS LAST"),
                (Direction::Desc, false) => w.out.push_str(" DESC"),
                (Direction::Desc, true) => w.out.push_str(" DESC NULLS FIRST"),
            }
        }
    }
    w.clause("LIMIT ");
    w.value(&Value::from(q.get_limit()));
    if q.get_offset() > 0 {
        w.clause("OFFSET ");
        w.value(&Value::from(q.get_offset()));
    }
    Rendered { sql: w.out, params: w.params }
}

impl Writer {
    fn clause(&mut self, keyword: &str) {
        self.out.push_str(if self.style.newlines { "\n  " } else { " " });
        self.out.push_str(keyword);
    }

    fn ident(&mut self, name: &str) {
        if self.style.quote {
            write!(self.out, "\"{}\"", name.replace('"', "\"\"")).unwrap();
        } else {
            self.out.push_str(name);
        }
    }

    fn value(&mut self, v: &Value) {
        match self.style.params {
            Params::Inline => self.out.push_str(&literal(v)),
            Params::Dollar => {
                self.params.push(v.clone());
                write!(self.out, "${}", self.params.len()).unwrap();
            }
            Params::Question => {
                self.params.push(v.clone());
                self.out.push('?');
            }
        }
    }

    /// The top-level filter: a conjunction needs no parentheses.
    fn top(&mut self, e: &Expr) {
        match e {
            Expr::And(es) if !es.is_empty() => self.list(es, " AND "),
            _ => self.expr(e),
        }
    }

    fn list(&mut self, es: &[Expr], sep: &str) {
        for (i, e) in es.iter().enumerate() {
            if i > 0 {
                self.out.push_str(sep);
            }
            self.operand(e);
        }
    }

    /// `e` as an operand of AND / OR / NOT: groups in parentheses.
    fn operand(&mut self, e: &Expr) {
        match e {
            Expr::And(_) | Expr::Or(_) => {
                self.out.push('(');
                self.expr(e);
                self.out.push(')');
            }
            _ => self.expr(e),
        }
    }

    fn expr(&mut self, e: &Expr) {
        match e {
            Expr::Cmp { attr, op, value } => {
                if self.style.flip {
                    self.value(value);
                    write!(self.out, " {} ", flipped(*op)).unwrap();
                    self.ident(attr);
                } else {
                    self.ident(attr);
                    write!(self.out, " {} ", op.as_str()).unwrap();
                    self.value(value);
                }
            }
            Expr::Between { attr, lo, hi } => {
                self.ident(attr);
                self.out.push_str(" BETWEEN ");
                self.value(lo);
                self.out.push_str(" AND ");
                self.value(hi);
            }
            Expr::In { attr, values } => {
                self.ident(attr);
                self.out.push_str(" IN (");
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.value(v);
                }
                self.out.push(')');
            }
            Expr::BeginsWith { attr, prefix } => {
                let Value::S(p) = prefix else { panic!("LIKE renders string prefixes only: {prefix:?}") };
                self.ident(attr);
                self.out.push_str(" LIKE ");
                let mut pattern = String::new();
                for c in p.chars() {
                    if matches!(c, '%' | '_' | '\\') {
                        pattern.push('\\');
                    }
                    pattern.push(c);
                }
                pattern.push('%');
                self.value(&Value::S(pattern));
            }
            Expr::Contains { attr, value } => {
                self.out.push_str("contains(");
                self.ident(attr);
                self.out.push_str(", ");
                self.value(value);
                self.out.push(')');
            }
            Expr::IsNull(a) => {
                self.ident(a);
                self.out.push_str(" IS NULL");
            }
            Expr::IsNotNull(a) => {
                self.ident(a);
                self.out.push_str(" IS NOT NULL");
            }
            Expr::And(es) if !es.is_empty() => self.list(es, " AND "),
            Expr::Or(es) if !es.is_empty() => self.list(es, " OR "),
            Expr::Not(inner) => {
                self.out.push_str("NOT (");
                self.expr(inner);
                self.out.push(')');
            }
            other => panic!("no SQL for {other:?}"),
        }
    }
}

/// `a op v` written as `v flipped(op) a`.
fn flipped(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => "=",
        CmpOp::Ne => "<>",
        CmpOp::Lt => ">",
        CmpOp::Le => ">=",
        CmpOp::Gt => "<",
        CmpOp::Ge => "<=",
    }
}

/// A value as an SQL literal: quotes doubled, numbers as exact decimals.
pub fn literal(v: &Value) -> String {
    match v {
        Value::S(s) => format!("'{}'", s.replace('\'', "''")),
        Value::N(n) => n.to_string(),
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_owned(),
        Value::B(b) => format!("X'{}'", b.iter().map(|x| format!("{x:02x}")).collect::<String>()),
        other => panic!("no SQL literal for {other:?}"),
    }
}

/// `q` with singleton `AND` / `OR` groups replaced by their one member
/// (SQL text cannot tell `(a)` from `a`), rebuilt through the public
/// builder; a round trip compares queries in this form. Keeps the filter,
/// select list, index, order, limit, offset and scan permission.
pub fn normalized(q: &Query) -> Query {
    fn norm(e: &Expr) -> Expr {
        match e {
            Expr::And(es) if es.len() == 1 => norm(&es[0]),
            Expr::Or(es) if es.len() == 1 => norm(&es[0]),
            Expr::And(es) => Expr::And(es.iter().map(norm).collect()),
            Expr::Or(es) => Expr::Or(es.iter().map(norm).collect()),
            Expr::Not(inner) => Expr::Not(Box::new(norm(inner))),
            other => other.clone(),
        }
    }
    let mut out = Query::new().allow_scan(q.get_allow_scan()).limit(q.get_limit()).offset(q.get_offset());
    if let Some(cols) = q.get_select() {
        out = out.select(cols.iter().cloned());
    }
    if let Some(index) = q.get_index() {
        out = out.index(index);
    }
    if let Some(f) = q.get_filter() {
        out = out.filter(norm(f));
    }
    for o in q.get_order_by() {
        out = out.order_by(o.clone());
    }
    out
}
