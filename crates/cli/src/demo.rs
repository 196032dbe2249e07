//! `tandem demo`: the sandbox with demo data, synced pass after pass in this process.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use tandem_engine::Secret;
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};
use tandem_server::Runner;
use tandem_server::runner::RoundScope;
use tandem_store::StoreLocation;

use crate::config::{FileConfig, SecretSource};
use crate::connect::{SetupError, connect};
use crate::mcp::Gateway;
use crate::output::{FlowResult, summary};
use crate::sandbox::{config_text, write_config};
use crate::say;
use crate::serve;
use crate::shutdown::StopSignal;

/// The options of `tandem demo`.
pub struct DemoOptions {
    pub once: bool,
    pub interval: Duration,
    pub netsuite_port: u16,
    pub salesforce_port: u16,
    /// `soap` or `rest`, written as `[netsuite] transport`.
    pub netsuite_transport: String,
    /// The address of the web UI, the API and `/metrics`; nothing is served with `once`.
    pub listen: SocketAddr,
}

/// Starts the sandbox with the demo seed and runs every flow against it: one pass with
/// `--once`, else a pass per interval until Ctrl-C while the web UI is served with a token made
/// for this run. The state lives in a temporary folder that is removed on exit.
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
    let demo_secrets = SecretSource::only(values);
    let mut setup = connect(&file, dir.path(), &demo_secrets)
        .await
        .map_err(SetupError::into_anyhow)?;
    let state = match file.store.location(dir.path())? {
        StoreLocation::Sqlite(path) => path.display().to_string(),
        StoreLocation::Postgres(url) => url,
    };
    print_header(&sandbox, &state, transport)?;

    let mut stop = StopSignal::install();
    let runner = serve::runner(
        &mut setup,
        options.interval,
        &dir.path().join("tandem.toml"),
    );
    let server = if options.once {
        None
    } else {
        let token = tandem_server::auth::random_token();
        // The emulators sign their webhooks with this secret; one is made for the run unless
        // TANDEM_WEBHOOK_SECRET chooses it.
        let webhook_secret = serve::webhook_secret(&SecretSource::environment())?
            .unwrap_or_else(|| Secret::new(tandem_server::auth::random_token()));
        let secrets = tandem_server::ServerSecrets {
            api_token: Secret::new(&token),
            webhook_secret: Some(webhook_secret.clone()),
        };
        let gateway = Gateway::new(&file, dir.path(), &demo_secrets).await?;
        let (address, task) = serve::start(
            options.listen,
            runner.clone(),
            secrets,
            file.server.clone(),
            gateway,
            &stop,
        )
        .await?;
        print_login(address, &token)?;
        send_webhooks(&sandbox, &runner, address, &webhook_secret)?;
        Some(task)
    };
    let mut failed = false;
    let mut last_letter = 0;
    let mut scope = RoundScope::All;
    for number in 1.. {
        let started = Instant::now();
        let round = crate::progress::with_bars(runner.run_scope(&scope)).await;
        let results: Vec<FlowResult> = serve::results(round);
        failed = results.iter().any(|result| result.error.is_some());
        print_pass(number, started.elapsed(), &results, &sandbox)?;
        last_letter = print_new_dead_letters(&runner, last_letter).await?;
        if options.once || stop.is_requested() {
            break;
        }
        say!(
            "Next pass in {} s; Ctrl-C stops. Other clients can use {} and {}.",
            options.interval.as_secs(),
            dir.path().join("tandem.toml").display(),
            dir.path().join("tandem.env").display(),
        )?;
        scope = tokio::select! {
            next = runner.until_next_round() => next,
            () = stop.requested() => break,
        };
    }
    if let Some(server) = server {
        let _ = server.await;
    }
    setup.store.close().await;
    sandbox.shutdown().await;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_header(sandbox: &Sandbox, state: &str, transport: &str) -> std::io::Result<()> {
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
    say!("  State                {state}  (removed on exit)")?;
    Ok(())
}

/// Prints the web UI's address and the demo's token, once: it is made for this run, lives
/// only in memory and is never logged.
fn print_login(address: SocketAddr, token: &str) -> std::io::Result<()> {
    say!("  Web UI               http://{address}/  (log in with the token {token})")?;
    say!(
        "  API and metrics      http://{address}/api/flows (Authorization: Bearer <token>), http://{address}/metrics"
    )?;
    Ok(())
}

/// Makes both emulators call the server's webhooks after records change, as a NetSuite
/// user-event script and a Salesforce callout would, so a change syncs without waiting for the
/// next pass on the interval.
pub fn send_webhooks(
    sandbox: &Sandbox,
    runner: &Runner,
    address: SocketAddr,
    secret: &Secret,
) -> anyhow::Result<()> {
    let host = match address.ip() {
        std::net::IpAddr::V4(_) => "127.0.0.1".to_string(),
        std::net::IpAddr::V6(_) => "[::1]".to_string(),
    };
    let base = format!("http://{host}:{}", address.port());
    sandbox
        .netsuite()
        .set_webhooks(&format!("{base}/webhooks/netsuite"), Some(secret.expose()))
        .map_err(|error| {
            anyhow::anyhow!("cannot point the NetSuite emulator's webhooks: {error}")
        })?;
    let objects = runner.objects_read(tandem_engine::System::Salesforce);
    let objects: Vec<&str> = objects.iter().map(String::as_str).collect();
    sandbox
        .salesforce()
        .set_signed_change_notifications(
            &format!("{base}/webhooks/salesforce"),
            &objects,
            Some(secret.expose()),
        )
        .map_err(|error| {
            anyhow::anyhow!("cannot point the Salesforce emulator's webhooks: {error}")
        })?;
    say!("  Webhooks             both emulators call {base}/webhooks/... after each change")?;
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
async fn print_new_dead_letters(runner: &Runner, last_shown: i64) -> anyhow::Result<i64> {
    let mut highest = last_shown;
    for flow in runner.flows() {
        let letters = runner.store().dead_letters(Some(flow.name()), None).await?;
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
