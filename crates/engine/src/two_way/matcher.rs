//! Planning records that have no cross-reference yet: link each to its counterpart, create the
//! counterpart, or hold the record as ambiguous.
//!
//! Matching runs in two rounds. IDs stored on the records come first, because they are
//! explicit. Then the remaining records are grouped with every record on the other side that
//! shares a key with them (normalized name or email). A group of exactly one record per side is
//! linked, a record alone is created on the other side, and every changed record of a larger
//! group becomes an `AMBIGUOUS_MATCH` dead letter, so that nothing is created for a company that
//! already exists twice.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::plan::{PairWork, PlannedCreate};
use super::read::{Change, ChangeBatch};
use super::{Connections, PassError, TwoWaySpec};
use crate::error::{ErrorClass, RemoteError};
use crate::mapping::normalized;
use crate::matching::{email_key, name_key};
use crate::record::{Fields, NewRecord, System};
use crate::report::PassReport;
use crate::state::{DeadLetter, SeenRecord, Xref};

/// A record on either side, as `(system, id)`.
type RecordKey = (System, String);

/// Plans the unlinked records of a pass. Returns the work to write; ambiguous records are
/// stored as dead letters here.
pub(super) async fn plan_unlinked(
    spec: &TwoWaySpec,
    connections: &Connections,
    batch: &ChangeBatch,
    unlinked: Vec<&Change>,
    report: &mut PassReport,
) -> Result<Vec<PairWork>, PassError> {
    let mut matcher = Matcher {
        spec,
        connections,
        batch,
        claimed: HashSet::new(),
    };
    let mut work = Vec::new();
    let mut pending = Vec::new();
    for change in unlinked {
        if matcher.claimed.contains(&key_of(change)) {
            continue;
        }
        match matcher.linked_by_id(change).await? {
            Some(other) => {
                matcher.claim(change, &other);
                report.linked += 1;
                work.push(matcher.plan_link(change, &other));
            }
            None => pending.push(change),
        }
    }
    pending.retain(|change| !matcher.claimed.contains(&key_of(change)));
    work.extend(matcher.plan_by_keys(&pending, report).await?);
    Ok(work)
}

fn key_of(change: &Change) -> RecordKey {
    (change.system, change.record.id.clone())
}

/// Finds counterparts, making sure no record is linked twice in a pass.
struct Matcher<'a> {
    spec: &'a TwoWaySpec,
    connections: &'a Connections,
    batch: &'a ChangeBatch,
    /// Records linked earlier in this pass.
    claimed: HashSet<RecordKey>,
}

/// Records that share keys, directly or through each other.
#[derive(Default)]
struct Group {
    /// Indices of the pending changes in the group.
    changes: Vec<usize>,
    /// Every record of the group, changed or not, by key.
    records: BTreeMap<RecordKey, Option<SeenRecord>>,
}

