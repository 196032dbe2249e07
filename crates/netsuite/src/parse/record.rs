//! Reading records of any type into the generic [`Record`].
//!
//! When the record type is in the schema, each field is read as its XSD type defines it: a
//! reference, a reference list, a nested value, a sublist with its lines, or text. Fields the
//! schema does not know (other versions, other record types) are read by their shape.

use crate::error::Error;
use crate::namespace::Namespace;
use crate::parse::cursor::{Element, ElementNamespace, FirstContent, XmlCursor};
use crate::records::{
    BodyValue, Complex, CustomField, CustomValue, ListOrRecordRef, Record, RecordRef, Sublist,
    parse_date_time, record_type_of,
};
use crate::schema::{ComplexType, FieldKind, schema};

/// Reads a `record` element (`xsi:type` names the record type).
pub(crate) fn read_record(cursor: &mut XmlCursor<'_>, element: &Element) -> Result<Record, Error> {
    let type_name = element
        .xsi_type
        .as_ref()
        .map(|xsi_type| xsi_type.name.as_str())
        .ok_or_else(|| Error::InvalidResponse("a record has no xsi:type".to_string()))?;
    let record_type = record_type_of(type_name);
    let fields_schema = schema().record_fields(&record_type);
    let mut record = Record {
        record_type,
        internal_id: element.attribute("internalId").map(str::to_string),
        external_id: element.attribute("externalId").map(str::to_string),
        ..Record::default()
    };
    while let Some(child) = cursor.next_child(element)? {
        if child.is_netsuite(Namespace::Core, "nullFieldList") {
            record.null_fields = read_null_fields(cursor, &child)?;
        } else if child.local_name == "customFieldList" {
            record.custom_fields = read_custom_fields(cursor, &child)?;
        } else {
            let kind = kind_of(fields_schema, &child.local_name);
            if let Some(value) = read_value(cursor, &child, kind)? {
                record.fields.push((child.local_name.clone(), value));
            }
        }
    }
    Ok(record)
}

/// Returns the kind of element `name` in `complex`, if the schema has it.
fn kind_of(complex: Option<&ComplexType>, name: &str) -> Option<FieldKind> {
    complex
        .and_then(|complex| complex.field(name))
        .map(|(_, field)| field.kind)
}

/// Reads one field as `kind`, or by its shape when the kind is unknown. `None` for a simple
/// field that unexpectedly has child elements, which are skipped.
fn read_value(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
    kind: Option<FieldKind>,
) -> Result<Option<BodyValue>, Error> {
    let value = match kind {
        None | Some(FieldKind::Other) => read_by_shape(cursor, element)?,
        Some(FieldKind::RecordRef) => BodyValue::Ref(read_reference(cursor, element)?),
        Some(FieldKind::RecordRefList) => BodyValue::RefList(read_ref_list(cursor, element)?),
        Some(FieldKind::Complex(type_name)) => read_typed_complex(cursor, element, type_name)?,
        Some(_) => match cursor.first_content(element)? {
            FirstContent::Text(text) => BodyValue::Text(text),
            FirstContent::Child(child) => {
                cursor.skip(&child)?;
                cursor.skip(element)?;
                return Ok(None);
            }
        },
    };
    Ok(Some(value))
}

/// Reads a value of the schema's complex type `type_name`: a sublist when the type is a
/// list of lines, a nested value otherwise.
fn read_typed_complex(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
    type_name: &str,
) -> Result<BodyValue, Error> {
    let Some(complex) = schema().complex_type(type_name) else {
        return read_by_shape(cursor, element);
    };
    let Some(line) = complex.sublist_line() else {
        return Ok(BodyValue::Complex(read_complex(
            cursor,
            element,
            Some(complex),
        )?));
    };
    let line_schema = match line.kind {
        FieldKind::Complex(name) => schema().complex_type(name),
        _ => None,
    };
    let mut sublist = Sublist {
        replace_all: replace_all(element),
        lines: Vec::new(),
        line_name: Some(line.name.to_string()),
    };
    while let Some(child) = cursor.next_child(element)? {
        if child.local_name == line.name {
            sublist
                .lines
                .push(read_complex(cursor, &child, line_schema)?);
        } else {
            cursor.skip(&child)?;
        }
    }
    Ok(BodyValue::Sublist(sublist))
}

