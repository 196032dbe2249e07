//! Passes of `item-to-price-book` between in-memory systems. The Salesforce side applies the
//! price book rules of a real org (see [`PriceBookRules`]), so a write in the wrong order or a
//! duplicate entry shows up as a dead letter.

mod passes;
mod rules;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::TimeDelta;

use super::*;
use crate::fake_port::FakePort;
use crate::memory_store::MemoryStore;
use crate::one_way::run_pass;
use crate::record::Fields;
use crate::retry::RetryPolicy;
use rules::PriceBookRules;

/// Id of the standard price book in every test org.
const STANDARD: &str = "01s-standard";

struct World {
    netsuite: Arc<FakePort>,
    salesforce: Arc<FakePort>,
    rules: Arc<PriceBookRules>,
    store: Arc<MemoryStore>,
    connections: Connections,
}

/// Returns systems with two currencies (1 USD, 2 EUR), three price levels (1 Base Price,
/// 2 Wholesale, 3 Online Price), a standard price book, and an org with multiple currencies.
fn world() -> World {
    let netsuite = Arc::new(FakePort::new(System::NetSuite));
    let salesforce = Arc::new(FakePort::new(System::Salesforce));
    let store = Arc::new(MemoryStore::new());
    let rules = Arc::new(PriceBookRules {
        inner: salesforce.clone(),
        multi_currency: AtomicBool::new(true),
    });
    let connections = Connections {
        netsuite: netsuite.clone(),
        salesforce: rules.clone(),
        store: store.clone(),
        retry: RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        },
    };
    for (id, symbol) in [("1", "USD"), ("2", "EUR")] {
        netsuite.put("currency", Some(id), &[("symbol", text(symbol))]);
    }
    for (id, name) in [
        ("1", "Base Price"),
        ("2", "Wholesale"),
        ("3", "Online Price"),
    ] {
        netsuite.put("priceLevel", Some(id), &[("name", text(name))]);
    }
    salesforce.put(
        "Pricebook2",
        Some(STANDARD),
        &[
            ("Name", text("Standard Price Book")),
            ("IsStandard", FieldValue::Bool(true)),
            ("IsActive", FieldValue::Bool(true)),
        ],
    );
    World {
        netsuite,
        salesforce,
        rules,
        store,
        connections,
    }
}

fn text(value: &str) -> FieldValue {
    FieldValue::text(value)
}

/// Returns a pricing matrix line.
fn price(currency: &str, level: &str, amount: f64) -> Fields {
    Fields::from([
        ("currency".to_string(), text(currency)),
        ("priceLevel".to_string(), text(level)),
        ("price".to_string(), FieldValue::Number(amount)),
    ])
}

/// Returns the six prices of item `BOLT-10`: per currency 1 and 2, levels 1, 2 and 3.
fn six_prices() -> FieldValue {
    FieldValue::List(vec![
        price("1", "1", 10.0),
        price("1", "2", 8.0),
        price("1", "3", 9.5),
        price("2", "1", 9.0),
        price("2", "2", 7.0),
        price("2", "3", 8.5),
    ])
}

/// Adds inventory item 10 (`BOLT-10`) with two locations and [`six_prices`].
fn add_bolt(world: &World) {
    let locations = FieldValue::List(vec![
        Fields::from([("quantityAvailable".to_string(), FieldValue::Number(5.0))]),
        Fields::from([("quantityAvailable".to_string(), FieldValue::Number(7.0))]),
    ]);
    world.netsuite.put(
        "inventoryItem",
        Some("10"),
        &[
            ("itemId", text("BOLT-10")),
            ("displayName", text("Bolt")),
            ("salesDescription", text("Steel bolt")),
            ("isInactive", FieldValue::Bool(false)),
            ("locationsList", locations),
            ("pricingMatrix", six_prices()),
        ],
    );
}

fn template(options: Options) -> Template {
    Template::new(Settings {
        mapping: default_mapping(),
        overlap: TimeDelta::zero(),
        options,
    })
}

