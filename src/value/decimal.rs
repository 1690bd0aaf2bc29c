//! The `rust_decimal` feature: [`Decimal`] to and from [`Number`], exactly.

use rust_decimal::Decimal;

use super::{Number, NumberError, Value};

impl From<Decimal> for Number {
    /// Exact: a `Decimal` has at most 29 significant digits and a scale of
    /// at most 28, well inside DynamoDB's 38 digits and range.
    ///
    /// ```
    /// use dynaquery::{Number, Value};
    /// use rust_decimal::Decimal;
    /// let price = Decimal::new(1999, 2); // 19.99
    /// assert_eq!(Number::from(price).to_string(), "19.99");
    /// assert_eq!(Value::from(price), Value::number("19.99").unwrap());
    /// ```
    fn from(d: Decimal) -> Number {
        let negative = d.is_sign_negative() && !d.is_zero();
        let mantissa = d.mantissa().unsigned_abs();
        let digits: Vec<u8> = mantissa.to_string().bytes().map(|b| b - b'0').collect();
        let exponent = digits.len() as i64 - i64::from(d.scale());
        Number::from_exact_parts(negative, digits, exponent)
    }
}

impl From<Decimal> for Value {
    /// [`Value::N`] of the exact number.
    fn from(d: Decimal) -> Value {
        Value::N(Number::from(d))
    }
}

impl TryFrom<&Number> for Decimal {
    type Error = NumberError;

    /// Exact, when it fits: a `Decimal` holds at most 28 digits after the
    /// point and a magnitude below about `7.9E+28`.
    ///
    /// ```
    /// use dynaquery::{Number, NumberError};
    /// use rust_decimal::Decimal;
    /// let n: Number = "19.99".parse()?;
    /// assert_eq!(Decimal::try_from(&n)?, Decimal::new(1999, 2));
    /// let huge: Number = "1E+100".parse()?;
    /// assert!(matches!(Decimal::try_from(&huge), Err(NumberError::OutOfRange(_))));
    /// # Ok::<(), NumberError>(())
    /// ```
    ///
    /// # Errors
    /// [`NumberError::OutOfRange`] when the number does not fit a `Decimal`
    /// exactly (too large, or more digits than it keeps).
    fn try_from(n: &Number) -> Result<Decimal, NumberError> {
        let text = n.to_string();
        Decimal::from_str_exact(&text)
            .map_err(|_| NumberError::OutOfRange(format!("{text} (as a rust_decimal::Decimal)")))
    }
}

impl TryFrom<Number> for Decimal {
    type Error = NumberError;

    /// As `TryFrom<&Number>`.
    fn try_from(n: Number) -> Result<Decimal, NumberError> {
        Decimal::try_from(&n)
    }
}
