//! Deciding what to do with each changed record: update its linked counterpart, link it to an
//! existing record, create one, or skip it as an echo or a change to unmapped fields.

use std::collections::BTreeMap;

use super::conflict::{self, PairState};
use super::matcher;
use super::read::{Change, ChangeBatch};
use super::{Connections, PassError, TwoWaySpec};
use crate::error::{ErrorClass, RemoteError};
use crate::loop_guard::fingerprint;
use crate::mapping::{FieldPair, LookupTable, MappingError, normalized};
use crate::record::{Fields, NewRecord, System};
use crate::report::PassReport;
use crate::state::{AuditEntry, Conflict, ConflictStatus, StoredConflict, Xref};

/// The write planned for one side of a pair.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct SideUpdate {
    /// Fields to write, keyed by this side's field names.
    pub fields: Fields,
    /// A new link value, when the record does not carry its counterpart's ID yet.
    pub link: Option<String>,
    /// True when the update carries a change made on the other side, as opposed to a link
    /// write-back or blanks filled in while linking.
    pub is_change: bool,
}

impl SideUpdate {
    fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.link.is_none()
    }
}

/// A record to create on the side opposite `source`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PlannedCreate {
    pub source: System,
    pub record: NewRecord,
    /// The source record's current link value, to know whether a write-back is needed.
    pub source_link: Option<String>,
}

/// Everything a pass writes for one NetSuite/Salesforce pair.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct PairWork {
    /// The pair's cross-reference as it will be stored. For a create, the target side's ID
    /// is empty until the create succeeds.
    pub xref: Xref,
    pub create: Option<PlannedCreate>,
    pub netsuite: SideUpdate,
    pub salesforce: SideUpdate,
    /// Changed records of this pass that the work handles, as `(system, id)`.
    pub records: Vec<(System, String)>,
    /// The last synced values before this pass, restored for a side whose change could not be
    /// written, so that the change is found again later.
    pub previous: Option<Xref>,
    /// A value that could not be mapped (a parent not linked yet, a failed expression): the
    /// write to this side is not sent and becomes a dead letter.
    pub error: Option<(System, RemoteError)>,
    /// Changed records whose mapped values equal the last synced values, as `(system, id)`.
    /// A refused change that was reverted leaves nothing to send, so its dead letter is
    /// settled instead.
    pub in_sync: Vec<(System, String)>,
}

impl PairWork {
    pub(super) fn new(xref: Xref) -> PairWork {
        PairWork {
            xref,
            create: None,
            netsuite: SideUpdate::default(),
            salesforce: SideUpdate::default(),
            records: Vec::new(),
            previous: None,
            error: None,
            in_sync: Vec::new(),
        }
    }

    /// Returns the update for `system`'s side.
    pub fn update(&self, system: System) -> &SideUpdate {
        match system {
            System::NetSuite => &self.netsuite,
            System::Salesforce => &self.salesforce,
        }
    }

    /// Returns the update for `system`'s side for changing.
    pub fn update_mut(&mut self, system: System) -> &mut SideUpdate {
        match system {
            System::NetSuite => &mut self.netsuite,
            System::Salesforce => &mut self.salesforce,
        }
    }

    /// Returns true when `system`'s side has something to write.
    pub fn has_update(&self, system: System) -> bool {
        !self.update(system).is_empty()
    }
}

/// Turns a batch of changes into pair work: linked pairs are merged field by field (with
/// conflicts decided or parked), decisions that people made in the queues are carried out, and
/// unlinked records go to the matcher.
pub(super) async fn plan(
    spec: &TwoWaySpec,
    connections: &Connections,
    batch: &ChangeBatch,
    report: &mut PassReport,
) -> Result<Vec<PairWork>, PassError> {
    let store = connections.store.as_ref();
    let mut linked: BTreeMap<String, (Xref, Vec<&Change>)> = BTreeMap::new();
    let mut unlinked: Vec<&Change> = Vec::new();
    let mut xrefs = BTreeMap::new();
    for system in [System::NetSuite, System::Salesforce] {
        let ids: Vec<String> = batch
            .changes
            .iter()
            .filter(|change| change.system == system)
            .map(|change| change.record.id.clone())
            .collect();
        if !ids.is_empty() {
            xrefs.insert(system, store.xref_batch(&spec.flow, system, &ids).await?);
        }
    }
    for change in &batch.changes {
        let xref = xrefs
            .get(&change.system)
            .and_then(|found| found.get(&change.record.id))
            .cloned();
        match xref {
            Some(xref) => linked
                .entry(xref.ns_id.clone())
                .or_insert_with(|| (xref, Vec::new()))
                .1
                .push(change),
            None => unlinked.push(change),
        }
    }

    let keys = batch
        .changes
        .iter()
        .flat_map(|change| spec.mapping.lookup_keys(change.system, &change.values))
        .collect();
    let lookups = LookupTable::load(store, keys).await?;

    let ns_ids: Vec<String> = linked
        .values()
        .map(|(xref, _)| xref.ns_id.clone())
        .collect();
    let conflicts = store.pair_conflicts_batch(&spec.flow, &ns_ids).await?;
    let mut work = Vec::new();
    for (xref, changes) in linked.values() {
        let context = SyncContext {
            spec,
            conflicts: conflicts.get(&xref.ns_id).map_or(&[], Vec::as_slice),
            lookups: &lookups,
        };
        let (pair, outcome) = plan_sync(&context, xref.clone(), changes, report);
        outcome.record(connections).await?;
        work.push(pair);
    }
    work.extend(decided_conflicts(spec, connections, &linked).await?);
    let unlinked_work =
        matcher::plan_unlinked(spec, connections, batch, unlinked, lookups, report).await?;
    work.extend(unlinked_work);
    Ok(work)
}

