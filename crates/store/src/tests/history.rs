//! The read-only history views, on both databases.

use tandem_engine::state::{RunStatus, SeenRecord};
use tandem_engine::{FieldValue, Fields, System};

use super::Harness;

store_tests!(
    runs_come_newest_first,
    search_finds_by_name_piece_ignoring_case,
    search_finds_by_linked_id,
    search_treats_wildcards_as_text,
);

fn seen(system: System, id: &str, link: Option<&str>, name: &str) -> SeenRecord {
    let mut values = Fields::new();
    values.insert("name".to_string(), FieldValue::Text(name.to_string()));
    SeenRecord {
        system,
        object: "customer".to_string(),
        id: id.to_string(),
        link: link.map(str::to_string),
        name_key: None,
        email_key: None,
        values,
    }
}

async fn runs_come_newest_first(harness: Harness) {
    let store = harness.open().await;
    let first = store.start_run("account-customer").await.unwrap();
    let second = store.start_run("account-customer").await.unwrap();
    store
        .finish_run(
            first,
            RunStatus::Completed,
            &serde_json::json!({"read": 3}),
            None,
        )
        .await
        .unwrap();
    let runs = store.runs(None, 10).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[0].id, second);
    assert_eq!(runs[1].counts, Some(serde_json::json!({"read": 3})));
    assert_eq!(runs[0].counts, None);
}

async fn search_finds_by_name_piece_ignoring_case(harness: Harness) {
    let store = harness.open().await;
    let records = [
        seen(System::NetSuite, "42", Some("001A"), "Acme Corp"),
        seen(System::NetSuite, "43", None, "Globex"),
    ];
    store.remember(&records).await.unwrap();
    let found = store.search_records("acme").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, "42");
}

async fn search_finds_by_linked_id(harness: Harness) {
    let store = harness.open().await;
    let records = [seen(System::NetSuite, "42", Some("001A"), "Acme Corp")];
    store.remember(&records).await.unwrap();
    let found = store.search_records("001A").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].link.as_deref(), Some("001A"));
}

async fn search_treats_wildcards_as_text(harness: Harness) {
    let store = harness.open().await;
    let records = [seen(System::NetSuite, "42", None, "Acme Corp")];
    store.remember(&records).await.unwrap();
    assert!(store.search_records("%").await.unwrap().is_empty());
}
