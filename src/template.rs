//! Single-table design: an entity's key attributes (`pk`, `sk`, `gsi1pk`,
//! …) hold strings composed from its logical attributes by templates such
//! as `ORDER#{order_id}` or `$shop#status_{status}`, and an entity-type
//! attribute tells the entities of one table apart (ElectroDB,
//! dynamodb-toolbox).
//!
//! ```text
//! logical item                       stored item (Schema::stored_item)
//!   order_id = "O-1"                   + pk     = "$shop#orderid_o-1"
//!   status   = "paid"        ──▶       + gsi1pk = "$shop#status_paid"
//!   total    = 120                     + gsi1sk = "$order_1#total_00000120"
//!                                      + __edb_e__ = "order", __edb_v__ = "1"
//! ```
//!
//! The planner maps a logical predicate onto the composed attributes only
//! as a *superset* of the rows it selects (a partition value, a
//! `begins_with` on the composed prefix, a `BETWEEN` on composed bounds)
//! and keeps every logical predicate, and the entity type, as a filter: so
//! a key condition never decides which rows qualify, only how many items
//! are read.

use std::fmt;

use crate::error::{Error, ErrorKind, Result};
use crate::value::{Item, Value};

/// How one `{attr}` part of a [`KeyTemplate`] writes its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PartFormat {
    /// `{attr}`: a string as it is (or a number's decimal text, a boolean's
    /// `true`/`false`). Order on the part is kept only when it ends the
    /// template, the template does not lowercase, and the values are
    /// strings.
    Text,
    /// `{attr:N}`: a string of exactly `N` bytes (a date `2026-11-20` is
    /// 10), so what follows it starts at the same place in every key and
    /// composition keeps the order of the values (unless lowercased).
    Fixed(usize),
    /// `{attr:0N}`: a non-negative integer written with `N` digits,
    /// zero-padded (`120` as `00000120` for `{total:08}`), which keeps the
    /// numeric order.
    Padded(usize),
}

/// One piece of a [`KeyTemplate`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Part {
    /// Text written as it is.
    Literal(String),
    /// A logical attribute's value.
    Attr {
        /// The logical attribute.
        name: String,
        /// How its value is written.
        format: PartFormat,
    },
}

/// The template of a composed key attribute: literal text and `{attr}`
/// parts, e.g. `$shop#status_{status}` or `{created_at:10}#{total:08}`.
///
/// `{attr}` writes the value as text, `{attr:N}` a string of exactly `N`
/// bytes, `{attr:0N}` a non-negative integer zero-padded to `N` digits
/// (see [`PartFormat`]); `{{` and `}}` are literal braces. With
/// [`lowercase`](KeyTemplate::lowercase) (ElectroDB's default casing) the
/// values are lowercased as they are written.
///
/// ```
/// use dynaquery::{item, KeyTemplate, Value};
///
/// let t = KeyTemplate::parse("{status}#{total:06}")?.lowercase();
/// let it = item([("status", Value::from("Paid")), ("total", Value::from(120))]);
/// assert_eq!(t.compose(&it).as_deref(), Some("paid#000120"));
/// assert_eq!(t.to_string(), "{status}#{total:06}");
/// # Ok::<(), dynaquery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct KeyTemplate {
    /// The parts, in order.
    pub parts: Vec<Part>,
    /// Values are lowercased as they are written.
    pub lowercase: bool,
}

