//! HTTP routes of the emulator and the checks every `/services/data/vNN.N` request passes:
//! a served API version, a valid access token and the daily request allocation.

mod bulk;
mod changes;
mod collections;
mod composite;
mod control;
mod describe;
mod guard;
mod query;
mod sobjects;
mod table;

pub(crate) use guard::session_user;
use table::data_routes;

use axum::body::Bytes;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Extension, Json, Router};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::{ApiError, SaveError};
use crate::salesforce::oauth::{self, Scheme};
use crate::salesforce::schema::ObjectDef;
use crate::salesforce::version::{ApiVersion, MAX_VERSION, MIN_VERSION};

/// Path prefix of the versioned REST API, as axum matches it.
const DATA_PREFIX: &str = "/services/data/{version}";

/// Builds the router: the token endpoints, the version list, the versioned API and the
/// control endpoints. A trailing slash is ignored, as Salesforce ignores it.
pub(crate) fn router(emulator: SalesforceEmulator, scheme: Scheme) -> Router {
    let data = data_routes().route_layer(middleware::from_fn_with_state(
        emulator.clone(),
        guard::guard,
    ));
    let inner = Router::new()
        .route(
            "/services/oauth2/token",
            with_405(post(oauth::token), "POST"),
        )
        .route(
            "/services/oauth2/revoke",
            with_405(post(oauth::revoke), "POST"),
        )
        .route("/services/data", get(versions))
        .merge(data)
        .merge(control::routes())
        .fallback(not_found)
        .layer(Extension(scheme))
        .with_state(emulator);
    Router::new()
        .fallback_service(inner)
        .layer(middleware::map_request(rewrite_request))
}

/// Prepares a request for routing: removes one trailing slash from the path, and turns a
/// `POST` with `?_HttpMethod=PATCH` (or another method) into that method, as Salesforce does
/// for clients that cannot send it.
async fn rewrite_request(request: Request) -> Request {
    override_method(strip_trailing_slash(request))
}

fn override_method(mut request: Request) -> Request {
    if request.method() != Method::POST {
        return request;
    }
    let wanted = url::form_urlencoded::parse(request.uri().query().unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "_HttpMethod")
        .and_then(|(_, value)| Method::from_bytes(value.to_ascii_uppercase().as_bytes()).ok());
    if let Some(method) = wanted {
        *request.method_mut() = method;
    }
    request
}

fn data_path(route: &str) -> String {
    format!("{DATA_PREFIX}{route}")
}

fn with_405(
    router: MethodRouter<SalesforceEmulator>,
    allowed: &'static str,
) -> MethodRouter<SalesforceEmulator> {
    router.fallback(move |method: Method| async move {
        let message = format!("HTTP Method '{method}' not allowed. Allowed are {allowed}");
        ApiError::new(405, "METHOD_NOT_ALLOWED", message)
    })
}

async fn not_found() -> ApiError {
    ApiError::not_found()
}

/// Removes one trailing slash from the path, keeping the query string.
fn strip_trailing_slash(mut request: Request) -> Request {
    let uri = request.uri();
    let path = uri.path();
    if path.len() > 1 && path.ends_with('/') {
        let mut rebuilt = path.trim_end_matches('/').to_string();
        if let Some(query) = uri.query() {
            rebuilt.push('?');
            rebuilt.push_str(query);
        }
        if let Ok(parsed) = rebuilt.parse() {
            *request.uri_mut() = parsed;
        }
    }
    request
}

/// One entry of `GET /services/data`.
#[derive(Debug, Serialize)]
struct VersionEntry {
    label: String,
    url: String,
    version: String,
}

/// Lists the served versions, oldest first; needs no token and counts against no limit.
async fn versions() -> Json<Vec<VersionEntry>> {
    let entries = (MIN_VERSION..=MAX_VERSION)
        .map(|major| {
            let version = ApiVersion { major };
            VersionEntry {
                label: version.release_label(),
                url: version.base_path(),
                version: format!("{major}.0"),
            }
        })
        .collect();
    Json(entries)
}

/// Parses a JSON request body, failing with `JSON_PARSER_ERROR` as Salesforce does.
pub(crate) fn parse_json(body: &Bytes) -> Result<(Value, &str), ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("JSON_PARSER_ERROR", "Invalid UTF-8 in request body"))?;
    let value = serde_json::from_str(text).map_err(|error| {
        let full = error.to_string();
        let reason = full.split(" at line ").next().unwrap_or(&full);
        let message = format!(
            "{reason} at [line:{}, column:{}]",
            error.line(),
            error.column()
        );
        ApiError::bad_request("JSON_PARSER_ERROR", message)
    })?;
    Ok((value, text))
}

/// Returns the members of a JSON object body, or `JSON_PARSER_ERROR` for another shape.
pub(crate) fn expect_object(value: Value, type_name: &str) -> Result<Map<String, Value>, ApiError> {
    match value {
        Value::Object(members) => Ok(members),
        other => {
            let token = if other.is_array() {
                "START_ARRAY"
            } else {
                "VALUE_STRING"
            };
            let message = format!(
                "Cannot deserialize instance of {type_name} from {token} value [line:1, column:1]"
            );
            Err(ApiError::bad_request("JSON_PARSER_ERROR", message))
        }
    }
}

/// Finds the object named in a URL, or fails with 404 `NOT_FOUND`.
pub(crate) fn object_in_url(
    emulator: &SalesforceEmulator,
    name: &str,
) -> Result<ObjectDef, ApiError> {
    emulator
        .org()
        .object(name)
        .cloned()
        .ok_or_else(ApiError::not_found)
}

/// Result of one record write, as create, upsert and collection calls return it.
#[derive(Debug, Serialize)]
pub(crate) struct SaveResult<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    success: bool,
    errors: Vec<SaveError<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created: Option<bool>,
}

impl<'a> SaveResult<'a> {
    /// Creates the result of a successful write of record `id`. Only upserts set `created`.
    pub fn success(id: String, created: Option<bool>) -> SaveResult<'static> {
        SaveResult {
            id: Some(id),
            success: true,
            errors: Vec::new(),
            created,
        }
    }

    /// Creates the result of a failed write, with `id` when the record already existed.
    pub fn failure(id: Option<String>, error: &'a ApiError) -> SaveResult<'a> {
        SaveResult {
            id,
            success: false,
            errors: vec![error.save_error()],
            created: None,
        }
    }
}

/// Returns a response with a status and a JSON body.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_json_reports_position() {
        let error = parse_json(&Bytes::from_static(b"{\"Name\": }")).unwrap_err();
        assert_eq!(error.error_code, "JSON_PARSER_ERROR");
        assert!(
            error.message.ends_with("at [line:1, column:10]"),
            "{}",
            error.message
        );
    }
}
