//! Store behaviour, checked on both databases: every test in `store_tests!` runs once on a
//! SQLite file and once on PostgreSQL (in a schema of its own) when `TANDEM_TEST_POSTGRES_URL`
//! names a database. Without that variable the PostgreSQL runs pass without checking
//! anything, with a note on stderr; `.ci/run` always sets it.

use chrono::{DateTime, Utc};
use tandem_engine::matching::Profile;
use tandem_engine::state::{
    AuditEntry, Candidate, Conflict, ConflictStatus, DeadLetter, DeadLetterStatus, DeadLetterStore,
    Processed, ReviewDecision, ReviewItem, ReviewStatus, RunStatus, SeenRecord, StateStore,
    Watermark, Xref,
};
use tandem_engine::{ErrorClass, FieldValue, Fields, RemoteError, System};
use tempfile::TempDir;

use crate::{AnyStore, SqliteStore};

mod harness;

use harness::Harness;

/// Runs each named test once on SQLite and once on PostgreSQL.
macro_rules! store_tests {
    ($($name:ident),* $(,)?) => {
        mod on_sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    super::$name(super::Harness::sqlite()).await;
                }
            )*
        }

        mod on_postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(harness) = super::Harness::postgres(stringify!($name)).await {
                        super::$name(harness).await;
                    }
                }
            )*
        }
    };
}

mod batch;
mod gateway;
mod history;
mod work;

store_tests!(
    watermark_survives_reopen,
    watermark_is_per_system,
    remembered_record_is_found_by_key_and_link,
    missing_key_matches_nothing,
    processed_time_is_kept_apart_from_remember,
    xref_round_trips_by_either_side,
    saving_xref_replaces_pairs_sharing_a_side,
    dead_letter_keeps_remote_error,
    run_history_records_status_and_counts,
    newer_schema_is_refused,
    identity_is_kept_per_system,
    repeated_failure_updates_open_letter,
    resolving_closes_only_that_source,
    edited_payload_and_status_are_kept,
    changing_missing_letter_is_an_error,
    review_item_round_trips_with_candidates,
    review_decision_moves_item_to_decided,
    conflict_is_parked_once_and_decided,
    audit_log_returns_newest_first,
    flow_value_survives_reopen_and_is_per_flow,
    flow_value_is_replaced_and_removed,
);

fn at(second: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + second, 123_000).unwrap()
}

fn seen(id: &str, name_key: &str, link: Option<&str>) -> SeenRecord {
    SeenRecord {
        system: System::NetSuite,
        object: "customer".to_string(),
        id: id.to_string(),
        link: link.map(str::to_string),
        name_key: Some(name_key.to_string()),
        email_key: None,
        values: Fields::from([("companyName".to_string(), FieldValue::text(name_key))]),
    }
}

fn xref(ns_id: &str, sf_id: &str) -> Xref {
    Xref {
        flow: "account-customer".to_string(),
        ns_id: ns_id.to_string(),
        sf_id: sf_id.to_string(),
        ns_values: Fields::from([("phone".to_string(), FieldValue::text("555"))]),
        sf_values: Fields::from([("Phone".to_string(), FieldValue::Null)]),
        ns_written: Some("abc".to_string()),
        sf_written: None,
    }
}

async fn watermark_survives_reopen(harness: Harness) {
    let store = harness.open().await;
    let mark = Watermark {
        modified_at: at(5),
        record_id: "42".to_string(),
    };
    store
        .set_watermark("flow", System::NetSuite, "customer", &mark)
        .await
        .unwrap();
    store.close().await;

    let reopened = harness.open().await;
    let read = reopened
        .watermark("flow", System::NetSuite, "customer")
        .await
        .unwrap();
    assert_eq!(read, Some(mark));
}

