//! A smoke run of `tandem bench` with a tiny seed and no latency: it must report every column
//! for both passes. The figures themselves are not checked, because they depend on the machine.

mod common;

use common::tandem;

/// The table's columns, as `tandem bench` prints them.
const COLUMNS: [&str; 12] = [
    "template",
    "pass",
    "changed",
    "calls",
    "minimum",
    "calls ratio",
    "wall s",
    "bound s",
    "wall ratio",
    "cpu us/record",
    "cpu s",
    "peak rss MB",
];

/// Returns the cells of a Markdown table line.
fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|cell| cell.trim().to_string())
        .collect()
}

#[test]
fn bench_reports_every_column() {
    let output = tandem()
        .args(["bench", "--records", "12", "--template", "account-customer"])
        .args(["--netsuite-latency-ms", "0", "--salesforce-latency-ms", "0"])
        .args(["--latency-samples", "2"])
        .output()
        .expect("tandem runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "bench failed: {stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let header = stdout
        .lines()
        .find(|line| line.starts_with("| template"))
        .unwrap_or_else(|| panic!("no table header in: {stdout}"));
    assert_eq!(cells(header), COLUMNS);
    for pass in ["initial", "incremental"] {
        let row = stdout
            .lines()
            .find(|line| line.starts_with(&format!("| account-customer | {pass} |")))
            .unwrap_or_else(|| panic!("no {pass} row in: {stdout}"));
        let row = cells(row);
        assert_eq!(row.len(), COLUMNS.len(), "{pass} row: {row:?}");
        assert!(
            row.iter().all(|cell| !cell.is_empty()),
            "{pass} row: {row:?}"
        );
    }
    assert!(stdout.contains("change-to-write latency"), "{stdout}");
    for mode in [
        "| webhooks |",
        "| polling only |",
        "| ratio, webhooks / polling |",
    ] {
        assert!(stdout.contains(mode), "no {mode} row in: {stdout}");
    }
    assert!(stdout.contains("calls per operation"), "{stdout}");
}

#[test]
fn bench_rejects_zero_records() {
    let output = tandem()
        .args(["bench", "--records", "0"])
        .output()
        .expect("tandem runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--records"), "{stderr}");
}
