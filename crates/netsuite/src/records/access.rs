//! Typed reads and writes of the fields of a record, a nested value or a sublist line.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::error::Error;
use crate::records::time::{format_date, parse_date, parse_date_time};
use crate::records::{BodyValue, Complex, CustomField, Record, RecordRef, Sublist};

/// Field access shared by [`Record`] and [`Complex`].
///
/// Getters return `Ok(None)` for a field that is absent, and [`Error::InvalidResponse`] when
/// the field is present but its text is not of the expected type. Setters replace the first
/// field of the same name or append a new one.
pub trait FieldAccess {
    /// Returns the fields in document order.
    fn field_list(&self) -> &[(String, BodyValue)];

    /// Returns the fields for changing.
    fn field_list_mut(&mut self) -> &mut Vec<(String, BodyValue)>;

    /// Returns the custom fields.
    fn custom_field_list(&self) -> &[CustomField];

    /// Returns the first field named `name`.
    fn field(&self, name: &str) -> Option<&BodyValue> {
        self.field_list()
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value)
    }

    /// Returns the text of field `name`, if it is a text field.
    fn text(&self, name: &str) -> Option<&str> {
        self.field(name).and_then(BodyValue::as_text)
    }

    /// Returns the reference of field `name`, if it is a reference.
    fn reference(&self, name: &str) -> Option<&RecordRef> {
        self.field(name).and_then(BodyValue::as_ref)
    }

    /// Returns the references of a `RecordRefList` field.
    fn references(&self, name: &str) -> Option<&[RecordRef]> {
        match self.field(name)? {
            BodyValue::RefList(references) => Some(references),
            _ => None,
        }
    }

    /// Returns the nested value of field `name` (an address).
    fn complex(&self, name: &str) -> Option<&Complex> {
        match self.field(name)? {
            BodyValue::Complex(complex) => Some(complex),
            _ => None,
        }
    }

    /// Returns the sublist `name` (`itemList`).
    fn sublist(&self, name: &str) -> Option<&Sublist> {
        match self.field(name)? {
            BodyValue::Sublist(sublist) => Some(sublist),
            _ => None,
        }
    }

    /// Returns the custom field with script ID `script_id`.
    fn custom_field(&self, script_id: &str) -> Option<&CustomField> {
        self.custom_field_list()
            .iter()
            .find(|field| field.script_id.as_deref() == Some(script_id))
    }

    /// Reads field `name` as an `xsd:boolean`.
    fn boolean(&self, name: &str) -> Result<Option<bool>, Error> {
        self.parsed(name, "boolean", |text| match text {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        })
    }

    /// Reads field `name` as an `xsd:double`.
    fn double(&self, name: &str) -> Result<Option<f64>, Error> {
        self.parsed(name, "number", |text| text.parse().ok())
    }

    /// Reads field `name` as an `xsd:long`.
    fn long(&self, name: &str) -> Result<Option<i64>, Error> {
        self.parsed(name, "whole number", |text| text.parse().ok())
    }

    /// Reads field `name` as a dateTime, converted to UTC.
    fn date_time(&self, name: &str) -> Result<Option<DateTime<Utc>>, Error> {
        self.parsed(name, "dateTime with an offset", parse_date_time)
    }

    /// Reads a date-only field as the calendar date in the web services user's `zone`.
    fn date(&self, name: &str, zone: Tz) -> Result<Option<NaiveDate>, Error> {
        self.parsed(name, "dateTime with an offset", |text| {
            parse_date(text, zone)
        })
    }

    /// Reads field `name` with `parse`, naming the field and `expected` when it fails.
    fn parsed<T>(
        &self,
        name: &str,
        expected: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> Result<Option<T>, Error> {
        let Some(text) = self.text(name) else {
            return Ok(None);
        };
        match parse(text.trim()) {
            Some(value) => Ok(Some(value)),
            None => Err(Error::InvalidResponse(format!(
                "field {name} contains {text:?}, which is not a valid {expected}"
            ))),
        }
    }

    /// Sets field `name` to `value`.
    fn set(&mut self, name: &str, value: BodyValue) {
        let fields = self.field_list_mut();
        match fields.iter_mut().find(|(field, _)| field == name) {
            Some((_, existing)) => *existing = value,
            None => fields.push((name.to_string(), value)),
        }
    }

    /// Sets field `name` when `value` is `Some`; leaves it as it is otherwise.
    fn set_some(&mut self, name: &str, value: Option<BodyValue>) {
        if let Some(value) = value {
            self.set(name, value);
        }
    }

    /// Sets a text field.
    fn set_text(&mut self, name: &str, text: impl Into<String>) {
        self.set(name, BodyValue::Text(text.into()));
    }

    /// Sets a reference field.
    fn set_ref(&mut self, name: &str, reference: RecordRef) {
        self.set(name, BodyValue::Ref(reference));
    }
}

