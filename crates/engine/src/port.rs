//! The one interface through which flows reach NetSuite and Salesforce.
//!
//! The client crates implement [`RecordPort`]; a flow never builds a SOAP envelope or a URL
//! itself, so another transport (NetSuite REST and SuiteQL, say) fits behind the same trait.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::ErrorClass;
use crate::error::RemoteError;
use crate::record::{
    DeletedRecord, NewRecord, ObjectSpec, RecordUpdate, SourceRecord, System, Written,
};

/// The outcome of writing one record: its ID, or the error the target returned for it.
pub type WriteResult = Result<Written, RemoteError>;

/// How much of a system's API allowance is used, as the system last reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    /// Requests counted in the current period (for Salesforce, the rolling 24 hours).
    pub used: u64,
    /// The allowance for the period.
    pub max: u64,
    /// Requests Tandem may still send before it stops to leave the rest to others.
    pub remaining: u64,
}

/// Reads changed records from one system and writes records to it.
///
/// Methods that take several records return one result per input record, in input order.
/// The outer `Err` means the whole call failed (the system was unreachable, rejected the
/// credentials, or answered with a fault) and nothing can be said about single records.
#[async_trait]
pub trait RecordPort: Send + Sync {
    /// Returns which system this port talks to.
    fn system(&self) -> System;

    /// Returns the API usage the system last reported, or `None` when it reports none (NetSuite
    /// counts concurrency, not requests) or has not answered yet.
    fn api_usage(&self) -> Option<ApiUsage> {
        None
    }

    /// Returns the identity of the account or org this port reaches (a NetSuite account ID, a
    /// Salesforce org ID), so the engine can refuse to mix one store's state between two of them.
    async fn identity(&self) -> Result<String, RemoteError>;

    /// Returns every record of `object` modified at or after `since`, with the fields that
    /// `object` names. Reads all pages; an empty result is `Ok(vec![])`, never an error.
    async fn changed_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<SourceRecord>, RemoteError>;

    /// Creates records, each as an upsert keyed by its link value, so that sending the same
    /// record twice updates it instead of creating a duplicate.
    async fn create(
        &self,
        object: &ObjectSpec,
        records: Vec<NewRecord>,
    ) -> Result<Vec<WriteResult>, RemoteError>;

    /// Updates existing records by ID, sending only the fields present in each update.
    async fn update(
        &self,
        object: &ObjectSpec,
        records: Vec<RecordUpdate>,
    ) -> Result<Vec<WriteResult>, RemoteError>;

    /// Returns the records of `object` deleted at or after `since`. A port that cannot tell
    /// returns none.
    async fn deleted_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<DeletedRecord>, RemoteError> {
        let _ = (object, since);
        Ok(Vec::new())
    }

    /// Deletes records by ID. A port that cannot delete refuses with a configuration error.
    async fn delete(
        &self,
        object: &ObjectSpec,
        ids: Vec<String>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let _ = ids;
        Err(RemoteError::new(
            self.system(),
            ErrorClass::Config,
            "DELETE_NOT_SUPPORTED",
            format!("deleting {} records is not supported", object.name),
        ))
    }
}
