//! One test per kind of failure that users of other SuiteTalk clients reported, each named
//! after the failure, against recorded responses and fake endpoints on 127.0.0.1.

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::{NaiveDate, TimeZone, Utc};
use chrono_tz::America::Chicago;
use quick_xml::NsReader;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use support::{
    FakeNetSuite, Reply, concurrency_fault, corpus, customer, failed_search_page, search_page,
    write_response,
};
use tandem_engine::{ErrorClass, Secret};
use tandem_netsuite::parse::{get_response, search_response, write_response as parse_write};
use tandem_netsuite::passport::signature;
use tandem_netsuite::records::typed::{Customer, Invoice, SalesOrder};
use tandem_netsuite::{
    AdvancedSearch, Column, CustomValue, DeletedFilter, Error, FieldAccess, NetSuiteClient,
    NetSuiteConfig, Record, RecordRef, SearchPreferences, SearchRecord, TokenCredentials,
    TypedRecord, WritePreferences,
};

const TIMEOUT: Duration = Duration::from_secs(10);
const NETSWEET: &str = "NetSweet__netsuite/spec/support/fixtures";
const ILOVEITALY: &str = "iloveitaly__netsuite_integration/spec/cassettes";
const RAILSDOG: &str = "railsdog__netsuite_integration/spec/cassettes";
const MODIFIED: &str = "2025-03-01T02:00:00.000-08:00";

fn preferences(page_size: u32) -> SearchPreferences {
    SearchPreferences {
        body_fields_only: true,
        return_search_columns: false,
        page_size,
    }
}

fn customers(ids: std::ops::RangeInclusive<u32>) -> Vec<String> {
    ids.map(|id| customer(&id.to_string(), &format!("Customer {id}"), MODIFIED))
        .collect()
}

/// A 33-page walk in pages of 5, where pages 4 to 10 come back empty because records moved
/// out of the search during the walk, and one record shows up on two pages. Every record
/// comes back exactly once and no page before `totalPages` is skipped.
#[tokio::test]
async fn empty_middle_pages_in_search_more_with_id() {
    let mut replies = vec![Reply::ok(search_page(
        "search",
        165,
        33,
        1,
        Some(&customers(1..=5)),
    ))];
    for page in 2..=33u32 {
        let records = match page {
            2 => customers(5..=9),
            3 => customers(10..=12),
            4..=10 => Vec::new(),
            _ => customers((page - 11) * 5 + 13..=(page - 11) * 5 + 17),
        };
        let list = if page == 7 { None } else { Some(&records[..]) };
        replies.push(Reply::ok(search_page(
            "searchMoreWithId",
            165,
            33,
            page,
            list,
        )));
    }
    let server = FakeNetSuite::start(replies).await;
    let records = server
        .client(TIMEOUT)
        .search_all(&SearchRecord::new("customer"), &preferences(5))
        .await
        .unwrap();

    assert_eq!(server.requests().len(), 33);
    let ids: Vec<u32> = records
        .iter()
        .map(|record| record.internal_id.as_deref().unwrap().parse().unwrap())
        .collect();
    let unique: HashSet<u32> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "a record came back twice");
    assert_eq!(ids.len(), 127);
    assert_eq!(ids.first(), Some(&1));
    assert_eq!(ids.last(), Some(&127));
    assert_eq!(
        server.requests()[32].element_text("pageIndex").as_deref(),
        Some("33")
    );
}

/// A page deep into a walk fails: the error keeps the page index and NetSuite's code.
#[tokio::test]
async fn page_fails_deep_into_large_search() {
    let mut replies = vec![Reply::ok(search_page(
        "search",
        40,
        8,
        1,
        Some(&customers(1..=5)),
    ))];
    for page in 2..=5u32 {
        let first = (page - 1) * 5 + 1;
        let records = customers(first..=first + 4);
        replies.push(Reply::ok(search_page(
            "searchMoreWithId",
            40,
            8,
            page,
            Some(&records),
        )));
    }
    replies.push(Reply::ok(failed_search_page(
        "searchMoreWithId",
        "SEARCH_TIMED_OUT",
        "The search timed out.",
    )));
    let server = FakeNetSuite::start(replies).await;
    let error = server
        .client(TIMEOUT)
        .search_all(&SearchRecord::new("customer"), &preferences(5))
        .await
        .unwrap_err();
    let Error::SearchPage { page_index, .. } = &error else {
        panic!("expected a search page error, got {error}");
    };
    assert_eq!(*page_index, 6);
    assert_eq!(error.code(), "SEARCH_TIMED_OUT");
    assert_eq!(error.class(), ErrorClass::Transient);
}

