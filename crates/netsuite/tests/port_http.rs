//! The engine port against a fake SuiteTalk endpoint on 127.0.0.1.

mod support;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use support::{FakeNetSuite, Reply, concurrency_fault, customer, search_page, write_list_response};
use tandem_engine::{
    ErrorClass, FieldValue, Fields, NewRecord, ObjectSpec, RecordPort, RecordUpdate, System,
};
use tandem_netsuite::NetSuitePort;

const TIMEOUT: Duration = Duration::from_secs(10);

fn customers(fields: &[&str]) -> ObjectSpec {
    ObjectSpec {
        name: "customer".to_string(),
        fields: fields.iter().map(|field| field.to_string()).collect(),
        link_field: "externalId".to_string(),
    }
}

fn fields(entries: &[(&str, FieldValue)]) -> Fields {
    entries
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect()
}

#[tokio::test]
async fn changed_since_reads_typed_customers_from_all_pages() {
    let first = [customer("11", "Alpha", "2025-03-01T02:00:00.000-08:00")];
    let second = [customer("12", "Beta", "2025-07-01T09:30:00.000-07:00")];
    let server = FakeNetSuite::start(vec![
        Reply::ok(search_page("search", 2, 2, 1, Some(&first))),
        Reply::ok(search_page("searchMoreWithId", 2, 2, 2, Some(&second))),
    ])
    .await;
    let port = NetSuitePort::new(server.client(TIMEOUT));
    let since = Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap();
    let object = customers(&[
        "companyName",
        "isInactive",
        "creditLimit",
        "subsidiary",
        "custentity_vip",
        "email",
    ]);
    let records = port.changed_since(&object, since).await.unwrap();

    assert_eq!(port.system(), System::NetSuite);
    assert_eq!(records.len(), 2);
    let alpha = &records[0];
    assert_eq!(alpha.id, "11");
    assert_eq!(alpha.link.as_deref(), Some("SF-11"));
    assert_eq!(
        alpha.modified_at,
        Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap()
    );
    assert_eq!(
        alpha.fields["companyName"],
        FieldValue::Text("Alpha".to_string())
    );
    assert_eq!(alpha.fields["isInactive"], FieldValue::Bool(false));
    assert_eq!(alpha.fields["creditLimit"], FieldValue::Number(1000.0));
    assert_eq!(
        alpha.fields["subsidiary"],
        FieldValue::Text("1".to_string())
    );
    assert_eq!(alpha.fields["custentity_vip"], FieldValue::Bool(true));
    assert_eq!(alpha.fields["email"], FieldValue::Null);
    assert_eq!(
        records[1].modified_at,
        Utc.with_ymd_and_hms(2025, 7, 1, 16, 30, 0).unwrap()
    );

    let search = &server.requests()[0];
    assert!(
        search.body.contains(concat!(
            r#"<platformCommon:lastModifiedDate operator="onOrAfter">"#,
            "<platformCore:searchValue>2025-03-01T10:00:00.000Z</platformCore:searchValue>"
        )),
        "{}",
        search.body
    );
    assert_eq!(
        search.element_text("bodyFieldsOnly").as_deref(),
        Some("true")
    );
    assert_eq!(search.element_text("pageSize").as_deref(), Some("50"));
}

