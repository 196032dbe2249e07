//! The port against a fake org on 127.0.0.1: the change feed over several pages, creates as
//! upserts and updates as collections, with per-record and whole-call failures.

mod support;

use chrono::{TimeZone, Utc};
use serde_json::json;
use support::{API, FakeOrg, Reply, account_id};
use tandem_engine::{
    ErrorClass, FieldValue, Fields, NewRecord, ObjectSpec, RecordPort, RecordUpdate, System,
};
use tandem_salesforce::SalesforcePort;

fn account_spec() -> ObjectSpec {
    ObjectSpec {
        name: "Account".into(),
        fields: vec!["Name".into(), "Phone".into(), "AnnualRevenue".into()],
        link_field: "NetSuite_Id__c".into(),
    }
}

fn fields(entries: &[(&str, FieldValue)]) -> Fields {
    entries
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect()
}

/// Replies with three Accounts over two pages, in `SystemModstamp` order.
fn changed_accounts(request: &support::Recorded) -> Reply {
    let row = |n: usize, stamp: &str, link: serde_json::Value| {
        json!({
            "attributes": {
                "type": "Account",
                "url": format!("{API}/sobjects/Account/{}", account_id(n))
            },
            "Id": account_id(n),
            "SystemModstamp": stamp,
            "NetSuite_Id__c": link,
            "Name": format!("Account {n}"),
            "Phone": "",
            "AnnualRevenue": 1000.5
        })
    };
    if request.path == format!("{API}/query") {
        Reply::json(
            200,
            json!({
                "totalSize": 3,
                "done": false,
                "nextRecordsUrl": "/services/data/v62.0/query/01gRO00000A-2000",
                "records": [
                    row(1, "2024-05-06T07:08:09.000+0000", json!("1042")),
                    row(2, "2024-05-06T07:08:09.000+0000", json!(null))
                ]
            }),
        )
    } else {
        Reply::json(
            200,
            json!({
                "totalSize": 3,
                "done": true,
                "records": [row(3, "2024-05-07T00:00:00.000+0000", json!("1044"))]
            }),
        )
    }
}

#[tokio::test]
async fn changed_since_reads_every_page() {
    let org = FakeOrg::start(changed_accounts).await;
    let port = SalesforcePort::new(org.client());
    let since = Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap();

    let records = port.changed_since(&account_spec(), since).await.unwrap();

    assert_eq!(port.system(), System::Salesforce);
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].id, account_id(1));
    assert_eq!(records[0].id.len(), 18);
    assert_eq!(
        records[0].modified_at,
        Utc.with_ymd_and_hms(2024, 5, 6, 7, 8, 9).unwrap()
    );
    assert_eq!(records[0].link.as_deref(), Some("1042"));
    assert_eq!(
        records[0].fields["Name"],
        FieldValue::Text("Account 1".into())
    );
    assert_eq!(records[0].fields["Phone"], FieldValue::Null);
    assert_eq!(
        records[0].fields["AnnualRevenue"],
        FieldValue::Number(1000.5)
    );
    assert_eq!(records[1].link, None);
    assert_eq!(records[2].id, account_id(3));
    let requests = org.authorized_requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].param("q").as_deref(),
        Some(
            "SELECT Id, SystemModstamp, NetSuite_Id__c, Name, Phone, AnnualRevenue FROM Account \
             WHERE SystemModstamp >= 2024-05-01T00:00:00.000Z ORDER BY SystemModstamp, Id"
        )
    );
    assert_eq!(
        requests[1].path,
        "/services/data/v62.0/query/01gRO00000A-2000"
    );
}

#[tokio::test]
async fn changed_since_returns_empty_list() {
    let org =
        FakeOrg::start(|_| Reply::json(200, json!({"totalSize": 0, "done": true, "records": []})))
            .await;
    let port = SalesforcePort::new(org.client());

    let records = port
        .changed_since(&account_spec(), Utc::now())
        .await
        .unwrap();

    assert!(records.is_empty());
}

#[tokio::test]
async fn changed_since_fails_on_malformed_query() {
    let org = FakeOrg::start(|_| {
        Reply::json(
            400,
            json!([{"errorCode": "MALFORMED_QUERY", "message": "unexpected token: '+'"}]),
        )
    })
    .await;
    let port = SalesforcePort::new(org.client());

    let error = port
        .changed_since(&account_spec(), Utc::now())
        .await
        .unwrap_err();

    assert_eq!(error.system, System::Salesforce);
    assert_eq!(error.code, "MALFORMED_QUERY");
    assert_eq!(error.class, ErrorClass::Config);
}

