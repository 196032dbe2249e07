use serde_json::json;
use tandem_engine::ErrorClass;

use super::*;
use crate::api::test_support::*;

fn id(value: &str) -> SalesforceId {
    SalesforceId::parse(value).unwrap()
}

fn response(status: u16, body: &str) -> RawResponse {
    RawResponse {
        status: StatusCode::from_u16(status).unwrap(),
        headers: reqwest::header::HeaderMap::new(),
        body: body.as_bytes().to_vec(),
    }
}

#[test]
fn create_request_is_exact() {
    let mut first = FieldChanges::new();
    first.set("Name", "Acme").set("NumberOfEmployees", 12);
    let mut second = FieldChanges::new();
    second.set("Name", "Globex").clear("Phone");
    let request = build(&create_request("Account", &[first, second]).unwrap());
    assert_eq!(request.method(), Method::POST);
    assert_eq!(
        request.url().path(),
        "/services/data/v62.0/composite/sobjects"
    );
    assert_eq!(request.url().query(), None);
    assert_eq!(header(&request, "authorization"), Some("Bearer test-token"));
    assert_eq!(header(&request, "content-type"), Some("application/json"));
    assert_eq!(
        header(&request, "sforce-call-options"),
        Some("client=tandem")
    );
    assert_eq!(
        json_body(&request),
        json!({
            "allOrNone": false,
            "records": [
                {"attributes": {"type": "Account"}, "Name": "Acme", "NumberOfEmployees": 12},
                {"attributes": {"type": "Account"}, "Name": "Globex", "Phone": null}
            ]
        })
    );
}

#[test]
fn update_request_is_exact() {
    let mut changes = FieldChanges::new();
    changes
        .set("Website", "https://acme.example")
        .clear("Phone");
    let patch = RecordPatch {
        id: id("001dM00003kS3tN"),
        changes,
    };
    let request = build(&update_request("Account", &[patch]).unwrap());
    assert_eq!(request.method(), Method::PATCH);
    assert_eq!(
        request.url().path(),
        "/services/data/v62.0/composite/sobjects"
    );
    assert_eq!(
        header(&request, "sforce-call-options"),
        Some("client=tandem")
    );
    assert_eq!(
        json_body(&request),
        json!({
            "allOrNone": false,
            "records": [{
                "attributes": {"type": "Account"},
                "Id": "001dM00003kS3tNQAS",
                "Website": "https://acme.example",
                "Phone": null
            }]
        })
    );
}

#[test]
fn update_request_leaves_absent_fields_out() {
    let patch = RecordPatch {
        id: id("001dM00003kS3tN"),
        changes: FieldChanges::new(),
    };
    let body = json_body(&build(&update_request("Account", &[patch]).unwrap()));
    let record = body["records"][0].as_object().unwrap();
    let keys: Vec<&String> = record.keys().collect();
    assert_eq!(keys, vec!["Id", "attributes"]);
}

#[test]
fn collection_request_rejects_more_than_200() {
    let records = vec![FieldChanges::new(); MAX_COLLECTION_RECORDS + 1];
    assert!(matches!(
        create_request("Account", &records),
        Err(Error::InvalidRequest { .. })
    ));
    assert!(create_request("Account", &records[..MAX_COLLECTION_RECORDS]).is_ok());
}

#[test]
fn record_body_rejects_id_and_attributes_fields() {
    for field in ["ID", "Attributes"] {
        let changes: FieldChanges = [(field, "x")].into_iter().collect();
        assert!(create_request("Account", &[changes]).is_err(), "{field}");
    }
}

#[test]
fn read_collection_response_mixes_success_and_failure() {
    let body = r#"[
        {"id":"001dM00003kS3tNQAS","success":true,"errors":[]},
        {"success":false,"errors":[{"statusCode":"INVALID_CROSS_REFERENCE_KEY",
            "message":"invalid cross reference id","fields":[]}]},
        {"id":"0014H00002LbR7QQAV","success":false,"errors":[{"statusCode":"UNABLE_TO_LOCK_ROW",
            "message":"unable to obtain exclusive access to this record","fields":["ParentId"]}]}
    ]"#;
    let results = read_collection_response(response(200, body), 3).unwrap();
    assert_eq!(results[0].as_ref().unwrap().as_str(), "001dM00003kS3tNQAS");
    let second = results[1].as_ref().unwrap_err();
    assert_eq!(second.code(), "INVALID_CROSS_REFERENCE_KEY");
    assert_eq!(second.class(), ErrorClass::Data);
    let third = results[2].as_ref().unwrap_err();
    assert!(matches!(third, Error::Record { errors } if errors[0].fields == vec!["ParentId"]));
    assert_eq!(third.class(), ErrorClass::Transient);
}

