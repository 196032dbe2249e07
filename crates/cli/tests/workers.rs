//! Several `tandem run` workers on one PostgreSQL store against one sandbox. They share one
//! one-way flow's pass and together write every record exactly once. They stay within the
//! NetSuite concurrency limit as a group. They finish the pass of a worker killed mid-sync
//! once its leases expire, and take a killed worker's two-way flow over the same way.
//!
//! These tests need `TANDEM_TEST_POSTGRES_URL` (a database they may create schemas in, as
//! `.ci/with-postgres` provides); without it they pass without checking anything.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::process::{Child, Output, Stdio};
use std::time::{Duration, Instant};

use common::{flow_report, run_once, tandem, total};
use serde_json::Value;
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

/// NetSuite customers and items the sandbox starts with; each becomes one Salesforce record.
/// `TANDEM_TEST_WORKER_RECORDS` sets another count (at most 100,000), for a longer run by
/// hand. The default makes 6 work items, so each of three workers gets some.
fn records() -> usize {
    std::env::var("TANDEM_TEST_WORKER_RECORDS")
        .ok()
        .and_then(|count| count.parse().ok())
        .unwrap_or(6 * ITEM_RECORDS)
}

/// The records of one work item: item-to-price-book syncs one search page at a time, so its
/// lookups run once per page.
const ITEM_RECORDS: usize = tandem_engine::one_way::PAGE_BATCH_SIZE;

/// The records of the two-way flow in the test of a killed worker's flow lease.
const TWO_WAY_RECORDS: usize = 150;

