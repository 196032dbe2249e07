//! The one interface through which flows reach NetSuite and Salesforce.
//!
//! The client crates implement [`RecordPort`]; a flow never builds a SOAP envelope or a URL
//! itself, so another transport (NetSuite REST and SuiteQL, say) fits behind the same trait.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::ErrorClass;
use crate::error::RemoteError;
use crate::record::{
    DeletedRecord, Fields, NewRecord, ObjectSpec, RecordUpdate, SourceRecord, System, Written,
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

/// The type of a field as the system describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Number,
    Bool,
    /// A calendar date (Salesforce `date`, NetSuite date-only fields).
    Date,
    DateTime,
    /// A reference to another record, by ID, with the record types it may point at when the
    /// system says.
    Reference(Vec<String>),
    /// A picklist or select field with its allowed values, when the system lists them.
    Picklist(Vec<String>),
    /// A sublist or child relationship, read and written as [`crate::FieldValue::List`].
    List,
    /// Any other type, by the system's own name for it.
    Other(String),
}

/// One field of an object, as the system describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldInfo {
    pub name: String,
    pub field_type: FieldType,
    /// True when a create may set the field.
    pub createable: bool,
    /// True when an update may change the field.
    pub updateable: bool,
    /// True when the field is an external ID that upserts can key on.
    pub external_id: bool,
}

/// The fields of an object, as the system describes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The object's name in the system's own words (`customer`, `Account`).
    pub name: String,
    pub fields: Vec<FieldInfo>,
    /// Names with this prefix may exist although they are not listed: NetSuite custom fields
    /// (`cust...` script IDs) the port could not list are not checked before a write.
    pub unlisted_prefix: Option<String>,
}

impl ObjectInfo {
    /// Returns the field with this name; Salesforce names compare without regard to case.
    pub fn field(&self, name: &str) -> Option<&FieldInfo> {
        self.fields
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name))
    }

    /// Returns true when `name` cannot be checked against the description.
    pub fn is_unlisted(&self, name: &str) -> bool {
        self.unlisted_prefix
            .as_deref()
            .is_some_and(|prefix| name.starts_with(prefix))
    }
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

    /// Describes `object` (a NetSuite record type, a Salesforce object), for checking a
    /// mapping before a run. A port that cannot describe refuses with a configuration error.
    async fn describe(&self, object: &str) -> Result<ObjectInfo, RemoteError> {
        Err(unsupported(self.system(), "describing", object))
    }

    /// Returns the records of `object` with these IDs, with the fields `object` names. IDs
    /// that do not exist are left out; the order is not guaranteed.
    async fn read(
        &self,
        object: &ObjectSpec,
        ids: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        let _ = ids;
        Err(unsupported(self.system(), "reading by ID", &object.name))
    }

    /// Returns the records of `object` whose `field` equals one of `values` (compared as the
    /// system compares them), with the fields `object` names.
    async fn find(
        &self,
        object: &ObjectSpec,
        field: &str,
        values: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        let _ = (field, values);
        Err(unsupported(
            self.system(),
            "searching by field",
            &object.name,
        ))
    }

    /// Returns at most `limit` records of `object` whose text field `field` contains `text`,
    /// compared without regard to case, with the fields `object` names. For look-ups by part
    /// of a name; one call searches the whole object.
    async fn search_text(
        &self,
        object: &ObjectSpec,
        field: &str,
        text: &str,
        limit: usize,
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        let _ = (field, text, limit);
        Err(unsupported(
            self.system(),
            "searching by part of a text",
            &object.name,
        ))
    }

    /// Creates records of an object that has no link field to upsert on (a Salesforce Task).
    /// This is not idempotent: the caller looks for an earlier copy with [`Self::find`] first.
    async fn insert(
        &self,
        object: &ObjectSpec,
        records: Vec<Fields>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        let _ = records;
        Err(unsupported(self.system(), "inserting", &object.name))
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

/// The configuration error of a port that lacks an operation.
fn unsupported(system: System, what: &str, object: &str) -> RemoteError {
    RemoteError::new(
        system,
        ErrorClass::Config,
        "NOT_SUPPORTED",
        format!("{what} {object} records is not supported by the {system} port"),
    )
}
