//! sObject Collections upsert of the Salesforce emulator over HTTP:
//! `PATCH /composite/sobjects/{object}/{field}` with `created` per record.

mod salesforce_support;

use salesforce_support::{Server, at};
use serde_json::{Value, json};

fn account(key: Value, name: &str) -> Value {
    json!({"attributes": {"type": "Account"}, "NetSuite_Internal_ID__c": key, "Name": name})
}

async fn upsert(server: &Server, token: &str, path: &str, body: Value) -> Value {
    let reply = server.call("PATCH", path, Some(token), Some(body)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

#[tokio::test]
async fn upsert_creates_and_updates_by_external_id() {
    let server = Server::start().await;
    let token = server.login().await;
    let existing = server.insert_account(
        json!({"Name": "Old", "NetSuite_Internal_ID__c": "NS-1"}),
        at(1, 9),
    );
    let records = json!([
        account(json!("ns-1"), "Updated"),
        account(json!(42), "Created")
    ]);

    let results = upsert(
        &server,
        &token,
        "/composite/sobjects/Account/NetSuite_Internal_ID__c",
        json!({"allOrNone": false, "records": records}),
    )
    .await;

    assert_eq!(
        results[0],
        json!({"id": existing, "success": true, "errors": [], "created": false})
    );
    assert_eq!(results[1]["created"], true);
    let created = results[1]["id"].as_str().unwrap();
    let record = server.emulator.record("Account", created).unwrap();
    assert_eq!(record["NetSuite_Internal_ID__c"], "42");
    assert_eq!(
        server.emulator.record("Account", &existing).unwrap()["Name"],
        "Updated"
    );
}

#[tokio::test]
async fn upsert_by_id_creates_record_without_id() {
    let server = Server::start().await;
    let token = server.login().await;
    let existing = server.insert_account(json!({"Name": "Old"}), at(1, 9));
    let records = json!([
        {"attributes": {"type": "Account"}, "Id": null, "Name": "New"},
        {"attributes": {"type": "Account"}, "Id": existing, "Name": "Renamed"}
    ]);

    let results = upsert(
        &server,
        &token,
        "/composite/sobjects/Account/Id",
        json!({"records": records}),
    )
    .await;

    assert_eq!(results[0]["created"], true);
    assert_eq!(results[1]["created"], false);
    assert_eq!(results[1]["id"], existing);
    assert_eq!(server.emulator.records("Account").len(), 2);
}

#[tokio::test]
async fn upsert_rejects_repeated_key_in_one_call() {
    let server = Server::start().await;
    let token = server.login().await;
    let records = json!([
        account(json!("NS-7"), "First"),
        account(json!("ns-7"), "Second"),
        account(json!("NS-8"), "Other")
    ]);

    let results = upsert(
        &server,
        &token,
        "/composite/sobjects/Account/NetSuite_Internal_ID__c",
        json!({"records": records}),
    )
    .await;

    for index in [0, 1] {
        assert_eq!(results[index]["success"], false);
        assert_eq!(
            results[index]["errors"][0]["statusCode"],
            "DUPLICATE_EXTERNAL_ID"
        );
    }
    assert_eq!(results[2]["success"], true);
    assert_eq!(server.emulator.records("Account").len(), 1);
}

#[tokio::test]
async fn upsert_all_or_none_rolls_back_updates() {
    let server = Server::start().await;
    let token = server.login().await;
    let existing = server.insert_account(
        json!({"Name": "Old", "NetSuite_Internal_ID__c": "NS-1"}),
        at(1, 9),
    );
    let too_long = "x".repeat(256);
    let records = json!([
        account(json!("NS-1"), "New"),
        account(json!("NS-2"), &too_long)
    ]);

    let results = upsert(
        &server,
        &token,
        "/composite/sobjects/Account/NetSuite_Internal_ID__c",
        json!({"allOrNone": true, "records": records}),
    )
    .await;

    assert_eq!(results[0]["id"], existing, "an update keeps its Id");
    assert_eq!(
        results[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(results[1]["errors"][0]["statusCode"], "STRING_TOO_LONG");
    assert_eq!(
        server.emulator.record("Account", &existing).unwrap()["Name"],
        "Old"
    );
    assert_eq!(server.emulator.records("Account").len(), 1);
}

#[tokio::test]
async fn upsert_on_email_id_lookup_field() {
    let server = Server::start().await;
    let token = server.login().await;
    let records = json!([
        {"attributes": {"type": "Contact"}, "Email": "ann@example.com", "LastName": "Ann"}
    ]);
    let results = upsert(
        &server,
        &token,
        "/composite/sobjects/Contact/Email",
        json!({"records": records}),
    )
    .await;
    assert_eq!(results[0]["created"], true, "{results}");

    let reply = server
        .call(
            "PATCH",
            "/composite/sobjects/Contact/LastName",
            Some(&token),
            Some(json!({"records": []})),
        )
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.body[0]["message"],
        "Provided external ID field does not exist or is not accessible: LastName"
    );
}

#[tokio::test]
async fn upsert_results_match_cumulusci_recording() {
    let server = Server::start().await;
    let token = server.login().await;
    let records = json!([
        {"Name": "Sitwell-Bluth", "Id": null, "attributes": {"type": "Account"}}
    ]);
    let results = upsert(
        &server,
        &token,
        "/composite/sobjects/Account/Id",
        json!({"allOrNone": false, "records": records}),
    )
    .await;
    let keys: Vec<&str> = results[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["created", "errors", "id", "success"]);
    assert_eq!(results[0]["created"], true);
    assert_eq!(results[0]["errors"], json!([]));
}
