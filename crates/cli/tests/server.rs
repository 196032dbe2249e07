//! The web UI, the JSON API, the webhooks and `/metrics` of a `tandem run` daemon, against a
//! sandbox in the test process.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::daemon::{Daemon, LONG_NAME, TOKEN};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_metrics_need_no_token() {
    let daemon = Daemon::start().await;
    let health = daemon
        .http
        .get(daemon.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.text().await.unwrap().trim(), "ok");
    let metrics = daemon
        .http
        .get(daemon.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_refuses_calls_without_the_token() {
    let daemon = Daemon::start().await;
    let document: Value = daemon
        .http
        .get(daemon.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = document["paths"].as_object().unwrap();
    let mut checked = 0;
    for (path, item) in paths.iter().filter(|(path, _)| path.starts_with("/api/")) {
        let path = path.replace("{id}", "1");
        for method in item.as_object().unwrap().keys() {
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let without = daemon
                .http
                .request(method.clone(), daemon.url(&path))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(
                without.status(),
                StatusCode::UNAUTHORIZED,
                "{method} {path}"
            );
            let wrong = daemon
                .http
                .request(method.clone(), daemon.url(&path))
                .bearer_auth("not-the-token")
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "{method} {path}");
            checked += 1;
        }
    }
    assert!(checked >= 18, "only {checked} routes checked");
    let with = daemon.get("/api/flows").await;
    assert_eq!(with.status(), StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_fixed_and_replayed() {
    let daemon = Daemon::start().await;
    let letters = daemon.get_json("/api/dead-letters").await;
    let letters = letters.as_array().unwrap();
    assert_eq!(letters.len(), 1, "{letters:?}");
    let id = letters[0]["id"].as_i64().unwrap();
    assert_eq!(letters[0]["payload_editable"], true);
    assert_eq!(letters[0]["payload"]["companyName"], LONG_NAME);

    let mut payload = letters[0]["payload"].clone();
    payload["companyName"] = json!("Northwest Agricultural Equipment Distributors");
    let path = format!("/api/dead-letters/{id}/payload");
    let (status, saved) = daemon.send_json(reqwest::Method::PUT, &path, payload).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(
        saved["payload"]["companyName"],
        "Northwest Agricultural Equipment Distributors"
    );

    let path = format!("/api/dead-letters/{id}/replay");
    let (status, replay) = daemon
        .send_json(reqwest::Method::POST, &path, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{replay}");
    assert_eq!(replay["outcome"], "written");
    assert_eq!(replay["dead_letter"]["status"], "resolved");
    let (status, again) = daemon
        .send_json(reqwest::Method::POST, &path, json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_payload_is_rejected_with_the_reason() {
    let daemon = Daemon::start().await;
    let letters = daemon.get_json("/api/dead-letters").await;
    let id = letters[0]["id"].as_i64().unwrap();
    let path = format!("/api/dead-letters/{id}/payload");
    let (status, body) = daemon
        .send_json(reqwest::Method::PUT, &path, json!(["not", "an", "object"]))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("JSON object of field values"),
        "{body}"
    );
    let (status, _) = daemon
        .send_json(
            reqwest::Method::PUT,
            "/api/dead-letters/999/payload",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runs_and_records_show_what_happened() {
    let daemon = Daemon::start().await;
    let runs = daemon.get_json("/api/runs?flow=account-customer").await;
    let run = &runs[0];
    assert_eq!(run["flow"], "account-customer");
    assert_eq!(run["counts"]["dead_letters"], 1);
    let detail = daemon.get_json(&format!("/api/runs/{}", run["id"])).await;
    let refused = detail["dead_letters"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{detail}");

    let found = daemon.get_json("/api/records?q=agricultural").await;
    let records = found["records"].as_array().unwrap();
    assert_eq!(records.len(), 1, "{found}");
    assert_eq!(records[0]["system"], "salesforce");
    let by_id = daemon
        .get_json(&format!(
            "/api/records?q={}",
            records[0]["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(by_id["records"][0]["id"], records[0]["id"]);
    let empty = daemon.get("/api/records?q=").await;
    assert_eq!(empty.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_need_a_login_and_a_csrf_token() {
    let daemon = Daemon::start().await;
    let anonymous = daemon
        .http
        .get(daemon.url("/dead-letters"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::SEE_OTHER);
    let wrong = daemon
        .http
        .post(daemon.url("/login"))
        .form(&[("token", "guess"), ("next", "/")])
        .send()
        .await
        .unwrap();
    let location = wrong.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/login?failed=1"), "{location}");
    assert!(wrong.headers().get("set-cookie").is_none());

    let (cookie, csrf) = daemon.login().await;
    let dashboard = daemon.page(&cookie, "/").await;
    assert!(dashboard.contains("account-customer"), "{dashboard}");
    assert!(dashboard.contains("<svg"), "{dashboard}");
    let letters = daemon.get_json("/api/dead-letters").await;
    let id = letters[0]["id"].as_i64().unwrap();
    let page = daemon.page(&cookie, &format!("/dead-letters/{id}")).await;
    assert!(page.contains("field:companyName"), "{page}");

    let forged = daemon
        .http
        .post(daemon.url(&format!("/dead-letters/{id}/discard")))
        .header("cookie", &cookie)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let api_without_header = daemon
        .http
        .post(daemon.url(&format!("/api/dead-letters/{id}/discard")))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(api_without_header.status(), StatusCode::FORBIDDEN);
    let letter = daemon.get_json(&format!("/api/dead-letters/{id}")).await;
    assert_eq!(letter["status"], "open");

    let discarded = daemon
        .http
        .post(daemon.url(&format!("/dead-letters/{id}/discard")))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(discarded.status(), StatusCode::SEE_OTHER);
    let letter = daemon.get_json(&format!("/api/dead-letters/{id}")).await;
    assert_eq!(letter["status"], "discarded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payload_form_saves_typed_values() {
    let daemon = Daemon::start().await;
    let (cookie, csrf) = daemon.login().await;
    let letters = daemon.get_json("/api/dead-letters").await;
    let id = letters[0]["id"].as_i64().unwrap();
    let mut form = vec![("csrf".to_string(), csrf)];
    for (name, value) in letters[0]["payload"].as_object().unwrap() {
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Null => String::new(),
            other => other.to_string(),
        };
        let text = if name == "companyName" {
            "Shorter Name".to_string()
        } else {
            text
        };
        form.push((format!("field:{name}"), text));
        form.push((format!("kind:{name}"), "text".to_string()));
    }
    let saved = daemon
        .http
        .post(daemon.url(&format!("/dead-letters/{id}")))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let letter = daemon.get_json(&format!("/api/dead-letters/{id}")).await;
    assert_eq!(letter["payload"]["companyName"], "Shorter Name");
    let page = daemon.page(&cookie, &format!("/dead-letters/{id}")).await;
    assert!(page.contains("payload saved"), "{page}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_payload_field_is_rejected() {
    let daemon = Daemon::start().await;
    let (cookie, csrf) = daemon.login().await;
    let letters = daemon.get_json("/api/dead-letters").await;
    let id = letters[0]["id"].as_i64().unwrap();

    let form = [
        ("csrf", csrf.as_str()),
        ("new_name", "compnyName"),
        ("new_value", "Shorter Name"),
    ];
    let saved = daemon
        .http
        .post(daemon.url(&format!("/dead-letters/{id}")))
        .header("cookie", &cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let page = daemon.page(&cookie, &format!("/dead-letters/{id}")).await;
    assert!(page.contains("not saved"), "{page}");
    assert!(page.contains("does not use: compnyName"), "{page}");

    let mut payload = letters[0]["payload"].clone();
    payload["compnyName"] = json!("Shorter Name");
    let path = format!("/api/dead-letters/{id}/payload");
    let (status, error) = daemon.send_json(reqwest::Method::PUT, &path, payload).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
    let letter = daemon.get_json(&format!("/api/dead-letters/{id}")).await;
    assert_eq!(
        letter["payload"]["companyName"], LONG_NAME,
        "the payload is unchanged"
    );
}

/// Returns a Python interpreter with the Prometheus project's own client library, installed
/// on first use in a virtual environment under the test build's temporary folder.
fn prometheus_python() -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("prometheus-parser");
    let python = root.join("venv/bin/python");
    std::fs::create_dir_all(&root).unwrap();
    let lock = std::fs::File::create(root.join("install.lock")).unwrap();
    lock.lock().unwrap();
    let marker = root.join("installed");
    if !marker.exists() {
        run_checked(
            Command::new("python3")
                .args(["-m", "venv"])
                .arg(root.join("venv")),
        );
        run_checked(Command::new(&python).args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "prometheus-client==0.21.1",
        ]));
        std::fs::write(&marker, "prometheus-client==0.21.1\n").unwrap();
    }
    python
}

fn run_checked(command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?} ({error}); is it installed?"));
    assert!(
        output.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Parses OpenMetrics text with both parsers of the Python client and prints, per sample,
/// `name<TAB>labels as JSON<TAB>value`.
const PARSE_SCRIPT: &str = r##"
import json, sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families as openmetrics
from prometheus_client.parser import text_string_to_metric_families as prometheus
text = sys.stdin.read()
list(prometheus(text.replace("# EOF\n", "")))
for family in openmetrics(text):
    for sample in family.samples:
        print(sample.name + "\t" + json.dumps(sample.labels, sort_keys=True) + "\t" + repr(sample.value))
"##;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_parse_with_the_prometheus_client() {
    let daemon = Daemon::start().await;
    let text = daemon
        .http
        .get(daemon.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let python = tokio::task::spawn_blocking(prometheus_python)
        .await
        .unwrap();
    let samples = tokio::task::spawn_blocking(move || {
        let mut child = Command::new(python)
            .args(["-c", PARSE_SCRIPT])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python starts");
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "the parser rejected /metrics: {}\n{text}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    })
    .await
    .unwrap();
    let value = |name: &str, labels: &str| -> f64 {
        samples
            .lines()
            .find_map(|line| {
                let mut parts = line.split('\t');
                let (sample, sample_labels, value) = (parts.next()?, parts.next()?, parts.next()?);
                (sample == name && sample_labels == labels).then(|| value.parse().unwrap())
            })
            .unwrap_or_else(|| panic!("no sample {name} {labels} in:\n{samples}"))
    };
    let flow = r#"{"flow": "account-customer"}"#;
    assert_eq!(value("tandem_records_read_total", flow), 1.0);
    assert_eq!(value("tandem_dead_letters_total", flow), 1.0);
    assert_eq!(value("tandem_open_dead_letters", flow), 1.0);
    assert_eq!(value("tandem_pass_duration_seconds_count", flow), 1.0);
    assert_eq!(
        value(
            "tandem_passes_total",
            r#"{"flow": "account-customer", "outcome": "completed"}"#
        ),
        1.0
    );
    assert!(value("tandem_api_calls_in_flight", r#"{"system": "netsuite"}"#) == 0.0);
    assert!(
        value(
            "tandem_api_calls_total",
            r#"{"operation": "changed_since", "system": "salesforce"}"#
        ) >= 1.0
    );
    assert!(
        value(
            "tandem_api_requests_remaining",
            r#"{"system": "salesforce"}"#
        ) > 0.0
    );
}

const WEBHOOK_SECRET: &str = "webhook-secret-51d0";

fn hmac_hex(message: &[u8]) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(WEBHOOK_SECRET.as_bytes()).unwrap();
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn outbound_message(org: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>
<notifications xmlns="http://soap.sforce.com/2005/09/outbound">
<OrganizationId>{org}</OrganizationId><ActionId>04k000000000001AAA</ActionId>
<Notification><Id>04l000000000001AAA</Id>
<sObject xsi:type="sf:Account" xmlns:sf="urn:sobject.enterprise.soap.sforce.com">
<sf:Id>001000000000001AAA</sf:Id></sObject></Notification>
</notifications></soapenv:Body></soapenv:Envelope>"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_webhook_starts_a_pass() {
    let daemon = Daemon::start_with(&[("TANDEM_WEBHOOK_SECRET", WEBHOOK_SECRET)], &[]).await;
    let body = br#"{"recordType": "customer", "id": "42", "type": "edit"}"#;
    let unsigned = daemon
        .http
        .post(daemon.url("/webhooks/netsuite"))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::UNAUTHORIZED);
    let forged = daemon
        .http
        .post(daemon.url("/webhooks/netsuite"))
        .header(
            "x-tandem-signature",
            format!("sha256={}", hmac_hex(b"other body")),
        )
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);

    let signed = daemon
        .http
        .post(daemon.url("/webhooks/netsuite"))
        .header("x-tandem-signature", format!("sha256={}", hmac_hex(body)))
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::ACCEPTED);
    daemon.wait_for_runs(2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbound_message_is_acknowledged() {
    let daemon = Daemon::start_with(&[("TANDEM_WEBHOOK_SECRET", WEBHOOK_SECRET)], &[]).await;
    let store = tandem_store::SqliteStore::open(daemon.dir.path().join("tandem.db"))
        .await
        .unwrap();
    let org = tandem_engine::state::StateStore::identity(&store, tandem_engine::System::Salesforce)
        .await
        .unwrap()
        .expect("the first pass recorded the org ID");
    let key = hmac_hex(b"salesforce-outbound-message");
    let url = daemon.url(&format!("/webhooks/salesforce/outbound?key={key}"));

    let wrong_key = daemon
        .http
        .post(daemon.url("/webhooks/salesforce/outbound?key=00"))
        .body(outbound_message(&org))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_key.status(), StatusCode::UNAUTHORIZED);
    let other_org = daemon
        .http
        .post(&url)
        .body(outbound_message("00D000000000999AAA"))
        .send()
        .await
        .unwrap();
    assert_eq!(other_org.status(), StatusCode::FORBIDDEN);

    let accepted = daemon
        .http
        .post(&url)
        .header("content-type", "text/xml")
        .body(outbound_message(&org))
        .send()
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);
    let ack = accepted.text().await.unwrap();
    assert!(ack.contains("<Ack>true</Ack>"), "{ack}");
    daemon.wait_for_runs(2).await;
    store.close().await;
}

/// Returns the number of finished runs and the flows of the runs after the first `skip`, oldest
/// first.
async fn finished_runs(daemon: &Daemon, skip: usize) -> (usize, Vec<String>) {
    let runs = daemon.get_json("/api/runs?limit=200").await;
    let mut finished: Vec<&serde_json::Value> = runs
        .as_array()
        .unwrap()
        .iter()
        .filter(|run| run["status"] != "running")
        .collect();
    finished.sort_by_key(|run| run["id"].as_i64());
    let later = finished
        .iter()
        .skip(skip)
        .map(|run| run["flow"].as_str().unwrap().to_string())
        .collect();
    (finished.len(), later)
}

/// Waits for the first round of every enabled flow and returns its number of runs.
async fn first_round(daemon: &Daemon) -> usize {
    let status = daemon.get_json("/api/flows").await;
    let enabled = status["flows"].as_array().unwrap().len();
    daemon.wait_for_runs(enabled).await;
    enabled
}

async fn post_signed(daemon: &Daemon, path: &str, body: &[u8]) -> reqwest::Response {
    daemon
        .http
        .post(daemon.url(path))
        .header("x-tandem-signature", format!("sha256={}", hmac_hex(body)))
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_wakes_only_flows_reading_type() {
    let secret = [("TANDEM_WEBHOOK_SECRET", WEBHOOK_SECRET)];
    let flows = "[flows.account-customer]\n[flows.item-to-price-book]\n";
    let daemon = Daemon::start_configured(&secret, &[], flows).await;
    let before = first_round(&daemon).await;
    assert_eq!(before, 2, "both flows ran their first pass");

    let body = br#"{"object": "account", "ids": ["001000000000001AAA"]}"#;
    let response = post_signed(&daemon, "/webhooks/salesforce", body).await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    let reply: serde_json::Value = response.json().await.unwrap();
    let woken: Vec<String> = reply["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|flow| flow.as_str().unwrap().to_string())
        .collect();
    assert_eq!(woken, ["account-customer"]);

    daemon.wait_for_runs(before + 1).await;
    // A whole round would add a run per flow; give it time to show up if it started.
    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let (count, later) = finished_runs(&daemon, before).await;
    assert_eq!(later, woken, "only the woken flow ran");
    assert_eq!(count, before + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_for_unread_type_wakes_nothing() {
    let daemon = Daemon::start_with(&[("TANDEM_WEBHOOK_SECRET", WEBHOOK_SECRET)], &[]).await;
    let before = first_round(&daemon).await;

    let body = br#"{"recordType": "vendorbill", "id": "7", "type": "edit"}"#;
    let response = post_signed(&daemon, "/webhooks/netsuite", body).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = response.text().await.unwrap();
    assert!(
        text.contains("no enabled flow reads NetSuite vendorbill"),
        "{text}"
    );
    assert!(
        text.contains("customer"),
        "the message lists what is read: {text}"
    );

    let unnamed = post_signed(&daemon, "/webhooks/netsuite", br#"{"id": "7"}"#).await;
    assert_eq!(unnamed.status(), StatusCode::BAD_REQUEST);

    let store = tandem_store::SqliteStore::open(daemon.dir.path().join("tandem.db"))
        .await
        .unwrap();
    let org = tandem_engine::state::StateStore::identity(&store, tandem_engine::System::Salesforce)
        .await
        .unwrap()
        .expect("the first pass recorded the org ID");
    store.close().await;
    let key = hmac_hex(b"salesforce-outbound-message");
    let lead = outbound_message(&org).replace("sf:Account", "sf:Lead");
    let outbound = daemon
        .http
        .post(daemon.url(&format!("/webhooks/salesforce/outbound?key={key}")))
        .body(lead)
        .send()
        .await
        .unwrap();
    assert_eq!(outbound.status(), StatusCode::OK, "Salesforce needs an Ack");
    let ack = outbound.text().await.unwrap();
    assert!(ack.contains("<Ack>true</Ack>"), "{ack}");

    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    let (count, later) = finished_runs(&daemon, before).await;
    assert!(later.is_empty(), "no flow ran: {later:?}");
    assert_eq!(count, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_are_off_without_a_secret() {
    let daemon = Daemon::start().await;
    let response = daemon
        .http
        .post(daemon.url("/webhooks/salesforce"))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let text = response.text().await.unwrap();
    assert!(text.contains("TANDEM_WEBHOOK_SECRET"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_are_one_object_per_line() {
    let daemon = Daemon::start_with(&[("RUST_LOG", "info")], &["--log-format", "json"]).await;
    let lines = daemon.stderr.lock().unwrap().clone();
    let events: Vec<Value> = lines
        .iter()
        .filter(|line| line.starts_with('{'))
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    let started = events
        .iter()
        .find(|event| event["fields"]["message"] == "server started")
        .unwrap_or_else(|| panic!("no server start event in {lines:?}"));
    assert_eq!(started["level"], "INFO");
    assert!(
        !lines.iter().any(|line| line.contains(TOKEN)),
        "a log line shows the API token: {lines:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_requests_get_json_errors() {
    let daemon = Daemon::start().await;
    let bad_body = daemon
        .http
        .put(daemon.url("/api/dead-letters/1/payload"))
        .bearer_auth(TOKEN)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let bad_id = daemon.get("/api/dead-letters/abc").await;

    for (what, response) in [("malformed body", bad_body), ("non-numeric id", bad_id)] {
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{what}");
        let body: Value = response
            .json()
            .await
            .unwrap_or_else(|error| panic!("{what}: the error is not JSON ({error})"));
        let message = body["error"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{what}: {body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approval_in_the_api_acts_once() {
    let daemon = Daemon::start().await;
    let letters = daemon.get_json("/api/dead-letters").await;
    let letter = letters[0]["id"].as_i64().unwrap();
    let id = daemon
        .request_approval("discard_dead_letter", json!({"id": letter}))
        .await;
    let pending = daemon.get_json("/api/approvals").await;
    assert_eq!(pending[0]["id"], id, "{pending}");
    assert_eq!(pending[0]["arguments"]["id"], letter, "{pending}");

    let path = format!("/api/approvals/{id}/approve");
    let (status, approved) = daemon
        .send_json(reqwest::Method::POST, &path, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{approved}");
    assert_eq!(approved["status"], "done", "{approved}");
    assert_eq!(approved["outcome"]["outcome"], "discarded", "{approved}");
    assert_eq!(approved["decided_by"], "web UI or API", "{approved}");
    let discarded = daemon
        .get_json(&format!("/api/dead-letters/{letter}"))
        .await;
    assert_eq!(discarded["status"], "discarded");

    let (status, again) = daemon
        .send_json(reqwest::Method::POST, &path, json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    let stored = daemon.get_json(&format!("/api/approvals/{id}")).await;
    assert_eq!(stored["status"], "done", "{stored}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approvals_page_approves_and_rejects() {
    let daemon = Daemon::start().await;
    let letters = daemon.get_json("/api/dead-letters").await;
    let letter = letters[0]["id"].as_i64().unwrap();
    let rejected = daemon
        .request_approval("discard_dead_letter", json!({"id": letter}))
        .await;
    let failing = daemon
        .request_approval("run_flow", json!({"flow": "no-such-flow"}))
        .await;
    let (cookie, csrf) = daemon.login().await;
    let page = daemon.page(&cookie, "/approvals").await;
    assert!(
        page.contains(&format!("action=\"/approvals/{rejected}/reject\"")),
        "{page}"
    );
    assert!(page.contains("no-such-flow"), "{page}");

    let forged = daemon
        .http
        .post(daemon.url(&format!("/approvals/{failing}/approve")))
        .header("cookie", &cookie)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);

    for (id, action) in [(rejected, "reject"), (failing, "approve")] {
        let response = daemon
            .http
            .post(daemon.url(&format!("/approvals/{id}/{action}")))
            .header("cookie", &cookie)
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{action} {id}");
    }
    let page = daemon.page(&cookie, "/approvals").await;
    assert!(page.contains("write failed"), "{page}");
    let stored = daemon.get_json(&format!("/api/approvals/{rejected}")).await;
    assert_eq!(stored["status"], "rejected", "{stored}");
    let letter = daemon
        .get_json(&format!("/api/dead-letters/{letter}"))
        .await;
    assert_eq!(letter["status"], "open", "a rejected discard must not act");
    let stored = daemon.get_json(&format!("/api/approvals/{failing}")).await;
    assert_eq!(stored["status"], "failed", "{stored}");
    let error = stored["outcome"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("no-such-flow"), "{stored}");
}

/// Returns a PostgreSQL URL whose search path is a new schema, or `None` without
/// `TANDEM_TEST_POSTGRES_URL`.
async fn postgres_schema(test: &str) -> Option<String> {
    let Ok(base) = std::env::var("TANDEM_TEST_POSTGRES_URL") else {
        eprintln!("{test}: TANDEM_TEST_POSTGRES_URL is not set, shared store not checked");
        return None;
    };
    let schema = format!("server_{test}_{}", std::process::id());
    let pool = sqlx::PgPool::connect(&base)
        .await
        .unwrap_or_else(|error| panic!("TANDEM_TEST_POSTGRES_URL does not connect: {error}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
        .execute(&pool)
        .await
        .expect("schema is created");
    pool.close().await;
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{separator}options[search_path]={schema}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_on_one_server_shows_on_other() {
    let Some(url) = postgres_schema("replay_shared").await else {
        return;
    };
    let sandbox = common::daemon::sandbox_with_long_name().await;
    let store = format!("[store]\nurl = \"{url}\"\n");
    let mut daemons = Vec::new();
    for _ in 0..2 {
        let dir = tempfile::TempDir::new().unwrap();
        common::daemon::write_config(dir.path(), &sandbox, &store);
        daemons.push(Daemon::launch(dir, &[], &[]).await);
    }
    let (first, second) = (&daemons[0], &daemons[1]);
    first.wait_for_runs(1).await;
    // NOTE: a replay takes no lease, so it is kept apart from the other server's first round
    // by waiting, not by a lock that spans both processes.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;

    // Both servers list the same letter, from the one store.
    let letters = second.get_json("/api/dead-letters").await;
    let letters = letters.as_array().unwrap();
    assert_eq!(letters.len(), 1, "{letters:?}");
    let id = letters[0]["id"].as_i64().unwrap();
    let mut payload = letters[0]["payload"].clone();
    payload["companyName"] = json!("Northwest Agricultural Equipment Distributors");
    let path = format!("/api/dead-letters/{id}/payload");
    let (status, saved) = first.send_json(reqwest::Method::PUT, &path, payload).await;
    assert_eq!(status, StatusCode::OK, "{saved}");

    let path = format!("/api/dead-letters/{id}/replay");
    let (status, replay) = first
        .send_json(reqwest::Method::POST, &path, json!({}))
        .await;
    assert_eq!(status, StatusCode::OK, "{replay}");
    assert_eq!(replay["outcome"], "written");

    let seen = second.get_json(&format!("/api/dead-letters/{id}")).await;
    assert_eq!(seen["status"], "resolved", "{seen}");
    let (status, again) = second
        .send_json(reqwest::Method::POST, &path, json!({}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{again}");
    let customers = sandbox.netsuite().customers();
    let written: Vec<_> = customers
        .iter()
        .filter(|customer| {
            customer.company_name.as_deref()
                == Some("Northwest Agricultural Equipment Distributors")
        })
        .collect();
    assert_eq!(written.len(), 1, "the replay wrote one customer");
}

/// Logs in, sending `X-Forwarded-Proto` when given, and returns the `Set-Cookie` header.
async fn login_cookie(daemon: &Daemon, forwarded_proto: Option<&str>) -> String {
    let mut request = daemon
        .http
        .post(daemon.url("/login"))
        .form(&[("token", TOKEN), ("next", "/")]);
    if let Some(proto) = forwarded_proto {
        request = request.header("x-forwarded-proto", proto);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let cookie = response
        .headers()
        .get("set-cookie")
        .expect("a session cookie");
    cookie.to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn https_public_url_makes_cookie_secure() {
    let server = "[server]\npublic_url = \"https://tandem.example.com\"\n";
    let daemon = Daemon::start_configured(&[], &[], server).await;
    let cookie = login_cookie(&daemon, None).await;
    assert!(cookie.ends_with("; Secure"), "{cookie}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_proxy_https_makes_cookie_secure() {
    let server = "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n";
    let daemon = Daemon::start_configured(&[], &[], server).await;
    let forwarded = login_cookie(&daemon, Some("https")).await;
    assert!(forwarded.ends_with("; Secure"), "{forwarded}");
    let direct = login_cookie(&daemon, None).await;
    assert!(!direct.contains("Secure"), "{direct}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarded_proto_from_untrusted_peer_is_ignored() {
    let server = "[server]\ntrusted_proxies = [\"10.1.2.3\"]\n";
    let daemon = Daemon::start_configured(&[], &[], server).await;
    let cookie = login_cookie(&daemon, Some("https")).await;
    assert!(!cookie.contains("Secure"), "{cookie}");
}
