//! Record IDs translated through another flow's cross-references, read from the store once
//! per pass for the records a pass writes.

use std::collections::{BTreeMap, BTreeSet};

use crate::record::System;
use crate::state::{StateStore, StoreError};

/// A record ID on one side to translate through a flow's cross-references.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LookupKey {
    pub flow: String,
    pub system: System,
    pub id: String,
}

/// Translations of record IDs to the linked record's ID on the other side.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LookupTable {
    linked: BTreeMap<LookupKey, String>,
}

impl LookupTable {
    /// Reads the cross-reference of every key from the store, one store call per flow and
    /// side. Keys without one stay absent.
    pub async fn load(
        store: &dyn StateStore,
        keys: BTreeSet<LookupKey>,
    ) -> Result<LookupTable, StoreError> {
        let mut groups: BTreeMap<(String, System), Vec<String>> = BTreeMap::new();
        for key in keys {
            groups
                .entry((key.flow, key.system))
                .or_default()
                .push(key.id);
        }
        let mut linked = BTreeMap::new();
        for ((flow, system), ids) in groups {
            for (id, xref) in store.xref_batch(&flow, system, &ids).await? {
                let other = xref.id(system.other()).to_string();
                let key = LookupKey {
                    flow: flow.clone(),
                    system,
                    id,
                };
                linked.insert(key, other);
            }
        }
        Ok(LookupTable { linked })
    }

    /// Returns the ID linked to `id` on `system`'s side by `flow`.
    pub fn get(&self, flow: &str, system: System, id: &str) -> Option<&str> {
        let key = LookupKey {
            flow: flow.to_string(),
            system,
            id: id.to_string(),
        };
        self.linked.get(&key).map(String::as_str)
    }

    /// Adds every translation of `other`.
    pub fn extend(&mut self, other: LookupTable) {
        self.linked.extend(other.linked);
    }

    /// Adds a translation, for tests and for links made earlier in the same pass.
    pub fn insert(&mut self, key: LookupKey, other: String) {
        self.linked.insert(key, other);
    }
}