async fn pass(world: &World) -> PassReport {
    pass_with(world, Options::default()).await
}

async fn pass_with(world: &World, options: Options) -> PassReport {
    run_pass(&template(options), &world.connections)
        .await
        .unwrap()
}

fn writes(world: &World) -> i64 {
    world.salesforce.writes.load(Ordering::SeqCst)
}

/// Returns the only product.
fn product(world: &World) -> (String, Fields) {
    let products = world.salesforce.all("Product2");
    assert_eq!(products.len(), 1, "{products:?}");
    products.into_iter().next().unwrap()
}

/// Returns the entries as `(price book name, currency, unit price, active)`, sorted.
fn entries(world: &World) -> Vec<(String, String, f64, bool)> {
    let books = world.salesforce.all("Pricebook2");
    let book_name = |id: &str| {
        let book = books.iter().find(|(book, _)| book == id);
        book.and_then(|(_, fields)| fields.get("Name")?.as_text().map(str::to_string))
            .unwrap_or_default()
    };
    let mut entries: Vec<_> = world
        .salesforce
        .all("PricebookEntry")
        .into_iter()
        .map(|(_, fields)| {
            let field = |name: &str| fields.get(name).cloned().unwrap_or(FieldValue::Null);
            (
                book_name(field("Pricebook2Id").as_text().unwrap_or_default()),
                field("CurrencyIsoCode")
                    .as_text()
                    .unwrap_or_default()
                    .to_string(),
                field("UnitPrice").as_number().unwrap_or(f64::NAN),
                field("IsActive").as_bool().unwrap_or(false),
            )
        })
        .collect();
    entries.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    entries
}

fn entry(book: &str, currency: &str, price: f64, active: bool) -> (String, String, f64, bool) {
    (book.to_string(), currency.to_string(), price, active)
}

#[test]
fn options_default_when_table_is_empty() {
    let options: Options = serde_json::from_str("{}").unwrap();
    assert_eq!(options, Options::default());
    assert_eq!(options.base_price_level, "1");
    assert_eq!(options.currency, CurrencyMode::Auto);
    assert!(options.deactivate_deleted);
}

#[test]
fn options_reject_unknown_keys() {
    let error = serde_json::from_str::<Options>(r#"{"currencies": "on"}"#).unwrap_err();
    assert!(error.to_string().contains("currencies"), "{error}");
    let options: Options = serde_json::from_str(r#"{"currency": "off"}"#).unwrap();
    assert_eq!(options.currency, CurrencyMode::Off);
}

#[test]
fn field_uses_name_fixed_fields() {
    let uses = template(Options::default()).field_uses();
    let has = |system: System, object: &str, field: &str| {
        uses.iter()
            .any(|used| used.system == system && used.object == object && used.field == field)
    };
    assert!(has(System::Salesforce, "Product2", "Name"));
    assert!(has(System::Salesforce, "Product2", PRODUCT_LINK_FIELD));
    assert!(has(System::Salesforce, "Product2", QUANTITY_FIELD));
    assert!(has(System::Salesforce, "PricebookEntry", "UnitPrice"));
    assert!(has(
        System::NetSuite,
        "serviceSaleItem",
        "pricingMatrix[].price"
    ));
    assert!(has(System::NetSuite, "inventoryItem", QUANTITY_LINE_FIELD));
    assert!(!has(
        System::NetSuite,
        "serviceSaleItem",
        QUANTITY_LINE_FIELD
    ));
    assert!(has(System::NetSuite, "currency", "symbol"));
    let products = uses.iter().filter(|used| used.field == "ProductCode");
    assert_eq!(products.count(), 1);
}

#[test]
fn items_of_three_types_are_read() {
    let template = template(Options::default());
    let names: Vec<_> = template
        .spec
        .objects
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(names, ITEM_TYPES);
    let inventory = &template.spec.objects[0].fields;
    assert!(inventory.iter().any(|field| field == QUANTITY_LINE_FIELD));
    assert!(
        inventory
            .iter()
            .any(|field| field == "pricingMatrix[].priceLevel")
    );
}
