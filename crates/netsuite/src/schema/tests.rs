//! Checks of the extracted schema against facts read in the 2023_2 XSD files.

use super::*;

#[test]
fn customer_follows_xsd_sequence() {
    let customer = schema().record_fields("customer").unwrap();
    assert_eq!(customer.name, "Customer");
    assert_eq!(customer.namespace, Namespace::Relationships);
    assert_eq!(customer.fields.len(), 137);
    assert_eq!(customer.fields[0].name, "customForm");
    assert_eq!(customer.field("entityId").unwrap().0, 1);
    assert_eq!(customer.field("customFieldList").unwrap().0, 136);
}

#[test]
fn customer_field_kinds_match_xsd() {
    let customer = schema().record_fields("customer").unwrap();
    let kind = |name| customer.field(name).unwrap().1.kind;
    assert_eq!(kind("isInactive"), FieldKind::Boolean);
    assert_eq!(kind("creditLimit"), FieldKind::Double);
    assert_eq!(kind("daysOverdue"), FieldKind::Long);
    assert_eq!(kind("lastModifiedDate"), FieldKind::DateTime);
    assert_eq!(kind("subsidiary"), FieldKind::RecordRef);
    assert_eq!(kind("creditHoldOverride"), FieldKind::Enum);
    assert_eq!(
        kind("addressbookList"),
        FieldKind::Complex("CustomerAddressbookList")
    );
    assert_eq!(kind("customFieldList"), FieldKind::CustomFieldList);
}

#[test]
fn addressbook_sublist_has_replace_all_and_lines() {
    let list = schema().complex_type("CustomerAddressbookList").unwrap();
    assert_eq!(list.attribute_default("replaceAll"), Some("true"));
    let line = list.sublist_line().unwrap();
    assert_eq!(line.name, "addressbook");
    assert_eq!(line.kind, FieldKind::Complex("CustomerAddressbook"));
    let entry = schema().complex_type("CustomerAddressbook").unwrap();
    assert_eq!(
        entry.field("addressbookAddress").unwrap().1.kind,
        FieldKind::Complex("Address")
    );
    let address = schema().complex_type("Address").unwrap();
    assert_eq!(address.namespace, Namespace::Common);
    assert_eq!(address.field("country").unwrap().1.kind, FieldKind::Enum);
}

#[test]
fn pricing_matrix_defaults_to_merge() {
    let matrix = schema().complex_type("PricingMatrix").unwrap();
    assert_eq!(matrix.namespace, Namespace::Accounting);
    assert_eq!(matrix.attribute_default("replaceAll"), Some("false"));
    assert_eq!(matrix.sublist_line().unwrap().name, "pricing");
    let pricing = schema().complex_type("Pricing").unwrap();
    assert_eq!(
        pricing.field("priceList").unwrap().1.kind,
        FieldKind::Complex("PriceList")
    );
}

#[test]
fn sales_order_item_line_kinds() {
    let order = schema().record_fields("salesOrder").unwrap();
    assert_eq!(order.namespace, Namespace::Sales);
    assert_eq!(
        order.field("itemList").unwrap().1.kind,
        FieldKind::Complex("SalesOrderItemList")
    );
    let item = schema().complex_type("SalesOrderItem").unwrap();
    let kind = |name| item.field(name).unwrap().1.kind;
    assert_eq!(kind("item"), FieldKind::RecordRef);
    assert_eq!(kind("quantity"), FieldKind::Double);
    assert_eq!(kind("price"), FieldKind::RecordRef);
    assert_eq!(kind("rate"), FieldKind::String);
    assert_eq!(kind("amount"), FieldKind::Double);
}

#[test]
fn every_record_type_has_a_namespace() {
    let (records, types) = schema().counts();
    assert_eq!(records, 186);
    assert!(types > 250, "{types} types");
    let vendor_bill = schema().record("vendorBill").unwrap();
    assert_eq!(vendor_bill.type_name, "VendorBill");
    assert_eq!(vendor_bill.namespace, Namespace::Purchases);
    assert!(schema().record_fields("vendorBill").is_none());
    let payment = schema().record_by_type_name("CustomerPayment").unwrap();
    assert_eq!(payment.record_type, "customerPayment");
    assert_eq!(payment.namespace, Namespace::Customers);
}

#[test]
fn customer_search_joins_and_criteria() {
    let search = schema().complex_type("CustomerSearch").unwrap();
    assert_eq!(
        search.field("basic").unwrap().1.kind,
        FieldKind::Complex("CustomerSearchBasic")
    );
    assert_eq!(
        search.field("contactJoin").unwrap().1.kind,
        FieldKind::Complex("ContactSearchBasic")
    );
    let basic = schema().complex_type("CustomerSearchBasic").unwrap();
    assert_eq!(basic.namespace, Namespace::Common);
    assert_eq!(basic.fields.len(), 157);
    assert_eq!(
        basic.field("lastModifiedDate").unwrap().1.kind,
        FieldKind::Criterion(CriterionKind::Date)
    );
    assert_eq!(
        basic.field("customFieldList").unwrap().1.kind,
        FieldKind::CriterionCustomFields
    );
}

#[test]
fn advanced_search_has_criteria_columns_and_saved_search() {
    let advanced = schema().complex_type("TransactionSearchAdvanced").unwrap();
    assert_eq!(advanced.namespace, Namespace::Sales);
    assert_eq!(advanced.fields[0].name, "criteria");
    assert_eq!(advanced.fields[1].name, "columns");
    let names: Vec<&str> = advanced.attributes.iter().map(|a| a.name).collect();
    assert_eq!(names, ["savedSearchId", "savedSearchScriptId"]);
    let row = schema().complex_type("TransactionSearchRowBasic").unwrap();
    assert_eq!(
        row.field("tranId").unwrap().1.kind,
        FieldKind::Column(ColumnKind::String)
    );
    assert_eq!(
        row.field("entity").unwrap().1.kind,
        FieldKind::Column(ColumnKind::Select)
    );
}

#[test]
fn kind_of_xsd_type_classifies_leaves() {
    let cases = [
        ("xsd:string", FieldKind::String),
        ("xsd:int", FieldKind::Long),
        ("listRelTyp:CustomerCreditHoldOverride", FieldKind::Enum),
        ("platformCore:RecordRefList", FieldKind::RecordRefList),
        (
            "platformCore:SearchTextNumberField",
            FieldKind::Criterion(CriterionKind::TextNumber),
        ),
        (
            "platformCore:SearchColumnEnumSelectField",
            FieldKind::Column(ColumnKind::EnumSelect),
        ),
        ("platformCore:Duration", FieldKind::Other),
    ];
    for (xsd_type, expected) in cases {
        assert_eq!(FieldKind::of_xsd_type(xsd_type), expected, "{xsd_type}");
    }
}

#[test]
fn country_enumeration_lists_values() {
    let countries = schema().enum_values("platformCommonTyp:Country").unwrap();
    assert_eq!(countries.len(), 252);
    assert!(countries.contains(&"_unitedStates"));
    assert!(
        schema()
            .enum_values("platformCommonTyp:NoSuchType")
            .is_none()
    );
}

#[test]
fn location_and_its_search_are_extracted() {
    assert!(schema().record_fields("location").is_some());
    assert!(schema().complex_type("LocationSearch").is_some());
    assert!(schema().complex_type("LocationSearchAdvanced").is_some());
}
