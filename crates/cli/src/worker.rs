//! Several `tandem run` workers on one PostgreSQL store.
//!
//! Each worker runs a flow's pass only while it holds the flow's lease in the store, and
//! renews the lease every third of its length while the pass runs. A flow another worker
//! holds is skipped for this round. A worker that loses a lease (it could not renew in time,
//! and another worker took the flow over) stops that pass at once: the engine is safe to stop
//! at any point, as a killed process is, because the new holder repeats unfinished work.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use tandem_engine::PassReport;
use tandem_engine::flow::Flow;
use tandem_engine::two_way::Connections;
use tandem_netsuite::governance::SharedLimit;
use tandem_store::PostgresStore;

use crate::output::FlowResult;

/// This process as one of the workers of a PostgreSQL store.
pub struct Worker {
    store: PostgresStore,
    id: String,
    lease: Duration,
}

impl Worker {
    /// Names this process as a worker (`<host>-<pid>-<nanoseconds>`), holding leases for `lease`.
    pub fn new(store: PostgresStore, lease: Duration) -> Worker {
        let host = std::fs::read_to_string("/etc/hostname")
            .map(|name| name.trim().to_string())
            .ok()
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| "host".to_string());
        // The clock's nanoseconds tell apart two processes that got the same ID on one host.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let id = format!("{host}-{}-{nanos:08x}", std::process::id());
        Worker { store, id, lease }
    }

    /// Returns the worker's name, as the store's `flow_leases.worker` shows it.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Runs one pass of `flow` under its lease. Returns `None` when another worker holds the
    /// lease, and a failed result when the lease could not be taken or was lost mid-pass.
    pub async fn pass(&self, flow: &dyn Flow, connections: &Connections) -> Option<FlowResult> {
        let name = flow.name();
        match self.store.take_flow_lease(name, &self.id, self.lease).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!(flow = name, worker = %self.id, "flow leased by another worker; skipped");
                return None;
            }
            Err(error) => {
                return Some(failed(
                    name,
                    format!("cannot take the flow's lease: {error}"),
                ));
            }
        }
        let result = tokio::select! {
            result = flow.pass(connections) => FlowResult::from_pass(result),
            reason = self.keep_lease(name) => failed(name, reason),
        };
        if let Err(error) = self.store.release_flow_lease(name, &self.id).await {
            tracing::warn!(flow = name, worker = %self.id, %error, "cannot release the flow's lease; it expires by itself");
        }
        Some(result)
    }

    /// Renews the lease of `flow` until it is lost, and returns why it was lost.
    async fn keep_lease(&self, flow: &str) -> String {
        let mut renewed = Instant::now();
        loop {
            tokio::time::sleep(self.lease / 3).await;
            match self
                .store
                .renew_flow_lease(flow, &self.id, self.lease)
                .await
            {
                Ok(true) => renewed = Instant::now(),
                Ok(false) => {
                    return "another worker took the flow over after this worker's lease expired; \
                            it repeats the unfinished work"
                        .to_string();
                }
                // Give up a third of the lease before it expires, so this pass stops before
                // another worker may take the flow over, even though renewals are a third of
                // the lease apart.
                Err(error) if renewed.elapsed() >= self.lease * 2 / 3 => {
                    return format!("cannot renew the flow's lease before it expired: {error}");
                }
                Err(error) => {
                    tracing::warn!(flow, worker = %self.id, %error, "cannot renew the flow's lease; retrying");
                }
            }
        }
    }
}

/// Builds the result of a pass that did not run to its end for a reason outside the engine.
fn failed(flow: &str, reason: String) -> FlowResult {
    tracing::error!(flow, error = %reason, "pass stopped");
    FlowResult {
        report: PassReport {
            flow: flow.to_string(),
            ..PassReport::default()
        },
        error: Some(reason),
    }
}

/// The NetSuite concurrency limit shared by every worker on a PostgreSQL store.
pub struct SharedNetSuiteLimit {
    pub store: PostgresStore,
    pub limit: usize,
}

#[async_trait]
impl SharedLimit for SharedNetSuiteLimit {
    async fn acquire(&self) -> Result<Box<dyn Send + Sync>, String> {
        let slot = self
            .store
            .netsuite_slot(self.limit)
            .await
            .map_err(|error| error.to_string())?;
        Ok(Box::new(slot))
    }
}
