//! Exact decimal numbers, as DynamoDB stores them.
//!
//! DynamoDB numbers carry up to 38 significant digits and range from
//! `1E-130` to `9.9999999999999999999999999999999999999E+125` in magnitude.
//! [`Number`] keeps them exactly — never through `f64` — so ordering and
//! equality agree with DynamoDB's own sort-key order.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// Most significant digits DynamoDB keeps in a number.
pub(crate) const MAX_DIGITS: usize = 38;
/// Smallest decimal exponent of a non-zero DynamoDB number, in `0.d₁d₂… × 10^e` form.
const MIN_EXP: i32 = -129;
/// Largest decimal exponent of a DynamoDB number, in `0.d₁d₂… × 10^e` form.
const MAX_EXP: i32 = 126;

/// An exact decimal number with at most 38 significant digits.
///
/// Normalized on construction, so `1.50`, `1.5` and `15E-1` are the same
/// value: equal, equally hashed, and displayed as `1.5`.
///
/// ```
/// use dynaquery::Number;
/// let a: Number = "1E+10".parse().unwrap();
/// assert_eq!(a.to_string(), "10000000000");
/// let big: Number = "99999999999999999999999999999999999999".parse().unwrap();
/// let bigger: Number = "100000000000000000000000000000000000000".parse().unwrap();
/// assert!(big < bigger); // exact: f64 would call these equal
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Number {
    negative: bool,
    /// Significant digits (each 0–9), no leading or trailing zero; empty for zero.
    digits: Vec<u8>,
    /// The value is `0.d₁d₂… × 10^exponent`.
    exponent: i32,
}

/// Why a string is not a DynamoDB number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NumberError {
    /// Not of the form `[-+]digits[.digits][e[-+]digits]`.
    #[error("not a decimal number: {0:?}")]
    Syntax(String),
    /// More than 38 significant digits.
    #[error("{0:?} has more than 38 significant digits, which DynamoDB cannot store")]
    TooPrecise(String),
    /// Magnitude outside DynamoDB's range.
    #[error("{0:?} is outside DynamoDB's number range (1E-130 to 9.99…E+125 in magnitude)")]
    OutOfRange(String),
    /// A float that is not a number: `NaN`, `inf` or `-inf` (as displayed).
    #[error("{0} is not a finite number; DynamoDB stores only finite numbers")]
    NotFinite(String),
}

impl Number {
    /// Most significant digits DynamoDB keeps in a number (38).
    pub const MAX_DIGITS: usize = MAX_DIGITS;

    /// Zero.
    pub fn zero() -> Self {
        Number { negative: false, digits: Vec::new(), exponent: 0 }
    }

    /// True for zero.
    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// True for values below zero.
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Significant digits (each 0–9), most significant first; empty for zero.
    pub fn digits(&self) -> &[u8] {
        &self.digits
    }

    /// The exponent `e` of the value written as `±0.d₁d₂… × 10^e`.
    pub fn exponent(&self) -> i32 {
        self.exponent
    }

    /// Builds a number from parts; `digits` may hold leading or trailing zeros.
    /// A number from digits already known to fit (at most 38 significant,
    /// in range) with no leading zero: trailing zeros are dropped; no
    /// digits is zero.
    #[cfg(feature = "rust_decimal")]
    pub(crate) fn from_exact_parts(negative: bool, mut digits: Vec<u8>, exponent: i64) -> Self {
        while digits.last() == Some(&0) {
            digits.pop();
        }
        if digits.is_empty() {
            return Number::zero();
        }
        Number { negative, digits, exponent: i32::try_from(exponent).unwrap_or(0) }
    }

    fn from_parts(negative: bool, digits: Vec<u8>, exponent: i64, text: &str) -> Result<Self, NumberError> {
        let lead = digits.iter().take_while(|d| **d == 0).count();
        let trail = digits.iter().rev().take_while(|d| **d == 0).count();
        if lead == digits.len() {
            return Ok(Number::zero());
        }
        let sig: Vec<u8> = digits[lead..digits.len() - trail].to_vec();
        if sig.len() > MAX_DIGITS {
            return Err(NumberError::TooPrecise(text.to_owned()));
        }
        let exponent = exponent - lead as i64;
        if exponent < MIN_EXP as i64 || exponent > MAX_EXP as i64 {
            return Err(NumberError::OutOfRange(text.to_owned()));
        }
        Ok(Number { negative, digits: sig, exponent: exponent as i32 })
    }

