//! An in-memory system with any number of objects, for tests of one-way flows and templates.
//! Modification times come from a counter, one second per write.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::{ErrorClass, RemoteError};
use crate::port::{FieldInfo, FieldType, ObjectInfo, RecordPort, WriteResult};
use crate::record::{
    DeletedRecord, FieldValue, Fields, NewRecord, ObjectSpec, RecordUpdate, SourceRecord, System,
    Written, split_line_field,
};

/// One stored record.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub modified_at: DateTime<Utc>,
    pub fields: Fields,
}

/// A system kept in memory: records by object and ID.
pub(crate) struct FakePort {
    system: System,
    clock: AtomicI64,
    next_id: AtomicI64,
    records: Mutex<BTreeMap<(String, String), Stored>>,
    /// Values that make a write fail, as `(field, value, code)`.
    refusals: Mutex<Vec<(String, FieldValue, String)>>,
    /// The field names `describe` lists, by object.
    described: Mutex<BTreeMap<String, Vec<String>>>,
    /// Records removed by [`FakePort::delete`], as `(object, deletion)`.
    deleted: Mutex<Vec<(String, DeletedRecord)>>,
    pub writes: AtomicI64,
    /// Calls of `find`.
    pub finds: AtomicI64,
}

impl FakePort {
    pub fn new(system: System) -> FakePort {
        FakePort {
            system,
            clock: AtomicI64::new(0),
            next_id: AtomicI64::new(100),
            records: Mutex::new(BTreeMap::new()),
            refusals: Mutex::new(Vec::new()),
            described: Mutex::new(BTreeMap::new()),
            deleted: Mutex::new(Vec::new()),
            writes: AtomicI64::new(0),
            finds: AtomicI64::new(0),
        }
    }

    fn tick(&self) -> DateTime<Utc> {
        let second = self.clock.fetch_add(1, Ordering::SeqCst) + 1;
        DateTime::from_timestamp(1_700_000_000 + second, 0).unwrap_or_default()
    }

    /// Adds or changes a record as a user would, and returns its ID.
    pub fn put(&self, object: &str, id: Option<&str>, fields: &[(&str, FieldValue)]) -> String {
        let id = id
            .map(str::to_string)
            .unwrap_or_else(|| self.next_id.fetch_add(1, Ordering::SeqCst).to_string());
        let at = self.tick();
        let mut records = self.records.lock().unwrap();
        let stored = records
            .entry((object.to_string(), id.clone()))
            .or_insert_with(|| Stored {
                modified_at: at,
                fields: Fields::new(),
            });
        stored.modified_at = at;
        for (name, value) in fields {
            stored.fields.insert(name.to_string(), value.clone());
        }
        id
    }

    /// Changes fields of an existing record without moving its modification time, as
    /// NetSuite does to a customer's balance when a transaction changes.
    pub fn set_quietly(&self, object: &str, id: &str, fields: &[(&str, FieldValue)]) {
        let mut records = self.records.lock().unwrap();
        if let Some(stored) = records.get_mut(&(object.to_string(), id.to_string())) {
            for (name, value) in fields {
                stored.fields.insert(name.to_string(), value.clone());
            }
        }
    }

    /// Returns a record's fields.
    pub fn get(&self, object: &str, id: &str) -> Option<Fields> {
        let records = self.records.lock().unwrap();
        records
            .get(&(object.to_string(), id.to_string()))
            .map(|stored| stored.fields.clone())
    }

    /// Returns every record of an object, by ID.
    pub fn all(&self, object: &str) -> Vec<(String, Fields)> {
        let records = self.records.lock().unwrap();
        records
            .iter()
            .filter(|((name, _), _)| name == object)
            .map(|((_, id), stored)| (id.clone(), stored.fields.clone()))
            .collect()
    }

    /// Makes writes that set `field` to `value` fail with `code`.
    pub fn refuse(&self, field: &str, value: FieldValue, code: &str) {
        let mut refusals = self.refusals.lock().unwrap();
        refusals.push((field.to_string(), value, code.to_string()));
    }

