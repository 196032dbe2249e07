//! Customer search and paging of the NetSuite emulator, over HTTP.

mod netsuite_support;

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use netsuite_support::{Node, Server, assert_same_shape, corpus, parse, without_record_details};
use tandem_sandbox::netsuite::Customer;

fn customer(company: &str, modified: DateTime<Utc>) -> Customer {
    Customer {
        internal_id: String::new(),
        external_id: None,
        entity_id: None,
        company_name: Some(company.to_string()),
        email: None,
        phone: None,
        url: None,
        is_inactive: false,
        date_created: modified,
        last_modified: modified,
        custom_fields: Vec::new(),
    }
}

fn january(minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 10, 17, minute, 0).unwrap()
}

/// Inserts twelve customers modified one minute apart on 10 January 2024 and returns their
/// internal IDs.
fn insert_twelve(server: &Server) -> Vec<String> {
    (0..12)
        .map(|i| {
            let company = format!("Company {i:02}");
            server
                .emulator
                .insert_customer(customer(&company, january(i)))
        })
        .collect()
}

fn search_body(basic_fields: &str) -> String {
    format!(
        r#"<platformMsgs:search><platformMsgs:searchRecord xsi:type="listRel:CustomerSearch"><listRel:basic>{basic_fields}</listRel:basic></platformMsgs:searchRecord></platformMsgs:search>"#
    )
}

fn within_january_tenth() -> String {
    search_body(
        "<platformCommon:lastModifiedDate operator=\"within\">\
         <platformCore:searchValue>2024-01-10T17:00:00Z</platformCore:searchValue>\
         <platformCore:searchValue2>2024-01-10T18:00:00Z</platformCore:searchValue2>\
         </platformCommon:lastModifiedDate>",
    )
}

fn more_body(search_id: &str, page_index: i64) -> String {
    format!(
        "<platformMsgs:searchMoreWithId><platformMsgs:searchId>{search_id}</platformMsgs:searchId>\
         <platformMsgs:pageIndex>{page_index}</platformMsgs:pageIndex></platformMsgs:searchMoreWithId>"
    )
}

fn preferences(server: &Server, page_size: u32, body_fields_only: bool) -> String {
    format!(
        "{}<platformMsgs:searchPreferences><platformMsgs:bodyFieldsOnly>{body_fields_only}</platformMsgs:bodyFieldsOnly>\
         <platformMsgs:pageSize>{page_size}</platformMsgs:pageSize></platformMsgs:searchPreferences>",
        server.passport()
    )
}

async fn search_paged(server: &Server, page_size: u32, body: &str) -> Node {
    let headers = preferences(server, page_size, true);
    let reply = server.call_with_headers("search", &headers, body).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    parse(&reply.body)
}

async fn more(server: &Server, search_id: &str, page_index: i64) -> Node {
    let reply = server
        .call("searchMoreWithId", &more_body(search_id, page_index))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    parse(&reply.body)
}

fn record_ids(result: &Node) -> Vec<String> {
    let mut records = Vec::new();
    result.find_all("record", &mut records);
    records
        .iter()
        .map(|r| r.attr("internalId").unwrap())
        .collect()
}

fn number(result: &Node, name: &str) -> usize {
    result.text_of(name).unwrap().parse().unwrap()
}

fn status_code(result: &Node) -> String {
    result.text_of("code").unwrap()
}

#[tokio::test]
async fn search_more_walks_three_pages_in_internal_id_order() {
    let server = Server::start().await;
    let ids = insert_twelve(&server);
    let first = search_paged(&server, 5, &within_january_tenth()).await;
    assert_eq!(number(&first, "totalRecords"), 12);
    assert_eq!(number(&first, "totalPages"), 3);
    assert_eq!(number(&first, "pageIndex"), 1);
    assert_eq!(number(&first, "pageSize"), 5);
    let search_id = first.text_of("searchId").unwrap();
    assert_eq!(search_id, first.text_of("nsId").unwrap());

    let second = more(&server, &search_id, 2).await;
    let third = more(&server, &search_id, 3).await;
    assert_eq!(number(&second, "pageIndex"), 2);
    let mut walked = record_ids(&first);
    walked.extend(record_ids(&second));
    walked.extend(record_ids(&third));
    assert_eq!(walked, ids);
    assert_eq!(record_ids(&third).len(), 2);

    let counts = server.emulator.operation_counts();
    assert_eq!(counts.get("search"), Some(&1));
    assert_eq!(counts.get("searchMoreWithId"), Some(&2));
}

