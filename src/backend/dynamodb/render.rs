//! The DynamoDB side of [`crate::backend::expression`]: the same rendering,
//! with values converted to the SDK's `AttributeValue`.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;

use super::convert::to_attribute_value;
use crate::backend::expression;
use crate::backend::KeyCondition;
use crate::cond::Cond;
use crate::error::Result;

/// Expressions and their placeholder maps, values in the SDK's type.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Rendered {
    /// `KeyConditionExpression`.
    pub key_condition: Option<String>,
    /// `FilterExpression`.
    pub filter: Option<String>,
    /// `ProjectionExpression`.
    pub projection: Option<String>,
    /// `ExpressionAttributeNames`.
    pub names: HashMap<String, String>,
    /// `ExpressionAttributeValues`.
    pub values: HashMap<String, AttributeValue>,
}

/// Renders one request's expressions, as [`expression::render`] does.
///
/// # Errors
/// As [`expression::render`].
pub fn render(
    key: Option<&KeyCondition>,
    filter: Option<&Cond>,
    projection: Option<&[String]>,
) -> Result<Rendered> {
    let r = expression::render(key, filter, projection)?;
    Ok(Rendered {
        key_condition: r.key_condition,
        filter: r.filter,
        projection: r.projection,
        names: r.names,
        values: r.values.iter().map(|(p, v)| (p.clone(), to_attribute_value(v))).collect(),
    })
}
