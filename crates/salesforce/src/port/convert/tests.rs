use chrono::{TimeZone, Utc};
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

/// Converts `row` with the selection of `spec`.
fn source_record(spec: &ObjectSpec, row: &Map<String, Value>) -> Result<SourceRecord, Error> {
    super::source_record(spec, &Selection::of(spec).unwrap(), row)
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

fn opportunity_spec() -> ObjectSpec {
    ObjectSpec {
        name: "Opportunity".into(),
        fields: vec![
            "Name".into(),
            "OpportunityLineItems[].Quantity".into(),
            "OpportunityLineItems[].Product2.ProductCode".into(),
            "Account.OwnerId".into(),
        ],
        link_field: "NetSuite_Sales_Order_ID__c".into(),
    }
}

fn opportunity_row(lines: Value) -> Map<String, Value> {
    row(json!({
        "attributes": {"type": "Opportunity"},
        "Id": "006dM00000AbCdEQAV",
        "SystemModstamp": "2024-05-06T07:08:09.000+0000",
        "NetSuite_Sales_Order_ID__c": null,
        "Name": "Big deal",
        "Account": {"attributes": {"type": "Account"}, "OwnerId": "005dM00000AbCdEQAV"},
        "OpportunityLineItems": lines
    }))
}

#[test]
fn source_record_reads_child_lines() {
    let row = opportunity_row(json!({
        "totalSize": 2,
        "done": true,
        "records": [
            {
                "attributes": {"type": "OpportunityLineItem"},
                "Id": "00kdM00000AbCdEQAV",
                "Quantity": 2.0,
                "Product2": {"attributes": {"type": "Product2"}, "ProductCode": "BOLT-1"}
            },
            {
                "attributes": {"type": "OpportunityLineItem"},
                "Id": "00kdM00000AbCdFQAV",
                "Quantity": 5.0,
                "Product2": null
            }
        ]
    }));

    let record = source_record(&opportunity_spec(), &row).unwrap();

    let lines = record.fields["OpportunityLineItems"].lines();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["Id"], FieldValue::text("00kdM00000AbCdEQAV"));
    assert_eq!(lines[0]["Quantity"], FieldValue::Number(2.0));
    assert_eq!(lines[0]["Product2.ProductCode"], FieldValue::text("BOLT-1"));
    assert_eq!(lines[0].len(), 3);
    assert_eq!(lines[1]["Product2.ProductCode"], FieldValue::Null);
    assert_eq!(
        record.fields["Account.OwnerId"],
        FieldValue::text("005dM00000AbCdEQAV")
    );
    assert!(
        !record
            .fields
            .contains_key("OpportunityLineItems[].Quantity")
    );
}

#[test]
fn source_record_reads_no_children_as_empty_list() {
    let record = source_record(&opportunity_spec(), &opportunity_row(Value::Null)).unwrap();
    assert_eq!(
        record.fields["OpportunityLineItems"],
        FieldValue::List(Vec::new())
    );
    let mut missing = opportunity_row(Value::Null);
    missing.remove("OpportunityLineItems");
    let record = source_record(&opportunity_spec(), &missing).unwrap();
    assert_eq!(
        record.fields["OpportunityLineItems"],
        FieldValue::List(Vec::new())
    );
}

#[test]
fn source_record_rejects_unfinished_child_result() {
    let row = opportunity_row(json!({
        "totalSize": 3,
        "done": false,
        "nextRecordsUrl": "/services/data/v62.0/query/0r8-200",
        "records": [{"Id": "00kdM00000AbCdEQAV", "Quantity": 1.0}]
    }));
    let error = source_record(&opportunity_spec(), &row).unwrap_err();
    assert!(matches!(error, Error::InvalidResponse { .. }), "{error}");
}

#[test]
fn source_record_rejects_scalar_child_result() {
    let row = opportunity_row(json!("not a result"));
    let error = source_record(&opportunity_spec(), &row).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Opportunity.OpportunityLineItems is not a query result"),
        "{error}"
    );
}

#[test]
fn source_record_rejects_compound_line_field() {
    let spec = ObjectSpec {
        fields: vec!["OpportunityLineItems[].Product2".into()],
        ..opportunity_spec()
    };
    let row = opportunity_row(json!({
        "totalSize": 1,
        "done": true,
        "records": [{"Id": "00kdM00000AbCdEQAV", "Product2": {"Name": "Bolt"}}]
    }));
    let error = source_record(&spec, &row).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Opportunity.OpportunityLineItems[].Product2 is an object"),
        "{error}"
    );
}

#[test]
fn source_record_without_link_field_has_no_link() {
    let spec = ObjectSpec {
        name: "Task".into(),
        fields: vec!["Subject".into()],
        link_field: String::new(),
    };
    let row = row(json!({
        "Id": "00TdM00000AbCdEUAV",
        "SystemModstamp": "2024-05-06T07:08:09Z",
        "Subject": "Call"
    }));
    let record = source_record(&spec, &row).unwrap();
    assert_eq!(record.link, None);
    assert_eq!(record.fields["Subject"], FieldValue::text("Call"));
}
