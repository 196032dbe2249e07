//! The write operations `add`, `update` and `upsert`, one record each.
//!
//! A record is checked against its type's schema before anything is sent. Unknown fields,
//! sublists, values of the wrong shape and text with characters that XML 1.0 does not allow
//! are rejected here, because NetSuite responds to them with a fault that fails the whole
//! request instead of a per-record error.

mod xml_text;

use std::io;

use quick_xml::Writer;

use crate::envelope::{bool_text, qualified, text_element};
use crate::error::Error;
use crate::operations::get::write_record_ref;
use crate::operations::{Operation, RequestBody, Status};
use crate::records::{
    BodyValue, CustomField, CustomValue, FieldKind, FieldSchema, ListOrRecordRef, Record,
    RecordRef, RecordSchema, format_date_time, parse_date_time, schema_for,
};

/// The content of a `writeResponse`.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteResponse {
    /// Whether NetSuite wrote the record, with any errors or warnings.
    pub status: Status,
    /// The written record (`internalId`, `externalId`, `type`); NetSuite may omit it on
    /// failure.
    pub base_ref: Option<RecordRef>,
}

/// The body of an `add`, `update` or `upsert` request.
pub(crate) struct WriteRequest {
    operation: Operation,
    schema: &'static RecordSchema,
    internal_id: Option<String>,
    external_id: Option<String>,
    null_fields: Vec<String>,
    /// Body fields and the custom field list, sorted by XSD position.
    items: Vec<(usize, Item)>,
}

enum Item {
    Field(&'static FieldSchema, BodyValue),
    CustomFields(Vec<CustomField>),
}

impl WriteRequest {
    /// Checks `record` for `operation` and puts its fields in XSD order.
    pub fn new(operation: Operation, record: &Record) -> Result<WriteRequest, Error> {
        check_keys(operation, record)?;
        let schema = schema_for(&record.record_type).ok_or_else(|| {
            Error::Config(format!(
                "NetSuite record type `{}` cannot be written yet; supported: customer",
                record.record_type
            ))
        })?;
        let mut items = body_items(schema, &record.fields)?;
        if !record.custom_fields.is_empty() {
            record
                .custom_fields
                .iter()
                .try_for_each(check_custom_field)?;
            let (position, _) = schema.field("customFieldList").ok_or_else(|| {
                Error::Config(format!(
                    "NetSuite {} has no custom fields",
                    schema.type_name
                ))
            })?;
            items.push((position, Item::CustomFields(record.custom_fields.clone())));
        }
        items.sort_by_key(|(position, _)| *position);
        check_null_fields(schema, &record.null_fields)?;
        xml_text::check_record_text(record)?;
        Ok(WriteRequest {
            operation,
            schema,
            internal_id: record.internal_id.clone(),
            external_id: record.external_id.clone(),
            null_fields: record.null_fields.clone(),
            items,
        })
    }
}

impl RequestBody for WriteRequest {
    fn operation(&self) -> Operation {
        self.operation
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let operation = format!("platformMsgs:{}", self.operation.name());
        writer
            .create_element(operation.as_str())
            .write_inner_content(|writer| self.write_record(writer))?;
        Ok(())
    }
}

impl WriteRequest {
    fn write_record(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let xsi_type = qualified(self.schema.namespace, self.schema.type_name);
        let mut start = writer
            .create_element("platformMsgs:record")
            .with_attribute(("xsi:type", xsi_type.as_str()));
        if let Some(internal_id) = &self.internal_id {
            start = start.with_attribute(("internalId", internal_id.as_str()));
        }
        if let Some(external_id) = &self.external_id {
            start = start.with_attribute(("externalId", external_id.as_str()));
        }
        if self.null_fields.is_empty() && self.items.is_empty() {
            start.write_empty()?;
            return Ok(());
        }
        start.write_inner_content(|writer| {
            // `nullFieldList` belongs to the abstract base type `Record`, so it comes first.
            write_null_fields(writer, &self.null_fields)?;
            for (_, item) in &self.items {
                match item {
                    Item::Field(field, value) => self.write_field(writer, field, value)?,
                    Item::CustomFields(fields) => self.write_custom_fields(writer, fields)?,
                }
            }
            Ok(())
        })?;
        Ok(())
    }

