//! Sublists read and written through the port, against the NetSuite emulator.

mod sandbox;

use chrono::{DateTime, TimeZone, Utc};
use sandbox::{Sandbox, fields, object, text};
use tandem_engine::{ErrorClass, FieldValue, Fields, RecordPort, RecordUpdate};

fn since() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap()
}

fn number(value: f64) -> FieldValue {
    FieldValue::Number(value)
}

/// Creates an inventory item stocked at location 1 and priced at 12.5 in currency 1 at price
/// level 1, and returns its internal ID.
async fn stocked_item(sandbox: &Sandbox, item_id: &str) -> String {
    let location = fields(&[("location", text("1")), ("quantityOnHand", number(20.0))]);
    let price = fields(&[
        ("currency", text("1")),
        ("priceLevel", text("1")),
        ("price", number(12.5)),
    ]);
    let item = fields(&[
        ("itemId", text(item_id)),
        ("locationsList", FieldValue::List(vec![location])),
        ("pricingMatrix", FieldValue::List(vec![price])),
    ]);
    sandbox.created("inventoryItem", item_id, item).await
}

async fn customer(sandbox: &Sandbox) -> String {
    let acme = fields(&[("companyName", text("Acme"))]);
    sandbox.created("customer", "001A", acme).await
}

fn order_line(item: &str, quantity: f64, rate: f64) -> Fields {
    fields(&[
        ("item", text(item)),
        ("quantity", number(quantity)),
        ("rate", number(rate)),
    ])
}

async fn sales_order(sandbox: &Sandbox, lines: Vec<Fields>) -> String {
    let entity = customer(sandbox).await;
    let order = fields(&[
        ("entity", text(&entity)),
        ("itemList", FieldValue::List(lines)),
    ]);
    sandbox.created("salesOrder", "006A", order).await
}

const ORDER_LINE_FIELDS: [&str; 7] = [
    "itemList[].item",
    "itemList[].quantity",
    "itemList[].rate",
    "itemList[].amount",
    "itemList[].price",
    "itemList[].description",
    "itemList[].line",
];

#[tokio::test]
async fn sales_order_lines_read_typed() {
    let sandbox = Sandbox::start().await;
    let bolt = stocked_item(&sandbox, "BOLT").await;
    let nut = stocked_item(&sandbox, "NUT").await;
    let lines = vec![order_line(&bolt, 3.0, 4.0), order_line(&nut, 1.0, 2.5)];
    let order = sales_order(&sandbox, lines).await;

    let mut names = vec!["memo"];
    names.extend(ORDER_LINE_FIELDS);
    let orders = object("salesOrder", &names);
    let records = sandbox.port.changed_since(&orders, since()).await.unwrap();

    assert_eq!(records.len(), 1);
    assert_eq!(records[0].id, order);
    let lines = records[0].fields["itemList"].lines();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["item"], text(&bolt));
    assert_eq!(lines[0]["quantity"], number(3.0));
    assert_eq!(lines[0]["rate"], text("4"));
    assert_eq!(lines[0]["amount"], number(12.0));
    assert_eq!(lines[0]["line"], number(1.0));
    assert_eq!(lines[0]["description"], FieldValue::Null);
    assert_eq!(lines[1]["item"], text(&nut));
    assert_eq!(lines[1]["line"], number(2.0));
    assert_eq!(records[0].fields["memo"], FieldValue::Null);
}

#[tokio::test]
async fn body_fields_only_read_has_no_list() {
    let sandbox = Sandbox::start().await;
    let bolt = stocked_item(&sandbox, "BOLT").await;
    sales_order(&sandbox, vec![order_line(&bolt, 3.0, 4.0)]).await;

    let orders = object("salesOrder", &["tranId"]);
    let records = sandbox.port.changed_since(&orders, since()).await.unwrap();

    assert_eq!(records.len(), 1);
    assert!(!records[0].fields.contains_key("itemList"));
    assert!(records[0].fields.contains_key("tranId"));
}

#[tokio::test]
async fn record_without_sublist_reads_empty_list() {
    let sandbox = Sandbox::start().await;
    let bare = fields(&[("itemId", text("BARE"))]);
    sandbox.created("inventoryItem", "BARE", bare).await;

    let items = object("inventoryItem", &["itemId", "pricingMatrix[].price"]);
    let records = sandbox.port.changed_since(&items, since()).await.unwrap();

    assert_eq!(
        records[0].fields["pricingMatrix"],
        FieldValue::List(Vec::new())
    );
}

