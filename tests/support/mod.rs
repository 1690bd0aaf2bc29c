//! Test support: DynamoDB Local, installed and started by the tests themselves.
#![allow(dead_code)]

pub mod dynamodb_local;