/// Builds a text value from an optional string.
pub(crate) fn text_value(value: &Option<String>) -> Option<BodyValue> {
    value.clone().map(BodyValue::Text)
}

/// Builds a text value from an optional boolean.
pub(crate) fn bool_value(value: Option<bool>) -> Option<BodyValue> {
    value.map(|flag| BodyValue::Text(flag.to_string()))
}

/// Builds a text value from an optional number, in the form `xsd:double` accepts.
pub(crate) fn double_value(value: Option<f64>) -> Option<BodyValue> {
    value.map(|number| BodyValue::Text(number.to_string()))
}

/// Builds a reference value from an optional reference.
pub(crate) fn ref_value(value: &Option<RecordRef>) -> Option<BodyValue> {
    value.clone().map(BodyValue::Ref)
}

/// Builds a date-only value: midnight in `zone` with its offset.
pub(crate) fn date_value(value: Option<NaiveDate>, zone: Tz) -> Option<BodyValue> {
    value.map(|date| BodyValue::Text(format_date(date, zone)))
}

impl FieldAccess for Record {
    fn field_list(&self) -> &[(String, BodyValue)] {
        &self.fields
    }

    fn field_list_mut(&mut self) -> &mut Vec<(String, BodyValue)> {
        &mut self.fields
    }

    fn custom_field_list(&self) -> &[CustomField] {
        &self.custom_fields
    }
}

impl FieldAccess for Complex {
    fn field_list(&self) -> &[(String, BodyValue)] {
        &self.fields
    }

    fn field_list_mut(&mut self) -> &mut Vec<(String, BodyValue)> {
        &mut self.fields
    }

    fn custom_field_list(&self) -> &[CustomField] {
        &self.custom_fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getters_read_typed_values() {
        let mut record = Record::new("customer");
        record.set_text("creditLimit", "2500.5");
        record.set_text("isInactive", "false");
        record.set_text("daysOverdue", "12");
        record.set_ref("terms", RecordRef::named("Net 30"));
        assert_eq!(record.double("creditLimit").unwrap(), Some(2500.5));
        assert_eq!(record.boolean("isInactive").unwrap(), Some(false));
        assert_eq!(record.long("daysOverdue").unwrap(), Some(12));
        assert_eq!(
            record.reference("terms").unwrap().name.as_deref(),
            Some("Net 30")
        );
        assert_eq!(record.double("balance").unwrap(), None);
    }

    #[test]
    fn getter_names_field_with_invalid_text() {
        let mut record = Record::new("customer");
        record.set_text("creditLimit", "a lot");
        let error = record.double("creditLimit").unwrap_err();
        assert!(error.to_string().contains("creditLimit"), "{error}");
    }

    #[test]
    fn set_replaces_existing_field() {
        let mut record = Record::new("customer");
        record.set_text("phone", "1");
        record.set_text("phone", "2");
        assert_eq!(record.fields.len(), 1);
        assert_eq!(record.text("phone"), Some("2"));
    }
}
