//! Bulk API 2.0 ingest and query jobs, and the automatic switch to them above the bulk
//! threshold, against a fake org on 127.0.0.1.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use serde_json::json;
use support::{API, CLIENT_SECRET, FakeOrg, Reply, account_id};
use tandem_engine::ErrorClass;
use tandem_salesforce::soql::SoqlQuery;
use tandem_salesforce::{
    Error, FieldChanges, IngestOperation, IngestRow, SalesforceClient, SalesforceConfig,
    UpsertRecord,
};

const JOB: &str = "7505f000004C2AAM";

/// Returns a client with a bulk threshold of `threshold` records and fast polling.
fn bulk_client(org: &FakeOrg, threshold: usize) -> SalesforceClient {
    let config = SalesforceConfig {
        bulk_threshold: threshold,
        bulk_poll_interval: Duration::from_millis(5),
        bulk_timeout: Duration::from_secs(5),
        ..org.config(CLIENT_SECRET)
    };
    SalesforceClient::new(config).unwrap()
}

fn job_body(state: &str) -> serde_json::Value {
    json!({"id": JOB, "state": state, "object": "Account", "operation": "upsert",
           "numberRecordsProcessed": 3, "numberRecordsFailed": 1})
}

/// Responds as an ingest job that is `InProgress` on the first poll and `JobComplete` after,
/// with one record created, one updated and one rejected.
fn ingest_replies(polls: Arc<AtomicU32>) -> impl Fn(&support::Recorded) -> Reply {
    move |request| {
        let ingest = format!("{API}/jobs/ingest");
        let job = format!("{ingest}/{JOB}");
        match (request.method.as_str(), request.path.as_str()) {
            ("POST", path) if path == ingest => Reply::json(200, job_body("Open")),
            ("PUT", path) if path == format!("{job}/batches") => Reply::empty(201),
            ("PATCH", path) if path == job => Reply::json(200, job_body("UploadComplete")),
            ("GET", path) if path == job => match polls.fetch_add(1, Ordering::SeqCst) {
                0 => Reply::json(200, job_body("InProgress")),
                _ => Reply::json(200, job_body("JobComplete")),
            },
            ("GET", path) if path == format!("{job}/successfulResults/") => Reply::csv(&format!(
                "\"sf__Id\",\"sf__Created\",NetSuite_Id__c,Name\n{},true,3,Gamma\n{},false,1,Alpha\n",
                account_id(3),
                account_id(1)
            )),
            ("GET", path) if path == format!("{job}/failedResults/") => Reply::csv(
                "\"sf__Id\",\"sf__Error\",NetSuite_Id__c,Name\n,\"STRING_TOO_LONG:Name: data value too large\",2,#N/A\n",
            ),
            ("GET", path) if path == format!("{job}/unprocessedrecords/") => {
                Reply::csv("NetSuite_Id__c,Name\n")
            }
            _ => Reply::json(
                404,
                json!([{"errorCode": "NOT_FOUND", "message": request.path}]),
            ),
        }
    }
}

fn upsert_record(key: &str, name: Option<&str>) -> UpsertRecord {
    let mut changes = FieldChanges::new();
    match name {
        Some(name) => changes.set("Name", name),
        None => changes.clear("Name"),
    };
    UpsertRecord {
        external_id: key.into(),
        changes,
    }
}