/// A search that fails with HTTP 200 and `isSuccess="false"` is a typed error with
/// NetSuite's code and message, not an empty result.
#[tokio::test]
async fn search_error_reported_as_false() {
    let message = "Permission Violation: You need a higher level of the 'Lists -> Customers' \
                   permission.";
    let server = FakeNetSuite::start(vec![Reply::ok(failed_search_page(
        "search",
        "INSUFFICIENT_PERMISSION",
        message,
    ))])
    .await;
    let error = server
        .client(TIMEOUT)
        .search(&SearchRecord::new("customer"), &preferences(50))
        .await
        .unwrap_err();
    assert!(matches!(error, Error::SearchPage { page_index: 1, .. }));
    assert_eq!(error.code(), "INSUFFICIENT_PERMISSION");
    assert_eq!(error.message(), format!("page 1: {message}"));
    assert_eq!(error.class(), ErrorClass::Config);
}

/// Every page of a walk is signed for the same account and token as the first.
#[tokio::test]
async fn follow_up_pages_sent_with_different_credentials() {
    let server = FakeNetSuite::start(vec![
        Reply::ok(search_page("search", 2, 2, 1, Some(&customers(1..=1)))),
        Reply::ok(search_page(
            "searchMoreWithId",
            2,
            2,
            2,
            Some(&customers(2..=2)),
        )),
    ])
    .await;
    server
        .client(TIMEOUT)
        .search_all(&SearchRecord::new("customer"), &preferences(5))
        .await
        .unwrap();
    let requests = server.requests();
    for name in ["account", "consumerKey", "token"] {
        assert_eq!(
            requests[0].element_text(name),
            requests[1].element_text(name),
            "{name}"
        );
    }
    assert_eq!(
        requests[1].element_text("account").as_deref(),
        Some("1234567_SB1")
    );
    assert_ne!(
        requests[0].element_text("nonce"),
        requests[1].element_text("nonce")
    );
}

/// Searches send `bodyFieldsOnly` as requested, and a typed record read from a body-only
/// result reports its lines as not carried (`None`) instead of as an empty list.
#[tokio::test]
async fn searched_transactions_have_no_lines() {
    let server =
        FakeNetSuite::start(vec![Reply::ok(search_page("search", 0, 0, 1, Some(&[])))]).await;
    let with_lines = SearchPreferences {
        body_fields_only: false,
        ..preferences(50)
    };
    let page = server
        .client(TIMEOUT)
        .search(&SearchRecord::new("salesOrder"), &with_lines)
        .await
        .unwrap();
    assert!(page.records.is_empty());
    let request = &server.requests()[0];
    assert_eq!(
        request.element_text("bodyFieldsOnly").as_deref(),
        Some("false")
    );

    let mut order = Record::new("salesOrder");
    order.internal_id = Some("15338".to_string());
    let typed = SalesOrder::from_record(&order, Chicago).unwrap();
    assert_eq!(typed.items, None);
}

/// A multi-select custom field with one `value` element is a list of one.
#[test]
fn multi_select_custom_field_with_one_value() {
    let xml = corpus(&format!("{NETSWEET}/custom_fields/multi_select.xml"));
    let record = get_response(xml.as_bytes(), 200)
        .unwrap()
        .body
        .record
        .unwrap();
    let field = record.custom_field("custbody_multi_select_field").unwrap();
    let CustomValue::MultiSelect(values) = &field.value else {
        panic!("not a multi-select: {:?}", field.value);
    };
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].internal_id.as_deref(), Some("7623"));
}

