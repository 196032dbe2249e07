//! The port's writes against the Salesforce emulator: creates as one collection upsert on the
//! link field, inserts of objects without an external ID as one collection create, and the
//! per-record errors of both.

mod emulator;

use emulator::{Org, at, spec};
use serde_json::json;
use tandem_engine::{ErrorClass, FieldValue, Fields, NewRecord, RecordPort};

const ACCOUNT_LINK: &str = "NetSuite_Internal_ID__c";

fn fields(entries: &[(&str, FieldValue)]) -> Fields {
    entries
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect()
}

fn new_account(link: &str, name: &str) -> NewRecord {
    NewRecord {
        link: link.into(),
        fields: fields(&[("Name", FieldValue::text(name))]),
    }
}

#[tokio::test]
async fn create_upserts_in_one_collection_call() {
    let org = Org::start().await;
    let existing = org.insert(
        "Account",
        json!({"Name": "Old name", ACCOUNT_LINK: "NS-1"}),
        at(1, 9),
    );
    let records = vec![
        new_account("NS-1", "New name"),
        new_account("NS-2", "Second"),
        NewRecord {
            link: "NS-3".into(),
            fields: fields(&[("Phone", FieldValue::text("555-0100"))]),
        },
    ];
    let spec = spec("Account", &["Name"], ACCOUNT_LINK);

    let results = org.port.create(&spec, records).await.unwrap();

    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap().id, existing);
    assert_eq!(org.record("Account", &existing)["Name"], "New name");
    let second = &results[1].as_ref().unwrap().id;
    assert_eq!(org.record("Account", second)[ACCOUNT_LINK], "NS-2");
    let missing_name = results[2].as_ref().unwrap_err();
    assert_eq!(missing_name.code, "REQUIRED_FIELD_MISSING");
    assert_eq!(missing_name.class, ErrorClass::Data);
    let route = "PATCH /composite/sobjects/Account/{field}";
    assert_eq!(
        org.requests(route),
        1,
        "{:?}",
        org.emulator.request_counts()
    );
}

#[tokio::test]
async fn create_twice_updates_same_record() {
    let org = Org::start().await;
    let spec = spec("Account", &["Name"], ACCOUNT_LINK);

    let first = org
        .port
        .create(&spec, vec![new_account("NS-9", "Acme")])
        .await
        .unwrap();
    let again = org
        .port
        .create(&spec, vec![new_account("NS-9", "Acme Inc")])
        .await
        .unwrap();

    let id = &first[0].as_ref().unwrap().id;
    assert_eq!(&again[0].as_ref().unwrap().id, id);
    assert_eq!(org.emulator.records("Account").len(), 1);
    assert_eq!(org.record("Account", id)["Name"], "Acme Inc");
}

#[tokio::test]
async fn insert_creates_tasks_in_one_call() {
    let org = Org::start().await;
    let account = org.insert("Account", json!({"Name": "Acme"}), at(1, 9));
    let tasks = vec![
        fields(&[
            ("Subject", FieldValue::text("Call about credit hold")),
            ("WhatId", FieldValue::text(account.as_str())),
        ]),
        fields(&[
            ("Subject", FieldValue::text("Bad")),
            ("Id", FieldValue::text("x")),
        ]),
        fields(&[
            ("Subject", FieldValue::text("Follow up")),
            ("Priority", FieldValue::text("Urgent")),
        ]),
    ];
    let spec = spec("Task", &["Subject"], "");

    let results = org.port.insert(&spec, tasks).await.unwrap();

    assert_eq!(results.len(), 3);
    let task = &results[0].as_ref().unwrap().id;
    assert!(task.starts_with("00T"), "{task}");
    let stored = org.record("Task", task);
    assert_eq!(stored["Subject"], "Call about credit hold");
    assert_eq!(stored["WhatId"], account.as_str());
    assert_eq!(results[1].as_ref().unwrap_err().code, "INVALID_REQUEST");
    let picklist = results[2].as_ref().unwrap_err();
    assert_eq!(picklist.code, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
    assert_eq!(org.emulator.records("Task").len(), 1);
    assert_eq!(org.requests("POST /composite/sobjects"), 1);
}

#[tokio::test]
async fn insert_of_unknown_field_fails_that_record() {
    let org = Org::start().await;
    let tasks = vec![
        fields(&[("Colour__c", FieldValue::text("red"))]),
        fields(&[("Subject", FieldValue::text("Fine"))]),
    ];

    let results = org
        .port
        .insert(&spec("Task", &[], ""), tasks)
        .await
        .unwrap();

    let error = results[0].as_ref().unwrap_err();
    assert_eq!(error.code, "INVALID_FIELD");
    assert_eq!(error.class, ErrorClass::Config);
    assert!(results[1].is_ok());
}
