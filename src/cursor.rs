//! Opaque page cursors.
//!
//! A cursor is URL-safe base64 (no padding) of:
//!
//! ```text
//! version (4) │ fingerprint (16) │ hint │ count (u16) │ count × value
//! hint:  matched (u32) │ scanned (u32) │ reach rows (u16) │ reach span (f64)
//!        │ grid step (u64) │ streams (u16) │ streams × share (u8)
//! value: 0x00 NULL/missing │ 0x01 false │ 0x02 true
//!        0x03 N: u16 length + decimal text │ 0x04 S: u32 length + UTF-8 │ 0x05 B: u32 length + bytes
//! ```
//!
//! With cursor keys or a time-to-live configured, this body travels inside a
//! signed, stamped envelope: see [`crate::cursor_seal`].
//!
//! It carries the last row's values for every column of the order (the
//! `ORDER BY` terms, then the primary key) and the fingerprint of the query
//! and plan that produced it. It never carries filters, partition-key values
//! or anything else that could widen what a request reads: those always come
//! from the caller's query. A cursor of another query fails the fingerprint
//! check; a forged one can only move the position inside the query's result.
//!
//! The hint is what the pagination has observed so far: its selectivity
//! (items that passed the filter, of items evaluated), each stream's share
//! of the items the last page needed, up to its last row (in 255ths), and
//! how far along the first sort-key column the last pages' rows reached
//! (rows over distance, for numbers and date-times) and the grid its values
//! lie on (a step, 0 for none: see `exec::grid`), so the next page sizes
//! its first requests from them instead of from a blind prior. It only ever
//! sizes reads — a `Limit`, or where a first read stops short of the query's
//! own range — which the read budget caps, and its selectivity weighs at
//! most [`HINT_WEIGHT`] items, so a forged hint can change how many items a
//! request reads, never which items qualify.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::cursor_seal::{open, seal};
use crate::encoding::encode_column;
use crate::error::{Error, Result};
use crate::options::Options;
use crate::plan::Plan;
use crate::value::{Item, Number, Value};

/// The body format version; never 2, the first byte of a sealed envelope
/// (`cursor_seal`). Version 1 had no selectivity hint, version 3 no reach
/// and version 4 no grid step; 3 and 4 are still read, so cursors handed
/// out before an upgrade keep working.
const VERSION: u8 = 5;

/// The version before the grid step.
const VERSION_NO_GRID: u8 = 4;

/// The version before the reach hint.
const VERSION_NO_REACH: u8 = 3;

/// Largest grid step a cursor may carry: positions are exact integers in an
/// `f64` up to 2^53.
const MAX_GRID_STEP: u64 = 1 << 53;

/// `step` when a cursor may carry it as a grid step (0 stands for none).
fn grid_step(step: u64) -> Option<u64> {
    (2..=MAX_GRID_STEP).contains(&step).then_some(step)
}

/// Most rows a cursor's reach hint may weigh: the last few pages, so the
/// estimate follows how the data's density drifts along the key.
pub(crate) const REACH_ROWS: u64 = 150;

/// Most items a cursor's selectivity hint may weigh in the next page's
/// sizing: recent evidence keeps the final say.
pub(crate) const HINT_WEIGHT: u64 = 2000;

/// Longest cursor accepted, in characters; longer ones are rejected before decoding.
pub const MAX_CURSOR_LEN: usize = 16 * 1024;

/// A decoded cursor: the last row's order values and their encoded key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Position {
    pub values: Vec<Option<Value>>,
    pub key: Vec<u8>,
    /// What the pagination observed so far.
    pub hint: Hint,
}

/// The sizing hint a cursor carries.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Hint {
    /// Selectivity so far: `(matched, scanned)`, at most [`HINT_WEIGHT`] scanned.
    pub selectivity: (u64, u64),
    /// Each stream's share of the items the last page needed (evaluated up
    /// to its last row), in 255ths; empty when unknown.
    pub shares: Vec<u8>,
    /// How far the last pages' rows reached along the first sort-key column.
    pub reach: Option<Reach>,
    /// The step of the grid that column's values lie on, when the last page
    /// found one (at least 2, at most [`MAX_GRID_STEP`]).
    pub grid: Option<u64>,
}

