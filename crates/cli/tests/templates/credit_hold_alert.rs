//! `credit-hold-alert`: credit fields on the Accounts of linked customers, and one Task for
//! the owner of each Account whose customer is in credit trouble.

use tandem_netsuite::records::typed::Customer;
use tandem_sandbox::seed::{CREDIT_HOLD_CUSTOMER_ID, NEAR_CREDIT_LIMIT_CUSTOMER_ID};

use crate::support::{Transport, World, number, same_amount, start, text};

const FIELDS: &str =
    "Id, OwnerId, Name, Credit_Limit__c, Balance__c, Overdue_Balance__c, Credit_Hold__c";

/// Checks the Account of customer `ns_id` against the customer's figures and returns its Id
/// and owner.
async fn assert_credit_fields(world: &World, ns_id: &str, on_hold: bool) -> (String, String) {
    let customer = world.get::<Customer>(ns_id).await;
    let soql = format!("SELECT {FIELDS} FROM Account WHERE NetSuite_Internal_ID__c = '{ns_id}'");
    let account = world.query_one(&soql).await;
    let figures = [
        ("Credit_Limit__c", customer.credit_limit),
        ("Balance__c", customer.balance),
        ("Overdue_Balance__c", customer.overdue_balance),
    ];
    for (field, expected) in figures {
        let expected = expected.unwrap_or_else(|| panic!("{ns_id} has no {field}"));
        let written = number(&account, field);
        assert!(
            written.is_some_and(|w| same_amount(w, expected)),
            "{ns_id} {field}: {written:?}"
        );
    }
    assert_eq!(account["Credit_Hold__c"], on_hold, "{ns_id}");
    let id = text(&account, "Id").expect("Id");
    (id, text(&account, "OwnerId").expect("OwnerId"))
}

async fn writes_fields_and_one_task(transport: Transport) {
    let world = start(transport, "[flows.credit-hold-alert]\n").await;

    world.pass().await;

    let credit_hold = assert_credit_fields(&world, CREDIT_HOLD_CUSTOMER_ID, true).await;
    let near = assert_credit_fields(&world, NEAR_CREDIT_LIMIT_CUSTOMER_ID, false).await;
    let tasks = world
        .query("SELECT Id, WhatId, OwnerId, Priority, Subject FROM Task")
        .await;
    assert_eq!(tasks.len(), 2, "{tasks:?}");
    for (account_id, owner_id) in [credit_hold, near] {
        let task = tasks
            .iter()
            .find(|task| text(task, "WhatId").as_deref() == Some(account_id.as_str()))
            .unwrap_or_else(|| panic!("no Task on {account_id}: {tasks:?}"));
        assert_eq!(text(task, "Priority").as_deref(), Some("High"));
        assert_eq!(text(task, "OwnerId").as_deref(), Some(owner_id.as_str()));
    }

    world.assert_second_pass_writes_nothing().await;
    let after = world.query("SELECT Id FROM Task").await;
    assert_eq!(after.len(), 2);
}

on_both_transports!(writes_fields_and_one_task);
