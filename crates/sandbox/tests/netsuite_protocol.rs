//! Envelope, endpoint and concurrency behaviour of the NetSuite emulator, over HTTP.

mod netsuite_support;

use std::time::Duration;

use netsuite_support::{NAMESPACES, Server, assert_same_shape, corpus, envelope, parse};

const GET_SERVER_TIME: &str = "<platformMsgs:getServerTime/>";

#[tokio::test]
async fn soap_action_may_be_quoted_unquoted_or_absent() {
    let server = Server::start().await;
    for action in [Some("\"getServerTime\""), Some("getServerTime"), None] {
        let document = envelope(&server.passport(), GET_SERVER_TIME);
        let reply = server.post(&document, action).await;
        assert_eq!(reply.status, 200, "SOAPAction {action:?}: {}", reply.body);
    }
}

#[tokio::test]
async fn soap_action_naming_another_operation_is_a_fault() {
    let server = Server::start().await;
    let document = envelope(&server.passport(), GET_SERVER_TIME);
    let reply = server.post(&document, Some("\"add\"")).await;
    assert_eq!(reply.status, 500);
    assert!(
        parse(&reply.body)
            .text_of("faultstring")
            .unwrap()
            .contains("SOAPAction")
    );
}

#[tokio::test]
async fn namespaces_of_another_version_are_a_fault() {
    let server = Server::start().await;
    let document = envelope(&server.passport(), GET_SERVER_TIME).replace("2025_2", "2024_2");
    let reply = server.post(&document, None).await;
    assert_eq!(reply.status, 500);
    let fault = parse(&reply.body);
    assert_eq!(fault.text_of("code").unwrap(), "INVALID_WS_VERSION");
}

#[tokio::test]
async fn other_endpoint_versions_answer_in_their_namespaces() {
    let server = Server::start().await;
    let document = envelope(&server.passport(), GET_SERVER_TIME).replace("2025_2", "2023_2");
    let url = server.url.replace("2025_2", "2023_2");
    let reply = server.post_to(&url, &document, None).await;
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .body
            .contains("urn:messages_2023_2.platform.webservices.netsuite.com")
    );
    assert!(!reply.body.contains("2025_2"));
}

#[tokio::test]
async fn malformed_xml_is_a_fault() {
    let server = Server::start().await;
    let document =
        format!("<soapenv:Envelope {NAMESPACES}><soapenv:Body><platformMsgs:get></soapenv:Body>");
    let reply = server.post(&document, None).await;
    assert_eq!(reply.status, 500);
    let fault = parse(&reply.body);
    assert!(
        fault
            .text_of("faultstring")
            .unwrap()
            .starts_with("org.xml.sax.SAXParseException")
    );
    assert!(fault.find("hostname").is_some());
}

#[tokio::test]
async fn unknown_operation_is_a_fault() {
    let server = Server::start().await;
    let reply = server.call("delete", "<platformMsgs:delete/>").await;
    assert_eq!(reply.status, 500);
    assert_eq!(
        parse(&reply.body).text_of("faultstring").unwrap(),
        "No such operation 'delete'"
    );
}

#[tokio::test]
async fn unknown_endpoint_path_is_not_found() {
    let server = Server::start().await;
    let document = envelope(&server.passport(), GET_SERVER_TIME);
    let url = server
        .url
        .replace("NetSuitePort_2025_2", "NetSuitePort_2025_7");
    assert_eq!(server.post_to(&url, &document, None).await.status, 404);
}

#[tokio::test]
async fn server_time_is_pacific_with_offset() {
    let server = Server::start().await;
    let reply = server.call("getServerTime", GET_SERVER_TIME).await;
    let time = parse(&reply.body).text_of("serverTime").unwrap();
    let parsed = chrono::DateTime::parse_from_rfc3339(&time).unwrap();
    let offset = parsed.offset().local_minus_utc();
    assert!(offset == -8 * 3600 || offset == -7 * 3600, "{time}");
    let drift = (parsed.timestamp() - chrono::Utc::now().timestamp()).abs();
    assert!(drift < 5);
}

#[tokio::test]
async fn requests_over_concurrency_limit_are_blocked() {
    let server = Server::start().await;
    server.emulator.set_concurrency_limit(2);
    server.emulator.set_latency(Duration::from_millis(400));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let document = envelope(&server.passport(), GET_SERVER_TIME);
        let client = server.client.clone();
        let url = server.url.clone();
        tasks.spawn(async move {
            let response = client.post(url).body(document).send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.text().await.unwrap())
        });
    }
    let replies = tasks.join_all().await;
    let accepted = replies.iter().filter(|(status, _)| *status == 200).count();
    assert_eq!(accepted, 2);
    for (status, body) in replies.iter().filter(|(status, _)| *status != 200) {
        assert_eq!(*status, 500);
        let fault = parse(body);
        assert_eq!(fault.text_of("code").unwrap(), "WS_REQUEST_BLOCKED");
        assert_eq!(
            fault.text_of("faultstring").unwrap(),
            "SuiteTalk concurrent request limit exceeded. Request blocked."
        );
        assert!(fault.find("exceededConcurrentRequestLimitFault").is_some());
    }
    server.emulator.set_latency(Duration::ZERO);
    assert_eq!(
        server.call("getServerTime", GET_SERVER_TIME).await.status,
        200
    );
}

#[tokio::test]
async fn concurrency_fault_matches_recorded_fault_shape() {
    let server = Server::start().await;
    server.emulator.set_concurrency_limit(0);
    let reply = server.call("getServerTime", GET_SERVER_TIME).await;
    let mine = parse(&reply.body.replace(
        "exceededConcurrentRequestLimitFault",
        "exceededRequestLimitFault",
    ));
    let recorded =
        corpus("NetSweet__netsuite/spec/support/fixtures/login/failure_concurrent_requests.xml");
    assert_same_shape(&mine, &parse(&recorded));
}
