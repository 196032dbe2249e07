//! Controls for tests (faults, latency, sessions, limits, change notifications), the OAuth
//! grants beyond client credentials, and `limits`, `updated` and `deleted`, over HTTP.

mod salesforce_support;

use std::time::{Duration, Instant};

use axum::Json;
use axum::routing::post;
use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rcgen::{CertificateParams, KeyPair, PKCS_RSA_SHA256};
use salesforce_support::{RESTFORCE, Server, assert_shape_covers, corpus, shape};
use serde_json::{Value, json};
use tandem_sandbox::salesforce::{Fault, FaultRule};
use tokio::sync::mpsc;

async fn control(server: &Server, method: &str, path: &str, body: Option<Value>) -> u16 {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = server
        .client
        .request(method, format!("{}{path}", server.url));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn fault_endpoint_fails_matching_requests_then_stops() {
    let server = Server::start().await;
    let token = server.login().await;
    let rule = json!({"fault": {"kind": "UNABLE_TO_LOCK_ROW"}, "route": "POST /sobjects/Account", "count": 2});
    assert_eq!(
        control(&server, "POST", "/__sandbox/faults", Some(rule)).await,
        204
    );
    let body = json!({"Name": "Locked"});
    let query = server.query(&token, "SELECT Id FROM Account").await;
    assert_eq!(query.status, 200, "other routes are not hit");
    for _ in 0..2 {
        let reply = server
            .call(
                "POST",
                "/sobjects/Account",
                Some(&token),
                Some(body.clone()),
            )
            .await;
        assert_eq!(reply.status, 400);
        assert_eq!(reply.body[0]["errorCode"], "UNABLE_TO_LOCK_ROW");
        assert!(reply.limit_info.is_some());
    }
    let reply = server
        .call("POST", "/sobjects/Account", Some(&token), Some(body))
        .await;
    assert_eq!(reply.status, 201);
    assert_eq!(
        server.emulator.records("Account").len(),
        1,
        "failed requests wrote nothing"
    );
}

#[tokio::test]
async fn validation_rule_rejects_one_record_of_collection() {
    let server = Server::start().await;
    let token = server.login().await;
    let rule = json!({
        "object": "Account",
        "field": "Name",
        "equals": "Blocked",
        "message": "Blocked names are not allowed",
    });
    assert_eq!(
        control(&server, "POST", "/__sandbox/validation-rules", Some(rule)).await,
        204
    );
    let body = json!({"allOrNone": false, "records": [
        {"attributes": {"type": "Account"}, "Name": "Allowed"},
        {"attributes": {"type": "Account"}, "Name": "Blocked"},
    ]});

    let reply = server
        .call("POST", "/composite/sobjects", Some(&token), Some(body))
        .await;

    assert_eq!(reply.status, 200);
    assert_eq!(reply.body[0]["success"], true, "{}", reply.body);
    assert_eq!(reply.body[1]["success"], false, "{}", reply.body);
    let error = &reply.body[1]["errors"][0];
    assert_eq!(error["statusCode"], "FIELD_CUSTOM_VALIDATION_EXCEPTION");
    assert_eq!(error["message"], "Blocked names are not allowed");
    assert_eq!(error["fields"], json!(["Name"]));
    assert_eq!(server.emulator.records("Account").len(), 1);
    assert_eq!(server.emulator.validation_rules().len(), 1);

    assert_eq!(
        control(&server, "DELETE", "/__sandbox/validation-rules", None).await,
        204
    );
    let body = json!({"Name": "Blocked"});
    let reply = server
        .call("POST", "/sobjects/Account", Some(&token), Some(body))
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

#[tokio::test]
async fn injected_503_and_expired_session() {
    let server = Server::start().await;
    let token = server.login().await;
    server.emulator.inject_fault(FaultRule {
        fault: Fault::ServiceUnavailable,
        route: None,
        count: 1,
    });
    server.emulator.inject_fault(FaultRule {
        fault: Fault::ExpiredSession,
        route: None,
        count: 1,
    });
    let first = server.query(&token, "SELECT Id FROM Account").await;
    assert_eq!(first.status, 503);
    let second = server.query(&token, "SELECT Id FROM Account").await;
    assert_eq!(second.status, 401);
    assert_eq!(second.body[0]["errorCode"], "INVALID_SESSION_ID");
    let third = server.query(&token, "SELECT Id FROM Account").await;
    assert_eq!(third.status, 401, "the expired session stays expired");
    let fresh = server.login().await;
    assert_eq!(
        server.query(&fresh, "SELECT Id FROM Account").await.status,
        200
    );
}

#[tokio::test]
async fn latency_delays_api_requests() {
    let server = Server::start().await;
    let token = server.login().await;
    assert_eq!(
        control(
            &server,
            "PUT",
            "/__sandbox/latency",
            Some(json!({"millis": 150}))
        )
        .await,
        204
    );
    let started = Instant::now();
    let reply = server.query(&token, "SELECT Id FROM Account").await;
    assert_eq!(reply.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn limits_endpoint_counts_requests_and_covers_recording() {
    let server = Server::start().await;
    let token = server.login().await;
    assert_eq!(
        control(
            &server,
            "PUT",
            "/__sandbox/limits/api-requests",
            Some(json!({"max": 50}))
        )
        .await,
        204
    );
    server.query(&token, "SELECT Id FROM Account").await;
    let reply = server.call("GET", "/limits", Some(&token), None).await;
    assert_eq!(
        reply.body["DailyApiRequests"],
        json!({"Max": 50, "Remaining": 48})
    );
    assert_shape_covers(
        &shape(&corpus("apache__camel/limits.json")),
        &shape(&reply.body),
        "limits",
    );
}

#[tokio::test]
async fn updated_and_deleted_list_changes_in_window() {
    let server = Server::start().await;
    let token = server.login().await;
    let kept = server
        .call(
            "POST",
            "/sobjects/Account",
            Some(&token),
            Some(json!({"Name": "Kept"})),
        )
        .await;
    let gone = server
        .call(
            "POST",
            "/sobjects/Account",
            Some(&token),
            Some(json!({"Name": "Gone"})),
        )
        .await;
    let gone_id = gone.body["id"].as_str().unwrap();
    server
        .call(
            "DELETE",
            &format!("/sobjects/Account/{gone_id}"),
            Some(&token),
            None,
        )
        .await;
    let start = (Utc::now() - chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ");
    let end = (Utc::now() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%SZ");
    let window = format!("?start={start}&end={end}");
    let updated = server
        .call(
            "GET",
            &format!("/sobjects/Account/updated/{window}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(updated.body["ids"], json!([kept.body["id"]]));
    let recorded = corpus(&format!(
        "{RESTFORCE}/sobject/get_updated_success_response.json"
    ));
    assert_eq!(shape(&updated.body), shape(&recorded));
    let deleted = server
        .call(
            "GET",
            &format!("/sobjects/Account/deleted/{window}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(deleted.body["deletedRecords"][0]["id"], gone_id);
    let recorded = corpus(&format!(
        "{RESTFORCE}/sobject/get_deleted_success_response.json"
    ));
    assert_eq!(shape(&deleted.body), shape(&recorded));
}

#[tokio::test]
async fn change_notification_reaches_local_receiver() {
    let (sender, mut received) = mpsc::channel::<Value>(8);
    let receiver = axum::Router::new().route(
        "/hook",
        post(move |Json(body): Json<Value>| {
            let sender = sender.clone();
            async move {
                let _ = sender.send(body).await;
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, receiver).await.unwrap() });

    let server = Server::start().await;
    let token = server.login().await;
    let settings = json!({"url": hook, "objects": ["Account"]});
    assert_eq!(
        control(&server, "PUT", "/__sandbox/notifications", Some(settings)).await,
        204
    );
    server
        .call(
            "POST",
            "/sobjects/Contact",
            Some(&token),
            Some(json!({"LastName": "Unwatched"})),
        )
        .await;
    let created = server
        .call(
            "POST",
            "/sobjects/Account",
            Some(&token),
            Some(json!({"Name": "Watched"})),
        )
        .await;
    let message = tokio::time::timeout(Duration::from_secs(5), received.recv())
        .await
        .expect("a notification arrives")
        .unwrap();
    assert_eq!(message["sobject"], "Account");
    assert_eq!(message["changeType"], "CREATE");
    assert_eq!(message["recordIds"], json!([created.body["id"]]));
    let rejected = control(
        &server,
        "PUT",
        "/__sandbox/notifications",
        Some(json!({"url": "http://192.0.2.1/", "objects": ["Account"]})),
    )
    .await;
    assert_eq!(rejected, 400, "only loopback receivers are accepted");
}

#[tokio::test]
async fn jwt_bearer_grant_checks_signature_against_certificate() {
    let server = Server::start().await;
    let key = KeyPair::generate_for(&PKCS_RSA_SHA256).unwrap();
    let certificate = CertificateParams::new(Vec::<String>::new())
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let client = server.client.clone();
    let status = client
        .put(format!("{}/__sandbox/jwt-certificate", server.url))
        .body(certificate.pem())
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 204);
    let claims = json!({
        "iss": server.emulator.credentials().client_id,
        "sub": server.emulator.admin_username(),
        "aud": "https://login.salesforce.com",
        "exp": Utc::now().timestamp() + 120,
    });
    let signing = EncodingKey::from_rsa_pem(key.serialize_pem().as_bytes()).unwrap();
    let assertion =
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &signing).unwrap();
    let grant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    let reply = server
        .token_request(&[("grant_type", grant), ("assertion", &assertion)])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply.body["id"]
            .as_str()
            .unwrap()
            .ends_with(&server.emulator.admin_user_id())
    );

    let mut tampered = assertion.clone();
    tampered.pop();
    let reply = server
        .token_request(&[("grant_type", grant), ("assertion", &tampered)])
        .await;
    assert_eq!(reply.body["error"], "invalid_grant");
}

#[tokio::test]
async fn refresh_token_grant_and_revoke() {
    let server = Server::start().await;
    let username = server.emulator.integration_username();
    let status = control(
        &server,
        "POST",
        "/__sandbox/refresh-tokens",
        Some(json!({"username": username})),
    )
    .await;
    assert_eq!(status, 200);
    let refresh = server.emulator.issue_refresh_token(&username).unwrap();
    let client_id = server.emulator.credentials().client_id.clone();
    let form = [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh.as_str()),
        ("client_id", client_id.as_str()),
    ];
    let reply = server.token_request(&form).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let recorded = corpus(&format!("{RESTFORCE}/refresh_success_response.json"));
    assert_shape_covers(&shape(&recorded), &shape(&reply.body), "refresh");
    let revoke = server
        .client
        .post(format!("{}/services/oauth2/revoke", server.url))
        .form(&[("token", refresh.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 200);
    let reply = server.token_request(&form).await;
    assert_eq!(
        reply.body,
        corpus(&format!("{RESTFORCE}/refresh_error_response.json"))
    );
}

#[tokio::test]
async fn password_grant_needs_the_set_password() {
    let server = Server::start().await;
    let username = server.emulator.integration_username();
    let body = json!({"username": username, "password": "s3cret"});
    assert_eq!(
        control(&server, "PUT", "/__sandbox/users/password", Some(body)).await,
        204
    );
    let credentials = server.emulator.credentials().clone();
    let mut form = vec![
        ("grant_type", "password"),
        ("client_id", credentials.client_id.as_str()),
        ("client_secret", credentials.client_secret.as_str()),
        ("username", username.as_str()),
        ("password", "wrong"),
    ];
    assert_eq!(
        server.token_request(&form).await.body["error"],
        "invalid_grant"
    );
    form[4] = ("password", "s3cret");
    assert_eq!(server.token_request(&form).await.status, 200);
}
