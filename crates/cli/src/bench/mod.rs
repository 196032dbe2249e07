//! `tandem bench`: what flow templates cost against the sandbox with simulated latency.
//!
//! Each template runs twice on a fresh large seed of N records: once with the latency on,
//! for API calls and wall time, and once with no latency, for the engine's CPU time. Each run
//! makes an initial sync and then an incremental pass. The engine runs as a child
//! `tandem run --once` process, so its CPU time and memory are its own and not the sandbox's.

mod latency;
mod minimum;
mod process;
mod table;

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

use crate::say;

pub use minimum::Template;
use process::{ProcessUsage, run_pass};
use table::Row;

/// The options of `tandem bench`.
pub struct BenchOptions {
    /// NetSuite records per type in the large seed.
    pub records: usize,
    pub templates: Vec<Template>,
    pub netsuite_latency: Duration,
    pub salesforce_latency: Duration,
    /// Requests the engine and the emulator allow in flight to NetSuite at once.
    pub netsuite_concurrency: usize,
    /// sObject Collections calls the engine sends to Salesforce at once
    /// (`[salesforce] collection_concurrency`).
    pub collection_concurrency: usize,
    /// Changes timed for the change-to-write latency, per mode; 0 skips the measurement.
    pub latency_samples: usize,
}

/// The two passes of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Initial,
    Incremental,
}

impl Phase {
    fn name(self) -> &'static str {
        match self {
            Phase::Initial => "initial",
            Phase::Incremental => "incremental",
        }
    }
}

/// API calls of one pass, per operation (`netsuite search`, `salesforce PATCH /composite/...`).
#[derive(Debug, Clone, Default)]
pub struct Calls {
    pub netsuite: BTreeMap<String, u64>,
    pub salesforce: BTreeMap<String, u64>,
}

impl Calls {
    fn netsuite_total(&self) -> u64 {
        self.netsuite.values().sum()
    }

    fn salesforce_total(&self) -> u64 {
        self.salesforce.values().sum()
    }
}

/// What one pass did and cost.
struct PassFigures {
    calls: Calls,
    usage: ProcessUsage,
    /// Source records changed before the pass (all N for the initial sync).
    changed: usize,
    /// Price book entries in Salesforce after the pass.
    entries: usize,
}

/// Runs the bench and prints its table and the calls per operation.
pub async fn bench(options: BenchOptions) -> anyhow::Result<ExitCode> {
    print_header(&options)?;
    let mut rows = Vec::new();
    let mut breakdown = Vec::new();
    for template in &options.templates {
        let timed = run_template(*template, &options, true).await?;
        let untimed = run_template(*template, &options, false).await?;
        for (phase, (timed, untimed)) in [Phase::Initial, Phase::Incremental]
            .into_iter()
            .zip(timed.into_iter().zip(untimed))
        {
            rows.push(Row::new(*template, phase, &options, &timed, &untimed));
            breakdown.push((*template, phase, timed.calls));
        }
    }
    say!("{}", table::render(&rows))?;
    say!("{}", table::render_breakdown(&breakdown))?;
    if options.latency_samples > 0 {
        print_latency(&latency::measure(&options, options.latency_samples).await?)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_latency(figures: &latency::LatencyFigures) -> std::io::Result<()> {
    let seconds = |values: &[Duration], percent| latency::percentile(values, percent).as_secs_f64();
    let (webhook_p50, webhook_p95) = (
        seconds(&figures.webhooks, 50),
        seconds(&figures.webhooks, 95),
    );
    let (polling_p50, polling_p95) = (seconds(&figures.polling, 50), seconds(&figures.polling, 95));
    say!()?;
    say!(
        "change-to-write latency, Salesforce Account to NetSuite customer, {} changes per mode, \
         poll interval {} s:",
        figures.webhooks.len(),
        latency::POLL_INTERVAL_SECONDS
    )?;
    say!("| mode | p50 s | p95 s |")?;
    say!("|---|---|---|")?;
    say!("| webhooks | {webhook_p50:.2} | {webhook_p95:.2} |")?;
    say!("| polling only | {polling_p50:.2} | {polling_p95:.2} |")?;
    say!(
        "| ratio, webhooks / polling | {:.2} | {:.2} |",
        webhook_p50 / polling_p50.max(f64::EPSILON),
        webhook_p95 / polling_p95.max(f64::EPSILON)
    )
}

fn print_header(options: &BenchOptions) -> std::io::Result<()> {
    say!(
        "tandem bench: {} records per type; latency {} ms per NetSuite call, {} ms per \
         Salesforce call; NetSuite concurrency {}; Salesforce collection concurrency {}",
        options.records,
        options.netsuite_latency.as_millis(),
        options.salesforce_latency.as_millis(),
        options.netsuite_concurrency,
        options.collection_concurrency
    )?;
    say!()
}

/// Runs the initial sync and the incremental pass of `template` on a fresh sandbox, with the
/// latency on or off.
async fn run_template(
    template: Template,
    options: &BenchOptions,
    latency: bool,
) -> anyhow::Result<[PassFigures; 2]> {
    let sandbox = Sandbox::start(SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed: Seed::Large(options.records),
    })
    .await?;
    let dir = tempfile::TempDir::with_prefix("tandem-bench-")
        .context("cannot create a temporary folder for the bench's state")?;
    write_config(dir.path(), &sandbox, template, options)?;
    let netsuite = sandbox.netsuite();
    netsuite.set_concurrency_limit(options.netsuite_concurrency);
    if latency {
        netsuite.set_latency(options.netsuite_latency);
        sandbox.salesforce().set_latency(options.salesforce_latency);
    }

    let initial = measure_pass(&sandbox, dir.path(), options.records).await?;
    let changed = template.change_records(&sandbox);
    let incremental = measure_pass(&sandbox, dir.path(), changed).await?;
    sandbox.shutdown().await;
    Ok([initial, incremental])
}

/// Runs one pass in a child process and counts the calls it made.
async fn measure_pass(
    sandbox: &Sandbox,
    dir: &std::path::Path,
    changed: usize,
) -> anyhow::Result<PassFigures> {
    sandbox.netsuite().reset_counters();
    sandbox.salesforce().reset_request_counts();
    let dir = dir.to_path_buf();
    let (usage, _report) = tokio::task::spawn_blocking(move || run_pass(&dir))
        .await
        .context("the bench pass thread panicked")??;
    let calls = Calls {
        netsuite: sandbox.netsuite().operation_counts(),
        salesforce: sandbox.salesforce().request_counts(),
    };
    Ok(PassFigures {
        calls,
        usage,
        changed,
        entries: sandbox.salesforce().records("PricebookEntry").len(),
    })
}

/// Writes a configuration with only `template` enabled, and the sandbox's credentials.
fn write_config(
    dir: &std::path::Path,
    sandbox: &Sandbox,
    template: Template,
    options: &BenchOptions,
) -> anyhow::Result<()> {
    let flows = template.flow_tables();
    let config = format!(
        "[netsuite]\nendpoint = \"{}\"\nconcurrency_limit = {}\n\n\
         [salesforce]\nlogin_url = \"{}\"\ncollection_concurrency = {}\n\n\
         [store]\npath = \"tandem.db\"\n\n{flows}",
        sandbox.netsuite_endpoint(),
        options.netsuite_concurrency,
        sandbox.salesforce_url(),
        options.collection_concurrency,
    );
    std::fs::write(dir.join("tandem.toml"), config).context("cannot write the bench config")?;
    let env: String = sandbox
        .environment()
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    std::fs::write(dir.join("tandem.env"), env).context("cannot write the bench credentials")?;
    Ok(())
}
