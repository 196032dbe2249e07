//! Reading records of any type into the generic [`Record`].

use crate::error::Error;
use crate::namespace::Namespace;
use crate::parse::cursor::{Content, Element, ElementNamespace, XmlCursor};
use crate::records::{
    BodyValue, CustomField, CustomValue, ListOrRecordRef, Record, RecordRef, parse_date_time,
    record_type_of,
};

/// Reads a `record` element (`xsi:type` names the record type).
pub(crate) fn read_record(cursor: &mut XmlCursor<'_>, element: &Element) -> Result<Record, Error> {
    let type_name = element
        .xsi_type
        .as_ref()
        .map(|xsi_type| xsi_type.name.as_str())
        .ok_or_else(|| Error::InvalidResponse("a record has no xsi:type".to_string()))?;
    let mut record = Record {
        record_type: record_type_of(type_name),
        internal_id: element.attribute("internalId").map(str::to_string),
        external_id: element.attribute("externalId").map(str::to_string),
        ..Record::default()
    };
    while let Some(child) = cursor.next_child(element)? {
        read_record_child(cursor, &child, &mut record)?;
    }
    Ok(record)
}

fn read_record_child(
    cursor: &mut XmlCursor<'_>,
    child: &Element,
    record: &mut Record,
) -> Result<(), Error> {
    if child.is_netsuite(Namespace::Core, "nullFieldList") {
        record.null_fields = read_null_fields(cursor, child)?;
    } else if child.local_name == "customFieldList" {
        record.custom_fields = read_custom_fields(cursor, child)?;
    } else if is_reference(child) {
        let reference = read_reference(cursor, child)?;
        record
            .fields
            .push((child.local_name.clone(), BodyValue::Ref(reference)));
    } else {
        // Fields with child elements are sublists or structured values (addresses); they
        // are skipped.
        if let Content::Text(text) = cursor.content(child)? {
            record
                .fields
                .push((child.local_name.clone(), BodyValue::Text(text)));
        }
    }
    Ok(())
}

/// Returns true for a `RecordRef` field, which carries its key as attributes. Plain fields
/// have no attributes.
fn is_reference(element: &Element) -> bool {
    element.attribute("internalId").is_some() || element.attribute("externalId").is_some()
}

/// Reads a `RecordRef`: the `internalId`, `externalId` and `type` attributes and the
/// `name` child.
fn read_reference(cursor: &mut XmlCursor<'_>, element: &Element) -> Result<RecordRef, Error> {
    let mut reference = RecordRef {
        record_type: element.attribute("type").map(str::to_string),
        internal_id: element.attribute("internalId").map(str::to_string),
        external_id: element.attribute("externalId").map(str::to_string),
        name: None,
    };
    reference.name = read_name(cursor, element)?;
    Ok(reference)
}

/// Reads the `name` child of a reference and skips any other child.
fn read_name(cursor: &mut XmlCursor<'_>, element: &Element) -> Result<Option<String>, Error> {
    let mut name = None;
    while let Some(child) = cursor.next_child(element)? {
        if child.local_name == "name" {
            name = Some(cursor.text(&child)?);
        } else {
            cursor.skip(&child)?;
        }
    }
    Ok(name)
}

fn read_null_fields(cursor: &mut XmlCursor<'_>, list: &Element) -> Result<Vec<String>, Error> {
    let mut names = Vec::new();
    while let Some(child) = cursor.next_child(list)? {
        if child.local_name == "name" {
            names.push(cursor.text(&child)?.trim().to_string());
        } else {
            cursor.skip(&child)?;
        }
    }
    Ok(names)
}

fn read_custom_fields(
    cursor: &mut XmlCursor<'_>,
    list: &Element,
) -> Result<Vec<CustomField>, Error> {
    let mut fields = Vec::new();
    while let Some(child) = cursor.next_child(list)? {
        if !child.is_netsuite(Namespace::Core, "customField") {
            cursor.skip(&child)?;
            continue;
        }
        if let Some(field) = read_custom_field(cursor, &child)? {
            fields.push(field);
        }
    }
    Ok(fields)
}

