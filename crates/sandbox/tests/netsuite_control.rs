//! The NetSuite emulator's controls for tests and benchmarks: latency, injected faults,
//! counters and the large seed, through the Rust API and the `/__sandbox/` HTTP routes.

mod netsuite_support;

use std::time::{Duration, Instant};

use netsuite_support::{Server, parse};
use serde_json::{Value, json};
use tandem_sandbox::netsuite::{FaultKind, FaultPlan, Latency};

const GET_SERVER_TIME: &str = "<platformMsgs:getServerTime/>";

fn add_customer(external_id: &str) -> String {
    format!(
        r#"<platformMsgs:add><platformMsgs:record xsi:type="listRel:Customer" externalId="{external_id}"><listRel:companyName>Timeout Co</listRel:companyName></platformMsgs:record></platformMsgs:add>"#
    )
}

async fn control(server: &Server, method: reqwest::Method, path: &str, body: Value) -> u16 {
    let url = format!("{}/__sandbox/{path}", server.base_url());
    let response = server
        .client
        .request(method, url)
        .json(&body)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

async fn control_get(server: &Server, path: &str) -> Value {
    let url = format!("{}/__sandbox/{path}", server.base_url());
    let response = server.client.get(url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn fixed_latency_delays_every_response() {
    let server = Server::start().await;
    server.emulator.set_latency(Duration::from_millis(300));
    let started = Instant::now();
    let reply = server.call("getServerTime", GET_SERVER_TIME).await;
    assert_eq!(reply.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn operation_latency_applies_to_that_operation() {
    let server = Server::start().await;
    let slow = Latency::Uniform {
        min_ms: 250,
        max_ms: 300,
    };
    server
        .emulator
        .set_operation_latency("getServerTime", Some(slow));
    let started = Instant::now();
    server.call("getServerTime", GET_SERVER_TIME).await;
    assert!(started.elapsed() >= Duration::from_millis(250));
}

#[tokio::test]
async fn next_http_503_faults_then_recovers() {
    let server = Server::start().await;
    server
        .emulator
        .inject_fault(FaultPlan::next(FaultKind::Http503, 2));
    for _ in 0..2 {
        let reply = server.call("getServerTime", GET_SERVER_TIME).await;
        assert_eq!(reply.status, 503);
        assert!(reply.body.is_empty());
    }
    let reply = server.call("getServerTime", GET_SERVER_TIME).await;
    assert_eq!(reply.status, 200);
    let counters = server.emulator.counters();
    assert_eq!(counters.injected_faults.get(&FaultKind::Http503), Some(&2));
    assert_eq!(counters.operations.get("getServerTime"), Some(&1));
}

#[tokio::test]
async fn injected_concurrency_fault_is_ws_request_blocked() {
    let server = Server::start().await;
    server
        .emulator
        .inject_fault(FaultPlan::next(FaultKind::Concurrency, 1));
    let reply = server.call("getServerTime", GET_SERVER_TIME).await;
    assert_eq!(reply.status, 500);
    let fault = parse(&reply.body);
    assert_eq!(fault.text_of("code").unwrap(), "WS_REQUEST_BLOCKED");
    assert!(fault.find("exceededConcurrentRequestLimitFault").is_some());
}

#[tokio::test]
async fn injected_unexpected_error_is_a_platform_fault() {
    let server = Server::start().await;
    server
        .emulator
        .inject_fault(FaultPlan::rate(FaultKind::UnexpectedError, 1.0));
    let reply = server.call("getServerTime", GET_SERVER_TIME).await;
    assert_eq!(reply.status, 500);
    let fault = parse(&reply.body);
    assert_eq!(fault.text_of("code").unwrap(), "UNEXPECTED_ERROR");
    assert!(fault.find("unexpectedErrorFault").is_some());
    server.emulator.clear_faults();
    let reply = server.call("getServerTime", GET_SERVER_TIME).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn malformed_xml_fault_still_writes() {
    let server = Server::start().await;
    server
        .emulator
        .inject_fault(FaultPlan::next(FaultKind::MalformedXml, 1).for_operation("add"));
    let reply = server.call("add", &add_customer("MALFORMED-1")).await;
    assert_eq!(reply.status, 200);
    let reader = quick_xml::Reader::from_str(&reply.body);
    assert!(xml_fails_to_parse(reader), "{}", reply.body);
    assert_eq!(server.emulator.customers().len(), 1);
}

fn xml_fails_to_parse(mut reader: quick_xml::Reader<&[u8]>) -> bool {
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Err(_) => return true,
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => return depth != 0,
            Ok(_) => {}
        }
    }
}

#[tokio::test]
async fn timeout_fault_writes_then_holds_the_response() {
    let server = Server::start().await;
    let plan = FaultPlan::next(FaultKind::Timeout, 1)
        .for_operation("add")
        .with_hold(Duration::from_secs(5));
    server.emulator.inject_fault(plan);
    let document = netsuite_support::envelope(&server.passport(), &add_customer("TIMEOUT-1"));
    let sent = server
        .client
        .post(&server.url)
        .timeout(Duration::from_millis(500))
        .body(document)
        .send()
        .await;
    assert!(sent.unwrap_err().is_timeout());
    assert_eq!(server.emulator.customers().len(), 1);
    let retry = server
        .call(
            "upsert",
            &add_customer("TIMEOUT-1").replace("add>", "upsert>"),
        )
        .await;
    assert_eq!(retry.status, 200);
    assert_eq!(server.emulator.customers().len(), 1);
}

#[tokio::test]
async fn fault_for_one_operation_spares_others() {
    let server = Server::start().await;
    server
        .emulator
        .inject_fault(FaultPlan::rate(FaultKind::Http503, 1.0).for_operation("search"));
    let reply = server.call("getServerTime", GET_SERVER_TIME).await;
    assert_eq!(reply.status, 200);
}

#[tokio::test]
async fn http_controls_set_faults_latency_and_limits() {
    let server = Server::start().await;
    let plan = json!({"kind": "http503", "trigger": {"next": 1}, "operation": "getServerTime"});
    assert_eq!(
        control(&server, reqwest::Method::POST, "faults", plan).await,
        204
    );
    let latency = json!({"kind": "fixed", "ms": 120});
    assert_eq!(
        control(&server, reqwest::Method::PUT, "latency", latency).await,
        204
    );
    let limit = json!({"limit": 9});
    assert_eq!(
        control(&server, reqwest::Method::PUT, "concurrency-limit", limit).await,
        204
    );
    let ttl = json!({"ms": 2000});
    assert_eq!(
        control(&server, reqwest::Method::PUT, "search-ttl", ttl).await,
        204
    );

    let settings = control_get(&server, "settings").await;
    assert_eq!(settings["concurrency_limit"], 9);
    assert_eq!(settings["search_ttl_ms"], 2000);
    assert_eq!(settings["latency"], json!({"kind": "fixed", "ms": 120}));
    assert_eq!(settings["faults"][0]["kind"], "http503");

    let reply = server.call("getServerTime", GET_SERVER_TIME).await;
    assert_eq!(reply.status, 503);
    let reply = server.call("getServerTime", GET_SERVER_TIME).await;
    assert_eq!(reply.status, 200);
    let counters = control_get(&server, "counters").await;
    assert_eq!(counters["operations"]["getServerTime"], 1);
    assert_eq!(counters["injected_faults"]["http503"], 1);
    assert_eq!(
        control(&server, reqwest::Method::DELETE, "counters", json!({})).await,
        204
    );
    let counters = control_get(&server, "counters").await;
    assert_eq!(counters["operations"], json!({}));
}

#[tokio::test]
async fn http_control_rejects_rate_above_one() {
    let server = Server::start().await;
    let plan = json!({"kind": "timeout", "trigger": {"rate": 1.5}});
    assert_eq!(
        control(&server, reqwest::Method::POST, "faults", plan).await,
        422
    );
    assert!(server.emulator.fault_plans().is_empty());
}

#[tokio::test]
async fn http_seed_adds_large_data() {
    let server = Server::start().await;
    let url = format!("{}/__sandbox/seed", server.base_url());
    let response = server
        .client
        .post(url)
        .json(&json!({"large": 12}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let summary: Value = response.json().await.unwrap();
    assert_eq!(
        summary,
        json!({"customers": 12, "items": 12, "invoices": 12, "payments": 3})
    );
    assert_eq!(server.emulator.customers().len(), 12);
    assert_eq!(server.emulator.record_count("invoice"), 12);
}

#[tokio::test]
async fn blocked_requests_are_counted() {
    let server = Server::start().await;
    server.emulator.set_concurrency_limit(0);
    let reply = server.call("getServerTime", GET_SERVER_TIME).await;
    assert_eq!(reply.status, 500);
    assert_eq!(server.emulator.counters().blocked, 1);
}
