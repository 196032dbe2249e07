//! Records of every type the emulator serves besides the customer: contacts, sales orders,
//! invoices, customer payments, inventory items and non-inventory sale items. They are
//! checked against the published XSD (see [`super::xsd`]) and stored as the field elements
//! the schema defines, which the business rules in [`rules`] keep up to date.

mod apply;
mod errors;
mod kind;
pub(crate) mod parse;
pub(crate) mod render;
pub(crate) mod rules;
mod table;

use chrono::{DateTime, Utc};

use super::datetime::{format_pacific, parse_xsd_datetime};
use super::soap::CORE;
use super::xml::{Attribute, Element};

pub(crate) use errors::{duplicate_record, has_dependents};
pub(crate) use kind::{ACCOUNTING, Family, RecordKind, SALES};
pub(crate) use table::{DeletedRecord, RecordTable};

/// One stored record: its keys, its field elements in schema order and its dates.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StoredRecord {
    pub kind: RecordKind,
    pub internal_id: String,
    pub external_id: Option<String>,
    /// Top-level field elements in the record type's namespace, in schema order. The created
    /// and last-modified dates are kept apart and written from `created` and `last_modified`.
    pub fields: Vec<Element>,
    pub created: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
}

impl StoredRecord {
    /// Creates a record without fields, created and modified at `now`.
    pub fn new(kind: RecordKind, internal_id: String, now: DateTime<Utc>) -> StoredRecord {
        StoredRecord {
            kind,
            internal_id,
            external_id: None,
            fields: Vec::new(),
            created: now,
            last_modified: now,
        }
    }

    /// Returns the field element with this name.
    pub fn field(&self, name: &str) -> Option<&Element> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Returns the field element with this name, for changing it in place.
    pub fn field_mut(&mut self, name: &str) -> Option<&mut Element> {
        self.fields.iter_mut().find(|f| f.name == name)
    }

    /// Returns the trimmed text of a simple field.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.field(name)
            .map(Element::trimmed_text)
            .filter(|t| !t.is_empty())
    }

    /// Returns a field's value as a number.
    pub fn number(&self, name: &str) -> Option<f64> {
        self.text(name).and_then(|t| t.parse().ok())
    }

    /// Returns a date field as an instant.
    pub fn date(&self, name: &str) -> Option<DateTime<Utc>> {
        self.text(name).and_then(parse_xsd_datetime)
    }

    /// Returns the `internalId` of a RecordRef field.
    pub fn ref_id(&self, name: &str) -> Option<&str> {
        self.field(name)
            .and_then(|f| f.attr("internalId"))
            .filter(|id| !id.is_empty())
    }

    /// Replaces a field, keeping the fields in schema order.
    pub fn set(&mut self, field: Element) {
        self.fields.retain(|f| f.name != field.name);
        self.fields.push(field);
        render::sort_fields(self);
    }

    /// Sets a simple field to this text, in the record type's namespace.
    pub fn set_text(&mut self, name: &str, text: &str) {
        let ns = self.kind.namespace().to_string();
        self.set(text_element(&ns, name, text));
    }

    /// Sets a date field, written in Pacific time.
    pub fn set_date(&mut self, name: &str, instant: DateTime<Utc>) {
        self.set_text(name, &format_pacific(instant));
    }

    /// Sets a double field, written as NetSuite writes doubles.
    pub fn set_number(&mut self, name: &str, number: f64) {
        self.set_text(name, &format_double(number));
    }

    /// Sets a RecordRef field to an internal ID with an optional display name.
    pub fn set_ref(&mut self, name: &str, internal_id: &str, display: Option<&str>) {
        let ns = self.kind.namespace().to_string();
        self.set(record_ref(&ns, name, internal_id, display));
    }

    /// Removes a field.
    pub fn remove(&mut self, name: &str) {
        self.fields.retain(|f| f.name != name);
    }

    /// Returns the customer a transaction belongs to: `entity`, or `customer` on payments.
    pub fn customer_id(&self) -> Option<&str> {
        match self.kind {
            RecordKind::CustomerPayment => self.ref_id("customer"),
            RecordKind::SalesOrder | RecordKind::Invoice => self.ref_id("entity"),
            _ => None,
        }
    }
}

/// Creates a leaf element with text.
pub(crate) fn text_element(ns: &str, name: &str, text: &str) -> Element {
    Element {
        ns: ns.to_string(),
        name: name.to_string(),
        attrs: Vec::new(),
        children: Vec::new(),
        text: text.to_string(),
        xsi_type: None,
        is_nil: false,
    }
}

/// Creates a RecordRef element, with its `name` child when a display name is given.
pub(crate) fn record_ref(
    ns: &str,
    name: &str,
    internal_id: &str,
    display: Option<&str>,
) -> Element {
    let mut element = text_element(ns, name, "");
    element.attrs.push(Attribute {
        ns: String::new(),
        name: "internalId".to_string(),
        value: internal_id.to_string(),
    });
    if let Some(display) = display {
        element.children.push(text_element(CORE, "name", display));
    }
    element
}

/// Formats a double as NetSuite does, with at least one decimal (`10.0`, `2.5`), and rounds
/// amounts to the cent so sums of money do not show binary fractions.
pub(crate) fn format_double(number: f64) -> String {
    let rounded = (number * 100.0).round() / 100.0;
    let number = if (rounded - number).abs() < 1e-9 {
        rounded
    } else {
        number
    };
    super::customer::format_double(number)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_keeps_schema_order() {
        let mut record = StoredRecord::new(RecordKind::SalesOrder, "1".into(), Utc::now());
        record.set_text("memo", "m");
        record.set_ref("entity", "5", Some("Acme"));
        let names: Vec<&str> = record.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, vec!["entity", "memo"]);
        assert_eq!(record.ref_id("entity"), Some("5"));
    }

    #[test]
    fn format_double_rounds_cents() {
        assert_eq!(format_double(0.1 + 0.2), "0.3");
        assert_eq!(format_double(12.0), "12.0");
    }
}