    fn write_field(
        &self,
        writer: &mut Writer<Vec<u8>>,
        field: &FieldSchema,
        value: &BodyValue,
    ) -> io::Result<()> {
        let element = qualified(self.schema.namespace, field.name);
        match value {
            BodyValue::Text(text) => text_element(writer, &element, text),
            BodyValue::Ref(reference) => write_record_ref(writer, &element, reference, false),
        }
    }

    fn write_custom_fields(
        &self,
        writer: &mut Writer<Vec<u8>>,
        fields: &[CustomField],
    ) -> io::Result<()> {
        let element = qualified(self.schema.namespace, "customFieldList");
        writer
            .create_element(element.as_str())
            .write_inner_content(|writer| {
                fields
                    .iter()
                    .try_for_each(|field| write_custom_field(writer, field))
            })?;
        Ok(())
    }
}

fn check_keys(operation: Operation, record: &Record) -> Result<(), Error> {
    let missing = match operation {
        Operation::Update if record.internal_id.is_none() && record.external_id.is_none() => {
            Some("an update needs an internal ID or an external ID")
        }
        Operation::Upsert if record.external_id.is_none() => {
            Some("an upsert needs an external ID, which is its key")
        }
        _ => None,
    };
    match missing {
        Some(message) => Err(Error::Config(message.to_string())),
        None => Ok(()),
    }
}

fn body_items(
    schema: &'static RecordSchema,
    fields: &[(String, BodyValue)],
) -> Result<Vec<(usize, Item)>, Error> {
    let mut items: Vec<(usize, Item)> = Vec::with_capacity(fields.len());
    for (name, value) in fields {
        let (position, field) = schema
            .field(name)
            .ok_or_else(|| unknown_field(schema, name))?;
        if items.iter().any(|(other, _)| *other == position) {
            return Err(Error::Config(format!("field `{name}` is given twice")));
        }
        check_value(field, value)?;
        items.push((position, Item::Field(field, value.clone())));
    }
    Ok(items)
}

fn unknown_field(schema: &RecordSchema, name: &str) -> Error {
    Error::Config(format!(
        "NetSuite {} has no field `{name}`; custom fields go in the custom field list",
        schema.type_name
    ))
}

/// Checks that `value` has the shape of `field`'s XSD type.
fn check_value(field: &FieldSchema, value: &BodyValue) -> Result<(), Error> {
    let invalid = |message: &str| Error::InvalidValue {
        field: field.name.to_string(),
        message: message.to_string(),
    };
    let wrong_shape =
        |expected: &str| Error::Config(format!("field `{}` takes {expected}", field.name));
    match (field.kind, value) {
        (FieldKind::RecordRef, BodyValue::Ref(reference)) => {
            if reference.internal_id.is_none() && reference.external_id.is_none() {
                return Err(invalid(
                    "a reference needs an internal ID or an external ID",
                ));
            }
            Ok(())
        }
        (FieldKind::RecordRef, BodyValue::Text(_)) => Err(wrong_shape("a record reference")),
        (FieldKind::Sublist, _) => Err(Error::Config(format!(
            "field `{}` is a sublist; sublists cannot be written yet",
            field.name
        ))),
        (FieldKind::CustomFieldList, _) => Err(Error::Config(
            "custom fields go in the record's custom field list".to_string(),
        )),
        (_, BodyValue::Ref(_)) => Err(wrong_shape("text, not a record reference")),
        (kind, BodyValue::Text(text)) => {
            check_text(kind, text).map_err(|message| invalid(&message))
        }
    }
}

/// Checks the text of a simple field against its XSD type.
fn check_text(kind: FieldKind, text: &str) -> Result<(), String> {
    let valid = match kind {
        FieldKind::Boolean => text == "true" || text == "false",
        FieldKind::Double => text.parse::<f64>().is_ok_and(f64::is_finite),
        FieldKind::Long => text.parse::<i64>().is_ok(),
        FieldKind::DateTime => parse_date_time(text).is_some(),
        _ => true,
    };
    if valid {
        Ok(())
    } else {
        Err(format!("{text:?} is not a valid {}", kind_name(kind)))
    }
}

fn kind_name(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Boolean => "boolean (true or false)",
        FieldKind::Double => "finite number",
        FieldKind::Long => "whole number",
        FieldKind::DateTime => "dateTime with an offset",
        _ => "value",
    }
}

