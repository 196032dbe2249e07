//! `item-to-price-book`: every item becomes one `Product2` with one entry per price book.

use std::collections::BTreeSet;
use std::time::Duration;

use tandem_sandbox::Seed;

use crate::harness::{KillPoints, assert_once, field_values, finish, kill_passes};
use crate::support::{World, only, start_seeded};

/// Items in the NetSuite account, each priced at two price levels in US dollars.
const ITEMS: usize = 2000;

const FLOW: &str = "item-to-price-book";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_item_sync_writes_each_product_once() {
    let world = start_seeded(Seed::Large(ITEMS), &only(FLOW)).await;
    let mut points = KillPoints::new();

    let arrived = |world: &World| world.sandbox.salesforce().records("Product2").len();
    kill_passes(&world, &mut points, Duration::from_secs(3), arrived).await;
    finish(&world).await;

    let items = world.search_netsuite("inventoryItem").await;
    let item_ids: BTreeSet<String> = items.iter().filter_map(|i| i.internal_id.clone()).collect();
    assert_eq!(item_ids.len(), ITEMS);
    let salesforce = world.sandbox.salesforce();
    let products = salesforce.records("Product2");
    assert_once(
        "Product2 per item",
        field_values(&products, "NetSuite_Internal_ID__c"),
        &item_ids,
    );

    let books = salesforce.records("Pricebook2");
    let names = field_values(&books, "Name");
    let keys = names.iter().map(|name| name.clone().map(|n| n.to_string()));
    let expected: BTreeSet<String> = ["Standard Price Book", "Alternate Price 1"]
        .map(String::from)
        .into();
    assert_once("Pricebook2 per price level", keys, &expected);

    let product_ids: BTreeSet<String> = field_values(&products, "Id")
        .into_iter()
        .flatten()
        .collect();
    let entries = salesforce.records("PricebookEntry");
    let entry_keys = entries.iter().map(|entry| {
        let product = entry["Product2Id"].as_str()?;
        let book = entry["Pricebook2Id"].as_str()?;
        Some(format!("{product} {book}"))
    });
    let book_ids = field_values(&books, "Id").into_iter().flatten();
    let expected: BTreeSet<String> = book_ids
        .flat_map(|book| product_ids.iter().map(move |p| format!("{p} {book}")))
        .collect();
    assert_once(
        "PricebookEntry per product and price book",
        entry_keys,
        &expected,
    );
}
