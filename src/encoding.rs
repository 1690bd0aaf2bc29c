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
/// encoder writes straight to either. Each column asks for its whole
/// length at once, so a fixed buffer checks its room once per column.
pub(crate) trait Sink {
    /// Appends `n` bytes and gives them to be written (all of them; their
    /// contents are unspecified), or `None` when a fixed buffer has no room
    /// for them: it then notes the overflow and takes nothing more.
    fn grow(&mut self, n: usize) -> Option<&mut [u8]>;

    /// Bytes written so far.
    fn len(&self) -> usize;
}

impl Sink for Vec<u8> {
    fn grow(&mut self, n: usize) -> Option<&mut [u8]> {
        let start = self.len();
        self.resize(start + n, 0);
        Some(&mut self[start..])
    }

    fn len(&self) -> usize {
        Vec::len(self)
    }
}

/// Writes `(s + add) ^ mask` for each byte `s` of `src` into `dst` (of the
/// same length), a word at a time: callers guarantee that `s + add` never
/// carries past `0xFF`, so a `u64` sum is eight byte sums.
#[inline]
fn map_into(dst: &mut [u8], src: &[u8], add: u8, mask: u8) {
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

/// Appends `bytes` as they are.
#[inline]
fn put<S: Sink>(out: &mut S, bytes: &[u8]) {
    if let Some(d) = out.grow(bytes.len()) {
        d.copy_from_slice(bytes);
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
        None | Some(Value::Null) => put(out, &[TAG_NULL ^ m]),
        Some(Value::Bool(b)) => put(out, &[TAG_BOOL ^ m, u8::from(*b) ^ m]),
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
        put(out, &[TAG_ZERO ^ m]);
        return;
    }
    let (tag, rest) = if n.is_negative() { (TAG_NEG, !m) } else { (TAG_POS, m) };
    // Exponents lie in -129..=126, so the offset fits a u16 with room to spare.
    let [e0, e1] = ((n.exponent() + 0x8000) as u16).to_be_bytes();
    let digits = n.digits();
    let Some(d) = out.grow(digits.len() + 4) else { return };
    let (head, body) = d.split_at_mut(3);
    head.copy_from_slice(&[tag ^ m, e0 ^ rest, e1 ^ rest]);
    let (body, end) = body.split_at_mut(digits.len());
    // Digits are 0–9, so `digit + 1` neither carries nor is the 0x00
    // terminator.
    map_into(body, digits, 1, rest);
    end[0] = rest;
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
    // Most strings hold no 0x00; the others grow by one byte per 0x00.
    let zeros = if has_zero(bytes) { bytes.iter().filter(|&&b| b == 0).count() } else { 0 };
    let Some(d) = out.grow(bytes.len() + zeros + 3) else { return };
    let (body, end) = d.split_at_mut(1 + bytes.len() + zeros);
    body[0] = tag ^ m;
    if zeros == 0 {
        map_into(&mut body[1..], bytes, 0, m);
    } else {
        let mut at = 1;
        for &b in bytes {
            body[at] = b ^ m;
            at += 1;
            // 0x00 is escaped as 0x00 0xFF.
            if b == 0 {
                body[at] = 0xFF ^ m;
                at += 1;
            }
        }
    }
    // The terminator 0x00 0x01.
    end.copy_from_slice(&[m, 0x01 ^ m]);
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
