//! The MCP gateway's host for `tandem mcp`: the store and flows named by the configuration
//! file, and actions that connect to both systems when called.

use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::{Value, json};
use tandem_engine::System;
use tandem_engine::flow::Flow;
use tandem_engine::pass::{Connections, ReplayOutcome};
use tandem_engine::state::DeadLetterStatus;
use tandem_mcp::{GatewayBackend, Host, HostError, LivePorts};
use tandem_server::Runner;
use tandem_server::runner::RunScope;
use tandem_store::AnyStore;

use crate::config::{FileConfig, SecretSource};
use crate::connect::{
    SetupError, connect, connect_dry_run, netsuite_port, netsuite_scheduler, salesforce_port,
};
use crate::flows::enabled_flows;
use crate::output::{FlowResult, json_report};

/// The host of a `tandem mcp` process.
pub struct ConfigHost {
    file: FileConfig,
    dir: PathBuf,
    secrets: SecretSource,
    /// Opened without the store's lock, like the queue commands, so look-ups work while a
    /// daemon runs.
    store: AnyStore,
    flows: Vec<String>,
    /// Serializes passes and replays of this process, which each take the store's lock.
    actions: tokio::sync::Mutex<()>,
    /// The ports of live look-ups, built on first use and kept, so that their sessions and
    /// tokens are reused.
    live: std::sync::OnceLock<LivePorts>,
}

impl ConfigHost {
    /// Builds the host; fails when the configuration's flows or store are invalid.
    pub async fn new(
        file: FileConfig,
        dir: PathBuf,
        secrets: SecretSource,
    ) -> anyhow::Result<ConfigHost> {
        let flows = enabled_flows(&file)?
            .iter()
            .map(|flow| flow.name().to_string())
            .collect();
        let store = crate::connect::open_store(&file, &dir, &secrets).await?;
        Ok(ConfigHost {
            file,
            dir,
            secrets,
            store,
            flows,
            actions: tokio::sync::Mutex::new(()),
            live: std::sync::OnceLock::new(),
        })
    }

    fn busy(&self) -> HostError {
        HostError::new(format!(
            "another tandem process (a `tandem run` daemon) holds the store and runs every \
             flow each {} s; its next pass does this work, or stop it to run passes from here",
            self.file.interval().as_secs()
        ))
    }

    async fn dry_run(&self, flow: &str, record: Option<&str>) -> Result<Value, HostError> {
        let setup = connect_dry_run(&self.file, &self.dir, &self.secrets)
            .await
            .map_err(|error| HostError::new(error.to_string()))?;
        let flow = find_flow(&setup.flows, flow)?;
        let (result, scope) = execute(flow, &setup.connections, record).await;
        let planned: Vec<Value> = setup
            .dry_run
            .iter()
            .flatten()
            .flat_map(|port| port.planned())
            .map(|write| json!(write))
            .collect();
        setup.store.close().await;
        let mut report = pass_json(&result, scope);
        report["dry_run"] = Value::from(true);
        report["planned"] = Value::from(planned);
        Ok(report)
    }

    /// Counts the NetSuite requests in flight across every worker of a shared PostgreSQL
    /// store, or `None` for a SQLite store, which keeps no such count.
    async fn shared_netsuite_in_flight(&self) -> Result<Option<usize>, HostError> {
        match &self.store {
            AnyStore::Postgres(store) => store
                .netsuite_slots_in_use()
                .await
                .map(Some)
                .map_err(|error| HostError::new(error.to_string())),
            _ => Ok(None),
        }
    }

    /// Asks the process holding the store to replay the letter in its next pass.
    async fn request_replay(&self, id: i64) -> Result<Value, HostError> {
        let stored = self
            .store
            .dead_letter(id)
            .await
            .map_err(|error| HostError::new(error.to_string()))?
            .ok_or_else(|| HostError::new(format!("dead letter {id} not found")))?;
        if stored.status != DeadLetterStatus::Open {
            return Err(HostError::new(format!(
                "dead letter {id} is {}, not open; only open letters are replayed",
                stored.status
            )));
        }
        self.store
            .set_dead_letter_status(id, DeadLetterStatus::Requested)
            .await
            .map_err(|error| HostError::new(error.to_string()))?;
        Ok(
            json!({"outcome": "requested", "message": "another tandem process holds the store; its next pass replays the letter"}),
        )
    }
}

