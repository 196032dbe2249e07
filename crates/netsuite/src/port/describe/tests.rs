//! Record types described from the embedded schema.

use super::*;

fn described(record_type: &str) -> ObjectInfo {
    describe(record_type, schema().record_fields(record_type).unwrap())
}

fn field_of<'a>(info: &'a ObjectInfo, name: &str) -> &'a FieldInfo {
    info.fields
        .iter()
        .find(|field| field.name == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

#[test]
fn describe_types_body_fields() {
    let customers = described("customer");
    assert_eq!(
        field_of(&customers, "companyName").field_type,
        FieldType::Text
    );
    assert_eq!(
        field_of(&customers, "isInactive").field_type,
        FieldType::Bool
    );
    assert_eq!(
        field_of(&customers, "creditLimit").field_type,
        FieldType::Number
    );
    assert_eq!(
        field_of(&customers, "subsidiary").field_type,
        FieldType::Reference(Vec::new())
    );
    assert_eq!(
        field_of(&customers, "lastModifiedDate").field_type,
        FieldType::DateTime
    );
    assert_eq!(
        field_of(&customers, "addressbookList").field_type,
        FieldType::List
    );
}

#[test]
fn describe_types_date_only_fields_as_dates() {
    let invoices = described("invoice");
    assert_eq!(field_of(&invoices, "dueDate").field_type, FieldType::Date);
    assert_eq!(field_of(&invoices, "tranDate").field_type, FieldType::Date);
}

#[test]
fn describe_lists_enumeration_values() {
    let customers = described("customer");
    let FieldType::Picklist(values) = &field_of(&customers, "emailPreference").field_type else {
        panic!("emailPreference is not a picklist");
    };
    assert!(values.contains(&"_hTML".to_string()), "{values:?}");
}

#[test]
fn describe_lists_line_fields() {
    let orders = described("salesOrder");
    assert_eq!(
        field_of(&orders, "itemList[].quantity").field_type,
        FieldType::Number
    );
    assert_eq!(
        field_of(&orders, "itemList[].item").field_type,
        FieldType::Reference(Vec::new())
    );
    let items = described("inventoryItem");
    assert_eq!(
        field_of(&items, "pricingMatrix[].price").field_type,
        FieldType::Number
    );
    assert_eq!(
        field_of(&items, "locationsList[].location").field_type,
        FieldType::Reference(vec!["location".to_string()])
    );
    assert!(items.field("pricingMatrix[].priceList").is_none());
}

#[test]
fn describe_marks_read_only_fields() {
    let invoices = described("invoice");
    let total = field_of(&invoices, "total");
    assert!(!total.createable);
    assert!(!total.updateable);
    let memo = field_of(&invoices, "memo");
    assert!(memo.createable);
    assert!(memo.updateable);
    let items = described("inventoryItem");
    assert!(!field_of(&items, "locationsList[].quantityAvailable").updateable);
}

#[test]
fn describe_marks_external_id_only() {
    let customers = described("customer");
    let external: Vec<&str> = customers
        .fields
        .iter()
        .filter(|field| field.external_id)
        .map(|field| field.name.as_str())
        .collect();
    assert_eq!(external, ["externalId"]);
    assert!(!field_of(&customers, "internalId").createable);
}

#[test]
fn describe_lists_billing_address_of_customers() {
    let customers = described("customer");
    assert_eq!(
        field_of(&customers, "billingAddress.city").field_type,
        FieldType::Text
    );
    let FieldType::Picklist(codes) = &field_of(&customers, "billingAddress.country").field_type
    else {
        panic!("billingAddress.country is not a picklist");
    };
    assert!(codes.contains(&"US".to_string()));
    assert!(described("contact").field("billingAddress.city").is_none());
}

#[test]
fn describe_accepts_unlisted_custom_fields() {
    let customers = described("customer");
    assert!(customers.is_unlisted("custentity_region"));
    assert!(!customers.is_unlisted("colour"));
    assert!(customers.field("customFieldList").is_none());
}
