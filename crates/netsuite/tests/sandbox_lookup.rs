//! Reading by internal ID, finding by field value and describing, against the NetSuite
//! emulator.

mod sandbox;

use sandbox::{Sandbox, fields, object, text};
use tandem_engine::{ErrorClass, FieldType, RecordPort};

async fn three_customers(sandbox: &Sandbox) -> Vec<String> {
    let mut ids = Vec::new();
    for (link, name, email) in [
        ("001A", "Acme", "billing@acme.example"),
        ("001B", "Globex", "ap@globex.example"),
        ("001C", "Initech", "ar@initech.example"),
    ] {
        let customer = fields(&[("companyName", text(name)), ("email", text(email))]);
        ids.push(sandbox.created("customer", link, customer).await);
    }
    ids
}

fn sorted_names(records: &[tandem_engine::SourceRecord]) -> Vec<String> {
    let mut names: Vec<String> = records
        .iter()
        .map(|record| record.fields["companyName"].as_text().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn read_returns_existing_records_only() {
    let sandbox = Sandbox::start().await;
    let ids = three_customers(&sandbox).await;

    let customers = object("customer", &["companyName", "email"]);
    let wanted = [ids[0].clone(), "99999".to_string(), ids[2].clone()];
    let records = sandbox.port.read(&customers, &wanted).await.unwrap();

    assert_eq!(sorted_names(&records), ["Acme", "Initech"]);
    let acme = records.iter().find(|record| record.id == ids[0]).unwrap();
    assert_eq!(acme.link.as_deref(), Some("001A"));
    assert_eq!(acme.fields["email"], text("billing@acme.example"));
}

#[tokio::test]
async fn read_without_ids_sends_nothing() {
    let sandbox = Sandbox::start().await;
    let customers = object("customer", &["companyName"]);

    let records = sandbox.port.read(&customers, &[]).await.unwrap();

    assert!(records.is_empty());
    assert!(sandbox.emulator.operation_counts().is_empty());
}

#[tokio::test]
async fn find_by_email_matches_each_value() {
    let sandbox = Sandbox::start().await;
    three_customers(&sandbox).await;

    let customers = object("customer", &["companyName"]);
    let values = [
        "ap@globex.example".to_string(),
        "ar@initech.example".to_string(),
        "nobody@example.com".to_string(),
    ];
    let records = sandbox
        .port
        .find(&customers, "email", &values)
        .await
        .unwrap();

    assert_eq!(sorted_names(&records), ["Globex", "Initech"]);
}

#[tokio::test]
async fn find_by_external_id_uses_link() {
    let sandbox = Sandbox::start().await;
    three_customers(&sandbox).await;

    let customers = object("customer", &["companyName"]);
    let values = ["001B".to_string(), "001Z".to_string()];
    let records = sandbox
        .port
        .find(&customers, "externalId", &values)
        .await
        .unwrap();

    assert_eq!(sorted_names(&records), ["Globex"]);
}

#[tokio::test]
async fn find_by_internal_id_matches_any() {
    let sandbox = Sandbox::start().await;
    let ids = three_customers(&sandbox).await;

    let customers = object("customer", &["companyName"]);
    let values = [ids[0].clone(), ids[1].clone()];
    let records = sandbox
        .port
        .find(&customers, "internalId", &values)
        .await
        .unwrap();

    assert_eq!(sorted_names(&records), ["Acme", "Globex"]);
}

#[tokio::test]
async fn find_by_item_id_finds_items() {
    let sandbox = Sandbox::start().await;
    for item_id in ["BOLT", "NUT"] {
        let item = fields(&[("itemId", text(item_id))]);
        sandbox.created("inventoryItem", item_id, item).await;
    }

    let items = object("inventoryItem", &["itemId"]);
    let values = ["NUT".to_string()];
    let records = sandbox.port.find(&items, "itemId", &values).await.unwrap();

    assert_eq!(records.len(), 1);
    assert_eq!(records[0].fields["itemId"], text("NUT"));
}

#[tokio::test]
async fn find_by_unsearchable_field_is_config_error() {
    let sandbox = Sandbox::start().await;
    let customers = object("customer", &["companyName"]);

    let values = ["x".to_string()];
    let error = sandbox
        .port
        .find(&customers, "creditLimitX", &values)
        .await
        .unwrap_err();

    assert_eq!(error.class, ErrorClass::Config);
    assert!(error.message.contains("creditLimitX"), "{}", error.message);
    assert!(sandbox.emulator.operation_counts().is_empty());
}

#[tokio::test]
async fn describe_lists_schema_and_custom_fields() {
    let sandbox = Sandbox::start().await;

    let info = sandbox.port.describe("salesOrder").await.unwrap();

    assert_eq!(info.name, "salesOrder");
    assert_eq!(info.unlisted_prefix.as_deref(), Some("cust"));
    let quantity = info.field("itemList[].quantity").unwrap();
    assert_eq!(quantity.field_type, FieldType::Number);
    assert_eq!(info.field("itemList").unwrap().field_type, FieldType::List);
    assert!(info.field("externalId").unwrap().external_id);
    let custom = info.field("custbody_sf_opportunity_id").unwrap();
    assert_eq!(custom.field_type, FieldType::Text);
    let counts = sandbox.emulator.operation_counts();
    assert_eq!(counts.get("getCustomizationId"), Some(&1));
    assert_eq!(counts.get("getList"), Some(&1));
}

#[tokio::test]
async fn describe_lists_custom_fields_of_record_type() {
    let sandbox = Sandbox::start().await;

    let customer = sandbox.port.describe("customer").await.unwrap();
    let contact = sandbox.port.describe("contact").await.unwrap();

    let score = customer.field("custentity_credit_score").unwrap();
    assert_eq!(score.field_type, FieldType::Number);
    assert!(score.updateable);
    assert_eq!(
        customer.field("custentity_region").unwrap().field_type,
        FieldType::Text
    );
    assert!(customer.field("custentity_linkedin_url").is_none());
    assert!(contact.field("custentity_linkedin_url").is_some());
    assert!(contact.field("custentity_region").is_none());
}

#[tokio::test]
async fn describe_rejects_unsupported_record_type() {
    let sandbox = Sandbox::start().await;

    let error = sandbox.port.describe("vendorBill").await.unwrap_err();

    assert_eq!(error.class, ErrorClass::Config);
    assert!(error.message.contains("vendorBill"), "{}", error.message);
}

#[tokio::test]
async fn currencies_read_whole_with_iso_symbols() {
    let sandbox = Sandbox::start().await;
    let currencies = object("currency", &["name", "symbol", "isBaseCurrency"]);
    let since = chrono::Utc::now();

    let records = sandbox
        .port
        .changed_since(&currencies, since)
        .await
        .unwrap();

    let symbols: Vec<&str> = records
        .iter()
        .map(|record| record.fields["symbol"].as_text().unwrap())
        .collect();
    assert_eq!(symbols, ["USD", "GBP", "CAD", "EUR"]);
    assert_eq!(records[0].id, "1");
    assert_eq!(
        records[0].fields["isBaseCurrency"],
        tandem_engine::FieldValue::Bool(true)
    );
    assert_eq!(records[0].modified_at, chrono::DateTime::UNIX_EPOCH);
}

#[tokio::test]
async fn currencies_found_by_symbol_and_read_by_id() {
    let sandbox = Sandbox::start().await;
    let currencies = object("currency", &["symbol"]);

    let values = ["eur".to_string(), "XXX".to_string()];
    let found = sandbox
        .port
        .find(&currencies, "symbol", &values)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "4");

    let ids = ["2".to_string(), "9".to_string()];
    let read = sandbox.port.read(&currencies, &ids).await.unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].fields["symbol"], text("GBP"));
}

#[tokio::test]
async fn select_values_list_the_stored_currencies() {
    use tandem_netsuite::{SelectField, SelectFilterOperator};
    let sandbox = Sandbox::start().await;
    let mut field = SelectField {
        record_type: "customer".to_string(),
        sublist: None,
        field: "currency".to_string(),
        filter: None,
    };

    let all = sandbox.client.get_select_value(&field).await.unwrap();
    field.filter = Some((SelectFilterOperator::StartsWith, "eu".to_string()));
    let euro = sandbox.client.get_select_value(&field).await.unwrap();

    assert_eq!(all.len(), 4);
    assert_eq!(euro.len(), 1);
    assert_eq!(euro[0].name.as_deref(), Some("Euro"));
    assert!(euro[0].internal_id.is_some());
}

#[tokio::test]
async fn select_values_of_unknown_field_fail_naming_it() {
    use tandem_netsuite::SelectField;
    let sandbox = Sandbox::start().await;
    let field = SelectField {
        record_type: "salesOrder".to_string(),
        sublist: None,
        field: "shipMethod".to_string(),
        filter: None,
    };

    let error = sandbox.client.get_select_value(&field).await.unwrap_err();

    assert!(error.to_string().contains("shipMethod"), "{error}");
}
