//! Reading both change feeds.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::{Connections, PassError, TwoWaySpec};
use crate::loop_guard::fingerprint;
use crate::matching::{email_key, name_key};
use crate::one_way::PARENT_NOT_LINKED;
use crate::record::{FieldValue, Fields, SourceRecord, System};
use crate::report::PassReport;
use crate::state::{DeadLetterStatus, SeenRecord};

/// A changed record with its mapped values.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Change {
    pub system: System,
    pub record: SourceRecord,
    /// The mapped fields on the record's side, normalized, every mapped field present.
    pub values: Fields,
}

/// The latest modification of a record that a feed returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ReadMark {
    pub system: System,
    pub id: String,
    pub modified_at: DateTime<Utc>,
}

/// The records both feeds returned.
#[derive(Debug, Default)]
pub(super) struct ChangeBatch {
    /// Every record returned, for advancing the watermarks.
    pub read: Vec<ReadMark>,
    /// Records not processed at their current modification time.
    pub changes: Vec<Change>,
}

/// Reads both feeds from their watermarks (minus the overlap), remembers every record for
/// matching, and keeps the ones not yet processed at their current modification time.
///
/// Both feeds are read before anything is written, so a pass never reads its own writes.
pub(super) async fn read_changes(
    spec: &TwoWaySpec,
    connections: &Connections,
    report: &mut PassReport,
) -> Result<ChangeBatch, PassError> {
    let mut batch = ChangeBatch::default();
    for system in [System::Salesforce, System::NetSuite] {
        let records = read_feed(spec, connections, system).await?;
        report.read += records.len() as u64;
        remember(spec, connections, system, &records).await?;
        let records = latest_versions(records);
        let processed = processed_flags(spec, connections, system, &records).await?;
        for (record, processed) in records.into_iter().zip(processed) {
            batch.read.push(ReadMark {
                system,
                id: record.id.clone(),
                modified_at: record.modified_at,
            });
            if processed {
                report.unchanged += 1;
                continue;
            }
            let values = spec.mapping.project(system, &record.fields);
            batch.changes.push(Change {
                system,
                record,
                values,
            });
        }
    }
    add_waiting(spec, connections, &mut batch).await?;
    Ok(batch)
}

/// Reads the records with these IDs as they are now, for a run of those records alone. Each
/// ID is looked up on its own side: an ID of digits only is a NetSuite internal ID, any other
/// a Salesforce Id. The records are remembered for matching like a feed's, and those not yet
/// processed at their current values become the changes. Nothing is added to `read`, so the
/// run moves no watermark.
pub(super) async fn read_records(
    spec: &TwoWaySpec,
    connections: &Connections,
    ids: &[String],
    report: &mut PassReport,
) -> Result<ChangeBatch, PassError> {
    let mut batch = ChangeBatch::default();
    for system in [System::Salesforce, System::NetSuite] {
        let mut wanted: Vec<String> = ids
            .iter()
            .map(|id| id.trim().to_string())
            .filter(|id| !id.is_empty() && system_of_id(id) == system)
            .collect();
        wanted.sort();
        wanted.dedup();
        if wanted.is_empty() {
            continue;
        }
        let port = connections.port(system);
        let object = spec.object(system);
        let what = format!("{system} {} records by ID", object.name);
        let records = connections
            .retry
            .run(&what, || port.read(object, &wanted))
            .await?;
        report.read += records.len() as u64;
        remember(spec, connections, system, &records).await?;
        let records = latest_versions(records);
        let processed = processed_flags(spec, connections, system, &records).await?;
        for (record, processed) in records.into_iter().zip(processed) {
            if processed {
                report.unchanged += 1;
                continue;
            }
            let values = spec.mapping.project(system, &record.fields);
            batch.changes.push(Change {
                system,
                record,
                values,
            });
        }
    }
    Ok(batch)
}

/// Returns the system an ID belongs to: NetSuite internal IDs are digits only, and Salesforce
/// Ids always contain a letter (their three-character key prefix starts with one or holds one).
pub(crate) fn system_of_id(id: &str) -> System {
    if id.chars().all(|c| c.is_ascii_digit()) {
        System::NetSuite
    } else {
        System::Salesforce
    }
}

/// The maximum number of waiting records a pass reads again, so a backlog cannot make a pass
/// unbounded.
const MAX_WAITING: usize = 500;

/// Adds the records whose dead letters wait for a parent (`PARENT_NOT_LINKED`), read again by
/// ID, so they sync as soon as the parent is linked without anyone replaying them. They do not
/// move the watermarks. A port that cannot read by ID leaves them to replays.
async fn add_waiting(
    spec: &TwoWaySpec,
    connections: &Connections,
    batch: &mut ChangeBatch,
) -> Result<(), PassError> {
    let letters = connections
        .store
        .dead_letters(Some(&spec.flow), Some(DeadLetterStatus::Open))
        .await?;
    for system in [System::Salesforce, System::NetSuite] {
        let mut ids: Vec<String> = letters
            .iter()
            .filter(|stored| stored.letter.error.code == PARENT_NOT_LINKED)
            .filter(|stored| stored.letter.source_system == system)
            .map(|stored| stored.letter.source_id.clone())
            .filter(|id| {
                !batch
                    .changes
                    .iter()
                    .any(|change| change.system == system && &change.record.id == id)
            })
            .collect();
        ids.sort();
        ids.dedup();
        ids.truncate(MAX_WAITING);
        if ids.is_empty() {
            continue;
        }
        let port = connections.port(system);
        let object = spec.object(system);
        let what = format!("{system} {} waiting records", object.name);
        let records = match connections
            .retry
            .run(&what, || port.read(object, &ids))
            .await
        {
            Ok(records) => records,
            Err(error) if error.code == "NOT_SUPPORTED" => continue,
            Err(error) => return Err(error.into()),
        };
        for record in records {
            let values = spec.mapping.project(system, &record.fields);
            batch.changes.push(Change {
                system,
                record,
                values,
            });
        }
    }
    Ok(())
}

