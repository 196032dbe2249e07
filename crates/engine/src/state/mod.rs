//! The engine's durable state, behind traits that the store crate implements: [`StateStore`]
//! for what a pass needs, [`DeadLetterStore`], [`ReviewStore`] and [`ConflictStore`] for what
//! waits for a person (and the audit log), [`WorkStore`] for the work items several workers
//! share, and [`Store`] for all of them. [`GatewayStore`] and [`LookupStore`] serve the MCP
//! gateway.

mod conflicts;
mod dead_letters;
mod gateway;
mod review;
mod work;

pub use conflicts::{
    AuditEntry, Conflict, ConflictStatus, ConflictStore, StoredAuditEntry, StoredConflict,
};
pub use dead_letters::{DeadLetter, DeadLetterStatus, DeadLetterStore, StoredDeadLetter};
pub use gateway::{
    ApprovalRequest, ApprovalStatus, GatewayBackend, GatewayCall, GatewayStore, LookupStore,
    RunRecord, StoredApproval, StoredGatewayCall, StoredToken,
};
pub use review::{Candidate, ReviewDecision, ReviewItem, ReviewStatus, ReviewStore, StoredReview};
pub use work::{WorkItem, WorkPass, WorkProgress, WorkStore};

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::record::{Fields, System};

/// The last `(modified_at, id)` of a change feed that was fully processed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watermark {
    pub modified_at: DateTime<Utc>,
    pub record_id: String,
}

/// A record the engine has read: its keys for matching and its last mapped values.
#[derive(Debug, Clone, PartialEq)]
pub struct SeenRecord {
    pub system: System,
    pub object: String,
    pub id: String,
    /// The other system's ID stored on the record, if any.
    pub link: Option<String>,
    /// Normalized company name, for exact-key matching.
    pub name_key: Option<String>,
    /// Normalized email address, for exact-key matching.
    pub email_key: Option<String>,
    /// The record's mapped values when it was last read.
    pub values: Fields,
}

/// How far a record has been processed: its modification time and a fingerprint of its mapped
/// values and link at that time. Both are needed because modification times are coarse
/// (NetSuite's are whole seconds), so a later edit can carry the same time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Processed {
    pub modified_at: DateTime<Utc>,
    pub fingerprint: String,
}

/// A cross-reference: one NetSuite record and one Salesforce record that a flow keeps equal.
#[derive(Debug, Clone, PartialEq)]
pub struct Xref {
    pub flow: String,
    pub ns_id: String,
    pub sf_id: String,
    /// The NetSuite record's mapped values when the pair was last in sync.
    pub ns_values: Fields,
    /// The Salesforce record's mapped values when the pair was last in sync.
    pub sf_values: Fields,
    /// Fingerprint of what Tandem last wrote to the NetSuite record, kept until that write is
    /// read back. It tells an echo of Tandem's own write from a user's change.
    pub ns_written: Option<String>,
    /// The same for the Salesforce record.
    pub sf_written: Option<String>,
}

impl Xref {
    /// Returns the record ID on `system`'s side.
    pub fn id(&self, system: System) -> &str {
        match system {
            System::NetSuite => &self.ns_id,
            System::Salesforce => &self.sf_id,
        }
    }

    /// Returns the last synced values on `system`'s side.
    pub fn values(&self, system: System) -> &Fields {
        match system {
            System::NetSuite => &self.ns_values,
            System::Salesforce => &self.sf_values,
        }
    }

    /// Returns the values on `system`'s side for changing.
    pub fn values_mut(&mut self, system: System) -> &mut Fields {
        match system {
            System::NetSuite => &mut self.ns_values,
            System::Salesforce => &mut self.sf_values,
        }
    }

    /// Returns the fingerprint of the pending write on `system`'s side.
    pub fn written(&self, system: System) -> Option<&str> {
        match system {
            System::NetSuite => self.ns_written.as_deref(),
            System::Salesforce => self.sf_written.as_deref(),
        }
    }

    /// Sets or clears the fingerprint of the pending write on `system`'s side.
    pub fn set_written(&mut self, system: System, fingerprint: Option<String>) {
        match system {
            System::NetSuite => self.ns_written = fingerprint,
            System::Salesforce => self.sf_written = fingerprint,
        }
    }
}

/// The state of a run of one flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Running,
    Completed,
    Failed,
}

impl RunStatus {
    /// Returns the name stored in the run history.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Failed => "failed",
        }
    }
}

/// An error from the store. The message names what failed; the cause is the database's own
/// error, shown after it.
#[derive(Debug, thiserror::Error)]
#[error("store: {message}{}", cause.as_ref().map(|e| format!(" ({e})")).unwrap_or_default())]
pub struct StoreError {
    pub message: String,
    pub cause: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// Builds an error from a message and the underlying cause.
    pub fn new(
        message: impl Into<String>,
        cause: impl std::error::Error + Send + Sync + 'static,
    ) -> StoreError {
        StoreError {
            message: message.into(),
            cause: Some(Box::new(cause)),
        }
    }
}

/// Durable state: watermarks, the index of seen records, cross-references with their last
/// synced values and fingerprints, dead letters and run history.
///
/// Each method is atomic on its own.
#[async_trait]
pub trait StateStore: Send + Sync {
    /// Returns the watermark of one change feed, if a pass has completed on it.
    async fn watermark(
        &self,
        flow: &str,
        system: System,
        object: &str,
    ) -> Result<Option<Watermark>, StoreError>;

    /// Stores the watermark of one change feed.
    async fn set_watermark(
        &self,
        flow: &str,
        system: System,
        object: &str,
        watermark: &Watermark,
    ) -> Result<(), StoreError>;

