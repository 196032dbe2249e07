//! The port's reads against the Salesforce emulator: child relationship lists, parent fields,
//! reads by Id, finds by field value, describes, and configuration errors for names the org
//! does not have.

mod emulator;

use emulator::{Org, at, spec};
use serde_json::json;
use tandem_engine::{ErrorClass, FieldType, FieldValue, RecordPort};
use tandem_salesforce::SalesforceId;

const ORDER_LINK: &str = "NetSuite_Sales_Order_ID__c";
const ACCOUNT_LINK: &str = "NetSuite_Internal_ID__c";

fn number(value: Option<&FieldValue>) -> f64 {
    value.and_then(FieldValue::as_number).expect("a number")
}

#[tokio::test]
async fn changed_since_reads_child_lines() {
    let org = Org::start().await;
    let widget = org.price_book_entry("Widget", 10.0);
    let gadget = org.price_book_entry("Gadget", 20.0);
    let deal = org.opportunity("Deal", &[(&widget, 3.0), (&gadget, 1.0)], at(2, 9));
    let empty = org.opportunity("Empty", &[], at(2, 10));
    let spec = spec(
        "Opportunity",
        &[
            "Name",
            "OpportunityLineItems[].Quantity",
            "OpportunityLineItems[].Product2Id",
        ],
        ORDER_LINK,
    );

    let records = org.port.changed_since(&spec, at(2, 0)).await.unwrap();

    assert_eq!(records.len(), 2);
    let deal = records.iter().find(|record| record.id == deal).unwrap();
    let lines = deal.fields["OpportunityLineItems"].lines();
    assert_eq!(lines.len(), 2);
    let quantities: Vec<f64> = lines
        .iter()
        .map(|line| number(line.get("Quantity")))
        .collect();
    assert!(quantities.contains(&3.0), "{quantities:?}");
    assert!(quantities.contains(&1.0), "{quantities:?}");
    let keys: Vec<&str> = lines[0].keys().map(String::as_str).collect();
    assert_eq!(keys, ["Id", "Product2Id", "Quantity"]);
    assert!(lines[0]["Id"].as_text().unwrap().starts_with("00k"));
    let empty = records.iter().find(|record| record.id == empty).unwrap();
    assert_eq!(
        empty.fields["OpportunityLineItems"],
        FieldValue::List(vec![])
    );
    assert_eq!(org.requests("GET /query"), 1, "one query with a subquery");
}

#[tokio::test]
async fn changed_since_reads_parent_fields_as_scalars() {
    let org = Org::start().await;
    let account = org.insert(
        "Account",
        json!({"Name": "Acme", ACCOUNT_LINK: "NS-7"}),
        at(1, 9),
    );
    org.insert(
        "Contact",
        json!({"LastName": "Adams", "AccountId": account}),
        at(2, 9),
    );
    org.insert("Contact", json!({"LastName": "Loner"}), at(2, 10));
    let spec = spec(
        "Contact",
        &[
            "LastName",
            "Account.Name",
            "Account.NetSuite_Internal_ID__c",
        ],
        ACCOUNT_LINK,
    );

    let records = org.port.changed_since(&spec, at(2, 0)).await.unwrap();

    assert_eq!(records.len(), 2);
    assert_eq!(records[0].fields["Account.Name"], FieldValue::text("Acme"));
    assert_eq!(
        records[0].fields["Account.NetSuite_Internal_ID__c"],
        FieldValue::text("NS-7")
    );
    assert_eq!(records[1].fields["Account.Name"], FieldValue::Null);
}

