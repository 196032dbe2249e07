//! Change-to-write latency: the time from a change of a Salesforce Account in the emulator
//! until its NetSuite customer has it, with a `tandem run` daemon that the emulator's webhooks
//! wake, and with the same daemon polling only, as the baseline.
//!
//! Each mode starts a fresh sandbox with one Account, a daemon of `account-customer` that
//! polls every [`POLL_INTERVAL_SECONDS`], and waits for the first sync. Then it edits the
//! Account's phone number once per sample and times until the customer has the new number.
//! A sample starts [`SAMPLE_SPACING`] plus a share of the interval after the previous one
//! arrived. The shares follow the golden-ratio sequence, which spreads them evenly over the
//! interval, so the polling baseline sees changes at every point of the poll cycle and not
//! always just after a pass.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Map, Value};
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

use super::{BenchOptions, Template};

/// Seconds between two passes on the interval, in both modes.
pub const POLL_INTERVAL_SECONDS: u64 = 10;

/// The minimum time between the write that ends one sample and the edit that starts the next.
const SAMPLE_SPACING: Duration = Duration::from_millis(1300);

/// The fractional part of the golden ratio, the step of the sequence of interval shares.
const GOLDEN_STEP: f64 = 0.618_033_988_749_895;

/// How often the customer is checked for the change.
const CHECK_EVERY: Duration = Duration::from_millis(20);

/// The maximum time one change may take to arrive before the bench gives up.
const SAMPLE_TIMEOUT: Duration = Duration::from_secs(120);

const PROBE_NAME: &str = "Latency Probe Outfitters";

/// The latencies of both modes, in the order measured.
pub struct LatencyFigures {
    pub webhooks: Vec<Duration>,
    pub polling: Vec<Duration>,
}

/// Measures `samples` changes with webhooks, then `samples` with polling only.
pub async fn measure(options: &BenchOptions, samples: usize) -> anyhow::Result<LatencyFigures> {
    let webhooks = measure_mode(options, samples, true).await?;
    let polling = measure_mode(options, samples, false).await?;
    Ok(LatencyFigures { webhooks, polling })
}

/// Returns the nearest-rank percentile `percent` of `values`, or zero for none.
pub fn percentile(values: &[Duration], percent: usize) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (percent * sorted.len()).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// A `tandem run` daemon, killed when dropped.
struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn measure_mode(
    options: &BenchOptions,
    samples: usize,
    webhooks: bool,
) -> anyhow::Result<Vec<Duration>> {
    let sandbox = Sandbox::start(SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed: Seed::Empty,
    })
    .await?;
    sandbox.netsuite().set_latency(options.netsuite_latency);
    sandbox.salesforce().set_latency(options.salesforce_latency);
    let mut fields = Map::new();
    fields.insert("Name".to_string(), Value::from(PROBE_NAME));
    fields.insert("Phone".to_string(), Value::from("+1 206 555 0100"));
    let account = sandbox
        .salesforce()
        .insert_record("Account", fields, chrono::Utc::now())
        .map_err(|error| anyhow::anyhow!("cannot add the probe Account: {error:?}"))?;

    let dir = tempfile::TempDir::with_prefix("tandem-bench-latency-")
        .context("cannot create a temporary folder for the latency bench")?;
    let secret = tandem_server::auth::random_token();
    write_config(dir.path(), &sandbox, webhooks.then_some(secret.as_str()))?;
    let path = dir.path().to_path_buf();
    let (daemon, address) = tokio::task::spawn_blocking(move || start_daemon(&path))
        .await
        .context("the thread starting the bench daemon panicked")??;
    wait_for_phone(&sandbox, "+1 206 555 0100").await?;
    if webhooks {
        let url = format!("http://{address}/webhooks/salesforce");
        sandbox
            .salesforce()
            .set_signed_change_notifications(&url, &["Account"], Some(&secret))
            .map_err(|error| anyhow::anyhow!("cannot set the emulator's webhooks: {error:?}"))?;
    }

    let mut latencies = Vec::with_capacity(samples);
    let interval = Duration::from_secs(POLL_INTERVAL_SECONDS);
    for sample in 0..samples {
        let share = (sample as f64 * GOLDEN_STEP).fract();
        tokio::time::sleep(SAMPLE_SPACING + interval.mul_f64(share)).await;
        let phone = format!("+1 206 555 {:04}", 1000 + sample);
        let mut change = Map::new();
        change.insert("Phone".to_string(), Value::from(phone.as_str()));
        let changed = Instant::now();
        sandbox
            .salesforce()
            .edit_record("Account", &account, change)
            .map_err(|error| anyhow::anyhow!("cannot edit the probe Account: {error:?}"))?;
        wait_for_phone(&sandbox, &phone).await?;
        latencies.push(changed.elapsed());
    }
    drop(daemon);
    sandbox.shutdown().await;
    Ok(latencies)
}