/// What merging a pair decided about the queues and the audit log.
struct QueueOutcome {
    park: Vec<Conflict>,
    finished: Vec<i64>,
    audit: Vec<AuditEntry>,
}

impl QueueOutcome {
    /// Parks and settles conflicts and appends the audit entries.
    async fn record(self, connections: &Connections) -> Result<(), PassError> {
        let store = connections.store.as_ref();
        for conflict in &self.park {
            store.add_conflict(conflict).await?;
        }
        for id in self.finished {
            store.finish_conflict(id).await?;
        }
        if !self.audit.is_empty() {
            store.audit_batch(&self.audit).await?;
        }
        Ok(())
    }
}

/// What planning a linked pair looks at besides its records.
struct SyncContext<'a> {
    spec: &'a TwoWaySpec,
    /// The pair's open and decided conflicts.
    conflicts: &'a [StoredConflict],
    lookups: &'a LookupTable,
}

/// Plans a linked pair: drops echoes, then writes each changed field to the other side, as
/// its conflict policy and the conflict queue decide, and recomputes derived fields whose
/// inputs changed.
fn plan_sync(
    context: &SyncContext<'_>,
    mut xref: Xref,
    changes: &[&Change],
    report: &mut PassReport,
) -> (PairWork, QueueOutcome) {
    let spec = context.spec;
    let previous = xref.clone();
    let of = |system| changes.iter().find(|c| c.system == system).copied();
    let (ns, sf) = (of(System::NetSuite), of(System::Salesforce));
    let ns_side = side_changes(spec, &mut xref, ns, report);
    let sf_side = side_changes(spec, &mut xref, sf, report);

    let mut work = PairWork::new(xref.clone());
    for (change, side) in [(ns, &ns_side), (sf, &sf_side)] {
        if let (Some(change), SideChanges::Unchanged) = (change, side) {
            work.in_sync.push((change.system, change.record.id.clone()));
        }
    }
    let ns_changed = ns_side.into_fields();
    let sf_changed = sf_side.into_fields();
    for change in [ns, sf].into_iter().flatten() {
        work.records.push((change.system, change.record.id.clone()));
        let expected_link = xref.id(change.system.other()).to_string();
        if change.record.link.as_deref() != Some(expected_link.as_str()) {
            work.update_mut(change.system).link = Some(expected_link);
        }
    }

    let state = PairState {
        xref: &xref,
        previous: &previous,
        ns,
        sf,
        conflicts: context.conflicts,
        mapping: &spec.mapping,
        lookups: context.lookups,
    };
    let decisions = conflict::decide(spec, &state, &ns_changed, &sf_changed);
    for (pair, from, value) in &decisions.writes {
        let target = from.other();
        match spec.mapping.convert(pair, *from, value, context.lookups) {
            Ok(value) => {
                let update = work.update_mut(target);
                update.fields.insert(pair.name(target).to_string(), value);
                update.is_change = true;
            }
            Err(error) => work.error = Some((target, mapping_error(target, error))),
        }
    }
    for change in [ns, sf].into_iter().flatten() {
        let source = change.system;
        let before = previous.values(source);
        for derived in spec.mapping.derived_changed(source, before, &change.values) {
            match spec.mapping.evaluate(derived, &change.values) {
                Ok(value) => {
                    let update = work.update_mut(derived.target);
                    update.fields.insert(derived.field.clone(), value);
                    update.is_change = true;
                }
                Err(error) => {
                    work.error = Some((derived.target, mapping_error(derived.target, error)));
                }
            }
        }
    }
    // A held field keeps its last synced value on both sides, so the difference stays visible.
    for pair in &decisions.held {
        for system in [System::NetSuite, System::Salesforce] {
            let name = pair.name(system).to_string();
            let synced = normalized(previous.values(system).get(&name));
            xref.values_mut(system).insert(name, synced);
        }
    }
    work.xref = xref;
    work.previous = Some(previous);
    let outcome = QueueOutcome {
        park: decisions.park,
        finished: decisions.finished,
        audit: decisions.audit,
    };
    (work, outcome)
}

