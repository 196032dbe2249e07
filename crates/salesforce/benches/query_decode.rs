//! Benchmark: decoding a 2,000-record query page, against Python's simple-salesforce
//! decoding the same page in the same run.
//!
//! Run with `cargo bench -p tandem-salesforce --bench query_decode`. The bench writes the page
//! under the target directory, creates a Python virtual environment there on first use
//! (`python3 -m venv`, then `pip install` of the pinned `benches/requirements.txt`), and prints
//! records per second for both and their ratio. Without `python3`, it prints the Rust figure
//! alone.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};
use tandem_salesforce::QueryResult;

/// Records in the page: the largest page a REST query returns.
const RECORDS: usize = 2_000;
/// Timed rounds per side; the median is reported.
const ROUNDS: usize = 30;

fn main() {
    let target = target_dir();
    let page = build_page();
    let page_path = target.join("bench-query-page.json");
    std::fs::write(&page_path, &page).expect("write the page under the target directory");

    let rust_seconds = median_seconds(|| {
        let result = QueryResult::from_slice(&page).expect("page decodes");
        assert_eq!(result.records.len(), RECORDS);
    });
    let rust_rate = RECORDS as f64 / rust_seconds;
    println!("page: {RECORDS} Account records, {} bytes", page.len());
    println!(
        "tandem-salesforce QueryResult::from_slice: {rust_seconds:.6} s median of {ROUNDS}, {rust_rate:.0} records/s"
    );

    match python_figures(&target, &page_path) {
        Ok(figures) => report_python(&figures, rust_seconds),
        Err(reason) => println!("simple-salesforce: not measured ({reason})"),
    }
}

fn report_python(figures: &Value, rust_seconds: f64) {
    let decode = figures["decode_seconds"].as_f64().unwrap_or(f64::NAN);
    let query = figures["query_seconds"].as_f64().unwrap_or(f64::NAN);
    println!(
        "simple-salesforce 1.12.10 parse_result_to_json: {decode:.6} s median of {ROUNDS}, {:.0} records/s",
        RECORDS as f64 / decode
    );
    println!(
        "simple-salesforce 1.12.10 query (in-process adapter): {query:.6} s median of {ROUNDS}, {:.0} records/s",
        RECORDS as f64 / query
    );
    println!(
        "ratio, decode: tandem-salesforce is {:.1}x simple-salesforce",
        decode / rust_seconds
    );
    println!(
        "ratio, whole query call: tandem-salesforce decode is {:.1}x simple-salesforce",
        query / rust_seconds
    );
}

/// Builds a page shaped like a recorded Account query: `attributes`, an 18-character Id, text,
/// numbers, booleans, nulls, a datetime with `+0000` and a nested parent relationship.
fn build_page() -> Vec<u8> {
    let records: Vec<Value> = (0..RECORDS).map(account_row).collect();
    let page = json!({"totalSize": RECORDS, "done": true, "records": records});
    serde_json::to_vec_pretty(&page).expect("page serializes")
}

fn account_row(n: usize) -> Value {
    let id = tandem_salesforce::SalesforceId::parse(&format!("001dM{n:010}"))
        .expect("valid Id")
        .to_string();
    json!({
        "attributes": {"type": "Account", "url": format!("/services/data/v62.0/sobjects/Account/{id}")},
        "Id": id,
        "Name": format!("Blue Heron Outfitters {n}"),
        "Phone": "(415) 555-1212",
        "Website": format!("https://example{n}.com"),
        "BillingStreet": "345 Shoreline Park\nSuite 100",
        "BillingCity": "Mountain View",
        "BillingPostalCode": "94043",
        "BillingCountry": "United States",
        "AnnualRevenue": 1_250_000.5 + n as f64,
        "NumberOfEmployees": n % 500,
        "IsDeleted": false,
        "Description": null,
        "NetSuite_Internal_ID__c": format!("{}", 10_000 + n),
        "SystemModstamp": "2024-05-06T07:08:09.000+0000",
        "Owner": {"attributes": {"type": "User", "url": "/services/data/v62.0/sobjects/User/005xx000001Sv6eAAC"}, "Name": "Ada Lovelace"}
    })
}

fn median_seconds(mut action: impl FnMut()) -> f64 {
    action();
    let mut samples: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let started = Instant::now();
            action();
            started.elapsed().as_secs_f64()
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[ROUNDS / 2]
}

/// Returns `CARGO_TARGET_DIR`, or the workspace's `target` folder.
fn target_dir() -> PathBuf {
    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    std::fs::create_dir_all(&dir).expect("create the target directory");
    dir
}

/// Runs the Python side in the bench's virtual environment, creating it first when missing.
fn python_figures(target: &Path, page_path: &Path) -> Result<Value, String> {
    let venv = target.join("bench-venv");
    let python = venv.join("bin/python");
    let bench_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
    if !python.exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(&venv))?;
        run(Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "-r"])
            .arg(bench_dir.join("requirements.txt")))?;
    }
    let output = Command::new(&python)
        .arg(bench_dir.join("simple_salesforce_decode.py"))
        .arg(page_path)
        .arg(ROUNDS.to_string())
        .output()
        .map_err(|error| format!("cannot run {}: {error}", python.display()))?;
    if !output.status.success() {
        return Err(String::from_utf8_lossy(&output.stderr).into_owned());
    }
    serde_json::from_slice(&output.stdout).map_err(|error| format!("unreadable output: {error}"))
}

fn run(command: &mut Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|error| format!("cannot run {command:?}: {error}"))?;
    match status.success() {
        true => Ok(()),
        false => Err(format!("{command:?} failed with {status}")),
    }
}
