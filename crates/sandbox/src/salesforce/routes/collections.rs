//! sObject Collections: `POST /composite/sobjects` creates and `PATCH /composite/sobjects`
//! updates up to 200 records in one call.
//!
//! A well-formed call returns 200 with one result per record, in request order, even when
//! records fail. With `allOrNone`, one failure rolls back every write of the call and the
//! records that had succeeded report `ALL_OR_NONE_OPERATION_ROLLED_BACK`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value};

use super::{SaveResult, json_response, parse_json};
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::id;
use crate::salesforce::json_position::PathStep;
use crate::salesforce::record::Values;
use crate::salesforce::state::{Lookup, Org};
use crate::salesforce::validate::WriteBody;
use crate::salesforce::write::{WriteStamp, field_members};

/// Most records one collection call may carry.
const MAX_RECORDS: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Create,
    Update,
}

/// Result of one record of the call.
struct Outcome {
    /// Id of the written record, or of the existing record an update failed on.
    id: Option<String>,
    result: Result<(), ApiError>,
}

/// A write that may have to be undone: the record's state before it.
struct JournalEntry {
    object: String,
    id: String,
    previous: Option<Values>,
}

/// `POST /composite/sobjects`: creates records, possibly of several objects.
pub(super) async fn create(
    State(emulator): State<SalesforceEmulator>,
    body: Bytes,
) -> Result<Response, ApiError> {
    run(&emulator, &body, Operation::Create)
}

/// `PATCH /composite/sobjects`: updates records named by their `Id`.
pub(super) async fn update(
    State(emulator): State<SalesforceEmulator>,
    body: Bytes,
) -> Result<Response, ApiError> {
    run(&emulator, &body, Operation::Update)
}

fn run(
    emulator: &SalesforceEmulator,
    body: &Bytes,
    operation: Operation,
) -> Result<Response, ApiError> {
    let (json, raw) = parse_json(body)?;
    let (all_or_none, records) = read_request(&json)?;
    let stamp = emulator.api_stamp();

    // The lock is held for the whole call, so other requests never see a write that is
    // rolled back.
    let mut org = emulator.org();
    let notifications = org.notifier.mark();
    let mut journal = Vec::new();
    let outcomes: Vec<Outcome> = records
        .iter()
        .enumerate()
        .map(|(index, record)| {
            let body = WriteBody {
                fields: Map::new(),
                raw,
                path: vec![PathStep::Key("records"), PathStep::Index(index)],
            };
            write_one(&mut org, record, body, operation, &stamp, &mut journal)
        })
        .collect();

    let failed = outcomes
        .iter()
        .filter(|outcome| outcome.result.is_err())
        .count();
    let rolled_back = all_or_none && failed > 0;
    if rolled_back {
        for entry in journal.into_iter().rev() {
            org.restore(&entry.object, &entry.id, entry.previous);
        }
        org.notifier.rollback_to(notifications);
    }
    drop(org);

    tracing::debug!(
        records = records.len(),
        failed,
        rolled_back,
        "ran collection call"
    );
    Ok(respond(outcomes, operation, rolled_back))
}

/// Reads `allOrNone` and `records`, rejecting calls Salesforce rejects as a whole.
fn read_request(json: &Value) -> Result<(bool, &Vec<Value>), ApiError> {
    let records = json
        .get("records")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ApiError::bad_request(
                "JSON_PARSER_ERROR",
                "The request body must contain a records array",
            )
        })?;
    if records.len() > MAX_RECORDS {
        return Err(ApiError::bad_request(
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        ));
    }
    // NOTE: a record without `attributes.type` fails the whole call here; no recorded
    // response shows whether Salesforce fails the call or only that record.
    let untyped = records.iter().any(|record| record_type(record).is_none());
    if untyped {
        return Err(ApiError::bad_request(
            "INVALID_TYPE",
            "Missing entity type information. sObject requires a separate 'type' field be sent.",
        ));
    }
    let all_or_none = json
        .get("allOrNone")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok((all_or_none, records))
}

fn record_type(record: &Value) -> Option<&str> {
    record.get("attributes")?.get("type")?.as_str()
}

