//! sObject rows of the Salesforce emulator over HTTP: create, read, update, delete, upsert
//! and look-up by external ID, and the validation errors they return.

mod salesforce_support;

use salesforce_support::{Server, VERSION, assert_valid_id, at, key_order, object};
use serde_json::{Value, json};
use tandem_sandbox::salesforce::{Access, FieldDef, FieldType};

async fn create(server: &Server, token: &str, body: Value) -> salesforce_support::Reply {
    server
        .call("POST", "/sobjects/Account", Some(token), Some(body))
        .await
}

#[tokio::test]
async fn create_answers_201_with_id_and_location() {
    let server = Server::start().await;
    let token = server.login().await;
    let reply = create(
        &server,
        &token,
        json!({"Name": "Acme", "Phone": "555-0100"}),
    )
    .await;
    assert_eq!(reply.status, 201);
    let id = reply.body["id"].as_str().unwrap();
    assert_valid_id(id, "001");
    assert_eq!(reply.body, json!({"id": id, "success": true, "errors": []}));
    assert_eq!(
        reply.location,
        Some(format!("/services/data/{VERSION}/sobjects/Account/{id}"))
    );
    let record = server.emulator.record("Account", id).unwrap();
    assert_eq!(record["Name"], "Acme");
    assert_eq!(
        record["OwnerId"],
        json!(server.emulator.integration_user_id())
    );
    assert_eq!(
        record["LastModifiedById"],
        json!(server.emulator.integration_user_id())
    );
    assert_eq!(record["IsDeleted"], false);
}

