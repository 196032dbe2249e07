//! Writes for the port: creates as upserts on the link field and updates by Id, both 200
//! records a call through sObject Collections, or through Bulk API 2.0 above the client's
//! bulk threshold; inserts and deletes through sObject Collections.

use serde_json::{Number, Value};
use tandem_engine::{
    FieldValue, Fields, NewRecord, ObjectSpec, RecordUpdate, WriteResult, Written,
};

use crate::api::collections::{RecordPatch, RecordResult, UpsertRecord};
use crate::client::SalesforceClient;
use crate::error::Error;
use crate::fields::FieldChanges;
use crate::id::SalesforceId;
use crate::soql::check_name;

/// Upserts the records on `object.link_field` through sObject Collections (`PATCH
/// /composite/sobjects/{object}/{link_field}`, 200 records a call, `allOrNone=false`), or
/// through Bulk API 2.0 above the client's bulk threshold, and returns one result per record
/// in input order. Records that cannot be sent get their error without a call.
pub(super) async fn create(
    client: &SalesforceClient,
    object: &ObjectSpec,
    records: Vec<NewRecord>,
) -> Result<Vec<WriteResult>, Error> {
    check_name(&object.name)?;
    check_name(&object.link_field)?;
    let prepared: Vec<Result<UpsertRecord, Error>> = records
        .iter()
        .map(|record| {
            upsert_changes(object, record).map(|changes| UpsertRecord {
                external_id: record.link.clone(),
                changes,
            })
        })
        .collect();
    let sendable: Vec<UpsertRecord> = prepared
        .iter()
        .filter_map(|record| record.as_ref().ok().cloned())
        .collect();
    let outcomes = match sendable.is_empty() {
        true => Vec::new(),
        false => {
            client
                .upsert_records(&object.name, &object.link_field, &sendable)
                .await?
        }
    };
    let outcomes = outcomes
        .into_iter()
        .map(|outcome| outcome.map(|upserted| upserted.id))
        .collect();
    merge_outcomes(prepared, outcomes)
}

/// Creates records of an object without an external ID (a Task) through sObject Collections
/// (`POST /composite/sobjects`, 200 records a call, `allOrNone=false`) and returns one result
/// per record in input order. Records that cannot be sent get their error without a call.
pub(super) async fn insert(
    client: &SalesforceClient,
    object: &ObjectSpec,
    records: Vec<Fields>,
) -> Result<Vec<WriteResult>, Error> {
    check_name(&object.name)?;
    let prepared: Vec<Result<FieldChanges, Error>> = records.iter().map(insert_changes).collect();
    let sendable: Vec<FieldChanges> = prepared
        .iter()
        .filter_map(|changes| changes.as_ref().ok().cloned())
        .collect();
    let outcomes = match sendable.is_empty() {
        true => Vec::new(),
        false => client.create_collection(&object.name, &sendable).await?,
    };
    merge_outcomes(prepared, outcomes)
}

/// Builds the fields of a record to insert; `Id` and `attributes` cannot be among them.
fn insert_changes(fields: &Fields) -> Result<FieldChanges, Error> {
    let changes = field_changes(fields)?;
    for key in ["Id", "attributes"] {
        if let Some(name) = changes.find_ignoring_case(key) {
            return Err(Error::InvalidRequest {
                message: format!("a new record cannot set {name} among its fields"),
            });
        }
    }
    Ok(changes)
}

/// Updates the records by Id, returning one result per input record.
/// Records that cannot be sent (an invalid Id, a field that cannot be written) get their error
/// without a call.
pub(super) async fn update(
    client: &SalesforceClient,
    object: &ObjectSpec,
    records: Vec<RecordUpdate>,
) -> Result<Vec<WriteResult>, Error> {
    check_name(&object.name)?;
    let prepared: Vec<Result<RecordPatch, Error>> = records
        .iter()
        .map(|record| record_patch(object, record))
        .collect();
    let patches: Vec<RecordPatch> = prepared
        .iter()
        .filter_map(|patch| patch.as_ref().ok().cloned())
        .collect();
    let outcomes = client.update_records(&object.name, &patches).await?;
    merge_outcomes(prepared, outcomes)
}

