use serde_json::json;

use super::*;
use crate::api::test_support::*;

fn upsert() -> IngestOperation {
    IngestOperation::Upsert {
        external_id_field: "NetSuite_Id__c".into(),
    }
}

#[test]
fn create_job_request_is_exact() {
    let request = build(&create_job_request("Account", &upsert()).unwrap());
    assert_eq!(request.method(), Method::POST);
    assert_eq!(request.url().path(), "/services/data/v62.0/jobs/ingest");
    assert_eq!(
        header(&request, "sforce-call-options"),
        Some("client=tandem")
    );
    assert_eq!(
        json_body(&request),
        json!({
            "object": "Account",
            "operation": "upsert",
            "externalIdFieldName": "NetSuite_Id__c",
            "contentType": "CSV",
            "lineEnding": "LF",
            "columnDelimiter": "COMMA"
        })
    );
}

#[test]
fn upload_request_sends_csv() {
    let mut changes = FieldChanges::new();
    changes.set("Name", "Acme");
    let rows = [IngestRow {
        key: Some("1042".into()),
        changes,
    }];
    let csv = upload_csv(&upsert(), &rows).unwrap();
    let request = build(&upload_request("7505f000004C2AAM", csv).unwrap());
    assert_eq!(request.method(), Method::PUT);
    assert_eq!(
        request.url().path(),
        "/services/data/v62.0/jobs/ingest/7505f000004C2AAM/batches"
    );
    assert_eq!(header(&request, "content-type"), Some("text/csv"));
    assert_eq!(
        header(&request, "sforce-call-options"),
        Some("client=tandem")
    );
    assert_eq!(text_body(&request), "NetSuite_Id__c,Name\n1042,Acme\n");
}

#[test]
fn close_and_results_requests_are_exact() {
    let close = build(&close_request("7505f000004C2AAM").unwrap());
    assert_eq!(close.method(), Method::PATCH);
    assert_eq!(
        close.url().path(),
        "/services/data/v62.0/jobs/ingest/7505f000004C2AAM"
    );
    assert_eq!(json_body(&close), json!({"state": "UploadComplete"}));
    let failed = build(&results_request("7505f000004C2AAM", "failedResults").unwrap());
    assert_eq!(failed.method(), Method::GET);
    assert_eq!(
        failed.url().path(),
        "/services/data/v62.0/jobs/ingest/7505f000004C2AAM/failedResults/"
    );
    assert_eq!(header(&failed, "accept"), Some("text/csv"));
}

#[test]
fn upload_csv_requires_keys() {
    let rows = [IngestRow {
        key: None,
        changes: FieldChanges::new(),
    }];
    assert!(upload_csv(&upsert(), &rows).is_err());
    assert!(upload_csv(&IngestOperation::Insert, &rows).is_ok());
}

#[test]
fn result_rows_read_ids_flags_and_errors() {
    let successful = successful_rows(
        b"\"sf__Id\",\"sf__Created\",NetSuite_Id__c,Name\n001dM00003kS3tNQAS,true,1042,Acme\n",
    )
    .unwrap();
    assert_eq!(successful[0].id.as_str(), "001dM00003kS3tNQAS");
    assert!(successful[0].created);
    assert_eq!(successful[0].row["NetSuite_Id__c"], "1042");
    let failed = failed_rows(
        b"\"sf__Id\",\"sf__Error\",NetSuite_Id__c,Name\n,\"REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --\",1043,\n",
    )
    .unwrap();
    assert_eq!(failed[0].id, None);
    assert_eq!(failed[0].error.code, "REQUIRED_FIELD_MISSING");
    assert_eq!(failed[0].row["NetSuite_Id__c"], "1043");
}