/// Clearing sends `nullFieldList` in the core namespace, also inside a `tranSales` record,
/// with custom fields by script ID, and never an empty element.
#[tokio::test]
async fn clearing_a_field_needs_null_field_list() {
    let server =
        FakeNetSuite::start(vec![Reply::ok(write_response("update", Ok(("77", ""))))]).await;
    let mut invoice = Record::new("invoice");
    invoice.internal_id = Some("77".to_string());
    invoice.null_fields = vec!["memo".to_string(), "custbody_sf_id".to_string()];
    server.client(TIMEOUT).update(&invoice).await.unwrap();
    let body = &server.requests()[0].body;
    assert!(
        body.contains(concat!(
            r#"<platformMsgs:record xsi:type="tranSales:Invoice" internalId="77">"#,
            "<platformCore:nullFieldList><platformCore:name>memo</platformCore:name>",
            "<platformCore:name>custbody_sf_id</platformCore:name></platformCore:nullFieldList>",
            "</platformMsgs:record>"
        )),
        "{body}"
    );
    assert!(!body.contains("<tranSales:memo"));
}

/// Custom field columns of advanced search rows carry `searchValue`, read like `value`.
#[test]
fn advanced_search_custom_columns_use_search_value() {
    let xml = corpus(&format!(
        "{NETSWEET}/search/saved_search_joined_custom_customer.xml"
    ));
    let page = search_response(
        xml.as_bytes(),
        tandem_netsuite::operations::Operation::Search,
        200,
    )
    .unwrap()
    .body;
    let basic = page.rows[0].group("basic").unwrap();
    let text = basic.custom_field("custitem_stringfield").unwrap();
    assert_eq!(
        text.value,
        CustomValue::String("sample string value".to_string())
    );
    let select = basic.custom_field("custitem_apcategoryforsales").unwrap();
    let CustomValue::Select(value) = &select.value else {
        panic!("not a select: {:?}", select.value);
    };
    assert_eq!(value.internal_id.as_deref(), Some("4"));
    assert_eq!(value.type_id.as_deref(), Some("464"));
}

/// Writes ask NetSuite to ignore read-only fields, and a typed record read with `get` and
/// sent back leaves its read-only fields out.
#[tokio::test]
async fn get_then_update_fails_on_read_only_fields() {
    let xml = corpus(&format!("{NETSWEET}/get/get_customer.xml"));
    let server = FakeNetSuite::start(vec![
        Reply::ok(xml),
        Reply::ok(write_response("update", Ok(("988", "")))),
    ])
    .await;
    let client = server.client(TIMEOUT);
    let record = client
        .get(&RecordRef::internal("customer", "988"))
        .await
        .unwrap();
    let mut typed = Customer::from_record(&record, Chicago).unwrap();
    assert_eq!(typed.balance, Some(100.0));
    typed.addressbook = None;
    client.update(&typed.to_record(Chicago)).await.unwrap();

    let update = &server.requests()[1];
    assert_eq!(
        update.element_text("ignoreReadOnlyFields").as_deref(),
        Some("true")
    );
    assert!(!update.body.contains("listRel:balance"), "{}", update.body);
    assert!(
        update
            .body
            .contains("<listRel:companyName>Test Inc.</listRel:companyName>")
    );
}

/// A configuration with an application ID next to token credentials is refused before any
/// request, because NetSuite rejects that pairing with "Ambiguous authentication".
#[test]
fn application_info_sent_together_with_token_passport() {
    let mut config = NetSuiteConfig::new("1234567", credentials());
    config.application_id = Some("5A6F3D21-AAAA-4B4B-9C9C-0123456789AB".to_string());
    let error = NetSuiteClient::new(config).unwrap_err();
    assert_eq!(error.class(), ErrorClass::Config);
    assert!(error.to_string().contains("application ID"), "{error}");
}