#[tokio::test]
async fn item_prices_and_locations_read_as_lists() {
    let sandbox = Sandbox::start().await;
    stocked_item(&sandbox, "BOLT").await;

    let names = [
        "pricingMatrix[].currency",
        "pricingMatrix[].priceLevel",
        "pricingMatrix[].price",
        "locationsList[].location",
        "locationsList[].quantityAvailable",
    ];
    let items = object("inventoryItem", &names);
    let records = sandbox.port.changed_since(&items, since()).await.unwrap();

    let prices = records[0].fields["pricingMatrix"].lines();
    assert_eq!(prices.len(), 1);
    assert_eq!(prices[0]["currency"], text("1"));
    assert_eq!(prices[0]["priceLevel"], text("1"));
    assert_eq!(prices[0]["price"], number(12.5));
    let locations = records[0].fields["locationsList"].lines();
    assert_eq!(locations.len(), 1);
    assert_eq!(locations[0]["location"], text("1"));
    assert_eq!(locations[0]["quantityAvailable"], number(20.0));
}

#[tokio::test]
async fn payment_applications_read_as_lines() {
    let sandbox = Sandbox::start().await;
    let bolt = stocked_item(&sandbox, "BOLT").await;
    let entity = customer(&sandbox).await;
    let invoice = fields(&[
        ("entity", text(&entity)),
        (
            "itemList",
            FieldValue::List(vec![order_line(&bolt, 3.0, 4.0)]),
        ),
    ]);
    let invoice = sandbox.created("invoice", "INV-A", invoice).await;
    let application = fields(&[
        ("doc", text(&invoice)),
        ("apply", FieldValue::Bool(true)),
        ("amount", number(5.0)),
    ]);
    let payment = fields(&[
        ("customer", text(&entity)),
        ("payment", number(5.0)),
        ("applyList", FieldValue::List(vec![application])),
    ]);
    sandbox.created("customerPayment", "PAY-A", payment).await;

    let names = ["applyList[].doc", "applyList[].apply", "applyList[].amount"];
    let payments = object("customerPayment", &names);
    let records = sandbox
        .port
        .changed_since(&payments, since())
        .await
        .unwrap();

    let applied = records[0].fields["applyList"].lines();
    assert_eq!(applied.len(), 1);
    assert_eq!(applied[0]["doc"], text(&invoice));
    assert_eq!(applied[0]["apply"], FieldValue::Bool(true));
    assert_eq!(applied[0]["amount"], number(5.0));
}

#[tokio::test]
async fn update_replaces_all_order_lines() {
    let sandbox = Sandbox::start().await;
    let bolt = stocked_item(&sandbox, "BOLT").await;
    let nut = stocked_item(&sandbox, "NUT").await;
    let lines = vec![order_line(&bolt, 3.0, 4.0), order_line(&nut, 1.0, 2.5)];
    let order = sales_order(&sandbox, lines).await;

    let orders = object("salesOrder", &ORDER_LINE_FIELDS);
    let update = RecordUpdate {
        id: order.clone(),
        fields: fields(&[(
            "itemList",
            FieldValue::List(vec![order_line(&nut, 7.0, 2.0)]),
        )]),
        link: None,
    };
    let results = sandbox.port.update(&orders, vec![update]).await.unwrap();
    assert!(results[0].is_ok(), "{results:?}");

    let records = sandbox.port.read(&orders, &[order]).await.unwrap();
    let lines = records[0].fields["itemList"].lines();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["item"], text(&nut));
    assert_eq!(lines[0]["quantity"], number(7.0));
    assert_eq!(lines[0]["amount"], number(14.0));
}

#[tokio::test]
async fn unknown_line_field_fails_its_record() {
    let sandbox = Sandbox::start().await;
    let bolt = stocked_item(&sandbox, "BOLT").await;
    let mut line = order_line(&bolt, 1.0, 1.0);
    line.insert("colour".to_string(), text("red"));
    let order = fields(&[("itemList", FieldValue::List(vec![line]))]);

    let error = sandbox
        .create("salesOrder", "006B", order)
        .await
        .unwrap_err();

    assert_eq!(error.class, ErrorClass::Config);
    assert!(error.message.contains("itemList"), "{}", error.message);
    assert!(error.message.contains("colour"), "{}", error.message);
    assert_eq!(sandbox.emulator.record_count("salesOrder"), 0);
}

#[tokio::test]
async fn unknown_requested_line_field_is_config_error() {
    let sandbox = Sandbox::start().await;
    let orders = object("salesOrder", &["itemList[].colour"]);

    let error = sandbox
        .port
        .changed_since(&orders, since())
        .await
        .unwrap_err();

    assert_eq!(error.class, ErrorClass::Config);
    assert!(error.message.contains("colour"), "{}", error.message);
    let unknown_list = object("salesOrder", &["lineList[].item"]);
    let error = sandbox
        .port
        .changed_since(&unknown_list, since())
        .await
        .unwrap_err();
    assert!(error.message.contains("lineList"), "{}", error.message);
}