/// Creates records whose external ID value starts with `new`, rejects those starting with `bad`
/// for a missing Name, and updates the rest. The Id is made from the length of the value.
fn upsert_outcome(value: &str) -> (u16, serde_json::Value) {
    if value.starts_with("bad") {
        let error = json!({
            "message": "Required fields are missing: [Name]",
            "errorCode": "REQUIRED_FIELD_MISSING",
            "statusCode": "REQUIRED_FIELD_MISSING",
            "fields": ["Name"]
        });
        return (400, error);
    }
    let created = value.starts_with("new");
    let result =
        json!({"id": account_id(value.len()), "success": true, "errors": [], "created": created});
    (if created { 201 } else { 200 }, result)
}

/// Responds to collection upserts with one result per record, as [`upsert_outcome`] decides.
fn collection_upsert_replies(request: &support::Recorded) -> Reply {
    if request.path != format!("{API}/composite/sobjects/Account/NetSuite_Id__c") {
        return Reply::json(
            404,
            json!([{"errorCode": "NOT_FOUND", "message": "wrong path"}]),
        );
    }
    let results: Vec<serde_json::Value> = request.json()["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| {
            let (status, body) = upsert_outcome(record["NetSuite_Id__c"].as_str().unwrap());
            match status {
                400 => json!({"success": false, "errors": [body]}),
                _ => body,
            }
        })
        .collect();
    Reply::json(200, json!(results))
}

fn three_new_records() -> Vec<NewRecord> {
    vec![
        NewRecord {
            link: "new-1".into(),
            fields: fields(&[
                ("Name", FieldValue::Text("Acme".into())),
                ("Phone", FieldValue::Null),
            ]),
        },
        NewRecord {
            link: "bad-2".into(),
            fields: fields(&[("Phone", FieldValue::Text("555".into()))]),
        },
        NewRecord {
            link: "old/3".into(),
            fields: fields(&[("NetSuite_Id__c", FieldValue::Text("old/3".into()))]),
        },
    ]
}

#[tokio::test]
async fn create_upserts_on_link_field_in_one_call() {
    let org = FakeOrg::start(collection_upsert_replies).await;
    let port = SalesforcePort::new(org.client());

    let results = port
        .create(&account_spec(), three_new_records())
        .await
        .unwrap();

    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap().id, account_id(5));
    let error = results[1].as_ref().unwrap_err();
    assert_eq!(error.code, "REQUIRED_FIELD_MISSING");
    assert_eq!(error.fields, ["Name"]);
    assert_eq!(error.class, ErrorClass::Data);
    assert_eq!(results[2].as_ref().unwrap().id, account_id(5));
    let requests = org.authorized_requests();
    assert_eq!(requests.len(), 1, "one collection call for three records");
    assert_eq!(requests[0].method, "PATCH");
    assert_eq!(
        requests[0].header("sforce-call-options"),
        Some("client=tandem")
    );
    assert_eq!(
        requests[0].json(),
        json!({
            "allOrNone": false,
            "records": [
                {"attributes": {"type": "Account"}, "Name": "Acme", "Phone": null,
                 "NetSuite_Id__c": "new-1"},
                {"attributes": {"type": "Account"}, "Phone": "555", "NetSuite_Id__c": "bad-2"},
                {"attributes": {"type": "Account"}, "NetSuite_Id__c": "old/3"}
            ]
        })
    );
}

#[tokio::test]
async fn create_reports_duplicate_external_id_per_record() {
    let org = FakeOrg::start(|_| {
        let error = json!({
            "statusCode": "DUPLICATE_EXTERNAL_ID",
            "message": "NetSuite_Id__c: more than one record found for external id field: [001dM0000000001QAA, 001dM0000000002QAA]",
            "fields": []
        });
        Reply::json(200, json!([{"success": false, "errors": [error]}]))
    })
    .await;
    let port = SalesforcePort::new(org.client());
    let record = NewRecord {
        link: "42".into(),
        fields: Fields::new(),
    };

    let results = port.create(&account_spec(), vec![record]).await.unwrap();

    let error = results[0].as_ref().unwrap_err();
    assert_eq!(error.code, "DUPLICATE_EXTERNAL_ID");
    assert_eq!(error.class, ErrorClass::Data);
    assert!(
        error.message.contains("001dM0000000002QAA"),
        "{}",
        error.message
    );
}

#[tokio::test]
async fn create_fails_whole_call_without_collection_upsert() {
    let org = FakeOrg::start(|_| {
        let error =
            json!({"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"});
        Reply::json(404, json!([error]))
    })
    .await;
    let port = SalesforcePort::new(org.client());

    let error = port
        .create(&account_spec(), three_new_records())
        .await
        .unwrap_err();

    assert_eq!(error.code, "NOT_FOUND");
    let requests = org.authorized_requests();
    assert_eq!(requests.len(), 1, "no upsert per record follows");
    assert_eq!(
        requests[0].path,
        "/services/data/v62.0/composite/sobjects/Account/NetSuite_Id__c"
    );
}

