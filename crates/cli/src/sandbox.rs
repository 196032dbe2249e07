//! `tandem sandbox`: both emulators on 127.0.0.1 until interrupted.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

use crate::say;
use crate::shutdown::StopSignal;

/// Ports the emulators listen on.
pub struct Ports {
    pub netsuite: u16,
    pub salesforce: u16,
    /// HTTPS port of the Salesforce emulator, when it should serve HTTPS too.
    pub salesforce_tls: Option<u16>,
}

/// Serves the emulators until SIGINT/SIGTERM. Prints the base URLs once all listen (the
/// HTTPS one as `salesforce-tls`), and with `config_out` writes a config and an env file for
/// this sandbox first, and the HTTPS port's CA certificate as `sandbox-ca.pem`.
pub async fn sandbox(
    ports: Ports,
    seed: Seed,
    config_out: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let mut stop = StopSignal::install();
    let options = SandboxOptions {
        netsuite_port: ports.netsuite,
        salesforce_port: ports.salesforce,
        seed,
    };
    let sandbox = Sandbox::start_with_tls(options, ports.salesforce_tls).await?;
    if let Some(dir) = &config_out {
        write_config(dir, &sandbox, "soap")?;
        write_ca(dir, &sandbox)?;
    }
    say!("netsuite {}", sandbox.netsuite_url())?;
    say!("salesforce {}", sandbox.salesforce_url())?;
    if let Some(url) = sandbox.salesforce_tls_url() {
        say!("salesforce-tls {url}")?;
    }
    if let Some(dir) = &config_out {
        say!("config {}", dir.join("tandem.toml").display())?;
        say!("env {}", dir.join("tandem.env").display())?;
        if sandbox.ca_certificate_pem().is_some() {
            say!("ca {}", dir.join(CA_FILE).display())?;
        }
    }
    std::io::stdout()
        .flush()
        .context("cannot write to stdout")?;

    stop.requested().await;
    sandbox.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// First line of the files `--config-out` writes, by which it knows it may replace them.
const CONFIG_MARK: &str = "# Tandem configuration for the sandbox started by `tandem sandbox`.";
const ENV_MARK: &str =
    "# Credentials of the sandbox started by `tandem sandbox`. Keep this file private.";

/// Writes `DIR/tandem.toml` (endpoints, store, flows; no secrets), `DIR/tandem.env` (the
/// sandbox's credentials as `KEY=VALUE` lines, readable by the owner only) and
/// `DIR/netsuite-oauth2-key.pem` (the NetSuite OAuth 2.0 private key, named in tandem.env). Files that an
/// earlier sandbox wrote are replaced; any other file of those names is left alone and is an
/// error.
pub fn write_config(dir: &Path, sandbox: &Sandbox, transport: &str) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let toml_path = dir.join("tandem.toml");
    let env_path = dir.join("tandem.env");
    refuse_foreign(&toml_path, CONFIG_MARK)?;
    refuse_foreign(&env_path, ENV_MARK)?;

    fs::write(&toml_path, config_text(sandbox, transport))
        .with_context(|| format!("cannot write {}", toml_path.display()))?;
    let mut env = format!("{ENV_MARK}\n");
    for (name, value) in sandbox.environment() {
        env.push_str(&format!("{name}={value}\n"));
    }
    // The OAuth 2.0 private key spans several lines, so it gets a file of its own.
    let key_path = dir.join("netsuite-oauth2-key.pem");
    write_private(&key_path, sandbox.netsuite_private_key())
        .with_context(|| format!("cannot write {}", key_path.display()))?;
    let key_path = key_path.canonicalize().unwrap_or(key_path);
    env.push_str(&format!(
        "TANDEM_NETSUITE_PRIVATE_KEY_FILE={}\n",
        key_path.display()
    ));
    write_private(&env_path, &env).with_context(|| format!("cannot write {}", env_path.display()))
}

/// Name of the file `--config-out` writes the HTTPS port's CA certificate to.
const CA_FILE: &str = "sandbox-ca.pem";
/// First line of that file. PEM readers skip text before the `-----BEGIN` line.
const CA_MARK: &str = "CA certificate of the sandbox started by `tandem sandbox`.";

/// Writes `DIR/sandbox-ca.pem` when the Salesforce emulator serves HTTPS, replacing a file
/// an earlier sandbox wrote and leaving any other file of that name alone, as an error.
pub fn write_ca(dir: &Path, sandbox: &Sandbox) -> anyhow::Result<()> {
    let Some(pem) = sandbox.ca_certificate_pem() else {
        return Ok(());
    };
    let path = dir.join(CA_FILE);
    refuse_foreign(&path, CA_MARK)?;
    fs::write(&path, format!("{CA_MARK}\n{pem}"))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Fails when `path` exists and does not start with `mark`, so a user's own file is kept.
fn refuse_foreign(path: &Path, mark: &str) -> anyhow::Result<()> {
    match fs::read_to_string(path) {
        Ok(text) if !text.starts_with(mark) => anyhow::bail!(
            "{} exists and was not written by `tandem sandbox`; move it away or choose another \
             --config-out folder",
            path.display()
        ),
        _ => Ok(()),
    }
}

/// Returns a configuration that points Tandem at this sandbox. The store is named after the
/// sandbox's start time, so a restarted sandbox (which has new records and credentials) gets
/// a fresh store instead of one that points at records it no longer has.
pub fn config_text(sandbox: &Sandbox, transport: &str) -> String {
    let started = sandbox.started_at().format("%Y%m%dT%H%M%S%.3f");
    format!(
        "{CONFIG_MARK}\n\
         # Secrets are not kept here: they are in tandem.env, next to this file.\n\
         \n\
         [netsuite]\n\
         endpoint = \"{}\"\n\
         # `soap` (SuiteTalk SOAP) or `rest` (REST web services and SuiteQL, over the same\n\
         # records). Oracle switches SOAP off in 2028.2.\n\
         transport = \"{transport}\"\n\
         # With transport = \"rest\": \"tba\" (token-based) or \"oauth2\" (client credentials).\n\
         auth = \"tba\"\n\
         \n\
         [salesforce]\n\
         login_url = \"{}\"\n\
         \n\
         [store]\n\
         # Relative to this file's folder.\n\
         path = \"tandem-{started}.db\"\n\
         \n\
         # Every flow template, each with its defaults; `enabled = false` turns one off.\n\
         [flows.account-customer]\n\
         [flows.contact-contact]\n\
         [flows.customer-onboarding]\n\
         [flows.item-to-price-book]\n\
         [flows.opportunity-to-sales-order]\n\
         [flows.invoice-to-salesforce]\n\
         [flows.credit-hold-alert]\n",
        sandbox.netsuite_endpoint(),
        sandbox.salesforce_url(),
    )
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    fs::write(path, text)
}
