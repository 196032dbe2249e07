//! `tandem demo`: the sandbox with demo data, synced pass after pass in this process.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

use crate::config::{FileConfig, SecretSource};
use crate::connect::{Setup, SetupError, connect};
use crate::output::{FlowResult, summary};
use crate::run::run_flows;
use crate::sandbox::{config_text, write_config};
use crate::say;
use crate::shutdown::StopSignal;

/// The options of `tandem demo`.
pub struct DemoOptions {
    pub once: bool,
    pub interval: Duration,
    pub netsuite_port: u16,
    pub salesforce_port: u16,
    /// `soap` or `rest`, written as `[netsuite] transport`.
    pub netsuite_transport: String,
}

/// Starts the sandbox with the demo seed and runs every flow against it: one pass with
/// `--once`, else a pass per interval until Ctrl-C. The state lives in a temporary folder
/// that is removed on exit.
pub async fn demo(options: DemoOptions) -> anyhow::Result<ExitCode> {
    let sandbox = Sandbox::start(SandboxOptions {
        netsuite_port: options.netsuite_port,
        salesforce_port: options.salesforce_port,
        seed: Seed::Demo,
    })
    .await?;
    let dir = tempfile::TempDir::with_prefix("tandem-demo-")
        .context("cannot create a temporary folder for the demo's state")?;
    let transport = options.netsuite_transport.as_str();
    write_config(dir.path(), &sandbox, transport)?;
    let file = FileConfig::parse(&config_text(&sandbox, transport))?;
    let mut values = sandbox.environment();
    values.push((
        "TANDEM_NETSUITE_PRIVATE_KEY",
        sandbox.netsuite_private_key().to_string(),
    ));
    let secrets = SecretSource::only(values);
    let setup = connect(&file, dir.path(), &secrets)
        .await
        .map_err(SetupError::into_anyhow)?;
    print_header(&sandbox, dir.path(), transport)?;

    let mut stop = StopSignal::install();
    let mut failed = false;
    let mut last_letter = 0;
    for number in 1.. {
        let started = Instant::now();
        let results = run_flows(&setup).await;
        failed = results.iter().any(|result| result.error.is_some());
        print_pass(number, started.elapsed(), &results, &sandbox)?;
        last_letter = print_new_dead_letters(&setup, last_letter).await?;
        if options.once || stop.is_requested() {
            break;
        }
        say!(
            "Next pass in {} s; Ctrl-C stops. Other clients can use {} and {}.",
            options.interval.as_secs(),
            dir.path().join("tandem.toml").display(),
            dir.path().join("tandem.env").display(),
        )?;
        tokio::select! {
            () = tokio::time::sleep(options.interval) => {}
            () = stop.requested() => break,
        }
    }
    setup.store.close().await;
    sandbox.shutdown().await;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_header(sandbox: &Sandbox, dir: &Path, transport: &str) -> std::io::Result<()> {
    say!("Tandem demo: every flow template on the built-in sandbox")?;
    let (web_services, address) = match transport {
        "rest" => (
            "REST and SuiteQL",
            format!("{}/services/rest", sandbox.netsuite_url()),
        ),
        _ => ("SOAP", sandbox.netsuite_endpoint()),
    };
    say!(
        "  NetSuite emulator    {address}  ({} customers, over {web_services})",
        sandbox.netsuite().customers().len()
    )?;
    say!(
        "  Salesforce emulator  {}  ({} Accounts)",
        sandbox.salesforce_url(),
        sandbox.salesforce().records("Account").len()
    )?;
    say!(
        "  State                {}  (removed on exit)",
        dir.join("tandem.db").display()
    )?;
    Ok(())
}

fn print_pass(
    number: u32,
    elapsed: Duration,
    results: &[FlowResult],
    sandbox: &Sandbox,
) -> std::io::Result<()> {
    say!()?;
    say!("Pass {number} ({:.1} s)", elapsed.as_secs_f64())?;
    for result in results {
        say!("  {}", summary(&result.report))?;
        if let Some(error) = &result.error {
            say!("  stopped early: {error}")?;
        }
    }
    let netsuite = sandbox.netsuite();
    let salesforce = sandbox.salesforce();
    say!(
        "  now NetSuite: {} customers, {} contacts, {} sales orders; Salesforce: {} Accounts, \
         {} Contacts, {} Products, {} price book entries, {} invoices, {} Tasks",
        netsuite.customers().len(),
        netsuite.record_count("contact"),
        netsuite.record_count("salesOrder"),
        salesforce.records("Account").len(),
        salesforce.records("Contact").len(),
        salesforce.records("Product2").len(),
        salesforce.records("PricebookEntry").len(),
        salesforce.records("NetSuite_Invoice__c").len(),
        salesforce.records("Task").len(),
    )?;
    Ok(())
}

/// Prints the dead letters with an ID above `last_shown` and returns the highest ID shown.
async fn print_new_dead_letters(setup: &Setup, last_shown: i64) -> anyhow::Result<i64> {
    let mut highest = last_shown;
    for flow in &setup.flows {
        let letters = setup.store.dead_letters(Some(flow.name()), None).await?;
        for stored in letters.iter().filter(|stored| stored.id > last_shown) {
            let letter = &stored.letter;
            say!(
                "  dead letter #{}: {} {} -> {}: {} {}",
                stored.id,
                letter.source_system,
                letter.source_id,
                letter.error.system,
                letter.error.code,
                letter.error.message
            )?;
            highest = highest.max(stored.id);
        }
    }
    Ok(highest)
}
