//! The batched store calls, on both databases: each gives what the single-record calls would,
//! across more rows than one statement takes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use tandem_engine::state::{AuditEntry, Conflict, DeadLetter, DeadLetterStatus, Processed, Xref};
use tandem_engine::{ErrorClass, FieldValue, Fields, RemoteError, System};

use super::harness::xref_created_at;
use super::{Harness, seen};
use crate::AnyStore;

store_tests!(
    processed_batch_returns_only_processed_ids,
    mark_processed_keeps_last_of_repeated_id,
    xref_batch_finds_by_either_side,
    save_xref_batch_matches_single_saves,
    save_xref_batch_keeps_first_created_at,
    save_xref_batch_spans_many_statements,
    resolve_batch_closes_only_listed_sources,
    audit_batch_appends_in_order,
    pair_conflicts_batch_matches_single_reads,
    find_by_link_batch_matches_single_finds,
    excluded_batch_returns_only_excluded,
);

const FLOW: &str = "item-to-price-book";

/// More rows than one statement reads or writes, so a batch spans several.
const MANY: usize = 1_200;

fn at(second: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000 + second, 0).unwrap()
}

fn processed(second: i64, fingerprint: &str) -> Processed {
    Processed {
        modified_at: at(second),
        fingerprint: fingerprint.to_string(),
    }
}

fn xref(flow: &str, ns_id: &str, sf_id: &str) -> Xref {
    Xref {
        flow: flow.to_string(),
        ns_id: ns_id.to_string(),
        sf_id: sf_id.to_string(),
        ns_values: Fields::from([("itemId".to_string(), FieldValue::text(ns_id))]),
        sf_values: Fields::new(),
        ns_written: None,
        sf_written: Some(format!("written {sf_id}")),
    }
}

/// Returns every cross-reference of `flow` that holds one of `ns_ids`, by NetSuite ID, with
/// the flow's name left out so two flows can be compared.
async fn pairs(store: &AnyStore, flow: &str, ns_ids: &[&str]) -> BTreeMap<String, Xref> {
    let ids: Vec<String> = ns_ids.iter().map(|id| id.to_string()).collect();
    let found = store
        .xref_batch(flow, System::NetSuite, &ids)
        .await
        .unwrap();
    found
        .into_iter()
        .map(|(id, mut xref)| {
            xref.flow = String::new();
            (id, xref)
        })
        .collect()
}

async fn processed_batch_returns_only_processed_ids(harness: Harness) {
    let store = harness.open().await;
    let marks: Vec<(String, Processed)> = (0..MANY)
        .map(|index| {
            (
                index.to_string(),
                processed(index as i64, &format!("f{index}")),
            )
        })
        .collect();
    store
        .mark_processed(System::NetSuite, "item:inventoryItem", &marks)
        .await
        .unwrap();
    let mut ids: Vec<String> = marks.iter().map(|(id, _)| id.clone()).collect();
    ids.push("unknown".to_string());

    let found = store
        .processed_batch(System::NetSuite, "item:inventoryItem", &ids)
        .await
        .unwrap();
    let other_object = store
        .processed_batch(System::NetSuite, "item:serviceItem", &ids)
        .await
        .unwrap();

    assert_eq!(found.len(), MANY);
    assert_eq!(found.get("7"), Some(&processed(7, "f7")));
    assert_eq!(found.get("1199"), Some(&processed(1199, "f1199")));
    assert!(!found.contains_key("unknown"));
    assert!(other_object.is_empty(), "another object's marks were read");
}

async fn mark_processed_keeps_last_of_repeated_id(harness: Harness) {
    let store = harness.open().await;
    let marks = [
        ("1".to_string(), processed(1, "old")),
        ("2".to_string(), processed(2, "two")),
        ("1".to_string(), processed(3, "new")),
    ];

    store
        .mark_processed(System::NetSuite, "customer", &marks)
        .await
        .unwrap();

    let one = store
        .processed(System::NetSuite, "customer", "1")
        .await
        .unwrap();
    let two = store
        .processed(System::NetSuite, "customer", "2")
        .await
        .unwrap();
    assert_eq!(one, Some(processed(3, "new")));
    assert_eq!(two, Some(processed(2, "two")));
}

