//! Sending the planned writes in batches and recording each outcome.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::plan::PairWork;
use super::{Connections, PassError, TwoWaySpec};
use crate::error::RemoteError;
use crate::flows::support::{self, SyncStatus};
use crate::loop_guard::fingerprint;
use crate::port::WriteResult;
use crate::record::{Fields, RecordUpdate, System};
use crate::report::PassReport;
use crate::state::{DeadLetter, Xref};

/// Records that a transient error left for the next pass, as `(system, id)`.
#[derive(Debug, Default)]
pub(super) struct WriteOutcome {
    pub deferred: HashSet<(System, String)>,
    /// Source records whose change reached the other side, as `(system, id)`.
    pub delivered: Vec<(System, String)>,
    /// Source records whose change the other side refused, with the error.
    pub refused: Vec<(System, String, RemoteError)>,
    /// The sync status fields written with each record created in this pass, by
    /// `(system, id)`, so the status step sends no second write to say the same.
    pub created_status: HashMap<(System, String), Fields>,
}

/// Writes a pass's work: creates first (their IDs are needed for link write-backs), then
/// updates, then the cross-references. A record the target refuses becomes a dead letter.
pub(super) async fn write(
    spec: &TwoWaySpec,
    connections: &Connections,
    mut works: Vec<PairWork>,
    report: &mut PassReport,
) -> Result<WriteOutcome, PassError> {
    let mut batch = Batch {
        spec,
        connections,
        report,
        outcome: WriteOutcome::default(),
        live: vec![true; works.len()],
        delivered: Vec::new(),
    };
    batch.refuse_unmapped(&mut works).await?;
    for target in [System::NetSuite, System::Salesforce] {
        batch.create(&mut works, target).await?;
    }
    batch.save_xrefs(&works).await?;
    for target in [System::NetSuite, System::Salesforce] {
        batch.update(&mut works, target).await?;
    }
    batch.save_xrefs(&works).await?;
    batch.settle_in_sync(&works).await?;
    batch.resolve_dead_letters().await?;
    let delivered = batch
        .delivered
        .iter()
        .map(|(system, id, _)| (*system, id.clone()));
    batch.outcome.delivered.extend(delivered);
    Ok(batch.outcome)
}

/// State shared by the steps of one pass's writes.
struct Batch<'a> {
    spec: &'a TwoWaySpec,
    connections: &'a Connections,
    report: &'a mut PassReport,
    outcome: WriteOutcome,
    /// False for work dropped after a failed create.
    live: Vec<bool>,
    /// Source records whose change reached the other side, as `(system, id, action)`.
    delivered: Vec<(System, String, &'static str)>,
}

