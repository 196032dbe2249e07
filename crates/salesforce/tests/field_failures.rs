//! One test per kind of failure that users of other Salesforce clients reported, each named
//! after the failure and run against a fake org on 127.0.0.1 where a server takes part.

mod support;

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{TimeDelta, TimeZone, Utc};
use serde_json::{Value, json};
use support::{API, CLIENT_ID, FakeOrg, PRIVATE_KEY, Reply, USERNAME, account_id};
use tandem_engine::{ErrorClass, FieldValue, Fields, NewRecord, ObjectSpec, RecordPort, Secret};
use tandem_salesforce::api::bulk::csv_data::CLEAR_VALUE;
use tandem_salesforce::soql::datetime_literal;
use tandem_salesforce::{
    ChangeWindow, CompositeRequest, Error, FieldChanges, Login, Remedy, SalesforceId,
    SalesforcePort,
};

/// Serves `total` Accounts in pages of at most 2,000, as Salesforce does by default.
fn paged_accounts(total: usize) -> impl Fn(&support::Recorded) -> Reply {
    move |request| {
        let start = match request.path.rsplit_once('-') {
            Some((_, offset)) if request.path.contains("/query/") => offset.parse().unwrap(),
            _ => 0,
        };
        let end = (start + 2000).min(total);
        let records: Vec<Value> = (start..end)
            .map(|n| json!({"attributes": {"type": "Account"}, "Id": account_id(n)}))
            .collect();
        let mut body = json!({"totalSize": total, "done": end == total, "records": records});
        if end < total {
            body["nextRecordsUrl"] = json!(format!("{API}/query/01gLOCATOR-{end}"));
        }
        Reply::json(200, body)
    }
}

