use super::*;
use crate::api::test_support::*;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus/salesforce");

fn read(path: &str) -> Vec<u8> {
    std::fs::read(format!("{CORPUS}/{path}")).unwrap()
}

fn extracted(object: &str) -> SObjectDescribe {
    let path = format!("SFDO-Tooling__CumulusCI/extracted/{object}_describe.response.json");
    parse_describe(&read(&path)).unwrap()
}

#[test]
fn parse_describe_reads_account_fields() {
    let account = extracted("Account");
    assert_eq!(account.name, "Account");
    assert_eq!(account.key_prefix.as_deref(), Some("001"));
    assert_eq!(account.fields.len(), 68);
    let name = account.field("name").unwrap();
    assert_eq!(name.field_type, "string");
    assert_eq!(name.length, 255);
    assert!(name.is_required_on_create());
    let owner = account.field("OwnerId").unwrap();
    assert_eq!(owner.reference_to, ["User"]);
    assert_eq!(owner.relationship_name.as_deref(), Some("Owner"));
    assert!(!owner.is_required_on_create(), "defaulted on create");
    let city = account.field("BillingCity").unwrap();
    assert_eq!(city.length, 40);
    assert!(city.nillable);
}

#[test]
fn parse_describe_reads_child_relationships() {
    let opportunity = extracted("Opportunity");
    assert_eq!(opportunity.child_relationships.len(), 49);
    let lines = opportunity
        .child_relationship("opportunitylineitems")
        .unwrap();
    assert_eq!(lines.child_sobject, "OpportunityLineItem");
    assert_eq!(lines.field, "OpportunityId");
    assert_eq!(
        lines.relationship_name.as_deref(),
        Some("OpportunityLineItems")
    );
    assert!(lines.cascade_delete);
    assert!(opportunity.child_relationship("AIInsightValue").is_none());
}

#[test]
fn parent_relationship_finds_reference_field() {
    let account = extracted("Account");
    let owner = account.parent_relationship("owner").unwrap();
    assert_eq!(owner.name, "OwnerId");
    assert!(account.parent_relationship("OwnerId").is_none());
}

#[test]
fn parse_describe_reads_picklist_values() {
    let account = extracted("Account");
    let kind = account.field("Type").unwrap();
    assert_eq!(kind.field_type, "picklist");
    assert_eq!(kind.picklist_values.len(), 7);
    assert_eq!(kind.picklist_values[0].value, "Prospect");
    assert_eq!(kind.picklist_values[1].value, "Customer - Direct");
    assert!(!kind.restricted_picklist);
    assert_eq!(kind.active_values().count(), 7);
}

#[test]
fn parse_describe_reads_compound_address() {
    let account = extracted("Account");
    let address = account.field("BillingAddress").unwrap();
    assert_eq!(address.field_type, "address");
    assert!(!address.createable);
    assert!(!address.updateable);
}

#[test]
fn parse_describe_reads_contact_and_opportunity() {
    let contact = extracted("Contact");
    assert_eq!(contact.key_prefix.as_deref(), Some("003"));
    assert_eq!(contact.fields.len(), 59);
    assert_eq!(contact.field("LastName").unwrap().length, 80);
    assert!(contact.field("Email").unwrap().id_lookup);
    let opportunity = extracted("Opportunity");
    assert_eq!(opportunity.key_prefix.as_deref(), Some("006"));
    let stage = opportunity.field("StageName").unwrap();
    assert_eq!(stage.field_type, "picklist");
    assert!(stage.is_required_on_create());
    assert_eq!(opportunity.field("CloseDate").unwrap().field_type, "date");
    assert_eq!(opportunity.field("Amount").unwrap().field_type, "currency");
    assert!(
        opportunity.field("IsWon").unwrap().calculated
            || !opportunity.field("IsWon").unwrap().createable
    );
}

#[test]
fn parse_describe_reads_restforce_whizbang() {
    let path = "restforce__restforce/spec/fixtures/sobject/sobject_describe_success_response.json";
    let whizbang = parse_describe(&read(path)).unwrap();
    assert_eq!(whizbang.name, "Whizbang");
    assert_eq!(whizbang.fields.len(), 30);
    assert_eq!(
        whizbang.field("Picklist_Multiselect_Field").unwrap().length,
        4099
    );
    let parent = whizbang.field("ParentWhizbang__c").unwrap();
    assert_eq!(parent.field_type, "reference");
    assert_eq!(parent.length, 0, "a missing length reads as 0");
}

#[test]
fn parse_global_reads_sobject_list() {
    let path = "restforce__restforce/spec/fixtures/sobject/describe_sobjects_success_response.json";
    let global = parse_global(&read(path)).unwrap();
    assert_eq!(global.max_batch_size, Some(200));
    assert_eq!(global.sobjects.len(), 1);
    let account = &global.sobjects[0];
    assert_eq!(account.name, "Account");
    assert_eq!(account.key_prefix.as_deref(), Some("001"));
    assert!(account.queryable);
    assert!(account.replicateable);
}

#[test]
fn watermark_field_prefers_system_modstamp() {
    let account = extracted("Account");
    assert_eq!(account.watermark_field().unwrap(), "SystemModstamp");
}

#[test]
fn watermark_field_skips_unfilterable_modstamp() {
    let mut history = extracted("Account");
    history.name = "ActivityFieldHistory".into();
    for field in &mut history.fields {
        if field.name == "SystemModstamp" {
            field.filterable = false;
        }
    }
    assert_eq!(history.watermark_field().unwrap(), "LastModifiedDate");
    history
        .fields
        .retain(|field| !field.name.ends_with("Date") && field.name != "SystemModstamp");
    let error = history.watermark_field().unwrap_err();
    assert!(
        error.to_string().contains("cannot be read incrementally"),
        "{error}"
    );
}

#[test]
fn check_fields_reports_each_problem() {
    let account = extracted("Account");
    let problems = validate::check_fields(
        &account,
        &[
            "Name",
            "Nmae",
            "BillingAddress",
            "Owner.Name",
            "Bogus__r.Name",
        ],
        FieldUse::Update,
    );
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(matches!(&problems[0], MappingProblem::UnknownField { field, .. } if field == "Nmae"));
    assert!(
        matches!(&problems[1], MappingProblem::CompoundField { field, .. } if field == "BillingAddress")
    );
    assert!(
        matches!(&problems[2], MappingProblem::UnknownField { field, .. } if field == "Bogus__r")
    );
    assert!(problems[2].to_string().contains("field-level security"));
}

#[test]
fn check_fields_rejects_readonly_and_non_keys() {
    let account = extracted("Account");
    let create = validate::check_fields(&account, &["SystemModstamp"], FieldUse::Create);
    assert_eq!(create.len(), 1);
    assert!(create[0].to_string().contains("not createable"));
    let key = validate::check_fields(&account, &["Name", "Id"], FieldUse::UpsertKey);
    assert_eq!(
        key.len(),
        1,
        "Id is an idLookup field, Name is not: {key:?}"
    );
    assert!(validate::check_fields(&account, &["SystemModstamp"], FieldUse::Filter).is_empty());
}

#[test]
fn describe_request_is_exact() {
    let request = build(&describe_request("Account").unwrap());
    assert_eq!(request.method(), Method::GET);
    assert_eq!(
        request.url().path(),
        "/services/data/v62.0/sobjects/Account/describe"
    );
    assert!(request.body().is_none());
    let global = build(&global_request());
    assert_eq!(global.url().path(), "/services/data/v62.0/sobjects");
    assert!(describe_request("Account/../User").is_err());
}
