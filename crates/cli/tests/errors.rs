//! Clear errors and exit codes for bad configuration, unreachable endpoints and wrong secrets.

mod common;

use std::path::Path;
use std::process::Output;

use common::{free_port, tandem};
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

fn run(config: &Path, env_file: &Path) -> Output {
    tandem()
        .arg("run")
        .arg("--config")
        .arg(config)
        .args(["--once", "--json", "--env-file"])
        .arg(env_file)
        .output()
        .expect("tandem runs")
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

const GOOD_ENV: &str = "TANDEM_NETSUITE_ACCOUNT=TSTDRV1234567\n\
TANDEM_NETSUITE_CONSUMER_KEY=ck\nTANDEM_NETSUITE_CONSUMER_SECRET=cs\n\
TANDEM_NETSUITE_TOKEN_ID=ti\nTANDEM_NETSUITE_TOKEN_SECRET=ts\n\
TANDEM_SALESFORCE_CLIENT_ID=id\nTANDEM_SALESFORCE_CLIENT_SECRET=secret\n";

#[test]
fn unknown_key_exits_2_naming_it() {
    let dir = tempfile::TempDir::new().unwrap();
    let config = write(
        dir.path(),
        "tandem.toml",
        "[salesforce]\nlogin_ulr = \"http://x\"\n",
    );
    let env = write(dir.path(), "tandem.env", GOOD_ENV);
    let output = run(&config, &env);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("salesforce.login_ulr"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn missing_secret_exits_2_naming_variable() {
    let dir = tempfile::TempDir::new().unwrap();
    let config = write(dir.path(), "tandem.toml", "");
    let env = write(dir.path(), "tandem.env", "TANDEM_NETSUITE_ACCOUNT=1\n");
    let output = run(&config, &env);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("TANDEM_NETSUITE_CONSUMER_KEY"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn missing_config_file_exits_2() {
    let dir = tempfile::TempDir::new().unwrap();
    let env = write(dir.path(), "tandem.env", GOOD_ENV);
    let output = run(&dir.path().join("absent.toml"), &env);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("absent.toml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn unreachable_endpoint_exits_1_with_hint() {
    let dir = tempfile::TempDir::new().unwrap();
    let port = free_port();
    let text = format!(
        "[netsuite]\nendpoint = \"http://127.0.0.1:{port}/services/NetSuitePort_2025_2\"\n\
         timeout_seconds = 5\n[salesforce]\nlogin_url = \"http://127.0.0.1:{port}\"\n\
         timeout_seconds = 5\n"
    );
    let config = write(dir.path(), "tandem.toml", &text);
    let env = write(dir.path(), "tandem.env", GOOD_ENV);
    let output = run(&config, &env);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("\"status\":\"failed\""), "{stdout}");
    assert!(stdout.contains("login_url"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_secret_exits_1_without_leaking_it() {
    let sandbox = Sandbox::start(SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed: Seed::Empty,
    })
    .await
    .unwrap();
    let dir = tempfile::TempDir::new().unwrap();
    let text = format!(
        "[netsuite]\nendpoint = \"{}\"\n[salesforce]\nlogin_url = \"{}\"\n",
        sandbox.netsuite_endpoint(),
        sandbox.salesforce_url()
    );
    let config = write(dir.path(), "tandem.toml", &text);
    let env: String = sandbox
        .environment()
        .iter()
        .map(|(name, value)| match *name {
            "TANDEM_SALESFORCE_CLIENT_SECRET" => format!("{name}=wrong-secret-value\n"),
            _ => format!("{name}={value}\n"),
        })
        .collect();
    let env = write(dir.path(), "tandem.env", &env);

    let output = tokio::task::spawn_blocking(move || run(&config, &env))
        .await
        .unwrap();

    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(
        stdout.contains("TANDEM_SALESFORCE_CLIENT_SECRET"),
        "{stdout}"
    );
    assert!(!stdout.contains("wrong-secret-value"), "{stdout}");
    assert!(!stderr(&output).contains("wrong-secret-value"));
}
