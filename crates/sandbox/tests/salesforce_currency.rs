//! The multi-currency setting of the Salesforce emulator: `CurrencyIsoCode` on the objects,
//! its default and restricted values, and the currency rules of price books and
//! Opportunity products.

mod salesforce_support;

use salesforce_support::{Server, at, object};
use serde_json::{Value, json};

async fn create(server: &Server, token: &str, sobject: &str, body: Value) -> (u16, Value) {
    let reply = server
        .call(
            "POST",
            &format!("/sobjects/{sobject}"),
            Some(token),
            Some(body),
        )
        .await;
    (reply.status, reply.body)
}

async fn create_id(server: &Server, token: &str, sobject: &str, body: Value) -> String {
    let (status, body) = create(server, token, sobject, body).await;
    assert_eq!(status, 201, "{sobject}: {body}");
    body["id"].as_str().unwrap().to_string()
}

async fn standard_pricebook(server: &Server, token: &str) -> String {
    let reply = server
        .query(token, "SELECT Id FROM Pricebook2 WHERE IsStandard = true")
        .await;
    reply.body["records"][0]["Id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn single_currency_org_has_no_currency_field() {
    let server = Server::start().await;
    let token = server.login().await;
    let reply = server
        .query(&token, "SELECT CurrencyIsoCode FROM Account")
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "INVALID_FIELD");
}

#[tokio::test]
async fn enabling_currencies_gives_records_corporate_currency() {
    let server = Server::start().await;
    let before = server.insert_account(json!({"Name": "Before"}), at(1, 9));
    server
        .emulator
        .enable_multi_currency("USD", &["EUR"])
        .unwrap();
    let token = server.login().await;

    let euro = create_id(
        &server,
        &token,
        "Account",
        json!({"Name": "Euro", "CurrencyIsoCode": "EUR"}),
    )
    .await;
    let plain = create_id(&server, &token, "Account", json!({"Name": "Plain"})).await;
    let (status, body) = create(
        &server,
        &token,
        "Account",
        json!({"Name": "Yen", "CurrencyIsoCode": "JPY"}),
    )
    .await;

    let currency =
        |id: &str| server.emulator.record("Account", id).unwrap()["CurrencyIsoCode"].clone();
    assert_eq!(currency(&before), "USD");
    assert_eq!(currency(&euro), "EUR");
    assert_eq!(currency(&plain), "USD");
    assert_eq!(status, 400);
    assert_eq!(
        body[0]["errorCode"],
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    );
    let invoice = object(json!({"Name": "INV-1"}));
    let id = server
        .emulator
        .insert_record("NetSuite_Invoice__c", invoice, at(1, 10))
        .unwrap();
    assert_eq!(
        server.emulator.record("NetSuite_Invoice__c", &id).unwrap()["CurrencyIsoCode"],
        "USD"
    );
}

#[tokio::test]
async fn describe_lists_currency_picklist() {
    let server = Server::start().await;
    server
        .emulator
        .enable_multi_currency("EUR", &["USD", "GBP"])
        .unwrap();
    let token = server.login().await;
    let describe = server
        .call("GET", "/sobjects/Opportunity/describe", Some(&token), None)
        .await;
    let field = describe.body["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|field| field["name"] == "CurrencyIsoCode")
        .cloned()
        .unwrap();
    assert_eq!(field["type"], "picklist");
    assert_eq!(field["restrictedPicklist"], true);
    assert_eq!(field["defaultValue"], "EUR");
    let values: Vec<&str> = field["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| value["value"].as_str().unwrap())
        .collect();
    assert_eq!(values, ["EUR", "USD", "GBP"]);
}

#[tokio::test]
async fn enable_multi_currency_rejects_bad_code() {
    let server = Server::start().await;
    let error = server
        .emulator
        .enable_multi_currency("US", &[])
        .unwrap_err();
    assert_eq!(error.error_code, "INVALID_FIELD");
    let reply = server
        .client
        .put(format!("{}/__sandbox/currencies", server.url))
        .json(&json!({"corporate": "USD", "others": ["EUR"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 204);
}

#[tokio::test]
async fn line_item_needs_entry_in_opportunity_currency() {
    let server = Server::start().await;
    server
        .emulator
        .enable_multi_currency("USD", &["EUR"])
        .unwrap();
    let token = server.login().await;
    let standard = standard_pricebook(&server, &token).await;
    let product = create_id(&server, &token, "Product2", json!({"Name": "Widget"})).await;
    let usd_entry = create_id(
        &server,
        &token,
        "PricebookEntry",
        json!({"Pricebook2Id": standard, "Product2Id": product, "UnitPrice": 10, "IsActive": true}),
    )
    .await;
    let eur_entry = create_id(
        &server,
        &token,
        "PricebookEntry",
        json!({"Pricebook2Id": standard, "Product2Id": product, "UnitPrice": 9,
               "IsActive": true, "CurrencyIsoCode": "EUR"}),
    )
    .await;
    let opportunity = create_id(
        &server,
        &token,
        "Opportunity",
        json!({"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2024-06-30",
               "CurrencyIsoCode": "EUR", "Pricebook2Id": standard}),
    )
    .await;

    let (status, body) = create(
        &server,
        &token,
        "OpportunityLineItem",
        json!({"OpportunityId": opportunity, "PricebookEntryId": usd_entry, "Quantity": 1,
               "UnitPrice": 10}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body[0]["errorCode"], "FIELD_INTEGRITY_EXCEPTION");

    let line = create_id(
        &server,
        &token,
        "OpportunityLineItem",
        json!({"OpportunityId": opportunity, "PricebookEntryId": eur_entry, "Quantity": 2,
               "UnitPrice": 9}),
    )
    .await;
    let stored = server
        .emulator
        .record("OpportunityLineItem", &line)
        .unwrap();
    assert_eq!(stored["CurrencyIsoCode"], "EUR");
}
