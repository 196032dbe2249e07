//! Passes of `customer-onboarding` between in-memory systems.

use std::sync::atomic::Ordering;

use chrono::TimeDelta;

use super::*;
use crate::fake_port::TestWorld as World;
use crate::flows::account_customer;
use crate::record::{FieldValue, Fields};
use crate::state::{DeadLetterStore, StateStore};

const ACCOUNT_ID: &str = "001A00000000001AAA";

fn world() -> World {
    World::new()
}

fn text(value: &str) -> FieldValue {
    FieldValue::text(value)
}

fn settings(options: Options) -> Settings<Options> {
    Settings {
        mapping: default_mapping(),
        overlap: TimeDelta::zero(),
        options,
    }
}

fn add_account(world: &World, id: &str, name: &str, account_type: &str) {
    world.salesforce.put(
        "Account",
        Some(id),
        &[
            ("Name", text(name)),
            ("Type", text(account_type)),
            ("Phone", text("+1 415 555 0100")),
            ("Website", text("acme.example")),
            ("BillingStreet", text("1 Market St")),
            ("BillingCity", text("San Francisco")),
            ("BillingState", text("CA")),
            ("BillingPostalCode", text("94105")),
            ("BillingCountry", text("US")),
        ],
    );
}

async fn pass(world: &World, options: Options) -> PassReport {
    flow(settings(options))
        .pass(&world.connections)
        .await
        .unwrap()
}

fn account(world: &World) -> Fields {
    world.salesforce.get("Account", ACCOUNT_ID).unwrap()
}

#[tokio::test]
async fn customer_account_becomes_customer() {
    let world = world();
    add_account(&world, ACCOUNT_ID, "Acme", "Customer");

    let report = pass(&world, Options::default()).await;
    assert_eq!(report.created, 1);

    let customers = world.netsuite.all("customer");
    assert_eq!(customers.len(), 1);
    let (customer_id, customer) = &customers[0];
    assert_eq!(customer["externalId"], text(ACCOUNT_ID));
    assert_eq!(customer["companyName"], text("Acme"));
    assert_eq!(customer["phone"], text("+1 415 555 0100"));
    assert_eq!(customer["url"], text("acme.example"));
    assert_eq!(customer["billingAddress.addr1"], text("1 Market St"));
    assert_eq!(customer["billingAddress.zip"], text("94105"));
    assert_eq!(customer["billingAddress.country"], text("US"));
    assert_eq!(customer["subsidiary"], text("1"));
    assert!(!customer.contains_key("terms"));

    let account = account(&world);
    assert_eq!(account["NetSuite_Internal_ID__c"], text(customer_id));
    assert_eq!(account["NetSuite_Sync_Status__c"], text("Synced"));
    let xref = world
        .store
        .xref(account_customer::FLOW, System::Salesforce, ACCOUNT_ID)
        .await
        .unwrap();
    assert_eq!(xref.map(|xref| xref.ns_id), Some(customer_id.clone()));
}

#[tokio::test]
async fn second_pass_writes_nothing() {
    let world = world();
    add_account(&world, ACCOUNT_ID, "Acme", "Customer");
    pass(&world, Options::default()).await;
    let netsuite_writes = world.netsuite.writes.load(Ordering::SeqCst);
    let salesforce_writes = world.salesforce.writes.load(Ordering::SeqCst);

    let report = pass(&world, Options::default()).await;
    assert_eq!(report.written, 0);
    assert_eq!(
        world.netsuite.writes.load(Ordering::SeqCst),
        netsuite_writes
    );
    assert_eq!(
        world.salesforce.writes.load(Ordering::SeqCst),
        salesforce_writes
    );
}

#[tokio::test]
async fn account_of_other_type_is_skipped() {
    let world = world();
    add_account(&world, ACCOUNT_ID, "Acme", "Prospect");

    let report = pass(&world, Options::default()).await;
    assert_eq!(report.skipped, 1);
    assert!(world.netsuite.all("customer").is_empty());
}

#[tokio::test]
async fn empty_type_list_takes_every_account() {
    let world = world();
    add_account(&world, ACCOUNT_ID, "Acme", "Prospect");
    let options = Options {
        account_types: Vec::new(),
        ..Options::default()
    };

    let report = pass(&world, options).await;
    assert_eq!(report.created, 1);
}

#[tokio::test]
async fn account_with_internal_id_is_left_to_account_customer() {
    let world = world();
    add_account(&world, ACCOUNT_ID, "Acme", "Customer");
    world.salesforce.put(
        "Account",
        Some(ACCOUNT_ID),
        &[("NetSuite_Internal_ID__c", text("77"))],
    );

    let report = pass(&world, Options::default()).await;
    assert_eq!(report.skipped, 1);
    assert!(world.netsuite.all("customer").is_empty());
}