async fn watermark_is_per_system(harness: Harness) {
    let store = harness.open().await;
    let mark = Watermark {
        modified_at: at(5),
        record_id: "42".to_string(),
    };
    store
        .set_watermark("flow", System::NetSuite, "customer", &mark)
        .await
        .unwrap();
    let other = store
        .watermark("flow", System::Salesforce, "customer")
        .await
        .unwrap();
    assert_eq!(other, None);
}

async fn remembered_record_is_found_by_key_and_link(harness: Harness) {
    let store = harness.open().await;
    store
        .remember(&[seen("1", "acme", Some("001A")), seen("2", "globex", None)])
        .await
        .unwrap();

    let by_key = store
        .find_by_key(System::NetSuite, "customer", Some("acme"), None)
        .await
        .unwrap();
    let by_link = store
        .find_by_link(System::NetSuite, "customer", "001A")
        .await
        .unwrap();
    let by_id = store.seen(System::NetSuite, "customer", "2").await.unwrap();

    assert_eq!(by_key, vec![seen("1", "acme", Some("001A"))]);
    assert_eq!(by_link.len(), 1);
    assert_eq!(by_id, Some(seen("2", "globex", None)));
}

async fn missing_key_matches_nothing(harness: Harness) {
    let store = harness.open().await;
    store.remember(&[seen("1", "acme", None)]).await.unwrap();
    let found = store
        .find_by_key(System::NetSuite, "customer", None, None)
        .await
        .unwrap();
    assert!(found.is_empty());
}

async fn processed_time_is_kept_apart_from_remember(harness: Harness) {
    let store = harness.open().await;
    store.remember(&[seen("1", "acme", None)]).await.unwrap();
    let before = store
        .processed(System::NetSuite, "customer", "1")
        .await
        .unwrap();
    assert_eq!(before, None);

    let state = Processed {
        modified_at: at(9),
        fingerprint: "f1".to_string(),
    };
    let marks = [("1".to_string(), state.clone())];
    store
        .mark_processed(System::NetSuite, "customer", &marks)
        .await
        .unwrap();
    store
        .remember(&[seen("1", "acme renamed", None)])
        .await
        .unwrap();

    let processed = store
        .processed(System::NetSuite, "customer", "1")
        .await
        .unwrap();
    assert_eq!(processed, Some(state));
}

async fn xref_round_trips_by_either_side(harness: Harness) {
    let store = harness.open().await;
    store.save_xref(&xref("10", "001X")).await.unwrap();

    let by_ns = store
        .xref("account-customer", System::NetSuite, "10")
        .await
        .unwrap();
    let by_sf = store
        .xref("account-customer", System::Salesforce, "001X")
        .await
        .unwrap();

    assert_eq!(by_ns, Some(xref("10", "001X")));
    assert_eq!(by_sf, Some(xref("10", "001X")));
}

async fn saving_xref_replaces_pairs_sharing_a_side(harness: Harness) {
    let store = harness.open().await;
    store.save_xref(&xref("10", "001X")).await.unwrap();
    store.save_xref(&xref("11", "001X")).await.unwrap();

    let old = store
        .xref("account-customer", System::NetSuite, "10")
        .await
        .unwrap();
    let new = store
        .xref("account-customer", System::Salesforce, "001X")
        .await
        .unwrap();
    assert_eq!(old, None);
    assert_eq!(new.map(|x| x.ns_id), Some("11".to_string()));
}

fn letter() -> DeadLetter {
    let mut error = RemoteError::new(
        System::Salesforce,
        ErrorClass::Data,
        "STRING_TOO_LONG",
        "Account Phone: data value too large",
    );
    error.fields = vec!["Phone".to_string()];
    DeadLetter {
        flow: "account-customer".to_string(),
        source_system: System::NetSuite,
        source_id: "10".to_string(),
        target_id: None,
        action: "create".to_string(),
        payload: Fields::from([("Phone".to_string(), FieldValue::text("x"))]),
        error,
    }
}