/// Reads one `customField`. Returns `None` for a kind this client does not know and for a
/// field without a value.
fn read_custom_field(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
) -> Result<Option<CustomField>, Error> {
    let script_id = element.attribute("scriptId").map(str::to_string);
    let internal_id = element.attribute("internalId").map(str::to_string);
    let kind = element
        .xsi_type
        .as_ref()
        .map(|xsi_type| xsi_type.name.clone())
        .unwrap_or_default();
    let label = script_id
        .clone()
        .or_else(|| internal_id.clone())
        .unwrap_or_default();
    let mut values = Vec::new();
    while let Some(child) = cursor.next_child(element)? {
        // Advanced search rows name the value `searchValue`; records name it `value`.
        if child.local_name == "value" || child.local_name == "searchValue" {
            values.push(read_custom_value(cursor, &child, &kind, &label)?);
        } else {
            cursor.skip(&child)?;
        }
    }
    let value = match combine_values(&kind, values) {
        Some(value) => value,
        None => {
            tracing::debug!(field = %label, kind = %kind, "skipped a custom field");
            return Ok(None);
        }
    };
    Ok(Some(CustomField {
        script_id,
        internal_id,
        value,
    }))
}

/// Turns the `value` elements of one custom field into its value: a multi-select keeps all
/// of them, every other kind uses the first.
fn combine_values(kind: &str, values: Vec<Option<CustomValue>>) -> Option<CustomValue> {
    let mut values: Vec<CustomValue> = values.into_iter().flatten().collect();
    if kind == "MultiSelectCustomFieldRef" {
        let references: Vec<ListOrRecordRef> = values
            .into_iter()
            .filter_map(|value| match value {
                CustomValue::Select(reference) => Some(reference),
                _ => None,
            })
            .collect();
        return (!references.is_empty()).then_some(CustomValue::MultiSelect(references));
    }
    if values.is_empty() {
        None
    } else {
        Some(values.swap_remove(0))
    }
}

/// Reads one `value` element as `kind`. `None` for kinds this client does not read.
fn read_custom_value(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
    kind: &str,
    label: &str,
) -> Result<Option<CustomValue>, Error> {
    if kind == "SelectCustomFieldRef" || kind == "MultiSelectCustomFieldRef" {
        return Ok(Some(CustomValue::Select(read_list_ref(cursor, element)?)));
    }
    let text = cursor.text(element)?;
    let trimmed = text.trim();
    let invalid = |expected: &str| {
        Error::InvalidResponse(format!(
            "custom field {label}: {trimmed:?} is not a valid {expected}"
        ))
    };
    let value = match kind {
        "StringCustomFieldRef" => CustomValue::String(text.clone()),
        "BooleanCustomFieldRef" => match trimmed {
            "true" => CustomValue::Boolean(true),
            "false" => CustomValue::Boolean(false),
            _ => return Err(invalid("boolean")),
        },
        "DoubleCustomFieldRef" => {
            CustomValue::Double(trimmed.parse().map_err(|_| invalid("double"))?)
        }
        "LongCustomFieldRef" => CustomValue::Long(trimmed.parse().map_err(|_| invalid("long"))?),
        "DateCustomFieldRef" => {
            CustomValue::Date(parse_date_time(trimmed).ok_or_else(|| invalid("dateTime"))?)
        }
        _ => return Ok(None),
    };
    Ok(Some(value))
}

fn read_list_ref(cursor: &mut XmlCursor<'_>, element: &Element) -> Result<ListOrRecordRef, Error> {
    let mut reference = ListOrRecordRef {
        internal_id: element.attribute("internalId").map(str::to_string),
        external_id: element.attribute("externalId").map(str::to_string),
        type_id: element.attribute("typeId").map(str::to_string),
        name: None,
    };
    reference.name = read_name(cursor, element)?;
    Ok(reference)
}

/// Returns true for the namespace a record's `record` element may be in: messages for
/// `get`, core for search results.
pub(crate) fn is_record_element(element: &Element) -> bool {
    element.local_name == "record"
        && matches!(
            element.namespace,
            ElementNamespace::NetSuite(Namespace::Messages | Namespace::Core)
        )
}