#[tokio::test]
async fn query_past_2000_rows_follows_next_records_url() {
    let org = FakeOrg::start(paged_accounts(4500)).await;

    let result = org.client().query("SELECT Id FROM Account").await.unwrap();

    let ids: BTreeSet<&str> = result
        .records
        .iter()
        .map(|record| record["Id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 4500);
    assert_eq!(org.authorized_requests().len(), 3, "three pages");
}

#[tokio::test]
async fn datetime_literal_plus_sign_arrives_intact() {
    let org =
        FakeOrg::start(|_| Reply::json(200, json!({"totalSize": 0, "done": true, "records": []})))
            .await;
    let soql = "SELECT Id FROM Account WHERE SystemModstamp >= 2017-03-21T12:11:06.000+00:00";

    org.client().query(soql).await.unwrap();

    let request = &org.authorized_requests()[0];
    assert!(request.query.as_deref().unwrap().contains("%2B00%3A00"));
    assert_eq!(
        request.param("q").as_deref(),
        Some(soql),
        "the + is not a space"
    );
}

#[test]
fn watermark_literal_has_no_space_offset_or_microseconds() {
    let at =
        Utc.with_ymd_and_hms(2021, 8, 11, 12, 52, 8).unwrap() + TimeDelta::microseconds(62_712);
    let literal = datetime_literal(at);
    assert_eq!(literal, "2021-08-11T12:52:08.062Z");
    assert!(!literal.contains(' '));
    assert!(!literal.contains('+'));
}

#[tokio::test]
async fn unfilterable_modstamp_falls_back_to_last_modified_date() {
    let org = FakeOrg::start(|_| {
        Reply::json(
            200,
            json!({"name": "ActivityFieldHistory", "fields": [
                {"name": "Id", "type": "id", "filterable": true},
                {"name": "SystemModstamp", "type": "datetime", "filterable": false},
                {"name": "LastModifiedDate", "type": "datetime", "filterable": true}
            ]}),
        )
    })
    .await;
    let client = org.client();

    let describe = client.describe("ActivityFieldHistory").await.unwrap();

    assert_eq!(describe.watermark_field().unwrap(), "LastModifiedDate");
    client.describe("activityfieldhistory").await.unwrap();
    assert_eq!(org.authorized_requests().len(), 1, "the describe is cached");
}

#[test]
fn late_commit_read_by_next_window() {
    let lag = TimeDelta::seconds(60);
    let first_read = Utc.with_ymd_and_hms(2024, 5, 6, 12, 0, 0).unwrap();
    let start = first_read - TimeDelta::hours(1);
    let first = ChangeWindow::until_lag(start, first_read, lag).unwrap();
    // A transaction stamped 30 s before the first read commits after it.
    let late_stamp = first_read - TimeDelta::seconds(30);
    assert!(
        !first.contains(late_stamp),
        "not yet visible, and not inside the first window"
    );
    let second =
        ChangeWindow::until_lag(first.end, first_read + TimeDelta::minutes(5), lag).unwrap();
    assert!(second.contains(late_stamp), "the next window reads it");
    assert_eq!(second.start, first.end);
}

#[test]
fn consecutive_windows_read_each_instant_once() {
    // A fixed linear congruential sequence gives repeatable pseudo-random stamps, with many
    // sharing a second, as bulk updates do.
    let base = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut seed: u64 = 42;
    let stamps: Vec<_> = (0..2_000)
        .map(|_| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            base + TimeDelta::seconds(((seed >> 33) % 3_600) as i64)
        })
        .collect();
    let mut seen = vec![0u32; stamps.len()];
    let mut start = base;
    for step in 1..=13 {
        let now = base + TimeDelta::minutes(5 * step) + TimeDelta::seconds(7);
        let Some(window) = ChangeWindow::until_lag(start, now, TimeDelta::seconds(30)) else {
            continue;
        };
        for (index, stamp) in stamps.iter().enumerate() {
            seen[index] += u32::from(window.contains(*stamp));
        }
        start = window.end;
    }
    assert!(
        seen.iter().all(|count| *count == 1),
        "every stamp in exactly one window"
    );
}

#[test]
fn short_and_long_ids_name_one_record() {
    let short = SalesforceId::parse("001dM00003kS3tN").unwrap();
    let long = SalesforceId::parse("001dM00003kS3tNQAS").unwrap();
    assert_eq!(short, long);
    let other_case = SalesforceId::parse("001dM00003ks3tN").unwrap();
    assert_ne!(short, other_case, "15-character Ids are case-sensitive");
    assert!(!short.as_str().eq_ignore_ascii_case(other_case.as_str()));
}

#[tokio::test]
async fn update_sends_only_present_fields_and_explicit_nulls() {
    let org = FakeOrg::start(|_| Reply::empty(204)).await;
    let mut changes = FieldChanges::new();
    changes.set("Phone", "+1 415 555 0100").clear("Website");

    org.client()
        .update(
            "Account",
            &SalesforceId::parse("001dM00003kS3tN").unwrap(),
            &changes,
        )
        .await
        .unwrap();

    let request = &org.authorized_requests()[0];
    assert_eq!(request.method, "PATCH");
    assert_eq!(
        request.json(),
        json!({"Phone": "+1 415 555 0100", "Website": null})
    );
}

#[test]
fn bulk_upload_clears_with_na() {
    let mut clear = FieldChanges::new();
    clear.clear("Phone").set("Name", "Acme");
    let mut leave = FieldChanges::new();
    leave.set("Name", "Globex");
    let rows = [
        tandem_salesforce::IngestRow {
            key: Some("1".into()),
            changes: clear,
        },
        tandem_salesforce::IngestRow {
            key: Some("2".into()),
            changes: leave,
        },
    ];
    let operation = tandem_salesforce::IngestOperation::Upsert {
        external_id_field: "NetSuite_Id__c".into(),
    };
    let csv = tandem_salesforce::api::bulk::ingest::upload_csv_text(&operation, &rows).unwrap();
    assert_eq!(
        csv,
        format!("NetSuite_Id__c,Name,Phone\n1,Acme,{CLEAR_VALUE}\n2,Globex,\n")
    );
}

fn empty_page(_: &support::Recorded) -> Reply {
    Reply::json(200, json!({"totalSize": 0, "done": true, "records": []}))
}

#[tokio::test]
async fn expired_session_logs_in_once_each() {
    let org = FakeOrg::start(empty_page).await;
    let client = org.client_with_login(Login::JwtBearer {
        client_id: CLIENT_ID.into(),
        username: USERNAME.into(),
        private_key: Secret::new(PRIVATE_KEY),
        audience: None,
    });

    for _ in 0..2 {
        client.query("SELECT Id FROM Account").await.unwrap();
        org.expire_token();
    }
    client.query("SELECT Id FROM Account").await.unwrap();

    assert_eq!(org.logins(), 3, "one login, then one per expiry");
    assert!(
        org.grants()
            .iter()
            .all(|grant| grant.ends_with("jwt-bearer"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn shared_session_relogs_once_and_is_never_revoked() {
    let org = FakeOrg::start(empty_page).await;
    let client = Arc::new(org.client());
    client.query("SELECT Id FROM Account").await.unwrap();
    org.expire_token();

    let workers: Vec<_> = (0..8)
        .map(|_| {
            let client = Arc::clone(&client);
            tokio::spawn(async move { client.query("SELECT Id FROM Account").await })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap().unwrap();
    }

    assert_eq!(org.logins(), 2, "one shared re-login for eight workers");
    assert!(org.requests().iter().all(|r| !r.path.contains("revoke")));
}

#[tokio::test]
async fn daily_limit_stops_while_concurrent_limit_retries() {
    let daily = json!([{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit exceeded."}]);
    let org = FakeOrg::start(move |_| Reply::json(403, daily.clone())).await;
    let error = org
        .client()
        .query("SELECT Id FROM Account")
        .await
        .unwrap_err();
    assert_eq!(error.remedy(), Remedy::WaitForBudget);
    assert_eq!(
        error.class(),
        ErrorClass::Budget,
        "the pass stops instead of retrying"
    );

    let concurrent = Error::Api {
        status: 403,
        errors: vec![tandem_salesforce::ErrorDetail {
            code: "REQUEST_LIMIT_EXCEEDED".into(),
            message: "ConcurrentRequests (Concurrent API Requests) Limit exceeded.".into(),
            fields: Vec::new(),
        }],
    };
    assert_eq!(concurrent.remedy(), Remedy::RetryLater);
}

#[tokio::test]
async fn budget_reserve_stops_calls_before_the_limit() {
    let org = FakeOrg::start(empty_page).await;
    org.set_usage(13_499, 15_000);
    let client = org.client();

    client.query("SELECT Id FROM Account").await.unwrap();
    let budget = client.budget();
    assert_eq!(budget.usage.unwrap().used, 13_500);
    assert!(budget.is_exhausted());
    let error = client.query("SELECT Id FROM Account").await.unwrap_err();

    assert!(matches!(
        error,
        Error::BudgetExhausted {
            used: 13_500,
            max: 15_000,
            ..
        }
    ));
    assert_eq!(error.remedy(), Remedy::WaitForBudget);
    assert_eq!(
        org.authorized_requests().len(),
        1,
        "the refused call is not sent"
    );
}

#[tokio::test]
async fn ambiguous_upsert_names_candidate_ids() {
    let org = FakeOrg::start(|_| {
        Reply::json(
            300,
            json!([
                format!("{API}/sobjects/Lead/{}", "00Q5e00000AbCdEEAV"),
                format!("{API}/sobjects/Lead/{}", "00Q5e00000AbCdFEAV")
            ]),
        )
    })
    .await;

    let error = org
        .client()
        .upsert("Lead", "Email__c", "ann@example.com", &FieldChanges::new())
        .await
        .unwrap_err();

    let Error::MultipleChoices { ids } = &error else {
        panic!("expected MultipleChoices, got {error:?}");
    };
    assert_eq!(ids, &["00Q5e00000AbCdEEAV", "00Q5e00000AbCdFEAV"]);
    assert_eq!(error.remedy(), Remedy::FixData);
}

/// Keeps Accounts by external ID and commits each upsert. With a delay set, the response
/// arrives after the client's timeout, as a slow success does.
fn slow_first_upsert(
    store: Arc<Mutex<HashMap<String, usize>>>,
) -> impl Fn(&support::Recorded) -> Reply {
    move |request| {
        let mut store = store.lock().unwrap();
        let records = request.json()["records"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let results: Vec<Value> = records
            .iter()
            .map(|record| {
                let key = record["NetSuite_Id__c"].as_str().unwrap().to_string();
                let next = store.len() + 1;
                let created = !store.contains_key(&key);
                let number = *store.entry(key).or_insert(next);
                json!({"id": account_id(number), "success": true, "errors": [], "created": created})
            })
            .collect();
        Reply::json(200, json!(results))
    }
}

#[tokio::test]
async fn create_retried_after_timeout_does_not_duplicate() {
    let store = Arc::new(Mutex::new(HashMap::new()));
    let org = FakeOrg::start(slow_first_upsert(Arc::clone(&store))).await;
    let config = tandem_salesforce::SalesforceConfig {
        timeout: Duration::from_millis(300),
        ..org.config(support::CLIENT_SECRET)
    };
    let port = SalesforcePort::new(tandem_salesforce::SalesforceClient::new(config).unwrap());
    let spec = ObjectSpec {
        name: "Account".into(),
        link_field: "NetSuite_Id__c".into(),
        fields: vec!["Name".into()],
    };
    let record = || NewRecord {
        link: "1042".into(),
        fields: [("Name".to_string(), FieldValue::Text("Acme".into()))]
            .into_iter()
            .collect::<Fields>(),
    };
    port.identity().await.unwrap();
    org.set_delay(Duration::from_millis(600));

    let first = port.create(&spec, vec![record()]).await.unwrap_err();
    assert_eq!(
        first.class,
        ErrorClass::Transient,
        "a timeout is retried later"
    );
    org.set_delay(Duration::ZERO);
    let second = port.create(&spec, vec![record()]).await.unwrap();

    assert_eq!(
        store.lock().unwrap().len(),
        1,
        "one Account despite two sends"
    );
    assert_eq!(second[0].as_ref().unwrap().id, account_id(1));
}

#[tokio::test]
async fn composite_http_200_with_failed_subrequests_is_checked() {
    let body = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../corpus/salesforce/apache__camel/composite_response_example_failure.json"
    ))
    .unwrap();
    let org = FakeOrg::start(move |_| Reply::json(200, serde_json::from_str(&body).unwrap())).await;
    let mut changes = FieldChanges::new();
    changes.set("Amount__c", 10);
    let request = CompositeRequest::new(true)
        .create("NewPayment1", "Payment__c", &changes)
        .create("NewPayment2", "Payment__c", &changes);

    let results = org.client().composite(&request).await.unwrap();

    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|result| result.result().is_err()));
    assert_eq!(results[0].result().unwrap_err().code(), "PROCESSING_HALTED");
    assert_eq!(results[1].result().unwrap_err().code(), "INVALID_FIELD");
    let sent = &org.authorized_requests()[0];
    assert_eq!(sent.json()["allOrNone"], true);
    assert_eq!(sent.header("sforce-call-options"), Some("client=tandem"));
}

#[tokio::test]
async fn locked_row_is_retried_later() {
    let org = FakeOrg::start(|_| {
        Reply::json(200, json!([
            {"id": account_id(1), "success": true, "errors": []},
            {"success": false, "errors": [{"statusCode": "UNABLE_TO_LOCK_ROW",
              "message": "unable to obtain exclusive access to this record or 1 records", "fields": []}]}
        ]))
    })
    .await;
    let records = [FieldChanges::new(), FieldChanges::new()];

    let results = org
        .client()
        .create_collection("Contact", &records)
        .await
        .unwrap();

    assert!(results[0].is_ok());
    let locked = results[1].as_ref().unwrap_err();
    assert_eq!(locked.remedy(), Remedy::RetryLater);
    assert_eq!(locked.class(), ErrorClass::Transient);
}

#[tokio::test]
async fn writes_carry_call_options_and_reads_do_not() {
    let org = FakeOrg::start(|request| match request.method.as_str() {
        "GET" => Reply::json(200, json!({"totalSize": 0, "done": true, "records": []})),
        "DELETE" | "PATCH" if !request.path.contains("composite") => Reply::empty(204),
        "POST" if request.path.ends_with("/sobjects/Account") => Reply::json(
            201,
            json!({"id": account_id(1), "success": true, "errors": []}),
        ),
        _ => Reply::json(
            200,
            json!([{"id": account_id(1), "success": true, "errors": [], "created": true}]),
        ),
    })
    .await;
    let client = org.client();
    let id = SalesforceId::parse(&account_id(1)).unwrap();
    let mut changes = FieldChanges::new();
    changes.set("Name", "Acme");

    client.query("SELECT Id FROM Account").await.unwrap();
    client.create("Account", &changes).await.unwrap();
    client.update("Account", &id, &changes).await.unwrap();
    client.delete("Account", &id).await.unwrap();
    client
        .delete_collection(std::slice::from_ref(&id))
        .await
        .unwrap();
    client
        .upsert_collection(
            "Account",
            "NetSuite_Id__c",
            &[tandem_salesforce::UpsertRecord {
                external_id: "1".into(),
                changes: changes.clone(),
            }],
        )
        .await
        .unwrap();

    for request in org.authorized_requests() {
        let tag = request.header("sforce-call-options");
        match request.method.as_str() {
            "GET" => assert_eq!(tag, None, "{}", request.path),
            _ => assert_eq!(
                tag,
                Some("client=tandem"),
                "{} {}",
                request.method,
                request.path
            ),
        }
    }
    assert_eq!(org.authorized_requests().len(), 6);
}
