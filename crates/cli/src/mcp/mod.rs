//! `tandem mcp`: the MCP gateway over stdio or streamable HTTP, and `tandem mcp token` to
//! manage client tokens kept in the store.

mod host;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::json;
use tandem_mcp::approvals::{CarryOut, carry_out, carry_out_approved};
use tandem_mcp::auth::{new_token, token_hash};
use tandem_mcp::policy::Scopes;
use tandem_mcp::{Governance, Host};
use tandem_store::{LockError, StoreLocation, StoreLock};
use tokio::task::JoinHandle;

use self::host::{ConfigHost, DaemonHost};
use crate::config::{ConfigError, FileConfig, SecretSource};
use crate::queues::StoreArgs;
use crate::say;
use crate::shutdown::StopSignal;

/// The variable that contains the token of a stdio session.
pub const TOKEN_VARIABLE: &str = "TANDEM_MCP_TOKEN";

/// Options of `tandem mcp`.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct McpArgs {
    #[command(subcommand)]
    pub command: Option<McpCommand>,
    /// The configuration file (required unless a subcommand is given).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Serve streamable HTTP at http://ADDR/mcp instead of stdio (for example
    /// 127.0.0.1:8765); each request sends `Authorization: Bearer TOKEN`.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,
    /// Read secrets and client tokens missing from the environment from this KEY=VALUE file.
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
}

/// Subcommands of `tandem mcp`.
#[derive(Debug, clap::Subcommand)]
pub enum McpCommand {
    /// Manage client tokens kept in the store.
    #[command(subcommand)]
    Token(TokenCommand),
}

/// `tandem mcp token create|list|revoke`.
#[derive(Debug, clap::Subcommand)]
pub enum TokenCommand {
    /// Make a token for a client and print it once; only its hash is stored.
    Create {
        #[command(flatten)]
        store: StoreArgs,
        /// The client's name, as the call log and approval requests show it.
        #[arg(long)]
        client: String,
        /// A scope: `read`, `write:FLOW` or `write:*`. Repeat for several.
        #[arg(long = "scope", required = true)]
        scopes: Vec<String>,
        /// Calls per minute for this client (default: mcp.calls_per_minute, or 60).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
        calls_per_minute: Option<u32>,
    },
    /// List the clients with stored tokens (never the tokens).
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Delete every stored token of a client.
    Revoke {
        #[command(flatten)]
        store: StoreArgs,
        /// The client whose tokens are deleted.
        #[arg(long)]
        client: String,
    },
}

/// Runs `tandem mcp`.
pub async fn run(args: McpArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(McpCommand::Token(command)) => token(command).await,
        None => {
            let Some(config) = args.config else {
                bail!("missing --config FILE: the configuration names the store and the flows");
            };
            serve(&config, args.listen, args.env_file.as_deref()).await
        }
    }
}

