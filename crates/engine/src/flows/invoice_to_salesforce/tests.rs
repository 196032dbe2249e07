//! Passes of `invoice-to-salesforce` between in-memory systems.

use std::sync::atomic::Ordering;

use super::*;
use crate::fake_port::TestWorld;
use crate::one_way::PARENT_NOT_LINKED;
use crate::record::Fields;
use crate::state::{DeadLetterStatus, DeadLetterStore};

fn text(value: &str) -> FieldValue {
    FieldValue::text(value)
}

fn settings(currency: CurrencyMode) -> Settings<Options> {
    Settings {
        mapping: default_mapping(),
        // No overlap, so that a record changed without a new modification time is not read
        // again by its own feed.
        overlap: chrono::TimeDelta::zero(),
        options: Options {
            currency,
            ..Options::default()
        },
    }
}

async fn pass(world: &TestWorld) -> PassReport {
    pass_with(world, CurrencyMode::Auto).await
}

async fn pass_with(world: &TestWorld, currency: CurrencyMode) -> PassReport {
    flow(settings(currency))
        .pass(&world.connections)
        .await
        .unwrap()
}

/// Adds open invoice `id` of customer 7 for 1,000 in currency 1.
fn put_invoice(world: &TestWorld, id: &str) {
    let name = format!("INV-{id}");
    world.netsuite.put(
        "invoice",
        Some(id),
        &[
            ("tranId", text(&name)),
            ("entity", text("7")),
            ("total", FieldValue::Number(1000.0)),
            ("amountRemaining", FieldValue::Number(1000.0)),
            ("status", text("Open")),
            ("dueDate", text("2026-12-31")),
            ("tranDate", text("2026-12-01")),
            ("currency", text("1")),
        ],
    );
}

/// Returns the Salesforce invoice record that stores NetSuite invoice `id`.
fn synced(world: &TestWorld, id: &str) -> Fields {
    let records = world.salesforce.all(TARGET_OBJECT);
    let found = records
        .into_iter()
        .find(|(_, fields)| fields.get(TARGET_LINK_FIELD) == Some(&text(id)));
    found.map(|(_, fields)| fields).unwrap_or_default()
}

