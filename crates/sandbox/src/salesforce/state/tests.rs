use serde_json::json;

use super::*;
use crate::salesforce::record::record_id;
use crate::salesforce::schema::Access;

fn account_with(org: &mut Org, key: &str) -> String {
    let account = org.object("Account").cloned().unwrap();
    let id = org.next_id(&account);
    let mut values = empty_values(&account);
    values.insert("Id".into(), json!(id));
    values.insert("NetSuite_Internal_ID__c".into(), json!(key));
    org.put("Account", id.clone(), values);
    id
}

#[test]
fn find_by_field_ignores_case_through_index() {
    let mut org = Org::new();
    let id = account_with(&mut org, "Ns-1");
    let account = org.object("Account").cloned().unwrap();
    let field = account.field("NetSuite_Internal_ID__c").unwrap();
    assert_eq!(org.find_by_field(&account, field, "ns-1"), vec![id]);
}

#[test]
fn find_by_field_follows_updates_and_deletes() {
    let mut org = Org::new();
    let id = account_with(&mut org, "a");
    let account = org.object("Account").cloned().unwrap();
    let field = account.field("NetSuite_Internal_ID__c").unwrap().clone();
    let mut values = match org.lookup("Account", &id) {
        Lookup::Live(values) => values.clone(),
        _ => panic!("record {id} is live"),
    };
    values.insert("NetSuite_Internal_ID__c".into(), json!("b"));
    org.put("Account", id.clone(), values.clone());
    assert!(org.find_by_field(&account, &field, "a").is_empty());
    assert_eq!(org.find_by_field(&account, &field, "B"), vec![id.clone()]);
    values.insert("IsDeleted".into(), json!(true));
    org.put("Account", id, values);
    assert!(org.find_by_field(&account, &field, "b").is_empty());
}

#[test]
fn replace_record_removes_record_from_index() {
    let mut org = Org::new();
    let id = account_with(&mut org, "a");
    org.replace_record("Account", &id, None);
    let account = org.object("Account").cloned().unwrap();
    let field = account.field("NetSuite_Internal_ID__c").unwrap();
    assert!(org.find_by_field(&account, field, "a").is_empty());
    assert!(matches!(org.lookup("Account", &id), Lookup::Missing));
}

fn contact_of(org: &mut Org, account_id: &str) -> (String, Values) {
    let contact = org.object("Contact").cloned().unwrap();
    let id = org.next_id(&contact);
    let mut values = empty_values(&contact);
    values.insert("Id".into(), json!(id));
    values.insert("AccountId".into(), json!(account_id));
    org.put("Contact", id.clone(), values.clone());
    (id, values)
}

fn child_ids(org: &Org, object: &str, field: &str, parent: &str) -> Vec<String> {
    org.children(object, field, parent)
        .map(|values| record_id(values).to_string())
        .collect()
}

#[test]
fn children_follow_reference_updates_and_deletes() {
    let mut org = Org::new();
    let first = account_with(&mut org, "a");
    let second = account_with(&mut org, "b");
    let (kept, _) = contact_of(&mut org, &first);
    let (moved, mut values) = contact_of(&mut org, &first);
    assert_eq!(
        child_ids(&org, "Contact", "AccountId", &first),
        vec![kept.clone(), moved.clone()]
    );

    values.insert("AccountId".into(), json!(second));
    org.put("Contact", moved.clone(), values.clone());
    assert_eq!(child_ids(&org, "Contact", "AccountId", &first), vec![kept]);
    assert_eq!(
        child_ids(&org, "Contact", "AccountId", &second),
        vec![moved.clone()]
    );

    values.insert("IsDeleted".into(), json!(true));
    org.put("Contact", moved, values);
    assert!(child_ids(&org, "Contact", "AccountId", &second).is_empty());
}

#[test]
fn children_of_other_fields_are_empty() {
    let mut org = Org::new();
    let account = account_with(&mut org, "a");
    contact_of(&mut org, &account);
    assert!(child_ids(&org, "Contact", "LastName", "").is_empty());
    assert!(child_ids(&org, "Contact", "NoSuchField__c", &account).is_empty());
    assert!(child_ids(&org, "NoSuchObject", "AccountId", &account).is_empty());
}

#[test]
fn new_seeds_two_active_users() {
    let org = Org::new();
    assert!(org.integration_user_id.starts_with("005"));
    assert!(org.admin_user_id.starts_with("005"));
    assert_ne!(org.integration_user_id, org.admin_user_id);
    assert_eq!(org.records("User", false).count(), 2);
}

#[test]
fn next_id_increases_within_object() {
    let mut org = Org::new();
    let account = org.object("Account").cloned().unwrap();
    let first = org.next_id(&account);
    let second = org.next_id(&account);
    assert!(first.starts_with("001"));
    assert!(first < second);
}

#[test]
fn add_field_rejects_existing_name() {
    let mut org = Org::new();
    let field = FieldDef::new("name", "Name", FieldType::String, 10, Access::Optional);
    let error = org.add_field("Account", field).unwrap_err();
    assert_eq!(error.error_code, "DUPLICATE_DEVELOPER_NAME");
}

#[test]
fn new_locator_has_query_locator_prefix() {
    let mut org = Org::new();
    assert!(org.new_locator().starts_with("01g"));
}
