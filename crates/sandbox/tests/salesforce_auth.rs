//! Token endpoint, sessions, versions and API accounting of the Salesforce emulator, over HTTP.

mod salesforce_support;

use std::time::Duration;

use salesforce_support::{Server, VERSION, assert_valid_id};
use serde_json::json;

#[tokio::test]
async fn token_succeeds_with_client_credentials() {
    let server = Server::start().await;
    let credentials = server.emulator.credentials().clone();
    let reply = server
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &credentials.client_id),
            ("client_secret", &credentials.client_secret),
        ])
        .await;
    assert_eq!(reply.status, 200);
    let body = &reply.body;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["instance_url"], json!(server.url));
    assert!(body["access_token"].as_str().unwrap().contains('!'));
    assert!(body["issued_at"].as_str().unwrap().parse::<i64>().is_ok());
    assert!(!body["signature"].as_str().unwrap().is_empty());
    let identity = body["id"].as_str().unwrap();
    assert!(identity.starts_with(&format!("{}/id/00D", server.url)));
    let user_id = identity.rsplit('/').next().unwrap();
    assert_eq!(user_id, server.emulator.integration_user_id());
    assert_valid_id(user_id, "005");
}

#[tokio::test]
async fn token_rejects_unknown_client_id() {
    let server = Server::start().await;
    let secret = server.emulator.credentials().client_secret.clone();
    let reply = server
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", "3MVG9unknown"),
            ("client_secret", &secret),
        ])
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body,
        json!({"error": "invalid_client_id", "error_description": "client identifier invalid"})
    );
}

#[tokio::test]
async fn token_rejects_wrong_secret() {
    let server = Server::start().await;
    let client_id = server.emulator.credentials().client_id.clone();
    let reply = server
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", &client_id),
            ("client_secret", "0000"),
        ])
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.body,
        json!({"error": "invalid_client", "error_description": "invalid client credentials"})
    );
}

#[tokio::test]
async fn token_rejects_other_grant_types() {
    let server = Server::start().await;
    let reply = server
        .token_request(&[("grant_type", "urn:ietf:params:oauth:grant-type:device_code")])
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["error"], "unsupported_grant_type");
}

#[tokio::test]
async fn api_call_without_token_is_unauthorized() {
    let server = Server::start().await;
    let reply = server
        .call("GET", "/query?q=SELECT+Id+FROM+Account", None, None)
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(
        reply.body,
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    );
}

#[tokio::test]
async fn api_call_with_unknown_token_is_unauthorized() {
    let server = Server::start().await;
    let reply = server
        .call(
            "GET",
            "/query?q=SELECT+Id+FROM+Account",
            Some("00D000000000001!AQbogus"),
            None,
        )
        .await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.body[0]["errorCode"], "INVALID_SESSION_ID");
}

#[tokio::test]
async fn expire_sessions_forces_login_again() {
    let server = Server::start().await;
    let token = server.login().await;
    assert_eq!(
        server.query(&token, "SELECT Id FROM Account").await.status,
        200
    );
    server.emulator.expire_sessions();
    assert_eq!(
        server.query(&token, "SELECT Id FROM Account").await.status,
        401
    );
    let fresh = server.login().await;
    assert_eq!(
        server.query(&fresh, "SELECT Id FROM Account").await.status,
        200
    );
}

#[tokio::test]
async fn token_expires_after_session_timeout() {
    let server = Server::start().await;
    server
        .emulator
        .set_session_timeout(Duration::from_millis(200));
    let token = server.login().await;
    assert_eq!(
        server.query(&token, "SELECT Id FROM Account").await.status,
        200
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        server.query(&token, "SELECT Id FROM Account").await.status,
        401
    );
}

#[tokio::test]
async fn versions_list_starts_at_31_without_token() {
    let server = Server::start().await;
    let reply = server
        .call_raw("GET", "/services/data", None, None, &[])
        .await;
    assert_eq!(reply.status, 200);
    let versions = reply.body.as_array().unwrap();
    assert_eq!(
        versions[0],
        json!({"label": "Summer '14", "url": "/services/data/v31.0", "version": "31.0"})
    );
    assert!(versions.iter().any(|entry| entry["version"] == "62.0"));
    assert_eq!(reply.limit_info, None);
}

#[tokio::test]
async fn retired_version_answers_gone() {
    let server = Server::start().await;
    let token = server.login().await;
    let reply = server
        .call_raw(
            "GET",
            "/services/data/v30.0/query?q=SELECT+Id+FROM+Account",
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(reply.status, 410);
}

#[tokio::test]
async fn every_call_reports_api_usage() {
    let server = Server::start().await;
    let token = server.login().await;
    let first = server.query(&token, "SELECT Id FROM Account").await;
    let second = server.query(&token, "SELECT Id FROM Account").await;
    assert_eq!(first.limit_info.as_deref(), Some("api-usage=1/15000"));
    assert_eq!(second.limit_info.as_deref(), Some("api-usage=2/15000"));
}

#[tokio::test]
async fn daily_limit_rejects_further_calls() {
    let server = Server::start().await;
    server.emulator.set_daily_api_limit(1);
    let token = server.login().await;
    assert_eq!(
        server.query(&token, "SELECT Id FROM Account").await.status,
        200
    );
    let reply = server.query(&token, "SELECT Id FROM Account").await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.body[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
}

#[tokio::test]
async fn request_counts_name_routes() {
    let server = Server::start().await;
    let token = server.login().await;
    server.query(&token, "SELECT Id FROM Account").await;
    server
        .call(
            "POST",
            "/composite/sobjects",
            Some(&token),
            Some(json!({"records": []})),
        )
        .await;
    server
        .call(
            "PATCH",
            "/sobjects/Account/001000000000001AAA",
            Some(&token),
            Some(json!({})),
        )
        .await;
    let counts = server.emulator.request_counts();
    assert_eq!(counts.get("POST /services/oauth2/token"), Some(&1));
    assert_eq!(counts.get("GET /query"), Some(&1));
    assert_eq!(counts.get("POST /composite/sobjects"), Some(&1));
    assert_eq!(counts.get("PATCH /sobjects/Account/{id}"), Some(&1));
}

#[tokio::test]
async fn unknown_path_answers_not_found() {
    let server = Server::start().await;
    let token = server.login().await;
    let reply = server
        .call_raw(
            "GET",
            &format!("/services/data/{VERSION}/nothing"),
            Some(&token),
            None,
            &[],
        )
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body[0]["errorCode"], "NOT_FOUND");
}