/// Turns a value that could not be mapped into the error of the write it blocks.
pub(super) fn mapping_error(target: System, error: MappingError) -> RemoteError {
    let code = match error {
        MappingError::NotLinked { .. } => crate::one_way::PARENT_NOT_LINKED,
        MappingError::Expression { .. } => "EXPRESSION_FAILED",
    };
    RemoteError::new(target, ErrorClass::Data, code, error.to_string())
}

/// Carries out conflicts that a person decided, for pairs with no change in this pass: the
/// chosen value is written to the other side.
async fn decided_conflicts(
    spec: &TwoWaySpec,
    connections: &Connections,
    linked: &BTreeMap<String, (Xref, Vec<&Change>)>,
) -> Result<Vec<PairWork>, PassError> {
    let store = connections.store.as_ref();
    let decided = store
        .conflicts(Some(&spec.flow), Some(ConflictStatus::Decided))
        .await?;
    let mut works: BTreeMap<String, PairWork> = BTreeMap::new();
    for stored in decided {
        let conflict = &stored.conflict;
        let (Some(winner), false) = (stored.winner, linked.contains_key(&conflict.ns_id)) else {
            continue;
        };
        let Some(xref) = store
            .xref(&spec.flow, System::NetSuite, &conflict.ns_id)
            .await?
        else {
            store.finish_conflict(stored.id).await?;
            continue;
        };
        let work = works.entry(conflict.ns_id.clone()).or_insert_with(|| {
            let mut work = PairWork::new(xref.clone());
            work.previous = Some(xref);
            work
        });
        let value = match winner {
            System::NetSuite => conflict.netsuite_value.clone(),
            System::Salesforce => conflict.salesforce_value.clone(),
        };
        let loser = winner.other();
        let loser_field = match loser {
            System::NetSuite => &conflict.netsuite_field,
            System::Salesforce => &conflict.salesforce_field,
        };
        let winner_field = match winner {
            System::NetSuite => &conflict.netsuite_field,
            System::Salesforce => &conflict.salesforce_field,
        };
        let update = work.update_mut(loser);
        update.fields.insert(loser_field.clone(), value.clone());
        update.is_change = true;
        work.xref
            .values_mut(winner)
            .insert(winner_field.clone(), value.clone());
        store.finish_conflict(stored.id).await?;
        store
            .audit(&AuditEntry {
                flow: spec.flow.clone(),
                kind: "conflict".to_string(),
                ns_id: Some(conflict.ns_id.clone()),
                sf_id: Some(conflict.sf_id.clone()),
                field: Some(format!(
                    "{}/{}",
                    conflict.netsuite_field, conflict.salesforce_field
                )),
                netsuite_value: Some(conflict.netsuite_value.clone()),
                salesforce_value: Some(conflict.salesforce_value.clone()),
                decision: format!(
                    "{winner} value written (chosen by a person, conflict {})",
                    stored.id
                ),
            })
            .await?;
    }
    Ok(works.into_values().collect())
}

/// The result of comparing one side's record with the pair's last synced values.
enum SideChanges<'a> {
    /// The side did not change in this pass.
    Absent,
    /// The record is an echo of Tandem's own write.
    Echo,
    /// The record changed, but no mapped field did.
    Unchanged,
    /// The mapped fields that changed.
    Changed(Vec<&'a FieldPair>),
}

impl<'a> SideChanges<'a> {
    fn into_fields(self) -> Vec<&'a FieldPair> {
        match self {
            SideChanges::Changed(fields) => fields,
            SideChanges::Absent | SideChanges::Echo | SideChanges::Unchanged => Vec::new(),
        }
    }
}

/// Compares one side's record with the pair's last synced values and takes its current values
/// as the pair's values for that side.
fn side_changes<'a>(
    spec: &'a TwoWaySpec,
    xref: &mut Xref,
    change: Option<&Change>,
    report: &mut PassReport,
) -> SideChanges<'a> {
    let Some(change) = change else {
        return SideChanges::Absent;
    };
    let system = change.system;
    let current = fingerprint(&change.values, change.record.link.as_deref());
    let is_echo = xref.written(system) == Some(current.as_str());
    xref.set_written(system, None);
    if is_echo {
        tracing::debug!(flow = %spec.flow, %system, id = %change.record.id, "echo of own write skipped");
        report.echoes_skipped += 1;
        *xref.values_mut(system) = change.values.clone();
        return SideChanges::Echo;
    }

    let changed = spec
        .mapping
        .changed(system, xref.values(system), &change.values);
    *xref.values_mut(system) = change.values.clone();
    if changed.is_empty() {
        report.unchanged += 1;
        return SideChanges::Unchanged;
    }
    SideChanges::Changed(changed)
}
