//! The standard objects beyond Account, Tandem's custom schema and the rules a real org
//! applies on save, tested over HTTP.

mod salesforce_support;

use salesforce_support::Server;
use serde_json::{Value, json};

async fn create(
    server: &Server,
    token: &str,
    object: &str,
    body: Value,
) -> salesforce_support::Reply {
    server
        .call(
            "POST",
            &format!("/sobjects/{object}"),
            Some(token),
            Some(body),
        )
        .await
}

async fn create_id(server: &Server, token: &str, object: &str, body: Value) -> String {
    let reply = create(server, token, object, body).await;
    assert_eq!(reply.status, 201, "{object}: {}", reply.body);
    reply.body["id"].as_str().unwrap().to_string()
}

async fn standard_pricebook(server: &Server, token: &str) -> String {
    let reply = server
        .query(token, "SELECT Id FROM Pricebook2 WHERE IsStandard = true")
        .await;
    assert_eq!(reply.body["totalSize"], 1, "{}", reply.body);
    reply.body["records"][0]["Id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn opportunity_stage_sets_won_closed_and_probability() {
    let server = Server::start().await;
    let token = server.login().await;
    let body = json!({"Name": "Deal", "StageName": "Closed Won", "CloseDate": "2024-06-30"});
    let id = create_id(&server, &token, "Opportunity", body).await;
    let record = server.emulator.record("Opportunity", &id).unwrap();
    assert_eq!(record["IsWon"], true);
    assert_eq!(record["IsClosed"], true);
    assert_eq!(record["Probability"], 100.0);
    assert_eq!(id.get(..3), Some("006"));
}

#[tokio::test]
async fn opportunity_rejects_unknown_stage_and_read_only_is_won() {
    let server = Server::start().await;
    let token = server.login().await;
    let body = json!({"Name": "Deal", "StageName": "Won-ish", "CloseDate": "2024-06-30"});
    let reply = create(&server, &token, "Opportunity", body).await;
    assert_eq!(
        reply.body[0]["errorCode"],
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    );
    let body = json!({"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2024-06-30", "IsWon": true});
    let reply = create(&server, &token, "Opportunity", body).await;
    assert_eq!(
        reply.body[0]["errorCode"],
        "INVALID_FIELD_FOR_INSERT_UPDATE"
    );
}

#[tokio::test]
async fn custom_price_needs_standard_price_first() {
    let server = Server::start().await;
    let token = server.login().await;
    let standard = standard_pricebook(&server, &token).await;
    let product = create_id(
        &server,
        &token,
        "Product2",
        json!({"Name": "Widget", "IsActive": true}),
    )
    .await;
    let custom = create_id(
        &server,
        &token,
        "Pricebook2",
        json!({"Name": "Partners", "IsActive": true}),
    )
    .await;

    let entry =
        json!({"Pricebook2Id": custom, "Product2Id": product, "UnitPrice": 8, "IsActive": true});
    let reply = create(&server, &token, "PricebookEntry", entry.clone()).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "STANDARD_PRICE_NOT_DEFINED");

    let standard_entry =
        json!({"Pricebook2Id": standard, "Product2Id": product, "UnitPrice": 10, "IsActive": true});
    create_id(&server, &token, "PricebookEntry", standard_entry.clone()).await;
    create_id(&server, &token, "PricebookEntry", entry).await;
    let reply = create(&server, &token, "PricebookEntry", standard_entry).await;
    assert_eq!(reply.body[0]["errorCode"], "DUPLICATE_VALUE");
}

#[tokio::test]
async fn line_items_price_from_entry_and_roll_up_amount() {
    let server = Server::start().await;
    let token = server.login().await;
    let standard = standard_pricebook(&server, &token).await;
    let product = create_id(&server, &token, "Product2", json!({"Name": "Widget"})).await;
    let entry = create_id(
        &server,
        &token,
        "PricebookEntry",
        json!({"Pricebook2Id": standard, "Product2Id": product, "UnitPrice": 10, "IsActive": true}),
    )
    .await;
    let opportunity = create_id(
        &server,
        &token,
        "Opportunity",
        json!({"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2024-06-30"}),
    )
    .await;

    let line = json!({"OpportunityId": opportunity, "PricebookEntryId": entry, "Quantity": 3, "UnitPrice": 9});
    let line_id = create_id(&server, &token, "OpportunityLineItem", line).await;
    let stored = server
        .emulator
        .record("OpportunityLineItem", &line_id)
        .unwrap();
    assert_eq!(stored["Product2Id"], product.as_str());
    assert_eq!(stored["ListPrice"], 10.0);
    assert_eq!(stored["TotalPrice"], 27.0);
    let deal = server.emulator.record("Opportunity", &opportunity).unwrap();
    assert_eq!(deal["Amount"], 27.0);
    assert_eq!(deal["Pricebook2Id"], standard.as_str());

    let both = json!({"OpportunityId": opportunity, "PricebookEntryId": entry, "Quantity": 1, "UnitPrice": 9, "TotalPrice": 9});
    let reply = create(&server, &token, "OpportunityLineItem", both).await;
    assert_eq!(reply.body[0]["errorCode"], "FIELD_INTEGRITY_EXCEPTION");
}