/// Explains the NetSuite figures of the budget.
fn netsuite_note(shared: bool) -> &'static str {
    if shared {
        "NetSuite limits concurrent requests per account, not a daily count. \
         in_flight_all_workers counts the requests in flight now across every worker sharing \
         this PostgreSQL store, each holding one of concurrency_limit slots."
    } else {
        "NetSuite limits concurrent requests per account, not a daily count. A SQLite store \
         keeps no count across processes, so in_flight_all_workers is null; the gateway that \
         `tandem run` serves at /mcp reports its own passes' requests in flight as \
         in_flight_this_process."
    }
}

fn find_flow<'a>(flows: &'a [Box<dyn Flow>], name: &str) -> Result<&'a dyn Flow, HostError> {
    flows
        .iter()
        .find(|flow| flow.name() == name)
        .map(|flow| flow.as_ref())
        .ok_or_else(|| HostError::new(format!("flow {name} is not enabled in the configuration")))
}

/// Syncs `record` alone when the flow can, else runs a whole pass, and returns the result
/// with its scope (`record` or `all`).
async fn execute(
    flow: &dyn Flow,
    connections: &Connections,
    record: Option<&str>,
) -> (FlowResult, &'static str) {
    if let Some(id) = record
        && let Some(result) = flow.sync_records(connections, vec![id.to_string()]).await
    {
        return (FlowResult::from_pass(result), "record");
    }
    (FlowResult::from_pass(flow.pass(connections).await), "all")
}

/// Renders a replay's outcome for the agent.
fn replay_json(outcome: ReplayOutcome) -> Value {
    match outcome {
        ReplayOutcome::Written => json!({"outcome": "written"}),
        ReplayOutcome::Refused(error) => json!({"outcome": "refused", "error": error}),
        ReplayOutcome::Deferred => {
            json!({"outcome": "deferred", "message": "the other side did not answer; try again later"})
        }
    }
}

/// Renders one flow's run as the `tandem run --json` report renders it, with its scope.
fn pass_json(result: &FlowResult, scope: &str) -> Value {
    let report: Value =
        serde_json::from_str(&json_report(std::slice::from_ref(result))).unwrap_or(Value::Null);
    let mut flow = report["flows"][0].clone();
    flow["scope"] = Value::from(scope);
    flow
}

#[async_trait]
impl Host for ConfigHost {
    fn store(&self) -> Arc<dyn GatewayBackend> {
        self.store.gateway()
    }

    fn flows(&self) -> Vec<String> {
        self.flows.clone()
    }

    async fn run_flow(
        &self,
        flow: &str,
        record: Option<&str>,
        dry_run: bool,
    ) -> Result<Value, HostError> {
        let _turn = self.actions.lock().await;
        if dry_run {
            return self.dry_run(flow, record).await;
        }
        let setup = match connect(&self.file, &self.dir, &self.secrets).await {
            Ok(setup) => setup,
            Err(SetupError::Busy(_)) => return Err(self.busy()),
            Err(error) => return Err(HostError::new(error.to_string())),
        };
        let flow = find_flow(&setup.flows, flow)?;
        let (result, scope) = execute(flow, &setup.connections, record).await;
        setup.store.close().await;
        Ok(pass_json(&result, scope))
    }

    async fn replay(&self, id: i64) -> Result<Value, HostError> {
        let _turn = self.actions.lock().await;
        let setup = match connect(&self.file, &self.dir, &self.secrets).await {
            Ok(setup) => setup,
            Err(SetupError::Busy(_)) => return self.request_replay(id).await,
            Err(error) => return Err(HostError::new(error.to_string())),
        };
        let letter = self
            .store
            .dead_letter(id)
            .await
            .map_err(|error| HostError::new(error.to_string()))?
            .ok_or_else(|| HostError::new(format!("dead letter {id} not found")))?;
        let flow = find_flow(&setup.flows, &letter.letter.flow)?;
        let outcome = flow
            .replay(&setup.connections, id)
            .await
            .map_err(|error| HostError::new(error.to_string()));
        setup.store.close().await;
        Ok(replay_json(outcome?))
    }