#[tokio::test]
async fn search_more_serves_concurrent_pages_out_of_order() {
    let server = Server::start().await;
    let ids = insert_twelve(&server);
    let first = search_paged(&server, 5, &within_january_tenth()).await;
    let search_id = first.text_of("searchId").unwrap();
    // With a delay per request, the three requests below are in flight together.
    server.emulator.set_latency(Duration::from_millis(50));

    let (third, second, again) = tokio::join!(
        more(&server, &search_id, 3),
        more(&server, &search_id, 2),
        more(&server, &search_id, 1),
    );

    assert_eq!(record_ids(&again), ids[0..5]);
    assert_eq!(record_ids(&second), ids[5..10]);
    assert_eq!(record_ids(&third), ids[10..12]);
    assert_eq!(number(&third, "pageIndex"), 3);
    assert_eq!(number(&second, "totalPages"), 3);
    assert_eq!(server.emulator.counters().blocked, 0);
    let counts = server.emulator.operation_counts();
    assert_eq!(counts.get("searchMoreWithId"), Some(&3));
}

#[tokio::test]
async fn search_more_shifts_records_after_an_edit_between_pages() {
    let server = Server::start().await;
    let ids = insert_twelve(&server);
    let first = search_paged(&server, 5, &within_january_tenth()).await;
    assert_eq!(record_ids(&first), ids[0..5]);
    let search_id = first.text_of("searchId").unwrap();

    assert!(
        server
            .emulator
            .edit_customer(&ids[1], |c| c.phone = Some("555".into()))
    );

    let second = more(&server, &search_id, 2).await;
    assert_eq!(number(&second, "totalRecords"), 11);
    assert_eq!(record_ids(&second), ids[6..11]);
    let third = more(&server, &search_id, 3).await;
    assert_eq!(record_ids(&third), ids[11..12]);
}

#[tokio::test]
async fn search_more_after_last_record_left_returns_page_without_record_list() {
    let server = Server::start().await;
    let ids = insert_twelve(&server);
    let first = search_paged(&server, 5, &within_january_tenth()).await;
    let search_id = first.text_of("searchId").unwrap();
    for id in &ids[0..3] {
        server.emulator.edit_customer(id, |_| {});
    }
    let third = more(&server, &search_id, 3).await;
    assert_eq!(number(&third, "totalPages"), 2);
    assert!(third.find("recordList").is_none());
    assert_eq!(
        third.find("status").unwrap().attr("isSuccess").unwrap(),
        "true"
    );
}

#[tokio::test]
async fn search_more_with_expired_search_id_fails() {
    let server = Server::start().await;
    insert_twelve(&server);
    server.emulator.set_search_ttl(Duration::from_millis(100));
    let first = search_paged(&server, 5, &within_january_tenth()).await;
    let search_id = first.text_of("searchId").unwrap();
    tokio::time::sleep(Duration::from_millis(250)).await;
    let expired = more(&server, &search_id, 2).await;
    assert_eq!(
        expired.find("status").unwrap().attr("isSuccess").unwrap(),
        "false"
    );
    assert_eq!(status_code(&expired), "INVALID_JOB_ID");
}

#[tokio::test]
async fn search_more_with_unknown_search_id_fails() {
    let server = Server::start().await;
    let unknown = more(&server, "WEBSERVICES_NOPE_1_a", 1).await;
    assert_eq!(status_code(&unknown), "INVALID_JOB_ID");
}

