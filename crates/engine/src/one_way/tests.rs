//! Passes of a one-way flow between in-memory systems.

use std::sync::atomic::Ordering;

use async_trait::async_trait;

use super::*;
use crate::error::ErrorClass;
use crate::fake_port::TestWorld;
use crate::record::{FieldValue, NewRecord, ObjectSpec};
use crate::state::{ConflictStore, DeadLetterStatus, DeadLetterStore, StateStore, Xref};

const FLOW: &str = "thing-to-salesforce";

/// Copies `name` of NetSuite `thing` records to Salesforce `Thing__c.Name`, keyed by the
/// NetSuite ID; a thing with a `parent` needs the parent linked by flow `parents`.
struct CopyThings {
    spec: OneWaySpec,
}

impl CopyThings {
    fn new() -> CopyThings {
        CopyThings {
            spec: OneWaySpec {
                flow: FLOW.to_string(),
                source: System::NetSuite,
                objects: vec![ObjectSpec {
                    name: "thing".to_string(),
                    fields: vec![
                        "name".to_string(),
                        "parent".to_string(),
                        "status".to_string(),
                    ],
                    link_field: "externalId".to_string(),
                }],
                written_back: vec!["status".to_string()],
                overlap: chrono::TimeDelta::zero(),
                batch_size: 2,
            },
        }
    }

    fn target() -> ObjectSpec {
        ObjectSpec {
            name: "Thing__c".to_string(),
            fields: vec!["Name".to_string()],
            link_field: "NetSuite_Internal_ID__c".to_string(),
        }
    }
}

#[async_trait]
impl OneWayTemplate for CopyThings {
    fn spec(&self) -> &OneWaySpec {
        &self.spec
    }

    fn field_uses(&self) -> Vec<FieldUse> {
        Vec::new()
    }

    async fn sync(
        &self,
        connections: &Connections,
        items: &[SourceItem],
        _report: &mut PassReport,
    ) -> Result<Vec<Outcome>, PassError> {
        let mut outcomes = Vec::new();
        for item in items {
            let mut fields = Fields::new();
            fields.insert("Name".to_string(), item.record.fields["name"].clone());
            if let Some(parent) = item.record.fields["parent"].as_text() {
                let xref = connections
                    .store
                    .xref("parents", System::NetSuite, parent)
                    .await?;
                let Some(xref) = xref else {
                    let message = format!("parent {parent} is not linked");
                    let error = RemoteError::new(
                        System::Salesforce,
                        ErrorClass::Data,
                        PARENT_NOT_LINKED,
                        message,
                    );
                    outcomes.push(Outcome::Waiting(Refusal {
                        target_id: None,
                        payload: fields,
                        error,
                    }));
                    continue;
                };
                fields.insert("Parent__c".to_string(), FieldValue::text(xref.sf_id));
            }
            let record = NewRecord {
                link: item.record.id.clone(),
                fields: fields.clone(),
            };
            let port = connections.port(System::Salesforce);
            let result = port.create(&Self::target(), vec![record]).await?;
            outcomes.push(match result.into_iter().next() {
                Some(Ok(written)) => Outcome::Created(written.id),
                Some(Err(error)) if error.is_transient() => Outcome::Deferred(error),
                Some(Err(error)) => Outcome::Refused(Refusal {
                    target_id: None,
                    payload: fields,
                    error,
                }),
                None => Outcome::Unchanged,
            });
        }
        Ok(outcomes)
    }
}

fn world() -> TestWorld {
    TestWorld::new()
}

fn text(value: &str) -> FieldValue {
    FieldValue::text(value)
}

async fn pass(world: &TestWorld) -> PassReport {
    run_pass(&CopyThings::new(), &world.connections)
        .await
        .unwrap()
}

