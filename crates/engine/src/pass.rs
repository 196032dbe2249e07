//! What every flow's pass shares: the connections it works with, how it fails, the run
//! history around it, and the identity check that keeps one store to one account and org.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::error::RemoteError;
use crate::port::RecordPort;
use crate::record::System;
use crate::report::PassReport;
use crate::retry::RetryPolicy;
use crate::state::{DeadLetterStatus, RunStatus, Store, StoreError, Watermark};

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

/// Runs the steps of one pass of `flow` and records it in the run history: started, then
/// completed with its counts or failed with its error. The identities of both systems are
/// checked first.
///
/// A failure means the pass stopped early; what it wrote before stopping is recorded.
pub async fn recorded_pass<'a, F, Fut>(
    flow: &str,
    connections: &'a Connections,
    steps: F,
) -> Result<PassReport, PassFailure>
where
    F: FnOnce(&'a Connections, PassReport) -> Fut,
    Fut: Future<Output = (PassReport, Result<(), PassError>)>,
{
    let store = connections.store.as_ref();
    let run_id = match store.start_run(flow).await {
        Ok(run_id) => run_id,
        Err(error) => {
            return Err(PassFailure {
                report: PassReport::new(flow),
                error: error.into(),
            });
        }
    };
    tracing::info!(flow, run_id, "pass started");
    crate::progress::pass_started(flow);
    let (report, result) = match check_identities(connections).await {
        Ok(()) => steps(connections, PassReport::new(flow)).await,
        Err(error) => (PassReport::new(flow), Err(error)),
    };
    crate::progress::pass_finished(flow);
    let counts = serde_json::to_value(&report).unwrap_or_default();
    let finished = match &result {
        Ok(()) => {
            tracing::info!(flow, run_id, ?report, "pass completed");
            store
                .finish_run(run_id, RunStatus::Completed, &counts, None)
                .await
        }
        Err(error) => {
            let message = error.to_string();
            tracing::error!(flow, run_id, error = %message, "pass failed");
            store
                .finish_run(run_id, RunStatus::Failed, &counts, Some(&message))
                .await
        }
    };
    match result.and(finished.map_err(PassError::from)) {
        Ok(()) => Ok(report),
        Err(error) => Err(PassFailure { report, error }),
    }
}

/// Returns a feed's watermark after a pass, from the `(modified_at, id)` of every record the
/// feed returned: the oldest deferred record if one was deferred (so the next pass reads it
/// again), else the newest record, else `None` (keep the old watermark).
pub(crate) fn next_watermark<'a>(
    read: impl Iterator<Item = (DateTime<Utc>, &'a str)> + Clone,
    is_deferred: impl Fn(&str) -> bool,
) -> Option<Watermark> {
    let oldest_deferred = read.clone().filter(|(_, id)| is_deferred(id)).min();
    let (modified_at, id) = match oldest_deferred {
        Some(mark) => mark,
        None => read.max()?,
    };
    Some(Watermark {
        modified_at,
        record_id: id.to_string(),
    })
}

/// Refuses a store that holds another account's or org's state, and records the identities
/// on first use.
pub async fn check_identities(connections: &Connections) -> Result<(), PassError> {
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

/// What a replay did.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplayOutcome {
    /// The write went through; the letter is resolved.
    Written,
    /// The target refused it again; the letter stays open with this error.
    Refused(RemoteError),
    /// A transient error outlasted the retries; the letter stays open as it was.
    Deferred,
}

/// Why a dead letter cannot be replayed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("dead letter {0} not found; `tandem dead-letters list` shows the IDs")]
    NotFound(i64),
    #[error("dead letter {id} is {status}, not open; only open letters are replayed")]
    NotOpen { id: i64, status: DeadLetterStatus },
    #[error("dead letter {id} belongs to flow {flow}, which is not enabled in this configuration")]
    OtherFlow { id: i64, flow: String },
    #[error("dead letter {id} records a {action} that cannot be replayed; {hint}")]
    NotReplayable {
        id: i64,
        action: String,
        hint: &'static str,
    },
    #[error(transparent)]
    Pass(#[from] PassError),
}
