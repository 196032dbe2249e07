//! Workers that share a pass: who a worker is in the store's leases, and how it keeps a work
//! item's lease while it processes the item.

use std::time::{Duration, Instant};

use crate::state::{StoreError, WorkStore};

/// A worker's name in the store's leases, and how long a lease lasts unrenewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerLease {
    pub worker: String,
    pub ttl: Duration,
    /// True when this worker is the only process on its store (a SQLite store, whose file
    /// lock keeps other processes out). Leases it finds unexpired then belong to a process
    /// that stopped, so it frees them at once instead of waiting for them to expire.
    pub exclusive: bool,
}

impl WorkerLease {
    /// Returns the lease of the only process on a store.
    pub fn exclusive() -> WorkerLease {
        WorkerLease {
            worker: format!("process-{}", std::process::id()),
            ttl: Duration::from_secs(60),
            exclusive: true,
        }
    }

    /// Returns how long a worker waits before it looks again for free items while other
    /// workers hold the rest: a twentieth of the lease, between 50 and 500 ms.
    pub fn poll_interval(&self) -> Duration {
        (self.ttl / 20).clamp(Duration::from_millis(50), Duration::from_millis(500))
    }
}

/// Renews `worker`'s lease of a work item every third of its length, and returns an error once
/// the lease is lost: another worker holds it, or renewals failed for two thirds of its
/// length. So a caller that stops when this returns stops before another worker can lease the
/// item, and no item is processed by two workers at once.
pub async fn keep_item_lease(
    store: &dyn WorkStore,
    item_id: i64,
    worker: &WorkerLease,
) -> StoreError {
    let mut renewed = Instant::now();
    loop {
        tokio::time::sleep(worker.ttl / 3).await;
        match store
            .renew_work_item(item_id, &worker.worker, worker.ttl)
            .await
        {
            Ok(true) => renewed = Instant::now(),
            Ok(false) => return lost_lease(item_id, "another worker holds it now"),
            Err(error) if renewed.elapsed() >= worker.ttl * 2 / 3 => {
                tracing::error!(item = item_id, worker = %worker.worker, %error, "cannot renew a work item's lease before it expires");
                return lost_lease(item_id, "its renewals failed until it nearly expired");
            }
            Err(error) => {
                tracing::warn!(item = item_id, worker = %worker.worker, %error, "cannot renew a work item's lease; retrying");
            }
        }
    }
}

/// Builds the error of a work item whose lease this worker lost.
pub fn lost_lease(item_id: i64, reason: &str) -> StoreError {
    StoreError {
        message: format!(
            "lost the lease of work item {item_id} ({reason}); the worker that leases it next \
             processes it again"
        ),
        cause: None,
    }
}
