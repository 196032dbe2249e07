//! `invoice-to-salesforce`: every invoice becomes one `NetSuite_Invoice__c`.

use std::collections::BTreeSet;
use std::time::Duration;

use tandem_sandbox::Seed;

use crate::harness::{KillPoints, assert_once, field_values, finish, kill_passes};
use crate::support::{World, start_seeded};

/// Customers in the NetSuite account, with one invoice each.
const CUSTOMERS: usize = 2000;

const FLOW: &str = "invoice-to-salesforce";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_invoice_sync_writes_each_invoice_once() {
    let world = start_seeded(Seed::Large(CUSTOMERS), "").await;
    world.link_companies_then_enable(FLOW).await;
    let mut points = KillPoints::new();

    let arrived = |world: &World| {
        world
            .sandbox
            .salesforce()
            .records("NetSuite_Invoice__c")
            .len()
    };
    kill_passes(&world, &mut points, Duration::from_secs(3), arrived).await;
    finish(&world).await;

    let invoices = world.search_netsuite("invoice").await;
    let ids: BTreeSet<String> = invoices
        .iter()
        .filter_map(|i| i.internal_id.clone())
        .collect();
    assert_eq!(ids.len(), CUSTOMERS);
    let copies = world.sandbox.salesforce().records("NetSuite_Invoice__c");
    assert_once(
        "NetSuite_Invoice__c per invoice",
        field_values(&copies, "NetSuite_Internal_ID__c"),
        &ids,
    );
}
