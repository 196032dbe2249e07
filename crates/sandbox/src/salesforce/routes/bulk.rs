//! Bulk API 2.0 routes below `/jobs/ingest` and `/jobs/query`.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{json_response, parse_json};
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::bulk::{self, IngestJob, JobHeader, JobState, QueryJob};
use crate::salesforce::errors::ApiError;
use crate::salesforce::values::now_millis;
use crate::salesforce::version::ApiVersion;

/// Body of a job creation request.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewJob {
    operation: Option<String>,
    object: Option<String>,
    query: Option<String>,
    external_id_field_name: Option<String>,
    line_ending: Option<String>,
    column_delimiter: Option<String>,
}

/// Body of a state change.
#[derive(Debug, Deserialize)]
struct StateChange {
    state: JobState,
}

fn invalid_job(message: impl Into<String>) -> ApiError {
    ApiError::bad_request("INVALIDJOB", message)
}

fn read_new_job(body: &Bytes, allowed: &[&str]) -> Result<NewJob, ApiError> {
    let (value, _) = parse_json(body)?;
    let job: NewJob = serde_json::from_value(value)
        .map_err(|error| ApiError::bad_request("JSON_PARSER_ERROR", error.to_string()))?;
    let operation = job.operation.as_deref().unwrap_or_default();
    if !allowed.contains(&operation) {
        return Err(invalid_job(format!(
            "InvalidJob : Invalid operation: {operation}"
        )));
    }
    let delimiter = job.column_delimiter.as_deref().unwrap_or("COMMA");
    if bulk::delimiter_byte(delimiter).is_none() {
        return Err(invalid_job(format!(
            "InvalidJob : Invalid column delimiter: {delimiter}"
        )));
    }
    Ok(job)
}

fn header_for(
    emulator: &SalesforceEmulator,
    job: &NewJob,
    object: String,
    version: ApiVersion,
) -> JobHeader {
    let now = now_millis();
    let user = emulator.api_stamp().user_id;
    JobHeader {
        id: emulator.org().new_job_id(),
        operation: job.operation.clone().unwrap_or_default(),
        object,
        created_by_id: user,
        created_date: now,
        system_modstamp: now,
        state: JobState::Open,
        api_version: version,
        line_ending: job.line_ending.clone().unwrap_or_else(|| "LF".into()),
        column_delimiter: job
            .column_delimiter
            .clone()
            .unwrap_or_else(|| "COMMA".into()),
    }
}

/// `POST /jobs/ingest`: opens an ingest job.
pub(super) async fn create_ingest(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let job = read_new_job(&body, &bulk::ingest::OPERATIONS)?;
    let object_name = job.object.clone().unwrap_or_default();
    let definition = emulator
        .org()
        .object(&object_name)
        .cloned()
        .ok_or_else(|| {
            invalid_job(format!(
                "InvalidJob : Entity '{object_name}' is not supported by the Bulk API."
            ))
        })?;
    if job.operation.as_deref() == Some("upsert") && job.external_id_field_name.is_none() {
        return Err(invalid_job("InvalidJob : External ID was blank for upsert"));
    }
    let header = header_for(&emulator, &job, definition.name.clone(), version);
    let ingest = IngestJob::new(header, job.external_id_field_name.clone());
    let info = ingest.info();
    emulator
        .org()
        .bulk
        .ingest
        .insert(ingest.header.id.clone(), ingest);
    Ok(json_response(StatusCode::OK, &info))
}

/// `PUT /jobs/ingest/{id}/batches`: appends CSV to an open job and returns 201.
pub(super) async fn upload(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut org = emulator.org();
    let job = org
        .bulk
        .ingest
        .get_mut(&id)
        .ok_or_else(ApiError::not_found)?;
    if job.header.state != JobState::Open {
        return Err(ApiError::new(
            409,
            "INVALIDJOBSTATE",
            "Job is not in Open state",
        ));
    }
    if job.data.is_empty() {
        job.data.extend_from_slice(&body);
    } else {
        // Later uploads repeat the header row, which is dropped.
        let rest = body
            .iter()
            .position(|byte| *byte == b'\n')
            .map_or(&body[..0], |at| &body[at + 1..]);
        job.data.extend_from_slice(rest);
    }
    Ok(StatusCode::CREATED.into_response())
}

