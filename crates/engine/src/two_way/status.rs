//! The sync status written onto Salesforce records after a pass: whether their last change
//! reached NetSuite, and the error when NetSuite refused it.

use super::read::ChangeBatch;
use super::write::WriteOutcome;
use super::{Connections, PassError, TwoWaySpec};
use crate::flows::support::SyncStatus;
use crate::record::{Fields, RecordUpdate, System};
use crate::report::PassReport;

/// Writes the status of every Salesforce record whose change was sent to NetSuite in this
/// pass, where it differs from what the record holds: `Synced` with the error cleared, or
/// `Error` with NetSuite's message. A failed status write is logged and does not stop the
/// pass, since the sync itself is recorded already.
pub(super) async fn write_status(
    spec: &TwoWaySpec,
    connections: &Connections,
    batch: &ChangeBatch,
    outcome: &WriteOutcome,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let mut updates = Vec::new();
    let mut wanted = |id: &str, status: SyncStatus, error: Option<&str>| {
        let current = current_fields(batch, id);
        if spec.status.holds(&current, status, error)
            || updates.iter().any(|u: &RecordUpdate| u.id == id)
        {
            return;
        }
        updates.push(RecordUpdate {
            id: id.to_string(),
            fields: spec.status.values(status, error),
            link: None,
        });
    };
    for (system, id, error) in &outcome.refused {
        if *system == System::Salesforce {
            wanted(id, SyncStatus::Error, Some(&error.to_string()));
        }
    }
    for (system, id) in &outcome.delivered {
        if *system == System::Salesforce {
            wanted(id, SyncStatus::Synced, None);
        }
    }
    updates.retain(|update| !update.fields.is_empty() && !update.id.is_empty());
    if updates.is_empty() {
        return Ok(());
    }
    let object = spec.object(System::Salesforce);
    let port = connections.port(System::Salesforce);
    let count = updates.len();
    let results = connections
        .retry
        .run("Salesforce sync status", || {
            port.update(object, updates.clone())
        })
        .await;
    match results {
        Ok(results) => {
            for result in results {
                match result {
                    Ok(_) => report.written += 1,
                    Err(error) => {
                        tracing::warn!(flow = %spec.flow, %error, "sync status not written");
                    }
                }
            }
        }
        Err(error) => {
            tracing::warn!(flow = %spec.flow, records = count, %error, "sync status not written");
        }
    }
    Ok(())
}

/// Returns the fields of the Salesforce record as this pass read it; none for a record not
/// read (its status is unknown, so it is written).
fn current_fields(batch: &ChangeBatch, id: &str) -> Fields {
    batch
        .changes
        .iter()
        .find(|change| change.system == System::Salesforce && change.record.id == id)
        .map(|change| change.record.fields.clone())
        .unwrap_or_default()
}
