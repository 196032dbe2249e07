//! Sublist lines read and written as list values.

use chrono_tz::America::Los_Angeles;

use super::*;
use crate::records::RecordRef;

fn list(record_type: &str, name: &str) -> ListSchema {
    list_schema(schema().record_fields(record_type).unwrap(), name).unwrap()
}

fn text(value: &str) -> BodyValue {
    BodyValue::Text(value.to_string())
}

fn line(fields: Vec<(&str, BodyValue)>) -> Complex {
    let mut line = Complex::new();
    for (name, value) in fields {
        line.fields.push((name.to_string(), value));
    }
    line
}

fn record_with(name: &str, lines: Vec<Complex>) -> Record {
    let mut record = Record::new("salesOrder");
    let sublist = Sublist {
        replace_all: None,
        lines,
        line_name: None,
    };
    record
        .fields
        .push((name.to_string(), BodyValue::Sublist(sublist)));
    record
}

fn order_line(item: &str, quantity: &str, rate: &str, number: &str) -> Complex {
    line(vec![
        ("item", BodyValue::Ref(RecordRef::id(item))),
        ("quantity", text(quantity)),
        ("rate", text(rate)),
        ("line", text(number)),
    ])
}

#[test]
fn list_schema_finds_item_list_lines() {
    let items = list("salesOrder", "itemList");
    assert_eq!(items.name, "itemList");
    assert_eq!(items.line_name, "item");
    assert_eq!(items.line.name, "SalesOrderItem");
}

#[test]
fn list_schema_rejects_body_field() {
    let orders = schema().record_fields("salesOrder").unwrap();
    assert!(list_schema(orders, "memo").is_none());
    assert!(list_schema(orders, "noSuchList").is_none());
}

#[test]
fn read_list_types_line_fields() {
    let record = record_with(
        "itemList",
        vec![
            order_line("42", "2.0", "10.50", "1"),
            order_line("43", "1.0", "5", "2"),
        ],
    );
    let names = ["item", "quantity", "rate", "line", "amount"];
    let value = read_list(
        &record,
        &list("salesOrder", "itemList"),
        &names,
        Los_Angeles,
    )
    .unwrap();
    let lines = value.lines();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["item"], FieldValue::text("42"));
    assert_eq!(lines[0]["quantity"], FieldValue::Number(2.0));
    assert_eq!(lines[0]["rate"], FieldValue::text("10.50"));
    assert_eq!(lines[0]["line"], FieldValue::Number(1.0));
    assert_eq!(lines[0]["amount"], FieldValue::Null);
    assert_eq!(lines[1]["item"], FieldValue::text("43"));
}

#[test]
fn read_list_without_sublist_is_empty() {
    let record = Record::new("salesOrder");
    let value = read_list(
        &record,
        &list("salesOrder", "itemList"),
        &["item"],
        Los_Angeles,
    );
    assert_eq!(value.unwrap(), FieldValue::List(Vec::new()));
}

#[test]
fn read_list_rejects_malformed_number() {
    let record = record_with("itemList", vec![order_line("42", "two", "1", "1")]);
    let items = list("salesOrder", "itemList");
    let error = read_list(&record, &items, &["quantity"], Los_Angeles).unwrap_err();
    assert!(error.to_string().contains("quantity"), "{error}");
}

fn tier(value: &str, quantity: Option<&str>) -> Complex {
    let mut fields = vec![("value", text(value))];
    if let Some(quantity) = quantity {
        fields.push(("quantity", text(quantity)));
    }
    line(fields)
}

fn pricing_line(tiers: Vec<Complex>) -> Complex {
    let price_list = Sublist {
        replace_all: None,
        lines: tiers,
        line_name: None,
    };
    line(vec![
        ("currency", BodyValue::Ref(RecordRef::id("1"))),
        ("priceLevel", BodyValue::Ref(RecordRef::id("5"))),
        ("priceList", BodyValue::Sublist(price_list)),
    ])
}

