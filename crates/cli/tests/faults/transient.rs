//! Transient faults from both emulators are retried, and the pass writes what a pass without
//! faults writes.

use serde_json::Value;
use tandem_sandbox::netsuite::{FaultKind, FaultPlan};
use tandem_sandbox::salesforce::{Fault, FaultRule};

use crate::common::count;
use crate::support::{Transport, World, flow, only, start};

/// The counts of a flow report that must not change when faults are retried.
const COUNTS: [&str; 6] = [
    "created",
    "updated",
    "linked",
    "written",
    "dead_letters",
    "in_review",
];

/// The NetSuite write operations the flows call.
const NETSUITE_WRITES: [&str; 3] = ["upsertList", "addList", "updateList"];

/// The Salesforce write routes the flows call: collection creates, updates and upserts.
const SALESFORCE_WRITES: [&str; 2] = ["POST /composite/sobjects", "PATCH /composite/sobjects"];

/// The system a template writes to, where write faults must be seen.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Writes {
    NetSuite,
    Salesforce,
    Both,
}

/// Makes the first requests of a pass on both sides fail, then one call of each write
/// operation. The NetSuite write faults are an HTTP 503 and a response cut off after the
/// write happened, so the retry repeats a write that took effect.
fn inject(world: &World) {
    let netsuite = world.sandbox.netsuite();
    netsuite.inject_fault(FaultPlan::next(FaultKind::Concurrency, 2));
    netsuite.inject_fault(FaultPlan::next(FaultKind::UnexpectedError, 1));
    for operation in NETSUITE_WRITES {
        netsuite.inject_fault(FaultPlan::next(FaultKind::MalformedXml, 1).for_operation(operation));
        netsuite.inject_fault(FaultPlan::next(FaultKind::Http503, 1).for_operation(operation));
    }
    let salesforce = world.sandbox.salesforce();
    for route in SALESFORCE_WRITES {
        let fault = Fault::UnableToLockRow;
        let route = Some(route.to_string());
        salesforce.inject_fault(FaultRule {
            fault,
            route,
            count: 2,
        });
    }
    for fault in [
        Fault::ExpiredSession,
        Fault::ServiceUnavailable,
        Fault::ConcurrentRequestLimit,
    ] {
        salesforce.inject_fault(FaultRule {
            fault,
            route: None,
            count: 1,
        });
    }
}

/// Checks that the faults injected at the start of a pass were all used, and that the
/// template's writes met faults too.
fn assert_faults_used(world: &World, writes: Writes) {
    let netsuite = world.sandbox.netsuite().counters().injected_faults;
    let used = |kind| netsuite.get(&kind).copied().unwrap_or_default();
    assert_eq!(used(FaultKind::Concurrency), 2, "{netsuite:?}");
    assert_eq!(used(FaultKind::UnexpectedError), 1, "{netsuite:?}");
    if writes != Writes::Salesforce {
        let write_faults = used(FaultKind::MalformedXml) + used(FaultKind::Http503);
        assert!(
            write_faults >= 2,
            "no NetSuite write met a fault: {netsuite:?}"
        );
    }
    let pending = world.sandbox.salesforce().pending_faults();
    assert!(
        pending.iter().all(|rule| rule.route.is_some()),
        "Salesforce faults never used: {pending:?}"
    );
    if writes != Writes::NetSuite {
        let write_faults: u32 = pending.iter().map(|rule| rule.count).sum();
        let injected = 2 * SALESFORCE_WRITES.len() as u32;
        assert!(
            write_faults < injected,
            "no Salesforce write met a fault: {pending:?}"
        );
    }
}

/// Links the demo seed's companies in a pass of `account-customer` alone, then enables only
/// the template `flow`, so that the next pass's writes are the template's.
pub async fn linked_world(flow: &str) -> World {
    let world = start(Transport::Soap, "").await;
    world.link_companies_then_enable(flow).await;
    world
}

/// Runs the next pass of template `flow_name` on `clean` and, with faults injected, on
/// `faulted`, two worlds in the same state, and checks that both report the same counts, the
/// faulted one with nothing deferred.
async fn assert_faults_retried(clean: World, faulted: World, flow_name: &str, writes: Writes) {
    let expected = clean.pass().await;
    drop(clean);
    inject(&faulted);

    let report = faulted.pass().await;

    let clean_flow = flow(&expected, flow_name);
    let faulted_flow: &Value = flow(&report, flow_name);
    assert!(count(clean_flow, "written") > 0, "{clean_flow}");
    for name in COUNTS {
        let expected = count(clean_flow, name);
        assert_eq!(
            count(faulted_flow, name),
            expected,
            "{name}: {faulted_flow}"
        );
    }
    assert_eq!(count(faulted_flow, "deferred"), 0, "{faulted_flow}");
    assert_faults_used(&faulted, writes);
    faulted.assert_second_pass_writes_nothing().await;
}

/// Checks the faulted pass of template `flow_name` after the companies are linked.
async fn assert_template_retries(flow_name: &str, writes: Writes) {
    let clean = linked_world(flow_name).await;
    let faulted = linked_world(flow_name).await;
    assert_faults_retried(clean, faulted, flow_name, writes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_customer_retries_faults() {
    let clean = start(Transport::Soap, "").await;
    let faulted = start(Transport::Soap, "").await;
    assert_faults_retried(clean, faulted, "account-customer", Writes::Both).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contact_contact_retries_faults() {
    assert_template_retries("contact-contact", Writes::Both).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn customer_onboarding_retries_faults() {
    // Onboarding runs alone from the start: once account-customer has linked the demo
    // companies, no Account is left to onboard.
    let flow = "customer-onboarding";
    let clean = start(Transport::Soap, &only(flow)).await;
    let faulted = start(Transport::Soap, &only(flow)).await;
    assert_faults_retried(clean, faulted, flow, Writes::NetSuite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_to_price_book_retries_faults() {
    assert_template_retries("item-to-price-book", Writes::Salesforce).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opportunity_to_sales_order_retries_faults() {
    assert_template_retries("opportunity-to-sales-order", Writes::NetSuite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoice_to_salesforce_retries_faults() {
    assert_template_retries("invoice-to-salesforce", Writes::Salesforce).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn credit_hold_alert_retries_faults() {
    assert_template_retries("credit-hold-alert", Writes::Salesforce).await;
}
