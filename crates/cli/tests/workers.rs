//! Several `tandem run` workers on one PostgreSQL store against one sandbox: together they
//! write every record exactly once, stay within the NetSuite concurrency limit as a group,
//! and a killed worker's flow is taken over once its lease expires.
//!
//! These tests need `TANDEM_TEST_POSTGRES_URL` (a database they may create schemas in, as
//! `.ci/with-postgres` provides); without it they pass without checking anything.

mod common;

use std::collections::BTreeSet;
use std::io::Read;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use common::{run_once, tandem, total};
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

/// NetSuite customers and items the sandbox starts with; each becomes one Salesforce record.
/// `TANDEM_TEST_WORKER_RECORDS` sets another count, for a longer run by hand.
fn records() -> usize {
    std::env::var("TANDEM_TEST_WORKER_RECORDS")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(150)
}
/// The NetSuite account's concurrency limit, in the emulator and in the configuration. With
/// one slot, two workers that each kept their own limit would overlap and be blocked.
const CONCURRENCY_LIMIT: usize = 1;

/// A sandbox, a PostgreSQL schema of its own, and a configuration folder for the workers.
struct World {
    sandbox: Sandbox,
    dir: tempfile::TempDir,
    url: String,
}

/// Starts the world, or returns `None` without a test database.
async fn start(test: &str, lease_seconds: u64) -> Option<World> {
    let Ok(base) = std::env::var("TANDEM_TEST_POSTGRES_URL") else {
        eprintln!("{test}: TANDEM_TEST_POSTGRES_URL is not set, workers not checked");
        return None;
    };
    let schema = format!("workers_{test}_{}", std::process::id());
    let pool = sqlx::PgPool::connect(&base)
        .await
        .unwrap_or_else(|error| panic!("TANDEM_TEST_POSTGRES_URL does not connect: {error}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&pool)
        .await
        .expect("schema is created");
    pool.close().await;
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{separator}options[search_path]={schema}");

    let sandbox = Sandbox::start(SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed: Seed::Large(records()),
    })
    .await
    .expect("sandbox starts");
    sandbox.netsuite().set_concurrency_limit(CONCURRENCY_LIMIT);
    // Requests must overlap for the shared limit to matter.
    sandbox.netsuite().set_latency(Duration::from_millis(40));

    let dir = tempfile::TempDir::new().unwrap();
    let toml = format!(
        "[netsuite]\nendpoint = \"{}\"\nconcurrency_limit = {CONCURRENCY_LIMIT}\n\
         concurrency_retry_seconds = 1\n\
         [salesforce]\nlogin_url = \"{}\"\n\
         [store]\nurl = \"{url}\"\n\
         [run]\nlease_seconds = {lease_seconds}\n\
         [flows.item-to-price-book]\n",
        sandbox.netsuite_endpoint(),
        sandbox.salesforce_url()
    );
    std::fs::write(dir.path().join("tandem.toml"), toml).unwrap();
    let env: String = sandbox
        .environment()
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    std::fs::write(dir.path().join("tandem.env"), env).unwrap();
    Some(World { sandbox, dir, url })
}

impl World {
    /// Starts `tandem run --once --json` in the background.
    fn spawn(&self) -> Child {
        tandem()
            .arg("run")
            .arg("--config")
            .arg(self.dir.path().join("tandem.toml"))
            .args(["--once", "--json", "--env-file"])
            .arg(self.dir.path().join("tandem.env"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("tandem starts")
    }

    /// Runs `workers` processes at once and returns their outputs.
    fn run_together(&self, workers: usize) -> Vec<Output> {
        let children: Vec<Child> = (0..workers).map(|_| self.spawn()).collect();
        children.into_iter().map(finish).collect()
    }

    /// Checks that every NetSuite customer and item exists once in Salesforce, linked back.
    fn assert_written_once(&self) {
        for (object, expected) in [("Account", records()), ("Product2", records())] {
            let records = self.sandbox.salesforce().records(object);
            let links: BTreeSet<String> = records
                .iter()
                .filter_map(|record| record["NetSuite_Internal_ID__c"].as_str())
                .map(str::to_string)
                .collect();
            assert_eq!(records.len(), expected, "{object} records");
            assert_eq!(
                links.len(),
                expected,
                "{object} records with distinct links"
            );
        }
    }

    /// Returns the statuses of the recorded runs of `flow`.
    async fn run_statuses(&self, flow: &str) -> Vec<String> {
        let pool = sqlx::PgPool::connect(&self.url)
            .await
            .expect("store connects");
        let statuses = sqlx::query_scalar("SELECT status FROM runs WHERE flow = $1 ORDER BY id")
            .bind(flow)
            .fetch_all(&pool)
            .await
            .expect("runs are read");
        pool.close().await;
        statuses
    }
}

/// Waits for a worker, at most five minutes, and returns its output. Its pipes are read
/// meanwhile, so a worker that writes much cannot block on a full pipe.
fn finish(mut child: Child) -> Output {
    let read = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout is piped")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr is piped")));
    let deadline = Instant::now() + Duration::from_secs(300);
    let status = loop {
        if let Some(status) = child.try_wait().expect("worker status") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("a worker did not finish within five minutes");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// Checks that a worker exited successfully.
fn assert_succeeded(output: &Output) {
    assert!(
        output.status.success(),
        "worker failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn workers_write_each_record_once(test: &str, workers: usize) {
    let Some(world) = start(test, 30).await else {
        return;
    };

    let outputs = tokio::task::block_in_place(|| world.run_together(workers));
    for output in &outputs {
        assert_succeeded(output);
    }
    let dir = world.dir.path().to_path_buf();
    let last = tokio::task::block_in_place(|| run_once(&dir));

    assert_succeeded(&last);
    assert_eq!(total(&last, "written"), 0, "a later pass wrote again");
    assert_eq!(total(&last, "dead_letters"), 0);
    world.assert_written_once();
    let blocked = world.sandbox.netsuite().counters().blocked;
    assert_eq!(
        blocked, 0,
        "the workers together passed the concurrency limit"
    );

    let dry_run = tokio::task::block_in_place(|| {
        tandem()
            .arg("run")
            .arg("--config")
            .arg(dir.join("tandem.toml"))
            .args(["--once", "--dry-run", "--json", "--env-file"])
            .arg(dir.join("tandem.env"))
            .output()
            .expect("tandem runs")
    });
    assert_succeeded(&dry_run);
    assert_eq!(
        total(&dry_run, "created"),
        0,
        "a dry run on the synced store plans creates"
    );
    assert_eq!(
        total(&dry_run, "linked"),
        0,
        "a dry run on the synced store plans links"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_write_each_record_once() {
    workers_write_each_record_once("two", 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_write_each_record_once() {
    workers_write_each_record_once("three", 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_worker_flow_is_taken_over() {
    let lease = 3;
    let Some(world) = start("killed", lease).await else {
        return;
    };
    world
        .sandbox
        .netsuite()
        .set_latency(Duration::from_millis(150));

    let mut first = world.spawn();
    std::thread::sleep(Duration::from_millis(1500));
    first.kill().expect("worker is killed");
    let _ = first.wait();
    let early = tokio::task::block_in_place(|| finish(world.spawn()));
    std::thread::sleep(Duration::from_secs(lease + 1));
    let late = tokio::task::block_in_place(|| finish(world.spawn()));

    assert_succeeded(&early);
    let early_report = String::from_utf8_lossy(&early.stdout);
    assert!(
        !early_report.contains("\"account-customer\""),
        "a worker ran a flow whose lease was still held: {early_report}"
    );
    assert_succeeded(&late);
    let statuses = world.run_statuses("account-customer").await;
    assert!(
        statuses.iter().any(|status| status == "interrupted"),
        "the killed worker's run was not closed: {statuses:?}"
    );
    let dir = world.dir.path().to_path_buf();
    let last = tokio::task::block_in_place(|| run_once(&dir));
    assert_succeeded(&last);
    assert_eq!(total(&last, "written"), 0, "a later pass wrote again");
    world.assert_written_once();
}
