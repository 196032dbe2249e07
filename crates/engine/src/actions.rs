//! The actions a person takes on the queues (dead letters, the review queue, the conflict queue),
//! with the checks and audit entries that go with each action, and the JSON shape of every
//! queue item. The command line and the server both act through these functions, so a
//! decision made in the web UI is checked and audited exactly as one made in a terminal.

use serde_json::{Value, json};

use crate::flow::Flow;
use crate::one_way::SYNC_ACTION;
use crate::queues::{self, QueueError};
pub use crate::queues::{conflict_json, dead_letter_json, fields_json, review_json, value_json};
use crate::record::{Fields, System};
use crate::state::{
    AuditEntry, DeadLetterStatus, ReviewDecision, Store, StoreError, StoredAuditEntry,
    StoredConflict, StoredDeadLetter, StoredReview,
};

/// The reason an action on a queue item was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// No item of that kind has the ID.
    #[error("{kind} {id} not found; `tandem {command} list --status all` shows the IDs")]
    NotFound {
        kind: &'static str,
        command: &'static str,
        id: i64,
    },
    /// The item is past the state the action needs.
    #[error("{kind} {id} is {status} already; {rule}")]
    WrongStatus {
        kind: &'static str,
        id: i64,
        status: &'static str,
        rule: &'static str,
    },
    /// The dead letter is replayed from its source record, so its payload means nothing.
    #[error(
        "dead letter {id} of flow {flow} is replayed from its source record as it is then, not \
         from a payload; fix the {system} record {source_id} (or its parent) and replay it"
    )]
    NotEditable {
        id: i64,
        flow: String,
        system: System,
        source_id: String,
    },
    /// An edited payload names fields that the letter's flow does not use on the target side.
    #[error(
        "the edited payload names {system} fields that flow {flow} does not use: {}; use one \
         of {}. The payload is unchanged",
        unknown.join(", "),
        known.join(", ")
    )]
    UnknownFields {
        flow: String,
        system: System,
        unknown: Vec<String>,
        known: Vec<String>,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The actor the audit log names for actions taken through the command line or the web UI.
const BY_A_PERSON: &str = "a person";

impl From<QueueError> for ActionError {
    fn from(error: QueueError) -> ActionError {
        match error {
            QueueError::NotFound { kind, id } => ActionError::NotFound {
                kind,
                command: list_command(kind),
                id,
            },
            QueueError::WrongStatus {
                kind,
                id,
                status,
                rule,
            } => ActionError::WrongStatus {
                kind,
                id,
                status,
                rule,
            },
            QueueError::Store(error) => ActionError::Store(error),
        }
    }
}

/// Returns the `tandem` subcommand that lists items of `kind`.
fn list_command(kind: &str) -> &'static str {
    match kind {
        "review" => "review",
        "conflict" => "conflicts",
        _ => "dead-letters",
    }
}

/// Returns a dead letter, or [`ActionError::NotFound`].
pub async fn find_dead_letter(store: &dyn Store, id: i64) -> Result<StoredDeadLetter, ActionError> {
    store.dead_letter(id).await?.ok_or(ActionError::NotFound {
        kind: "dead letter",
        command: "dead-letters",
        id,
    })
}

/// Replaces an open dead letter's payload. Rejects letters of one-way flows, which replay from
/// the source record and ignore the payload, and payloads that name a field the letter's flow
/// does not use on the target side (see [`check_payload_fields`]). `flows` are the enabled
/// flows; the fields of a letter whose flow is not among them are not checked.
pub async fn edit_dead_letter(
    store: &dyn Store,
    flows: &[Box<dyn Flow>],
    id: i64,
    payload: &Fields,
) -> Result<(), ActionError> {
    let stored = find_dead_letter(store, id).await?;
    check_editable(&stored)?;
    if let Some(flow) = flows.iter().find(|flow| flow.name() == stored.letter.flow) {
        check_payload_fields(flow.as_ref(), &stored, payload)?;
    }
    if !matches!(
        stored.status,
        DeadLetterStatus::Open | DeadLetterStatus::Requested
    ) {
        return Err(ActionError::WrongStatus {
            kind: "dead letter",
            id,
            status: stored.status.as_str(),
            rule: "only open letters are edited",
        });
    }
    store.set_dead_letter_payload(id, payload).await?;
    Ok(())
}

/// Rejects editing the payload of a letter that is replayed from its source record.
pub fn check_editable(stored: &StoredDeadLetter) -> Result<(), ActionError> {
    if stored.letter.action == SYNC_ACTION {
        return Err(ActionError::NotEditable {
            id: stored.id,
            flow: stored.letter.flow.clone(),
            system: stored.letter.source_system,
            source_id: stored.letter.source_id.clone(),
        });
    }
    Ok(())
}

