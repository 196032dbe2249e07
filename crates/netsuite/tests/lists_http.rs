//! List operations, search restarts and limits against a fake SuiteTalk endpoint on
//! 127.0.0.1.

mod support;

use std::time::Duration;

use support::{
    FakeNetSuite, Reply, WriteOutcome, corpus, customer, envelope, failed_search_page, search_page,
    write_list_response,
};
use tandem_engine::ErrorClass;
use tandem_netsuite::{Error, Record, RecordRef, SearchPreferences, SearchRecord};

const TIMEOUT: Duration = Duration::from_secs(10);
const MODIFIED: &str = "2025-03-01T02:00:00.000-08:00";

fn customers(count: usize) -> Vec<Record> {
    (0..count)
        .map(|index| {
            let mut record = Record::new("customer");
            record.external_id = Some(format!("SF-{index}"));
            record.fields.push((
                "companyName".to_string(),
                tandem_netsuite::BodyValue::Text(format!("Customer {index}")),
            ));
            record
        })
        .collect()
}

fn records_in(body: &str) -> usize {
    body.matches("<platformMsgs:record ").count()
}

#[tokio::test]
async fn upsert_list_splits_at_one_hundred() {
    let ids: Vec<String> = (0..250).map(|index| (1000 + index).to_string()).collect();
    let outcome = |index: usize| -> WriteOutcome<'_> {
        if index == 230 {
            Err(("USER_ERROR", "Please enter value(s) for: Subsidiary"))
        } else {
            Ok((ids[index].as_str(), ""))
        }
    };
    let chunk = |range: std::ops::Range<usize>| {
        let outcomes: Vec<WriteOutcome<'_>> = range.map(outcome).collect();
        Reply::ok(write_list_response("upsertList", &outcomes))
    };
    let server = FakeNetSuite::start(vec![chunk(0..100), chunk(100..200), chunk(200..250)]).await;
    let results = server
        .client(TIMEOUT)
        .upsert_list(&customers(250))
        .await
        .unwrap();

    let requests = server.requests();
    let sizes: Vec<usize> = requests
        .iter()
        .map(|request| records_in(&request.body))
        .collect();
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(requests[2].header("soapaction"), Some("\"upsertList\""));
    assert_eq!(results.len(), 250);
    assert_eq!(
        results[0].as_ref().unwrap().internal_id.as_deref(),
        Some("1000")
    );
    assert_eq!(
        results[249].as_ref().unwrap().internal_id.as_deref(),
        Some("1249")
    );
    let rejected = results[230].as_ref().unwrap_err();
    assert_eq!(rejected.code(), "USER_ERROR");
    assert_eq!(rejected.class(), ErrorClass::Data);
}

#[tokio::test]
async fn add_list_splits_at_two_hundred_and_skips_invalid_records() {
    let mut records = customers(201);
    records[5].fields.push((
        "shoeSize".to_string(),
        tandem_netsuite::BodyValue::Text("44".to_string()),
    ));
    let first: Vec<WriteOutcome<'_>> = (0..199).map(|_| Ok(("1", ""))).collect();
    let server = FakeNetSuite::start(vec![
        Reply::ok(write_list_response("addList", &first)),
        Reply::ok(write_list_response("addList", &[Ok(("2", ""))])),
    ])
    .await;
    let results = server.client(TIMEOUT).add_list(&records).await.unwrap();
    let sizes: Vec<usize> = server
        .requests()
        .iter()
        .map(|request| records_in(&request.body))
        .collect();
    assert_eq!(sizes, [199, 1]);
    assert_eq!(results.len(), 201);
    assert!(matches!(results[5], Err(Error::Config(_))));
    assert_eq!(
        results[200].as_ref().unwrap().internal_id.as_deref(),
        Some("2")
    );
}

#[tokio::test]
async fn list_response_with_too_few_entries_fails_the_call() {
    let server = FakeNetSuite::start(vec![Reply::ok(write_list_response(
        "updateList",
        &[Ok(("1", ""))],
    ))])
    .await;
    let mut records = customers(2);
    for (index, record) in records.iter_mut().enumerate() {
        record.internal_id = Some(index.to_string());
    }
    let error = server
        .client(TIMEOUT)
        .update_list(&records)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidResponse(_)), "{error}");
}

