//! What the gateway needs from the process it runs in: the store, the enabled flows, and the
//! actions that need the two systems (a pass, a replay, the API budget). `tandem mcp`
//! provides them from the configuration file; a server that runs the flows itself can
//! provide its own.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;
pub use tandem_engine::state::GatewayBackend;

pub use crate::live::LivePorts;

/// An action the host could not carry out. The message says what failed and what to do.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct HostError {
    pub message: String,
}

impl HostError {
    /// Builds an error from its message.
    pub fn new(message: impl Into<String>) -> HostError {
        HostError {
            message: message.into(),
        }
    }
}

/// The process the gateway runs in.
#[async_trait]
pub trait Host: Send + Sync {
    /// The store the flows keep their state in.
    fn store(&self) -> Arc<dyn GatewayBackend>;

    /// The names of the enabled flows, in the order a pass runs them.
    fn flows(&self) -> Vec<String>;

    /// Runs one pass of `flow` and returns its report as JSON. With `record`, the flow syncs
    /// only that record as it is now (a one-way flow's source record; for a two-way flow a
    /// Salesforce Id or a NetSuite internal ID of either side), and the report's `scope` is
    /// `record`; a flow that cannot runs a whole pass (`scope` `all`). With
    /// `dry_run`, nothing is written anywhere and the report lists the writes that would have
    /// been sent.
    async fn run_flow(
        &self,
        flow: &str,
        record: Option<&str>,
        dry_run: bool,
    ) -> Result<Value, HostError>;

    /// Replays dead letter `id` and returns the outcome as JSON (`written`, `refused` with the
    /// error, `deferred`, or `requested` when another process owns the store and replays it
    /// in its next pass).
    async fn replay(&self, id: i64) -> Result<Value, HostError>;

    /// Returns the API budget and concurrency of both systems as JSON.
    async fn budget(&self) -> Result<Value, HostError>;

    /// Returns the two systems' ports for look-ups in their live APIs. Fails, saying why,
    /// when they cannot be built (missing credentials); the default has none.
    async fn live_ports(&self) -> Result<LivePorts, HostError> {
        Err(HostError::new(
            "this process has no connection to NetSuite and Salesforce for live look-ups",
        ))
    }
}
