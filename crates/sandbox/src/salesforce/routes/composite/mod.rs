//! The composite family: `POST /composite` (up to 25 dependent subrequests), `POST
//! /composite/batch` (independent subrequests), `POST /composite/graph` (several all-or-none
//! chains) and `POST /composite/tree/{object}` (a tree of new records).
//!
//! A composite request returns 200 whatever its subrequests return, with each subrequest's
//! status in `httpStatusCode`. With `allOrNone`, the first failure stops the chain, every
//! write is rolled back, and every other subrequest reports 400 `PROCESSING_HALTED`. Without
//! it, a subrequest that refers to a failed one fails with `PROCESSING_HALTED` too.
//!
//! NOTE: the error codes and messages of requests rejected as a whole (too many
//! subrequests, a bad or repeated `referenceId`, an unknown method) are not taken from
//! recorded responses; the limits are Salesforce's documented ones.

mod batch;
mod dispatch;
mod graph;
mod references;
mod tree;

pub(super) use batch::batch;
pub(super) use graph::graph;
pub(super) use tree::tree;

use std::collections::{BTreeMap, HashSet};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::{json_response, parse_json};
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use dispatch::{SubResponse, Subrequest};
use references::Results;

/// Most subrequests of one composite request.
const MAX_SUBREQUESTS: usize = 25;

/// Most query and sObject Collections subrequests of one composite request.
const MAX_QUERY_SUBREQUESTS: usize = 5;

/// Message of the subrequests an all-or-none request rolled back, as Salesforce words it.
const ROLLED_BACK: &str =
    "The transaction was rolled back since another operation in the same transaction failed.";

/// Returns whether the request named `route` may roll back writes of several
/// subrequests, and so must run while no other request does.
pub(super) fn rolls_back(route: &str) -> bool {
    route == "POST /composite" || route == "POST /composite/graph"
}

/// One subrequest as the client sent it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SubrequestSpec {
    method: String,
    url: String,
    reference_id: String,
    #[serde(default)]
    body: Option<Value>,
    #[serde(default)]
    http_headers: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CompositeRequest {
    #[serde(default)]
    all_or_none: bool,
    composite_request: Vec<SubrequestSpec>,
}

/// One element of `compositeResponse`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct SubResult {
    body: Value,
    http_headers: Map<String, Value>,
    http_status_code: u16,
    reference_id: String,
}

impl SubResult {
    fn new(reference_id: &str, response: &SubResponse) -> SubResult {
        let mut http_headers = Map::new();
        if let Some(location) = &response.location {
            http_headers.insert("Location".into(), Value::String(location.clone()));
        }
        SubResult {
            body: response.body.clone(),
            http_headers,
            http_status_code: response.status,
            reference_id: reference_id.to_string(),
        }
    }

    fn rolled_back(reference_id: &str) -> SubResult {
        SubResult {
            body: json!([{"errorCode": "PROCESSING_HALTED", "message": ROLLED_BACK}]),
            http_headers: Map::new(),
            http_status_code: 400,
            reference_id: reference_id.to_string(),
        }
    }
}

/// `POST /composite`.
pub(super) async fn composite(
    State(emulator): State<SalesforceEmulator>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (json, _) = parse_json(&body)?;
    let request: CompositeRequest = read_body(json)?;
    check_chain(&request.composite_request, MAX_SUBREQUESTS)?;
    check_query_count(&request.composite_request)?;
    let (results, failed) =
        run_chain(&emulator, &request.composite_request, request.all_or_none).await;
    tracing::debug!(
        subrequests = results.len(),
        failed,
        all_or_none = request.all_or_none,
        "ran composite request"
    );
    Ok(json_response(
        StatusCode::OK,
        &json!({"compositeResponse": results}),
    ))
}

/// Reads a request body of type `T`, failing with `JSON_PARSER_ERROR` and the reason.
fn read_body<T: serde::de::DeserializeOwned>(json: Value) -> Result<T, ApiError> {
    serde_json::from_value(json)
        .map_err(|error| ApiError::bad_request("JSON_PARSER_ERROR", error.to_string()))
}

fn invalid_input(message: String) -> ApiError {
    ApiError::bad_request("INVALID_API_INPUT", message)
}

/// Checks the subrequests of one chain: their count, reference Ids and methods.
fn check_chain(subrequests: &[SubrequestSpec], max: usize) -> Result<(), ApiError> {
    if subrequests.is_empty() || subrequests.len() > max {
        return Err(invalid_input(format!(
            "A composite request takes 1 to {max} subrequests, not {}",
            subrequests.len()
        )));
    }
    let mut seen = HashSet::new();
    for subrequest in subrequests {
        let id = subrequest.reference_id.as_str();
        let valid = id.chars().next().is_some_and(char::is_alphanumeric)
            && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            return Err(invalid_input(format!(
                "Invalid referenceId '{id}': it must start with a letter or a number and contain \
                 only letters, numbers and underscores ('_')"
            )));
        }
        if !seen.insert(id.to_ascii_lowercase()) {
            return Err(invalid_input(format!("Duplicate referenceId '{id}'")));
        }
        method_of(&subrequest.method)?;
    }
    Ok(())
}