impl KeyTemplate {
    /// Parses a template (see [`KeyTemplate`]).
    ///
    /// # Errors
    /// [`ErrorKind::Schema`] for an unclosed or empty `{}`, a bad width, an
    /// attribute twice, or a template with no part at all.
    pub fn parse(text: &str) -> Result<KeyTemplate> {
        let bad = |why: String| Error::new(ErrorKind::Schema, format!("key template `{text}`: {why}"));
        let mut parts: Vec<Part> = Vec::new();
        let mut lit = String::new();
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    lit.push('}');
                }
                '}' => return Err(bad("a `}` without its `{` (write `}}` for a brace)".into())),
                '{' => {
                    let mut inner = String::new();
                    loop {
                        match chars.next() {
                            Some('}') => break,
                            Some(c) => inner.push(c),
                            None => return Err(bad("a `{` is not closed (write `{{` for a brace)".into())),
                        }
                    }
                    let (name, spec) = match inner.split_once(':') {
                        Some((n, s)) => (n.trim(), Some(s.trim())),
                        None => (inner.trim(), None),
                    };
                    if name.is_empty() {
                        return Err(bad("`{}` names no attribute".into()));
                    }
                    let format = match spec {
                        None => PartFormat::Text,
                        Some(s) => {
                            let width: usize =
                                s.parse().ok().filter(|w| (1..=1024).contains(w)).ok_or_else(|| {
                                    bad(format!(
                                    "`{{{inner}}}`: the width is 1 to 1024, `{{{name}:N}}` for a string of N \
                                     bytes or `{{{name}:0N}}` for a number padded to N digits"
                                ))
                                })?;
                            if s.starts_with('0') {
                                PartFormat::Padded(width)
                            } else {
                                PartFormat::Fixed(width)
                            }
                        }
                    };
                    if parts.iter().any(|p| matches!(p, Part::Attr { name: n, .. } if n == name)) {
                        return Err(bad(format!("`{name}` appears twice")));
                    }
                    if !lit.is_empty() {
                        parts.push(Part::Literal(std::mem::take(&mut lit)));
                    }
                    parts.push(Part::Attr { name: name.to_owned(), format });
                }
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            parts.push(Part::Literal(lit));
        }
        if parts.is_empty() {
            return Err(bad("it is empty".into()));
        }
        Ok(KeyTemplate { parts, lowercase: false })
    }

    /// Values are lowercased as they are written (ElectroDB's default
    /// `casing`). A lowercased string part keeps no order, and an equality
    /// on it reads the values that differ only in case too (the filter
    /// drops them).
    pub fn lowercase(mut self) -> Self {
        self.lowercase = true;
        self
    }

    /// ElectroDB's partition key: `$service#attr_{attr}#…`, the attribute
    /// names lowercased in the literal text, values lowercased.
    ///
    /// ```
    /// use dynaquery::KeyTemplate;
    /// assert_eq!(KeyTemplate::electrodb_pk("shop", ["storeId"]).to_string(), "$shop#storeid_{storeId}");
    /// ```
    pub fn electrodb_pk<S: AsRef<str>>(service: &str, attrs: impl IntoIterator<Item = S>) -> KeyTemplate {
        Self::electrodb(format!("${}", service.to_lowercase()), attrs)
    }

    /// ElectroDB's sort key: `$entity_version#attr_{attr}#…`, the
    /// attribute names lowercased in the literal text, values lowercased.
    ///
    /// ```
    /// use dynaquery::KeyTemplate;
    /// assert_eq!(KeyTemplate::electrodb_sk("order", "1", ["createdAt"]).to_string(), "$order_1#createdat_{createdAt}");
    /// ```
    pub fn electrodb_sk<S: AsRef<str>>(
        entity: &str,
        version: &str,
        attrs: impl IntoIterator<Item = S>,
    ) -> KeyTemplate {
        Self::electrodb(format!("${}_{}", entity.to_lowercase(), version), attrs)
    }

    fn electrodb<S: AsRef<str>>(head: String, attrs: impl IntoIterator<Item = S>) -> KeyTemplate {
        let mut parts = Vec::new();
        let mut lit = head;
        for a in attrs {
            let a = a.as_ref();
            lit.push_str(&format!("#{}_", a.to_lowercase()));
            parts.push(Part::Literal(std::mem::take(&mut lit)));
            parts.push(Part::Attr { name: a.to_owned(), format: PartFormat::Text });
        }
        if !lit.is_empty() {
            parts.push(Part::Literal(lit));
        }
        KeyTemplate { parts, lowercase: true }
    }

    /// Sets the format of the part that writes `attr` (e.g. ElectroDB's
    /// `padding` as [`PartFormat::Padded`]); a template without it is
    /// returned as it is.
    pub fn with_format(mut self, attr: &str, format: PartFormat) -> Self {
        for p in &mut self.parts {
            if let Part::Attr { name, format: f } = p {
                if name == attr {
                    *f = format;
                }
            }
        }
        self
    }

    /// The logical attributes the template writes, in order.
    pub fn attributes(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Attr { name, .. } => Some(name.as_str()),
            Part::Literal(_) => None,
        })
    }

    /// The composed value for `item`: `None` when a part's attribute is
    /// missing, `NULL`, or not a string, number or boolean (the item then
    /// has no such key attribute, so it is not in that index). A value that
    /// does not fit its part's format is written as its text (see
    /// [`try_compose`](KeyTemplate::try_compose) to refuse it).
    pub fn compose(&self, item: &Item) -> Option<String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Literal(l) => out.push_str(l),
                Part::Attr { name, format } => out.push_str(&self.write(*format, item.get(name)?)?),
            }
        }
        Some(out)
    }

    /// Like [`compose`](KeyTemplate::compose), but a present value that
    /// does not fit its part (a string of another width, a negative or
    /// fractional number, or too many digits, for a padded part; a binary,
    /// list, map or set anywhere) is an error.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidQuery`] naming the attribute and the part.
    pub fn try_compose(&self, item: &Item) -> Result<Option<String>> {
        for p in &self.parts {
            if let Part::Attr { name, format } = p {
                match item.get(name) {
                    None | Some(Value::Null) => return Ok(None),
                    Some(v) if self.fitted(*format, v).is_none() => {
                        return Err(Error::invalid_query(format!(
                            "`{name}` = {v} does not fit its part of key template `{self}` ({}); write a value \
                             that does, or change the template",
                            format_text(*format)
                        )))
                    }
                    Some(_) => {}
                }
            }
        }
        Ok(self.compose(item))
    }

    /// A value as its part writes it: fitted to the format, or its text.
    pub(crate) fn write(&self, format: PartFormat, v: &Value) -> Option<String> {
        if let Some(s) = self.fitted(format, v) {
            return Some(s);
        }
        let text = match v {
            Value::S(s) => s.clone(),
            Value::N(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        Some(self.case(text))
    }

    /// A value written to its format exactly, or `None` when it does not fit.
    pub(crate) fn fitted(&self, format: PartFormat, v: &Value) -> Option<String> {
        match (format, v) {
            (PartFormat::Text, Value::S(s)) => Some(self.case(s.clone())),
            (PartFormat::Text, Value::N(n)) => Some(n.to_string()),
            (PartFormat::Text, Value::Bool(b)) => Some(b.to_string()),
            (PartFormat::Fixed(w), Value::S(s)) if s.len() == w => Some(self.case(s.clone())),
            (PartFormat::Padded(w), Value::N(n)) => padded(n, w),
            _ => None,
        }
    }

    fn case(&self, s: String) -> String {
        if self.lowercase {
            s.to_lowercase()
        } else {
            s
        }
    }
}

/// `n` zero-padded to `w` digits, when it is a non-negative integer of at
/// most `w` digits.
pub(crate) fn padded(n: &crate::value::Number, w: usize) -> Option<String> {
    if n.is_negative() {
        return None;
    }
    let text = n.to_string();
    if !text.bytes().all(|b| b.is_ascii_digit()) || text.len() > w {
        return None;
    }
    Some(format!("{text:0>w$}"))
}

fn format_text(f: PartFormat) -> String {
    match f {
        PartFormat::Text => "a string, number or boolean".into(),
        PartFormat::Fixed(w) => format!("a string of exactly {w} bytes"),
        PartFormat::Padded(w) => format!("a non-negative integer of at most {w} digits"),
    }
}

/// The template text, as [`KeyTemplate::parse`] reads it.
impl fmt::Display for KeyTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.parts {
            match p {
                Part::Literal(l) => f.write_str(&l.replace('{', "{{").replace('}', "}}"))?,
                Part::Attr { name, format: PartFormat::Text } => write!(f, "{{{name}}}")?,
                Part::Attr { name, format: PartFormat::Fixed(w) } => write!(f, "{{{name}:{w}}}")?,
                Part::Attr { name, format: PartFormat::Padded(w) } => write!(f, "{{{name}:0{w}}}")?,
            }
        }
        Ok(())
    }
}

