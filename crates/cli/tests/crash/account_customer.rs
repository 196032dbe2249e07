//! `account-customer`: Accounts and customers created on both sides before the first sync are
//! each copied once, and every pair is linked both ways.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde_json::{Map, Value};
use tandem_sandbox::Seed;
use tandem_sandbox::netsuite::Customer;

use crate::harness::{KillPoints, assert_once, finish, kill_passes};
use crate::support::{World, start_seeded};

/// Records created on each side before the sync.
const RECORDS_PER_SIDE: usize = 1000;

fn seed(world: &World) {
    let now = chrono::Utc::now() - chrono::TimeDelta::hours(1);
    for n in 0..RECORDS_PER_SIDE {
        let mut fields = Map::new();
        fields.insert(
            "Name".to_string(),
            Value::from(format!("Harbor Account {n:04}")),
        );
        fields.insert(
            "Phone".to_string(),
            Value::from(format!("(206) 555-{n:04}")),
        );
        world
            .sandbox
            .salesforce()
            .insert_record("Account", fields, now)
            .expect("Account inserted");
        world.sandbox.netsuite().insert_customer(Customer {
            internal_id: String::new(),
            external_id: None,
            entity_id: None,
            company_name: Some(format!("Summit Customer {n:04}")),
            email: None,
            phone: Some(format!("(503) 555-{n:04}")),
            url: None,
            is_inactive: false,
            date_created: now,
            last_modified: now,
            custom_fields: Vec::new(),
        });
    }
}

/// Returns how many NetSuite customers carry the Id of their Account.
fn linked_customers(world: &World) -> usize {
    let customers = world.sandbox.netsuite().customers();
    customers.iter().filter(|c| c.external_id.is_some()).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_runs_deliver_every_record_once() {
    let world = start_seeded(Seed::Empty, "").await;
    seed(&world);
    let mut points = KillPoints::new();

    let arrived = |world: &World| linked_customers(world);
    kill_passes(&world, &mut points, Duration::from_secs(3), arrived).await;
    finish(&world).await;

    let accounts = world.sandbox.salesforce().records("Account");
    let customers = world.sandbox.netsuite().customers();
    let names: BTreeSet<String> = (0..RECORDS_PER_SIDE)
        .flat_map(|n| {
            [
                format!("Harbor Account {n:04}"),
                format!("Summit Customer {n:04}"),
            ]
        })
        .collect();
    let account_names = accounts
        .iter()
        .map(|a| a["Name"].as_str().map(String::from));
    assert_once("Account per company", account_names, &names);
    let customer_names = customers.iter().map(|c| c.company_name.clone());
    assert_once("customer per company", customer_names, &names);

    let customers_by_id: BTreeMap<&str, &Customer> = customers
        .iter()
        .map(|c| (c.internal_id.as_str(), c))
        .collect();
    for account in &accounts {
        let id = account["Id"].as_str().expect("Id");
        let link = account["NetSuite_Internal_ID__c"]
            .as_str()
            .unwrap_or_else(|| panic!("Account {id} is not linked"));
        let customer = customers_by_id
            .get(link)
            .unwrap_or_else(|| panic!("Account {id} links to missing customer {link}"));
        assert_eq!(customer.external_id.as_deref(), Some(id));
        assert_eq!(customer.company_name.as_deref(), account["Name"].as_str());
    }
}
