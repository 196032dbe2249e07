//! One-way passes shared by several workers through work items.
//!
//! The worker that holds the flow (the coordinator) reads the feeds and stores the records to
//! sync as a work pass, one item per batch. Every worker, the coordinator included, then
//! leases items and syncs their records. Once every item is done, the coordinator advances the
//! watermarks: to the oldest record left for the next pass after a transient error, else to
//! the newest record the feeds returned. A coordinator that stops leaves the work pass open,
//! and the next coordinator resumes it instead of reading the feeds again.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::OneWayTemplate;
use super::run::{Collected, collect, record_outcomes};
use super::{OneWaySpec, SourceItem};
use crate::pass::{Connections, PassError, PassFailure, recorded_pass};
use crate::record::{Fields, SourceRecord};
use crate::report::PassReport;
use crate::state::{StoreError, Watermark, WorkItem, WorkPass};
use crate::work::{WorkerLease, keep_item_lease, lost_lease};

/// A record of a work item, as stored.
#[derive(Debug, Serialize, Deserialize)]
struct StoredRecord {
    object: usize,
    /// True for a record from a change feed, whose deferral holds its feed's watermark back.
    from_feed: bool,
    id: String,
    modified_at: DateTime<Utc>,
    link: Option<String>,
    fields: Fields,
}

/// The outcome of one item that closing the pass needs.
#[derive(Debug, Default, Serialize, Deserialize)]
struct ItemResult {
    /// Feed records left for the next pass: `(object, modified_at, id)`.
    deferred_marks: Vec<(usize, DateTime<Utc>, String)>,
    /// Every record left for the next pass, feed records or not.
    deferred: u64,
}

/// The coordinator's state for closing a pass, kept in the store: per source object, the newest
/// `(modified_at, id)` its feed returned.
#[derive(Debug, Default, Serialize, Deserialize)]
struct PassState {
    newest: Vec<Option<(DateTime<Utc>, String)>>,
}

/// Runs one pass of a one-way flow as `worker`, which holds the flow, and records it in the
/// run history. Resumes the flow's open work pass when a coordinator that stopped left one.
///
/// A failure means the pass stopped early. What it wrote before stopping is recorded, and the
/// watermarks stay where they were, so the next pass repeats the rest.
pub async fn run_pass_as(
    template: &dyn OneWayTemplate,
    connections: &Connections,
    worker: &WorkerLease,
) -> Result<PassReport, PassFailure> {
    let flow = template.spec().flow.clone();
    recorded_pass(&flow, connections, |connections, mut report| async move {
        let result = coordinate(template, connections, worker, &mut report).await;
        (report, result)
    })
    .await
}

/// Syncs the free items of the flow's open work pass, which another worker coordinates, and
/// records this worker's part as a run. Returns `None`, recording nothing, when the flow has
/// no open work pass or none of its items is free.
pub async fn help(
    template: &dyn OneWayTemplate,
    connections: &Connections,
    worker: &WorkerLease,
) -> Option<Result<PassReport, PassFailure>> {
    let flow = template.spec().flow.clone();
    let store = connections.store.as_ref();
    let first = async {
        let Some(pass) = store.open_work_pass(&flow).await? else {
            return Ok(None);
        };
        let item = store
            .lease_work_item(pass.id, &worker.worker, worker.ttl)
            .await?;
        Ok::<_, StoreError>(item)
    };
    let first = match first.await {
        Ok(Some(item)) => item,
        Ok(None) => return None,
        Err(error) => {
            return Some(Err(PassFailure {
                report: PassReport::new(&flow),
                error: error.into(),
            }));
        }
    };
    let result = recorded_pass(&flow, connections, |connections, mut report| async move {
        let result = sync_items(template, connections, worker, first, &mut report).await;
        (report, result)
    })
    .await;
    Some(result)
}

/// Syncs `first`, then every item of its pass this worker can lease, until none is free.
async fn sync_items(
    template: &dyn OneWayTemplate,
    connections: &Connections,
    worker: &WorkerLease,
    first: WorkItem,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let store = connections.store.as_ref();
    let pass_id = first.pass_id;
    let mut next = Some(first);
    while let Some(item) = next {
        sync_item(template, connections, worker, &item, report).await?;
        next = store
            .lease_work_item(pass_id, &worker.worker, worker.ttl)
            .await?;
    }
    Ok(())
}

