//! `contact-contact`: every NetSuite contact becomes one Salesforce Contact.

use std::collections::BTreeSet;
use std::time::Duration;

use tandem_sandbox::Seed;

use crate::harness::{KillPoints, assert_once, field_values, finish, kill_passes};
use crate::seeds::add_contacts;
use crate::support::{World, start_seeded};

/// Customers in the NetSuite account.
const CUSTOMERS: usize = 700;

/// Contacts of each customer, so the contacts number a few thousand.
const CONTACTS_PER_CUSTOMER: usize = 3;

const FLOW: &str = "contact-contact";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_contact_sync_writes_each_contact_once() {
    let world = start_seeded(Seed::Large(CUSTOMERS), "").await;
    let contacts: BTreeSet<String> = add_contacts(&world, CONTACTS_PER_CUSTOMER)
        .into_iter()
        .collect();
    world.link_companies_then_enable(FLOW).await;
    let mut points = KillPoints::new();

    let arrived = |world: &World| world.sandbox.salesforce().records("Contact").len();
    kill_passes(&world, &mut points, Duration::from_secs(3), arrived).await;
    finish(&world).await;

    let copies = world.sandbox.salesforce().records("Contact");
    assert_once(
        "Contact per NetSuite contact",
        field_values(&copies, "NetSuite_Internal_ID__c"),
        &contacts,
    );
}
