//! The stored records of every schema-model type, with their external ID index and the log of
//! deletions that `getDeleted` reads.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use super::{RecordKind, StoredRecord};
use crate::netsuite::state::IdKey;

/// A deletion, as `getDeleted` reports it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DeletedRecord {
    /// The `RecordType` value, such as `customer` or `salesOrder`.
    pub record_type: &'static str,
    pub internal_id: String,
    pub external_id: Option<String>,
    /// The display name of the record when it was deleted.
    pub name: Option<String>,
    pub deleted_at: DateTime<Utc>,
}

/// Records by kind and internal ID.
#[derive(Debug, Default)]
pub(crate) struct RecordTable {
    records: BTreeMap<(RecordKind, IdKey), StoredRecord>,
    external_ids: HashMap<(RecordKind, String), IdKey>,
    /// The transactions of each customer, so balances need not scan every transaction.
    by_customer: HashMap<String, BTreeSet<(RecordKind, IdKey)>>,
    /// Item names (`itemId`) in lower case, with the internal ID of the item that has each.
    item_names: HashMap<String, String>,
    next_tran_ids: HashMap<RecordKind, u64>,
    /// Deletions of every record type, customers included, oldest first.
    pub deleted: Vec<DeletedRecord>,
    /// Records stored since the last [`RecordTable::take_changed`], as `(record type,
    /// internal ID)`, kept only while `watching` is true.
    changed: Vec<(&'static str, String)>,
    /// True while webhooks are on, so that seeding does not fill `changed`.
    pub watching: bool,
}

impl RecordTable {
    /// Returns the records stored since the last call and clears the list.
    pub fn take_changed(&mut self) -> Vec<(&'static str, String)> {
        std::mem::take(&mut self.changed)
    }

    /// Returns a record by kind and internal ID.
    pub fn get(&self, kind: RecordKind, internal_id: &str) -> Option<&StoredRecord> {
        self.records.get(&(kind, IdKey::of(internal_id)))
    }

    /// Returns a record by kind and external ID.
    pub fn get_by_external_id(&self, kind: RecordKind, external_id: &str) -> Option<&StoredRecord> {
        let key = self.external_ids.get(&(kind, external_id.to_string()))?;
        self.records.get(&(kind, key.clone()))
    }

    /// Stores a record, replacing the one with the same kind and internal ID, and keeps the
    /// external ID index up to date.
    pub fn put(&mut self, record: StoredRecord) {
        if self.watching {
            let change = (record.kind.record_type(), record.internal_id.clone());
            self.changed.push(change);
        }
        let key = IdKey::of(&record.internal_id);
        if let Some(previous) = self.records.get(&(record.kind, key.clone())).cloned() {
            self.unindex(&previous);
        }
        if let Some(external_id) = &record.external_id {
            self.external_ids
                .insert((record.kind, external_id.clone()), key.clone());
        }
        if let Some(customer) = record.customer_id() {
            self.by_customer
                .entry(customer.to_string())
                .or_default()
                .insert((record.kind, key.clone()));
        }
        if let Some(name) = item_name(&record) {
            self.item_names.insert(name, record.internal_id.clone());
        }
        self.records.insert((record.kind, key), record);
    }

    /// Removes a record and returns it.
    pub fn remove(&mut self, kind: RecordKind, internal_id: &str) -> Option<StoredRecord> {
        let removed = self.records.remove(&(kind, IdKey::of(internal_id)))?;
        self.unindex(&removed);
        Some(removed)
    }

    fn unindex(&mut self, record: &StoredRecord) {
        let key = IdKey::of(&record.internal_id);
        if let Some(external_id) = &record.external_id
            && self.external_ids.get(&(record.kind, external_id.clone())) == Some(&key)
        {
            self.external_ids
                .remove(&(record.kind, external_id.clone()));
        }
        if let Some(customer) = record.customer_id()
            && let Some(keys) = self.by_customer.get_mut(customer)
        {
            keys.remove(&(record.kind, key));
        }
        if let Some(name) = item_name(record)
            && self.item_names.get(&name) == Some(&record.internal_id)
        {
            self.item_names.remove(&name);
        }
    }