async fn xref_batch_finds_by_either_side(harness: Harness) {
    let store = harness.open().await;
    store.save_xref(&xref(FLOW, "10", "01tA")).await.unwrap();
    store.save_xref(&xref(FLOW, "11", "01tB")).await.unwrap();
    store.save_xref(&xref("other", "12", "01tC")).await.unwrap();
    let ns_ids = ["10".to_string(), "12".to_string(), "99".to_string()];
    let sf_ids = ["01tB".to_string()];

    let by_ns = store
        .xref_batch(FLOW, System::NetSuite, &ns_ids)
        .await
        .unwrap();
    let by_sf = store
        .xref_batch(FLOW, System::Salesforce, &sf_ids)
        .await
        .unwrap();

    assert_eq!(
        by_ns.len(),
        1,
        "another flow's pair or a missing ID was found"
    );
    assert_eq!(by_ns.get("10"), Some(&xref(FLOW, "10", "01tA")));
    assert_eq!(by_sf.len(), 1);
    assert_eq!(by_sf.get("01tB"), Some(&xref(FLOW, "11", "01tB")));
}

/// Saves the same cross-references in two flows, one by one in `single` and as one batch in
/// `batch`, over the same stored pairs, and compares the pairs each flow ends with.
async fn save_xref_batch_matches_single_saves(harness: Harness) {
    let store = harness.open().await;
    let stored = [("10", "01tA"), ("20", "01tB"), ("40", "01tD")];
    let saved = [
        ("11", "01tA"), // takes the Salesforce record of 10
        ("20", "01tC"), // moves 20 to another product
        ("30", "01tE"), // a new pair
        ("31", "01tE"), // replaces the pair saved just before it
        ("40", "01tB"), // takes 20's old product, which 20 has already left
        ("10", "01tF"), // links 10 again, after it lost its pair
    ];
    for flow in ["single", "batch"] {
        for (ns_id, sf_id) in stored {
            store.save_xref(&xref(flow, ns_id, sf_id)).await.unwrap();
        }
    }
    for (ns_id, sf_id) in saved {
        store
            .save_xref(&xref("single", ns_id, sf_id))
            .await
            .unwrap();
    }
    let batch: Vec<Xref> = saved
        .iter()
        .map(|(ns_id, sf_id)| xref("batch", ns_id, sf_id))
        .collect();

    store.save_xref_batch(&batch).await.unwrap();

    let ids = ["10", "11", "20", "30", "31", "40"];
    let single = pairs(&store, "single", &ids).await;
    let batched = pairs(&store, "batch", &ids).await;
    assert_eq!(batched, single);
    let kept: Vec<(&str, &str)> = batched
        .values()
        .map(|xref| (xref.ns_id.as_str(), xref.sf_id.as_str()))
        .collect();
    let expected = [
        ("10", "01tF"),
        ("11", "01tA"),
        ("20", "01tC"),
        ("31", "01tE"),
        ("40", "01tB"),
    ];
    assert_eq!(kept, expected);
}

async fn save_xref_batch_keeps_first_created_at(harness: Harness) {
    let store = harness.open().await;
    store.save_xref(&xref(FLOW, "10", "01tA")).await.unwrap();
    let first = xref_created_at(&store, FLOW, "10").await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let batch = [xref(FLOW, "11", "01tA"), xref(FLOW, "12", "01tB")];

    store.save_xref_batch(&batch).await.unwrap();

    let replaced = xref_created_at(&store, FLOW, "11").await;
    let new = xref_created_at(&store, FLOW, "12").await;
    assert_eq!(
        replaced, first,
        "the replacing pair lost the first save's time"
    );
    assert!(new > first, "a new pair kept an old time: {new} <= {first}");
}

