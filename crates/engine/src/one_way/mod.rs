//! One-way flows: records of one side become, or change, records on the other.
//!
//! Every one-way template has the same parts: a [`OneWaySpec`] (the source objects, the
//! fields Tandem writes back to them, the read overlap) and a [`OneWayTemplate`] whose `sync`
//! turns a batch of source records into writes and says what became of each. This module does
//! the rest the same way for all of them:
//!
//! - read each source object's change feed from its watermark, less the overlap;
//! - drop records already processed with the same source values;
//! - add records that wait for a parent (their dead letters say `PARENT_NOT_LINKED`), records a
//!   person asked to replay, and the records the template relates to the changes (the
//!   customers of changed invoices);
//! - hand them to the template in batches and record each [`Outcome`]: counts, dead letters
//!   (resolved again by a later success), processed marks;
//! - advance each watermark past the records whose outcome is recorded, never past one left
//!   for the next pass after a transient error.
//!
//! The batches are stored as work items, so several workers on one store can sync one pass's
//! records together (see `shared`).
//!
//! A record is processed under the flow's own name (`invoice-to-salesforce:invoice`), so two
//! flows that read the same object never hide records from each other.

mod replay;
mod run;
mod shared;

use async_trait::async_trait;
use chrono::TimeDelta;

pub use replay::{replay, sync_records};
pub use run::run_pass;
pub use shared::{help, run_pass_as};

use crate::error::RemoteError;
use crate::flow::{FieldUse, NamedRecords};
use crate::pass::{Connections, PassError};
use crate::record::{Fields, ObjectSpec, SourceRecord, System};
use crate::report::PassReport;

/// The dead letter code of a record that waits for its parent (a customer, an item) to be
/// linked; such records are tried again every pass.
pub const PARENT_NOT_LINKED: &str = "PARENT_NOT_LINKED";

/// The action recorded on a one-way flow's dead letters: a replay syncs the source record
/// again as it is then.
pub const SYNC_ACTION: &str = "sync";

/// What a one-way flow reads.
#[derive(Debug, Clone, PartialEq)]
pub struct OneWaySpec {
    /// The flow's name, as used in the store, in logs and in reports.
    pub flow: String,
    /// The side the records come from.
    pub source: System,
    /// The objects read, each with its own change feed (NetSuite has one record type per kind
    /// of item, so the item template reads three).
    pub objects: Vec<ObjectSpec>,
    /// Fields of the source records that the flow itself writes back (the sales order's ID,
    /// the sync status). A change to these alone is not a change to sync.
    pub written_back: Vec<String>,
    /// How far before the watermark each read starts.
    pub overlap: TimeDelta,
    /// How many records the template gets at once.
    pub batch_size: usize,
}

/// Records per batch of a template that looks up related records: one NetSuite search page at
/// its maximum size (1000), so each lookup runs once per page and not once per write call.
/// The ports split the writes at each API's limit (200 records per sObject Collections call,
/// 100 per `upsertList`).
pub const PAGE_BATCH_SIZE: usize = 1000;

impl OneWaySpec {
    /// Returns the key under which records of `object` are marked processed.
    pub fn processed_key(&self, object: &str) -> String {
        format!("{}:{object}", self.flow)
    }

    /// Returns the source values that decide whether a record changed: the record's fields
    /// without those the flow writes back.
    pub fn inputs(&self, record: &SourceRecord) -> Fields {
        record
            .fields
            .iter()
            .filter(|(name, _)| !self.written_back.contains(name))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect()
    }
}

/// A source record with the index of its object in [`OneWaySpec::objects`].
#[derive(Debug, Clone, PartialEq)]
pub struct SourceItem {
    pub object: usize,
    pub record: SourceRecord,
}

/// A write that the target refused, for a dead letter.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    /// The record on the target side, when it exists.
    pub target_id: Option<String>,
    /// What was to be written, keyed by the target's field names.
    pub payload: Fields,
    pub error: RemoteError,
}

/// What became of one source record.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A record was created on the target side, with this ID.
    Created(String),
    /// The target record was updated.
    Updated(String),
    /// The target already held these values; nothing was written.
    Unchanged,
    /// The record does not meet the flow's condition; nothing was written.
    Skipped(String),
    /// The record needs a parent that is not linked yet; it is tried again every pass.
    Waiting(Refusal),
    /// The target refused the write; the record waits as a dead letter.
    Refused(Refusal),
    /// A transient error outlasted the retries; the record is read again next pass.
    Deferred(RemoteError),
}

/// A one-way flow's own logic.
#[async_trait]
pub trait OneWayTemplate: Send + Sync {
    /// What the flow reads.
    fn spec(&self) -> &OneWaySpec;

    /// Every field the flow reads or writes on each side.
    fn field_uses(&self) -> Vec<FieldUse>;

    /// Returns the records the template's options name. Default none.
    fn named_records(&self) -> Vec<NamedRecords> {
        Vec::new()
    }

    /// Runs before the change feeds are read: deletions, housekeeping.
    async fn before(
        &self,
        connections: &Connections,
        report: &mut PassReport,
    ) -> Result<(), PassError> {
        let _ = (connections, report);
        Ok(())
    }

    /// Returns records besides the changed ones that this pass must sync, because a change
    /// elsewhere touched them (the invoices a payment was applied to).
    async fn related(
        &self,
        connections: &Connections,
        changed: &[SourceItem],
    ) -> Result<Vec<SourceItem>, PassError> {
        let _ = (connections, changed);
        Ok(Vec::new())
    }

    /// Runs once per pass on every record it syncs, after they are collected and before the
    /// first batch. Templates create here what batches share. The batches of a pass shared by
    /// several workers run at the same time, so each would create it otherwise. Default
    /// nothing.
    async fn prepare(
        &self,
        connections: &Connections,
        items: &[SourceItem],
    ) -> Result<(), PassError> {
        let _ = (connections, items);
        Ok(())
    }

    /// Runs at the end of a pass, once every outcome is recorded and the watermarks have
    /// advanced; a pass that stops early skips it. Templates store here what must not move
    /// ahead of the records it led to, such as their own watermark over a related object.
    async fn after(&self, connections: &Connections, report: &PassReport) -> Result<(), PassError> {
        let _ = (connections, report);
        Ok(())
    }

    /// Syncs a batch of records and returns one outcome per record, in order. An error stops
    /// the pass; records refused one by one are outcomes, not errors.
    async fn sync(
        &self,
        connections: &Connections,
        items: &[SourceItem],
        report: &mut PassReport,
    ) -> Result<Vec<Outcome>, PassError>;
}

#[cfg(test)]
mod tests;
