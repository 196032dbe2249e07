//! The MCP gateway's tables and the look-ups, on both databases.

use serde_json::json;
use tandem_engine::{FieldValue, Fields, System};

use super::Harness;
use tandem_engine::state::{ApprovalRequest, ApprovalStatus, GatewayCall, SeenRecord};

fn request() -> ApprovalRequest {
    ApprovalRequest {
        client: "desk".to_string(),
        tool: "run_flow".to_string(),
        flow: Some("account-customer".to_string()),
        arguments: json!({"flow": "account-customer"}),
        summary: "run one pass".to_string(),
    }
}

async fn approval_moves_only_from_expected_status(harness: Harness) {
    let store = harness.open().await.gateway();
    let id = store.add_approval(&request()).await.unwrap();
    let approved = store
        .set_approval_status(
            id,
            ApprovalStatus::Pending,
            ApprovalStatus::Approved,
            Some("ana"),
            None,
        )
        .await
        .unwrap();
    assert!(approved);
    let again = store
        .set_approval_status(
            id,
            ApprovalStatus::Pending,
            ApprovalStatus::Rejected,
            Some("bo"),
            None,
        )
        .await
        .unwrap();
    assert!(!again);
    let stored = store.approval(id).await.unwrap().unwrap();
    assert_eq!(stored.status, ApprovalStatus::Approved);
    assert_eq!(stored.decided_by.as_deref(), Some("ana"));
    assert_eq!(stored.request, request());
}

async fn approval_claimed_once_keeps_outcome(harness: Harness) {
    let store = harness.open().await.gateway();
    let id = store.add_approval(&request()).await.unwrap();
    let (pending, approved, running, failed) = (
        ApprovalStatus::Pending,
        ApprovalStatus::Approved,
        ApprovalStatus::Running,
        ApprovalStatus::Failed,
    );
    store
        .set_approval_status(id, pending, approved, Some("ana"), None)
        .await
        .unwrap();
    let first = store
        .set_approval_status(id, approved, running, None, None)
        .await
        .unwrap();
    let second = store
        .set_approval_status(id, approved, running, None, None)
        .await
        .unwrap();
    assert!(first, "the first claim wins");
    assert!(!second, "a second claim of the same request loses");
    let outcome = r#"{"error":"flow x is not enabled"}"#;
    store
        .set_approval_status(id, running, failed, None, Some(outcome))
        .await
        .unwrap();
    let stored = store.approval(id).await.unwrap().unwrap();
    assert_eq!(stored.status, failed);
    assert_eq!(stored.decided_by.as_deref(), Some("ana"));
    assert_eq!(
        stored.to_json()["outcome"]["error"],
        "flow x is not enabled"
    );
    let listed = store.approvals(Some(failed)).await.unwrap();
    assert_eq!(listed.len(), 1);
}

async fn approvals_filter_by_status(harness: Harness) {
    let store = harness.open().await.gateway();
    store.add_approval(&request()).await.unwrap();
    let pending = store
        .approvals(Some(ApprovalStatus::Pending))
        .await
        .unwrap();
    let done = store.approvals(Some(ApprovalStatus::Done)).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert!(done.is_empty());
}

async fn token_found_by_hash_and_revoked(harness: Harness) {
    let store = harness.open().await.gateway();
    let scopes = vec!["read".to_string()];
    store
        .add_token("desk", "abc", &scopes, Some(9))
        .await
        .unwrap();
    let token = store.token_by_hash("abc").await.unwrap().unwrap();
    assert_eq!(token.client, "desk");
    assert_eq!(token.scopes, scopes);
    assert_eq!(token.calls_per_minute, Some(9));
    assert_eq!(store.revoke_tokens("desk").await.unwrap(), 1);
    assert!(store.token_by_hash("abc").await.unwrap().is_none());
}

async fn calls_come_newest_first(harness: Harness) {
    let store = harness.open().await.gateway();
    for tool in ["first", "second"] {
        let call = GatewayCall {
            client: "desk".to_string(),
            tool: tool.to_string(),
            arguments: json!({}),
            outcome: "ok".to_string(),
            detail: String::new(),
        };
        store.log_call(&call).await.unwrap();
    }
    let calls = store.calls(10).await.unwrap();
    assert_eq!(calls[0].call.tool, "second");
    assert_eq!(calls.len(), 2);
}

async fn search_finds_by_id_key_and_value(harness: Harness) {
    let store = harness.open().await.gateway();
    let mut values = Fields::new();
    values.insert(
        "tranId".to_string(),
        FieldValue::Text("SO-1042".to_string()),
    );
    let record = SeenRecord {
        system: System::NetSuite,
        object: "salesOrder".to_string(),
        id: "77".to_string(),
        link: Some("006A".to_string()),
        name_key: Some("acme".to_string()),
        email_key: None,
        values,
    };
    store.remember(&[record]).await.unwrap();
    for (text, name_key) in [
        ("77", None),
        ("006A", None),
        ("SO-1042", None),
        ("x", Some("acme")),
    ] {
        let found = store.search_seen(text, name_key, None, 5).await.unwrap();
        assert_eq!(found.len(), 1, "search for {text:?}");
    }
    let none = store.search_seen("SO-10", None, None, 5).await.unwrap();
    assert!(none.is_empty(), "a part of a value is no match");
}

async fn runs_come_newest_first(harness: Harness) {
    let store = harness.open().await.gateway();
    let first = store.start_run("account-customer").await.unwrap();
    store
        .finish_run(
            first,
            tandem_engine::state::RunStatus::Completed,
            &json!({"read": 3}),
            None,
        )
        .await
        .unwrap();
    store.start_run("contact-contact").await.unwrap();
    let runs = store.runs(None, 10).await.unwrap();
    assert_eq!(runs[0].flow, "contact-contact");
    let one = store.runs(Some("account-customer"), 10).await.unwrap();
    assert_eq!(one[0].counts, Some(json!({"read": 3})));
    assert_eq!(one[0].status, "completed");
}

store_tests!(
    approval_moves_only_from_expected_status,
    approval_claimed_once_keeps_outcome,
    approvals_filter_by_status,
    token_found_by_hash_and_revoked,
    calls_come_newest_first,
    search_finds_by_id_key_and_value,
    runs_come_newest_first,
);
