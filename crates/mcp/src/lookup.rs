//! Finding a record across both systems and explaining why it did or did not sync, from the
//! store's state: the index of seen records, cross-references, the queues and the audit log.

use serde_json::{Value, json};
use tandem_engine::System;
use tandem_engine::matching::{email_key, name_key};
use tandem_engine::queues::{conflict_json, dead_letter_json, fields_json, review_json};
use tandem_engine::state::{
    ConflictStatus, DeadLetterStatus, ReviewStatus, SeenRecord, StoreError, StoredAuditEntry,
    StoredConflict, StoredDeadLetter, StoredReview, Xref,
};

use crate::host::GatewayBackend;
use crate::live::LiveResult;

/// How many seen records one search returns at most.
const MAX_MATCHES: usize = 20;

/// How many of the newest audit entries are searched for a record's last decision.
const AUDIT_WINDOW: usize = 2000;

/// A record in the store, with the state of its sync.
#[derive(Debug, Clone)]
pub struct RecordFacts {
    pub system: System,
    pub object: Option<String>,
    pub id: String,
    pub seen: Option<SeenRecord>,
    /// The cross-references that hold the record, with their flow.
    pub xrefs: Vec<Xref>,
    pub dead_letters: Vec<StoredDeadLetter>,
    pub reviews: Vec<StoredReview>,
    pub conflicts: Vec<StoredConflict>,
    /// Flows that leave the record out for good, with the reason.
    pub excluded: Vec<(String, String)>,
    /// The newest decision about the record in the audit log.
    pub last_decision: Option<StoredAuditEntry>,
}

/// Finds the records whose ID, stored link, name, email or a whole mapped value equals
/// `query`, on either side, and gathers their facts.
pub async fn find(
    store: &dyn GatewayBackend,
    flows: &[String],
    query: &str,
) -> Result<Vec<RecordFacts>, StoreError> {
    let query = query.trim();
    let seen = store
        .search_seen(
            query,
            name_key(query).as_deref(),
            email_key(query).as_deref(),
            MAX_MATCHES,
        )
        .await?;
    let mut found = Vec::new();
    for record in seen {
        let facts = facts(
            store,
            flows,
            record.system,
            &record.id,
            Some(record.clone()),
        )
        .await?;
        found.push(facts);
    }
    if found.is_empty() {
        // A record a flow wrote but never read back is only in the cross-references.
        for system in [System::NetSuite, System::Salesforce] {
            let facts = facts(store, flows, system, query, None).await?;
            if !facts.xrefs.is_empty() || !facts.dead_letters.is_empty() {
                found.push(facts);
            }
        }
    }
    Ok(found)
}

/// Finds `query` in the store (see [`find`]) and, with `live`, among the records a live
/// look-up returned, and renders each record once as JSON: its facts from the store (its
/// cross-references and sync outcome; `unknown` when Tandem never read it) and, under `live`,
/// the record as the API returned it. `source` says where it was found: `store`, `live` or
/// `store and live`.
pub async fn find_merged(
    store: &dyn GatewayBackend,
    flows: &[String],
    query: &str,
    live: Option<&LiveResult>,
) -> Result<Vec<(RecordFacts, Value)>, StoreError> {
    let mut merged: Vec<(RecordFacts, Value)> = Vec::new();
    for facts in find(store, flows, query).await? {
        let mut value = facts.to_json();
        value["source"] = Value::from("store");
        merged.push((facts, value));
    }
    let Some(live) = live else {
        return Ok(merged);
    };
    for record in &live.records {
        let known = merged
            .iter_mut()
            .find(|(facts, _)| facts.system == record.system && facts.id == record.record.id);
        if let Some((_, value)) = known {
            value["live"] = record.to_json();
            value["source"] = Value::from("store and live");
            continue;
        }
        let mut facts = facts(store, flows, record.system, &record.record.id, None).await?;
        facts.object = Some(record.object.clone());
        let mut value = facts.to_json();
        value["live"] = record.to_json();
        value["source"] = Value::from("live");
        merged.push((facts, value));
    }
    Ok(merged)
}

