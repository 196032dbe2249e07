//! The review queue: records whose best match is doubtful, waiting for a person to link them,
//! create their counterpart, or leave them out of the sync.

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::StoreError;
use crate::matching::Score;
use crate::record::{Fields, System};

/// A record on the other side that may be the same company, with its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub id: String,
    /// The candidate's mapped values, for comparing side by side.
    pub values: Fields,
    pub score: Score,
}

/// A record waiting for a person's decision.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewItem {
    pub flow: String,
    /// The side of the record under review; candidates are on the other side.
    pub system: System,
    pub record_id: String,
    /// The record's mapped values.
    pub values: Fields,
    /// Candidates, best first.
    pub candidates: Vec<Candidate>,
}

/// A person's decision, or the lack of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewDecision {
    /// No decision yet; nothing is written for the record.
    Pending,
    /// Link the record to this record on the other side.
    Link(String),
    /// The candidates are other companies: create the counterpart.
    Create,
    /// Leave the record out of the sync until it changes.
    Reject,
}

impl fmt::Display for ReviewDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReviewDecision::Pending => f.write_str("pending"),
            ReviewDecision::Link(id) => write!(f, "link {id}"),
            ReviewDecision::Create => f.write_str("create"),
            ReviewDecision::Reject => f.write_str("reject"),
        }
    }
}

/// Where a review item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewStatus {
    /// Waiting for a decision.
    Pending,
    /// Decided, waiting for the next pass to carry the decision out.
    Decided,
    /// Carried out.
    Done,
}

impl ReviewStatus {
    /// Returns the name used in the store and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Pending => "pending",
            ReviewStatus::Decided => "decided",
            ReviewStatus::Done => "done",
        }
    }
}

impl FromStr for ReviewStatus {
    type Err = String;

    fn from_str(text: &str) -> Result<ReviewStatus, String> {
        match text {
            "pending" => Ok(ReviewStatus::Pending),
            "decided" => Ok(ReviewStatus::Decided),
            "done" => Ok(ReviewStatus::Done),
            other => Err(format!(
                "unknown review status {other:?}; expected pending, decided or done"
            )),
        }
    }
}

/// A review item as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReview {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub status: ReviewStatus,
    pub decision: ReviewDecision,
    pub item: ReviewItem,
}

/// The durable review queue.
#[async_trait]
pub trait ReviewStore: Send + Sync {
    /// Queues a record for review and returns the item's ID. A record already waiting is
    /// updated with the new values and candidates instead of being queued twice.
    async fn add_review(&self, item: &ReviewItem) -> Result<i64, StoreError>;

    /// Returns review items, oldest first, of one flow or of all, with one status or any.
    async fn reviews(
        &self,
        flow: Option<&str>,
        status: Option<ReviewStatus>,
    ) -> Result<Vec<StoredReview>, StoreError>;

    /// Returns one review item.
    async fn review(&self, id: i64) -> Result<Option<StoredReview>, StoreError>;

    /// Returns the open item (pending or decided) of a record, if there is one.
    async fn open_review(
        &self,
        flow: &str,
        system: System,
        record_id: &str,
    ) -> Result<Option<StoredReview>, StoreError>;

    /// Records a person's decision on a pending item; the next pass carries it out.
    async fn decide_review(&self, id: i64, decision: &ReviewDecision) -> Result<(), StoreError>;

    /// Marks a decided item as carried out.
    async fn finish_review(&self, id: i64) -> Result<(), StoreError>;
}
