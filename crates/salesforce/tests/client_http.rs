//! The client against a fake org on 127.0.0.1: paging, re-login, collections, upsert
//! outcomes, login errors, timeouts and API usage.

mod support;

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use support::{API, CLIENT_SECRET, FakeOrg, Reply, account_id};
use tandem_engine::ErrorClass;
use tandem_salesforce::{Error, FieldChanges, RecordPatch, SalesforceClient, SalesforceId};

/// Replies to the first query and two `nextRecordsUrl` pages with five Accounts in all.
fn three_pages(request: &support::Recorded) -> Reply {
    let record = |n: usize| {
        json!({
            "attributes": {
                "type": "Account",
                "url": format!("{API}/sobjects/Account/{}", account_id(n))
            },
            "Id": account_id(n),
            "Name": format!("Account {n}")
        })
    };
    let page = |records: Vec<serde_json::Value>, next: Option<&str>| {
        let mut body = json!({"totalSize": 5, "done": next.is_none(), "records": records});
        if let Some(next) = next {
            body["nextRecordsUrl"] = json!(next);
        }
        Reply::json(200, body)
    };
    match request.path.as_str() {
        path if path == format!("{API}/query") => page(
            vec![record(1), record(2)],
            Some("/services/data/v62.0/query/01gRO0000016PIAYA2-2000"),
        ),
        "/services/data/v62.0/query/01gRO0000016PIAYA2-2000" => page(
            vec![record(3), record(4)],
            Some("/services/data/v62.0/query/01gRO0000016PIAYA2-4000"),
        ),
        "/services/data/v62.0/query/01gRO0000016PIAYA2-4000" => page(vec![record(5)], None),
        other => Reply::json(404, json!([{"errorCode": "NOT_FOUND", "message": other}])),
    }
}

#[tokio::test]
async fn query_follows_three_pages() {
    let org = FakeOrg::start(three_pages).await;
    let client = org.client();
    let soql = "SELECT Id, Name FROM Account WHERE Name != 'x+y'";

    let result = client.query(soql).await.unwrap();

    assert_eq!(result.total_size, 5);
    assert!(result.done);
    assert_eq!(result.next_records_url, None);
    let names: Vec<&str> = result
        .records
        .iter()
        .map(|record| record["Name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "Account 1",
            "Account 2",
            "Account 3",
            "Account 4",
            "Account 5"
        ]
    );
    let requests = org.requests();
    let paths: Vec<&str> = requests
        .iter()
        .map(|request| request.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "/services/data/v62.0/query",
            "/services/data/v62.0/query/01gRO0000016PIAYA2-2000",
            "/services/data/v62.0/query/01gRO0000016PIAYA2-4000",
        ]
    );
    assert_eq!(requests[0].param("q").as_deref(), Some(soql));
    assert_eq!(requests[1].query, None);
    assert_eq!(org.logins(), 1);
}

#[tokio::test]
async fn query_logs_in_again_after_expired_session() {
    let org = FakeOrg::start(three_pages).await;
    let client = org.client();
    client.query("SELECT Id FROM Account").await.unwrap();
    org.expire_token();

    let result = client.query("SELECT Id FROM Account").await.unwrap();

    assert_eq!(result.records.len(), 5);
    assert_eq!(org.logins(), 2);
    let requests = org.requests();
    assert_eq!(requests.len(), 7, "3 pages, 1 rejected request, 3 pages");
    assert!(!requests[3].authorized);
    assert_eq!(
        requests[3].path, requests[4].path,
        "the rejected request is replayed once"
    );
    assert!(requests[4].authorized);
}

#[tokio::test]
async fn second_invalid_session_is_config_error() {
    let org = FakeOrg::start(|_| {
        Reply::json(
            401,
            json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]),
        )
    })
    .await;
    let client = org.client();

    let error = client.query("SELECT Id FROM Account").await.unwrap_err();

    assert!(matches!(&error, Error::Api { status: 401, errors }
            if errors[0].code == "INVALID_SESSION_ID"));
    assert_eq!(error.class(), ErrorClass::Config);
    assert_eq!(org.logins(), 2, "one login, then exactly one re-login");
    assert_eq!(
        org.requests().len(),
        2,
        "the request and exactly one replay"
    );
    assert!(!error.to_string().contains("token-"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_expired_requests_share_one_login() {
    let org = FakeOrg::start(three_pages).await;
    let client = Arc::new(org.client());
    client.query("SELECT Id FROM Account").await.unwrap();
    org.expire_token();
    org.set_delay(Duration::from_millis(50));

    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let client = Arc::clone(&client);
            tokio::spawn(async move { client.query("SELECT Id FROM Account").await })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().records.len(), 5);
    }

    assert_eq!(org.logins(), 2);
}

