//! Test support: DynamoDB Local, installed and started by the tests
//! themselves, a fault-injecting backend wrapper, and a small orders table.
#![allow(dead_code)]

pub mod dynamodb_local;
pub mod faults;
pub mod fixture;