/// Deletes records by Id through sObject Collections, 200 per call. An invalid Id fails its
/// own record only.
pub(super) async fn delete(
    client: &SalesforceClient,
    ids: Vec<String>,
) -> Result<Vec<WriteResult>, Error> {
    let prepared: Vec<Result<SalesforceId, Error>> = ids
        .iter()
        .map(|id| SalesforceId::parse(id).map_err(Error::from))
        .collect();
    let valid: Vec<SalesforceId> = prepared.iter().flatten().cloned().collect();
    let outcomes = client.delete_collection(&valid).await?;
    merge_outcomes(prepared, outcomes)
}

/// Puts the results of the records that were sent back between the records that were not.
fn merge_outcomes<T>(
    prepared: Vec<Result<T, Error>>,
    outcomes: Vec<RecordResult>,
) -> Result<Vec<WriteResult>, Error> {
    let mut outcomes = outcomes.into_iter();
    prepared
        .into_iter()
        .map(|patch| match patch {
            Err(error) => Ok(Err(error.into())),
            Ok(_) => match outcomes.next() {
                Some(Ok(id)) => Ok(Ok(written(&id))),
                Some(Err(error)) => Ok(Err(error.into())),
                None => Err(Error::InvalidResponse {
                    message: "the write returned fewer results than records".into(),
                }),
            },
        })
        .collect()
}

/// Builds the upsert fields of a new record. The link value travels apart as the key, so the
/// fields leave the link field out. A different value for the link field among the fields is an error.
fn upsert_changes(object: &ObjectSpec, record: &NewRecord) -> Result<FieldChanges, Error> {
    let mut changes = field_changes(&record.fields)?;
    if let Some(name) = changes
        .find_ignoring_case(&object.link_field)
        .map(str::to_string)
    {
        let same = changes.get(&name) == Some(&Value::String(record.link.clone()));
        if !same {
            return Err(conflicting_link(object, &name));
        }
        changes.remove(&name);
    }
    Ok(changes)
}

/// Builds the collection update of one record: its 18-character Id, the fields present, and
/// the link field when `link` is set.
fn record_patch(object: &ObjectSpec, record: &RecordUpdate) -> Result<RecordPatch, Error> {
    let id = SalesforceId::parse(&record.id)?;
    let mut changes = field_changes(&record.fields)?;
    for key in ["Id", "attributes"] {
        if let Some(name) = changes.find_ignoring_case(key) {
            return Err(Error::InvalidRequest {
                message: format!("an update of {id} cannot set {name} among its fields"),
            });
        }
    }
    if let Some(link) = &record.link {
        let existing = changes
            .find_ignoring_case(&object.link_field)
            .map(str::to_string);
        if let Some(name) = existing {
            if changes.get(&name) != Some(&Value::String(link.clone())) {
                return Err(conflicting_link(object, &name));
            }
            changes.remove(&name);
        }
        changes.set(object.link_field.as_str(), link.as_str());
    }
    Ok(RecordPatch { id, changes })
}

/// Converts engine field values to JSON. `FieldValue::Null` becomes `null`, which clears.
fn field_changes(fields: &Fields) -> Result<FieldChanges, Error> {
    let mut changes = FieldChanges::new();
    for (name, value) in fields {
        changes.set(name.as_str(), json_value(name, value)?);
    }
    Ok(changes)
}

fn json_value(name: &str, value: &FieldValue) -> Result<Value, Error> {
    Ok(match value {
        FieldValue::Null => Value::Null,
        FieldValue::Bool(flag) => Value::Bool(*flag),
        FieldValue::Text(text) => Value::String(text.clone()),
        FieldValue::Number(number) => Value::Number(Number::from_f64(*number).ok_or_else(
            || Error::InvalidRequest {
                message: format!("{name} is {number}, which JSON cannot carry"),
            },
        )?),
        FieldValue::List(_) => {
            return Err(Error::InvalidRequest {
                message: format!(
                    "{name} holds child records, which are written as records of their own \
                     object, not through their parent"
                ),
            });
        }
    })
}

fn conflicting_link(object: &ObjectSpec, name: &str) -> Error {
    Error::InvalidRequest {
        message: format!(
            "the fields set {name} to a value other than the record's link; the link value is \
             what {}.{} receives",
            object.name, object.link_field
        ),
    }
}

fn written(id: &SalesforceId) -> Written {
    Written { id: id.to_string() }
}

#[cfg(test)]
mod tests;
