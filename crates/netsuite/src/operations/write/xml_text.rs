//! Checks that every text a write request carries contains only characters XML 1.0 allows.

use crate::envelope::check_xml_text;
use crate::error::Error;
use crate::operations::get::check_record_ref_text;
use crate::records::{BodyValue, CustomField, CustomValue, ListOrRecordRef, Record};

/// Checks every text the request carries with [`check_xml_text`]: the keys, the names in
/// `nullFieldList`, body fields, and custom field IDs and values.
pub(super) fn check_record_text(record: &Record) -> Result<(), Error> {
    check_optional_text("internalId", record.internal_id.as_deref())?;
    check_optional_text("externalId", record.external_id.as_deref())?;
    for name in &record.null_fields {
        check_xml_text("nullFieldList", name)?;
    }
    for (name, value) in &record.fields {
        match value {
            BodyValue::Text(text) => check_xml_text(name, text)?,
            BodyValue::Ref(reference) => check_record_ref_text(name, reference)?,
        }
    }
    record
        .custom_fields
        .iter()
        .try_for_each(check_custom_field_text)
}

fn check_custom_field_text(field: &CustomField) -> Result<(), Error> {
    check_optional_text("customField.scriptId", field.script_id.as_deref())?;
    check_optional_text("customField.internalId", field.internal_id.as_deref())?;
    // `WriteRequest::new` has checked with `check_custom_field` that one of the IDs is present.
    let name = field
        .script_id
        .as_deref()
        .or(field.internal_id.as_deref())
        .unwrap_or_default();
    match &field.value {
        CustomValue::String(text) => check_xml_text(name, text),
        CustomValue::Select(reference) => check_list_ref_text(name, reference),
        CustomValue::MultiSelect(references) => references
            .iter()
            .try_for_each(|reference| check_list_ref_text(name, reference)),
        CustomValue::Boolean(_)
        | CustomValue::Double(_)
        | CustomValue::Long(_)
        | CustomValue::Date(_) => Ok(()),
    }
}

fn check_list_ref_text(field: &str, reference: &ListOrRecordRef) -> Result<(), Error> {
    let parts = [
        ("internalId", &reference.internal_id),
        ("externalId", &reference.external_id),
        ("typeId", &reference.type_id),
        ("name", &reference.name),
    ];
    for (part, value) in parts {
        if let Some(text) = value {
            check_xml_text(&format!("{field}.{part}"), text)?;
        }
    }
    Ok(())
}

fn check_optional_text(field: &str, text: Option<&str>) -> Result<(), Error> {
    text.map_or(Ok(()), |text| check_xml_text(field, text))
}
