//! Checks a record must pass before it is written.

use super::*;
use crate::records::{BodyValue, CustomField, CustomValue, ListOrRecordRef};

fn customer(fields: &[(&str, BodyValue)]) -> Record {
    let mut record = Record::new("customer");
    record.external_id = Some("SF-1".to_string());
    record.fields = fields
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect();
    record
}

fn text(value: &str) -> BodyValue {
    BodyValue::Text(value.to_string())
}

fn error_of(record: &Record) -> Error {
    match WriteRequest::new(Operation::Add, record) {
        Ok(_) => panic!("the record was accepted"),
        Err(error) => error,
    }
}

#[test]
fn write_rejects_unknown_record_type() {
    let mut record = customer(&[]);
    record.record_type = "shoeStore".to_string();
    let error = error_of(&record);
    assert!(matches!(error, Error::Config(_)));
    assert!(error.to_string().contains("shoeStore"), "{error}");
}

#[test]
fn write_rejects_unknown_field() {
    let error = error_of(&customer(&[("shoeSize", text("44"))]));
    assert!(matches!(error, Error::Config(_)));
    assert!(error.to_string().contains("shoeSize"), "{error}");
}

#[test]
fn write_rejects_field_given_twice() {
    let error = error_of(&customer(&[("phone", text("1")), ("phone", text("2"))]));
    assert!(error.to_string().contains("twice"), "{error}");
}

#[test]
fn write_rejects_sublist() {
    let error = error_of(&customer(&[("addressbookList", text(""))]));
    assert!(error.to_string().contains("sublist"), "{error}");
}

#[test]
fn write_rejects_text_for_record_ref() {
    let error = error_of(&customer(&[("subsidiary", text("1"))]));
    assert!(matches!(error, Error::Config(_)), "{error}");
}

#[test]
fn write_rejects_reference_without_key() {
    let error = error_of(&customer(&[(
        "subsidiary",
        BodyValue::Ref(RecordRef::default()),
    )]));
    assert!(matches!(error, Error::InvalidValue { .. }), "{error}");
}

#[test]
fn write_rejects_malformed_typed_text() {
    let cases = [
        ("isInactive", "yes"),
        ("creditLimit", "NaN"),
        ("creditLimit", "12,5"),
        ("daysOverdue", "1.5"),
        ("startDate", "2025-03-01T10:00:00"),
    ];
    for (field, value) in cases {
        let error = error_of(&customer(&[(field, text(value))]));
        assert!(
            matches!(&error, Error::InvalidValue { field: name, .. } if name == field),
            "{field}={value:?} gave {error}"
        );
    }
}

#[test]
fn write_rejects_non_finite_custom_double() {
    let mut record = customer(&[]);
    record.custom_fields = vec![CustomField::new(
        "custentity_score",
        CustomValue::Double(f64::INFINITY),
    )];
    assert!(matches!(error_of(&record), Error::InvalidValue { .. }));
}

#[test]
fn write_rejects_unknown_null_field() {
    let mut record = customer(&[]);
    record.null_fields = vec!["shoeSize".to_string()];
    assert!(matches!(error_of(&record), Error::Config(_)));
}

#[test]
fn upsert_requires_external_id() {
    let mut record = customer(&[("companyName", text("Acme"))]);
    record.external_id = None;
    let error = WriteRequest::new(Operation::Upsert, &record)
        .err()
        .expect("an upsert without external ID was accepted");
    assert!(error.to_string().contains("external ID"), "{error}");
}

#[test]
fn update_requires_a_key() {
    let mut record = customer(&[("companyName", text("Acme"))]);
    record.external_id = None;
    assert!(WriteRequest::new(Operation::Update, &record).is_err());
    record.internal_id = Some("5".to_string());
    assert!(WriteRequest::new(Operation::Update, &record).is_ok());
}

/// Asserts that `record` is rejected as an invalid value of `field` that names U+0001.
fn assert_rejects_control_character(record: &Record, field: &str) {
    let error = error_of(record);
    assert!(
        matches!(&error, Error::InvalidValue { field: name, .. } if name == field),
        "expected field {field}, got {error}"
    );
    assert_eq!(error.class(), tandem_engine::ErrorClass::Data);
    assert!(error.is_record_level());
    assert!(error.to_string().contains("U+0001"), "{error}");
}

#[test]
fn write_rejects_control_character_in_body_field() {
    let record = customer(&[("companyName", text("Ac\u{1}me"))]);
    assert_rejects_control_character(&record, "companyName");
}

#[test]
fn write_rejects_control_character_in_keys() {
    let mut record = customer(&[]);
    record.external_id = Some("SF\u{1}1".to_string());
    assert_rejects_control_character(&record, "externalId");

    let mut record = customer(&[]);
    record.internal_id = Some("9\u{1}".to_string());
    assert_rejects_control_character(&record, "internalId");
}

#[test]
fn write_rejects_control_character_in_record_ref() {
    let reference = RecordRef {
        internal_id: Some("1".to_string()),
        name: Some("Parent\u{1}".to_string()),
        ..RecordRef::default()
    };
    let record = customer(&[("subsidiary", BodyValue::Ref(reference))]);
    assert_rejects_control_character(&record, "subsidiary.name");
}

#[test]
fn write_rejects_control_character_in_null_field() {
    let mut record = customer(&[]);
    record.null_fields = vec!["custentity_\u{1}".to_string()];
    assert_rejects_control_character(&record, "nullFieldList");
}

#[test]
fn write_rejects_control_character_in_custom_fields() {
    let mut record = customer(&[]);
    record.custom_fields = vec![CustomField::new(
        "custentity_note",
        CustomValue::String("VIP\u{1}".to_string()),
    )];
    assert_rejects_control_character(&record, "custentity_note");

    let mut record = customer(&[]);
    record.custom_fields = vec![CustomField::new(
        "custentity_\u{1}",
        CustomValue::Boolean(true),
    )];
    assert_rejects_control_character(&record, "customField.scriptId");

    let option = ListOrRecordRef {
        internal_id: Some("3".to_string()),
        name: Some("Gold\u{1}".to_string()),
        ..ListOrRecordRef::default()
    };
    let mut record = customer(&[]);
    record.custom_fields = vec![CustomField::new(
        "custentity_tags",
        CustomValue::MultiSelect(vec![option]),
    )];
    assert_rejects_control_character(&record, "custentity_tags.name");
}

#[test]
fn write_accepts_tab_lf_and_cr() {
    let mut record = customer(&[("comments", text("a\tb\nc\r\nd"))]);
    record.custom_fields = vec![CustomField::new(
        "custentity_note",
        CustomValue::String("x\ty\r".to_string()),
    )];
    assert!(WriteRequest::new(Operation::Add, &record).is_ok());
}
