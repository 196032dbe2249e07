//! Two-way sync of one NetSuite record type with one Salesforce object.
//!
//! A pass reads both change feeds, matches each changed record to its counterpart, drops echoes
//! of Tandem's own writes, merges the changed fields of both sides and writes the result in
//! batches. Its steps live in their own modules:
//!
//! - [`read`]: read both feeds after their watermarks, remember the records, drop re-reads;
//! - [`plan`]: decide per linked record whether to update or skip it, and [`matcher`] per
//!   unlinked record whether to link it, create its counterpart or hold it as ambiguous;
//! - [`write`]: send the writes in batches and record each outcome;
//! - [`finish`]: mark records processed and advance the watermarks.

mod conflict;
mod deletes;
mod finish;
mod matcher;
mod matching_groups;
mod plan;
mod read;
mod replay;
mod settings;
mod write;

use std::sync::Arc;

use chrono::TimeDelta;

use crate::error::RemoteError;
use crate::mapping::Mapping;
use crate::port::RecordPort;
use crate::record::{ObjectSpec, System};
use crate::report::PassReport;
use crate::retry::RetryPolicy;
use crate::state::{RunStatus, Store, StoreError};

pub use replay::{ReplayError, ReplayOutcome, replay};
pub use settings::{
    ConflictPolicy, ConflictSettings, DeletePolicy, DeleteSettings, KeyFields, MatchSettings,
};

/// The definition of a two-way flow: the two objects, the mapped fields, matching and
/// conflict settings.
#[derive(Debug, Clone, PartialEq)]
pub struct TwoWaySpec {
    /// The flow's name, as used in the store, in logs and in reports (`account-customer`).
    pub flow: String,
    /// The NetSuite record type, the fields to read and the link field (`externalId`).
    pub netsuite: ObjectSpec,
    /// The Salesforce object, the fields to read and the link field.
    pub salesforce: ObjectSpec,
    pub mapping: Mapping,
    pub netsuite_keys: KeyFields,
    pub salesforce_keys: KeyFields,
    pub matching: MatchSettings,
    pub conflicts: ConflictSettings,
    pub deletes: DeleteSettings,
    /// How far before the watermark each read starts, because modification times are coarse
    /// and a transaction may commit after its timestamp was taken.
    pub overlap: TimeDelta,
}

impl TwoWaySpec {
    /// Returns the object spec on `system`'s side.
    pub fn object(&self, system: System) -> &ObjectSpec {
        match system {
            System::NetSuite => &self.netsuite,
            System::Salesforce => &self.salesforce,
        }
    }

    /// Returns the key fields on `system`'s side.
    pub fn keys(&self, system: System) -> &KeyFields {
        match system {
            System::NetSuite => &self.netsuite_keys,
            System::Salesforce => &self.salesforce_keys,
        }
    }
}

/// The reason a pass stopped before finishing. Records that one side refused do not stop a
/// pass: they become dead letters.
#[derive(Debug, thiserror::Error)]
pub enum PassError {
    #[error("{0}")]
    Remote(#[from] RemoteError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The store holds the state of another account or org than the one configured; going on
    /// would point cross-references at records that do not exist.
    #[error(
        "the store belongs to {system} {stored}, but the configuration reaches {system} \
         {actual}; use another [store] path for {actual}, or move the old store away to start over"
    )]
    WrongStore {
        system: System,
        stored: String,
        actual: String,
    },
}

/// A pass that stopped early, with the counts of what it did before stopping.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct PassFailure {
    pub report: PassReport,
    #[source]
    pub error: PassError,
}

/// The two systems and the store that a pass works with.
#[derive(Clone)]
pub struct Connections {
    pub netsuite: Arc<dyn RecordPort>,
    pub salesforce: Arc<dyn RecordPort>,
    pub store: Arc<dyn Store>,
    pub retry: RetryPolicy,
}

impl Connections {
    /// Returns the port of `system`.
    pub fn port(&self, system: System) -> &dyn RecordPort {
        match system {
            System::NetSuite => self.netsuite.as_ref(),
            System::Salesforce => self.salesforce.as_ref(),
        }
    }
}

/// Runs one pass of a two-way flow and records it in the run history.
///
/// Returns the pass's counts. A failure means the pass stopped early. What it wrote before
/// stopping is recorded, and the watermarks stay before anything unprocessed, so the next pass
/// repeats the rest.
pub async fn run_pass(
    spec: &TwoWaySpec,
    connections: &Connections,
) -> Result<PassReport, PassFailure> {
    let mut report = PassReport::new(&spec.flow);
    match record_pass(spec, connections, &mut report).await {
        Ok(()) => Ok(report),
        Err(error) => Err(PassFailure { report, error }),
    }
}

async fn record_pass(
    spec: &TwoWaySpec,
    connections: &Connections,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let store = connections.store.as_ref();
    let run_id = store.start_run(&spec.flow).await?;
    tracing::info!(flow = %spec.flow, run_id, "pass started");

    let result = run_steps(spec, connections, report).await;

    let counts = serde_json::to_value(&*report).unwrap_or_default();
    match &result {
        Ok(()) => {
            store
                .finish_run(run_id, RunStatus::Completed, &counts, None)
                .await?;
            tracing::info!(flow = %spec.flow, run_id, ?report, "pass completed");
        }
        Err(error) => {
            let message = error.to_string();
            store
                .finish_run(run_id, RunStatus::Failed, &counts, Some(&message))
                .await?;
            tracing::error!(flow = %spec.flow, run_id, error = %message, "pass failed");
        }
    }
    result
}

async fn run_steps(
    spec: &TwoWaySpec,
    connections: &Connections,
    report: &mut PassReport,
) -> Result<(), PassError> {
    check_identities(connections).await?;
    replay::replay_requested(spec, connections).await?;
    deletes::apply_deletes(spec, connections, report).await?;
    let batch = read::read_changes(spec, connections, report).await?;
    let work = plan::plan(spec, connections, &batch, report).await?;
    let outcome = write::write(spec, connections, work, report).await?;
    finish::finish(spec, connections, &batch, &outcome).await
}

/// Refuses a store that holds another account's or org's state, and records the identities
/// on first use.
async fn check_identities(connections: &Connections) -> Result<(), PassError> {
    let store = connections.store.as_ref();
    for system in [System::Salesforce, System::NetSuite] {
        let port = connections.port(system);
        let what = format!("{system} identity");
        let actual = connections.retry.run(&what, || port.identity()).await?;
        match store.identity(system).await? {
            Some(stored) if stored != actual => {
                return Err(PassError::WrongStore {
                    system,
                    stored,
                    actual,
                });
            }
            Some(_) => {}
            None => store.set_identity(system, &actual).await?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