/// Rejects a payload that names a field `flow` does not read or write on the letter's target
/// side, because a replay sends the payload as it is and the target would reject the name.
pub fn check_payload_fields(
    flow: &dyn Flow,
    stored: &StoredDeadLetter,
    payload: &Fields,
) -> Result<(), ActionError> {
    let target = stored.letter.source_system.other();
    let mut known: Vec<String> = flow
        .fields()
        .into_iter()
        .filter(|used| used.system == target)
        .map(|used| used.field)
        .collect();
    known.sort();
    known.dedup();
    let unknown: Vec<String> = payload
        .keys()
        .filter(|name| !known.contains(name))
        .cloned()
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    Err(ActionError::UnknownFields {
        flow: stored.letter.flow.clone(),
        system: target,
        unknown,
        known,
    })
}

/// Marks an open dead letter for replay by the next pass of the process that has the store locked.
pub async fn request_replay(store: &dyn Store, id: i64) -> Result<(), ActionError> {
    let stored = find_dead_letter(store, id).await?;
    if stored.status != DeadLetterStatus::Open {
        return Err(ActionError::WrongStatus {
            kind: "dead letter",
            id,
            status: stored.status.as_str(),
            rule: "only open letters are replayed",
        });
    }
    store
        .set_dead_letter_status(id, DeadLetterStatus::Requested)
        .await?;
    Ok(())
}

/// Drops a dead letter that is not resolved or discarded yet (nothing will be written for it)
/// and audits the discard.
pub async fn discard_dead_letter(store: &dyn Store, id: i64) -> Result<(), ActionError> {
    let stored = queues::discard_dead_letter(store, id).await?;
    store
        .audit(&AuditEntry {
            flow: stored.letter.flow.clone(),
            kind: "dead_letter".to_string(),
            ns_id: side_id(&stored, System::NetSuite),
            sf_id: side_id(&stored, System::Salesforce),
            field: None,
            netsuite_value: None,
            salesforce_value: None,
            decision: format!("discarded by {BY_A_PERSON} (dead letter {id})"),
        })
        .await?;
    Ok(())
}

/// Returns the letter's record ID on `system`'s side, when the letter names one.
fn side_id(stored: &StoredDeadLetter, system: System) -> Option<String> {
    let letter = &stored.letter;
    if letter.source_system == system {
        Some(letter.source_id.clone())
    } else {
        letter.target_id.clone()
    }
}

/// Returns a review item, or [`ActionError::NotFound`].
pub async fn find_review(store: &dyn Store, id: i64) -> Result<StoredReview, ActionError> {
    store.review(id).await?.ok_or(ActionError::NotFound {
        kind: "review",
        command: "review",
        id,
    })
}

/// Records a person's decision on a pending review item and audits it; the next pass carries
/// it out. A link target outside the candidates is allowed (a person may know better)
/// and logged.
pub async fn decide_review(
    store: &dyn Store,
    id: i64,
    decision: &ReviewDecision,
) -> Result<StoredReview, ActionError> {
    Ok(queues::decide_review(store, id, decision, BY_A_PERSON).await?)
}

/// Returns a conflict, or [`ActionError::NotFound`].
pub async fn find_conflict(store: &dyn Store, id: i64) -> Result<StoredConflict, ActionError> {
    store.conflict(id).await?.ok_or(ActionError::NotFound {
        kind: "conflict",
        command: "conflicts",
        id,
    })
}

/// Chooses the side whose value wins an open conflict and audits the choice; the next pass
/// writes the value to the other side.
pub async fn resolve_conflict(
    store: &dyn Store,
    id: i64,
    winner: System,
) -> Result<StoredConflict, ActionError> {
    Ok(queues::resolve_conflict(store, id, winner, BY_A_PERSON).await?)
}

