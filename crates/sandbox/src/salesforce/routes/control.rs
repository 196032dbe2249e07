//! Control endpoints under `/__sandbox/`, a path Salesforce never serves, for tests and
//! benchmarks written in any language. They need no token and count against no limit.
//!
//! | method and path | body | effect |
//! |---|---|---|
//! | `GET /__sandbox/requests` | | request counts per route and API usage |
//! | `DELETE /__sandbox/requests` | | forgets the request counts |
//! | `GET`, `POST`, `DELETE /__sandbox/faults` | a [`FaultRule`] for POST | lists, adds or clears faults |
//! | `GET`, `POST`, `DELETE /__sandbox/validation-rules` | a [`ValidationRule`] for POST | lists, adds or clears validation rules |
//! | `PUT /__sandbox/latency` | `{"millis": N}` | wait before each API request |
//! | `POST /__sandbox/sessions/expire` | | invalidates every access token |
//! | `PUT /__sandbox/sessions/timeout` | `{"seconds": N}` | access token lifetime |
//! | `PUT /__sandbox/limits/api-requests` | `{"max": N}` | daily API allocation |
//! | `GET /__sandbox/users` | | usernames of the integration and admin users |
//! | `PUT /__sandbox/users/password` | `{"username", "password"}` | password for the password grant |
//! | `POST /__sandbox/refresh-tokens` | `{"username"}` | issues a refresh token |
//! | `PUT /__sandbox/jwt-certificate` | PEM text | certificate JWT assertions are checked with |
//! | `PUT`, `DELETE /__sandbox/notifications` | `{"url", "objects": [..]}` for PUT | change notifications |
//! | `PUT /__sandbox/currencies` | `{"corporate": "USD", "others": ["EUR"]}` | turns on multiple currencies |

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::salesforce::SalesforceEmulator;
use crate::salesforce::controls::{FaultRule, ValidationRule};
use crate::salesforce::errors::ApiError;

/// Returns the control routes.
pub(super) fn routes() -> Router<SalesforceEmulator> {
    Router::new()
        .route(
            "/__sandbox/requests",
            get(request_counts).delete(reset_request_counts),
        )
        .route(
            "/__sandbox/faults",
            get(list_faults).post(add_fault).delete(clear_faults),
        )
        .route(
            "/__sandbox/validation-rules",
            get(list_validation_rules)
                .post(add_validation_rule)
                .delete(clear_validation_rules),
        )
        .route("/__sandbox/latency", put(set_latency))
        .route("/__sandbox/sessions/expire", post(expire_sessions))
        .route("/__sandbox/sessions/timeout", put(set_session_timeout))
        .route("/__sandbox/limits/api-requests", put(set_api_limit))
        .route("/__sandbox/users", get(users))
        .route("/__sandbox/users/password", put(set_password))
        .route("/__sandbox/refresh-tokens", post(issue_refresh_token))
        .route("/__sandbox/jwt-certificate", put(set_jwt_certificate))
        .route(
            "/__sandbox/notifications",
            put(set_notifications).delete(clear_notifications),
        )
        .route("/__sandbox/currencies", put(set_currencies))
}

/// Reads a JSON control body, failing with `JSON_PARSER_ERROR` and the reason.
fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T, ApiError> {
    serde_json::from_slice(bytes)
        .map_err(|error| ApiError::bad_request("JSON_PARSER_ERROR", error.to_string()))
}

async fn request_counts(State(emulator): State<SalesforceEmulator>) -> Json<Value> {
    let (used, max) = emulator.api_usage();
    Json(json!({
        "routes": emulator.request_counts(),
        "apiUsage": {"used": used, "max": max},
    }))
}

async fn reset_request_counts(State(emulator): State<SalesforceEmulator>) -> StatusCode {
    emulator.reset_request_counts();
    StatusCode::NO_CONTENT
}

async fn list_faults(State(emulator): State<SalesforceEmulator>) -> Json<Vec<FaultRule>> {
    Json(emulator.pending_faults())
}

