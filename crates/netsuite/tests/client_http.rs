//! The client against a fake SuiteTalk endpoint on 127.0.0.1: recorded responses, faults,
//! HTTP errors, timeouts and search paging.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use support::{FakeNetSuite, Reply, corpus, customer, failed_search_page, search_page};
use tandem_engine::ErrorClass;
use tandem_netsuite::{Error, Record, RecordRef, SearchPreferences, SearchRecord};

const TIMEOUT: Duration = Duration::from_secs(10);

fn preferences() -> SearchPreferences {
    SearchPreferences {
        body_fields_only: true,
        return_search_columns: false,
        page_size: 50,
    }
}

#[tokio::test]
async fn get_reads_recorded_customer() {
    let server = FakeNetSuite::start(vec![Reply::ok(corpus(
        "NetSweet__netsuite/spec/support/fixtures/get/get_customer.xml",
    ))])
    .await;
    let record = server
        .client(TIMEOUT)
        .get(&RecordRef::internal("customer", "988"))
        .await
        .unwrap();
    assert_eq!(record.internal_id.as_deref(), Some("988"));
    assert_eq!(record.text("companyName"), Some("Test Inc."));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    let request = &requests[0];
    assert_eq!(request.header("soapaction"), Some("\"get\""));
    assert_eq!(
        request.header("content-type"),
        Some("text/xml; charset=utf-8")
    );
    assert_eq!(
        request.element_text("account").as_deref(),
        Some("1234567_SB1")
    );
    assert_eq!(
        request.element_text("consumerKey").as_deref(),
        Some("test-consumer-key")
    );
    assert_eq!(
        request.element_text("token").as_deref(),
        Some("test-token-id")
    );
    assert!(request.body.contains(r#"algorithm="HMAC-SHA256""#));
    assert!(request.body.contains(r#"internalId="988" type="customer""#));
    assert!(!request.body.contains("applicationInfo"));
    assert!(!request.body.contains("test-consumer-secret"));
}

#[tokio::test]
async fn fault_with_http_500_is_fault_error() {
    let server = FakeNetSuite::start(vec![Reply::xml(
        500,
        corpus("NetSweet__netsuite/spec/support/fixtures/login/failure_concurrent_requests.xml"),
    )])
    .await;
    let error = server
        .client(TIMEOUT)
        .get(&RecordRef::internal("customer", "1"))
        .await
        .unwrap_err();
    let Error::Fault(fault) = &error else {
        panic!("expected a fault, got {error}");
    };
    assert_eq!(fault.http_status, 500);
    assert_eq!(
        fault.detail_name.as_deref(),
        Some("exceededRequestLimitFault")
    );
    assert_eq!(fault.code.as_deref(), Some("WS_CONCUR_SESSION_DISALLWD"));
    assert_eq!(error.class(), ErrorClass::Transient);
}

#[tokio::test]
async fn schema_fault_with_http_500_is_config() {
    let server = FakeNetSuite::start(vec![Reply::xml(
        500,
        corpus(
            "railsdog__netsuite_integration/spec/cassettes/invoice/import_service/01_update_response.xml",
        ),
    )])
    .await;
    let mut record = Record::new("customer");
    record.internal_id = Some("1".to_string());
    let error = server.client(TIMEOUT).update(&record).await.unwrap_err();
    assert!(matches!(error, Error::Fault(_)), "{error}");
    assert_eq!(error.class(), ErrorClass::Config);
}

#[tokio::test]
async fn http_503_without_body_is_transient() {
    let server = FakeNetSuite::start(vec![
        Reply::xml(503, ""),
        Reply::xml(503, "<html><body>Service Unavailable</body></html>"),
    ])
    .await;
    let client = server.client(TIMEOUT);
    for _ in 0..2 {
        let error = client
            .get(&RecordRef::internal("customer", "1"))
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Http { status: 503 }), "{error}");
        assert_eq!(error.class(), ErrorClass::Transient);
    }
}

#[tokio::test]
async fn slow_answer_times_out() {
    let mut slow = Reply::ok(corpus(
        "NetSweet__netsuite/spec/support/fixtures/get/get_customer.xml",
    ));
    slow.delay = Duration::from_secs(5);
    let server = FakeNetSuite::start(vec![slow]).await;
    let started = std::time::Instant::now();
    let error = server
        .client(Duration::from_millis(300))
        .get(&RecordRef::internal("customer", "988"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error}");
    assert_eq!(error.class(), ErrorClass::Transient);
    assert_eq!(error.code(), "TIMEOUT");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn refused_connection_is_transient() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let server = FakeNetSuite::start(vec![]).await;
    let mut config = server.config(TIMEOUT);
    config.endpoint = Some(
        format!("http://{address}/services/NetSuitePort_2025_2")
            .parse()
            .unwrap(),
    );
    let client = tandem_netsuite::NetSuiteClient::new(config).unwrap();
    let error = client
        .get(&RecordRef::internal("customer", "1"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Connection(_)), "{error}");
    assert_eq!(error.code(), "CONNECTION_FAILED");
    assert_eq!(error.class(), ErrorClass::Transient);
}

#[tokio::test]
async fn garbage_with_http_200_is_invalid_response() {
    let server = FakeNetSuite::start(vec![Reply::ok("not xml at all <<")]).await;
    let error = server
        .client(TIMEOUT)
        .get(&RecordRef::internal("customer", "1"))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidResponse(_)), "{error}");
}

#[tokio::test]
async fn search_all_walks_pages_past_empty_middle_page() {
    let modified = "2025-03-01T02:00:00.000-08:00";
    let first = [
        customer("1", "Alpha", modified),
        customer("2", "Beta", modified),
    ];
    let last = [
        customer("3", "Gamma", modified),
        customer("2", "Beta Renamed", modified),
    ];
    let server = FakeNetSuite::start(vec![
        Reply::ok(search_page("search", 5, 3, 1, Some(&first))),
        Reply::ok(search_page("searchMoreWithId", 5, 3, 2, Some(&[]))),
        Reply::ok(search_page("searchMoreWithId", 5, 3, 3, Some(&last))),
    ])
    .await;
    let records = server
        .client(TIMEOUT)
        .search_all(&SearchRecord::new("customer"), &preferences())
        .await
        .unwrap();

    let ids: Vec<&str> = records
        .iter()
        .map(|r| r.internal_id.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["1", "2", "3"]);
    assert_eq!(records[1].text("companyName"), Some("Beta Renamed"));

    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].header("soapaction"), Some("\"search\""));
    assert_eq!(
        requests[1].header("soapaction"),
        Some("\"searchMoreWithId\"")
    );
    assert_eq!(requests[1].element_text("pageIndex").as_deref(), Some("2"));
    assert_eq!(requests[2].element_text("pageIndex").as_deref(), Some("3"));
    for request in &requests[1..] {
        assert_eq!(
            request.element_text("searchId").as_deref(),
            Some("WEBSERVICES_1234567_SB1_search")
        );
        assert_eq!(request.element_text("pageSize").as_deref(), Some("50"));
        assert_eq!(
            request.element_text("bodyFieldsOnly").as_deref(),
            Some("true")
        );
    }
    let nonces: HashSet<String> = requests
        .iter()
        .map(|request| request.element_text("nonce").unwrap())
        .collect();
    assert_eq!(nonces.len(), 3, "a nonce was reused");
}

