//! `credit-hold-alert`: every customer on credit hold gets one Task on its Account.

use std::collections::BTreeSet;
use std::time::Duration;

use tandem_sandbox::Seed;

use crate::harness::{KillPoints, assert_once, field_values, finish, kill_passes};
use crate::seeds::hold_every_second_customer;
use crate::support::{World, start_seeded};

/// Customers in the NetSuite account; every second one is on credit hold.
const CUSTOMERS: usize = 2000;

const FLOW: &str = "credit-hold-alert";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_alert_sync_writes_one_task_per_hold() {
    let world = start_seeded(Seed::Large(CUSTOMERS), "").await;
    let held = hold_every_second_customer(&world);
    world.link_companies_then_enable(FLOW).await;
    let mut points = KillPoints::new();

    let arrived = |world: &World| world.sandbox.salesforce().records("Task").len();
    kill_passes(&world, &mut points, Duration::from_secs(3), arrived).await;
    finish(&world).await;

    let salesforce = world.sandbox.salesforce();
    let accounts = salesforce.records("Account");
    let held_accounts: BTreeSet<String> = accounts
        .iter()
        .filter(|account| {
            let link = account["NetSuite_Internal_ID__c"]
                .as_str()
                .unwrap_or_default();
            held.iter().any(|id| id == link)
        })
        .filter_map(|account| account["Id"].as_str().map(String::from))
        .collect();
    assert_eq!(
        held_accounts.len(),
        held.len(),
        "an Account per held customer"
    );
    let tasks = salesforce.records("Task");
    assert_once(
        "Task per Account on credit hold",
        field_values(&tasks, "WhatId"),
        &held_accounts,
    );
}
