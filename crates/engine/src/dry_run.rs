//! A port that reads for real and only records what it would write, for `--dry-run`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::RemoteError;
use crate::port::{ApiUsage, ObjectInfo, RecordPort, WriteResult};
use crate::record::{
    DeletedRecord, Fields, NewRecord, ObjectSpec, RecordUpdate, SourceRecord, System, Written,
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
}

impl DryRunPort {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn RecordPort>) -> DryRunPort {
        DryRunPort {
            inner,
            planned: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
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
        self.inner.changed_since(object, since).await
    }

    async fn create(
        &self,
        object: &ObjectSpec,
        records: Vec<NewRecord>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let mut results = Vec::new();
        for record in records {
            let id = self.made_up_id();
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
        self.inner.read(object, ids).await
    }

    async fn find(
        &self,
        object: &ObjectSpec,
        field: &str,
        values: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        self.inner.find(object, field, values).await
    }

    async fn insert(
        &self,
        object: &ObjectSpec,
        records: Vec<Fields>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let mut results = Vec::new();
        for fields in records {
            let id = self.made_up_id();
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
