//! Opaque page cursors.
//!
//! A cursor is URL-safe base64 (no padding) of:
//!
//! ```text
//! version (1) │ fingerprint (16) │ count (u16) │ count × value
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

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::cursor_seal::{open, seal};
use crate::encoding::encode_column;
use crate::error::{Error, Result};
use crate::options::Options;
use crate::plan::Plan;
use crate::value::{Item, Number, Value};

const VERSION: u8 = 1;

/// Longest cursor accepted, in characters; longer ones are rejected before decoding.
pub const MAX_CURSOR_LEN: usize = 16 * 1024;

/// A decoded cursor: the last row's order values and their encoded key.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Position {
    pub values: Vec<Option<Value>>,
    pub key: Vec<u8>,
}

/// The cursor for the row `item` of `plan`'s result, signed and stamped as
/// `options` say.
pub(crate) fn encode(plan: &Plan, item: &Item, options: &Options) -> Result<String> {
    let mut out = Vec::with_capacity(64);
    out.push(VERSION);
    out.extend_from_slice(&plan.fingerprint);
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
    if r.take(1)?[0] != VERSION {
        return Err(bad("unknown version"));
    }
    if r.take(16)? != plan.fingerprint {
        return Err(Error::invalid_cursor(
            "the cursor belongs to another query (its filter, ORDER BY, selected attributes or index differ); \
             only the page size may change between pages — restart from the first page",
        ));
    }
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
    Ok(Position { values, key })
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

    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
}
