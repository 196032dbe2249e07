//! The MCP gateway driven by the official MCP Python SDK (`tests/mcp/client.py`) over stdio
//! and streamable HTTP, against the demo sandbox. The client lists the tools and their
//! schemas and calls read tools. Every request without a token is rejected (`tools/list`
//! too), and a write tool with a read-only token. A message that is not JSON gets the parse
//! error -32700. The client hits the rate limit, sees a write carried out once when a person
//! approves it (by the approving command, or by the daemon that holds the store), and reads
//! the call log.
//!
//! The SDK is installed on first use into a virtual environment under the test build's
//! temporary folder, so these tests need `python3` with `venv` and access to PyPI.

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{free_port, run_once, tandem};
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

const REQUIREMENTS: &str = include_str!("mcp/requirements.txt");

/// The flows of the demo, each with its defaults.
const FLOWS: &str = "[flows.account-customer]\n[flows.contact-contact]\n\
    [flows.customer-onboarding]\n[flows.item-to-price-book]\n\
    [flows.opportunity-to-sales-order]\n[flows.invoice-to-salesforce]\n\
    [flows.credit-hold-alert]\n";

/// Client settings: `reader` may only read, `limited` gets 3 calls a minute, and discarding
/// a dead letter or creating a sales order needs no approval. Every other write tool keeps
/// the default, approval.
const MCP: &str = "[mcp]\ncalls_per_minute = 100\n\
    [mcp.policy]\ndiscard_dead_letter = \"allowed\"\ncreate_sales_order = \"allowed\"\n\
    [[mcp.clients]]\nname = \"reader\"\ntoken_env = \"READER_TOKEN\"\nscopes = [\"read\"]\n\
    [[mcp.clients]]\nname = \"limited\"\ntoken_env = \"LIMITED_TOKEN\"\nscopes = [\"read\"]\n\
    calls_per_minute = 3\n";

/// The name of an Account that exists in Salesforce but that no pass has read.
const UNREAD_ACCOUNT: &str = "Zephyrine Unread Holdings";

const READER_TOKEN: &str = "reader-token-for-tests";
const LIMITED_TOKEN: &str = "limited-token-for-tests";

/// A demo sandbox after one pass, with its configuration and a stored `ops` token.
struct World {
    _sandbox: Sandbox,
    dir: tempfile::TempDir,
    ops_token: String,
}

impl World {
    fn config(&self) -> PathBuf {
        self.dir.path().join("tandem.toml")
    }

    fn env_file(&self) -> PathBuf {
        self.dir.path().join("tandem.env")
    }
}

async fn world() -> World {
    let sandbox = Sandbox::start(SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed: Seed::Demo,
    })
    .await
    .expect("sandbox starts");
    let dir = tempfile::TempDir::new().unwrap();
    let mut env: String = sandbox
        .environment()
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    env.push_str(&format!(
        "READER_TOKEN={READER_TOKEN}\nLIMITED_TOKEN={LIMITED_TOKEN}\n"
    ));
    let toml = format!(
        "[netsuite]\nendpoint = \"{}\"\n[salesforce]\nlogin_url = \"{}\"\n{FLOWS}{MCP}",
        sandbox.netsuite_endpoint(),
        sandbox.salesforce_url()
    );
    std::fs::write(dir.path().join("tandem.toml"), toml).unwrap();
    std::fs::write(dir.path().join("tandem.env"), env).unwrap();
    let path = dir.path().to_path_buf();
    let (pass, created) = tokio::task::spawn_blocking(move || {
        let pass = run_once(&path);
        let created = tandem()
            .args(["mcp", "token", "create", "--client", "ops"])
            .args(["--scope", "read", "--scope", "write:*", "--config"])
            .arg(path.join("tandem.toml"))
            .output()
            .expect("tandem runs");
        (pass, created)
    })
    .await
    .unwrap();
    assert_success(&pass);
    assert_success(&created);
    // An Account made after the pass, which Tandem has not read: only the live API has it.
    let mut fields = serde_json::Map::new();
    fields.insert("Name".to_string(), serde_json::Value::from(UNREAD_ACCOUNT));
    sandbox
        .salesforce()
        .insert_record("Account", fields, chrono::Utc::now())
        .expect("Account inserted");
    let ops_token = String::from_utf8(created.stdout)
        .unwrap()
        .trim()
        .to_string();
    World {
        _sandbox: sandbox,
        dir,
        ops_token,
    }
}