async fn dead_letter_keeps_remote_error(harness: Harness) {
    let store = harness.open().await;
    let letter = letter();

    let id = store.add_dead_letter(&letter).await.unwrap();
    let stored = store
        .dead_letters(Some("account-customer"), None)
        .await
        .unwrap();

    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, id);
    assert_eq!(stored[0].letter, letter);
}

async fn run_history_records_status_and_counts(harness: Harness) {
    let store = harness.open().await;
    let run = store.start_run("account-customer").await.unwrap();
    let counts = serde_json::json!({"read": 3});
    store
        .finish_run(run, RunStatus::Completed, &counts, None)
        .await
        .unwrap();

    let status = harness::text(&store, "SELECT status FROM runs WHERE id = $1", run).await;
    let stored = harness::text(&store, "SELECT counts FROM runs WHERE id = $1", run).await;
    assert_eq!(status, "completed");
    assert_eq!(stored, r#"{"read":3}"#);
}

async fn newer_schema_is_refused(harness: Harness) {
    let store = harness.open().await;
    harness::record_migration(&store, 99).await;
    store.close().await;

    let error = harness.try_open().await.err().expect("refused");
    assert!(error.to_string().contains("schema version 99"), "{error}");
}

async fn identity_is_kept_per_system(harness: Harness) {
    let store = harness.open().await;
    store
        .set_identity(System::NetSuite, "TSTDRV1")
        .await
        .unwrap();

    let netsuite = store.identity(System::NetSuite).await.unwrap();
    let salesforce = store.identity(System::Salesforce).await.unwrap();

    assert_eq!(netsuite.as_deref(), Some("TSTDRV1"));
    assert_eq!(salesforce, None);
}

async fn repeated_failure_updates_open_letter(harness: Harness) {
    let store = harness.open().await;
    let first = store.add_dead_letter(&letter()).await.unwrap();
    let mut again = letter();
    again.error.message = "still too large".to_string();

    let second = store.add_dead_letter(&again).await.unwrap();

    assert_eq!(first, second);
    let stored = store.dead_letter(first).await.unwrap().unwrap();
    assert_eq!(stored.attempts, 2);
    assert_eq!(stored.letter.error.message, "still too large");
}

async fn resolving_closes_only_that_source(harness: Harness) {
    let store = harness.open().await;
    let mut other = letter();
    other.source_id = "11".to_string();
    let kept = store.add_dead_letter(&other).await.unwrap();
    store.add_dead_letter(&letter()).await.unwrap();

    let resolved = store
        .resolve_dead_letters("account-customer", System::NetSuite, "10", "create")
        .await
        .unwrap();

    assert_eq!(resolved, 1);
    let open = store
        .dead_letters(None, Some(DeadLetterStatus::Open))
        .await
        .unwrap();
    assert_eq!(open.iter().map(|l| l.id).collect::<Vec<_>>(), vec![kept]);
}

async fn edited_payload_and_status_are_kept(harness: Harness) {
    let store = harness.open().await;
    let id = store.add_dead_letter(&letter()).await.unwrap();
    let payload = Fields::from([("Phone".to_string(), FieldValue::text("555-0100"))]);

    store.set_dead_letter_payload(id, &payload).await.unwrap();
    store
        .set_dead_letter_status(id, DeadLetterStatus::Discarded)
        .await
        .unwrap();

    let stored = store.dead_letter(id).await.unwrap().unwrap();
    assert_eq!(stored.letter.payload, payload);
    assert_eq!(stored.status, DeadLetterStatus::Discarded);
}

async fn changing_missing_letter_is_an_error(harness: Harness) {
    let store = harness.open().await;
    let error = store
        .set_dead_letter_status(42, DeadLetterStatus::Discarded)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("42"), "{error}");
}