#[tokio::test]
async fn read_returns_every_field_or_requested_ones() {
    let server = Server::start().await;
    let id = server.insert_account(json!({"Name": "Acme", "BillingCity": "Lyon"}), at(1, 9));
    let token = server.login().await;
    let full = server
        .call(
            "GET",
            &format!("/sobjects/Account/{id}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(full.status, 200);
    assert_eq!(full.body["BillingCity"], "Lyon");
    assert_eq!(full.body["Website"], Value::Null);
    assert_eq!(full.body["CreatedDate"], "2024-01-01T09:00:00.000+0000");
    assert_eq!(
        full.body["CreatedById"],
        json!(server.emulator.admin_user_id())
    );
    let some = server
        .call(
            "GET",
            &format!("/sobjects/Account/{id}?fields=Name,BillingCity"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        key_order(&some.text),
        vec!["attributes", "Name", "BillingCity", "Id"]
    );
}

#[tokio::test]
async fn read_accepts_15_character_id() {
    let server = Server::start().await;
    let id = server.insert_account(json!({"Name": "Acme"}), at(1, 9));
    let token = server.login().await;
    let reply = server
        .call(
            "GET",
            &format!("/sobjects/Account/{}", &id[..15]),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["Id"], json!(id));
}

#[tokio::test]
async fn read_unknown_id_answers_not_found() {
    let server = Server::start().await;
    let id = server.insert_account(json!({"Name": "Acme"}), at(1, 9));
    let token = server.login().await;
    let other = format!(
        "{}{}",
        &id[..14],
        if &id[14..15] == "1" { "2" } else { "1" }
    );
    let reply = server
        .call(
            "GET",
            &format!("/sobjects/Account/{other}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.body,
        json!([{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}])
    );
}

#[tokio::test]
async fn update_answers_204_and_stamps_record() {
    let server = Server::start().await;
    let id = server.insert_account(json!({"Name": "Acme", "Phone": "1"}), at(1, 9));
    let token = server.login().await;
    let reply = server
        .call(
            "PATCH",
            &format!("/sobjects/Account/{id}"),
            Some(&token),
            Some(json!({"Phone": null, "Website": "acme.example"})),
        )
        .await;
    assert_eq!(reply.status, 204);
    assert_eq!(reply.body, Value::Null);
    let record = server.emulator.record("Account", &id).unwrap();
    assert_eq!(record["Phone"], Value::Null);
    assert_eq!(record["Name"], "Acme");
    assert_eq!(record["Website"], "acme.example");
    assert_eq!(record["CreatedDate"], "2024-01-01T09:00:00.000+0000");
    assert_ne!(record["SystemModstamp"], "2024-01-01T09:00:00.000+0000");
    assert_eq!(record["SystemModstamp"], record["LastModifiedDate"]);
    assert_eq!(
        record["LastModifiedById"],
        json!(server.emulator.integration_user_id())
    );
}

#[tokio::test]
async fn delete_then_read_answers_entity_is_deleted() {
    let server = Server::start().await;
    let id = server.insert_account(json!({"Name": "Acme"}), at(1, 9));
    let token = server.login().await;
    let path = format!("/sobjects/Account/{id}");
    assert_eq!(
        server
            .call("DELETE", &path, Some(&token), None)
            .await
            .status,
        204
    );
    let reply = server.call("GET", &path, Some(&token), None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body[0]["errorCode"], "ENTITY_IS_DELETED");
    assert!(server.emulator.record("Account", &id).is_none());
}

#[tokio::test]
async fn create_rejects_long_phone() {
    let server = Server::start().await;
    let token = server.login().await;
    let phone = "5".repeat(41);
    let reply = create(&server, &token, json!({"Name": "Acme", "Phone": phone})).await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body,
        json!([{
            "message": format!("Account Phone: data value too large: {phone} (max length=40)"),
            "errorCode": "STRING_TOO_LONG",
            "fields": ["Phone"]
        }])
    );
}

#[tokio::test]
async fn create_rejects_missing_name() {
    let server = Server::start().await;
    let token = server.login().await;
    let reply = create(&server, &token, json!({"Phone": "1"})).await;
    assert_eq!(
        reply.body,
        json!([{"message": "Required fields are missing: [Name]", "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["Name"]}])
    );
}

#[tokio::test]
async fn create_rejects_duplicate_netsuite_id() {
    let server = Server::start().await;
    let first = server.insert_account(
        json!({"Name": "A", "NetSuite_Internal_ID__c": "ns-7"}),
        at(1, 9),
    );
    let token = server.login().await;
    let reply = create(
        &server,
        &token,
        json!({"Name": "B", "NetSuite_Internal_ID__c": "NS-7"}),
    )
    .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "DUPLICATE_VALUE");
    assert_eq!(
        reply.body[0]["message"],
        json!(format!(
            "duplicate value found: NetSuite_Internal_ID__c duplicates value on record with id: {}",
            &first[..15]
        ))
    );
}

#[tokio::test]
async fn create_rejects_unknown_and_read_only_fields() {
    let server = Server::start().await;
    let token = server.login().await;
    let unknown = create(&server, &token, json!({"Name": "A", "Foo": "x"})).await;
    assert_eq!(
        unknown.body,
        json!([{"message": "No such column 'Foo' on sobject of type Account", "errorCode": "INVALID_FIELD"}])
    );
    let read_only = create(
        &server,
        &token,
        json!({"Name": "A", "SystemModstamp": "2024-01-01T00:00:00Z"}),
    )
    .await;
    assert_eq!(
        read_only.body[0]["errorCode"],
        "INVALID_FIELD_FOR_INSERT_UPDATE"
    );
    assert_eq!(read_only.body[0]["fields"], json!(["SystemModstamp"]));
}

#[tokio::test]
async fn create_rejects_malformed_json_and_wrong_types() {
    let server = Server::start().await;
    let token = server.login().await;
    let response = server
        .client
        .post(format!(
            "{}/services/data/{VERSION}/sobjects/Account",
            server.url
        ))
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .body("{\"Name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body[0]["errorCode"], "JSON_PARSER_ERROR");
    let wrong_type = create(&server, &token, json!({"Name": {"first": "A"}})).await;
    assert_eq!(wrong_type.body[0]["errorCode"], "JSON_PARSER_ERROR");
    assert_eq!(
        wrong_type.body[0]["message"],
        "Cannot deserialize instance of string from START_OBJECT value [line:1, column:10]"
    );
    let number = create(&server, &token, json!({"Name": 42})).await;
    assert_eq!(
        number.status, 201,
        "a number is read as text, as Salesforce reads it"
    );
}

#[tokio::test]
async fn upsert_creates_then_updates() {
    let server = Server::start().await;
    let token = server.login().await;
    let path = "/sobjects/Account/NetSuite_Internal_ID__c/1042";
    let created = server
        .call("PATCH", path, Some(&token), Some(json!({"Name": "Acme"})))
        .await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap().to_string();
    assert_eq!(
        created.body,
        json!({"id": id, "success": true, "errors": [], "created": true})
    );
    let updated = server
        .call(
            "PATCH",
            "/sobjects/Account/netsuite_internal_id__c/1042",
            Some(&token),
            Some(json!({"Phone": "1"})),
        )
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(
        updated.body,
        json!({"id": id, "success": true, "errors": [], "created": false})
    );
    let record = server.emulator.record("Account", &id).unwrap();
    assert_eq!(record["NetSuite_Internal_ID__c"], "1042");
    assert_eq!(record["Phone"], "1");
}

#[tokio::test]
async fn upsert_before_v46_answers_204_for_update() {
    let server = Server::start().await;
    server.insert_account(
        json!({"Name": "Acme", "NetSuite_Internal_ID__c": "9"}),
        at(1, 9),
    );
    let token = server.login().await;
    let reply = server
        .call_raw(
            "PATCH",
            "/services/data/v45.0/sobjects/Account/NetSuite_Internal_ID__c/9",
            Some(&token),
            Some(json!({"Phone": "2"})),
            &[],
        )
        .await;
    assert_eq!(reply.status, 204);
}

#[tokio::test]
async fn upsert_with_several_matches_answers_300() {
    let server = Server::start().await;
    let field = FieldDef::new(
        "Legacy_Key__c",
        "Legacy Key",
        FieldType::String,
        80,
        Access::Optional,
    )
    .external_id(false);
    server.emulator.add_field("Account", field).unwrap();
    let first = server.insert_account(json!({"Name": "A", "Legacy_Key__c": "K-1"}), at(1, 9));
    let second = server.insert_account(json!({"Name": "B", "Legacy_Key__c": "k-1"}), at(1, 10));
    let token = server.login().await;
    let reply = server
        .call(
            "PATCH",
            "/sobjects/Account/Legacy_Key__c/K-1",
            Some(&token),
            Some(json!({"Phone": "1"})),
        )
        .await;
    assert_eq!(reply.status, 300);
    assert_eq!(
        reply.body,
        json!([
            format!("/services/data/{VERSION}/sobjects/Account/{first}"),
            format!("/services/data/{VERSION}/sobjects/Account/{second}"),
        ])
    );
    assert_eq!(
        server.emulator.record("Account", &first).unwrap()["Phone"],
        Value::Null
    );
}

#[tokio::test]
async fn upsert_rejects_field_that_is_no_external_id() {
    let server = Server::start().await;
    let token = server.login().await;
    let reply = server
        .call(
            "PATCH",
            "/sobjects/Account/Phone/1",
            Some(&token),
            Some(json!({"Name": "A"})),
        )
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.body,
        json!([{"message": "Provided external ID field does not exist or is not accessible: Phone", "errorCode": "NOT_FOUND"}])
    );
}

#[tokio::test]
async fn upsert_rejects_key_in_body() {
    let server = Server::start().await;
    let token = server.login().await;
    let reply = server
        .call(
            "PATCH",
            "/sobjects/Account/NetSuite_Internal_ID__c/5",
            Some(&token),
            Some(json!({"Name": "A", "NetSuite_Internal_ID__c": "5"})),
        )
        .await;
    assert_eq!(reply.status, 400);
    let with_id = server
        .call(
            "PATCH",
            "/sobjects/Account/NetSuite_Internal_ID__c/5",
            Some(&token),
            Some(json!({"Name": "A", "Id": "x"})),
        )
        .await;
    assert_eq!(with_id.status, 400);
    assert!(server.emulator.records("Account").is_empty());
}

#[tokio::test]
async fn read_by_external_id_ignores_case() {
    let server = Server::start().await;
    let id = server.insert_account(
        json!({"Name": "Acme", "NetSuite_Internal_ID__c": "AbC"}),
        at(1, 9),
    );
    let token = server.login().await;
    let found = server
        .call(
            "GET",
            "/sobjects/Account/NetSuite_Internal_ID__c/abc",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(found.status, 200);
    assert_eq!(found.body["Id"], json!(id));
    let missing = server
        .call(
            "GET",
            "/sobjects/Account/NetSuite_Internal_ID__c/zzz",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn edit_record_bumps_modstamp_as_admin() {
    let server = Server::start().await;
    let id = server.insert_account(json!({"Name": "Acme"}), at(1, 9));
    server
        .emulator
        .edit_record("Account", &id, object(json!({"BillingCity": "Oslo"})))
        .unwrap();
    let record = server.emulator.record("Account", &id).unwrap();
    assert_eq!(record["BillingCity"], "Oslo");
    assert_eq!(
        record["LastModifiedById"],
        json!(server.emulator.admin_user_id())
    );
    assert!(record["SystemModstamp"].as_str().unwrap() > "2024-01-02");
    let error = server
        .emulator
        .edit_record(
            "Account",
            &id,
            object(json!({"BillingCity": "x".repeat(41)})),
        )
        .unwrap_err();
    assert_eq!(error.error_code, "STRING_TOO_LONG");
}
