//! Deletions made on either side reach the other side as the delete policy says, against the
//! sandbox's emulators.

mod common;

use std::path::Path;

use common::{account_customer, count, run_once};
use serde_json::Value;
use tandem_engine::Secret;
use tandem_netsuite::{NetSuiteClient, NetSuiteConfig, RecordRef, TokenCredentials};
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

async fn start(extra_config: &str) -> (Sandbox, tempfile::TempDir) {
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
        "[netsuite]\nendpoint = \"{}\"\n[salesforce]\nlogin_url = \"{}\"\n{extra_config}",
        sandbox.netsuite_endpoint(),
        sandbox.salesforce_url()
    );
    std::fs::write(dir.path().join("tandem.toml"), toml).unwrap();
    std::fs::write(dir.path().join("tandem.env"), env).unwrap();
    (sandbox, dir)
}

async fn pass(dir: &Path) -> Value {
    let dir = dir.to_path_buf();
    let output = tokio::task::spawn_blocking(move || run_once(&dir))
        .await
        .unwrap();
    account_customer(&output)
}

fn account_named(sandbox: &Sandbox, name: &str) -> (String, String) {
    let account = sandbox
        .salesforce()
        .records("Account")
        .into_iter()
        .find(|account| account["Name"] == name)
        .unwrap_or_else(|| panic!("Account {name} exists"));
    let id = account["Id"].as_str().unwrap().to_string();
    let customer = account["NetSuite_Internal_ID__c"]
        .as_str()
        .unwrap()
        .to_string();
    (id, customer)
}

/// Deletes an Account through the REST API, as a Salesforce user or client would.
async fn delete_account(sandbox: &Sandbox, id: &str) {
    let credentials = sandbox.salesforce().credentials().clone();
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!(
            "{}/services/oauth2/token",
            sandbox.salesforce_url()
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", credentials.client_id.as_str()),
            ("client_secret", credentials.client_secret.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let status = http
        .delete(format!(
            "{}/services/data/v62.0/sobjects/Account/{id}",
            sandbox.salesforce_url()
        ))
        .bearer_auth(token["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status.as_u16(), 204);
}

/// Deletes a customer through SuiteTalk, as another NetSuite integration would.
async fn delete_customer(sandbox: &Sandbox, internal_id: &str) {
    let credentials = sandbox.netsuite().credentials();
    let mut config = NetSuiteConfig::new(
        credentials.account.clone(),
        TokenCredentials {
            consumer_key: credentials.consumer_key.clone(),
            consumer_secret: Secret::new(credentials.consumer_secret.clone()),
            token_id: credentials.token_id.clone(),
            token_secret: Secret::new(credentials.token_secret.clone()),
        },
    );
    config.endpoint = Some(sandbox.netsuite_endpoint().parse().unwrap());
    let client = NetSuiteClient::new(config).unwrap();
    let results = client
        .delete_list(&[RecordRef::internal("customer", internal_id)])
        .await
        .unwrap();
    assert!(results[0].is_ok(), "{results:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleted_account_leaves_customer_unlinked_for_good() {
    let (sandbox, dir) = start("").await;
    pass(dir.path()).await;
    pass(dir.path()).await;
    let (account, customer) = account_named(&sandbox, "Blue Heron Outfitters");
    let accounts = sandbox.salesforce().records("Account").len();

    delete_account(&sandbox, &account).await;
    let report = pass(dir.path()).await;

    assert_eq!(count(&report, "deleted"), 1, "{report}");
    assert!(
        sandbox.netsuite().customer(&customer).is_some(),
        "the customer stays"
    );
    sandbox
        .netsuite()
        .edit_customer(&customer, |c| c.phone = Some("(541) 555-0150".to_string()));
    let after_edit = pass(dir.path()).await;
    assert_eq!(
        count(&after_edit, "created"),
        0,
        "the Account is not brought back"
    );
    assert_eq!(sandbox.salesforce().records("Account").len(), accounts - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_policy_removes_account_of_deleted_customer() {
    let config = "[flows.account-customer.deletes]\nfrom_netsuite = \"delete\"\n";
    let (sandbox, dir) = start(config).await;
    pass(dir.path()).await;
    pass(dir.path()).await;
    let (account, customer) = account_named(&sandbox, "Gulf Coast Marine Parts");

    delete_customer(&sandbox, &customer).await;
    let report = pass(dir.path()).await;

    assert_eq!(count(&report, "deleted"), 1, "{report}");
    assert!(sandbox.salesforce().record("Account", &account).is_none());
    let quiet = pass(dir.path()).await;
    assert_eq!(count(&quiet, "written"), 0, "{quiet}");
}
