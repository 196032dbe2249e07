//! A port that reads for real and only records what it would write, for `--dry-run`.
//!
//! A record the dry run pretends to create gets a made-up ID that the real system does not
//! know. Later steps of the same run read it back (a new Account whose credit fields a later
//! flow sets, a new order whose number is written back), so the port keeps every pretended
//! record and returns it from reads, searches and change feeds. Without this, those steps would
//! report records of the dry run as not found, which a real run never does.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::RemoteError;
use crate::port::{ApiUsage, ObjectInfo, RecordPort, WriteResult};
use crate::record::{
    DeletedRecord, FieldValue, Fields, NewRecord, ObjectSpec, RecordUpdate, SourceRecord, System,
    Written,
};

/// A write that a dry run did not send.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlannedWrite {
    pub system: System,
    pub object: String,
    /// `create`, `insert`, `update` or `delete`.
    pub action: &'static str,
    /// The record updated, or for a create the other system's ID it is keyed by.
    pub id: String,
    pub fields: Fields,
    /// A new link value the write would set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// Wraps a port: reads go through, writes are recorded and answered with made-up IDs.
pub struct DryRunPort {
    inner: Arc<dyn RecordPort>,
    planned: Mutex<Vec<PlannedWrite>>,
    next_id: AtomicU64,
    /// The records pretended to be created or inserted, by object and made-up ID, with the
    /// fields written to them.
    pretended: Mutex<BTreeMap<(String, String), SourceRecord>>,
}

impl DryRunPort {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn RecordPort>) -> DryRunPort {
        DryRunPort {
            inner,
            planned: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
            pretended: Mutex::new(BTreeMap::new()),
        }
    }

    /// Returns the writes recorded so far, in order.
    pub fn planned(&self) -> Vec<PlannedWrite> {
        self.planned
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Returns an ID for a record that a dry run only pretends to create.
    fn made_up_id(&self) -> String {
        let n = self.next_id.fetch_add(1, Ordering::Relaxed);
        format!("dry-run-{}-{n}", self.system().as_str())
    }

    fn record(&self, write: PlannedWrite) {
        self.planned
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(write);
    }

    fn pretended(&self) -> std::sync::MutexGuard<'_, BTreeMap<(String, String), SourceRecord>> {
        self.pretended
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keeps a record the dry run pretends to write.
    fn pretend(&self, object: &str, id: &str, link: Option<String>, fields: Fields) {
        let record = SourceRecord {
            id: id.to_string(),
            modified_at: Utc::now(),
            link: link.filter(|link| !link.is_empty()),
            fields,
        };
        self.pretended()
            .insert((object.to_string(), id.to_string()), record);
    }

    /// Applies an update to the pretended record it names, if it names one.
    fn update_pretended(&self, object: &str, update: &RecordUpdate) {
        let mut pretended = self.pretended();
        let Some(record) = pretended.get_mut(&(object.to_string(), update.id.clone())) else {
            return;
        };
        record.fields.extend(update.fields.clone());
        if let Some(link) = &update.link {
            record.link = Some(link.clone());
        }
        record.modified_at = Utc::now();
    }

    /// Returns the pretended records of `object` that `keep` accepts, with the fields
    /// `object` names (`Null` where nothing was written).
    ///
    /// NOTE: a field the create left out reads as `Null`, where the real system would give
    /// its default (a Salesforce checkbox reads false). A later flow may so plan a write of
    /// that default, which a real run would not send.
    fn pretended_of(
        &self,
        object: &ObjectSpec,
        keep: impl Fn(&SourceRecord) -> bool,
    ) -> Vec<SourceRecord> {
        self.pretended()
            .iter()
            .filter(|((name, _), record)| name == &object.name && keep(record))
            .map(|(_, record)| {
                let fields = object
                    .fields
                    .iter()
                    .map(|name| {
                        let value = record.fields.get(name).cloned().unwrap_or(FieldValue::Null);
                        (name.clone(), value)
                    })
                    .collect();
                SourceRecord {
                    fields,
                    ..record.clone()
                }
            })
            .collect()
    }

    /// Returns true when `id` is an ID this port made up.
    fn is_made_up(&self, id: &str) -> bool {
        id.starts_with(&format!("dry-run-{}-", self.system().as_str()))
    }
}

#[async_trait]
impl RecordPort for DryRunPort {
    fn system(&self) -> System {
        self.inner.system()
    }

    async fn identity(&self) -> Result<String, RemoteError> {
        self.inner.identity().await
    }

    fn api_usage(&self) -> Option<ApiUsage> {
        self.inner.api_usage()
    }

