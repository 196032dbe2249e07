//! Customers' billing addresses as flat fields, against the NetSuite emulator.

mod sandbox;

use chrono::Utc;
use sandbox::{Sandbox, fields, object, text};
use tandem_engine::{FieldValue, RecordPort, RecordUpdate};
use tandem_netsuite::{FieldAccess, RecordRef};

const ADDRESS_FIELDS: [&str; 8] = [
    "billingAddress.addr1",
    "billingAddress.addr2",
    "billingAddress.city",
    "billingAddress.state",
    "billingAddress.zip",
    "billingAddress.country",
    "billingAddress.addressee",
    "billingAddress.addrPhone",
];

fn address_line(default_billing: bool, addressee: &str, city: &str, country: &str) -> String {
    format!(
        "<listRel:addressbook>\
         <listRel:defaultShipping>{}</listRel:defaultShipping>\
         <listRel:defaultBilling>{default_billing}</listRel:defaultBilling>\
         <listRel:addressbookAddress>\
         <platformCommon:country>{country}</platformCommon:country>\
         <platformCommon:addressee>{addressee}</platformCommon:addressee>\
         <platformCommon:addr1>1 Main St</platformCommon:addr1>\
         <platformCommon:city>{city}</platformCommon:city>\
         <platformCommon:state>CO</platformCommon:state>\
         <platformCommon:zip>80202</platformCommon:zip>\
         </listRel:addressbookAddress></listRel:addressbook>",
        !default_billing
    )
}

/// Adds a customer with a shipping address in Boston and, when `billing`, a default billing
/// address in Denver; returns its internal ID.
fn customer_with_addresses(sandbox: &Sandbox, billing: bool) -> String {
    let mut lines = address_line(false, "Acme Shipping", "Boston", "_unitedStates");
    if billing {
        lines += &address_line(true, "Acme Billing", "Denver", "_unitedStates");
    }
    let xml = format!(
        r#"<record xsi:type="listRel:Customer" externalId="001A"
            xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
            xmlns:listRel="urn:relationships_2025_2.lists.webservices.netsuite.com"
            xmlns:platformCommon="urn:common_2025_2.platform.webservices.netsuite.com">
            <listRel:companyName>Acme</listRel:companyName>
            <listRel:addressbookList>{lines}</listRel:addressbookList>
        </record>"#
    );
    sandbox.emulator.add_record(&xml, Utc::now()).unwrap()
}