/// `rows` rows spread over `span` along the first sort-key column (a
/// number's own units, seconds for date-times): the density the next page
/// aims its first reads with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Reach {
    /// At most [`REACH_ROWS`], at least 1.
    pub rows: u64,
    /// Finite and above 0.
    pub span: f64,
}

impl Reach {
    /// `rows` over `span`, scaled down to at most [`REACH_ROWS`] rows;
    /// `None` unless both are positive and finite.
    pub fn new(rows: f64, span: f64) -> Option<Reach> {
        if !(rows >= 1.0 && span > 0.0 && rows.is_finite() && span.is_finite()) {
            return None;
        }
        let scale = (REACH_ROWS as f64 / rows).min(1.0);
        Some(Reach { rows: (rows * scale).round().max(1.0) as u64, span: span * scale })
    }

    /// This reach and a newer stretch of `rows` over `span`, pooled.
    pub fn then(prior: Option<Reach>, rows: f64, span: f64) -> Option<Reach> {
        let (r0, s0) = prior.map_or((0.0, 0.0), |p| (p.rows as f64, p.span));
        Reach::new(r0 + rows, s0 + span).or(prior)
    }

    /// Rows per unit of distance.
    pub fn density(&self) -> f64 {
        self.rows as f64 / self.span
    }
}

impl Hint {
    /// The hint for a page that observed `pool` (`(matched, scanned)`, the
    /// earlier pages' included) and needed `needed[i]` items of stream `i`.
    pub fn new(pool: (u64, u64), needed: &[u64]) -> Hint {
        let total: u64 = needed.iter().sum();
        let shares = if total == 0 {
            Vec::new()
        } else {
            needed.iter().map(|t| ((t * 255 + total / 2) / total).min(255) as u8).collect()
        };
        Hint { selectivity: cap_hint(pool), shares, reach: None, grid: None }
    }
}

/// `(matched, scanned)` scaled down so that `scanned <= HINT_WEIGHT`.
fn cap_hint((matched, scanned): (u64, u64)) -> (u64, u64) {
    let matched = matched.min(scanned);
    if scanned <= HINT_WEIGHT {
        return (matched, scanned);
    }
    (((matched as u128 * HINT_WEIGHT as u128) / scanned as u128) as u64, HINT_WEIGHT)
}

/// The cursor for the row `item` of `plan`'s result, carrying the sizing
/// `hint`, signed and stamped as `options` say.
pub(crate) fn encode(plan: &Plan, item: &Item, hint: &Hint, options: &Options) -> Result<String> {
    let mut out = Vec::with_capacity(64);
    out.push(VERSION);
    out.extend_from_slice(&plan.fingerprint);
    // `Hint::new` and `decode` keep `scanned <= HINT_WEIGHT`, so both fit a u32.
    let (matched, scanned) = hint.selectivity;
    out.extend_from_slice(&(matched as u32).to_be_bytes());
    out.extend_from_slice(&(scanned as u32).to_be_bytes());
    // `Reach::new` keeps `rows <= REACH_ROWS`, which fits a u16.
    let (rows, span) = hint.reach.map_or((0, 0.0), |r| (r.rows as u16, r.span));
    out.extend_from_slice(&rows.to_be_bytes());
    out.extend_from_slice(&span.to_be_bytes());
    out.extend_from_slice(&hint.grid.and_then(grid_step).unwrap_or(0).to_be_bytes());
    let shares = if hint.shares.len() == plan.streams.len() { hint.shares.as_slice() } else { &[] };
    out.extend_from_slice(&(shares.len() as u16).to_be_bytes());
    out.extend_from_slice(shares);
    out.extend_from_slice(&(plan.order.len() as u16).to_be_bytes());
    for col in &plan.order {
        match item.get(&col.attr) {
            None | Some(Value::Null) => out.push(0),
            Some(Value::Bool(b)) => out.push(1 + u8::from(*b)),
            Some(Value::N(n)) => {
                let text = n.to_string();
                out.push(3);
                out.extend_from_slice(&(text.len() as u16).to_be_bytes());
                out.extend_from_slice(text.as_bytes());
            }
            Some(Value::S(s)) => put_bytes(&mut out, 4, s.as_bytes()),
            Some(Value::B(b)) => put_bytes(&mut out, 5, b),
            Some(other) => {
                return Err(crate::exec::unorderable(
                    &col.attr,
                    crate::encoding::Unorderable(other.attr_type()),
                ))
            }
        }
    }
    let text = URL_SAFE_NO_PAD.encode(seal(out, options));
    if text.len() > MAX_CURSOR_LEN {
        return Err(Error::limit(format!(
            "the cursor for this row would be {} characters, more than {MAX_CURSOR_LEN}: the ORDER BY \
             values are too long; order by shorter attributes",
            text.len()
        )));
    }
    Ok(text)
}

