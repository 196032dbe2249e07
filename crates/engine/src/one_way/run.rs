//! The steps of a one-way pass: read, pick, sync in batches, record, advance.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::DateTime;

use super::{
    OneWaySpec, OneWayTemplate, Outcome, PARENT_NOT_LINKED, Refusal, SYNC_ACTION, SourceItem,
};
use crate::loop_guard::fingerprint;
use crate::pass::{Connections, PassError, PassFailure};
use crate::progress;
use crate::record::{SourceRecord, System};
use crate::report::PassReport;
use crate::state::{AuditEntry, DeadLetter, DeadLetterStatus, Processed};
use crate::two_way::read::latest_versions;
use crate::work::WorkerLease;

/// The most dead letters a pass retries, oldest first, so that a backlog of records waiting
/// for parents cannot make a pass unbounded.
const MAX_RETRIED: usize = 500;

/// A record's place in its feed: the object's index and the record's `(modified_at, id)`.
pub(super) type FeedMark = (usize, DateTime<chrono::Utc>, String);

/// Runs one pass of a one-way flow and records it in the run history, as the only process on
/// the store.
///
/// A failure means the pass stopped early. What it wrote before stopping is recorded, and the
/// watermarks stay where they were, so the next pass repeats the rest.
pub async fn run_pass(
    template: &dyn OneWayTemplate,
    connections: &Connections,
) -> Result<PassReport, PassFailure> {
    super::shared::run_pass_as(template, connections, &WorkerLease::exclusive()).await
}

/// The records a pass syncs: the feed position of every record the feeds returned, the
/// records to sync, and how many of those (the first ones) came from the feeds.
pub(super) struct Collected {
    pub marks: Vec<FeedMark>,
    pub items: Vec<SourceItem>,
    pub from_feeds: usize,
}

/// Runs the template's `before`, reads the feeds and returns the records to sync: those not
/// processed in their current state, then the retried dead letters' records and the related
/// records. The template's `prepare` runs on them all before they are returned.
pub(super) async fn collect(
    template: &dyn OneWayTemplate,
    connections: &Connections,
    report: &mut PassReport,
) -> Result<Collected, PassError> {
    let spec = template.spec();
    template.before(connections, report).await?;
    let (marks, mut items) = read_feeds(spec, connections, report).await?;
    let from_feeds = items.len();
    let mut taken: HashSet<(usize, String)> = items
        .iter()
        .map(|item| (item.object, item.record.id.clone()))
        .collect();
    // Records read by ID count as read too, so that `unchanged` never exceeds `read`.
    for item in retried(spec, connections).await? {
        if taken.insert((item.object, item.record.id.clone())) {
            report.read += 1;
            items.push(item);
        }
    }
    let related = template.related(connections, &items).await?;
    let processed = processed_flags(spec, connections, &related).await?;
    for (item, processed) in related.into_iter().zip(processed) {
        if taken.contains(&(item.object, item.record.id.clone())) {
            continue;
        }
        report.read += 1;
        if processed {
            report.unchanged += 1;
            continue;
        }
        taken.insert((item.object, item.record.id.clone()));
        items.push(item);
    }
    template.prepare(connections, &items).await?;
    Ok(Collected {
        marks,
        items,
        from_feeds,
    })
}

/// Reads every source object's feed and returns where each record stands in it, with the
/// records not processed in their current state.
async fn read_feeds(
    spec: &OneWaySpec,
    connections: &Connections,
    report: &mut PassReport,
) -> Result<(Vec<FeedMark>, Vec<SourceItem>), PassError> {
    let store = connections.store.as_ref();
    let port = connections.port(spec.source);
    let mut marks = Vec::new();
    let mut items = Vec::new();
    for (index, object) in spec.objects.iter().enumerate() {
        let watermark = store
            .watermark(&spec.flow, spec.source, &object.name)
            .await?;
        let since = watermark.map_or(DateTime::UNIX_EPOCH, |mark| mark.modified_at - spec.overlap);
        tracing::debug!(flow = %spec.flow, object = %object.name, %since, "reading changes");
        let what = format!("{} {} changes", spec.source, object.name);
        let read = connections
            .retry
            .run(&what, || port.changed_since(object, since));
        let records = progress::read_feed(read).await?;
        report.read += records.len() as u64;
        let read: Vec<SourceItem> = latest_versions(records)
            .into_iter()
            .map(|record| SourceItem {
                object: index,
                record,
            })
            .collect();
        let processed = processed_flags(spec, connections, &read).await?;
        for (item, processed) in read.into_iter().zip(processed) {
            marks.push((index, item.record.modified_at, item.record.id.clone()));
            if processed {
                report.unchanged += 1;
            } else {
                items.push(item);
            }
        }
    }
    Ok((marks, items))
}

