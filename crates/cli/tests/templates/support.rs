//! A sandbox with the demo seed, a configuration enabling some templates, `tandem run` passes
//! and the two API clients that read the records back.

// Each test binary that includes this module uses a different part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use tandem_engine::Secret;
use tandem_netsuite::records::typed::Customer;
use tandem_netsuite::{
    NetSuiteClient, NetSuiteConfig, Record, SearchPreferences, SearchRecord, TokenCredentials,
    TypedRecord,
};
use tandem_salesforce::{FieldChanges, SalesforceClient, SalesforceConfig, SalesforceId};
use tandem_sandbox::{Sandbox, SandboxOptions, Seed};

use crate::common::{count, run_once, tandem};

/// One test's world: the sandbox, the folder of its configuration and store, and clients of
/// both emulators.
pub struct World {
    /// Both emulators, serving while the world lives.
    pub sandbox: Sandbox,
    /// The NetSuite transport written into `tandem.toml`.
    pub transport: Transport,
    pub dir: tempfile::TempDir,
    pub netsuite: NetSuiteClient,
    pub salesforce: SalesforceClient,
}

/// The NetSuite web services `tandem run` talks to in a test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Soap,
    /// REST with token-based authentication.
    Rest,
    /// REST with OAuth 2.0 client credentials.
    RestOAuth2,
}

impl Transport {
    /// Returns the `[netsuite]` lines that choose the transport.
    fn settings(self) -> &'static str {
        match self {
            Transport::Soap => "transport = \"soap\"\n",
            Transport::Rest => "transport = \"rest\"\n",
            Transport::RestOAuth2 => "transport = \"rest\"\nauth = \"oauth2\"\n",
        }
    }
}

/// Starts a sandbox with the demo seed and writes `tandem.toml` with `flows` (the
/// `[flows.<name>]` tables) and the NetSuite `transport`, and `tandem.env`, into a new folder.
pub async fn start(transport: Transport, flows: &str) -> World {
    start_with(transport, Seed::Demo, flows).await
}

/// Starts a sandbox with `seed` and writes a SOAP `tandem.toml` with `flows` and `tandem.env`
/// into a new folder.
pub async fn start_seeded(seed: Seed, flows: &str) -> World {
    start_with(Transport::Soap, seed, flows).await
}

/// Starts a sandbox with `seed` and writes `tandem.toml` with `transport` and `flows`, and
/// `tandem.env`, into a new folder.
pub async fn start_with(transport: Transport, seed: Seed, flows: &str) -> World {
    let sandbox = Sandbox::start(SandboxOptions {
        netsuite_port: 0,
        salesforce_port: 0,
        seed,
    })
    .await
    .expect("sandbox starts");
    let dir = tempfile::TempDir::new().expect("temporary folder");
    write_config(&sandbox, dir.path(), transport, flows);
    let key_path = dir.path().join("netsuite-oauth2-key.pem");
    std::fs::write(&key_path, sandbox.netsuite_private_key()).expect("write the OAuth 2.0 key");
    let mut env: String = sandbox
        .environment()
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    env.push_str(&format!(
        "TANDEM_NETSUITE_PRIVATE_KEY_FILE={}\n",
        key_path.display()
    ));
    std::fs::write(dir.path().join("tandem.env"), env).expect("write tandem.env");
    let netsuite = netsuite_client(&sandbox);
    let salesforce = salesforce_client(&sandbox);
    World {
        sandbox,
        transport,
        dir,
        netsuite,
        salesforce,
    }
}

/// Writes `tandem.toml` into `dir`: both emulators, the NetSuite `transport`, a store in `dir`
/// and the `flows` tables.
fn write_config(sandbox: &Sandbox, dir: &Path, transport: Transport, flows: &str) {
    let toml = format!(
        "[netsuite]\nendpoint = \"{}\"\n{}\
         [salesforce]\nlogin_url = \"{}\"\n[store]\npath = \"state.db\"\n{flows}",
        sandbox.netsuite_endpoint(),
        transport.settings(),
        sandbox.salesforce_url()
    );
    std::fs::write(dir.join("tandem.toml"), toml).expect("write tandem.toml");
}

