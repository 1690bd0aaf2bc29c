//! Key conditions on composed key attributes (single-table design): a
//! logical query's predicates mapped onto an entity's [`KeyTemplate`]s.
//!
//! ```text
//! gsi1pk = "$shop#status_{status}"      status IN ('paid', 'new')   → 2 streams
//! gsi1sk = "$order_1#{created_at:10}#{total:08}"
//!          └ literal ┘└ range part ┘└ served next, since the range part is fixed-width
//! created_at BETWEEN lo AND hi → gsi1sk BETWEEN "$order_1#" + lo AND successor("$order_1#" + hi)
//! ```
//!
//! Every mapping is a superset of the rows the logical predicates select:
//! the predicates stay in the filter (none is consumed), so a key condition
//! only decides how many items are read, never which rows qualify. What a
//! mapping relies on:
//!
//! - equality on a part: every item with that value composes the same
//!   text there, so its key is in the partition value, or starts with the
//!   `begins_with` prefix;
//! - a range on a part that keeps order (a fixed-width or zero-padded
//!   part, or a text part that ends the template, none lowercased): for
//!   `v >= lo`, `prefix + w(v) + rest >= prefix + lo`; for `v <= hi`,
//!   `prefix + w(v) + rest < successor(prefix + hi')`, `hi'` being `hi`
//!   cut to the part's width. Strict bounds read the bound's own items
//!   too, and the filter drops them.

use std::collections::{BTreeMap, BTreeSet};

use super::candidate::{fewest_values, global_constants, Context, Rejection};
use super::{ComposedNarrowing, MAX_SORT_KEY_BYTES};
use crate::backend::SortRange;
use crate::encoding::Direction;
use crate::expr::{CmpOp, Expr};
use crate::schema::KeySchema;
use crate::template::{padded, successor, Entity, KeyTemplate, Part, PartFormat};
use crate::value::{Item, Value};

/// The key conditions and served order of one access path whose key
/// attributes are composed.
pub(super) struct Composite {
    pub partition: Vec<(String, Vec<Value>)>,
    pub empty: bool,
    pub served: usize,
    pub served_sort_keys: usize,
    pub dir: Option<Direction>,
    pub extras: Extras,
}

/// One composed sort-key prefix the streams read (one per value of an
/// `IN` on a leading part of the sort template, else one): its key
/// condition, and the logical values it pins.
#[derive(Debug, Clone, Default)]
pub(super) struct SortVariant {
    pub sort_eq: Vec<(String, Value)>,
    pub sort_range: Option<(String, SortRange)>,
    /// The text every key starts with before the first free part.
    pub prefix: String,
    /// The logical values of the `IN` parts, when each text is one value's.
    pub logical: Vec<(String, Value)>,
}

/// What composed keys add to a candidate: EXPLAIN notes, the cursor's
/// narrowing of the composed sort key, and the logical values each
/// composed partition value stands for.
#[derive(Default)]
pub(super) struct Extras {
    pub notes: Vec<String>,
    pub narrowing: Option<ComposedNarrowing>,
    /// Per partition attribute and composed value, the logical values it
    /// was composed from, when no other of the query's values composes it.
    pub logical: Vec<(String, BTreeMap<String, Item>)>,
    /// The sort-key conditions, one per stream of each partition value.
    pub sorts: Vec<SortVariant>,
}

impl Extras {
    /// The logical attributes constant on the stream of `partition` (its
    /// physical partition values).
    pub fn logical_of(&self, partition: &[(String, Value)]) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for (attr, v) in partition {
            let Value::S(s) = v else { continue };
            let Some((_, map)) = self.logical.iter().find(|(a, _)| a == attr) else { continue };
            if let Some(item) = map.get(s) {
                out.extend(item.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        out
    }
}

/// Why `format` in `t` keeps no order, or `None` when it does (for a part
/// that is the template's last when `last`).
fn unordered_why(t: &KeyTemplate, format: PartFormat, last: bool) -> Option<&'static str> {
    match format {
        PartFormat::Padded(_) => None,
        _ if t.lowercase => Some("lowercased, which does not keep the order of strings"),
        PartFormat::Fixed(_) => None,
        PartFormat::Text if last => None,
        PartFormat::Text => Some(
            "neither fixed-width nor zero-padded (declare `{attr:N}` for a string of N bytes or `{attr:0N}` \
             for a number), so what follows it does not line up",
        ),
    }
}

/// The `=` (or one-value `IN`) conjunct on `attr`, if any.
fn eq_value<'a>(conjuncts: &[&'a Expr], attr: &str) -> Option<&'a Value> {
    conjuncts.iter().find_map(|c| match c {
        Expr::Cmp { attr: a, op: CmpOp::Eq, value } if a == attr => Some(value),
        Expr::In { attr: a, values } if a == attr && values.len() == 1 => values.first(),
        _ => None,
    })
}