async fn save_xref_batch_spans_many_statements(harness: Harness) {
    let store = harness.open().await;
    let first: Vec<Xref> = (0..MANY)
        .map(|index| xref(FLOW, &index.to_string(), &format!("01tOld{index}")))
        .collect();
    store.save_xref_batch(&first).await.unwrap();
    let second: Vec<Xref> = (0..MANY)
        .map(|index| xref(FLOW, &index.to_string(), &format!("01tNew{index}")))
        .collect();

    store.save_xref_batch(&second).await.unwrap();

    let ns_ids: Vec<String> = (0..MANY).map(|index| index.to_string()).collect();
    let old_ids: Vec<String> = (0..MANY).map(|index| format!("01tOld{index}")).collect();
    let found = store
        .xref_batch(FLOW, System::NetSuite, &ns_ids)
        .await
        .unwrap();
    let old = store
        .xref_batch(FLOW, System::Salesforce, &old_ids)
        .await
        .unwrap();
    assert_eq!(found.len(), MANY);
    assert_eq!(found.get("1100"), Some(&xref(FLOW, "1100", "01tNew1100")));
    assert!(old.is_empty(), "{} replaced pairs remain", old.len());
}

fn letter(source_id: &str, action: &str) -> DeadLetter {
    DeadLetter {
        flow: FLOW.to_string(),
        source_system: System::NetSuite,
        source_id: source_id.to_string(),
        target_id: None,
        action: action.to_string(),
        payload: Fields::new(),
        error: RemoteError::new(
            System::Salesforce,
            ErrorClass::Data,
            "REQUIRED_FIELD_MISSING",
            "Required fields are missing: [Name]",
        ),
    }
}

async fn resolve_batch_closes_only_listed_sources(harness: Harness) {
    let store = harness.open().await;
    let listed = store.add_dead_letter(&letter("10", "sync")).await.unwrap();
    let unlisted = store.add_dead_letter(&letter("11", "sync")).await.unwrap();
    let other_action = store.add_dead_letter(&letter("12", "link")).await.unwrap();
    let discarded = store.add_dead_letter(&letter("13", "sync")).await.unwrap();
    store
        .set_dead_letter_status(discarded, DeadLetterStatus::Discarded)
        .await
        .unwrap();
    let mut ids: Vec<String> = (100..100 + MANY).map(|id| id.to_string()).collect();
    ids.extend(["10", "12", "13"].map(str::to_string));

    let resolved = store
        .resolve_dead_letters_batch(FLOW, System::NetSuite, &ids, "sync")
        .await
        .unwrap();

    let status = async |id| store.dead_letter(id).await.unwrap().unwrap().status;
    assert_eq!(resolved, vec!["10".to_string()]);
    assert_eq!(status(listed).await, DeadLetterStatus::Resolved);
    assert_eq!(status(unlisted).await, DeadLetterStatus::Open);
    assert_eq!(status(other_action).await, DeadLetterStatus::Open);
    assert_eq!(status(discarded).await, DeadLetterStatus::Discarded);
}

async fn audit_batch_appends_in_order(harness: Harness) {
    let store = harness.open().await;
    let entries: Vec<AuditEntry> = (0..MANY)
        .map(|index| AuditEntry {
            flow: FLOW.to_string(),
            kind: "create".to_string(),
            ns_id: Some(index.to_string()),
            sf_id: Some(format!("01t{index}")),
            field: None,
            netsuite_value: (index == 0).then(|| FieldValue::text("first")),
            salesforce_value: None,
            decision: format!("created Salesforce record 01t{index}"),
        })
        .collect();

    store.audit_batch(&entries).await.unwrap();

    let newest = store.audit_entries(Some(FLOW), MANY + 1).await.unwrap();
    assert_eq!(newest.len(), MANY);
    assert_eq!(newest[0].entry, entries[MANY - 1]);
    assert_eq!(newest[MANY - 1].entry, entries[0]);
    assert!(
        newest[0].id > newest[MANY - 1].id,
        "entries were stored out of order"
    );
}