async fn read_feed(
    spec: &TwoWaySpec,
    connections: &Connections,
    system: System,
) -> Result<Vec<SourceRecord>, PassError> {
    let object = spec.object(system);
    let watermark = connections
        .store
        .watermark(&spec.flow, system, &object.name)
        .await?;
    let since = watermark.map_or(DateTime::UNIX_EPOCH, |mark| mark.modified_at - spec.overlap);
    tracing::debug!(flow = %spec.flow, %system, object = %object.name, %since, "reading changes");

    let port = connections.port(system);
    let what = format!("{system} {} changes", object.name);
    let read = connections
        .retry
        .run(&what, || port.changed_since(object, since));
    Ok(crate::progress::read_feed(read).await?)
}

/// Keeps one version per record ID, the latest, so a record that moved between pages of a
/// search is handled once.
pub(crate) fn latest_versions(records: Vec<SourceRecord>) -> Vec<SourceRecord> {
    let mut latest: HashMap<String, SourceRecord> = HashMap::new();
    for record in records {
        match latest.get(&record.id) {
            Some(kept) if kept.modified_at >= record.modified_at => {}
            _ => {
                latest.insert(record.id.clone(), record);
            }
        }
    }
    let mut records: Vec<SourceRecord> = latest.into_values().collect();
    records.sort_by(|a, b| (a.modified_at, &a.id).cmp(&(b.modified_at, &b.id)));
    records
}

async fn remember(
    spec: &TwoWaySpec,
    connections: &Connections,
    system: System,
    records: &[SourceRecord],
) -> Result<(), PassError> {
    let object = spec.object(system);
    let keys = spec.keys(system);
    let seen: Vec<SeenRecord> = records
        .iter()
        .map(|record| SeenRecord {
            system,
            object: object.name.clone(),
            id: record.id.clone(),
            link: record.link.clone().filter(|link| !link.trim().is_empty()),
            name_key: keys.name_text(&record.fields).as_deref().and_then(name_key),
            email_key: key_of(&record.fields, keys.email.as_deref(), email_key),
            values: spec.mapping.project(system, &record.fields),
        })
        .collect();
    connections.store.remember(&seen).await?;
    Ok(())
}

fn key_of(
    fields: &Fields,
    field: Option<&str>,
    normalize: fn(&str) -> Option<String>,
) -> Option<String> {
    match fields.get(field?)? {
        FieldValue::Text(text) => normalize(text),
        _ => None,
    }
}

/// Returns, for each record in order, true when it was processed with its current mapped
/// values and link, reading the processed marks of all of them in one store call. The
/// modification time alone does not count, because writes of unmapped fields (the sync status
/// Tandem writes back, a user's edit) move it without giving anything to sync. A rejected
/// record is so not retried by them. Comparing values also catches an edit made within the
/// same (coarse) second as the version processed before.
async fn processed_flags(
    spec: &TwoWaySpec,
    connections: &Connections,
    system: System,
    records: &[SourceRecord],
) -> Result<Vec<bool>, PassError> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let object = &spec.object(system).name;
    let ids: Vec<String> = records.iter().map(|record| record.id.clone()).collect();
    let store = connections.store.as_ref();
    let processed = store.processed_batch(system, object, &ids).await?;
    let flags = records.iter().map(|record| {
        processed.get(&record.id).is_some_and(|processed| {
            let values = spec.mapping.project(system, &record.fields);
            processed.fingerprint == fingerprint(&values, record.link.as_deref())
        })
    });
    Ok(flags.collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, second: i64) -> SourceRecord {
        SourceRecord {
            id: id.to_string(),
            modified_at: DateTime::from_timestamp(second, 0).unwrap_or_default(),
            link: None,
            fields: Fields::new(),
        }
    }

    #[test]
    fn digits_are_a_netsuite_internal_id() {
        assert_eq!(system_of_id("1042"), System::NetSuite);
        assert_eq!(system_of_id("001A000001abcDE"), System::Salesforce);
        assert_eq!(system_of_id("003Ho00000XyZ12AAB"), System::Salesforce);
    }

    #[test]
    fn latest_versions_keeps_newest_of_each_id() {
        let kept = latest_versions(vec![record("1", 10), record("2", 5), record("1", 20)]);
        let ids: Vec<(&str, i64)> = kept
            .iter()
            .map(|r| (r.id.as_str(), r.modified_at.timestamp()))
            .collect();
        assert_eq!(ids, vec![("2", 5), ("1", 20)]);
    }
}