#[tokio::test]
async fn line_item_entry_cannot_change_on_update() {
    let server = Server::start().await;
    let token = server.login().await;
    let standard = standard_pricebook(&server, &token).await;
    let product = create_id(&server, &token, "Product2", json!({"Name": "Widget"})).await;
    let entry = create_id(
        &server,
        &token,
        "PricebookEntry",
        json!({"Pricebook2Id": standard, "Product2Id": product, "UnitPrice": 10, "IsActive": true}),
    )
    .await;
    let reply = server
        .call(
            "PATCH",
            &format!("/sobjects/PricebookEntry/{entry}"),
            Some(&token),
            Some(json!({"Product2Id": product})),
        )
        .await;
    assert_eq!(
        reply.body[0]["errorCode"],
        "INVALID_FIELD_FOR_INSERT_UPDATE"
    );
}

#[tokio::test]
async fn contact_lookup_must_exist_and_name_is_derived() {
    let server = Server::start().await;
    let token = server.login().await;
    let missing = json!({"LastName": "Lovelace", "AccountId": "001000000000001AAA"});
    let reply = create(&server, &token, "Contact", missing).await;
    assert_eq!(reply.body[0]["errorCode"], "INVALID_CROSS_REFERENCE_KEY");
    let account = create_id(&server, &token, "Account", json!({"Name": "Analytical"})).await;
    let contact = json!({"FirstName": "Ada", "LastName": "Lovelace", "AccountId": account});
    let id = create_id(&server, &token, "Contact", contact).await;
    assert_eq!(
        server.emulator.record("Contact", &id).unwrap()["Name"],
        "Ada Lovelace"
    );
}

#[tokio::test]
async fn task_gets_picklist_defaults() {
    let server = Server::start().await;
    let token = server.login().await;
    let account = create_id(&server, &token, "Account", json!({"Name": "Acme"})).await;
    let id = create_id(
        &server,
        &token,
        "Task",
        json!({"Subject": "Credit hold", "WhatId": account}),
    )
    .await;
    let task = server.emulator.record("Task", &id).unwrap();
    assert_eq!(task["Status"], "Not Started");
    assert_eq!(task["Priority"], "Normal");
    assert_eq!(id.get(..3), Some("00T"));
}

#[tokio::test]
async fn invoice_custom_object_upserts_by_netsuite_id() {
    let server = Server::start().await;
    let token = server.login().await;
    let account = create_id(&server, &token, "Account", json!({"Name": "Acme"})).await;
    let body = json!({
        "Name": "INV-1",
        "Account__c": account,
        "Amount__c": 120.5,
        "Amount_Remaining__c": 20.5,
        "Status__c": "Open",
        "Due_Date__c": "2024-02-01",
        "Transaction_Date__c": "2024-01-02"
    });
    let reply = server
        .call(
            "PATCH",
            "/sobjects/NetSuite_Invoice__c/NetSuite_Internal_ID__c/9001",
            Some(&token),
            Some(body),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    let reply = server
        .call(
            "PATCH",
            "/sobjects/NetSuite_Invoice__c/NetSuite_Internal_ID__c/9001",
            Some(&token),
            Some(json!({"Status__c": "Paid"})),
        )
        .await;
    assert_eq!(
        reply.body[0]["errorCode"],
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    );
    let describe = server
        .call(
            "GET",
            "/sobjects/NetSuite_Invoice__c/describe",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(describe.body["custom"], true);
    assert_eq!(describe.body["keyPrefix"], "a0I");
    let account_describe = server
        .call("GET", "/sobjects/Account/describe", Some(&token), None)
        .await;
    let children: Vec<&str> = account_describe.body["childRelationships"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|child| child["relationshipName"].as_str())
        .collect();
    assert!(children.contains(&"NetSuite_Invoices__r"), "{children:?}");
    assert!(children.contains(&"Contacts"), "{children:?}");
}

#[tokio::test]
async fn load_schema_adds_custom_field_to_describe() {
    let server = Server::start().await;
    server
        .emulator
        .load_schema(r#"{"fields":{"Contact":[{"name":"Shoe_Size__c","label":"Shoe Size","type":"double"}]}}"#)
        .unwrap();
    let token = server.login().await;
    let describe = server
        .call("GET", "/sobjects/Contact/describe", Some(&token), None)
        .await;
    let field = describe.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|field| field["name"] == "Shoe_Size__c")
        .cloned()
        .unwrap();
    assert_eq!(field["type"], "double");
    assert_eq!(field["custom"], true);
}

#[tokio::test]
async fn describe_global_lists_every_object_with_key_prefix() {
    let server = Server::start().await;
    let token = server.login().await;
    let reply = server.call("GET", "/sobjects/", Some(&token), None).await;
    let objects: Vec<(String, String)> = reply.body["sobjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|object| {
            (
                object["name"].as_str().unwrap().to_string(),
                object["keyPrefix"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for (name, prefix) in [
        ("Account", "001"),
        ("Contact", "003"),
        ("Opportunity", "006"),
        ("OpportunityLineItem", "00k"),
        ("Product2", "01t"),
        ("Pricebook2", "01s"),
        ("PricebookEntry", "01u"),
        ("Task", "00T"),
        ("User", "005"),
        ("NetSuite_Invoice__c", "a0I"),
    ] {
        assert!(
            objects.contains(&(name.to_string(), prefix.to_string())),
            "{name}"
        );
    }
}
