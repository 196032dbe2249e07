//! The change feed: SOQL over `SystemModstamp` and the conversion of rows to
//! [`SourceRecord`]s.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use tandem_engine::{DeletedRecord, FieldValue, Fields, ObjectSpec, SourceRecord};

use crate::client::SalesforceClient;
use crate::datetime::parse_datetime;
use crate::error::Error;
use crate::id::SalesforceId;
use crate::soql::{check_name, datetime_literal};

/// Field that orders the change feed: it changes on every write, including those made by
/// automation, unlike `LastModifiedDate`.
const MODSTAMP_FIELD: &str = "SystemModstamp";

/// Reads every `object` record with `SystemModstamp >= since`, through a Bulk API query job
/// when there are more than the client's bulk threshold.
pub(super) async fn changed_since(
    client: &SalesforceClient,
    object: &ObjectSpec,
    since: DateTime<Utc>,
) -> Result<Vec<SourceRecord>, Error> {
    let soql = changed_since_soql(object, since)?;
    let rows = client.read_soql(&object.name, &soql, false).await?;
    let records = rows
        .iter()
        .map(|row| source_record(object, row))
        .collect::<Result<Vec<_>, Error>>()?;
    tracing::info!(
        record_type = object.name.as_str(),
        %since,
        records = records.len(),
        "read changed Salesforce records"
    );
    Ok(records)
}

/// Builds `SELECT Id, SystemModstamp, <link>, <fields> FROM <name> WHERE SystemModstamp >=
/// <since> ORDER BY SystemModstamp, Id`, naming each column once.
pub(super) fn changed_since_soql(
    object: &ObjectSpec,
    since: DateTime<Utc>,
) -> Result<String, Error> {
    check_name(&object.name)?;
    let columns = select_columns(object)?;
    Ok(format!(
        "SELECT {} FROM {} WHERE {MODSTAMP_FIELD} >= {} ORDER BY {MODSTAMP_FIELD}, Id",
        columns.join(", "),
        object.name,
        datetime_literal(since)
    ))
}

/// Returns the columns to select in order, without repeats. SOQL names are case-insensitive
/// and a repeated column is a query error, so repeats are found ignoring case.
fn select_columns(object: &ObjectSpec) -> Result<Vec<&str>, Error> {
    let wanted = ["Id", MODSTAMP_FIELD, object.link_field.as_str()]
        .into_iter()
        .chain(object.fields.iter().map(String::as_str));
    let mut columns: Vec<&str> = Vec::new();
    for name in wanted {
        check_name(name)?;
        if !columns
            .iter()
            .any(|column| column.eq_ignore_ascii_case(name))
        {
            columns.push(name);
        }
    }
    Ok(columns)
}

/// Converts one query row into a [`SourceRecord`] with an 18-character Id.
pub(super) fn source_record(
    object: &ObjectSpec,
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
    let link = link_value(lookup(row, &object.link_field))
        .map_err(|kind| compound_value_error(&object.name, &object.link_field, kind))?;
    let mut fields = Fields::new();
    for name in &object.fields {
        let value = field_value(lookup(row, name))
            .map_err(|kind| compound_value_error(&object.name, name, kind))?;
        fields.insert(name.clone(), value);
    }
    Ok(SourceRecord {
        id: id.to_string(),
        modified_at,
        link,
        fields,
    })
}

fn required_text<'a>(row: &'a Map<String, Value>, name: &str) -> Result<&'a str, Error> {
    lookup(row, name)
        .and_then(Value::as_str)
        .ok_or_else(|| Error::InvalidResponse {
            message: format!("a query row has no text {name}"),
        })
}

/// Finds the value of `path` in a row, following `Parent.Field` into nested objects. Keys are
/// matched exactly first, then ignoring case, because Salesforce returns each field's
/// canonical spelling. Returns `None` when a part is missing or a parent is `null`.
fn lookup<'a>(row: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut current = row;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let value = current.get(part).or_else(|| {
            current
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(part))
                .map(|(_, value)| value)
        })?;
        if parts.peek().is_none() {
            return Some(value);
        }
        current = value.as_object()?;
    }
    None
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
             (BillingStreet, not BillingAddress) or a related field (Owner.Name, not Owner)"
        ),
    }
}

#[cfg(test)]
mod tests;

/// Reads the `object` records deleted (moved to the recycle bin) at or after `since` with
/// `queryAll`, with the surviving record of a merge when the object has `MasterRecordId`.
pub(super) async fn deleted_since(
    client: &SalesforceClient,
    object: &ObjectSpec,
    since: DateTime<Utc>,
) -> Result<Vec<DeletedRecord>, Error> {
    check_name(&object.name)?;
    let merges = match client.describe(&object.name).await {
        Ok(describe) => describe
            .fields
            .iter()
            .any(|field| field.name == "MasterRecordId"),
        Err(error) => {
            tracing::debug!(record_type = object.name.as_str(), %error, "no describe; reading deletions without merges");
            false
        }
    };
    let columns = if merges {
        "Id, SystemModstamp, MasterRecordId"
    } else {
        "Id, SystemModstamp"
    };
    let soql = format!(
        "SELECT {columns} FROM {} WHERE IsDeleted = true AND {MODSTAMP_FIELD} >= {} ORDER BY {MODSTAMP_FIELD}, Id",
        object.name,
        datetime_literal(since)
    );
    let result = client.query_all(&soql).await?;
    result.records.iter().map(deleted_record).collect()
}

fn deleted_record(row: &Map<String, Value>) -> Result<DeletedRecord, Error> {
    let text = |name: &str| row.get(name).and_then(Value::as_str);
    let invalid = |message: &str| Error::InvalidResponse {
        message: message.to_string(),
    };
    let id = text("Id").ok_or_else(|| invalid("a deleted row has no Id"))?;
    let id = SalesforceId::parse(id).map_err(|_| invalid("a deleted row has an invalid Id"))?;
    let stamp =
        text(MODSTAMP_FIELD).ok_or_else(|| invalid("a deleted row has no SystemModstamp"))?;
    let merged_into = text("MasterRecordId")
        .and_then(|id| SalesforceId::parse(id).ok())
        .map(|id| id.as_str().to_string());
    Ok(DeletedRecord {
        id: id.as_str().to_string(),
        deleted_at: parse_datetime(stamp)
            .map_err(|_| invalid("a deleted row has an invalid SystemModstamp"))?,
        merged_into,
    })
}