#[tokio::test]
async fn wrong_client_secret_is_oauth_error() {
    let org = FakeOrg::start(three_pages).await;
    let client = org.client_with_secret("wrong-secret");

    let error = client.query("SELECT Id FROM Account").await.unwrap_err();

    let Error::OAuth {
        flow: _,
        status,
        code,
        description,
    } = &error
    else {
        panic!("expected an OAuth error, got {error:?}");
    };
    assert_eq!(*status, 400);
    assert_eq!(code, "invalid_client");
    assert_eq!(description, "invalid client credentials");
    assert_eq!(error.class(), ErrorClass::Config);
    assert!(!error.to_string().contains("wrong-secret"), "{error}");
    assert!(!error.to_string().contains(CLIENT_SECRET), "{error}");
    assert!(org.requests().is_empty());
}

/// Fails records without a Name and creates or updates the others.
fn collection_replies(request: &support::Recorded) -> Reply {
    let body = request.json();
    let results: Vec<serde_json::Value> = body["records"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(index, record)| match record.get("Name") {
            Some(serde_json::Value::String(_)) => json!({
                "id": record.get("Id").cloned().unwrap_or(json!(account_id(100 + index))),
                "success": true,
                "errors": []
            }),
            _ => json!({
                "success": false,
                "errors": [{
                    "statusCode": "REQUIRED_FIELD_MISSING",
                    "message": "Required fields are missing: [Name]",
                    "fields": ["Name"]
                }]
            }),
        })
        .collect();
    Reply::json(200, json!(results))
}

#[tokio::test]
async fn create_collection_reports_mixed_results() {
    let org = FakeOrg::start(collection_replies).await;
    let client = org.client();
    let named: FieldChanges = [("Name", "Acme")].into_iter().collect();
    let unnamed: FieldChanges = [("Phone", "555-0100")].into_iter().collect();

    let results = client
        .create_collection("Account", &[named.clone(), unnamed, named])
        .await
        .unwrap();

    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap().as_str(), account_id(100));
    let error = results[1].as_ref().unwrap_err();
    assert!(matches!(error, Error::Record { errors } if errors[0].fields == ["Name"]));
    assert_eq!(error.code(), "REQUIRED_FIELD_MISSING");
    assert_eq!(error.class(), ErrorClass::Data);
    assert_eq!(results[2].as_ref().unwrap().as_str(), account_id(102));
    let request = &org.authorized_requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/services/data/v62.0/composite/sobjects");
    assert_eq!(request.header("sforce-call-options"), Some("client=tandem"));
    assert_eq!(request.json()["allOrNone"], json!(false));
    assert_eq!(
        request.json()["records"][1],
        json!({"attributes": {"type": "Account"}, "Phone": "555-0100"})
    );
}

