//! A [`crate::state::Store`] kept in memory, for tests. Nothing survives the process.

mod queues;
mod work;

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;
use chrono::Utc;

use crate::error::RemoteError;
use crate::record::{Fields, System};
use crate::state::{
    DeadLetter, DeadLetterStatus, DeadLetterStore, Processed, RunStatus, SeenRecord, StateStore,
    StoreError, StoredAuditEntry, StoredConflict, StoredDeadLetter, StoredReview, Watermark, Xref,
};

type RecordKey = (System, String, String);

#[derive(Default)]
pub(crate) struct Inner {
    identities: HashMap<System, String>,
    excluded: HashMap<(String, System, String), String>,
    flow_values: HashMap<(String, String), String>,
    watermarks: HashMap<(String, System, String), Watermark>,
    seen: HashMap<RecordKey, SeenRecord>,
    processed: HashMap<RecordKey, Processed>,
    xrefs: Vec<Xref>,
    dead_letters: Vec<StoredDeadLetter>,
    reviews: Vec<StoredReview>,
    conflicts: Vec<StoredConflict>,
    audit: Vec<StoredAuditEntry>,
    runs: Vec<(String, RunStatus, serde_json::Value, Option<String>)>,
    work_passes: Vec<crate::state::WorkPass>,
    work_items: Vec<work::MemoryItem>,
    /// The last ID given to a work pass or item.
    work_ids: i64,
}

/// An in-memory store with the same behaviour as the durable ones.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

impl MemoryStore {
    /// Returns an empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Returns every cross-reference, in the order they were first saved.
    pub fn xrefs(&self) -> Vec<Xref> {
        self.lock().xrefs.clone()
    }