/// Gathers the store's facts about one record.
pub async fn facts(
    store: &dyn GatewayBackend,
    flows: &[String],
    system: System,
    id: &str,
    seen: Option<SeenRecord>,
) -> Result<RecordFacts, StoreError> {
    let mut xrefs = Vec::new();
    let mut excluded = Vec::new();
    for flow in flows {
        if let Some(xref) = store.xref(flow, system, id).await? {
            xrefs.push(xref);
        }
        if store.is_excluded(flow, system, id).await? {
            excluded.push((flow.clone(), "its counterpart was deleted".to_string()));
        }
    }
    let dead_letters: Vec<StoredDeadLetter> = store
        .dead_letters(None, None)
        .await?
        .into_iter()
        .filter(|stored| {
            let letter = &stored.letter;
            (letter.source_system == system && letter.source_id == id)
                || (letter.source_system == system.other()
                    && letter.target_id.as_deref() == Some(id))
        })
        .collect();
    let reviews: Vec<StoredReview> = store
        .reviews(None, None)
        .await?
        .into_iter()
        .filter(|review| review.item.system == system && review.item.record_id == id)
        .collect();
    let mut conflicts = Vec::new();
    for xref in &xrefs {
        conflicts.extend(store.pair_conflicts(&xref.flow, &xref.ns_id).await?);
    }
    let last_decision = last_decision(store, system, id).await?;
    Ok(RecordFacts {
        system,
        object: seen.as_ref().map(|record| record.object.clone()),
        id: id.to_string(),
        seen,
        xrefs,
        dead_letters,
        reviews,
        conflicts,
        excluded,
        last_decision,
    })
}

async fn last_decision(
    store: &dyn GatewayBackend,
    system: System,
    id: &str,
) -> Result<Option<StoredAuditEntry>, StoreError> {
    let entries = store.audit_entries(None, AUDIT_WINDOW).await?;
    Ok(entries.into_iter().find(|stored| {
        let entry = &stored.entry;
        match system {
            System::NetSuite => entry.ns_id.as_deref() == Some(id),
            System::Salesforce => entry.sf_id.as_deref() == Some(id),
        }
    }))
}

/// Renders an audit entry for a tool result.
fn decision_json(stored: &StoredAuditEntry) -> Value {
    json!({
        "at": stored.at,
        "flow": stored.entry.flow,
        "kind": stored.entry.kind,
        "netsuite_id": stored.entry.ns_id,
        "salesforce_id": stored.entry.sf_id,
        "decision": stored.entry.decision,
    })
}

impl RecordFacts {
    /// Renders the facts as JSON, with the sync outcome and its reasons.
    pub fn to_json(&self) -> Value {
        let xrefs: Vec<Value> = self
            .xrefs
            .iter()
            .map(|xref| json!({"flow": xref.flow, "netsuite_id": xref.ns_id, "salesforce_id": xref.sf_id}))
            .collect();
        json!({
            "system": self.system,
            "object": self.object,
            "id": self.id,
            "link": self.seen.as_ref().and_then(|seen| seen.link.clone()),
            "values": self.seen.as_ref().map(|seen| fields_json(&seen.values)),
            "cross_references": xrefs,
            "status": self.status(),
            "reasons": self.reasons(),
            "last_decision": self.last_decision.as_ref().map(decision_json),
            "dead_letters": self.dead_letters.iter().map(dead_letter_json).collect::<Vec<_>>(),
            "review_items": self.reviews.iter().map(review_json).collect::<Vec<_>>(),
            "conflicts": self.conflicts.iter().map(conflict_json).collect::<Vec<_>>(),
        })
    }

    fn open_letters(&self) -> impl Iterator<Item = &StoredDeadLetter> {
        self.dead_letters.iter().filter(|stored| {
            matches!(
                stored.status,
                DeadLetterStatus::Open | DeadLetterStatus::Requested
            )
        })
    }

    fn open_reviews(&self) -> impl Iterator<Item = &StoredReview> {
        self.reviews
            .iter()
            .filter(|review| review.status != ReviewStatus::Done)
    }

    fn open_conflicts(&self) -> impl Iterator<Item = &StoredConflict> {
        self.conflicts
            .iter()
            .filter(|stored| stored.status != ConflictStatus::Done)
    }

