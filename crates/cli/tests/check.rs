//! `tandem check` and `tandem run` against the sandbox: mapping mistakes are found before
//! anything runs, named by flow, object and field.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::tandem;
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

async fn sandbox() -> Sandbox {
    Sandbox::start(SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed: Seed::Empty,
    })
    .await
    .unwrap()
}

/// Writes a configuration for the sandbox with `flows` appended, and its env file.
fn write_config(dir: &Path, sandbox: &Sandbox, flows: &str) -> (PathBuf, PathBuf) {
    let config = dir.join("tandem.toml");
    let text = format!(
        "[netsuite]\nendpoint = \"{}\"\n[salesforce]\nlogin_url = \"{}\"\n{flows}",
        sandbox.netsuite_endpoint(),
        sandbox.salesforce_url()
    );
    std::fs::write(&config, text).unwrap();
    let env = dir.join("tandem.env");
    let lines: String = sandbox
        .environment()
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    std::fs::write(&env, lines).unwrap();
    (config, env)
}

async fn tandem_with(args: &[&str], config: PathBuf, env: PathBuf) -> Output {
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        tandem()
            .args(&args)
            .arg("--config")
            .arg(config)
            .arg("--env-file")
            .arg(env)
            .output()
            .expect("tandem runs")
    })
    .await
    .unwrap()
}

const MISSPELT: &str = "[flows.account-customer]\n\
[[flows.account-customer.extra_fields]]\nnetsuite = \"fax\"\nsalesforce = \"Webiste\"\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_passes_the_default_mapping() {
    let sandbox = sandbox().await;
    let dir = tempfile::TempDir::new().unwrap();
    let (config, env) = write_config(dir.path(), &sandbox, "[flows.contact-contact]\n");

    let output = tandem_with(&["check"], config, env).await;

    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("configuration ok"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_names_flow_object_and_misspelt_field() {
    let sandbox = sandbox().await;
    let dir = tempfile::TempDir::new().unwrap();
    let (config, env) = write_config(dir.path(), &sandbox, MISSPELT);

    let output = tandem_with(&["check", "--json"], config, env).await;

    assert_eq!(output.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["ok"], false);
    let problem = &report["problems"][0];
    assert_eq!(problem["flow"], "account-customer");
    assert_eq!(problem["object"], "Account");
    assert_eq!(problem["field"], "Webiste");
    assert!(
        problem["reason"]
            .as_str()
            .unwrap()
            .contains("did you mean Website?"),
        "{problem}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_refuses_to_start_on_a_mapping_error() {
    let sandbox = sandbox().await;
    let dir = tempfile::TempDir::new().unwrap();
    let (config, env) = write_config(dir.path(), &sandbox, MISSPELT);

    let output = tandem_with(&["run", "--once", "--json"], config, env).await;

    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("Webiste"), "{stderr}");
    assert!(stderr.contains("tandem check"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_follows_relationship_paths() {
    let sandbox = sandbox().await;
    let dir = tempfile::TempDir::new().unwrap();
    let flows = "[flows.account-customer]\nenabled = false\n\
        [flows.opportunity-to-sales-order]\n\
        [[flows.opportunity-to-sales-order.extra_fields]]\n\
        netsuite = \"otherRefNum\"\nsalesforce = \"Account.Nmae\"\n";
    let (config, env) = write_config(dir.path(), &sandbox, flows);

    let output = tandem_with(&["check", "--json"], config, env).await;

    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(2), "{report}");
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{report}");
    assert_eq!(problems[0]["field"], "Account.Nmae");
    let reason = problems[0]["reason"].as_str().unwrap();
    assert!(reason.contains("did you mean Name?"), "{reason}");
}