    /// The smallest number DynamoDB can store that is greater than this
    /// one; `None` above the largest. Every stored number has at most 38
    /// significant digits, so none lies strictly between the two.
    pub(crate) fn next_up(&self) -> Option<Number> {
        if self.negative {
            Some(self.abs_down().map_or_else(Number::zero, Number::negated))
        } else {
            self.abs_up()
        }
    }

    /// The greatest number DynamoDB can store that is less than this one;
    /// `None` below the smallest.
    pub(crate) fn next_down(&self) -> Option<Number> {
        if self.negative || self.is_zero() {
            self.abs_up().map(Number::negated)
        } else {
            Some(self.abs_down().unwrap_or_else(Number::zero))
        }
    }

    fn negated(mut self) -> Number {
        self.negative = !self.is_zero();
        self
    }

    /// The next magnitude up (zero goes to `1E-130`); `None` past the range.
    fn abs_up(&self) -> Option<Number> {
        if self.is_zero() {
            return Some(Number { negative: false, digits: vec![1], exponent: MIN_EXP });
        }
        let mut digits = self.digits.clone();
        digits.resize(MAX_DIGITS, 0);
        for d in digits.iter_mut().rev() {
            if *d == 9 {
                *d = 0;
            } else {
                *d += 1;
                return Number::from_parts(false, digits, i64::from(self.exponent), "").ok();
            }
        }
        // 0.99…9 × 10^e → 0.1 × 10^(e+1)
        Number::from_parts(false, vec![1], i64::from(self.exponent) + 1, "").ok()
    }

    /// The next magnitude down; `None` when that is zero.
    fn abs_down(&self) -> Option<Number> {
        if self.digits == [1] {
            // 0.1 × 10^e → 0.99…9 × 10^(e-1), 38 nines
            return Number::from_parts(false, vec![9; MAX_DIGITS], i64::from(self.exponent) - 1, "").ok();
        }
        let mut digits = self.digits.clone();
        digits.resize(MAX_DIGITS, 0);
        for d in digits.iter_mut().rev() {
            if *d == 0 {
                *d = 9;
            } else {
                *d -= 1;
                break;
            }
        }
        Number::from_parts(false, digits, i64::from(self.exponent), "").ok()
    }

    /// Compares magnitudes, ignoring signs.
    fn cmp_magnitude(&self, other: &Self) -> Ordering {
        match (self.is_zero(), other.is_zero()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => self.exponent.cmp(&other.exponent).then_with(|| self.digits.cmp(&other.digits)),
        }
    }
}

impl FromStr for Number {
    type Err = NumberError;

