//! Order-preserving byte encoding of sort tuples (the idea behind Arrow's
//! row format): encode each row's `ORDER BY` tuple plus primary key once,
//! then compare rows with `memcmp`.
//!
//! Each column encodes to a self-delimiting byte string whose unsigned
//! lexicographic order is the contract's order for `ASC NULLS LAST`:
//!
//! ```text
//! BOOL   0x10 then 0x00 | 0x01
//! N < 0  0x20 then !(exponent+0x8000 as u16 BE) !(digit+1)… !0x00
//! N = 0  0x21
//! N > 0  0x22 then  (exponent+0x8000 as u16 BE)  (digit+1)…  0x00
//! S      0x30 then UTF-8 bytes, 0x00 escaped as 0x00 0xFF, ended by 0x00 0x01
//! B      0x40 then bytes, escaped and ended the same way
//! NULL   0xF0   (a missing attribute too)
//! ```
//!
//! So across types `BOOL < N < S < B`, and NULL sorts last. A `DESC`
//! column is the same bytes inverted, which reverses the order and puts
//! NULLs first — PostgreSQL's default for `DESC`. Because every column's
//! encoding is prefix-free, concatenating columns compares column by column.

use crate::value::{Number, Value};

const TAG_BOOL: u8 = 0x10;
const TAG_NEG: u8 = 0x20;
const TAG_ZERO: u8 = 0x21;
const TAG_POS: u8 = 0x22;
const TAG_S: u8 = 0x30;
const TAG_B: u8 = 0x40;
const TAG_NULL: u8 = 0xF0;

/// Sort direction of one column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Ascending, NULLs last.
    Asc,
    /// Descending, NULLs first.
    Desc,
}

impl Direction {
    /// `ASC` or `DESC`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        }
    }
}

/// A value that has no place in the sort order: a list, map or set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unorderable(pub crate::value::AttrType);

/// Appends the encoding of one column value (`None` = missing) to `out`.
///
/// # Errors
/// [`Unorderable`] for lists, maps and sets.
pub fn encode_column(out: &mut Vec<u8>, value: Option<&Value>, dir: Direction) -> Result<(), Unorderable> {
    encode_into(out, value, dir)
}

/// Where encoded bytes go: a `Vec`, or a fixed buffer such as a row key's
/// inline one (which notes an overflow rather than growing), so that one
/// encoder writes straight to either.
pub(crate) trait Sink {
    /// Appends `src` with each byte `b` written as `(b + add) ^ mask`.
    /// Callers guarantee that `b + add` never carries past `0xFF`, so the
    /// sum may be taken eight bytes at a time.
    fn put(&mut self, src: &[u8], add: u8, mask: u8);
}

impl Sink for Vec<u8> {
    fn put(&mut self, src: &[u8], add: u8, mask: u8) {
        self.extend(src.iter().map(|b| b.wrapping_add(add) ^ mask));
    }
}

/// Writes `(s + add) ^ mask` for each byte `s` of `src` into `dst` (of the
/// same length), a word at a time: no byte carries into the next, so a
/// `u64` sum is eight byte sums.
#[inline]
pub(crate) fn map_into(dst: &mut [u8], src: &[u8], add: u8, mask: u8) {
    debug_assert_eq!(dst.len(), src.len());
    debug_assert!(src.iter().all(|b| b.checked_add(add).is_some()));
    let (add8, mask8) = (u64::from(add) * 0x0101_0101_0101_0101, u64::from(mask) * 0x0101_0101_0101_0101);
    let mut dst = dst.chunks_exact_mut(8);
    let mut src = src.chunks_exact(8);
    for (d, s) in (&mut dst).zip(&mut src) {
        let w = u64::from_le_bytes(s.try_into().expect("8 bytes"));
        d.copy_from_slice(&(w.wrapping_add(add8) ^ mask8).to_le_bytes());
    }
    for (d, s) in dst.into_remainder().iter_mut().zip(src.remainder()) {
        *d = s.wrapping_add(add) ^ mask;
    }
}

