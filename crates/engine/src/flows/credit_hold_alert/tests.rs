//! Passes of `credit-hold-alert` between in-memory systems.

use std::sync::atomic::Ordering;

use super::*;
use crate::fake_port::TestWorld;
use crate::flows::account_customer;
use crate::record::Fields;
use crate::state::{DeadLetterStore, StateStore};

const CUSTOMER_ID: &str = "42";
const ACCOUNT_ID: &str = "001A";

fn number(value: f64) -> FieldValue {
    FieldValue::Number(value)
}

fn text(value: &str) -> FieldValue {
    FieldValue::text(value)
}

async fn pass_with(world: &TestWorld, options: Options) -> PassReport {
    let settings = Settings {
        mapping: default_mapping(),
        // No overlap, so that a customer changed without a new modification time is not read
        // again by its own feed.
        overlap: chrono::TimeDelta::zero(),
        options,
    };
    flow(settings).pass(&world.connections).await.unwrap()
}

async fn pass(world: &TestWorld) -> PassReport {
    pass_with(world, Options::default()).await
}

/// Builds a world with Acme Corp linked to its Account, with a 10,000 limit and this balance
/// and hold setting.
async fn acme(balance: f64, hold: &str) -> TestWorld {
    let world = TestWorld::new();
    world
        .link(account_customer::FLOW, CUSTOMER_ID, ACCOUNT_ID)
        .await;
    world.salesforce.put(
        ACCOUNT_OBJECT,
        Some(ACCOUNT_ID),
        &[("Name", text("Acme Corp")), (OWNER_FIELD, text("005U"))],
    );
    set_customer(&world, balance, hold);
    world
}

/// Changes Acme Corp's balance and hold setting, moving its modification time.
fn set_customer(world: &TestWorld, balance: f64, hold: &str) {
    world.netsuite.put(
        "customer",
        Some(CUSTOMER_ID),
        &[
            ("companyName", text("Acme Corp")),
            ("creditLimit", number(10000.0)),
            ("balance", number(balance)),
            ("overdueBalance", number(1200.0)),
            ("creditHoldOverride", text(hold)),
        ],
    );
}

/// Adds an unlinked customer changed after Acme Corp, so that Acme Corp is not the newest
/// record of the feed (which every pass reads again at its watermark).
fn put_bystander(world: &TestWorld) {
    world
        .netsuite
        .put("customer", Some("43"), &[("balance", number(1.0))]);
}

fn tasks(world: &TestWorld) -> Vec<Fields> {
    let tasks = world.salesforce.all(TASK_OBJECT);
    tasks.into_iter().map(|(_, fields)| fields).collect()
}

fn account(world: &TestWorld) -> Fields {
    world.salesforce.get(ACCOUNT_OBJECT, ACCOUNT_ID).unwrap()
}

#[tokio::test]
async fn on_hold_customer_gets_one_task() {
    let world = acme(5000.0, "_on").await;

    let first = pass(&world).await;
    assert_eq!(first.created, 1);
    let tasks = tasks(&world);
    assert_eq!(tasks.len(), 1);
    let task = &tasks[0];
    assert_eq!(task["Subject"], text("Credit hold: Acme Corp"));
    assert_eq!(task["Priority"], text("High"));
    assert_eq!(task["Status"], text("Not Started"));
    assert_eq!(task["WhatId"], text(ACCOUNT_ID));
    assert_eq!(task["OwnerId"], text("005U"));
    let today = chrono::Utc::now().date_naive().to_string();
    assert_eq!(task["ActivityDate"], text(&today));
    assert!(
        task["Description"]
            .as_text()
            .unwrap()
            .contains("Balance: 5000.00")
    );
    assert_eq!(account(&world)[HOLD_FIELD], FieldValue::Bool(true));

    let writes = world.salesforce.writes.load(Ordering::SeqCst);
    let second = pass(&world).await;
    assert_eq!(second.written, 0);
    assert_eq!(world.salesforce.writes.load(Ordering::SeqCst), writes);
}