/// One entity type of a single-table design: the attribute that names the
/// type and its value, other fixed attributes (a version), and the
/// [`KeyTemplate`] of each key attribute — the table's and its indexes' —
/// the entity writes.
///
/// A [`Schema`](crate::Schema) with an entity plans queries on the entity's
/// logical attributes: only its items are returned (the type attribute and
/// the tags are always filtered on), the key attributes and the tags are
/// left out of rows (unless selected), and
/// [`Schema::stored_item`](crate::Schema::stored_item) writes them.
///
/// ```
/// use dynaquery::{Entity, KeyTemplate, Value};
///
/// // ElectroDB's layout of entity `order`, version 1, service `shop`.
/// let order = Entity::electrodb("order", "1")
///     .key("pk", KeyTemplate::electrodb_pk("shop", ["order_id"]))
///     .key("sk", KeyTemplate::electrodb_sk("order", "1", Vec::<&str>::new()))
///     .key("gsi1pk", KeyTemplate::electrodb_pk("shop", ["status"]))
///     .key("gsi1sk", KeyTemplate::parse("$order_1#createdat_{created_at:10}")?);
/// assert_eq!(order.attribute, "__edb_e__");
/// assert_eq!(order.tags, vec![("__edb_v__".to_owned(), Value::from("1"))]);
/// # Ok::<(), dynaquery::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Entity {
    /// The attribute that names the entity type (ElectroDB's `__edb_e__`).
    pub attribute: String,
    /// Its value for this entity.
    pub name: String,
    /// Other attributes every item of the entity holds with one value
    /// (ElectroDB's version, `__edb_v__`).
    pub tags: Vec<(String, Value)>,
    /// Each composed key attribute and its template.
    pub keys: Vec<(String, KeyTemplate)>,
}