/// Runs a pass as its coordinator: stores the work (or resumes the flow's open work pass),
/// syncs items until every item is done, then closes the pass.
async fn coordinate(
    template: &dyn OneWayTemplate,
    connections: &Connections,
    worker: &WorkerLease,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let spec = template.spec();
    let store = connections.store.as_ref();
    let pass = match store.open_work_pass(&spec.flow).await? {
        Some(pass) => {
            tracing::warn!(flow = %spec.flow, pass = pass.id, worker = %worker.worker,
                "resuming a pass that a stopped worker left unfinished");
            if worker.exclusive {
                store.free_work_items(pass.id).await?;
            }
            pass
        }
        None => {
            let collected = collect(template, connections, report).await?;
            crate::progress::writing(collected.items.len() as u64);
            let (state, payloads) = plan(spec, collected)?;
            if payloads.is_empty() {
                advance(spec, connections, &state, &[]).await?;
                return template.after(connections, report).await;
            }
            let state = json(&state, "the state of a work pass")?;
            let id = store
                .create_work_pass(&spec.flow, &state, &payloads)
                .await?;
            tracing::info!(flow = %spec.flow, pass = id, items = payloads.len(), "work stored");
            WorkPass {
                id,
                flow: spec.flow.clone(),
                state,
            }
        }
    };
    sync_until_done(template, connections, worker, pass.id, report).await?;
    close(template, connections, &pass, report).await
}

/// Splits the collected records into work item payloads of one batch each, and returns them
/// with the state that closing the pass needs.
fn plan(spec: &OneWaySpec, collected: Collected) -> Result<(PassState, Vec<String>), StoreError> {
    let mut state = PassState {
        newest: vec![None; spec.objects.len()],
    };
    for (object, modified_at, id) in collected.marks {
        let newest = &mut state.newest[object];
        let mark = (modified_at, id);
        if newest.as_ref().is_none_or(|kept| mark > *kept) {
            *newest = Some(mark);
        }
    }
    let records: Vec<StoredRecord> = collected
        .items
        .into_iter()
        .enumerate()
        .map(|(index, item)| StoredRecord {
            object: item.object,
            from_feed: index < collected.from_feeds,
            id: item.record.id,
            modified_at: item.record.modified_at,
            link: item.record.link,
            fields: item.record.fields,
        })
        .collect();
    let payloads = records
        .chunks(spec.batch_size.max(1))
        .map(|chunk| json(&chunk, "a work item"))
        .collect::<Result<Vec<String>, StoreError>>()?;
    Ok((state, payloads))
}

/// Syncs items of a pass until every item is done. While other workers hold the only items
/// left, waits for them to finish, or for their leases to expire and leases the items itself.
async fn sync_until_done(
    template: &dyn OneWayTemplate,
    connections: &Connections,
    worker: &WorkerLease,
    pass_id: i64,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let store = connections.store.as_ref();
    let mut waiting = false;
    loop {
        let leased = store
            .lease_work_item(pass_id, &worker.worker, worker.ttl)
            .await?;
        if let Some(item) = leased {
            waiting = false;
            sync_item(template, connections, worker, &item, report).await?;
            continue;
        }
        let progress = store.work_progress(pass_id).await?;
        if progress.free == 0 && progress.leased == 0 {
            return Ok(());
        }
        if !waiting {
            tracing::info!(flow = %template.spec().flow, pass = pass_id, leased = progress.leased,
                "waiting for the items other workers hold");
            waiting = true;
        }
        tokio::time::sleep(worker.poll_interval()).await;
    }
}

/// Syncs the records of one leased item and marks it done, renewing its lease meanwhile. Stops
/// with an error when the lease is lost, before another worker may lease the item.
async fn sync_item(
    template: &dyn OneWayTemplate,
    connections: &Connections,
    worker: &WorkerLease,
    item: &WorkItem,
    report: &mut PassReport,
) -> Result<(), PassError> {
    let spec = template.spec();
    let store = connections.store.as_ref();
    if item.attempts > 1 {
        tracing::warn!(flow = %spec.flow, item = item.id, attempts = item.attempts,
            worker = %worker.worker, "took over a work item whose lease expired");
    }
    let stored: Vec<StoredRecord> = parse(&item.payload, "work item")?;
    let from_feed: HashSet<(usize, String)> = stored
        .iter()
        .filter(|record| record.from_feed)
        .map(|record| (record.object, record.id.clone()))
        .collect();
    let items: Vec<SourceItem> = stored.into_iter().map(source_item).collect();

    let work = async {
        let outcomes = template.sync(connections, &items, report).await?;
        record_outcomes(spec, connections, &items, outcomes, report).await
    };
    let deferred = tokio::select! {
        deferred = work => deferred?,
        error = keep_item_lease(store, item.id, worker) => return Err(error.into()),
    };
    crate::progress::written(items.len() as u64);

    let mut result = ItemResult {
        deferred: deferred.len() as u64,
        ..ItemResult::default()
    };
    for source in &items {
        let key = (source.object, source.record.id.clone());
        if deferred.contains(&key) && from_feed.contains(&key) {
            let mark = (source.object, source.record.modified_at, key.1);
            result.deferred_marks.push(mark);
        }
    }
    let result = json(&result, "the result of a work item")?;
    if !store
        .finish_work_item(item.id, &worker.worker, &result)
        .await?
    {
        return Err(lost_lease(item.id, "it expired before the item was done").into());
    }
    Ok(())
}

