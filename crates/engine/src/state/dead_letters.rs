//! Dead letters: records the other side refused, kept with the remote error until a person
//! fixes and replays them, discards them, or a later pass writes the record after all.

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::StoreError;
use crate::error::RemoteError;
use crate::record::{Fields, System};

/// A record that the target refused.
#[derive(Debug, Clone, PartialEq)]
pub struct DeadLetter {
    pub flow: String,
    pub source_system: System,
    pub source_id: String,
    /// The record on the target side, when the write was an update.
    pub target_id: Option<String>,
    /// `create`, `update` or `link`.
    pub action: String,
    /// The fields that were to be written, keyed by the target's field names.
    pub payload: Fields,
    pub error: RemoteError,
}

/// Where a dead letter stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeadLetterStatus {
    /// Waiting for a person, or for the source record to change.
    Open,
    /// A person asked for a replay while another process held the store; the next pass
    /// replays it.
    Requested,
    /// Written after all, by a replay or by a later pass.
    Resolved,
    /// Dropped by a person; nothing will be written for it.
    Discarded,
}

impl DeadLetterStatus {
    /// Returns the name used in the store and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadLetterStatus::Open => "open",
            DeadLetterStatus::Requested => "requested",
            DeadLetterStatus::Resolved => "resolved",
            DeadLetterStatus::Discarded => "discarded",
        }
    }
}

impl fmt::Display for DeadLetterStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DeadLetterStatus {
    type Err = String;

    fn from_str(text: &str) -> Result<DeadLetterStatus, String> {
        match text {
            "open" => Ok(DeadLetterStatus::Open),
            "requested" => Ok(DeadLetterStatus::Requested),
            "resolved" => Ok(DeadLetterStatus::Resolved),
            "discarded" => Ok(DeadLetterStatus::Discarded),
            other => Err(format!(
                "unknown dead letter status {other:?}; expected open, requested, resolved or \
                 discarded"
            )),
        }
    }
}

/// A dead letter as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDeadLetter {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    /// When the letter last changed: a new failure, an edit, or a change of status.
    pub updated_at: DateTime<Utc>,
    pub status: DeadLetterStatus,
    /// How many times the write failed, the first time included.
    pub attempts: u32,
    pub letter: DeadLetter,
}

/// Durable dead letters.
#[async_trait]
pub trait DeadLetterStore: Send + Sync {
    /// Stores a refused write and returns its letter's ID. When an open letter already exists
    /// for the same flow, source record and action, that letter is updated (payload, error,
    /// one more attempt) instead of adding another.
    async fn add_dead_letter(&self, letter: &DeadLetter) -> Result<i64, StoreError>;

    /// Returns dead letters, oldest first, of one flow or of all, with one status or any.
    async fn dead_letters(
        &self,
        flow: Option<&str>,
        status: Option<DeadLetterStatus>,
    ) -> Result<Vec<StoredDeadLetter>, StoreError>;

    /// Returns one dead letter.
    async fn dead_letter(&self, id: i64) -> Result<Option<StoredDeadLetter>, StoreError>;

    /// Replaces a dead letter's payload, as edited by a person.
    async fn set_dead_letter_payload(&self, id: i64, payload: &Fields) -> Result<(), StoreError>;

    /// Records a new failure of a dead letter's replay: its error, one more attempt.
    async fn set_dead_letter_error(&self, id: i64, error: &RemoteError) -> Result<(), StoreError>;

    /// Changes a dead letter's status.
    async fn set_dead_letter_status(
        &self,
        id: i64,
        status: DeadLetterStatus,
    ) -> Result<(), StoreError>;

    /// Marks the open dead letters of a source record and action resolved, because a pass has
    /// now carried out that action, and returns how many there were.
    async fn resolve_dead_letters(
        &self,
        flow: &str,
        source_system: System,
        source_id: &str,
        action: &str,
    ) -> Result<u64, StoreError>;

    /// Does what `resolve_dead_letters` does for each of `source_ids`, and returns the source
    /// ID of each letter it resolved, in no particular order. Most records have no dead
    /// letter, so this costs about as much as one look-up per batch.
    async fn resolve_dead_letters_batch(
        &self,
        flow: &str,
        source_system: System,
        source_ids: &[String],
        action: &str,
    ) -> Result<Vec<String>, StoreError>;
}
