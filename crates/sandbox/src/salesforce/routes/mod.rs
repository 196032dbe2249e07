//! HTTP routes of the emulator and the checks every `/services/data/vNN.N` request passes:
//! a served API version, a valid access token and the daily request allocation.

mod collections;
mod query;
mod sobjects;

use axum::body::Bytes;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};
use axum::{Json, Router};
use chrono::Utc;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::salesforce::SalesforceEmulator;
use crate::salesforce::auth::{self, bearer_token};
use crate::salesforce::errors::{ApiError, SaveError};
use crate::salesforce::schema::ObjectDef;
use crate::salesforce::version::{ApiVersion, MAX_VERSION, MIN_VERSION};

/// Path prefix of the versioned REST API, as axum matches it.
const DATA_PREFIX: &str = "/services/data/{version}";

/// Builds the router: the token endpoint, the version list and the versioned API.
pub(crate) fn router(emulator: SalesforceEmulator) -> Router {
    let data = Router::new()
        .route(
            &data_path("/query"),
            with_405(get(query::query), "GET,HEAD"),
        )
        .route(
            &data_path("/query/{locator}"),
            with_405(get(query::query_more), "GET,HEAD"),
        )
        .route(
            &data_path("/queryAll"),
            with_405(get(query::query_all), "GET,HEAD"),
        )
        .route(
            &data_path("/queryAll/{locator}"),
            with_405(get(query::query_more), "GET,HEAD"),
        )
        .route(
            &data_path("/sobjects/{object}"),
            with_405(post(sobjects::create), "POST"),
        )
        .route(
            &data_path("/sobjects/{object}/{id}"),
            with_405(
                get(sobjects::read)
                    .patch(sobjects::update)
                    .delete(sobjects::delete),
                "HEAD,GET,PATCH,DELETE",
            ),
        )
        .route(
            &data_path("/sobjects/{object}/{field}/{value}"),
            with_405(
                get(sobjects::read_by_external_id).patch(sobjects::upsert),
                "HEAD,GET,PATCH",
            ),
        )
        .route(
            &data_path("/composite/sobjects"),
            with_405(
                post(collections::create).patch(collections::update),
                "POST,PATCH",
            ),
        )
        .route_layer(middleware::from_fn_with_state(emulator.clone(), guard));
    Router::new()
        .route(
            "/services/oauth2/token",
            with_405(post(auth::token), "POST"),
        )
        .route("/services/data", get(versions))
        .route("/services/data/", get(versions))
        .merge(data)
        .fallback(not_found)
        .with_state(emulator)
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

/// Checks the version, the token and the request allocation, then runs the handler with the
/// version in the request extensions and adds `Sforce-Limit-Info` to the response.
async fn guard(
    State(emulator): State<SalesforceEmulator>,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let matched = request
        .extensions()
        .get::<MatchedPath>()
        .map(|matched| matched.as_str().to_string());
    let route = route_key(request.method(), matched.as_deref(), &path);
    emulator.count_request(route.clone());

    let admitted = admit(&emulator, &path, &request);
    let (version, limit_info) = match admitted {
        Ok(admitted) => admitted,
        Err(error) => {
            tracing::debug!(route = %route, error = %error, "rejected API request");
            return error.into_response();
        }
    };

    request.extensions_mut().insert(version);
    let mut response = next.run(request).await;
    if let Ok(value) = HeaderValue::from_str(&limit_info) {
        response.headers_mut().insert("Sforce-Limit-Info", value);
    }
    if !response.status().is_success() {
        tracing::debug!(route = %route, status = %response.status(), "API request failed");
    }
    response
}

/// Checks the version, the token and the daily allocation; returns the version and the
/// `Sforce-Limit-Info` value.
fn admit(
    emulator: &SalesforceEmulator,
    path: &str,
    request: &Request,
) -> Result<(ApiVersion, String), ApiError> {
    let version = served_version(path)?;
    let now = Utc::now();
    let mut org = emulator.org();
    let token = bearer_token(request.headers()).unwrap_or_default();
    if !org.sessions.is_valid(token, now) {
        return Err(ApiError::invalid_session());
    }
    let used = org.usage.record(now)?;
    Ok((version, org.usage.header_value(used)))
}

/// Reads the version segment of a `/services/data/vNN.N/...` path.
fn served_version(path: &str) -> Result<ApiVersion, ApiError> {
    let segment = path.split('/').nth(3).unwrap_or_default();
    let version = ApiVersion::parse(segment).ok_or_else(ApiError::not_found)?;
    if version.major < MIN_VERSION {
        let message = format!("API version {version} has been retired and is no longer available");
        // NOTE: 410 is the documented status for retired versions; the message text is not
        // taken from a recorded response.
        return Err(ApiError::new(410, "GONE", message));
    }
    if version.major > MAX_VERSION {
        return Err(ApiError::not_found());
    }
    Ok(version)
}

/// Names a request for [`SalesforceEmulator::request_counts`]: the method and the route
/// below the version, with the object name filled in (`PATCH /sobjects/Account/{id}`).
fn route_key(method: &Method, matched: Option<&str>, path: &str) -> String {
    let Some(template) = matched else {
        return format!("{method} {path}");
    };
    let relative = template.strip_prefix(DATA_PREFIX).unwrap_or(template);
    let actual: Vec<&str> = path.split('/').skip(4).collect();
    let filled: Vec<String> = relative
        .split('/')
        .skip(1)
        .enumerate()
        .map(|(index, segment)| match (segment, actual.get(index)) {
            ("{object}", Some(object)) => object.to_string(),
            (other, _) => other.to_string(),
        })
        .collect();
    format!("{method} /{}", filled.join("/"))
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
    fn served_version_accepts_31_and_later() {
        assert_eq!(
            served_version("/services/data/v31.0/query").unwrap().major,
            31
        );
        assert_eq!(
            served_version("/services/data/v62.0/query").unwrap().major,
            62
        );
    }

    #[test]
    fn served_version_answers_gone_below_31() {
        let error = served_version("/services/data/v30.0/query").unwrap_err();
        assert_eq!(error.status, 410);
    }

    #[test]
    fn served_version_answers_not_found_for_unknown_shapes() {
        assert_eq!(
            served_version("/services/data/v99.0/query")
                .unwrap_err()
                .status,
            404
        );
        assert_eq!(
            served_version("/services/data/62.0/query")
                .unwrap_err()
                .status,
            404
        );
    }

    #[test]
    fn route_key_fills_in_object() {
        let key = route_key(
            &Method::PATCH,
            Some("/services/data/{version}/sobjects/{object}/{id}"),
            "/services/data/v62.0/sobjects/Account/001000000000001AAA",
        );
        assert_eq!(key, "PATCH /sobjects/Account/{id}");
        let key = route_key(
            &Method::GET,
            Some("/services/data/{version}/query"),
            "/services/data/v62.0/query",
        );
        assert_eq!(key, "GET /query");
    }

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