/// Advances the watermarks from every item's result, deletes the work pass and runs the
/// template's `after` with the deferred records of every worker counted.
async fn close(
    template: &dyn OneWayTemplate,
    connections: &Connections,
    pass: &WorkPass,
    report: &PassReport,
) -> Result<(), PassError> {
    let spec = template.spec();
    let store = connections.store.as_ref();
    let state: PassState = parse(&pass.state, "state of a work pass")?;
    let mut results = Vec::new();
    for text in store.work_results(pass.id).await? {
        results.push(parse::<ItemResult>(&text, "result of a work item")?);
    }
    advance(spec, connections, &state, &results).await?;
    store.close_work_pass(pass.id).await?;
    tracing::info!(flow = %spec.flow, pass = pass.id, "work pass closed");

    let mut whole = report.clone();
    whole.deferred = results.iter().map(|result| result.deferred).sum();
    template.after(connections, &whole).await
}

/// Moves each object's watermark to its oldest deferred feed record, so the next pass reads it
/// again, or else to the newest record its feed returned.
async fn advance(
    spec: &OneWaySpec,
    connections: &Connections,
    state: &PassState,
    results: &[ItemResult],
) -> Result<(), PassError> {
    for (index, object) in spec.objects.iter().enumerate() {
        let oldest_deferred = results
            .iter()
            .flat_map(|result| &result.deferred_marks)
            .filter(|mark| mark.0 == index)
            .map(|mark| (mark.1, &mark.2))
            .min();
        let newest = state.newest.get(index).and_then(Option::as_ref);
        let mark = match oldest_deferred {
            Some((modified_at, id)) => (modified_at, id),
            None => match newest {
                Some((modified_at, id)) => (*modified_at, id),
                None => continue,
            },
        };
        let watermark = Watermark {
            modified_at: mark.0,
            record_id: mark.1.clone(),
        };
        connections
            .store
            .set_watermark(&spec.flow, spec.source, &object.name, &watermark)
            .await?;
    }
    Ok(())
}

fn source_item(stored: StoredRecord) -> SourceItem {
    SourceItem {
        object: stored.object,
        record: SourceRecord {
            id: stored.id,
            modified_at: stored.modified_at,
            link: stored.link,
            fields: stored.fields,
        },
    }
}

fn json<T: Serialize + ?Sized>(value: &T, what: &str) -> Result<String, StoreError> {
    serde_json::to_string(value)
        .map_err(|error| StoreError::new(format!("cannot encode {what}"), error))
}