#[tokio::test]
async fn update_collection_splits_into_chunks_of_200() {
    let org = FakeOrg::start(collection_replies).await;
    let client = org.client();
    let patches: Vec<RecordPatch> = (0..450)
        .map(|n| RecordPatch {
            id: SalesforceId::parse(&account_id(n)).unwrap(),
            changes: [("Name", format!("Account {n}"))].into_iter().collect(),
        })
        .collect();

    let results = client.update_collection("Account", &patches).await.unwrap();

    assert_eq!(results.len(), 450);
    assert_eq!(results[449].as_ref().unwrap().as_str(), account_id(449));
    let mut requests = org.authorized_requests();
    requests.sort_by_key(|request| request.json()["records"][0]["Id"].to_string());
    let sizes: Vec<usize> = requests
        .iter()
        .map(|request| request.json()["records"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, [200, 200, 50]);
    let third = &requests[2];
    assert_eq!(third.method, "PATCH");
    assert_eq!(third.json()["records"][0]["Id"], json!(account_id(400)));
}

/// Replies 300 with two candidate records to every upsert.
fn ambiguous_upsert(_: &support::Recorded) -> Reply {
    Reply::json(
        300,
        json!([
            format!("{API}/sobjects/Account/{}", account_id(1)),
            format!("{API}/sobjects/Account/{}", account_id(2))
        ]),
    )
}

#[tokio::test]
async fn upsert_names_candidates_of_multiple_choices() {
    let org = FakeOrg::start(ambiguous_upsert).await;
    let client = org.client();
    let changes: FieldChanges = [("Name", "Acme")].into_iter().collect();

    let error = client
        .upsert("Account", "NetSuite_Id__c", "42", &changes)
        .await
        .unwrap_err();

    let Error::MultipleChoices { ids } = &error else {
        panic!("expected multiple choices, got {error:?}");
    };
    assert_eq!(ids, &[account_id(1), account_id(2)]);
    assert_eq!(error.class(), ErrorClass::Data);
    let request = &org.authorized_requests()[0];
    assert_eq!(request.method, "PATCH");
    assert_eq!(
        request.path,
        "/services/data/v62.0/sobjects/Account/NetSuite_Id__c/42"
    );
    assert_eq!(request.json(), json!({"Name": "Acme"}));
}

#[tokio::test]
async fn upsert_reports_created_and_updated() {
    let org = FakeOrg::start(|request| {
        let created = request.path.ends_with("/new");
        let status = if created { 201 } else { 200 };
        Reply::json(
            status,
            json!({"id": account_id(7), "success": true, "errors": [], "created": created}),
        )
    })
    .await;
    let client = org.client();

    let created = client
        .upsert("Account", "NetSuite_Id__c", "new", &FieldChanges::new())
        .await
        .unwrap();
    let updated = client
        .upsert("Account", "NetSuite_Id__c", "old", &FieldChanges::new())
        .await
        .unwrap();

    assert!(created.created);
    assert!(!updated.created);
    assert_eq!(updated.id.as_str(), account_id(7));
}

#[tokio::test]
async fn get_reads_one_record() {
    let org = FakeOrg::start(|request| {
        Reply::json(
            200,
            json!({
                "attributes": {"type": "Account", "url": request.path},
                "Id": account_id(3),
                "Name": "Acme"
            }),
        )
    })
    .await;
    let client = org.client();
    let id = SalesforceId::parse(&account_id(3)).unwrap();

    let record = client.get("Account", &id, &["Id", "Name"]).await.unwrap();

    assert_eq!(record["Name"], json!("Acme"));
    let request = &org.authorized_requests()[0];
    assert_eq!(
        request.path,
        format!("{API}/sobjects/Account/{}", account_id(3))
    );
    assert_eq!(request.param("fields").as_deref(), Some("Id,Name"));
    assert_eq!(request.header("sforce-call-options"), None);
}

#[tokio::test]
async fn limit_info_follows_latest_response() {
    let org = FakeOrg::start(three_pages).await;
    let client = org.client();
    assert_eq!(client.limit_info(), None);

    client.query("SELECT Id FROM Account").await.unwrap();

    let usage = client.limit_info().unwrap();
    assert_eq!(usage.used, 3);
    assert_eq!(usage.max, 15_000);
    assert_eq!(usage.remaining(), 14_997);
}

#[tokio::test]
async fn slow_response_is_transient_timeout() {
    let org = FakeOrg::start(three_pages).await;
    org.set_delay(Duration::from_secs(3));
    let mut config = org.config(CLIENT_SECRET);
    config.timeout = Duration::from_millis(300);
    let client = SalesforceClient::new(config).unwrap();

    let error = client.query("SELECT Id FROM Account").await.unwrap_err();

    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(error.class(), ErrorClass::Transient);
    assert_eq!(error.code(), "TIMEOUT");
}

#[tokio::test]
async fn closed_port_is_transient_connection_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let mut config =
        tandem_salesforce::SalesforceConfig::new("id", tandem_engine::Secret::new("secret"));
    config.login_url = url::Url::parse(&format!("http://{address}")).unwrap();
    let client = SalesforceClient::new(config).unwrap();

    let error = client.query("SELECT Id FROM Account").await.unwrap_err();

    assert!(matches!(error, Error::Connection { .. }), "{error:?}");
    assert_eq!(error.class(), ErrorClass::Transient);
}

#[tokio::test]
async fn server_error_without_json_is_transient() {
    let org = FakeOrg::start(|_| Reply {
        status: 503,
        body: "<html>Service Unavailable</html>".into(),
        content_type: "text/html",
        headers: Vec::new(),
        delay: Duration::ZERO,
    })
    .await;

    let error = org
        .client()
        .query("SELECT Id FROM Account")
        .await
        .unwrap_err();

    assert!(
        matches!(&error, Error::Http { status: 503, body } if body.contains("Service Unavailable"))
    );
    assert_eq!(error.class(), ErrorClass::Transient);
}