/// [`encode_column`] into any [`Sink`].
///
/// # Errors
/// [`Unorderable`] for lists, maps and sets.
#[inline]
pub(crate) fn encode_into<S: Sink>(
    out: &mut S,
    value: Option<&Value>,
    dir: Direction,
) -> Result<(), Unorderable> {
    // `DESC` inverts every byte; XOR-ing with the mask as the bytes are
    // written saves a second pass.
    let m = if dir == Direction::Desc { 0xFF } else { 0x00 };
    match value {
        None | Some(Value::Null) => out.put(&[TAG_NULL], 0, m),
        Some(Value::Bool(b)) => out.put(&[TAG_BOOL, u8::from(*b)], 0, m),
        Some(Value::N(n)) => encode_number(out, n, m),
        Some(Value::S(s)) => encode_bytes(out, TAG_S, s.as_bytes(), m),
        Some(Value::B(b)) => encode_bytes(out, TAG_B, b, m),
        Some(other) => return Err(Unorderable(other.attr_type())),
    }
    Ok(())
}

/// `m` is the direction's mask; a negative number inverts everything after
/// its tag once more.
#[inline]
fn encode_number<S: Sink>(out: &mut S, n: &Number, m: u8) {
    if n.is_zero() {
        out.put(&[TAG_ZERO], 0, m);
        return;
    }
    let (tag, rest) = if n.is_negative() { (TAG_NEG, !m) } else { (TAG_POS, m) };
    // Exponents lie in -129..=126, so the offset fits a u16 with room to spare.
    let [e0, e1] = ((n.exponent() + 0x8000) as u16).to_be_bytes();
    out.put(&[tag ^ m ^ rest, e0, e1], 0, rest);
    // Digits are 0–9, so `digit + 1` neither carries nor is the 0x00
    // terminator.
    out.put(n.digits(), 1, rest);
    out.put(&[0], 0, rest);
}

/// True when `bytes` holds a 0x00, eight bytes at a time (the classic
/// "has zero byte" test on a word: nonzero exactly when a byte is zero).
#[inline]
fn has_zero(bytes: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut words = bytes.chunks_exact(8);
    let any = words.any(|w| {
        let x = u64::from_le_bytes(w.try_into().expect("8 bytes"));
        x.wrapping_sub(LO) & !x & HI != 0
    });
    any || words.remainder().contains(&0)
}