#[tokio::test]
async fn upsert_records_above_threshold_uses_ingest_job() {
    let polls = Arc::new(AtomicU32::new(0));
    let org = FakeOrg::start(ingest_replies(Arc::clone(&polls))).await;
    let client = bulk_client(&org, 2);
    let records = [
        upsert_record("1", Some("Alpha")),
        upsert_record("2", None),
        upsert_record("3", Some("Gamma")),
    ];

    let results = client
        .upsert_records("Account", "NetSuite_Id__c", &records)
        .await
        .unwrap();

    assert_eq!(results.len(), 3);
    let first = results[0].as_ref().unwrap();
    assert_eq!(first.id.as_str(), account_id(1));
    assert!(!first.created);
    let rejected = results[1].as_ref().unwrap_err();
    assert_eq!(rejected.code(), "STRING_TOO_LONG");
    assert_eq!(rejected.class(), ErrorClass::Data);
    assert!(results[2].as_ref().unwrap().created);
    assert_eq!(polls.load(Ordering::SeqCst), 2, "polled until JobComplete");

    let requests = org.authorized_requests();
    let create = &requests[0];
    assert_eq!(create.json()["externalIdFieldName"], "NetSuite_Id__c");
    assert_eq!(create.header("sforce-call-options"), Some("client=tandem"));
    let upload = &requests[1];
    assert_eq!(upload.header("content-type"), Some("text/csv"));
    assert_eq!(
        String::from_utf8(upload.body.to_vec()).unwrap(),
        "NetSuite_Id__c,Name\n1,Alpha\n2,#N/A\n3,Gamma\n"
    );
    assert_eq!(requests[2].json(), json!({"state": "UploadComplete"}));
}

#[tokio::test]
async fn upsert_records_at_threshold_uses_collections() {
    let org = FakeOrg::start(|request| {
        let records = request.json()["records"].as_array().unwrap().len();
        let results: Vec<_> = (0..records)
            .map(|n| json!({"id": account_id(n), "success": true, "errors": [], "created": true}))
            .collect();
        Reply::json(200, json!(results))
    })
    .await;
    let client = bulk_client(&org, 3);
    let records = [
        upsert_record("1", Some("Alpha")),
        upsert_record("2", Some("Beta")),
        upsert_record("3", Some("Gamma")),
    ];

    let results = client
        .upsert_records("Account", "NetSuite_Id__c", &records)
        .await
        .unwrap();

    assert!(results.iter().all(Result::is_ok));
    let paths: Vec<String> = org
        .authorized_requests()
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(
        paths,
        [format!("{API}/composite/sobjects/Account/NetSuite_Id__c")]
    );
}

#[tokio::test]
async fn failed_ingest_job_still_reports_each_record() {
    let org = FakeOrg::start(|request| {
        let job = format!("{API}/jobs/ingest/{JOB}");
        match (request.method.as_str(), request.path.as_str()) {
            ("POST", _) => Reply::json(200, job_body("Open")),
            ("PUT", _) => Reply::empty(201),
            ("PATCH", _) => Reply::json(200, job_body("UploadComplete")),
            ("GET", path) if path == job => Reply::json(200, job_body("Failed")),
            ("GET", path) if path.ends_with("/unprocessedrecords/") => {
                Reply::csv("Id,Name\n001dM00003kS3tNQAS,Acme\n")
            }
            ("GET", path) if path.ends_with("/successfulResults/") => {
                Reply::csv("\"sf__Id\",\"sf__Created\",Id,Name\n")
            }
            _ => Reply::csv("\"sf__Id\",\"sf__Error\",Id,Name\n"),
        }
    })
    .await;
    let client = bulk_client(&org, 0);
    let mut changes = FieldChanges::new();
    changes.set("Name", "Acme");
    let rows = [IngestRow {
        key: Some("001dM00003kS3tNQAS".into()),
        changes,
    }];

    let outcome = client
        .bulk_ingest("Account", &IngestOperation::Update, &rows)
        .await
        .unwrap();

    assert_eq!(outcome.job.state.as_str(), "Failed");
    assert!(outcome.successful.is_empty());
    assert_eq!(outcome.unprocessed.len(), 1);
    assert_eq!(outcome.unprocessed[0]["Name"], "Acme");
}

