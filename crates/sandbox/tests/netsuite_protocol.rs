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
    let reply = server.call("attach", "<platformMsgs:attach/>").await;
    assert_eq!(reply.status, 500);
    assert_eq!(
        parse(&reply.body).text_of("faultstring").unwrap(),
        "No such operation 'attach'"
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

/// Builds an `add` body for one customer with `externalId` and `companyName` as given, both
/// still escaped.
fn add_customer(external_id: &str, company: &str) -> String {
    format!(
        r#"<platformMsgs:add><platformMsgs:record xsi:type="listRel:Customer" externalId="{external_id}"><listRel:companyName>{company}</listRel:companyName></platformMsgs:record></platformMsgs:add>"#
    )
}

/// Asserts that `reply` is the parse fault NetSuite sends for a document it cannot read:
/// HTTP 500, `soapenv:Server.userException`, the given faultstring and no platform detail.
fn assert_parse_fault(reply: &netsuite_support::Reply, faultstring: &str) {
    assert_eq!(reply.status, 500, "{}", reply.body);
    let fault = parse(&reply.body);
    assert_eq!(
        fault.text_of("faultcode").unwrap(),
        "soapenv:Server.userException"
    );
    assert_eq!(fault.text_of("faultstring").unwrap(), faultstring);
    assert!(fault.find("code").is_none(), "{}", reply.body);
    assert!(!reply.body.contains("platformFaults"), "{}", reply.body);
    assert!(fault.find("hostname").is_some());
}

#[tokio::test]
async fn control_character_in_text_is_a_parse_fault() {
    let server = Server::start().await;
    let reply = server.call("add", &add_customer("SF-1", "Ac\u{1}me")).await;
    assert_parse_fault(
        &reply,
        "org.xml.sax.SAXParseException: An invalid XML character (Unicode: 0x1) was found in \
         the element content of the document.",
    );
    assert!(server.emulator.customers().is_empty());
    assert!(server.emulator.operation_counts().is_empty());
}

#[tokio::test]
async fn forbidden_characters_are_parse_faults() {
    let server = Server::start().await;
    let controls = (0x00..=0x1F).filter(|code| !matches!(code, 0x09 | 0x0A | 0x0D));
    for code in controls.chain([0xFFFE, 0xFFFF]) {
        let invalid = char::from_u32(code).unwrap();
        let reply = server
            .call("add", &add_customer("SF-1", &format!("Ac{invalid}me")))
            .await;
        let expected = format!(
            "org.xml.sax.SAXParseException: An invalid XML character (Unicode: 0x{code:x}) was \
             found in the element content of the document."
        );
        assert_parse_fault(&reply, &expected);
    }
    assert!(server.emulator.customers().is_empty());
}

#[tokio::test]
async fn invalid_character_reference_is_a_parse_fault() {
    let server = Server::start().await;
    let cases = [("&#1;", "&#1"), ("&#x1F;", "&#x1F"), ("&#0;", "&#0")];
    for (reference, shown) in cases {
        let reply = server
            .call("add", &add_customer("SF-1", &format!("Ac{reference}me")))
            .await;
        let expected = format!(
            "org.xml.sax.SAXParseException: Character reference \"{shown}\" is an invalid XML \
             character."
        );
        assert_parse_fault(&reply, &expected);
    }
    assert!(server.emulator.customers().is_empty());
}

#[tokio::test]
async fn control_character_in_attribute_is_a_parse_fault() {
    let server = Server::start().await;
    let raw = server.call("add", &add_customer("SF\u{2}1", "Acme")).await;
    assert_parse_fault(
        &raw,
        "org.xml.sax.SAXParseException: An invalid XML character (Unicode: 0x2) was found in \
         the value of attribute \"externalId\" and element is \"platformMsgs:record\".",
    );
    let reference = server.call("add", &add_customer("SF&#x2;1", "Acme")).await;
    assert_parse_fault(
        &reference,
        "org.xml.sax.SAXParseException: Character reference \"&#x2\" is an invalid XML \
         character.",
    );
    assert!(server.emulator.customers().is_empty());
}

#[tokio::test]
async fn control_character_in_header_is_a_parse_fault() {
    let server = Server::start().await;
    let headers = format!("{}<!-- note \u{1B} -->", server.passport());
    let reply = server
        .call_with_headers("getServerTime", &headers, GET_SERVER_TIME)
        .await;
    assert_parse_fault(
        &reply,
        "org.xml.sax.SAXParseException: An invalid XML character (Unicode: 0x1b) was found in \
         the comment.",
    );
}

#[tokio::test]
async fn tab_lf_and_cr_are_stored() {
    let server = Server::start().await;
    let reply = server
        .call(
            "add",
            &add_customer("SF-1", "Ac\tme&#9;\nWest&#13;&#xA;Side"),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let customers = server.emulator.customers();
    assert_eq!(customers.len(), 1);
    assert_eq!(
        customers[0].company_name.as_deref(),
        Some("Ac\tme\t\nWest\r\nSide")
    );
}
