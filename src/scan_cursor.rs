//! Cursors of one segment of a parallel scan.
//!
//! An unordered scan has no sort tuple to resume after: a segment resumes
//! where DynamoDB stopped, from its `LastEvaluatedKey`. The cursor is
//! URL-safe base64 (no padding) of:
//!
//! ```text
//! version (7) │ fingerprint (16) │ segment (u32) │ total (u32) │ count (u16) │ count × (name, value)
//! name:  u16 length + UTF-8
//! value: 0x03 N: u16 length + decimal text │ 0x04 S: u32 length + UTF-8 │ 0x05 B: u32 length + bytes
//! ```
//!
//! sealed like every cursor when keys or a time-to-live are configured
//! ([`crate::cursor_seal`]). The key holds exactly the key attributes of
//! the scanned table (or index) with their declared types, checked before
//! any request: a forged cursor can move the position inside its segment,
//! never widen what is read (the filter always comes from the query, and
//! DynamoDB refuses a start key outside the segment).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use crate::backend::ScanSegment;
use crate::cursor::{put_key_value, Reader};
use crate::cursor_seal::{open, seal};
use crate::error::{Error, Result};
use crate::options::Options;
use crate::plan::{Plan, MAX_PARTITION_KEY_BYTES, MAX_SORT_KEY_BYTES};
use crate::schema::{KeyAttribute, Schema};
use crate::value::{Item, Value};

/// The format version of a segment cursor; page cursors use others.
pub(crate) const VERSION: u8 = 7;

/// The key attributes a start key of `plan`'s scan holds: the scanned
/// index's key (if any), then the table's, each once, with its size cap.
fn key_attributes<'s>(schema: &'s Schema, plan: &Plan) -> Vec<(&'s KeyAttribute, usize)> {
    let index = plan.index().and_then(|n| schema.find_index(n)).map(|ix| &ix.key);
    let mut out: Vec<(&KeyAttribute, usize)> = Vec::new();
    for key in index.into_iter().chain(std::iter::once(&schema.primary)) {
        let roles = key
            .partition
            .iter()
            .map(|a| (a, MAX_PARTITION_KEY_BYTES))
            .chain(key.sort.iter().map(|a| (a, MAX_SORT_KEY_BYTES)));
        for (attr, cap) in roles {
            match out.iter_mut().find(|(a, _)| a.name == attr.name) {
                Some(slot) => slot.1 = slot.1.min(cap),
                None => out.push((attr, cap)),
            }
        }
    }
    out
}

/// The cursor that resumes `segment` of `plan`'s scan after `last_key` (a
/// `LastEvaluatedKey`), signed and stamped as `options` say.
pub(crate) fn encode(
    plan: &Plan,
    segment: ScanSegment,
    last_key: &Item,
    options: &Options,
) -> Result<String> {
    let mut out = Vec::with_capacity(64);
    out.push(VERSION);
    out.extend_from_slice(&plan.fingerprint);
    out.extend_from_slice(&segment.segment().to_be_bytes());
    out.extend_from_slice(&segment.total().to_be_bytes());
    out.extend_from_slice(&(last_key.len() as u16).to_be_bytes());
    for (name, value) in last_key {
        out.extend_from_slice(&(name.len() as u16).to_be_bytes());
        out.extend_from_slice(name.as_bytes());
        if !put_key_value(&mut out, value) {
            return Err(Error::new(
                crate::ErrorKind::Backend,
                format!(
                    "the backend returned a LastEvaluatedKey whose `{name}` is a {}, not a key type",
                    value.attr_type().as_str()
                ),
            ));
        }
    }
    Ok(URL_SAFE_NO_PAD.encode(seal(out, options)))
}

fn bad(what: &str) -> Error {
    Error::invalid_cursor(format!(
        "the segment cursor is not valid ({what}); pass the cursor the segment's last page printed \
         unchanged, or drop it to export the segment from its start"
    ))
}

