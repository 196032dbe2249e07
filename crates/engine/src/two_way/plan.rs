//! Deciding what to do with each changed record: update its linked counterpart, link it to an
//! existing record, create one, or skip it as an echo or a change to unmapped fields.

use std::collections::BTreeMap;

use super::matcher;
use super::read::{Change, ChangeBatch};
use super::{Connections, PassError, TwoWaySpec};
use crate::loop_guard::fingerprint;
use crate::mapping::{FieldPair, normalized};
use crate::record::{Fields, NewRecord, System};
use crate::report::PassReport;
use crate::state::Xref;

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

/// Turns a batch of changes into pair work, counting echoes and unchanged records and storing
/// a dead letter for each record that cannot be matched safely.
pub(super) async fn plan(
    spec: &TwoWaySpec,
    connections: &Connections,
    batch: &ChangeBatch,
    report: &mut PassReport,
) -> Result<Vec<PairWork>, PassError> {
    let mut linked: BTreeMap<String, (Xref, Vec<&Change>)> = BTreeMap::new();
    let mut unlinked: Vec<&Change> = Vec::new();
    for change in &batch.changes {
        let xref = connections
            .store
            .xref(&spec.flow, change.system, &change.record.id)
            .await?;
        match xref {
            Some(xref) => linked
                .entry(xref.ns_id.clone())
                .or_insert_with(|| (xref, Vec::new()))
                .1
                .push(change),
            None => unlinked.push(change),
        }
    }

    let mut work = Vec::new();
    for (xref, changes) in linked.into_values() {
        work.push(plan_sync(spec, xref, &changes, report));
    }
    work.extend(matcher::plan_unlinked(spec, connections, batch, unlinked, report).await?);
    Ok(work)
}

/// Plans a linked pair: drops echoes, merges the fields changed on either side and resolves
/// fields changed on both.
fn plan_sync(
    spec: &TwoWaySpec,
    mut xref: Xref,
    changes: &[&Change],
    report: &mut PassReport,
) -> PairWork {
    let previous = xref.clone();
    let ns = changes
        .iter()
        .find(|c| c.system == System::NetSuite)
        .copied();
    let sf = changes
        .iter()
        .find(|c| c.system == System::Salesforce)
        .copied();
    let ns_changed = side_changes(spec, &mut xref, ns, report);
    let sf_changed = side_changes(spec, &mut xref, sf, report);

    let mut work = PairWork::new(xref.clone());
    for change in [ns, sf].into_iter().flatten() {
        work.records.push((change.system, change.record.id.clone()));
        let expected_link = xref.id(change.system.other()).to_string();
        if change.record.link.as_deref() != Some(expected_link.as_str()) {
            work.update_mut(change.system).link = Some(expected_link);
        }
    }

    let winners = resolve_conflicts(spec, &xref, ns, sf, &ns_changed, &sf_changed);
    for (pair, from) in winners {
        let source = if from == System::NetSuite { ns } else { sf };
        let Some(source) = source else { continue };
        let value = normalized(source.values.get(pair.name(from)));
        let target = from.other();
        let update = work.update_mut(target);
        update.fields.insert(pair.name(target).to_string(), value);
        update.is_change = true;
    }
    work.xref = xref;
    work.previous = Some(previous);
    work
}

/// Compares one side's record with the pair's last synced values. Returns the pairs that
/// changed; an echo of Tandem's own write or an edit of unmapped fields returns none.
fn side_changes<'a>(
    spec: &'a TwoWaySpec,
    xref: &mut Xref,
    change: Option<&Change>,
    report: &mut PassReport,
) -> Vec<&'a FieldPair> {
    let Some(change) = change else {
        return Vec::new();
    };
    let system = change.system;
    let current = fingerprint(&change.values, change.record.link.as_deref());
    let is_echo = xref.written(system) == Some(current.as_str());
    xref.set_written(system, None);
    if is_echo {
        tracing::debug!(flow = %spec.flow, %system, id = %change.record.id, "echo of own write skipped");
        report.echoes_skipped += 1;
        *xref.values_mut(system) = change.values.clone();
        return Vec::new();
    }

    let changed = spec
        .mapping
        .changed(system, xref.values(system), &change.values);
    if changed.is_empty() {
        report.unchanged += 1;
    }
    *xref.values_mut(system) = change.values.clone();
    changed
}

/// Returns, for every changed pair, the side whose value wins. A pair changed on both sides
/// to different values goes to the record modified last, compared in whole seconds, and to
/// NetSuite on a tie.
fn resolve_conflicts<'a>(
    spec: &TwoWaySpec,
    xref: &Xref,
    ns: Option<&Change>,
    sf: Option<&Change>,
    ns_changed: &[&'a FieldPair],
    sf_changed: &[&'a FieldPair],
) -> Vec<(&'a FieldPair, System)> {
    let mut winners: Vec<(&FieldPair, System)> = Vec::new();
    for &pair in ns_changed {
        winners.push((pair, System::NetSuite));
    }
    for &pair in sf_changed {
        if !ns_changed.contains(&pair) {
            winners.push((pair, System::Salesforce));
            continue;
        }
        let (Some(ns), Some(sf)) = (ns, sf) else {
            continue;
        };
        let ns_value = normalized(ns.values.get(&pair.netsuite));
        let sf_value = normalized(sf.values.get(&pair.salesforce));
        winners.retain(|(kept, _)| *kept != pair);
        if ns_value == sf_value {
            continue;
        }
        // NetSuite's times have whole seconds only, so within one second the order of the two
        // edits is unknown and the tie goes to NetSuite.
        let winner = if sf.record.modified_at.timestamp() > ns.record.modified_at.timestamp() {
            System::Salesforce
        } else {
            System::NetSuite
        };
        tracing::warn!(
            flow = %spec.flow, ns_id = %xref.ns_id, sf_id = %xref.sf_id,
            netsuite_field = %pair.netsuite, salesforce_field = %pair.salesforce,
            %winner, "field changed on both sides; the later change wins"
        );
        winners.push((pair, winner));
    }
    winners
}