#[tokio::test]
async fn ongoing_alert_gets_no_second_task() {
    let world = acme(5000.0, "_on").await;
    pass(&world).await;

    set_customer(&world, 6000.0, "_on");
    let report = pass(&world).await;
    assert_eq!(report.updated, 1);
    assert_eq!(tasks(&world).len(), 1);
}

#[tokio::test]
async fn alert_that_clears_and_returns_gets_second_task() {
    let world = acme(5000.0, "_on").await;
    pass(&world).await;

    set_customer(&world, 5000.0, "_off");
    pass(&world).await;
    assert_eq!(tasks(&world).len(), 1);
    assert_eq!(account(&world)[HOLD_FIELD], FieldValue::Bool(false));

    set_customer(&world, 5000.0, "_on");
    let report = pass(&world).await;
    assert_eq!(report.created, 1);
    assert_eq!(tasks(&world).len(), 2);
}

#[tokio::test]
async fn under_threshold_gets_no_task() {
    let world = acme(8000.0, "_auto").await;

    let report = pass(&world).await;
    assert_eq!(report.updated, 1);
    assert!(tasks(&world).is_empty());
    assert_eq!(account(&world)["Balance__c"], number(8000.0));
    assert_eq!(account(&world)[HOLD_FIELD], FieldValue::Bool(false));
}

#[tokio::test]
async fn share_over_threshold_gets_task_with_share() {
    let world = acme(9300.0, "_auto").await;

    pass(&world).await;
    let tasks = tasks(&world);
    assert_eq!(
        tasks[0]["Subject"],
        text("Credit limit 93% used: Acme Corp")
    );
}

#[tokio::test]
async fn alert_off_writes_fields_without_task() {
    let world = acme(5000.0, "_on").await;
    let options = Options {
        alert: false,
        ..Options::default()
    };

    pass_with(&world, options).await;
    assert!(tasks(&world).is_empty());
    assert_eq!(account(&world)[HOLD_FIELD], FieldValue::Bool(true));
}

#[tokio::test]
async fn fields_written_only_when_changed() {
    let world = acme(1000.0, "_auto").await;
    pass(&world).await;
    assert_eq!(account(&world)["Credit_Limit__c"], number(10000.0));
    assert_eq!(account(&world)["Overdue_Balance__c"], number(1200.0));
    // A write that sends the unchanged limit again fails.
    let code = "FIELD_INTEGRITY_EXCEPTION";
    world
        .salesforce
        .refuse("Credit_Limit__c", number(10000.0), code);

    set_customer(&world, 2500.0, "_auto");
    let report = pass(&world).await;
    assert_eq!(report.updated, 1);
    assert_eq!(report.dead_letters, 0);
    assert_eq!(account(&world)["Balance__c"], number(2500.0));
}

#[tokio::test]
async fn unlinked_customer_is_skipped() {
    let world = acme(5000.0, "_on").await;
    put_bystander(&world);

    let report = pass(&world).await;
    assert_eq!(report.skipped, 1);
    assert_eq!(report.dead_letters, 0);
    let letters = world.store.dead_letters(Some(FLOW), None).await.unwrap();
    assert!(letters.is_empty());
}

#[tokio::test]
async fn changed_invoice_refreshes_its_customer() {
    let world = acme(1000.0, "_auto").await;
    put_bystander(&world);
    pass(&world).await;
    pass(&world).await;

    // The invoice raises the balance without moving the customer's modification time.
    world
        .netsuite
        .set_quietly("customer", CUSTOMER_ID, &[("balance", number(3000.0))]);
    world
        .netsuite
        .put("invoice", Some("900"), &[("entity", text(CUSTOMER_ID))]);
    let report = pass(&world).await;
    assert_eq!(report.updated, 1);
    assert_eq!(account(&world)["Balance__c"], number(3000.0));
}