#[tokio::test]
async fn search_more_beyond_last_page_fails() {
    let server = Server::start().await;
    insert_twelve(&server);
    let first = search_paged(&server, 5, &within_january_tenth()).await;
    let search_id = first.text_of("searchId").unwrap();
    assert_eq!(
        status_code(&more(&server, &search_id, 4).await),
        "INVALID_SEARCH_PAGE_INDEX"
    );
    assert_eq!(
        status_code(&more(&server, &search_id, 0).await),
        "INVALID_SEARCH_PAGE_INDEX"
    );
}

#[tokio::test]
async fn search_with_no_match_has_recorded_empty_shape() {
    let server = Server::start().await;
    insert_twelve(&server);
    let body = search_body(
        "<platformCommon:email operator=\"is\"><platformCore:searchValue>nobody@example.com</platformCore:searchValue></platformCommon:email>",
    );
    let reply = server.call("search", &body).await;
    let result = parse(&reply.body);
    assert_eq!(number(&result, "totalRecords"), 0);
    assert_eq!(number(&result, "totalPages"), 0);
    assert!(result.find("pageSize").is_none());
    assert!(result.find("pageIndex").is_none());
    assert!(result.find("recordList").unwrap().children.is_empty());
    let recorded = corpus(
        "iloveitaly__netsuite_integration/spec/cassettes/inventory_item/item_not_found/01_search_response.xml",
    );
    assert_same_shape(&result, &parse(&recorded));
}

#[tokio::test]
async fn search_result_matches_recorded_shape() {
    let server = Server::start().await;
    server
        .emulator
        .insert_customer(customer("Only One", january(0)));
    let body = search_body(
        "<platformCommon:companyName operator=\"startsWith\"><platformCore:searchValue>only</platformCore:searchValue></platformCommon:companyName>",
    );
    let reply = server.call("search", &body).await;
    let recorded =
        corpus("NetSweet__netsuite/spec/support/fixtures/search/single_search_result.xml");
    assert_same_shape(
        &without_record_details(&parse(&reply.body)),
        &without_record_details(&parse(&recorded)),
    );
}

#[tokio::test]
async fn search_rejects_page_size_outside_bounds() {
    let server = Server::start().await;
    for size in [4, 1001] {
        let result = search_paged(&server, size, &within_january_tenth()).await;
        assert_eq!(
            result.find("status").unwrap().attr("isSuccess").unwrap(),
            "false"
        );
        assert_eq!(status_code(&result), "INVALID_SEARCH_PAGE_SIZE");
    }
}

#[tokio::test]
async fn search_honours_capitalised_preferences_header() {
    let server = Server::start().await;
    insert_twelve(&server);
    let headers = format!(
        "{}<platformMsgs:SearchPreferences><pageSize>6</pageSize></platformMsgs:SearchPreferences>",
        server.passport()
    );
    let reply = server
        .call_with_headers("search", &headers, &within_january_tenth())
        .await;
    let result = parse(&reply.body);
    assert_eq!(number(&result, "pageSize"), 6);
    assert_eq!(number(&result, "totalPages"), 2);
}

#[tokio::test]
async fn search_reads_bare_dates_as_pacific_time() {
    let server = Server::start().await;
    insert_twelve(&server);
    let body = search_body(
        "<platformCommon:lastModifiedDate operator=\"onOrAfter\">\
         <platformCore:searchValue>2024-01-10T09:10:00</platformCore:searchValue>\
         </platformCommon:lastModifiedDate>",
    );
    let result = parse(&server.call("search", &body).await.body);
    assert_eq!(number(&result, "totalRecords"), 2);
}