#[tokio::test]
async fn first_pass_copies_and_second_writes_nothing() {
    let world = world();
    world
        .netsuite
        .put("thing", Some("1"), &[("name", text("Bolt"))]);
    world
        .netsuite
        .put("thing", Some("2"), &[("name", text("Nut"))]);
    world
        .netsuite
        .put("thing", Some("3"), &[("name", text("Gear"))]);

    let first = pass(&world).await;
    assert_eq!((first.read, first.created), (3, 3));
    assert_eq!(world.salesforce.all("Thing__c").len(), 3);

    let writes = world.salesforce.writes.load(Ordering::SeqCst);
    let second = pass(&world).await;
    assert_eq!(second.created + second.updated, 0);
    assert_eq!(world.salesforce.writes.load(Ordering::SeqCst), writes);
}

#[tokio::test]
async fn created_record_is_audited_with_both_ids() {
    let world = world();
    world
        .netsuite
        .put("thing", Some("1"), &[("name", text("Bolt"))]);

    pass(&world).await;

    let entries = world.store.audit_entries(Some(FLOW), 10).await.unwrap();
    let created = world.salesforce.all("Thing__c");
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].entry.kind, "create");
    assert_eq!(entries[0].entry.ns_id.as_deref(), Some("1"));
    assert_eq!(
        entries[0].entry.sf_id.as_deref(),
        Some(created[0].0.as_str())
    );
}

#[tokio::test]
async fn change_to_written_back_field_alone_is_not_synced() {
    let world = world();
    world
        .netsuite
        .put("thing", Some("1"), &[("name", text("Bolt"))]);
    pass(&world).await;
    world
        .netsuite
        .put("thing", Some("1"), &[("status", text("Synced"))]);

    let report = pass(&world).await;
    assert_eq!(report.read, 1);
    assert_eq!(report.unchanged, 1);
    assert_eq!(report.written, 0);
}

#[tokio::test]
async fn refused_record_is_dead_letter_until_fixed() {
    let world = world();
    world
        .salesforce
        .refuse("Name", text("Bad"), "STRING_TOO_LONG");
    world
        .netsuite
        .put("thing", Some("1"), &[("name", text("Bad"))]);

    let report = pass(&world).await;
    assert_eq!(report.dead_letters, 1);
    let letters = world.store.dead_letters(Some(FLOW), None).await.unwrap();
    assert_eq!(letters[0].letter.error.code, "STRING_TOO_LONG");
    assert_eq!(letters[0].letter.action, SYNC_ACTION);

    world
        .netsuite
        .put("thing", Some("1"), &[("name", text("Good"))]);
    let report = pass(&world).await;
    assert_eq!(report.created, 1);
    let letters = world.store.dead_letters(Some(FLOW), None).await.unwrap();
    assert_eq!(letters[0].status, DeadLetterStatus::Resolved);
}

#[tokio::test]
async fn waiting_record_is_tried_again_once_its_parent_is_linked() {
    let world = world();
    world.netsuite.put(
        "thing",
        Some("1"),
        &[("name", text("Bolt")), ("parent", text("9"))],
    );

    let report = pass(&world).await;
    assert_eq!(report.dead_letters, 1);
    assert!(world.salesforce.all("Thing__c").is_empty());

    let xref = Xref {
        flow: "parents".to_string(),
        ns_id: "9".to_string(),
        sf_id: "a01".to_string(),
        ns_values: Fields::new(),
        sf_values: Fields::new(),
        ns_written: None,
        sf_written: None,
    };
    world.store.save_xref(&xref).await.unwrap();
    let report = pass(&world).await;
    assert_eq!(report.created, 1);
    let things = world.salesforce.all("Thing__c");
    assert_eq!(things[0].1.get("Parent__c"), Some(&text("a01")));
    let letters = world.store.dead_letters(Some(FLOW), None).await.unwrap();
    assert_eq!(letters[0].status, DeadLetterStatus::Resolved);
}

#[tokio::test]
async fn batches_cover_every_record() {
    let world = world();
    for id in 1..=5 {
        let name = format!("Part {id}");
        world
            .netsuite
            .put("thing", Some(&id.to_string()), &[("name", text(&name))]);
    }
    let report = pass(&world).await;
    assert_eq!(report.created, 5);
}