    /// Returns the identity of the account or org this store's state belongs to on `system`'s
    /// side, once one has been recorded.
    async fn identity(&self, system: System) -> Result<Option<String>, StoreError>;

    /// Records the identity of the account or org on `system`'s side.
    async fn set_identity(&self, system: System, identity: &str) -> Result<(), StoreError>;

    /// Adds or refreshes records in the index of seen records (keys and links only; this does
    /// not mark them processed).
    async fn remember(&self, records: &[SeenRecord]) -> Result<(), StoreError>;

    /// Returns how far a record has been processed.
    async fn processed(
        &self,
        system: System,
        object: &str,
        id: &str,
    ) -> Result<Option<Processed>, StoreError>;

    /// Returns how far each of `ids` has been processed, keyed by ID. IDs of records never
    /// processed are absent. One call serves a whole page of a change feed.
    async fn processed_batch(
        &self,
        system: System,
        object: &str,
        ids: &[String],
    ) -> Result<HashMap<String, Processed>, StoreError>;

    /// Marks records, by ID, as processed in the given state.
    async fn mark_processed(
        &self,
        system: System,
        object: &str,
        records: &[(String, Processed)],
    ) -> Result<(), StoreError>;

    /// Returns seen records of `system` whose normalized name or email equals the given key.
    async fn find_by_key(
        &self,
        system: System,
        object: &str,
        name_key: Option<&str>,
        email_key: Option<&str>,
    ) -> Result<Vec<SeenRecord>, StoreError>;

    /// Returns the seen record with this ID.
    async fn seen(
        &self,
        system: System,
        object: &str,
        id: &str,
    ) -> Result<Option<SeenRecord>, StoreError>;

    /// Returns the seen records of `system` that no cross-reference of `flow` holds: the
    /// candidates for fuzzy matching.
    async fn unlinked(
        &self,
        flow: &str,
        system: System,
        object: &str,
    ) -> Result<Vec<SeenRecord>, StoreError>;

    /// Returns seen records of `system` that carry `link` as the other system's ID.
    async fn find_by_link(
        &self,
        system: System,
        object: &str,
        link: &str,
    ) -> Result<Vec<SeenRecord>, StoreError>;

    /// Does what `find_by_link` does for each of `links`, and returns the records by the link
    /// they carry, in ID order. Links that no record carries are absent.
    async fn find_by_link_batch(
        &self,
        system: System,
        object: &str,
        links: &[String],
    ) -> Result<HashMap<String, Vec<SeenRecord>>, StoreError>;

    /// Returns the cross-reference of a flow that holds the record `id` on `system`'s side.
    async fn xref(&self, flow: &str, system: System, id: &str) -> Result<Option<Xref>, StoreError>;

    /// Returns the cross-references of a flow that hold any of `ids` on `system`'s side, keyed
    /// by that ID. IDs without one are absent.
    async fn xref_batch(
        &self,
        flow: &str,
        system: System,
        ids: &[String],
    ) -> Result<HashMap<String, Xref>, StoreError>;

    /// Inserts or replaces a cross-reference with its values and fingerprints.
    async fn save_xref(&self, xref: &Xref) -> Result<(), StoreError>;

    /// Saves cross-references as calling `save_xref` on each in order would, in one
    /// transaction: all of them are saved or none is.
    async fn save_xref_batch(&self, xrefs: &[Xref]) -> Result<(), StoreError>;

    /// Removes the cross-reference of a flow that holds the record `id` on `system`'s side.
    async fn delete_xref(&self, flow: &str, system: System, id: &str) -> Result<(), StoreError>;

    /// Forgets a seen record, so it is no longer a matching candidate (it was deleted).
    async fn forget(&self, system: System, object: &str, id: &str) -> Result<(), StoreError>;

    /// Leaves a record out of a flow for good, with the reason: its counterpart was deleted,
    /// and syncing it again would bring the deleted record back.
    async fn exclude(
        &self,
        flow: &str,
        system: System,
        id: &str,
        reason: &str,
    ) -> Result<(), StoreError>;

    /// Returns true when a record is left out of a flow.
    async fn is_excluded(&self, flow: &str, system: System, id: &str) -> Result<bool, StoreError>;

    /// Returns those of `ids` that are left out of a flow.
    async fn excluded_batch(
        &self,
        flow: &str,
        system: System,
        ids: &[String],
    ) -> Result<HashSet<String>, StoreError>;

    /// Returns a value a flow keeps between passes under `key` (the state of a credit
    /// episode, the time of the last full refresh).
    async fn flow_value(&self, flow: &str, key: &str) -> Result<Option<String>, StoreError>;

    /// Stores a flow's value under `key`, or removes it when `value` is `None`.
    async fn set_flow_value(
        &self,
        flow: &str,
        key: &str,
        value: Option<&str>,
    ) -> Result<(), StoreError>;

    /// Records the start of a run and returns its ID.
    async fn start_run(&self, flow: &str) -> Result<i64, StoreError>;

    /// Records how a run ended, with its counts as JSON and the error, if any.
    async fn finish_run(
        &self,
        run_id: i64,
        status: RunStatus,
        counts: &serde_json::Value,
        error: Option<&str>,
    ) -> Result<(), StoreError>;
}

/// Everything the engine keeps: the state of passes, what waits for a person, the audit log,
/// and the work items that workers share.
pub trait Store: StateStore + DeadLetterStore + ReviewStore + ConflictStore + WorkStore {}

impl<T: StateStore + DeadLetterStore + ReviewStore + ConflictStore + WorkStore> Store for T {}
