//! Writes whose response never arrives: the target commits the write and the client times
//! out. An upsert is sent again, and an insert is left for the next pass, which finds what
//! the lost call wrote. Every template must still leave each record once on the target.

use std::collections::BTreeMap;
use std::time::Duration;

use tandem_sandbox::netsuite::{FaultKind, FaultPlan};
use tandem_sandbox::salesforce::{Fault, FaultRule};

use crate::common::count;
use crate::support::{Transport, World, flow, only, start};
use crate::transient::linked_world;

/// The client timeout in the tests, in seconds.
const TIMEOUT_SECONDS: u64 = 2;

/// How long the emulators hold a committed write's response: past the client timeout.
const HOLD: Duration = Duration::from_secs(4);

/// The Salesforce objects and NetSuite record types the templates write.
const SALESFORCE_OBJECTS: [&str; 7] = [
    "Account",
    "Contact",
    "Product2",
    "Pricebook2",
    "PricebookEntry",
    "NetSuite_Invoice__c",
    "Task",
];
const NETSUITE_TYPES: [&str; 2] = ["contact", "salesOrder"];

/// Holds back the response of the first call of each write operation on both sides.
fn lose_write_responses(world: &World) {
    let netsuite = world.sandbox.netsuite();
    for operation in ["upsertList", "addList", "updateList"] {
        let plan = FaultPlan::next(FaultKind::Timeout, 1).with_hold(HOLD);
        netsuite.inject_fault(plan.for_operation(operation));
    }
    let salesforce = world.sandbox.salesforce();
    for route in ["POST /composite/sobjects", "PATCH /composite/sobjects"] {
        let fault = Fault::SlowSuccess {
            delay_ms: HOLD.as_millis() as u64,
        };
        let route = Some(route.to_string());
        salesforce.inject_fault(FaultRule {
            fault,
            route,
            count: 1,
        });
    }
}

/// Returns the number of records of each object and record type the templates write.
fn record_counts(world: &World) -> BTreeMap<String, usize> {
    let salesforce = world.sandbox.salesforce();
    let netsuite = world.sandbox.netsuite();
    let mut counts: BTreeMap<String, usize> = SALESFORCE_OBJECTS
        .iter()
        .map(|object| (object.to_string(), salesforce.records(object).len()))
        .collect();
    for record_type in NETSUITE_TYPES {
        counts.insert(record_type.to_string(), netsuite.record_count(record_type));
    }
    counts.insert("customer".to_string(), netsuite.customers().len());
    counts
}

/// Passes after the faulted one that may still find records deferred: an insert whose response
/// was lost is not sent again in the same pass, so its records wait for the next one.
const CATCH_UP_PASSES: usize = 2;

/// Runs the next pass of template `flow_name` on `clean` and on `faulted`, two worlds in the
/// same state, the second with its first writes losing their responses. On the faulted world,
/// passes follow until none defers a record. Checks that both worlds end with the same
/// records, and that the faulted world's last pass writes nothing.
async fn assert_written_once(clean: World, faulted: World, flow_name: &str) {
    clean.set_timeouts(TIMEOUT_SECONDS);
    clean.pass().await;
    let expected = record_counts(&clean);
    drop(clean);
    faulted.set_timeouts(TIMEOUT_SECONDS);
    lose_write_responses(&faulted);

    let mut report = faulted.pass().await;
    for _ in 0..CATCH_UP_PASSES {
        if count(flow(&report, flow_name), "deferred") == 0 {
            break;
        }
        report = faulted.pass().await;
    }

    let flow_report = flow(&report, flow_name);
    assert_eq!(count(flow_report, "deferred"), 0, "{flow_report}");
    assert_eq!(record_counts(&faulted), expected, "{flow_report}");
    let timeouts = faulted.sandbox.netsuite().counters().injected_faults;
    let pending = faulted.sandbox.salesforce().pending_faults();
    assert!(
        timeouts.contains_key(&FaultKind::Timeout) || pending.len() < 2,
        "no write lost its response: {timeouts:?} {pending:?}"
    );
    faulted.assert_second_pass_writes_nothing().await;
}

/// Checks the pass of template `flow_name` after the companies are linked.
async fn assert_template_written_once(flow_name: &str) {
    let clean = linked_world(flow_name).await;
    let faulted = linked_world(flow_name).await;
    assert_written_once(clean, faulted, flow_name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_customer_lost_response() {
    let clean = start(Transport::Soap, "").await;
    let faulted = start(Transport::Soap, "").await;
    assert_written_once(clean, faulted, "account-customer").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_contact_lost_response() {
    assert_template_written_once("contact-contact").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_onboarding_lost_response() {
    let flow_name = "customer-onboarding";
    let clean = start(Transport::Soap, &only(flow_name)).await;
    let faulted = start(Transport::Soap, &only(flow_name)).await;
    assert_written_once(clean, faulted, flow_name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_to_price_book_lost_response() {
    assert_template_written_once("item-to-price-book").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opportunity_to_sales_order_lost_response() {
    assert_template_written_once("opportunity-to-sales-order").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoice_to_salesforce_lost_response() {
    assert_template_written_once("invoice-to-salesforce").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_hold_alert_lost_response() {
    assert_template_written_once("credit-hold-alert").await;
}
