//! sObject rows: create, read, update and delete by Id, and read or upsert by external ID.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{SaveResult, expect_object, json_response, object_in_url, parse_json};
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::id;
use crate::salesforce::record::{Row, Values, full_row, selected_row};
use crate::salesforce::schema::{FieldDef, ObjectDef};
use crate::salesforce::validate::WriteBody;
use crate::salesforce::version::{ApiVersion, UPSERT_CREATED_FLAG_SINCE};
use crate::salesforce::write::{UpsertOutcome, external_id_field, field_members};

/// `POST /sobjects/{object}`: creates a record and returns 201 with its Id.
pub(super) async fn create(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
    Path((_version, object)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let definition = object_in_url(&emulator, &object)?;
    let (value, raw) = parse_json(&body)?;
    let members = field_members(&expect_object(value, &definition.name)?, false);
    let stamp = emulator.api_stamp();
    let id = emulator.org().create(
        &definition.name,
        &WriteBody::top_level(members, raw),
        &stamp,
    )?;
    tracing::debug!(record_type = %definition.name, sf_id = %id, "created record");
    Ok(created_response(version, &definition, id, None))
}

/// `GET /sobjects/{object}/{id}`: returns the record, or only the fields in `?fields=`.
pub(super) async fn read(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
    Path((_version, object, raw_id)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let definition = object_in_url(&emulator, &object)?;
    let id = id_in_url(&definition, &raw_id)?;
    let org = emulator.org();
    let values = org.live_values(&definition.name, &id)?;
    let row = render(&definition, values, query.as_deref(), version)?;
    Ok(json_response(StatusCode::OK, &row))
}

/// `PATCH /sobjects/{object}/{id}`: updates the fields in the body and returns 204.
pub(super) async fn update(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, object, raw_id)): Path<(String, String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let definition = object_in_url(&emulator, &object)?;
    let id = id_in_url(&definition, &raw_id)?;
    let (value, raw) = parse_json(&body)?;
    let members = field_members(&expect_object(value, &definition.name)?, false);
    let stamp = emulator.api_stamp();
    emulator.org().update(
        &definition.name,
        &id,
        &WriteBody::top_level(members, raw),
        &stamp,
    )?;
    tracing::debug!(record_type = %definition.name, sf_id = %id, "updated record");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `DELETE /sobjects/{object}/{id}`: moves the record to the recycle bin and returns 204.
pub(super) async fn delete(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, object, raw_id)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let definition = object_in_url(&emulator, &object)?;
    let id = id_in_url(&definition, &raw_id)?;
    let stamp = emulator.api_stamp();
    emulator.org().delete(&definition.name, &id, &stamp)?;
    tracing::debug!(record_type = %definition.name, sf_id = %id, "deleted record");
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /sobjects/{object}/{field}/{value}`: returns the one record whose external ID
/// matches, 300 with the candidates' URLs when several match, 404 when none does.
pub(super) async fn read_by_external_id(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
    Path((_version, object, field, value)): Path<(String, String, String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let definition = object_in_url(&emulator, &object)?;
    let key = external_id_field(&definition, &field)?;
    let org = emulator.org();
    let matches = org.find_by_field(&definition, &key, &value);
    match matches.as_slice() {
        [] => Err(ApiError::not_found()),
        [id] => {
            let values = org.live_values(&definition.name, id)?;
            let row = render(&definition, values, query.as_deref(), version)?;
            Ok(json_response(StatusCode::OK, &row))
        }
        several => Ok(multiple_choices(version, &definition, several)),
    }
}

/// `PATCH /sobjects/{object}/{field}/{value}`: upserts by external ID.
///
/// An insert returns 201 with `created:true`. An update returns 200 with `created:false`
/// from v46.0 on, and 204 with no body before. When several records match, the response is
/// 300 with the candidates' URLs.
pub(super) async fn upsert(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
    Path((_version, object, field, value)): Path<(String, String, String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let definition = object_in_url(&emulator, &object)?;
    external_id_field(&definition, &field)?;
    let (json, raw) = parse_json(&body)?;
    let members = field_members(&expect_object(json, &definition.name)?, false);
    let stamp = emulator.api_stamp();
    let outcome = emulator.org().upsert(
        &definition.name,
        &field,
        &value,
        &WriteBody::top_level(members, raw),
        &stamp,
    )?;
    tracing::debug!(record_type = %definition.name, outcome = ?outcome, "upserted record");
    let with_flag = version.major >= UPSERT_CREATED_FLAG_SINCE;
    Ok(match outcome {
        UpsertOutcome::Created(id) => {
            created_response(version, &definition, id, with_flag.then_some(true))
        }
        UpsertOutcome::Updated(id) if with_flag => {
            json_response(StatusCode::OK, &SaveResult::success(id, Some(false)))
        }
        UpsertOutcome::Updated(_) => StatusCode::NO_CONTENT.into_response(),
        UpsertOutcome::Ambiguous(ids) => multiple_choices(version, &definition, &ids),
    })
}

fn created_response(
    version: ApiVersion,
    definition: &ObjectDef,
    id: String,
    created: Option<bool>,
) -> Response {
    let location = version.record_path(&definition.name, &id);
    let mut response = json_response(StatusCode::CREATED, &SaveResult::success(id, created));
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn multiple_choices(version: ApiVersion, definition: &ObjectDef, ids: &[String]) -> Response {
    let urls: Vec<String> = ids
        .iter()
        .map(|id| version.record_path(&definition.name, id))
        .collect();
    json_response(StatusCode::MULTIPLE_CHOICES, &urls)
}

/// Reads the Id segment of a record URL. A value that is no Id is taken, as Salesforce takes
/// it, for the name of an external ID field with no value.
fn id_in_url(definition: &ObjectDef, raw: &str) -> Result<String, ApiError> {
    match id::normalize(raw) {
        Some(id) if id.starts_with(&definition.key_prefix) => Ok(id),
        Some(_) => Err(ApiError::not_found()),
        None => external_id_field(definition, raw).and(Err(ApiError::not_found())),
    }
}

/// Renders a record with every field, or with the fields in `?fields=` followed by `Id`.
fn render(
    definition: &ObjectDef,
    values: &Values,
    query: Option<&str>,
    version: ApiVersion,
) -> Result<Row, ApiError> {
    let requested = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "fields")
        .map(|(_, value)| value.into_owned());
    let Some(requested) = requested else {
        return Ok(full_row(definition, values, version));
    };
    let names: Vec<&str> = requested.split(',').collect();
    let fields = requested_fields(definition, &names)?;
    Ok(selected_row(definition, values, &fields, version))
}

/// Resolves the field names of a `fields` parameter, in order and followed by `Id` when they
/// do not name it. Blank names are skipped; an unknown name fails with `INVALID_FIELD`.
pub(super) fn requested_fields<'d>(
    definition: &'d ObjectDef,
    names: &[&str],
) -> Result<Vec<&'d FieldDef>, ApiError> {
    let mut fields: Vec<&FieldDef> = Vec::new();
    for name in names.iter().map(|name| name.trim()) {
        if name.is_empty() {
            continue;
        }
        let field = definition
            .field(name)
            .ok_or_else(|| no_such_column(definition, name))?;
        fields.push(field);
    }
    if let Some(id_field) = definition
        .field("Id")
        .filter(|_| !fields.iter().any(|field| field.name == "Id"))
    {
        fields.push(id_field);
    }
    Ok(fields)
}

fn no_such_column(definition: &ObjectDef, name: &str) -> ApiError {
    let message = format!(
        "No such column '{name}' on entity '{}'. If you are attempting to use a custom field, be \
         sure to append the '__c' after the custom field name. Please reference your WSDL or the \
         describe call for the appropriate names.",
        definition.name
    );
    ApiError::bad_request("INVALID_FIELD", message)
}
