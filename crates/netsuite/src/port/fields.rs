//! Conversion between NetSuite records and the engine's typed field values.
//!
//! Reading:
//! - booleans become `Bool`, doubles and longs become `Number`;
//! - a `RecordRef` becomes its internal ID as `Text`, dateTimes become UTC RFC 3339 `Text`;
//! - a select custom field becomes the internal ID of its value, and a multi-select the
//!   internal IDs joined by `,`;
//! - a field the record does not carry becomes `Null`;
//! - sublist lines and the billing address come from [`super::lists`] and
//!   [`super::address`].
//!
//! Writing:
//! - a name in the record type's schema is a standard field, written in its XSD type;
//! - any other name starting with `cust` is a custom field: `Text` as `StringCustomFieldRef`,
//!   `Bool` as `BooleanCustomFieldRef`, `Number` as `DoubleCustomFieldRef`;
//! - `Null` goes to `nullFieldList`;
//! - a list value under a sublist's name (`itemList`) replaces that sublist.
//!
//! `customForm` is a standard field although it starts with `cust`.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use tandem_engine::{FieldValue, Fields, SourceRecord};

use super::address;
use super::lists;
use super::request::Requested;

use crate::error::Error;
use crate::records::{
    BodyValue, CustomField, CustomValue, Record, RecordRef, format_date, format_date_time,
    parse_date, parse_date_time,
};
use crate::schema::{ComplexType, Field as FieldSchema, FieldKind, is_date_only};

/// Converts a searched or read record into a [`SourceRecord`] with the values of
/// `requested`: body fields, sublist line fields (`itemList[].quantity`, see
/// [`super::lists`]) and billing address fields (see [`super::address`]). A record type
/// without `lastModifiedDate` in its schema (`currency`, `term`) reads as modified at the
/// Unix epoch, because NetSuite keeps no such time for it.
pub(super) fn source_record(
    record_type: &str,
    schema: &ComplexType,
    requested: &[String],
    record: &Record,
    zone: Tz,
) -> Result<SourceRecord, Error> {
    let id = record.internal_id.clone().ok_or_else(|| {
        Error::InvalidResponse(format!("a read {record_type} has no internal ID"))
    })?;
    let modified_at = modified_at(record_type, schema, &id, record)?;
    let plan = Requested::new(record_type, schema, requested)?;
    let mut fields = Fields::new();
    for name in &plan.body {
        fields.insert(name.to_string(), read_field(schema, record, name, zone)?);
    }
    for (list, names) in &plan.lists {
        let value = lists::read_list(record, list, names, zone)?;
        fields.insert(list.name.to_string(), value);
    }
    if !plan.address.is_empty() {
        fields.extend(address::read_billing(record, &plan.address));
    }
    Ok(SourceRecord {
        id,
        modified_at,
        link: record.external_id.clone(),
        fields,
    })
}

fn modified_at(
    record_type: &str,
    schema: &ComplexType,
    id: &str,
    record: &Record,
) -> Result<DateTime<Utc>, Error> {
    match record.last_modified() {
        Some(Ok(time)) => Ok(time),
        Some(Err(text)) => Err(Error::InvalidResponse(format!(
            "{record_type} {id} has an invalid lastModifiedDate {text:?}"
        ))),
        None if schema.field("lastModifiedDate").is_none() => Ok(DateTime::UNIX_EPOCH),
        None => Err(Error::InvalidResponse(format!(
            "{record_type} {id} has no lastModifiedDate"
        ))),
    }
}

fn read_field(
    schema: &ComplexType,
    record: &Record,
    name: &str,
    zone: Tz,
) -> Result<FieldValue, Error> {
    match name {
        "internalId" => return Ok(optional_text(record.internal_id.as_deref())),
        "externalId" => return Ok(optional_text(record.external_id.as_deref())),
        _ => {}
    }
    if let Some((_, field)) = schema.field(name) {
        return read_simple(field, record.field(name), zone);
    }
    if name.starts_with("cust") {
        return Ok(record
            .custom_field(name)
            .map(|field| custom_value(&field.value))
            .unwrap_or(FieldValue::Null));
    }
    Err(unknown_field(schema, name))
}