/// Decodes `token` as a cursor of `segment` of `plan`'s scan: the start key
/// to resume from.
///
/// # Errors
/// [`ErrorKind::InvalidCursor`](crate::ErrorKind::InvalidCursor) when it
/// does not decode, is a page cursor of an ordered query, belongs to
/// another query, to another segment or to another number of segments, or
/// holds a key that is not the scanned table's (or index's).
pub(crate) fn decode(
    schema: &Schema,
    plan: &Plan,
    segment: ScanSegment,
    token: &str,
    options: &Options,
) -> Result<Item> {
    if token.len() > crate::cursor::MAX_CURSOR_LEN {
        return Err(bad(&format!("longer than {} characters", crate::cursor::MAX_CURSOR_LEN)));
    }
    let raw = URL_SAFE_NO_PAD.decode(token.as_bytes()).map_err(|_| bad("not URL-safe base64"))?;
    let body = open(&raw, options)?;
    let mut r = Reader::new(body, bad);
    let version = r.byte()?;
    if version != VERSION {
        return Err(Error::invalid_cursor(
            "this is a page cursor of an ordered query, not the cursor of a scan segment; resume a segment \
             only from the cursor its own last page gave",
        ));
    }
    if r.take(16)? != plan.fingerprint {
        return Err(Error::invalid_cursor(
            "the segment cursor belongs to another query (its filter, selected attributes or table \
             differ); resume a segment with the query it was started with",
        ));
    }
    let (seg, total) = (r.u32()?, r.u32()?);
    if (seg, total) != (segment.segment(), segment.total()) {
        return Err(Error::invalid_cursor(format!(
            "the cursor belongs to segment {seg} of {total}, not to {segment}: each segment resumes only \
             from its own cursor, with the same segment number and total"
        )));
    }
    let count = usize::from(u16::from_be_bytes(r.array()?));
    let mut key = Item::new();
    for _ in 0..count {
        let len = usize::from(u16::from_be_bytes(r.array()?));
        let name = std::str::from_utf8(r.take(len)?).map_err(|_| bad("name is not UTF-8"))?.to_owned();
        let value = match r.byte()? {
            tag @ 3..=5 => r.key_value(tag)?,
            _ => return Err(bad("unknown value tag")),
        };
        if key.insert(name, value).is_some() {
            return Err(bad("an attribute twice"));
        }
    }
    if !r.rest().is_empty() {
        return Err(bad("trailing bytes"));
    }
    check_key(schema, plan, &key)?;
    Ok(key)
}

/// The start key must be exactly the scanned key's attributes, each of
/// its declared type, not empty and within DynamoDB's key size caps.
fn check_key(schema: &Schema, plan: &Plan, key: &Item) -> Result<()> {
    let attrs = key_attributes(schema, plan);
    if let Some(extra) = key.keys().find(|k| !attrs.iter().any(|(a, _)| a.name == **k)) {
        return Err(bad(&format!("`{extra}` is not a key attribute of the scanned table")));
    }
    for (attr, cap) in attrs {
        let why = match key.get(&attr.name) {
            None => format!("no value for the key attribute `{}`", attr.name),
            Some(v) if !attr.ty.matches(v) => format!(
                "the key attribute `{}` is declared {} but the cursor holds a {}",
                attr.name,
                attr.ty.as_str(),
                v.attr_type().as_str()
            ),
            Some(Value::S(s)) if s.is_empty() || s.len() > cap => {
                format!("the key attribute `{}` holds {} bytes, not 1 to {cap}", attr.name, s.len())
            }
            Some(Value::B(b)) if b.is_empty() || b.len() > cap => {
                format!("the key attribute `{}` holds {} bytes, not 1 to {cap}", attr.name, b.len())
            }
            Some(_) => continue,
        };
        return Err(bad(&why));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Query;
    use crate::schema::KeyAttribute;
    use crate::value::item;
    use crate::ErrorKind;

    fn setup() -> (Schema, Plan) {
        let schema = Schema::new("t", KeyAttribute::s("id")).sort_key(KeyAttribute::n("n"));
        let plan = crate::plan::plan(&schema, &Query::new().allow_scan(true), &Options::default()).unwrap();
        (schema, plan)
    }

    #[test]
    fn a_segment_cursor_round_trips_and_names_its_segment() {
        let (schema, plan) = setup();
        let options = Options::default();
        let seg = ScanSegment::new(2, 4).unwrap();
        let key = item([("id", Value::from("a")), ("n", Value::from(7))]);
        let token = encode(&plan, seg, &key, &options).unwrap();
        assert_eq!(decode(&schema, &plan, seg, &token, &options).unwrap(), key);
        for other in [ScanSegment::new(1, 4).unwrap(), ScanSegment::new(2, 5).unwrap()] {
            let e = decode(&schema, &plan, other, &token, &options).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidCursor);
            assert!(e.message().contains("segment 2 of 4"), "{e}");
        }
        // A key of the wrong shape is refused before any request.
        let token = encode(&plan, seg, &item([("id", Value::from("a"))]), &options).unwrap();
        let e = decode(&schema, &plan, seg, &token, &options).unwrap_err();
        assert!(e.message().contains("`n`"), "{e}");
        let token =
            encode(&plan, seg, &item([("id", Value::from(1)), ("n", Value::from(1))]), &options).unwrap();
        assert_eq!(
            decode(&schema, &plan, seg, &token, &options).unwrap_err().kind(),
            ErrorKind::InvalidCursor
        );
    }
}