fn check_custom_field(field: &CustomField) -> Result<(), Error> {
    let name = field
        .script_id
        .clone()
        .or_else(|| field.internal_id.clone())
        .ok_or_else(|| {
            Error::Config("a custom field needs a script ID or an internal ID".to_string())
        })?;
    let invalid = |message: &str| Error::InvalidValue {
        field: name.clone(),
        message: message.to_string(),
    };
    match &field.value {
        CustomValue::Double(value) if !value.is_finite() => Err(invalid("not a finite number")),
        CustomValue::MultiSelect(values) if values.is_empty() => Err(invalid(
            "a multi-select value needs at least one entry; clear it instead",
        )),
        _ => Ok(()),
    }
}

/// Accepts standard fields of the schema and custom field script IDs (`cust...`).
fn check_null_fields(schema: &RecordSchema, names: &[String]) -> Result<(), Error> {
    for name in names {
        if schema.field(name).is_none() && !name.starts_with("cust") {
            return Err(unknown_field(schema, name));
        }
    }
    Ok(())
}

/// Writes `nullFieldList`, always in the core namespace, or nothing when `names` is empty.
fn write_null_fields(writer: &mut Writer<Vec<u8>>, names: &[String]) -> io::Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    writer
        .create_element("platformCore:nullFieldList")
        .write_inner_content(|writer| {
            names
                .iter()
                .try_for_each(|name| text_element(writer, "platformCore:name", name))
        })?;
    Ok(())
}

fn write_custom_field(writer: &mut Writer<Vec<u8>>, field: &CustomField) -> io::Result<()> {
    let xsi_type = format!("platformCore:{}", field.value.xsi_type());
    let mut start = writer
        .create_element("platformCore:customField")
        .with_attribute(("xsi:type", xsi_type.as_str()));
    if let Some(script_id) = &field.script_id {
        start = start.with_attribute(("scriptId", script_id.as_str()));
    }
    if let Some(internal_id) = &field.internal_id {
        start = start.with_attribute(("internalId", internal_id.as_str()));
    }
    start.write_inner_content(|writer| write_custom_value(writer, &field.value))?;
    Ok(())
}

fn write_custom_value(writer: &mut Writer<Vec<u8>>, value: &CustomValue) -> io::Result<()> {
    const VALUE: &str = "platformCore:value";
    match value {
        CustomValue::String(text) => text_element(writer, VALUE, text),
        CustomValue::Boolean(flag) => text_element(writer, VALUE, bool_text(*flag)),
        CustomValue::Double(number) => text_element(writer, VALUE, &number.to_string()),
        CustomValue::Long(number) => text_element(writer, VALUE, &number.to_string()),
        CustomValue::Date(time) => text_element(writer, VALUE, &format_date_time(*time)),
        CustomValue::Select(reference) => write_list_ref(writer, reference),
        CustomValue::MultiSelect(references) => references
            .iter()
            .try_for_each(|reference| write_list_ref(writer, reference)),
    }
}

/// Writes a `ListOrRecordRef` as a custom field `value`.
fn write_list_ref(writer: &mut Writer<Vec<u8>>, reference: &ListOrRecordRef) -> io::Result<()> {
    let mut start = writer.create_element("platformCore:value");
    if let Some(internal_id) = &reference.internal_id {
        start = start.with_attribute(("internalId", internal_id.as_str()));
    }
    if let Some(external_id) = &reference.external_id {
        start = start.with_attribute(("externalId", external_id.as_str()));
    }
    if let Some(type_id) = &reference.type_id {
        start = start.with_attribute(("typeId", type_id.as_str()));
    }
    match &reference.name {
        Some(name) => {
            start.write_inner_content(|writer| text_element(writer, "platformCore:name", name))?;
        }
        None => {
            start.write_empty()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
