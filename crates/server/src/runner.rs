//! The running flows, shared by the daemon's pass loop and the server: passes, replays,
//! early wake-ups, the schedule the dashboard shows, and the metrics of every pass.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tandem_engine::flow::Access;
use tandem_engine::flow::Flow;
use tandem_engine::pass::{Connections, ReplayError, ReplayOutcome};
use tandem_engine::state::{ConflictStatus, DeadLetterStatus, ReviewStatus};
use tandem_engine::{PassReport, RecordPort, System};
use tandem_store::AnyStore;
use tokio::sync::Notify;

use crate::mapper::MappingEditor;
use crate::metrics::{MeteredPort, Metrics, QueueSizes};

/// When passes ran and will run, for the dashboard.
#[derive(Debug, Clone, Default)]
pub struct Schedule {
    /// The flow whose pass is running now.
    pub running: Option<String>,
    /// When the last round of passes ended.
    pub last_round_end: Option<DateTime<Utc>>,
    /// When the next round of passes starts, unless something wakes the loop earlier.
    pub next_round: Option<DateTime<Utc>>,
}

/// The flows a round of passes runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoundScope {
    /// Every enabled flow, in order: the round on the interval, or one a person started.
    All,
    /// Only these flows, in the order of the configuration: the flows a webhook woke.
    Flows(BTreeSet<String>),
}

impl RoundScope {
    /// Returns true when the round runs the flow `name`.
    pub fn includes(&self, name: &str) -> bool {
        match self {
            RoundScope::All => true,
            RoundScope::Flows(names) => names.contains(name),
        }
    }

    /// Adds `other` to this scope.
    fn merge(&mut self, other: RoundScope) {
        match (&mut *self, other) {
            (RoundScope::All, _) => {}
            (_, RoundScope::All) => *self = RoundScope::All,
            (RoundScope::Flows(names), RoundScope::Flows(more)) => names.extend(more),
        }
    }
}

/// The early rounds asked for and when the next full round is due.
#[derive(Debug)]
struct Wakeups {
    /// The flows asked for since the last round started, if any were.
    pending: Option<RoundScope>,
    /// When the next round of every flow starts unless one starts earlier.
    full_round_due: tokio::time::Instant,
}

/// One flow's pass in a round: its counts, and why it stopped early, if it did.
#[derive(Debug, Clone)]
pub struct FlowOutcome {
    pub report: PassReport,
    /// The reason the pass stopped early, with a hint on what to do.
    pub error: Option<String>,
}

/// Runs the pass of one flow for the runner. The command line's implementation explains
/// errors for people and, when several workers share a PostgreSQL store, leases the flow first.
#[async_trait]
pub trait PassDriver: Send + Sync {
    /// Runs one pass of `flow`; returns `None` when another worker ran the pass, and this one
    /// only waited for it to end.
    async fn pass(&self, flow: &dyn Flow, connections: &Connections) -> Option<FlowOutcome>;

    /// Syncs only the source records `ids` of `flow`, as they are now. Returns `None` for a
    /// flow that syncs whole passes only.
    async fn sync_records(
        &self,
        flow: &dyn Flow,
        connections: &Connections,
        ids: Vec<String>,
    ) -> Option<FlowOutcome>;
}

/// The reason the runner did not run a flow on request.
#[derive(Debug, thiserror::Error)]
pub enum RunFlowError {
    #[error("flow {0} is not enabled in the configuration")]
    NotEnabled(String),
    #[error("flow {0} is running on another worker now; its pass there does this work")]
    HeldElsewhere(String),
}

/// What a flow run on request covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunScope {
    /// The one source record asked for.
    Record,
    /// A whole pass.
    All,
}