    fn from_str(text: &str) -> Result<Self, NumberError> {
        let syntax = || NumberError::Syntax(text.to_owned());
        let s = text.trim();
        let (negative, s) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (mantissa, exp) = match s.find(['e', 'E']) {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        let (int, frac) = match mantissa.find('.') {
            Some(i) => (&mantissa[..i], &mantissa[i + 1..]),
            None => (mantissa, ""),
        };
        if int.is_empty() && frac.is_empty() {
            return Err(syntax());
        }
        if !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
            return Err(syntax());
        }
        let exp: i64 = match exp {
            None => 0,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(syntax());
                }
                e.parse().map_err(|_| syntax())?
            }
        };
        let digits: Vec<u8> = int.bytes().chain(frac.bytes()).map(|b| b - b'0').collect();
        let negative = negative && digits.iter().any(|d| *d != 0);
        Number::from_parts(negative, digits, exp + int.len() as i64, text)
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Plain notation, as DynamoDB returns numbers: `10000000000`, `0.001`, `-1.5`.
impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        let mut out = String::with_capacity(self.digits.len() + 8);
        if self.negative {
            out.push('-');
        }
        let digit = |d: &u8| char::from(b'0' + d);
        let e = self.exponent;
        let n = self.digits.len() as i32;
        if e <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-e) as usize));
            out.extend(self.digits.iter().map(digit));
        } else if e >= n {
            out.extend(self.digits.iter().map(digit));
            out.extend(std::iter::repeat_n('0', (e - n) as usize));
        } else {
            out.extend(self.digits[..e as usize].iter().map(digit));
            out.push('.');
            out.extend(self.digits[e as usize..].iter().map(digit));
        }
        f.write_str(&out)
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Number({self})")
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(v: $t) -> Self {
                // Every Rust integer has at most 39 digits; the 39-digit
                // i128/u128 extremes are rejected by DynamoDB too, so those
                // two alone are rounded by parsing their 38 leading digits.
                let text = v.to_string();
                text.parse().unwrap_or_else(|_| {
                    let (sign, digits) = text.strip_prefix('-').map_or(("", text.as_str()), |d| ("-", d));
                    format!("{sign}{}E{}", &digits[..MAX_DIGITS], digits.len() - MAX_DIGITS)
                        .parse()
                        .unwrap_or_else(|_| Number::zero())
                })
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

macro_rules! try_from_float {
    ($($t:ty),*) => {$(
        /// The float's shortest decimal: the fewest significant digits that
        /// read back as the same float (what `{}` prints), kept exactly.
        /// So `19.99` is the decimal `19.99`, not the binary float's exact
        /// expansion `19.989999999999998436805981327779591083526611328125`.
        /// `-0.0` is zero.
        ///
        /// ```
        /// use dynaquery::{Number, NumberError};
        #[doc = concat!("assert_eq!(Number::try_from(19.99", stringify!($t), ")?.to_string(), \"19.99\");")]
        #[doc = concat!("assert_eq!(Number::try_from(1e-7", stringify!($t), ")?.to_string(), \"0.0000001\");")]
        #[doc = concat!("assert!(matches!(Number::try_from(", stringify!($t), "::NAN), Err(NumberError::NotFinite(_))));")]
        /// # Ok::<(), NumberError>(())
        /// ```
        ///
        /// # Errors
        /// [`NumberError::NotFinite`] for NaN and the infinities;
        /// [`NumberError::OutOfRange`] for a magnitude DynamoDB cannot
        /// store (below `1E-130` or from `1E+126`; `f64` reaches both).
        impl TryFrom<$t> for Number {
            type Error = NumberError;

            fn try_from(v: $t) -> Result<Self, NumberError> {
                if !v.is_finite() {
                    return Err(NumberError::NotFinite(v.to_string()));
                }
                // `{:e}`: the shortest round-trip digits with an exponent
                // (`1.999e1`), short even for 1e300; at most 17 digits, so
                // never too precise.
                format!("{v:e}").parse()
            }
        }
    )*};
}
try_from_float!(f32, f64);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_floats_the_shortest_decimal() {
        let f = |v: f64| Number::try_from(v).map(|n| n.to_string());
        assert_eq!(f(19.99).unwrap(), "19.99");
        assert_eq!(f(0.1).unwrap(), "0.1");
        assert_eq!(f(0.1 + 0.2).unwrap(), "0.30000000000000004");
        assert_eq!(f(-2.5).unwrap(), "-2.5");
        assert_eq!(f(-0.0).unwrap(), "0");
        assert_eq!(f(1e21).unwrap(), "1000000000000000000000");
        assert_eq!(f(123456789.0).unwrap(), "123456789");
        assert_eq!(f(f64::MAX.sqrt().sqrt()).unwrap(), f64::MAX.sqrt().sqrt().to_string());
        assert_eq!(Number::try_from(19.99).unwrap(), n("19.99"));
        // Every finite float in range reads back as itself.
        for v in [1.0 / 3.0, std::f64::consts::PI, 1e-100, -9.87654321e125, 5e-130, 2f64.powi(60) + 1.0] {
            assert_eq!(f(v).unwrap().parse::<f64>().unwrap(), v, "{v}");
        }
        assert_eq!(Number::try_from(0.1f32).unwrap(), n("0.1"));
        assert_eq!(Number::try_from(16777217f32).unwrap(), n("16777216"));
    }

    #[test]
    fn from_floats_rejects_what_dynamodb_cannot_store() {
        assert_eq!(Number::try_from(f64::NAN), Err(NumberError::NotFinite("NaN".into())));
        assert_eq!(Number::try_from(f64::INFINITY), Err(NumberError::NotFinite("inf".into())));
        assert_eq!(Number::try_from(f64::NEG_INFINITY), Err(NumberError::NotFinite("-inf".into())));
        assert_eq!(Number::try_from(f32::NAN), Err(NumberError::NotFinite("NaN".into())));
        assert!(matches!(Number::try_from(1e300), Err(NumberError::OutOfRange(_))));
        assert!(matches!(Number::try_from(f64::MAX), Err(NumberError::OutOfRange(_))));
        assert!(matches!(Number::try_from(1e-200), Err(NumberError::OutOfRange(_))));
        assert!(matches!(Number::try_from(f64::MIN_POSITIVE / 4.0), Err(NumberError::OutOfRange(_))));
        assert!(Number::try_from(1e125).is_ok());
        assert!(matches!(Number::try_from(1e126), Err(NumberError::OutOfRange(_))));
    }

    fn n(s: &str) -> Number {
        s.parse().unwrap()
    }

    #[test]
    fn normalizes_and_displays_plain() {
        assert_eq!(n("1.50"), n("15E-1"));
        assert_eq!(n("1.50").to_string(), "1.5");
        assert_eq!(n("1E+10").to_string(), "10000000000");
        assert_eq!(n("-0.00120").to_string(), "-0.0012");
        assert_eq!(n("-0").to_string(), "0");
        assert_eq!(n("0.000").to_string(), "0");
        assert_eq!(n("123.456").to_string(), "123.456");
        assert_eq!(n(".5").to_string(), "0.5");
        assert_eq!(n("5.").to_string(), "5");
    }

    #[test]
    fn rejects_what_dynamodb_rejects() {
        for bad in ["", "-", ".", "1e", "1e+", "abc", "1.2.3", "1e5e5", "NaN", "inf", "0x10", "1 2"] {
            assert!(matches!(bad.parse::<Number>(), Err(NumberError::Syntax(_))), "{bad}");
        }
        assert!(matches!("1".repeat(39).parse::<Number>(), Err(NumberError::TooPrecise(_))));
        assert!("1".repeat(38).parse::<Number>().is_ok());
        assert!(matches!("1E126".parse::<Number>(), Err(NumberError::OutOfRange(_))));
        assert!(matches!("1E-131".parse::<Number>(), Err(NumberError::OutOfRange(_))));
        assert!("9.9999999999999999999999999999999999999E+125".parse::<Number>().is_ok());
        assert!("1E-130".parse::<Number>().is_ok());
        assert!("-1E+125".parse::<Number>().is_ok());
    }

    #[test]
    fn orders_exactly() {
        let sorted = [
            "-1E+125",
            "-1000",
            "-999.99",
            "-1",
            "-0.5",
            "-1E-100",
            "0",
            "1E-130",
            "1E-100",
            "0.5",
            "1",
            "1.0000000000000000000000000000000000001",
            "2",
            "10",
            "99999999999999999999999999999999999999",
            "100000000000000000000000000000000000000",
            "1E+125",
        ];
        for w in sorted.windows(2) {
            assert!(n(w[0]) < n(w[1]), "{} < {}", w[0], w[1]);
        }
    }

    #[test]
    fn neighbours_are_adjacent() {
        let cases = [
            ("38", "38.000000000000000000000000000000000001", "37.999999999999999999999999999999999999"),
            ("100", "100.00000000000000000000000000000000001", "99.999999999999999999999999999999999999"),
            ("0", "1E-130", "-1E-130"),
            ("1E-130", "1.0000000000000000000000000000000000001E-130", "0"),
            ("-1E-130", "0", "-1.0000000000000000000000000000000000001E-130"),
            ("-100", "-99.999999999999999999999999999999999999", "-100.00000000000000000000000000000000001"),
            (
                "99999999999999999999999999999999999999",
                "100000000000000000000000000000000000000",
                "99999999999999999999999999999999999998",
            ),
        ];
        for (x, up, down) in cases {
            assert_eq!(n(x).next_up(), Some(n(up)), "next_up({x})");
            assert_eq!(n(x).next_down(), Some(n(down)), "next_down({x})");
            assert_eq!(n(up).next_down(), Some(n(x)), "next_down(next_up({x}))");
            assert_eq!(n(down).next_up(), Some(n(x)), "next_up(next_down({x}))");
        }
        let max = n("9.9999999999999999999999999999999999999E+125");
        assert_eq!(max.next_up(), None);
        assert_eq!(max.clone().negated().next_down(), None);
    }

    #[test]
    fn from_integers() {
        assert_eq!(Number::from(-42i64).to_string(), "-42");
        assert_eq!(Number::from(u64::MAX).to_string(), u64::MAX.to_string());
        assert_eq!(Number::from(0u8), Number::zero());
        assert_eq!(Number::from(i128::MIN).digits().len(), MAX_DIGITS);
    }
}