async fn serve(
    config: &Path,
    listen: Option<SocketAddr>,
    env_file: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let file = FileConfig::load(config)?;
    let secrets = match env_file {
        Some(path) => SecretSource::with_env_file(path)?,
        None => SecretSource::environment(),
    };
    let governance = Governance::new(&file.mcp, |name| secrets.required(name).ok())
        .map_err(|message| ConfigError::new("mcp", message))?;
    let dir = config.parent().unwrap_or(Path::new(".")).to_path_buf();
    let token = secrets.required(TOKEN_VARIABLE).ok();
    let host: Arc<dyn Host> = Arc::new(ConfigHost::new(file, dir, secrets).await?);
    let governance = Arc::new(governance);
    match listen {
        None => {
            tandem_mcp::serve_stdio(host, governance, token)
                .await
                .context("the MCP stdio session failed")?;
        }
        Some(address) => serve_http(host, governance, address).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve_http(
    host: Arc<dyn Host>,
    governance: Arc<Governance>,
    address: SocketAddr,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .with_context(|| format!("cannot listen on {address}; pick a free port"))?;
    let bound = listener.local_addr()?;
    let app = tandem_mcp::router(host, governance, &allowed_hosts(bound));
    eprintln!("MCP gateway listening on http://{bound}/mcp");
    tracing::info!(%bound, "MCP gateway started");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("the MCP HTTP server failed")?;
    tracing::info!("MCP gateway stopped");
    Ok(())
}

/// The MCP gateway of a `tandem run` or `tandem demo` process, served at `/mcp` beside the
/// web UI with the same `[mcp]` clients, scopes and policies as `tandem mcp`.
pub struct Gateway {
    host: ConfigHost,
    governance: Arc<Governance>,
}

impl Gateway {
    /// Reads the `[mcp]` section and opens the store for look-ups.
    pub async fn new(
        file: &FileConfig,
        dir: &Path,
        secrets: &SecretSource,
    ) -> anyhow::Result<Gateway> {
        let governance = Governance::new(&file.mcp, |name| secrets.required(name).ok())
            .map_err(|message| ConfigError::new("mcp", message))?;
        let host = ConfigHost::new(file.clone(), dir.to_path_buf(), secrets.clone()).await?;
        Ok(Gateway {
            host,
            governance: Arc::new(governance),
        })
    }

    /// Binds the gateway to the daemon's `runner`: passes and replays go through it, and an
    /// approval in the web UI or API is carried out through it at once.
    pub fn attach(self, runner: Arc<tandem_server::Runner>) -> DaemonGateway {
        let host: Arc<dyn Host> = Arc::new(DaemonHost::new(self.host, runner.clone()));
        runner.set_approval_executor(Arc::new(ApprovalRunner { host: host.clone() }));
        DaemonGateway {
            host,
            governance: self.governance,
        }
    }
}

/// How often a daemon looks for requests approved on the command line while it held the
/// store. An approval in the web UI or API does not wait for this.
const APPROVAL_POLL: Duration = Duration::from_secs(2);

/// The MCP gateway of a daemon, bound to its runner.
pub struct DaemonGateway {
    host: Arc<dyn Host>,
    governance: Arc<Governance>,
}

impl DaemonGateway {
    /// Returns the `/mcp` routes for a server bound to `bound`.
    pub fn router(&self, bound: SocketAddr) -> axum::Router {
        tandem_mcp::router(
            self.host.clone(),
            self.governance.clone(),
            &allowed_hosts(bound),
        )
    }

    /// Carries out approved requests every [`APPROVAL_POLL`] until `stop`: those approved
    /// with `tandem approvals approve` while this daemon held the store, which the command
    /// leaves to it.
    pub fn spawn_approval_loop(&self, mut stop: StopSignal) -> JoinHandle<()> {
        let host = self.host.clone();
        tokio::spawn(async move {
            while !stop.is_requested() {
                if let Err(error) = carry_out_approved(host.as_ref(), "daemon").await {
                    tracing::error!(%error, "cannot read the approved MCP requests");
                }
                tokio::select! {
                    () = tokio::time::sleep(APPROVAL_POLL) => {}
                    () = stop.requested() => {}
                }
            }
        })
    }
}

/// Carries out approvals decided in the web UI or API, through the daemon's host.
struct ApprovalRunner {
    host: Arc<dyn Host>,
}

#[async_trait::async_trait]
impl tandem_server::runner::ApprovalExecutor for ApprovalRunner {
    async fn carry_out(&self, id: i64) -> Result<serde_json::Value, String> {
        match carry_out(self.host.as_ref(), id, "daemon (web UI or API)").await {
            Ok(CarryOut::Finished(approval) | CarryOut::NotApproved(approval)) => {
                Ok(approval.to_json())
            }
            Err(error) => Err(error.to_string()),
        }
    }
}

/// The process that carries out a request approved on the command line.
pub enum ApprovalRun {
    /// A daemon has the SQLite store locked, so its approval loop carries the request out.
    LeftToDaemon,
    /// This process tried, with this result.
    Here(Box<CarryOut>),
}

/// Carries out approved request `id` from the command line, through the engine, unless a
/// daemon holds the (SQLite) store: then the daemon does it within [`APPROVAL_POLL`]. On a
/// PostgreSQL store any number of processes may try; the store's status change lets exactly
/// one of them act.
pub async fn carry_out_approval(
    config: &Path,
    env_file: Option<&Path>,
    id: i64,
) -> anyhow::Result<ApprovalRun> {
    let file = FileConfig::load(config)?;
    let secrets = match env_file {
        Some(path) => SecretSource::with_env_file(path)?,
        None => SecretSource::environment(),
    };
    let dir = config.parent().unwrap_or(Path::new(".")).to_path_buf();
    if let StoreLocation::Sqlite(path) = file.store_location(&dir)? {
        // NOTE: the lock is given back before the engine takes it again to run the write, so
        // a daemon that starts in between makes the write fail as busy, and the stored
        // outcome is that error.
        match StoreLock::acquire(&path) {
            Ok(lock) => drop(lock),
            Err(LockError::Busy { .. }) => return Ok(ApprovalRun::LeftToDaemon),
            Err(error) => return Err(error.into()),
        }
    }
    let host = ConfigHost::new(file, dir, secrets).await?;
    let carried = carry_out(&host, id, "command line").await?;
    Ok(ApprovalRun::Here(Box::new(carried)))
}

/// Returns the `Host` header values the gateway accepts: loopback names and the address it
/// listens on.
fn allowed_hosts(bound: SocketAddr) -> Vec<String> {
    vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
        bound.ip().to_string(),
        bound.to_string(),
    ]
}

async fn token(command: TokenCommand) -> anyhow::Result<ExitCode> {
    match command {
        TokenCommand::Create {
            store,
            client,
            scopes,
            calls_per_minute,
        } => {
            Scopes::parse(&scopes).map_err(anyhow::Error::msg)?;
            if client.trim().is_empty() {
                bail!("--client is empty: give the client a name");
            }
            let token = new_token();
            let db = store.open().await?.gateway();
            db.add_token(
                client.trim(),
                &token_hash(&token),
                &scopes,
                calls_per_minute,
            )
            .await?;
            if store.json {
                say!(
                    "{}",
                    json!({"client": client.trim(), "token": token, "scopes": scopes})
                )?;
            } else {
                say!("{token}")?;
                eprintln!(
                    "token for client {} (scopes {}); it is shown only now, so keep it in a \
                     secret store",
                    client.trim(),
                    scopes.join(" ")
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::List { store } => {
            let tokens = store.open().await?.gateway().tokens().await?;
            if store.json {
                say!("{}", json!(tokens))?;
                return Ok(ExitCode::SUCCESS);
            }
            if tokens.is_empty() {
                say!("no stored tokens")?;
            }
            for token in &tokens {
                let limit = token
                    .calls_per_minute
                    .map(|calls| format!("{calls}/min"))
                    .unwrap_or_else(|| "default limit".to_string());
                say!(
                    "{:>4}  {:<20}  {:<40}  {}  {}",
                    token.id,
                    token.client,
                    token.scopes.join(" "),
                    limit,
                    token.created_at
                )?;
            }
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Revoke { store, client } => {
            let removed = store.open().await?.gateway().revoke_tokens(&client).await?;
            if removed == 0 {
                bail!("client {client} has no stored token; `tandem mcp token list` shows them");
            }
            say!("client {client}: {removed} token(s) revoked")?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
