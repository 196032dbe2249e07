//! Two passes of `tandem run` against a sandbox in the test process: the second writes nothing,
//! and one edit on each side arrives on the other.

mod common;

use std::collections::BTreeMap;

use common::{account_customer, count, run_once};
use serde_json::{Map, Value};
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

async fn start(seed: Seed) -> (Sandbox, tempfile::TempDir) {
    let sandbox = Sandbox::start(SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed,
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
        "[netsuite]\nendpoint = \"{}\"\n[salesforce]\nlogin_url = \"{}\"\n[store]\npath = \"state.db\"\n",
        sandbox.netsuite_endpoint(),
        sandbox.salesforce_url()
    );
    std::fs::write(dir.path().join("tandem.toml"), toml).unwrap();
    std::fs::write(dir.path().join("tandem.env"), env).unwrap();
    (sandbox, dir)
}

/// Runs `tandem run --once` on a blocking thread, so the sandbox keeps serving.
async fn pass(dir: &std::path::Path) -> Value {
    let dir = dir.to_path_buf();
    let output = tokio::task::spawn_blocking(move || run_once(&dir))
        .await
        .unwrap();
    account_customer(&output)
}

/// Returns every record's modification time on both sides, keyed by ID.
fn stamps(sandbox: &Sandbox) -> BTreeMap<String, String> {
    let mut stamps = BTreeMap::new();
    for customer in sandbox.netsuite().customers() {
        stamps.insert(
            customer.internal_id.clone(),
            customer.last_modified.to_rfc3339(),
        );
    }
    for account in sandbox.salesforce().records("Account") {
        let id = account["Id"].as_str().unwrap_or_default().to_string();
        stamps.insert(id, account["SystemModstamp"].to_string());
    }
    stamps
}

fn linked_pair(sandbox: &Sandbox, name: &str) -> (String, String) {
    let account = sandbox
        .salesforce()
        .records("Account")
        .into_iter()
        .find(|a| a["Name"] == name)
        .unwrap_or_else(|| panic!("Account {name} exists"));
    let sf_id = account["Id"].as_str().unwrap().to_string();
    let ns_id = account["NetSuite_Internal_ID__c"]
        .as_str()
        .expect("Account linked")
        .to_string();
    let customer = sandbox
        .netsuite()
        .customer(&ns_id)
        .expect("customer exists");
    assert_eq!(customer.external_id.as_deref(), Some(sf_id.as_str()));
    (sf_id, ns_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn second_pass_moves_no_timestamp() {
    let (sandbox, dir) = start(Seed::Demo).await;
    let first = pass(dir.path()).await;
    assert!(count(&first, "written") > 0, "{first}");
    let before = stamps(&sandbox);

    let second = pass(dir.path()).await;

    assert_eq!(count(&second, "written"), 0, "{second}");
    assert_eq!(stamps(&sandbox), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_edit_per_side_arrives() {
    let (sandbox, dir) = start(Seed::Demo).await;
    pass(dir.path()).await;
    pass(dir.path()).await;
    let (sf_id, ns_id) = linked_pair(&sandbox, "Blue Heron Outfitters");

    let mut phone = Map::new();
    phone.insert("Phone".to_string(), Value::from("(541) 555-0199"));
    sandbox
        .salesforce()
        .edit_record("Account", &sf_id, phone)
        .expect("edit accepted");
    sandbox.netsuite().edit_customer(&ns_id, |customer| {
        customer.url = Some("https://blue-heron.example".to_string());
    });
    let third = pass(dir.path()).await;

    assert_eq!(count(&third, "updated"), 2, "{third}");
    let customer = sandbox.netsuite().customer(&ns_id).unwrap();
    assert_eq!(customer.phone.as_deref(), Some("(541) 555-0199"));
    let account = sandbox.salesforce().record("Account", &sf_id).unwrap();
    assert_eq!(account["Website"], "https://blue-heron.example");

    let fourth = pass(dir.path()).await;
    assert_eq!(count(&fourth, "written"), 0, "{fourth}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_account_becomes_one_dead_letter() {
    let (sandbox, dir) = start(Seed::Demo).await;
    let first = pass(dir.path()).await;
    let second = pass(dir.path()).await;

    assert_eq!(count(&first, "dead_letters"), 1, "{first}");
    assert_eq!(count(&second, "dead_letters"), 0, "{second}");
    let long_name = sandbox
        .netsuite()
        .customers()
        .into_iter()
        .filter(|c| {
            c.company_name
                .as_deref()
                .unwrap_or_default()
                .starts_with("Consolidated")
        })
        .count();
    assert_eq!(long_name, 0, "NetSuite refused the too-long name");
}
