//! Neighbouring sort-key values: the next value up or down that DynamoDB
//! can hold in a sort key.
//!
//! A key condition has no half-open `BETWEEN`: "at or after `w` and before
//! `38`" cannot be written as such. But the values a sort key can hold are
//! a discrete set — numbers have at most 38 significant digits, strings
//! and binaries at most [`MAX_SORT_KEY_BYTES`] bytes — so a strict bound
//! equals an inclusive bound on the neighbouring value:
//!
//! ```text
//!   created_at < 38        ≡  created_at <= 37.999…9 (38 digits)
//!   sk > "abc"             ≡  sk >= "abc\0"
//!   sk < "abd"             ≡  sk <= "abc" + U+10FFFF… (filled to 1024 bytes)
//!   begins_with(sk, "ab")  ≡  "ab" <= sk < "ac"
//! ```
//!
//! Empty strings and binaries are not key values, so "nothing below" is
//! `None` there too.

use super::Value;

/// Largest sort-key value DynamoDB stores, in bytes (strings as UTF-8).
pub const MAX_SORT_KEY_BYTES: usize = 1024;

impl Value {
    /// The least sort-key value of the same type greater than this one;
    /// `None` when there is none (or this is not a key scalar).
    pub(crate) fn next_up(&self) -> Option<Value> {
        match self {
            Value::N(n) => n.next_up().map(Value::N),
            Value::S(s) => string_up(s).map(Value::S),
            Value::B(b) => binary_up(b).map(Value::B),
            _ => None,
        }
    }

    /// The greatest sort-key value of the same type less than this one;
    /// `None` when there is none (or this is not a key scalar).
    pub(crate) fn next_down(&self) -> Option<Value> {
        match self {
            Value::N(n) => n.next_down().map(Value::N),
            Value::S(s) => string_down(s).map(Value::S),
            Value::B(b) => binary_down(b).map(Value::B),
            _ => None,
        }
    }

    /// The least value that sorts after every value beginning with this
    /// one (a string or binary prefix); `None` when every greater value
    /// begins with it.
    pub(crate) fn prefix_end(&self) -> Option<Value> {
        match self {
            Value::S(s) => {
                let mut chars: Vec<char> = s.chars().collect();
                while let Some(c) = chars.pop() {
                    if let Some(up) = char_after(c) {
                        chars.push(up);
                        return Some(Value::S(chars.into_iter().collect()));
                    }
                }
                None
            }
            Value::B(b) => {
                let mut b = b.clone();
                while let Some(last) = b.pop() {
                    if last < u8::MAX {
                        b.push(last + 1);
                        return Some(Value::B(b));
                    }
                }
                None
            }
            _ => None,
        }
    }
}

/// The next code point up, skipping surrogates.
fn char_after(c: char) -> Option<char> {
    match c {
        '\u{D7FF}' => Some('\u{E000}'),
        c => char::from_u32(u32::from(c) + 1),
    }
}

/// The next code point down, skipping surrogates.
fn char_before(c: char) -> Option<char> {
    match c {
        '\u{E000}' => Some('\u{D7FF}'),
        c => u32::from(c).checked_sub(1).and_then(char::from_u32),
    }
}

fn string_up(s: &str) -> Option<String> {
    if s.len() < MAX_SORT_KEY_BYTES {
        // Nothing sorts between `s` and `s` followed by the least character.
        return Some(format!("{s}\0"));
    }
    // Full: the last character that can grow within the room it has.
    // Full: the last character that can grow within the room it has (the
    // next code point is the shortest greater one).
    s.char_indices().rev().find_map(|(at, c)| {
        let up = char_after(c).filter(|u| at + u.len_utf8() <= MAX_SORT_KEY_BYTES)?;
        Some(format!("{}{up}", &s[..at]))
    })
}

fn string_down(s: &str) -> Option<String> {
    let (at, last) = s.char_indices().next_back()?;
    let head = &s[..at];
    match char_before(last) {
        // `s` ends in the least character: the greatest smaller string is
        // `s` without it (none when that is empty).
        None => (!head.is_empty()).then(|| head.to_owned()),
        Some(down) => {
            let mut out = String::with_capacity(MAX_SORT_KEY_BYTES);
            out.push_str(head);
            out.push(down);
            // Then the greatest characters that fit: a longer UTF-8
            // sequence starts with a greater byte.
            for c in ['\u{10FFFF}', '\u{FFFF}', '\u{7FF}', '\u{7F}'] {
                while out.len() + c.len_utf8() <= MAX_SORT_KEY_BYTES {
                    out.push(c);
                }
            }
            Some(out)
        }
    }
}

fn binary_up(b: &[u8]) -> Option<Vec<u8>> {
    if b.len() < MAX_SORT_KEY_BYTES {
        let mut out = b.to_vec();
        out.push(0);
        return Some(out);
    }
    let keep = b.iter().rposition(|x| *x < u8::MAX)?;
    let mut out = b[..=keep].to_vec();
    out[keep] += 1;
    Some(out)
}

