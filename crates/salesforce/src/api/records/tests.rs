use serde_json::json;

use super::*;
use crate::api::test_support::*;

fn id(value: &str) -> SalesforceId {
    SalesforceId::parse(value).unwrap()
}

#[test]
fn create_request_is_exact() {
    let mut changes = FieldChanges::new();
    changes.set("Name", "Acme").set("AnnualRevenue", 1200.5);
    let request = build(&create_request("Account", &changes).unwrap());
    assert_eq!(request.method(), Method::POST);
    assert_eq!(
        request.url().path(),
        "/services/data/v62.0/sobjects/Account"
    );
    assert_eq!(request.url().query(), None);
    assert_eq!(header(&request, "content-type"), Some("application/json"));
    assert_eq!(
        header(&request, "sforce-call-options"),
        Some("client=tandem")
    );
    assert_eq!(
        json_body(&request),
        json!({"Name": "Acme", "AnnualRevenue": 1200.5})
    );
}

#[test]
fn create_request_rejects_id_in_body() {
    let changes: FieldChanges = [("ID", "001")].into_iter().collect();
    assert!(matches!(
        create_request("Account", &changes),
        Err(Error::InvalidRequest { .. })
    ));
}

#[test]
fn update_request_sends_only_present_fields() {
    let mut changes = FieldChanges::new();
    changes.set("Phone", "+1 415 555 0100").clear("Website");
    let request = build(&update_request("Account", &id("001dM00003kS3tN"), &changes).unwrap());
    assert_eq!(request.method(), Method::PATCH);
    assert_eq!(
        request.url().path(),
        "/services/data/v62.0/sobjects/Account/001dM00003kS3tNQAS"
    );
    assert_eq!(
        header(&request, "sforce-call-options"),
        Some("client=tandem")
    );
    assert_eq!(
        json_body(&request),
        json!({"Phone": "+1 415 555 0100", "Website": null})
    );
}

#[test]
fn delete_request_is_exact() {
    let request = build(&delete_request("Contact", &id("003dM00001wBXYD")).unwrap());
    assert_eq!(request.method(), Method::DELETE);
    assert_eq!(
        request.url().path(),
        "/services/data/v62.0/sobjects/Contact/003dM00001wBXYDQA4"
    );
    assert_eq!(
        header(&request, "sforce-call-options"),
        Some("client=tandem")
    );
    assert!(request.body().is_none());
}

#[test]
fn get_by_external_id_request_encodes_value() {
    let request = build(
        &get_by_external_id_request("Account", "NetSuite_Id__c", "A/1 2", &["Id", "Name"]).unwrap(),
    );
    assert_eq!(request.method(), Method::GET);
    assert_eq!(
        request.url().path(),
        "/services/data/v62.0/sobjects/Account/NetSuite_Id__c/A%2F1%202"
    );
    assert_eq!(
        params(&request),
        [("fields".to_string(), "Id,Name".to_string())]
    );
    assert_eq!(header(&request, "sforce-call-options"), None);
}

#[test]
fn get_by_external_id_request_rejects_dot_values() {
    for value in ["", ".", ".."] {
        assert!(get_by_external_id_request("Account", "Ext__c", value, &[]).is_err());
    }
}

#[test]
fn expect_no_content_keeps_error_array() {
    let body = br#"[{"message":"entity is deleted","errorCode":"ENTITY_IS_DELETED","fields":[]}]"#;
    let error = expect_no_content(response(404, body)).unwrap_err();
    assert_eq!(error.code(), "ENTITY_IS_DELETED");
    assert!(expect_no_content(response(204, b"")).is_ok());
}