#[tokio::test]
async fn read_takes_short_and_long_ids() {
    let org = Org::start().await;
    let first = org.insert("Account", json!({"Name": "First"}), at(1, 9));
    let second = org.insert("Account", json!({"Name": "Second"}), at(1, 9));
    org.insert("Account", json!({"Name": "Third"}), at(1, 9));
    let missing = SalesforceId::parse("001000000000999").unwrap().to_string();
    let ids = vec![
        first[..15].to_string(),
        second.clone(),
        missing,
        "not an Id".to_string(),
    ];

    let records = org
        .port
        .read(&spec("Account", &["Name"], ACCOUNT_LINK), &ids)
        .await
        .unwrap();

    let mut names: Vec<(&str, &str)> = records
        .iter()
        .map(|record| {
            let name = record.fields["Name"].as_text().unwrap();
            (record.id.as_str(), name)
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        [(first.as_str(), "First"), (second.as_str(), "Second")]
    );
}

#[tokio::test]
async fn read_splits_long_id_lists() {
    let org = Org::start().await;
    let known = org.insert("Account", json!({"Name": "Known"}), at(1, 9));
    let mut ids: Vec<String> = (0..700)
        .map(|n| {
            let short = format!("001{n:012}");
            SalesforceId::parse(&short).unwrap().to_string()
        })
        .collect();
    ids.push(known.clone());

    let records = org
        .port
        .read(&spec("Account", &["Name"], ACCOUNT_LINK), &ids)
        .await
        .unwrap();

    assert_eq!(records.len(), 1);
    assert_eq!(records[0].id, known);
    assert_eq!(org.requests("GET /query"), 2, "701 Ids take two queries");
}

#[tokio::test]
async fn find_escapes_text_values() {
    let org = Org::start().await;
    let quoted = org.insert("Account", json!({"Name": "O'Brien \\ Sons"}), at(1, 9));
    org.insert("Account", json!({"Name": "O"}), at(1, 9));
    let values = vec![
        "o'brien \\ sons".to_string(),
        "Nobody' OR Name != '".to_string(),
    ];

    let records = org
        .port
        .find(&spec("Account", &["Name"], ACCOUNT_LINK), "Name", &values)
        .await
        .unwrap();

    assert_eq!(records.len(), 1);
    assert_eq!(records[0].id, quoted);
}

#[tokio::test]
async fn find_writes_numbers_and_booleans_bare() {
    let org = Org::start().await;
    let on_hold = org.insert(
        "Account",
        json!({"Name": "Held", "Credit_Hold__c": true, "Credit_Limit__c": 5000.0}),
        at(1, 9),
    );
    org.insert(
        "Account",
        json!({"Name": "Free", "Credit_Hold__c": false, "Credit_Limit__c": 100.0}),
        at(1, 9),
    );
    let spec = spec("Account", &["Name", "Credit_Limit__c"], ACCOUNT_LINK);

    let by_flag = org
        .port
        .find(&spec, "Credit_Hold__c", &["TRUE".to_string()])
        .await
        .unwrap();
    let by_amount = org
        .port
        .find(
            &spec,
            "Credit_Limit__c",
            &["5000".to_string(), "abc".to_string()],
        )
        .await
        .unwrap();

    assert_eq!(by_flag.len(), 1);
    assert_eq!(by_flag[0].id, on_hold);
    assert_eq!(by_amount.len(), 1);
    assert_eq!(by_amount[0].id, on_hold);
    assert_eq!(
        org.requests("GET /sobjects/Account/describe"),
        1,
        "the describe is read once per object"
    );
}

#[tokio::test]
async fn find_follows_parent_path() {
    let org = Org::start().await;
    let account = org.insert(
        "Account",
        json!({"Name": "Acme", ACCOUNT_LINK: "NS-7"}),
        at(1, 9),
    );
    let contact = org.insert(
        "Contact",
        json!({"LastName": "Adams", "AccountId": account}),
        at(1, 9),
    );
    let spec = spec("Contact", &["LastName"], ACCOUNT_LINK);

    let records = org
        .port
        .find(
            &spec,
            "Account.NetSuite_Internal_ID__c",
            &["NS-7".to_string()],
        )
        .await
        .unwrap();

    assert_eq!(records.len(), 1);
    assert_eq!(records[0].id, contact);
}

#[tokio::test]
async fn describe_lists_fields_and_child_relationships() {
    let org = Org::start().await;

    let info = org.port.describe("Opportunity").await.unwrap();

    assert_eq!(info.name, "Opportunity");
    let field_type = |name: &str| info.field(name).unwrap().field_type.clone();
    assert_eq!(field_type("Amount"), FieldType::Number);
    assert_eq!(field_type("CloseDate"), FieldType::Date);
    assert_eq!(field_type("OpportunityLineItems"), FieldType::List);
    assert_eq!(
        field_type("AccountId"),
        FieldType::Reference(vec!["Account".into()])
    );
    let FieldType::Picklist(stages) = field_type("StageName") else {
        panic!("StageName is not a picklist");
    };
    assert!(stages.contains(&"Closed Won".to_string()), "{stages:?}");
    assert!(info.field(ORDER_LINK).unwrap().external_id);
}

#[tokio::test]
async fn describe_follows_relationship_path() {
    let org = Org::start().await;

    let lines = org
        .port
        .describe("Opportunity.OpportunityLineItems")
        .await
        .unwrap();
    let account = org.port.describe("Contact.Account").await.unwrap();

    assert_eq!(lines.name, "OpportunityLineItem");
    assert_eq!(
        lines.field("Quantity").unwrap().field_type,
        FieldType::Number
    );
    assert_eq!(account.name, "Account");
}

#[tokio::test]
async fn unknown_field_is_config_error() {
    let org = Org::start().await;
    let spec = spec("Account", &["Name", "Colour__c"], ACCOUNT_LINK);

    let error = org.port.changed_since(&spec, at(1, 0)).await.unwrap_err();

    assert_eq!(error.class, ErrorClass::Config);
    assert_eq!(error.code, "INVALID_FIELD");
    assert_eq!(error.fields, ["Colour__c"]);
    assert!(error.message.contains("Account"), "{}", error.message);
}

#[tokio::test]
async fn unknown_child_relationship_is_config_error() {
    let org = Org::start().await;
    let spec = spec("Opportunity", &["LineItems[].Quantity"], ORDER_LINK);

    let error = org.port.changed_since(&spec, at(1, 0)).await.unwrap_err();

    assert_eq!(error.class, ErrorClass::Config);
    assert!(error.message.contains("LineItems"), "{}", error.message);
    assert!(error.message.contains("Opportunity"), "{}", error.message);
}

#[tokio::test]
async fn unknown_object_is_config_error() {
    let org = Org::start().await;
    let spec = spec("Invoice__c", &["Name"], ACCOUNT_LINK);

    let read = org.port.changed_since(&spec, at(1, 0)).await.unwrap_err();
    let described = org.port.describe("Invoice__c").await.unwrap_err();

    assert_eq!(read.class, ErrorClass::Config);
    assert!(read.message.contains("Invoice__c"), "{}", read.message);
    assert_eq!(described.class, ErrorClass::Config);
    assert!(
        described.message.contains("Invoice__c"),
        "{}",
        described.message
    );
}

#[tokio::test]
async fn find_by_unknown_field_is_config_error() {
    let org = Org::start().await;
    let spec = spec("Account", &["Name"], ACCOUNT_LINK);

    let error = org
        .port
        .find(&spec, "Colour__c", &["red".to_string()])
        .await
        .unwrap_err();

    assert_eq!(error.class, ErrorClass::Config);
    assert!(
        error.message.contains("Account.Colour__c"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn changed_since_follows_paged_child_lines() {
    let org = Org::start().await;
    org.emulator.set_child_batch_size(2);
    let widget = org.price_book_entry("Widget", 10.0);
    let lines: Vec<(&str, f64)> = (1..=5).map(|n| (widget.as_str(), f64::from(n))).collect();
    let deal = org.opportunity("Deal", &lines, at(2, 9));
    let spec = spec(
        "Opportunity",
        &["Name", "OpportunityLineItems[].Quantity"],
        ORDER_LINK,
    );

    let records = org.port.changed_since(&spec, at(2, 0)).await.unwrap();

    let deal = records.iter().find(|record| record.id == deal).unwrap();
    let mut quantities: Vec<f64> = deal.fields["OpportunityLineItems"]
        .lines()
        .iter()
        .map(|line| number(line.get("Quantity")))
        .collect();
    quantities.sort_by(f64::total_cmp);
    assert_eq!(quantities, [1.0, 2.0, 3.0, 4.0, 5.0]);
}
