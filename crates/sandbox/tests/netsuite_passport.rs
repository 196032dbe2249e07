//! Token passport checks of the NetSuite emulator, over HTTP.

mod netsuite_support;

use netsuite_support::{
    Server, assert_same_shape, corpus, fresh_nonce, now, parse, passport_xml, sign, token_passport,
};

const GET_SERVER_TIME: &str = "<platformMsgs:getServerTime/>";

fn assert_invalid_login(status: u16, body: &str) {
    assert_eq!(status, 500);
    let fault = parse(body);
    assert_eq!(
        fault.text_of("faultcode").unwrap(),
        "soapenv:Server.userException"
    );
    assert_eq!(
        fault.text_of("faultstring").unwrap(),
        "Invalid login attempt."
    );
    assert!(fault.find("invalidCredentialsFault").is_some());
    assert_eq!(fault.text_of("message").unwrap(), "Invalid login attempt.");
}

#[tokio::test]
async fn passport_signed_correctly_is_accepted() {
    let server = Server::start().await;
    let reply = server.call("getServerTime", GET_SERVER_TIME).await;
    assert_eq!(reply.status, 200);
    let response = parse(&reply.body);
    assert!(response.find("getServerTimeResult").is_some());
    assert!(
        response
            .text_of("nsId")
            .unwrap()
            .starts_with("WEBSERVICES_TSTDRV")
    );
}

#[tokio::test]
async fn passport_with_wrong_signature_is_rejected() {
    let server = Server::start().await;
    let credentials = server.emulator.credentials();
    let nonce = fresh_nonce();
    let mut other = credentials.clone();
    other.token_secret.push('0');
    let header = passport_xml(credentials, &nonce, now(), &sign(&other, &nonce, now()));
    let reply = server
        .call_with_headers("getServerTime", &header, GET_SERVER_TIME)
        .await;
    assert_invalid_login(reply.status, &reply.body);
}

#[tokio::test]
async fn passport_with_unknown_token_is_rejected() {
    let server = Server::start().await;
    let mut unknown = server.emulator.credentials().clone();
    unknown.token_id = "f".repeat(64);
    let header = token_passport(&unknown, &fresh_nonce(), now());
    let reply = server
        .call_with_headers("getServerTime", &header, GET_SERVER_TIME)
        .await;
    assert_invalid_login(reply.status, &reply.body);
}

#[tokio::test]
async fn passport_with_hex_signature_is_rejected() {
    let server = Server::start().await;
    let credentials = server.emulator.credentials();
    let nonce = fresh_nonce();
    let header = passport_xml(credentials, &nonce, now(), "0a1b2c3d4e5f");
    let reply = server
        .call_with_headers("getServerTime", &header, GET_SERVER_TIME)
        .await;
    assert_invalid_login(reply.status, &reply.body);
}

#[tokio::test]
async fn passport_with_reused_nonce_is_rejected() {
    let server = Server::start().await;
    let header = token_passport(server.emulator.credentials(), &fresh_nonce(), now());
    let first = server
        .call_with_headers("getServerTime", &header, GET_SERVER_TIME)
        .await;
    assert_eq!(first.status, 200);
    let second = server
        .call_with_headers("getServerTime", &header, GET_SERVER_TIME)
        .await;
    assert_invalid_login(second.status, &second.body);
}

#[tokio::test]
async fn passport_with_stale_timestamp_is_rejected() {
    let server = Server::start().await;
    let stale = now() - 6 * 60;
    let header = token_passport(server.emulator.credentials(), &fresh_nonce(), stale);
    let reply = server
        .call_with_headers("getServerTime", &header, GET_SERVER_TIME)
        .await;
    assert_invalid_login(reply.status, &reply.body);
}

#[tokio::test]
async fn passport_with_lower_case_account_is_rejected() {
    let server = Server::start().await;
    let mut credentials = server.emulator.credentials().clone();
    credentials.account = credentials.account.to_lowercase();
    let header = token_passport(&credentials, &fresh_nonce(), now());
    let reply = server
        .call_with_headers("getServerTime", &header, GET_SERVER_TIME)
        .await;
    assert_invalid_login(reply.status, &reply.body);
}

#[tokio::test]
async fn request_without_passport_is_rejected() {
    let server = Server::start().await;
    let reply = server
        .call_with_headers("getServerTime", "", GET_SERVER_TIME)
        .await;
    assert_invalid_login(reply.status, &reply.body);
}

#[tokio::test]
async fn passport_with_application_info_is_ambiguous() {
    let server = Server::start().await;
    let header = format!(
        "{}<platformMsgs:applicationInfo><platformMsgs:applicationId>ABC</platformMsgs:applicationId></platformMsgs:applicationInfo>",
        server.passport()
    );
    let reply = server
        .call_with_headers("getServerTime", &header, GET_SERVER_TIME)
        .await;
    assert_eq!(reply.status, 500);
    let fault = parse(&reply.body);
    assert_eq!(
        fault.text_of("faultstring").unwrap(),
        "Ambiguous authentication"
    );
    assert_eq!(fault.text_of("code").unwrap(), "USER_ERROR");
    assert!(fault.find("invalidCredentialsFault").is_some());
}

#[tokio::test]
async fn invalid_login_fault_matches_recorded_shape() {
    let server = Server::start().await;
    let reply = server
        .call_with_headers("getServerTime", "", GET_SERVER_TIME)
        .await;
    let recorded =
        corpus("NetSweet__netsuite/spec/support/fixtures/login/failure_invalid_credentials.xml");
    assert_same_shape(&parse(&reply.body), &parse(&recorded));
}

#[tokio::test]
async fn rejected_requests_are_not_counted() {
    let server = Server::start().await;
    server
        .call_with_headers("getServerTime", "", GET_SERVER_TIME)
        .await;
    assert!(server.emulator.operation_counts().is_empty());
    server.call("getServerTime", GET_SERVER_TIME).await;
    assert_eq!(
        server.emulator.operation_counts().get("getServerTime"),
        Some(&1)
    );
}
