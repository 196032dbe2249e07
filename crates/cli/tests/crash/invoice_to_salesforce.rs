//! `invoice-to-salesforce`: every invoice becomes one `NetSuite_Invoice__c`.

use std::collections::BTreeSet;
use std::time::Duration;

use tandem_netsuite::{SearchPreferences, SearchRecord};
use tandem_sandbox::Seed;

use crate::harness::{KillPoints, assert_once, field_values, finish, kill_passes};
use crate::support::start_seeded;

/// Customers in the NetSuite account, with one invoice each.
const CUSTOMERS: usize = 2000;

const FLOWS: &str = "[flows.account-customer]\nenabled = false\n[flows.invoice-to-salesforce]\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_invoice_sync_writes_each_invoice_once() {
    let world = start_seeded(Seed::Large(CUSTOMERS), "").await;
    world.pass().await;
    world.configure(FLOWS);
    let mut points = KillPoints::new();

    kill_passes(&world, &mut points, Duration::from_secs(8)).await;
    finish(&world).await;

    let invoices = world
        .netsuite
        .search_all(&SearchRecord::new("invoice"), &SearchPreferences::default())
        .await
        .expect("invoice search");
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
