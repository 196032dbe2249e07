//! Work passes and items in memory, leased by the process clock.

use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::MemoryStore;
use crate::state::{StoreError, WorkItem, WorkPass, WorkProgress, WorkStore};

/// A stored work item.
pub(crate) struct MemoryItem {
    id: i64,
    pass_id: i64,
    payload: String,
    worker: Option<String>,
    expires_at: Option<Instant>,
    attempts: i64,
    result: Option<String>,
}

impl MemoryItem {
    fn is_leased(&self, now: Instant) -> bool {
        self.result.is_none() && self.expires_at.is_some_and(|expiry| expiry > now)
    }

    /// Returns true while `worker` holds the item's lease: it leased the item last and did
    /// not finish it, even if the lease expired since (nobody else leased the item meanwhile).
    fn is_held_by(&self, worker: &str) -> bool {
        self.result.is_none() && self.worker.as_deref() == Some(worker)
    }
}

#[async_trait]
impl WorkStore for MemoryStore {
    async fn open_work_pass(&self, flow: &str) -> Result<Option<WorkPass>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .work_passes
            .iter()
            .find(|pass| pass.flow == flow)
            .cloned())
    }

    async fn create_work_pass(
        &self,
        flow: &str,
        state: &str,
        payloads: &[String],
    ) -> Result<i64, StoreError> {
        let mut inner = self.lock();
        if inner.work_passes.iter().any(|pass| pass.flow == flow) {
            return Err(StoreError {
                message: format!("flow {flow} already has an open work pass"),
                cause: None,
            });
        }
        inner.work_ids += 1;
        let pass_id = inner.work_ids;
        inner.work_passes.push(WorkPass {
            id: pass_id,
            flow: flow.to_string(),
            state: state.to_string(),
        });
        for payload in payloads {
            inner.work_ids += 1;
            let id = inner.work_ids;
            inner.work_items.push(MemoryItem {
                id,
                pass_id,
                payload: payload.clone(),
                worker: None,
                expires_at: None,
                attempts: 0,
                result: None,
            });
        }
        Ok(pass_id)
    }

    async fn lease_work_item(
        &self,
        pass_id: i64,
        worker: &str,
        ttl: Duration,
    ) -> Result<Option<WorkItem>, StoreError> {
        let mut inner = self.lock();
        let now = Instant::now();
        let free = inner
            .work_items
            .iter_mut()
            .find(|item| item.pass_id == pass_id && item.result.is_none() && !item.is_leased(now));
        let Some(item) = free else {
            return Ok(None);
        };
        item.worker = Some(worker.to_string());
        item.expires_at = Some(now + ttl);
        item.attempts += 1;
        Ok(Some(WorkItem {
            id: item.id,
            pass_id,
            payload: item.payload.clone(),
            attempts: item.attempts,
        }))
    }

    async fn renew_work_item(
        &self,
        item_id: i64,
        worker: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let now = Instant::now();
        let held = inner
            .work_items
            .iter_mut()
            .find(|item| item.id == item_id && item.is_held_by(worker));
        let Some(item) = held else {
            return Ok(false);
        };
        item.expires_at = Some(now + ttl);
        Ok(true)
    }

    async fn finish_work_item(
        &self,
        item_id: i64,
        worker: &str,
        result: &str,
    ) -> Result<bool, StoreError> {
        let mut inner = self.lock();
        let held = inner
            .work_items
            .iter_mut()
            .find(|item| item.id == item_id && item.is_held_by(worker));
        let Some(item) = held else {
            return Ok(false);
        };
        item.result = Some(result.to_string());
        Ok(true)
    }

    async fn free_work_items(&self, pass_id: i64) -> Result<(), StoreError> {
        let mut inner = self.lock();
        for item in inner.work_items.iter_mut() {
            if item.pass_id == pass_id && item.result.is_none() {
                item.worker = None;
                item.expires_at = None;
            }
        }
        Ok(())
    }

    async fn work_progress(&self, pass_id: i64) -> Result<WorkProgress, StoreError> {
        let inner = self.lock();
        let now = Instant::now();
        let mut progress = WorkProgress::default();
        for item in inner
            .work_items
            .iter()
            .filter(|item| item.pass_id == pass_id)
        {
            if item.result.is_some() {
                progress.done += 1;
            } else if item.is_leased(now) {
                progress.leased += 1;
            } else {
                progress.free += 1;
            }
        }
        Ok(progress)
    }

    async fn work_results(&self, pass_id: i64) -> Result<Vec<String>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .work_items
            .iter()
            .filter(|item| item.pass_id == pass_id)
            .filter_map(|item| item.result.clone())
            .collect())
    }

    async fn close_work_pass(&self, pass_id: i64) -> Result<(), StoreError> {
        let mut inner = self.lock();
        inner.work_items.retain(|item| item.pass_id != pass_id);
        inner.work_passes.retain(|pass| pass.id != pass_id);
        Ok(())
    }
}
