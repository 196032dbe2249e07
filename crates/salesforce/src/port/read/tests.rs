use chrono::TimeZone;
use serde_json::json;

use super::*;

fn account_spec() -> ObjectSpec {
    ObjectSpec {
        name: "Account".into(),
        fields: vec![
            "Name".into(),
            "Phone".into(),
            "IsActive__c".into(),
            "AnnualRevenue".into(),
        ],
        link_field: "NetSuite_Id__c".into(),
    }
}

fn row(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

#[test]
fn changed_since_soql_is_exact() {
    let since = Utc.with_ymd_and_hms(2024, 5, 6, 7, 8, 9).unwrap();
    assert_eq!(
        changed_since_soql(&account_spec(), since).unwrap(),
        "SELECT Id, SystemModstamp, NetSuite_Id__c, Name, Phone, IsActive__c, AnnualRevenue \
         FROM Account WHERE SystemModstamp >= 2024-05-06T07:08:09.000Z \
         ORDER BY SystemModstamp, Id"
    );
}

#[test]
fn changed_since_soql_names_each_column_once() {
    let spec = ObjectSpec {
        name: "Account".into(),
        fields: vec![
            "Name".into(),
            "id".into(),
            "NETSUITE_ID__C".into(),
            "Name".into(),
        ],
        link_field: "NetSuite_Id__c".into(),
    };
    let since = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let soql = changed_since_soql(&spec, since).unwrap();
    assert!(
        soql.starts_with("SELECT Id, SystemModstamp, NetSuite_Id__c, Name FROM Account "),
        "{soql}"
    );
}

#[test]
fn changed_since_soql_rejects_bad_names() {
    let since = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
    let mut spec = account_spec();
    spec.fields.push("Name FROM User WHERE Id != null".into());
    assert!(matches!(
        changed_since_soql(&spec, since),
        Err(Error::InvalidRequest { .. })
    ));
    let mut spec = account_spec();
    spec.name = "Account; DELETE".into();
    assert!(changed_since_soql(&spec, since).is_err());
}

#[test]
fn source_record_converts_values() {
    let row = row(json!({
        "attributes": {
            "type": "Account",
            "url": "/services/data/v62.0/sobjects/Account/001dM00003kS3tNQAS"
        },
        "Id": "001dM00003kS3tNQAS",
        "SystemModstamp": "2024-05-06T07:08:09.000+0000",
        "NetSuite_Id__c": "1042",
        "Name": "Acme",
        "Phone": "",
        "IsActive__c": true,
        "AnnualRevenue": 1250000.5
    }));
    let record = source_record(&account_spec(), &row).unwrap();
    assert_eq!(record.id, "001dM00003kS3tNQAS");
    assert_eq!(
        record.modified_at,
        Utc.with_ymd_and_hms(2024, 5, 6, 7, 8, 9).unwrap()
    );
    assert_eq!(record.link.as_deref(), Some("1042"));
    assert_eq!(record.fields["Name"], FieldValue::Text("Acme".into()));
    assert_eq!(record.fields["Phone"], FieldValue::Null);
    assert_eq!(record.fields["IsActive__c"], FieldValue::Bool(true));
    assert_eq!(
        record.fields["AnnualRevenue"],
        FieldValue::Number(1_250_000.5)
    );
    assert_eq!(record.fields.len(), 4);
}

#[test]
fn source_record_reads_null_and_missing_as_null() {
    let row = row(json!({
        "Id": "001dM00003kS3tNQAS",
        "SystemModstamp": "2024-05-06T07:08:09.000Z",
        "NetSuite_Id__c": null,
        "Name": null
    }));
    let record = source_record(&account_spec(), &row).unwrap();
    assert_eq!(record.link, None);
    assert_eq!(record.fields["Name"], FieldValue::Null);
    assert_eq!(record.fields["Phone"], FieldValue::Null);
}

#[test]
fn source_record_extends_short_id() {
    let row = row(json!({"Id": "001dM00003kS3tN", "SystemModstamp": "2024-05-06T07:08:09Z"}));
    assert_eq!(
        source_record(&account_spec(), &row).unwrap().id,
        "001dM00003kS3tNQAS"
    );
}

#[test]
fn source_record_rejects_missing_id_or_modstamp() {
    let no_id = row(json!({"SystemModstamp": "2024-05-06T07:08:09Z"}));
    assert!(matches!(
        source_record(&account_spec(), &no_id),
        Err(Error::InvalidResponse { .. })
    ));
    let no_stamp = row(json!({"Id": "001dM00003kS3tNQAS"}));
    assert!(source_record(&account_spec(), &no_stamp).is_err());
    let bad_stamp = row(json!({"Id": "001dM00003kS3tNQAS", "SystemModstamp": "yesterday"}));
    assert!(source_record(&account_spec(), &bad_stamp).is_err());
}

#[test]
fn source_record_follows_relationship_paths() {
    let spec = ObjectSpec {
        name: "Account".into(),
        fields: vec!["Owner.Name".into(), "Parent.Name".into()],
        link_field: "NetSuite_Id__c".into(),
    };
    let row = row(json!({
        "Id": "001dM00003kS3tNQAS",
        "SystemModstamp": "2024-05-06T07:08:09Z",
        "Owner": {"attributes": {"type": "User"}, "Name": "Ada Admin"},
        "Parent": null
    }));
    let record = source_record(&spec, &row).unwrap();
    assert_eq!(
        record.fields["Owner.Name"],
        FieldValue::Text("Ada Admin".into())
    );
    assert_eq!(record.fields["Parent.Name"], FieldValue::Null);
}

#[test]
fn source_record_matches_field_case() {
    let spec = ObjectSpec {
        name: "Account".into(),
        fields: vec!["name".into()],
        link_field: "netsuite_id__c".into(),
    };
    let row = row(json!({
        "Id": "001dM00003kS3tNQAS",
        "SystemModstamp": "2024-05-06T07:08:09Z",
        "NetSuite_Id__c": "7",
        "Name": "Acme"
    }));
    let record = source_record(&spec, &row).unwrap();
    assert_eq!(record.fields["name"], FieldValue::Text("Acme".into()));
    assert_eq!(record.link.as_deref(), Some("7"));
}

#[test]
fn source_record_writes_number_link_as_integer_text() {
    let row = row(json!({
        "Id": "001dM00003kS3tNQAS",
        "SystemModstamp": "2024-05-06T07:08:09Z",
        "NetSuite_Id__c": 1042.0
    }));
    assert_eq!(
        source_record(&account_spec(), &row)
            .unwrap()
            .link
            .as_deref(),
        Some("1042")
    );
}

#[test]
fn source_record_rejects_compound_fields() {
    let spec = ObjectSpec {
        name: "Account".into(),
        fields: vec!["BillingAddress".into()],
        link_field: "NetSuite_Id__c".into(),
    };
    let row = row(json!({
        "Id": "001dM00003kS3tNQAS",
        "SystemModstamp": "2024-05-06T07:08:09Z",
        "BillingAddress": {"street": "1 Main St", "city": "Springfield"}
    }));
    let error = source_record(&spec, &row).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Account.BillingAddress is an object"),
        "{error}"
    );
}
