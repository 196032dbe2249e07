//! Deletions and merges: a record deleted on one side unlinks, deactivates or deletes its
//! counterpart as the flow's policy says, and the loser of a merge hands its link to the
//! survivor. Except under `ignore`, the counterpart is then left out of the flow, so its next
//! change does not bring the deleted record back.

use chrono::DateTime;

use super::plan::PairWork;
use super::settings::DeletePolicy;
use super::{Connections, PassError, TwoWaySpec, write};
use crate::error::{ErrorClass, RemoteError};
use crate::record::{DeletedRecord, Fields, RecordUpdate, System};
use crate::report::PassReport;
use crate::state::{AuditEntry, DeadLetter, Watermark, Xref};

/// Reads both sides' deletions since their watermarks and applies them.
pub(super) async fn apply_deletes(
    spec: &TwoWaySpec,
    connections: &Connections,
    report: &mut PassReport,
) -> Result<(), PassError> {
    for system in [System::Salesforce, System::NetSuite] {
        let feed = format!("{}#deleted", spec.object(system).name);
        let store = connections.store.as_ref();
        let watermark = store.watermark(&spec.flow, system, &feed).await?;
        let since = watermark.map_or(DateTime::UNIX_EPOCH, |mark| mark.modified_at - spec.overlap);
        let port = connections.port(system);
        let object = spec.object(system);
        let what = format!("{system} {} deletions", object.name);
        let deleted = connections
            .retry
            .run(&what, || port.deleted_since(object, since))
            .await?;
        for record in &deleted {
            apply_one(spec, connections, system, record, report).await?;
        }
        if let Some(latest) = deleted.iter().max_by_key(|record| record.deleted_at) {
            let mark = Watermark {
                modified_at: latest.deleted_at,
                record_id: latest.id.clone(),
            };
            store
                .set_watermark(&spec.flow, system, &feed, &mark)
                .await?;
        }
    }
    Ok(())
}

async fn apply_one(
    spec: &TwoWaySpec,
    connections: &Connections,
    deleted_on: System,
    record: &DeletedRecord,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let store = connections.store.as_ref();
    store
        .forget(deleted_on, &spec.object(deleted_on).name, &record.id)
        .await?;
    let Some(xref) = store.xref(&spec.flow, deleted_on, &record.id).await? else {
        return Ok(());
    };
    if let Some(survivor) = &record.merged_into {
        return relink(spec, connections, deleted_on, &xref, survivor, report).await;
    }
    let policy = spec.deletes.policy(deleted_on);
    let target = deleted_on.other();
    let target_id = xref.id(target).to_string();
    let done = match policy {
        DeletePolicy::Ignore | DeletePolicy::Unlink => true,
        DeletePolicy::Deactivate => {
            deactivate(spec, connections, &xref, deleted_on, report).await?
        }
        DeletePolicy::Delete => delete(spec, connections, &xref, deleted_on, report).await?,
    };
    if !done {
        return Ok(());
    }
    store
        .delete_xref(&spec.flow, deleted_on, &record.id)
        .await?;
    if policy != DeletePolicy::Ignore {
        let reason = format!("{deleted_on} counterpart {} deleted ({policy})", record.id);
        store
            .exclude(&spec.flow, target, &target_id, &reason)
            .await?;
    }
    report.deleted += 1;
    let decision = format!(
        "{deleted_on} record {} deleted; {target} {target_id}: {policy}",
        record.id
    );
    tracing::info!(flow = %spec.flow, ns_id = %xref.ns_id, sf_id = %xref.sf_id, %policy, "deletion applied");
    audit(connections, spec, &xref, "delete", decision).await
}

/// Marks the counterpart inactive. Returns false when it was refused (a dead letter keeps
/// the pair until someone acts).
async fn deactivate(
    spec: &TwoWaySpec,
    connections: &Connections,
    xref: &Xref,
    deleted_on: System,
    report: &mut PassReport,
) -> Result<bool, PassError> {
    let target = deleted_on.other();
    let Some((field, value)) = spec.deletes.inactive(target) else {
        tracing::warn!(flow = %spec.flow, %target, "no inactive field on this side; the pair is only unlinked");
        return Ok(true);
    };
    let update = RecordUpdate {
        id: xref.id(target).to_string(),
        fields: Fields::from([(field.clone(), value.clone())]),
        link: None,
    };
    let payload = update.fields.clone();
    let port = connections.port(target);
    let object = spec.object(target);
    let results = connections
        .retry
        .run("deactivate", || port.update(object, vec![update.clone()]))
        .await?;
    settle(
        spec,
        connections,
        xref,
        deleted_on,
        "deactivate",
        payload,
        results,
        report,
    )
    .await
}