/// One account ID gives both forms: upper-case suffix with `_` in the passport, lower case
/// with `-` in the host.
#[test]
fn sandbox_account_id_spelled_wrong_in_passport() {
    let config = NetSuiteConfig::new("1234567_sb1", credentials());
    assert_eq!(config.passport_account(), "1234567_SB1");
    assert_eq!(
        config.endpoint_url().unwrap().host_str(),
        Some("1234567-sb1.suitetalk.api.netsuite.com")
    );
}

/// The signature is standard Base64 of the raw digest, and the passport element is in the
/// messages namespace with its children in the core namespace.
#[tokio::test]
async fn signature_encoded_as_hex_and_passport_without_namespaces() {
    let server = FakeNetSuite::start(vec![Reply::ok(corpus(&format!(
        "{NETSWEET}/get/get_customer.xml"
    )))])
    .await;
    server
        .client(TIMEOUT)
        .get(&RecordRef::internal("customer", "988"))
        .await
        .unwrap();
    let request = &server.requests()[0];
    let text = |name: &str| request.element_text(name).unwrap();
    let expected = signature(
        &text("account"),
        &text("consumerKey"),
        &text("token"),
        &text("nonce"),
        text("timestamp").parse().unwrap(),
        "test-consumer-secret",
        "test-token-secret",
    );
    assert_eq!(text("signature"), expected);
    assert_eq!(expected.len(), 44);
    assert!(expected.ends_with('='));

    let namespaces = element_namespaces(&request.body);
    let find = |local: &str| {
        namespaces
            .iter()
            .find(|(name, _)| name == local)
            .map(|(_, uri)| uri.as_str())
    };
    assert_eq!(
        find("tokenPassport"),
        Some("urn:messages_2025_2.platform.webservices.netsuite.com")
    );
    for child in [
        "account",
        "consumerKey",
        "token",
        "nonce",
        "timestamp",
        "signature",
    ] {
        assert_eq!(
            find(child),
            Some("urn:core_2025_2.platform.webservices.netsuite.com"),
            "{child}"
        );
    }
}

/// Without a configured endpoint the client posts over HTTPS to the account's own host, never
/// to the generic `webservices.netsuite.com`.
#[test]
fn generic_host_on_account_specific_endpoints() {
    let config = NetSuiteConfig::new("7654321", credentials());
    let url = config.endpoint_url().unwrap();
    assert_eq!(url.scheme(), "https");
    assert_eq!(
        url.as_str(),
        "https://7654321.suitetalk.api.netsuite.com/services/NetSuitePort_2025_2"
    );
    assert!(!url.as_str().contains("webservices.netsuite.com/"));
}

/// Every request the client sends parses with a namespace-aware reader: each prefix is
/// declared, and no `xmlns:xmlns` declaration appears.
#[tokio::test]
async fn invalid_namespace_declaration_from_the_soap_library() {
    let server = FakeNetSuite::start(vec![]).await;
    let client = server.client(TIMEOUT);
    let order = SalesOrder {
        external_id: Some("006A".to_string()),
        tran_date: NaiveDate::from_ymd_opt(2025, 2, 21),
        ..SalesOrder::default()
    };
    let calls = [
        client.upsert(&order.to_record(Chicago)).await.err(),
        client
            .search(&SearchRecord::new("invoice"), &preferences(50))
            .await
            .err(),
        client
            .search_advanced(
                &AdvancedSearch::new("customer").column(Column::basic("email")),
                &preferences(50),
            )
            .await
            .err(),
        client
            .get_deleted(&DeletedFilter {
                deleted_from: Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap(),
                deleted_to: None,
                record_types: vec!["customer".to_string()],
            })
            .await
            .err(),
        client.get_server_time().await.err(),
    ];
    // The fake endpoint has no replies queued, so every call fails after sending.
    assert!(calls.iter().all(Option::is_some));
    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    for request in &requests {
        assert!(!request.body.contains("xmlns:xmlns"), "{}", request.body);
        let namespaces = element_namespaces(&request.body);
        assert!(namespaces.len() > 3, "{}", request.body);
    }
}