#[tokio::test]
async fn search_all_continues_after_page_without_record_list() {
    let modified = "2025-03-01T02:00:00.000-08:00";
    let server = FakeNetSuite::start(vec![
        Reply::ok(search_page(
            "search",
            2,
            3,
            1,
            Some(&[customer("1", "A", modified)]),
        )),
        Reply::ok(search_page("searchMoreWithId", 2, 3, 2, None)),
        Reply::ok(search_page(
            "searchMoreWithId",
            2,
            3,
            3,
            Some(&[customer("9", "B", modified)]),
        )),
    ])
    .await;
    let records = server
        .client(TIMEOUT)
        .search_all(&SearchRecord::new("customer"), &preferences())
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(records[1].internal_id.as_deref(), Some("9"));
}

#[tokio::test]
async fn search_all_reports_failed_page_index() {
    let modified = "2025-03-01T02:00:00.000-08:00";
    let server = FakeNetSuite::start(vec![
        Reply::ok(search_page(
            "search",
            3,
            3,
            1,
            Some(&[customer("1", "A", modified)]),
        )),
        Reply::ok(failed_search_page(
            "searchMoreWithId",
            "INSUFFICIENT_PERMISSION",
            "Permission Violation: You need a higher level of the 'Lists -> Customers' permission.",
        )),
    ])
    .await;
    let error = server
        .client(TIMEOUT)
        .search_all(&SearchRecord::new("customer"), &preferences())
        .await
        .unwrap_err();
    let Error::SearchPage {
        page_index,
        details,
    } = &error
    else {
        panic!("expected a search page error, got {error}");
    };
    assert_eq!(*page_index, 2);
    assert_eq!(details[0].code, "INSUFFICIENT_PERMISSION");
    assert_eq!(error.class(), ErrorClass::Config);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn search_all_on_recorded_empty_result() {
    let server = FakeNetSuite::start(vec![Reply::ok(corpus(
        "iloveitaly__netsuite_integration/spec/cassettes/inventory_item/item_not_found/01_search_response.xml",
    ))])
    .await;
    let records = server
        .client(TIMEOUT)
        .search_all(&SearchRecord::new("customer"), &preferences())
        .await
        .unwrap();
    assert!(records.is_empty());
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn first_search_page_failure_is_page_one() {
    let server = FakeNetSuite::start(vec![Reply::ok(failed_search_page(
        "search",
        "INSUFFICIENT_PERMISSION",
        "Permission Violation",
    ))])
    .await;
    let error = server
        .client(TIMEOUT)
        .search(&SearchRecord::new("customer"), &preferences())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::SearchPage { page_index: 1, .. }),
        "{error}"
    );
    assert_eq!(error.class(), ErrorClass::Config);
}

