//! Deciding each changed field of a linked pair: which side's value is written, which fields
//! wait in the conflict queue, and what goes into the audit log.

use super::TwoWaySpec;
use super::read::Change;
use super::settings::ConflictPolicy;
use crate::mapping::{FieldPair, LookupTable, Mapping, normalized};
use crate::record::{FieldValue, System};
use crate::state::{AuditEntry, Conflict, ConflictStatus, StoredConflict, Xref};

/// What to do with the changed fields of one pair.
#[derive(Debug, Default)]
pub(super) struct FieldDecisions<'a> {
    /// Values to write: the pair, the side the value comes from, and the value.
    pub writes: Vec<(&'a FieldPair, System, FieldValue)>,
    /// Fields waiting for a person: nothing is written and their last synced values stay as
    /// they were, so the difference is still seen later.
    pub held: Vec<&'a FieldPair>,
    /// Conflicts to park or refresh in the queue.
    pub park: Vec<Conflict>,
    /// Conflicts settled in this pass.
    pub finished: Vec<i64>,
    pub audit: Vec<AuditEntry>,
}

/// The records and synced values a decision looks at.
pub(super) struct PairState<'c> {
    pub xref: &'c Xref,
    /// The last synced values before this pass.
    pub previous: &'c Xref,
    pub ns: Option<&'c Change>,
    pub sf: Option<&'c Change>,
    /// Conflicts of this pair that are open or decided.
    pub conflicts: &'c [StoredConflict],
    pub mapping: &'c Mapping,
    pub lookups: &'c LookupTable,
}

impl PairState<'_> {
    fn current(&self, system: System, pair: &FieldPair) -> Option<FieldValue> {
        let change = match system {
            System::NetSuite => self.ns,
            System::Salesforce => self.sf,
        }?;
        Some(normalized(change.values.get(pair.name(system))))
    }

    /// Returns true when the two sides' values mean the same, once the Salesforce value is
    /// converted the way it would be written to NetSuite.
    fn agree(&self, pair: &FieldPair, netsuite: &FieldValue, salesforce: &FieldValue) -> bool {
        match self
            .mapping
            .convert(pair, System::Salesforce, salesforce, self.lookups)
        {
            Ok(converted) => converted == *netsuite,
            Err(_) => false,
        }
    }

    fn conflict_on(&self, pair: &FieldPair) -> Option<&StoredConflict> {
        self.conflicts
            .iter()
            .find(|stored| stored.conflict.netsuite_field == pair.netsuite)
    }

    fn audit(&self, spec: &TwoWaySpec, pair: &FieldPair, decision: String) -> AuditEntry {
        AuditEntry {
            flow: spec.flow.clone(),
            kind: "conflict".to_string(),
            ns_id: Some(self.xref.ns_id.clone()),
            sf_id: Some(self.xref.sf_id.clone()),
            field: Some(format!("{}/{}", pair.netsuite, pair.salesforce)),
            netsuite_value: self.current(System::NetSuite, pair),
            salesforce_value: self.current(System::Salesforce, pair),
            decision,
        }
    }
}

/// Decides every field changed on either side. A field changed on one side is written to the
/// other; a field changed on both to different values follows its policy; a field with a
/// conflict in the queue waits for the person, or takes the value the person chose.
pub(super) fn decide<'a>(
    spec: &'a TwoWaySpec,
    state: &PairState<'_>,
    ns_changed: &[&'a FieldPair],
    sf_changed: &[&'a FieldPair],
) -> FieldDecisions<'a> {
    let mut decisions = FieldDecisions::default();
    for pair in &spec.mapping.pairs {
        let on_ns = ns_changed.contains(&pair);
        let on_sf = sf_changed.contains(&pair);
        if let Some(stored) = state.conflict_on(pair) {
            queued(spec, state, pair, stored, &mut decisions);
            continue;
        }
        match (on_ns, on_sf) {
            (true, false) => one_side(state, pair, System::NetSuite, &mut decisions),
            (false, true) => one_side(state, pair, System::Salesforce, &mut decisions),
            (true, true) => both_sides(spec, state, pair, &mut decisions),
            (false, false) => {}
        }
    }
    decisions
}

fn one_side<'a>(
    state: &PairState<'_>,
    pair: &'a FieldPair,
    from: System,
    decisions: &mut FieldDecisions<'a>,
) {
    if let Some(value) = state.current(from, pair) {
        decisions.writes.push((pair, from, value));
    }
}

