//! `tandem run --once --dry-run` with every template against a sandbox in the test process.
//! Nothing reaches either system or the store. The records the dry run pretends to create are
//! found again by the flows that follow, as a real run finds them.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{count, run_once, tandem};
use serde_json::Value;
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

/// Every template's table, each with its defaults.
const FLOWS: &str = "[flows.account-customer]\n[flows.contact-contact]\n\
                     [flows.customer-onboarding]\n[flows.item-to-price-book]\n\
                     [flows.opportunity-to-sales-order]\n[flows.invoice-to-salesforce]\n\
                     [flows.credit-hold-alert]\n";

async fn start() -> (Sandbox, tempfile::TempDir) {
    let sandbox = Sandbox::start(SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed: Seed::Demo,
    })
    .await
    .expect("sandbox starts");
    let dir = tempfile::TempDir::new().unwrap();
    let env: String = sandbox
        .environment()
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    let toml = format!(
        "[netsuite]\nendpoint = \"{}\"\n[salesforce]\nlogin_url = \"{}\"\n{FLOWS}",
        sandbox.netsuite_endpoint(),
        sandbox.salesforce_url()
    );
    std::fs::write(dir.path().join("tandem.toml"), toml).unwrap();
    std::fs::write(dir.path().join("tandem.env"), env).unwrap();
    (sandbox, dir)
}

/// Runs `tandem run --once --dry-run --json` and returns its report.
async fn dry_run(dir: &Path) -> Value {
    let dir = dir.to_path_buf();
    let output = tokio::task::spawn_blocking(move || {
        tandem()
            .args(["run", "--once", "--dry-run", "--json", "--config"])
            .arg(dir.join("tandem.toml"))
            .arg("--env-file")
            .arg(dir.join("tandem.env"))
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        !stderr.contains("dry-run-"),
        "a made-up ID reached a system: {stderr}"
    );
    serde_json::from_str(stdout.trim()).expect("one JSON object")
}

/// Returns how many write requests both emulators served, by operation or route.
fn writes(sandbox: &Sandbox) -> BTreeMap<String, u64> {
    let netsuite = sandbox
        .netsuite()
        .operation_counts()
        .into_iter()
        .filter(|(op, _)| {
            ["add", "update", "upsert", "delete"]
                .iter()
                .any(|write| op.starts_with(write))
        });
    let salesforce = sandbox
        .salesforce()
        .request_counts()
        .into_iter()
        .filter(|(route, _)| !route.starts_with("GET") && !route.contains("oauth2"));
    netsuite.chain(salesforce).collect()
}

fn flow<'a>(report: &'a Value, name: &str) -> &'a Value {
    let flows = report["flows"].as_array().expect("flows array");
    flows
        .iter()
        .find(|flow| flow["flow"] == name)
        .unwrap_or_else(|| panic!("{name} missing in {report}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_dry_run_finds_its_own_records() {
    let (sandbox, dir) = start().await;

    let report = dry_run(dir.path()).await;

    assert!(writes(&sandbox).is_empty(), "{:?}", writes(&sandbox));
    assert!(
        !dir.path().join("tandem.db").exists(),
        "a store was created"
    );
    // Customers linked in this dry run have Accounts that only the dry run created; their
    // credit fields are planned, not refused as missing.
    let credit = flow(&report, "credit-hold-alert");
    assert_eq!(count(credit, "dead_letters"), 0, "{credit}");
    assert!(count(credit, "updated") > 0, "{credit}");
    let planned = report["planned"].as_array().expect("planned writes");
    let credit_updates = planned.iter().filter(|write| {
        write["action"] == "update"
            && write["object"] == "Account"
            && write["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("dry-run-"))
            && write["fields"].get("Credit_Hold__c").is_some()
    });
    assert!(credit_updates.count() > 0, "{report}");
    for name in [
        "account-customer",
        "contact-contact",
        "invoice-to-salesforce",
    ] {
        assert_eq!(count(flow(&report, name), "dead_letters"), 0, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_leaves_store_unchanged() {
    let (sandbox, dir) = start().await;
    let path = dir.path().to_path_buf();
    let first = tokio::task::spawn_blocking(move || run_once(&path))
        .await
        .unwrap();
    assert!(first.status.success());
    let store = dir.path().join("tandem.db");
    let before = std::fs::read(&store).expect("store written by the real pass");
    let written = writes(&sandbox);
    let mut phone = serde_json::Map::new();
    phone.insert("Phone".to_string(), Value::from("(541) 555-0177"));
    let account = sandbox
        .salesforce()
        .records("Account")
        .into_iter()
        .find(|account| account["Name"] == "Blue Heron Outfitters")
        .expect("Account");
    let id = account["Id"].as_str().unwrap().to_string();
    sandbox
        .salesforce()
        .edit_record("Account", &id, phone)
        .expect("edit accepted");

    let report = dry_run(dir.path()).await;

    assert_eq!(
        count(flow(&report, "account-customer"), "updated"),
        1,
        "{report}"
    );
    assert_eq!(writes(&sandbox), written);
    let after = std::fs::read(&store).expect("store still there");
    assert!(before == after, "the dry run changed the store");
}
