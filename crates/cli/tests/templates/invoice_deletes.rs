//! `invoice-to-salesforce` and invoices deleted in NetSuite: the Salesforce record is kept by
//! default, and marked or deleted when the delete policy sets that.

use serde_json::{Map, Value};
use tandem_engine::{ObjectSpec, RecordPort};
use tandem_netsuite::NetSuitePort;

use crate::common::count;
use crate::support::{Transport, World, flow, start, text};

const FLOW: &str = "invoice-to-salesforce";

/// Returns the Salesforce invoice records, each with its NetSuite internal ID and status.
async fn salesforce_invoices(world: &World) -> Vec<Map<String, Value>> {
    world
        .query("SELECT Id, NetSuite_Internal_ID__c, Status__c FROM NetSuite_Invoice__c")
        .await
}

/// Runs a first pass, deletes one copied invoice in NetSuite and runs a second pass. Returns
/// the second pass's report, the deleted invoice's Salesforce record as it was, and the
/// Salesforce records after the pass.
async fn delete_one_invoice(world: &World) -> (Value, Map<String, Value>, Vec<Map<String, Value>>) {
    world.pass().await;
    let before = salesforce_invoices(world).await;
    let record = before
        .iter()
        .find(|record| text(record, "NetSuite_Internal_ID__c").is_some())
        .cloned()
        .expect("a copied invoice");
    let invoice_id = text(&record, "NetSuite_Internal_ID__c").unwrap_or_default();
    let port = NetSuitePort::new(world.netsuite.clone());
    let invoice = ObjectSpec {
        name: "invoice".to_string(),
        fields: Vec::new(),
        link_field: "externalId".to_string(),
    };
    let results = port
        .delete(&invoice, vec![invoice_id.clone()])
        .await
        .expect("delete sent");
    assert!(results[0].is_ok(), "{results:?}");

    let report = world.pass().await;
    let after = salesforce_invoices(world).await;
    (report, record, after)
}

fn find<'a>(records: &'a [Map<String, Value>], id: &str) -> Option<&'a Map<String, Value>> {
    records
        .iter()
        .find(|record| text(record, "Id").as_deref() == Some(id))
}

async fn deleted_invoice_keeps_record_by_default(transport: Transport) {
    let world = start(transport, "[flows.invoice-to-salesforce]\n").await;

    let (report, record, after) = delete_one_invoice(&world).await;

    let id = text(&record, "Id").unwrap_or_default();
    let kept = find(&after, &id).expect("record kept");
    assert_eq!(kept, &record);
    assert_eq!(count(flow(&report, FLOW), "deleted"), 1, "{report}");
    assert_eq!(count(flow(&report, FLOW), "written"), 0, "{report}");
    let again = world.assert_second_pass_writes_nothing().await;
    assert_eq!(count(flow(&again, FLOW), "deleted"), 0, "{again}");
}

async fn deactivate_marks_record_deleted(transport: Transport) {
    let table = "[flows.invoice-to-salesforce]\n\
                 [flows.invoice-to-salesforce.deletes]\nfrom_netsuite = \"deactivate\"\n";
    let world = start(transport, table).await;

    let (report, record, after) = delete_one_invoice(&world).await;

    let id = text(&record, "Id").unwrap_or_default();
    let marked = find(&after, &id).expect("record kept");
    assert_eq!(text(marked, "Status__c").as_deref(), Some("Deleted"));
    assert_eq!(count(flow(&report, FLOW), "deleted"), 1, "{report}");
    assert_eq!(count(flow(&report, FLOW), "written"), 1, "{report}");
    world.assert_second_pass_writes_nothing().await;
}

async fn delete_policy_deletes_record(transport: Transport) {
    let table = "[flows.invoice-to-salesforce]\n\
                 [flows.invoice-to-salesforce.deletes]\nfrom_netsuite = \"delete\"\n";
    let world = start(transport, table).await;

    let (report, record, after) = delete_one_invoice(&world).await;

    let id = text(&record, "Id").unwrap_or_default();
    assert!(find(&after, &id).is_none(), "{after:?}");
    assert_eq!(count(flow(&report, FLOW), "deleted"), 1, "{report}");
    let again = world.assert_second_pass_writes_nothing().await;
    assert_eq!(count(flow(&again, FLOW), "deleted"), 0, "{again}");
}

on_both_transports!(
    deleted_invoice_keeps_record_by_default,
    deactivate_marks_record_deleted,
    delete_policy_deletes_record
);