/// Returns the value of one `TANDEM_*` variable of the sandbox's credentials.
fn credential(sandbox: &Sandbox, name: &str) -> String {
    sandbox
        .environment()
        .into_iter()
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
        .unwrap_or_else(|| panic!("{name} missing in the sandbox's environment"))
}

/// Builds a NetSuite client for the sandbox as `tandem run` builds its own.
fn netsuite_client(sandbox: &Sandbox) -> NetSuiteClient {
    let credentials = TokenCredentials {
        consumer_key: credential(sandbox, "TANDEM_NETSUITE_CONSUMER_KEY"),
        consumer_secret: Secret::new(credential(sandbox, "TANDEM_NETSUITE_CONSUMER_SECRET")),
        token_id: credential(sandbox, "TANDEM_NETSUITE_TOKEN_ID"),
        token_secret: Secret::new(credential(sandbox, "TANDEM_NETSUITE_TOKEN_SECRET")),
    };
    let account = credential(sandbox, "TANDEM_NETSUITE_ACCOUNT");
    let mut config = NetSuiteConfig::new(account, credentials);
    config.endpoint = Some(sandbox.netsuite_endpoint().parse().expect("endpoint URL"));
    NetSuiteClient::new(config).expect("NetSuite client")
}

/// Builds a Salesforce client for the sandbox with the client credentials flow.
fn salesforce_client(sandbox: &Sandbox) -> SalesforceClient {
    let mut config = SalesforceConfig::new(
        credential(sandbox, "TANDEM_SALESFORCE_CLIENT_ID"),
        Secret::new(credential(sandbox, "TANDEM_SALESFORCE_CLIENT_SECRET")),
    );
    config.login_url = sandbox.salesforce_url().parse().expect("login URL");
    SalesforceClient::new(config).expect("Salesforce client")
}

impl World {
    /// Returns the path of `tandem.toml`.
    pub fn config_path(&self) -> PathBuf {
        self.dir.path().join("tandem.toml")
    }

    /// Rewrites `tandem.toml` with other `flows` tables, keeping the store.
    pub fn configure(&self, flows: &str) {
        write_config(&self.sandbox, self.dir.path(), self.transport, flows);
    }

    /// Sets the request timeout of both clients in `tandem.toml` to `seconds`.
    pub fn set_timeouts(&self, seconds: u64) {
        let path = self.config_path();
        let toml = std::fs::read_to_string(&path).expect("read tandem.toml");
        let setting = format!("timeout_seconds = {seconds}\n");
        let toml = toml
            .replacen("[salesforce]\n", &format!("{setting}[salesforce]\n"), 1)
            .replacen("[store]\n", &format!("{setting}[store]\n"), 1);
        std::fs::write(path, toml).expect("write tandem.toml");
    }

    /// Runs a pass of a world configured with `account-customer` alone, which links the
    /// companies, then enables the template `flow` alone for the passes after it.
    pub async fn link_companies_then_enable(&self, flow: &str) {
        self.pass().await;
        self.configure(&only(flow));
    }