fn put_bytes(out: &mut Vec<u8>, tag: u8, b: &[u8]) {
    out.push(tag);
    out.extend_from_slice(&(b.len() as u32).to_be_bytes());
    out.extend_from_slice(b);
}

fn bad(what: &str) -> Error {
    Error::invalid_cursor(format!(
        "the cursor is not valid ({what}); pass the next_cursor of the previous page unchanged, or drop \
         it to start from the first page"
    ))
}

/// Decodes `token` for `plan`.
///
/// # Errors
/// [`ErrorKind::InvalidCursor`](crate::ErrorKind::InvalidCursor) when it is
/// too long, does not decode, has another version, or belongs to another query.
pub(crate) fn decode(plan: &Plan, token: &str, options: &Options) -> Result<Position> {
    if token.len() > MAX_CURSOR_LEN {
        return Err(bad(&format!("longer than {MAX_CURSOR_LEN} characters")));
    }
    let raw = URL_SAFE_NO_PAD.decode(token.as_bytes()).map_err(|_| bad("not URL-safe base64"))?;
    let body = open(&raw, options)?;
    let mut r = Reader { buf: body };
    let version = r.byte()?;
    if !matches!(version, VERSION | VERSION_NO_GRID | VERSION_NO_REACH) {
        return Err(bad("unknown version"));
    }
    if r.take(16)? != plan.fingerprint {
        return Err(Error::invalid_cursor(
            "the cursor belongs to another query (its filter, ORDER BY, selected attributes or index differ); \
             only the page size may change between pages — restart from the first page",
        ));
    }
    let matched = u64::from(u32::from_be_bytes(r.array()?));
    let scanned = u64::from(u32::from_be_bytes(r.array()?));
    if matched > scanned || scanned > HINT_WEIGHT {
        return Err(bad("malformed selectivity hint"));
    }
    let reach = if version != VERSION_NO_REACH {
        let rows = u64::from(u16::from_be_bytes(r.array()?));
        let span = f64::from_be_bytes(r.array()?);
        match (rows, Reach::new(rows as f64, span)) {
            (0, _) if span == 0.0 => None,
            (1..=REACH_ROWS, Some(reach)) => Some(reach),
            _ => return Err(bad("malformed reach hint")),
        }
    } else {
        None
    };
    let grid = if version == VERSION {
        match u64::from_be_bytes(r.array()?) {
            0 => None,
            step => Some(grid_step(step).ok_or_else(|| bad("malformed grid hint"))?),
        }
    } else {
        None
    };
    let streams = usize::from(u16::from_be_bytes(r.array()?));
    if streams != 0 && streams != plan.streams.len() {
        return Err(bad("wrong number of stream shares"));
    }
    let shares = r.take(streams)?.to_vec();
    let count = u16::from_be_bytes([r.byte()?, r.byte()?]) as usize;
    if count != plan.order.len() {
        return Err(bad("wrong number of values"));
    }
    let mut values = Vec::with_capacity(count);
    let mut key = Vec::new();
    for col in &plan.order {
        let v = match r.byte()? {
            0 => None,
            1 => Some(Value::Bool(false)),
            2 => Some(Value::Bool(true)),
            3 => {
                let len = u16::from_be_bytes([r.byte()?, r.byte()?]) as usize;
                let text = std::str::from_utf8(r.take(len)?).map_err(|_| bad("number is not text"))?;
                Some(Value::N(text.parse::<Number>().map_err(|_| bad("malformed number"))?))
            }
            tag @ (4 | 5) => {
                let b = r.take(4)?;
                let len = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
                let bytes = r.take(len)?.to_vec();
                if tag == 4 {
                    Some(Value::S(String::from_utf8(bytes).map_err(|_| bad("string is not UTF-8"))?))
                } else {
                    Some(Value::B(bytes))
                }
            }
            _ => return Err(bad("unknown value tag")),
        };
        encode_column(&mut key, v.as_ref(), col.dir).map_err(|_| bad("unorderable value"))?;
        values.push(v);
    }
    if !r.buf.is_empty() {
        return Err(bad("trailing bytes"));
    }
    check_keys(plan, &values)?;
    Ok(Position { values, key, hint: Hint { selectivity: (matched, scanned), shares, reach, grid } })
}