    async fn budget(&self) -> Result<Value, HostError> {
        let config_error = |error: crate::config::ConfigError| HostError::new(error.to_string());
        let salesforce = salesforce_port(&self.file, &self.secrets).map_err(config_error)?;
        let scheduler = netsuite_scheduler(&self.file, &self.secrets).map_err(config_error)?;
        let client = salesforce.client();
        let daily = match client.limits().await {
            Ok(limits) => limits
                .daily_api_usage()
                .map(|usage| json!({"used": usage.used, "max": usage.max})),
            Err(error) => {
                return Err(HostError::new(format!(
                    "cannot read Salesforce limits: {error}"
                )));
            }
        };
        let budget = client.budget();
        let shared = self.shared_netsuite_in_flight().await?;
        Ok(json!({
            "salesforce": {
                "daily_api_requests": daily,
                "reserve_percent": budget.reserve_percent,
                "tandem_allowance": budget.allowance(),
                "tandem_remaining": budget.remaining(),
                "exhausted": budget.is_exhausted(),
            },
            "netsuite": {
                "concurrency_limit": scheduler.limit(),
                "in_flight_all_workers": shared,
                "note": netsuite_note(shared.is_some()),
            },
        }))
    }
    async fn live_ports(&self) -> Result<LivePorts, HostError> {
        if let Some(ports) = self.live.get() {
            return Ok(ports.clone());
        }
        let config_error = |error: crate::config::ConfigError| HostError::new(error.to_string());
        let ports = LivePorts {
            netsuite: netsuite_port(&self.file, &self.secrets).map_err(config_error)?,
            salesforce: Arc::new(salesforce_port(&self.file, &self.secrets).map_err(config_error)?),
        };
        Ok(self.live.get_or_init(|| ports).clone())
    }
}

/// The host of the gateway that `tandem run` and `tandem demo` serve at `/mcp`: passes and
/// replays go through the process's own runner, between its rounds, and look-ups, dry runs
/// and the budget work as in `tandem mcp`.
pub struct DaemonHost {
    config: ConfigHost,
    runner: Arc<Runner>,
}

impl DaemonHost {
    pub fn new(config: ConfigHost, runner: Arc<Runner>) -> DaemonHost {
        DaemonHost { config, runner }
    }
}

#[async_trait]
impl Host for DaemonHost {
    fn store(&self) -> Arc<dyn GatewayBackend> {
        self.config.store()
    }

    fn flows(&self) -> Vec<String> {
        self.runner
            .flows()
            .iter()
            .map(|flow| flow.name().to_string())
            .collect()
    }

    async fn run_flow(
        &self,
        flow: &str,
        record: Option<&str>,
        dry_run: bool,
    ) -> Result<Value, HostError> {
        if dry_run {
            return self.config.run_flow(flow, record, true).await;
        }
        let (outcome, scope) = self
            .runner
            .run_flow(flow, record)
            .await
            .map_err(|error| HostError::new(error.to_string()))?;
        let scope = match scope {
            RunScope::Record => "record",
            RunScope::All => "all",
        };
        let result = FlowResult {
            report: outcome.report,
            error: outcome.error,
        };
        Ok(pass_json(&result, scope))
    }

    async fn replay(&self, id: i64) -> Result<Value, HostError> {
        let outcome = self
            .runner
            .replay(id)
            .await
            .map_err(|error| HostError::new(error.to_string()))?;
        Ok(replay_json(outcome))
    }

    async fn budget(&self) -> Result<Value, HostError> {
        let mut budget = self.config.budget().await?;
        let in_flight = self.runner.metrics().calls_in_flight(System::NetSuite);
        budget["netsuite"]["in_flight_this_process"] = Value::from(in_flight);
        Ok(budget)
    }

    async fn live_ports(&self) -> Result<LivePorts, HostError> {
        self.config.live_ports().await
    }
}
