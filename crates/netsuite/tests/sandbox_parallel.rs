//! List operations of several requests and the pages of a search run in parallel up to the
//! concurrency limit, against the NetSuite emulator with a simulated latency.

mod sandbox;

use std::time::Duration;

use sandbox::Sandbox;
use tandem_netsuite::{BodyValue, Record, RecordRef, SearchPreferences, SearchRecord};

/// The emulator's delay per request: long enough that requests sent one at a time never
/// overlap, and that parallel ones do.
const LATENCY: Duration = Duration::from_millis(40);

fn customers(count: usize) -> Vec<Record> {
    (0..count)
        .map(|index| {
            let mut record = Record::new("customer");
            record.external_id = Some(format!("SF-{index}"));
            record.fields.push((
                "companyName".to_string(),
                BodyValue::Text(format!("Customer {index}")),
            ));
            record
        })
        .collect()
}

/// Returns the internal IDs of successful write results, failing on any error.
fn internal_ids(results: Vec<Result<RecordRef, tandem_netsuite::Error>>) -> Vec<String> {
    results
        .into_iter()
        .map(|result| result.unwrap().internal_id.unwrap())
        .collect()
}

#[tokio::test]
async fn upsert_list_sends_chunks_in_parallel_in_order() {
    let sandbox = Sandbox::start().await;
    sandbox.emulator.set_latency(LATENCY);

    let results = sandbox.client.upsert_list(&customers(450)).await.unwrap();

    let ids = internal_ids(results);
    assert_eq!(ids.len(), 450);
    for (index, id) in ids.iter().enumerate() {
        let customer = sandbox.emulator.customer(id).unwrap();
        assert_eq!(customer.external_id, Some(format!("SF-{index}")));
    }
    let limit = sandbox.client.scheduler().limit();
    let in_flight = sandbox.client.scheduler().max_in_flight();
    assert!(in_flight > 1, "only {in_flight} request was in flight");
    assert!(
        in_flight <= limit,
        "{in_flight} requests over the limit {limit}"
    );
}

#[tokio::test]
async fn get_list_reads_chunks_in_parallel_in_order() {
    let sandbox = Sandbox::start().await;
    let written = sandbox.client.add_list(&customers(2500)).await.unwrap();
    let ids = internal_ids(written);
    sandbox.emulator.set_latency(LATENCY);

    let mut references: Vec<RecordRef> = ids
        .iter()
        .map(|id| RecordRef::internal("customer", id.as_str()))
        .collect();
    references.insert(1500, RecordRef::internal("customer", ""));
    let reads = sandbox.client.get_list(&references).await.unwrap();

    assert_eq!(reads.len(), 2501);
    assert!(reads[1500].is_err(), "a reference without an ID is read");
    let read_ids: Vec<String> = reads
        .into_iter()
        .flatten()
        .map(|record| record.internal_id.unwrap())
        .collect();
    assert_eq!(read_ids, ids);
    let in_flight = sandbox.client.scheduler().max_in_flight();
    assert!(in_flight > 1, "only {in_flight} request was in flight");
}

#[tokio::test]
async fn search_all_reads_pages_in_parallel_in_order() {
    let sandbox = Sandbox::start().await;
    let written = sandbox.client.add_list(&customers(48)).await.unwrap();
    let ids = internal_ids(written);
    sandbox.emulator.set_latency(LATENCY);
    sandbox.emulator.reset_counters();
    let preferences = SearchPreferences {
        page_size: 5,
        ..SearchPreferences::default()
    };

    let records = sandbox
        .client
        .search_all(&SearchRecord::new("customer"), &preferences)
        .await
        .unwrap();

    let read_ids: Vec<String> = records
        .into_iter()
        .map(|record| record.internal_id.unwrap())
        .collect();
    assert_eq!(read_ids, ids);
    let counters = sandbox.emulator.counters();
    assert_eq!(counters.operations.get("searchMoreWithId"), Some(&9));
    assert_eq!(
        counters.blocked, 0,
        "the emulator blocked requests over its limit"
    );
    let limit = sandbox.client.scheduler().limit();
    let in_flight = sandbox.client.scheduler().max_in_flight();
    assert!(in_flight > 1, "only {in_flight} request was in flight");
    assert!(
        in_flight <= limit,
        "{in_flight} requests over the limit {limit}"
    );
}
