//! Usage errors are usage errors (exit 2, one line), never backend errors.

mod support;

use support::{command, fails, run};

#[test]
fn a_malformed_region_is_a_usage_error() {
    for bad in ["bad region!", "", "eu_west_1", "x".repeat(70).as_str()] {
        let o = run(&["--region", bad, "--max-attempts", "1", "describe", "orders"]);
        let line = fails(&o, 2, "usage error");
        assert!(line.contains("region"), "{line}");
    }
}

#[test]
fn an_empty_or_malformed_aws_region_is_a_usage_error() {
    for bad in ["", "bad region!"] {
        let o =
            command(&["--max-attempts", "1", "describe", "orders"]).env("AWS_REGION", bad).output().unwrap();
        let line = fails(&o, 2, "usage error");
        assert!(line.contains("region"), "{line}");
    }
}
