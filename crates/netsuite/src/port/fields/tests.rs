//! Conversion between customer records and engine field values.

use chrono::{TimeZone, Utc};
use chrono_tz::America::Los_Angeles;

use super::*;
use crate::records::ListOrRecordRef;
use crate::schema::{ComplexType, schema};

fn customers() -> &'static ComplexType {
    schema().record_fields("customer").unwrap()
}

fn searched_customer() -> Record {
    let mut record = Record::new("customer");
    record.internal_id = Some("988".to_string());
    record.external_id = Some("001A000001".to_string());
    let text = |value: &str| BodyValue::Text(value.to_string());
    record.fields = vec![
        ("companyName".to_string(), text("Test Inc.")),
        ("phone".to_string(), text("")),
        ("isInactive".to_string(), text("false")),
        ("isPerson".to_string(), text("true")),
        ("creditLimit".to_string(), text("2500.5")),
        ("daysOverdue".to_string(), text("93")),
        (
            "dateCreated".to_string(),
            text("2011-12-15T11:56:19.000-08:00"),
        ),
        (
            "lastModifiedDate".to_string(),
            text("2014-05-05T07:44:43.000-07:00"),
        ),
        (
            "subsidiary".to_string(),
            BodyValue::Ref(RecordRef {
                internal_id: Some("1".to_string()),
                name: Some("Parent Company".to_string()),
                ..RecordRef::default()
            }),
        ),
    ];
    let option = |id: &str| ListOrRecordRef {
        internal_id: Some(id.to_string()),
        ..ListOrRecordRef::default()
    };
    record.custom_fields = vec![
        CustomField::new("custentity_region", CustomValue::String("EMEA".to_string())),
        CustomField::new("custentity_vip", CustomValue::Boolean(true)),
        CustomField::new("custentity_score", CustomValue::Double(4.5)),
        CustomField::new("custentity_seats", CustomValue::Long(12)),
        CustomField::new("custentity_tier", CustomValue::Select(option("3"))),
        CustomField::new(
            "custentity_tags",
            CustomValue::MultiSelect(vec![option("7"), option("8")]),
        ),
    ];
    record
}

fn read(names: &[&str]) -> SourceRecord {
    let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
    source_record(
        "customer",
        customers(),
        &names,
        &searched_customer(),
        Los_Angeles,
    )
    .unwrap()
}

#[test]
fn source_record_keeps_keys_and_modified_time() {
    let source = read(&[]);
    assert_eq!(source.id, "988");
    assert_eq!(source.link.as_deref(), Some("001A000001"));
    assert_eq!(
        source.modified_at,
        Utc.with_ymd_and_hms(2014, 5, 5, 14, 44, 43).unwrap()
    );
    assert!(source.fields.is_empty());
}

#[test]
fn source_record_types_standard_fields() {
    let source = read(&[
        "companyName",
        "phone",
        "isInactive",
        "isPerson",
        "creditLimit",
        "daysOverdue",
        "dateCreated",
        "subsidiary",
        "email",
    ]);
    let value = |name: &str| source.fields[name].clone();
    assert_eq!(
        value("companyName"),
        FieldValue::Text("Test Inc.".to_string())
    );
    assert_eq!(value("phone"), FieldValue::Null);
    assert_eq!(value("isInactive"), FieldValue::Bool(false));
    assert_eq!(value("isPerson"), FieldValue::Bool(true));
    assert_eq!(value("creditLimit"), FieldValue::Number(2500.5));
    assert_eq!(value("daysOverdue"), FieldValue::Number(93.0));
    assert_eq!(
        value("dateCreated"),
        FieldValue::Text("2011-12-15T19:56:19.000Z".to_string())
    );
    assert_eq!(value("subsidiary"), FieldValue::Text("1".to_string()));
    assert_eq!(value("email"), FieldValue::Null);
}

#[test]
fn source_record_types_custom_fields() {
    let source = read(&[
        "custentity_region",
        "custentity_vip",
        "custentity_score",
        "custentity_seats",
        "custentity_tier",
        "custentity_tags",
        "custentity_missing",
    ]);
    let value = |name: &str| source.fields[name].clone();
    assert_eq!(
        value("custentity_region"),
        FieldValue::Text("EMEA".to_string())
    );
    assert_eq!(value("custentity_vip"), FieldValue::Bool(true));
    assert_eq!(value("custentity_score"), FieldValue::Number(4.5));
    assert_eq!(value("custentity_seats"), FieldValue::Number(12.0));
    assert_eq!(value("custentity_tier"), FieldValue::Text("3".to_string()));
    assert_eq!(
        value("custentity_tags"),
        FieldValue::Text("7,8".to_string())
    );
    assert_eq!(value("custentity_missing"), FieldValue::Null);
}

#[test]
fn source_record_reads_key_attributes_as_fields() {
    let source = read(&["internalId", "externalId"]);
    assert_eq!(
        source.fields["internalId"],
        FieldValue::Text("988".to_string())
    );
    assert_eq!(
        source.fields["externalId"],
        FieldValue::Text("001A000001".to_string())
    );
}

#[test]
fn source_record_rejects_unknown_field() {
    let names = vec!["shoeSize".to_string()];
    let error = source_record(
        "customer",
        customers(),
        &names,
        &searched_customer(),
        Los_Angeles,
    )
    .unwrap_err();
    assert!(matches!(error, Error::Config(_)), "{error}");
}

