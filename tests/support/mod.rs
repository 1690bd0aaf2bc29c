//! Test support: DynamoDB Local, installed and started by the tests
//! themselves, and a fault-injecting backend wrapper.
#![allow(dead_code)]

pub mod dynamodb_local;
pub mod faults;
