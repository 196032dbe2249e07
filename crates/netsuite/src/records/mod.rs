//! NetSuite records as this client reads and writes them.
//!
//! A [`Record`] is generic: body fields keep their element name and value, so one model reads
//! and writes any record type by name. Values are text, references, reference lists, nested
//! values (an address) or sublists (`addressbookList`, `itemList`) with their lines. The typed
//! records in [`typed`] convert to and from it for the record types the flows use.

mod access;
pub mod time;
pub mod typed;

pub use access::FieldAccess;
pub use time::{format_date, format_date_time, parse_date, parse_date_time};

/// A reference to a record: `RecordRef` in NetSuite's schema.
///
/// A reference names its record by internal ID, external ID or, for some list values, by
/// name alone. Field-level references in responses usually carry `internal_id` and `name` only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordRef {
    /// The `RecordType` value, such as `customer` or `salesOrder`.
    pub record_type: Option<String>,
    /// NetSuite's ID of the record.
    pub internal_id: Option<String>,
    /// The ID an integration assigned to the record.
    pub external_id: Option<String>,
    /// The referenced record's display name. NetSuite resolves a reference by name when it
    /// has neither ID.
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

    /// Builds a field reference by internal ID alone, as field values usually are
    /// (`<subsidiary internalId="1"/>`).
    pub fn id(internal_id: impl Into<String>) -> RecordRef {
        RecordRef {
            internal_id: Some(internal_id.into()),
            ..RecordRef::default()
        }
    }

    /// Builds a field reference by name alone (`<terms><name>Net 30</name></terms>`).
    pub fn named(name: impl Into<String>) -> RecordRef {
        RecordRef {
            name: Some(name.into()),
            ..RecordRef::default()
        }
    }

    /// Returns true when the reference names a record: an internal ID, an external ID or a
    /// name.
    pub fn is_resolvable(&self) -> bool {
        self.internal_id.is_some() || self.external_id.is_some() || self.name.is_some()
    }
}

/// The value of a body field or of a field inside a nested value or sublist line.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyValue {
    /// The element's text as sent: strings, booleans (`true`), numbers (`100.0`), enum values
    /// (`_auto`) and dateTimes (`2014-05-05T07:44:43.000-07:00`).
    Text(String),
    /// A `RecordRef` field such as `subsidiary` or `entityStatus`.
    Ref(RecordRef),
    /// A `RecordRefList` field such as an item's `subsidiaryList`.
    RefList(Vec<RecordRef>),
    /// A nested value with fields of its own, such as an `addressbookAddress`.
    Complex(Complex),
    /// A sublist such as `addressbookList` or `itemList`.
    Sublist(Sublist),
}

impl BodyValue {
    /// Returns the text of a `Text` value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            BodyValue::Text(text) => Some(text),
            _ => None,
        }
    }

    /// Returns the reference of a `Ref` value.
    pub fn as_ref(&self) -> Option<&RecordRef> {
        match self {
            BodyValue::Ref(reference) => Some(reference),
            _ => None,
        }
    }
}

/// The fields of a nested value or of one sublist line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Complex {
    /// Fields in document order, by element name.
    pub fields: Vec<(String, BodyValue)>,
    /// Entries of the value's own `customFieldList` (item lines and addresses have one).
    pub custom_fields: Vec<CustomField>,
}

impl Complex {
    /// Builds an empty value.
    pub fn new() -> Complex {
        Complex::default()
    }
}

/// A sublist: its lines and how an update treats the lines it does not send.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sublist {
    /// The `replaceAll` attribute. `Some(true)` replaces every line of the record with the
    /// lines sent; `Some(false)` merges the lines sent into the existing ones by their line
    /// key. `None` sends no attribute, and NetSuite applies the schema default: `true` for
    /// `itemList`, `addressbookList`, `applyList` and `locationsList`, `false` for
    /// `pricingMatrix`.
    pub replace_all: Option<bool>,
    /// The lines in order.
    pub lines: Vec<Complex>,
    /// The element name of a line (`addressbook`). Writes take it from the schema when the
    /// record type is known, and need it here otherwise.
    pub line_name: Option<String>,
}

impl Sublist {
    /// Builds a sublist with an explicit `replaceAll`, so the request states what happens to
    /// the lines it does not carry.
    pub fn new(replace_all: bool, lines: Vec<Complex>) -> Sublist {
        Sublist {
            replace_all: Some(replace_all),
            lines,
            line_name: None,
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

impl ListOrRecordRef {
    /// Builds a value by internal ID.
    pub fn id(internal_id: impl Into<String>) -> ListOrRecordRef {
        ListOrRecordRef {
            internal_id: Some(internal_id.into()),
            ..ListOrRecordRef::default()
        }
    }
}

/// The typed value of a custom field, one variant per `CustomFieldRef` kind.
#[derive(Debug, Clone, PartialEq)]
pub enum CustomValue {
    String(String),
    Boolean(bool),
    Double(f64),
    Long(i64),
    /// A `DateCustomFieldRef`, converted to UTC.
    Date(chrono::DateTime<chrono::Utc>),
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

/// One entry of a `customFieldList`.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomField {
    /// The field's script ID (`custentity_region`). NetSuite omits it for some hidden fields.
    pub script_id: Option<String>,
    /// Internal ID of the custom field definition; optional next to a script ID.
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
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    /// The `RecordType` value: the schema type name with a lower-case first letter
    /// (`customer` for `listRel:Customer`, `inventoryItem` for `listAcct:InventoryItem`).
    pub record_type: String,
    /// NetSuite's ID of the record; the key of `update` and `delete`.
    pub internal_id: Option<String>,
    /// The ID an integration assigned; the key of `upsert`.
    pub external_id: Option<String>,
    /// Body fields in document order, by element name.
    pub fields: Vec<(String, BodyValue)>,
    /// Entries of the `customFieldList`.
    pub custom_fields: Vec<CustomField>,
    /// Fields to clear: standard fields by element name, custom fields by script ID. Sent as
    /// `nullFieldList`, because NetSuite ignores an empty element.
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

    /// Returns the first body field named `name` (also available through [`FieldAccess`]).
    pub fn field(&self, name: &str) -> Option<&BodyValue> {
        FieldAccess::field(self, name)
    }

    /// Returns the text of the body field `name`, if it is a text field.
    pub fn text(&self, name: &str) -> Option<&str> {
        FieldAccess::text(self, name)
    }

    /// Returns the custom field with script ID `script_id`.
    pub fn custom_field(&self, script_id: &str) -> Option<&CustomField> {
        FieldAccess::custom_field(self, script_id)
    }

    /// Returns the record's reference: its type and keys.
    pub fn record_ref(&self) -> RecordRef {
        RecordRef {
            record_type: Some(self.record_type.clone()),
            internal_id: self.internal_id.clone(),
            external_id: self.external_id.clone(),
            name: None,
        }
    }

    /// Parses the `lastModifiedDate` field into UTC. `None` when the field is absent;
    /// `Some(Err(text))` when it is present but not a dateTime with an offset.
    pub fn last_modified(&self) -> Option<Result<chrono::DateTime<chrono::Utc>, String>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_type_of_lowers_first_letter() {
        assert_eq!(record_type_of("Customer"), "customer");
        assert_eq!(record_type_of("InventoryItem"), "inventoryItem");
        assert_eq!(record_type_of(""), "");
    }

    #[test]
    fn record_ref_by_name_is_resolvable() {
        assert!(RecordRef::named("Net 30").is_resolvable());
        assert!(RecordRef::id("5").is_resolvable());
        assert!(!RecordRef::default().is_resolvable());
    }
}
