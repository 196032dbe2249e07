//! Crash safety: `tandem run` killed with SIGKILL at varying points of a large first sync,
//! then restarted, still delivers every record exactly once, and a final pass writes nothing.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{account_customer, count, run_once, tandem};
use serde_json::{Map, Value};
use tandem_sandbox::netsuite::Customer;
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

/// Records created on each side before the sync.
const RECORDS_PER_SIDE: usize = 200;
/// How many times a run is killed.
const KILLS: usize = 6;

async fn start() -> (Sandbox, tempfile::TempDir) {
    let sandbox = Sandbox::start(SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed: Seed::Empty,
    })
    .await
    .expect("sandbox starts");
    let dir = tempfile::TempDir::new().unwrap();
    let env: String = sandbox
        .environment()
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    let toml = format!(
        "[netsuite]\nendpoint = \"{}\"\n[salesforce]\nlogin_url = \"{}\"\n",
        sandbox.netsuite_endpoint(),
        sandbox.salesforce_url()
    );
    std::fs::write(dir.path().join("tandem.toml"), toml).unwrap();
    std::fs::write(dir.path().join("tandem.env"), env).unwrap();
    (sandbox, dir)
}

fn seed(sandbox: &Sandbox) {
    let now = chrono::Utc::now() - chrono::TimeDelta::hours(1);
    for n in 0..RECORDS_PER_SIDE {
        let mut fields = Map::new();
        fields.insert(
            "Name".to_string(),
            Value::from(format!("Harbor Account {n:04}")),
        );
        fields.insert(
            "Phone".to_string(),
            Value::from(format!("(206) 555-{n:04}")),
        );
        sandbox
            .salesforce()
            .insert_record("Account", fields, now)
            .expect("Account inserted");
        sandbox.netsuite().insert_customer(Customer {
            internal_id: String::new(),
            external_id: None,
            entity_id: None,
            company_name: Some(format!("Summit Customer {n:04}")),
            email: None,
            phone: Some(format!("(503) 555-{n:04}")),
            url: None,
            is_inactive: false,
            date_created: now,
            last_modified: now,
            custom_fields: Vec::new(),
        });
    }
}

/// Returns kill delays that differ from run to run, within a fixed range, and prints them so
/// a failure can be reproduced.
fn kill_delays() -> Vec<Duration> {
    let mut state = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(7, |d| d.as_nanos() as u64)
        | 1;
    let delays: Vec<Duration> = (0..KILLS)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            Duration::from_millis(100 + state % 900)
        })
        .collect();
    eprintln!("kill delays: {delays:?}");
    delays
}

/// Starts `tandem run --once` and kills it with SIGKILL after `delay`.
fn run_and_kill(dir: &std::path::Path, delay: Duration) {
    let mut child = tandem()
        .arg("run")
        .arg("--config")
        .arg(dir.join("tandem.toml"))
        .args(["--once", "--json", "--env-file"])
        .arg(dir.join("tandem.env"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("tandem starts");
    std::thread::sleep(delay);
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_runs_deliver_every_record_once() {
    let (sandbox, dir) = start().await;
    seed(&sandbox);
    let path = dir.path().to_path_buf();

    for delay in kill_delays() {
        let path = path.clone();
        tokio::task::spawn_blocking(move || run_and_kill(&path, delay))
            .await
            .unwrap();
    }
    let finish = path.clone();
    let finished = tokio::task::spawn_blocking(move || run_once(&finish))
        .await
        .unwrap();
    account_customer(&finished);
    let last = path.clone();
    let last = tokio::task::spawn_blocking(move || run_once(&last))
        .await
        .unwrap();
    let last = account_customer(&last);

    assert_eq!(count(&last, "written"), 0, "{last}");
    assert_eq!(count(&last, "dead_letters"), 0, "{last}");
    let accounts = sandbox.salesforce().records("Account");
    let customers = sandbox.netsuite().customers();
    assert_eq!(accounts.len(), 2 * RECORDS_PER_SIDE);
    assert_eq!(customers.len(), 2 * RECORDS_PER_SIDE);

    let customers_by_id: BTreeMap<&str, &Customer> = customers
        .iter()
        .map(|c| (c.internal_id.as_str(), c))
        .collect();
    for account in &accounts {
        let id = account["Id"].as_str().unwrap();
        let link = account["NetSuite_Internal_ID__c"]
            .as_str()
            .unwrap_or_else(|| panic!("Account {id} is not linked"));
        let customer = customers_by_id
            .get(link)
            .unwrap_or_else(|| panic!("Account {id} links to missing customer {link}"));
        assert_eq!(customer.external_id.as_deref(), Some(id));
        assert_eq!(customer.company_name.as_deref(), account["Name"].as_str());
    }
    let mut names: Vec<&str> = customers
        .iter()
        .filter_map(|c| c.company_name.as_deref())
        .collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(
        names.len(),
        2 * RECORDS_PER_SIDE,
        "a company exists twice in NetSuite"
    );
}
