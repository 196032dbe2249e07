//! sObject Collections writes of several calls against a fake org on 127.0.0.1: calls in
//! flight at once, results in input order, a failed call's records, re-login and the API
//! budget.

mod support;

use std::time::Duration;

use serde_json::{Value, json};
use support::{CLIENT_SECRET, FakeOrg, Recorded, Reply, account_id};
use tandem_engine::ErrorClass;
use tandem_salesforce::{Error, RecordPatch, SalesforceClient, SalesforceId, UpsertRecord};

/// Returns a client of `org` that sends up to `concurrency` collection calls at once.
fn client(org: &FakeOrg, concurrency: usize) -> SalesforceClient {
    let config = tandem_salesforce::SalesforceConfig {
        collection_concurrency: concurrency,
        ..org.config(CLIENT_SECRET)
    };
    SalesforceClient::new(config).unwrap()
}

/// Returns updates of the Accounts numbered `0..count`.
fn patches(count: usize) -> Vec<RecordPatch> {
    (0..count)
        .map(|n| RecordPatch {
            id: SalesforceId::parse(&account_id(n)).unwrap(),
            changes: [("Name", format!("Account {n}"))].into_iter().collect(),
        })
        .collect()
}

/// Returns the Id of the first record of a collection request body.
fn first_id(request: &Recorded) -> String {
    request.json()["records"][0]["Id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Succeeds for every record of a collection update, echoing its Id.
fn updated(request: &Recorded) -> Reply {
    let results: Vec<Value> = request.json()["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|record| json!({"id": record["Id"], "success": true, "errors": []}))
        .collect();
    Reply::json(200, json!(results))
}

/// Returns the 0-based numbers of the calls that the org received, taken from the first
/// record of each, in arrival order.
fn call_numbers(org: &FakeOrg) -> Vec<usize> {
    org.authorized_requests()
        .iter()
        .map(|request| {
            let first = first_id(request);
            (0..10_000)
                .step_by(200)
                .position(|n| account_id(n) == first)
                .unwrap()
        })
        .collect()
}

#[tokio::test]
async fn update_collection_keeps_input_order() {
    // The reply to the first call comes last, so the calls finish in another order than they
    // started.
    let org = FakeOrg::start(|request| {
        let reply = updated(request);
        match first_id(request) == account_id(0) {
            true => reply.with_delay(Duration::from_millis(300)),
            false => reply,
        }
    })
    .await;
    let client = client(&org, 4);

    let results = client
        .update_collection("Account", &patches(1000))
        .await
        .unwrap();

    assert_eq!(results.len(), 1000);
    for (n, result) in results.iter().enumerate() {
        assert_eq!(
            result.as_ref().unwrap().as_str(),
            account_id(n),
            "record {n}"
        );
    }
    assert_eq!(org.authorized_requests().len(), 5);
}

#[tokio::test]
async fn update_collection_respects_concurrency() {
    let org = FakeOrg::start(updated).await;
    org.set_delay(Duration::from_millis(100));
    let client = client(&org, 3);

    let results = client
        .update_collection("Account", &patches(2000))
        .await
        .unwrap();

    assert_eq!(results.len(), 2000);
    assert_eq!(org.authorized_requests().len(), 10);
    assert_eq!(org.max_in_flight(), 3);
}

#[tokio::test]
async fn concurrency_of_one_sends_in_order() {
    let org = FakeOrg::start(updated).await;
    org.set_delay(Duration::from_millis(20));
    let client = client(&org, 1);

    client
        .update_collection("Account", &patches(600))
        .await
        .unwrap();

    assert_eq!(org.max_in_flight(), 1);
    assert_eq!(call_numbers(&org), [0, 1, 2]);
}

#[tokio::test]
async fn failed_call_fails_its_own_records() {
    let org = FakeOrg::start(|request| match first_id(request) == account_id(200) {
        true => Reply::json(
            503,
            json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "try again later"}]),
        ),
        false => updated(request),
    })
    .await;
    let client = client(&org, 4);

    let results = client
        .update_collection("Account", &patches(1000))
        .await
        .unwrap();

    assert_eq!(results.len(), 1000);
    for (n, result) in results.iter().enumerate() {
        match (200..400).contains(&n) {
            true => {
                let error = result.as_ref().unwrap_err();
                assert_eq!(error.code(), "SERVER_UNAVAILABLE", "record {n}");
                assert_eq!(error.class(), ErrorClass::Transient, "record {n}");
            }
            false => assert_eq!(
                result.as_ref().unwrap().as_str(),
                account_id(n),
                "record {n}"
            ),
        }
    }
}

#[tokio::test]
async fn every_call_failed_fails_the_write() {
    let org = FakeOrg::start(|_| {
        Reply::json(
            503,
            json!([{"errorCode": "SERVER_UNAVAILABLE", "message": "try again later"}]),
        )
    })
    .await;
    let client = client(&org, 4);

    let error = client
        .update_collection("Account", &patches(450))
        .await
        .unwrap_err();

    assert_eq!(error.code(), "SERVER_UNAVAILABLE");
    assert_eq!(org.authorized_requests().len(), 3);
}

