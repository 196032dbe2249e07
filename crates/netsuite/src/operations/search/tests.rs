//! Checks a search must pass before it is sent.

use chrono::{TimeZone, Utc};

use super::*;

fn date(operator: DateOperator, second: bool) -> CriterionValue {
    let time = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    CriterionValue::Date {
        operator,
        value: time,
        second: second.then_some(time),
    }
}

fn rejected(search: &SearchRecord) -> Error {
    match SearchRequest::new(search) {
        Ok(_) => panic!("the search was accepted"),
        Err(error) => error,
    }
}

#[test]
fn search_rejects_unknown_record_type() {
    let error = rejected(&SearchRecord::new("vendorBill"));
    assert!(error.to_string().contains("vendorBill"), "{error}");
}

#[test]
fn search_rejects_unknown_criterion() {
    let search = SearchRecord::new("customer")
        .with(Criterion::new("shoeSize", CriterionValue::Boolean(true)));
    assert!(rejected(&search).to_string().contains("shoeSize"));
}

#[test]
fn search_rejects_criterion_of_wrong_kind() {
    let search = SearchRecord::new("customer").with(Criterion::new(
        "lastModifiedDate",
        CriterionValue::Boolean(true),
    ));
    assert!(matches!(rejected(&search), Error::Config(_)));
}

#[test]
fn search_rejects_within_without_second_value() {
    let search = SearchRecord::new("customer").with(Criterion::new(
        "lastModifiedDate",
        date(DateOperator::Within, false),
    ));
    assert!(rejected(&search).to_string().contains("within"));
}

#[test]
fn search_rejects_second_value_for_after() {
    let search = SearchRecord::new("customer").with(Criterion::new(
        "lastModifiedDate",
        date(DateOperator::After, true),
    ));
    assert!(matches!(rejected(&search), Error::Config(_)));
}

#[test]
fn search_rejects_repeated_criterion() {
    let search = SearchRecord::new("customer")
        .with(Criterion::new("isInactive", CriterionValue::Boolean(true)))
        .with(Criterion::new("isInactive", CriterionValue::Boolean(false)));
    assert!(rejected(&search).to_string().contains("twice"));
}

#[test]
fn search_without_criteria_writes_empty_search_record() {
    let request = SearchRequest::new(&SearchRecord::new("customer")).unwrap();
    let mut writer = Writer::new(Vec::new());
    request.write(&mut writer).unwrap();
    assert_eq!(
        String::from_utf8(writer.into_inner()).unwrap(),
        concat!(
            "<platformMsgs:search>",
            r#"<platformMsgs:searchRecord xsi:type="listRel:CustomerSearch"/>"#,
            "</platformMsgs:search>"
        )
    );
}

#[test]
fn search_more_rejects_page_zero() {
    assert!(SearchMoreRequest::new("id", 0).is_err());
    assert!(SearchMoreRequest::new("", 2).is_err());
    assert!(SearchMoreRequest::new("id", 2).is_ok());
}

#[test]
fn preferences_reject_page_size_out_of_range() {
    for page_size in [4, 1001] {
        let preferences = SearchPreferences {
            return_search_columns: true,
            body_fields_only: true,
            page_size,
        };
        assert!(preferences.validate().is_err(), "page size {page_size}");
    }
    assert!(SearchPreferences::default().validate().is_ok());
}

#[test]
fn search_rejects_control_character_in_string_value() {
    let search = SearchRecord::new("customer").with(Criterion::new(
        "email",
        CriterionValue::String {
            operator: StringOperator::Is,
            value: "ap\u{B}@example.com".to_string(),
        },
    ));
    let error = rejected(&search);
    assert!(
        matches!(&error, Error::InvalidValue { field, .. } if field == "email"),
        "{error}"
    );
    assert!(error.to_string().contains("U+000B"), "{error}");
}

#[test]
fn search_more_rejects_control_character_in_search_id() {
    let error = match SearchMoreRequest::new("WEBSERVICES_1\u{FFFF}", 2) {
        Ok(_) => panic!("the search ID was accepted"),
        Err(error) => error,
    };
    assert!(
        matches!(&error, Error::InvalidValue { field, .. } if field == "searchId"),
        "{error}"
    );
    assert!(error.to_string().contains("U+FFFF"), "{error}");
}
