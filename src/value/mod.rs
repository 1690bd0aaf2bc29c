//! DynamoDB attribute values and items.

mod adjacent;
#[cfg(feature = "rust_decimal")]
mod decimal;
mod number;
mod serde;
#[cfg(feature = "serde")]
mod wire;

pub use self::serde::{from_item, to_item};
#[allow(unused_imports)]
pub(crate) use adjacent::MAX_SORT_KEY_BYTES;
pub use number::{Number, NumberError};

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// One item: attribute name → value. Ordered by name so output is stable.
pub type Item = BTreeMap<String, Value>;

/// A DynamoDB attribute value.
///
/// Numbers are exact ([`Number`]), strings compare by UTF-8 bytes and
/// binary by unsigned bytes, exactly as DynamoDB orders sort keys.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// DynamoDB `NULL`: the contract treats it as SQL `NULL`, like a missing attribute.
    Null,
    /// `BOOL`.
    Bool(bool),
    /// `N`: an exact decimal.
    N(Number),
    /// `S`: a UTF-8 string.
    S(String),
    /// `B`: bytes.
    B(Vec<u8>),
    /// `L`: a list.
    L(Vec<Value>),
    /// `M`: a map.
    M(BTreeMap<String, Value>),
    /// `SS`: a string set.
    Ss(BTreeSet<String>),
    /// `NS`: a number set.
    Ns(BTreeSet<Number>),
    /// `BS`: a binary set.
    Bs(BTreeSet<Vec<u8>>),
}

/// The DynamoDB type of a value, as `attribute_type` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AttrType {
    /// `S`
    S,
    /// `N`
    N,
    /// `B`
    B,
    /// `BOOL`
    Bool,
    /// `NULL`
    Null,
    /// `L`
    L,
    /// `M`
    M,
    /// `SS`
    Ss,
    /// `NS`
    Ns,
    /// `BS`
    Bs,
}

impl AttrType {
    /// The name DynamoDB uses for this type (`"S"`, `"BOOL"`, `"NULL"`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AttrType::S => "S",
            AttrType::N => "N",
            AttrType::B => "B",
            AttrType::Bool => "BOOL",
            AttrType::Null => "NULL",
            AttrType::L => "L",
            AttrType::M => "M",
            AttrType::Ss => "SS",
            AttrType::Ns => "NS",
            AttrType::Bs => "BS",
        }
    }
}

impl Value {
    /// This value's DynamoDB type.
    pub fn attr_type(&self) -> AttrType {
        match self {
            Value::Null => AttrType::Null,
            Value::Bool(_) => AttrType::Bool,
            Value::N(_) => AttrType::N,
            Value::S(_) => AttrType::S,
            Value::B(_) => AttrType::B,
            Value::L(_) => AttrType::L,
            Value::M(_) => AttrType::M,
            Value::Ss(_) => AttrType::Ss,
            Value::Ns(_) => AttrType::Ns,
            Value::Bs(_) => AttrType::Bs,
        }
    }

    /// True for DynamoDB `NULL`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// True for the scalar types a sort key can hold: `S`, `N` and `B`.
    pub fn is_key_scalar(&self) -> bool {
        matches!(self, Value::S(_) | Value::N(_) | Value::B(_))
    }

    /// True for a value DynamoDB accepts in a key or key condition: a
    /// string, number or binary, and not an empty string or empty binary.
    pub fn is_valid_key(&self) -> bool {
        match self {
            Value::S(s) => !s.is_empty(),
            Value::B(b) => !b.is_empty(),
            Value::N(_) => true,
            _ => false,
        }
    }

    /// Orders two values of the same key-scalar type (`S`, `N` or `B`) the way
    /// DynamoDB does in key conditions and filters; `None` for other pairs.
    pub fn cmp_same_type(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::N(a), Value::N(b)) => Some(a.cmp(b)),
            (Value::S(a), Value::S(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (Value::B(a), Value::B(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// Parses an exact decimal into [`Value::N`].
    ///
    /// # Errors
    /// [`NumberError`] when `text` is not a number DynamoDB can store.
    pub fn number(text: &str) -> Result<Value, NumberError> {
        text.parse().map(Value::N)
    }
}

impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::N(n) => write!(f, "{n}"),
            Value::S(s) => write!(f, "{s:?}"),
            Value::B(b) => write!(f, "b{b:02x?}"),
            Value::L(l) => f.debug_list().entries(l).finish(),
            Value::M(m) => f.debug_map().entries(m).finish(),
            Value::Ss(s) => write!(f, "SS{s:?}"),
            Value::Ns(s) => write!(f, "NS{s:?}"),
            Value::Bs(s) => write!(f, "BS{s:02x?}"),
        }
    }
}

/// Display as in EXPLAIN output: strings quoted, numbers plain.
impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::S(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::S(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::S(v.clone())
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<Number> for Value {
    fn from(v: Number) -> Self {
        Value::N(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::B(v)
    }
}
impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Self {
        Value::B(v.to_vec())
    }
}
macro_rules! value_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::N(Number::from(v))
            }
        }
    )*};
}
value_from_int!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize);

macro_rules! value_try_from_float {
    ($($t:ty),*) => {$(
        /// [`Value::N`] holding the float's shortest decimal, as
        /// [`Number`]'s `TryFrom` gives it. The builder's comparisons
        /// ([`Col::ge`](crate::expr::Col::ge)…) take `impl Into<Value>`,
        /// and a float can fail, so pass it through `try_from`. Its [`NumberError`]
        /// converts into [`Error`](crate::Error) (`InvalidQuery`), so `?` works.
        ///
        /// ```
        /// use dynaquery::{col, Value};
        #[doc = concat!("let total: ", stringify!($t), " = 19.99;")]
        /// let e = col("total").ge(Value::try_from(total)?);
        /// assert_eq!(e.to_string(), "total >= 19.99");
        #[doc = concat!("assert!(Value::try_from(", stringify!($t), "::INFINITY).is_err());")]
        /// # Ok::<(), dynaquery::Error>(())
        /// ```
        ///
        /// # Errors
        /// [`NumberError::NotFinite`] for NaN and the infinities,
        /// [`NumberError::OutOfRange`] outside DynamoDB's range.
        impl TryFrom<$t> for Value {
            type Error = NumberError;

            fn try_from(v: $t) -> Result<Self, NumberError> {
                Number::try_from(v).map(Value::N)
            }
        }
    )*};
}
value_try_from_float!(f32, f64);

impl<V: Into<Value>> From<Option<V>> for Value {
    fn from(v: Option<V>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Builds an [`Item`] from `(name, value)` pairs.
///
/// ```
/// use dynaquery::{item, Value};
/// let it = item([("order_id", Value::from("o-1")), ("total", Value::from(42))]);
/// assert_eq!(it["total"], Value::from(42));
/// ```
pub fn item<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Item {
    pairs.into_iter().map(|(k, v)| (k.into(), v)).collect()
}