    async fn changed_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        let mut records = self.inner.changed_since(object, since).await?;
        records.extend(self.pretended_of(object, |record| record.modified_at >= since));
        Ok(records)
    }

    async fn create(
        &self,
        object: &ObjectSpec,
        records: Vec<NewRecord>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let mut results = Vec::new();
        for record in records {
            let id = self.made_up_id();
            let link = Some(record.link.clone());
            self.pretend(&object.name, &id, link, record.fields.clone());
            self.record(PlannedWrite {
                system: self.system(),
                object: object.name.clone(),
                action: "create",
                id: record.link,
                fields: record.fields,
                link: None,
            });
            results.push(Ok(Written { id }));
        }
        Ok(results)
    }

    async fn deleted_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<DeletedRecord>, RemoteError> {
        self.inner.deleted_since(object, since).await
    }

    async fn describe(&self, object: &str) -> Result<ObjectInfo, RemoteError> {
        self.inner.describe(object).await
    }

    async fn read(
        &self,
        object: &ObjectSpec,
        ids: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        let (made_up, real): (Vec<String>, Vec<String>) =
            ids.iter().cloned().partition(|id| self.is_made_up(id));
        let mut records = match real.is_empty() {
            true => Vec::new(),
            false => self.inner.read(object, &real).await?,
        };
        records.extend(self.pretended_of(object, |record| made_up.contains(&record.id)));
        Ok(records)
    }

    async fn find(
        &self,
        object: &ObjectSpec,
        field: &str,
        values: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        let mut records = self.inner.find(object, field, values).await?;
        let matches = |record: &SourceRecord| {
            let value = match field == object.link_field {
                true => record.link.clone(),
                false => record
                    .fields
                    .get(field)
                    .and_then(FieldValue::as_text)
                    .map(str::to_string),
            };
            value.is_some_and(|value| values.contains(&value))
        };
        records.extend(self.pretended_of(object, matches));
        Ok(records)
    }

    async fn insert(
        &self,
        object: &ObjectSpec,
        records: Vec<Fields>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let mut results = Vec::new();
        for fields in records {
            let id = self.made_up_id();
            self.pretend(&object.name, &id, None, fields.clone());
            self.record(PlannedWrite {
                system: self.system(),
                object: object.name.clone(),
                action: "insert",
                id: id.clone(),
                fields,
                link: None,
            });
            results.push(Ok(Written { id }));
        }
        Ok(results)
    }

    async fn delete(
        &self,
        object: &ObjectSpec,
        ids: Vec<String>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let mut results = Vec::new();
        for id in ids {
            self.pretended().remove(&(object.name.clone(), id.clone()));
            results.push(Ok(Written { id: id.clone() }));
            self.record(PlannedWrite {
                system: self.system(),
                object: object.name.clone(),
                action: "delete",
                id,
                fields: Fields::new(),
                link: None,
            });
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
            self.update_pretended(&object.name, &record);
            results.push(Ok(Written {
                id: record.id.clone(),
            }));
            self.record(PlannedWrite {
                system: self.system(),
                object: object.name.clone(),
                action: "update",
                id: record.id,
                fields: record.fields,
                link: record.link,
            });
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fake_port::FakePort;

    fn account() -> ObjectSpec {
        ObjectSpec {
            name: "Account".to_string(),
            fields: vec!["Name".to_string(), "Phone".to_string()],
            link_field: "NetSuite_Internal_ID__c".to_string(),
        }
    }

    async fn created(port: &DryRunPort) -> String {
        let record = NewRecord {
            link: "42".to_string(),
            fields: Fields::from([("Name".to_string(), FieldValue::text("Acme"))]),
        };
        let results = port.create(&account(), vec![record]).await.unwrap();
        results[0].clone().unwrap().id
    }

    #[tokio::test]
    async fn pretended_create_is_read_back() {
        let port = DryRunPort::new(Arc::new(FakePort::new(System::Salesforce)));
        let id = created(&port).await;

        let read = port
            .read(&account(), std::slice::from_ref(&id))
            .await
            .unwrap();

        assert_eq!(read.len(), 1);
        assert_eq!(read[0].fields["Name"], FieldValue::text("Acme"));
        assert_eq!(read[0].fields["Phone"], FieldValue::Null);
        assert_eq!(read[0].link.as_deref(), Some("42"));
    }

    #[tokio::test]
    async fn pretended_create_is_found_by_link() {
        let port = DryRunPort::new(Arc::new(FakePort::new(System::Salesforce)));
        let id = created(&port).await;

        let link = account().link_field;
        let found = port
            .find(&account(), &link, &["42".to_string()])
            .await
            .unwrap();

        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id, id);
    }

    #[tokio::test]
    async fn pretended_update_changes_read() {
        let inner = Arc::new(FakePort::new(System::Salesforce));
        let port = DryRunPort::new(inner.clone());
        let id = created(&port).await;
        let update = RecordUpdate {
            id: id.clone(),
            fields: Fields::from([("Phone".to_string(), FieldValue::text("555"))]),
            link: None,
        };

        port.update(&account(), vec![update]).await.unwrap();

        let read = port.read(&account(), &[id]).await.unwrap();
        assert_eq!(read[0].fields["Phone"], FieldValue::text("555"));
        assert!(
            inner.all("Account").is_empty(),
            "the inner port was written"
        );
    }
}