    /// Runs `tandem run --once --json` on a blocking thread, so the sandbox keeps serving, and
    /// returns the report after checking that the command succeeded.
    pub async fn pass(&self) -> Value {
        let dir = self.dir.path().to_path_buf();
        let output = tokio::task::spawn_blocking(move || run_once(&dir))
            .await
            .expect("pass thread");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "tandem failed: {stdout}\n{stderr}");
        serde_json::from_str(stdout.trim())
            .unwrap_or_else(|error| panic!("stdout is not one JSON object ({error}): {stdout}"))
    }

    /// Runs a pass, checks that no flow wrote a record and returns the report.
    pub async fn assert_second_pass_writes_nothing(&self) -> Value {
        let report = self.pass().await;
        for flow in flows(&report) {
            assert_eq!(count(flow, "written"), 0, "{flow}");
        }
        report
    }

    /// Runs `tandem check --json` and returns its output.
    pub async fn check(&self) -> std::process::Output {
        let config = self.config_path();
        let env = self.dir.path().join("tandem.env");
        tokio::task::spawn_blocking(move || {
            tandem()
                .arg("check")
                .arg("--json")
                .arg("--config")
                .arg(config)
                .arg("--env-file")
                .arg(env)
                .output()
                .expect("tandem runs")
        })
        .await
        .expect("check thread")
    }

    /// Runs `tandem check --json`, checks that it found problems (exit 2) and returns them.
    pub async fn check_problems(&self) -> Vec<Value> {
        let output = self.check().await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(2), "{stdout}");
        let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
        report["problems"].as_array().expect("problems").clone()
    }

    /// Runs a SOQL query through the Salesforce client and returns every record.
    pub async fn query(&self, soql: &str) -> Vec<Map<String, Value>> {
        self.salesforce
            .query(soql)
            .await
            .unwrap_or_else(|error| panic!("{soql}: {error}"))
            .records
    }

    /// Runs a SOQL query that must match exactly one record.
    pub async fn query_one(&self, soql: &str) -> Map<String, Value> {
        let mut records = self.query(soql).await;
        assert_eq!(records.len(), 1, "{soql} matched {records:?}");
        records.remove(0)
    }

    /// Returns the Account named `name`, with the fields listed in `fields`.
    pub async fn account(&self, name: &str, fields: &str) -> Map<String, Value> {
        let soql = format!(
            "SELECT Id, {fields} FROM Account WHERE Name = {}",
            literal(name)
        );
        self.query_one(&soql).await
    }

    /// Writes `changes` to one Salesforce record through the REST API.
    pub async fn update(&self, sobject: &str, id: &str, changes: &FieldChanges) {
        let id = SalesforceId::parse(id).expect("Salesforce Id");
        self.salesforce
            .update(sobject, &id, changes)
            .await
            .unwrap_or_else(|error| panic!("update of {sobject} {id}: {error}"));
    }

    /// Searches every NetSuite record of `record_type` (`invoice`, `salesOrder`) with a basic
    /// search and no criteria.
    pub async fn search_netsuite(&self, record_type: &str) -> Vec<Record> {
        self.netsuite
            .search_all(
                &SearchRecord::new(record_type),
                &SearchPreferences::default(),
            )
            .await
            .unwrap_or_else(|error| panic!("{record_type} search: {error}"))
    }

    /// Reads one NetSuite record of a typed model by internal ID.
    pub async fn get<T: TypedRecord>(&self, internal_id: &str) -> T {
        self.netsuite
            .get_typed::<T>(internal_id)
            .await
            .unwrap_or_else(|error| panic!("get {} {internal_id}: {error}", T::RECORD_TYPE))
    }

    /// Reads the NetSuite customer linked to the Account named `name`, failing when the
    /// Account carries no NetSuite internal ID.
    pub async fn linked_customer(&self, name: &str) -> (Map<String, Value>, Customer) {
        let account = self.account(name, "NetSuite_Internal_ID__c").await;
        let id = text(&account, "NetSuite_Internal_ID__c")
            .unwrap_or_else(|| panic!("Account {name} is not linked: {account:?}"));
        let customer = self.get::<Customer>(&id).await;
        (account, customer)
    }
}

/// The NetSuite namespaces of the records the tests add or update in the emulator.
const NETSUITE_NAMESPACES: &str = concat!(
    r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
    r#"xmlns:listRel="urn:relationships_2025_2.lists.webservices.netsuite.com" "#,
    r#"xmlns:listAcct="urn:accounting_2025_2.lists.webservices.netsuite.com" "#,
    r#"xmlns:tranSales="urn:sales_2025_2.transactions.webservices.netsuite.com""#
);

