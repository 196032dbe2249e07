//! Work items: the records of one pass of a flow, stored in chunks that several workers
//! lease and process at once.
//!
//! One worker, the pass's coordinator, reads the change feeds and stores the records to sync
//! as items of a work pass. Every worker then leases items one at a time until none is left.
//! A lease lasts until its expiry time, so the items of a worker that died are leased again
//! once their leases expire. The pass closes when every item is done.

use std::time::Duration;

use async_trait::async_trait;

use super::StoreError;

/// A pass whose work items are stored and not closed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkPass {
    pub id: i64,
    pub flow: String,
    /// The coordinator's state for closing the pass (the watermarks to advance to), as JSON.
    pub state: String,
}

/// A work item leased by a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkItem {
    pub id: i64,
    pub pass_id: i64,
    /// The records to process, as JSON.
    pub payload: String,
    /// How many times the item was leased, this lease included. More than one means an
    /// earlier holder's lease expired before it finished the item.
    pub attempts: i64,
}

/// How many items of a work pass are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkProgress {
    /// Items never leased, or whose lease expired before they were done.
    pub free: u64,
    /// Items whose lease has not expired.
    pub leased: u64,
    pub done: u64,
}

/// The store of work passes and their items.
///
/// Each method is atomic on its own, and lease times come from one clock (the database's),
/// so workers whose clocks differ still agree on when a lease expires.
#[async_trait]
pub trait WorkStore: Send + Sync {
    /// Returns the open work pass of `flow`, if there is one.
    async fn open_work_pass(&self, flow: &str) -> Result<Option<WorkPass>, StoreError>;

    /// Stores a work pass of `flow` with one free item per payload, in one transaction, and
    /// returns its ID. Fails when the flow already has an open work pass.
    async fn create_work_pass(
        &self,
        flow: &str,
        state: &str,
        payloads: &[String],
    ) -> Result<i64, StoreError>;

    /// Leases the first item of a pass that is free or whose lease expired to `worker` for
    /// `ttl`, and returns it. Returns `None` when every item is done or leased. Two workers
    /// that call this at once get different items.
    async fn lease_work_item(
        &self,
        pass_id: i64,
        worker: &str,
        ttl: Duration,
    ) -> Result<Option<WorkItem>, StoreError>;

    /// Extends `worker`'s lease of an item to `ttl` from now, and returns false when the
    /// worker no longer holds it: another worker leased the item after this lease expired.
    /// An expired lease that nobody took over yet is still held.
    async fn renew_work_item(
        &self,
        item_id: i64,
        worker: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError>;

    /// Marks an item done with its result (JSON), and returns false, storing nothing, when
    /// `worker` no longer holds its lease.
    async fn finish_work_item(
        &self,
        item_id: i64,
        worker: &str,
        result: &str,
    ) -> Result<bool, StoreError>;

    /// Frees the lease of every item of a pass that is not done. Only for a store that one
    /// process uses, whose unexpired leases were left by a process that stopped.
    async fn free_work_items(&self, pass_id: i64) -> Result<(), StoreError>;

    /// Returns how many items of a pass are free, leased and done.
    async fn work_progress(&self, pass_id: i64) -> Result<WorkProgress, StoreError>;

    /// Returns the results of a pass's done items, in item order.
    async fn work_results(&self, pass_id: i64) -> Result<Vec<String>, StoreError>;

    /// Deletes a work pass and its items.
    async fn close_work_pass(&self, pass_id: i64) -> Result<(), StoreError>;
}