#[tokio::test]
async fn configuration_error_stops_the_write() {
    let org = FakeOrg::start(|_| {
        Reply::json(
            400,
            json!([{"errorCode": "INVALID_FIELD", "message": "No such column 'Name' on sobject"}]),
        )
    })
    .await;
    let client = client(&org, 1);

    let error = client
        .update_collection("Account", &patches(1000))
        .await
        .unwrap_err();

    assert_eq!(error.code(), "INVALID_FIELD");
    assert_eq!(error.class(), ErrorClass::Config);
    assert_eq!(
        org.authorized_requests().len(),
        1,
        "no call starts after the first one failed"
    );
}

#[tokio::test]
async fn concurrent_calls_log_in_again_once() {
    let org = FakeOrg::start(updated).await;
    org.set_delay(Duration::from_millis(50));
    let client = client(&org, 4);
    client
        .update_collection("Account", &patches(1))
        .await
        .unwrap();
    org.expire_token();

    let results = client
        .update_collection("Account", &patches(1000))
        .await
        .unwrap();

    assert!(results.iter().all(Result::is_ok));
    assert_eq!(org.logins(), 2, "the rejected calls share one new login");
    let mut numbers = call_numbers(&org);
    numbers.sort();
    assert_eq!(
        numbers,
        [0, 0, 1, 2, 3, 4],
        "the first write's call, then each call of the second once with the new token"
    );
}

#[tokio::test]
async fn calls_in_flight_count_against_the_budget() {
    let org = FakeOrg::start(updated).await;
    org.set_delay(Duration::from_millis(50));
    // The first call reports 13,498 of 15,000 used, which leaves 2 of the 13,500 that a
    // reserve of 10% allows.
    org.set_usage(13_497, 15_000);
    let client = client(&org, 4);
    client
        .update_collection("Account", &patches(1))
        .await
        .unwrap();

    let error = client
        .update_collection("Account", &patches(1000))
        .await
        .unwrap_err();

    assert!(matches!(error, Error::BudgetExhausted { .. }), "{error:?}");
    assert_eq!(
        org.authorized_requests().len(),
        3,
        "the first write's call and two calls of the second"
    );
    assert_eq!(client.limit_info().unwrap().used, 13_500);
}

#[tokio::test]
async fn upsert_collection_keeps_input_order() {
    let org = FakeOrg::start(|request| {
        let results: Vec<Value> = request.json()["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|record| {
                let n: usize = record["NetSuite_Id__c"].as_str().unwrap().parse().unwrap();
                json!({"id": account_id(n), "success": true, "errors": [], "created": n.is_multiple_of(2)})
            })
            .collect();
        let slow = results
            .first()
            .is_some_and(|first| first["id"] == account_id(0));
        let reply = Reply::json(200, json!(results));
        match slow {
            true => reply.with_delay(Duration::from_millis(200)),
            false => reply,
        }
    })
    .await;
    let client = client(&org, 4);
    let records: Vec<UpsertRecord> = (0..450)
        .map(|n| UpsertRecord {
            external_id: n.to_string(),
            changes: [("Name", format!("Account {n}"))].into_iter().collect(),
        })
        .collect();

    let results = client
        .upsert_collection("Account", "NetSuite_Id__c", &records)
        .await
        .unwrap();

    assert_eq!(results.len(), 450);
    for (n, result) in results.iter().enumerate() {
        let upserted = result.as_ref().unwrap();
        assert_eq!(upserted.id.as_str(), account_id(n), "record {n}");
        assert_eq!(upserted.created, n.is_multiple_of(2), "record {n}");
    }
}

#[tokio::test]
async fn delete_collection_keeps_input_order() {
    let org = FakeOrg::start(|request| {
        let ids = request.param("ids").unwrap();
        let results: Vec<Value> = ids
            .split(',')
            .map(|id| json!({"id": id, "success": true, "errors": []}))
            .collect();
        let slow = ids.starts_with(&account_id(0));
        let reply = Reply::json(200, json!(results));
        match slow {
            true => reply.with_delay(Duration::from_millis(200)),
            false => reply,
        }
    })
    .await;
    let client = client(&org, 4);
    let ids: Vec<SalesforceId> = patches(401).into_iter().map(|patch| patch.id).collect();

    let results = client.delete_collection(&ids).await.unwrap();

    let deleted: Vec<&str> = results
        .iter()
        .map(|result| result.as_ref().unwrap().as_str())
        .collect();
    let expected: Vec<String> = (0..401).map(account_id).collect();
    assert_eq!(deleted, expected);
    assert_eq!(org.authorized_requests().len(), 3);
}