fn review_item(record_id: &str) -> ReviewItem {
    ReviewItem {
        flow: "account-customer".to_string(),
        system: System::Salesforce,
        record_id: record_id.to_string(),
        values: Fields::from([("Name".to_string(), FieldValue::text("Acme Logistics"))]),
        candidates: vec![Candidate {
            id: "1201".to_string(),
            values: Fields::from([("companyName".to_string(), FieldValue::text("Acme"))]),
            score: tandem_engine::matching::score(
                &Profile::new(Some("Acme Logistics"), None, None, None, "US"),
                &Profile::new(Some("Acme Industries"), None, None, None, "US"),
            ),
        }],
    }
}

async fn review_item_round_trips_with_candidates(harness: Harness) {
    let store = harness.open().await;
    let id = store.add_review(&review_item("001A")).await.unwrap();

    let stored = store.review(id).await.unwrap().unwrap();

    assert_eq!(stored.item, review_item("001A"));
    assert_eq!(stored.status, ReviewStatus::Pending);
    assert_eq!(stored.decision, ReviewDecision::Pending);
}

async fn review_decision_moves_item_to_decided(harness: Harness) {
    let store = harness.open().await;
    let id = store.add_review(&review_item("001A")).await.unwrap();
    let again = store.add_review(&review_item("001A")).await.unwrap();
    assert_eq!(id, again);

    store
        .decide_review(id, &ReviewDecision::Link("1201".to_string()))
        .await
        .unwrap();
    let decided = store
        .reviews(None, Some(ReviewStatus::Decided))
        .await
        .unwrap();
    store.finish_review(id).await.unwrap();

    assert_eq!(decided.len(), 1);
    assert_eq!(
        decided[0].decision,
        ReviewDecision::Link("1201".to_string())
    );
    let open = store
        .open_review("account-customer", System::Salesforce, "001A")
        .await
        .unwrap();
    assert_eq!(open, None);
}

fn conflict() -> Conflict {
    Conflict {
        flow: "account-customer".to_string(),
        ns_id: "1201".to_string(),
        sf_id: "001A".to_string(),
        netsuite_field: "phone".to_string(),
        salesforce_field: "Phone".to_string(),
        synced_value: FieldValue::text("555-0100"),
        netsuite_value: FieldValue::text("555-0002"),
        salesforce_value: FieldValue::Null,
    }
}

async fn conflict_is_parked_once_and_decided(harness: Harness) {
    let store = harness.open().await;
    let id = store.add_conflict(&conflict()).await.unwrap();
    assert_eq!(store.add_conflict(&conflict()).await.unwrap(), id);

    store.decide_conflict(id, System::NetSuite).await.unwrap();

    let of_pair = store
        .pair_conflicts("account-customer", "1201")
        .await
        .unwrap();
    assert_eq!(of_pair.len(), 1);
    assert_eq!(of_pair[0].winner, Some(System::NetSuite));
    assert_eq!(of_pair[0].status, ConflictStatus::Decided);
    assert_eq!(of_pair[0].conflict, conflict());
    store.finish_conflict(id).await.unwrap();
    assert!(
        store
            .pair_conflicts("account-customer", "1201")
            .await
            .unwrap()
            .is_empty()
    );
}

async fn audit_log_returns_newest_first(harness: Harness) {
    let store = harness.open().await;
    for decision in ["first", "second"] {
        let entry = AuditEntry {
            flow: "account-customer".to_string(),
            kind: "link".to_string(),
            ns_id: Some("1201".to_string()),
            sf_id: None,
            field: None,
            netsuite_value: Some(FieldValue::text("x")),
            salesforce_value: None,
            decision: decision.to_string(),
        };
        store.audit(&entry).await.unwrap();
    }

    let entries = store
        .audit_entries(Some("account-customer"), 10)
        .await
        .unwrap();

    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].entry.decision, "second");
    assert_eq!(entries[1].entry.netsuite_value, Some(FieldValue::text("x")));
}

