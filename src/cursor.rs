//! Opaque page cursors.
//!
//! A cursor is URL-safe base64 (no padding) of:
//!
//! ```text
//! version (6) │ fingerprint (16) │ sizing length (u16) │ sizing state │ count (u16) │ count × value
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
//! The sizing state is what the pagination has observed so far, as the
//! sizing policy wrote it (`exec::sizing`): opaque here, versioned by its
//! own first byte, at most `exec::sizing::MAX_STATE_BYTES` bytes, so a
//! change of sizing never changes this format. It only ever sizes reads —
//! a `Limit`, or where a first read stops short of the query's own range —
//! which the read budget caps, so a forged state can change how many items
//! a request reads, never which items qualify. Cursors of versions 3 to 5
//! (whose sizing hint had fixed fields) still resume; their hint is
//! dropped, so the next page sizes as a first page does.

use std::borrow::Cow;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::cursor_seal::{open, seal};
use crate::encoding::encode_column;
use crate::error::{Error, Result};
use crate::exec::MAX_STATE_BYTES;
use crate::options::Options;
use crate::plan::Plan;
use crate::value::{Item, Number, Value};

/// The body format version; never 2, the first byte of a sealed envelope
/// (`cursor_seal`). Version 1 had no selectivity hint; 3, 4 and 5 carried
/// a fixed-field hint, and are still read.
const VERSION: u8 = 6;
// 7 is a segment cursor (`crate::scan_cursor`).

/// Versions whose hint had fixed fields: 5 (with a grid step), 4 (with a
/// reach), 3 (selectivity and shares only).
const FIXED_HINT: [u8; 3] = [5, 4, 3];

/// Longest cursor accepted, in characters; longer ones are rejected before decoding.
pub const MAX_CURSOR_LEN: usize = 16 * 1024;

/// A decoded cursor: the last row's order values and their encoded key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Position {
    pub values: Vec<Option<Value>>,
    pub key: Vec<u8>,
    /// The sizing state the pagination carries (opaque; may be empty).
    pub sizing: Vec<u8>,
}

