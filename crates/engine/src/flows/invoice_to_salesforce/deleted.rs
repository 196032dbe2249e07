//! Invoices deleted in NetSuite: their Salesforce records are kept, marked or deleted, as the
//! flow's delete policy sets.
//!
//! The latest deletion time handled is kept as a flow value, and every pass reads the
//! deletions from that time less the read overlap. Applying a policy twice writes nothing new
//! (a mark already there is not written, a record already gone is not found), so a deletion
//! read again is harmless. The watermark stays put while a write failed for a reason that may
//! pass, so the next pass tries again.

use chrono::{DateTime, TimeDelta, Utc};

use super::FLOW;
use crate::flows::support;
use crate::one_way::SYNC_ACTION;
use crate::pass::{Connections, PassError};
use crate::port::WriteResult;
use crate::record::{FieldValue, Fields, ObjectSpec, RecordUpdate, SourceRecord, System};
use crate::report::PassReport;
use crate::state::{AuditEntry, DeadLetter};
use crate::two_way::DeletePolicy;

/// The flow value that keeps the latest deletion time handled.
const WATERMARK_KEY: &str = "deleted-since:invoice";

/// The `[flows.invoice-to-salesforce.deletes]` table.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Deletes {
    /// The policy for the Salesforce record of a deleted invoice: `unlink` (default: the
    /// record stays as it is), `ignore`, `deactivate` (marked through `inactive_field`) or
    /// `delete`.
    pub from_netsuite: DeletePolicy,
    /// The field that `deactivate` writes. Default `Status__c`.
    pub inactive_field: String,
    /// The value that `deactivate` writes. Default `Deleted`.
    pub inactive_value: String,
}

impl Default for Deletes {
    fn default() -> Deletes {
        Deletes {
            from_netsuite: DeletePolicy::Unlink,
            inactive_field: "Status__c".to_string(),
            inactive_value: "Deleted".to_string(),
        }
    }
}

impl Deletes {
    /// Returns the field and value that mark a record of a deleted invoice, under `deactivate`.
    pub fn inactive(&self) -> Option<(String, FieldValue)> {
        (self.from_netsuite == DeletePolicy::Deactivate).then(|| {
            let value = FieldValue::text(self.inactive_value.as_str());
            (self.inactive_field.clone(), value)
        })
    }
}

/// Reads the invoices deleted since the watermark and applies the policy to their Salesforce
/// records. `invoice` is the NetSuite record type read, `target` the Salesforce object.
pub(super) async fn apply(
    deletes: &Deletes,
    invoice: &ObjectSpec,
    target: &ObjectSpec,
    overlap: TimeDelta,
    connections: &Connections,
    report: &mut PassReport,
) -> Result<(), PassError> {
    if deletes.from_netsuite == DeletePolicy::Ignore {
        return Ok(());
    }
    let store = connections.store.as_ref();
    let watermark = store
        .flow_value(FLOW, WATERMARK_KEY)
        .await?
        .and_then(|text| DateTime::parse_from_rfc3339(&text).ok())
        .map(|time| time.with_timezone(&Utc));
    let since = watermark.map_or(DateTime::UNIX_EPOCH, |time| time - overlap);
    let port = connections.port(System::NetSuite);
    let deleted = connections
        .retry
        .run("NetSuite invoice deletions", || {
            port.deleted_since(invoice, since)
        })
        .await?;
    let Some(latest) = deleted.iter().map(|record| record.deleted_at).max() else {
        return Ok(());
    };

    let ids: Vec<String> = deleted.into_iter().map(|record| record.id).collect();
    let stored = super::sync::existing(connections, target, ids.clone()).await?;
    let records: Vec<(String, SourceRecord)> = stored.into_iter().collect();
    let done = match deletes.from_netsuite {
        DeletePolicy::Deactivate => mark(deletes, connections, target, &records, report).await?,
        DeletePolicy::Delete => remove(connections, target, &records, report).await?,
        DeletePolicy::Unlink | DeletePolicy::Ignore => true,
    };
    for id in &ids {
        store
            .resolve_dead_letters(FLOW, System::NetSuite, id, SYNC_ACTION)
            .await?;
    }
    if deletes.from_netsuite == DeletePolicy::Unlink {
        unlink(connections, target, &records, report).await?;
    }
    if done && watermark.is_none_or(|time| latest > time) {
        store
            .set_flow_value(FLOW, WATERMARK_KEY, Some(&latest.to_rfc3339()))
            .await?;
    }
    Ok(())
}

/// Records each deleted invoice as unlinked, once: its Salesforce record is left as it is.
async fn unlink(
    connections: &Connections,
    target: &ObjectSpec,
    records: &[(String, SourceRecord)],
    report: &mut PassReport,
) -> Result<(), PassError> {
    let store = connections.store.as_ref();
    for (invoice_id, record) in records {
        // A deletion is read again within the overlap; the mark keeps it from counting twice.
        let key = format!("unlinked:{invoice_id}");
        if store.flow_value(FLOW, &key).await?.is_some() {
            continue;
        }
        let decision = format!(
            "NetSuite invoice {invoice_id} deleted; {} {} kept (unlink)",
            target.name, record.id
        );
        audit(connections, invoice_id, &record.id, decision).await?;
        store.set_flow_value(FLOW, &key, Some(&record.id)).await?;
        report.deleted += 1;
    }
    Ok(())
}

