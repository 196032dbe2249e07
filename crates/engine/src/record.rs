//! Records as the engine sees them: field values keyed by each system's own field names.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One of the two systems Tandem keeps in sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum System {
    NetSuite,
    Salesforce,
}

impl System {
    /// Returns the other system.
    pub fn other(self) -> System {
        match self {
            System::NetSuite => System::Salesforce,
            System::Salesforce => System::NetSuite,
        }
    }

    /// Returns the lower-case name used in the store and in logs (`netsuite`, `salesforce`).
    pub fn as_str(self) -> &'static str {
        match self {
            System::NetSuite => "netsuite",
            System::Salesforce => "salesforce",
        }
    }
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            System::NetSuite => "NetSuite",
            System::Salesforce => "Salesforce",
        })
    }
}

/// A field value, independent of the wire format it came in.
///
/// `Null` means "has no value": an empty string, a JSON `null` and an element that NetSuite
/// omitted all read as `Null`, and writing `Null` clears the field (NetSuite `nullFieldList`,
/// Salesforce JSON `null`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
}

impl FieldValue {
    /// Builds a text value, mapping the empty string to `Null`.
    pub fn text(value: impl Into<String>) -> FieldValue {
        let value = value.into();
        if value.is_empty() {
            FieldValue::Null
        } else {
            FieldValue::Text(value)
        }
    }

    /// Returns the text of a `Text` value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            FieldValue::Text(text) => Some(text),
            _ => None,
        }
    }

    /// Returns true for `Null` and for text that is empty or only white space.
    pub fn is_blank(&self) -> bool {
        match self {
            FieldValue::Null => true,
            FieldValue::Text(text) => text.trim().is_empty(),
            _ => false,
        }
    }

    /// Returns the value in the form used for comparisons: blank text becomes `Null` and text
    /// loses surrounding white space, so `" "` and a missing field compare equal.
    pub fn normalized(&self) -> FieldValue {
        match self {
            FieldValue::Text(text) if text.trim().is_empty() => FieldValue::Null,
            FieldValue::Text(text) => FieldValue::Text(text.trim().to_string()),
            other => other.clone(),
        }
    }
}

/// Field values keyed by one system's field names (`companyName`, `Name`, `custentity_region`).
///
/// A field that is absent was not read or is not to be written; it is never a request to clear.
pub type Fields = BTreeMap<String, FieldValue>;

/// A record read from a change feed.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceRecord {
    /// NetSuite internal ID or 18-character Salesforce Id.
    pub id: String,
    /// Last modification time in UTC (NetSuite `lastModifiedDate`, Salesforce `SystemModstamp`).
    pub modified_at: DateTime<Utc>,
    /// The other system's ID as stored on this record (NetSuite `externalId`, Salesforce
    /// `NetSuite_Internal_ID__c`), if any.
    pub link: Option<String>,
    /// Values of the requested fields, keyed by this system's field names.
    pub fields: Fields,
}

/// Which object a port reads or writes, and which of its fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectSpec {
    /// Record type in the system's own words: `customer` in NetSuite, `Account` in Salesforce.
    pub name: String,
    /// Fields to read, by their names in this system. Names of NetSuite custom fields are script
    /// IDs (`custentity_region`); Salesforce custom fields end in `__c`.
    pub fields: Vec<String>,
    /// The field on this record that holds the other system's ID: `externalId` for NetSuite,
    /// an external ID field such as `NetSuite_Internal_ID__c` for Salesforce.
    pub link_field: String,
}

/// A record to create. Ports create idempotently, as an upsert keyed by `link`, so a create
/// that is sent twice (after a timeout, or after a crash) still leaves one record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewRecord {
    /// The other system's ID, written to the object's link field and used as the upsert key.
    pub link: String,
    pub fields: Fields,
}

/// Changes to an existing record. Only the fields present are sent; `FieldValue::Null` clears.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordUpdate {
    pub id: String,
    pub fields: Fields,
    /// A new value for the link field, when the update links the record to its counterpart.
    pub link: Option<String>,
}

/// A record that a write created or changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The ID of the record in the system written to.
    pub id: String,
}

/// A record a change feed reports as deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedRecord {
    pub id: String,
    /// When it was deleted, in UTC.
    pub deleted_at: DateTime<Utc>,
    /// The record it was merged into, when the deletion was the loser's side of a merge
    /// (Salesforce Accounts and Contacts carry `MasterRecordId`).
    pub merged_into: Option<String>,
}
