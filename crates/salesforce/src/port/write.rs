//! Writes for the port: creates as upserts on the link field and updates by Id, both 200
//! records a call through sObject Collections, or through Bulk API 2.0 above the client's
//! bulk threshold.

use serde_json::{Number, Value};
use tandem_engine::{
    FieldValue, Fields, NewRecord, ObjectSpec, RecordUpdate, RemoteError, WriteResult, Written,
};

use crate::api::collections::{RecordPatch, RecordResult, UpsertRecord, UpsertRecordResult};
use crate::client::SalesforceClient;
use crate::error::{Error, is_missing_external_id_field};
use crate::fields::FieldChanges;
use crate::id::SalesforceId;
use crate::soql::check_name;

/// Upserts the records on `object.link_field` and returns one result per record in input
/// order. Records that cannot be sent get their error without a call.
pub(super) async fn create(
    client: &SalesforceClient,
    object: &ObjectSpec,
    records: Vec<NewRecord>,
) -> Result<Vec<WriteResult>, RemoteError> {
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
    let outcomes = upsert_sendable(client, object, &sendable).await?;
    let outcomes = outcomes
        .into_iter()
        .map(|outcome| outcome.map(|upserted| upserted.id))
        .collect();
    merge_outcomes(prepared, outcomes)
}

/// Sends the upserts in as few calls as the client allows. When the endpoint does not offer
/// collection upserts, falls back to one upsert per record.
async fn upsert_sendable(
    client: &SalesforceClient,
    object: &ObjectSpec,
    records: &[UpsertRecord],
) -> Result<Vec<UpsertRecordResult>, RemoteError> {
    if records.is_empty() {
        return Ok(Vec::new());
    }
    let batched = client
        .upsert_records(&object.name, &object.link_field, records)
        .await;
    match batched {
        Err(error) if lacks_collection_upsert(&error) => {
            // NOTE: every Salesforce org offers collection upserts from v46.0, the oldest
            // version this client accepts. Endpoints that emulate the REST API may not, and
            // they still get one call per record.
            tracing::warn!(
                record_type = object.name.as_str(),
                records = records.len(),
                error = %error,
                "collection upsert is not available; upserting one record per call"
            );
            upsert_one_by_one(client, object, records).await
        }
        Err(error) => Err(error.into()),
        Ok(results) => Ok(results),
    }
}

async fn upsert_one_by_one(
    client: &SalesforceClient,
    object: &ObjectSpec,
    records: &[UpsertRecord],
) -> Result<Vec<UpsertRecordResult>, RemoteError> {
    let mut results = Vec::with_capacity(records.len());
    for record in records {
        let outcome = client
            .upsert(
                &object.name,
                &object.link_field,
                &record.external_id,
                &record.changes,
            )
            .await;
        match outcome {
            Err(error) if fails_whole_call(&error) => return Err(error.into()),
            other => results.push(other),
        }
    }
    Ok(results)
}

/// Returns true when a collection upsert failed because the resource does not exist (HTTP
/// 404 `NOT_FOUND` for the path, or 405), as opposed to a missing external ID field.
fn lacks_collection_upsert(error: &Error) -> bool {
    match error {
        Error::Api { status: 405, .. }
        | Error::Http {
            status: 404 | 405, ..
        } => true,
        Error::Api {
            status: 404,
            errors,
        } => errors
            .first()
            .is_some_and(|e| e.code == "NOT_FOUND" && !is_missing_external_id_field(e)),
        _ => false,
    }
}

/// Updates the records by Id, returning one result per input record.
/// Records that cannot be sent (an invalid Id, a field that cannot be written) get their error
/// without a call.
pub(super) async fn update(
    client: &SalesforceClient,
    object: &ObjectSpec,
    records: Vec<RecordUpdate>,
) -> Result<Vec<WriteResult>, RemoteError> {
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
) -> Result<Vec<WriteResult>, RemoteError> {
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
) -> Result<Vec<WriteResult>, RemoteError> {
    let mut outcomes = outcomes.into_iter();
    prepared
        .into_iter()
        .map(|patch| match patch {
            Err(error) => Ok(Err(error.into())),
            Ok(_) => match outcomes.next() {
                Some(Ok(id)) => Ok(Ok(written(&id))),
                Some(Err(error)) => Ok(Err(error.into())),
                None => Err(RemoteError::from(Error::InvalidResponse {
                    message: "the write returned fewer results than records".into(),
                })),
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
                    "{name} holds child records, which are written as records of their own                      object, not through their parent"
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

/// Returns true for errors that no record of the call can escape: login, transport, a response
/// that is not the API's, HTTP 401, 403 or 5xx, or an external ID field that does not exist.
fn fails_whole_call(error: &Error) -> bool {
    match error {
        Error::Api { status, errors } => {
            matches!(status, 401 | 403 | 500..)
                || errors.first().is_some_and(is_missing_external_id_field)
        }
        Error::Record { .. }
        | Error::MultipleChoices { .. }
        | Error::InvalidRequest { .. }
        | Error::InvalidId(_) => false,
        Error::Config { .. }
        | Error::OAuth { .. }
        | Error::Http { .. }
        | Error::Timeout { .. }
        | Error::Connection { .. }
        | Error::InvalidResponse { .. }
        | Error::BudgetExhausted { .. }
        | Error::BulkJob { .. } => true,
    }
}

#[cfg(test)]
mod tests;