async fn flow_value_survives_reopen_and_is_per_flow(harness: Harness) {
    let store = harness.open().await;
    store
        .set_flow_value("credit-hold-alert", "episode:7", Some("open"))
        .await
        .unwrap();
    store.close().await;

    let reopened = harness.open().await;
    let value = reopened
        .flow_value("credit-hold-alert", "episode:7")
        .await
        .unwrap();
    assert_eq!(value.as_deref(), Some("open"));
    let other = reopened.flow_value("other", "episode:7").await.unwrap();
    assert_eq!(other, None);
}

async fn flow_value_is_replaced_and_removed(harness: Harness) {
    let store = harness.open().await;
    store.set_flow_value("f", "k", Some("one")).await.unwrap();
    store.set_flow_value("f", "k", Some("two")).await.unwrap();
    assert_eq!(
        store.flow_value("f", "k").await.unwrap().as_deref(),
        Some("two")
    );
    store.set_flow_value("f", "k", None).await.unwrap();
    assert_eq!(store.flow_value("f", "k").await.unwrap(), None);
}

// Behaviour that only the SQLite file store has.

#[tokio::test]
async fn missing_folder_gives_clear_error() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("no-such-folder").join("tandem.db");
    let error = SqliteStore::open(&path).await.err().expect("refused");
    assert!(error.to_string().contains("no-such-folder"), "{error}");
}

#[tokio::test]
async fn interrupted_runs_are_closed() {
    let dir = TempDir::new().unwrap();
    let store = SqliteStore::open(dir.path().join("tandem.db"))
        .await
        .unwrap();
    let run = store.start_run("account-customer").await.unwrap();

    let closed = store.close_interrupted_runs().await.unwrap();

    assert_eq!(closed, 1);
    let status: String = sqlx::query_scalar("SELECT status FROM runs WHERE id = $1")
        .bind(run)
        .fetch_one(&store.pool)
        .await
        .unwrap();
    assert_eq!(status, "interrupted");
}

#[tokio::test]
async fn file_that_is_not_a_database_is_named() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("tandem.db");
    std::fs::write(&path, vec![b'x'; 4096]).unwrap();
    let error = SqliteStore::open(&path).await.err().expect("refused");
    assert!(error.to_string().contains("not a database"), "{error}");
}

#[tokio::test]
async fn store_from_before_migrations_is_adopted() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("tandem.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let schema = include_str!("../migrations/sqlite/0001_initial.sql");
    sqlx::raw_sql(schema).execute(&pool).await.unwrap();
    sqlx::query("INSERT INTO flow_values VALUES ('f', 'k', 'kept', '2024-01-01T00:00:00Z')")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    let store = SqliteStore::open(&path).await.unwrap();

    assert_eq!(
        store.flow_value("f", "k").await.unwrap().as_deref(),
        Some("kept")
    );
}

#[tokio::test]
async fn invalid_postgres_url_is_explained() {
    let error = crate::PostgresStore::open("postgres://[bad", None)
        .await
        .err()
        .expect("refused");
    assert!(
        error.to_string().contains("invalid PostgreSQL URL"),
        "{error}"
    );
}

/// Opens two handles on one PostgreSQL store, as two workers would, or `None` without a test
/// database.
async fn two_workers(test: &str) -> Option<(crate::PostgresStore, crate::PostgresStore)> {
    let harness = Harness::postgres(test).await?;
    let (AnyStore::Postgres(first), AnyStore::Postgres(second)) =
        (harness.open().await, harness.open().await)
    else {
        panic!("the harness opens PostgreSQL stores");
    };
    Some((first, second))
}

#[tokio::test]
async fn held_flow_lease_is_skipped() {
    let Some((first, second)) = two_workers("held_flow_lease_is_skipped").await else {
        return;
    };
    let ttl = std::time::Duration::from_secs(60);

    assert!(first.take_flow_lease("f", "worker-a", ttl).await.unwrap());
    assert!(!second.take_flow_lease("f", "worker-b", ttl).await.unwrap());
    assert!(
        second
            .take_flow_lease("other", "worker-b", ttl)
            .await
            .unwrap()
    );

    first.release_flow_lease("f", "worker-a").await.unwrap();
    assert!(second.take_flow_lease("f", "worker-b", ttl).await.unwrap());
}

