//! `customer-onboarding`: every customer Account becomes one NetSuite customer.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::json;
use tandem_sandbox::Seed;

use crate::harness::{KillPoints, assert_once, finish, kill_passes};
use crate::support::{World, only, start_seeded};

/// Customer Accounts in the org before the first pass.
const ACCOUNTS: usize = 2000;

const FLOW: &str = "customer-onboarding";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_onboarding_creates_each_customer_once() {
    let world = start_seeded(Seed::Empty, &only(FLOW)).await;
    let accounts: BTreeSet<String> = (0..ACCOUNTS)
        .map(|n| {
            let fields = json!({
                "Name": format!("Onboarded Company {n:05}"),
                "Type": "Customer",
                "BillingCity": format!("Springfield {}", n % 50),
            });
            world.insert_salesforce("Account", fields)
        })
        .collect();
    let mut points = KillPoints::new();

    let arrived = |world: &World| world.sandbox.netsuite().customers().len();
    kill_passes(&world, &mut points, Duration::from_secs(3), arrived).await;
    finish(&world).await;

    let customers = world.sandbox.netsuite().customers();
    let external_ids = customers.iter().map(|c| c.external_id.clone());
    assert_once("customer per Account", external_ids, &accounts);
}
