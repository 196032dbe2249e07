//! NetSuite REST web services on the emulator's account: the record service
//! (`/services/rest/record/v1/...`) with its metadata catalog, SuiteQL (`/services/rest/query/v1/suiteql`) and the OAuth
//! 2.0 token endpoint (`/services/rest/auth/oauth2/v1/token`).
//!
//! Records are read and written through the same operations as the SOAP side (see
//! [`gateway`]), so a customer added over SOAP is read over REST and the other way round.
//! Requests authenticate with an OAuth 2.0 access token (`Authorization: Bearer ...`) or with
//! token-based authentication as an OAuth 1.0a header, and count against the same concurrency
//! limit as SOAP requests. A request over the limit gets HTTP 429. Injected faults apply as
//! on the SOAP side; their operation names are `record.get`, `record.create`,
//! `record.update`, `record.upsert`, `record.delete`, `record.metadata` and `suiteql`.

mod auth;
mod countries;
mod errors;
mod gateway;
mod json;
mod metadata;
mod records;
mod suiteql;

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde_json::json;

pub(crate) use auth::OAuth2State;
use errors::RestError;

use super::NetSuiteEmulator;
use super::control::FaultKind;
use super::datetime::whole_seconds;
use super::service::{InFlight, spoil};
use super::state::State;

/// Builds the router of the REST paths.
pub(crate) fn router(emulator: NetSuiteEmulator) -> Router {
    Router::new()
        .route(auth::TOKEN_PATH, post(token))
        .route(
            "/services/rest/record/v1/{record_type}",
            post(records::create),
        )
        .route(
            "/services/rest/record/v1/{record_type}/{key}",
            get(records::get)
                .patch(records::update)
                .put(records::upsert)
                .delete(records::delete),
        )
        .route(
            "/services/rest/record/v1/metadata-catalog/{record_type}",
            get(metadata::record_schema),
        )
        .route("/services/rest/query/v1/suiteql", post(suiteql::query))
        .layer(axum::middleware::from_fn_with_state(
            emulator.clone(),
            send_webhooks_after,
        ))
        .with_state(emulator)
}

/// Sends the webhooks of the records a request changed, once its response is built.
async fn send_webhooks_after(
    axum::extract::State(emulator): axum::extract::State<NetSuiteEmulator>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let response = next.run(request).await;
    emulator.send_webhooks();
    response
}

/// The parts of a request besides its body.
pub(crate) struct Incoming {
    pub method: Method,
    pub uri: Uri,
    pub headers: HeaderMap,
}

impl Incoming {
    /// Gathers the parts.
    pub fn new(method: Method, uri: Uri, headers: HeaderMap) -> Incoming {
        Incoming {
            method,
            uri,
            headers,
        }
    }

    /// Returns `http://host:port` as the client addressed the emulator.
    pub fn origin(&self) -> String {
        let host = self
            .headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("127.0.0.1");
        format!("http://{host}")
    }
}

/// Runs a REST request through the steps every request takes: the concurrency limit,
/// authentication, injected faults and latency, then `work` under the state lock.
pub(crate) async fn serve(
    emulator: &NetSuiteEmulator,
    operation: &'static str,
    incoming: &Incoming,
    work: impl FnOnce(&mut State, DateTime<Utc>) -> Result<Response, RestError>,
) -> Response {
    let Some(_slot) = InFlight::acquire(emulator) else {
        emulator.lock().counters.blocked += 1;
        tracing::info!(operation, "concurrency limit reached; REST request blocked");
        return RestError::concurrency_limit().into_response();
    };
    let now = whole_seconds(Utc::now());
    if let Err(reason) = authenticate(emulator, incoming, now) {
        tracing::info!(operation, reason, "REST request failed authentication");
        return RestError::invalid_login().into_response();
    }
    let (injected, delay) = {
        let mut state = emulator.lock();
        let injected = state.faults.pick(Some(operation));
        if let Some(fault) = injected {
            *state
                .counters
                .injected_faults
                .entry(fault.kind)
                .or_default() += 1;
        }
        (
            injected,
            state.settings.latency_for(Some(operation)).sample(),
        )
    };
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    if let Some(fault) = injected {
        tracing::info!(operation, kind = ?fault.kind, "injecting a fault");
        match fault.kind {
            FaultKind::Concurrency => return RestError::concurrency_limit().into_response(),
            FaultKind::UnexpectedError => {
                let error = RestError::unexpected(
                    "An unexpected error occurred. Error ID: sandbox-injected",
                );
                return error.into_response();
            }
            FaultKind::Http503 => return StatusCode::SERVICE_UNAVAILABLE.into_response(),
            FaultKind::Timeout | FaultKind::MalformedXml => {}
        }
    }
    let response = {
        let mut state = emulator.lock();
        state.count_operation(operation);
        work(&mut state, now).unwrap_or_else(|error| {
            tracing::debug!(operation, code = %error.code, "REST request rejected");
            error.into_response()
        })
    };
    match injected {
        Some(fault) => spoil(fault, response).await,
        None => response,
    }
}

/// Checks a bearer token or a TBA OAuth 1.0a header; the error is the reason, for the log.
fn authenticate(
    emulator: &NetSuiteEmulator,
    incoming: &Incoming,
    now: DateTime<Utc>,
) -> Result<(), &'static str> {
    let header = incoming
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .ok_or("the request has no Authorization header")?;
    let mut state = emulator.lock();
    if let Some(token) = header.strip_prefix("Bearer ") {
        return match state.oauth2.is_valid(token.trim(), now) {
            true => Ok(()),
            false => Err("the access token is unknown or expired"),
        };
    }
    if header.starts_with("OAuth ") {
        let base_url = format!("{}{}", incoming.origin(), incoming.uri.path());
        let request = auth::SignedRequest {
            method: incoming.method.as_str(),
            base_url: &base_url,
            query: incoming.uri.query().unwrap_or_default(),
        };
        let credentials = emulator.credentials();
        return auth::check_oauth1(
            header,
            request,
            credentials,
            &mut state.nonces,
            now.timestamp(),
        );
    }
    Err("the Authorization scheme is neither Bearer nor OAuth")
}

/// Handles `POST /services/rest/auth/oauth2/v1/token` (client credentials with a JWT
/// assertion).
async fn token(AxumState(emulator): AxumState<NetSuiteEmulator>, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let now = Utc::now();
    let issued = {
        let mut state = emulator.lock();
        state.count_operation("token");
        auth::client_credentials(&mut state.oauth2, emulator.credentials(), &form, now)
    };
    match issued {
        Ok(access_token) => {
            let seconds = auth::ACCESS_TOKEN_LIFETIME.num_seconds().to_string();
            let body = json!({
                "access_token": access_token,
                "expires_in": seconds,
                "token_type": "bearer",
            });
            (StatusCode::OK, axum::Json(body)).into_response()
        }
        Err(error) => {
            tracing::info!(error = error.error, reason = %error.description, "token request rejected");
            let body = json!({"error": error.error, "error_description": error.description});
            (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
        }
    }
}
