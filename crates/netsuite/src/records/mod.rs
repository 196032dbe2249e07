//! NetSuite records as this client reads and writes them, and the schema facts it needs to
//! write them: the element order and field types of each supported record type.
//!
//! A [`Record`] is generic: body fields keep their element name and text, so one model reads
//! any record type. Writing needs the record's XSD sequence, because NetSuite rejects
//! elements out of order; [`schema_for`] returns it for the supported types.

pub mod customer;
mod schema;

use chrono::{DateTime, SecondsFormat, Utc};

pub use schema::{
    CriterionKind, CriterionSchema, FieldKind, FieldSchema, RecordSchema, SearchSchema, schema_for,
    search_schema_for,
};

/// A reference to a record: `RecordRef` in NetSuite's schema.
///
/// Field-level references in responses usually carry `internal_id` and `name` only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordRef {
    /// The `RecordType` value, such as `customer` or `salesOrder`.
    pub record_type: Option<String>,
    /// NetSuite's ID of the record.
    pub internal_id: Option<String>,
    /// The ID an integration assigned to the record.
    pub external_id: Option<String>,
    /// The referenced record's display name, read-only.
    pub name: Option<String>,
}

impl RecordRef {
    /// Builds a reference to a record of `record_type` by internal ID.
    pub fn internal(record_type: impl Into<String>, internal_id: impl Into<String>) -> RecordRef {
        RecordRef {
            record_type: Some(record_type.into()),
            internal_id: Some(internal_id.into()),
            ..RecordRef::default()
        }
    }

    /// Builds a reference to a record of `record_type` by external ID.
    pub fn external(record_type: impl Into<String>, external_id: impl Into<String>) -> RecordRef {
        RecordRef {
            record_type: Some(record_type.into()),
            external_id: Some(external_id.into()),
            ..RecordRef::default()
        }
    }
}

/// The value of a body field.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyValue {
    /// The element's text as sent: strings, booleans (`true`), numbers (`100.0`), enum values
    /// (`_auto`) and dateTimes (`2014-05-05T07:44:43.000-07:00`).
    Text(String),
    /// A `RecordRef` field such as `subsidiary` or `entityStatus`.
    Ref(RecordRef),
}

impl BodyValue {
    /// Returns the text of a `Text` value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            BodyValue::Text(text) => Some(text),
            BodyValue::Ref(_) => None,
        }
    }
}

/// A value of a select or multi-select custom field: `ListOrRecordRef` in NetSuite's schema.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListOrRecordRef {
    /// Internal ID of the list value or record.
    pub internal_id: Option<String>,
    /// External ID of the list value or record.
    pub external_id: Option<String>,
    /// Internal ID of the custom list or record type the value comes from.
    pub type_id: Option<String>,
    /// Display name of the value, read-only.
    pub name: Option<String>,
}

/// The typed value of a custom field, one variant per `CustomFieldRef` kind.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomValue {
    String(String),
    Boolean(bool),
    Double(f64),
    Long(i64),
    /// A `DateCustomFieldRef`, converted to UTC.
    Date(DateTime<Utc>),
    Select(ListOrRecordRef),
    /// Always a list, also when NetSuite sends a single `value` element.
    MultiSelect(Vec<ListOrRecordRef>),
}

impl CustomValue {
    /// Returns the schema type name written in `xsi:type`, without prefix.
    pub fn xsi_type(&self) -> &'static str {
        match self {
            CustomValue::String(_) => "StringCustomFieldRef",
            CustomValue::Boolean(_) => "BooleanCustomFieldRef",
            CustomValue::Double(_) => "DoubleCustomFieldRef",
            CustomValue::Long(_) => "LongCustomFieldRef",
            CustomValue::Date(_) => "DateCustomFieldRef",
            CustomValue::Select(_) => "SelectCustomFieldRef",
            CustomValue::MultiSelect(_) => "MultiSelectCustomFieldRef",
        }
    }
}

/// One entry of a record's `customFieldList`.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomField {
    /// The field's script ID (`custentity_region`). NetSuite omits it for some hidden fields.
    pub script_id: Option<String>,
    /// Internal ID of the custom field definition.
    pub internal_id: Option<String>,
    /// The field's typed value.
    pub value: CustomValue,
}

