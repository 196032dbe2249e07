use serde_json::json;

use super::*;
use crate::api::describe::ChildRelationship;

const EXTRACTED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../corpus/salesforce/SFDO-Tooling__CumulusCI/extracted"
);

fn recorded(object: &str) -> SObjectDescribe {
    let path = format!("{EXTRACTED}/{object}_describe.response.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn info_field<'a>(info: &'a ObjectInfo, name: &str) -> &'a FieldInfo {
    info.field(name)
        .unwrap_or_else(|| panic!("{name} is not described"))
}

#[test]
fn object_info_maps_field_types() {
    let info = object_info(&recorded("Opportunity"));

    assert_eq!(info.name, "Opportunity");
    assert_eq!(info.unlisted_prefix, None);
    assert_eq!(info_field(&info, "Name").field_type, FieldType::Text);
    assert_eq!(info_field(&info, "Amount").field_type, FieldType::Number);
    assert_eq!(
        info_field(&info, "Probability").field_type,
        FieldType::Number
    );
    assert_eq!(
        info_field(&info, "TotalOpportunityQuantity").field_type,
        FieldType::Number
    );
    assert_eq!(info_field(&info, "IsPrivate").field_type, FieldType::Bool);
    assert_eq!(info_field(&info, "CloseDate").field_type, FieldType::Date);
    assert_eq!(
        info_field(&info, "LastModifiedDate").field_type,
        FieldType::DateTime
    );
    assert_eq!(
        info_field(&info, "AccountId").field_type,
        FieldType::Reference(vec!["Account".into()])
    );
    assert_eq!(
        info_field(&info, "Id").field_type,
        FieldType::Other("id".into())
    );
    assert_eq!(info_field(&info, "Description").field_type, FieldType::Text);
}

#[test]
fn object_info_lists_active_picklist_values() {
    let mut describe = recorded("Opportunity");
    let stage = describe
        .fields
        .iter_mut()
        .find(|field| field.name == "StageName")
        .unwrap();
    stage.picklist_values[1].active = false;
    let inactive = stage.picklist_values[1].value.clone();

    let info = object_info(&describe);

    let FieldType::Picklist(values) = &info_field(&info, "StageName").field_type else {
        panic!("StageName is not a picklist");
    };
    assert!(values.contains(&"Prospecting".to_string()), "{values:?}");
    assert!(!values.contains(&inactive), "{values:?}");
}

#[test]
fn object_info_keeps_write_flags() {
    let info = object_info(&recorded("Account"));
    let name = info_field(&info, "Name");
    assert!(name.createable);
    assert!(name.updateable);
    assert!(!name.external_id);
    let modstamp = info_field(&info, "SystemModstamp");
    assert!(!modstamp.createable);
    assert!(!modstamp.updateable);
    assert_eq!(
        info_field(&info, "BillingAddress").field_type,
        FieldType::Other("address".into())
    );
}

#[test]
fn object_info_lists_child_relationships() {
    let info = object_info(&recorded("Opportunity"));
    let lines = info_field(&info, "OpportunityLineItems");
    assert_eq!(lines.field_type, FieldType::List);
    assert!(!lines.createable);
    assert!(!lines.updateable);
    let lists = info
        .fields
        .iter()
        .filter(|field| field.field_type == FieldType::List)
        .count();
    assert_eq!(lists, 31, "one entry per named child relationship");
}

#[test]
fn related_object_follows_child_and_parent() {
    let opportunity = recorded("Opportunity");
    assert_eq!(
        related_object(&opportunity, "opportunitylineitems").unwrap(),
        "OpportunityLineItem"
    );
    assert_eq!(related_object(&opportunity, "Account").unwrap(), "Account");
    let error = related_object(&opportunity, "AccountId").unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Opportunity has no relationship AccountId"),
        "{error}"
    );
}

#[test]
fn related_object_rejects_polymorphic_parent() {
    let task: SObjectDescribe = serde_json::from_value(json!({
        "name": "Task",
        "fields": [{
            "name": "WhatId",
            "type": "reference",
            "referenceTo": ["Account", "Opportunity"],
            "relationshipName": "What"
        }],
        "childRelationships": []
    }))
    .unwrap();
    let error = related_object(&task, "What").unwrap_err();
    assert!(matches!(error, Error::Config { .. }));
    assert!(
        error.to_string().contains("Account, Opportunity"),
        "{error}"
    );
}

#[test]
fn object_info_skips_unnamed_child_relationships() {
    let mut describe = recorded("Account");
    describe.child_relationships = vec![ChildRelationship {
        child_sobject: "AIInsightValue".into(),
        field: "SobjectLookupValueId".into(),
        relationship_name: None,
        cascade_delete: true,
    }];
    let info = object_info(&describe);
    assert!(
        info.fields
            .iter()
            .all(|field| field.field_type != FieldType::List)
    );
}
