//! The dead-letter, review and conflict commands, and the dry run, against a sandbox in the
//! test process.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;

use common::{account_customer, count, run_once, tandem};
use serde_json::{Map, Value};
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

async fn start(seed: Seed, extra_config: &str) -> (Sandbox, tempfile::TempDir) {
    let sandbox = Sandbox::start(SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed,
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
        "[netsuite]\nendpoint = \"{}\"\n[salesforce]\nlogin_url = \"{}\"\n{extra_config}",
        sandbox.netsuite_endpoint(),
        sandbox.salesforce_url()
    );
    std::fs::write(dir.path().join("tandem.toml"), toml).unwrap();
    std::fs::write(dir.path().join("tandem.env"), env).unwrap();
    (sandbox, dir)
}

async fn pass(dir: &Path) -> Value {
    let dir = dir.to_path_buf();
    let output = tokio::task::spawn_blocking(move || run_once(&dir))
        .await
        .unwrap();
    account_customer(&output)
}

/// Runs `tandem <args> --config DIR/tandem.toml` on a blocking thread.
async fn command(dir: &Path, args: &[&str], editor: Option<&str>) -> Output {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let editor = editor.map(str::to_string);
    tokio::task::spawn_blocking(move || {
        let mut command = tandem();
        command
            .args(&args)
            .arg("--config")
            .arg(dir.join("tandem.toml"));
        if let Some(editor) = editor {
            command.env("EDITOR", editor).env_remove("VISUAL");
        }
        command.output().expect("tandem runs")
    })
    .await
    .unwrap()
}

fn stdout_json(output: &Output) -> Value {
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "failed: {stdout}\n{stderr}");
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"))
}

fn fields(pairs: &[(&str, &str)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), Value::from(*value)))
        .collect()
}

fn insert_account(sandbox: &Sandbox, pairs: &[(&str, &str)]) -> String {
    sandbox
        .salesforce()
        .insert_record("Account", fields(pairs), chrono::Utc::now())
        .expect("Account inserted")
}

/// The name of an Account whose customer NetSuite refuses: longer than 83 characters.
const LONG_NAME: &str =
    "Northwest Agricultural Equipment Distributors and Field Service Providers Cooperative";

/// Inserts an Account NetSuite refuses, runs a pass and returns its dead letter's ID.
async fn refused_account(sandbox: &Sandbox, dir: &Path) -> String {
    insert_account(sandbox, &[("Name", LONG_NAME)]);
    pass(dir).await;
    let list = stdout_json(&command(dir, &["dead-letters", "list", "--json"], None).await);
    list[0]["id"].as_i64().expect("dead letter ID").to_string()
}