impl CustomField {
    /// Builds a custom field addressed by script ID.
    pub fn new(script_id: impl Into<String>, value: CustomValue) -> CustomField {
        CustomField {
            script_id: Some(script_id.into()),
            internal_id: None,
            value,
        }
    }
}

/// A NetSuite record of any type.
///
/// Sublists (`addressbookList`, `itemList`...) are skipped when reading and cannot be written
/// yet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// The `RecordType` value: the schema type name with a lower-case first letter
    /// (`customer` for `listRel:Customer`, `inventoryItem` for `listAcct:InventoryItem`).
    pub record_type: String,
    /// NetSuite's ID of the record; the key of `update`.
    pub internal_id: Option<String>,
    /// The ID an integration assigned; the key of `upsert`.
    pub external_id: Option<String>,
    /// Body fields in document order, by element name.
    pub fields: Vec<(String, BodyValue)>,
    /// Entries of the `customFieldList`.
    pub custom_fields: Vec<CustomField>,
    /// Fields to clear: standard fields by element name, custom fields by script ID.
    pub null_fields: Vec<String>,
}

impl Record {
    /// Builds an empty record of `record_type`.
    pub fn new(record_type: impl Into<String>) -> Record {
        Record {
            record_type: record_type.into(),
            ..Record::default()
        }
    }

    /// Returns the first body field named `name`.
    pub fn field(&self, name: &str) -> Option<&BodyValue> {
        self.fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value)
    }

    /// Returns the text of the body field `name`, if it is a text field.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.field(name).and_then(BodyValue::as_text)
    }

    /// Returns the custom field with script ID `script_id`.
    pub fn custom_field(&self, script_id: &str) -> Option<&CustomField> {
        self.custom_fields
            .iter()
            .find(|field| field.script_id.as_deref() == Some(script_id))
    }

    /// Parses the `lastModifiedDate` field into UTC. `None` when the field is absent;
    /// `Some(Err(text))` when it is present but not a dateTime with an offset.
    pub fn last_modified(&self) -> Option<Result<DateTime<Utc>, String>> {
        let text = self.text("lastModifiedDate")?;
        Some(parse_date_time(text).ok_or_else(|| text.to_string()))
    }
}

/// Converts a schema type name into its `RecordType` value (`InventoryItem` to
/// `inventoryItem`).
pub fn record_type_of(type_name: &str) -> String {
    let mut chars = type_name.chars();
    match chars.next() {
        Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Parses an `xsd:dateTime` with an offset (`2014-05-05T07:44:43.000-07:00` or `...Z`) into
/// UTC. Returns `None` without an offset: NetSuite always sends one, and guessing a zone
/// would shift the time silently.
pub fn parse_date_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|time| time.with_timezone(&Utc))
}

/// Formats a time for a request: UTC with milliseconds and `Z`
/// (`2025-03-01T10:00:00.000Z`). A time without an offset would be read in US Pacific time.
pub fn format_date_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn parse_date_time_converts_offset_to_utc() {
        let parsed = parse_date_time("2014-05-05T07:44:43.000-07:00").unwrap();
        assert_eq!(
            parsed,
            Utc.with_ymd_and_hms(2014, 5, 5, 14, 44, 43).unwrap()
        );
    }

    #[test]
    fn parse_date_time_rejects_missing_offset() {
        assert_eq!(parse_date_time("2014-05-05T07:44:43.000"), None);
        assert_eq!(parse_date_time("yesterday"), None);
    }

    #[test]
    fn format_date_time_uses_z() {
        let time = Utc.with_ymd_and_hms(2025, 3, 1, 10, 0, 0).unwrap();
        assert_eq!(format_date_time(time), "2025-03-01T10:00:00.000Z");
    }

    #[test]
    fn record_type_of_lowers_first_letter() {
        assert_eq!(record_type_of("Customer"), "customer");
        assert_eq!(record_type_of("InventoryItem"), "inventoryItem");
        assert_eq!(record_type_of(""), "");
    }
}
