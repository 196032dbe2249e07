//! Groups of unlinked records connected by candidate scores, so that a company present twice
//! on one side is seen as a whole instead of record by record.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::matcher::{RecordKey, key_of};
use super::read::Change;
use crate::matching::Score;
use crate::state::SeenRecord;

/// A candidate of a pending change, with its score.
pub(super) struct Edge {
    /// Index of the change among the pending ones.
    pub change: usize,
    pub candidate: SeenRecord,
    pub score: Score,
}

/// Records connected by edges, directly or through each other.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Group {
    /// Indices of the pending changes in the group.
    pub changes: Vec<usize>,
    /// Every record of the group, changed or not.
    pub records: BTreeSet<RecordKey>,
    /// Indices of the group's edges.
    pub edges: Vec<usize>,
}

/// Splits the pending changes into groups connected by edges (a union-find over the records
/// of both sides). Every change is in exactly one group; a change with no edge is alone.
pub(super) fn groups(pending: &[&Change], edges: &[Edge]) -> Vec<Group> {
    let mut sets = DisjointSets::default();
    let change_nodes: Vec<usize> = pending
        .iter()
        .map(|change| sets.node(key_of(change)))
        .collect();
    let edge_nodes: Vec<usize> = edges
        .iter()
        .map(|edge| {
            let candidate = sets.node((edge.candidate.system, edge.candidate.id.clone()));
            sets.union(change_nodes[edge.change], candidate);
            candidate
        })
        .collect();

    let mut groups: BTreeMap<usize, Group> = BTreeMap::new();
    for (index, &node) in change_nodes.iter().enumerate() {
        let group = groups.entry(sets.find(node)).or_default();
        group.changes.push(index);
        group.records.insert(key_of(pending[index]));
    }
    for (index, &node) in edge_nodes.iter().enumerate() {
        if let Some(group) = groups.get_mut(&sets.find(node)) {
            group.edges.push(index);
            let candidate = &edges[index].candidate;
            group
                .records
                .insert((candidate.system, candidate.id.clone()));
        }
    }
    groups.into_values().collect()
}

/// A union-find over record keys.
#[derive(Default)]
struct DisjointSets {
    index: HashMap<RecordKey, usize>,
    parent: Vec<usize>,
}

impl DisjointSets {
    fn node(&mut self, key: RecordKey) -> usize {
        let next = self.parent.len();
        let node = *self.index.entry(key).or_insert(next);
        if node == next {
            self.parent.push(next);
        }
        node
    }

    fn find(&mut self, mut node: usize) -> usize {
        while self.parent[node] != node {
            self.parent[node] = self.parent[self.parent[node]];
            node = self.parent[node];
        }
        node
    }

    fn union(&mut self, a: usize, b: usize) {
        let (root_a, root_b) = (self.find(a), self.find(b));
        if root_a != root_b {
            self.parent[root_b] = root_a;
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::record::{Fields, SourceRecord, System};

    fn change(system: System, id: &str) -> Change {
        Change {
            system,
            record: SourceRecord {
                id: id.to_string(),
                modified_at: DateTime::UNIX_EPOCH,
                link: None,
                fields: Fields::new(),
            },
            values: Fields::new(),
        }
    }

    fn edge(change: usize, system: System, id: &str) -> Edge {
        Edge {
            change,
            candidate: SeenRecord {
                system,
                object: "x".to_string(),
                id: id.to_string(),
                link: None,
                name_key: None,
                email_key: None,
                values: Fields::new(),
            },
            score: Score {
                value: 1.0,
                evidence: Vec::new(),
            },
        }
    }

    #[test]
    fn change_without_edges_is_alone() {
        let a = change(System::Salesforce, "a");
        let groups = groups(&[&a], &[]);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].records.len(), 1);
    }

    #[test]
    fn two_changes_sharing_a_candidate_form_one_group() {
        let a = change(System::Salesforce, "a");
        let b = change(System::Salesforce, "b");
        let edges = [
            edge(0, System::NetSuite, "1"),
            edge(1, System::NetSuite, "1"),
        ];
        let groups = groups(&[&a, &b], &edges);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].changes, vec![0, 1]);
        assert_eq!(groups[0].records.len(), 3);
    }

    #[test]
    fn mutual_candidates_are_one_pair() {
        let a = change(System::Salesforce, "a");
        let one = change(System::NetSuite, "1");
        let edges = [
            edge(0, System::NetSuite, "1"),
            edge(1, System::Salesforce, "a"),
        ];
        let groups = groups(&[&a, &one], &edges);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].records.len(), 2);
    }
}