/// Returns the city of each address line of a customer, as `getList` reads it.
async fn address_cities(sandbox: &Sandbox, id: &str) -> Vec<String> {
    let reference = RecordRef::internal("customer", id);
    let mut reads = sandbox.port.client().get_list(&[reference]).await.unwrap();
    let record = reads.remove(0).unwrap();
    let Some(list) = record.sublist("addressbookList") else {
        return Vec::new();
    };
    list.lines
        .iter()
        .filter_map(|line| line.complex("addressbookAddress")?.text("city"))
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn billing_address_reads_default_billing_line() {
    let sandbox = Sandbox::start().await;
    let id = customer_with_addresses(&sandbox, true);

    let customers = object("customer", &ADDRESS_FIELDS);
    let records = sandbox.port.read(&customers, &[id]).await.unwrap();

    let fields = &records[0].fields;
    assert_eq!(fields["billingAddress.city"], text("Denver"));
    assert_eq!(fields["billingAddress.addressee"], text("Acme Billing"));
    assert_eq!(fields["billingAddress.addr1"], text("1 Main St"));
    assert_eq!(fields["billingAddress.state"], text("CO"));
    assert_eq!(fields["billingAddress.zip"], text("80202"));
    assert_eq!(fields["billingAddress.country"], text("US"));
    assert_eq!(fields["billingAddress.addr2"], FieldValue::Null);
    assert_eq!(fields["billingAddress.addrPhone"], FieldValue::Null);
}

#[tokio::test]
async fn billing_address_without_default_reads_null() {
    let sandbox = Sandbox::start().await;
    let id = customer_with_addresses(&sandbox, false);

    let customers = object("customer", &ADDRESS_FIELDS);
    let records = sandbox.port.read(&customers, &[id]).await.unwrap();

    for name in ADDRESS_FIELDS {
        assert_eq!(records[0].fields[name], FieldValue::Null, "{name}");
    }
}

#[tokio::test]
async fn update_changes_billing_line_and_keeps_others() {
    let sandbox = Sandbox::start().await;
    let id = customer_with_addresses(&sandbox, true);

    let customers = object("customer", &ADDRESS_FIELDS);
    let update = RecordUpdate {
        id: id.clone(),
        fields: fields(&[
            ("billingAddress.city", text("Toronto")),
            ("billingAddress.country", text("CA")),
            ("billingAddress.zip", FieldValue::Null),
        ]),
        link: None,
    };
    let results = sandbox.port.update(&customers, vec![update]).await.unwrap();
    assert!(results[0].is_ok(), "{results:?}");

    let records = sandbox
        .port
        .read(&customers, std::slice::from_ref(&id))
        .await
        .unwrap();
    let fields = &records[0].fields;
    assert_eq!(fields["billingAddress.city"], text("Toronto"));
    assert_eq!(fields["billingAddress.country"], text("CA"));
    assert_eq!(fields["billingAddress.zip"], FieldValue::Null);
    assert_eq!(fields["billingAddress.addr1"], text("1 Main St"));
    assert_eq!(fields["billingAddress.addressee"], text("Acme Billing"));

    assert_eq!(address_cities(&sandbox, &id).await, ["Boston", "Toronto"]);
}

#[tokio::test]
async fn update_adds_billing_line_when_none_is_default() {
    let sandbox = Sandbox::start().await;
    let id = customer_with_addresses(&sandbox, false);

    let customers = object("customer", &ADDRESS_FIELDS);
    let update = RecordUpdate {
        id: id.clone(),
        fields: fields(&[("billingAddress.city", text("Austin"))]),
        link: None,
    };
    let results = sandbox.port.update(&customers, vec![update]).await.unwrap();
    assert!(results[0].is_ok(), "{results:?}");

    let records = sandbox
        .port
        .read(&customers, std::slice::from_ref(&id))
        .await
        .unwrap();
    assert_eq!(records[0].fields["billingAddress.city"], text("Austin"));
    assert_eq!(records[0].fields["billingAddress.addr1"], FieldValue::Null);
    assert_eq!(address_cities(&sandbox, &id).await, ["Boston", "Austin"]);
}

#[tokio::test]
async fn create_adds_default_billing_line() {
    let sandbox = Sandbox::start().await;
    let acme = fields(&[
        ("companyName", text("Acme")),
        ("billingAddress.addr1", text("5 Elm St")),
        ("billingAddress.city", text("Berlin")),
        ("billingAddress.country", text("DE")),
    ]);
    let id = sandbox.created("customer", "001A", acme).await;

    let customers = object("customer", &ADDRESS_FIELDS);
    let records = sandbox.port.read(&customers, &[id]).await.unwrap();
    let fields = &records[0].fields;
    assert_eq!(fields["billingAddress.addr1"], text("5 Elm St"));
    assert_eq!(fields["billingAddress.city"], text("Berlin"));
    assert_eq!(fields["billingAddress.country"], text("DE"));
}

#[tokio::test]
async fn invalid_country_fails_its_record() {
    let sandbox = Sandbox::start().await;
    let acme = fields(&[
        ("companyName", text("Acme")),
        ("billingAddress.country", text("Atlantis")),
    ]);
    let error = sandbox.create("customer", "001A", acme).await.unwrap_err();
    assert!(error.message.contains("Atlantis"), "{}", error.message);
    assert!(sandbox.emulator.customers().is_empty());
}