impl Matcher<'_> {
    fn claim(&mut self, change: &Change, other: &SeenRecord) {
        self.claimed.insert(key_of(change));
        self.claimed.insert((other.system, other.id.clone()));
    }

    /// Returns the counterpart named by an ID: the one this record stores, or one that stores
    /// this record's ID. Either must be free.
    async fn linked_by_id(&self, change: &Change) -> Result<Option<SeenRecord>, PassError> {
        let store = self.connections.store.as_ref();
        let other = change.system.other();
        let object = &self.spec.object(other).name;

        if let Some(link) = change
            .record
            .link
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            if let Some(seen) = store.seen(other, object, link).await?
                && self.is_free(&seen).await?
            {
                return Ok(Some(seen));
            }
            tracing::warn!(flow = %self.spec.flow, system = %change.system, id = %change.record.id,
                link, "stored link points to no free record; matching by keys");
        }

        let by_link = store.find_by_link(other, object, &change.record.id).await?;
        match self.free_only(by_link).await?.as_slice() {
            [only] => Ok(Some(only.clone())),
            _ => Ok(None),
        }
    }

    /// Returns the free records on the other side that share a key with the change.
    async fn key_candidates(&self, change: &Change) -> Result<Vec<SeenRecord>, PassError> {
        let keys = self.spec.keys(change.system);
        let text = |field: &Option<String>| {
            let value = change.record.fields.get(field.as_deref()?)?;
            value.as_text().map(str::to_string)
        };
        let name = text(&keys.name).and_then(|name| name_key(&name));
        let email = text(&keys.email).and_then(|email| email_key(&email));
        if name.is_none() && email.is_none() {
            return Ok(Vec::new());
        }
        let other = change.system.other();
        let object = &self.spec.object(other).name;
        let candidates = self
            .connections
            .store
            .find_by_key(other, object, name.as_deref(), email.as_deref())
            .await?;
        self.free_only(candidates).await
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

    /// Groups the pending changes with their key candidates and plans each group.
    async fn plan_by_keys(
        &mut self,
        pending: &[&Change],
        report: &mut PassReport,
    ) -> Result<Vec<PairWork>, PassError> {
        let mut edges = Vec::new();
        for (index, change) in pending.iter().enumerate() {
            for candidate in self.key_candidates(change).await? {
                edges.push((index, candidate));
            }
        }
        let mut work = Vec::new();
        for group in groups(pending, edges) {
            let sides: Vec<System> = group.records.keys().map(|key| key.0).collect();
            let netsuite = sides.iter().filter(|s| **s == System::NetSuite).count();
            let salesforce = sides.len() - netsuite;
            match (netsuite, salesforce) {
                (1, 0) | (0, 1) => work.push(self.plan_create(pending[group.changes[0]])),
                (1, 1) => {
                    if let Some((change, other)) = linkable_pair(pending, &group) {
                        self.claim(change, &other);
                        report.linked += 1;
                        work.push(self.plan_link(change, &other));
                    }
                }
                _ => {
                    for &index in &group.changes {
                        self.dead_letter_ambiguous(pending[index], &group).await?;
                        report.dead_letters += 1;
                    }
                }
            }
        }
        Ok(work)
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
        tracing::info!(flow = %self.spec.flow, ns_id = %work.xref.ns_id,
            sf_id = %work.xref.sf_id, "linked existing records");
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

    /// Stores a dead letter for a change that matches more than one record, naming the other
    /// records of its group.
    async fn dead_letter_ambiguous(&self, change: &Change, group: &Group) -> Result<(), PassError> {
        let other = change.system.other();
        let candidates: Vec<&str> = group
            .records
            .keys()
            .filter(|key| key.0 == other)
            .map(|key| key.1.as_str())
            .collect();
        let rivals = group
            .records
            .keys()
            .filter(|key| key.0 == change.system)
            .count()
            - 1;
        let message = format!(
            "{} {} has the same name or email as {} {other} record(s) ({}) and {rivals} other \
             {} record(s); nothing was linked or created. Link it by setting its {} to the \
             right {other} ID",
            change.system,
            change.record.id,
            candidates.len(),
            candidates.join(", "),
            change.system,
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

/// Returns the change and its counterpart in a group of one record per side. The counterpart
/// is the one that was found as a key candidate, so its values are known.
fn linkable_pair<'c>(pending: &[&'c Change], group: &Group) -> Option<(&'c Change, SeenRecord)> {
    group
        .changes
        .iter()
        .map(|&i| pending[i])
        .find_map(|change| {
            let (_, seen) = group
                .records
                .iter()
                .find(|(key, _)| key.0 != change.system)?;
            seen.clone().map(|other| (change, other))
        })
}

/// Splits the pending changes into groups connected by shared keys (a union-find over the
/// records on both sides).
fn groups(pending: &[&Change], edges: Vec<(usize, SeenRecord)>) -> Vec<Group> {
    let mut index: HashMap<RecordKey, usize> = HashMap::new();
    let mut parent: Vec<usize> = Vec::new();
    let mut node = |key: RecordKey, parent: &mut Vec<usize>| {
        *index.entry(key).or_insert_with(|| {
            parent.push(parent.len());
            parent.len() - 1
        })
    };
    let change_nodes: Vec<usize> = pending
        .iter()
        .map(|change| node(key_of(change), &mut parent))
        .collect();
    let mut seen_records: HashMap<usize, SeenRecord> = HashMap::new();
    for (change, candidate) in edges {
        let candidate_node = node((candidate.system, candidate.id.clone()), &mut parent);
        seen_records.insert(candidate_node, candidate);
        union(&mut parent, change_nodes[change], candidate_node);
    }

    let mut groups: BTreeMap<usize, Group> = BTreeMap::new();
    for (position, &change_node) in change_nodes.iter().enumerate() {
        let root = find(&mut parent, change_node);
        groups.entry(root).or_default().changes.push(position);
    }
    for (key, node) in index {
        let root = find(&mut parent, node);
        if let Some(group) = groups.get_mut(&root) {
            group.records.insert(key, seen_records.get(&node).cloned());
        }
    }
    groups.into_values().collect()
}

fn find(parent: &mut [usize], mut node: usize) -> usize {
    while parent[node] != node {
        parent[node] = parent[parent[node]];
        node = parent[node];
    }
    node
}

fn union(parent: &mut [usize], a: usize, b: usize) {
    let (root_a, root_b) = (find(parent, a), find(parent, b));
    if root_a != root_b {
        parent[root_b] = root_a;
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