/// A fake endpoint with a concurrency limit of 2 gets five requests in parallel from a client
/// that allows 3 at once. The excess gets `WS_REQUEST_BLOCKED` faults, which the client
/// retries until all five succeed, never with more than 3 in flight.
#[tokio::test]
async fn concurrency_limit_hit_during_parallel_loads() {
    let state = Arc::new(LimitedEndpoint {
        limit: 2,
        in_flight: AtomicUsize::new(0),
        max_in_flight: AtomicUsize::new(0),
        blocked: AtomicUsize::new(0),
        answered: AtomicUsize::new(0),
    });
    let url = start_limited_endpoint(state.clone()).await;
    let client = governed_client(url, 3);
    let tasks: Vec<_> = (0..5)
        .map(|id| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .get(&RecordRef::internal("customer", id.to_string()))
                    .await
            })
        })
        .collect();
    for task in tasks {
        let record = task.await.unwrap().unwrap();
        assert_eq!(record.internal_id.as_deref(), Some("988"));
    }
    assert_eq!(state.answered.load(Ordering::SeqCst), 5);
    assert!(state.blocked.load(Ordering::SeqCst) >= 1);
    assert!(state.max_in_flight.load(Ordering::SeqCst) <= 3);
    assert!(client.scheduler().max_in_flight() <= 3);
}

/// The client keeps no cookie store: the `JSESSIONID` NetSuite sets never comes back.
#[tokio::test]
async fn cookies_break_request_level_credentials() {
    let xml = corpus(&format!("{NETSWEET}/get/get_customer.xml"));
    let server = FakeNetSuite::start(vec![Reply::ok(xml.clone()), Reply::ok(xml)]).await;
    let client = server.client(TIMEOUT);
    for _ in 0..2 {
        client
            .get(&RecordRef::internal("customer", "988"))
            .await
            .unwrap();
    }
    assert_eq!(server.requests()[1].header("cookie"), None);
}

/// Date-only fields are read in the user's zone (21 February for a GMT-6 user reading
/// `2017-02-20T22:00:00.000-08:00`), written as midnight there with the offset, and
/// dateTimes keep their instant whatever the daylight saving offset.
#[test]
fn date_fields_one_day_off_datetimes_one_hour_off() {
    let mut record = Record::new("invoice");
    record.set_text("tranDate", "2017-02-20T22:00:00.000-08:00");
    record.set_text("dueDate", "2017-07-20T22:00:00.000-07:00");
    record.set_text("lastModifiedDate", "2014-05-05T07:44:43.000-07:00");
    let invoice = Invoice::from_record(&record, Chicago).unwrap();
    assert_eq!(invoice.tran_date, NaiveDate::from_ymd_opt(2017, 2, 21));
    assert_eq!(invoice.due_date, NaiveDate::from_ymd_opt(2017, 7, 21));
    assert_eq!(
        invoice.last_modified,
        Some(Utc.with_ymd_and_hms(2014, 5, 5, 14, 44, 43).unwrap())
    );
    let written = invoice.to_record(Chicago);
    assert_eq!(
        written.text("tranDate"),
        Some("2017-02-21T00:00:00.000-06:00")
    );
    assert_eq!(
        written.text("dueDate"),
        Some("2017-07-21T00:00:00.000-05:00")
    );
}

/// Flat address fields of endpoints before 2014_2 are rejected before sending, and the fault
/// NetSuite returned for them is a configuration error.
#[tokio::test]
async fn record_schema_changed_between_endpoints() {
    let server = FakeNetSuite::start(vec![]).await;
    let mut line = tandem_netsuite::Complex::new();
    line.set_text("addr1", "1 Main St");
    let mut record = Record::new("customer");
    record.internal_id = Some("988".to_string());
    record.set(
        "addressbookList",
        tandem_netsuite::BodyValue::Sublist(tandem_netsuite::Sublist::new(true, vec![line])),
    );
    let error = server.client(TIMEOUT).update(&record).await.unwrap_err();
    assert_eq!(error.class(), ErrorClass::Config);
    assert!(error.to_string().contains("addr1"), "{error}");
    assert!(server.requests().is_empty());

    let xml = corpus(&format!(
        "{RAILSDOG}/invoice/import_service/01_update_response.xml"
    ));
    let fault = parse_write(
        xml.as_bytes(),
        tandem_netsuite::operations::Operation::Update,
        500,
    )
    .unwrap_err();
    assert!(fault.to_string().contains("addr1 not found"), "{fault}");
    assert_eq!(fault.class(), ErrorClass::Config);
}

