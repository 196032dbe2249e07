//! The checks of a record's fields against the schema before a write.

use crate::envelope::check_xml_text;
use crate::error::Error;
use crate::namespace::Namespace;
use crate::operations::get::check_record_ref_text;
use crate::records::{BodyValue, Complex, CustomField, CustomValue, Record, Sublist};
use crate::records::{RecordRef, parse_date_time};
use crate::schema::{ComplexType, FieldKind, schema};

use super::{CheckedFields, Item};

/// Checks fields and custom fields of a value of type `type_name` and sorts them into
/// sequence order. Without a schema the fields keep the caller's order and the custom field
/// list comes last, where every NetSuite record type has it.
pub(super) fn check_fields(
    type_name: &str,
    namespace: Namespace,
    complex: Option<&ComplexType>,
    fields: &[(String, BodyValue)],
    custom_fields: &[CustomField],
) -> Result<CheckedFields, Error> {
    let mut positioned: Vec<(usize, Item)> = Vec::with_capacity(fields.len() + 1);
    for (index, (name, value)) in fields.iter().enumerate() {
        let (position, kind) = match complex {
            Some(complex) => {
                let (position, field) = complex
                    .field(name)
                    .ok_or_else(|| unknown_field(type_name, name))?;
                (position, Some(field.kind))
            }
            None => (index, None),
        };
        if positioned.iter().any(|(other, _)| *other == position) {
            return Err(Error::Config(format!("field `{name}` is given twice")));
        }
        positioned.push((position, check_item(name, kind, value, namespace)?));
    }
    if !custom_fields.is_empty() {
        custom_fields.iter().try_for_each(check_custom_field)?;
        let position = match complex {
            Some(complex) => complex.field("customFieldList").map(|(at, _)| at),
            None => Some(usize::MAX),
        };
        let position = position
            .ok_or_else(|| Error::Config(format!("NetSuite {type_name} has no custom fields")))?;
        positioned.push((position, Item::CustomFields(custom_fields.to_vec())));
    }
    positioned.sort_by_key(|(position, _)| *position);
    Ok(CheckedFields {
        namespace,
        items: positioned.into_iter().map(|(_, item)| item).collect(),
    })
}

/// Checks one field value against its kind; `None` when the schema does not describe it.
fn check_item(
    name: &str,
    kind: Option<FieldKind>,
    value: &BodyValue,
    namespace: Namespace,
) -> Result<Item, Error> {
    let wrong_shape = |expected: &str| Error::Config(format!("field `{name}` takes {expected}"));
    let kind = kind.filter(|kind| *kind != FieldKind::Other);
    match (kind, value) {
        (Some(FieldKind::CustomFieldList), _) => Err(Error::Config(
            "custom fields go in the record's custom field list".to_string(),
        )),
        (Some(FieldKind::RecordRef) | None, BodyValue::Ref(reference)) => {
            check_reference(name, reference)?;
            Ok(Item::Ref(name.to_string(), reference.clone()))
        }
        (Some(FieldKind::RecordRefList) | None, BodyValue::RefList(references)) => {
            references
                .iter()
                .try_for_each(|reference| check_reference(name, reference))?;
            Ok(Item::RefList(name.to_string(), references.clone()))
        }
        (Some(FieldKind::Complex(type_name)), BodyValue::Complex(complex)) => {
            check_nested(name, type_name, complex)
        }
        (None, BodyValue::Complex(complex)) => {
            let fields = &complex.fields;
            let checked = check_fields(name, namespace, None, fields, &complex.custom_fields)?;
            Ok(Item::Complex(name.to_string(), checked))
        }
        (Some(FieldKind::Complex(type_name)), BodyValue::Sublist(sublist)) => {
            check_sublist(name, type_name, sublist)
        }
        (None, BodyValue::Sublist(sublist)) => check_untyped_sublist(name, sublist, namespace),
        (Some(FieldKind::RecordRef), _) => Err(wrong_shape("a record reference")),
        (Some(FieldKind::RecordRefList), _) => Err(wrong_shape("a list of record references")),
        (Some(FieldKind::Complex(_)), _) => Err(wrong_shape("a sublist or a nested value")),
        (kind, BodyValue::Text(text)) => {
            check_text(name, kind, text)?;
            Ok(Item::Text(name.to_string(), text.clone()))
        }
        (_, _) => Err(wrong_shape("text")),
    }
}

fn check_reference(name: &str, reference: &RecordRef) -> Result<(), Error> {
    if !reference.is_resolvable() {
        return Err(Error::InvalidValue {
            field: name.to_string(),
            message: "a reference needs an internal ID, an external ID or a name".to_string(),
        });
    }
    check_record_ref_text(name, reference)
}

fn check_nested(name: &str, type_name: &str, complex: &Complex) -> Result<Item, Error> {
    let nested = schema().complex_type(type_name);
    if nested.is_some_and(|nested| nested.sublist_line().is_some()) {
        return Err(Error::Config(format!(
            "field `{name}` is a sublist; give it as a Sublist with lines"
        )));
    }
    let namespace = nested.map_or(Namespace::Core, |nested| nested.namespace);
    let checked = check_fields(
        type_name,
        namespace,
        nested,
        &complex.fields,
        &complex.custom_fields,
    )?;
    Ok(Item::Complex(name.to_string(), checked))
}