/// Deletes the counterpart. Returns false when it was refused.
async fn delete(
    spec: &TwoWaySpec,
    connections: &Connections,
    xref: &Xref,
    deleted_on: System,
    report: &mut PassReport,
) -> Result<bool, PassError> {
    let target = deleted_on.other();
    let id = xref.id(target).to_string();
    let port = connections.port(target);
    let object = spec.object(target);
    let results = connections
        .retry
        .run("delete", || port.delete(object, vec![id.clone()]))
        .await?;
    let done = settle(
        spec,
        connections,
        xref,
        deleted_on,
        "delete",
        Fields::new(),
        results,
        report,
    )
    .await?;
    if done {
        connections.store.forget(target, &object.name, &id).await?;
    }
    Ok(done)
}

/// Turns the result of a deactivation or deletion into done, or a dead letter.
#[allow(clippy::too_many_arguments)]
async fn settle(
    spec: &TwoWaySpec,
    connections: &Connections,
    xref: &Xref,
    deleted_on: System,
    action: &str,
    payload: Fields,
    results: Vec<crate::port::WriteResult>,
    report: &mut PassReport,
) -> Result<bool, PassError> {
    let target = deleted_on.other();
    let error = match results.into_iter().next() {
        Some(Ok(_)) => return Ok(true),
        Some(Err(error)) => error,
        None => RemoteError::new(
            target,
            ErrorClass::Transient,
            "INVALID_RESPONSE",
            "no result",
        ),
    };
    if error.is_transient() {
        return Err(PassError::Remote(error));
    }
    let letter = DeadLetter {
        flow: spec.flow.clone(),
        source_system: deleted_on,
        source_id: xref.id(deleted_on).to_string(),
        target_id: Some(xref.id(target).to_string()),
        action: action.to_string(),
        payload,
        error,
    };
    connections.store.add_dead_letter(&letter).await?;
    report.dead_letters += 1;
    Ok(false)
}

/// Hands the link of a merged-away record to the record it was merged into. When that
/// record is linked already, the other side now holds two records for one company: the
/// loser's counterpart is unlinked and a dead letter asks a person to merge them there too.
async fn relink(
    spec: &TwoWaySpec,
    connections: &Connections,
    deleted_on: System,
    xref: &Xref,
    survivor: &str,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let store = connections.store.as_ref();
    let other = deleted_on.other();
    let counterpart = xref.id(other).to_string();
    if let Some(taken) = store.xref(&spec.flow, deleted_on, survivor).await? {
        store.delete_xref(&spec.flow, other, &counterpart).await?;
        let reason = format!("{deleted_on} counterpart merged into a linked record");
        store
            .exclude(&spec.flow, other, &counterpart, &reason)
            .await?;
        let message = format!(
            "{deleted_on} merged {} into {survivor}, which is linked to {other} {}; {other} {counterpart} is now unlinked. Merge the two {other} records, or link {counterpart} to another record",
            xref.id(deleted_on),
            taken.id(other)
        );
        let letter = DeadLetter {
            flow: spec.flow.clone(),
            source_system: deleted_on,
            source_id: xref.id(deleted_on).to_string(),
            target_id: Some(counterpart.clone()),
            action: "merge".to_string(),
            payload: Fields::new(),
            error: RemoteError::new(
                other,
                ErrorClass::Data,
                "MERGED_INTO_LINKED_RECORD",
                message.clone(),
            ),
        };
        store.add_dead_letter(&letter).await?;
        report.dead_letters += 1;
        return audit(connections, spec, xref, "merge", message).await;
    }

    let object = &spec.object(deleted_on).name;
    let seen = store.seen(deleted_on, object, survivor).await?;
    let mut moved = xref.clone();
    match deleted_on {
        System::NetSuite => moved.ns_id = survivor.to_string(),
        System::Salesforce => moved.sf_id = survivor.to_string(),
    }
    if let Some(seen) = &seen {
        *moved.values_mut(deleted_on) = seen.values.clone();
    }
    moved.ns_written = None;
    moved.sf_written = None;
    let mut work = PairWork::new(moved);
    work.update_mut(deleted_on).link = Some(counterpart.clone());
    work.update_mut(other).link = Some(survivor.to_string());
    store
        .delete_xref(&spec.flow, deleted_on, xref.id(deleted_on))
        .await?;
    write::write(spec, connections, vec![work], report).await?;
    let decision = format!(
        "{deleted_on} merged {} into {survivor}; {other} {counterpart} relinked to {survivor}",
        xref.id(deleted_on)
    );
    tracing::info!(flow = %spec.flow, survivor, counterpart = %counterpart, "link moved to the surviving record of a merge");
    audit(connections, spec, xref, "merge", decision).await
}

async fn audit(
    connections: &Connections,
    spec: &TwoWaySpec,
    xref: &Xref,
    kind: &str,
    decision: String,
) -> Result<(), PassError> {
    let entry = AuditEntry::about_records(&spec.flow, kind, &xref.ns_id, &xref.sf_id, decision);
    connections.store.audit(&entry).await?;
    Ok(())
}