/// The flows the workers run: the one-way `item-to-price-book`, whose passes workers share,
/// or the two-way `account-customer`, which one worker at a time runs whole.
#[derive(Clone, Copy, PartialEq)]
enum Flows {
    OneWay,
    TwoWay,
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
async fn start(test: &str, lease_seconds: u64, flows: Flows) -> Option<World> {
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
        seed: Seed::Large(match flows {
            Flows::OneWay => records(),
            Flows::TwoWay => TWO_WAY_RECORDS,
        }),
    })
    .await
    .expect("sandbox starts");
    sandbox.netsuite().set_concurrency_limit(CONCURRENCY_LIMIT);
    // Requests must overlap for the shared limit to matter.
    sandbox.netsuite().set_latency(Duration::from_millis(40));
    // Each work item then takes a while, so every worker gets some.
    sandbox.salesforce().set_latency(Duration::from_millis(20));

    let dir = tempfile::TempDir::new().unwrap();
    let flow_tables = match flows {
        Flows::OneWay => "[flows.account-customer]\nenabled = false\n[flows.item-to-price-book]\n",
        Flows::TwoWay => "[flows.account-customer]\n",
    };
    let toml = format!(
        "[netsuite]\nendpoint = \"{}\"\nconcurrency_limit = {CONCURRENCY_LIMIT}\n\
         concurrency_retry_seconds = 1\n\
         [salesforce]\nlogin_url = \"{}\"\n\
         [store]\nurl = \"{url}\"\n\
         [run]\nlease_seconds = {lease_seconds}\n\
         {flow_tables}",
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

    /// Checks that every NetSuite item exists once in Salesforce as a `Product2`, linked back,
    /// with one price book entry per price book and currency. Returns how many times the
    /// emulator stored each product (keyed by the item's internal ID) and each entry (keyed by
    /// the item, price book and currency).
    fn assert_items_synced_once(&self) -> (BTreeMap<String, u64>, BTreeMap<String, u64>) {
        let products = self.sandbox.salesforce().records("Product2");
        let product_writes = self.sandbox.salesforce().write_counts("Product2");
        let entries = self.sandbox.salesforce().records("PricebookEntry");
        let entry_writes = self.sandbox.salesforce().write_counts("PricebookEntry");
        let mut item_of_product = BTreeMap::new();
        let mut writes_per_item = BTreeMap::new();
        for product in &products {
            let id = product["Id"].as_str().expect("Id").to_string();
            let item = product["NetSuite_Internal_ID__c"]
                .as_str()
                .unwrap_or_else(|| panic!("product {id} is not linked"))
                .to_string();
            let writes = product_writes.get(&id).copied().unwrap_or(0);
            let earlier = writes_per_item.insert(item.clone(), writes);
            assert_eq!(earlier, None, "item {item} has two products");
            item_of_product.insert(id, item);
        }
        let mut entry_writes_per_item: BTreeMap<String, u64> = BTreeMap::new();
        for entry in &entries {
            let id = entry["Id"].as_str().expect("Id");
            let product = entry["Product2Id"].as_str().expect("Product2Id");
            let Some(item) = item_of_product.get(product) else {
                continue;
            };
            let book = entry["Pricebook2Id"].as_str().expect("Pricebook2Id");
            let currency = entry.get("CurrencyIsoCode").and_then(Value::as_str);
            let currency = currency.unwrap_or("-");
            let key = format!("{item} {book} {currency}");
            let writes = entry_writes.get(id).copied().unwrap_or(0);
            let earlier = entry_writes_per_item.insert(key.clone(), writes);
            assert_eq!(earlier, None, "two price book entries for {key}");
        }
        let priced: BTreeSet<&str> = entry_writes_per_item
            .keys()
            .filter_map(|key| key.split(' ').next())
            .collect();
        assert_eq!(products.len(), records(), "Product2 records");
        assert_eq!(priced.len(), records(), "products with price book entries");
        self.assert_price_books_once();
        (writes_per_item, entry_writes_per_item)
    }

    /// Checks that no two price books share a name, so that no worker created a book another
    /// worker had created.
    fn assert_price_books_once(&self) {
        let mut names = BTreeSet::new();
        for book in self.sandbox.salesforce().records("Pricebook2") {
            let name = book["Name"].as_str().expect("Name").to_lowercase();
            assert!(names.insert(name.clone()), "two price books named {name}");
        }
    }

    /// Checks that every NetSuite customer exists once in Salesforce, linked back.
    fn assert_accounts_written_once(&self) {
        let records = self.sandbox.salesforce().records("Account");
        let links: BTreeSet<String> = records
            .iter()
            .filter_map(|record| record["NetSuite_Internal_ID__c"].as_str())
            .map(str::to_string)
            .collect();
        assert_eq!(records.len(), TWO_WAY_RECORDS, "Account records");
        assert_eq!(
            links.len(),
            TWO_WAY_RECORDS,
            "Account records with distinct links"
        );
    }

    /// Returns the worker that holds `flow`'s lease, as `flow_leases.worker` names it.
    async fn lease_holder(&self, flow: &str) -> Option<String> {
        let pool = sqlx::PgPool::connect(&self.url)
            .await
            .expect("store connects");
        let holder = sqlx::query_scalar("SELECT worker FROM flow_leases WHERE flow = $1")
            .bind(flow)
            .fetch_optional(&pool)
            .await
            .expect("leases are read")
            .flatten();
        pool.close().await;
        holder
    }

    /// Returns how many work items are done, 0 while no work pass is open.
    async fn done_items(&self) -> i64 {
        let pool = sqlx::PgPool::connect(&self.url)
            .await
            .expect("store connects");
        let done = sqlx::query_scalar("SELECT COUNT(*) FROM work_items WHERE result IS NOT NULL")
            .fetch_one(&pool)
            .await
            .unwrap_or(0);
        pool.close().await;
        done
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

/// Returns how long a worker may take: five minutes, plus 30 ms per record above the default.
fn worker_timeout() -> Duration {
    Duration::from_secs(300)
        + Duration::from_millis(30) * records().saturating_sub(6 * ITEM_RECORDS) as u32
}

/// Waits for a worker, at most [`worker_timeout`], and returns its output. Its pipes are read
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
    let deadline = Instant::now() + worker_timeout();
    let status = loop {
        if let Some(status) = child.try_wait().expect("worker status") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("a worker did not finish within {:?}", worker_timeout());
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

/// Returns the `item-to-price-book` counts of each worker's report, failing when a worker
/// did not succeed.
fn worker_reports(outputs: &[Output]) -> Vec<Value> {
    outputs
        .iter()
        .map(|output| {
            assert_succeeded(output);
            flow_report(output, "item-to-price-book")
        })
        .collect()
}

async fn workers_write_each_record_once(test: &str, workers: usize) {
    let Some(world) = start(test, 30, Flows::OneWay).await else {
        return;
    };

    let outputs = tokio::task::block_in_place(|| world.run_together(workers));
    let reports = worker_reports(&outputs);

    let created: Vec<u64> = reports
        .iter()
        .map(|report| report["created"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(
        created.iter().sum::<u64>(),
        records() as u64,
        "products created by the workers: {created:?}"
    );
    for (worker, count) in created.iter().enumerate() {
        assert!(*count > 0, "worker {worker} created nothing: {created:?}");
    }
    let (product_writes, entry_writes) = world.assert_items_synced_once();
    let rewritten: Vec<_> = product_writes.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        rewritten.is_empty(),
        "products not written once: {rewritten:?}"
    );
    let rewritten: Vec<_> = entry_writes.iter().filter(|(_, n)| **n != 1).collect();
    assert!(
        rewritten.is_empty(),
        "entries not written once: {rewritten:?}"
    );
    let blocked = world.sandbox.netsuite().counters().blocked;
    assert_eq!(
        blocked, 0,
        "the workers together passed the concurrency limit"
    );
    assert_eq!(world.done_items().await, 0, "the work pass was not closed");

    let dir = world.dir.path().to_path_buf();
    let last = tokio::task::block_in_place(|| run_once(&dir));
    assert_succeeded(&last);
    assert_eq!(total(&last, "written"), 0, "a later pass wrote again");
    assert_eq!(total(&last, "dead_letters"), 0);

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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_write_each_record_once() {
    workers_write_each_record_once("two", 2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_workers_write_each_record_once() {
    workers_write_each_record_once("three", 3).await;
}

/// Three workers share a pass; the one running it is killed with SIGKILL once some items are
/// done. The other two take the pass over when its leases expire and finish it. Only the
/// records of the items the killed worker held can be written twice, and none is duplicated.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_worker_pass_is_finished_by_others() {
    // A worker renews its leases between the steps of a pass, so a long step (parsing a page
    // of records in a debug build on a busy machine) must fit in the lease.
    let lease = 3 + records() as u64 / 5000;
    let Some(world) = start("killed_pass", lease, Flows::OneWay).await else {
        return;
    };
    let mut workers: Vec<Child> = (0..3).map(|_| world.spawn()).collect();

    let deadline = Instant::now() + worker_timeout();
    while world.done_items().await == 0 {
        assert!(Instant::now() < deadline, "no work item was done in time");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let holder = world
        .lease_holder("item-to-price-book")
        .await
        .expect("a worker runs the pass");
    let position = workers
        .iter()
        .position(|child| holder.contains(&format!("-{}-", child.id())))
        .unwrap_or_else(|| panic!("the lease holder {holder} is none of the workers"));
    let mut killed = workers.remove(position);
    killed.kill().expect("worker is killed");
    let _ = killed.wait();
    let outputs: Vec<Output> =
        tokio::task::block_in_place(|| workers.into_iter().map(finish).collect());

    let reports = worker_reports(&outputs);
    let created: u64 = reports
        .iter()
        .map(|report| report["created"].as_u64().unwrap_or(0))
        .sum();
    assert!(created > 0, "the other workers created nothing");
    let (product_writes, entry_writes) = world.assert_items_synced_once();
    // The killed worker can have written the items of one work item twice.
    let rewritten = product_writes.values().filter(|n| **n > 1).count();
    assert!(
        rewritten <= ITEM_RECORDS,
        "{rewritten} products written twice"
    );
    let rewritten: BTreeSet<&str> = entry_writes
        .iter()
        .filter(|(_, n)| **n > 1)
        .filter_map(|(key, _)| key.split(' ').next())
        .collect();
    assert!(
        rewritten.len() <= ITEM_RECORDS,
        "entries of {} items written twice",
        rewritten.len()
    );
    let statuses = world.run_statuses("item-to-price-book").await;
    assert!(
        statuses.iter().any(|status| status == "interrupted"),
        "the killed worker's run was not closed: {statuses:?}"
    );
    assert_eq!(world.done_items().await, 0, "the work pass was not closed");

    let dir = world.dir.path().to_path_buf();
    let last = tokio::task::block_in_place(|| run_once(&dir));
    assert_succeeded(&last);
    assert_eq!(total(&last, "written"), 0, "a later pass wrote again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_worker_flow_is_taken_over() {
    let lease = 3;
    let Some(world) = start("killed", lease, Flows::TwoWay).await else {
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
    world.assert_accounts_written_once();
}
