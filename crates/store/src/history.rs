//! Read-only views for people: the run history, the records a run touched, and record search
//! with cross-references. The server's pages and JSON API read them; passes never do. The SQL
//! is in `sql/history.rs`, shared by both databases.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_engine::state::{StoreError, StoredAuditEntry, StoredDeadLetter, Xref};
use tandem_engine::{Fields, System};

use crate::AnyStore;

/// One pass of one flow as the run history keeps it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunRecord {
    pub id: i64,
    pub flow: String,
    /// `running`, `completed`, `failed`, or `interrupted` for a process that was killed.
    pub status: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// The pass's counts, as `tandem run --json` prints them; `null` while running.
    pub counts: Option<serde_json::Value>,
    pub error: Option<String>,
}

/// The outcomes of single records in one run: the decisions of the audit log and the
/// dead letters stored or updated while the run was in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct RunOutcomes {
    pub decisions: Vec<StoredAuditEntry>,
    pub dead_letters: Vec<StoredDeadLetter>,
}

/// A record the engine has read, found by a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FoundRecord {
    pub system: System,
    /// The record type or object (`customer`, `Account`).
    pub object: String,
    pub id: String,
    /// The other system's ID stored on the record, if any.
    pub link: Option<String>,
    /// The record's mapped values when it was last read.
    pub values: Fields,
}

/// The maximum number of records a search returns.
pub const SEARCH_LIMIT: i64 = 50;

impl AnyStore {
    /// Returns the newest `limit` runs, newest first, of one flow or of all.
    pub async fn runs(&self, flow: Option<&str>, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
        match self {
            AnyStore::Sqlite(store) => store.runs(flow, limit).await,
            AnyStore::Postgres(store) => store.runs(flow, limit).await,
        }
    }

    /// Returns one run.
    pub async fn run(&self, id: i64) -> Result<Option<RunRecord>, StoreError> {
        match self {
            AnyStore::Sqlite(store) => store.run(id).await,
            AnyStore::Postgres(store) => store.run(id).await,
        }
    }

    /// Returns the record decisions and dead letters of a run's flow that fall between the
    /// run's start and end (or now, while it runs). Runs of one flow never overlap, because
    /// one process locks the store or leases the flow, so the window contains only this run's
    /// work.
    pub async fn run_outcomes(&self, run: &RunRecord) -> Result<RunOutcomes, StoreError> {
        match self {
            AnyStore::Sqlite(store) => store.run_outcomes(run).await,
            AnyStore::Postgres(store) => store.run_outcomes(run).await,
        }
    }

    /// Finds read records by ID (a Salesforce Id or a NetSuite internal ID, on the record or
    /// stored on it as the other side's ID) or by a piece of any mapped value such as the
    /// name, ignoring case. Returns at most [`SEARCH_LIMIT`] records, exact ID matches first.
    pub async fn search_records(&self, query: &str) -> Result<Vec<FoundRecord>, StoreError> {
        match self {
            AnyStore::Sqlite(store) => store.search_records(query).await,
            AnyStore::Postgres(store) => store.search_records(query).await,
        }
    }

    /// Returns every flow's cross-reference that contains the record `id` on `system`'s side.
    pub async fn xrefs_of(&self, system: System, id: &str) -> Result<Vec<Xref>, StoreError> {
        match self {
            AnyStore::Sqlite(store) => store.xrefs_of(system, id).await,
            AnyStore::Postgres(store) => store.xrefs_of(system, id).await,
        }
    }

    /// Returns the newest `limit` audit entries about the record `id` on `system`'s side.
    pub async fn record_audit(
        &self,
        system: System,
        id: &str,
        limit: u32,
    ) -> Result<Vec<StoredAuditEntry>, StoreError> {
        match self {
            AnyStore::Sqlite(store) => store.record_audit(system, id, limit).await,
            AnyStore::Postgres(store) => store.record_audit(system, id, limit).await,
        }
    }
}

/// Escapes the wildcards of a `LIKE` pattern, with `\\` as the escape character.
pub(crate) fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        if matches!(character, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}
