//! The record service: `GET`, `POST`, `PATCH`, `PUT` (upsert by `eid:`) and `DELETE` on
//! `/services/rest/record/v1/{type}[/{id}|/eid:{externalId}]`.
//!
//! Writes answer `204 No Content` with the record's URL in `Location`, as NetSuite does.
//! A missing record is `404` with `NONEXISTENT_ID`; other record rejections are `400` with the
//! code and message of the matching SOAP status detail (`DUP_ENTITY`, `INVALID_FLD_VALUE`...).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::errors::RestError;
use super::gateway::{self, RecordKey, Rejection, Write};
use super::json::{RestType, record_element, record_json};
use super::{Incoming, serve};
use crate::netsuite::NetSuiteEmulator;

/// SOAP status codes that mean the record does not exist.
const NOT_FOUND_CODES: &[&str] = &["INVALID_KEY_OR_REF", "RCRD_DSNT_EXIST"];

fn rest_type(name: &str) -> Result<RestType, RestError> {
    RestType::from_path(name).ok_or_else(|| {
        RestError::new(
            StatusCode::NOT_FOUND,
            "INVALID_RCRD_TYPE",
            format!("The record type {name} is not served by the sandbox."),
        )
    })
}

fn rejected(rejection: Rejection) -> RestError {
    if NOT_FOUND_CODES.contains(&rejection.code.as_str()) {
        return RestError::nonexistent_id();
    }
    RestError::bad_request(rejection.code, rejection.message)
}

fn record_url(incoming: &Incoming, rest_type: RestType, id: &str) -> String {
    format!(
        "{}/services/rest/record/v1/{}/{id}",
        incoming.origin(),
        rest_type.record_type()
    )
}

fn written(incoming: &Incoming, rest_type: RestType, id: &str) -> Response {
    let location = record_url(incoming, rest_type, id);
    (StatusCode::NO_CONTENT, [(header::LOCATION, location)]).into_response()
}

fn body_json(body: &[u8]) -> Result<Value, RestError> {
    serde_json::from_slice(body).map_err(|error| {
        RestError::bad_request(
            "INVALID_CONTENT",
            format!("The request body is not valid JSON: {error}."),
        )
    })
}

/// Handles `GET /record/v1/{type}/{key}`; `expandSubResources=true` includes sublist lines.
pub(crate) async fn get(
    AxumState(emulator): AxumState<NetSuiteEmulator>,
    Path((record_type, key)): Path<(String, String)>,
    Query(parameters): Query<HashMap<String, String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let incoming = Incoming::new(method, uri, headers);
    let account = emulator.credentials().account.clone();
    serve(&emulator, "record.get", &incoming, |state, now| {
        let rest_type = rest_type(&record_type)?;
        let key = RecordKey::parse(&key)?;
        let record =
            gateway::get(state, &account, now, rest_type.record_type(), &key)?.map_err(rejected)?;
        let id = record.attr("internalId").unwrap_or_default().to_string();
        let expand = parameters
            .get("expandSubResources")
            .is_some_and(|value| value == "true");
        let url = record_url(&incoming, rest_type, &id);
        let body = record_json(&record, rest_type, &url, expand);
        Ok((
            StatusCode::OK,
            [(
                header::CONTENT_TYPE,
                "application/vnd.oracle.resource+json; type=singular-resource",
            )],
            body.to_string(),
        )
            .into_response())
    })
    .await
}

/// Handles `POST /record/v1/{type}`: adds a record.
pub(crate) async fn create(
    AxumState(emulator): AxumState<NetSuiteEmulator>,
    Path(record_type): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let incoming = Incoming::new(method, uri, headers);
    let account = emulator.credentials().account.clone();
    serve(&emulator, "record.create", &incoming, |state, now| {
        let rest_type = rest_type(&record_type)?;
        let record = record_element(rest_type, &body_json(&body)?)?;
        let id =
            gateway::write(state, &account, now, Write::Add, record, None)?.map_err(rejected)?;
        Ok(written(&incoming, rest_type, &id))
    })
    .await
}

/// Handles `PATCH /record/v1/{type}/{key}`: changes the fields sent.
pub(crate) async fn update(
    AxumState(emulator): AxumState<NetSuiteEmulator>,
    Path((record_type, key)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let incoming = Incoming::new(method, uri, headers);
    let account = emulator.credentials().account.clone();
    serve(&emulator, "record.update", &incoming, |state, now| {
        let rest_type = rest_type(&record_type)?;
        let key = RecordKey::parse(&key)?;
        let record = record_element(rest_type, &body_json(&body)?)?;
        let id = gateway::write(state, &account, now, Write::Update, record, Some(&key))?
            .map_err(rejected)?;
        Ok(written(&incoming, rest_type, &id))
    })
    .await
}

/// Handles `PUT /record/v1/{type}/eid:{externalId}`: adds the record or updates the one with
/// this external ID.
pub(crate) async fn upsert(
    AxumState(emulator): AxumState<NetSuiteEmulator>,
    Path((record_type, key)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let incoming = Incoming::new(method, uri, headers);
    let account = emulator.credentials().account.clone();
    serve(&emulator, "record.upsert", &incoming, |state, now| {
        let rest_type = rest_type(&record_type)?;
        let key = RecordKey::parse(&key)?;
        if !matches!(key, RecordKey::External(_)) {
            return Err(RestError::bad_request(
                "INVALID_ID",
                "An upsert (PUT) names the record by external ID: use eid:{externalId}.",
            ));
        }
        let record = record_element(rest_type, &body_json(&body)?)?;
        let id = gateway::write(state, &account, now, Write::Upsert, record, Some(&key))?
            .map_err(rejected)?;
        Ok(written(&incoming, rest_type, &id))
    })
    .await
}

/// Handles `DELETE /record/v1/{type}/{key}`.
pub(crate) async fn delete(
    AxumState(emulator): AxumState<NetSuiteEmulator>,
    Path((record_type, key)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let incoming = Incoming::new(method, uri, headers);
    let account = emulator.credentials().account.clone();
    serve(&emulator, "record.delete", &incoming, |state, now| {
        let rest_type = rest_type(&record_type)?;
        let key = RecordKey::parse(&key)?;
        gateway::delete(state, &account, now, rest_type.record_type(), &key)?.map_err(rejected)?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })
    .await
}
