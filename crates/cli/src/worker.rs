//! Several `tandem run` workers on one PostgreSQL store.
//!
//! Each worker runs a flow's pass only while it holds the flow's lease in the store, and
//! renews the lease every third of its length while the pass runs. A one-way flow's pass is
//! shared: the holder stores its records as work items, and the other workers lease and sync
//! items of it meanwhile. When another worker has the lease of a two-way flow, a worker waits
//! for that pass to end, so that the flows after it in the configuration see its result. A worker
//! that loses a lease (it could not renew in time, and another worker took the flow or
//! item over) stops that work at once: the engine is safe to stop at any point, as a killed
//! process is, because the new holder repeats unfinished work.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use tandem_engine::PassReport;
use tandem_engine::flow::Flow;
use tandem_engine::two_way::Connections;
use tandem_engine::work::WorkerLease;
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

    /// Returns this worker's name and lease length as the engine's work items use them.
    fn work_lease(&self) -> WorkerLease {
        WorkerLease {
            worker: self.id.clone(),
            ttl: self.lease,
            exclusive: false,
        }
    }

    /// Runs one pass of `flow` under its lease, or helps the worker that holds it.
    ///
    /// The worker that takes the flow's lease runs the pass. For a flow whose passes are not
    /// shared, another worker waits for the holder's pass to end and returns `None`. So it
    /// does not start the flows after it too early, such as invoices before the customers
    /// they belong to are linked. For a shared flow it syncs the pass's free work items
    /// instead, and waits while the holder runs the pass: for items to free up (a stopped
    /// worker's expire) and for the pass to end. When the holder stops, its flow lease
    /// expires and this worker takes over a shared pass. Returns the counts of what this
    /// worker did, and a failed result when a lease could not be taken or was lost.
    pub async fn pass(&self, flow: &dyn Flow, connections: &Connections) -> Option<FlowResult> {
        let name = flow.name();
        let work = self.work_lease();
        let mut helped: Option<FlowResult> = None;
        // True once another worker was seen running the pass, whose end frees the lease.
        let mut held_elsewhere = false;
        let mut waited = false;
        loop {
            match self.store.take_flow_lease(name, &self.id, self.lease).await {
                Ok(true) => {
                    return self
                        .hold(flow, connections, &work, helped, held_elsewhere)
                        .await;
                }
                Ok(false) => {}
                Err(error) => {
                    let reason = format!("cannot take the flow's lease: {error}");
                    return Some(merged(helped, failed(name, reason)));
                }
            }
            held_elsewhere = true;
            if !flow.shares_passes() {
                if !waited {
                    tracing::info!(flow = name, worker = %self.id,
                        "flow run by another worker; waiting for its pass to end before the next flow");
                }
                waited = true;
                tokio::time::sleep(work.poll_interval()).await;
                continue;
            }
            match flow.help(connections, &work).await {
                Some(result) => {
                    let result = FlowResult::from_pass(result);
                    let stop = result.error.is_some();
                    helped = Some(merged(helped, result));
                    if stop {
                        return helped;
                    }
                }
                None => {
                    if !waited {
                        tracing::info!(flow = name, worker = %self.id, "flow run by another worker; helping with its pass");
                    }
                    waited = true;
                    tokio::time::sleep(work.poll_interval()).await;
                }
            }
        }
    }

    /// Runs the pass of `flow`, whose lease this worker just took, and gives the lease back.
    /// After waiting for another worker's pass, the lease is free because that pass ended:
    /// unless it left an open work pass to resume, this worker runs no second pass.
    async fn hold(
        &self,
        flow: &dyn Flow,
        connections: &Connections,
        work: &WorkerLease,
        helped: Option<FlowResult>,
        held_elsewhere: bool,
    ) -> Option<FlowResult> {
        let name = flow.name();
        let resume = match connections.store.open_work_pass(name).await {
            Ok(open) => open.is_some(),
            Err(error) => {
                tracing::warn!(flow = name, worker = %self.id, %error, "cannot look for an open work pass");
                false
            }
        };
        let result = if held_elsewhere && !resume {
            None
        } else {
            let result = tokio::select! {
                result = flow.pass_as(connections, work) => FlowResult::from_pass(result),
                reason = self.keep_lease(name) => failed(name, reason),
            };
            Some(result)
        };
        if let Err(error) = self.store.release_flow_lease(name, &self.id).await {
            tracing::warn!(flow = name, worker = %self.id, %error, "cannot release the flow's lease; it expires by itself");
        }
        match result {
            Some(result) => Some(merged(helped, result)),
            None => helped,
        }
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

/// Adds `result` to the parts of the pass this worker did before, if any.
fn merged(before: Option<FlowResult>, result: FlowResult) -> FlowResult {
    let Some(mut total) = before else {
        return result;
    };
    total.report.add(&result.report);
    total.error = total.error.or(result.error);
    total
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
