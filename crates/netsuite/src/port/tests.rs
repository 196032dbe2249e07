//! Checks on the object a port call names.

use super::*;

fn object(name: &str, link_field: &str) -> ObjectSpec {
    ObjectSpec {
        name: name.to_string(),
        fields: vec!["companyName".to_string()],
        link_field: link_field.to_string(),
    }
}

#[test]
fn supported_schema_accepts_customer() {
    let (record_type, schema) = supported_schema(&object("customer", "externalId")).unwrap();
    assert_eq!(record_type, "customer");
    assert_eq!(schema.name, "Customer");
}

#[test]
fn supported_schema_accepts_sales_order() {
    let (_, schema) = supported_schema(&object("salesOrder", "externalId")).unwrap();
    assert_eq!(schema.name, "SalesOrder");
}

#[test]
fn supported_schema_rejects_other_record_types() {
    let error = supported_schema(&object("vendorBill", "externalId")).unwrap_err();
    assert_eq!(error.class, ErrorClass::Config);
    assert_eq!(error.system, System::NetSuite);
    assert!(error.message.contains("vendorBill"), "{}", error.message);
    assert!(
        error.message.contains("supported: customer"),
        "{}",
        error.message
    );
}

#[test]
fn supported_schema_rejects_other_link_fields() {
    let error = supported_schema(&object("customer", "custentity_sf_id")).unwrap_err();
    assert_eq!(error.class, ErrorClass::Config);
    assert!(error.message.contains("externalId"), "{}", error.message);
}
