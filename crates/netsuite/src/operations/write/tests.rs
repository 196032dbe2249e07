//! Checks a record must pass before it is written.

use super::*;

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
    record.record_type = "salesOrder".to_string();
    let error = error_of(&record);
    assert!(matches!(error, Error::Config(_)));
    assert!(error.to_string().contains("salesOrder"), "{error}");
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