#[tokio::test]
async fn link_lost_after_account_write_is_restored() {
    let world = world();
    let created = [
        ("companyName", text("Acme")),
        ("externalId", text(ACCOUNT_ID)),
    ];
    world.netsuite.put("customer", Some("55"), &created);
    add_account(&world, ACCOUNT_ID, "Acme", "Customer");
    let carried = [("NetSuite_Internal_ID__c", text("55"))];
    world.salesforce.put("Account", Some(ACCOUNT_ID), &carried);

    let report = pass(&world, Options::default()).await;

    assert_eq!(report.created, 0);
    assert_eq!(world.netsuite.all("customer").len(), 1);
    let xref = world
        .store
        .xref(account_customer::FLOW, System::Salesforce, ACCOUNT_ID)
        .await
        .unwrap();
    assert_eq!(xref.map(|xref| xref.ns_id), Some("55".to_string()));
}

#[tokio::test]
async fn customer_with_same_name_prevents_a_duplicate() {
    let world = world();
    world
        .netsuite
        .put("customer", Some("55"), &[("companyName", text("Acme"))]);
    add_account(&world, ACCOUNT_ID, "Acme", "Customer");

    let report = pass(&world, Options::default()).await;
    assert_eq!(report.skipped, 1);
    assert_eq!(world.netsuite.all("customer").len(), 1);
}

#[tokio::test]
async fn seen_customer_with_same_name_key_prevents_a_duplicate() {
    let world = world();
    world.netsuite.put(
        "customer",
        Some("55"),
        &[("companyName", text("ACME Corp."))],
    );
    let seen = crate::state::SeenRecord {
        system: System::NetSuite,
        object: "customer".to_string(),
        id: "55".to_string(),
        link: None,
        name_key: crate::matching::name_key("ACME Corp."),
        email_key: None,
        values: Fields::new(),
    };
    world.store.remember(&[seen]).await.unwrap();
    add_account(&world, ACCOUNT_ID, "Acme Corporation", "Customer");

    let report = pass(&world, Options::default()).await;
    assert_eq!(report.skipped, 1);
    assert_eq!(world.netsuite.all("customer").len(), 1);
}

#[tokio::test]
async fn customer_linked_to_another_account_is_no_duplicate() {
    let world = world();
    world
        .netsuite
        .put("customer", Some("55"), &[("companyName", text("Acme"))]);
    let xref = crate::state::Xref {
        flow: account_customer::FLOW.to_string(),
        ns_id: "55".to_string(),
        sf_id: "001A00000000009AAA".to_string(),
        ns_values: Fields::new(),
        sf_values: Fields::new(),
        ns_written: None,
        sf_written: None,
    };
    world.store.save_xref(&xref).await.unwrap();
    add_account(&world, ACCOUNT_ID, "Acme", "Customer");

    let report = pass(&world, Options::default()).await;
    assert_eq!(report.created, 1);
}

#[tokio::test]
async fn refused_customer_is_dead_letter_and_error_status() {
    let world = world();
    let long_name = "A".repeat(90);
    world
        .netsuite
        .refuse("companyName", text(&long_name), "USER_ERROR");
    add_account(&world, ACCOUNT_ID, &long_name, "Customer");

    let report = pass(&world, Options::default()).await;
    assert_eq!(report.dead_letters, 1);
    let letters = world.store.dead_letters(Some(FLOW), None).await.unwrap();
    assert_eq!(letters[0].letter.error.code, "USER_ERROR");
    let account = account(&world);
    assert_eq!(account["NetSuite_Sync_Status__c"], text("Error"));
    assert!(
        account["NetSuite_Sync_Error__c"]
            .as_text()
            .is_some_and(|message| message.contains("companyName"))
    );

    let report = pass(&world, Options::default()).await;
    assert_eq!(report.dead_letters, 0);
}

#[tokio::test]
async fn status_fields_turned_off_are_not_written() {
    let world = world();
    add_account(&world, ACCOUNT_ID, "Acme", "Customer");
    let options = Options {
        status_field: String::new(),
        error_field: String::new(),
        ..Options::default()
    };

    pass(&world, options).await;
    let account = account(&world);
    assert!(!account.contains_key("NetSuite_Sync_Status__c"));
    assert!(account.contains_key("NetSuite_Internal_ID__c"));
}

fn won_only() -> Options {
    Options {
        require_won_opportunity: true,
        ..Options::default()
    }
}