/// The cursor's values for the table's and the queried index's key
/// attributes must be ones DynamoDB takes in a key condition or a start
/// key: present, of the declared type, not empty, and within its key size
/// limits (2048 bytes for a partition key, 1024 for a sort key). A forged
/// cursor fails here, before any request, instead of as a
/// `ValidationException` from DynamoDB.
fn check_keys(plan: &Plan, values: &[Option<Value>]) -> Result<()> {
    for k in &plan.key_columns {
        let attr = &plan.order[k.pos].attr;
        let why = match values.get(k.pos).and_then(Option::as_ref) {
            None => format!("no value for the key attribute `{attr}`"),
            Some(v) if !k.ty.matches(v) => format!(
                "the key attribute `{attr}` is declared {} but the cursor holds a {}",
                k.ty.as_str(),
                v.attr_type().as_str()
            ),
            Some(Value::S(s)) if s.len() > k.max_bytes || s.is_empty() => {
                format!("the key attribute `{attr}` holds {} bytes, not 1 to {}", s.len(), k.max_bytes)
            }
            Some(Value::B(b)) if b.len() > k.max_bytes || b.is_empty() => {
                format!("the key attribute `{attr}` holds {} bytes, not 1 to {}", b.len(), k.max_bytes)
            }
            Some(_) => continue,
        };
        return Err(bad(&why));
    }
    Ok(())
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.buf.len() < n {
            return Err(bad("truncated"));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::col;
    use crate::query::{asc, Query};
    use crate::schema::{Index, KeyAttribute, Schema};
    use crate::value::item;

    fn plan() -> Plan {
        let schema = Schema::new("t", KeyAttribute::s("id"))
            .index(Index::gsi("g", [KeyAttribute::s("p")], [KeyAttribute::s("ts")]))
            .always_present(["ts"]);
        let q = Query::new().filter(col("p").is_in(["a", "b", "c"])).order_by(asc("ts"));
        crate::plan::plan(&schema, &q, &Options::default()).expect("plannable")
    }

    fn row() -> Item {
        item([("id", Value::from("x")), ("p", "a".into()), ("ts", "2026".into())])
    }

    #[test]
    fn the_sizing_hint_round_trips_capped() {
        let (plan, options) = (plan(), Options::default());
        let hint = Hint::new((900, 10_000), &[6, 3, 1]);
        assert_eq!(hint.selectivity, (180, HINT_WEIGHT));
        assert_eq!(hint.shares, vec![153, 77, 26]);
        let token = encode(&plan, &row(), &hint, &options).unwrap();
        let pos = decode(&plan, &token, &options).unwrap();
        assert_eq!(pos.hint, hint);
        // No rows taken: no shares, and the cursor still decodes.
        let bare = encode(&plan, &row(), &Hint::new((0, 0), &[0, 0, 0]), &options).unwrap();
        assert_eq!(decode(&plan, &bare, &options).unwrap().hint, Hint::default());
    }

    #[test]
    fn an_impossible_hint_is_an_invalid_cursor() {
        let (plan, options) = (plan(), Options::default());
        let token = encode(&plan, &row(), &Hint::new((5, 10), &[1, 1, 1]), &options).unwrap();
        let mut raw = URL_SAFE_NO_PAD.decode(token).unwrap();
        // matched (bytes 17..21) above scanned.
        raw[17..21].copy_from_slice(&11u32.to_be_bytes());
        let err = decode(&plan, &URL_SAFE_NO_PAD.encode(&raw), &options).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidCursor);
        assert!(err.to_string().contains("hint"), "{err}");
    }

    #[test]
    fn the_reach_and_grid_round_trip_and_version_3_and_4_cursors_still_decode() {
        let (plan, options) = (plan(), Options::default());
        let mut hint = Hint::new((90, 1000), &[2, 1, 1]);
        hint.reach = Reach::new(300.0, 5400.0);
        hint.grid = Some(1800);
        // Capped at REACH_ROWS, the density kept.
        assert_eq!(hint.reach, Some(Reach { rows: REACH_ROWS, span: 2700.0 }));
        let token = encode(&plan, &row(), &hint, &options).unwrap();
        assert_eq!(decode(&plan, &token, &options).unwrap().hint, hint);
        // The same cursor as version 4 wrote it: no grid step (bytes 35..43).
        let mut raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
        raw[0] = VERSION_NO_GRID;
        raw.drain(35..43);
        let v4 = decode(&plan, &URL_SAFE_NO_PAD.encode(&raw), &options).unwrap();
        assert_eq!(v4.hint, Hint { grid: None, ..hint.clone() });
        // As version 3 wrote it: no reach fields either (bytes 25..35).
        raw[0] = VERSION_NO_REACH;
        raw.drain(25..35);
        let v3 = decode(&plan, &URL_SAFE_NO_PAD.encode(&raw), &options).unwrap();
        assert_eq!(v3.hint, Hint { reach: None, grid: None, ..hint });
    }

    #[test]
    fn an_impossible_grid_step_is_an_invalid_cursor() {
        let (plan, options) = (plan(), Options::default());
        let mut hint = Hint::new((5, 10), &[1, 1, 1]);
        hint.grid = Some(60);
        let token = encode(&plan, &row(), &hint, &options).unwrap();
        let raw = URL_SAFE_NO_PAD.decode(token).unwrap();
        for step in [1u64, MAX_GRID_STEP + 1, u64::MAX] {
            let mut bad = raw.clone();
            bad[35..43].copy_from_slice(&step.to_be_bytes());
            let err = decode(&plan, &URL_SAFE_NO_PAD.encode(&bad), &options).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidCursor);
            assert!(err.to_string().contains("grid"), "{err}");
        }
    }

    #[test]
    fn an_impossible_reach_is_an_invalid_cursor() {
        let (plan, options) = (plan(), Options::default());
        let mut hint = Hint::new((5, 10), &[1, 1, 1]);
        hint.reach = Reach::new(50.0, 600.0);
        let token = encode(&plan, &row(), &hint, &options).unwrap();
        let raw = URL_SAFE_NO_PAD.decode(token).unwrap();
        // rows (bytes 25..27), then span (27..35).
        for (at, bytes) in [
            (25, 151u16.to_be_bytes().to_vec()),
            (27, (-600f64).to_be_bytes().to_vec()),
            (27, f64::NAN.to_be_bytes().to_vec()),
            (25, 0u16.to_be_bytes().to_vec()),
        ] {
            let mut bad = raw.clone();
            bad[at..at + bytes.len()].copy_from_slice(&bytes);
            let err = decode(&plan, &URL_SAFE_NO_PAD.encode(&bad), &options).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::InvalidCursor);
            assert!(err.to_string().contains("reach"), "{err}");
        }
    }
}