#[test]
fn read_collection_response_rejects_count_mismatch() {
    let body = r#"[{"id":"001dM00003kS3tNQAS","success":true,"errors":[]}]"#;
    assert!(matches!(
        read_collection_response(response(200, body), 2),
        Err(Error::InvalidResponse { .. })
    ));
}

#[test]
fn read_collection_response_fails_call_on_error_array() {
    let body = r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#;
    let error = read_collection_response(response(401, body), 1).unwrap_err();
    assert!(matches!(error, Error::Api { status: 401, .. }));
}

#[test]
fn read_collection_response_rejects_success_without_id() {
    let body = r#"[{"success":true,"errors":[]}]"#;
    assert!(read_collection_response(response(200, body), 1).is_err());
}

fn upsert_record(external_id: &str, name: &str) -> UpsertRecord {
    let mut changes = FieldChanges::new();
    changes.set("Name", name);
    UpsertRecord {
        external_id: external_id.into(),
        changes,
    }
}

#[test]
fn upsert_request_is_exact() {
    let records = [
        upsert_record("1042", "Acme"),
        upsert_record("A/7", "Globex"),
    ];
    let request = build(&upsert_request("Account", "NetSuite_Id__c", &records).unwrap());
    assert_eq!(request.method(), Method::PATCH);
    assert_eq!(
        request.url().path(),
        "/services/data/v62.0/composite/sobjects/Account/NetSuite_Id__c"
    );
    assert_eq!(request.url().query(), None);
    assert_eq!(
        header(&request, "sforce-call-options"),
        Some("client=tandem")
    );
    assert_eq!(
        json_body(&request),
        json!({
            "allOrNone": false,
            "records": [
                {"attributes": {"type": "Account"}, "Name": "Acme", "NetSuite_Id__c": "1042"},
                {"attributes": {"type": "Account"}, "Name": "Globex", "NetSuite_Id__c": "A/7"}
            ]
        })
    );
}

#[test]
fn upsert_request_rejects_key_among_fields() {
    let mut record = upsert_record("1042", "Acme");
    record.changes.set("netsuite_id__c", "1042");
    assert!(matches!(
        upsert_request("Account", "NetSuite_Id__c", &[record]),
        Err(Error::InvalidRequest { .. })
    ));
    assert!(upsert_request("Account", "Owner.Ext__c", &[]).is_err());
}

#[test]
fn delete_request_is_exact() {
    let ids = [id("001dM00003kS3tN"), id("0014H00002LbR7Q")];
    let request = build(&delete_request(&ids).unwrap());
    assert_eq!(request.method(), Method::DELETE);
    assert_eq!(
        request.url().path(),
        "/services/data/v62.0/composite/sobjects"
    );
    assert_eq!(
        request.url().query(),
        Some("ids=001dM00003kS3tNQAS%2C0014H00002LbR7QQAV&allOrNone=false")
    );
    assert_eq!(
        header(&request, "sforce-call-options"),
        Some("client=tandem")
    );
    assert!(request.body().is_none());
}

#[test]
fn upsert_result_reads_created_flags() {
    let body = r#"[
        {"id":"0035500001H9kZuAAJ","success":true,"errors":[],"created":true},
        {"id":"0035500001H9kZvAAJ","success":true,"errors":[],"created":false},
        {"success":false,"errors":[{"statusCode":"DUPLICATE_VALUE",
          "message":"duplicate value found: Email__c","fields":["Email__c"]}]}
    ]"#;
    let wire = read_collection_wire(response(200, body), 3).unwrap();
    let results: Vec<UpsertRecordResult> = wire
        .into_iter()
        .map(|item| upsert_result(item).unwrap())
        .collect();
    let first = results[0].as_ref().unwrap();
    assert_eq!(first.id.as_str(), "0035500001H9kZuAAJ");
    assert!(first.created);
    assert!(!results[1].as_ref().unwrap().created);
    let error = results[2].as_ref().unwrap_err();
    assert_eq!(error.code(), "DUPLICATE_VALUE");
    assert_eq!(error.details()[0].fields, ["Email__c"]);
}
