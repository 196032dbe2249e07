//! The metadata catalog: `GET /services/rest/record/v1/metadata-catalog/{type}` with
//! `Accept: application/schema+json` returns a record type's JSON Schema.
//!
//! Standard fields come from the published schema the SOAP side validates against, under
//! their REST names, and custom fields from the records the account stores, the same data
//! the SOAP side reads and writes. A custom field is listed once some record of the type
//! has a value for it, typed by its `CustomFieldRef` kind, and carries NetSuite's
//! `x-ns-custom-field` mark.

use std::collections::BTreeMap;

use axum::extract::{Path, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::errors::RestError;
use super::json::{RestType, rest_name};
use super::suiteql::stored_records;
use super::{Incoming, serve};
use crate::netsuite::NetSuiteEmulator;
use crate::netsuite::xml::Element;
use crate::netsuite::xsd::{Field, ValueKind, schema};

/// The media type of a record type's JSON Schema.
const SCHEMA_MEDIA_TYPE: &str = "application/schema+json";

/// Handles `GET /record/v1/metadata-catalog/{type}`.
pub(crate) async fn record_schema(
    AxumState(emulator): AxumState<NetSuiteEmulator>,
    Path(record_type): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let incoming = Incoming::new(method, uri, headers);
    let account = emulator.credentials().account.clone();
    serve(&emulator, "record.metadata", &incoming, |state, now| {
        check_accept(&incoming.headers)?;
        let rest_type = RestType::from_path(&record_type).ok_or_else(|| {
            RestError::new(
                StatusCode::NOT_FOUND,
                "INVALID_RCRD_TYPE",
                format!("The record type {record_type} is not served by the sandbox."),
            )
        })?;
        let records = stored_records(state, &account, now, rest_type)?;
        let body = json_schema(rest_type, &records);
        Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, SCHEMA_MEDIA_TYPE)],
            body.to_string(),
        )
            .into_response())
    })
    .await
}

/// Rejects a request that does not accept JSON Schema, because NetSuite's other catalog
/// form, OpenAPI, is not served here.
fn check_accept(headers: &HeaderMap) -> Result<(), RestError> {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if accept.contains(SCHEMA_MEDIA_TYPE) {
        return Ok(());
    }
    Err(RestError::new(
        StatusCode::NOT_ACCEPTABLE,
        "INVALID_HEADER",
        format!("The sandbox serves the metadata catalog as {SCHEMA_MEDIA_TYPE} only."),
    ))
}

/// Builds the JSON Schema of a record type.
fn json_schema(rest_type: RestType, records: &[Element]) -> Value {
    let mut properties = Map::new();
    properties.insert(
        "id".into(),
        json!({"type": "string", "title": "Internal ID"}),
    );
    properties.insert(
        "externalId".into(),
        json!({"type": "string", "title": "External ID"}),
    );
    for field in schema().fields(&rest_type.qname()) {
        if field.name == "customFieldList" || field.name == "nullFieldList" {
            continue;
        }
        properties.insert(rest_name(&field.name).to_string(), standard_property(field));
    }
    for (script_id, kind) in custom_fields(records) {
        properties.insert(script_id, custom_property(&kind));
    }
    json!({
        "type": "object",
        "title": rest_type.record_type(),
        "properties": properties,
    })
}

fn standard_property(field: &Field) -> Value {
    match schema().value_kind(&field.type_name) {
        ValueKind::Boolean => json!({"type": "boolean"}),
        ValueKind::Double => json!({"type": "number"}),
        ValueKind::Long => json!({"type": "integer"}),
        ValueKind::DateTime => json!({"type": "string", "format": "date-time"}),
        ValueKind::Enumeration(values) => json!({"type": "string", "enum": values}),
        ValueKind::Complex if field.type_name.name == "RecordRef" => json!({
            "type": "object",
            "properties": {"id": {"type": "string"}, "refName": {"type": "string"}},
        }),
        ValueKind::Complex if schema().is_sublist(&field.type_name) => json!({
            "type": "object",
            "properties": {"items": {"type": "array"}},
        }),
        ValueKind::Complex => json!({"type": "object"}),
        _ => json!({"type": "string"}),
    }
}

fn custom_property(kind: &str) -> Value {
    let mut property = match kind {
        "BooleanCustomFieldRef" => json!({"type": "boolean"}),
        "LongCustomFieldRef" => json!({"type": "integer"}),
        "DoubleCustomFieldRef" => json!({"type": "number"}),
        "DateCustomFieldRef" => json!({"type": "string", "format": "date-time"}),
        "SelectCustomFieldRef" => json!({
            "type": "object",
            "properties": {"id": {"type": "string"}, "refName": {"type": "string"}},
        }),
        "MultiSelectCustomFieldRef" => json!({
            "type": "object",
            "properties": {"items": {"type": "array"}},
        }),
        _ => json!({"type": "string"}),
    };
    property["x-ns-custom-field"] = json!(true);
    property
}

/// Returns the script ID and `CustomFieldRef` kind of every custom field the records carry.
fn custom_fields(records: &[Element]) -> BTreeMap<String, String> {
    let mut fields = BTreeMap::new();
    for record in records {
        let lists = record
            .children
            .iter()
            .filter(|child| child.name == "customFieldList");
        for custom in lists.flat_map(|list| &list.children) {
            let Some(script_id) = custom.attr("scriptId") else {
                continue;
            };
            let kind = custom
                .xsi_type
                .as_ref()
                .map_or("StringCustomFieldRef", |name| name.name.as_str());
            fields
                .entry(script_id.to_string())
                .or_insert_with(|| kind.to_string());
        }
    }
    fields
}
