//! The sync status written onto records after a pass: whether their last change reached the
//! other system, and the error when the other system refused it. Salesforce records get it in
//! `NetSuite_Sync_Status__c` and `NetSuite_Sync_Error__c` by default; NetSuite records only in
//! the custom fields the flow is configured with.
//!
//! The status fields are not mapped, so a status write changes no value the loop guard compares:
//! the next pass reads the record as unchanged and writes nothing.

use std::collections::{HashMap, HashSet};

use super::read::ChangeBatch;
use super::write::WriteOutcome;
use super::{Connections, PassError, TwoWaySpec};
use crate::flows::support::SyncStatus;
use crate::record::{Fields, RecordUpdate, System};
use crate::report::PassReport;

/// Writes the status of every record whose change was sent to the other side in this pass,
/// where it differs from what the record has: `Synced` with the error cleared, or `Error` with
/// the other side's message. A failed status write is logged and does not stop the pass,
/// because the sync itself is recorded already.
pub(super) async fn write_status(
    spec: &TwoWaySpec,
    connections: &Connections,
    batch: &ChangeBatch,
    outcome: &WriteOutcome,
    report: &mut PassReport,
) -> Result<(), PassError> {
    for system in [System::Salesforce, System::NetSuite] {
        let updates = status_updates(spec, system, batch, outcome);
        if !updates.is_empty() {
            send(spec, connections, system, updates, report).await;
        }
    }
    Ok(())
}

/// Sends status updates to `system` and counts those written.
async fn send(
    spec: &TwoWaySpec,
    connections: &Connections,
    system: System,
    updates: Vec<RecordUpdate>,
    report: &mut PassReport,
) {
    let object = spec.object(system);
    let port = connections.port(system);
    let ids: Vec<String> = updates.iter().map(|update| update.id.clone()).collect();
    let what = format!("{system} sync status");
    let results = connections
        .retry
        .run(&what, || port.update(object, updates.clone()))
        .await;
    match results {
        Ok(results) => {
            for (id, result) in ids.iter().zip(results) {
                match result {
                    Ok(_) => report.written += 1,
                    Err(error) => {
                        tracing::warn!(flow = %spec.flow, %system, id = %id, %error, "sync status not written");
                    }
                }
            }
        }
        Err(error) => {
            tracing::warn!(flow = %spec.flow, %system, ids = ?ids, %error, "sync status not written");
        }
    }
}

/// Returns one status update per `system` source record of the pass whose status differs
/// from the one it should have, errors first.
fn status_updates(
    spec: &TwoWaySpec,
    system: System,
    batch: &ChangeBatch,
    outcome: &WriteOutcome,
) -> Vec<RecordUpdate> {
    let fields = spec.status_fields(system);
    let errors = outcome
        .refused
        .iter()
        .filter(|(source, _, _)| *source == system)
        .map(|(_, id, error)| (id, SyncStatus::Error, Some(error.to_string())));
    let successes = outcome
        .delivered
        .iter()
        .filter(|(source, _)| *source == system)
        .map(|(_, id)| (id, SyncStatus::Synced, None));

    let read = read_fields(batch, system);
    let mut updates: Vec<RecordUpdate> = Vec::new();
    let mut planned: HashSet<&str> = HashSet::new();
    for (id, status, error) in errors.chain(successes) {
        if id.is_empty() || planned.contains(id.as_str()) {
            continue;
        }
        let current = read
            .get(id.as_str())
            .copied()
            .or_else(|| outcome.created_status.get(&(system, id.clone())));
        if current.is_some_and(|current| fields.holds(current, status, error.as_deref())) {
            continue;
        }
        let values = fields.values(status, error.as_deref());
        if !values.is_empty() {
            planned.insert(id);
            updates.push(RecordUpdate {
                id: id.clone(),
                fields: values,
                link: None,
            });
        }
    }
    updates
}

/// Returns the fields of the `system` records as this pass read them, by ID. A record the
/// pass neither read nor created has none, so its status is unknown and is written.
fn read_fields(batch: &ChangeBatch, system: System) -> HashMap<&str, &Fields> {
    batch
        .changes
        .iter()
        .filter(|change| change.system == system)
        .map(|change| (change.record.id.as_str(), &change.record.fields))
        .collect()
}