#[tokio::test]
async fn existing_records_are_found_once_per_page() {
    let world = TestWorld::new();
    world.link(account_customer::FLOW, "7", "001A").await;
    for id in 1..=450 {
        put_invoice(&world, &id.to_string());
    }

    let report = pass(&world).await;

    assert_eq!(report.created, 450);
    assert_eq!(world.salesforce.finds.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn first_pass_creates_and_second_writes_nothing() {
    let world = TestWorld::new();
    world.link(account_customer::FLOW, "7", "001A").await;
    put_invoice(&world, "1");

    let first = pass(&world).await;
    assert_eq!(first.created, 1);
    let record = synced(&world, "1");
    assert_eq!(record.get("Name"), Some(&text("INV-1")));
    assert_eq!(record.get("Account__c"), Some(&text("001A")));
    assert_eq!(record.get("Amount__c"), Some(&FieldValue::Number(1000.0)));
    assert_eq!(record.get("Status__c"), Some(&text("Open")));
    assert_eq!(record.get("Due_Date__c"), Some(&text("2026-12-31")));
    assert_eq!(record.get("Transaction_Date__c"), Some(&text("2026-12-01")));

    let writes = world.salesforce.writes.load(Ordering::SeqCst);
    let second = pass(&world).await;
    assert_eq!(second.written, 0);
    assert_eq!(world.salesforce.writes.load(Ordering::SeqCst), writes);
}

#[tokio::test]
async fn unlinked_customer_waits_until_linked() {
    let world = TestWorld::new();
    put_invoice(&world, "1");

    let report = pass(&world).await;
    assert_eq!(report.dead_letters, 1);
    assert!(world.salesforce.all(TARGET_OBJECT).is_empty());
    let letters = world.store.dead_letters(Some(FLOW), None).await.unwrap();
    assert_eq!(letters[0].letter.error.code, PARENT_NOT_LINKED);

    world.link(account_customer::FLOW, "7", "001A").await;
    let report = pass(&world).await;
    assert_eq!(report.created, 1);
    assert_eq!(synced(&world, "1").get("Account__c"), Some(&text("001A")));
    let letters = world.store.dead_letters(Some(FLOW), None).await.unwrap();
    assert_eq!(letters[0].status, DeadLetterStatus::Resolved);
}

#[tokio::test]
async fn payment_syncs_applied_invoice_in_same_pass() {
    let world = TestWorld::new();
    world.link(account_customer::FLOW, "7", "001A").await;
    put_invoice(&world, "1");
    put_invoice(&world, "2");
    pass(&world).await;

    // The payment changes the invoice without moving its modification time.
    let paid = [
        ("amountRemaining", FieldValue::Number(0.0)),
        ("status", text("Paid In Full")),
    ];
    world.netsuite.set_quietly("invoice", "1", &paid);
    let line = Fields::from([
        ("doc".to_string(), FieldValue::Number(1.0)),
        ("apply".to_string(), FieldValue::Bool(true)),
    ]);
    let unapplied = Fields::from([
        ("doc".to_string(), FieldValue::Number(2.0)),
        ("apply".to_string(), FieldValue::Bool(false)),
    ]);
    let lines = FieldValue::List(vec![line, unapplied]);
    world
        .netsuite
        .put("customerPayment", Some("50"), &[("applyList", lines)]);

    let report = pass(&world).await;
    assert_eq!(report.updated, 1);
    assert_eq!(report.skipped, 1);
    let record = synced(&world, "1");
    assert_eq!(
        record.get("Amount_Remaining__c"),
        Some(&FieldValue::Number(0.0))
    );
    assert_eq!(record.get("Status__c"), Some(&text("Paid In Full")));
}

#[tokio::test]
async fn update_sends_only_changed_fields() {
    let world = TestWorld::new();
    world.link(account_customer::FLOW, "7", "001A").await;
    put_invoice(&world, "1");
    pass(&world).await;
    // A write that sends the unchanged name again fails.
    world
        .salesforce
        .refuse("Name", text("INV-1"), "FIELD_INTEGRITY_EXCEPTION");

    let remaining = FieldValue::Number(400.0);
    world.netsuite.put(
        "invoice",
        Some("1"),
        &[("amountRemaining", remaining.clone())],
    );
    let report = pass(&world).await;
    assert_eq!(report.updated, 1);
    assert_eq!(report.dead_letters, 0);
    assert_eq!(
        synced(&world, "1").get("Amount_Remaining__c"),
        Some(&remaining)
    );
}

#[tokio::test]
async fn record_already_holding_values_is_unchanged() {
    let world = TestWorld::new();
    world.link(account_customer::FLOW, "7", "001A").await;
    put_invoice(&world, "1");
    pass(&world).await;
    // The store forgets what it processed; the Salesforce record still contains the values.
    let fresh = TestWorld::new();
    fresh.link(account_customer::FLOW, "7", "001A").await;
    put_invoice(&fresh, "1");
    let record = synced(&world, "1");
    let fields: Vec<(&str, FieldValue)> = record
        .iter()
        .map(|(name, value)| (name.as_str(), value.clone()))
        .collect();
    fresh.salesforce.put(TARGET_OBJECT, Some("a0X"), &fields);

    let report = pass(&fresh).await;
    assert_eq!(report.unchanged, 1);
    assert_eq!(report.written, 0);
    assert_eq!(fresh.salesforce.writes.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn multi_currency_org_gets_iso_code() {
    let world = TestWorld::new();
    world.link(account_customer::FLOW, "7", "001A").await;
    world
        .salesforce
        .set_described(TARGET_OBJECT, &["Name", CURRENCY_FIELD]);
    world
        .netsuite
        .put("currency", Some("1"), &[("symbol", text("EUR"))]);
    put_invoice(&world, "1");

    pass(&world).await;
    assert_eq!(synced(&world, "1").get(CURRENCY_FIELD), Some(&text("EUR")));
}

#[tokio::test]
async fn single_currency_org_gets_no_currency() {
    let world = TestWorld::new();
    world.link(account_customer::FLOW, "7", "001A").await;
    world.salesforce.set_described(TARGET_OBJECT, &["Name"]);
    world
        .netsuite
        .put("currency", Some("1"), &[("symbol", text("EUR"))]);
    put_invoice(&world, "1");

    let report = pass(&world).await;
    assert_eq!(report.created, 1);
    assert_eq!(synced(&world, "1").get(CURRENCY_FIELD), None);
}

#[tokio::test]
async fn currency_without_code_is_dead_letter() {
    let world = TestWorld::new();
    world.link(account_customer::FLOW, "7", "001A").await;
    put_invoice(&world, "1");

    let report = pass_with(&world, CurrencyMode::On).await;
    assert_eq!(report.dead_letters, 1);
    let letters = world.store.dead_letters(Some(FLOW), None).await.unwrap();
    assert_eq!(letters[0].letter.error.code, "CURRENCY_NOT_FOUND");
}

#[test]
fn options_read_currency_and_reject_unknown_keys() {
    let options: Options = serde_json::from_str(r#"{"currency": "off"}"#).unwrap();
    assert_eq!(options.currency, CurrencyMode::Off);
    let default: Options = serde_json::from_str("{}").unwrap();
    assert_eq!(default.currency, CurrencyMode::Auto);
    assert!(serde_json::from_str::<Options>(r#"{"currencies": "on"}"#).is_err());
}

#[test]
fn field_uses_list_link_field_and_status_values() {
    let template = Template::new(settings(CurrencyMode::On));
    let uses = template.field_uses();
    let find = |field: &str| uses.iter().find(|used| used.field == field);
    let link = find(TARGET_LINK_FIELD).unwrap();
    assert!(link.access.writes());
    let status = find("Status__c").unwrap();
    assert_eq!(status.values.len(), STATUS_VALUES.len());
    assert!(find(CURRENCY_FIELD).is_some());
    assert!(find(APPLIED_DOC).is_some());
}

#[test]
fn applied_invoices_read_numbers_and_skip_unapplied_lines() {
    let lines = vec![
        Fields::from([("doc".to_string(), FieldValue::Number(12.0))]),
        Fields::from([
            ("doc".to_string(), text("13")),
            ("apply".to_string(), FieldValue::Bool(false)),
        ]),
    ];
    let fields = Fields::from([("applyList".to_string(), FieldValue::List(lines))]);
    assert_eq!(applied_invoices(&fields), vec!["12".to_string()]);
}
