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
use super::gateway::{self, RecordKey, Rejection, Write, plain_attribute};
use super::json::{RestType, record_element, record_json, rest_name};
use super::{Incoming, serve};
use crate::netsuite::NetSuiteEmulator;
use crate::netsuite::xml::Element;
use crate::netsuite::xsd::{QName, schema};

/// SOAP status codes that mean the record does not exist.
const NOT_FOUND_CODES: &[&str] = &["INVALID_KEY_OR_REF", "RCRD_DSNT_EXIST"];

/// The prefix NetSuite puts before the message of a record it rejects (documented example:
/// "Error while accessing resource: You have entered an Invalid Field Value 9999 for the
/// following field: item").
const RESOURCE_PREFIX: &str = "Error while accessing resource: ";

fn rest_type(name: &str) -> Result<RestType, RestError> {
    RestType::from_path(name).ok_or_else(|| {
        RestError::new(
            StatusCode::NOT_FOUND,
            "INVALID_RCRD_TYPE",
            format!("The record type {name} is not served by the sandbox."),
        )
    })
}

/// Turns the rejection of a request that names no record in its body (get, delete) into a
/// REST error: a missing record is `404 NONEXISTENT_ID`.
fn rejected(rejection: Rejection) -> RestError {
    if NOT_FOUND_CODES.contains(&rejection.code.as_str()) {
        return RestError::nonexistent_id();
    }
    RestError::bad_request(
        rejection.code,
        format!("{RESOURCE_PREFIX}{}", rejection.message),
    )
}

/// Turns the rejection of a write into a REST error. The record named in the URL that does
/// not exist is `404 NONEXISTENT_ID`. A value the field does not take, including a
/// reference to a missing record, is `400 INVALID_CONTENT` with `o:errorPath` at the member
/// of `body` that holds it, as in NetSuite's documented example. Any other rejection keeps
/// its SOAP code (`USER_ERROR`, `DUP_ENTITY`, `INSUFFICIENT_PERMISSION`...).
// NOTE: NetSuite documents its REST code only for invalid field values. The other SOAP codes
// pass through unchanged, which may differ from what a live account sends.
fn write_rejected(rejection: Rejection, body: &Value) -> RestError {
    let field = field_of(&rejection.message);
    let path = field.and_then(|field| error_path(body, field));
    let code = match rejection.code.as_str() {
        "RCRD_DSNT_EXIST" => return RestError::nonexistent_id(),
        "INVALID_KEY_OR_REF" if field.is_none() => return RestError::nonexistent_id(),
        "INVALID_KEY_OR_REF" | "INVALID_FLD_VALUE" | "INVALID_REF_KEY" => "INVALID_CONTENT",
        other => other,
    };
    let detail = format!("{RESOURCE_PREFIX}{}", rejection.message);
    RestError::bad_request(code.to_string(), detail).at(path)
}

/// Marks every sublist of a PATCH body that `replace` does not name with
/// `replaceAll="false"`, so the SOAP update merges its lines instead of replacing them.
fn merge_unreplaced_sublists(record: &mut Element, replace: Option<&String>) {
    let replaced: Vec<&str> = replace
        .map(|names| names.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let Some(record_type) = record.xsi_type.clone() else {
        return;
    };
    let qname = QName::new(&record_type.ns, &record_type.name);
    for child in &mut record.children {
        let Some(field) = schema().field(&qname, &child.name) else {
            continue;
        };
        if !schema().is_sublist(&field.type_name) {
            continue;
        }
        let rest = rest_name(&child.name);
        let replace_all = replaced.iter().any(|name| name.eq_ignore_ascii_case(rest));
        child.attrs.retain(|attr| attr.name != "replaceAll");
        child.attrs.push(plain_attribute(
            "replaceAll",
            if replace_all { "true" } else { "false" },
        ));
    }
}

/// Returns the field ID a SOAP rejection message names, in the wordings the emulator uses.
fn field_of(message: &str) -> Option<&str> {
    let after = |marker: &str| {
        message
            .split_once(marker)
            .map(|(_, rest)| rest.split([' ', '.']).next().unwrap_or_default())
    };
    let field = after("for the following field: ")
        .or_else(|| {
            message
                .strip_prefix("Invalid ")
                .filter(|rest| rest.contains(" reference key "))
                .map(|rest| rest.split(' ').next().unwrap_or_default())
        })
        .or_else(|| after("The field "))
        .or_else(|| after("set a value for element "))?;
    (!field.is_empty()).then_some(field)
}

/// Finds the member of a request body for a lower-case field ID: a field of the record
/// (`phone`), or a field of a sublist line (`item.items[0].item`). Returns `None` when the
/// body has no such member.
fn error_path(body: &Value, field: &str) -> Option<String> {
    let object = body.as_object()?;
    let same = |key: &str| key.eq_ignore_ascii_case(field);
    if let Some(key) = object.keys().find(|key| same(key)) {
        return Some(key.clone());
    }
    for (list, value) in object {
        let Some(items) = value.get("items").and_then(Value::as_array) else {
            continue;
        };
        for (index, line) in items.iter().enumerate() {
            let key = line
                .as_object()
                .and_then(|line| line.keys().find(|key| same(key)));
            if let Some(key) = key {
                return Some(format!("{list}.items[{index}].{key}"));
            }
        }
    }
    None
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
        let body = body_json(&body)?;
        let record = record_element(rest_type, &body)?;
        let id = gateway::write(state, &account, now, Write::Add, record, None)?
            .map_err(|rejection| write_rejected(rejection, &body))?;
        Ok(written(&incoming, rest_type, &id))
    })
    .await
}

/// Handles `PATCH /record/v1/{type}/{key}`: changes the fields sent. Sent sublist lines are
/// merged into the stored ones (a line with a stored `line` key changes it, others are
/// added) unless the `replace` parameter names the sublist (`?replace=item,addressBook`),
/// which then contains the sent lines alone.
pub(crate) async fn update(
    AxumState(emulator): AxumState<NetSuiteEmulator>,
    Path((record_type, key)): Path<(String, String)>,
    Query(parameters): Query<HashMap<String, String>>,
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
        let body = body_json(&body)?;
        let mut record = record_element(rest_type, &body)?;
        merge_unreplaced_sublists(&mut record, parameters.get("replace"));
        let id = gateway::write(state, &account, now, Write::Update, record, Some(&key))?
            .map_err(|rejection| write_rejected(rejection, &body))?;
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
        let body = body_json(&body)?;
        let record = record_element(rest_type, &body)?;
        let id = gateway::write(state, &account, now, Write::Upsert, record, Some(&key))?
            .map_err(|rejection| write_rejected(rejection, &body))?;
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