#[tokio::test]
async fn ingest_job_that_never_ends_times_out() {
    let org = FakeOrg::start(|request| match request.method.as_str() {
        "PUT" => Reply::empty(201),
        _ => Reply::json(200, job_body("InProgress")),
    })
    .await;
    let config = SalesforceConfig {
        bulk_poll_interval: Duration::from_millis(5),
        bulk_timeout: Duration::from_millis(60),
        ..org.config(CLIENT_SECRET)
    };
    let client = SalesforceClient::new(config).unwrap();
    let rows = [IngestRow {
        key: None,
        changes: FieldChanges::new(),
    }];

    let error = client
        .bulk_ingest("Account", &IngestOperation::Insert, &rows)
        .await
        .unwrap_err();

    assert!(
        matches!(&error, Error::BulkJob { state, .. } if state == "InProgress"),
        "{error:?}"
    );
    assert_eq!(error.class(), ErrorClass::Transient);
    let polls = org
        .authorized_requests()
        .iter()
        .filter(|r| r.method == "GET")
        .count();
    assert!((2..=20).contains(&polls), "bounded polling, got {polls}");
}

/// Responds as a query whose first REST page reports more rows than the threshold, then as a
/// query job whose results come in two CSV pages.
fn large_query_replies(request: &support::Recorded) -> Reply {
    let job = format!("{API}/jobs/query/{JOB}");
    match (request.method.as_str(), request.path.as_str()) {
        ("GET", path) if path == format!("{API}/queryAll") => Reply::json(
            200,
            json!({"totalSize": 3, "done": false, "nextRecordsUrl": format!("{API}/query/01g-1"),
                   "records": [{"Id": account_id(1)}]}),
        ),
        ("GET", path) if path == format!("{API}/sobjects/Account/describe") => Reply::json(
            200,
            json!({"name": "Account", "fields": [
                {"name": "Id", "type": "id"},
                {"name": "NumberOfEmployees", "type": "int"},
                {"name": "IsDeleted", "type": "boolean"}
            ]}),
        ),
        ("POST", path) if path == format!("{API}/jobs/query") => Reply::json(
            200,
            json!({"id": JOB, "state": "UploadComplete", "operation": "query"}),
        ),
        ("GET", path) if path == job => {
            Reply::json(200, json!({"id": JOB, "state": "JobComplete"}))
        }
        ("GET", path) if path == format!("{job}/results") => match request.param("locator") {
            None => Reply::csv(&format!(
                "Id,NumberOfEmployees,IsDeleted,Owner.Name\n{},12,false,Ada\n{},,true,\n",
                account_id(1),
                account_id(2)
            ))
            .with_header("Sforce-Locator", "MTAwMDA")
            .with_header("Sforce-NumberOfRecords", "2"),
            Some(_) => Reply::csv(&format!(
                "Id,NumberOfEmployees,IsDeleted,Owner.Name\n{},7,false,Grace\n",
                account_id(3)
            ))
            .with_header("Sforce-Locator", "null"),
        },
        _ => Reply::json(
            404,
            json!([{"errorCode": "NOT_FOUND", "message": request.path}]),
        ),
    }
}

#[tokio::test]
async fn read_records_above_threshold_uses_query_job() {
    let org = FakeOrg::start(large_query_replies).await;
    let client = bulk_client(&org, 2);
    let query =
        SoqlQuery::select(["Id", "NumberOfEmployees", "IsDeleted", "Owner.Name"]).from("Account");

    let records = client.read_records(&query, true).await.unwrap();

    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["Id"], json!(account_id(1)));
    assert_eq!(records[0]["NumberOfEmployees"], json!(12));
    assert_eq!(records[0]["IsDeleted"], json!(false));
    assert_eq!(records[0]["Owner"]["Name"], json!("Ada"));
    assert_eq!(records[1]["NumberOfEmployees"], serde_json::Value::Null);
    assert_eq!(records[2]["Owner"]["Name"], json!("Grace"));
    let requests = org.authorized_requests();
    let job_request = requests
        .iter()
        .find(|r| r.path == format!("{API}/jobs/query"))
        .unwrap();
    assert_eq!(job_request.json()["operation"], "queryAll");
    assert_eq!(
        job_request.json()["query"],
        "SELECT Id, NumberOfEmployees, IsDeleted, Owner.Name FROM Account"
    );
    assert!(
        requests.iter().all(|r| !r.path.ends_with("/query/01g-1")),
        "the REST cursor is not followed once the job takes over"
    );
}