/// Converts the value of a body or line field of type `field`; an absent field is `Null`.
pub(super) fn read_simple(
    field: &FieldSchema,
    value: Option<&BodyValue>,
    zone: Tz,
) -> Result<FieldValue, Error> {
    match value {
        None => Ok(FieldValue::Null),
        Some(BodyValue::Ref(reference)) => Ok(optional_text(reference.internal_id.as_deref())),
        Some(BodyValue::Text(text)) => typed_value(field, text, zone),
        Some(_) => Err(Error::Config(format!(
            "field `{}` is a list or nested value; request sublist lines as `{}[].field`",
            field.name, field.name
        ))),
    }
}

fn optional_text(text: Option<&str>) -> FieldValue {
    text.map(FieldValue::text).unwrap_or(FieldValue::Null)
}

/// Converts the text of a standard field by its XSD type. A date-only field becomes its
/// calendar date in the user's `zone` (`2017-02-21`).
fn typed_value(field: &FieldSchema, text: &str, zone: Tz) -> Result<FieldValue, Error> {
    let trimmed = text.trim();
    let invalid = |expected: &str| {
        Error::InvalidResponse(format!(
            "field {} contains {text:?}, which is not a valid {expected}",
            field.name
        ))
    };
    let value = match field.kind {
        FieldKind::Boolean => match trimmed {
            "true" => FieldValue::Bool(true),
            "false" => FieldValue::Bool(false),
            _ => return Err(invalid("boolean")),
        },
        FieldKind::Double | FieldKind::Long => {
            FieldValue::Number(trimmed.parse().map_err(|_| invalid("number"))?)
        }
        FieldKind::DateTime if is_date_only(field.name) => {
            let date = parse_date(trimmed, zone).ok_or_else(|| invalid("dateTime"))?;
            FieldValue::Text(date.format("%Y-%m-%d").to_string())
        }
        FieldKind::DateTime => {
            let time = parse_date_time(trimmed).ok_or_else(|| invalid("dateTime"))?;
            FieldValue::Text(format_date_time(time))
        }
        _ => FieldValue::text(text),
    };
    Ok(value)
}

fn custom_value(value: &CustomValue) -> FieldValue {
    match value {
        CustomValue::String(text) => FieldValue::text(text.as_str()),
        CustomValue::Boolean(flag) => FieldValue::Bool(*flag),
        CustomValue::Double(number) => FieldValue::Number(*number),
        CustomValue::Long(number) => FieldValue::Number(*number as f64),
        CustomValue::Date(time) => FieldValue::Text(format_date_time(*time)),
        CustomValue::Select(reference) => optional_text(reference.internal_id.as_deref()),
        CustomValue::MultiSelect(references) => {
            let ids: Vec<&str> = references
                .iter()
                .filter_map(|reference| reference.internal_id.as_deref())
                .collect();
            FieldValue::text(ids.join(","))
        }
    }
}

/// Builds a record of `schema`'s type from engine fields; the caller sets the keys and adds
/// the billing address. A list value under a sublist's name replaces the whole sublist (see
/// [`super::lists`]).
pub(super) fn record_from_fields(
    record_type: &str,
    schema: &ComplexType,
    fields: &Fields,
    zone: Tz,
) -> Result<Record, Error> {
    let mut record = Record::new(record_type);
    for (name, value) in fields {
        if let Some(list) = lists::list_schema(schema, name) {
            let sublist = lists::write_list(&list, value, zone)?;
            record.fields.push((name.clone(), sublist));
        } else if let Some((_, field)) = schema.field(name) {
            match value {
                FieldValue::Null => record.null_fields.push(name.clone()),
                value => record
                    .fields
                    .push((name.clone(), body_value(field, value, zone)?)),
            }
        } else if name.starts_with("cust") {
            match custom_field(name, value)? {
                Some(field) => record.custom_fields.push(field),
                None => record.null_fields.push(name.clone()),
            }
        } else {
            return Err(unknown_field(schema, name));
        }
    }
    Ok(record)
}