#[test]
fn first_price_takes_lowest_quantity_tier() {
    let tiers = vec![tier("9.0", Some("10")), tier("12.5", Some("0"))];
    let record = record_with("pricingMatrix", vec![pricing_line(tiers)]);
    let matrix = list("inventoryItem", "pricingMatrix");
    let names = ["currency", "priceLevel", "price"];
    let value = read_list(&record, &matrix, &names, Los_Angeles).unwrap();
    let line = &value.lines()[0];
    assert_eq!(line["price"], FieldValue::Number(12.5));
    assert_eq!(line["currency"], FieldValue::text("1"));
    assert_eq!(line["priceLevel"], FieldValue::text("5"));
}

#[test]
fn first_price_counts_missing_quantity_as_zero() {
    let tiers = vec![tier("7.0", Some("5")), tier("8.0", None)];
    let record = record_with("pricingMatrix", vec![pricing_line(tiers)]);
    let matrix = list("inventoryItem", "pricingMatrix");
    let value = read_list(&record, &matrix, &["price"], Los_Angeles).unwrap();
    assert_eq!(value.lines()[0]["price"], FieldValue::Number(8.0));
}

#[test]
fn first_price_without_tiers_is_null() {
    let record = record_with("pricingMatrix", vec![pricing_line(Vec::new())]);
    let matrix = list("inventoryItem", "pricingMatrix");
    let value = read_list(&record, &matrix, &["price"], Los_Angeles).unwrap();
    assert_eq!(value.lines()[0]["price"], FieldValue::Null);
}

#[test]
fn location_reads_location_id_reference() {
    let with_id = line(vec![
        ("locationId", BodyValue::Ref(RecordRef::id("3"))),
        ("location", text("Warehouse East")),
        ("quantityAvailable", text("17.0")),
    ]);
    let record = record_with("locationsList", vec![with_id]);
    let locations = list("inventoryItem", "locationsList");
    let names = ["location", "quantityAvailable"];
    let value = read_list(&record, &locations, &names, Los_Angeles).unwrap();
    assert_eq!(value.lines()[0]["location"], FieldValue::text("3"));
    assert_eq!(
        value.lines()[0]["quantityAvailable"],
        FieldValue::Number(17.0)
    );
}

#[test]
fn location_falls_back_to_location_text() {
    let old_form = line(vec![("location", text("3"))]);
    let record = record_with("locationsList", vec![old_form]);
    let locations = list("inventoryItem", "locationsList");
    let value = read_list(&record, &locations, &["location"], Los_Angeles).unwrap();
    assert_eq!(value.lines()[0]["location"], FieldValue::text("3"));
}

#[test]
fn line_field_rejects_unknown_name() {
    let error = list("salesOrder", "itemList")
        .line_field("colour")
        .unwrap_err();
    let message = error.to_string();
    assert!(message.contains("itemList"), "{message}");
    assert!(message.contains("colour"), "{message}");
}

#[test]
fn line_field_rejects_nested_value() {
    let error = list("inventoryItem", "pricingMatrix")
        .line_field("priceList")
        .unwrap_err();
    assert!(error.to_string().contains("nested"), "{error}");
}

#[test]
fn line_field_names_include_engine_names() {
    let matrix = list("inventoryItem", "pricingMatrix").line_field_names();
    assert!(matrix.iter().any(|(name, _)| name == "price"));
    assert!(!matrix.iter().any(|(name, _)| name == "priceList"));
    let locations = list("inventoryItem", "locationsList").line_field_names();
    let location_names = locations.iter().filter(|(name, _)| name == "location");
    assert_eq!(location_names.count(), 1);
}

fn fields(entries: &[(&str, FieldValue)]) -> Fields {
    entries
        .iter()
        .map(|(name, value)| (name.to_string(), value.clone()))
        .collect()
}