    /// Returns the sync outcome in one word: `dead_letter`, `review`, `conflict`, `excluded`,
    /// `synced`, `filtered` (a flow left it out), `not_synced` (read but neither linked nor
    /// written) or `unknown` (never read).
    pub fn status(&self) -> &'static str {
        if self.open_letters().next().is_some() {
            "dead_letter"
        } else if self.open_reviews().next().is_some() {
            "review"
        } else if self.open_conflicts().next().is_some() {
            "conflict"
        } else if !self.excluded.is_empty() {
            "excluded"
        } else if !self.xrefs.is_empty() || self.last_kind_is(&["create", "update", "link"]) {
            "synced"
        } else if self.last_kind_is(&["skip"]) {
            "filtered"
        } else if self.seen.is_some() {
            "not_synced"
        } else {
            "unknown"
        }
    }

    /// Explains, in sentences, why the record did or did not sync and what would fix it.
    pub fn reasons(&self) -> Vec<String> {
        let mut reasons = Vec::new();
        for stored in self.open_letters() {
            let letter = &stored.letter;
            reasons.push(format!(
                "{} refused the {} for flow {}: {} {} (dead letter {}, {} attempts, {}). Fix \
                 the data the error names, then call replay_dead_letter with id {}, or \
                 discard_dead_letter to give up.",
                letter.source_system.other(),
                letter.action,
                letter.flow,
                letter.error.code,
                letter.error.message,
                stored.id,
                stored.attempts,
                stored.status,
                stored.id
            ));
        }
        for review in self.open_reviews() {
            let item = &review.item;
            reasons.push(format!(
                "Flow {} found {} possible match(es) on the other side but none sure enough to \
                 link (review item {}, {}). Nothing is written until resolve_review links it, \
                 creates a new record, or rejects it.",
                item.flow,
                item.candidates.len(),
                review.id,
                review.status.as_str()
            ));
        }
        for stored in self.open_conflicts() {
            let conflict = &stored.conflict;
            reasons.push(format!(
                "Field {}/{} changed on both sides under the manual policy (conflict {}, {}); \
                 neither value is written until resolve_conflict picks a side.",
                conflict.netsuite_field,
                conflict.salesforce_field,
                stored.id,
                stored.status.as_str()
            ));
        }
        for (flow, reason) in &self.excluded {
            reasons.push(format!(
                "Flow {flow} leaves this record out for good because {reason}."
            ));
        }
        if reasons.is_empty() {
            reasons.push(self.default_reason());
        }
        reasons
    }

    /// Returns true when the newest audit entry of the record is of one of these kinds.
    fn last_kind_is(&self, kinds: &[&str]) -> bool {
        self.last_decision
            .as_ref()
            .is_some_and(|stored| kinds.contains(&stored.entry.kind.as_str()))
    }

    /// Returns the record on the other side that a flow created or updated from this one.
    pub fn written_counterpart(&self, flow: &str) -> Option<String> {
        let stored = self.last_decision.as_ref()?;
        let entry = &stored.entry;
        if entry.flow != flow || !matches!(entry.kind.as_str(), "create" | "update") {
            return None;
        }
        match self.system {
            System::NetSuite => entry.sf_id.clone(),
            System::Salesforce => entry.ns_id.clone(),
        }
    }

    fn default_reason(&self) -> String {
        if let Some(stored) = &self.last_decision
            && self.xrefs.is_empty()
        {
            let entry = &stored.entry;
            match entry.kind.as_str() {
                "skip" => {
                    return format!(
                        "Flow {} {} at {}: its conditions do not take this record, so \
                         nothing was written. It is read again when it changes.",
                        entry.flow, entry.decision, stored.at
                    );
                }
                "create" | "update" => {
                    return format!(
                        "In sync: flow {} {} at {}.",
                        entry.flow, entry.decision, stored.at
                    );
                }
                _ => {}
            }
        }
        if let Some(xref) = self.xrefs.first() {
            return format!(
                "In sync: flow {} links NetSuite {} and Salesforce {}.",
                xref.flow, xref.ns_id, xref.sf_id
            );
        }
        if self.seen.is_some() {
            return "Tandem read this record but no flow linked or wrote it, and nothing about \
                    it waits in a queue: the flow's filter left it out (for example an \
                    Opportunity that is not Closed Won, or an Account that onboarding does \
                    not take yet), or its flow is disabled. Check the flow's conditions in \
                    the configuration."
                .to_string();
        }
        "Tandem has not read this record: no enabled flow covers its object, it has not \
         changed since the flow's watermark, or the ID is wrong."
            .to_string()
    }
}
