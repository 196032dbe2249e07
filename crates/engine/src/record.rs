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
///
/// `List` holds the lines of a NetSuite sublist (`itemList`) or the child records of a
/// Salesforce relationship (`OpportunityLineItems`), each line keyed by its own field names.
/// It is requested as `itemList[].item` (see [`ObjectSpec::fields`]); writing one replaces the
/// whole sublist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum FieldValue {
    Null,
    Bool(bool),
    Number(f64),
    Text(String),
    List(Vec<Fields>),
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

    /// Returns the number of a `Number` value.
    pub fn as_number(&self) -> Option<f64> {
        match self {
            FieldValue::Number(number) => Some(*number),
            _ => None,
        }
    }

    /// Returns the flag of a `Bool` value.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            FieldValue::Bool(flag) => Some(*flag),
            _ => None,
        }
    }

    /// Returns the lines of a `List` value; `Null` has none.
    pub fn lines(&self) -> &[Fields] {
        match self {
            FieldValue::List(lines) => lines,
            _ => &[],
        }
    }

    /// Returns true for `Null`, for text that is empty or only white space, and for a list
    /// without lines.
    pub fn is_blank(&self) -> bool {
        match self {
            FieldValue::Null => true,
            FieldValue::Text(text) => text.trim().is_empty(),
            FieldValue::List(lines) => lines.is_empty(),
            _ => false,
        }
    }

    /// Returns the value in the form used for comparisons: blank text and empty lists become
    /// `Null`, text loses surrounding white space (so `" "` and a missing field compare equal),
    /// and the lines of a list are normalized field by field.
    pub fn normalized(&self) -> FieldValue {
        match self {
            FieldValue::Text(text) if text.trim().is_empty() => FieldValue::Null,
            FieldValue::Text(text) => FieldValue::Text(text.trim().to_string()),
            FieldValue::List(lines) if lines.is_empty() => FieldValue::Null,
            FieldValue::List(lines) => FieldValue::List(
                lines
                    .iter()
                    .map(|line| {
                        line.iter()
                            .map(|(name, value)| (name.clone(), value.normalized()))
                            .collect()
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }
}

/// The separator between a list's name and a line field in a requested field name:
/// `itemList[].quantity`.
pub const LINE_SEPARATOR: &str = "[].";

/// Splits a requested field name into the list and the line field (`itemList[].item` gives
/// `("itemList", "item")`), or returns `None` for a field of the record itself.
pub fn split_line_field(name: &str) -> Option<(&str, &str)> {
    name.split_once(LINE_SEPARATOR)
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
    /// IDs (`custentity_region`); Salesforce custom fields end in `__c`. A line field of a
    /// NetSuite sublist or a Salesforce child relationship is named `list[].field`
    /// (`itemList[].quantity`, `OpportunityLineItems[].Product2Id`); the record read then
    /// carries the list under its own name (`itemList`) as a [`FieldValue::List`] whose lines
    /// hold the requested line fields.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_field_splits_at_brackets() {
        assert_eq!(
            split_line_field("itemList[].quantity"),
            Some(("itemList", "quantity"))
        );
        assert_eq!(split_line_field("companyName"), None);
        assert_eq!(split_line_field("Account.Name"), None);
    }

    #[test]
    fn empty_list_is_blank_and_normalizes_to_null() {
        let empty = FieldValue::List(Vec::new());
        assert!(empty.is_blank());
        assert_eq!(empty.normalized(), FieldValue::Null);
    }

    #[test]
    fn list_lines_normalize_field_by_field() {
        let line = Fields::from([("description".to_string(), FieldValue::text(" Bolt "))]);
        let normalized = FieldValue::List(vec![line]).normalized();
        assert_eq!(
            normalized.lines()[0].get("description"),
            Some(&FieldValue::text("Bolt"))
        );
    }

    #[test]
    fn list_serializes_as_array_of_objects() {
        let line = Fields::from([("quantity".to_string(), FieldValue::Number(2.0))]);
        let json = serde_json::to_string(&FieldValue::List(vec![line])).unwrap();
        assert_eq!(json, r#"[{"quantity":2.0}]"#);
        let back: FieldValue = serde_json::from_str(&json).unwrap();
        assert_eq!(back.lines().len(), 1);
    }
}