#[tokio::test]
async fn get_list_returns_one_result_per_reference() {
    let read = |id: &str| {
        format!(
            concat!(
                r#"<readResponse><platformCore:status isSuccess="true""#,
                r#" xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com"/>"#,
                r#"<record internalId="{id}" xsi:type="listRel:Customer""#,
                r#" xmlns:listRel="urn:relationships_2025_2.lists.webservices.netsuite.com">"#,
                "<listRel:companyName>C{id}</listRel:companyName></record></readResponse>"
            ),
            id = id
        )
    };
    let missing = concat!(
        r#"<readResponse><platformCore:status isSuccess="false""#,
        r#" xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com">"#,
        "<platformCore:statusDetail><platformCore:code>INVALID_KEY_OR_REF</platformCore:code>",
        "<platformCore:message>Invalid customer reference key 9.</platformCore:message>",
        "</platformCore:statusDetail></platformCore:status></readResponse>"
    );
    let body = format!(
        concat!(
            r#"<getListResponse xmlns="urn:messages_2025_2.platform.webservices.netsuite.com">"#,
            "<readResponseList>{first}{missing}</readResponseList></getListResponse>"
        ),
        first = read("7"),
        missing = missing
    );
    let server = FakeNetSuite::start(vec![Reply::ok(envelope(&body))]).await;
    let references = [
        RecordRef::internal("customer", "7"),
        RecordRef::default(),
        RecordRef::internal("customer", "9"),
    ];
    let results = server.client(TIMEOUT).get_list(&references).await.unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap().text("companyName"), Some("C7"));
    assert!(matches!(results[1], Err(Error::Config(_))));
    assert_eq!(
        results[2].as_ref().unwrap_err().code(),
        "INVALID_KEY_OR_REF"
    );
    assert_eq!(server.requests().len(), 1);
    assert_eq!(
        server.requests()[0]
            .body
            .matches("<platformMsgs:baseRef ")
            .count(),
        2
    );
}

#[tokio::test]
async fn search_all_searches_again_after_expired_search_id() {
    let page = |operation: &str, index: u32, ids: &[&str]| {
        let records: Vec<String> = ids
            .iter()
            .map(|id| customer(id, &format!("C{id}"), MODIFIED))
            .collect();
        Reply::ok(search_page(operation, 6, 3, index, Some(&records)))
    };
    let server = FakeNetSuite::start(vec![
        page("search", 1, &["1", "2"]),
        Reply::ok(failed_search_page(
            "searchMoreWithId",
            "INVALID_JOB_ID",
            "The search ID has expired.",
        )),
        page("search", 1, &["1", "2"]),
        page("searchMoreWithId", 2, &["3", "4"]),
        page("searchMoreWithId", 3, &["5", "6"]),
    ])
    .await;
    let preferences = SearchPreferences {
        page_size: 5,
        ..SearchPreferences::default()
    };
    let records = server
        .client(TIMEOUT)
        .search_all(&SearchRecord::new("customer"), &preferences)
        .await
        .unwrap();
    let ids: Vec<&str> = records
        .iter()
        .map(|record| record.internal_id.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6"]);
    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    assert_eq!(requests[2].header("soapaction"), Some("\"search\""));
    assert_eq!(requests[3].element_text("pageIndex").as_deref(), Some("2"));
}

#[tokio::test]
async fn search_all_stops_when_the_search_shrank() {
    let one = vec![customer("1", "One", MODIFIED)];
    let server = FakeNetSuite::start(vec![
        Reply::ok(search_page("search", 10, 3, 1, Some(&one))),
        Reply::ok(search_page("searchMoreWithId", 2, 1, 2, Some(&[]))),
        Reply::ok(failed_search_page(
            "searchMoreWithId",
            "INVALID_SEARCH_PAGE_INDEX",
            "The page index is out of range.",
        )),
    ])
    .await;
    let records = server
        .client(TIMEOUT)
        .search_all(
            &SearchRecord::new("customer"),
            &SearchPreferences::default(),
        )
        .await
        .unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn page_size_outside_limits_is_rejected_before_sending() {
    let server = FakeNetSuite::start(vec![]).await;
    let client = server.client(TIMEOUT);
    for page_size in [0, 4, 1001] {
        let preferences = SearchPreferences {
            page_size,
            ..SearchPreferences::default()
        };
        let error = client
            .search(&SearchRecord::new("customer"), &preferences)
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Config(_)), "{page_size}: {error}");
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn zero_results_are_an_empty_list() {
    let server = FakeNetSuite::start(vec![Reply::ok(corpus(
        "iloveitaly__netsuite_integration/spec/cassettes/inventory_item/item_not_found/01_search_response.xml",
    ))])
    .await;
    let records = server
        .client(TIMEOUT)
        .search_all(
            &SearchRecord::new("inventoryItem"),
            &SearchPreferences::default(),
        )
        .await
        .unwrap();
    assert!(records.is_empty());
    assert!(
        server.requests()[0]
            .body
            .contains("<platformCore:searchValue>_inventoryItem</platformCore:searchValue>")
    );
}

#[tokio::test]
async fn get_server_time_reads_utc() {
    let body = concat!(
        r#"<getServerTimeResponse xmlns="urn:messages_2025_2.platform.webservices.netsuite.com">"#,
        r#"<platformCore:getServerTimeResult xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com">"#,
        r#"<platformCore:status isSuccess="true"/>"#,
        "<platformCore:serverTime>2025-07-01T09:30:00.000-07:00</platformCore:serverTime>",
        "</platformCore:getServerTimeResult></getServerTimeResponse>"
    );
    let server = FakeNetSuite::start(vec![Reply::ok(envelope(body))]).await;
    let time = server.client(TIMEOUT).get_server_time().await.unwrap();
    assert_eq!(time.to_rfc3339(), "2025-07-01T16:30:00+00:00");
    assert_eq!(
        server.requests()[0].header("soapaction"),
        Some("\"getServerTime\"")
    );
}
