//! Searches built to find records by one field.

use super::*;
use crate::operations::search::CriterionValue;

#[test]
fn unique_values_drops_blanks_and_repeats() {
    let values = ["a@x.com", " ", "b@x.com", "a@x.com", " b@x.com "].map(String::from);
    assert_eq!(unique_values(&values), ["a@x.com", "b@x.com"]);
}

#[test]
fn searches_by_internal_id_use_one_any_of() {
    let built = searches("customer", "internalId", &["1", "2"]).unwrap();
    assert_eq!(built.len(), 1);
    let criterion = &built[0].criteria[0];
    assert_eq!(criterion.field, "internalId");
    let CriterionValue::MultiSelect { none_of, values } = &criterion.value else {
        panic!("expected anyOf, got {:?}", criterion.value);
    };
    assert!(!none_of);
    assert_eq!(values[1].internal_id.as_deref(), Some("2"));
}

#[test]
fn searches_by_external_id_send_external_keys() {
    let built = searches("salesOrder", "externalId", &["006A"]).unwrap();
    let CriterionValue::MultiSelect { values, .. } = &built[0].criteria[0].value else {
        panic!("expected anyOf");
    };
    assert_eq!(values[0].external_id.as_deref(), Some("006A"));
    assert_eq!(values[0].internal_id, None);
}

#[test]
fn searches_by_ids_split_in_chunks() {
    let ids: Vec<String> = (0..IDS_PER_SEARCH + 1).map(|id| id.to_string()).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    assert_eq!(searches("customer", "internalId", &refs).unwrap().len(), 2);
}

#[test]
fn searches_by_text_field_use_one_is_per_value() {
    let built = searches("customer", "email", &["a@x.com", "b@x.com"]).unwrap();
    assert_eq!(built.len(), 2);
    let CriterionValue::String { operator, value } = &built[1].criteria[0].value else {
        panic!("expected a string criterion");
    };
    assert_eq!(*operator, StringOperator::Is);
    assert_eq!(value, "b@x.com");
}

#[test]
fn searches_take_item_and_transaction_keys() {
    assert!(searches("inventoryItem", "itemId", &["BOLT"]).is_ok());
    assert!(searches("invoice", "tranId", &["INV1"]).is_ok());
    assert!(searches("customer", "entityId", &["ACME"]).is_ok());
}

#[test]
fn searches_reject_field_basic_search_lacks() {
    let error = searches("customer", "companyNameX", &["Acme"]).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("companyNameX"), "{message}");
    assert!(message.contains("CustomerSearchBasic"), "{message}");
}

#[test]
fn searches_reject_non_text_criterion() {
    let error = searches("customer", "isInactive", &["true"]).unwrap_err();
    assert!(error.to_string().contains("isInactive"), "{error}");
}

#[test]
fn searches_reject_too_many_text_values() {
    let values: Vec<String> = (0..=MAX_TEXT_VALUES)
        .map(|n| format!("{n}@x.com"))
        .collect();
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    let error = searches("customer", "email", &refs).unwrap_err();
    assert!(error.to_string().contains("at most"), "{error}");
}