/// The cursor for the row `item` of `plan`'s result, carrying the sizing
/// state `sizing` (dropped if longer than the policy's bound), signed and
/// stamped as `options` say.
pub(crate) fn encode(plan: &Plan, item: &Item, sizing: &[u8], options: &Options) -> Result<String> {
    let mut out = Vec::with_capacity(64);
    out.push(VERSION);
    out.extend_from_slice(&plan.fingerprint);
    let sizing = if sizing.len() <= MAX_STATE_BYTES { sizing } else { &[] };
    out.extend_from_slice(&(sizing.len() as u16).to_be_bytes());
    out.extend_from_slice(sizing);
    out.extend_from_slice(&(plan.order.len() as u16).to_be_bytes());
    for col in &plan.order {
        match item.get(&col.attr) {
            None | Some(Value::Null) => out.push(0),
            Some(Value::Bool(b)) => out.push(1 + u8::from(*b)),
            Some(v) => {
                if !put_key_value(&mut out, v) {
                    return Err(crate::exec::unorderable(
                        &col.attr,
                        crate::encoding::Unorderable(v.attr_type()),
                    ));
                }
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

/// Appends `tag`, `b`'s length (4 bytes, big-endian) and `b`.
fn put_bytes(out: &mut Vec<u8>, tag: u8, b: &[u8]) {
    out.push(tag);
    out.extend_from_slice(&(b.len() as u32).to_be_bytes());
    out.extend_from_slice(b);
}

/// A key value's tag and bytes as cursors write them: 3, a number's
/// decimal text; 4, a string's UTF-8; 5, bytes. `None` for a type no key
/// has. The sizing state writes a first page's end with them too.
pub(crate) fn key_value_parts(v: &Value) -> Option<(u8, Cow<'_, [u8]>)> {
    match v {
        Value::N(n) => Some((3, Cow::Owned(n.to_string().into_bytes()))),
        Value::S(s) => Some((4, Cow::Borrowed(s.as_bytes()))),
        Value::B(b) => Some((5, Cow::Borrowed(b))),
        _ => None,
    }
}

/// The key value [`key_value_parts`] gave as `tag` and `bytes`, or what is
/// wrong with them.
pub(crate) fn key_value_from(tag: u8, bytes: &[u8]) -> std::result::Result<Value, &'static str> {
    match tag {
        3 => {
            let text = std::str::from_utf8(bytes).map_err(|_| "number is not text")?;
            text.parse::<Number>().map(Value::N).map_err(|_| "malformed number")
        }
        4 => String::from_utf8(bytes.to_vec()).map(Value::S).map_err(|_| "string is not UTF-8"),
        5 => Ok(Value::B(bytes.to_vec())),
        _ => Err("unknown value tag"),
    }
}

/// Appends key value `v` as cursors frame it: its tag, then a number's
/// text after a 2-byte length, a string or bytes after a 4-byte one.
/// False, and nothing written, for a type no key has.
pub(crate) fn put_key_value(out: &mut Vec<u8>, v: &Value) -> bool {
    match key_value_parts(v) {
        Some((3, text)) => {
            out.push(3);
            out.extend_from_slice(&(text.len() as u16).to_be_bytes());
            out.extend_from_slice(&text);
        }
        Some((tag, bytes)) => put_bytes(out, tag, &bytes),
        None => return false,
    }
    true
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
    let mut r = Reader::new(body, bad);
    let version = r.byte()?;
    if version == crate::scan_cursor::VERSION {
        return Err(Error::invalid_cursor(
            "this is the cursor of one segment of a parallel scan, not a page cursor; resume it with \
             Engine::segment_pages (dynaquery export --segment I --total-segments N) and the same segment",
        ));
    }
    if version != VERSION && !FIXED_HINT.contains(&version) {
        return Err(bad("unknown version"));
    }
    if r.take(16)? != plan.fingerprint {
        return Err(Error::invalid_cursor(
            "the cursor belongs to another query (its filter, ORDER BY, selected attributes or index differ); \
             only the page size may change between pages — restart from the first page",
        ));
    }
    let sizing = if version == VERSION {
        let len = usize::from(u16::from_be_bytes(r.array()?));
        if len > MAX_STATE_BYTES {
            return Err(bad("sizing state too long"));
        }
        r.take(len)?.to_vec()
    } else {
        // matched, scanned, then a reach (4, 5) and a grid step (5), then
        // the shares: read past, dropped.
        let fixed = match version {
            5 => 4 + 4 + 2 + 8 + 8,
            4 => 4 + 4 + 2 + 8,
            _ => 4 + 4,
        };
        r.take(fixed)?;
        let streams = usize::from(u16::from_be_bytes(r.array()?));
        r.take(streams)?;
        Vec::new()
    };
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
            tag @ 3..=5 => Some(r.key_value(tag)?),
            _ => return Err(bad("unknown value tag")),
        };
        encode_column(&mut key, v.as_ref(), col.dir).map_err(|_| bad("unorderable value"))?;
        values.push(v);
    }
    if !r.rest().is_empty() {
        return Err(bad("trailing bytes"));
    }
    check_keys(plan, &values)?;
    Ok(Position { values, key, sizing })
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
            None if !k.required => continue,
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

/// Reads a cursor's bytes front to back; `bad` words the error of a
/// truncated one (page and segment cursors say different things).
pub(crate) struct Reader<'a> {
    buf: &'a [u8],
    bad: fn(&str) -> Error,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(buf: &'a [u8], bad: fn(&str) -> Error) -> Self {
        Reader { buf, bad }
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.buf.len() < n {
            return Err((self.bad)("truncated"));
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    pub(crate) fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    /// The key value [`put_key_value`] framed, after its tag `tag` (3 to 5).
    pub(crate) fn key_value(&mut self, tag: u8) -> Result<Value> {
        let len =
            if tag == 3 { usize::from(u16::from_be_bytes(self.array()?)) } else { self.u32()? as usize };
        let bytes = self.take(len)?;
        key_value_from(tag, bytes).map_err(|why| (self.bad)(why))
    }

    /// The bytes not read yet.
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.buf
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
    fn the_sizing_state_round_trips_opaque() {
        let (plan, options) = (plan(), Options::default());
        let state = vec![0xA1, 1, 2, 3];
        let token = encode(&plan, &row(), &state, &options).unwrap();
        let pos = decode(&plan, &token, &options).unwrap();
        assert_eq!(pos.sizing, state);
        assert_eq!(pos.values[0], Some(Value::from("2026")));
        // Too long a state is dropped, never a cursor over the cap.
        let token = encode(&plan, &row(), &vec![7; MAX_STATE_BYTES + 1], &options).unwrap();
        assert_eq!(decode(&plan, &token, &options).unwrap().sizing, Vec::<u8>::new());
    }

    #[test]
    fn a_sizing_state_longer_than_its_cap_is_an_invalid_cursor() {
        let (plan, options) = (plan(), Options::default());
        let token = encode(&plan, &row(), &[], &options).unwrap();
        let mut raw = URL_SAFE_NO_PAD.decode(token).unwrap();
        raw[17..19].copy_from_slice(&((MAX_STATE_BYTES + 1) as u16).to_be_bytes());
        raw.splice(19..19, vec![0; MAX_STATE_BYTES + 1]);
        let err = decode(&plan, &URL_SAFE_NO_PAD.encode(&raw), &options).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidCursor);
    }

    #[test]
    fn cursors_of_versions_3_to_5_still_resume_without_their_hint() {
        let (plan, options) = (plan(), Options::default());
        let token = encode(&plan, &row(), &[], &options).unwrap();
        let raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
        let want = decode(&plan, &token, &options).unwrap();
        // Rewrite the body as those versions laid it out: their fixed hint
        // fields, then three stream shares.
        for (version, fixed) in [(5u8, 26usize), (4, 18), (3, 8)] {
            let mut old = vec![version];
            old.extend_from_slice(&raw[1..17]);
            old.extend(std::iter::repeat_n(0u8, fixed));
            old.extend_from_slice(&3u16.to_be_bytes());
            old.extend_from_slice(&[100, 100, 55]);
            old.extend_from_slice(&raw[19..]);
            let pos = decode(&plan, &URL_SAFE_NO_PAD.encode(&old), &options).unwrap();
            assert_eq!(pos, want, "version {version}");
        }
    }
}
