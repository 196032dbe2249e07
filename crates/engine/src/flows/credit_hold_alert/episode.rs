//! Alert episodes. An episode starts when a customer enters alert and ends when it leaves;
//! each episode gets one Task. The store keeps the open episode under
//! `episode:<customer internal ID>` as JSON, and the Task's description carries a marker with
//! the customer and the episode's start, so a Task inserted just before a crash is found again
//! instead of being inserted twice.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{FLOW, TASK_OBJECT};
use crate::pass::{Connections, PassError};
use crate::record::{ObjectSpec, SourceRecord, System};

/// The Task field that points at the Account.
pub(super) const WHAT_ID: &str = "WhatId";

/// The Task field that contains the description and the episode marker.
pub(super) const DESCRIPTION: &str = "Description";

/// An open episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Episode {
    /// When the customer entered alert, in UTC (RFC 3339 with microseconds, so that two
    /// episodes of one customer never share a marker).
    pub start: String,
    /// The Task of the episode; `None` until its insert is confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
}

impl Episode {
    /// Returns the marker that the episode's Task description ends with.
    pub fn marker(&self, customer_id: &str) -> String {
        format!("tandem-episode:{customer_id}:{}", self.start)
    }
}

fn key(customer_id: &str) -> String {
    format!("episode:{customer_id}")
}

/// Returns the customer's open episode. A stored value that is not valid JSON is logged and
/// read as no episode, so the customer can start a new one.
pub(super) async fn load(
    connections: &Connections,
    customer_id: &str,
) -> Result<Option<Episode>, PassError> {
    let stored = connections
        .store
        .flow_value(FLOW, &key(customer_id))
        .await?;
    let Some(stored) = stored else {
        return Ok(None);
    };
    match serde_json::from_str(&stored) {
        Ok(episode) => Ok(Some(episode)),
        Err(error) => {
            let message = "invalid episode state ignored; the customer may get a new Task";
            tracing::warn!(flow = FLOW, ns_id = customer_id, %error, "{message}");
            Ok(None)
        }
    }
}

/// Stores the customer's open episode, or closes it with `None`.
pub(super) async fn save(
    connections: &Connections,
    customer_id: &str,
    episode: Option<&Episode>,
) -> Result<(), PassError> {
    let value = episode.map(|episode| serde_json::to_string(episode).unwrap_or_default());
    connections
        .store
        .set_flow_value(FLOW, &key(customer_id), value.as_deref())
        .await?;
    Ok(())
}

/// Returns the Task object as the flow finds and inserts it. Tasks have no link field.
pub(super) fn task_object() -> ObjectSpec {
    ObjectSpec {
        name: TASK_OBJECT.to_string(),
        fields: vec![WHAT_ID.to_string(), DESCRIPTION.to_string()],
        link_field: String::new(),
    }
}

/// Returns the Tasks of these Accounts that carry an episode marker, by marker, with their IDs.
pub(super) async fn marked_tasks(
    connections: &Connections,
    account_ids: Vec<String>,
) -> Result<BTreeMap<String, String>, PassError> {
    if account_ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let object = task_object();
    let port = connections.port(System::Salesforce);
    let tasks = connections
        .retry
        .run("Salesforce Tasks by WhatId", || {
            port.find(&object, WHAT_ID, &account_ids)
        })
        .await?;
    Ok(tasks.into_iter().filter_map(marked).collect())
}

/// Returns the marker on the last line of a Task's description, with the Task's ID.
fn marked(task: SourceRecord) -> Option<(String, String)> {
    let description = crate::flows::support::text(&task.fields, DESCRIPTION)?;
    let last = description.lines().last()?.trim();
    last.starts_with("tandem-episode:")
        .then(|| (last.to_string(), task.id.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{FieldValue, Fields};

    #[test]
    fn episode_round_trips_as_json() {
        let episode = Episode {
            start: "2026-12-04T10:00:00Z".to_string(),
            task: None,
        };
        let json = serde_json::to_string(&episode).unwrap();
        assert_eq!(json, r#"{"start":"2026-12-04T10:00:00Z"}"#);
        assert_eq!(serde_json::from_str::<Episode>(&json).unwrap(), episode);
    }

    #[test]
    fn marked_reads_last_description_line() {
        let text = "Balance: 1\n\ntandem-episode:42:2026-12-04T10:00:00Z";
        let task = SourceRecord {
            id: "00T1".to_string(),
            modified_at: chrono::DateTime::UNIX_EPOCH,
            link: None,
            fields: Fields::from([(DESCRIPTION.to_string(), FieldValue::text(text))]),
        };
        let (marker, id) = marked(task).unwrap();
        assert_eq!(marker, "tandem-episode:42:2026-12-04T10:00:00Z");
        assert_eq!(id, "00T1");
    }
}