fn binary_down(b: &[u8]) -> Option<Vec<u8>> {
    let (&last, head) = b.split_last()?;
    if last == 0 {
        return (!head.is_empty()).then(|| head.to_vec());
    }
    let mut out = head.to_vec();
    out.push(last - 1);
    out.resize(MAX_SORT_KEY_BYTES, u8::MAX);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cmp(a: &Value, b: &Value) -> std::cmp::Ordering {
        a.cmp_same_type(b).unwrap()
    }

    fn fits(v: &Value) -> bool {
        match v {
            Value::S(s) => !s.is_empty() && s.len() <= MAX_SORT_KEY_BYTES,
            Value::B(b) => !b.is_empty() && b.len() <= MAX_SORT_KEY_BYTES,
            Value::N(_) => true,
            _ => false,
        }
    }

    #[test]
    fn strings() {
        assert_eq!(Value::from("abc").next_up(), Some(Value::from("abc\0")));
        let down = Value::from("abd").next_down().unwrap();
        let Value::S(d) = &down else { panic!() };
        assert!(d.starts_with("abc\u{10FFFF}") && d.len() == MAX_SORT_KEY_BYTES);
        assert_eq!(Value::from("ab\0").next_down(), Some(Value::from("ab")));
        assert_eq!(Value::from("\0").next_down(), None);
        let Some(Value::S(below_private_use)) = Value::from("\u{E000}").next_down() else { panic!() };
        assert!(below_private_use.starts_with('\u{D7FF}'));
        let full = "a".repeat(MAX_SORT_KEY_BYTES);
        assert_eq!(Value::from(full.as_str()).next_up(), Some(Value::from(format!("{}b", &full[..1023]))));
        assert_eq!(Value::from("2026-").prefix_end(), Some(Value::from("2026.")));
        assert_eq!(Value::from("a\u{10FFFF}").prefix_end(), Some(Value::from("b")));
        assert_eq!(Value::from("\u{10FFFF}").prefix_end(), None);
    }

    #[test]
    fn binaries() {
        assert_eq!(Value::B(vec![1, 2]).next_up(), Some(Value::B(vec![1, 2, 0])));
        assert_eq!(Value::B(vec![1, 0]).next_down(), Some(Value::B(vec![1])));
        assert_eq!(Value::B(vec![0]).next_down(), None);
        let Some(Value::B(d)) = Value::B(vec![1, 3]).next_down() else { panic!() };
        assert_eq!(&d[..3], &[1, 2, 255]);
        assert_eq!(d.len(), MAX_SORT_KEY_BYTES);
        assert_eq!(Value::B(vec![1, 255]).prefix_end(), Some(Value::B(vec![2])));
        assert_eq!(Value::B(vec![255; MAX_SORT_KEY_BYTES]).next_up(), None);
    }

    fn key_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            // Few characters, near the edges of UTF-8's length classes.
            proptest::collection::vec(
                prop_oneof![
                    Just('\0'),
                    Just('a'),
                    Just('b'),
                    Just('\u{7F}'),
                    Just('\u{80}'),
                    Just('\u{D7FF}'),
                    Just('\u{E000}'),
                    Just('\u{FFFF}'),
                    Just('\u{10FFFF}')
                ],
                1..5
            )
            .prop_map(|c| Value::S(c.into_iter().collect())),
            proptest::collection::vec(prop_oneof![Just(0u8), Just(1), Just(254), Just(255)], 1..5)
                .prop_map(Value::B),
            (-3i64..=3, prop_oneof![Just(0i32), Just(-3), Just(2), Just(-129), Just(125)], 0u32..3).prop_map(
                |(m, e, tail)| {
                    let digits = if tail == 0 { m.to_string() } else { format!("{m}{}", "9".repeat(36)) };
                    Value::number(&format!("{digits}E{e}")).unwrap_or(Value::from(m))
                }
            ),
        ]
    }

    proptest! {
        /// Nothing a key can hold lies strictly between a value and its
        /// neighbours, and the neighbours are keys themselves.
        #[test]
        fn neighbours_leave_no_gap(x in key_value(), y in key_value()) {
            prop_assume!(x.attr_type() == y.attr_type() && fits(&x) && fits(&y));
            if let Some(up) = x.next_up() {
                prop_assert!(fits(&up));
                prop_assert_eq!(cmp(&up, &x), std::cmp::Ordering::Greater);
                if cmp(&y, &x).is_gt() {
                    prop_assert!(cmp(&y, &up).is_ge(), "{:?} lies between {:?} and {:?}", y, x, up);
                }
            } else {
                prop_assert!(!cmp(&y, &x).is_gt());
            }
            if let Some(down) = x.next_down() {
                prop_assert!(fits(&down));
                prop_assert_eq!(cmp(&down, &x), std::cmp::Ordering::Less);
                if cmp(&y, &x).is_lt() {
                    prop_assert!(cmp(&y, &down).is_le(), "{:?} lies between {:?} and {:?}", y, down, x);
                }
            } else {
                prop_assert!(!cmp(&y, &x).is_lt());
            }
            if let Some(end) = x.prefix_end() {
                let begins = match (&y, &x) {
                    (Value::S(a), Value::S(p)) => a.starts_with(p.as_str()),
                    (Value::B(a), Value::B(p)) => a.starts_with(p),
                    _ => false,
                };
                // Values with the prefix lie in [x, end); the rest outside.
                let inside = cmp(&y, &x).is_ge() && cmp(&y, &end).is_lt();
                prop_assert_eq!(begins, inside);
            }
        }
    }
}