/// Returns, for each item in order, true when its record was processed with its current
/// source values. The processed states of each source object are read in one store call.
/// Unlike a two-way flow, the modification time does not count: the flow's own write-backs
/// move it, and the same source values always give the same writes.
async fn processed_flags(
    spec: &OneWaySpec,
    connections: &Connections,
    items: &[SourceItem],
) -> Result<Vec<bool>, PassError> {
    let mut states: Vec<HashMap<String, Processed>> = Vec::new();
    for (index, object) in spec.objects.iter().enumerate() {
        let ids: Vec<String> = items
            .iter()
            .filter(|item| item.object == index)
            .map(|item| item.record.id.clone())
            .collect();
        if ids.is_empty() {
            states.push(HashMap::new());
            continue;
        }
        let key = spec.processed_key(&object.name);
        let store = connections.store.as_ref();
        states.push(store.processed_batch(spec.source, &key, &ids).await?);
    }
    let flags = items.iter().map(|item| {
        let stored = states
            .get(item.object)
            .and_then(|states| states.get(&item.record.id));
        let state = processed_state(spec, &item.record);
        stored.is_some_and(|stored| stored.fingerprint == state.fingerprint)
    });
    Ok(flags.collect())
}

fn processed_state(spec: &OneWaySpec, record: &SourceRecord) -> Processed {
    Processed {
        modified_at: record.modified_at,
        fingerprint: fingerprint(&spec.inputs(record), None),
    }
}

