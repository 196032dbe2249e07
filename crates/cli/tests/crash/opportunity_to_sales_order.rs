//! `opportunity-to-sales-order`: every won Opportunity becomes one sales order, and every
//! Account with won Opportunities one customer.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;
use tandem_sandbox::Seed;

use crate::harness::{KillPoints, assert_once, finish, kill_passes};
use crate::seeds::standard_pricebook;
use crate::support::{World, only, start_seeded};

/// NetSuite items, each with a linked `Product2` priced in the standard price book.
const ITEMS: usize = 20;

/// Accounts with no NetSuite customer yet.
const ACCOUNTS: usize = 500;

/// Won Opportunities, spread over the Accounts, with one or two lines each.
const OPPORTUNITIES: usize = 2000;

const FLOW: &str = "opportunity-to-sales-order";

/// Adds a `Product2` linked to each NetSuite item, with its standard price, and returns the
/// price book entry Ids.
async fn products(world: &World) -> Vec<String> {
    let sandbox = &world.sandbox;
    let standard = standard_pricebook(sandbox);
    let items = world.search_netsuite("inventoryItem").await;
    assert_eq!(items.len(), ITEMS);
    let item_ids = items.iter().filter_map(|item| item.internal_id.as_deref());
    item_ids
        .enumerate()
        .map(|(n, item)| {
            let product = json!({
                "Name": format!("Large item {}", n + 1),
                "ProductCode": format!("ITEM-{:06}", n + 1),
                "IsActive": true,
                "NetSuite_Internal_ID__c": item,
            });
            let product = world.insert_salesforce("Product2", product);
            let entry = json!({
                "Pricebook2Id": standard,
                "Product2Id": product,
                "UnitPrice": 10 + n,
                "IsActive": true,
            });
            world.insert_salesforce("PricebookEntry", entry)
        })
        .collect()
}

/// Adds the Accounts and their won Opportunities and returns the Ids of both.
fn won_opportunities(world: &World, entries: &[String]) -> (BTreeSet<String>, BTreeSet<String>) {
    let sandbox = &world.sandbox;
    let standard = standard_pricebook(sandbox);
    let close = chrono::Utc::now().date_naive().to_string();
    let accounts: Vec<String> = (0..ACCOUNTS)
        .map(|n| {
            let account = json!({"Name": format!("Ordering Company {n:05}"), "Type": "Customer"});
            world.insert_salesforce("Account", account)
        })
        .collect();
    let mut opportunities = BTreeSet::new();
    for n in 0..OPPORTUNITIES {
        let opportunity = json!({
            "Name": format!("Order {n:05}"),
            "AccountId": accounts[n % ACCOUNTS],
            "StageName": "Closed Won",
            "CloseDate": close,
            "Pricebook2Id": standard,
        });
        let id = world.insert_salesforce("Opportunity", opportunity);
        for line in 0..1 + n % 2 {
            let entry = &entries[(n + line) % entries.len()];
            let fields = json!({
                "OpportunityId": id,
                "PricebookEntryId": entry,
                "Quantity": 1 + line,
                "UnitPrice": 25,
            });
            world.insert_salesforce("OpportunityLineItem", fields);
        }
        opportunities.insert(id);
    }
    (accounts.into_iter().collect(), opportunities)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_order_sync_writes_each_order_once() {
    let world = start_seeded(Seed::Large(ITEMS), &only(FLOW)).await;
    let entries = products(&world).await;
    let (accounts, opportunities) = won_opportunities(&world, &entries);
    let mut points = KillPoints::new();

    let arrived = |world: &World| world.sandbox.netsuite().record_count("salesOrder");
    kill_passes(&world, &mut points, Duration::from_secs(3), arrived).await;
    finish(&world).await;

    let orders = world.search_netsuite("salesOrder").await;
    let keys = orders.iter().map(|order| order.external_id.clone());
    assert_once("sales order per Opportunity", keys, &opportunities);
    let customers = world.sandbox.netsuite().customers();
    let created = customers.iter().filter_map(|c| c.external_id.clone());
    assert_once("customer per Account", created.map(Some), &accounts);
}