/// `PATCH /jobs/ingest/{id}`: closes (`UploadComplete`) or aborts a job.
pub(super) async fn change_ingest(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (value, _) = parse_json(&body)?;
    let change: StateChange = serde_json::from_value(value)
        .map_err(|error| ApiError::bad_request("JSON_PARSER_ERROR", error.to_string()))?;
    let stamp = emulator.api_stamp();
    let mut org = emulator.org();
    let mut job = org
        .bulk
        .ingest
        .get(&id)
        .cloned()
        .ok_or_else(ApiError::not_found)?;
    if job.header.state.is_terminal() || job.header.state != JobState::Open {
        return Err(ApiError::new(
            409,
            "INVALIDJOBSTATE",
            "Job is not in Open state",
        ));
    }
    let answer = match change.state {
        JobState::Aborted => {
            job.header.set_state(JobState::Aborted, stamp.at);
            job.info()
        }
        JobState::UploadComplete => {
            job.header.set_state(JobState::UploadComplete, stamp.at);
            let answer = job.info();
            let definition = org
                .object(&job.header.object)
                .cloned()
                .ok_or_else(ApiError::not_found)?;
            job.process(&mut org, &definition, &stamp);
            tracing::debug!(job = %id, state = ?job.header.state, "processed ingest job");
            answer
        }
        other => {
            return Err(invalid_job(format!(
                "InvalidJob : Invalid state: {other:?}"
            )));
        }
    };
    org.bulk.ingest.insert(id, job);
    Ok(json_response(StatusCode::OK, &answer))
}

/// `GET /jobs/ingest/{id}`.
pub(super) async fn ingest_info(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let org = emulator.org();
    let job = org.bulk.ingest.get(&id).ok_or_else(ApiError::not_found)?;
    Ok(Json(job.info()))
}

