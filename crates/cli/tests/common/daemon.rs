//! A `tandem run` daemon against a sandbox in the test process, for the tests of the web UI,
//! the JSON API and the webhooks. Every daemon listens on port 0 and the helper reads the
//! address it prints.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Map, Value};
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

use super::tandem;

pub const TOKEN: &str = "test-token-9f2c1e";

/// A `tandem run` daemon, killed when dropped.
pub struct Daemon {
    child: Child,
    base: String,
    pub http: reqwest::Client,
    pub dir: tempfile::TempDir,
    /// The daemon's stderr lines so far.
    pub stderr: Arc<Mutex<Vec<String>>>,
    /// The sandbox the daemon syncs, when the daemon owns it.
    sandbox: Option<Sandbox>,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    /// Starts a sandbox with an Account whose name is too long for NetSuite, and a daemon
    /// that syncs it once an hour (tests wake it through the API when they need a pass).
    pub async fn start() -> Daemon {
        Daemon::start_with(&[], &[]).await
    }

    /// Starts a daemon as [`Daemon::start`] does, with more environment variables and
    /// arguments.
    pub async fn start_with(environment: &[(&str, &str)], arguments: &[&str]) -> Daemon {
        Daemon::start_configured(environment, arguments, "").await
    }

    /// Starts a daemon as [`Daemon::start_with`] does, with `extra` appended to its
    /// configuration file.
    pub async fn start_configured(
        environment: &[(&str, &str)],
        arguments: &[&str],
        extra: &str,
    ) -> Daemon {
        let sandbox = sandbox_with_long_name().await;
        let dir = tempfile::TempDir::new().unwrap();
        write_config(dir.path(), &sandbox, extra);
        let mut daemon = Daemon::launch(dir, environment, arguments).await;
        daemon.sandbox = Some(sandbox);
        daemon.wait_for_runs(1).await;
        daemon
    }

    /// Starts a daemon on the configuration in `dir` without waiting for its first pass. The
    /// caller keeps the sandbox the configuration points at running.
    pub async fn launch(
        dir: tempfile::TempDir,
        environment: &[(&str, &str)],
        arguments: &[&str],
    ) -> Daemon {
        let mut child = tandem()
            .arg("run")
            .arg("--config")
            .arg(dir.path().join("tandem.toml"))
            .arg("--env-file")
            .arg(dir.path().join("tandem.env"))
            .args(["--listen", "127.0.0.1:0", "--json"])
            .args(arguments)
            .env("TANDEM_API_TOKEN", TOKEN)
            .env_remove("TANDEM_API_TOKEN_FILE")
            .env_remove("TANDEM_WEBHOOK_SECRET")
            .env_remove("TANDEM_WEBHOOK_SECRET_FILE")
            .envs(environment.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tandem starts");
        let pipe = child.stderr.take().expect("stderr is piped");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let lines = stderr.clone();
        let address = tokio::task::spawn_blocking(move || listening_address(pipe, lines))
            .await
            .unwrap();
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        Daemon {
            child,
            base: format!("http://{address}"),
            http,
            dir,
            stderr,
            sandbox: None,
        }
    }

    /// Returns the sandbox the daemon syncs. Panics for a daemon started with [`Daemon::launch`],
    /// whose caller keeps the sandbox.
    pub fn sandbox(&self) -> &Sandbox {
        self.sandbox
            .as_ref()
            .expect("the daemon was started with its own sandbox")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(TOKEN)
            .send()
            .await
            .unwrap()
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    pub async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        let response = self
            .http
            .request(method, self.url(path))
            .bearer_auth(TOKEN)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Waits, at most 60 seconds, until the run history contains `count` finished runs.
    pub async fn wait_for_runs(&self, count: usize) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let runs = self.get_json("/api/runs").await;
            let finished = runs
                .as_array()
                .unwrap()
                .iter()
                .filter(|run| run["status"] != "running")
                .count();
            if finished >= count {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no {count} finished runs: {runs}"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Logs in through the login form and returns the session cookie and the CSRF token of
    /// the dashboard's forms.
    pub async fn login(&self) -> (String, String) {
        let response = self
            .http
            .post(self.url("/login"))
            .form(&[("token", TOKEN), ("next", "/")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let cookie = response
            .headers()
            .get("set-cookie")
            .expect("a session cookie")
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string();
        let page = self.page(&cookie, "/").await;
        let csrf = page
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a CSRF token in the page")
            .to_string();
        (cookie, csrf)
    }

    /// Stores a pending approval request of client `desk`, as the MCP gateway would, and
    /// returns its ID.
    pub async fn request_approval(&self, tool: &str, arguments: Value) -> i64 {
        use tandem_engine::state::{ApprovalRequest, GatewayStore};
        let store = tandem_store::SqliteStore::open(self.dir.path().join("tandem.db"))
            .await
            .unwrap();
        let request = ApprovalRequest {
            client: "desk".to_string(),
            tool: tool.to_string(),
            flow: Some("account-customer".to_string()),
            arguments,
            summary: format!("{tool} for a test"),
        };
        store.add_approval(&request).await.unwrap()
    }

    pub async fn page(&self, cookie: &str, path: &str) -> String {
        let response = self
            .http
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.text().await.unwrap()
    }
}

/// Starts an empty sandbox with one Account whose name is too long for NetSuite, so the first
/// pass makes a dead letter.
pub async fn sandbox_with_long_name() -> Sandbox {
    let sandbox = Sandbox::start(SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed: Seed::Empty,
    })
    .await
    .expect("sandbox starts");
    let mut fields = Map::new();
    fields.insert("Name".to_string(), Value::from(LONG_NAME));
    sandbox
        .salesforce()
        .insert_record("Account", fields, chrono::Utc::now())
        .expect("Account inserted");
    sandbox
}

pub const LONG_NAME: &str =
    "Northwest Agricultural Equipment Distributors and Field Service Providers Cooperative";

/// Writes `tandem.toml` (interval one hour, plus `extra`) and `tandem.env` for `sandbox`.
pub fn write_config(dir: &Path, sandbox: &Sandbox, extra: &str) {
    let env: String = sandbox
        .environment()
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    let toml = format!(
        "[netsuite]\nendpoint = \"{}\"\n[salesforce]\nlogin_url = \"{}\"\n[run]\n\
         interval_seconds = 3600\n{extra}",
        sandbox.netsuite_endpoint(),
        sandbox.salesforce_url()
    );
    std::fs::write(dir.join("tandem.toml"), toml).unwrap();
    std::fs::write(dir.join("tandem.env"), env).unwrap();
}

/// Reads stderr into `kept` until the daemon prints `listening on http://ADDR`, then keeps
/// reading on a thread, so the daemon never blocks on a full pipe.
fn listening_address(pipe: std::process::ChildStderr, kept: Arc<Mutex<Vec<String>>>) -> String {
    let mut lines = BufReader::new(pipe).lines();
    for line in lines.by_ref().take(200) {
        let line = line.expect("stderr is readable");
        kept.lock().unwrap().push(line.clone());
        if let Some(address) = line.strip_prefix("listening on http://") {
            let address = address.trim().to_string();
            std::thread::spawn(move || {
                for line in lines.map_while(Result::ok) {
                    kept.lock().unwrap().push(line);
                }
            });
            return address;
        }
    }
    panic!(
        "the daemon never printed its address; stderr:\n{}",
        kept.lock().unwrap().join("\n")
    );
}