    /// Deletes a record as a user would; `deleted_since` reports it from then on.
    pub fn delete(&self, object: &str, id: &str) {
        let at = self.tick();
        let mut records = self.records.lock().unwrap();
        records.remove(&(object.to_string(), id.to_string()));
        let deletion = DeletedRecord {
            id: id.to_string(),
            deleted_at: at,
            merged_into: None,
        };
        let mut deleted = self.deleted.lock().unwrap();
        deleted.push((object.to_string(), deletion));
    }

    /// Makes `describe(object)` list these fields, as text fields that can be written. An
    /// object not described here is described with no fields.
    pub fn set_described(&self, object: &str, fields: &[&str]) {
        let names = fields.iter().map(|name| name.to_string()).collect();
        let mut described = self.described.lock().unwrap();
        described.insert(object.to_string(), names);
    }

    fn check(&self, fields: &Fields) -> Result<(), RemoteError> {
        let refusals = self.refusals.lock().unwrap();
        for (field, value, code) in refusals.iter() {
            if fields.get(field) == Some(value) {
                let message = format!("{field} cannot be {value:?}");
                return Err(RemoteError::new(
                    self.system,
                    ErrorClass::Data,
                    code,
                    message,
                ));
            }
        }
        Ok(())
    }

    fn source(&self, object: &ObjectSpec, id: &str, stored: &Stored) -> SourceRecord {
        let mut fields = Fields::new();
        for name in &object.fields {
            if let Some((list, line_field)) = split_line_field(name) {
                let lines = stored.fields.get(list).map_or(&[][..], FieldValue::lines);
                let kept = fields
                    .entry(list.to_string())
                    .or_insert_with(|| FieldValue::List(vec![Fields::new(); lines.len()]));
                if let FieldValue::List(kept) = kept {
                    for (line, stored_line) in kept.iter_mut().zip(lines) {
                        let value = stored_line.get(line_field).cloned();
                        line.insert(line_field.to_string(), value.unwrap_or(FieldValue::Null));
                    }
                }
                continue;
            }
            let value = stored.fields.get(name).cloned().unwrap_or(FieldValue::Null);
            fields.insert(name.clone(), value);
        }
        let link = stored
            .fields
            .get(&object.link_field)
            .and_then(|v| v.as_text());
        SourceRecord {
            id: id.to_string(),
            modified_at: stored.modified_at,
            link: link.map(str::to_string),
            fields,
        }
    }

    fn select(
        &self,
        object: &ObjectSpec,
        keep: impl Fn(&str, &Stored) -> bool,
    ) -> Vec<SourceRecord> {
        let records = self.records.lock().unwrap();
        records
            .iter()
            .filter(|((name, id), stored)| name == &object.name && keep(id, stored))
            .map(|((_, id), stored)| self.source(object, id, stored))
            .collect()
    }

    fn write(&self, object: &str, id: String, fields: Fields) -> WriteResult {
        self.check(&fields)?;
        self.writes.fetch_add(1, Ordering::SeqCst);
        let pairs: Vec<(&str, FieldValue)> = fields
            .iter()
            .map(|(name, value)| (name.as_str(), value.clone()))
            .collect();
        let id = self.put(object, Some(&id), &pairs);
        Ok(Written { id })
    }
}

#[async_trait]
impl RecordPort for FakePort {
    fn system(&self) -> System {
        self.system
    }

    async fn identity(&self) -> Result<String, RemoteError> {
        Ok(format!("{}-test", self.system.as_str()))
    }