/// Reads the fields of a nested value or sublist line.
fn read_complex(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
    complex_schema: Option<&ComplexType>,
) -> Result<Complex, Error> {
    let mut complex = Complex::new();
    while let Some(child) = cursor.next_child(element)? {
        if child.local_name == "customFieldList" {
            complex.custom_fields = read_custom_fields(cursor, &child)?;
            continue;
        }
        let kind = kind_of(complex_schema, &child.local_name);
        if let Some(value) = read_value(cursor, &child, kind)? {
            complex.fields.push((child.local_name.clone(), value));
        }
    }
    Ok(complex)
}

/// Reads a field the schema does not describe: a reference when it carries an ID attribute,
/// text when it has no child element, and otherwise a reference list, a sublist or a nested
/// value, distinguished by its children.
fn read_by_shape(cursor: &mut XmlCursor<'_>, element: &Element) -> Result<BodyValue, Error> {
    if is_reference(element) {
        return Ok(BodyValue::Ref(read_reference(cursor, element)?));
    }
    let first = match cursor.first_content(element)? {
        FirstContent::Text(text) => return Ok(BodyValue::Text(text)),
        FirstContent::Child(first) => first,
    };
    let mut complex = Complex::new();
    let mut child = Some(first);
    while let Some(current) = child {
        if current.local_name == "customFieldList" {
            complex.custom_fields = read_custom_fields(cursor, &current)?;
        } else {
            let value = read_by_shape(cursor, &current)?;
            complex.fields.push((current.local_name.clone(), value));
        }
        child = cursor.next_child(element)?;
    }
    Ok(shape_of(element, complex))
}

/// Classifies the children of an element the schema does not describe.
fn shape_of(element: &Element, complex: Complex) -> BodyValue {
    let is_list = element.local_name.ends_with("List");
    let all_refs = complex
        .fields
        .iter()
        .all(|(_, value)| matches!(value, BodyValue::Ref(_)));
    if is_list && all_refs && complex.custom_fields.is_empty() {
        let references = complex.fields.into_iter().map(|(_, value)| value);
        return BodyValue::RefList(references.filter_map(into_ref).collect());
    }
    let first_name = complex.fields.first().map(|(name, _)| name.clone());
    let same_lines = complex.fields.iter().all(|(name, value)| {
        Some(name) == first_name.as_ref() && matches!(value, BodyValue::Complex(_))
    });
    let has_replace_all = element.attribute("replaceAll").is_some();
    if (has_replace_all || is_list) && same_lines && complex.custom_fields.is_empty() {
        let lines = complex
            .fields
            .into_iter()
            .filter_map(|(_, value)| match value {
                BodyValue::Complex(line) => Some(line),
                _ => None,
            });
        return BodyValue::Sublist(Sublist {
            replace_all: replace_all(element),
            lines: lines.collect(),
            line_name: first_name,
        });
    }
    BodyValue::Complex(complex)
}

fn into_ref(value: BodyValue) -> Option<RecordRef> {
    match value {
        BodyValue::Ref(reference) => Some(reference),
        _ => None,
    }
}

fn replace_all(element: &Element) -> Option<bool> {
    match element.attribute("replaceAll").map(str::trim) {
        Some("true") | Some("1") => Some(true),
        Some("false") | Some("0") => Some(false),
        _ => None,
    }
}

/// Reads the `recordRef` children of a `RecordRefList`.
fn read_ref_list(cursor: &mut XmlCursor<'_>, element: &Element) -> Result<Vec<RecordRef>, Error> {
    let mut references = Vec::new();
    while let Some(child) = cursor.next_child(element)? {
        references.push(read_reference(cursor, &child)?);
    }
    Ok(references)
}

/// Returns true for a `RecordRef` field, which carries its key as attributes. Plain fields
/// have no attributes.
pub(crate) fn is_reference(element: &Element) -> bool {
    element.attribute("internalId").is_some() || element.attribute("externalId").is_some()
}

/// Reads a `RecordRef`: the `internalId`, `externalId` and `type` attributes and the
/// `name` child.
pub(crate) fn read_reference(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
) -> Result<RecordRef, Error> {
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

pub(crate) fn read_custom_fields(
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
        .map(|xsi_type| custom_kind(&xsi_type.name))
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

/// Returns the record form of a custom field type: search rows name the kinds
/// `SearchColumnStringCustomField`, records `StringCustomFieldRef`.
fn custom_kind(type_name: &str) -> String {
    match type_name
        .strip_prefix("SearchColumn")
        .and_then(|rest| rest.strip_suffix("CustomField"))
    {
        Some(middle) => format!("{middle}CustomFieldRef"),
        None => type_name.to_string(),
    }
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
