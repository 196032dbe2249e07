//! Helpers shared by the command-line tests: running `tandem` and reading its JSON report.

#![allow(dead_code)]

pub mod daemon;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

/// Environment variables that must not leak from the developer's shell into a test run.
pub const SECRET_VARIABLES: &[&str] = &[
    "TANDEM_NETSUITE_ACCOUNT",
    "TANDEM_NETSUITE_CONSUMER_KEY",
    "TANDEM_NETSUITE_CONSUMER_SECRET",
    "TANDEM_NETSUITE_TOKEN_ID",
    "TANDEM_NETSUITE_TOKEN_SECRET",
    "TANDEM_NETSUITE_CLIENT_ID",
    "TANDEM_NETSUITE_CERTIFICATE_ID",
    "TANDEM_NETSUITE_PRIVATE_KEY",
    "TANDEM_SALESFORCE_CLIENT_ID",
    "TANDEM_SALESFORCE_CLIENT_SECRET",
];

/// Returns a `tandem` command with no `TANDEM_*` secrets inherited.
pub fn tandem() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tandem"));
    for name in SECRET_VARIABLES {
        command.env_remove(name);
        command.env_remove(format!("{name}_FILE"));
    }
    command.env("RUST_LOG", "warn");
    command
}

/// Runs `tandem run --config DIR/tandem.toml --once --json --env-file DIR/tandem.env`.
pub fn run_once(dir: &Path) -> Output {
    tandem()
        .arg("run")
        .arg("--config")
        .arg(dir.join("tandem.toml"))
        .arg("--once")
        .arg("--json")
        .arg("--env-file")
        .arg(dir.join("tandem.env"))
        .output()
        .expect("tandem runs")
}

/// Returns the `account-customer` entry of a `--json` report, failing with the output if the
/// command did not succeed.
pub fn account_customer(output: &Output) -> Value {
    flow_report(output, "account-customer")
}

/// Returns the entry of flow `name` in a `--json` report, failing with the output if the
/// command did not succeed.
pub fn flow_report(output: &Output, name: &str) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "tandem failed: {stdout}\n{stderr}");
    let report: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|error| panic!("stdout is not one JSON object ({error}): {stdout}"));
    let flows = report["flows"].as_array().expect("flows array");
    flows
        .iter()
        .find(|flow| flow["flow"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("{name} missing in the report: {stdout}"))
}

/// Returns the sum of one count over every flow of a `--json` report.
pub fn total(output: &Output, name: &str) -> u64 {
    let report: Value = serde_json::from_slice(&output.stdout).expect("one JSON object");
    let flows = report["flows"].as_array().expect("flows array");
    flows.iter().map(|flow| count(flow, name)).sum()
}

/// Returns a count from a flow report.
pub fn count(flow: &Value, name: &str) -> u64 {
    flow[name]
        .as_u64()
        .unwrap_or_else(|| panic!("{name} missing in {flow}"))
}

/// Returns a port that was free a moment ago.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener.local_addr().expect("local address").port()
}