fn check_query_count(subrequests: &[SubrequestSpec]) -> Result<(), ApiError> {
    let queries = subrequests
        .iter()
        .filter(|subrequest| {
            let resource = resource_of(&subrequest.url);
            resource.starts_with("query") || resource.starts_with("composite/sobjects")
        })
        .count();
    if queries > MAX_QUERY_SUBREQUESTS {
        return Err(invalid_input(format!(
            "A composite request takes at most {MAX_QUERY_SUBREQUESTS} query or sObject \
             Collections subrequests, not {queries}"
        )));
    }
    Ok(())
}

/// Reads a subrequest method; Salesforce accepts these five, in capitals.
fn method_of(name: &str) -> Result<Method, ApiError> {
    match name {
        "GET" => Ok(Method::GET),
        "POST" => Ok(Method::POST),
        "PUT" => Ok(Method::PUT),
        "PATCH" => Ok(Method::PATCH),
        "DELETE" => Ok(Method::DELETE),
        other => Err(invalid_input(format!(
            "Invalid method '{other}': use GET, POST, PUT, PATCH or DELETE"
        ))),
    }
}

/// Returns the resource of a subrequest URL, the path after `/services/data/vNN.N/` without
/// the query string; empty when the URL has another shape.
fn resource_of(url: &str) -> &str {
    let path = url.split('?').next().unwrap_or_default();
    let Some(rest) = path.strip_prefix("/services/data/") else {
        return "";
    };
    rest.split_once('/').map_or("", |(_, resource)| resource)
}

/// Returns whether a composite or graph subrequest may call `url`: sObject resources,
/// queries and sObject Collections.
fn callable_in_chain(url: &str) -> bool {
    let resource = resource_of(url);
    let first = resource.split('/').next().unwrap_or_default();
    matches!(first, "sobjects" | "query" | "queryAll") || resource.starts_with("composite/sobjects")
}

/// Runs one chain of subrequests in order, resolving references to earlier results. With
/// `all_or_none`, the first failure stops the chain and rolls back every write of it.
/// Returns one result per subrequest and whether any failed.
async fn run_chain(
    emulator: &SalesforceEmulator,
    subrequests: &[SubrequestSpec],
    all_or_none: bool,
) -> (Vec<SubResult>, bool) {
    let savepoint = all_or_none.then(|| emulator.org().savepoint());
    let mut results = Results::default();
    let mut responses: Vec<Option<SubResponse>> = Vec::with_capacity(subrequests.len());
    let mut first_failure = None;
    for (index, spec) in subrequests.iter().enumerate() {
        if all_or_none && first_failure.is_some() {
            responses.push(None);
            continue;
        }
        let response = run_one(emulator, spec, &results, all_or_none).await;
        if response.failed() {
            first_failure.get_or_insert(index);
        } else {
            results.insert(&spec.reference_id, response.body.clone());
        }
        responses.push(Some(response));
    }

    let rolled_back = all_or_none && first_failure.is_some();
    if let Some(savepoint) = savepoint {
        let mut org = emulator.org();
        if rolled_back {
            org.rollback_to(savepoint);
        } else {
            org.release(savepoint);
        }
    }
    let entries = subrequests
        .iter()
        .zip(responses)
        .enumerate()
        .map(|(index, (spec, response))| match response {
            Some(response) if !rolled_back || Some(index) == first_failure => {
                SubResult::new(&spec.reference_id, &response)
            }
            _ => SubResult::rolled_back(&spec.reference_id),
        })
        .collect();
    (entries, first_failure.is_some())
}

async fn run_one(
    emulator: &SalesforceEmulator,
    spec: &SubrequestSpec,
    results: &Results,
    all_or_none: bool,
) -> SubResponse {
    let resolved = results.resolve_url(&spec.url).and_then(|url| {
        let body = spec
            .body
            .as_ref()
            .map(|body| results.resolve_body(body))
            .transpose()?;
        Ok((url, body))
    });
    let (url, body) = match resolved {
        Ok(resolved) => resolved,
        Err(error) => return SubResponse::error(&error),
    };
    if !callable_in_chain(&url) {
        // NOTE: Salesforce documents which resources a composite request may call; the
        // response to another resource is not taken from a recorded response.
        return SubResponse::error(&ApiError::not_found());
    }
    let subrequest = Subrequest {
        method: method_of(&spec.method).unwrap_or(Method::GET),
        url,
        body,
        headers: spec.http_headers.clone().into_iter().collect(),
        all_or_none,
    };
    dispatch::run(emulator, subrequest).await
}