/// `DELETE /jobs/ingest/{id}`: deletes a job that is no longer running.
pub(super) async fn delete_ingest(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    emulator
        .org()
        .bulk
        .ingest
        .remove(&id)
        .ok_or_else(ApiError::not_found)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /jobs/ingest`: every ingest job, on one page.
pub(super) async fn list_ingest(State(emulator): State<SalesforceEmulator>) -> Json<Value> {
    let org = emulator.org();
    let records: Vec<Value> = org.bulk.ingest.values().map(IngestJob::info).collect();
    Json(json!({"done": true, "records": records, "nextRecordsUrl": null}))
}

/// `GET /jobs/ingest/{id}/{successfulResults|failedResults|unprocessedrecords}`.
pub(super) async fn ingest_results(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, id, kind)): Path<(String, String, String)>,
) -> Result<Response, ApiError> {
    let org = emulator.org();
    let job = org.bulk.ingest.get(&id).ok_or_else(ApiError::not_found)?;
    let csv = match kind.as_str() {
        "successfulResults" => job.successful_results(),
        "failedResults" => job.failed_results(),
        "unprocessedrecords" => job.unprocessed_records(),
        _ => return Err(ApiError::not_found()),
    };
    Ok(csv_response(csv, &[]))
}

fn csv_response(csv: String, headers: &[(&'static str, String)]) -> Response {
    let mut response = (StatusCode::OK, csv).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv"));
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().insert(*name, value);
        }
    }
    response
}

/// `POST /jobs/query`: runs the query and stores its rows.
pub(super) async fn create_query(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let job = read_new_job(&body, &bulk::query::OPERATIONS)?;
    let soql = job.query.clone().unwrap_or_default();
    let include_deleted = job.operation.as_deref() == Some("queryAll");
    let outcome = emulator.org().run_query(&soql, include_deleted, version)?;
    if outcome.has_subqueries || outcome.columns.is_empty() {
        // Bulk API 2.0 documents that query jobs take no parent-to-child subqueries and no
        // aggregate functions such as COUNT().
        // NOTE: the error code and wording are not taken from a recorded response.
        return Err(ApiError::bad_request(
            "API_ERROR",
            "Bulk API 2.0 query jobs do not support subqueries or COUNT()",
        ));
    }
    let object = soql_object(&soql);
    let mut header = header_for(&emulator, &job, object, version);
    header.set_state(JobState::UploadComplete, header.created_date);
    let mut query_job = QueryJob::new(header, outcome.columns, &outcome.rows);
    let info = query_job.info();
    query_job.header.state = JobState::JobComplete;
    emulator
        .org()
        .bulk
        .query
        .insert(query_job.header.id.clone(), query_job);
    Ok(json_response(StatusCode::OK, &info))
}

fn soql_object(soql: &str) -> String {
    let words: Vec<&str> = soql.split_whitespace().collect();
    words
        .iter()
        .position(|word| word.eq_ignore_ascii_case("FROM"))
        .and_then(|at| words.get(at + 1))
        .map_or_else(String::new, |name| name.to_string())
}

/// `GET /jobs/query/{id}`.
pub(super) async fn query_info(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let org = emulator.org();
    let job = org.bulk.query.get(&id).ok_or_else(ApiError::not_found)?;
    Ok(Json(job.info()))
}

/// `GET /jobs/query`: every query job, on one page.
pub(super) async fn list_query(State(emulator): State<SalesforceEmulator>) -> Json<Value> {
    let org = emulator.org();
    let records: Vec<Value> = org.bulk.query.values().map(QueryJob::info).collect();
    Json(json!({"done": true, "records": records, "nextRecordsUrl": null}))
}

/// `PATCH /jobs/query/{id}`: aborts a job.
pub(super) async fn change_query(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, id)): Path<(String, String)>,
    body: Bytes,
) -> Result<Json<Value>, ApiError> {
    let (value, _) = parse_json(&body)?;
    let change: StateChange = serde_json::from_value(value)
        .map_err(|error| ApiError::bad_request("JSON_PARSER_ERROR", error.to_string()))?;
    let mut org = emulator.org();
    let job = org
        .bulk
        .query
        .get_mut(&id)
        .ok_or_else(ApiError::not_found)?;
    if change.state != JobState::Aborted || job.header.state.is_terminal() {
        return Err(ApiError::new(
            409,
            "INVALIDJOBSTATE",
            "Job is already complete",
        ));
    }
    job.header.set_state(JobState::Aborted, now_millis());
    Ok(Json(job.info()))
}

/// `DELETE /jobs/query/{id}`.
pub(super) async fn delete_query(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    emulator
        .org()
        .bulk
        .query
        .remove(&id)
        .ok_or_else(ApiError::not_found)?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /jobs/query/{id}/results?locator=&maxRecords=`: one CSV page, with
/// `Sforce-Locator` (`null` on the last page) and `Sforce-NumberOfRecords`.
pub(super) async fn query_results(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let parameters: Vec<(String, String)> =
        url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let parameter = |name: &str| {
        parameters
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    };
    let org = emulator.org();
    let job = org.bulk.query.get(&id).ok_or_else(ApiError::not_found)?;
    if job.header.state != JobState::JobComplete {
        return Err(ApiError::bad_request(
            "INVALIDJOBSTATE",
            "Job is not complete",
        ));
    }
    let max_records = parameter("maxRecords")
        .and_then(|text| text.parse().ok())
        .unwrap_or(org.bulk_query_page_size);
    let locator = parameter("locator").filter(|locator| !locator.is_empty() && *locator != "null");
    let page = job
        .page(locator, max_records)
        .ok_or_else(|| ApiError::bad_request("INVALID_LOCATOR", "invalid locator"))?;
    let headers = [
        (
            "Sforce-Locator",
            page.next_locator.unwrap_or_else(|| "null".into()),
        ),
        ("Sforce-NumberOfRecords", page.records.to_string()),
    ];
    Ok(csv_response(page.csv, &headers))
}