#[tokio::test]
async fn search_filters_by_text_and_internal_id() {
    let server = Server::start().await;
    let ids = insert_twelve(&server);
    server.emulator.edit_customer(&ids[3], |c| {
        c.email = Some("AP@Example.com".into());
        c.external_id = Some("SF-3".into());
    });
    let cases = [
        (
            "<platformCommon:email operator=\"is\"><platformCore:searchValue>ap@example.com</platformCore:searchValue></platformCommon:email>",
            1,
        ),
        (
            "<platformCommon:companyName operator=\"contains\"><platformCore:searchValue>pany 1</platformCore:searchValue></platformCommon:companyName>",
            2,
        ),
        (
            "<platformCommon:externalIdString operator=\"is\"><platformCore:searchValue>SF-3</platformCore:searchValue></platformCommon:externalIdString>",
            1,
        ),
    ];
    for (criteria, expected) in cases {
        let result = parse(&server.call("search", &search_body(criteria)).await.body);
        assert_eq!(number(&result, "totalRecords"), expected, "{criteria}");
    }
    let any_of = format!(
        "<platformCommon:internalId operator=\"anyOf\"><platformCore:searchValue internalId=\"{}\"/><platformCore:searchValue internalId=\"{}\"/></platformCommon:internalId>",
        ids[0], ids[5]
    );
    let result = parse(&server.call("search", &search_body(&any_of)).await.body);
    assert_eq!(record_ids(&result), vec![ids[0].clone(), ids[5].clone()]);
}

#[tokio::test]
async fn search_with_unsupported_field_fails_with_status() {
    let server = Server::start().await;
    let body = search_body(
        "<platformCommon:phone operator=\"is\"><platformCore:searchValue>1</platformCore:searchValue></platformCommon:phone>",
    );
    let reply = server.call("search", &body).await;
    assert_eq!(reply.status, 200);
    let result = parse(&reply.body);
    assert_eq!(
        result.find("status").unwrap().attr("isSuccess").unwrap(),
        "false"
    );
    assert_eq!(status_code(&result), "INVALID_SEARCH_FIELD_NAME");
}

#[tokio::test]
async fn search_leaves_out_sublists_while_body_fields_only() {
    let server = Server::start().await;
    let add = "<platformMsgs:add><platformMsgs:record xsi:type=\"listRel:Customer\">\
        <listRel:companyName>Sublist Co</listRel:companyName>\
        <listRel:addressbookList><listRel:addressbook><listRel:label>HQ</listRel:label></listRel:addressbook></listRel:addressbookList>\
        </platformMsgs:record></platformMsgs:add>";
    assert_eq!(server.call("add", add).await.status, 200);
    let body = search_body(
        "<platformCommon:companyName operator=\"is\"><platformCore:searchValue>Sublist Co</platformCore:searchValue></platformCommon:companyName>",
    );
    let body_only = parse(&server.call("search", &body).await.body);
    assert!(body_only.find("addressbookList").is_none());
    let headers = preferences(&server, 10, false);
    let full = parse(
        &server
            .call_with_headers("search", &headers, &body)
            .await
            .body,
    );
    assert_eq!(full.text_of("label").unwrap(), "HQ");
}

#[tokio::test]
async fn dates_use_pacific_offset_in_winter_and_summer() {
    let server = Server::start().await;
    let winter = Utc.with_ymd_and_hms(2024, 1, 15, 18, 30, 0).unwrap();
    let summer = Utc.with_ymd_and_hms(2024, 7, 15, 18, 30, 0).unwrap();
    let winter_id = server.emulator.insert_customer(customer("Winter", winter));
    let summer_id = server.emulator.insert_customer(customer("Summer", summer));
    let get = |id: &str| {
        format!(
            "<platformMsgs:get><platformMsgs:baseRef xsi:type=\"platformCore:RecordRef\" type=\"customer\" internalId=\"{id}\"/></platformMsgs:get>"
        )
    };
    let winter_record = parse(&server.call("get", &get(&winter_id)).await.body);
    let summer_record = parse(&server.call("get", &get(&summer_id)).await.body);
    assert_eq!(
        winter_record.text_of("dateCreated").unwrap(),
        "2024-01-15T10:30:00.000-08:00"
    );
    assert_eq!(
        summer_record.text_of("lastModifiedDate").unwrap(),
        "2024-07-15T11:30:00.000-07:00"
    );
}
