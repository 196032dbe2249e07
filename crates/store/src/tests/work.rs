//! Work passes and their leased items, on both databases.

use std::collections::BTreeSet;
use std::time::Duration;

use tandem_engine::state::{WorkProgress, WorkStore};

use super::Harness;
use crate::AnyStore;

store_tests!(
    work_items_are_leased_once,
    finished_item_keeps_its_result,
    expired_item_lease_is_taken_over,
    flow_has_one_open_work_pass,
    freed_items_are_leased_again,
    closed_pass_is_gone,
);

const LONG: Duration = Duration::from_secs(60);

fn payloads(count: usize) -> Vec<String> {
    (0..count).map(|index| format!("[{index}]")).collect()
}

fn progress(free: u64, leased: u64, done: u64) -> WorkProgress {
    WorkProgress { free, leased, done }
}

async fn work_items_are_leased_once(harness: Harness) {
    let store = harness.open().await;
    let pass = store
        .create_work_pass("f", "{}", &payloads(3))
        .await
        .unwrap();

    let a = store
        .lease_work_item(pass, "a", LONG)
        .await
        .unwrap()
        .unwrap();
    let b = store
        .lease_work_item(pass, "b", LONG)
        .await
        .unwrap()
        .unwrap();
    let c = store
        .lease_work_item(pass, "a", LONG)
        .await
        .unwrap()
        .unwrap();
    let none = store.lease_work_item(pass, "b", LONG).await.unwrap();

    assert_eq!(a.payload, "[0]");
    assert_eq!(b.payload, "[1]");
    assert_eq!(c.payload, "[2]");
    assert_eq!(a.attempts, 1);
    assert_eq!(none, None, "a leased item was leased again");
    let counted = store.work_progress(pass).await.unwrap();
    assert_eq!(counted, progress(0, 3, 0));
}

async fn finished_item_keeps_its_result(harness: Harness) {
    let store = harness.open().await;
    let pass = store
        .create_work_pass("f", "{}", &payloads(2))
        .await
        .unwrap();
    let item = store
        .lease_work_item(pass, "a", LONG)
        .await
        .unwrap()
        .unwrap();

    let by_other = store.finish_work_item(item.id, "b", "other").await.unwrap();
    let by_holder = store.finish_work_item(item.id, "a", "mine").await.unwrap();
    let again = store.finish_work_item(item.id, "a", "again").await.unwrap();

    assert!(!by_other, "a worker without the lease finished the item");
    assert!(by_holder);
    assert!(!again, "a done item was finished twice");
    assert_eq!(store.work_results(pass).await.unwrap(), vec!["mine"]);
    assert_eq!(store.work_progress(pass).await.unwrap(), progress(1, 0, 1));
    let next = store
        .lease_work_item(pass, "a", LONG)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(next.payload, "[1]", "a done item was leased again");
}

async fn expired_item_lease_is_taken_over(harness: Harness) {
    let store = harness.open().await;
    let pass = store
        .create_work_pass("f", "{}", &payloads(1))
        .await
        .unwrap();
    let short = Duration::from_millis(200);
    let first = store
        .lease_work_item(pass, "a", short)
        .await
        .unwrap()
        .unwrap();
    assert!(store.renew_work_item(first.id, "a", short).await.unwrap());

    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(store.work_progress(pass).await.unwrap(), progress(1, 0, 0));
    let second = store
        .lease_work_item(pass, "b", LONG)
        .await
        .unwrap()
        .unwrap();
    let renewed = store.renew_work_item(first.id, "a", LONG).await.unwrap();
    let finished = store.finish_work_item(first.id, "a", "late").await.unwrap();

    assert_eq!(second.id, first.id);
    assert_eq!(second.attempts, 2);
    assert!(!renewed, "the old holder renewed a lease it lost");
    assert!(!finished, "the old holder finished an item it lost");
    assert!(store.finish_work_item(first.id, "b", "done").await.unwrap());
}

async fn flow_has_one_open_work_pass(harness: Harness) {
    let store = harness.open().await;
    let pass = store
        .create_work_pass("f", "state", &payloads(1))
        .await
        .unwrap();

    let second = store.create_work_pass("f", "state", &payloads(1)).await;
    let other_flow = store.create_work_pass("g", "other", &[]).await;

    assert!(second.is_err(), "a second open work pass was stored");
    assert!(other_flow.is_ok(), "{other_flow:?}");
    let open = store.open_work_pass("f").await.unwrap().unwrap();
    assert_eq!(open.id, pass);
    assert_eq!(open.state, "state");
    let items = store.work_progress(pass).await.unwrap();
    assert_eq!(items, progress(1, 0, 0), "the refused pass added items");
}

async fn freed_items_are_leased_again(harness: Harness) {
    let store = harness.open().await;
    let pass = store
        .create_work_pass("f", "{}", &payloads(2))
        .await
        .unwrap();
    let done = store
        .lease_work_item(pass, "a", LONG)
        .await
        .unwrap()
        .unwrap();
    store.finish_work_item(done.id, "a", "r").await.unwrap();
    let left = store
        .lease_work_item(pass, "a", LONG)
        .await
        .unwrap()
        .unwrap();

    store.free_work_items(pass).await.unwrap();

    assert_eq!(store.work_progress(pass).await.unwrap(), progress(1, 0, 1));
    let again = store
        .lease_work_item(pass, "b", LONG)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.id, left.id);
}

async fn closed_pass_is_gone(harness: Harness) {
    let store = harness.open().await;
    let pass = store
        .create_work_pass("f", "{}", &payloads(2))
        .await
        .unwrap();

    store.close_work_pass(pass).await.unwrap();

    assert_eq!(store.open_work_pass("f").await.unwrap(), None);
    assert_eq!(store.work_progress(pass).await.unwrap(), progress(0, 0, 0));
    assert!(
        store
            .create_work_pass("f", "{}", &payloads(1))
            .await
            .is_ok()
    );
}

/// Workers that lease at the same moment, each on its own connection pool, never get one item
/// twice, and together get every item.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_workers_lease_each_item_once() {
    let Some(harness) = Harness::postgres("concurrent_workers_lease_each_item_once").await else {
        return;
    };
    let items = 200;
    let setup = harness.open().await;
    let pass = setup
        .create_work_pass("f", "{}", &payloads(items))
        .await
        .unwrap();

    let mut workers = Vec::new();
    for worker in 0..4 {
        let AnyStore::Postgres(store) = harness.open().await else {
            panic!("the harness opens PostgreSQL stores");
        };
        workers.push(tokio::spawn(async move {
            let name = format!("worker-{worker}");
            let mut leased = Vec::new();
            while let Some(item) = store.lease_work_item(pass, &name, LONG).await.unwrap() {
                leased.push(item.id);
                assert!(store.finish_work_item(item.id, &name, "r").await.unwrap());
            }
            leased
        }));
    }
    let mut all = Vec::new();
    let mut per_worker = Vec::new();
    for worker in workers {
        let leased = worker.await.unwrap();
        per_worker.push(leased.len());
        all.extend(leased);
    }

    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(all.len(), items, "items leased: {per_worker:?}");
    assert_eq!(distinct.len(), items, "an item was leased twice");
    assert_eq!(
        setup.work_progress(pass).await.unwrap(),
        progress(0, 0, items as u64)
    );
}
