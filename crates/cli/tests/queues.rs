//! The dead-letter, review and conflict commands, and the dry run, against a sandbox in the
//! test process.

mod common;

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
    let env = dir.path().join("tandem.env");
    let replay = command(
        dir.path(),
        &[
            "dead-letters",
            "replay",
            &id.to_string(),
            "--json",
            "--env-file",
            env.to_str().unwrap(),
        ],
        None,
    )
    .await;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_writes_nothing_anywhere() {
    let (sandbox, dir) = start(Seed::Demo, "").await;
    let env = dir.path().join("tandem.env");
    let config = dir.path().join("tandem.toml");

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

    let report = stdout_json(&output);
    assert_eq!(report["dry_run"], true);
    assert!(
        report["planned"].as_array().map_or(0, Vec::len) > 0,
        "{report}"
    );
    assert!(count(&report["flows"][0], "created") > 0, "{report}");
    let netsuite_writes: Vec<String> = sandbox
        .netsuite()
        .operation_counts()
        .into_keys()
        .filter(|op| {
            ["add", "update", "upsert", "delete"]
                .iter()
                .any(|w| op.starts_with(w))
        })
        .collect();
    assert!(netsuite_writes.is_empty(), "{netsuite_writes:?}");
    let salesforce_writes: Vec<String> = sandbox
        .salesforce()
        .request_counts()
        .into_keys()
        .filter(|route| !route.starts_with("GET") && !route.contains("oauth2"))
        .collect();
    assert!(salesforce_writes.is_empty(), "{salesforce_writes:?}");
    assert!(
        !dir.path().join("tandem.db").exists(),
        "the dry run created a store"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_with_unknown_field_is_refused() {
    let (sandbox, dir) = start(Seed::Empty, "").await;
    let long_name =
        "Northwest Agricultural Equipment Distributors and Field Service Providers Cooperative";
    insert_account(&sandbox, &[("Name", long_name)]);
    pass(dir.path()).await;
    let list = stdout_json(&command(dir.path(), &["dead-letters", "list", "--json"], None).await);
    let id = list[0]["id"].as_i64().expect("dead letter ID").to_string();

    let edit = command(
        dir.path(),
        &["dead-letters", "edit", &id],
        Some("sed -i 's/companyName/companyNmae/'"),
    )
    .await;

    let stderr = String::from_utf8_lossy(&edit.stderr);
    assert!(!edit.status.success(), "{stderr}");
    assert!(stderr.contains("companyNmae"), "{stderr}");
    let show =
        stdout_json(&command(dir.path(), &["dead-letters", "show", &id, "--json"], None).await);
    assert_eq!(show["payload"]["companyName"], long_name, "{show}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requested_replay_stays_listed() {
    let (sandbox, dir) = start(Seed::Empty, "").await;
    let long_name =
        "Northwest Agricultural Equipment Distributors and Field Service Providers Cooperative";
    insert_account(&sandbox, &[("Name", long_name)]);
    pass(dir.path()).await;
    let list = stdout_json(&command(dir.path(), &["dead-letters", "list", "--json"], None).await);
    let id = list[0]["id"].as_i64().expect("dead letter ID").to_string();
    let lock = tandem_store::StoreLock::acquire(&dir.path().join("tandem.db")).unwrap();
    let env = dir.path().join("tandem.env");
    let replay = command(
        dir.path(),
        &[
            "dead-letters",
            "replay",
            &id,
            "--env-file",
            env.to_str().unwrap(),
        ],
        None,
    )
    .await;
    assert!(
        replay.status.success(),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );

    let open = stdout_json(&command(dir.path(), &["dead-letters", "list", "--json"], None).await);

    drop(lock);
    assert_eq!(open.as_array().map(Vec::len), Some(1), "{open}");
    assert_eq!(open[0]["status"], "requested", "{open}");
}
