//! The conflict queue and the audit log: fields changed on both sides under the `manual`
//! policy wait for a person, and every decision about a record is kept with both values.

use std::collections::HashMap;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::record::{FieldValue, System};

/// A field changed on both sides since the last sync, waiting for a person.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub flow: String,
    pub ns_id: String,
    pub sf_id: String,
    pub netsuite_field: String,
    pub salesforce_field: String,
    /// The value both sides had at the last sync.
    pub synced_value: FieldValue,
    pub netsuite_value: FieldValue,
    pub salesforce_value: FieldValue,
}

/// Where a conflict stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConflictStatus {
    /// Waiting for a person; neither value is written.
    Open,
    /// Decided, waiting for the next pass to write the chosen value.
    Decided,
    /// Written.
    Done,
}

impl ConflictStatus {
    /// Returns the name used in the store and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ConflictStatus::Open => "open",
            ConflictStatus::Decided => "decided",
            ConflictStatus::Done => "done",
        }
    }
}

impl FromStr for ConflictStatus {
    type Err = String;

    fn from_str(text: &str) -> Result<ConflictStatus, String> {
        match text {
            "open" => Ok(ConflictStatus::Open),
            "decided" => Ok(ConflictStatus::Decided),
            "done" => Ok(ConflictStatus::Done),
            other => Err(format!(
                "unknown conflict status {other:?}; expected open, decided or done"
            )),
        }
    }
}

/// A conflict as stored, with the side whose value a person chose.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredConflict {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub status: ConflictStatus,
    /// The side whose value wins, once decided.
    pub winner: Option<System>,
    pub conflict: Conflict,
}

/// One decision about a record, kept for people to audit.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub flow: String,
    /// What was decided: `conflict`, `link`, `create`, `review`, `dead_letter`.
    pub kind: String,
    pub ns_id: Option<String>,
    pub sf_id: Option<String>,
    /// The field concerned, as `netsuiteField/SalesforceField`, when one is.
    pub field: Option<String>,
    pub netsuite_value: Option<FieldValue>,
    pub salesforce_value: Option<FieldValue>,
    /// The decision in words, including who or what made it.
    pub decision: String,
}

impl AuditEntry {
    /// Builds an entry about a pair of records, with no field.
    pub fn about_records(
        flow: &str,
        kind: &str,
        ns_id: &str,
        sf_id: &str,
        decision: String,
    ) -> AuditEntry {
        AuditEntry {
            flow: flow.to_string(),
            kind: kind.to_string(),
            ns_id: Some(ns_id.to_string()),
            sf_id: Some(sf_id.to_string()),
            field: None,
            netsuite_value: None,
            salesforce_value: None,
            decision,
        }
    }
}

/// An audit entry as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAuditEntry {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub entry: AuditEntry,
}

/// The durable conflict queue and audit log.
#[async_trait]
pub trait ConflictStore: Send + Sync {
    /// Parks a conflict and returns its ID. An open conflict on the same record and field is
    /// updated with the new values instead of being parked twice.
    async fn add_conflict(&self, conflict: &Conflict) -> Result<i64, StoreError>;

    /// Returns conflicts, oldest first, of one flow or of all, with one status or any.
    async fn conflicts(
        &self,
        flow: Option<&str>,
        status: Option<ConflictStatus>,
    ) -> Result<Vec<StoredConflict>, StoreError>;

    /// Returns one conflict.
    async fn conflict(&self, id: i64) -> Result<Option<StoredConflict>, StoreError>;

    /// Returns the open and decided conflicts of the pair holding NetSuite record `ns_id`.
    async fn pair_conflicts(
        &self,
        flow: &str,
        ns_id: &str,
    ) -> Result<Vec<StoredConflict>, StoreError>;

    /// Does what `pair_conflicts` does for each of `ns_ids`, and returns the conflicts by
    /// NetSuite ID, oldest first. Pairs with none are left out.
    async fn pair_conflicts_batch(
        &self,
        flow: &str,
        ns_ids: &[String],
    ) -> Result<HashMap<String, Vec<StoredConflict>>, StoreError>;

    /// Records which side's value wins; the next pass writes it.
    async fn decide_conflict(&self, id: i64, winner: System) -> Result<(), StoreError>;

    /// Marks a decided conflict as written.
    async fn finish_conflict(&self, id: i64) -> Result<(), StoreError>;

    /// Appends an entry to the audit log.
    async fn audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;

    /// Appends entries to the audit log in order, in one transaction.
    async fn audit_batch(&self, entries: &[AuditEntry]) -> Result<(), StoreError>;

    /// Returns the newest audit entries of one flow or of all, newest first.
    async fn audit_entries(
        &self,
        flow: Option<&str>,
        limit: usize,
    ) -> Result<Vec<StoredAuditEntry>, StoreError>;
}
