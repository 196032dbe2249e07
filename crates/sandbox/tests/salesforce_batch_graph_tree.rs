//! Composite batch, graph and tree requests of the Salesforce emulator over HTTP.

mod salesforce_support;

use salesforce_support::{Server, at};
use serde_json::{Value, json};

#[tokio::test]
async fn batch_runs_independent_subrequests() {
    let server = Server::start().await;
    let token = server.login().await;
    let account = server.insert_account(json!({"Name": "Acme"}), at(1, 9));
    let usage_before = server.emulator.api_usage().0;
    let body = json!({"batchRequests": [
        {"method": "PATCH", "url": format!("v62.0/sobjects/Account/{account}"),
         "richInput": {"Name": "Acme Renamed"}},
        {"method": "GET", "url": format!("v62.0/sobjects/Account/{account}?fields=Name")},
        {"method": "POST", "url": "v62.0/sobjects/Account", "richInput": {"Phone": "1"}}
    ]});

    let reply = server
        .call("POST", "/composite/batch", Some(&token), Some(body))
        .await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.body["hasErrors"], true);
    let results = reply.body["results"].as_array().unwrap();
    assert_eq!(results[0], json!({"statusCode": 204, "result": null}));
    assert_eq!(results[1]["statusCode"], 200);
    assert_eq!(results[1]["result"]["Name"], "Acme Renamed");
    assert_eq!(results[2]["statusCode"], 400);
    assert_eq!(
        results[2]["result"][0]["errorCode"],
        "REQUIRED_FIELD_MISSING"
    );
    assert_eq!(server.emulator.api_usage().0, usage_before + 4);
}

#[tokio::test]
async fn batch_halt_on_error_skips_the_rest() {
    let server = Server::start().await;
    let token = server.login().await;
    let body = json!({"haltOnError": true, "batchRequests": [
        {"method": "POST", "url": "v62.0/sobjects/Account", "richInput": {"Phone": "1"}},
        {"method": "POST", "url": "v62.0/sobjects/Account", "richInput": {"Name": "Skipped"}}
    ]});

    let reply = server
        .call("POST", "/composite/batch", Some(&token), Some(body))
        .await;

    let results = reply.body["results"].as_array().unwrap();
    assert_eq!(results[0]["statusCode"], 400);
    assert_eq!(results[1]["statusCode"], 412);
    assert_eq!(
        results[1]["result"][0]["errorCode"],
        "BATCH_PROCESSING_HALTED"
    );
    assert!(server.emulator.records("Account").is_empty());
}

#[tokio::test]
async fn graph_rolls_back_failed_graph_only() {
    let server = Server::start().await;
    let token = server.login().await;
    let node = |reference: &str, body: Value| {
        json!({"method": "POST", "url": "/services/data/v62.0/sobjects/Account",
               "referenceId": reference, "body": body})
    };
    let contact = json!({"method": "POST", "url": "/services/data/v62.0/sobjects/Contact",
                         "referenceId": "contact1",
                         "body": {"LastName": "Smith", "AccountId": "@{account1.id}"}});
    let body = json!({"graphs": [
        {"graphId": "good", "compositeRequest": [node("account1", json!({"Name": "Kept"})), contact]},
        {"graphId": "bad", "compositeRequest": [
            node("account2", json!({"Name": "Dropped"})),
            node("account3", json!({"Phone": "1"}))
        ]}
    ]});

    let reply = server
        .call("POST", "/composite/graph", Some(&token), Some(body))
        .await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    let graphs = reply.body["graphs"].as_array().unwrap();
    assert_eq!(graphs[0]["graphId"], "good");
    assert_eq!(graphs[0]["isSuccessful"], true);
    let responses = &graphs[0]["graphResponse"]["compositeResponse"];
    assert_eq!(responses[1]["httpStatusCode"], 201);
    assert_eq!(graphs[1]["isSuccessful"], false);
    let bad = &graphs[1]["graphResponse"]["compositeResponse"];
    assert_eq!(bad[0]["body"][0]["errorCode"], "PROCESSING_HALTED");
    let names: Vec<Value> = server
        .emulator
        .records("Account")
        .iter()
        .map(|record| record["Name"].clone())
        .collect();
    assert_eq!(names, vec![json!("Kept")]);
    assert_eq!(server.emulator.records("Contact").len(), 1);
}

#[tokio::test]
async fn tree_creates_parents_then_children() {
    let server = Server::start().await;
    let token = server.login().await;
    let body = json!({"records": [
        {"attributes": {"type": "Account", "referenceId": "ref1"}, "Name": "Acme",
         "Contacts": {"records": [
             {"attributes": {"type": "Contact", "referenceId": "ref2"}, "LastName": "Smith"},
             {"attributes": {"type": "Contact", "referenceId": "ref3"}, "LastName": "Evans"}
         ]}},
        {"attributes": {"type": "Account", "referenceId": "ref4"}, "Name": "Beta"}
    ]});

    let reply = server
        .call("POST", "/composite/tree/Account", Some(&token), Some(body))
        .await;

    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["hasErrors"], false);
    let order: Vec<&str> = reply.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| result["referenceId"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["ref1", "ref4", "ref2", "ref3"]);
    let account = reply.body["results"][0]["id"].as_str().unwrap();
    let contacts = server.emulator.records("Contact");
    assert_eq!(contacts.len(), 2);
    assert!(
        contacts
            .iter()
            .all(|contact| contact["AccountId"] == account)
    );
}

#[tokio::test]
async fn tree_with_bad_record_creates_nothing() {
    let server = Server::start().await;
    let token = server.login().await;
    let body = json!({"records": [
        {"attributes": {"type": "Account", "referenceId": "ref1"}, "Name": "Acme",
         "Contacts": {"records": [
             {"attributes": {"type": "Contact", "referenceId": "ref2"}, "FirstName": "No Last"}
         ]}}
    ]});

    let reply = server
        .call("POST", "/composite/tree/Account", Some(&token), Some(body))
        .await;

    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body,
        json!({"hasErrors": true, "results": [{
            "referenceId": "ref2",
            "errors": [{
                "statusCode": "REQUIRED_FIELD_MISSING",
                "message": "Required fields are missing: [LastName]",
                "fields": ["LastName"]
            }]
        }]})
    );
    assert!(server.emulator.records("Account").is_empty());
}
