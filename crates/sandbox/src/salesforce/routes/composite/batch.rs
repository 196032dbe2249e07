//! `POST /composite/batch`: up to 25 independent subrequests, run in order, each committed on
//! its own and each counted against the daily API allocation.
//!
//! Subrequest URLs are relative to `/services/data/` (`v62.0/sobjects/Account/001...`) and a
//! body goes in `richInput`. The response is `{"hasErrors", "results": [{"statusCode",
//! "result"}]}`. With `haltOnError`, the subrequests after the first failure are not run and
//! report 412 `BATCH_PROCESSING_HALTED`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::dispatch::{self, SubResponse, Subrequest};
use super::{MAX_SUBREQUESTS, invalid_input, method_of, read_body, resource_of};
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::routes::{json_response, parse_json};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchRequest {
    batch_requests: Vec<BatchSubrequest>,
    #[serde(default)]
    halt_on_error: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BatchSubrequest {
    method: String,
    url: String,
    #[serde(default)]
    rich_input: Option<Value>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct BatchResult {
    status_code: u16,
    result: Value,
}

/// `POST /composite/batch`.
pub(in crate::salesforce::routes) async fn batch(
    State(emulator): State<SalesforceEmulator>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let (json, _) = parse_json(&body)?;
    let request: BatchRequest = read_body(json)?;
    let count = request.batch_requests.len();
    if count == 0 || count > MAX_SUBREQUESTS {
        return Err(invalid_input(format!(
            "A batch request takes 1 to {MAX_SUBREQUESTS} subrequests, not {count}"
        )));
    }
    for subrequest in &request.batch_requests {
        method_of(&subrequest.method)?;
    }

    let mut results = Vec::with_capacity(count);
    let mut halted = false;
    for subrequest in &request.batch_requests {
        let result = if halted {
            halted_result()
        } else {
            run_one(&emulator, subrequest).await
        };
        halted = request.halt_on_error && result.status_code >= 400;
        results.push(result);
    }
    let has_errors = results.iter().any(|result| result.status_code >= 400);
    tracing::debug!(
        subrequests = count,
        has_errors,
        "ran composite batch request"
    );
    Ok(json_response(
        StatusCode::OK,
        &json!({"hasErrors": has_errors, "results": results}),
    ))
}

async fn run_one(emulator: &SalesforceEmulator, subrequest: &BatchSubrequest) -> BatchResult {
    let url = if subrequest.url.starts_with("/services/data/") {
        subrequest.url.clone()
    } else {
        format!("/services/data/{}", subrequest.url.trim_start_matches('/'))
    };
    let response = if let Err(error) = count_api_request(emulator) {
        SubResponse::error(&error)
    } else if !callable_in_batch(&url) {
        // NOTE: Salesforce documents which resources a batch may call; the response to
        // another resource is not taken from a recorded response.
        SubResponse::error(&ApiError::not_found())
    } else {
        let call = Subrequest {
            method: method_of(&subrequest.method).unwrap_or(axum::http::Method::GET),
            url,
            body: subrequest.rich_input.clone(),
            headers: Vec::new(),
            all_or_none: false,
        };
        dispatch::run(emulator, call).await
    };
    BatchResult {
        status_code: response.status,
        result: response.body,
    }
}

/// Counts one subrequest against the daily API allocation.
// NOTE: Salesforce documents that each subrequest of a batch counts against the limits; the
// emulator counts it on top of the batch request itself.
fn count_api_request(emulator: &SalesforceEmulator) -> Result<(), ApiError> {
    emulator.org().usage.record(Utc::now()).map(|_| ())
}

/// Returns whether a batch subrequest may call `url`: the resources of a composite chain and
/// `limits`.
fn callable_in_batch(url: &str) -> bool {
    super::callable_in_chain(url) || resource_of(url) == "limits"
}

// NOTE: the message is not taken from a recorded response.
fn halted_result() -> BatchResult {
    BatchResult {
        status_code: 412,
        result: json!([{
            "errorCode": "BATCH_PROCESSING_HALTED",
            "message": "Batch processing halted per request"
        }]),
    }
}