#[inline]
fn encode_bytes<S: Sink>(out: &mut S, tag: u8, bytes: &[u8], m: u8) {
    out.put(&[tag], 0, m);
    // Most strings hold no 0x00: copy them whole instead of chunk by chunk.
    if !has_zero(bytes) {
        out.put(bytes, 0, m);
        out.put(&[0x00, 0x01], 0, m);
        return;
    }
    let mut rest = bytes;
    loop {
        let zero = rest.iter().position(|&b| b == 0);
        let chunk = zero.map_or(rest, |z| &rest[..=z]);
        out.put(chunk, 0, m);
        let Some(z) = zero else { break };
        out.put(&[0xFF], 0, m);
        rest = &rest[z + 1..];
    }
    // The terminator 0x00 0x01.
    out.put(&[0x00, 0x01], 0, m);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cmp::Ordering;

    fn enc(v: Option<&Value>, dir: Direction) -> Vec<u8> {
        let mut out = Vec::new();
        encode_column(&mut out, v, dir).unwrap();
        out
    }

    /// The contract's order, written naively.
    fn naive(a: Option<&Value>, b: Option<&Value>) -> Ordering {
        fn rank(v: Option<&Value>) -> u8 {
            match v {
                Some(Value::Bool(_)) => 0,
                Some(Value::N(_)) => 1,
                Some(Value::S(_)) => 2,
                Some(Value::B(_)) => 3,
                _ => 4,
            }
        }
        match (a, b) {
            (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
            (Some(x), Some(y)) if x.cmp_same_type(y).is_some() => x.cmp_same_type(y).unwrap(),
            _ => rank(a).cmp(&rank(b)),
        }
    }

    fn value() -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            Just(None),
            Just(Some(Value::Null)),
            any::<bool>().prop_map(|b| Some(Value::Bool(b))),
            (any::<bool>(), "[0-9]{1,38}", -129i32..=88).prop_map(|(neg, d, e)| {
                let s = format!("{}0.{}E{}", if neg { "-" } else { "" }, d, e);
                s.parse::<Number>().ok().map(Value::N)
            }),
            "[a\\x00\u{7f}\u{e9}\u{ff21}\u{1f600}]{0,6}".prop_map(|s| Some(Value::S(s))),
            proptest::collection::vec(prop_oneof![Just(0u8), Just(1u8), Just(255u8), any::<u8>()], 0..20)
                .prop_map(|b| Some(Value::B(b))),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn memcmp_matches_contract(a in value(), b in value(), c in value(), d in value()) {
            for dir in [Direction::Asc, Direction::Desc] {
                let want = naive(a.as_ref(), b.as_ref())
                    .then_with(|| naive(c.as_ref(), d.as_ref()).reverse());
                let want = if dir == Direction::Desc { naive(a.as_ref(), b.as_ref()).reverse()
                    .then_with(|| naive(c.as_ref(), d.as_ref()).reverse()) } else { want };
                let mut x = enc(a.as_ref(), dir);
                x.extend(enc(c.as_ref(), Direction::Desc));
                let mut y = enc(b.as_ref(), dir);
                y.extend(enc(d.as_ref(), Direction::Desc));
                prop_assert_eq!(x.cmp(&y), want, "{:?} {:?} / {:?} {:?} {:?}", a, c, b, d, dir);
            }
        }
    }

    /// The documented layout, written the plain way: tag and body, then
    /// every byte inverted for `DESC`.
    fn layout(v: Option<&Value>, dir: Direction) -> Vec<u8> {
        let mut out = Vec::new();
        let escaped = |tag: u8, bytes: &[u8]| {
            let mut o = vec![tag];
            for &b in bytes {
                o.push(b);
                if b == 0 {
                    o.push(0xFF);
                }
            }
            o.extend([0x00, 0x01]);
            o
        };
        match v {
            None | Some(Value::Null) => out.push(TAG_NULL),
            Some(Value::Bool(b)) => out.extend([TAG_BOOL, u8::from(*b)]),
            Some(Value::N(n)) if n.is_zero() => out.push(TAG_ZERO),
            Some(Value::N(n)) => {
                let mut body = ((n.exponent() + 0x8000) as u16).to_be_bytes().to_vec();
                body.extend(n.digits().iter().map(|d| d + 1));
                body.push(0);
                if n.is_negative() {
                    body.iter_mut().for_each(|b| *b = !*b);
                }
                out.push(if n.is_negative() { TAG_NEG } else { TAG_POS });
                out.extend(body);
            }
            Some(Value::S(s)) => out = escaped(TAG_S, s.as_bytes()),
            Some(Value::B(b)) => out = escaped(TAG_B, b),
            Some(_) => unreachable!(),
        }
        if dir == Direction::Desc {
            out.iter_mut().for_each(|b| *b = !*b);
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn bytes_follow_the_documented_layout(v in value()) {
            for dir in [Direction::Asc, Direction::Desc] {
                prop_assert_eq!(enc(v.as_ref(), dir), layout(v.as_ref(), dir));
            }
        }
    }

    proptest! {
        #[test]
        fn has_zero_finds_any_zero_byte(
            b in proptest::collection::vec(prop_oneof![Just(0u8), Just(1u8), Just(0x80u8), any::<u8>()], 0..40),
        ) {
            prop_assert_eq!(has_zero(&b), b.contains(&0));
        }
    }

    #[test]
    fn utf8_not_utf16_order() {
        let ff21 = Value::from("\u{ff21}");
        let emoji = Value::from("\u{1f600}");
        assert!(enc(Some(&ff21), Direction::Asc) < enc(Some(&emoji), Direction::Asc));
    }

    #[test]
    fn lists_maps_sets_are_unorderable() {
        let mut out = Vec::new();
        assert!(encode_column(&mut out, Some(&Value::L(vec![])), Direction::Asc).is_err());
    }
}
