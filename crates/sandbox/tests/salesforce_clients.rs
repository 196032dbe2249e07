//! Drives the Salesforce emulator with the client libraries Salesforce developers use most,
//! unchanged: Python's simple-salesforce over the HTTPS port and Node's jsforce. Each script
//! prints a JSON report of what its calls returned; the tests check the report and the org.
//!
//! The libraries are installed on first use (see `clients/mod.rs`), so these tests need
//! `python3` with `venv` and `npm`.

#[path = "clients/mod.rs"]
mod clients;

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

/// Starts an empty sandbox that also serves HTTPS, and writes its CA certificate to `dir`.
async fn start_sandbox(dir: &Path) -> (Sandbox, std::path::PathBuf) {
    let options = SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed: Seed::Empty,
    };
    let sandbox = Sandbox::start_with_tls(options, Some(0)).await.unwrap();
    let ca = dir.join("sandbox-ca.pem");
    std::fs::write(&ca, sandbox.ca_certificate_pem().unwrap()).unwrap();
    (sandbox, ca)
}

/// Runs `command` on a blocking thread, so the emulator keeps serving, and parses the last
/// line of its standard output as JSON.
async fn run_report(mut command: Command) -> Value {
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .expect("the client script starts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "client script failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last).unwrap_or_else(|error| panic!("{error}: {stdout}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn simple_salesforce_runs_its_ordinary_calls() {
    let dir = tempfile::tempdir().unwrap();
    let (sandbox, ca) = start_sandbox(dir.path()).await;
    sandbox.salesforce().set_query_batch_size(100);
    let credentials = sandbox.salesforce().credentials().clone();
    let tls_url = sandbox.salesforce_tls_url().unwrap();
    let host = tls_url.trim_start_matches("https://").to_string();

    let mut command = Command::new(clients::python());
    command
        .arg(clients::script("simple_salesforce_flow.py"))
        .env("SANDBOX_SALESFORCE_HOST", &host)
        .env("SANDBOX_CLIENT_ID", &credentials.client_id)
        .env("SANDBOX_CLIENT_SECRET", &credentials.client_secret)
        .env("REQUESTS_CA_BUNDLE", &ca);
    let report = run_report(command).await;

    assert_eq!(report["instance"], host);
    let fields = report["describe_fields"].as_array().unwrap();
    assert!(fields.contains(&Value::from("NetSuite_Internal_ID__c")));
    assert_eq!(report["created"]["success"], true);
    assert_eq!(report["update_status"], 204);
    assert_eq!(report["read_phone"], "555-0101");
    assert_eq!(report["upsert_insert_status"], 201);
    assert_eq!(report["upsert_update_status"], 200);

    let bulk = &report["bulk_upsert"][0];
    assert_eq!(bulk["numberRecordsProcessed"], 251);
    assert_eq!(bulk["numberRecordsFailed"], 1);
    let failed = report["bulk_failed_csv"].as_str().unwrap();
    assert!(failed.contains("REQUIRED_FIELD_MISSING"), "{failed}");

    // One created, one upserted and 250 loaded in bulk.
    assert_eq!(report["query_all_total"], 252);
    assert_eq!(report["query_all_records"], 252);
    assert_eq!(report["query_all_distinct_ids"], 252);
    assert_eq!(report["bulk_query_pages"], 3);
    assert_eq!(report["bulk_query_rows"], 252);

    assert_eq!(report["delete_status"], 204);
    assert_eq!(report["deleted_rows"][0]["IsDeleted"], true);
    let renamed = sandbox
        .salesforce()
        .records("Account")
        .into_iter()
        .any(|record| record["Name"] == "Python Upsert Renamed");
    assert!(renamed, "the second upsert updated the record");
    let counts = sandbox.salesforce().request_counts();
    assert!(counts["GET /query/{locator}"] >= 2, "{counts:?}");

    assert_eq!(report["contact_account_name"], "Python One");
    assert_eq!(report["subquery_last_names"], json!(["Python Contact"]));
    assert_eq!(report["composite"], json!([201, 201]));
    let linked = sandbox
        .salesforce()
        .records("Contact")
        .into_iter()
        .any(|contact| contact["LastName"] == "Composite" && contact["AccountId"].is_string());
    assert!(
        linked,
        "the composite Contact refers to the composite Account"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn jsforce_runs_its_ordinary_calls() {
    let dir = tempfile::tempdir().unwrap();
    let (sandbox, ca) = start_sandbox(dir.path()).await;
    let emulator = sandbox.salesforce();
    emulator.set_query_batch_size(50);
    let username = emulator.integration_username();
    emulator.set_password(&username, "node-password-1").unwrap();
    let credentials = emulator.credentials().clone();

    let mut command = Command::new("node");
    command
        .arg(clients::script("jsforce_flow.js"))
        .env("NODE_PATH", clients::node_project().join("node_modules"))
        .env("NODE_EXTRA_CA_CERTS", &ca)
        .env(
            "SANDBOX_SALESFORCE_URL",
            sandbox.salesforce_tls_url().unwrap(),
        )
        .env("SANDBOX_CLIENT_ID", &credentials.client_id)
        .env("SANDBOX_CLIENT_SECRET", &credentials.client_secret)
        .env("SANDBOX_USERNAME", &username)
        .env("SANDBOX_PASSWORD", "node-password-1");
    let report = run_report(command).await;

    let user_id = emulator.integration_user_id();
    assert_eq!(report["clientCredentialsUser"], user_id.as_str());
    assert_eq!(report["passwordUser"], user_id.as_str());
    assert_eq!(
        report["instanceUrl"],
        sandbox.salesforce_tls_url().unwrap().as_str()
    );
    let fields = report["describeFields"].as_array().unwrap();
    assert!(fields.contains(&Value::from("NetSuite_Internal_ID__c")));
    assert_eq!(report["created"]["success"], true);
    assert_eq!(report["updated"]["success"], true);
    assert_eq!(report["readPhone"], "555-0201");
    assert_eq!(report["upsertInsert"]["created"], true);
    assert_eq!(report["upsertUpdate"]["success"], true);
    assert_eq!(report["bulkSuccessful"], 120);
    assert_eq!(report["bulkFailed"], 0);
    // One created, one upserted and 120 loaded in bulk, read in pages of 50.
    assert_eq!(report["queryTotal"], 122);
    assert_eq!(report["queryRecords"], 122);
    assert_eq!(report["bulkQueryRows"], 122);
    assert_eq!(report["deleted"]["success"], true);
    assert_eq!(report["deletedRows"], serde_json::json!([true]));
    let counts = emulator.request_counts();
    let logins = counts["POST /services/oauth2/token"];
    assert_eq!(logins, 3, "two logins and one after the sessions expired");

    assert_eq!(report["manyCreated"], json!([true, true]));
    assert_eq!(
        report["manyRetrieved"],
        json!(["Node Many 1", "Node Many 2"])
    );
    assert_eq!(report["manyUpserted"], json!([false, true]));
    assert_eq!(report["manyDestroyed"], json!([true, true]));
    for route in [
        "POST /composite/sobjects",
        "POST /composite/sobjects/Account",
        "PATCH /composite/sobjects/Account/{field}",
        "DELETE /composite/sobjects",
    ] {
        assert_eq!(counts.get(route), Some(&1), "{route}: {counts:?}");
    }
    assert_eq!(report["contactAccountName"], "Node Parent");
    assert_eq!(report["subqueryLastNames"], json!(["Node Child"]));
    assert_eq!(report["compositeStatuses"], json!([200, 204]));
    let renamed = emulator
        .records("Account")
        .into_iter()
        .any(|account| account["Name"] == "Node Parent Renamed");
    assert!(renamed, "the composite request renamed the Account");
}
