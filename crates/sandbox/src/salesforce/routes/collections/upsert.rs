//! `PATCH /composite/sobjects/{object}/{field}`: upserts up to 200 records of one object by
//! an external ID field (or `Id`), each result with `created`.
//!
//! Each record carries its key in `field`. With `Id` as the field, a record whose `Id` is
//! null or absent is created, as recorded responses show. Two records of one call with the
//! same key both fail with `DUPLICATE_EXTERNAL_ID`.

use std::collections::HashMap;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Map, Value};

use super::{ForcedAllOrNone, Outcome, read_request, record_type, run_writes};
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::id;
use crate::salesforce::json_position::PathStep;
use crate::salesforce::routes::{object_in_url, parse_json};
use crate::salesforce::schema::{FieldDef, FieldType, ObjectDef};
use crate::salesforce::state::Org;
use crate::salesforce::validate::WriteBody;
use crate::salesforce::write::{
    UpsertOutcome, WriteStamp, ambiguous_external_id, external_id_field, field_members,
};

/// The key of one record, as sent and as compared.
struct Key {
    /// The value as sent, or `None` when the record has none.
    value: Option<String>,
    /// Whether another record of the call has the same key.
    duplicated: bool,
}

/// `PATCH /composite/sobjects/{object}/{field}`.
pub(in crate::salesforce::routes) async fn upsert(
    State(emulator): State<SalesforceEmulator>,
    forced: Option<Extension<ForcedAllOrNone>>,
    Path((_version, object, field)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let definition = object_in_url(&emulator, &object)?;
    let key_field = external_id_field(&definition, &field)?;
    let (json, raw) = parse_json(&body)?;
    let request = read_request(&json, forced.is_some())?;
    let records = request.records;
    let keys = record_keys(records, &key_field);
    let stamp = emulator.api_stamp();
    Ok(run_writes(
        &emulator,
        records.len(),
        request.all_or_none,
        |org, index| {
            let body = WriteBody {
                fields: Map::new(),
                raw,
                path: vec![PathStep::Key("records"), PathStep::Index(index)],
            };
            let record = &records[index];
            let target = Target {
                definition: &definition,
                key_field: &key_field,
                key: &keys[index],
            };
            upsert_one(org, &target, record, body, &stamp)
        },
    ))
}

/// Reads each record's key and marks keys that appear more than once, compared as the
/// field's index compares them.
fn record_keys(records: &[Value], key_field: &FieldDef) -> Vec<Key> {
    let values: Vec<Option<String>> = records
        .iter()
        .map(|record| key_value(record, key_field))
        .collect();
    let comparable = |value: &str| -> String {
        if key_field.field_type == FieldType::Id {
            id::normalize(value).unwrap_or_else(|| value.to_string())
        } else if key_field.case_sensitive {
            value.to_string()
        } else {
            value.to_lowercase()
        }
    };
    let mut seen: HashMap<String, usize> = HashMap::new();
    for value in values.iter().flatten() {
        *seen.entry(comparable(value)).or_default() += 1;
    }
    values
        .into_iter()
        .map(|value| {
            let duplicated = value
                .as_deref()
                .is_some_and(|value| seen.get(&comparable(value)).copied().unwrap_or(0) > 1);
            Key { value, duplicated }
        })
        .collect()
}

/// Returns the key member of a record as text; numbers count, null and empty text do not.
fn key_value(record: &Value, key_field: &FieldDef) -> Option<String> {
    let members = record.as_object()?;
    let (_, value) = members
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(&key_field.name))?;
    match value {
        Value::String(text) if !text.is_empty() => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// What one record is upserted into.
struct Target<'a> {
    definition: &'a ObjectDef,
    key_field: &'a FieldDef,
    key: &'a Key,
}

fn upsert_one(
    org: &mut Org,
    target: &Target<'_>,
    record: &Value,
    mut body: WriteBody<'_>,
    stamp: &WriteStamp,
) -> Outcome {
    let object = target.definition.name.as_str();
    let sent_type = record_type(record).unwrap_or_default();
    if !sent_type.eq_ignore_ascii_case(object) {
        // NOTE: the wording is not taken from a recorded response.
        let message =
            format!("sObject type '{sent_type}' does not match the type of this upsert: {object}");
        return Outcome::failed(None, ApiError::bad_request("INVALID_TYPE", message));
    }
    let key_name = &target.key_field.name;
    if target.key.duplicated {
        let value = target.key.value.clone().unwrap_or_default();
        // NOTE: the wording follows the SOAP API's message for the same case.
        let message = format!("Duplicate external id specified: {value}");
        let error = ApiError::bad_request("DUPLICATE_EXTERNAL_ID", message)
            .with_fields(vec![key_name.clone()]);
        return Outcome::failed(None, error);
    }
    let members = record.as_object().cloned().unwrap_or_default();
    body.fields = field_members(&members, false);
    body.fields
        .retain(|member, _| !member.eq_ignore_ascii_case(key_name));
    let by_id = target.key_field.field_type == FieldType::Id;
    let written = match (&target.key.value, by_id) {
        (None, true) => org.create(object, &body, stamp).map(UpsertOutcome::Created),
        (None, false) => {
            // NOTE: the wording is not taken from a recorded response.
            let message = format!("{key_name} not specified in an upsert call");
            let error = ApiError::bad_request("MISSING_ARGUMENT", message)
                .with_fields(vec![key_name.clone()]);
            Err(error)
        }
        (Some(value), _) => org.upsert(object, key_name, value, &body, stamp),
    };
    match written {
        Ok(UpsertOutcome::Created(id)) => Outcome {
            id: Some(id),
            result: Ok(Some(true)),
            existed: false,
        },
        Ok(UpsertOutcome::Updated(id)) => Outcome {
            id: Some(id),
            result: Ok(Some(false)),
            existed: true,
        },
        Ok(UpsertOutcome::Ambiguous(_)) => {
            Outcome::failed(None, ambiguous_external_id(target.key_field))
        }
        Err(error) => Outcome::failed(None, error),
    }
}