#[test]
fn write_list_replaces_all_lines_typed_by_schema() {
    let lines = vec![fields(&[
        ("item", FieldValue::text("42")),
        ("quantity", FieldValue::Number(3.0)),
        ("rate", FieldValue::Number(9.5)),
        ("description", FieldValue::Null),
    ])];
    let items = list("salesOrder", "itemList");
    let written = write_list(&items, &FieldValue::List(lines), Los_Angeles).unwrap();
    let BodyValue::Sublist(sublist) = written else {
        panic!("expected a sublist, got {written:?}");
    };
    assert_eq!(sublist.replace_all, Some(true));
    assert_eq!(sublist.line_name.as_deref(), Some("item"));
    let line = &sublist.lines[0];
    assert_eq!(line.reference("item"), Some(&RecordRef::id("42")));
    assert_eq!(line.text("quantity"), Some("3"));
    assert_eq!(line.text("rate"), Some("9.5"));
    assert_eq!(line.field("description"), None);
}

#[test]
fn write_list_rejects_unknown_line_field() {
    let lines = vec![fields(&[("colour", FieldValue::text("red"))])];
    let items = list("invoice", "itemList");
    let error = write_list(&items, &FieldValue::List(lines), Los_Angeles).unwrap_err();
    let message = error.to_string();
    assert!(message.contains("itemList"), "{message}");
    assert!(message.contains("colour"), "{message}");
}

#[test]
fn write_list_rejects_wrong_line_value_type() {
    let lines = vec![fields(&[("quantity", FieldValue::text("three"))])];
    let items = list("salesOrder", "itemList");
    let error = write_list(&items, &FieldValue::List(lines), Los_Angeles).unwrap_err();
    assert!(error.to_string().contains("quantity"), "{error}");
}

#[test]
fn write_list_rejects_single_value() {
    let items = list("salesOrder", "itemList");
    let error = write_list(&items, &FieldValue::text("42"), Los_Angeles).unwrap_err();
    assert!(error.to_string().contains("itemList"), "{error}");
}

#[test]
fn write_list_sends_price_as_base_tier() {
    let lines = vec![fields(&[
        ("currency", FieldValue::text("1")),
        ("price", FieldValue::Number(12.5)),
    ])];
    let matrix = list("inventoryItem", "pricingMatrix");
    let written = write_list(&matrix, &FieldValue::List(lines), Los_Angeles).unwrap();
    let BodyValue::Sublist(sublist) = written else {
        panic!("expected a sublist, got {written:?}");
    };
    let Some(BodyValue::Sublist(tiers)) = sublist.lines[0].field("priceList") else {
        panic!("expected a price list in {:?}", sublist.lines[0]);
    };
    assert_eq!(tiers.lines.len(), 1);
    assert_eq!(tiers.lines[0].text("value"), Some("12.5"));
    assert_eq!(tiers.lines[0].text("quantity"), Some("0"));
}

#[test]
fn write_list_sends_location_as_location_id() {
    let lines = vec![fields(&[("location", FieldValue::text("3"))])];
    let locations = list("inventoryItem", "locationsList");
    let written = write_list(&locations, &FieldValue::List(lines), Los_Angeles).unwrap();
    let BodyValue::Sublist(sublist) = written else {
        panic!("expected a sublist, got {written:?}");
    };
    let line = &sublist.lines[0];
    assert_eq!(line.reference("locationId"), Some(&RecordRef::id("3")));
    assert_eq!(line.field("location"), None);
}

#[test]
fn apply_doc_reads_and_writes_as_internal_id() {
    let applied = line(vec![("doc", text("4")), ("apply", text("true"))]);
    let mut record = record_with("applyList", vec![applied]);
    record.record_type = "customerPayment".to_string();
    let applications = list("customerPayment", "applyList");
    let value = read_list(&record, &applications, &["doc", "apply"], Los_Angeles).unwrap();
    assert_eq!(value.lines()[0]["doc"], FieldValue::text("4"));
    assert_eq!(value.lines()[0]["apply"], FieldValue::Bool(true));

    let lines = vec![fields(&[("doc", FieldValue::text("4"))])];
    let written = write_list(&applications, &FieldValue::List(lines), Los_Angeles).unwrap();
    let BodyValue::Sublist(sublist) = written else {
        panic!("expected a sublist, got {written:?}");
    };
    assert_eq!(sublist.lines[0].text("doc"), Some("4"));
}
