//! `tandem sandbox`: both emulators on 127.0.0.1 until interrupted.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

use crate::{say, shutdown};

/// Serves the emulators until SIGINT/SIGTERM. Prints the two base URLs once both listen, and
/// with `config_out` writes a config and an env file for this sandbox first.
pub async fn sandbox(
    netsuite_port: u16,
    salesforce_port: u16,
    seed: Seed,
    config_out: Option<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let sandbox = Sandbox::start(SandboxOptions {
        netsuite_port,
        salesforce_port,
        seed,
    })
    .await?;
    if let Some(dir) = &config_out {
        write_config(dir, &sandbox)?;
    }
    say!("netsuite {}", sandbox.netsuite_url())?;
    say!("salesforce {}", sandbox.salesforce_url())?;
    if let Some(dir) = &config_out {
        say!("config {}", dir.join("tandem.toml").display())?;
        say!("env {}", dir.join("tandem.env").display())?;
    }
    std::io::stdout()
        .flush()
        .context("cannot write to stdout")?;

    shutdown::signal().await;
    sandbox.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// Writes `DIR/tandem.toml` (endpoints, store, flows; no secrets) and `DIR/tandem.env` (the
/// sandbox's credentials as `KEY=VALUE` lines, readable by the owner only).
pub fn write_config(dir: &Path, sandbox: &Sandbox) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let toml_path = dir.join("tandem.toml");
    fs::write(&toml_path, config_text(sandbox))
        .with_context(|| format!("cannot write {}", toml_path.display()))?;

    let env_path = dir.join("tandem.env");
    let env: String = sandbox
        .environment()
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    write_private(&env_path, &env).with_context(|| format!("cannot write {}", env_path.display()))
}

/// Returns a configuration that points Tandem at this sandbox.
pub fn config_text(sandbox: &Sandbox) -> String {
    format!(
        "# Tandem configuration for the sandbox started by `tandem sandbox`.\n\
         # Secrets are not kept here: they are in tandem.env, next to this file.\n\
         \n\
         [netsuite]\n\
         endpoint = \"{}\"\n\
         \n\
         [salesforce]\n\
         login_url = \"{}\"\n\
         \n\
         [store]\n\
         # Relative to this file's folder.\n\
         path = \"tandem.db\"\n\
         \n\
         [flows.account-customer]\n\
         enabled = true\n",
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
