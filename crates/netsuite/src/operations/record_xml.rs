//! Checking a record against its schema and writing it as a request `record` element.
//!
//! Every field is checked before anything is sent: unknown fields, values of the wrong shape
//! and text with characters XML 1.0 does not allow are rejected here, because NetSuite answers
//! them with a fault that fails the whole request instead of a per-record error. Fields are
//! written in XSD sequence order, nested values and sublist lines too, each in the namespace of
//! its own type (an address in `platformCommon` inside a `listRel` customer).

mod check;

use std::collections::BTreeSet;
use std::io;

use quick_xml::Writer;

use crate::envelope::{bool_text, qualified, text_element};
use crate::error::Error;
use crate::namespace::Namespace;
use crate::operations::get::write_record_ref;
use crate::records::format_date_time;
use crate::records::{CustomField, CustomValue, ListOrRecordRef, Record, RecordRef};
use crate::schema::schema;

/// A record checked for a write, with its fields in the order they are written.
#[derive(Debug, Clone)]
pub(crate) struct CheckedRecord {
    /// `prefix:TypeName` for `xsi:type`.
    xsi_type: String,
    internal_id: Option<String>,
    external_id: Option<String>,
    null_fields: Vec<String>,
    body: CheckedFields,
}

/// Checked fields of a record, a nested value or a sublist line, in sequence order.
#[derive(Debug, Clone)]
pub(crate) struct CheckedFields {
    namespace: Namespace,
    items: Vec<Item>,
}

#[derive(Debug, Clone)]
enum Item {
    Text(String, String),
    Ref(String, RecordRef),
    RefList(String, Vec<RecordRef>),
    Complex(String, CheckedFields),
    Sublist {
        name: String,
        replace_all: Option<bool>,
        line_name: String,
        lines: Vec<CheckedFields>,
    },
    CustomFields(Vec<CustomField>),
}

impl CheckedRecord {
    /// Checks `record` against its type's schema. A record type the schema names but has no
    /// sequence for is written with its fields in the order given.
    pub fn new(record: &Record) -> Result<CheckedRecord, Error> {
        let info = schema().record(&record.record_type).ok_or_else(|| {
            Error::Config(format!(
                "`{}` is not a NetSuite record type; record types are spelled as in \
                 RecordType, such as customer or salesOrder",
                record.record_type
            ))
        })?;
        let fields_schema = schema().complex_type(info.type_name);
        check::check_null_fields(info.type_name, fields_schema, &record.null_fields)?;
        check::check_keys_text(record)?;
        let body = check::check_fields(
            info.type_name,
            info.namespace,
            fields_schema,
            &record.fields,
            &record.custom_fields,
        )?;
        Ok(CheckedRecord {
            xsi_type: qualified(info.namespace, info.type_name),
            internal_id: record.internal_id.clone(),
            external_id: record.external_id.clone(),
            null_fields: record.null_fields.clone(),
            body,
        })
    }

    /// Adds the namespaces the record's elements use to `namespaces`.
    pub fn collect_namespaces(&self, namespaces: &mut BTreeSet<Namespace>) {
        self.body.collect_namespaces(namespaces);
    }

    /// Writes the record as `element` (`platformMsgs:record`).
    pub fn write(&self, writer: &mut Writer<Vec<u8>>, element: &str) -> io::Result<()> {
        let mut start = writer
            .create_element(element)
            .with_attribute(("xsi:type", self.xsi_type.as_str()));
        if let Some(internal_id) = &self.internal_id {
            start = start.with_attribute(("internalId", internal_id.as_str()));
        }
        if let Some(external_id) = &self.external_id {
            start = start.with_attribute(("externalId", external_id.as_str()));
        }
        if self.null_fields.is_empty() && self.body.items.is_empty() {
            start.write_empty()?;
            return Ok(());
        }
        start.write_inner_content(|writer| {
            // `nullFieldList` belongs to the abstract base type `Record`, so it comes first,
            // and it is in the core namespace whatever the record's namespace.
            write_null_fields(writer, &self.null_fields)?;
            self.body.write_items(writer)
        })?;
        Ok(())
    }
}

impl CheckedFields {
    fn collect_namespaces(&self, namespaces: &mut BTreeSet<Namespace>) {
        namespaces.insert(self.namespace);
        for item in &self.items {
            match item {
                Item::Complex(_, fields) => fields.collect_namespaces(namespaces),
                Item::Sublist { lines, .. } => {
                    lines
                        .iter()
                        .for_each(|line| line.collect_namespaces(namespaces));
                }
                _ => {}
            }
        }
    }

    fn write_items(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        for item in &self.items {
            self.write_item(writer, item)?;
        }
        Ok(())
    }

    fn write_item(&self, writer: &mut Writer<Vec<u8>>, item: &Item) -> io::Result<()> {
        let element = |name: &str| qualified(self.namespace, name);
        match item {
            Item::Text(name, text) => text_element(writer, &element(name), text),
            Item::Ref(name, reference) => {
                write_record_ref(writer, &element(name), reference, false)
            }
            Item::RefList(name, references) => {
                writer
                    .create_element(element(name).as_str())
                    .write_inner_content(|writer| {
                        references.iter().try_for_each(|reference| {
                            write_record_ref(writer, "platformCore:recordRef", reference, false)
                        })
                    })?;
                Ok(())
            }
            Item::Complex(name, fields) => fields.write_wrapped(writer, &element(name)),
            Item::Sublist {
                name,
                replace_all,
                line_name,
                lines,
            } => {
                let list = element(name);
                let mut start = writer.create_element(list.as_str());
                if let Some(replace_all) = replace_all {
                    start = start.with_attribute(("replaceAll", bool_text(*replace_all)));
                }
                start.write_inner_content(|writer| {
                    lines
                        .iter()
                        .try_for_each(|line| line.write_wrapped(writer, &element(line_name)))
                })?;
                Ok(())
            }
            Item::CustomFields(fields) => {
                writer
                    .create_element(element("customFieldList").as_str())
                    .write_inner_content(|writer| {
                        fields
                            .iter()
                            .try_for_each(|field| write_custom_field(writer, field))
                    })?;
                Ok(())
            }
        }
    }

    /// Writes the fields inside `element`, an empty element when there are none.
    fn write_wrapped(&self, writer: &mut Writer<Vec<u8>>, element: &str) -> io::Result<()> {
        let start = writer.create_element(element);
        if self.items.is_empty() {
            start.write_empty()?;
            return Ok(());
        }
        start.write_inner_content(|writer| self.write_items(writer))?;
        Ok(())
    }
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
