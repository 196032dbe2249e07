//! The sync status written onto Salesforce records after a pass: whether their last change
//! reached NetSuite, and the error when NetSuite refused it.

use super::read::ChangeBatch;
use super::write::WriteOutcome;
use super::{Connections, PassError, TwoWaySpec};
use crate::flows::support::SyncStatus;
use crate::record::{Fields, RecordUpdate, System};
use crate::report::PassReport;

/// Writes the status of every Salesforce record whose change was sent to NetSuite in this
/// pass, where it differs from what the record has: `Synced` with the error cleared, or
/// `Error` with NetSuite's message. A failed status write is logged and does not stop the
/// pass, because the sync itself is recorded already.
pub(super) async fn write_status(
    spec: &TwoWaySpec,
    connections: &Connections,
    batch: &ChangeBatch,
    outcome: &WriteOutcome,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let updates = status_updates(spec, batch, outcome);
    if updates.is_empty() {
        return Ok(());
    }

    let object = spec.object(System::Salesforce);
    let port = connections.port(System::Salesforce);
    let ids: Vec<String> = updates.iter().map(|update| update.id.clone()).collect();
    let results = connections
        .retry
        .run("Salesforce sync status", || {
            port.update(object, updates.clone())
        })
        .await;
    match results {
        Ok(results) => {
            for (id, result) in ids.iter().zip(results) {
                match result {
                    Ok(_) => report.written += 1,
                    Err(error) => {
                        tracing::warn!(flow = %spec.flow, id = %id, %error, "sync status not written");
                    }
                }
            }
        }
        Err(error) => {
            tracing::warn!(flow = %spec.flow, ids = ?ids, %error, "sync status not written");
        }
    }
    Ok(())
}

/// Returns one status update per Salesforce source record of the pass whose status differs
/// from the one it should have, errors first.
fn status_updates(
    spec: &TwoWaySpec,
    batch: &ChangeBatch,
    outcome: &WriteOutcome,
) -> Vec<RecordUpdate> {
    let errors = outcome
        .refused
        .iter()
        .filter(|(system, _, _)| *system == System::Salesforce)
        .map(|(_, id, error)| (id, SyncStatus::Error, Some(error.to_string())));
    let successes = outcome
        .delivered
        .iter()
        .filter(|(system, _)| *system == System::Salesforce)
        .map(|(_, id)| (id, SyncStatus::Synced, None));

    let mut updates: Vec<RecordUpdate> = Vec::new();
    for (id, status, error) in errors.chain(successes) {
        let current = current_fields(batch, id);
        let known = updates.iter().any(|update| &update.id == id);
        if id.is_empty() || known || spec.status.holds(&current, status, error.as_deref()) {
            continue;
        }
        let fields = spec.status.values(status, error.as_deref());
        if !fields.is_empty() {
            updates.push(RecordUpdate {
                id: id.clone(),
                fields,
                link: None,
            });
        }
    }
    updates
}

/// Returns the fields of the Salesforce record as this pass read it. A record the pass did not
/// read has none, so its status is unknown and is written.
fn current_fields(batch: &ChangeBatch, id: &str) -> Fields {
    batch
        .changes
        .iter()
        .find(|change| change.system == System::Salesforce && change.record.id == id)
        .map(|change| change.record.fields.clone())
        .unwrap_or_default()
}