impl Batch<'_> {
    /// Turns the writes whose values could not be mapped into dead letters without sending
    /// them: a create is dropped, an update to the side concerned is not sent.
    async fn refuse_unmapped(&mut self, works: &mut [PairWork]) -> Result<(), PassError> {
        for (index, work) in works.iter_mut().enumerate() {
            let Some((target, error)) = work.error.take() else {
                continue;
            };
            if work.create.is_some() {
                let payload = records_of(work);
                self.failed(work, target, None, "create", &payload, error)
                    .await?;
                self.live[index] = false;
                continue;
            }
            let target_id = Some(work.xref.id(target).to_string());
            let payload = work.update(target).fields.clone();
            self.failed(work, target, target_id, "update", &payload, error)
                .await?;
            restore_source_values(self.spec, work, target);
            *work.update_mut(target) = Default::default();
        }
        Ok(())
    }

    /// Creates, on `target`, the counterparts of records from the other side.
    async fn create(&mut self, works: &mut [PairWork], target: System) -> Result<(), PassError> {
        let indices: Vec<usize> = (0..works.len())
            .filter(|&i| self.live[i])
            .filter(|&i| {
                works[i]
                    .create
                    .as_ref()
                    .is_some_and(|c| c.source == target.other())
            })
            .collect();
        if indices.is_empty() {
            return Ok(());
        }
        // A new record is created with the status it will have once its link is written
        // back, which saves a second write per record; a refused write-back still sets Error.
        let status = self
            .spec
            .status_fields(target)
            .create_values(SyncStatus::Synced);
        let records: Vec<_> = indices
            .iter()
            .filter_map(|&i| works[i].create.as_ref())
            .map(|create| {
                let mut record = create.record.clone();
                record.fields.extend(status.clone());
                record
            })
            .collect();
        let object = self.spec.object(target);
        let port = self.connections.port(target);
        let what = format!("create {target} {}", object.name);
        let results = self
            .connections
            .retry
            .run(&what, || port.create(object, records.clone()))
            .await;
        let results = self.per_record(target, results, indices.len())?;

        for (&i, result) in indices.iter().zip(results) {
            match result {
                Ok(written) => {
                    let key = (target, written.id.clone());
                    self.outcome.created_status.insert(key, status.clone());
                    self.created(&mut works[i], target, written.id);
                }
                Err(error) => {
                    self.failed(
                        &works[i],
                        target,
                        None,
                        "create",
                        &records_of(&works[i]),
                        error,
                    )
                    .await?;
                    self.live[i] = false;
                }
            }
        }
        Ok(())
    }

    fn created(&mut self, work: &mut PairWork, target: System, id: String) {
        let Some(create) = work.create.as_ref() else {
            return;
        };
        let source = create.source;
        let source_id = create.record.link.clone();
        if create.source_link.as_deref() != Some(id.as_str()) {
            work.update_mut(source).link = Some(id.clone());
        }
        tracing::debug!(flow = %self.spec.flow, %target, id = %id, source_id = %source_id, "record created");
        match target {
            System::NetSuite => work.xref.ns_id = id,
            System::Salesforce => work.xref.sf_id = id,
        }
        let written = fingerprint(work.xref.values(target), Some(&source_id));
        work.xref.set_written(target, Some(written));
        self.delivered.push((source, source_id, "create"));
        self.report.created += 1;
        self.report.written += 1;
    }

    /// Updates records on `target`: changes from the other side, blanks filled while linking,
    /// and link write-backs.
    async fn update(&mut self, works: &mut [PairWork], target: System) -> Result<(), PassError> {
        let indices: Vec<usize> = (0..works.len())
            .filter(|&i| self.live[i] && works[i].has_update(target))
            .filter(|&i| !works[i].xref.id(target).is_empty())
            .collect();
        if indices.is_empty() {
            return Ok(());
        }
        let updates: Vec<RecordUpdate> = indices
            .iter()
            .map(|&i| RecordUpdate {
                id: works[i].xref.id(target).to_string(),
                fields: works[i].update(target).fields.clone(),
                link: works[i].update(target).link.clone(),
            })
            .collect();
        let object = self.spec.object(target);
        let port = self.connections.port(target);
        let what = format!("update {target} {}", object.name);
        let results = self
            .connections
            .retry
            .run(&what, || port.update(object, updates.clone()))
            .await;
        let results = self.per_record(target, results, indices.len())?;

        for ((&i, update), result) in indices.iter().zip(&updates).zip(results) {
            match result {
                Ok(_) => self.updated(&mut works[i], target),
                Err(error) => {
                    let action = if works[i].update(target).is_change {
                        "update"
                    } else {
                        "link"
                    };
                    let target_id = Some(update.id.clone());
                    self.failed(&works[i], target, target_id, action, &update.fields, error)
                        .await?;
                    restore_source_values(self.spec, &mut works[i], target);
                }
            }
        }
        Ok(())
    }

    fn updated(&mut self, work: &mut PairWork, target: System) {
        let update = work.update(target).clone();
        // Only the fields a read returns count towards the fingerprint of the write; a derived
        // field written here is not read back on this side.
        let read = self.spec.mapping.field_names(target);
        for (name, value) in &update.fields {
            if read.contains(name) {
                work.xref
                    .values_mut(target)
                    .insert(name.clone(), value.normalized());
            }
        }
        let link = work.xref.id(target.other()).to_string();
        let written = fingerprint(work.xref.values(target), Some(&link));
        work.xref.set_written(target, Some(written));
        let source = target.other();
        let action = if update.is_change { "update" } else { "link" };
        self.delivered
            .push((source, work.xref.id(source).to_string(), action));
        if update.is_change {
            self.report.updated += 1;
        }
        self.report.written += 1;
        tracing::debug!(flow = %self.spec.flow, %target, id = %work.xref.id(target),
            fields = update.fields.len(), link_written = update.link.is_some(), "record updated");
    }

    /// Turns the result of a whole call into one result per record (see
    /// [`support::per_record`]).
    fn per_record(
        &self,
        target: System,
        results: Result<Vec<WriteResult>, RemoteError>,
        expected: usize,
    ) -> Result<Vec<WriteResult>, PassError> {
        support::per_record(target, results, expected)
    }

    /// Records a refused write: a dead letter, or a deferral when the error is transient.
    async fn failed(
        &mut self,
        work: &PairWork,
        target: System,
        target_id: Option<String>,
        action: &str,
        payload: &Fields,
        error: RemoteError,
    ) -> Result<(), PassError> {
        if error.is_transient() {
            tracing::warn!(flow = %self.spec.flow, %target, error = %error, "write deferred to the next pass");
            self.report.deferred += 1;
            self.outcome.deferred.extend(work.records.iter().cloned());
            return Ok(());
        }
        let (source_system, source_id) = source_of(work, target);
        tracing::warn!(flow = %self.spec.flow, %target, %source_system, source_id = %source_id,
            action, error = %error, "write refused; dead letter stored");
        self.outcome
            .refused
            .push((source_system, source_id.clone(), error.clone()));
        let letter = DeadLetter {
            flow: self.spec.flow.clone(),
            source_system,
            source_id,
            target_id,
            action: action.to_string(),
            payload: payload.clone(),
            error,
        };
        self.connections.store.add_dead_letter(&letter).await?;
        self.report.dead_letters += 1;
        Ok(())
    }

    /// Resolves the open update dead letters of records that are back at their last synced
    /// values, for example after a person reverted a change the other side refused, with one
    /// store call per side. Such a record counts as delivered, so its sync status returns to
    /// synced.
    async fn settle_in_sync(&mut self, works: &[PairWork]) -> Result<(), PassError> {
        let mut by_system: BTreeMap<System, Vec<String>> = BTreeMap::new();
        for (work, &live) in works.iter().zip(&self.live) {
            if !live {
                continue;
            }
            for (system, id) in &work.in_sync {
                by_system.entry(*system).or_default().push(id.clone());
            }
        }
        let store = self.connections.store.as_ref();
        for (system, ids) in by_system {
            let mut resolved = store
                .resolve_dead_letters_batch(&self.spec.flow, system, &ids, "update")
                .await?;
            resolved.sort();
            resolved.dedup();
            for id in resolved {
                tracing::info!(flow = %self.spec.flow, %system, id = %id,
                    "dead letters resolved: the record is back at its last synced values");
                self.outcome.delivered.push((system, id));
            }
        }
        Ok(())
    }

    /// Marks the open dead letters of every source record that reached the other side in
    /// this pass as resolved, with one store call per side and action.
    async fn resolve_dead_letters(&self) -> Result<(), PassError> {
        let store = self.connections.store.as_ref();
        let mut groups: BTreeMap<(System, &str), Vec<String>> = BTreeMap::new();
        for (system, id, action) in &self.delivered {
            let ids = groups.entry((*system, *action)).or_default();
            ids.push(id.clone());
        }
        for ((system, action), ids) in groups {
            let resolved = store
                .resolve_dead_letters_batch(&self.spec.flow, system, &ids, action)
                .await?
                .len();
            if resolved > 0 {
                tracing::info!(flow = %self.spec.flow, %system, action, resolved,
                    "dead letters resolved by successful writes");
            }
        }
        Ok(())
    }

    /// Stores the cross-reference of every live pair whose two records exist, in one store
    /// call.
    async fn save_xrefs(&self, works: &[PairWork]) -> Result<(), PassError> {
        let xrefs: Vec<Xref> = works
            .iter()
            .zip(&self.live)
            .filter(|(work, live)| **live && !work.xref.ns_id.is_empty())
            .filter(|(work, _)| !work.xref.sf_id.is_empty())
            .map(|(work, _)| work.xref.clone())
            .collect();
        if !xrefs.is_empty() {
            self.connections.store.save_xref_batch(&xrefs).await?;
        }
        Ok(())
    }
}

fn records_of(work: &PairWork) -> Fields {
    work.create
        .as_ref()
        .map(|create| create.record.fields.clone())
        .unwrap_or_default()
}

/// Returns the record whose change a write to `target` carries.
fn source_of(work: &PairWork, target: System) -> (System, String) {
    let source = target.other();
    if let Some(create) = &work.create
        && create.source == source
    {
        return (source, create.record.link.clone());
    }
    (source, work.xref.id(source).to_string())
}

/// After a failed write to `target`, puts the source side's last synced values back for the
/// fields that were not written, so the next change to the source record carries them again.
fn restore_source_values(spec: &TwoWaySpec, work: &mut PairWork, target: System) {
    let Some(previous) = work.previous.clone() else {
        return;
    };
    let source = target.other();
    let names: Vec<String> = work.update(target).fields.keys().cloned().collect();
    for pair in &spec.mapping.pairs {
        if !names.iter().any(|name| name == pair.name(target)) {
            continue;
        }
        let source_name = pair.name(source).to_string();
        match previous.values(source).get(&source_name) {
            Some(value) => work
                .xref
                .values_mut(source)
                .insert(source_name, value.clone()),
            None => work.xref.values_mut(source).remove(&source_name),
        };
    }
}