    /// Returns the internal ID of the item whose name is `name`, compared without case.
    pub fn item_named(&self, name: &str) -> Option<&str> {
        self.item_names
            .get(&name.to_lowercase())
            .map(String::as_str)
    }

    /// Iterates over the transactions of a customer, by kind then internal ID.
    pub fn of_customer<'a>(
        &'a self,
        customer_id: &str,
    ) -> impl Iterator<Item = &'a StoredRecord> + 'a {
        self.by_customer
            .get(customer_id)
            .into_iter()
            .flatten()
            .filter_map(|key| self.records.get(key))
    }

    /// Iterates over the records of one kind in internal ID order.
    pub fn of_kind(&self, kind: RecordKind) -> impl Iterator<Item = &StoredRecord> {
        self.records
            .range((kind, IdKey::Numeric(0))..)
            .take_while(move |((k, _), _)| *k == kind)
            .map(|(_, record)| record)
    }

    /// Returns how many records of a kind are stored.
    pub fn count(&self, kind: RecordKind) -> usize {
        self.of_kind(kind).count()
    }

    /// Returns the next automatic transaction number of a kind (`1`, `2`...) without using
    /// it up; [`RecordTable::note_tran_id`] does that once the record is stored.
    pub fn peek_tran_id(&self, kind: RecordKind) -> String {
        self.next_tran_ids
            .get(&kind)
            .copied()
            .unwrap_or(1)
            .to_string()
    }

    /// Moves the automatic numbering of a kind past a stored transaction number.
    pub fn note_tran_id(&mut self, kind: RecordKind, tran_id: &str) {
        if let Ok(number) = tran_id.parse::<u64>() {
            let next = self.next_tran_ids.entry(kind).or_insert(1);
            *next = (*next).max(number + 1);
        }
    }
}

/// Returns an item's name in lower case, the key of the item name index.
fn item_name(record: &StoredRecord) -> Option<String> {
    let is_item = record.kind.family() == crate::netsuite::records::Family::Item;
    is_item
        .then(|| record.text("itemId").map(str::to_lowercase))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: RecordKind, id: &str, external: Option<&str>) -> StoredRecord {
        let mut record = StoredRecord::new(kind, id.into(), Utc::now());
        record.external_id = external.map(str::to_string);
        record
    }

    #[test]
    fn of_kind_lists_one_kind_in_id_order() {
        let mut table = RecordTable::default();
        table.put(record(RecordKind::Invoice, "10", None));
        table.put(record(RecordKind::SalesOrder, "3", None));
        table.put(record(RecordKind::Invoice, "9", None));
        let ids: Vec<&str> = table
            .of_kind(RecordKind::Invoice)
            .map(|r| r.internal_id.as_str())
            .collect();
        assert_eq!(ids, vec!["9", "10"]);
    }

    #[test]
    fn external_ids_are_per_kind() {
        let mut table = RecordTable::default();
        table.put(record(RecordKind::Invoice, "1", Some("X")));
        table.put(record(RecordKind::SalesOrder, "2", Some("X")));
        let invoice = table.get_by_external_id(RecordKind::Invoice, "X").unwrap();
        assert_eq!(invoice.internal_id, "1");
        table.remove(RecordKind::Invoice, "1");
        assert!(table.get_by_external_id(RecordKind::Invoice, "X").is_none());
        assert!(
            table
                .get_by_external_id(RecordKind::SalesOrder, "X")
                .is_some()
        );
    }

    #[test]
    fn of_customer_follows_entity_changes() {
        let mut table = RecordTable::default();
        let mut invoice = record(RecordKind::Invoice, "4", None);
        invoice.set_ref("entity", "100", None);
        table.put(invoice.clone());
        assert_eq!(table.of_customer("100").count(), 1);
        invoice.set_ref("entity", "200", None);
        table.put(invoice);
        assert_eq!(table.of_customer("100").count(), 0);
        assert_eq!(table.of_customer("200").count(), 1);
    }
}
