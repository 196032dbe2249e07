//! Requests the engine port sends for sublists, billing addresses and finds, against a fake
//! SuiteTalk endpoint on 127.0.0.1.

mod support;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use support::{FakeNetSuite, Reply, customer, envelope, search_page};
use tandem_engine::{ObjectSpec, RecordPort};
use tandem_netsuite::NetSuitePort;

const TIMEOUT: Duration = Duration::from_secs(10);

fn object(name: &str, fields: &[&str]) -> ObjectSpec {
    ObjectSpec {
        name: name.to_string(),
        fields: fields.iter().map(|field| field.to_string()).collect(),
        link_field: "externalId".to_string(),
    }
}

async fn body_fields_only(fields: &[&str]) -> Option<String> {
    let server =
        FakeNetSuite::start(vec![Reply::ok(search_page("search", 0, 0, 1, Some(&[])))]).await;
    let port = NetSuitePort::new(server.client(TIMEOUT));
    let since = Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap();
    port.changed_since(&object("customer", fields), since)
        .await
        .unwrap();
    server.requests()[0].element_text("bodyFieldsOnly")
}

#[tokio::test]
async fn search_reads_body_fields_only_by_default() {
    let flag = body_fields_only(&["companyName", "custentity_vip"]).await;
    assert_eq!(flag.as_deref(), Some("true"));
}

#[tokio::test]
async fn search_reads_sublists_for_line_fields() {
    let flag = body_fields_only(&["companyName", "addressbookList[].label"]).await;
    assert_eq!(flag.as_deref(), Some("false"));
}

#[tokio::test]
async fn search_reads_sublists_for_address_fields() {
    let flag = body_fields_only(&["billingAddress.city"]).await;
    assert_eq!(flag.as_deref(), Some("false"));
}

#[tokio::test]
async fn find_by_email_sends_one_is_search_per_value() {
    let empty = || Reply::ok(search_page("search", 0, 0, 1, Some(&[])));
    let server = FakeNetSuite::start(vec![empty(), empty()]).await;
    let port = NetSuitePort::new(server.client(TIMEOUT));
    let values = ["a@x.example".to_string(), "b@x.example".to_string()];

    let found = port
        .find(&object("customer", &["companyName"]), "email", &values)
        .await
        .unwrap();

    assert!(found.is_empty());
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[1].body.contains(concat!(
            r#"<platformCommon:email operator="is">"#,
            "<platformCore:searchValue>b@x.example</platformCore:searchValue>"
        )),
        "{}",
        requests[1].body
    );
}

#[tokio::test]
async fn find_by_external_id_sends_any_of() {
    let server =
        FakeNetSuite::start(vec![Reply::ok(search_page("search", 0, 0, 1, Some(&[])))]).await;
    let port = NetSuitePort::new(server.client(TIMEOUT));
    let values = ["001A".to_string(), "001B".to_string()];

    port.find(&object("customer", &["companyName"]), "externalId", &values)
        .await
        .unwrap();

    let body = &server.requests()[0].body;
    assert!(
        body.contains(r#"<platformCommon:externalId operator="anyOf">"#),
        "{body}"
    );
    assert!(body.contains(r#"externalId="001B""#), "{body}");
}

fn failed_read(code: &str) -> String {
    format!(
        concat!(
            r#"<readResponse><platformCore:status isSuccess="false""#,
            r#" xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com">"#,
            "<platformCore:statusDetail><platformCore:code>{code}</platformCore:code>",
            "<platformCore:message>Not readable.</platformCore:message>",
            "</platformCore:statusDetail></platformCore:status></readResponse>"
        ),
        code = code
    )
}

fn get_list_response(reads: &[String]) -> Reply {
    let body = format!(
        concat!(
            r#"<getListResponse xmlns="urn:messages_2025_2.platform.webservices.netsuite.com">"#,
            "<readResponseList>{reads}</readResponseList></getListResponse>"
        ),
        reads = reads.concat()
    );
    Reply::ok(envelope(&body))
}

fn found_read(id: &str) -> String {
    let record = customer(id, "Acme", "2025-03-01T02:00:00.000-08:00")
        .replace("platformCore:record", "record")
        .replace(
            "<record ",
            r#"<record xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com" "#,
        );
    format!(
        concat!(
            r#"<readResponse><platformCore:status isSuccess="true""#,
            r#" xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com"/>"#,
            "{record}</readResponse>"
        ),
        record = record
    )
}

#[tokio::test]
async fn read_leaves_out_records_that_do_not_exist() {
    let reads = [
        found_read("7"),
        failed_read("INVALID_KEY_OR_REF"),
        failed_read("RCRD_DSNT_EXIST"),
    ];
    let server = FakeNetSuite::start(vec![get_list_response(&reads)]).await;
    let port = NetSuitePort::new(server.client(TIMEOUT));
    let ids = ["7", "8", "9"].map(String::from);

    let records = port
        .read(&object("customer", &["companyName"]), &ids)
        .await
        .unwrap();

    assert_eq!(records.len(), 1);
    assert_eq!(records[0].id, "7");
}

#[tokio::test]
async fn read_fails_on_other_record_errors() {
    let reads = [found_read("7"), failed_read("INSUFFICIENT_PERMISSION")];
    let server = FakeNetSuite::start(vec![get_list_response(&reads)]).await;
    let port = NetSuitePort::new(server.client(TIMEOUT));
    let ids = ["7", "8"].map(String::from);

    let error = port
        .read(&object("customer", &["companyName"]), &ids)
        .await
        .unwrap_err();

    assert_eq!(error.code, "INSUFFICIENT_PERMISSION");
}
