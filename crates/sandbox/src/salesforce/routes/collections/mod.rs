//! sObject Collections: up to 200 records in one call. `POST /composite/sobjects` creates,
//! `PATCH /composite/sobjects` updates, `PATCH /composite/sobjects/{object}/{field}` upserts
//! by external ID, `DELETE /composite/sobjects?ids=` deletes, and `GET` or `POST
//! /composite/sobjects/{object}` retrieves records by Id.
//!
//! A well-formed write returns 200 with one result per record, in request order, even when
//! records fail. With `allOrNone`, one failure rolls back every write of the call and the
//! records that had succeeded report `ALL_OR_NONE_OPERATION_ROLLED_BACK`. Inside an
//! all-or-none composite request, every collection call is all-or-none, whatever its own flag.

mod delete;
mod retrieve;
mod upsert;
mod write;

pub(super) use delete::delete;
pub(super) use retrieve::{retrieve, retrieve_by_body};
pub(super) use upsert::upsert;
pub(super) use write::{create, update};

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::{SaveResult, json_response};
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::state::Org;

/// Most records one write call may carry.
const MAX_RECORDS: usize = 200;

/// Request extension set by an all-or-none composite request: its collection subrequests
/// are all-or-none too.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ForcedAllOrNone;

/// Response extension of a collection call that rolled its writes back, so an enclosing
/// composite request counts it as failed although its status is 200.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RolledBack;

/// Result of one record of a write call.
struct Outcome {
    /// Id of the written record, or of the existing record a write failed on.
    id: Option<String>,
    /// `Ok` with `created` for upserts (`None` for other writes), or the record's error.
    result: Result<Option<bool>, ApiError>,
    /// Whether the record existed before the call, so its Id stays valid after a rollback.
    existed: bool,
}

impl Outcome {
    fn failed(id: Option<String>, error: ApiError) -> Outcome {
        Outcome {
            id,
            result: Err(error),
            existed: false,
        }
    }
}

/// The `allOrNone` flag and records of a write call, checked as Salesforce checks them
/// before writing anything.
struct WriteRequest<'a> {
    all_or_none: bool,
    records: &'a [Value],
}

/// Reads `allOrNone` and `records`, rejecting calls Salesforce rejects as a whole.
fn read_request(json: &Value, forced: bool) -> Result<WriteRequest<'_>, ApiError> {
    let records = json
        .get("records")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ApiError::bad_request(
                "JSON_PARSER_ERROR",
                "The request body must contain a records array",
            )
        })?;
    check_record_count(records.len())?;
    // NOTE: a record without `attributes.type` fails the whole call here; no recorded
    // response shows whether Salesforce fails the call or only that record.
    if records.iter().any(|record| record_type(record).is_none()) {
        return Err(ApiError::bad_request(
            "INVALID_TYPE",
            "Missing entity type information. sObject requires a separate 'type' field be sent.",
        ));
    }
    let all_or_none = forced
        || json
            .get("allOrNone")
            .and_then(Value::as_bool)
            .unwrap_or(false);
    Ok(WriteRequest {
        all_or_none,
        records,
    })
}

fn check_record_count(count: usize) -> Result<(), ApiError> {
    if count > MAX_RECORDS {
        return Err(ApiError::bad_request(
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 200 records into this call",
        ));
    }
    Ok(())
}

fn record_type(record: &Value) -> Option<&str> {
    record.get("attributes")?.get("type")?.as_str()
}

/// Runs `write` on each of `count` records under one lock, rolls every write back when
/// `all_or_none` and a record failed, and returns the results.
///
/// The lock is held for the whole call, so other requests never see a write that is rolled
/// back.
fn run_writes(
    emulator: &SalesforceEmulator,
    count: usize,
    all_or_none: bool,
    mut write: impl FnMut(&mut Org, usize) -> Outcome,
) -> Response {
    let mut org = emulator.org();
    let savepoint = org.savepoint();
    let outcomes: Vec<Outcome> = (0..count).map(|index| write(&mut org, index)).collect();
    let failed = outcomes
        .iter()
        .filter(|outcome| outcome.result.is_err())
        .count();
    let rolled_back = all_or_none && failed > 0;
    if rolled_back {
        org.rollback_to(savepoint);
    } else {
        org.release(savepoint);
    }
    drop(org);

    tracing::debug!(records = count, failed, rolled_back, "ran collection call");
    let mut response = respond(&outcomes, rolled_back);
    if rolled_back {
        response.extensions_mut().insert(RolledBack);
    }
    response
}

fn respond(outcomes: &[Outcome], rolled_back: bool) -> Response {
    let rollback = ApiError::bad_request(
        "ALL_OR_NONE_OPERATION_ROLLED_BACK",
        "Record rolled back because not all records were valid and the request was using AllOrNone header",
    );
    let results: Vec<SaveResult<'_>> = outcomes
        .iter()
        .map(|outcome| match (&outcome.result, rolled_back) {
            (Err(error), _) => SaveResult::failure(outcome.id.clone(), error),
            // A rolled-back create leaves no record, so its result has no Id.
            (Ok(_), true) => {
                let id = outcome.id.clone().filter(|_| outcome.existed);
                SaveResult::failure(id, &rollback)
            }
            (Ok(created), false) => {
                SaveResult::success(outcome.id.clone().unwrap_or_default(), *created)
            }
        })
        .collect();
    json_response(StatusCode::OK, &results)
}

/// Splits the comma-separated `ids` parameter of a query string.
fn id_list(raw_query: Option<&str>, name: &str) -> Option<Vec<String>> {
    url::form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| {
            value
                .split(',')
                .map(str::trim)
                .filter(|part| !part.is_empty())
                .map(str::to_string)
                .collect()
        })
}