    /// Returns how many runs were recorded, with their status.
    pub fn run_statuses(&self) -> Vec<RunStatus> {
        self.lock().runs.iter().map(|run| run.1).collect()
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic while the lock was held leaves plain data behind; keep using it.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn key(system: System, object: &str, id: &str) -> RecordKey {
    (system, object.to_string(), id.to_string())
}

#[async_trait]
impl StateStore for MemoryStore {
    async fn watermark(
        &self,
        flow: &str,
        system: System,
        object: &str,
    ) -> Result<Option<Watermark>, StoreError> {
        let key = (flow.to_string(), system, object.to_string());
        Ok(self.lock().watermarks.get(&key).cloned())
    }

    async fn set_watermark(
        &self,
        flow: &str,
        system: System,
        object: &str,
        watermark: &Watermark,
    ) -> Result<(), StoreError> {
        let key = (flow.to_string(), system, object.to_string());
        self.lock().watermarks.insert(key, watermark.clone());
        Ok(())
    }

    async fn identity(&self, system: System) -> Result<Option<String>, StoreError> {
        Ok(self.lock().identities.get(&system).cloned())
    }

    async fn set_identity(&self, system: System, identity: &str) -> Result<(), StoreError> {
        self.lock().identities.insert(system, identity.to_string());
        Ok(())
    }

    async fn remember(&self, records: &[SeenRecord]) -> Result<(), StoreError> {
        let mut inner = self.lock();
        for record in records {
            let key = key(record.system, &record.object, &record.id);
            inner.seen.insert(key, record.clone());
        }
        Ok(())
    }

    async fn processed(
        &self,
        system: System,
        object: &str,
        id: &str,
    ) -> Result<Option<Processed>, StoreError> {
        Ok(self.lock().processed.get(&key(system, object, id)).cloned())
    }

    async fn processed_batch(
        &self,
        system: System,
        object: &str,
        ids: &[String],
    ) -> Result<HashMap<String, Processed>, StoreError> {
        let inner = self.lock();
        let found = ids.iter().filter_map(|id| {
            let processed = inner.processed.get(&key(system, object, id))?;
            Some((id.clone(), processed.clone()))
        });
        Ok(found.collect())
    }

    async fn mark_processed(
        &self,
        system: System,
        object: &str,
        records: &[(String, Processed)],
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        for (id, processed) in records {
            inner
                .processed
                .insert(key(system, object, id), processed.clone());
        }
        Ok(())
    }

    async fn find_by_key(
        &self,
        system: System,
        object: &str,
        name_key: Option<&str>,
        email_key: Option<&str>,
    ) -> Result<Vec<SeenRecord>, StoreError> {
        let inner = self.lock();
        let mut found: Vec<SeenRecord> = inner
            .seen
            .values()
            .filter(|seen| seen.system == system && seen.object == object)
            .filter(|seen| {
                let by_name = name_key.is_some() && seen.name_key.as_deref() == name_key;
                let by_email = email_key.is_some() && seen.email_key.as_deref() == email_key;
                by_name || by_email
            })
            .cloned()
            .collect();
        found.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(found)
    }

    async fn seen(
        &self,
        system: System,
        object: &str,
        id: &str,
    ) -> Result<Option<SeenRecord>, StoreError> {
        Ok(self.lock().seen.get(&key(system, object, id)).cloned())
    }

    async fn unlinked(
        &self,
        flow: &str,
        system: System,
        object: &str,
    ) -> Result<Vec<SeenRecord>, StoreError> {
        let inner = self.lock();
        let linked = |id: &str| {
            inner
                .xrefs
                .iter()
                .any(|xref| xref.flow == flow && xref.id(system) == id)
        };
        let mut found: Vec<SeenRecord> = inner
            .seen
            .values()
            .filter(|seen| seen.system == system && seen.object == object)
            .filter(|seen| !linked(&seen.id))
            .cloned()
            .collect();
        found.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(found)
    }

    async fn find_by_link(
        &self,
        system: System,
        object: &str,
        link: &str,
    ) -> Result<Vec<SeenRecord>, StoreError> {
        let inner = self.lock();
        let mut found: Vec<SeenRecord> = inner
            .seen
            .values()
            .filter(|seen| seen.system == system && seen.object == object)
            .filter(|seen| seen.link.as_deref() == Some(link))
            .cloned()
            .collect();
        found.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(found)
    }

    async fn find_by_link_batch(
        &self,
        system: System,
        object: &str,
        links: &[String],
    ) -> Result<HashMap<String, Vec<SeenRecord>>, StoreError> {
        let requested: HashSet<&str> = links.iter().map(String::as_str).collect();
        let inner = self.lock();
        let mut found: HashMap<String, Vec<SeenRecord>> = HashMap::new();
        for seen in inner.seen.values() {
            if seen.system != system || seen.object != object {
                continue;
            }
            if let Some(link) = seen.link.as_deref().filter(|link| requested.contains(link)) {
                found
                    .entry(link.to_string())
                    .or_default()
                    .push(seen.clone());
            }
        }
        for records in found.values_mut() {
            records.sort_by(|a, b| a.id.cmp(&b.id));
        }
        Ok(found)
    }

    async fn xref(&self, flow: &str, system: System, id: &str) -> Result<Option<Xref>, StoreError> {
        let inner = self.lock();
        let found = inner
            .xrefs
            .iter()
            .find(|xref| xref.flow == flow && xref.id(system) == id);
        Ok(found.cloned())
    }

    async fn xref_batch(
        &self,
        flow: &str,
        system: System,
        ids: &[String],
    ) -> Result<HashMap<String, Xref>, StoreError> {
        let requested: HashSet<&str> = ids.iter().map(String::as_str).collect();
        let inner = self.lock();
        let found = inner
            .xrefs
            .iter()
            .filter(|xref| xref.flow == flow && requested.contains(xref.id(system)))
            .map(|xref| (xref.id(system).to_string(), xref.clone()));
        Ok(found.collect())
    }

    async fn save_xref(&self, xref: &Xref) -> Result<(), StoreError> {
        self.save_xref_batch(std::slice::from_ref(xref)).await
    }

    async fn save_xref_batch(&self, xrefs: &[Xref]) -> Result<(), StoreError> {
        let mut inner = self.lock();
        for xref in xrefs {
            // Either side's ID identifies a pair, so replacing by both keeps each record in one
            // pair.
            inner.xrefs.retain(|kept| {
                kept.flow != xref.flow || (kept.ns_id != xref.ns_id && kept.sf_id != xref.sf_id)
            });
            inner.xrefs.push(xref.clone());
        }
        Ok(())
    }

    async fn delete_xref(&self, flow: &str, system: System, id: &str) -> Result<(), StoreError> {
        self.lock()
            .xrefs
            .retain(|xref| xref.flow != flow || xref.id(system) != id);
        Ok(())
    }

    async fn exclude(
        &self,
        flow: &str,
        system: System,
        id: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        let key = (flow.to_string(), system, id.to_string());
        self.lock().excluded.insert(key, reason.to_string());
        Ok(())
    }

    async fn is_excluded(&self, flow: &str, system: System, id: &str) -> Result<bool, StoreError> {
        let key = (flow.to_string(), system, id.to_string());
        Ok(self.lock().excluded.contains_key(&key))
    }

    async fn excluded_batch(
        &self,
        flow: &str,
        system: System,
        ids: &[String],
    ) -> Result<HashSet<String>, StoreError> {
        let inner = self.lock();
        let excluded = ids.iter().filter(|id| {
            let key = (flow.to_string(), system, id.to_string());
            inner.excluded.contains_key(&key)
        });
        Ok(excluded.cloned().collect())
    }

    async fn flow_value(&self, flow: &str, key: &str) -> Result<Option<String>, StoreError> {
        let key = (flow.to_string(), key.to_string());
        Ok(self.lock().flow_values.get(&key).cloned())
    }

    async fn set_flow_value(
        &self,
        flow: &str,
        key: &str,
        value: Option<&str>,
    ) -> Result<(), StoreError> {
        let key = (flow.to_string(), key.to_string());
        let mut inner = self.lock();
        match value {
            Some(value) => inner.flow_values.insert(key, value.to_string()),
            None => inner.flow_values.remove(&key),
        };
        Ok(())
    }

    async fn forget(&self, system: System, object: &str, id: &str) -> Result<(), StoreError> {
        let mut inner = self.lock();
        inner.seen.remove(&key(system, object, id));
        Ok(())
    }

    async fn start_run(&self, flow: &str) -> Result<i64, StoreError> {
        let mut inner = self.lock();
        let run = (
            flow.to_string(),
            RunStatus::Running,
            serde_json::Value::Null,
            None,
        );
        inner.runs.push(run);
        Ok(inner.runs.len() as i64)
    }

    async fn finish_run(
        &self,
        run_id: i64,
        status: RunStatus,
        counts: &serde_json::Value,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let index = usize::try_from(run_id - 1).ok();
        if let Some(run) = index.and_then(|i| inner.runs.get_mut(i)) {
            run.1 = status;
            run.2 = counts.clone();
            run.3 = error.map(str::to_string);
        }
        Ok(())
    }
}

#[async_trait]
impl DeadLetterStore for MemoryStore {
    async fn add_dead_letter(&self, letter: &DeadLetter) -> Result<i64, StoreError> {
        let mut inner = self.lock();
        let now = Utc::now();
        let open = inner.dead_letters.iter_mut().find(|stored| {
            stored.status == DeadLetterStatus::Open
                && stored.letter.flow == letter.flow
                && stored.letter.source_system == letter.source_system
                && stored.letter.source_id == letter.source_id
                && stored.letter.action == letter.action
        });
        if let Some(stored) = open {
            stored.letter = letter.clone();
            stored.attempts += 1;
            stored.updated_at = now;
            return Ok(stored.id);
        }
        let id = inner.dead_letters.len() as i64 + 1;
        inner.dead_letters.push(StoredDeadLetter {
            id,
            created_at: now,
            updated_at: now,
            status: DeadLetterStatus::Open,
            attempts: 1,
            letter: letter.clone(),
        });
        Ok(id)
    }

    async fn dead_letters(
        &self,
        flow: Option<&str>,
        status: Option<DeadLetterStatus>,
    ) -> Result<Vec<StoredDeadLetter>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .dead_letters
            .iter()
            .filter(|stored| flow.is_none_or(|flow| stored.letter.flow == flow))
            .filter(|stored| status.is_none_or(|status| stored.status == status))
            .cloned()
            .collect())
    }