#[tokio::test]
async fn add_rejected_with_dup_entity() {
    let server = FakeNetSuite::start(vec![Reply::ok(corpus(
        "railsdog__netsuite_integration/spec/cassettes/customer/create/01_add_response.xml",
    ))])
    .await;
    let mut record = Record::new("customer");
    record.fields.push((
        "companyName".to_string(),
        tandem_netsuite::BodyValue::Text("Acme".to_string()),
    ));
    let error = server.client(TIMEOUT).add(&record).await.unwrap_err();
    assert!(matches!(error, Error::Record { .. }), "{error}");
    assert_eq!(error.code(), "DUP_ENTITY");
    assert_eq!(error.class(), ErrorClass::Data);
    assert_eq!(server.requests()[0].header("soapaction"), Some("\"add\""));
}

#[tokio::test]
async fn update_with_recorded_warning_succeeds() {
    let server = FakeNetSuite::start(vec![Reply::ok(corpus(
        "iloveitaly__netsuite_integration/spec/cassettes/order/update_order_customer_address/06_update_response.xml",
    ))])
    .await;
    let mut record = Record::new("customer");
    record.internal_id = Some("23027".to_string());
    let written = server.client(TIMEOUT).update(&record).await.unwrap();
    assert_eq!(written.internal_id.as_deref(), Some("23027"));
}

#[tokio::test]
async fn session_cookie_is_never_sent_back() {
    let customer_xml = corpus("NetSweet__netsuite/spec/support/fixtures/get/get_customer.xml");
    let server = FakeNetSuite::start(vec![
        Reply::ok(customer_xml.clone()),
        Reply::ok(customer_xml),
    ])
    .await;
    let client = server.client(TIMEOUT);
    for _ in 0..2 {
        client
            .get(&RecordRef::internal("customer", "988"))
            .await
            .unwrap();
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].header("cookie"), None);
}
