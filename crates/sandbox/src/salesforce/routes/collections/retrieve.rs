//! `GET /composite/sobjects/{object}?ids=...&fields=...` and `POST
//! /composite/sobjects/{object}` with `{"ids": [...], "fields": [...]}`: up to 2,000 records
//! of one object by Id, each with the requested fields (and `Id`), or `null` for an Id that
//! names no live record of the object.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

use super::id_list;
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::id;
use crate::salesforce::record::{Row, selected_row};
use crate::salesforce::routes::sobjects::requested_fields;
use crate::salesforce::routes::{expect_object, json_response, object_in_url, parse_json};
use crate::salesforce::state::Lookup;
use crate::salesforce::version::ApiVersion;

/// Most Ids one retrieve call may name.
const MAX_IDS: usize = 2000;

/// `GET /composite/sobjects/{object}`.
pub(in crate::salesforce::routes) async fn retrieve(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
    Path((_version, object)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let ids = id_list(query.as_deref(), "ids").unwrap_or_default();
    let fields = id_list(query.as_deref(), "fields").unwrap_or_default();
    render(&emulator, version, &object, &ids, &fields)
}

/// `POST /composite/sobjects/{object}`.
pub(in crate::salesforce::routes) async fn retrieve_by_body(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
    Path((_version, object)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (json, _) = parse_json(&body)?;
    let members = expect_object(json, "SObjectRetrieveRequest")?;
    let strings = |name: &str| -> Vec<String> {
        members
            .get(name)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    render(
        &emulator,
        version,
        &object,
        &strings("ids"),
        &strings("fields"),
    )
}

fn render(
    emulator: &SalesforceEmulator,
    version: ApiVersion,
    object: &str,
    ids: &[String],
    field_names: &[String],
) -> Result<Response, ApiError> {
    let definition = object_in_url(emulator, object)?;
    // NOTE: the wording of these two rejections is not taken from a recorded response.
    if ids.is_empty() || field_names.is_empty() {
        return Err(ApiError::bad_request(
            "MISSING_ARGUMENT",
            "ids and fields: the Ids of the records and the fields to return",
        ));
    }
    if ids.len() > MAX_IDS {
        return Err(ApiError::bad_request(
            "EXCEEDED_ID_LIMIT",
            "record limit reached. cannot submit more than 2000 records into this call",
        ));
    }
    let names: Vec<&str> = field_names.iter().map(String::as_str).collect();
    let fields = requested_fields(&definition, &names)?;
    let org = emulator.org();
    let rows: Vec<Option<Row>> = ids
        .iter()
        .map(|given| {
            let live = id::normalize(given)
                .filter(|id| id.starts_with(&definition.key_prefix))
                .and_then(|id| match org.lookup(&definition.name, &id) {
                    Lookup::Live(values) => Some(values),
                    Lookup::Deleted | Lookup::Missing => None,
                });
            live.map(|values| selected_row(&definition, values, &fields, version))
        })
        .collect();
    Ok(json_response(StatusCode::OK, &rows))
}