fn write_one<'a>(
    org: &mut Org,
    record: &Value,
    mut body: WriteBody<'a>,
    operation: Operation,
    stamp: &WriteStamp,
    journal: &mut Vec<JournalEntry>,
) -> Outcome {
    let Some(definition) = record_type(record)
        .and_then(|name| org.object(name))
        .cloned()
    else {
        let name = record_type(record).unwrap_or_default();
        let message = format!("sObject type '{name}' is not supported.");
        return Outcome {
            id: None,
            result: Err(ApiError::bad_request("INVALID_TYPE", message)),
        };
    };
    let members = record.as_object().cloned().unwrap_or_default();
    let given_id = members
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("Id"))
        .map(|(_, value)| value.as_str().unwrap_or_default().to_string());
    body.fields = field_members(&members, true);
    match operation {
        Operation::Create => {
            if given_id.as_deref().is_some_and(|id| !id.is_empty()) {
                let error = ApiError::bad_request(
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    "cannot specify Id in an insert call",
                )
                .with_fields(vec!["Id".to_string()]);
                return Outcome {
                    id: None,
                    result: Err(error),
                };
            }
            match org.create(&definition.name, &body, stamp) {
                Ok(id) => {
                    journal.push(JournalEntry {
                        object: definition.name.clone(),
                        id: id.clone(),
                        previous: None,
                    });
                    Outcome {
                        id: Some(id),
                        result: Ok(()),
                    }
                }
                Err(error) => Outcome {
                    id: None,
                    result: Err(error),
                },
            }
        }
        Operation::Update => update_one(org, &definition, given_id, &body, stamp, journal),
    }
}

fn update_one(
    org: &mut Org,
    definition: &crate::salesforce::schema::ObjectDef,
    given_id: Option<String>,
    body: &WriteBody<'_>,
    stamp: &WriteStamp,
    journal: &mut Vec<JournalEntry>,
) -> Outcome {
    let Some(given_id) = given_id.filter(|id| !id.is_empty()) else {
        let error = ApiError::bad_request("MISSING_ARGUMENT", "Id not specified in an update call");
        return Outcome {
            id: None,
            result: Err(error),
        };
    };
    let id = match id::normalize(&given_id).filter(|id| id.starts_with(&definition.key_prefix)) {
        Some(id) => id,
        None => {
            let label = definition
                .field("Id")
                .map_or("Record ID", |field| field.label.as_str());
            let message = format!("{label}: id value of incorrect type: {given_id}");
            let error =
                ApiError::bad_request("MALFORMED_ID", message).with_fields(vec!["Id".to_string()]);
            return Outcome {
                id: None,
                result: Err(error),
            };
        }
    };
    let previous = match org.lookup(&definition.name, &id) {
        Lookup::Live(values) => values.clone(),
        Lookup::Deleted => {
            let error = ApiError::bad_request("ENTITY_IS_DELETED", "entity is deleted");
            return Outcome {
                id: Some(id),
                result: Err(error),
            };
        }
        Lookup::Missing => {
            let error =
                ApiError::bad_request("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id");
            return Outcome {
                id: None,
                result: Err(error),
            };
        }
    };
    let result = org.update(&definition.name, &id, body, stamp);
    if result.is_ok() {
        journal.push(JournalEntry {
            object: definition.name.clone(),
            id: id.clone(),
            previous: Some(previous),
        });
    }
    Outcome {
        id: Some(id),
        result,
    }
}

fn respond(outcomes: Vec<Outcome>, operation: Operation, rolled_back: bool) -> Response {
    let rollback = ApiError::bad_request(
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "Record rolled back because not all records were valid and the request was using AllOrNone header",
    );
    let results: Vec<SaveResult<'_>> = outcomes
        .iter()
        .map(|outcome| match (&outcome.result, rolled_back) {
            (Err(error), _) => SaveResult::failure(outcome.id.clone(), error),
            // A rolled-back create leaves no record, so its result has no Id.
            (Ok(()), true) => {
                let id = outcome
                    .id
                    .clone()
                    .filter(|_| operation == Operation::Update);
                SaveResult::failure(id, &rollback)
            }
            (Ok(()), false) => SaveResult::success(outcome.id.clone().unwrap_or_default(), None),
        })
        .collect();
    json_response(StatusCode::OK, &results)
}