/// A write that succeeds with a warning returns the record. With `warningAsError` set, the
/// request tells NetSuite to fail it instead.
#[tokio::test]
async fn successful_write_carries_a_warning() {
    let xml = corpus(&format!("{ILOVEITALY}/order/import/05_add_response.xml"));
    let server = FakeNetSuite::start(vec![Reply::ok(xml)]).await;
    let strict = server
        .client(TIMEOUT)
        .with_write_preferences(WritePreferences {
            warning_as_error: Some(true),
            ..WritePreferences::default()
        });
    let mut order = Record::new("salesOrder");
    order.external_id = Some("RREGR4354EGWREERGRG".to_string());
    let written = strict.add(&order).await.unwrap();
    assert_eq!(written.internal_id.as_deref(), Some("15338"));
    assert_eq!(written.record_type.as_deref(), Some("salesOrder"));
    assert_eq!(
        server.requests()[0]
            .element_text("warningAsError")
            .as_deref(),
        Some("true")
    );
}

fn credentials() -> TokenCredentials {
    TokenCredentials {
        consumer_key: "ck".to_string(),
        consumer_secret: Secret::new("cs"),
        token_id: "ti".to_string(),
        token_secret: Secret::new("ts"),
    }
}

/// Returns the local name and namespace URI of every element of `xml`, failing on an
/// undeclared prefix.
fn element_namespaces(xml: &str) -> Vec<(String, String)> {
    let mut reader = NsReader::from_str(xml);
    let mut elements = Vec::new();
    loop {
        let (resolved, event) = reader.read_resolved_event().unwrap();
        let start = match event {
            Event::Start(start) | Event::Empty(start) => start,
            Event::Eof => break,
            _ => continue,
        };
        let uri = match resolved {
            ResolveResult::Bound(namespace) => namespace.into_inner().to_string(),
            ResolveResult::Unbound => String::new(),
            ResolveResult::Unknown(prefix) => panic!("undeclared prefix {prefix:?} in {xml}"),
        };
        let local = start.local_name().into_inner().to_string();
        elements.push((local, uri));
    }
    elements
}

/// A fake endpoint that serves at most `limit` requests at once and faults the rest.
struct LimitedEndpoint {
    limit: usize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    blocked: AtomicUsize,
    answered: AtomicUsize,
}

async fn start_limited_endpoint(state: Arc<LimitedEndpoint>) -> url::Url {
    let router = Router::new()
        .route(support::PATH, post(limited_answer))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    url::Url::parse(&format!("http://{address}{}", support::PATH)).unwrap()
}

async fn limited_answer(State(state): State<Arc<LimitedEndpoint>>) -> Response {
    let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    state.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let response = if now > state.limit {
        state.blocked.fetch_add(1, Ordering::SeqCst);
        (StatusCode::INTERNAL_SERVER_ERROR, concurrency_fault()).into_response()
    } else {
        tokio::time::sleep(Duration::from_millis(30)).await;
        state.answered.fetch_add(1, Ordering::SeqCst);
        let body = corpus(&format!("{NETSWEET}/get/get_customer.xml"));
        (StatusCode::OK, body).into_response()
    };
    state.in_flight.fetch_sub(1, Ordering::SeqCst);
    response
}

fn governed_client(url: url::Url, limit: usize) -> NetSuiteClient {
    let server = FakeNetSuite::config_for(url, Duration::from_secs(5));
    let delay = Duration::from_millis(5);
    let scheduler = tandem_netsuite::governance::Scheduler::with_delays(
        limit,
        Duration::from_secs(5),
        delay,
        delay * 4,
    );
    NetSuiteClient::with_scheduler(server, scheduler).unwrap()
}