/// Renders an audit entry as JSON.
pub fn audit_json(stored: &StoredAuditEntry) -> Value {
    let entry = &stored.entry;
    json!({
        "id": stored.id,
        "at": stored.at,
        "flow": entry.flow,
        "kind": entry.kind,
        "ns_id": entry.ns_id,
        "sf_id": entry.sf_id,
        "field": entry.field,
        "netsuite_value": entry.netsuite_value.as_ref().map(value_json),
        "salesforce_value": entry.salesforce_value.as_ref().map(value_json),
        "decision": entry.decision,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorClass, RemoteError};
    use crate::memory_store::MemoryStore;
    use crate::record::FieldValue;
    use crate::state::{Conflict, ConflictStore, DeadLetter, DeadLetterStore};

    fn letter(action: &str) -> DeadLetter {
        DeadLetter {
            flow: "account-customer".to_string(),
            source_system: System::Salesforce,
            source_id: "001A".to_string(),
            target_id: Some("42".to_string()),
            action: action.to_string(),
            payload: Fields::new(),
            error: RemoteError::new(System::NetSuite, ErrorClass::Data, "INVALID", "bad"),
        }
    }

    #[tokio::test]
    async fn discard_twice_is_rejected() {
        let store = MemoryStore::new();
        let id = store.add_dead_letter(&letter("update")).await.unwrap();
        discard_dead_letter(&store, id).await.unwrap();
        let second = discard_dead_letter(&store, id).await;
        assert!(
            matches!(second, Err(ActionError::WrongStatus { .. })),
            "{second:?}"
        );
    }

    #[tokio::test]
    async fn discard_is_audited_with_both_ids() {
        let store = MemoryStore::new();
        let id = store.add_dead_letter(&letter("update")).await.unwrap();
        discard_dead_letter(&store, id).await.unwrap();
        let entries = store.audit_entries(None, 10).await.unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].entry.sf_id.as_deref(), Some("001A"));
        assert_eq!(entries[0].entry.ns_id.as_deref(), Some("42"));
    }

    #[tokio::test]
    async fn sync_letter_payload_is_not_editable() {
        let store = MemoryStore::new();
        let id = store.add_dead_letter(&letter(SYNC_ACTION)).await.unwrap();
        let result = edit_dead_letter(&store, &[], id, &Fields::new()).await;
        assert!(
            matches!(result, Err(ActionError::NotEditable { .. })),
            "{result:?}"
        );
    }

    fn account_customer() -> Vec<Box<dyn Flow>> {
        let settings = crate::flows::account_customer::AccountCustomerSettings::default();
        vec![crate::flows::account_customer::flow(&settings)]
    }

    fn payload(names: &[&str]) -> Fields {
        names
            .iter()
            .map(|name| (name.to_string(), FieldValue::Text("x".to_string())))
            .collect()
    }

    #[tokio::test]
    async fn payload_with_unknown_field_is_rejected() {
        let store = MemoryStore::new();
        let id = store.add_dead_letter(&letter("update")).await.unwrap();
        let edited = payload(&["companyName", "compnyName"]);
        let result = edit_dead_letter(&store, &account_customer(), id, &edited).await;
        let Err(ActionError::UnknownFields { unknown, known, .. }) = &result else {
            panic!("expected UnknownFields, got {result:?}");
        };
        assert_eq!(unknown, &["compnyName".to_string()]);
        assert!(known.contains(&"companyName".to_string()), "{known:?}");
        let stored = store.dead_letter(id).await.unwrap().unwrap();
        assert!(
            stored.letter.payload.is_empty(),
            "the payload must stay as it was"
        );
    }

    #[tokio::test]
    async fn payload_names_target_side_fields() {
        let store = MemoryStore::new();
        let id = store.add_dead_letter(&letter("update")).await.unwrap();
        // The letter goes from Salesforce to NetSuite, so a Salesforce name is unknown there.
        let result = edit_dead_letter(&store, &account_customer(), id, &payload(&["Name"])).await;
        assert!(
            matches!(result, Err(ActionError::UnknownFields { .. })),
            "{result:?}"
        );
    }

    #[tokio::test]
    async fn payload_with_known_fields_is_saved() {
        let store = MemoryStore::new();
        let id = store.add_dead_letter(&letter("update")).await.unwrap();
        let edited = payload(&["companyName", "phone"]);
        edit_dead_letter(&store, &account_customer(), id, &edited)
            .await
            .unwrap();
        let stored = store.dead_letter(id).await.unwrap().unwrap();
        assert_eq!(stored.letter.payload, edited);
    }

    #[tokio::test]
    async fn payload_of_disabled_flow_is_not_checked() {
        let store = MemoryStore::new();
        let id = store.add_dead_letter(&letter("update")).await.unwrap();
        let edited = payload(&["anything"]);
        edit_dead_letter(&store, &[], id, &edited).await.unwrap();
        let stored = store.dead_letter(id).await.unwrap().unwrap();
        assert_eq!(stored.letter.payload, edited);
    }

    #[tokio::test]
    async fn unknown_letter_is_not_found() {
        let store = MemoryStore::new();
        let result = request_replay(&store, 7).await;
        let message = result.unwrap_err().to_string();
        assert!(message.contains("dead letter 7 not found"), "{message}");
    }

    #[tokio::test]
    async fn resolved_conflict_cannot_be_resolved_again() {
        let store = MemoryStore::new();
        let id = store
            .add_conflict(&Conflict {
                flow: "account-customer".to_string(),
                ns_id: "42".to_string(),
                sf_id: "001A".to_string(),
                netsuite_field: "phone".to_string(),
                salesforce_field: "Phone".to_string(),
                synced_value: FieldValue::Null,
                netsuite_value: FieldValue::Text("1".to_string()),
                salesforce_value: FieldValue::Text("2".to_string()),
            })
            .await
            .unwrap();
        resolve_conflict(&store, id, System::NetSuite)
            .await
            .unwrap();
        let again = resolve_conflict(&store, id, System::Salesforce).await;
        assert!(
            matches!(again, Err(ActionError::WrongStatus { .. })),
            "{again:?}"
        );
        let stored = store.conflict(id).await.unwrap().unwrap();
        assert_eq!(stored.winner, Some(System::NetSuite));
    }
}