/// Returns the source records of the dead letters to try again: those waiting for a parent,
/// and those a person asked to replay. A letter whose record is gone from every source object
/// stays as it is.
async fn retried(
    spec: &OneWaySpec,
    connections: &Connections,
) -> Result<Vec<SourceItem>, PassError> {
    let store = connections.store.as_ref();
    let mut ids = Vec::new();
    for stored in store
        .dead_letters(Some(&spec.flow), Some(DeadLetterStatus::Requested))
        .await?
    {
        store
            .set_dead_letter_status(stored.id, DeadLetterStatus::Open)
            .await?;
        ids.push(stored.letter.source_id);
    }
    let waiting = store
        .dead_letters(Some(&spec.flow), Some(DeadLetterStatus::Open))
        .await?
        .into_iter()
        .filter(|stored| stored.letter.error.code == PARENT_NOT_LINKED)
        .map(|stored| stored.letter.source_id);
    for id in waiting {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.truncate(MAX_RETRIED);
    read_sources(spec, connections, ids).await
}

/// Reads source records by ID, trying each source object in turn for the IDs not found yet.
pub(super) async fn read_sources(
    spec: &OneWaySpec,
    connections: &Connections,
    mut ids: Vec<String>,
) -> Result<Vec<SourceItem>, PassError> {
    let port = connections.port(spec.source);
    let mut items = Vec::new();
    for (index, object) in spec.objects.iter().enumerate() {
        if ids.is_empty() {
            break;
        }
        let what = format!("{} {} by ID", spec.source, object.name);
        let found = connections
            .retry
            .run(&what, || port.read(object, &ids))
            .await?;
        ids.retain(|id| !found.iter().any(|record| &record.id == id));
        items.extend(found.into_iter().map(|record| SourceItem {
            object: index,
            record,
        }));
    }
    if !ids.is_empty() {
        tracing::warn!(flow = %spec.flow, ids = ?ids, "records of dead letters no longer exist");
    }
    Ok(items)
}

/// Records what became of each record of a batch, and returns the records deferred.
///
/// The store calls are made per batch, in this order: the dead letters of refused records,
/// the dead letters resolved by successes, the audit entries, then the processed marks. A
/// process killed in between leaves the records unmarked, so the next pass syncs them again
/// and finds their writes already made.
pub(super) async fn record_outcomes(
    spec: &OneWaySpec,
    connections: &Connections,
    items: &[SourceItem],
    outcomes: Vec<Outcome>,
    report: &mut PassReport,
) -> Result<HashSet<(usize, String)>, PassError> {
    let store = connections.store.as_ref();
    let mut processed: BTreeMap<usize, Vec<(String, Processed)>> = BTreeMap::new();
    let mut succeeded = Vec::new();
    let mut entries = Vec::new();
    let mut deferred = HashSet::new();
    if outcomes.len() != items.len() {
        tracing::error!(flow = %spec.flow, records = items.len(), outcomes = outcomes.len(),
            "a template returned outcomes that do not match its records; the rest are read again");
    }
    for (index, item) in items.iter().enumerate() {
        let id = &item.record.id;
        let Some(outcome) = outcomes.get(index) else {
            deferred.insert((item.object, id.clone()));
            report.deferred += 1;
            continue;
        };
        match outcome {
            Outcome::Created(_)
            | Outcome::Updated(_)
            | Outcome::Unchanged
            | Outcome::Skipped(_) => {
                count_success(outcome, report);
                succeeded.push(id.clone());
                entries.extend(outcome_entry(spec, id, outcome));
            }
            Outcome::Waiting(refusal) | Outcome::Refused(refusal) => {
                store
                    .add_dead_letter(&dead_letter(spec, id, refusal))
                    .await?;
                report.dead_letters += 1;
            }
            Outcome::Deferred(error) => {
                tracing::warn!(flow = %spec.flow, id = %id, %error, "record left for the next pass");
                deferred.insert((item.object, id.clone()));
                report.deferred += 1;
                continue;
            }
        }
        processed
            .entry(item.object)
            .or_default()
            .push((id.clone(), processed_state(spec, &item.record)));
    }
    if !succeeded.is_empty() {
        store
            .resolve_dead_letters_batch(&spec.flow, spec.source, &succeeded, SYNC_ACTION)
            .await?;
    }
    if !entries.is_empty() {
        store.audit_batch(&entries).await?;
    }
    for (object, records) in processed {
        let key = spec.processed_key(&spec.objects[object].name);
        store.mark_processed(spec.source, &key, &records).await?;
    }
    Ok(deferred)
}

fn count_success(outcome: &Outcome, report: &mut PassReport) {
    match outcome {
        Outcome::Created(_) => {
            report.created += 1;
            report.written += 1;
        }
        Outcome::Updated(_) => {
            report.updated += 1;
            report.written += 1;
        }
        Outcome::Unchanged => report.unchanged += 1,
        _ => report.skipped += 1,
    }
}

/// Returns the audit entry of a record that was written or left out, so that a person (or an
/// agent) can later see what became of it and, for a record left out, the flow's reason.
fn outcome_entry(spec: &OneWaySpec, source_id: &str, outcome: &Outcome) -> Option<AuditEntry> {
    let target_system = spec.source.other();
    let (kind, target, decision) = match outcome {
        Outcome::Created(target) => (
            "create",
            Some(target.clone()),
            format!("created {target_system} record {target}"),
        ),
        Outcome::Updated(target) => (
            "update",
            Some(target.clone()),
            format!("updated {target_system} record {target}"),
        ),
        Outcome::Skipped(reason) => ("skip", None, format!("left out: {reason}")),
        _ => return None,
    };
    let source = Some(source_id.to_string());
    let (ns_id, sf_id) = match spec.source {
        System::NetSuite => (source, target),
        System::Salesforce => (target, source),
    };
    Some(AuditEntry {
        flow: spec.flow.clone(),
        kind: kind.to_string(),
        ns_id,
        sf_id,
        field: None,
        netsuite_value: None,
        salesforce_value: None,
        decision,
    })
}

fn dead_letter(spec: &OneWaySpec, source_id: &str, refusal: &Refusal) -> DeadLetter {
    DeadLetter {
        flow: spec.flow.clone(),
        source_system: spec.source,
        source_id: source_id.to_string(),
        target_id: refusal.target_id.clone(),
        action: SYNC_ACTION.to_string(),
        payload: refusal.payload.clone(),
        error: refusal.error.clone(),
    }
}
