//! Deciding what to do with each changed record: update its linked counterpart, link it to an
//! existing record, create one, or skip it as an echo or a change to unmapped fields.

use std::collections::{BTreeMap, HashSet};

use super::read::{Change, ChangeBatch};
use super::{Connections, PassError, TwoWaySpec};
use crate::error::{ErrorClass, RemoteError};
use crate::loop_guard::fingerprint;
use crate::mapping::{FieldPair, normalized};
use crate::record::{FieldValue, Fields, NewRecord, System};
use crate::report::PassReport;
use crate::state::{DeadLetter, SeenRecord, Xref};

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
    fn new(xref: Xref) -> PairWork {
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
    let mut matcher = Matcher::new(spec, connections, batch);
    for change in unlinked {
        if let Some(pair) = matcher.plan_unlinked(change, report).await? {
            work.push(pair);
        }
    }
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
/// to different values goes to the record modified last (NetSuite on a tie, as the system of
/// record for billing).
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
        let winner = if sf.record.modified_at > ns.record.modified_at {
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

/// The outcome of looking for an unlinked record's counterpart.
enum Counterpart {
    Found(SeenRecord),
    Ambiguous(Vec<String>),
    None,
}

/// Finds counterparts for unlinked records, making sure no record is claimed twice in a pass.
struct Matcher<'a> {
    spec: &'a TwoWaySpec,
    connections: &'a Connections,
    batch: &'a ChangeBatch,
    claimed: HashSet<(System, String)>,
}

impl<'a> Matcher<'a> {
    fn new(spec: &'a TwoWaySpec, connections: &'a Connections, batch: &'a ChangeBatch) -> Self {
        Matcher {
            spec,
            connections,
            batch,
            claimed: HashSet::new(),
        }
    }

    /// Plans an unlinked record: link it to its counterpart, create one, or store a dead
    /// letter when several records match. Returns `None` when there is nothing to write.
    async fn plan_unlinked(
        &mut self,
        change: &Change,
        report: &mut PassReport,
    ) -> Result<Option<PairWork>, PassError> {
        let me = (change.system, change.record.id.clone());
        if self.claimed.contains(&me) {
            return Ok(None);
        }
        self.claimed.insert(me);
        match self.find_counterpart(change).await? {
            Counterpart::Found(other) => {
                self.claimed.insert((other.system, other.id.clone()));
                report.linked += 1;
                Ok(Some(self.plan_link(change, &other)))
            }
            Counterpart::Ambiguous(candidates) => {
                self.dead_letter_ambiguous(change, &candidates).await?;
                report.dead_letters += 1;
                Ok(None)
            }
            Counterpart::None => Ok(Some(self.plan_create(change))),
        }
    }

    /// Looks for the counterpart by the ID stored on the record, then by a record that stores
    /// this record's ID, then by exact name or email key.
    async fn find_counterpart(&self, change: &Change) -> Result<Counterpart, PassError> {
        let store = self.connections.store.as_ref();
        let other = change.system.other();
        let object = &self.spec.object(other).name;

        if let Some(link) = change
            .record
            .link
            .as_deref()
            .filter(|l| !l.trim().is_empty())
        {
            if let Some(seen) = store.seen(other, object, link.trim()).await? {
                if self.is_free(&seen).await? {
                    return Ok(Counterpart::Found(seen));
                }
            }
            tracing::warn!(flow = %self.spec.flow, system = %change.system, id = %change.record.id,
                link, "stored link points to no free record; matching by keys");
        }

        let by_link = store.find_by_link(other, object, &change.record.id).await?;
        if let [only] = self.free_only(by_link).await?.as_slice() {
            return Ok(Counterpart::Found(only.clone()));
        }

        let keys = self.spec.keys(change.system);
        let name = keys
            .name
            .as_deref()
            .and_then(|f| change.record.fields.get(f));
        let email = keys
            .email
            .as_deref()
            .and_then(|f| change.record.fields.get(f));
        let name_key = name
            .and_then(FieldValue::as_text)
            .and_then(crate::matching::name_key);
        let email_key = email
            .and_then(FieldValue::as_text)
            .and_then(crate::matching::email_key);
        if name_key.is_none() && email_key.is_none() {
            return Ok(Counterpart::None);
        }
        let candidates = store
            .find_by_key(other, object, name_key.as_deref(), email_key.as_deref())
            .await?;
        let mut free = self.free_only(candidates).await?;
        Ok(match free.len() {
            0 => Counterpart::None,
            1 => Counterpart::Found(free.remove(0)),
            _ => Counterpart::Ambiguous(free.into_iter().map(|seen| seen.id).collect()),
        })
    }

    async fn free_only(&self, records: Vec<SeenRecord>) -> Result<Vec<SeenRecord>, PassError> {
        let mut free = Vec::new();
        for record in records {
            if self.is_free(&record).await? {
                free.push(record);
            }
        }
        Ok(free)
    }

    /// Returns true when a record is neither linked in the store nor claimed in this pass.
    async fn is_free(&self, record: &SeenRecord) -> Result<bool, PassError> {
        if self.claimed.contains(&(record.system, record.id.clone())) {
            return Ok(false);
        }
        let xref = self
            .connections
            .store
            .xref(&self.spec.flow, record.system, &record.id)
            .await?;
        Ok(xref.is_none())
    }

    /// Links two existing records: each gets the other's ID, and a mapped field that is blank
    /// on one side is filled from the other. Fields set on both sides are left as they are.
    fn plan_link(&self, change: &Change, other: &SeenRecord) -> PairWork {
        let this_side = change.system;
        let other_side = other.system;
        let (ns_id, sf_id) = match this_side {
            System::NetSuite => (change.record.id.clone(), other.id.clone()),
            System::Salesforce => (other.id.clone(), change.record.id.clone()),
        };
        let mut xref = new_xref(&self.spec.flow, ns_id, sf_id);
        *xref.values_mut(this_side) = change.values.clone();
        *xref.values_mut(other_side) = other.values.clone();

        let mut work = PairWork::new(xref);
        fill_blanks(self.spec, &mut work, this_side);
        if change.record.link.as_deref() != Some(other.id.as_str()) {
            work.update_mut(this_side).link = Some(other.id.clone());
        }
        if other.link.as_deref() != Some(change.record.id.as_str()) {
            work.update_mut(other_side).link = Some(change.record.id.clone());
        }
        work.records.push((this_side, change.record.id.clone()));
        if self.in_batch(other) {
            work.records.push((other_side, other.id.clone()));
        }
        tracing::info!(flow = %self.spec.flow, ns_id = %work.xref.ns_id, sf_id = %work.xref.sf_id, "linked existing records");
        work
    }

    fn in_batch(&self, record: &SeenRecord) -> bool {
        self.batch
            .changes
            .iter()
            .any(|c| c.system == record.system && c.record.id == record.id)
    }

    /// Plans the creation of the counterpart, keyed by this record's ID so that a repeated
    /// create updates instead of duplicating.
    fn plan_create(&self, change: &Change) -> PairWork {
        let target = change.system.other();
        let source_values: Fields = change
            .values
            .iter()
            .filter(|(_, value)| !value.is_blank())
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect();
        let fields = self.spec.mapping.translate(change.system, &source_values);

        let (ns_id, sf_id) = match change.system {
            System::NetSuite => (change.record.id.clone(), String::new()),
            System::Salesforce => (String::new(), change.record.id.clone()),
        };
        let mut xref = new_xref(&self.spec.flow, ns_id, sf_id);
        *xref.values_mut(change.system) = change.values.clone();
        *xref.values_mut(target) = self.spec.mapping.project(target, &fields);

        let mut work = PairWork::new(xref);
        work.create = Some(PlannedCreate {
            source: change.system,
            record: NewRecord {
                link: change.record.id.clone(),
                fields,
            },
            source_link: change.record.link.clone(),
        });
        work.records.push((change.system, change.record.id.clone()));
        work
    }

    async fn dead_letter_ambiguous(
        &self,
        change: &Change,
        candidates: &[String],
    ) -> Result<(), PassError> {
        let other = change.system.other();
        let message = format!(
            "{} {} matches {} {} records with the same name or email ({}); link it by setting \
             its {} to the right ID",
            change.system,
            change.record.id,
            candidates.len(),
            other,
            candidates.join(", "),
            self.spec.object(change.system).link_field,
        );
        tracing::warn!(flow = %self.spec.flow, system = %change.system, id = %change.record.id,
            candidates = %candidates.join(","), "ambiguous match; dead letter stored");
        let letter = DeadLetter {
            flow: self.spec.flow.clone(),
            source_system: change.system,
            source_id: change.record.id.clone(),
            target_id: None,
            action: "link".to_string(),
            payload: change.values.clone(),
            error: RemoteError::new(other, ErrorClass::Data, "AMBIGUOUS_MATCH", message),
        };
        self.connections.store.add_dead_letter(&letter).await?;
        Ok(())
    }
}

fn new_xref(flow: &str, ns_id: String, sf_id: String) -> Xref {
    Xref {
        flow: flow.to_string(),
        ns_id,
        sf_id,
        ns_values: Fields::new(),
        sf_values: Fields::new(),
        ns_written: None,
        sf_written: None,
    }
}

/// Copies each mapped value that is blank on one side from the other side.
fn fill_blanks(spec: &TwoWaySpec, work: &mut PairWork, first: System) {
    for pair in &spec.mapping.pairs {
        for side in [first, first.other()] {
            let own = normalized(work.xref.values(side).get(pair.name(side)));
            let other = normalized(work.xref.values(side.other()).get(pair.name(side.other())));
            if own.is_blank() && !other.is_blank() {
                let name = pair.name(side).to_string();
                work.update_mut(side).fields.insert(name, other);
            }
        }
    }
}