#[tokio::test]
async fn changed_since_rejects_unsupported_record_type() {
    let server = FakeNetSuite::start(vec![]).await;
    let port = NetSuitePort::new(server.client(TIMEOUT));
    let mut object = customers(&["tranId"]);
    object.name = "vendorBill".to_string();
    let error = port.changed_since(&object, Utc::now()).await.unwrap_err();
    assert_eq!(error.class, ErrorClass::Config);
    assert!(
        error.message.contains("supported: customer"),
        "{}",
        error.message
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn create_keeps_record_errors() {
    let server = FakeNetSuite::start(vec![Reply::ok(write_list_response(
        "upsertList",
        &[
            Ok(("501", "001A")),
            Err(("USER_ERROR", "Please enter value(s) for: Subsidiary")),
        ],
    ))])
    .await;
    let port = NetSuitePort::new(server.client(TIMEOUT));
    let records = vec![
        NewRecord {
            link: "001A".to_string(),
            fields: fields(&[
                ("companyName", FieldValue::Text("Acme".to_string())),
                ("custentity_vip", FieldValue::Bool(true)),
            ]),
        },
        NewRecord {
            link: "001B".to_string(),
            fields: fields(&[("companyName", FieldValue::Text("Beta".to_string()))]),
        },
    ];
    let results = port.create(&customers(&[]), records).await.unwrap();

    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().id, "501");
    let rejected = results[1].as_ref().unwrap_err();
    assert_eq!(rejected.code, "USER_ERROR");
    assert_eq!(rejected.class, ErrorClass::Data);
    assert_eq!(rejected.message, "Please enter value(s) for: Subsidiary");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].header("soapaction"), Some("\"upsertList\""));
    assert!(
        requests[0]
            .body
            .contains(r#"xsi:type="listRel:Customer" externalId="001A""#)
    );
    assert!(requests[0].body.contains(concat!(
        r#"<platformCore:customField xsi:type="platformCore:BooleanCustomFieldRef" scriptId="custentity_vip">"#,
        "<platformCore:value>true</platformCore:value>"
    )));
    assert!(requests[0].body.contains(r#"externalId="001B""#));
}

#[tokio::test]
async fn update_sends_internal_id_link_and_null_fields() {
    let server = FakeNetSuite::start(vec![Reply::ok(write_list_response(
        "updateList",
        &[Ok(("988", "001C"))],
    ))])
    .await;
    let port = NetSuitePort::new(server.client(TIMEOUT));
    let update = RecordUpdate {
        id: "988".to_string(),
        link: Some("001C".to_string()),
        fields: fields(&[
            ("phone", FieldValue::Null),
            ("custentity_region", FieldValue::Null),
            ("creditLimit", FieldValue::Number(2500.0)),
        ]),
    };
    let results = port.update(&customers(&[]), vec![update]).await.unwrap();
    assert_eq!(results[0].as_ref().unwrap().id, "988");

    let body = &server.requests()[0].body;
    assert!(
        body.contains(concat!(
            r#"<platformMsgs:record xsi:type="listRel:Customer" internalId="988" externalId="001C">"#,
            "<platformCore:nullFieldList><platformCore:name>custentity_region</platformCore:name>",
            "<platformCore:name>phone</platformCore:name></platformCore:nullFieldList>",
            "<listRel:creditLimit>2500</listRel:creditLimit></platformMsgs:record>"
        )),
        "{body}"
    );
}

#[tokio::test]
async fn update_with_unknown_field_fails_that_record_only() {
    let server = FakeNetSuite::start(vec![Reply::ok(write_list_response(
        "updateList",
        &[Ok(("2", ""))],
    ))])
    .await;
    let port = NetSuitePort::new(server.client(TIMEOUT));
    let updates = vec![
        RecordUpdate {
            id: "1".to_string(),
            link: None,
            fields: fields(&[("shoeSize", FieldValue::Number(44.0))]),
        },
        RecordUpdate {
            id: "2".to_string(),
            link: None,
            fields: fields(&[("companyName", FieldValue::Text("Two".to_string()))]),
        },
    ];
    let results = port.update(&customers(&[]), updates).await.unwrap();
    let rejected = results[0].as_ref().unwrap_err();
    assert_eq!(rejected.class, ErrorClass::Config);
    assert!(
        rejected.message.contains("shoeSize"),
        "{}",
        rejected.message
    );
    assert_eq!(results[1].as_ref().unwrap().id, "2");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn control_character_fails_only_its_record() {
    let server = FakeNetSuite::start(vec![Reply::ok(write_list_response(
        "upsertList",
        &[Ok(("501", "001A")), Ok(("503", "001C"))],
    ))])
    .await;
    let port = NetSuitePort::new(server.client(TIMEOUT));
    let record = |link: &str, company: &str| NewRecord {
        link: link.to_string(),
        fields: fields(&[("companyName", FieldValue::Text(company.to_string()))]),
    };
    let records = vec![
        record("001A", "Alpha"),
        record("001B", "Be\u{7}ta"),
        record("001C", "Gamma\tLine\r\nTwo"),
    ];
    let results = port.create(&customers(&[]), records).await.unwrap();

    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap().id, "501");
    let rejected = results[1].as_ref().unwrap_err();
    assert_eq!(rejected.class, ErrorClass::Data);
    assert_eq!(rejected.system, System::NetSuite);
    assert_eq!(rejected.code, "INVALID_VALUE");
    assert!(
        rejected.message.contains("companyName"),
        "{}",
        rejected.message
    );
    assert!(rejected.message.contains("U+0007"), "{}", rejected.message);
    assert_eq!(results[2].as_ref().unwrap().id, "503");

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].body.contains(r#"externalId="001A""#));
    assert!(!requests[0].body.contains(r#"externalId="001B""#));
    assert!(requests[0].body.contains(r#"externalId="001C""#));
    assert!(
        requests[0]
            .body
            .contains("<listRel:companyName>Gamma\tLine&#13;\nTwo</listRel:companyName>"),
        "{}",
        requests[0].body
    );
}

#[tokio::test]
async fn fault_fails_the_whole_create_call() {
    let server = FakeNetSuite::start(vec![Reply::xml(500, concurrency_fault())]).await;
    let port = NetSuitePort::new(server.client(TIMEOUT));
    let record = |link: &str| NewRecord {
        link: link.to_string(),
        fields: fields(&[("companyName", FieldValue::Text(link.to_string()))]),
    };
    let error = port
        .create(
            &customers(&[]),
            vec![record("001A"), record("001B"), record("001C")],
        )
        .await
        .unwrap_err();
    assert_eq!(error.code, "WS_REQUEST_BLOCKED");
    assert_eq!(error.class, ErrorClass::Transient);
    assert_eq!(error.system, System::NetSuite);
    assert_eq!(server.requests().len(), 1);
}
