//! sObject Collections of the Salesforce emulator over HTTP: creates and updates of up to
//! 200 records, partial failures and all-or-none rollback.

mod salesforce_support;

use salesforce_support::{Server, assert_valid_id, at};
use serde_json::{Value, json};

fn account(name: &str) -> Value {
    json!({"attributes": {"type": "Account"}, "Name": name})
}

#[tokio::test]
async fn create_reports_one_bad_record_among_good_ones() {
    let server = Server::start().await;
    let token = server.login().await;
    let records =
        json!([account("A"), {"attributes": {"type": "Account"}, "Phone": "1"}, account("C")]);
    let reply = server
        .call(
            "POST",
            "/composite/sobjects",
            Some(&token),
            Some(json!({"allOrNone": false, "records": records})),
        )
        .await;

    assert_eq!(reply.status, 200);
    let results = reply.body.as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0]["success"], true);
    assert_valid_id(results[0]["id"].as_str().unwrap(), "001");
    assert_eq!(
        results[1],
        json!({
            "success": false,
            "errors": [{"statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [Name]", "fields": ["Name"]}]
        })
    );
    assert_eq!(results[2]["success"], true);

    let names: Vec<Value> = server
        .emulator
        .records("Account")
        .iter()
        .map(|record| record["Name"].clone())
        .collect();
    assert_eq!(names, vec![json!("A"), json!("C")]);
}

#[tokio::test]
async fn create_with_all_or_none_rolls_back() {
    let server = Server::start().await;
    let token = server.login().await;
    let long = "x".repeat(256);
    let records = json!([account("A"), account(&long)]);
    let reply = server
        .call(
            "POST",
            "/composite/sobjects",
            Some(&token),
            Some(json!({"allOrNone": true, "records": records})),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.body[0],
        json!({
            "success": false,
            "errors": [{
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
                "fields": []
            }]
        })
    );
    assert_eq!(reply.body[1]["errors"][0]["statusCode"], "STRING_TOO_LONG");
    assert!(server.emulator.records("Account").is_empty());
}

#[tokio::test]
async fn update_reports_bad_records_by_position() {
    let server = Server::start().await;
    let first = server.insert_account(json!({"Name": "A"}), at(1, 9));
    let second = server.insert_account(json!({"Name": "B"}), at(1, 9));
    let token = server.login().await;
    let records = json!([
        {"attributes": {"type": "Account"}, "id": first, "Phone": "1"},
        {"attributes": {"type": "Account"}, "Id": "003000000000001AAA", "Phone": "2"},
        {"attributes": {"type": "Account"}, "Id": second, "Name": null},
    ]);
    let reply = server
        .call(
            "PATCH",
            "/composite/sobjects",
            Some(&token),
            Some(json!({"records": records})),
        )
        .await;

    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.body[0],
        json!({"id": first, "success": true, "errors": []})
    );
    assert_eq!(
        reply.body[1],
        json!({
            "success": false,
            "errors": [{"statusCode": "MALFORMED_ID", "message": "Account ID: id value of incorrect type: 003000000000001AAA", "fields": ["Id"]}]
        })
    );
    assert_eq!(
        reply.body[2]["errors"][0]["statusCode"],
        "REQUIRED_FIELD_MISSING"
    );

    assert_eq!(
        server.emulator.record("Account", &first).unwrap()["Phone"],
        "1"
    );
    assert_eq!(
        server.emulator.record("Account", &second).unwrap()["Name"],
        "B"
    );
}

#[tokio::test]
async fn update_with_all_or_none_restores_records() {
    let server = Server::start().await;
    let first = server.insert_account(json!({"Name": "A", "Phone": "0"}), at(1, 9));
    let token = server.login().await;
    let records = json!([
        {"attributes": {"type": "Account"}, "Id": first, "Phone": "1"},
        {"attributes": {"type": "Account"}, "Id": "001000000000009AAA", "Phone": "2"},
    ]);
    let reply = server
        .call(
            "PATCH",
            "/composite/sobjects",
            Some(&token),
            Some(json!({"allOrNone": true, "records": records})),
        )
        .await;
    assert_eq!(reply.body[0]["id"], json!(first));
    assert_eq!(
        reply.body[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(
        reply.body[1]["errors"][0]["statusCode"],
        "INVALID_CROSS_REFERENCE_KEY"
    );
    let record = server.emulator.record("Account", &first).unwrap();
    assert_eq!(record["Phone"], "0");
    assert_eq!(record["SystemModstamp"], "2024-01-01T09:00:00.000+0000");
}

#[tokio::test]
async fn create_rejects_more_than_200_records() {
    let server = Server::start().await;
    let token = server.login().await;
    let records: Vec<Value> = (0..201)
        .map(|index| account(&format!("A{index}")))
        .collect();
    let reply = server
        .call(
            "POST",
            "/composite/sobjects",
            Some(&token),
            Some(json!({"records": records})),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body,
        json!([{"message": "record limit reached. cannot submit more than 200 records into this call", "errorCode": "EXCEEDED_ID_LIMIT"}])
    );
    assert!(server.emulator.records("Account").is_empty());
}

#[tokio::test]
async fn create_accepts_exactly_200_records() {
    let server = Server::start().await;
    let token = server.login().await;
    let records: Vec<Value> = (0..200)
        .map(|index| account(&format!("A{index}")))
        .collect();
    let reply = server
        .call(
            "POST",
            "/composite/sobjects",
            Some(&token),
            Some(json!({"records": records})),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(server.emulator.records("Account").len(), 200);
}

#[tokio::test]
async fn create_rejects_record_without_type() {
    let server = Server::start().await;
    let token = server.login().await;
    let reply = server
        .call(
            "POST",
            "/composite/sobjects",
            Some(&token),
            Some(json!({"records": [{"Name": "A"}]})),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "INVALID_TYPE");
}

#[tokio::test]
async fn create_rejects_id_in_insert() {
    let server = Server::start().await;
    let token = server.login().await;
    let records =
        json!([{"attributes": {"type": "Account"}, "Id": "001000000000001AAA", "Name": "A"}]);
    let reply = server
        .call(
            "POST",
            "/composite/sobjects",
            Some(&token),
            Some(json!({"records": records})),
        )
        .await;
    assert_eq!(
        reply.body[0]["errors"][0],
        json!({
            "statusCode": "INVALID_FIELD_FOR_INSERT_UPDATE",
            "message": "cannot specify Id in an insert call",
            "fields": ["Id"]
        })
    );
}

#[tokio::test]
async fn update_rejects_record_without_id() {
    let server = Server::start().await;
    let token = server.login().await;
    let records = json!([account("A")]);
    let reply = server
        .call(
            "PATCH",
            "/composite/sobjects",
            Some(&token),
            Some(json!({"records": records})),
        )
        .await;
    assert_eq!(reply.body[0]["errors"][0]["statusCode"], "MISSING_ARGUMENT");
}