#[tokio::test]
async fn expired_flow_lease_is_taken_over() {
    let Some((first, second)) = two_workers("expired_flow_lease_is_taken_over").await else {
        return;
    };
    let short = std::time::Duration::from_millis(200);
    let long = std::time::Duration::from_secs(60);
    assert!(first.take_flow_lease("f", "worker-a", short).await.unwrap());
    let run = first.start_run("f").await.unwrap();

    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let taken = second.take_flow_lease("f", "worker-b", long).await.unwrap();
    let renewed = first.renew_flow_lease("f", "worker-a", long).await.unwrap();

    assert!(taken, "an expired lease is free");
    assert!(!renewed, "the old holder cannot renew a lease it lost");
    let any = AnyStore::Postgres(second);
    let status = harness::text(&any, "SELECT status FROM runs WHERE id = $1", run).await;
    assert_eq!(status, "interrupted");
}

#[tokio::test]
async fn netsuite_slots_are_shared() {
    let Some((first, second)) = two_workers("netsuite_slots_are_shared").await else {
        return;
    };
    let a = first.netsuite_slot(2).await.unwrap();
    let b = second.netsuite_slot(2).await.unwrap();
    assert_ne!(a.number(), b.number());
    assert_eq!(first.netsuite_slots_in_use().await.unwrap(), 2);

    let waiting =
        tokio::spawn(async move { first.netsuite_slot(2).await.map(|slot| slot.number()) });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "a third slot of two was handed out");

    let freed = b.number();
    drop(b);
    let third = tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
        .await
        .expect("a freed slot is handed out")
        .unwrap()
        .unwrap();
    assert_eq!(third, freed);
    drop(a);
}

#[tokio::test]
async fn postgres_store_copies_to_sqlite() {
    let Some(harness) = Harness::postgres("postgres_store_copies_to_sqlite").await else {
        return;
    };
    let AnyStore::Postgres(store) = harness.open().await else {
        panic!("the harness opens PostgreSQL stores");
    };
    store.save_xref(&xref("7", "001A")).await.unwrap();
    store.remember(&[seen("1", "acme", None)]).await.unwrap();
    let letter_id = store.add_dead_letter(&letter()).await.unwrap();
    store.set_flow_value("f", "k", Some("v")).await.unwrap();
    let dir = TempDir::new().unwrap();

    let copy = store
        .copy_to_sqlite(&dir.path().join("copy.db"))
        .await
        .unwrap();

    let pair = copy
        .xref("account-customer", System::NetSuite, "7")
        .await
        .unwrap();
    let remembered = copy.seen(System::NetSuite, "customer", "1").await.unwrap();
    let copied_letter = copy.dead_letter(letter_id).await.unwrap();
    assert_eq!(pair, Some(xref("7", "001A")));
    assert_eq!(remembered, Some(seen("1", "acme", None)));
    assert_eq!(copied_letter.map(|stored| stored.letter), Some(letter()));
    assert_eq!(
        copy.flow_value("f", "k").await.unwrap().as_deref(),
        Some("v")
    );
}

#[tokio::test]
async fn sqlite_copy_file_leaves_source_bytes_alone() {
    let dir = TempDir::new().unwrap();
    let source = dir.path().join("tandem.db");
    let store = SqliteStore::open(&source).await.unwrap();
    store.set_flow_value("f", "k", Some("v")).await.unwrap();
    store.close().await;
    let before = std::fs::read(&source).unwrap();
    let target = dir.path().join("copy.db");

    SqliteStore::copy_file(&source, &target).await.unwrap();

    assert!(std::fs::read(&source).unwrap() == before, "source changed");
    let copy = SqliteStore::open(&target).await.unwrap();
    let value = copy.flow_value("f", "k").await.unwrap();
    assert_eq!(value.as_deref(), Some("v"));
}
