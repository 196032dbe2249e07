use serde_json::json;
use tandem_engine::ErrorClass;

use super::*;

fn spec() -> ObjectSpec {
    ObjectSpec {
        name: "Account".into(),
        fields: vec!["Name".into()],
        link_field: "NetSuite_Id__c".into(),
    }
}

fn fields(entries: &[(&str, FieldValue)]) -> Fields {
    entries
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect()
}

fn body(changes: &FieldChanges) -> Value {
    Value::Object(changes.to_json())
}

#[test]
fn upsert_changes_convert_values() {
    let record = NewRecord {
        link: "1042".into(),
        fields: fields(&[
            ("Name", FieldValue::Text("Acme".into())),
            ("Phone", FieldValue::Null),
            ("IsActive__c", FieldValue::Bool(false)),
            ("AnnualRevenue", FieldValue::Number(12.5)),
        ]),
    };
    let changes = upsert_changes(&spec(), &record).unwrap();
    assert_eq!(
        body(&changes),
        json!({"Name": "Acme", "Phone": null, "IsActive__c": false, "AnnualRevenue": 12.5})
    );
}

#[test]
fn upsert_changes_drop_matching_link_field() {
    let record = NewRecord {
        link: "1042".into(),
        fields: fields(&[
            ("Name", FieldValue::Text("Acme".into())),
            ("netsuite_id__c", FieldValue::Text("1042".into())),
        ]),
    };
    assert_eq!(
        body(&upsert_changes(&spec(), &record).unwrap()),
        json!({"Name": "Acme"})
    );
}

#[test]
fn upsert_changes_reject_conflicting_link_field() {
    let record = NewRecord {
        link: "1042".into(),
        fields: fields(&[("NetSuite_Id__c", FieldValue::Text("99".into()))]),
    };
    assert!(matches!(
        upsert_changes(&spec(), &record),
        Err(Error::InvalidRequest { .. })
    ));
}

#[test]
fn upsert_changes_reject_non_finite_numbers() {
    let record = NewRecord {
        link: "1".into(),
        fields: fields(&[("AnnualRevenue", FieldValue::Number(f64::NAN))]),
    };
    assert!(upsert_changes(&spec(), &record).is_err());
}

#[test]
fn record_patch_sets_link_and_normalises_id() {
    let update = RecordUpdate {
        id: "001dM00003kS3tN".into(),
        fields: fields(&[("Phone", FieldValue::Null)]),
        link: Some("1042".into()),
    };
    let patch = record_patch(&spec(), &update).unwrap();
    assert_eq!(patch.id.as_str(), "001dM00003kS3tNQAS");
    assert_eq!(
        body(&patch.changes),
        json!({"Phone": null, "NetSuite_Id__c": "1042"})
    );
}

#[test]
fn record_patch_without_link_keeps_link_field_alone() {
    let update = RecordUpdate {
        id: "001dM00003kS3tNQAS".into(),
        fields: fields(&[("Name", FieldValue::Text("Acme".into()))]),
        link: None,
    };
    let patch = record_patch(&spec(), &update).unwrap();
    assert_eq!(body(&patch.changes), json!({"Name": "Acme"}));
}

#[test]
fn record_patch_rejects_bad_id() {
    let update = RecordUpdate {
        id: "001-bad".into(),
        fields: Fields::new(),
        link: None,
    };
    let error = record_patch(&spec(), &update).unwrap_err();
    assert_eq!(error.code(), "MALFORMED_ID");
    assert_eq!(error.class(), ErrorClass::Data);
}

#[test]
fn record_patch_rejects_id_field() {
    let update = RecordUpdate {
        id: "001dM00003kS3tNQAS".into(),
        fields: fields(&[("ID", FieldValue::Text("001dM00003kS3tNQAS".into()))]),
        link: None,
    };
    assert!(matches!(
        record_patch(&spec(), &update),
        Err(Error::InvalidRequest { .. })
    ));
}

#[test]
fn record_patch_rejects_conflicting_link() {
    let update = RecordUpdate {
        id: "001dM00003kS3tNQAS".into(),
        fields: fields(&[("NetSuite_Id__c", FieldValue::Text("7".into()))]),
        link: Some("8".into()),
    };
    assert!(record_patch(&spec(), &update).is_err());
}

#[test]
fn merge_outcomes_keeps_input_order() {
    let patch = |id: &str| {
        Ok(RecordPatch {
            id: SalesforceId::parse(id).unwrap(),
            changes: FieldChanges::new(),
        })
    };
    let prepared = vec![
        patch("001dM00003kS3tN"),
        Err(Error::InvalidRequest {
            message: "not sent".into(),
        }),
        patch("0014H00002LbR7Q"),
    ];
    let outcomes = vec![
        Ok(SalesforceId::parse("001dM00003kS3tN").unwrap()),
        Err(Error::Record { errors: Vec::new() }),
    ];
    let results = merge_outcomes(prepared, outcomes).unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[0].as_ref().unwrap().id, "001dM00003kS3tNQAS");
    assert_eq!(results[1].as_ref().unwrap_err().code, "INVALID_REQUEST");
    assert_eq!(results[2].as_ref().unwrap_err().code, "UNKNOWN_ERROR");
}

#[test]
fn merge_outcomes_rejects_missing_results() {
    let prepared = vec![Ok(RecordPatch {
        id: SalesforceId::parse("001dM00003kS3tN").unwrap(),
        changes: FieldChanges::new(),
    })];
    assert!(merge_outcomes(prepared, Vec::new()).is_err());
}

#[test]
fn insert_changes_reject_id_and_attributes() {
    for key in ["id", "attributes"] {
        let record = fields(&[
            ("Subject", FieldValue::text("Call")),
            (key, FieldValue::text("x")),
        ]);
        let error = insert_changes(&record).unwrap_err();
        assert!(matches!(error, Error::InvalidRequest { .. }), "{error}");
        assert!(error.to_string().contains(key), "{error}");
    }
}

#[test]
fn insert_changes_keep_nulls_and_values() {
    let record = fields(&[
        ("Subject", FieldValue::text("Call")),
        ("Description", FieldValue::Null),
        ("IsReminderSet", FieldValue::Bool(true)),
    ]);
    let changes = insert_changes(&record).unwrap();
    assert_eq!(
        body(&changes),
        json!({"Description": null, "IsReminderSet": true, "Subject": "Call"})
    );
}