#[tokio::test]
async fn create_fails_whole_call_on_server_error() {
    let org = FakeOrg::start(|_| {
        Reply::json(
            503,
            json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "down for maintenance"}]),
        )
    })
    .await;
    let port = SalesforcePort::new(org.client());
    let records = vec![
        NewRecord {
            link: "1".into(),
            fields: Fields::new(),
        },
        NewRecord {
            link: "2".into(),
            fields: Fields::new(),
        },
    ];

    let error = port.create(&account_spec(), records).await.unwrap_err();

    assert_eq!(error.code, "SERVER_UNAVAILABLE");
    assert_eq!(error.class, ErrorClass::Transient);
    assert_eq!(
        org.authorized_requests().len(),
        1,
        "both records go in one call, which is not repeated"
    );
}

#[tokio::test]
async fn create_fails_whole_call_on_unknown_link_field() {
    let org = FakeOrg::start(|_| {
        Reply::json(
            404,
            json!([{
                "errorCode": "NOT_FOUND",
                "message":
                    "Provided external ID field does not exist or is not accessible: NetSuite_Id__c"
            }]),
        )
    })
    .await;
    let port = SalesforcePort::new(org.client());
    let record = NewRecord {
        link: "1".into(),
        fields: Fields::new(),
    };

    let error = port
        .create(&account_spec(), vec![record])
        .await
        .unwrap_err();

    assert_eq!(error.code, "NOT_FOUND");
    assert_eq!(error.class, ErrorClass::Config);
}

/// Fails updates that clear the Name and accepts the rest.
fn update_replies(request: &support::Recorded) -> Reply {
    let body = request.json();
    let results: Vec<serde_json::Value> = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| match record.get("Name") {
            Some(serde_json::Value::Null) => json!({
                "id": record["Id"],
                "success": false,
                "errors": [{
                    "statusCode": "REQUIRED_FIELD_MISSING",
                    "message": "Required fields are missing: [Name]",
                    "fields": ["Name"]
                }]
            }),
            _ => json!({"id": record["Id"], "success": true, "errors": []}),
        })
        .collect();
    Reply::json(200, json!(results))
}

#[tokio::test]
async fn update_sends_chunks_and_keeps_order() {
    let org = FakeOrg::start(update_replies).await;
    let port = SalesforcePort::new(org.client());
    let mut records: Vec<RecordUpdate> = (0..401)
        .map(|n| RecordUpdate {
            id: account_id(n)[..15].to_string(),
            fields: fields(&[("Phone", FieldValue::Text(format!("555-{n:04}")))]),
            link: None,
        })
        .collect();
    records[1].id = "not-an-id".into();
    records[2].fields.insert("Name".into(), FieldValue::Null);
    records[3].link = Some("1042".into());

    let results = port.update(&account_spec(), records).await.unwrap();

    assert_eq!(results.len(), 401);
    assert_eq!(results[0].as_ref().unwrap().id, account_id(0));
    assert_eq!(results[1].as_ref().unwrap_err().code, "MALFORMED_ID");
    assert_eq!(
        results[2].as_ref().unwrap_err().code,
        "REQUIRED_FIELD_MISSING"
    );
    assert_eq!(results[400].as_ref().unwrap().id, account_id(400));
    // The two calls run concurrently, so they may arrive in either order.
    let mut requests = org.authorized_requests();
    requests.sort_by_key(|request| request.json()["records"][0]["Id"].to_string());
    let sizes: Vec<usize> = requests
        .iter()
        .map(|request| request.json()["records"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [200, 200], "the record with a bad Id is not sent");
    let first = requests[0].json();
    assert_eq!(
        first["records"][1],
        json!({
            "attributes": {"type": "Account"},
            "Id": account_id(2),
            "Phone": "555-0002",
            "Name": null
        })
    );
    assert_eq!(
        first["records"][2],
        json!({
            "attributes": {"type": "Account"},
            "Id": account_id(3),
            "Phone": "555-0003",
            "NetSuite_Id__c": "1042"
        })
    );
    assert_eq!(requests[0].method, "PATCH");
    assert_eq!(
        requests[0].header("sforce-call-options"),
        Some("client=tandem")
    );
}

#[tokio::test]
async fn update_fails_whole_call_on_rejected_request() {
    let org = FakeOrg::start(|_| {
        let error = json!({
            "errorCode": "REQUEST_LIMIT_EXCEEDED",
            "message": "TotalRequests Limit exceeded."
        });
        Reply::json(403, json!([error]))
    })
    .await;
    let port = SalesforcePort::new(org.client());
    let record = RecordUpdate {
        id: account_id(1),
        fields: fields(&[("Name", FieldValue::Text("Acme".into()))]),
        link: None,
    };

    let error = port
        .update(&account_spec(), vec![record])
        .await
        .unwrap_err();

    assert_eq!(error.code, "REQUEST_LIMIT_EXCEEDED");
    assert_eq!(error.class, ErrorClass::Budget);
}