/// The range conjuncts on `attr`: a lower and an upper bound, each the
/// first found (any bound of the filter gives a superset).
fn bounds<'a>(conjuncts: &[&'a Expr], attr: &str) -> (Option<&'a Value>, Option<&'a Value>) {
    let (mut lo, mut hi) = (None, None);
    for c in conjuncts {
        match c {
            Expr::Cmp { attr: a, op: CmpOp::Gt | CmpOp::Ge, value } if a == attr => {
                lo = lo.or(Some(value));
            }
            Expr::Cmp { attr: a, op: CmpOp::Lt | CmpOp::Le, value } if a == attr => {
                hi = hi.or(Some(value));
            }
            Expr::Between { attr: a, lo: l, hi: h } if a == attr => {
                lo = lo.or(Some(l));
                hi = hi.or(Some(h));
            }
            _ => {}
        }
    }
    (lo, hi)
}

/// `v >= lo` written at a part: what every such value's text starts at or
/// after, or `None` when the bound narrows nothing here.
fn lower_text(format: PartFormat, lo: &Value) -> Option<String> {
    match (format, lo) {
        (PartFormat::Padded(w), Value::N(n)) if !n.is_negative() && !n.is_zero() => padded(n, w),
        (PartFormat::Fixed(_) | PartFormat::Text, Value::S(s)) => Some(s.clone()),
        _ => None,
    }
}

/// `v <= hi` written at a part: a text every such value's text is below or
/// starts with, or `None` when the bound narrows nothing here.
fn upper_text(format: PartFormat, hi: &Value) -> Option<String> {
    match (format, hi) {
        (PartFormat::Padded(w), Value::N(n)) => padded(n, w),
        (PartFormat::Fixed(w), Value::S(s)) => {
            let mut end = w.min(s.len());
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            Some(s[..end].to_owned())
        }
        (PartFormat::Text, Value::S(s)) => Some(s.clone()),
        _ => None,
    }
}

fn valid_sort_key(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_SORT_KEY_BYTES
}

/// The key range for a range on the part after `prefix` (one that keeps
/// order): `None` when no value can match (every value `>= lo` composes
/// above every value `<= hi`), `Some(None)` when the bounds narrow nothing.
fn range_at(
    prefix: &str,
    format: PartFormat,
    lo: Option<&Value>,
    hi: Option<&Value>,
) -> Option<Option<SortRange>> {
    let lo_key = lo.and_then(|v| lower_text(format, v)).map(|w| format!("{prefix}{w}"));
    let hi_key = hi.and_then(|v| upper_text(format, v)).and_then(|w| successor(&format!("{prefix}{w}")));
    let (lo_key, hi_key) = (lo_key.filter(|k| valid_sort_key(k)), hi_key.filter(|k| valid_sort_key(k)));
    let upper_end = if prefix.is_empty() { None } else { successor(prefix) };
    Some(match (lo_key, hi_key) {
        (Some(l), Some(h)) if l > h => return None,
        (Some(l), Some(h)) => Some(SortRange::Between(Value::S(l), Value::S(h))),
        (Some(l), None) => Some(match upper_end.filter(|u| valid_sort_key(u)) {
            Some(u) => SortRange::Between(Value::S(l), Value::S(u)),
            None => SortRange::Ge(Value::S(l)),
        }),
        (None, Some(h)) if valid_sort_key(prefix) => {
            Some(SortRange::Between(Value::S(prefix.to_owned()), Value::S(h)))
        }
        (None, Some(h)) => Some(SortRange::Lt(Value::S(h))),
        (None, None) => None,
    })
}

/// A composed sort-key prefix, and the logical values its `IN` parts pinned.
type Prefix = (String, Vec<(String, Value)>);

/// The prefixes after an `IN` (two values or more) on the part `var`: each
/// prefix once per distinct text a value writes, and whether each text
/// comes from one value only (so `var` is constant on its stream). `None`
/// when there is no such `IN`, or the streams would pass `max_streams`
/// (the part is then read as a free one, by `begins_with`).
fn fan_out(
    t: &KeyTemplate,
    format: PartFormat,
    conjuncts: &[&Expr],
    var: &str,
    prefixes: &[Prefix],
    streams: usize,
    max_streams: usize,
) -> Option<(Vec<Prefix>, bool)> {
    let (_, values) = fewest_values(conjuncts, var).filter(|(_, v)| v.len() >= 2)?;
    let mut texts: BTreeMap<String, &Value> = BTreeMap::new();
    let mut injective = true;
    for v in values {
        let Some(w) = t.write(format, v) else { continue };
        match texts.get(&w) {
            Some(other) if *other != v => injective = false,
            Some(_) => {}
            None => {
                texts.insert(w, v);
            }
        }
    }
    let total = prefixes.len().saturating_mul(texts.len());
    if streams.saturating_mul(total.max(1)) > max_streams {
        return None;
    }
    let mut out = Vec::with_capacity(total);
    for (p, logical) in prefixes {
        for (w, v) in &texts {
            let mut logical = logical.clone();
            if injective {
                logical.push((var.to_owned(), (*v).clone()));
            }
            out.push((format!("{p}{w}"), logical));
        }
    }
    Some((out, injective))
}