impl World {
    /// Adds a NetSuite record of `xsi_type` (`listRel:Contact`) with the field elements
    /// `fields`, as a user would, and returns its internal ID.
    pub fn add_netsuite(&self, xsi_type: &str, fields: &str) -> String {
        let xml =
            format!(r#"<record {NETSUITE_NAMESPACES} xsi:type="{xsi_type}">{fields}</record>"#);
        self.sandbox
            .netsuite()
            .add_record(&xml, chrono::Utc::now())
            .unwrap_or_else(|error| panic!("{xsi_type} added: {error:?}"))
    }

    /// Changes the field elements `fields` of NetSuite record `internal_id` of `xsi_type`, as
    /// a user would, which moves its `lastModifiedDate` to now.
    pub fn update_netsuite(&self, xsi_type: &str, internal_id: &str, fields: &str) {
        let xml = format!(
            r#"<record {NETSUITE_NAMESPACES} xsi:type="{xsi_type}" internalId="{internal_id}">{fields}</record>"#
        );
        self.sandbox
            .netsuite()
            .update_record(&xml, chrono::Utc::now())
            .unwrap_or_else(|error| panic!("{xsi_type} {internal_id} updated: {error:?}"));
    }

    /// Inserts a Salesforce record with the fields of the JSON object `fields`, as data
    /// loading would, and returns its Id.
    pub fn insert_salesforce(&self, object: &str, fields: Value) -> String {
        let Value::Object(fields) = fields else {
            panic!("the fields of a {object} must be a JSON object: {fields}");
        };
        self.sandbox
            .salesforce()
            .insert_record(object, fields, chrono::Utc::now())
            .unwrap_or_else(|error| panic!("{object} inserted: {error:?}"))
    }

    /// Changes the fields of the JSON object `fields` on Salesforce record `id`, as a user
    /// would in the UI.
    pub fn edit_salesforce(&self, object: &str, id: &str, fields: Value) {
        let Value::Object(fields) = fields else {
            panic!("the fields of a {object} must be a JSON object: {fields}");
        };
        self.sandbox
            .salesforce()
            .edit_record(object, id, fields)
            .unwrap_or_else(|error| panic!("{object} {id} edited: {error:?}"));
    }

    /// Runs `tandem dead-letters list --json --status all --flow FLOW` and returns the
    /// letters.
    pub async fn dead_letters(&self, flow: &str) -> Vec<Value> {
        let config = self.config_path();
        let flow = flow.to_string();
        let output = tokio::task::spawn_blocking(move || {
            tandem()
                .args([
                    "dead-letters",
                    "list",
                    "--json",
                    "--status",
                    "all",
                    "--flow",
                ])
                .arg(flow)
                .arg("--config")
                .arg(config)
                .output()
                .expect("tandem runs")
        })
        .await
        .expect("dead-letters thread");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "tandem failed: {stdout}\n{stderr}");
        let letters: Value = serde_json::from_str(stdout.trim())
            .unwrap_or_else(|error| panic!("stdout is not JSON ({error}): {stdout}"));
        letters.as_array().cloned().expect("an array of letters")
    }
}

/// Returns the `[flows]` tables that enable the template `flow` alone.
pub fn only(flow: &str) -> String {
    if flow == "account-customer" {
        return String::new();
    }
    format!("[flows.account-customer]\nenabled = false\n[flows.{flow}]\n")
}

/// Returns the flow entries of a `--json` report.
pub fn flows(report: &Value) -> &Vec<Value> {
    report["flows"].as_array().expect("flows array")
}

/// Returns the entry of flow `name` in a `--json` report.
pub fn flow<'a>(report: &'a Value, name: &str) -> &'a Value {
    flows(report)
        .iter()
        .find(|flow| flow["flow"] == name)
        .unwrap_or_else(|| panic!("{name} missing in the report: {report}"))
}

/// Returns a text field of a Salesforce record, `None` when it is null or absent.
pub fn text(record: &Map<String, Value>, field: &str) -> Option<String> {
    record
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Returns a number field of a Salesforce record, `None` when it is null or absent.
pub fn number(record: &Map<String, Value>, field: &str) -> Option<f64> {
    record.get(field).and_then(Value::as_f64)
}

/// Quotes `value` as a SOQL string literal.
pub fn literal(value: &str) -> String {
    tandem_salesforce::soql::string_literal(value)
}

/// Returns true when two amounts are equal to the cent.
pub fn same_amount(left: f64, right: f64) -> bool {
    (left - right).abs() < 0.005
}
