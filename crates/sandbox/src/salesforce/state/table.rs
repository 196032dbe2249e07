//! The records of one object and the index of their matchable and unique values.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::Value;

use crate::salesforce::record::Values;
use crate::salesforce::schema::{FieldDef, FieldType};

/// Records of one object, by 18-character Id; Ids sort in creation order.
#[derive(Debug, Default)]
pub(super) struct Table {
    pub records: BTreeMap<String, Values>,
    pub next_serial: u64,
    /// Ids of live records by field name and [`index_key`] of the value, for the external ID
    /// and unique fields that upserts, look-ups and duplicate checks match on, and for the
    /// reference fields that save rules follow from a parent to its children.
    pub index: HashMap<String, HashMap<String, BTreeSet<String>>>,
}

impl Table {
    fn unindex(&mut self, indexed: &[FieldDef], id: &str, values: &Values) {
        for (field, key) in index_entries(indexed, values) {
            if let Some(ids) = self
                .index
                .get_mut(&field.name)
                .and_then(|keys| keys.get_mut(&key))
            {
                ids.remove(id);
            }
        }
    }

    fn reindex(&mut self, indexed: &[FieldDef], id: &str, values: &Values) {
        for (field, key) in index_entries(indexed, values) {
            self.index
                .entry(field.name.clone())
                .or_default()
                .entry(key)
                .or_default()
                .insert(id.to_string());
        }
    }

    /// Replaces the record `id`, keeping the index in step; `None` removes it.
    pub fn replace(&mut self, indexed: &[FieldDef], id: &str, values: Option<Values>) {
        if let Some(old) = self.records.remove(id) {
            self.unindex(indexed, id, &old);
        }
        if let Some(values) = values {
            self.reindex(indexed, id, &values);
            self.records.insert(id.to_string(), values);
        }
    }
}

/// Returns whether matches on `field` go through the index.
pub(super) fn is_indexed(field: &FieldDef) -> bool {
    field.external_id || field.id_lookup || field.unique || field.field_type == FieldType::Reference
}

/// Returns the index key of a value: the value itself for case-sensitive fields and its
/// lowercase form otherwise, so matching ignores case as Salesforce does by default.
pub(super) fn index_key(field: &FieldDef, text: &str) -> String {
    if field.case_sensitive {
        text.to_string()
    } else {
        text.to_lowercase()
    }
}

/// Returns the index entries of a live record; records in the recycle bin have none.
fn index_entries<'f>(indexed: &'f [FieldDef], values: &Values) -> Vec<(&'f FieldDef, String)> {
    if values.get("IsDeleted") == Some(&Value::Bool(true)) {
        return Vec::new();
    }
    indexed
        .iter()
        .filter_map(|field| {
            let text = values.get(&field.name)?.as_str()?;
            Some((field, index_key(field, text)))
        })
        .collect()
}
