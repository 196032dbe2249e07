//! `POST /composite/sobjects` creates records, possibly of several objects, and `PATCH
//! /composite/sobjects` updates records named by their `Id`.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde_json::{Map, Value};

use super::{ForcedAllOrNone, Outcome, read_request, record_type, run_writes};
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::id;
use crate::salesforce::json_position::PathStep;
use crate::salesforce::routes::parse_json;
use crate::salesforce::schema::ObjectDef;
use crate::salesforce::state::{Lookup, Org};
use crate::salesforce::validate::WriteBody;
use crate::salesforce::write::{WriteStamp, field_members};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operation {
    Create,
    Update,
}

/// `POST /composite/sobjects`: creates records, possibly of several objects.
pub(in crate::salesforce::routes) async fn create(
    State(emulator): State<SalesforceEmulator>,
    forced: Option<Extension<ForcedAllOrNone>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    run(&emulator, &body, Operation::Create, forced.is_some())
}

/// `PATCH /composite/sobjects`: updates records named by their `Id`.
pub(in crate::salesforce::routes) async fn update(
    State(emulator): State<SalesforceEmulator>,
    forced: Option<Extension<ForcedAllOrNone>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    run(&emulator, &body, Operation::Update, forced.is_some())
}

fn run(
    emulator: &SalesforceEmulator,
    body: &Bytes,
    operation: Operation,
    forced: bool,
) -> Result<Response, ApiError> {
    let (json, raw) = parse_json(body)?;
    let request = read_request(&json, forced)?;
    let stamp = emulator.api_stamp();
    let records = request.records;
    Ok(run_writes(
        emulator,
        records.len(),
        request.all_or_none,
        |org, index| {
            let body = WriteBody {
                fields: Map::new(),
                raw,
                path: vec![PathStep::Key("records"), PathStep::Index(index)],
            };
            write_one(org, &records[index], body, operation, &stamp)
        },
    ))
}

fn write_one(
    org: &mut Org,
    record: &Value,
    mut body: WriteBody<'_>,
    operation: Operation,
    stamp: &WriteStamp,
) -> Outcome {
    let Some(definition) = record_type(record)
        .and_then(|name| org.object(name))
        .cloned()
    else {
        let name = record_type(record).unwrap_or_default();
        let message = format!("sObject type '{name}' is not supported.");
        return Outcome::failed(None, ApiError::bad_request("INVALID_TYPE", message));
    };
    let members = record.as_object().cloned().unwrap_or_default();
    let given_id = members
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("Id"))
        .map(|(_, value)| value.as_str().unwrap_or_default().to_string());
    body.fields = field_members(&members, true);
    match operation {
        Operation::Create => create_one(org, &definition, given_id, &body, stamp),
        Operation::Update => update_one(org, &definition, given_id, &body, stamp),
    }
}

fn create_one(
    org: &mut Org,
    definition: &ObjectDef,
    given_id: Option<String>,
    body: &WriteBody<'_>,
    stamp: &WriteStamp,
) -> Outcome {
    if given_id.is_some_and(|id| !id.is_empty()) {
        let error = ApiError::bad_request(
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "cannot specify Id in an insert call",
        )
        .with_fields(vec!["Id".to_string()]);
        return Outcome::failed(None, error);
    }
    match org.create(&definition.name, body, stamp) {
        Ok(id) => Outcome {
            id: Some(id),
            result: Ok(None),
            existed: false,
        },
        Err(error) => Outcome::failed(None, error),
    }
}

fn update_one(
    org: &mut Org,
    definition: &ObjectDef,
    given_id: Option<String>,
    body: &WriteBody<'_>,
    stamp: &WriteStamp,
) -> Outcome {
    let Some(given_id) = given_id.filter(|id| !id.is_empty()) else {
        let error = ApiError::bad_request("MISSING_ARGUMENT", "Id not specified in an update call");
        return Outcome::failed(None, error);
    };
    let Some(id) = id::normalize(&given_id).filter(|id| id.starts_with(&definition.key_prefix))
    else {
        return Outcome::failed(None, malformed_id(definition, &given_id));
    };
    match org.lookup(&definition.name, &id) {
        Lookup::Live(_) => {}
        Lookup::Deleted => {
            let error = ApiError::bad_request("ENTITY_IS_DELETED", "entity is deleted");
            return Outcome::failed(Some(id), error);
        }
        Lookup::Missing => return Outcome::failed(None, invalid_cross_reference()),
    }
    let result = org.update(&definition.name, &id, body, stamp);
    Outcome {
        id: Some(id),
        result: result.map(|()| None),
        existed: true,
    }
}

/// Returns the error for a value that is no Id of `definition`.
pub(super) fn malformed_id(definition: &ObjectDef, given: &str) -> ApiError {
    let label = definition
        .field("Id")
        .map_or("Record ID", |field| field.label.as_str());
    let message = format!("{label}: id value of incorrect type: {given}");
    ApiError::bad_request("MALFORMED_ID", message).with_fields(vec!["Id".to_string()])
}

/// Returns the error for an Id that names no record.
pub(super) fn invalid_cross_reference() -> ApiError {
    ApiError::bad_request("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
}