#[tokio::test]
async fn won_opportunity_onboards_an_unchanged_account() {
    let world = world();
    add_account(&world, ACCOUNT_ID, "Acme", "Customer");
    let opportunity = [
        ("AccountId", text(ACCOUNT_ID)),
        ("IsWon", FieldValue::Bool(false)),
    ];
    world
        .salesforce
        .put("Opportunity", Some("006A1"), &opportunity);

    let report = pass(&world, won_only()).await;
    assert_eq!(report.skipped, 2);
    assert!(world.netsuite.all("customer").is_empty());

    let won = [("IsWon", FieldValue::Bool(true))];
    world.salesforce.put("Opportunity", Some("006A1"), &won);
    let report = pass(&world, won_only()).await;
    assert_eq!(report.created, 1);
    assert_eq!(world.netsuite.all("customer").len(), 1);
}

#[tokio::test]
async fn account_with_won_opportunity_is_onboarded() {
    let world = world();
    let opportunity = [
        ("AccountId", text(ACCOUNT_ID)),
        ("IsWon", FieldValue::Bool(true)),
    ];
    world
        .salesforce
        .put("Opportunity", Some("006A1"), &opportunity);
    add_account(&world, ACCOUNT_ID, "Acme", "Customer");

    let report = pass(&world, won_only()).await;
    assert_eq!(report.created, 1);
    assert_eq!(report.skipped, 1);
}

async fn account_customer_pass(world: &World) -> PassReport {
    let spec = account_customer::spec(&Default::default());
    crate::two_way::run_pass(&spec, &world.connections)
        .await
        .unwrap()
}

#[tokio::test]
async fn account_customer_reads_new_pair_as_in_sync() {
    let world = world();
    add_account(&world, ACCOUNT_ID, "Acme", "Customer");
    pass(&world, Options::default()).await;
    let netsuite_writes = world.netsuite.writes.load(Ordering::SeqCst);
    let salesforce_writes = world.salesforce.writes.load(Ordering::SeqCst);

    let report = account_customer_pass(&world).await;
    assert_eq!(report.written, 0);
    assert_eq!(report.created + report.updated + report.linked, 0);
    assert_eq!(
        world.netsuite.writes.load(Ordering::SeqCst),
        netsuite_writes
    );
    assert_eq!(
        world.salesforce.writes.load(Ordering::SeqCst),
        salesforce_writes
    );
}

#[tokio::test]
async fn account_customer_carries_later_edits_of_onboarded_pair() {
    let world = world();
    add_account(&world, ACCOUNT_ID, "Acme", "Customer");
    pass(&world, Options::default()).await;
    account_customer_pass(&world).await;

    world.salesforce.put(
        "Account",
        Some(ACCOUNT_ID),
        &[("Phone", text("+1 415 555 0199"))],
    );
    let report = account_customer_pass(&world).await;
    assert_eq!(report.updated, 1);
    let customer = &world.netsuite.all("customer")[0].1;
    assert_eq!(customer["phone"], text("+1 415 555 0199"));

    let report = pass(&world, Options::default()).await;
    assert_eq!(report.created, 0);
}

#[tokio::test]
async fn account_edit_after_onboarding_is_not_a_conflict() {
    let world = world();
    add_account(&world, ACCOUNT_ID, "Acme", "Customer");
    pass(&world, Options::default()).await;
    world.salesforce.put(
        "Account",
        Some(ACCOUNT_ID),
        &[("Phone", text("+1 415 555 0199"))],
    );

    let settings = account_customer::AccountCustomerSettings {
        conflicts: crate::two_way::ConflictSettings {
            default: crate::two_way::ConflictPolicy::NetSuite,
            fields: Default::default(),
        },
        ..Default::default()
    };
    let spec = account_customer::spec(&settings);
    crate::two_way::run_pass(&spec, &world.connections)
        .await
        .unwrap();
    let customer = &world.netsuite.all("customer")[0].1;
    assert_eq!(customer["phone"], text("+1 415 555 0199"));
    assert_eq!(account(&world)["Phone"], text("+1 415 555 0199"));
}

#[tokio::test]
async fn link_mapping_sets_the_xref_values() {
    let world = world();
    add_account(&world, ACCOUNT_ID, "Acme", "Customer");
    let link_mapping = Mapping::of_pairs(vec![FieldPair::new("companyName", "Name")]);

    flow_with_link_mapping(settings(Options::default()), link_mapping)
        .pass(&world.connections)
        .await
        .unwrap();
    let xref = world
        .store
        .xref(account_customer::FLOW, System::Salesforce, ACCOUNT_ID)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(xref.sf_values.keys().collect::<Vec<_>>(), vec!["Name"]);
    assert_eq!(
        xref.ns_values.keys().collect::<Vec<_>>(),
        vec!["companyName"]
    );
    assert_eq!(xref.ns_values["companyName"], text("Acme"));
}

#[tokio::test]
async fn standard_customer_types_are_onboarded_by_default() {
    let world = world();
    add_account(&world, ACCOUNT_ID, "Acme", "Customer - Direct");

    let report = pass(&world, Options::default()).await;

    assert_eq!(report.created, 1, "{report:?}");
}
