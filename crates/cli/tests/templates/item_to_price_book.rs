//! `item-to-price-book`: every item becomes a Product2 with its stock, and its prices become
//! standard PricebookEntries per currency and entries in the price books of the other levels.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use tandem_netsuite::records::typed::{InventoryItem, Item, NonInventorySaleItem, ServiceSaleItem};
use tandem_netsuite::{SearchPreferences, SearchRecord, TypedRecord};
use tandem_sandbox::seed::{CURRENCIES, INACTIVE_ITEM, ITEM_WITHOUT_PRODUCT, PRICE_LEVELS};

use crate::support::{Transport, World, number, same_amount, start, text};

/// Reads every item of one type through the NetSuite client, pricing and locations included.
async fn items_of<T: TypedRecord>(world: &World, unwrap: fn(T) -> Item) -> Vec<(Item, bool)> {
    let preferences = SearchPreferences {
        body_fields_only: false,
        ..SearchPreferences::default()
    };
    let records = world
        .netsuite
        .search_all(&SearchRecord::new(T::RECORD_TYPE), &preferences)
        .await
        .expect("item search");
    let zone = world.netsuite.config().user_time_zone;
    let inventory = T::RECORD_TYPE == "inventoryItem";
    records
        .iter()
        .map(|record| {
            (
                unwrap(T::from_record(record, zone).expect("typed item")),
                inventory,
            )
        })
        .collect()
}

/// Reads every item of the three sale item types, each with whether it keeps stock.
async fn items(world: &World) -> Vec<(Item, bool)> {
    let mut items = items_of::<InventoryItem>(world, |item| item.0).await;
    items.extend(items_of::<NonInventorySaleItem>(world, |item| item.0).await);
    items.extend(items_of::<ServiceSaleItem>(world, |item| item.0).await);
    items
}

/// The prices an item's entries must have: (price book name, ISO currency) to unit price, with
/// `None` as the name of the standard price book.
fn expected_prices(item: &Item) -> BTreeMap<(Option<String>, String), f64> {
    let mut prices = BTreeMap::new();
    let lines = item
        .pricing
        .as_ref()
        .map(|p| p.lines.as_slice())
        .unwrap_or_default();
    for line in lines {
        let currency_id = line.currency.as_ref().and_then(|c| c.internal_id.clone());
        let level_id = line
            .price_level
            .as_ref()
            .and_then(|l| l.internal_id.clone());
        let iso = CURRENCIES
            .iter()
            .find(|(_, id)| Some(*id) == currency_id.as_deref())
            .map(|(iso, _)| iso.to_string())
            .expect("a seed currency");
        let level = PRICE_LEVELS
            .iter()
            .find(|(id, _, _)| Some(*id) == level_id.as_deref())
            .expect("a seed price level");
        let book = (level.0 != "1").then(|| level.1.to_string());
        let price = line.prices.first().map(|p| p.value).expect("a price");
        prices.insert((book, iso), price);
    }
    prices
}

/// Reads a product's active entries as (price book name, currency) to unit price.
async fn entries(
    world: &World,
    product_id: &str,
    books: &BTreeMap<String, Map<String, Value>>,
) -> BTreeMap<(Option<String>, String), f64> {
    let soql = format!(
        "SELECT Id, Pricebook2Id, CurrencyIsoCode, UnitPrice, IsActive FROM PricebookEntry \
         WHERE Product2Id = '{product_id}'"
    );
    let mut entries = BTreeMap::new();
    for entry in world.query(&soql).await {
        assert_eq!(entry["IsActive"], true, "{entry:?}");
        let book = &books[&text(&entry, "Pricebook2Id").expect("price book")];
        let name = (book["IsStandard"] != true).then(|| text(book, "Name").unwrap_or_default());
        let key = (name, text(&entry, "CurrencyIsoCode").expect("currency"));
        let previous = entries.insert(key, number(&entry, "UnitPrice").expect("price"));
        assert_eq!(
            previous, None,
            "one entry per price book and currency: {entry:?}"
        );
    }
    entries
}

async fn writes_products_and_prices(transport: Transport) {
    let world = start(transport, "[flows.item-to-price-book]\n").await;

    world.pass().await;

    let books: BTreeMap<String, Map<String, Value>> = world
        .query("SELECT Id, Name, IsStandard FROM Pricebook2")
        .await
        .into_iter()
        .map(|book| (text(&book, "Id").expect("Id"), book))
        .collect();
    let items = items(&world).await;
    assert_eq!(items.len(), 7);
    for (item, inventory) in &items {
        let code = item.item_id.clone().expect("itemId");
        let soql = format!(
            "SELECT Id, ProductCode, IsActive, Quantity_Available__c, NetSuite_Internal_ID__c \
             FROM Product2 WHERE ProductCode = '{code}'"
        );
        let product = world.query_one(&soql).await;
        assert_eq!(text(&product, "NetSuite_Internal_ID__c"), item.internal_id);
        let active = item.is_inactive != Some(true);
        assert_eq!(product["IsActive"], active, "{code}");
        if *inventory {
            let locations = item
                .locations
                .as_ref()
                .map(|l| l.lines.as_slice())
                .unwrap_or_default();
            let stock: f64 = locations.iter().filter_map(|l| l.quantity_available).sum();
            let copied = number(&product, "Quantity_Available__c").expect("quantity");
            assert!(same_amount(copied, stock), "{code}: {copied} != {stock}");
        }
        if !active {
            continue;
        }
        let expected = expected_prices(item);
        assert_eq!(expected.len(), 6, "{code}: {expected:?}");
        let product_id = text(&product, "Id").expect("Id");
        let actual = entries(&world, &product_id, &books).await;
        assert_eq!(actual.len(), expected.len(), "{code}: {actual:?}");
        for (key, price) in &expected {
            let written = actual.get(key).copied();
            assert!(
                written.is_some_and(|w| same_amount(w, *price)),
                "{code} {key:?}: {written:?}"
            );
        }
    }
    let codes: Vec<Option<String>> = items.iter().map(|(item, _)| item.item_id.clone()).collect();
    assert!(codes.contains(&Some(ITEM_WITHOUT_PRODUCT.to_string())));
    assert!(codes.contains(&Some(INACTIVE_ITEM.to_string())));

    world.assert_second_pass_writes_nothing().await;
}

on_both_transports!(writes_products_and_prices);
