//! Serving the web UI, the JSON API and `/metrics` next to the passes of `tandem run` and
//! `tandem demo`.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use async_trait::async_trait;
use tandem_engine::Secret;
use tandem_engine::flow::Flow;
use tandem_engine::pass::Connections;
use tandem_server::runner::{FlowOutcome, PassDriver};
use tandem_server::{
    Metrics, Runner, Server, ServerSecrets, ServerSettings, TOKEN_VARIABLE, WEBHOOK_SECRET_VARIABLE,
};
use tandem_store::StoreLocation;
use tokio::task::JoinHandle;

use crate::config::SecretSource;
use crate::connect::Setup;
use crate::mapper::{ConfigMapper, reloadable};
use crate::mcp::Gateway;
use crate::output::FlowResult;
use crate::shutdown::StopSignal;
use crate::worker::Worker;

/// Where the API token came from, for the start-up message.
pub enum TokenOrigin {
    /// `TANDEM_API_TOKEN` or `TANDEM_API_TOKEN_FILE`.
    Variable,
    /// A token file next to the store, read again from an earlier start.
    ExistingFile(PathBuf),
    /// A token file next to the store, made now.
    NewFile(PathBuf),
}

/// Returns the file `tandem run` keeps a token it made in: `<database file>.api-token` next to
/// a SQLite store, `tandem.api-token` next to the configuration for a PostgreSQL store.
pub fn token_path(store: &StoreLocation, config_dir: &Path) -> PathBuf {
    match store {
        StoreLocation::Sqlite(database) => {
            let mut name = database.as_os_str().to_owned();
            name.push(".api-token");
            PathBuf::from(name)
        }
        StoreLocation::Postgres(_) => config_dir.join("tandem.api-token"),
    }
}

/// Returns the API token for `tandem run`: `TANDEM_API_TOKEN` (or `_FILE`) when set, else the
/// contents of the token file `path`, which is made with a random token (readable only by its
/// owner) when missing. The token itself is never printed or logged.
pub fn run_token(secrets: &SecretSource, path: PathBuf) -> anyhow::Result<(Secret, TokenOrigin)> {
    if let Some(token) = secrets.optional(TOKEN_VARIABLE)? {
        return Ok((Secret::new(token), TokenOrigin::Variable));
    }
    if path.exists() {
        let token = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read the API token file {}", path.display()))?;
        let token = token.trim();
        if token.is_empty() {
            anyhow::bail!(
                "the API token file {} is empty; delete it to have a new token made, or set {}",
                path.display(),
                TOKEN_VARIABLE
            );
        }
        return Ok((Secret::new(token), TokenOrigin::ExistingFile(path)));
    }
    let token = tandem_server::auth::random_token();
    write_private(&path, &token)
        .with_context(|| format!("cannot write the API token file {}", path.display()))?;
    Ok((Secret::new(token), TokenOrigin::NewFile(path)))
}

/// Writes a file that only its owner can read.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")
}

/// Tells on stderr where to log in, without the token.
pub fn print_token_origin(origin: &TokenOrigin, address: SocketAddr) {
    let how = match origin {
        TokenOrigin::Variable => format!("the value of {TOKEN_VARIABLE}"),
        TokenOrigin::ExistingFile(path) => format!("the token in {}", path.display()),
        TokenOrigin::NewFile(path) => format!(
            "the token just made in {} (set {TOKEN_VARIABLE} to choose your own)",
            path.display()
        ),
    };
    eprintln!("log in at http://{address}/login with {how}");
}

/// Runs passes as the command line does: through the worker's lease on a PostgreSQL store,
/// with errors explained for people.
struct Passes {
    worker: Option<Worker>,
}

#[async_trait]
impl PassDriver for Passes {
    async fn pass(&self, flow: &dyn Flow, connections: &Connections) -> Option<FlowOutcome> {
        let result = match &self.worker {
            Some(worker) => worker.pass(flow, connections).await?,
            None => FlowResult::from_pass(flow.pass(connections).await),
        };
        Some(FlowOutcome {
            report: result.report,
            error: result.error,
        })
    }

    async fn sync_records(
        &self,
        flow: &dyn Flow,
        connections: &Connections,
        ids: Vec<String>,
    ) -> Option<FlowOutcome> {
        // NOTE: a run of single records takes no flow lease, so on a shared PostgreSQL store
        // it can overlap another worker's pass of the same flow.
        let result = FlowResult::from_pass(flow.sync_records(connections, ids).await?);
        Some(FlowOutcome {
            report: result.report,
            error: result.error,
        })
    }
}

/// Converts a runner's outcomes into the results the reports print.
pub fn results(outcomes: Vec<FlowOutcome>) -> Vec<FlowResult> {
    outcomes
        .into_iter()
        .map(|outcome| FlowResult {
            report: outcome.report,
            error: outcome.error,
        })
        .collect()
}

/// The enabled flows of a setup (and its worker, on PostgreSQL), moved into a runner whose
/// passes are counted in new metrics. The web UI's field mapper edits the mappings in the
/// configuration file `config`, and a saved mapping is used from the flow's next pass on.
pub fn runner(setup: &mut Setup, interval: Duration, config: &Path) -> Arc<Runner> {
    let (flows, slots) = reloadable(std::mem::take(&mut setup.flows));
    let driver = Passes {
        worker: setup.worker.take(),
    };
    let runner = Runner::new(
        flows,
        Box::new(driver),
        setup.connections.clone(),
        setup.store.clone(),
        interval,
        Arc::new(Metrics::new()),
    );
    let mapper = ConfigMapper::new(
        config,
        slots,
        runner.connections().netsuite.clone(),
        runner.connections().salesforce.clone(),
    );
    Arc::new(runner.with_mapper(Arc::new(mapper)))
}

/// Returns the webhook secret from `TANDEM_WEBHOOK_SECRET` (or `_FILE`), or `None` to leave
/// webhooks off.
pub fn webhook_secret(secrets: &SecretSource) -> anyhow::Result<Option<Secret>> {
    Ok(secrets.optional(WEBHOOK_SECRET_VARIABLE)?.map(Secret::new))
}

/// Binds `listen` and serves until a stop is requested. Prints `listening on http://ADDR` on
/// stderr once bound, so scripts and tests that pass port 0 can read the port.
pub async fn start(
    listen: SocketAddr,
    runner: Arc<Runner>,
    secrets: ServerSecrets,
    settings: ServerSettings,
    gateway: Gateway,
    stop: &StopSignal,
) -> anyhow::Result<(SocketAddr, JoinHandle<()>)> {
    let webhooks = secrets.webhook_secret.is_some();
    let gateway = gateway.attach(runner.clone());
    gateway.spawn_approval_loop(stop.clone());
    let mcp = move |bound| gateway.router(bound);
    let server = Server::bind(listen, runner, secrets, settings, mcp)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {listen}; stop what uses it or choose another address with \
             --listen 127.0.0.1:PORT (port 0 picks a free one)"
            )
        })?;
    let address = server.address()?;
    eprintln!("listening on http://{address}");
    tracing::info!(%address, webhooks, "server started");
    let mut stop = stop.clone();
    let task = tokio::spawn(async move {
        let shutdown = async move { stop.requested().await };
        if let Err(error) = server.serve(shutdown).await {
            tracing::error!(%error, "the server stopped with an error");
        }
        tracing::info!("server stopped");
    });
    Ok((address, task))
}