/// Writes the mark to the records that do not have it yet. Returns false when a write failed
/// for a reason that may pass.
async fn mark(
    deletes: &Deletes,
    connections: &Connections,
    target: &ObjectSpec,
    records: &[(String, SourceRecord)],
    report: &mut PassReport,
) -> Result<bool, PassError> {
    let Some((field, value)) = deletes.inactive() else {
        return Ok(true);
    };
    let wanted = Fields::from([(field, value)]);
    let marked: Vec<&(String, SourceRecord)> = records
        .iter()
        .filter(|(_, record)| !support::changes(&record.fields, &wanted).is_empty())
        .collect();
    let updates = marked
        .iter()
        .map(|(_, record)| RecordUpdate {
            id: record.id.clone(),
            fields: wanted.clone(),
            link: None,
        })
        .collect();
    let results = support::update(connections, System::Salesforce, target, updates).await?;
    settle(
        connections,
        target,
        &marked,
        results,
        "deactivate",
        &wanted,
        report,
    )
    .await
}

/// Deletes the records. Returns false when a deletion failed for a reason that may pass.
async fn remove(
    connections: &Connections,
    target: &ObjectSpec,
    records: &[(String, SourceRecord)],
    report: &mut PassReport,
) -> Result<bool, PassError> {
    if records.is_empty() {
        return Ok(true);
    }
    let ids: Vec<String> = records
        .iter()
        .map(|(_, record)| record.id.clone())
        .collect();
    let port = connections.port(System::Salesforce);
    let what = format!("Salesforce {} delete", target.name);
    let results = connections
        .retry
        .run(&what, || port.delete(target, ids.clone()))
        .await;
    let results = support::per_record(System::Salesforce, results, ids.len())?;
    let removed: Vec<&(String, SourceRecord)> = records.iter().collect();
    let payload = Fields::new();
    settle(
        connections,
        target,
        &removed,
        results,
        "delete",
        &payload,
        report,
    )
    .await
}

/// Counts and audits the records written, and turns the refused ones into dead letters.
/// Returns false when a write failed for a reason that may pass.
async fn settle(
    connections: &Connections,
    target: &ObjectSpec,
    records: &[&(String, SourceRecord)],
    results: Vec<WriteResult>,
    action: &str,
    payload: &Fields,
    report: &mut PassReport,
) -> Result<bool, PassError> {
    let mut done = true;
    for ((invoice_id, record), result) in records.iter().map(|pair| (&pair.0, &pair.1)).zip(results)
    {
        match result {
            Ok(_) => {
                report.deleted += 1;
                report.written += 1;
                let decision = format!(
                    "NetSuite invoice {invoice_id} deleted; {} {}: {action}",
                    target.name, record.id
                );
                tracing::info!(flow = FLOW, ns_id = %invoice_id, sf_id = %record.id, action, "deletion applied");
                audit(connections, invoice_id, &record.id, decision).await?;
            }
            Err(error) if error.is_transient() => {
                tracing::warn!(flow = FLOW, ns_id = %invoice_id, sf_id = %record.id, %error,
                    "deletion left for the next pass");
                report.deferred += 1;
                done = false;
            }
            Err(error) => {
                tracing::warn!(flow = FLOW, ns_id = %invoice_id, sf_id = %record.id, %error,
                    "deletion refused; dead letter stored");
                let letter = DeadLetter {
                    flow: FLOW.to_string(),
                    source_system: System::NetSuite,
                    source_id: invoice_id.clone(),
                    target_id: Some(record.id.clone()),
                    action: action.to_string(),
                    payload: payload.clone(),
                    error,
                };
                connections.store.add_dead_letter(&letter).await?;
                report.dead_letters += 1;
            }
        }
    }
    Ok(done)
}

async fn audit(
    connections: &Connections,
    invoice_id: &str,
    record_id: &str,
    decision: String,
) -> Result<(), PassError> {
    let entry = AuditEntry::about_records(FLOW, "delete", invoice_id, record_id, decision);
    connections.store.audit(&entry).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deletes_default_to_unlink() {
        let deletes: Deletes = serde_json::from_str("{}").unwrap();
        assert_eq!(deletes.from_netsuite, DeletePolicy::Unlink);
        assert_eq!(deletes.inactive(), None);
    }

    #[test]
    fn deactivate_marks_status_deleted() {
        let deletes: Deletes = serde_json::from_str(r#"{"from_netsuite": "deactivate"}"#).unwrap();
        let (field, value) = deletes.inactive().unwrap();
        assert_eq!(field, "Status__c");
        assert_eq!(value, FieldValue::text("Deleted"));
    }

    #[test]
    fn unknown_policy_is_named() {
        let error = serde_json::from_str::<Deletes>(r#"{"from_netsuite": "purge"}"#).unwrap_err();
        assert!(
            error.to_string().contains("expected ignore, unlink"),
            "{error}"
        );
    }
}
