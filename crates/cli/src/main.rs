//! The `tandem` command: `demo`, `sandbox` and `run`.
//!
//! Exit codes: 0 when the command did its job (a pass that stored dead letters still did),
//! 2 for a configuration error (the message names the key or variable), 1 for anything else.

mod approvals;
mod bench;
mod check;
mod config;
mod connect;
mod demo;
mod flows;
mod mapper;
mod mcp;
mod output;
mod progress;
mod queues;
mod run;
mod sandbox;
mod serve;
mod shutdown;
mod worker;

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tandem_sandbox::Seed;

use crate::config::ConfigError;

#[derive(Debug, Parser)]
#[command(name = "tandem", version, about = "NetSuite <-> Salesforce sync")]
struct Cli {
    /// How logs on stderr look: `text` for people, `json` (one object per line) for log
    /// shippers.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

/// The format of the logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Start both emulators with demo data in this process and sync them, printing each pass.
    Demo {
        /// Run one pass and exit.
        #[arg(long)]
        once: bool,
        /// Seconds between passes.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
        interval: u64,
        /// Port of the NetSuite emulator (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        netsuite_port: u16,
        /// Port of the Salesforce emulator (0 picks a free one).
        #[arg(long, default_value_t = 0)]
        salesforce_port: u16,
        /// NetSuite web services to sync over: `soap` (SuiteTalk SOAP) or `rest` (REST web
        /// services and SuiteQL), as `[netsuite] transport` sets it in a configuration file.
        #[arg(long, default_value = "soap", value_parser = ["soap", "rest"])]
        netsuite_transport: String,
        /// Address of the web UI, the JSON API and /metrics (port 0 picks a free one; the
        /// address bound is printed on stderr).
        #[arg(long, value_name = "ADDR:PORT", default_value = tandem_server::DEFAULT_LISTEN)]
        listen: SocketAddr,
    },
    /// Serve the NetSuite and Salesforce emulators on 127.0.0.1 until interrupted.
    Sandbox {
        /// Port of the NetSuite SOAP emulator.
        #[arg(long)]
        netsuite_port: u16,
        /// Port of the Salesforce REST emulator.
        #[arg(long)]
        salesforce_port: u16,
        /// Also serve the Salesforce emulator over HTTPS on this port, with a certificate
        /// authority made at start (written to DIR/sandbox-ca.pem with --config-out).
        #[arg(long)]
        salesforce_tls_port: Option<u16>,
        /// Records to start with: `demo`, `empty`, or `large:N` (N NetSuite customers, items
        /// and invoices).
        #[arg(long, default_value = "demo")]
        seed: Seed,
        /// Write DIR/tandem.toml (a config for this sandbox) and DIR/tandem.env (its credentials).
        #[arg(long, value_name = "DIR")]
        config_out: Option<PathBuf>,
    },
    /// Run every enabled flow: one pass with --once, else passes on an interval until stopped.
    Run {
        /// The configuration file.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Run one pass of every enabled flow and exit.
        #[arg(long)]
        once: bool,
        /// Print each pass's counts as one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// Read secrets missing from the environment from this KEY=VALUE file.
        #[arg(long, value_name = "FILE")]
        env_file: Option<PathBuf>,
        /// Read both sides and report what would be written, writing nothing anywhere (needs
        /// --once).
        #[arg(long)]
        dry_run: bool,
        /// Address of the web UI, the JSON API and /metrics (port 0 picks a free one; the
        /// address bound is printed on stderr).
        #[arg(long, value_name = "ADDR:PORT", default_value = tandem_server::DEFAULT_LISTEN)]
        listen: SocketAddr,
    },
    /// Check every enabled flow's fields against Salesforce describe and NetSuite's schema;
    /// exits 2 when a mapping names a field that does not exist or cannot be written.
    Check {
        /// The configuration file.
        #[arg(long, value_name = "FILE")]
        config: PathBuf,
        /// Print the result as one JSON object on stdout.
        #[arg(long)]
        json: bool,
        /// Read secrets missing from the environment from this KEY=VALUE file.
        #[arg(long, value_name = "FILE")]
        env_file: Option<PathBuf>,
    },
    /// Measure API calls, wall time, CPU and memory of flow templates against the sandbox
    /// with simulated latency, and print them as a table.
    Bench {
        /// NetSuite records per type in the sandbox's large seed (1000, 10000, 100000...).
        #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..=100_000))]
        records: u64,
        /// Templates to run; every one when absent.
        #[arg(long = "template", value_enum)]
        templates: Vec<bench::Template>,
        /// Milliseconds the NetSuite emulator waits in each call.
        #[arg(long, default_value_t = 150)]
        netsuite_latency_ms: u64,
        /// Milliseconds the Salesforce emulator waits in each call.
        #[arg(long, default_value_t = 60)]
        salesforce_latency_ms: u64,
        /// NetSuite requests allowed in flight at once, in the emulator and the engine.
        #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=50))]
        netsuite_concurrency: u64,
        /// sObject Collections calls the engine sends to Salesforce at once.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u64).range(1..=25))]
        collection_concurrency: u64,
        /// Changes timed for the change-to-write latency, with webhooks and with polling
        /// only; 0 skips it.
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(0..=1000))]
        latency_samples: u64,
    },
    /// Work the dead letters: records the other side refused.
    #[command(subcommand)]
    DeadLetters(queues::dead_letters::Command),
    /// Work the review queue: records whose match is doubtful.
    #[command(subcommand)]
    Review(queues::review::Command),
    /// Work the conflict queue: fields changed on both sides under the manual policy.
    #[command(subcommand)]
    Conflicts(queues::conflicts::Command),
    /// Serve the MCP gateway to AI agents: over stdio (the client's token in
    /// TANDEM_MCP_TOKEN), or streamable HTTP with --listen. `tandem mcp token` manages tokens.
    Mcp(mcp::McpArgs),
    /// Work the write calls of MCP clients that wait for a person's approval.
    #[command(subcommand)]
    Approvals(approvals::Command),
    /// Show the newest decisions about records (links, creates, reviews, conflicts).
    Audit {
        #[command(flatten)]
        store: queues::StoreArgs,
        /// Only entries of this flow.
        #[arg(long)]
        flow: Option<String>,
        /// How many entries, newest first.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The demo prints its own account of dead letters, so by default it logs only errors. A
    // daemon logs each pass's start and end; one-off commands only what went wrong.
    let default_filter = match cli.command {
        Command::Demo { .. } => "error",
        Command::Run { once: false, .. } => {
            "warn,tandem=info,tandem_engine=info,tandem_server=info"
        }
        Command::Mcp(_) => "warn,tandem_mcp=info",
        _ => "warn",
    };
    init_logging(default_filter, cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(try_main(cli)) {
        Ok(code) => code,
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            if error.downcast_ref::<ConfigError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

async fn try_main(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo {
            once,
            interval,
            netsuite_port,
            salesforce_port,
            netsuite_transport,
            listen,
        } => {
            demo::demo(demo::DemoOptions {
                once,
                interval: std::time::Duration::from_secs(interval),
                netsuite_port,
                salesforce_port,
                netsuite_transport,
                listen,
            })
            .await
        }
        Command::Sandbox {
            netsuite_port,
            salesforce_port,
            salesforce_tls_port,
            seed,
            config_out,
        } => {
            let ports = sandbox::Ports {
                netsuite: netsuite_port,
                salesforce: salesforce_port,
                salesforce_tls: salesforce_tls_port,
            };
            sandbox::sandbox(ports, seed, config_out).await
        }
        Command::Bench {
            records,
            templates,
            netsuite_latency_ms,
            salesforce_latency_ms,
            netsuite_concurrency,
            collection_concurrency,
            latency_samples,
        } => {
            let templates = if templates.is_empty() {
                <bench::Template as clap::ValueEnum>::value_variants().to_vec()
            } else {
                templates
            };
            bench::bench(bench::BenchOptions {
                records: records as usize,
                templates,
                netsuite_latency: std::time::Duration::from_millis(netsuite_latency_ms),
                salesforce_latency: std::time::Duration::from_millis(salesforce_latency_ms),
                netsuite_concurrency: netsuite_concurrency as usize,
                collection_concurrency: collection_concurrency as usize,
                latency_samples: latency_samples as usize,
            })
            .await
        }
        Command::Run {
            config,
            once,
            json,
            env_file,
            dry_run,
            listen,
        } => {
            run::run(run::RunOptions {
                config,
                once,
                json,
                env_file,
                dry_run,
                listen,
            })
            .await
        }
        Command::Check {
            config,
            json,
            env_file,
        } => {
            check::check(check::CheckOptions {
                config,
                json,
                env_file,
            })
            .await
        }
        Command::DeadLetters(command) => queues::dead_letters::run(command).await,
        Command::Review(command) => queues::review::run(command).await,
        Command::Conflicts(command) => queues::conflicts::run(command).await,
        Command::Mcp(args) => mcp::run(args).await,
        Command::Approvals(command) => approvals::run(command).await,
        Command::Audit { store, flow, limit } => queues::audit::run(store, flow, limit).await,
    }
}

/// Returns true when the error is stdout being closed by its reader (`tandem ... | head`),
/// which ends the command quietly.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Logs go to stderr, so stdout stays for reports. `RUST_LOG` sets the filter, replacing the
/// given default.
fn init_logging(default_filter: &str, format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    match format {
        LogFormat::Text => {
            // Progress bars only for people at a terminal; log lines are written above them.
            let terminal = std::io::stderr().is_terminal();
            progress::enable(terminal);
            builder
                .with_ansi(terminal)
                .with_writer(progress::LogWriter)
                .init();
        }
        LogFormat::Json => builder.with_writer(std::io::stderr).json().init(),
    }
}