#[tokio::test]
async fn full_refresh_reads_every_customer_when_due() {
    let world = acme(1000.0, "_auto").await;
    put_bystander(&world);
    pass(&world).await;
    let quiet = [("balance", number(3000.0))];
    world.netsuite.set_quietly("customer", CUSTOMER_ID, &quiet);

    pass(&world).await;
    assert_eq!(account(&world)["Balance__c"], number(1000.0));

    let long_ago = Some("2000-01-01T00:00:00Z");
    let store = &world.store;
    store
        .set_flow_value(FLOW, "full-refresh-at", long_ago)
        .await
        .unwrap();
    let report = pass(&world).await;
    assert_eq!(report.updated, 1);
    assert_eq!(account(&world)["Balance__c"], number(3000.0));
}

#[tokio::test]
async fn task_inserted_before_crash_is_not_inserted_again() {
    let world = acme(5000.0, "_on").await;
    pass(&world).await;
    // As if the pass had stopped after the insert, before the episode was stored as open.
    let stored = world
        .store
        .flow_value(FLOW, "episode:42")
        .await
        .unwrap()
        .unwrap();
    let mut episode: serde_json::Value = serde_json::from_str(&stored).unwrap();
    episode.as_object_mut().unwrap().remove("task");
    let pending = episode.to_string();
    world
        .store
        .set_flow_value(FLOW, "episode:42", Some(&pending))
        .await
        .unwrap();

    set_customer(&world, 5500.0, "_on");
    pass(&world).await;
    assert_eq!(tasks(&world).len(), 1);
    let stored = world
        .store
        .flow_value(FLOW, "episode:42")
        .await
        .unwrap()
        .unwrap();
    assert!(stored.contains("\"task\""));
}

#[test]
fn options_default_and_reject_unknown_keys() {
    let options: Options = serde_json::from_str(r#"{"threshold": 0.8}"#).unwrap();
    assert_eq!(options.threshold, 0.8);
    assert_eq!(options.task_priority, "High");
    assert_eq!(options.full_refresh_hours, 24);
    assert!(options.alert);
    assert!(serde_json::from_str::<Options>(r#"{"treshold": 0.8}"#).is_err());
}

#[test]
fn options_reject_threshold_not_above_zero() {
    let error = serde_json::from_str::<Options>(r#"{"threshold": 0}"#).unwrap_err();
    assert!(error.to_string().contains("invalid threshold 0"), "{error}");
    assert!(serde_json::from_str::<Options>(r#"{"threshold": -0.5}"#).is_err());
}

#[tokio::test]
async fn transaction_watermarks_stored_after_pass() {
    let world = acme(1000.0, "_auto").await;
    pass(&world).await;
    let first = world.store.flow_value(FLOW, "since:invoice").await.unwrap();
    assert_eq!(first, None);

    pass(&world).await;
    let second = world.store.flow_value(FLOW, "since:invoice").await.unwrap();
    assert!(second.is_some());
    let refreshed = world
        .store
        .flow_value(FLOW, "full-refresh-at")
        .await
        .unwrap();
    assert!(refreshed.is_some());
}

#[test]
fn field_uses_list_task_fields_only_with_alerts() {
    let template = |alert| {
        let options = Options {
            alert,
            ..Options::default()
        };
        let settings = Settings {
            mapping: default_mapping(),
            overlap: chrono::TimeDelta::zero(),
            options,
        };
        Template::new(settings).field_uses()
    };
    let has_task = |uses: &[FieldUse]| uses.iter().any(|used| used.object == TASK_OBJECT);
    assert!(has_task(&template(true)));
    assert!(!has_task(&template(false)));
    let uses = template(true);
    let priority = uses.iter().find(|used| used.field == "Priority").unwrap();
    assert_eq!(priority.values, vec![text("High")]);
    assert!(uses.iter().any(|used| used.field == HOLD_FIELD));
}
