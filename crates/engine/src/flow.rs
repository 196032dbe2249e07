//! A flow ready to run: a template with its settings, behind one interface, so that the
//! command line, the server and the tests run every template the same way.

use async_trait::async_trait;

use crate::one_way::{self, OneWayTemplate};
use crate::pass::{Connections, PassFailure, ReplayError, ReplayOutcome};
use crate::record::{FieldValue, System};
use crate::report::PassReport;
use crate::two_way::{self, TwoWaySpec};
use crate::work::WorkerLease;

/// How a flow uses a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Read only.
    Read,
    /// Written on creates and updates.
    Write,
    /// Read and written (both ends of a two-way pair).
    ReadWrite,
}

impl Access {
    /// Returns true when the flow writes the field.
    pub fn writes(self) -> bool {
        matches!(self, Access::Write | Access::ReadWrite)
    }
}

/// One field a flow reads or writes, for checking a configuration against what the systems
/// describe before anything runs.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldUse {
    pub system: System,
    /// The record type or object (`customer`, `Account`).
    pub object: String,
    /// The field, by the system's own name; `list[].field` for a line field.
    pub field: String,
    pub access: Access,
    /// Values the flow writes to the field as they are (value maps, constants), to check
    /// against a picklist.
    pub values: Vec<FieldValue>,
    /// What the field is for, in a person's words: `mapping`, `link field`, `sync status`.
    pub purpose: String,
}

impl FieldUse {
    /// Builds a use without values.
    pub fn new(
        system: System,
        object: &str,
        field: &str,
        access: Access,
        purpose: &str,
    ) -> FieldUse {
        FieldUse {
            system,
            object: object.to_string(),
            field: field.to_string(),
            access,
            values: Vec::new(),
            purpose: purpose.to_string(),
        }
    }
}

/// Records that a flow's options name and that must exist on one side (the price levels of
/// `item-to-price-book`), for checking a configuration before anything runs.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedRecords {
    pub system: System,
    /// The record type or object (`priceLevel`).
    pub object: String,
    /// The field that contains the name (`name`).
    pub field: String,
    /// The names the options give; each must be the name of one record (any case).
    pub names: Vec<String>,
    /// The option that gives them (`price_levels`).
    pub option: String,
}

/// A flow template with its settings.
#[async_trait]
pub trait Flow: Send + Sync {
    /// The flow's name in configuration files, the store, logs and reports.
    fn name(&self) -> &str;

    /// The fields the flow reads and writes on each side.
    fn fields(&self) -> Vec<FieldUse>;

    /// Returns the records the flow's options name. Default none.
    fn named_records(&self) -> Vec<NamedRecords> {
        Vec::new()
    }

    /// Runs one pass and records it in the run history.
    async fn pass(&self, connections: &Connections) -> Result<PassReport, PassFailure>;

    /// Returns true when several workers can sync one pass of the flow together: one of
    /// them, holding the flow, runs [`Flow::pass_as`], and the others [`Flow::help`]. Default
    /// false: the flow's worker runs the whole pass.
    fn shares_passes(&self) -> bool {
        false
    }

    /// Runs one pass as `worker`, one of the workers of a shared store that holds the flow.
    /// Default: [`Flow::pass`].
    async fn pass_as(
        &self,
        connections: &Connections,
        worker: &WorkerLease,
    ) -> Result<PassReport, PassFailure> {
        let _ = worker;
        self.pass(connections).await
    }

    /// Syncs the free work items of a pass that another worker runs, and records this
    /// worker's part as a run. Returns `None`, recording nothing, when no item is free, and
    /// always for a flow that does not share its passes.
    async fn help(
        &self,
        connections: &Connections,
        worker: &WorkerLease,
    ) -> Option<Result<PassReport, PassFailure>> {
        let _ = (connections, worker);
        None
    }

    /// Replays one of the flow's dead letters.
    async fn replay(
        &self,
        connections: &Connections,
        id: i64,
    ) -> Result<ReplayOutcome, ReplayError>;

    /// Returns true when a dead letter's payload is what a replay sends, so that editing it
    /// means something. One-way flows replay from the source record instead.
    fn replays_payload(&self) -> bool;

    /// Syncs only the source records with these IDs, as they are now, and records the run.
    /// Returns `None` for a flow that syncs whole passes only. Two-way flows take IDs of
    /// either side (see [`crate::two_way::sync_records`]).
    async fn sync_records(
        &self,
        connections: &Connections,
        ids: Vec<String>,
    ) -> Option<Result<PassReport, PassFailure>> {
        let _ = (connections, ids);
        None
    }
}

/// A two-way flow as a [`Flow`].
pub struct TwoWayFlow {
    pub spec: TwoWaySpec,
}

#[async_trait]
impl Flow for TwoWayFlow {
    fn name(&self) -> &str {
        &self.spec.flow
    }

    fn fields(&self) -> Vec<FieldUse> {
        two_way::field_uses(&self.spec)
    }

    async fn pass(&self, connections: &Connections) -> Result<PassReport, PassFailure> {
        two_way::run_pass(&self.spec, connections).await
    }

    async fn replay(
        &self,
        connections: &Connections,
        id: i64,
    ) -> Result<ReplayOutcome, ReplayError> {
        two_way::replay(&self.spec, connections, id).await
    }

    fn replays_payload(&self) -> bool {
        true
    }

    async fn sync_records(
        &self,
        connections: &Connections,
        ids: Vec<String>,
    ) -> Option<Result<PassReport, PassFailure>> {
        Some(two_way::sync_records(&self.spec, connections, ids).await)
    }
}

/// A one-way flow as a [`Flow`].
pub struct OneWayFlow {
    pub template: Box<dyn OneWayTemplate>,
}

#[async_trait]
impl Flow for OneWayFlow {
    fn name(&self) -> &str {
        &self.template.spec().flow
    }

    fn fields(&self) -> Vec<FieldUse> {
        self.template.field_uses()
    }

    fn named_records(&self) -> Vec<NamedRecords> {
        self.template.named_records()
    }

    async fn pass(&self, connections: &Connections) -> Result<PassReport, PassFailure> {
        one_way::run_pass(self.template.as_ref(), connections).await
    }

    fn shares_passes(&self) -> bool {
        true
    }

    async fn pass_as(
        &self,
        connections: &Connections,
        worker: &WorkerLease,
    ) -> Result<PassReport, PassFailure> {
        one_way::run_pass_as(self.template.as_ref(), connections, worker).await
    }

    async fn help(
        &self,
        connections: &Connections,
        worker: &WorkerLease,
    ) -> Option<Result<PassReport, PassFailure>> {
        one_way::help(self.template.as_ref(), connections, worker).await
    }

    async fn replay(
        &self,
        connections: &Connections,
        id: i64,
    ) -> Result<ReplayOutcome, ReplayError> {
        one_way::replay(self.template.as_ref(), connections, id).await
    }

    fn replays_payload(&self) -> bool {
        false
    }

    async fn sync_records(
        &self,
        connections: &Connections,
        ids: Vec<String>,
    ) -> Option<Result<PassReport, PassFailure>> {
        Some(one_way::sync_records(self.template.as_ref(), connections, ids).await)
    }
}
