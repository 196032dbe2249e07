use serde_json::json;

use super::*;
use crate::api::test_support::*;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/salesforce/restforce__restforce/spec/fixtures/sobject"
);

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

fn response(status: u16, body: &[u8]) -> RawResponse {
    RawResponse {
        status: StatusCode::from_u16(status).unwrap(),
        headers: reqwest::header::HeaderMap::new(),
        body: body.to_vec(),
    }
}

#[test]
fn upsert_request_is_exact() {
    let mut changes = FieldChanges::new();
    changes.set("Name", "Acme").clear("Phone");
    let request =
        build(&upsert_request("Account", "NetSuite_Id__c", "CUST 1/2", &changes).unwrap());
    assert_eq!(request.method(), Method::PATCH);
    assert_eq!(
        request.url().path(),
        "/services/data/v62.0/sobjects/Account/NetSuite_Id__c/CUST%201%2F2"
    );
    assert_eq!(request.url().query(), None);
    assert_eq!(header(&request, "authorization"), Some("Bearer test-token"));
    assert_eq!(header(&request, "content-type"), Some("application/json"));
    assert_eq!(
        header(&request, "sforce-call-options"),
        Some("client=tandem")
    );
    assert_eq!(json_body(&request), json!({"Name": "Acme", "Phone": null}));
}

#[test]
fn upsert_request_rejects_key_fields_in_body() {
    for field in ["Id", "netsuite_id__c", "attributes"] {
        let changes: FieldChanges = [(field, "x")].into_iter().collect();
        let error = upsert_request("Account", "NetSuite_Id__c", "42", &changes).unwrap_err();
        assert!(matches!(error, Error::InvalidRequest { .. }), "{field}");
    }
}

#[test]
fn upsert_request_rejects_bad_values_and_names() {
    let changes = FieldChanges::new();
    for value in ["", ".", ".."] {
        let error = upsert_request("Account", "NetSuite_Id__c", value, &changes).unwrap_err();
        assert!(matches!(error, Error::InvalidRequest { .. }), "{value:?}");
    }
    assert!(upsert_request("Account", "Bad Field", "1", &changes).is_err());
    assert!(upsert_request("Account/x", "NetSuite_Id__c", "1", &changes).is_err());
}

#[test]
fn get_request_is_exact() {
    let id = SalesforceId::parse("001dM00003kS3tN").unwrap();
    let request = build(&get_request("Account", &id, &["Name", "Phone"]).unwrap());
    assert_eq!(request.method(), Method::GET);
    assert_eq!(
        request.url().path(),
        "/services/data/v62.0/sobjects/Account/001dM00003kS3tNQAS"
    );
    assert_eq!(request.url().query(), Some("fields=Name%2CPhone"));
    assert_eq!(header(&request, "authorization"), Some("Bearer test-token"));
    assert_eq!(header(&request, "sforce-call-options"), None);
    assert!(request.body().is_none());
}

#[test]
fn get_request_without_fields_has_no_query() {
    let id = SalesforceId::parse("001dM00003kS3tN").unwrap();
    let request = build(&get_request("Account", &id, &[]).unwrap());
    assert_eq!(request.url().query(), None);
}

#[test]
fn save_result_wire_reads_recorded_created_body() {
    let wire: SaveResultWire =
        serde_json::from_slice(&fixture("upsert_created_success_response.json")).unwrap();
    assert_eq!(wire.id.as_deref(), Some("foo"));
    assert!(wire.success);
    assert_eq!(wire.created, None);
}

#[test]
fn read_upsert_response_reports_created() {
    let body = br#"{"id":"0015500001QdQWaAAN","success":true,"errors":[],"created":true}"#;
    let result = read_upsert_response(response(201, body)).unwrap();
    assert_eq!(result.id.as_str(), "0015500001QdQWaAAN");
    assert!(result.created);
}

#[test]
fn read_upsert_response_reports_updated() {
    let body = br#"{"id":"0015500001QdQWaAAN","success":true,"errors":[],"created":false}"#;
    let result = read_upsert_response(response(200, body)).unwrap();
    assert!(!result.created);
}

#[test]
fn read_upsert_response_uses_status_without_flag() {
    let body = br#"{"id":"a001a000002zl5yAAA","success":true,"errors":[]}"#;
    let result = read_upsert_response(response(201, body)).unwrap();
    assert_eq!(result.id.as_str(), "a001a000002zl5yAAA");
    assert!(result.created);
}

#[test]
fn read_upsert_response_rejects_invalid_id() {
    let body = fixture("upsert_created_success_response.json");
    assert!(matches!(
        read_upsert_response(response(201, &body)),
        Err(Error::InvalidResponse { .. })
    ));
}

#[test]
fn read_upsert_response_names_multiple_choices() {
    let body = fixture("upsert_multiple_error_response.json");
    let error = read_upsert_response(response(300, &body)).unwrap_err();
    let Error::MultipleChoices { ids } = &error else {
        panic!("expected multiple choices, got {error:?}");
    };
    assert_eq!(ids, &vec!["foo".to_string(), "bar".to_string()]);
}

#[test]
fn read_upsert_response_keeps_error_array() {
    let body = fixture("upsert_error_response.json");
    let error = read_upsert_response(response(404, &body)).unwrap_err();
    assert!(matches!(&error, Error::Api { status: 404, errors } if errors[0].code == "NOT_FOUND"));
    assert_eq!(error.class(), tandem_engine::ErrorClass::Config);
}

#[test]
fn read_upsert_response_rejects_empty_update() {
    let body = fixture("upsert_updated_success_response.json");
    assert!(body.is_empty());
    assert!(matches!(
        read_upsert_response(response(204, &body)),
        Err(Error::InvalidResponse { .. })
    ));
}

#[test]
fn parse_multiple_choices_keeps_unexpected_body() {
    assert!(matches!(
        parse_multiple_choices(b"<html>"),
        Error::Http { status: 300, .. }
    ));
}

#[test]
fn find_success_body_parses_with_values() {
    let record: Map<String, Value> =
        serde_json::from_slice(&fixture("sobject_find_success_response.json")).unwrap();
    assert_eq!(record["Id"], json!("23foo"));
    assert_eq!(record["Name"], json!("My First Whizbang"));
    assert_eq!(record["Currency_Label"].as_f64(), Some(23.0));
    assert_eq!(record["OtherDateTime_Label"], Value::Null);
    assert_eq!(record["attributes"]["type"], json!("Whizbang"));
}