/// Runs `tandem dead-letters replay ID --json` with the sandbox's credentials.
async fn replay(dir: &Path, id: &str) -> Output {
    let env = dir.join("tandem.env");
    let args = ["dead-letters", "replay", id, "--json", "--env-file"];
    let mut args: Vec<&str> = args.to_vec();
    args.push(env.to_str().unwrap());
    command(dir, &args, None).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_is_edited_and_replayed() {
    let (sandbox, dir) = start(Seed::Empty, "").await;
    let long_name =
        "Northwest Agricultural Equipment Distributors and Field Service Providers Cooperative";
    let account = insert_account(&sandbox, &[("Name", long_name)]);
    assert_eq!(count(&pass(dir.path()).await, "dead_letters"), 1);

    let list = stdout_json(&command(dir.path(), &["dead-letters", "list", "--json"], None).await);
    let id = list[0]["id"].as_i64().expect("dead letter ID");
    assert_eq!(list[0]["source_id"], account.as_str());
    let edit = command(
        dir.path(),
        &["dead-letters", "edit", &id.to_string()],
        Some("sed -i 's/ and Field Service Providers Cooperative//'"),
    )
    .await;
    assert!(
        edit.status.success(),
        "{}",
        String::from_utf8_lossy(&edit.stderr)
    );
    let replay = replay(dir.path(), &id.to_string()).await;

    assert!(
        replay.status.success(),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    assert_eq!(stdout_json(&replay)["outcome"], "written");
    let created = sandbox
        .netsuite()
        .customers()
        .into_iter()
        .find(|c| c.external_id.as_deref() == Some(account.as_str()))
        .expect("customer created by the replay");
    assert_eq!(
        created.company_name.as_deref(),
        Some("Northwest Agricultural Equipment Distributors")
    );
    let open = stdout_json(&command(dir.path(), &["dead-letters", "list", "--json"], None).await);
    assert_eq!(open.as_array().map(Vec::len), Some(0));
    assert_eq!(count(&pass(dir.path()).await, "created"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_link_decision_links_next_pass() {
    let (sandbox, dir) = start(Seed::Empty, "").await;
    let account = insert_account(&sandbox, &[("Name", "Acme Logistics")]);
    let customer = sandbox
        .netsuite()
        .insert_customer(tandem_sandbox::netsuite::Customer {
            internal_id: String::new(),
            external_id: None,
            entity_id: None,
            company_name: Some("Acme Industries".to_string()),
            email: None,
            phone: None,
            url: None,
            is_inactive: false,
            date_created: chrono::Utc::now(),
            last_modified: chrono::Utc::now(),
            custom_fields: Vec::new(),
        });
    assert_eq!(count(&pass(dir.path()).await, "in_review"), 2);

    let items = stdout_json(&command(dir.path(), &["review", "list", "--json"], None).await);
    let item = items
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["record_id"] == account.as_str())
        .expect("the Account is in review")
        .clone();
    assert_eq!(item["candidates"][0]["id"], customer.as_str());
    let show = command(
        dir.path(),
        &["review", "show", &item["id"].to_string()],
        None,
    )
    .await;
    assert!(String::from_utf8_lossy(&show.stdout).contains("name similarity"));
    let link = command(
        dir.path(),
        &["review", "link", &item["id"].to_string(), &customer],
        None,
    )
    .await;
    assert!(
        link.status.success(),
        "{}",
        String::from_utf8_lossy(&link.stderr)
    );

    let report = pass(dir.path()).await;

    assert_eq!(count(&report, "linked"), 1);
    let record = sandbox.salesforce().record("Account", &account).unwrap();
    assert_eq!(record["NetSuite_Internal_ID__c"], customer.as_str());
    let audit = stdout_json(&command(dir.path(), &["audit", "--json"], None).await);
    let decisions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|entry| entry["decision"].as_str())
        .collect();
    assert!(
        decisions.iter().any(|d| d.contains("decided by a person")),
        "{decisions:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manual_conflict_is_resolved_from_the_command_line() {
    let config = "[flows.account-customer.conflicts]\ndefault = \"manual\"\n";
    let (sandbox, dir) = start(Seed::Empty, config).await;
    let account = insert_account(
        &sandbox,
        &[("Name", "Blue Heron"), ("Phone", "(541) 555-0100")],
    );
    pass(dir.path()).await;
    pass(dir.path()).await;
    let record = sandbox.salesforce().record("Account", &account).unwrap();
    let customer = record["NetSuite_Internal_ID__c"]
        .as_str()
        .unwrap()
        .to_string();

    sandbox
        .salesforce()
        .edit_record("Account", &account, fields(&[("Phone", "(541) 555-0001")]))
        .unwrap();
    sandbox
        .netsuite()
        .edit_customer(&customer, |c| c.phone = Some("(541) 555-0002".to_string()));
    assert_eq!(count(&pass(dir.path()).await, "updated"), 0);

    let conflicts = stdout_json(&command(dir.path(), &["conflicts", "list", "--json"], None).await);
    let id = conflicts[0]["id"].to_string();
    assert_eq!(conflicts[0]["salesforce_value"], "(541) 555-0001");
    let resolve = command(
        dir.path(),
        &["conflicts", "resolve", &id, "--take", "salesforce"],
        None,
    )
    .await;
    assert!(
        resolve.status.success(),
        "{}",
        String::from_utf8_lossy(&resolve.stderr)
    );
    let report = pass(dir.path()).await;

    assert_eq!(count(&report, "updated"), 1);
    let customer = sandbox.netsuite().customer(&customer).unwrap();
    assert_eq!(customer.phone.as_deref(), Some("(541) 555-0001"));
}

/// Every template's table, each with its defaults.
const ALL_FLOWS: &str = "[flows.account-customer]\n[flows.contact-contact]\n\
                         [flows.customer-onboarding]\n[flows.item-to-price-book]\n\
                         [flows.opportunity-to-sales-order]\n[flows.invoice-to-salesforce]\n\
                         [flows.credit-hold-alert]\n";

/// Runs `tandem run --once --dry-run --json` and returns its report, checking that no
/// made-up ID reached either system.
async fn dry_run(dir: &Path) -> Value {
    let env = dir.join("tandem.env");
    let config = dir.join("tandem.toml");
    let output = tokio::task::spawn_blocking(move || {
        tandem()
            .args(["run", "--once", "--dry-run", "--json", "--config"])
            .arg(&config)
            .arg("--env-file")
            .arg(&env)
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("dry-run-"),
        "a made-up ID reached a system: {stderr}"
    );
    stdout_json(&output)
}

/// Returns how many write requests both emulators served, by operation or route.
fn writes(sandbox: &Sandbox) -> BTreeMap<String, u64> {
    let netsuite = sandbox
        .netsuite()
        .operation_counts()
        .into_iter()
        .filter(|(op, _)| {
            ["add", "update", "upsert", "delete"]
                .iter()
                .any(|write| op.starts_with(write))
        });
    let salesforce = sandbox
        .salesforce()
        .request_counts()
        .into_iter()
        .filter(|(route, _)| !route.starts_with("GET") && !route.contains("oauth2"));
    netsuite.chain(salesforce).collect()
}

fn flow_of<'a>(report: &'a Value, name: &str) -> &'a Value {
    let flows = report["flows"].as_array().expect("flows array");
    flows
        .iter()
        .find(|flow| flow["flow"] == name)
        .unwrap_or_else(|| panic!("{name} missing in {report}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_writes_nothing_anywhere() {
    let (sandbox, dir) = start(Seed::Demo, ALL_FLOWS).await;

    let report = dry_run(dir.path()).await;

    assert_eq!(report["dry_run"], true);
    assert!(
        count(flow_of(&report, "account-customer"), "created") > 0,
        "{report}"
    );
    assert!(writes(&sandbox).is_empty(), "{:?}", writes(&sandbox));
    assert!(
        !dir.path().join("tandem.db").exists(),
        "the dry run created a store"
    );
    // Customers linked in this dry run have Accounts that only the dry run created. Their
    // credit fields are planned, not refused as missing.
    let credit = flow_of(&report, "credit-hold-alert");
    assert_eq!(count(credit, "dead_letters"), 0, "{credit}");
    let planned = report["planned"].as_array().expect("planned writes");
    let credit_updates = planned.iter().filter(|write| {
        write["action"] == "update"
            && write["object"] == "Account"
            && write["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("dry-run-"))
            && write["fields"].get("Credit_Hold__c").is_some()
    });
    assert!(credit_updates.count() > 0, "{report}");
    for name in [
        "account-customer",
        "contact-contact",
        "invoice-to-salesforce",
    ] {
        assert_eq!(count(flow_of(&report, name), "dead_letters"), 0, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_leaves_store_unchanged() {
    let (sandbox, dir) = start(Seed::Demo, ALL_FLOWS).await;
    let path = dir.path().to_path_buf();
    let first = tokio::task::spawn_blocking(move || run_once(&path))
        .await
        .unwrap();
    assert!(first.status.success());
    let store = dir.path().join("tandem.db");
    let before = std::fs::read(&store).expect("store written by the real pass");
    let written = writes(&sandbox);
    let account = sandbox
        .salesforce()
        .records("Account")
        .into_iter()
        .find(|account| account["Name"] == "Blue Heron Outfitters")
        .expect("Account");
    let id = account["Id"].as_str().unwrap().to_string();
    let phone = fields(&[("Phone", "(541) 555-0177")]);
    sandbox
        .salesforce()
        .edit_record("Account", &id, phone)
        .expect("edit accepted");

    let report = dry_run(dir.path()).await;

    assert_eq!(
        count(flow_of(&report, "account-customer"), "updated"),
        1,
        "{report}"
    );
    assert_eq!(writes(&sandbox), written);
    let after = std::fs::read(&store).expect("store still there");
    assert!(before == after, "the dry run changed the store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_with_unknown_field_is_refused() {
    let (sandbox, dir) = start(Seed::Empty, "").await;
    let id = refused_account(&sandbox, dir.path()).await;

    let edit = command(
        dir.path(),
        &["dead-letters", "edit", &id],
        Some("sed -i 's/companyName/companyNmae/'"),
    )
    .await;

    let stderr = String::from_utf8_lossy(&edit.stderr);
    assert!(!edit.status.success(), "{stderr}");
    assert!(stderr.contains("companyNmae"), "{stderr}");
    let show = command(dir.path(), &["dead-letters", "show", &id, "--json"], None).await;
    let show = stdout_json(&show);
    assert_eq!(show["payload"]["companyName"], LONG_NAME, "{show}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requested_replay_stays_listed() {
    let (sandbox, dir) = start(Seed::Empty, "").await;
    let id = refused_account(&sandbox, dir.path()).await;
    let lock = tandem_store::StoreLock::acquire(&dir.path().join("tandem.db")).unwrap();
    let requested = replay(dir.path(), &id).await;
    assert!(
        requested.status.success(),
        "{}",
        String::from_utf8_lossy(&requested.stderr)
    );

    let open = stdout_json(&command(dir.path(), &["dead-letters", "list", "--json"], None).await);

    drop(lock);
    assert_eq!(open.as_array().map(Vec::len), Some(1), "{open}");
    assert_eq!(open[0]["status"], "requested", "{open}");
}