    async fn changed_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        Ok(self.select(object, |_, stored| stored.modified_at >= since))
    }

    async fn create(
        &self,
        object: &ObjectSpec,
        records: Vec<NewRecord>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let mut results = Vec::new();
        for record in records {
            let existing = self.select(object, |_, stored| {
                stored
                    .fields
                    .get(&object.link_field)
                    .and_then(|v| v.as_text())
                    == Some(record.link.as_str())
            });
            let id = match existing.first() {
                Some(found) => found.id.clone(),
                None => self.next_id.fetch_add(1, Ordering::SeqCst).to_string(),
            };
            let mut fields = record.fields;
            fields.insert(object.link_field.clone(), FieldValue::text(record.link));
            results.push(self.write(&object.name, id, fields));
        }
        Ok(results)
    }

    async fn update(
        &self,
        object: &ObjectSpec,
        records: Vec<RecordUpdate>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let mut results = Vec::new();
        for record in records {
            if self.get(&object.name, &record.id).is_none() {
                let message = format!("no {} {}", object.name, record.id);
                let error = RemoteError::new(self.system, ErrorClass::Data, "NOT_FOUND", message);
                results.push(Err(error));
                continue;
            }
            let mut fields = record.fields;
            if let Some(link) = record.link {
                fields.insert(object.link_field.clone(), FieldValue::text(link));
            }
            results.push(self.write(&object.name, record.id, fields));
        }
        Ok(results)
    }

    async fn deleted_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<DeletedRecord>, RemoteError> {
        let deleted = self.deleted.lock().unwrap();
        Ok(deleted
            .iter()
            .filter(|(name, deletion)| name == &object.name && deletion.deleted_at >= since)
            .map(|(_, deletion)| deletion.clone())
            .collect())
    }

    async fn describe(&self, object: &str) -> Result<ObjectInfo, RemoteError> {
        let described = self.described.lock().unwrap();
        let names = described.get(object).cloned().unwrap_or_default();
        let fields = names
            .into_iter()
            .map(|name| FieldInfo {
                name,
                field_type: FieldType::Text,
                createable: true,
                updateable: true,
                external_id: false,
            })
            .collect();
        Ok(ObjectInfo {
            name: object.to_string(),
            fields,
            unlisted_prefix: None,
        })
    }

    async fn read(
        &self,
        object: &ObjectSpec,
        ids: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        Ok(self.select(object, |id, _| ids.iter().any(|wanted| wanted == id)))
    }

    async fn find(
        &self,
        object: &ObjectSpec,
        field: &str,
        values: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        self.finds.fetch_add(1, Ordering::SeqCst);
        Ok(self.select(object, |_, stored| {
            let text = match stored.fields.get(field) {
                Some(FieldValue::Text(text)) => text.clone(),
                Some(FieldValue::Bool(flag)) => flag.to_string(),
                Some(FieldValue::Number(number)) => number.to_string(),
                _ => return false,
            };
            values.contains(&text)
        }))
    }

    async fn insert(
        &self,
        object: &ObjectSpec,
        records: Vec<Fields>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let mut results = Vec::new();
        for fields in records {
            let id = self.next_id.fetch_add(1, Ordering::SeqCst).to_string();
            results.push(self.write(&object.name, id, fields));
        }
        Ok(results)
    }
}

/// Two in-memory systems and an in-memory store, connected as a pass needs them.
pub(crate) struct TestWorld {
    pub netsuite: std::sync::Arc<FakePort>,
    pub salesforce: std::sync::Arc<FakePort>,
    pub store: std::sync::Arc<crate::memory_store::MemoryStore>,
    pub connections: crate::pass::Connections,
}

impl TestWorld {
    /// Builds empty systems with a retry policy that does not wait.
    pub fn new() -> TestWorld {
        let netsuite = std::sync::Arc::new(FakePort::new(System::NetSuite));
        let salesforce = std::sync::Arc::new(FakePort::new(System::Salesforce));
        let store = std::sync::Arc::new(crate::memory_store::MemoryStore::new());
        let connections = crate::pass::Connections {
            netsuite: netsuite.clone(),
            salesforce: salesforce.clone(),
            store: store.clone(),
            retry: crate::retry::RetryPolicy {
                max_retries: 0,
                ..crate::retry::RetryPolicy::default()
            },
        };
        TestWorld {
            netsuite,
            salesforce,
            store,
            connections,
        }
    }

    /// Records a link between a NetSuite record and a Salesforce record under `flow`, as a
    /// pass of that flow would have left it.
    pub async fn link(&self, flow: &str, ns_id: &str, sf_id: &str) {
        use crate::state::StateStore;
        let xref = crate::state::Xref {
            flow: flow.to_string(),
            ns_id: ns_id.to_string(),
            sf_id: sf_id.to_string(),
            ns_values: Fields::new(),
            sf_values: Fields::new(),
            ns_written: None,
            sf_written: None,
        };
        self.store.save_xref(&xref).await.unwrap();
    }
}