#[test]
fn source_record_requires_last_modified_date() {
    let mut record = searched_customer();
    record.fields.retain(|(name, _)| name != "lastModifiedDate");
    let error = source_record("customer", customers(), &[], &record, Los_Angeles).unwrap_err();
    assert!(error.to_string().contains("lastModifiedDate"), "{error}");
}

#[test]
fn source_record_rejects_malformed_boolean() {
    let mut record = searched_customer();
    record
        .fields
        .push(("taxable".to_string(), BodyValue::Text("maybe".to_string())));
    let names = vec!["taxable".to_string()];
    let error = source_record("customer", customers(), &names, &record, Los_Angeles).unwrap_err();
    assert!(matches!(error, Error::InvalidResponse(_)), "{error}");
}

fn fields(entries: &[(&str, FieldValue)]) -> Fields {
    entries
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect()
}

#[test]
fn record_from_fields_converts_by_schema() {
    let record = record_from_fields(
        "customer",
        customers(),
        &fields(&[
            ("companyName", FieldValue::Text("Acme".to_string())),
            ("isInactive", FieldValue::Bool(true)),
            ("creditLimit", FieldValue::Number(1500.0)),
            ("daysOverdue", FieldValue::Number(3.0)),
            ("subsidiary", FieldValue::Text("2".to_string())),
            (
                "firstVisit",
                FieldValue::Text("2025-03-01T12:00:00+01:00".to_string()),
            ),
            ("customForm", FieldValue::Number(-8.0)),
        ]),
        Los_Angeles,
    )
    .unwrap();

    let text = |value: &str| BodyValue::Text(value.to_string());
    assert_eq!(record.field("companyName"), Some(&text("Acme")));
    assert_eq!(record.field("isInactive"), Some(&text("true")));
    assert_eq!(record.field("creditLimit"), Some(&text("1500")));
    assert_eq!(record.field("daysOverdue"), Some(&text("3")));
    assert_eq!(
        record.field("firstVisit"),
        Some(&text("2025-03-01T11:00:00.000Z"))
    );

    let reference = |id: &str| {
        BodyValue::Ref(RecordRef {
            internal_id: Some(id.to_string()),
            ..RecordRef::default()
        })
    };
    assert_eq!(record.field("subsidiary"), Some(&reference("2")));
    assert_eq!(record.field("customForm"), Some(&reference("-8")));
    assert!(record.custom_fields.is_empty());
}

#[test]
fn record_from_fields_maps_custom_fields_and_nulls() {
    let record = record_from_fields(
        "customer",
        customers(),
        &fields(&[
            ("custentity_region", FieldValue::Text("EMEA".to_string())),
            ("custentity_vip", FieldValue::Bool(false)),
            ("custentity_score", FieldValue::Number(2.5)),
            ("custentity_old", FieldValue::Null),
            ("phone", FieldValue::Null),
        ]),
        Los_Angeles,
    )
    .unwrap();
    assert_eq!(
        record.custom_fields,
        vec![
            CustomField::new("custentity_region", CustomValue::String("EMEA".to_string())),
            CustomField::new("custentity_score", CustomValue::Double(2.5)),
            CustomField::new("custentity_vip", CustomValue::Boolean(false)),
        ]
    );
    assert_eq!(record.null_fields, vec!["custentity_old", "phone"]);
    assert!(record.fields.is_empty());
}

#[test]
fn record_from_fields_rejects_wrong_types() {
    let cases = [
        ("isInactive", FieldValue::Text("yes".to_string())),
        ("companyName", FieldValue::Number(3.0)),
        ("subsidiary", FieldValue::Bool(true)),
        ("shoeSize", FieldValue::Text("44".to_string())),
        ("addressbookList", FieldValue::Text("x".to_string())),
    ];
    for (name, value) in cases {
        let error = record_from_fields(
            "customer",
            customers(),
            &fields(&[(name, value)]),
            Los_Angeles,
        )
        .unwrap_err();
        assert!(matches!(error, Error::Config(_)), "{name}: {error}");
    }
}

#[test]
fn record_from_fields_rejects_fraction_for_long() {
    let error = record_from_fields(
        "customer",
        customers(),
        &fields(&[("daysOverdue", FieldValue::Number(1.5))]),
        Los_Angeles,
    )
    .unwrap_err();
    assert!(matches!(error, Error::InvalidValue { .. }), "{error}");
}

#[test]
fn date_only_field_reads_and_writes_calendar_date() {
    let mut record = searched_customer();
    record.fields.push((
        "startDate".to_string(),
        BodyValue::Text("2017-02-20T22:00:00.000-08:00".to_string()),
    ));
    let names = vec!["startDate".to_string()];
    let chicago = chrono_tz::America::Chicago;
    let read = source_record("customer", customers(), &names, &record, chicago).unwrap();
    assert_eq!(read.fields["startDate"], FieldValue::text("2017-02-21"));

    let written = record_from_fields(
        "customer",
        customers(),
        &fields(&[("startDate", FieldValue::text("2017-02-21"))]),
        chicago,
    )
    .unwrap();
    assert_eq!(
        written.text("startDate"),
        Some("2017-02-21T00:00:00.000-06:00")
    );
}