/// Waits until the probe's customer has `phone`.
async fn wait_for_phone(sandbox: &Sandbox, phone: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + SAMPLE_TIMEOUT;
    loop {
        let arrived = sandbox.netsuite().customers().iter().any(|customer| {
            customer.company_name.as_deref() == Some(PROBE_NAME)
                && customer.phone.as_deref() == Some(phone)
        });
        if arrived {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "the probe customer did not get phone {phone} within {} s; the daemon's log \
                 is in daemon.err of the bench folder",
                SAMPLE_TIMEOUT.as_secs()
            );
        }
        tokio::time::sleep(CHECK_EVERY).await;
    }
}

fn write_config(dir: &Path, sandbox: &Sandbox, secret: Option<&str>) -> anyhow::Result<()> {
    let config = format!(
        "[netsuite]\nendpoint = \"{}\"\n\n[salesforce]\nlogin_url = \"{}\"\n\n\
         [store]\npath = \"tandem.db\"\n\n[run]\ninterval_seconds = {POLL_INTERVAL_SECONDS}\n\n{}",
        sandbox.netsuite_endpoint(),
        sandbox.salesforce_url(),
        Template::AccountCustomer.flow_tables(),
    );
    std::fs::write(dir.join("tandem.toml"), config).context("cannot write the bench config")?;
    let mut env: String = sandbox
        .environment()
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    env.push_str(&format!(
        "TANDEM_API_TOKEN={}\n",
        tandem_server::auth::random_token()
    ));
    if let Some(secret) = secret {
        env.push_str(&format!("TANDEM_WEBHOOK_SECRET={secret}\n"));
    }
    std::fs::write(dir.join("tandem.env"), env).context("cannot write the bench credentials")?;
    Ok(())
}

/// Starts `tandem run` on a free port and returns it with the address it listens on.
fn start_daemon(dir: &Path) -> anyhow::Result<(Daemon, String)> {
    let executable = std::env::current_exe().context("cannot find the tandem executable")?;
    let mut child = Command::new(executable)
        .arg("run")
        .arg("--config")
        .arg(dir.join("tandem.toml"))
        .arg("--env-file")
        .arg(dir.join("tandem.env"))
        .args(["--listen", "127.0.0.1:0", "--json"])
        .env_remove("TANDEM_API_TOKEN")
        .env_remove("TANDEM_API_TOKEN_FILE")
        .env_remove("TANDEM_WEBHOOK_SECRET")
        .env_remove("TANDEM_WEBHOOK_SECRET_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("cannot start `tandem run` for the latency bench")?;
    let stderr = child
        .stderr
        .take()
        .context("the daemon's stderr is piped")?;
    let daemon = Daemon(child);
    let log = std::fs::File::create(dir.join("daemon.err"))?;
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref().take(500) {
        let line = line?;
        if let Some(address) = line.strip_prefix("listening on http://") {
            let address = address.trim().to_string();
            // Keep reading, so the daemon never blocks on a full pipe.
            std::thread::spawn(move || {
                let mut log = log;
                for line in lines.map_while(Result::ok) {
                    let _ = std::io::Write::write_all(&mut log, format!("{line}\n").as_bytes());
                }
            });
            return Ok((daemon, address));
        }
    }
    bail!("the bench daemon stopped before it listened")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn millis(values: &[u64]) -> Vec<Duration> {
        values.iter().map(|&ms| Duration::from_millis(ms)).collect()
    }

    #[test]
    fn percentile_takes_nearest_rank() {
        let values = millis(&[500, 100, 400, 200, 300]);
        assert_eq!(percentile(&values, 50), Duration::from_millis(300));
        assert_eq!(percentile(&values, 95), Duration::from_millis(500));
        assert_eq!(percentile(&values, 1), Duration::from_millis(100));
    }

    #[test]
    fn percentile_of_nothing_is_zero() {
        assert_eq!(percentile(&[], 50), Duration::ZERO);
    }
}