fn parse<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(text)
        .map_err(|error| StoreError::new(format!("invalid stored {what}"), error))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use async_trait::async_trait;

    use super::*;
    use crate::error::{ErrorClass, RemoteError};
    use crate::fake_port::TestWorld;
    use crate::flow::FieldUse;
    use crate::one_way::Outcome;
    use crate::record::{FieldValue, NewRecord, ObjectSpec, System};
    use crate::state::{StateStore, WorkStore};

    const FLOW: &str = "thing-to-salesforce";

    /// Creates a Salesforce `Thing__c` per NetSuite `thing`, two records per batch. While
    /// `stop` is set, a batch with a thing named `Stop` fails, as a pass whose worker died
    /// mid-batch would.
    struct CopyThings {
        spec: OneWaySpec,
        stop: AtomicBool,
    }

    impl CopyThings {
        fn new() -> CopyThings {
            CopyThings {
                spec: OneWaySpec {
                    flow: FLOW.to_string(),
                    source: System::NetSuite,
                    objects: vec![ObjectSpec {
                        name: "thing".to_string(),
                        fields: vec!["name".to_string()],
                        link_field: "externalId".to_string(),
                    }],
                    written_back: Vec::new(),
                    overlap: chrono::TimeDelta::zero(),
                    batch_size: 2,
                },
                stop: AtomicBool::new(true),
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
            let stopping = items
                .iter()
                .any(|item| item.record.fields["name"].as_text() == Some("Stop"));
            if stopping && self.stop.load(Ordering::SeqCst) {
                let error = RemoteError::new(
                    System::Salesforce,
                    ErrorClass::Config,
                    "STOPPED",
                    "the test stops here",
                );
                return Err(error.into());
            }
            let target = ObjectSpec {
                name: "Thing__c".to_string(),
                fields: vec!["Name".to_string()],
                link_field: "NetSuite_Internal_ID__c".to_string(),
            };
            let records: Vec<NewRecord> = items
                .iter()
                .map(|item| NewRecord {
                    link: item.record.id.clone(),
                    fields: Fields::from([(
                        "Name".to_string(),
                        item.record.fields["name"].clone(),
                    )]),
                })
                .collect();
            let port = connections.port(System::Salesforce);
            let results = port.create(&target, records).await?;
            Ok(results
                .into_iter()
                .map(|result| match result {
                    Ok(written) => Outcome::Created(written.id),
                    Err(error) => Outcome::Deferred(error),
                })
                .collect())
        }
    }

    /// Puts six things in NetSuite; the third is named `Stop`, so with `stop` set the pass
    /// stops at its second item.
    fn world() -> TestWorld {
        let world = TestWorld::new();
        for name in ["A", "B", "Stop", "D", "E", "F"] {
            let name = FieldValue::text(name);
            world.netsuite.put("thing", None, &[("name", name)]);
        }
        world
    }

    fn worker(name: &str, ttl: Duration) -> WorkerLease {
        WorkerLease {
            worker: name.to_string(),
            ttl,
            exclusive: false,
        }
    }

    #[tokio::test]
    async fn stopped_pass_is_resumed_from_items() {
        let world = world();
        let template = CopyThings::new();
        let first = worker("a", Duration::from_millis(50));
        let second = worker("b", Duration::from_secs(60));
        let connections = &world.connections;

        let stopped = run_pass_as(&template, connections, &first).await;
        template.stop.store(false, Ordering::SeqCst);
        let open = world.store.open_work_pass(FLOW).await.unwrap();
        let watermark = world
            .store
            .watermark(FLOW, System::NetSuite, "thing")
            .await
            .unwrap();
        assert!(stopped.is_err(), "the first pass did not stop");
        assert_eq!(stopped.err().map(|failure| failure.report.created), Some(2));
        assert!(open.is_some(), "the stopped pass left no work");
        assert_eq!(watermark, None, "a stopped pass advanced the watermark");

        tokio::time::sleep(Duration::from_millis(100)).await;
        let helped = help(&template, connections, &second).await;
        let helped = helped.expect("items were free").expect("help succeeds");
        let resumed = run_pass_as(&template, connections, &first).await.unwrap();

        assert_eq!(helped.created, 4, "the helper took the expired item over");
        assert_eq!(resumed.read, 0, "the resumed pass read the feed again");
        assert_eq!(resumed.created, 0);
        assert_eq!(world.salesforce.all("Thing__c").len(), 6);
        assert_eq!(world.salesforce.writes.load(Ordering::SeqCst), 6);
        assert_eq!(world.store.open_work_pass(FLOW).await.unwrap(), None);
        let watermark = world
            .store
            .watermark(FLOW, System::NetSuite, "thing")
            .await
            .unwrap();
        assert!(watermark.is_some(), "the closed pass kept the watermark");
    }

    #[tokio::test]
    async fn exclusive_worker_frees_stale_leases() {
        let world = world();
        let template = CopyThings::new();
        let connections = &world.connections;
        let stopped = run_pass_as(&template, connections, &WorkerLease::exclusive()).await;
        template.stop.store(false, Ordering::SeqCst);

        let resumed = tokio::time::timeout(
            Duration::from_secs(10),
            run_pass_as(&template, connections, &WorkerLease::exclusive()),
        )
        .await
        .expect("the resumed pass waited for a lease to expire")
        .unwrap();

        assert!(stopped.is_err());
        assert_eq!(resumed.created, 4);
        assert_eq!(world.salesforce.all("Thing__c").len(), 6);
        assert_eq!(world.store.open_work_pass(FLOW).await.unwrap(), None);
    }

    #[tokio::test]
    async fn help_without_open_pass_does_nothing() {
        let world = world();
        let template = CopyThings::new();

        let helped = help(&template, &world.connections, &WorkerLease::exclusive()).await;

        assert!(helped.is_none());
        assert!(world.store.run_statuses().is_empty(), "a run was recorded");
        assert!(world.salesforce.all("Thing__c").is_empty());
    }

    #[tokio::test]
    async fn pass_without_changes_stores_no_work() {
        let world = world();
        let template = CopyThings::new();
        template.stop.store(false, Ordering::SeqCst);
        let connections = &world.connections;
        run_pass_as(&template, connections, &WorkerLease::exclusive())
            .await
            .unwrap();

        let again = run_pass_as(&template, connections, &WorkerLease::exclusive())
            .await
            .unwrap();

        assert_eq!(again.written, 0);
        assert_eq!(again.unchanged, again.read, "a re-read record was synced");
        assert_eq!(world.store.open_work_pass(FLOW).await.unwrap(), None);
        assert_eq!(world.salesforce.writes.load(Ordering::SeqCst), 6);
    }
}
