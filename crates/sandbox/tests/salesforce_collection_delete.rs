//! sObject Collections delete and retrieve of the Salesforce emulator over HTTP, and the
//! `?_HttpMethod=` override of a POST.

mod salesforce_support;

use salesforce_support::{Server, at};
use serde_json::{Value, json};

#[tokio::test]
async fn delete_reports_each_id() {
    let server = Server::start().await;
    let token = server.login().await;
    let first = server.insert_account(json!({"Name": "A"}), at(1, 9));
    let second = server.insert_account(json!({"Name": "B"}), at(1, 9));
    let reply = server
        .call(
            "DELETE",
            &format!("/sobjects/Account/{second}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(reply.status, 204);

    let reply = server
        .call(
            "DELETE",
            &format!("/composite/sobjects?ids={first},{second},001000000000000"),
            Some(&token),
            None,
        )
        .await;

    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.body[0],
        json!({"id": first, "success": true, "errors": []})
    );
    assert_eq!(
        reply.body[1]["errors"][0]["statusCode"],
        "ENTITY_IS_DELETED"
    );
    assert_eq!(
        reply.body[2]["errors"][0]["statusCode"],
        "INVALID_CROSS_REFERENCE_KEY"
    );
    assert!(server.emulator.records("Account").is_empty());
}

#[tokio::test]
async fn delete_all_or_none_keeps_every_record() {
    let server = Server::start().await;
    let token = server.login().await;
    let first = server.insert_account(json!({"Name": "A"}), at(1, 9));
    let reply = server
        .call(
            "DELETE",
            &format!("/composite/sobjects?ids={first},not-an-id&allOrNone=true"),
            Some(&token),
            None,
        )
        .await;

    assert_eq!(
        reply.body[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(reply.body[1]["errors"][0]["statusCode"], "MALFORMED_ID");
    assert_eq!(server.emulator.records("Account").len(), 1);
}

#[tokio::test]
async fn delete_rejects_more_than_200_ids() {
    let server = Server::start().await;
    let token = server.login().await;
    let ids = vec!["001000000000001AAA"; 201].join(",");
    let reply = server
        .call(
            "DELETE",
            &format!("/composite/sobjects?ids={ids}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "EXCEEDED_ID_LIMIT");
}

#[tokio::test]
async fn retrieve_returns_fields_or_null() {
    let server = Server::start().await;
    let token = server.login().await;
    let first = server.insert_account(json!({"Name": "A", "Phone": "1"}), at(1, 9));
    let missing = "001000000000000";

    let by_query = server
        .call(
            "GET",
            &format!("/composite/sobjects/Account?ids={first},{missing}&fields=Name,Phone"),
            Some(&token),
            None,
        )
        .await;
    let by_body = server
        .call(
            "POST",
            "/composite/sobjects/Account",
            Some(&token),
            Some(json!({"ids": [first, missing], "fields": ["Name", "Phone"]})),
        )
        .await;

    for reply in [by_query, by_body] {
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(reply.body[0]["Name"], "A");
        assert_eq!(reply.body[0]["Phone"], "1");
        assert_eq!(reply.body[0]["Id"], first);
        assert_eq!(reply.body[1], Value::Null);
        assert!(
            reply.text.starts_with(r#"[{"attributes":"#),
            "{}",
            reply.text
        );
    }
}

#[tokio::test]
async fn retrieve_rejects_unknown_field() {
    let server = Server::start().await;
    let token = server.login().await;
    let first = server.insert_account(json!({"Name": "A"}), at(1, 9));
    let reply = server
        .call(
            "GET",
            &format!("/composite/sobjects/Account?ids={first}&fields=Nme"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body[0]["errorCode"], "INVALID_FIELD");
}

#[tokio::test]
async fn post_with_http_method_override_updates() {
    let server = Server::start().await;
    let token = server.login().await;
    let id = server.insert_account(json!({"Name": "A"}), at(1, 9));
    let reply = server
        .call(
            "POST",
            &format!("/sobjects/Account/{id}?_HttpMethod=PATCH"),
            Some(&token),
            Some(json!({"Name": "Patched"})),
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert_eq!(
        server.emulator.record("Account", &id).unwrap()["Name"],
        "Patched"
    );
    let counts = server.emulator.request_counts();
    assert_eq!(counts.get("PATCH /sobjects/Account/{id}"), Some(&1));
}

#[tokio::test]
async fn post_with_delete_override_deletes() {
    let server = Server::start().await;
    let token = server.login().await;
    let id = server.insert_account(json!({"Name": "A"}), at(1, 9));
    let reply = server
        .call(
            "POST",
            &format!("/sobjects/Account/{id}?_HttpMethod=DELETE"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(reply.status, 204, "{}", reply.body);
    assert!(server.emulator.record("Account", &id).is_none());
}
