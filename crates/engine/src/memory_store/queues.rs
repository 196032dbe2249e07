//! The review queue, the conflict queue and the audit log, in memory.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::Utc;

use super::MemoryStore;
use crate::record::System;
use crate::state::{
    AuditEntry, Conflict, ConflictStatus, ConflictStore, ReviewDecision, ReviewItem, ReviewStatus,
    ReviewStore, StoreError, StoredAuditEntry, StoredConflict, StoredReview,
};

fn not_found(kind: &str, id: i64) -> StoreError {
    StoreError {
        message: format!("{kind} {id} not found"),
        cause: None,
    }
}

#[async_trait]
impl ReviewStore for MemoryStore {
    async fn add_review(&self, item: &ReviewItem) -> Result<i64, StoreError> {
        let mut inner = self.lock();
        let now = Utc::now();
        let open = inner.reviews.iter_mut().find(|stored| {
            stored.status != ReviewStatus::Done
                && stored.item.flow == item.flow
                && stored.item.system == item.system
                && stored.item.record_id == item.record_id
        });
        if let Some(stored) = open {
            stored.item = item.clone();
            stored.updated_at = now;
            return Ok(stored.id);
        }
        let id = inner.reviews.len() as i64 + 1;
        inner.reviews.push(StoredReview {
            id,
            created_at: now,
            updated_at: now,
            status: ReviewStatus::Pending,
            decision: ReviewDecision::Pending,
            item: item.clone(),
        });
        Ok(id)
    }

    async fn reviews(
        &self,
        flow: Option<&str>,
        status: Option<ReviewStatus>,
    ) -> Result<Vec<StoredReview>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .reviews
            .iter()
            .filter(|stored| flow.is_none_or(|flow| stored.item.flow == flow))
            .filter(|stored| status.is_none_or(|status| stored.status == status))
            .cloned()
            .collect())
    }

    async fn review(&self, id: i64) -> Result<Option<StoredReview>, StoreError> {
        let inner = self.lock();
        Ok(inner.reviews.iter().find(|stored| stored.id == id).cloned())
    }

    async fn open_review(
        &self,
        flow: &str,
        system: System,
        record_id: &str,
    ) -> Result<Option<StoredReview>, StoreError> {
        let inner = self.lock();
        let found = inner.reviews.iter().find(|stored| {
            stored.status != ReviewStatus::Done
                && stored.item.flow == flow
                && stored.item.system == system
                && stored.item.record_id == record_id
        });
        Ok(found.cloned())
    }

    async fn decide_review(&self, id: i64, decision: &ReviewDecision) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let stored = inner.reviews.iter_mut().find(|stored| stored.id == id);
        let stored = stored.ok_or_else(|| not_found("review item", id))?;
        stored.decision = decision.clone();
        stored.status = match decision {
            ReviewDecision::Pending => ReviewStatus::Pending,
            _ => ReviewStatus::Decided,
        };
        stored.updated_at = Utc::now();
        Ok(())
    }

    async fn finish_review(&self, id: i64) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let stored = inner.reviews.iter_mut().find(|stored| stored.id == id);
        let stored = stored.ok_or_else(|| not_found("review item", id))?;
        stored.status = ReviewStatus::Done;
        stored.updated_at = Utc::now();
        Ok(())
    }
}

#[async_trait]
impl ConflictStore for MemoryStore {
    async fn add_conflict(&self, conflict: &Conflict) -> Result<i64, StoreError> {
        let mut inner = self.lock();
        let now = Utc::now();
        let open = inner.conflicts.iter_mut().find(|stored| {
            stored.status == ConflictStatus::Open
                && stored.conflict.flow == conflict.flow
                && stored.conflict.ns_id == conflict.ns_id
                && stored.conflict.netsuite_field == conflict.netsuite_field
        });
        if let Some(stored) = open {
            stored.conflict = conflict.clone();
            stored.updated_at = now;
            return Ok(stored.id);
        }
        let id = inner.conflicts.len() as i64 + 1;
        inner.conflicts.push(StoredConflict {
            id,
            created_at: now,
            updated_at: now,
            status: ConflictStatus::Open,
            winner: None,
            conflict: conflict.clone(),
        });
        Ok(id)
    }

    async fn conflicts(
        &self,
        flow: Option<&str>,
        status: Option<ConflictStatus>,
    ) -> Result<Vec<StoredConflict>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .conflicts
            .iter()
            .filter(|stored| flow.is_none_or(|flow| stored.conflict.flow == flow))
            .filter(|stored| status.is_none_or(|status| stored.status == status))
            .cloned()
            .collect())
    }

    async fn conflict(&self, id: i64) -> Result<Option<StoredConflict>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .conflicts
            .iter()
            .find(|stored| stored.id == id)
            .cloned())
    }

    async fn pair_conflicts(
        &self,
        flow: &str,
        ns_id: &str,
    ) -> Result<Vec<StoredConflict>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .conflicts
            .iter()
            .filter(|stored| stored.status != ConflictStatus::Done)
            .filter(|stored| stored.conflict.flow == flow && stored.conflict.ns_id == ns_id)
            .cloned()
            .collect())
    }

    async fn pair_conflicts_batch(
        &self,
        flow: &str,
        ns_ids: &[String],
    ) -> Result<HashMap<String, Vec<StoredConflict>>, StoreError> {
        let requested: HashSet<&str> = ns_ids.iter().map(String::as_str).collect();
        let inner = self.lock();
        let mut found: HashMap<String, Vec<StoredConflict>> = HashMap::new();
        for stored in &inner.conflicts {
            let conflict = &stored.conflict;
            if stored.status != ConflictStatus::Done
                && conflict.flow == flow
                && requested.contains(conflict.ns_id.as_str())
            {
                let of_pair = found.entry(conflict.ns_id.clone()).or_default();
                of_pair.push(stored.clone());
            }
        }
        Ok(found)
    }

    async fn decide_conflict(&self, id: i64, winner: System) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let stored = inner.conflicts.iter_mut().find(|stored| stored.id == id);
        let stored = stored.ok_or_else(|| not_found("conflict", id))?;
        stored.winner = Some(winner);
        stored.status = ConflictStatus::Decided;
        stored.updated_at = Utc::now();
        Ok(())
    }

    async fn finish_conflict(&self, id: i64) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let stored = inner.conflicts.iter_mut().find(|stored| stored.id == id);
        let stored = stored.ok_or_else(|| not_found("conflict", id))?;
        stored.status = ConflictStatus::Done;
        stored.updated_at = Utc::now();
        Ok(())
    }

    async fn audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.audit_batch(std::slice::from_ref(entry)).await
    }

    async fn audit_batch(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        let mut inner = self.lock();
        for entry in entries {
            let id = inner.audit.len() as i64 + 1;
            inner.audit.push(StoredAuditEntry {
                id,
                at: Utc::now(),
                entry: entry.clone(),
            });
        }
        Ok(())
    }

    async fn audit_entries(
        &self,
        flow: Option<&str>,
        limit: usize,
    ) -> Result<Vec<StoredAuditEntry>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .audit
            .iter()
            .rev()
            .filter(|stored| flow.is_none_or(|flow| stored.entry.flow == flow))
            .take(limit)
            .cloned()
            .collect())
    }
}
