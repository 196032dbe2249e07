//! A person's (or an agent's) decisions on the queues that wait for one: dead letters, the
//! review queue and the conflict queue, with their JSON views. The command line and the MCP
//! gateway both act through these, so a decision is checked and audited the same way.

use serde_json::{Value, json};

use crate::one_way::SYNC_ACTION;
use crate::record::{FieldValue, Fields, System};
use crate::state::{
    AuditEntry, ConflictStatus, ConflictStore, DeadLetterStatus, DeadLetterStore, ReviewDecision,
    ReviewStatus, ReviewStore, StoreError, StoredConflict, StoredDeadLetter, StoredReview,
};

/// The reason a queue decision was not taken.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// No item of this kind has this ID.
    #[error("{kind} {id} not found")]
    NotFound { kind: &'static str, id: i64 },
    /// The item is past the status the decision needs. `rule` names the statuses that take it.
    #[error("{kind} {id} is {status} already; {rule}")]
    WrongStatus {
        kind: &'static str,
        id: i64,
        status: &'static str,
        rule: &'static str,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Records a decision on a pending review item, for the next pass to carry out, and audits it
/// as made by `by` (`a person`, `MCP client NAME`).
pub async fn decide_review<S: ReviewStore + ConflictStore + ?Sized>(
    store: &S,
    id: i64,
    decision: &ReviewDecision,
    by: &str,
) -> Result<StoredReview, QueueError> {
    let review = store
        .review(id)
        .await?
        .ok_or(QueueError::NotFound { kind: "review", id })?;
    if review.status != ReviewStatus::Pending {
        return Err(QueueError::WrongStatus {
            kind: "review",
            id,
            status: review.status.as_str(),
            rule: "only pending items take a decision",
        });
    }
    if let ReviewDecision::Link(target) = decision
        && !review.item.candidates.iter().any(|c| &c.id == target)
    {
        tracing::warn!(review = id, target = %target, "the target is not one of the candidates");
    }
    store.decide_review(id, decision).await?;
    let item = &review.item;
    let (ns_id, sf_id) = match item.system {
        System::NetSuite => (Some(item.record_id.clone()), None),
        System::Salesforce => (None, Some(item.record_id.clone())),
    };
    let entry = AuditEntry {
        flow: item.flow.clone(),
        kind: "review".to_string(),
        ns_id,
        sf_id,
        field: None,
        netsuite_value: None,
        salesforce_value: None,
        decision: format!("decided by {by}: {decision} (review {id})"),
    };
    store.audit(&entry).await?;
    Ok(review)
}

/// Chooses the winning side of an open conflict, for the next pass to write, and audits it as
/// chosen by `by`.
pub async fn resolve_conflict<S: ConflictStore + ?Sized>(
    store: &S,
    id: i64,
    winner: System,
    by: &str,
) -> Result<StoredConflict, QueueError> {
    let stored = store.conflict(id).await?.ok_or(QueueError::NotFound {
        kind: "conflict",
        id,
    })?;
    if stored.status != ConflictStatus::Open {
        return Err(QueueError::WrongStatus {
            kind: "conflict",
            id,
            status: stored.status.as_str(),
            rule: "only open conflicts are resolved",
        });
    }
    store.decide_conflict(id, winner).await?;
    let conflict = &stored.conflict;
    let entry = AuditEntry {
        flow: conflict.flow.clone(),
        kind: "conflict".to_string(),
        ns_id: Some(conflict.ns_id.clone()),
        sf_id: Some(conflict.sf_id.clone()),
        field: Some(format!(
            "{}/{}",
            conflict.netsuite_field, conflict.salesforce_field
        )),
        netsuite_value: Some(conflict.netsuite_value.clone()),
        salesforce_value: Some(conflict.salesforce_value.clone()),
        decision: format!("{winner} chosen by {by} (conflict {id})"),
    };
    store.audit(&entry).await?;
    Ok(stored)
}

/// Drops an open or requested dead letter, so nothing is written for it.
pub async fn discard_dead_letter<S: DeadLetterStore + ?Sized>(
    store: &S,
    id: i64,
) -> Result<StoredDeadLetter, QueueError> {
    let stored = store.dead_letter(id).await?.ok_or(QueueError::NotFound {
        kind: "dead letter",
        id,
    })?;
    if matches!(
        stored.status,
        DeadLetterStatus::Resolved | DeadLetterStatus::Discarded
    ) {
        return Err(QueueError::WrongStatus {
            kind: "dead letter",
            id,
            status: stored.status.as_str(),
            rule: "only open or requested letters are discarded",
        });
    }
    store
        .set_dead_letter_status(id, DeadLetterStatus::Discarded)
        .await?;
    Ok(stored)
}

/// Renders a field value as JSON.
pub fn value_json(value: &FieldValue) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Renders field values as a JSON object.
pub fn fields_json(fields: &Fields) -> Value {
    serde_json::to_value(fields).unwrap_or(Value::Null)
}

/// Renders a dead letter as JSON.
pub fn dead_letter_json(stored: &StoredDeadLetter) -> Value {
    let letter = &stored.letter;
    json!({
        "id": stored.id,
        "status": stored.status.as_str(),
        "attempts": stored.attempts,
        "created_at": stored.created_at,
        "updated_at": stored.updated_at,
        "flow": letter.flow,
        "source_system": letter.source_system,
        "source_id": letter.source_id,
        "target_id": letter.target_id,
        "action": letter.action,
        "payload": fields_json(&letter.payload),
        "payload_editable": letter.action != SYNC_ACTION,
        "error": letter.error,
    })
}

/// Renders a review item with its candidates as JSON.
pub fn review_json(review: &StoredReview) -> Value {
    let item = &review.item;
    let candidates: Vec<Value> = item
        .candidates
        .iter()
        .map(|c| json!({"id": c.id, "values": fields_json(&c.values), "score": c.score}))
        .collect();
    json!({
        "id": review.id,
        "status": review.status.as_str(),
        "decision": review.decision.to_string(),
        "flow": item.flow,
        "system": item.system,
        "record_id": item.record_id,
        "values": fields_json(&item.values),
        "candidates": candidates,
        "created_at": review.created_at,
        "updated_at": review.updated_at,
    })
}

/// Renders a conflict as JSON.
pub fn conflict_json(stored: &StoredConflict) -> Value {
    let conflict = &stored.conflict;
    json!({
        "id": stored.id,
        "status": stored.status.as_str(),
        "winner": stored.winner,
        "flow": conflict.flow,
        "ns_id": conflict.ns_id,
        "sf_id": conflict.sf_id,
        "netsuite_field": conflict.netsuite_field,
        "salesforce_field": conflict.salesforce_field,
        "synced_value": value_json(&conflict.synced_value),
        "netsuite_value": value_json(&conflict.netsuite_value),
        "salesforce_value": value_json(&conflict.salesforce_value),
        "created_at": stored.created_at,
        "updated_at": stored.updated_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory_store::MemoryStore;
    use crate::state::{Conflict, ReviewItem};

    fn conflict() -> Conflict {
        Conflict {
            flow: "account-customer".to_string(),
            ns_id: "12".to_string(),
            sf_id: "001A".to_string(),
            netsuite_field: "phone".to_string(),
            salesforce_field: "Phone".to_string(),
            synced_value: FieldValue::Text("1".to_string()),
            netsuite_value: FieldValue::Text("2".to_string()),
            salesforce_value: FieldValue::Text("3".to_string()),
        }
    }

    #[tokio::test]
    async fn resolve_conflict_audits_the_decider() {
        let store = MemoryStore::default();
        let id = store.add_conflict(&conflict()).await.unwrap();
        resolve_conflict(&store, id, System::NetSuite, "MCP client ops")
            .await
            .unwrap();
        let entries = store.audit_entries(None, 10).await.unwrap();
        assert!(entries[0].entry.decision.contains("MCP client ops"));
    }

    #[tokio::test]
    async fn resolve_conflict_twice_is_rejected() {
        let store = MemoryStore::default();
        let id = store.add_conflict(&conflict()).await.unwrap();
        resolve_conflict(&store, id, System::NetSuite, "a person")
            .await
            .unwrap();
        let again = resolve_conflict(&store, id, System::Salesforce, "a person").await;
        assert!(matches!(again, Err(QueueError::WrongStatus { .. })));
    }

    #[tokio::test]
    async fn decide_review_of_missing_item_is_not_found() {
        let store = MemoryStore::default();
        let result = decide_review(&store, 7, &ReviewDecision::Create, "a person").await;
        assert!(matches!(
            result,
            Err(QueueError::NotFound {
                kind: "review",
                id: 7
            })
        ));
    }

    #[tokio::test]
    async fn decide_review_records_decision() {
        let store = MemoryStore::default();
        let item = ReviewItem {
            flow: "account-customer".to_string(),
            system: System::Salesforce,
            record_id: "001B".to_string(),
            values: Fields::new(),
            candidates: Vec::new(),
        };
        let id = store.add_review(&item).await.unwrap();
        decide_review(&store, id, &ReviewDecision::Reject, "a person")
            .await
            .unwrap();
        let stored = store.review(id).await.unwrap().unwrap();
        assert_eq!(stored.decision, ReviewDecision::Reject);
    }
}