fn assert_success(output: &Output) {
    assert!(
        output.status.success(),
        "tandem failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Returns the Python of a virtual environment holding the MCP SDK, creating it on first use.
/// A lock file keeps two test binaries from installing at once.
fn python() -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("mcp-python");
    let python = root.join("venv/bin/python");
    std::fs::create_dir_all(&root).unwrap();
    let lock = File::create(root.join("install.lock")).unwrap();
    lock.lock().expect("lock the virtual environment");
    let marker = root.join("installed");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(REQUIREMENTS) {
        return python;
    }
    let requirements = root.join("requirements.txt");
    std::fs::write(&requirements, REQUIREMENTS).unwrap();
    run_checked(
        Command::new("python3")
            .args(["-m", "venv"])
            .arg(root.join("venv")),
    );
    run_checked(
        Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "-r",
            ])
            .arg(&requirements),
    );
    std::fs::write(&marker, REQUIREMENTS).unwrap();
    python
}

fn run_checked(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?} ({error}); is it installed?"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs the client script with the world's tokens and returns its output.
fn run_client(world: &World, args: &[&str]) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mcp/client.py");
    Command::new(python())
        .arg(script)
        .args(args)
        .env("OPS_TOKEN", &world.ops_token)
        .env("READER_TOKEN", READER_TOKEN)
        .env("LIMITED_TOKEN", LIMITED_TOKEN)
        .env("RUST_LOG", "warn")
        .output()
        .expect("python runs")
}

/// Checks the script's `ok NAME` lines: every check ran and passed.
fn assert_checks(output: &Output) {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "client failed:\n{stdout}\n{stderr}"
    );
    for check in [
        "refused_without_token",
        "tools_list_refused_without_token",
        "parse_error",
        "lists_tools",
        "schema_described_run_flow",
        "list_flows",
        "explain_dead_letter",
        "find_by_name",
        "find_partial_name_live",
        "find_unread_record_live",
        "api_budget",
        "explain_filtered",
        "sales_order_not_made_twice",
        "sales_order_syncs_one_record",
        "run_history_resource",
        "reader_refused_write",
        "rate_limited",
        "write_needs_approval",
        "pending_approval_does_not_act",
        "approval_acts_on_approve",
        "approval_ran_once",
        "approval_used_once",
        "approval_outcome_listed",
        "allowed_write_acts",
        "audit_log_has_calls",
        "audit_log_has_carried_out_approval",
    ] {
        assert!(
            stdout.lines().any(|line| line == format!("ok {check}")),
            "check {check} did not pass:\n{stdout}\n{stderr}"
        );
    }
}

/// Kills the child on drop, so a failed test leaves no server behind.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn python_client_over_stdio() {
    let world = world().await;
    let tandem_path = env!("CARGO_BIN_EXE_tandem");
    let config = world.config();
    let env_file = world.env_file();
    let output = tokio::task::spawn_blocking(move || {
        run_client(
            &world,
            &[
                "stdio",
                tandem_path,
                config.to_str().unwrap(),
                env_file.to_str().unwrap(),
            ],
        )
    })
    .await
    .unwrap();
    assert_checks(&output);
}

#[tokio::test(flavor = "multi_thread")]
async fn python_client_over_http() {
    let world = world().await;
    let port = free_port();
    let server = tandem()
        .args(["mcp", "--listen", &format!("127.0.0.1:{port}"), "--config"])
        .arg(world.config())
        .arg("--env-file")
        .arg(world.env_file())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tandem mcp starts");
    let _server = KillOnDrop(server);
    check_over_http(world, port).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn python_client_on_run_server() {
    let world = world().await;
    let port = free_port();
    // A long interval keeps the daemon's own rounds out of the client's checks after the
    // first one.
    let mut toml = std::fs::read_to_string(world.config()).unwrap();
    toml.push_str("[run]\ninterval_seconds = 3600\n");
    std::fs::write(world.config(), toml).unwrap();
    let server = tandem()
        .args(["run", "--listen"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--config")
        .arg(world.config())
        .arg("--env-file")
        .arg(world.env_file())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tandem run starts");
    let _server = KillOnDrop(server);
    check_over_http(world, port).await;
}

/// Waits for a gateway on `port` and runs the client's checks against its `/mcp`.
async fn check_over_http(world: World, port: u16) {
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "tandem did not listen on port {port} within 20 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let url = format!("http://127.0.0.1:{port}/mcp");
    let tandem_path = env!("CARGO_BIN_EXE_tandem");
    let config = world.config();
    let env_file = world.env_file();
    let output = tokio::task::spawn_blocking(move || {
        run_client(
            &world,
            &[
                "http",
                &url,
                tandem_path,
                config.to_str().unwrap(),
                env_file.to_str().unwrap(),
            ],
        )
    })
    .await
    .unwrap();
    assert_checks(&output);
}