fn check_sublist(name: &str, type_name: &str, sublist: &Sublist) -> Result<Item, Error> {
    let list = schema().complex_type(type_name);
    let line = list.and_then(ComplexType::sublist_line).ok_or_else(|| {
        Error::Config(format!(
            "field `{name}` is not a sublist; give it as a nested value"
        ))
    })?;
    let FieldKind::Complex(line_type) = line.kind else {
        return Err(Error::Config(format!(
            "the lines of `{name}` are not records"
        )));
    };
    let line_schema = schema().complex_type(line_type);
    let namespace = line_schema.map_or(Namespace::Core, |line| line.namespace);
    let lines = sublist
        .lines
        .iter()
        .map(|line| {
            check_fields(
                line_type,
                namespace,
                line_schema,
                &line.fields,
                &line.custom_fields,
            )
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(Item::Sublist {
        name: name.to_string(),
        replace_all: sublist.replace_all,
        line_name: line.name.to_string(),
        lines,
    })
}

fn check_untyped_sublist(
    name: &str,
    sublist: &Sublist,
    namespace: Namespace,
) -> Result<Item, Error> {
    let line_name = sublist.line_name.clone().ok_or_else(|| {
        Error::Config(format!(
            "sublist `{name}` needs the element name of its lines, because the schema does \
             not describe it"
        ))
    })?;
    let lines = sublist
        .lines
        .iter()
        .map(|line| {
            check_fields(
                &line_name,
                namespace,
                None,
                &line.fields,
                &line.custom_fields,
            )
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(Item::Sublist {
        name: name.to_string(),
        replace_all: sublist.replace_all,
        line_name,
        lines,
    })
}

/// Checks the text of a simple field against its XSD type and XML 1.0's characters.
fn check_text(name: &str, kind: Option<FieldKind>, text: &str) -> Result<(), Error> {
    check_xml_text(name, text)?;
    let (valid, expected) = match kind {
        Some(FieldKind::Boolean) => (text == "true" || text == "false", "boolean (true or false)"),
        Some(FieldKind::Double) => (
            text.parse::<f64>().is_ok_and(f64::is_finite),
            "finite number",
        ),
        Some(FieldKind::Long) => (text.parse::<i64>().is_ok(), "whole number"),
        Some(FieldKind::DateTime) => (parse_date_time(text).is_some(), "dateTime with an offset"),
        _ => (true, ""),
    };
    if valid {
        Ok(())
    } else {
        Err(Error::InvalidValue {
            field: name.to_string(),
            message: format!("{text:?} is not a valid {expected}"),
        })
    }
}

/// Checks a custom field: an ID to address it, a finite number, a non-empty multi-select,
/// and text XML 1.0 can carry.
pub(crate) fn check_custom_field(field: &CustomField) -> Result<(), Error> {
    let name = field
        .script_id
        .clone()
        .or_else(|| field.internal_id.clone())
        .ok_or_else(|| {
            Error::Config("a custom field needs a script ID or an internal ID".to_string())
        })?;
    check_xml_text(
        "customField.scriptId",
        field.script_id.as_deref().unwrap_or(""),
    )?;
    check_xml_text(
        "customField.internalId",
        field.internal_id.as_deref().unwrap_or(""),
    )?;
    let invalid = |message: &str| Error::InvalidValue {
        field: name.clone(),
        message: message.to_string(),
    };
    match &field.value {
        CustomValue::Double(value) if !value.is_finite() => Err(invalid("not a finite number")),
        CustomValue::MultiSelect(values) if values.is_empty() => Err(invalid(
            "a multi-select value needs at least one entry; clear it instead",
        )),
        CustomValue::String(text) => check_xml_text(&name, text),
        CustomValue::Select(reference) => check_list_ref_text(&name, reference),
        CustomValue::MultiSelect(references) => references
            .iter()
            .try_for_each(|reference| check_list_ref_text(&name, reference)),
        _ => Ok(()),
    }
}

fn check_list_ref_text(
    name: &str,
    reference: &crate::records::ListOrRecordRef,
) -> Result<(), Error> {
    let parts = [
        ("internalId", &reference.internal_id),
        ("externalId", &reference.external_id),
        ("typeId", &reference.type_id),
        ("name", &reference.name),
    ];
    for (part, value) in parts {
        if let Some(text) = value {
            check_xml_text(&format!("{name}.{part}"), text)?;
        }
    }
    Ok(())
}

/// Accepts fields of the schema and custom field IDs (`cust...`) in `nullFieldList`.
pub(super) fn check_null_fields(
    type_name: &str,
    complex: Option<&ComplexType>,
    names: &[String],
) -> Result<(), Error> {
    for name in names {
        check_xml_text("nullFieldList", name)?;
        let known = match complex {
            Some(complex) => complex.field(name).is_some() || name.starts_with("cust"),
            None => !name.is_empty(),
        };
        if !known {
            return Err(unknown_field(type_name, name));
        }
    }
    Ok(())
}

/// Checks the internal and external ID of the record for XML 1.0's characters.
pub(super) fn check_keys_text(record: &Record) -> Result<(), Error> {
    if let Some(internal_id) = &record.internal_id {
        check_xml_text("internalId", internal_id)?;
    }
    if let Some(external_id) = &record.external_id {
        check_xml_text("externalId", external_id)?;
    }
    Ok(())
}

fn unknown_field(type_name: &str, name: &str) -> Error {
    Error::Config(format!(
        "NetSuite {type_name} has no field `{name}`; custom fields go in the custom field list"
    ))
}