/// The reason a replay through the runner failed.
#[derive(Debug, thiserror::Error)]
pub enum RunnerReplayError {
    #[error("dead letter {id} belongs to flow {flow}, which this configuration does not enable")]
    FlowNotEnabled { id: i64, flow: String },
    #[error(transparent)]
    Action(#[from] tandem_engine::actions::ActionError),
    #[error(transparent)]
    Replay(#[from] ReplayError),
}

/// The enabled flows with the connections and store they run with.
pub struct Runner {
    flows: Vec<Box<dyn Flow>>,
    driver: Box<dyn PassDriver>,
    connections: Connections,
    store: AnyStore,
    metrics: Arc<Metrics>,
    interval: Duration,
    /// Held for a whole round of passes and for each replay, so a replay never races a pass
    /// over the same records.
    pass_lock: tokio::sync::Mutex<()>,
    wake: Notify,
    wakeups: Mutex<Wakeups>,
    schedule: Mutex<Schedule>,
    /// Carries out approved MCP write requests, when the process serves the MCP gateway.
    approvals: OnceLock<Arc<dyn ApprovalExecutor>>,
    /// The field mapper's access to the configuration file, when the program gives one.
    mapper: Option<Arc<dyn MappingEditor>>,
}

/// Carries out an approved MCP write request in this process, as the MCP gateway does, so an
/// approval in the web UI acts at once.
#[async_trait]
pub trait ApprovalExecutor: Send + Sync {
    /// Carries out approved request `id` unless another process has taken it, and returns
    /// the request as JSON afterwards (its status and outcome).
    async fn carry_out(&self, id: i64) -> Result<serde_json::Value, String>;
}

impl Runner {
    /// Builds a runner. Both ports are wrapped so that every API call is counted in `metrics`.
    pub fn new(
        flows: Vec<Box<dyn Flow>>,
        driver: Box<dyn PassDriver>,
        mut connections: Connections,
        store: AnyStore,
        interval: Duration,
        metrics: Arc<Metrics>,
    ) -> Runner {
        let netsuite: Arc<dyn RecordPort> = Arc::new(MeteredPort::new(
            connections.netsuite.clone(),
            metrics.clone(),
        ));
        let salesforce: Arc<dyn RecordPort> = Arc::new(MeteredPort::new(
            connections.salesforce.clone(),
            metrics.clone(),
        ));
        connections.netsuite = netsuite;
        connections.salesforce = salesforce;
        Runner {
            flows,
            driver,
            connections,
            store,
            metrics,
            interval,
            pass_lock: tokio::sync::Mutex::new(()),
            wake: Notify::new(),
            wakeups: Mutex::new(Wakeups {
                pending: None,
                full_round_due: tokio::time::Instant::now() + interval,
            }),
            schedule: Mutex::new(Schedule::default()),
            approvals: OnceLock::new(),
            mapper: None,
        }
    }

    /// Lets the field mapper load and save the flows' mappings through `editor`.
    pub fn with_mapper(mut self, editor: Arc<dyn MappingEditor>) -> Runner {
        self.mapper = Some(editor);
        self
    }

    /// Returns the field mapper's access to the configuration, if the program gave one.
    pub fn mapper(&self) -> Option<&Arc<dyn MappingEditor>> {
        self.mapper.as_ref()
    }

    /// Returns the ports and store the passes use; every API call through them is counted.
    pub fn connections(&self) -> &Connections {
        &self.connections
    }

    /// Returns the enabled flows, in the order their passes run.
    pub fn flows(&self) -> &[Box<dyn Flow>] {
        &self.flows
    }

    /// Returns the store.
    pub fn store(&self) -> &AnyStore {
        &self.store
    }

    /// Returns the store as the engine's queue actions use it.
    pub fn state(&self) -> &dyn tandem_engine::state::Store {
        &*self.store
    }

    /// Sets what carries out approved MCP write requests; only the first call takes effect.
    pub fn set_approval_executor(&self, executor: Arc<dyn ApprovalExecutor>) {
        let _ = self.approvals.set(executor);
    }

    /// Returns what carries out approved MCP write requests, if the process has one.
    pub fn approval_executor(&self) -> Option<&Arc<dyn ApprovalExecutor>> {
        self.approvals.get()
    }

    /// Returns the metrics every pass and API call is counted in.
    pub fn metrics(&self) -> &Arc<Metrics> {
        &self.metrics
    }

    /// Returns the time between two rounds of passes.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Returns when passes ran and will run.
    pub fn schedule(&self) -> Schedule {
        self.lock_schedule().clone()
    }

    /// Runs one pass of every flow, in order, and returns each flow's result; flows whose pass
    /// another worker ran are missing. Every pass is counted in the metrics, and
    /// the queue sizes are read again after it.
    pub async fn run_round(&self) -> Vec<FlowOutcome> {
        self.run_scope(&RoundScope::All).await
    }

    /// Runs one pass of each flow in `scope`, in the configuration's order, as
    /// [`Runner::run_round`] does. Only a round of every flow moves the schedule.
    pub async fn run_scope(&self, scope: &RoundScope) -> Vec<FlowOutcome> {
        let _guard = self.pass_lock.lock().await;
        let mut results = Vec::with_capacity(self.flows.len());
        for flow in self.flows.iter().filter(|flow| scope.includes(flow.name())) {
            self.lock_schedule().running = Some(flow.name().to_string());
            let started = Instant::now();
            let Some(outcome) = self.driver.pass(flow.as_ref(), &self.connections).await else {
                continue;
            };
            let failed = outcome.error.is_some();
            self.metrics
                .record_pass(&outcome.report, started.elapsed(), failed);
            self.refresh_queue_sizes(flow.name()).await;
            results.push(outcome);
        }
        let now = Utc::now();
        let mut schedule = self.lock_schedule();
        schedule.running = None;
        if *scope == RoundScope::All {
            self.lock_wakeups().full_round_due = tokio::time::Instant::now() + self.interval;
            schedule.last_round_end = Some(now);
            schedule.next_round = chrono::Duration::from_std(self.interval)
                .ok()
                .map(|interval| now + interval);
        }
        results
    }

    /// Waits until the next round is due and returns which flows it runs: every flow once the
    /// interval has passed since the last round of every flow, or the flows that
    /// [`Runner::wake`] and [`Runner::wake_flows`] asked for (since the last round started, or
    /// during the wait).
    pub async fn until_next_round(&self) -> RoundScope {
        loop {
            let due = self.lock_wakeups().full_round_due;
            tokio::select! {
                () = tokio::time::sleep_until(due) => return RoundScope::All,
                () = self.wake.notified() => {}
            }
            // A wake-up whose flows an earlier round took leaves nothing pending: wait on.
            if let Some(scope) = self.lock_wakeups().pending.take() {
                tracing::info!(?scope, "next pass started early on request");
                return scope;
            }
        }
    }

    /// Asks the pass loop to start a round of every flow now, or right after the round in
    /// progress.
    pub fn wake(&self) {
        self.request_round(RoundScope::All);
    }

    /// Asks the pass loop to run the flows `names` now, or right after the round in progress.
    /// Names of flows that are not enabled are ignored.
    pub fn wake_flows(&self, names: BTreeSet<String>) {
        if !names.is_empty() {
            self.request_round(RoundScope::Flows(names));
        }
    }

    fn request_round(&self, scope: RoundScope) {
        let mut wakeups = self.lock_wakeups();
        match &mut wakeups.pending {
            Some(pending) => pending.merge(scope),
            None => wakeups.pending = Some(scope),
        }
        drop(wakeups);
        self.wake.notify_one();
    }

    /// Returns the enabled flows that read records of `object` from `system`, compared
    /// without regard to case (a NetSuite script sends `salesorder` for `salesOrder`).
    pub fn flows_reading(&self, system: System, object: &str) -> BTreeSet<String> {
        self.flows
            .iter()
            .filter(|flow| {
                flow.fields().iter().any(|used| {
                    used.system == system
                        && used.access != Access::Write
                        && used.object.eq_ignore_ascii_case(object)
                })
            })
            .map(|flow| flow.name().to_string())
            .collect()
    }

    /// Returns every object each system's enabled flows read, for messages about webhooks
    /// that name another.
    pub fn objects_read(&self, system: System) -> BTreeSet<String> {
        self.flows
            .iter()
            .flat_map(|flow| flow.fields())
            .filter(|used| used.system == system && used.access != Access::Write)
            .map(|used| used.object)
            .collect()
    }

    /// Runs the enabled flow `name` now, between two rounds. With `record`, a flow that can
    /// sync single records syncs only that source record; other flows run a whole pass.
    pub async fn run_flow(
        &self,
        name: &str,
        record: Option<&str>,
    ) -> Result<(FlowOutcome, RunScope), RunFlowError> {
        let flow = self
            .flows
            .iter()
            .find(|flow| flow.name() == name)
            .ok_or_else(|| RunFlowError::NotEnabled(name.to_string()))?;
        let _guard = self.pass_lock.lock().await;
        if let Some(id) = record {
            let ids = vec![id.to_string()];
            let synced = self
                .driver
                .sync_records(flow.as_ref(), &self.connections, ids)
                .await;
            if let Some(outcome) = synced {
                self.refresh_queue_sizes(name).await;
                return Ok((outcome, RunScope::Record));
            }
        }
        let started = Instant::now();
        let outcome = self
            .driver
            .pass(flow.as_ref(), &self.connections)
            .await
            .ok_or_else(|| RunFlowError::HeldElsewhere(name.to_string()))?;
        let failed = outcome.error.is_some();
        self.metrics
            .record_pass(&outcome.report, started.elapsed(), failed);
        self.refresh_queue_sizes(name).await;
        Ok((outcome, RunScope::All))
    }

    /// Replays a dead letter now, between two passes, and returns what happened.
    pub async fn replay(&self, id: i64) -> Result<ReplayOutcome, RunnerReplayError> {
        let stored = tandem_engine::actions::find_dead_letter(&*self.store, id).await?;
        let Some(flow) = self
            .flows
            .iter()
            .find(|flow| flow.name() == stored.letter.flow)
        else {
            return Err(RunnerReplayError::FlowNotEnabled {
                id,
                flow: stored.letter.flow,
            });
        };
        let _guard = self.pass_lock.lock().await;
        let outcome = flow.replay(&self.connections, id).await?;
        tracing::info!(
            flow = flow.name(),
            dead_letter = id,
            ?outcome,
            "dead letter replayed"
        );
        self.refresh_queue_sizes(flow.name()).await;
        Ok(outcome)
    }

    async fn refresh_queue_sizes(&self, flow: &str) {
        match self.queue_sizes(flow).await {
            Ok(sizes) => self.metrics.set_queue_sizes(flow, sizes),
            Err(error) => {
                tracing::warn!(flow, %error, "cannot count the open queue items for metrics");
            }
        }
    }

    /// Counts a flow's items waiting for a person.
    pub async fn queue_sizes(
        &self,
        flow: &str,
    ) -> Result<QueueSizes, tandem_engine::state::StoreError> {
        let store = &self.store;
        let open = store
            .dead_letters(Some(flow), Some(DeadLetterStatus::Open))
            .await?
            .len();
        let requested = store
            .dead_letters(Some(flow), Some(DeadLetterStatus::Requested))
            .await?
            .len();
        let reviews = store
            .reviews(Some(flow), Some(ReviewStatus::Pending))
            .await?
            .len();
        let conflicts = store
            .conflicts(Some(flow), Some(ConflictStatus::Open))
            .await?
            .len();
        Ok(QueueSizes {
            dead_letters: (open + requested) as u64,
            review_items: reviews as u64,
            conflicts: conflicts as u64,
        })
    }

    fn lock_wakeups(&self) -> std::sync::MutexGuard<'_, Wakeups> {
        // The wake-ups are plain data that stay valid after a panic elsewhere.
        self.wakeups
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn lock_schedule(&self) -> std::sync::MutexGuard<'_, Schedule> {
        // The schedule is plain data that stays valid after a panic elsewhere.
        self.schedule
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
