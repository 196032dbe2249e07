//! The billing address of customers as flat fields.

use super::*;

fn text(value: &str) -> BodyValue {
    BodyValue::Text(value.to_string())
}

fn address_line(internal_id: &str, default_billing: bool, city: &str) -> Complex {
    let mut address = Complex::new();
    address.fields = vec![
        ("country".to_string(), text("_unitedStates")),
        ("addr1".to_string(), text("1 Main St")),
        ("city".to_string(), text(city)),
        ("zip".to_string(), text("")),
    ];
    let mut line = Complex::new();
    line.fields = vec![
        (
            "defaultBilling".to_string(),
            text(&default_billing.to_string()),
        ),
        (
            "addressbookAddress".to_string(),
            BodyValue::Complex(address),
        ),
        ("internalId".to_string(), text(internal_id)),
    ];
    line
}

fn customer(lines: Vec<Complex>) -> Record {
    let mut record = Record::new("customer");
    let list = Sublist {
        replace_all: None,
        lines,
        line_name: None,
    };
    record
        .fields
        .push(("addressbookList".to_string(), BodyValue::Sublist(list)));
    record
}

#[test]
fn address_field_strips_prefix() {
    assert_eq!(
        address_field("customer", "billingAddress.city").unwrap(),
        Some("city")
    );
    assert_eq!(address_field("customer", "companyName").unwrap(), None);
}

#[test]
fn address_field_rejects_unknown_field() {
    let error = address_field("customer", "billingAddress.street").unwrap_err();
    assert!(
        error.to_string().contains("billingAddress.street"),
        "{error}"
    );
}

#[test]
fn address_field_rejects_other_record_types() {
    let error = address_field("salesOrder", "billingAddress.city").unwrap_err();
    assert!(error.to_string().contains("customers"), "{error}");
}

#[test]
fn billing_line_takes_default_billing_line() {
    let record = customer(vec![
        address_line("11", false, "Boston"),
        address_line("12", true, "Denver"),
    ]);
    let line = billing_line(&record).unwrap();
    assert_eq!(line.internal_id.as_deref(), Some("12"));
    assert_eq!(line.values.get("city").map(String::as_str), Some("Denver"));
    assert_eq!(line.values.get("zip"), None);
}

#[test]
fn billing_line_without_default_is_none() {
    let record = customer(vec![address_line("11", false, "Boston")]);
    assert_eq!(billing_line(&record), None);
    assert_eq!(billing_line(&Record::new("customer")), None);
}

#[test]
fn read_billing_converts_country_to_iso() {
    let record = customer(vec![address_line("12", true, "Denver")]);
    let fields = read_billing(&record, &["country", "city", "addr2"]);
    assert_eq!(fields["billingAddress.country"], FieldValue::text("US"));
    assert_eq!(fields["billingAddress.city"], FieldValue::text("Denver"));
    assert_eq!(fields["billingAddress.addr2"], FieldValue::Null);
}

#[test]
fn read_billing_without_default_line_is_null() {
    let record = customer(vec![address_line("11", false, "Boston")]);
    let fields = read_billing(&record, &["city", "country"]);
    assert_eq!(fields["billingAddress.city"], FieldValue::Null);
    assert_eq!(fields["billingAddress.country"], FieldValue::Null);
}

fn written_line(list: BodyValue) -> (Option<bool>, Complex) {
    let BodyValue::Sublist(sublist) = list else {
        panic!("expected a sublist, got {list:?}");
    };
    assert_eq!(sublist.lines.len(), 1);
    assert_eq!(sublist.line_name.as_deref(), Some("addressbook"));
    (sublist.replace_all, sublist.lines[0].clone())
}

#[test]
fn write_billing_merges_current_values_by_line_key() {
    let record = customer(vec![address_line("12", true, "Denver")]);
    let current = billing_line(&record).unwrap();
    let changes = [
        ("city", FieldValue::text("Austin")),
        ("addr1", FieldValue::Null),
        ("country", FieldValue::text("CA")),
    ];
    let (replace_all, line) = written_line(write_billing(Some(&current), &changes, false).unwrap());
    assert_eq!(replace_all, Some(false));
    assert_eq!(line.text("internalId"), Some("12"));
    assert_eq!(line.field("defaultBilling"), None);
    let address = line.complex("addressbookAddress").unwrap();
    assert_eq!(address.text("city"), Some("Austin"));
    assert_eq!(address.text("country"), Some("_canada"));
    assert_eq!(address.field("addr1"), None);
}

#[test]
fn write_billing_without_line_adds_default_billing() {
    let changes = [("city", FieldValue::text("Austin"))];
    let (replace_all, line) = written_line(write_billing(None, &changes, false).unwrap());
    assert_eq!(replace_all, Some(false));
    assert_eq!(line.text("defaultBilling"), Some("true"));
    assert_eq!(line.field("internalId"), None);
}

#[test]
fn write_billing_on_create_replaces_all_lines() {
    let changes = [("country", FieldValue::text("_germany"))];
    let (replace_all, line) = written_line(write_billing(None, &changes, true).unwrap());
    assert_eq!(replace_all, Some(true));
    let address = line.complex("addressbookAddress").unwrap();
    assert_eq!(address.text("country"), Some("_germany"));
}

#[test]
fn write_billing_rejects_unknown_country() {
    let changes = [("country", FieldValue::text("Atlantis"))];
    let error = write_billing(None, &changes, false).unwrap_err();
    assert!(error.to_string().contains("Atlantis"), "{error}");
}

#[test]
fn write_billing_rejects_number() {
    let changes = [("zip", FieldValue::Number(80202.0))];
    let error = write_billing(None, &changes, false).unwrap_err();
    assert!(error.to_string().contains("billingAddress.zip"), "{error}");
}