/// Converts an engine value into a standard field of `field`'s XSD type. A date-only field
/// takes a calendar date (`2017-02-21`), sent as midnight in the user's `zone`.
pub(super) fn body_value(
    field: &FieldSchema,
    value: &FieldValue,
    zone: Tz,
) -> Result<BodyValue, Error> {
    let wrong_type = || {
        Error::Config(format!(
            "field `{}` is a {} field and cannot take {value:?}",
            field.name,
            kind_label(field.kind)
        ))
    };
    let text = match (field.kind, value) {
        (FieldKind::String | FieldKind::Enum, FieldValue::Text(text)) => text.clone(),
        (FieldKind::Boolean, FieldValue::Bool(flag)) => flag.to_string(),
        (FieldKind::Double, FieldValue::Number(number)) => number.to_string(),
        (FieldKind::Long, FieldValue::Number(number)) => whole_number(field, *number)?,
        (FieldKind::Long, FieldValue::Text(text)) if text.trim().parse::<i64>().is_ok() => {
            text.trim().to_string()
        }
        (FieldKind::DateTime, FieldValue::Text(text)) if is_date_only(field.name) => {
            let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .ok()
                .or_else(|| parse_date(text, zone))
                .ok_or_else(|| Error::InvalidValue {
                    field: field.name.to_string(),
                    message: format!("{text:?} is not a date (YYYY-MM-DD) or an RFC 3339 time"),
                })?;
            format_date(date, zone)
        }
        (FieldKind::DateTime, FieldValue::Text(text)) => {
            let time = parse_date_time(text).ok_or_else(|| Error::InvalidValue {
                field: field.name.to_string(),
                message: format!("{text:?} is not an RFC 3339 time with an offset"),
            })?;
            format_date_time(time)
        }
        (FieldKind::RecordRef, FieldValue::Text(id)) => {
            return Ok(BodyValue::Ref(internal_ref(id)));
        }
        (FieldKind::RecordRef, FieldValue::Number(number)) => {
            return Ok(BodyValue::Ref(internal_ref(&whole_number(field, *number)?)));
        }
        _ => return Err(wrong_type()),
    };
    Ok(BodyValue::Text(text))
}

fn internal_ref(id: &str) -> RecordRef {
    RecordRef {
        internal_id: Some(id.to_string()),
        ..RecordRef::default()
    }
}

/// Formats an integral number without a fraction; rejects fractions and values outside the
/// range of `xsd:long`.
fn whole_number(field: &FieldSchema, number: f64) -> Result<String, Error> {
    // 2^63 is exactly representable; every f64 below it in magnitude fits an i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if number.fract() != 0.0 || !number.is_finite() || number.abs() >= LIMIT {
        return Err(Error::InvalidValue {
            field: field.name.to_string(),
            message: format!("{number} is not a whole number"),
        });
    }
    Ok((number as i64).to_string())
}

fn kind_label(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::String => "text",
        FieldKind::Enum => "enumeration",
        FieldKind::Boolean => "boolean",
        FieldKind::Double => "number",
        FieldKind::Long => "whole number",
        FieldKind::DateTime => "dateTime",
        FieldKind::RecordRef => "record reference",
        FieldKind::RecordRefList => "list of record references",
        FieldKind::Complex(_) => "sublist or nested",
        FieldKind::CustomFieldList => "custom field list",
        _ => "search",
    }
}

/// Builds a custom field from an engine value; `None` for `Null`, which clears the field.
fn custom_field(script_id: &str, value: &FieldValue) -> Result<Option<CustomField>, Error> {
    let value = match value {
        FieldValue::Null => return Ok(None),
        FieldValue::Text(text) => CustomValue::String(text.clone()),
        FieldValue::Bool(flag) => CustomValue::Boolean(*flag),
        FieldValue::Number(number) => CustomValue::Double(*number),
        FieldValue::List(_) => {
            return Err(Error::Config(format!(
                "custom field `{script_id}` holds one value and cannot take a list"
            )));
        }
    };
    Ok(Some(CustomField::new(script_id, value)))
}

fn unknown_field(schema: &ComplexType, name: &str) -> Error {
    Error::Config(format!(
        "NetSuite {} has no field `{name}`; custom fields are named by script ID (cust...)",
        schema.name
    ))
}

#[cfg(test)]
mod tests;
