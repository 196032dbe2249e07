//! `tandem run`: passes of every enabled flow, once or on an interval.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use tandem_engine::dry_run::PlannedWrite;
use tandem_server::Runner;
use tandem_server::runner::RoundScope;

use crate::check::reject_problems;
use crate::config::{ConfigError, FileConfig, SecretSource};
use crate::connect::{Setup, SetupError, connect, connect_dry_run};
use crate::mcp::Gateway;
use crate::output::{FlowResult, json_report, summary};
use crate::say;
use crate::serve;
use crate::shutdown::StopSignal;

/// The options of `tandem run`.
pub struct RunOptions {
    pub config: PathBuf,
    pub once: bool,
    pub json: bool,
    pub env_file: Option<PathBuf>,
    pub dry_run: bool,
    /// Where the web UI, the API and `/metrics` listen while passes run on an interval.
    pub listen: SocketAddr,
}

/// Runs one pass (`--once`) or passes until SIGINT/SIGTERM, serving the web UI, the API and
/// `/metrics` meanwhile. With `--once`, exits 0 when every flow completed its pass, dead letters
/// included, and 1 when one stopped early; nothing is served then.
pub async fn run(options: RunOptions) -> anyhow::Result<ExitCode> {
    let file = FileConfig::load(&options.config)?;
    let secrets = match &options.env_file {
        Some(path) => SecretSource::with_env_file(path)?,
        None => SecretSource::environment(),
    };
    let config_dir = options.config.parent().unwrap_or(Path::new("."));
    if options.dry_run {
        if !options.once {
            return Err(ConfigError::new("--dry-run", "a dry run is one pass; add --once").into());
        }
        let setup = connect_dry_run(&file, config_dir, &secrets).await?;
        reject_problems(
            &setup.flows,
            setup.connections.netsuite.as_ref(),
            setup.connections.salesforce.as_ref(),
            &options.config,
            options.env_file.as_deref(),
        )
        .await?;
        let results = crate::progress::with_bars(run_flows(&setup)).await;
        print_dry_run(&setup, &results, options.json)?;
        return Ok(exit_code(&results));
    }
    let mut setup = connect(&file, config_dir, &secrets)
        .await
        .map_err(SetupError::into_anyhow)?;
    reject_problems(
        &setup.flows,
        setup.connections.netsuite.as_ref(),
        setup.connections.salesforce.as_ref(),
        &options.config,
        options.env_file.as_deref(),
    )
    .await?;
    let stop = StopSignal::install();

    let code = if options.once {
        let results = crate::progress::with_bars(run_flows(&setup)).await;
        print_results(&results, options.json)?;
        exit_code(&results)
    } else {
        let token_file = serve::token_path(&file.store_location(config_dir)?, config_dir);
        let (token, origin) = serve::run_token(&secrets, token_file)?;
        let runner = serve::runner(&mut setup, file.interval(), &options.config);
        let gateway = Gateway::new(&file, config_dir, &secrets).await?;
        let secrets = tandem_server::ServerSecrets {
            api_token: token,
            webhook_secret: serve::webhook_secret(&secrets)?,
        };
        let (address, server) = serve::start(
            options.listen,
            runner.clone(),
            secrets,
            file.server.clone(),
            gateway,
            &stop,
        )
        .await?;
        serve::print_token_origin(&origin, address);
        let code = run_until_stopped(&runner, options.json, stop).await?;
        let _ = server.await;
        code
    };
    setup.store.close().await;
    Ok(code)
}

/// Runs one pass of every enabled flow, in order. A worker on a PostgreSQL store waits for
/// the two-way flows another worker runs, and they are missing from the results.
pub async fn run_flows(setup: &Setup) -> Vec<FlowResult> {
    let mut results = Vec::new();
    for flow in &setup.flows {
        match &setup.worker {
            Some(worker) => {
                if let Some(result) = worker.pass(flow.as_ref(), &setup.connections).await {
                    results.push(result);
                }
            }
            None => {
                let result = flow.pass(&setup.connections).await;
                results.push(FlowResult::from_pass(result));
            }
        }
    }
    results
}

/// Starts a round of passes every interval, or earlier when the server asks for one (a
/// webhook asks only for the flows that read the changed record's type), until a stop is
/// requested. A pass in progress is finished first, so a stop never leaves a run half
/// recorded.
async fn run_until_stopped(
    runner: &Arc<Runner>,
    json: bool,
    mut stop: StopSignal,
) -> std::io::Result<ExitCode> {
    tracing::info!(interval = ?runner.interval(), "daemon started");
    let mut scope = RoundScope::All;
    while !stop.is_requested() {
        let round = crate::progress::with_bars(runner.run_scope(&scope)).await;
        let results: Vec<FlowResult> = serve::results(round);
        print_results(&results, json)?;
        scope = tokio::select! {
            next = runner.until_next_round() => next,
            () = stop.requested() => break,
        };
    }
    tracing::info!("daemon stopped");
    Ok(ExitCode::SUCCESS)
}

fn print_results(results: &[FlowResult], json: bool) -> std::io::Result<()> {
    if json {
        say!("{}", json_report(results))?;
        return Ok(());
    }
    for result in results {
        match &result.error {
            None => say!("{}", summary(&result.report))?,
            Some(error) => {
                say!("{} [failed: pass stopped early]", summary(&result.report))?;
                eprintln!("error: {}: pass stopped: {error}", result.report.flow);
            }
        }
    }
    Ok(())
}

/// Prints what a dry run would have written: the counts, then every planned write.
fn print_dry_run(setup: &Setup, results: &[FlowResult], json: bool) -> std::io::Result<()> {
    let planned: Vec<PlannedWrite> = setup
        .dry_run
        .iter()
        .flatten()
        .flat_map(|port| port.planned())
        .collect();
    if json {
        let report: serde_json::Value =
            serde_json::from_str(&json_report(results)).unwrap_or_else(|_| serde_json::json!({}));
        let output = serde_json::json!({
            "dry_run": true,
            "flows": report["flows"],
            "planned": planned,
        });
        say!("{output}")?;
        return Ok(());
    }
    say!("dry run: nothing was written")?;
    print_results(results, false)?;
    for write in &planned {
        let fields: Vec<String> = write
            .fields
            .iter()
            .map(|(name, value)| {
                // One write per line: a multi-line text (a Task description) is escaped.
                let text = crate::queues::value_text(value).replace('\n', "\\n");
                format!("{name}={text}")
            })
            .collect();
        let link = write
            .link
            .as_deref()
            .map(|l| format!(" link={l}"))
            .unwrap_or_default();
        say!(
            "  would {} {} {} {}{}  {}",
            write.action,
            write.system,
            write.object,
            write.id,
            link,
            fields.join(", ")
        )?;
    }
    Ok(())
}

fn exit_code(results: &[FlowResult]) -> ExitCode {
    if results.iter().all(|result| result.error.is_none()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