/// Applies the policy to a field changed on both sides.
fn both_sides<'a>(
    spec: &TwoWaySpec,
    state: &PairState<'_>,
    pair: &'a FieldPair,
    decisions: &mut FieldDecisions<'a>,
) {
    let (Some(ns_value), Some(sf_value)) = (
        state.current(System::NetSuite, pair),
        state.current(System::Salesforce, pair),
    ) else {
        return;
    };
    if state.agree(pair, &ns_value, &sf_value) {
        return;
    }
    let policy = spec.conflicts.policy(pair);
    let winner = match policy {
        ConflictPolicy::NetSuite => System::NetSuite,
        ConflictPolicy::Salesforce => System::Salesforce,
        ConflictPolicy::Latest => later_side(state),
        ConflictPolicy::Manual => {
            decisions.held.push(pair);
            decisions
                .park
                .push(conflict(spec, state, pair, ns_value, sf_value));
            let text = "parked for a person (policy manual)".to_string();
            decisions.audit.push(state.audit(spec, pair, text));
            tracing::warn!(flow = %spec.flow, ns_id = %state.xref.ns_id, sf_id = %state.xref.sf_id,
                field = %pair.netsuite, "field changed on both sides; parked in the conflict queue");
            return;
        }
    };
    let value = if winner == System::NetSuite {
        ns_value
    } else {
        sf_value
    };
    let text = format!("{winner} value written (policy {policy})");
    decisions.audit.push(state.audit(spec, pair, text));
    tracing::info!(flow = %spec.flow, ns_id = %state.xref.ns_id, sf_id = %state.xref.sf_id,
        field = %pair.netsuite, %winner, %policy, "field changed on both sides");
    decisions.writes.push((pair, winner, value));
}

/// Returns the side modified last, in whole seconds because NetSuite's times have no finer
/// grain; NetSuite on a tie.
fn later_side(state: &PairState<'_>) -> System {
    let second = |change: Option<&Change>| change.map(|c| c.record.modified_at.timestamp());
    match (second(state.ns), second(state.sf)) {
        (Some(ns), Some(sf)) if sf > ns => System::Salesforce,
        _ => System::NetSuite,
    }
}

/// Handles a field that has a conflict in the queue.
fn queued<'a>(
    spec: &TwoWaySpec,
    state: &PairState<'_>,
    pair: &'a FieldPair,
    stored: &StoredConflict,
    decisions: &mut FieldDecisions<'a>,
) {
    let ns_value = state.current(System::NetSuite, pair);
    let sf_value = state.current(System::Salesforce, pair);
    if let (ConflictStatus::Decided, Some(winner)) = (stored.status, stored.winner) {
        let chosen = match winner {
            System::NetSuite => ns_value.unwrap_or(stored.conflict.netsuite_value.clone()),
            System::Salesforce => sf_value.unwrap_or(stored.conflict.salesforce_value.clone()),
        };
        decisions.writes.push((pair, winner, chosen));
        decisions.finished.push(stored.id);
        let text = format!(
            "{winner} value written (chosen by a person, conflict {})",
            stored.id
        );
        decisions.audit.push(state.audit(spec, pair, text));
        return;
    }
    match (ns_value, sf_value) {
        (Some(ns), Some(sf)) if state.agree(pair, &ns, &sf) => {
            decisions.finished.push(stored.id);
            let text = format!("settled: both sides now agree (conflict {})", stored.id);
            decisions.audit.push(state.audit(spec, pair, text));
        }
        (Some(ns), Some(sf)) => {
            decisions.held.push(pair);
            decisions.park.push(conflict(spec, state, pair, ns, sf));
        }
        _ => decisions.held.push(pair),
    }
}

fn conflict(
    spec: &TwoWaySpec,
    state: &PairState<'_>,
    pair: &FieldPair,
    netsuite_value: FieldValue,
    salesforce_value: FieldValue,
) -> Conflict {
    Conflict {
        flow: spec.flow.clone(),
        ns_id: state.xref.ns_id.clone(),
        sf_id: state.xref.sf_id.clone(),
        netsuite_field: pair.netsuite.clone(),
        salesforce_field: pair.salesforce.clone(),
        synced_value: normalized(state.previous.ns_values.get(&pair.netsuite)),
        netsuite_value,
        salesforce_value,
    }
}
