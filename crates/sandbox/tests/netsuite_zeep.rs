//! The NetSuite emulator driven by zeep, a WSDL-driven Python SOAP client written by others:
//! zeep builds its requests from the WSDL and XSDs the emulator serves and parses every
//! response strictly against them. The first run installs zeep in a virtual environment
//! (see `clients/mod.rs`), so these tests need `python3` with `venv` and access to PyPI.

#[path = "clients/mod.rs"]
mod clients;
mod netsuite_support;

use netsuite_support::Server;
use serde_json::Value;

/// Runs a zeep script against the server and returns the JSON object it prints.
async fn run_zeep(server: &Server, script: &str, version: &str) -> Value {
    let credentials = server.emulator.credentials().clone();
    let wsdl = server.wsdl_url(version);
    let script = clients::script(script);
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(clients::python())
            .arg(script)
            .arg(wsdl)
            .args([
                &credentials.account,
                &credentials.consumer_key,
                &credentials.consumer_secret,
                &credentials.token_id,
                &credentials.token_secret,
            ])
            .output()
            .expect("run python")
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "zeep script failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the script prints JSON")
}

fn ids(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|id| id.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn zeep_runs_customer_operations() {
    let server = Server::start().await;
    let seen = run_zeep(&server, "zeep_netsuite.py", "2025_2").await;

    assert_eq!(seen["customer_add_ok"], true);
    assert_eq!(seen["customer_get_name"], "Zeep Works");
    assert_eq!(seen["customer_update_ok"], true);
    assert_eq!(seen["customer_phone"], "555-0100");
    assert_eq!(seen["customer_upsert_same_id"], seen["customer_id"]);
    assert_eq!(seen["customer_search_total"], 7);
    assert_eq!(seen["customer_search_pages"], 2);
    let page1 = ids(&seen["customer_search_page1"]);
    let page2 = ids(&seen["customer_search_page2"]);
    assert_eq!(page1.len(), 5);
    assert_eq!(page2.len(), 2);
    assert!(page1.iter().all(|id| !page2.contains(id)));
    assert_eq!(seen["customer_delete_ok"], true);
    assert_eq!(seen["customer_get_after_delete"], "INVALID_KEY_OR_REF");

    let name = server
        .emulator
        .customer(seen["customer_id"].as_str().unwrap())
        .and_then(|c| c.company_name);
    assert_eq!(name.as_deref(), Some("Zeep Works Ltd"));
    assert_eq!(server.emulator.customers().len(), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn zeep_runs_sales_order_operations() {
    let server = Server::start().await;
    let seen = run_zeep(&server, "zeep_netsuite.py", "2025_2").await;

    assert_eq!(seen["order_add_ok"], true);
    assert_eq!(seen["order_total"], 50.0);
    assert_eq!(seen["order_line_rate"], "12.5");
    assert_eq!(seen["order_status"], "Pending Approval");
    assert_eq!(seen["order_update_ok"], true);
    assert_eq!(seen["order_status_after_update"], "Pending Fulfillment");
    assert_eq!(seen["item_available_after_approval"], 36.0);
    assert_eq!(seen["order_upsert_same_id"], seen["order_id"]);
    let order_id = seen["order_id"].as_str().unwrap().to_string();
    let second_id = seen["order_upsert_new_id"].as_str().unwrap().to_string();
    assert_ne!(second_id, order_id);
    assert_eq!(
        ids(&seen["order_search_ids"]),
        vec![order_id.clone(), second_id.clone()]
    );
    assert_eq!(seen["order_search_memo"][0], "Upserted by zeep");
    assert_eq!(
        ids(&seen["order_search_more_ids"]),
        vec![order_id, second_id]
    );
    assert_eq!(seen["order_delete_ok"], true);
    assert_eq!(seen["order_get_after_delete"], "INVALID_KEY_OR_REF");
}

#[tokio::test(flavor = "multi_thread")]
async fn zeep_loads_wsdl_of_another_version() {
    let server = Server::start().await;
    let seen = run_zeep(&server, "zeep_netsuite.py", "2024_1").await;
    assert_eq!(seen["customer_add_ok"], true);
    assert_eq!(seen["order_add_ok"], true);
}
