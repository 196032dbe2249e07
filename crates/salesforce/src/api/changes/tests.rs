use chrono::TimeZone;

use super::*;
use crate::api::test_support::*;

const FIXTURES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/salesforce/restforce__restforce/spec/fixtures/sobject"
);

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).unwrap()
}

fn at(hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 5, 6, hour, minute, second)
        .unwrap()
}

#[test]
fn parse_updated_reads_recorded_ids() {
    let updated = parse_updated(&fixture("get_updated_success_response.json")).unwrap();
    assert_eq!(updated.ids.len(), 7);
    assert_eq!(updated.ids[0].as_str(), "003q000000KvQ1tAAF");
    assert_eq!(updated.ids[6].as_str(), "003q000000KwYFaAAN");
    assert_eq!(
        updated.latest_date_covered,
        Utc.with_ymd_and_hms(2015, 8, 19, 8, 17, 0).unwrap()
    );
}

#[test]
fn parse_deleted_reads_recorded_records() {
    let deleted = parse_deleted(&fixture("get_deleted_success_response.json")).unwrap();
    assert_eq!(deleted.records.len(), 1);
    assert_eq!(deleted.records[0].id.as_str(), "a00D0000008pQRAIA2");
    assert_eq!(
        deleted.records[0].deleted_date,
        Utc.with_ymd_and_hms(2013, 5, 7, 22, 7, 19).unwrap()
    );
    assert_eq!(
        deleted.earliest_date_available,
        Utc.with_ymd_and_hms(2013, 5, 3, 15, 57, 0).unwrap()
    );
    assert_eq!(
        deleted.latest_date_covered,
        Utc.with_ymd_and_hms(2013, 5, 8, 21, 20, 0).unwrap()
    );
}

#[test]
fn window_request_encodes_offsets() {
    let window = ChangeWindow {
        start: at(7, 0, 0),
        end: at(8, 30, 0),
    };
    let request = build(&window_request("Account", "deleted", &window).unwrap());
    assert_eq!(request.method(), Method::GET);
    assert_eq!(
        request.url().path(),
        "/services/data/v62.0/sobjects/Account/deleted/"
    );
    assert_eq!(
        request.url().query(),
        Some("start=2024-05-06T07%3A00%3A00%2B00%3A00&end=2024-05-06T08%3A30%3A00%2B00%3A00")
    );
    assert_eq!(header(&request, "sforce-call-options"), None);
}

#[test]
fn window_query_is_half_open_with_id_tiebreak() {
    let window = ChangeWindow {
        start: at(7, 0, 0),
        end: at(8, 0, 0),
    };
    let soql = window_query("Account", &["Name"], MODSTAMP_FIELD, &window)
        .to_soql()
        .unwrap();
    assert_eq!(
        soql,
        "SELECT Id, SystemModstamp, Name FROM Account WHERE SystemModstamp >= \
         2024-05-06T07:00:00.000Z AND SystemModstamp < 2024-05-06T08:00:00.000Z ORDER BY \
         SystemModstamp ASC, Id ASC"
    );
}

#[test]
fn until_lag_stops_before_now() {
    let window = ChangeWindow::until_lag(at(7, 0, 0), at(8, 0, 0), TimeDelta::seconds(60)).unwrap();
    assert_eq!(window.end, at(7, 59, 0));
    assert!(window.contains(at(7, 0, 0)));
    assert!(!window.contains(at(7, 59, 0)));
    assert_eq!(
        ChangeWindow::until_lag(at(7, 59, 30), at(8, 0, 0), TimeDelta::seconds(60)),
        None
    );
}