async fn add_fault(
    State(emulator): State<SalesforceEmulator>,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    emulator.inject_fault(body(&bytes)?);
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_faults(State(emulator): State<SalesforceEmulator>) -> StatusCode {
    emulator.clear_faults();
    StatusCode::NO_CONTENT
}

async fn list_validation_rules(
    State(emulator): State<SalesforceEmulator>,
) -> Json<Vec<ValidationRule>> {
    Json(emulator.validation_rules())
}

async fn add_validation_rule(
    State(emulator): State<SalesforceEmulator>,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    emulator.add_validation_rule(body(&bytes)?);
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_validation_rules(State(emulator): State<SalesforceEmulator>) -> StatusCode {
    emulator.clear_validation_rules();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Millis {
    millis: u64,
}

async fn set_latency(
    State(emulator): State<SalesforceEmulator>,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    let Millis { millis } = body(&bytes)?;
    emulator.set_latency(Duration::from_millis(millis));
    Ok(StatusCode::NO_CONTENT)
}

async fn expire_sessions(State(emulator): State<SalesforceEmulator>) -> StatusCode {
    emulator.expire_sessions();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct Seconds {
    seconds: f64,
}

async fn set_session_timeout(
    State(emulator): State<SalesforceEmulator>,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    let Seconds { seconds } = body(&bytes)?;
    let timeout = Duration::try_from_secs_f64(seconds).map_err(|_| {
        ApiError::bad_request("INVALID_FIELD", "seconds must be a non-negative number")
    })?;
    emulator.set_session_timeout(timeout);
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Max {
    max: u64,
}

async fn set_api_limit(
    State(emulator): State<SalesforceEmulator>,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    let Max { max } = body(&bytes)?;
    emulator.set_daily_api_limit(max);
    Ok(StatusCode::NO_CONTENT)
}

async fn users(State(emulator): State<SalesforceEmulator>) -> Json<Value> {
    Json(json!({
        "integration": {
            "id": emulator.integration_user_id(),
            "username": emulator.integration_username(),
        },
        "admin": {
            "id": emulator.admin_user_id(),
            "username": emulator.admin_username(),
        },
    }))
}

#[derive(Deserialize)]
struct Password {
    username: String,
    password: String,
}

async fn set_password(
    State(emulator): State<SalesforceEmulator>,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    let Password { username, password } = body(&bytes)?;
    emulator.set_password(&username, &password)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Username {
    username: String,
}

async fn issue_refresh_token(
    State(emulator): State<SalesforceEmulator>,
    bytes: Bytes,
) -> Result<Json<Value>, ApiError> {
    let Username { username } = body(&bytes)?;
    let token = emulator.issue_refresh_token(&username)?;
    Ok(Json(json!({ "refresh_token": token })))
}

async fn set_jwt_certificate(
    State(emulator): State<SalesforceEmulator>,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    let pem = String::from_utf8_lossy(&bytes);
    emulator.set_jwt_certificate(&pem)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct Notifications {
    url: String,
    objects: Vec<String>,
}

async fn set_notifications(
    State(emulator): State<SalesforceEmulator>,
    bytes: Bytes,
) -> Result<Response, ApiError> {
    let Notifications { url, objects } = body(&bytes)?;
    let objects: Vec<&str> = objects.iter().map(String::as_str).collect();
    emulator.set_change_notifications(&url, &objects)?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn clear_notifications(State(emulator): State<SalesforceEmulator>) -> StatusCode {
    emulator.clear_change_notifications();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct CurrencySettings {
    corporate: String,
    #[serde(default)]
    others: Vec<String>,
}

async fn set_currencies(
    State(emulator): State<SalesforceEmulator>,
    bytes: Bytes,
) -> Result<StatusCode, ApiError> {
    let CurrencySettings { corporate, others } = body(&bytes)?;
    let others: Vec<&str> = others.iter().map(String::as_str).collect();
    emulator.enable_multi_currency(&corporate, &others)?;
    Ok(StatusCode::NO_CONTENT)
}