/// Plans the key of `name` (`key`, every attribute composed by `entity`).
pub(super) fn plan(
    ctx: &Context<'_>,
    key: &KeySchema,
    entity: &Entity,
    name: &str,
) -> Result<Composite, Rejection> {
    let conjuncts = ctx.conjuncts;
    let mut notes = Vec::new();
    let mut constants: BTreeSet<&str> = global_constants(conjuncts).into_iter().map(|(a, _)| a).collect();
    constants.insert(&entity.attribute);
    constants.extend(entity.tags.iter().map(|(a, _)| a.as_str()));
    let mut empty = false;

    let mut partition = Vec::new();
    let mut logical = Vec::new();
    let mut streams: usize = 1;
    let mut described = Vec::new();
    for p in &key.partition {
        let Some(t) = entity.template(&p.name) else {
            return Err(Rejection::new(format!("{name}: entity `{}` writes no `{}`", entity.name, p.name)));
        };
        described.push(format!("{} = `{t}`", p.name));
        // Every combination of the parts' `=`/`IN` values, composed.
        let mut combos: Vec<Item> = vec![Item::new()];
        for var in t.attributes() {
            let Some((_, values)) = fewest_values(conjuncts, var) else {
                return Err(Rejection::new(format!(
                    "{name}: needs `=` or `IN` on `{var}`, a part of its partition key {} = `{t}`",
                    p.name
                )));
            };
            combos = combos
                .into_iter()
                .flat_map(|c| {
                    values.iter().map(move |v| {
                        let mut c = c.clone();
                        c.insert(var.to_owned(), v.clone());
                        c
                    })
                })
                .collect();
        }
        let mut composed: BTreeMap<String, Item> = BTreeMap::new();
        let mut injective = true;
        for c in combos {
            // A value no item composes its key from is in no item here.
            let Some(s) = t.compose(&c) else { continue };
            if s.is_empty() || s.len() > super::MAX_PARTITION_KEY_BYTES {
                continue;
            }
            match composed.get(&s) {
                Some(other) if *other != c => injective = false,
                Some(_) => {}
                None => {
                    composed.insert(s, c);
                }
            }
        }
        let values: Vec<Value> = composed.keys().cloned().map(Value::S).collect();
        if injective {
            constants.extend(t.attributes());
            logical.push((p.name.clone(), composed));
        }
        if values.is_empty() {
            empty = true;
        }
        streams = streams.saturating_mul(values.len().max(1));
        partition.push((p.name.clone(), values));
    }
    if streams > ctx.options.max_streams {
        return Err(Rejection::wide(format!(
            "{name} would fan out to {streams} parallel queries (one per composed partition-key value), more \
             than Options::max_streams = {}; shorten the IN lists or raise the cap",
            ctx.options.max_streams
        )));
    }

    // The parts whose order the streams deliver, after the pinned ones.
    let mut ordered: Vec<&str> = Vec::new();
    let mut unordered: Option<(&str, &'static str)> = None;
    // The sort key's attribute and template, and the index of its first
    // free part: where a cursor narrows.
    let mut free_from: Option<(&str, &KeyTemplate, usize)> = None;
    let mut sorts = vec![SortVariant::default()];
    if let [s] = key.sort.as_slice() {
        let Some(t) = entity.template(&s.name) else {
            return Err(Rejection::new(format!("{name}: entity `{}` writes no `{}`", entity.name, s.name)));
        };
        described.push(format!("{} = `{t}`", s.name));
        // The texts before the first free part: one, or one per value of
        // each `IN` on a leading part (one stream each).
        let mut prefixes: Vec<Prefix> = vec![(String::new(), Vec::new())];
        let mut free = None;
        for (i, part) in t.parts.iter().enumerate() {
            match part {
                Part::Literal(l) => prefixes.iter_mut().for_each(|(p, _)| p.push_str(l)),
                Part::Attr { name: var, format } => {
                    if let Some(w) = eq_value(conjuncts, var).and_then(|v| t.write(*format, v)) {
                        prefixes.iter_mut().for_each(|(p, _)| p.push_str(&w));
                        constants.insert(var);
                        continue;
                    }
                    match fan_out(t, *format, conjuncts, var, &prefixes, streams, ctx.options.max_streams) {
                        Some((next, injective)) => {
                            prefixes = next;
                            if injective {
                                constants.insert(var);
                            }
                        }
                        None => {
                            free = Some((i, var.as_str(), *format));
                            break;
                        }
                    }
                }
            }
        }
        if prefixes.len() > 1 {
            notes.push(format!(
                "IN on a leading part of {} = `{t}`: one stream per composed prefix ({})",
                s.name,
                prefixes.len()
            ));
        }
        let begins = |prefix: &str| {
            valid_sort_key(prefix)
                .then(|| (s.name.clone(), SortRange::BeginsWith(Value::S(prefix.to_owned()))))
        };
        let variant = |prefix: String, logical, sort_eq, sort_range| {
            Some(SortVariant { sort_eq, sort_range, prefix, logical })
        };
        sorts = match free {
            None => prefixes
                .into_iter()
                .filter_map(|(p, logical)| {
                    let eq = valid_sort_key(&p).then(|| (s.name.clone(), Value::S(p.clone())));
                    variant(p, logical, eq.into_iter().collect(), None)
                })
                .collect(),
            Some((i, var, format)) => {
                free_from = Some((s.name.as_str(), t, i));
                let last = i + 1 == t.parts.len();
                // The parts served in order: this one, and the next ones while
                // each before them is fixed-width.
                for (j, part) in t.parts.iter().enumerate().skip(i) {
                    let Part::Attr { name: v, format: f } = part else { continue };
                    match unordered_why(t, *f, j + 1 == t.parts.len()) {
                        Some(why) => {
                            unordered = Some((v, why));
                            break;
                        }
                        None => ordered.push(v),
                    }
                    if matches!(f, PartFormat::Text) {
                        break;
                    }
                }
                let (lo, hi) = bounds(conjuncts, var);
                let why = unordered_why(t, format, last);
                if let Some(why) = why.filter(|_| lo.is_some() || hi.is_some()) {
                    notes.push(format!(
                        "the range on `{var}` is not a key condition: its part of {} = `{t}` is {why}; the \
                         filter applies it",
                        s.name
                    ));
                }
                prefixes
                    .into_iter()
                    .filter_map(|(p, logical)| {
                        let range = match why {
                            Some(_) => begins(&p),
                            None => match range_at(&p, format, lo, hi)? {
                                Some(r) => Some((s.name.clone(), r)),
                                None => begins(&p),
                            },
                        };
                        variant(p, logical, Vec::new(), range)
                    })
                    .collect()
            }
        };
        if sorts.is_empty() {
            empty = true;
        }
    }

    let (mut served, mut served_sort_keys, mut dir) = (0, 0, None);
    let mut served_parts = Vec::new();
    for (pos, col) in ctx.order.iter().enumerate() {
        if constants.contains(col.attr.as_str()) {
            served += 1;
            continue;
        }
        match ordered.get(served_sort_keys) {
            Some(v) if *v == col.attr && dir.is_none_or(|d| d == col.dir) => {
                dir = Some(col.dir);
                served_parts.push((col.attr.clone(), pos));
                served += 1;
                served_sort_keys += 1;
            }
            _ => {
                if let Some((v, why)) = unordered.filter(|(v, _)| *v == col.attr) {
                    notes.push(format!(
                        "ORDER BY {v} is not served by {name}: its part of {} is {why}; rows are sorted on the \
                         client",
                        key.sort.first().map_or("the sort key", |s| s.name.as_str())
                    ));
                }
                break;
            }
        }
    }
    if served_sort_keys == 0 && served < ctx.order.len() {
        dir = None;
    }
    let narrowing = match free_from {
        Some((attr, template, from)) if !served_parts.is_empty() => {
            notes.push(format!(
                "a later page starts each stream at the cursor's {} written into {attr} as its template writes \
                 them",
                served_parts.iter().map(|(a, _)| a.as_str()).collect::<Vec<_>>().join(", ")
            ));
            Some(ComposedNarrowing {
                attr: attr.to_owned(),
                template: template.clone(),
                prefixes: Vec::new(),
                from,
                parts: served_parts,
            })
        }
        _ => None,
    };
    notes.insert(
        0,
        format!(
            "{name} holds entity `{}` composed as {}: its key conditions only narrow the reads; the filter on \
             the logical attributes and on {} decides which rows qualify",
            entity.name,
            described.join(", "),
            std::iter::once(entity.attribute.as_str())
                .chain(entity.tags.iter().map(|(a, _)| a.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    let extras = Extras { notes, narrowing, logical, sorts };
    Ok(Composite { partition, empty, served, served_sort_keys, dir, extras })
}