    async fn dead_letter(&self, id: i64) -> Result<Option<StoredDeadLetter>, StoreError> {
        let inner = self.lock();
        Ok(inner
            .dead_letters
            .iter()
            .find(|stored| stored.id == id)
            .cloned())
    }

    async fn set_dead_letter_payload(&self, id: i64, payload: &Fields) -> Result<(), StoreError> {
        self.change_dead_letter(id, |stored| stored.letter.payload = payload.clone())
    }

    async fn set_dead_letter_error(&self, id: i64, error: &RemoteError) -> Result<(), StoreError> {
        self.change_dead_letter(id, |stored| {
            stored.letter.error = error.clone();
            stored.attempts += 1;
        })
    }

    async fn set_dead_letter_status(
        &self,
        id: i64,
        status: DeadLetterStatus,
    ) -> Result<(), StoreError> {
        self.change_dead_letter(id, |stored| stored.status = status)
    }

    async fn resolve_dead_letters(
        &self,
        flow: &str,
        source_system: System,
        source_id: &str,
        action: &str,
    ) -> Result<u64, StoreError> {
        let ids = [source_id.to_string()];
        let resolved = self
            .resolve_dead_letters_batch(flow, source_system, &ids, action)
            .await?;
        Ok(resolved.len() as u64)
    }

    async fn resolve_dead_letters_batch(
        &self,
        flow: &str,
        source_system: System,
        source_ids: &[String],
        action: &str,
    ) -> Result<Vec<String>, StoreError> {
        let ids: HashSet<&str> = source_ids.iter().map(String::as_str).collect();
        let mut inner = self.lock();
        let mut resolved = Vec::new();
        for stored in inner.dead_letters.iter_mut() {
            if stored.status == DeadLetterStatus::Open
                && stored.letter.flow == flow
                && stored.letter.source_system == source_system
                && ids.contains(stored.letter.source_id.as_str())
                && stored.letter.action == action
            {
                stored.status = DeadLetterStatus::Resolved;
                stored.updated_at = Utc::now();
                resolved.push(stored.letter.source_id.clone());
            }
        }
        Ok(resolved)
    }
}

impl MemoryStore {
    fn change_dead_letter(
        &self,
        id: i64,
        change: impl FnOnce(&mut StoredDeadLetter),
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        let stored = inner.dead_letters.iter_mut().find(|stored| stored.id == id);
        let Some(stored) = stored else {
            return Err(StoreError {
                message: format!("dead letter {id} not found"),
                cause: None,
            });
        };
        change(stored);
        stored.updated_at = Utc::now();
        Ok(())
    }
}
