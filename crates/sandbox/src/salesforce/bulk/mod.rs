//! Bulk API 2.0: ingest jobs that write CSV rows and query jobs that return CSV results.
//!
//! An ingest job goes `Open` (CSV uploads accepted) -> `UploadComplete` (closed by the client)
//! -> `JobComplete`, or to `Aborted`. The emulator processes a closed job's rows at once, so
//! the close answers `UploadComplete` and the next read of the job finds `JobComplete`. A
//! query job runs when it is created and answers `UploadComplete`; its results are read in
//! pages named by `Sforce-Locator`.

pub(crate) mod ingest;
pub(crate) mod query;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::salesforce::id;
use crate::salesforce::values::render_datetime;
use crate::salesforce::version::ApiVersion;

pub(crate) use ingest::IngestJob;
pub(crate) use query::QueryJob;

/// Key prefix of Bulk API job Ids.
const JOB_PREFIX: &str = "750";

/// State of a job, as `state` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum JobState {
    Open,
    UploadComplete,
    InProgress,
    JobComplete,
    Failed,
    Aborted,
}

impl JobState {
    /// Returns whether the job can change no more.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            JobState::JobComplete | JobState::Failed | JobState::Aborted
        )
    }
}

/// What every job records, ingest or query.
#[derive(Debug, Clone)]
pub(crate) struct JobHeader {
    pub id: String,
    pub operation: String,
    pub object: String,
    pub created_by_id: String,
    pub created_date: DateTime<Utc>,
    pub system_modstamp: DateTime<Utc>,
    pub state: JobState,
    pub api_version: ApiVersion,
    pub line_ending: String,
    pub column_delimiter: String,
}

impl JobHeader {
    /// Returns the members every job info carries, in Salesforce's order.
    pub fn info(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut info = serde_json::Map::new();
        let mut put = |key: &str, value: serde_json::Value| {
            info.insert(key.to_string(), value);
        };
        put("id", self.id.clone().into());
        put("operation", self.operation.clone().into());
        put("object", self.object.clone().into());
        put("createdById", self.created_by_id.clone().into());
        put("createdDate", render_datetime(self.created_date).into());
        put(
            "systemModstamp",
            render_datetime(self.system_modstamp).into(),
        );
        put(
            "state",
            serde_json::to_value(self.state).unwrap_or_default(),
        );
        put("concurrencyMode", "Parallel".into());
        put("contentType", "CSV".into());
        put("apiVersion", f64::from(self.api_version.major).into());
        put("lineEnding", self.line_ending.clone().into());
        put("columnDelimiter", self.column_delimiter.clone().into());
        info
    }

    /// Moves the job to `state` at `now`.
    pub fn set_state(&mut self, state: JobState, now: DateTime<Utc>) {
        self.state = state;
        self.system_modstamp = now;
    }
}

/// The org's Bulk API jobs, by Id.
#[derive(Debug, Default)]
pub(crate) struct BulkJobs {
    pub ingest: BTreeMap<String, IngestJob>,
    pub query: BTreeMap<String, QueryJob>,
    next_serial: u64,
}

impl BulkJobs {
    /// Returns a new job Id with the `750` key prefix.
    pub fn next_id(&mut self, instance: &str) -> String {
        if self.next_serial == 0 {
            self.next_serial = rand::random_range(1_000_000..50_000_000);
        }
        self.next_serial += 1;
        id::build(JOB_PREFIX, instance, self.next_serial)
    }
}

/// Returns the separator byte of a `columnDelimiter` value, or `None` for an unknown one.
pub(crate) fn delimiter_byte(name: &str) -> Option<u8> {
    match name {
        "COMMA" => Some(b','),
        "TAB" => Some(b'\t'),
        "SEMICOLON" => Some(b';'),
        "PIPE" => Some(b'|'),
        "CARET" => Some(b'^'),
        "BACKQUOTE" => Some(b'`'),
        _ => None,
    }
}

/// Returns the line terminator of a `lineEnding` value.
pub(crate) fn terminator(line_ending: &str) -> csv::Terminator {
    if line_ending == "CRLF" {
        csv::Terminator::CRLF
    } else {
        csv::Terminator::Any(b'\n')
    }
}