#[tokio::test]
async fn replay_syncs_the_source_as_it_is_now() {
    let world = world();
    world
        .salesforce
        .refuse("Name", text("Bad"), "STRING_TOO_LONG");
    world
        .netsuite
        .put("thing", Some("1"), &[("name", text("Bad"))]);
    pass(&world).await;
    let id = world.store.dead_letters(Some(FLOW), None).await.unwrap()[0].id;

    let outcome = replay(&CopyThings::new(), &world.connections, id)
        .await
        .unwrap();
    assert!(matches!(outcome, crate::pass::ReplayOutcome::Refused(_)));

    world
        .netsuite
        .put("thing", Some("1"), &[("name", text("Fixed"))]);
    let outcome = replay(&CopyThings::new(), &world.connections, id)
        .await
        .unwrap();
    assert_eq!(outcome, crate::pass::ReplayOutcome::Written);
    let things = world.salesforce.all("Thing__c");
    assert_eq!(things[0].1.get("Name"), Some(&text("Fixed")));
}

#[tokio::test]
async fn sync_records_writes_only_the_named_record() {
    let world = world();
    world
        .netsuite
        .put("thing", Some("1"), &[("name", text("Bolt"))]);
    world
        .netsuite
        .put("thing", Some("2"), &[("name", text("Nut"))]);

    let report = sync_records(
        &CopyThings::new(),
        &world.connections,
        vec!["2".to_string()],
    )
    .await
    .unwrap();

    assert_eq!((report.read, report.created), (1, 1));
    let things = world.salesforce.all("Thing__c");
    assert_eq!(things.len(), 1);
    assert_eq!(things[0].1.get("Name"), Some(&text("Nut")));
    let watermark = world
        .store
        .watermark(FLOW, System::NetSuite, "thing")
        .await
        .unwrap();
    assert!(watermark.is_none(), "the change feed is untouched");
}

#[tokio::test]
async fn sync_records_of_unknown_id_reads_nothing() {
    let world = world();
    let report = sync_records(
        &CopyThings::new(),
        &world.connections,
        vec!["9".to_string()],
    )
    .await
    .unwrap();
    assert_eq!(report.read, 0);
}

#[tokio::test]
async fn records_of_other_flows_reading_the_same_object_stay_unprocessed() {
    let world = world();
    world
        .netsuite
        .put("thing", Some("1"), &[("name", text("Bolt"))]);
    pass(&world).await;
    let other_key = "other-flow:thing";
    let processed = world
        .store
        .processed(System::NetSuite, other_key, "1")
        .await
        .unwrap();
    assert_eq!(processed, None);
    let own = world
        .store
        .processed(System::NetSuite, &format!("{FLOW}:thing"), "1")
        .await
        .unwrap();
    assert!(own.is_some());
}

#[tokio::test]
async fn observed_pass_reports_reads_and_writes() {
    use crate::progress::{Phase, Progress, ProgressObserver, observe};
    use std::sync::{Arc, Mutex};

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Progress>>);
    impl ProgressObserver for Recorder {
        fn update(&self, progress: &Progress) {
            self.0.lock().unwrap().push(progress.clone());
        }
        fn finished(&self, _flow: &str) {}
    }

    let world = world();
    for (id, name) in [("1", "Bolt"), ("2", "Nut"), ("3", "Gear")] {
        world
            .netsuite
            .put("thing", Some(id), &[("name", text(name))]);
    }
    let recorder = Arc::new(Recorder::default());
    let report = observe(recorder.clone(), pass(&world)).await;
    assert_eq!(report.created, 3);

    let updates = recorder.0.lock().unwrap();
    let read = updates
        .iter()
        .filter(|progress| progress.phase == Phase::Reading)
        .map(|progress| progress.done)
        .max();
    assert_eq!(read, Some(3), "{updates:?}");
    let writes: Vec<(u64, Option<u64>)> = updates
        .iter()
        .filter(|progress| progress.phase == Phase::Writing)
        .map(|progress| (progress.done, progress.total))
        .collect();
    // A batch size of 2: the count moves after each batch.
    assert_eq!(writes, [(0, Some(3)), (2, Some(3)), (3, Some(3))]);
}