fn conflict_on(ns_id: &str, field: &str) -> Conflict {
    Conflict {
        flow: FLOW.to_string(),
        ns_id: ns_id.to_string(),
        sf_id: format!("01t{ns_id}"),
        netsuite_field: field.to_string(),
        salesforce_field: field.to_string(),
        synced_value: FieldValue::text("synced"),
        netsuite_value: FieldValue::text("netsuite"),
        salesforce_value: FieldValue::text("salesforce"),
    }
}

async fn pair_conflicts_batch_matches_single_reads(harness: Harness) {
    let store = harness.open().await;
    let first = store
        .add_conflict(&conflict_on("10", "price"))
        .await
        .unwrap();
    let second = store
        .add_conflict(&conflict_on("10", "name"))
        .await
        .unwrap();
    let finished = store
        .add_conflict(&conflict_on("11", "price"))
        .await
        .unwrap();
    let unlisted = store
        .add_conflict(&conflict_on("12", "price"))
        .await
        .unwrap();
    store
        .decide_conflict(second, System::NetSuite)
        .await
        .unwrap();
    store
        .decide_conflict(finished, System::Salesforce)
        .await
        .unwrap();
    store.finish_conflict(finished).await.unwrap();
    let mut ids: Vec<String> = (100..100 + MANY).map(|id| id.to_string()).collect();
    ids.extend(["10", "11"].map(str::to_string));

    let found = store.pair_conflicts_batch(FLOW, &ids).await.unwrap();

    let single = store.pair_conflicts(FLOW, "10").await.unwrap();
    let of_pair: Vec<i64> = found["10"].iter().map(|stored| stored.id).collect();
    assert_eq!(of_pair, vec![first, second]);
    assert_eq!(found["10"], single);
    assert!(
        !found.contains_key("11"),
        "a finished conflict was returned"
    );
    assert!(
        !found.contains_key("12"),
        "conflict {unlisted} was not asked for"
    );
    assert_eq!(found.len(), 1);
}

async fn find_by_link_batch_matches_single_finds(harness: Harness) {
    let store = harness.open().await;
    let mut records: Vec<_> = (0..MANY)
        .map(|index| seen(&format!("{index}"), "acme", Some(&format!("001{index}"))))
        .collect();
    records.push(seen("two", "acme", Some("0015")));
    records.push(seen("unlinked", "acme", None));
    store.remember(&records).await.unwrap();
    let mut links: Vec<String> = (0..MANY).map(|index| format!("001{index}")).collect();
    links.push("001Nobody".to_string());

    let found = store
        .find_by_link_batch(System::NetSuite, "customer", &links)
        .await
        .unwrap();

    assert_eq!(found.len(), MANY);
    assert!(!found.contains_key("001Nobody"));
    let single = store
        .find_by_link(System::NetSuite, "customer", "0015")
        .await
        .unwrap();
    assert_eq!(single.len(), 2);
    assert_eq!(found["0015"], single);
    let other_object = store
        .find_by_link_batch(System::NetSuite, "contact", &links)
        .await
        .unwrap();
    assert!(other_object.is_empty());
}

async fn excluded_batch_returns_only_excluded(harness: Harness) {
    let store = harness.open().await;
    let reason = "its counterpart was deleted";
    store
        .exclude(FLOW, System::NetSuite, "10", reason)
        .await
        .unwrap();
    store
        .exclude(FLOW, System::Salesforce, "11", reason)
        .await
        .unwrap();
    store
        .exclude("other-flow", System::NetSuite, "12", reason)
        .await
        .unwrap();
    let mut ids: Vec<String> = (100..100 + MANY).map(|id| id.to_string()).collect();
    ids.extend(["10", "11", "12"].map(str::to_string));

    let excluded = store
        .excluded_batch(FLOW, System::NetSuite, &ids)
        .await
        .unwrap();

    assert_eq!(excluded, ["10".to_string()].into());
}
