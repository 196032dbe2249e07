//! The JSON API under `/api`, documented in `openapi.json`. The pages render the same JSON
//! values the API returns, so both show the same thing.

pub mod approvals;
pub mod flows;
pub mod mapper;
pub mod queues;

use axum::Json;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::json;
use tandem_engine::actions::ActionError;
use tandem_engine::state::StoreError;

use crate::AppState;
use crate::runner::RunnerReplayError;

/// The OpenAPI description of the JSON API.
pub const OPENAPI: &str = include_str!("openapi.json");

/// An error returned as `{"error": "..."}` with an HTTP status.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub message: String,
}

impl ApiError {
    /// Builds an error.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
        }
    }

    /// Builds a `400 Bad Request`.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    /// Builds a `404 Not Found`.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    /// Builds a `401 Unauthorized`.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(json!({"error": self.message}))).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer realm=\"tandem\""),
            );
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> ApiError {
        tracing::error!(%error, "store error in an API call");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, error.to_string())
    }
}

impl From<ActionError> for ApiError {
    fn from(error: ActionError) -> ApiError {
        let status = match &error {
            ActionError::NotFound { .. } => StatusCode::NOT_FOUND,
            ActionError::WrongStatus { .. } | ActionError::NotEditable { .. } => {
                StatusCode::CONFLICT
            }
            ActionError::UnknownFields { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ActionError::Store(store) => {
                tracing::error!(error = %store, "store error in a queue action");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        };
        ApiError::new(status, error.to_string())
    }
}

impl From<RunnerReplayError> for ApiError {
    fn from(error: RunnerReplayError) -> ApiError {
        match error {
            RunnerReplayError::Action(action) => action.into(),
            RunnerReplayError::FlowNotEnabled { .. } => {
                ApiError::new(StatusCode::CONFLICT, error.to_string())
            }
            RunnerReplayError::Replay(replay) => {
                use tandem_engine::pass::ReplayError;
                let status = match &replay {
                    ReplayError::NotFound(_) => StatusCode::NOT_FOUND,
                    ReplayError::NotOpen { .. }
                    | ReplayError::OtherFlow { .. }
                    | ReplayError::NotReplayable { .. } => StatusCode::CONFLICT,
                    ReplayError::Pass(_) => StatusCode::BAD_GATEWAY,
                };
                ApiError::new(status, replay.to_string())
            }
        }
    }
}

/// The result of an API handler.
pub type ApiResult = Result<Json<serde_json::Value>, ApiError>;

/// Builds the API routes, relative to `/api`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/flows", get(flows::list_flows))
        .route("/passes", post(flows::start_pass))
        .route(
            "/flows/{flow}/mapping",
            get(mapper::show_mapping).put(mapper::save_mapping),
        )
        .route(
            "/flows/{flow}/mapping/preview",
            post(mapper::preview_mapping),
        )
        .route("/runs", get(flows::list_runs))
        .route("/runs/{id}", get(flows::show_run))
        .route("/records", get(flows::search_records))
        .route("/dead-letters", get(queues::list_dead_letters))
        .route("/dead-letters/{id}", get(queues::show_dead_letter))
        .route("/dead-letters/{id}/payload", put(queues::edit_dead_letter))
        .route(
            "/dead-letters/{id}/replay",
            post(queues::replay_dead_letter),
        )
        .route(
            "/dead-letters/{id}/discard",
            post(queues::discard_dead_letter),
        )
        .route("/reviews", get(queues::list_reviews))
        .route("/reviews/{id}", get(queues::show_review))
        .route("/reviews/{id}/link", post(queues::link_review))
        .route("/reviews/{id}/create", post(queues::create_review))
        .route("/reviews/{id}/reject", post(queues::reject_review))
        .route("/conflicts", get(queues::list_conflicts))
        .route("/conflicts/{id}", get(queues::show_conflict))
        .route("/conflicts/{id}/resolve", post(queues::resolve_conflict))
        .route("/approvals", get(approvals::list_approvals))
        .route("/approvals/{id}", get(approvals::show_approval))
        .route("/approvals/{id}/approve", post(approvals::approve))
        .route("/approvals/{id}/reject", post(approvals::reject))
}

/// Serves the OpenAPI description.
pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// The most of a rejection's text that [`json_rejections`] reads.
const REJECTION_TEXT_LIMIT: usize = 16 * 1024;

/// Rewrites axum's plain-text rejections of a request (a malformed JSON body, a missing
/// `Content-Type`, a non-numeric ID in the path) as the API's JSON errors, so every error of
/// the API has the same shape.
pub async fn json_rejections(response: Response) -> Response {
    let is_plain_text = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/plain"));
    if !response.status().is_client_error() || !is_plain_text {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, REJECTION_TEXT_LIMIT)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    ApiError::new(parts.status, text.trim()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every route of [`routes`] as `METHOD /api/path`, kept by hand next to the routes.
    const ROUTES: &[(&str, &str)] = &[
        ("get", "/flows"),
        ("post", "/passes"),
        ("get", "/flows/{flow}/mapping"),
        ("put", "/flows/{flow}/mapping"),
        ("post", "/flows/{flow}/mapping/preview"),
        ("get", "/runs"),
        ("get", "/runs/{id}"),
        ("get", "/records"),
        ("get", "/dead-letters"),
        ("get", "/dead-letters/{id}"),
        ("put", "/dead-letters/{id}/payload"),
        ("post", "/dead-letters/{id}/replay"),
        ("post", "/dead-letters/{id}/discard"),
        ("get", "/reviews"),
        ("get", "/reviews/{id}"),
        ("post", "/reviews/{id}/link"),
        ("post", "/reviews/{id}/create"),
        ("post", "/reviews/{id}/reject"),
        ("get", "/conflicts"),
        ("get", "/conflicts/{id}"),
        ("post", "/conflicts/{id}/resolve"),
        ("get", "/approvals"),
        ("get", "/approvals/{id}"),
        ("post", "/approvals/{id}/approve"),
        ("post", "/approvals/{id}/reject"),
    ];

    /// The webhook routes, served by [`crate::webhooks::routes`].
    const WEBHOOKS: &[&str] = &[
        "/webhooks/salesforce",
        "/webhooks/salesforce/outbound",
        "/webhooks/netsuite",
    ];

    #[test]
    fn openapi_describes_every_route() {
        let document: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let paths = document["paths"].as_object().unwrap();
        for (method, path) in ROUTES {
            let full = format!("/api{path}");
            assert!(
                paths
                    .get(&full)
                    .and_then(|item| item.get(*method))
                    .is_some(),
                "openapi.json lacks {method} {full}"
            );
        }
    }

    #[test]
    fn openapi_describes_no_other_route() {
        let document: serde_json::Value = serde_json::from_str(OPENAPI).unwrap();
        let paths = document["paths"].as_object().unwrap();
        for (path, item) in paths {
            for method in item.as_object().unwrap().keys() {
                if method == "parameters" {
                    continue;
                }
                let known = ROUTES
                    .iter()
                    .any(|(m, p)| m == method && format!("/api{p}") == *path)
                    || WEBHOOKS.contains(&path.as_str())
                    || path == "/healthz"
                    || path == "/metrics";
                assert!(
                    known,
                    "openapi.json names {method} {path}, which is not served"
                );
            }
        }
    }
}