impl Entity {
    /// Entity `name`, told apart by `attribute`.
    pub fn new(attribute: impl Into<String>, name: impl Into<String>) -> Self {
        Entity { attribute: attribute.into(), name: name.into(), tags: Vec::new(), keys: Vec::new() }
    }

    /// ElectroDB's entity attributes: `__edb_e__` = `entity`, `__edb_v__` =
    /// `version` (ElectroDB's service goes into the key templates: see
    /// [`KeyTemplate::electrodb_pk`]).
    pub fn electrodb(entity: &str, version: &str) -> Self {
        Entity::new("__edb_e__", entity).tag("__edb_v__", version)
    }

    /// Another attribute every item of the entity holds with this value.
    pub fn tag(mut self, attr: impl Into<String>, value: impl Into<Value>) -> Self {
        self.tags.push((attr.into(), value.into()));
        self
    }

    /// Key attribute `attr` (of the table or an index) holds `template`.
    pub fn key(mut self, attr: impl Into<String>, template: KeyTemplate) -> Self {
        let attr = attr.into();
        self.keys.retain(|(a, _)| *a != attr);
        self.keys.push((attr, template));
        self
    }

    /// The template of key attribute `attr`.
    pub fn template(&self, attr: &str) -> Option<&KeyTemplate> {
        self.keys.iter().find(|(a, _)| a == attr).map(|(_, t)| t)
    }

    /// The attributes the entity writes besides its logical ones: the type
    /// attribute, the tags and the composed keys.
    pub(crate) fn physical(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.attribute.as_str())
            .chain(self.tags.iter().map(|(a, _)| a.as_str()))
            .chain(self.keys.iter().map(|(a, _)| a.as_str()))
    }
}

/// The smallest string greater than every string that starts with `s`
/// (its last character incremented, dropping trailing `U+10FFFF`s);
/// `None` when there is none.
pub(crate) fn successor(s: &str) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    while let Some(c) = chars.pop() {
        let next = match c {
            '\u{D7FF}' => Some('\u{E000}'),
            c => char::from_u32(c as u32 + 1),
        };
        if let Some(n) = next {
            chars.push(n);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::item;

    #[test]
    fn parses_and_prints() {
        for t in
            ["ORDER#{order_id}", "{status}#{created_at:10}#{total:08}", "a{{b}}{x}", "$shop#status_{status}"]
        {
            assert_eq!(KeyTemplate::parse(t).unwrap().to_string(), t);
        }
        for bad in ["", "{", "}", "{}", "{a:0}", "{a:x}", "{a}{a}", "{a:2000}"] {
            assert_eq!(KeyTemplate::parse(bad).unwrap_err().kind(), ErrorKind::Schema, "{bad}");
        }
    }

    #[test]
    fn composes_fitting_values_and_text_otherwise() {
        let t = KeyTemplate::parse("X#{a:3}#{n:04}").unwrap();
        let ok = item([("a", Value::from("abc")), ("n", Value::from(42))]);
        assert_eq!(t.compose(&ok).as_deref(), Some("X#abc#0042"));
        let wide = item([("a", Value::from("abcd")), ("n", Value::from(-1))]);
        assert_eq!(t.compose(&wide).as_deref(), Some("X#abcd#-1"));
        assert!(t.try_compose(&wide).is_err());
        assert_eq!(t.compose(&item([("a", Value::from("abc"))])), None);
    }

    #[test]
    fn successor_is_above_every_extension() {
        assert_eq!(successor("ab").as_deref(), Some("ac"));
        assert_eq!(successor("a\u{10FFFF}").as_deref(), Some("b"));
        assert_eq!(successor("\u{10FFFF}"), None);
        assert_eq!(successor("\u{D7FF}").as_deref(), Some("\u{E000}"));
    }
}
