//! `tandem sandbox --config-out` followed by `tandem run --once --json`, as separate processes.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{account_customer, count, flow_report, free_port, run_once, tandem, total};

/// A running `tandem sandbox` process, stopped with SIGTERM when dropped.
struct SandboxProcess {
    child: Child,
    lines: Vec<String>,
}

impl SandboxProcess {
    fn start(dir: &std::path::Path, netsuite_port: u16, salesforce_port: u16) -> SandboxProcess {
        let mut child = tandem()
            .args(["sandbox", "--seed", "demo"])
            .args(["--netsuite-port", &netsuite_port.to_string()])
            .args(["--salesforce-port", &salesforce_port.to_string()])
            .arg("--config-out")
            .arg(dir)
            .stdout(Stdio::piped())
            .spawn()
            .expect("sandbox starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut lines = Vec::new();
        while lines.len() < 4 {
            match receiver.recv_timeout(Duration::from_secs(60)) {
                Ok(line) => lines.push(line),
                Err(_) => panic!("sandbox printed only {lines:?} within 60 s"),
            }
        }
        SandboxProcess { child, lines }
    }

    fn terminate(&mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        for _ in 0..100 {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        None
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

#[test]
fn sandbox_config_out_then_run_once_json() {
    let dir = tempfile::TempDir::new().unwrap();
    let (netsuite_port, salesforce_port) = (free_port(), free_port());
    let mut sandbox = SandboxProcess::start(dir.path(), netsuite_port, salesforce_port);

    assert_eq!(
        sandbox.lines[0],
        format!("netsuite http://127.0.0.1:{netsuite_port}")
    );
    assert_eq!(
        sandbox.lines[1],
        format!("salesforce http://127.0.0.1:{salesforce_port}")
    );
    let toml = std::fs::read_to_string(dir.path().join("tandem.toml")).unwrap();
    let env = std::fs::read_to_string(dir.path().join("tandem.env")).unwrap();
    assert!(toml.contains(&format!(
        "endpoint = \"http://127.0.0.1:{netsuite_port}/services/NetSuitePort_2025_2\""
    )));
    assert!(toml.contains(&format!(
        "login_url = \"http://127.0.0.1:{salesforce_port}\""
    )));
    for name in common::SECRET_VARIABLES {
        // A secret that spans several lines (the OAuth 2.0 key) is named by a file.
        let named = env.contains(&format!("{name}=")) || env.contains(&format!("{name}_FILE="));
        assert!(named, "{name} missing from tandem.env");
    }
    for line in env.lines().filter(|line| !line.starts_with('#')) {
        let value = line.split_once('=').map(|(_, v)| v).unwrap_or_default();
        assert!(
            !toml.contains(value),
            "a secret from tandem.env is in tandem.toml"
        );
    }

    let output = run_once(dir.path());
    let first = account_customer(&output);
    assert!(count(&first, "created") > 0, "{first}");
    assert!(count(&first, "linked") > 0, "{first}");
    // The Account whose name is too long for NetSuite is onboarded as a customer, and refused.
    let onboarding = flow_report(&output, "customer-onboarding");
    assert_eq!(count(&onboarding, "dead_letters"), 1, "{onboarding}");

    let output = run_once(dir.path());
    assert_eq!(total(&output, "written"), 0);
    let second = account_customer(&output);
    assert_eq!(count(&second, "created"), 0, "{second}");
    assert_eq!(count(&second, "updated"), 0, "{second}");
    assert_eq!(count(&second, "linked"), 0, "{second}");
    assert_eq!(count(&second, "dead_letters"), 0, "{second}");
    assert_eq!(count(&second, "written"), 0, "{second}");
    assert!(count(&second, "echoes_skipped") > 0, "{second}");

    assert_eq!(sandbox.terminate(), Some(0), "sandbox exits 0 on SIGTERM");
}

#[test]
fn config_out_keeps_a_users_own_file() {
    let dir = tempfile::TempDir::new().unwrap();
    std::fs::write(dir.path().join("tandem.toml"), "# mine\n").unwrap();
    let output = tandem()
        .args([
            "sandbox",
            "--netsuite-port",
            "0",
            "--salesforce-port",
            "0",
            "--config-out",
        ])
        .arg(dir.path())
        .output()
        .expect("sandbox runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not written by `tandem sandbox`"),
        "{stderr}"
    );
    let kept = std::fs::read_to_string(dir.path().join("tandem.toml")).unwrap();
    assert_eq!(kept, "# mine\n");
}

#[test]
fn restarted_sandbox_gets_a_fresh_store() {
    let dir = tempfile::TempDir::new().unwrap();
    let mut first = SandboxProcess::start(dir.path(), free_port(), free_port());
    let first_toml = std::fs::read_to_string(dir.path().join("tandem.toml")).unwrap();
    let onboarding = flow_report(&run_once(dir.path()), "customer-onboarding");
    assert_eq!(count(&onboarding, "dead_letters"), 1, "{onboarding}");
    first.terminate();

    let mut second = SandboxProcess::start(dir.path(), free_port(), free_port());
    let second_toml = std::fs::read_to_string(dir.path().join("tandem.toml")).unwrap();
    let report = account_customer(&run_once(dir.path()));
    second.terminate();

    assert_ne!(first_toml, second_toml);
    assert!(count(&report, "created") > 0, "{report}");
}

#[cfg(unix)]
#[test]
fn env_file_is_private_to_owner() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::TempDir::new().unwrap();
    let mut sandbox = SandboxProcess::start(dir.path(), free_port(), free_port());
    let mode = std::fs::metadata(dir.path().join("tandem.env"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    sandbox.terminate();
}
