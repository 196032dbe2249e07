//! What the MCP gateway keeps: client tokens, approval requests for writes, and the log of
//! every tool call. [`LookupStore`] reads the engine's own tables for look-ups (run history,
//! the index of seen records) that a pass never needs.

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{SeenRecord, StoreError};

/// A client token as stored. Only a SHA-256 hash of the token is kept, so the store cannot
/// give a token away.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredToken {
    pub id: i64,
    /// The client's name, as it appears in the call log and on approval requests.
    pub client: String,
    /// Lower-case hex SHA-256 of the token.
    #[serde(skip)]
    pub token_hash: String,
    /// `read`, `write:FLOW` or `write:*`.
    pub scopes: Vec<String>,
    /// Calls allowed per minute, or `None` for the gateway's default.
    pub calls_per_minute: Option<u32>,
    pub created_at: DateTime<Utc>,
}

/// The state of an approval request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovalStatus {
    /// Waiting for a person.
    Pending,
    /// Approved and waiting for a process to carry it out.
    Approved,
    /// Rejected by a person; nothing is done.
    Rejected,
    /// Claimed by one process, which is carrying it out now.
    Running,
    /// Carried out; its outcome is kept.
    Done,
    /// Carried out, and the action failed; the error is kept as its outcome.
    Failed,
}

impl ApprovalStatus {
    /// Returns the name used in the store and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalStatus::Pending => "pending",
            ApprovalStatus::Approved => "approved",
            ApprovalStatus::Rejected => "rejected",
            ApprovalStatus::Running => "running",
            ApprovalStatus::Done => "done",
            ApprovalStatus::Failed => "failed",
        }
    }
}

impl fmt::Display for ApprovalStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ApprovalStatus {
    type Err = String;

    fn from_str(text: &str) -> Result<ApprovalStatus, String> {
        match text {
            "pending" => Ok(ApprovalStatus::Pending),
            "approved" => Ok(ApprovalStatus::Approved),
            "rejected" => Ok(ApprovalStatus::Rejected),
            "running" => Ok(ApprovalStatus::Running),
            "done" => Ok(ApprovalStatus::Done),
            "failed" => Ok(ApprovalStatus::Failed),
            other => Err(format!(
                "unknown approval status {other:?}; expected pending, approved, rejected, \
                 running, done or failed"
            )),
        }
    }
}

/// A write tool call held until a person approves it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApprovalRequest {
    pub client: String,
    pub tool: String,
    /// The flow the write acts on, when one is known.
    pub flow: Option<String>,
    /// The call's arguments, with secrets removed.
    pub arguments: serde_json::Value,
    /// What the call would do, in a person's words.
    pub summary: String,
}

/// An approval request as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredApproval {
    pub id: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub status: ApprovalStatus,
    /// Who approved or rejected it.
    pub decided_by: Option<String>,
    /// The result of carrying it out, as JSON text.
    pub outcome: Option<String>,
    #[serde(flatten)]
    pub request: ApprovalRequest,
}

impl StoredApproval {
    /// Returns the request as JSON for people and agents, with the outcome parsed back into
    /// JSON (an outcome that is not JSON text comes back as a string).
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        if let Some(outcome) = &self.outcome {
            value["outcome"] = serde_json::from_str(outcome)
                .unwrap_or_else(|_| serde_json::Value::from(outcome.as_str()));
        }
        value
    }
}

/// One tool call, for the gateway's call log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GatewayCall {
    /// The client, or `unauthenticated` when no valid token came with the call.
    pub client: String,
    pub tool: String,
    /// The call's arguments, with secrets removed.
    pub arguments: serde_json::Value,
    /// `ok`, `error`, `refused`, `rate_limited`, `dry_run` or `approval_required`.
    pub outcome: String,
    /// The result or error in short.
    pub detail: String,
}

/// A logged call with its time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredGatewayCall {
    pub id: i64,
    pub at: DateTime<Utc>,
    #[serde(flatten)]
    pub call: GatewayCall,
}

/// The durable state of the MCP gateway.
#[async_trait]
pub trait GatewayStore: Send + Sync {
    /// Stores a client token by its hash and returns the token's ID.
    async fn add_token(
        &self,
        client: &str,
        token_hash: &str,
        scopes: &[String],
        calls_per_minute: Option<u32>,
    ) -> Result<i64, StoreError>;

    /// Returns the token with this hash.
    async fn token_by_hash(&self, token_hash: &str) -> Result<Option<StoredToken>, StoreError>;

    /// Returns every stored token, oldest first.
    async fn tokens(&self) -> Result<Vec<StoredToken>, StoreError>;

    /// Deletes every token of a client and returns how many there were.
    async fn revoke_tokens(&self, client: &str) -> Result<u64, StoreError>;

    /// Stores a pending approval request and returns its ID.
    async fn add_approval(&self, request: &ApprovalRequest) -> Result<i64, StoreError>;

    /// Returns approval requests, oldest first, with one status or any.
    async fn approvals(
        &self,
        status: Option<ApprovalStatus>,
    ) -> Result<Vec<StoredApproval>, StoreError>;

    /// Returns one approval request.
    async fn approval(&self, id: i64) -> Result<Option<StoredApproval>, StoreError>;

    /// Moves a request from `from` to `to`, recording who decided when `decided_by` is given
    /// and the outcome when `outcome` is given. Returns false, changing nothing, when the
    /// request is not in status `from` (someone else decided first).
    async fn set_approval_status(
        &self,
        id: i64,
        from: ApprovalStatus,
        to: ApprovalStatus,
        decided_by: Option<&str>,
        outcome: Option<&str>,
    ) -> Result<bool, StoreError>;

    /// Appends a call to the call log.
    async fn log_call(&self, call: &GatewayCall) -> Result<(), StoreError>;

    /// Returns the newest logged calls, newest first.
    async fn calls(&self, limit: usize) -> Result<Vec<StoredGatewayCall>, StoreError>;
}

/// Everything the MCP gateway reads and writes in the store: the engine's state, its own
/// tables and the look-ups.
pub trait GatewayBackend: super::Store + GatewayStore + LookupStore {}

impl<T: super::Store + GatewayStore + LookupStore> GatewayBackend for T {}

/// One run of a flow from the run history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    pub id: i64,
    pub flow: String,
    /// `running`, `completed`, `failed` or `interrupted`.
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The pass's counts, as the engine reported them.
    pub counts: Option<serde_json::Value>,
    pub error: Option<String>,
}

/// Look-ups over the engine's state for people and agents: run history and seen records.
#[async_trait]
pub trait LookupStore: Send + Sync {
    /// Returns the newest runs, newest first, of one flow or of all.
    async fn runs(&self, flow: Option<&str>, limit: usize) -> Result<Vec<RunRecord>, StoreError>;

    /// Returns seen records of either system whose ID or stored link equals `text`, whose
    /// normalized name or email equals the given keys, or whose mapped values contain `text`
    /// as a whole value (a document number, a code). At most `limit` records.
    async fn search_seen(
        &self,
        text: &str,
        name_key: Option<&str>,
        email_key: Option<&str>,
        limit: usize,
    ) -> Result<Vec<SeenRecord>, StoreError>;
}
