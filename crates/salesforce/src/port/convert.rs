//! Query rows to [`SourceRecord`]s: scalar fields, parent fields through nested objects, and
//! child relationship results as [`FieldValue::List`].

use serde_json::{Map, Value};
use tandem_engine::{FieldValue, Fields, ObjectSpec, SourceRecord, split_line_field};

use super::select::{ChildSelection, MODSTAMP_FIELD, Selection, has_link};
use crate::datetime::parse_datetime;
use crate::error::Error;
use crate::id::SalesforceId;

/// Converts one query row of `object`, selected with `selection`, into a [`SourceRecord`]
/// with an 18-character Id.
///
/// Each child relationship becomes a list under its name, one line per child with `Id` and the
/// requested line fields. A relationship without children (`null` in the row) is an empty
/// list. The row's child results must be complete (`done` not false); see
/// `read::complete_children`.
pub(super) fn source_record(
    object: &ObjectSpec,
    selection: &Selection,
    row: &Map<String, Value>,
) -> Result<SourceRecord, Error> {
    let id = required_text(row, "Id")?;
    let id = SalesforceId::parse(id).map_err(|error| Error::InvalidResponse {
        message: format!("a {} row has an invalid Id: {error}", object.name),
    })?;
    let modstamp = required_text(row, MODSTAMP_FIELD)?;
    let modified_at = parse_datetime(modstamp).map_err(|error| Error::InvalidResponse {
        message: format!("{id} has an invalid {MODSTAMP_FIELD} {modstamp:?}: {error}"),
    })?;
    let link = match has_link(object) {
        true => link_value(lookup(row, &object.link_field))
            .map_err(|kind| compound_value_error(&object.name, &object.link_field, kind))?,
        false => None,
    };
    let mut fields = Fields::new();
    for name in &object.fields {
        if split_line_field(name).is_some() {
            continue;
        }
        let value = field_value(lookup(row, name))
            .map_err(|kind| compound_value_error(&object.name, name, kind))?;
        fields.insert(name.clone(), value);
    }
    for child in &selection.children {
        let lines = child_lines(&object.name, child, lookup(row, &child.relationship))?;
        fields.insert(child.relationship.clone(), FieldValue::List(lines));
    }
    Ok(SourceRecord {
        id: id.to_string(),
        modified_at,
        link,
        fields,
    })
}

/// Converts the nested query result of one child relationship into lines.
fn child_lines(
    object: &str,
    child: &ChildSelection,
    result: Option<&Value>,
) -> Result<Vec<Fields>, Error> {
    let relationship = &child.relationship;
    let result = match result {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(result)) => result,
        Some(_) => return Err(not_a_child_result(object, relationship)),
    };
    if result.get("done") == Some(&Value::Bool(false)) {
        return Err(Error::InvalidResponse {
            message: format!("the {relationship} of a {object} row were not read to the end"),
        });
    }
    let records = result
        .get("records")
        .and_then(Value::as_array)
        .ok_or_else(|| not_a_child_result(object, relationship))?;
    records
        .iter()
        .map(|line| {
            let line = line
                .as_object()
                .ok_or_else(|| not_a_child_result(object, relationship))?;
            line_fields(object, child, line)
        })
        .collect()
}

fn line_fields(
    object: &str,
    child: &ChildSelection,
    line: &Map<String, Value>,
) -> Result<Fields, Error> {
    let mut fields = Fields::new();
    for name in &child.fields {
        let value = field_value(lookup(line, name)).map_err(|kind| {
            let path = format!("{}[].{name}", child.relationship);
            compound_value_error(object, &path, kind)
        })?;
        fields.insert(name.clone(), value);
    }
    Ok(fields)
}

fn not_a_child_result(object: &str, relationship: &str) -> Error {
    Error::InvalidResponse {
        message: format!(
            "{object}.{relationship} is not a query result of child records; name a child \
             relationship such as OpportunityLineItems"
        ),
    }
}

fn required_text<'a>(row: &'a Map<String, Value>, name: &str) -> Result<&'a str, Error> {
    lookup(row, name)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::InvalidResponse {
            message: format!("a query row has no text {name}"),
        })
}

/// Finds the value of `path` in a row, following `Parent.Field` into nested objects. Returns
/// `None` when a part is missing or a parent is `null`.
pub(super) fn lookup<'a>(row: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut current = row;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let value = current.get(lookup_key(current, part)?)?;
        if parts.peek().is_none() {
            return Some(value);
        }
        current = value.as_object()?;
    }
    None
}

/// Returns the key of `row` that names the field `name`: the exact key first, then one equal
/// ignoring case, because Salesforce returns each field's canonical spelling.
pub(super) fn lookup_key<'a>(row: &'a Map<String, Value>, name: &str) -> Option<&'a str> {
    match row.get_key_value(name) {
        Some((key, _)) => Some(key),
        None => row
            .keys()
            .find(|key| key.eq_ignore_ascii_case(name))
            .map(String::as_str),
    }
}

/// Converts a JSON value to a field value: text (empty text is `Null`), bool, number, or
/// `Null` for JSON `null` and missing fields. Objects and arrays return their kind as the error.
fn field_value(value: Option<&Value>) -> Result<FieldValue, &'static str> {
    match value {
        None | Some(Value::Null) => Ok(FieldValue::Null),
        Some(Value::String(text)) => Ok(FieldValue::text(text.as_str())),
        Some(Value::Bool(flag)) => Ok(FieldValue::Bool(*flag)),
        // serde_json numbers without arbitrary precision always convert to f64.
        Some(Value::Number(number)) => {
            Ok(number.as_f64().map_or(FieldValue::Null, FieldValue::Number))
        }
        Some(Value::Object(_)) => Err("an object"),
        Some(Value::Array(_)) => Err("an array"),
    }
}

/// Converts the link field's value to text, because external ID fields may be text or numbers.
fn link_value(value: Option<&Value>) -> Result<Option<String>, &'static str> {
    Ok(match field_value(value)? {
        FieldValue::Text(text) => Some(text),
        // Salesforce writes number fields as `123.0`, but the link is the integer's text.
        FieldValue::Number(number) if number.fract() == 0.0 => Some(format!("{number:.0}")),
        FieldValue::Number(number) => Some(number.to_string()),
        FieldValue::Bool(flag) => Some(flag.to_string()),
        FieldValue::Null => None,
        FieldValue::List(_) => return Err("a list of child records"),
    })
}

fn compound_value_error(object: &str, field: &str, kind: &str) -> Error {
    Error::InvalidRequest {
        message: format!(
            "{object}.{field} is {kind}, not a single value; list its component fields \
             (BillingStreet, not BillingAddress), a related field (Owner.Name, not Owner) or \
             child fields (OpportunityLineItems[].Quantity, not OpportunityLineItems)"
        ),
    }
}

#[cfg(test)]
mod tests;
