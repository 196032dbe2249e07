//! The checks every `/services/data/vNN.N` request passes: a served API version, a valid
//! access token and the daily request allocation; then the injected latency and faults, and
//! the `Sforce-Limit-Info` header on the way out.

use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;

use super::{DATA_PREFIX, composite};
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::auth::bearer_token;
use crate::salesforce::controls::Fault;
use crate::salesforce::errors::ApiError;
use crate::salesforce::version::{ApiVersion, MAX_VERSION, MIN_VERSION};

tokio::task_local! {
    /// Id of the user whose access token the request in progress carries.
    static SESSION_USER: String;
}

/// Returns the user of the request in progress, when called while a request is handled.
pub(crate) fn session_user() -> Option<String> {
    SESSION_USER.try_with(Clone::clone).ok()
}

/// Result of the admission checks for one request.
struct Admitted {
    version: ApiVersion,
    limit_info: String,
    user_id: String,
    latency: Duration,
    fault: Option<Fault>,
}

/// Checks the version, the token and the request allocation, applies injected latency and
/// faults, then runs the handler as the session's user with the version in the request
/// extensions, and adds `Sforce-Limit-Info` to the response.
pub(super) async fn guard(
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

    let admitted = match admit(&emulator, &path, &route, &request) {
        Ok(admitted) => admitted,
        Err(error) => {
            tracing::debug!(route = %route, error = %error, "rejected API request");
            return error.into_response();
        }
    };
    if !admitted.latency.is_zero() {
        tokio::time::sleep(admitted.latency).await;
    }
    let mut delay_after = None;
    match admitted.fault {
        Some(Fault::SlowSuccess { delay_ms }) => {
            delay_after = Some(Duration::from_millis(delay_ms));
        }
        Some(fault) => {
            tracing::debug!(route = %route, fault = ?fault, "injected fault");
            return with_limit_info(fault.response(), &admitted.limit_info);
        }
        None => {}
    }

    request.extensions_mut().insert(admitted.version);
    let permit = emulator
        .transaction_permit(composite::rolls_back(&route))
        .await;
    let mut response = SESSION_USER
        .scope(admitted.user_id, next.run(request))
        .await;
    drop(permit);
    emulator.send_notifications();
    if !response.status().is_success() {
        tracing::debug!(route = %route, status = %response.status(), "API request failed");
    }
    if let Some(delay) = delay_after {
        tokio::time::sleep(delay).await;
    }
    response = with_limit_info(response, &admitted.limit_info);
    response
}

fn with_limit_info(mut response: Response, limit_info: &str) -> Response {
    if let Ok(value) = HeaderValue::from_str(limit_info) {
        response.headers_mut().insert("Sforce-Limit-Info", value);
    }
    response
}

/// Checks the version, the token and the daily allocation, and takes the next injected fault
/// for `route`.
fn admit(
    emulator: &SalesforceEmulator,
    path: &str,
    route: &str,
    request: &Request,
) -> Result<Admitted, ApiError> {
    let version = served_version(path)?;
    let now = Utc::now();
    let mut org = emulator.org();
    let token = bearer_token(request.headers()).unwrap_or_default();
    let user_id = org
        .sessions
        .session(token, now)
        .map(|session| session.user_id.clone())
        .ok_or_else(ApiError::invalid_session)?;
    let used = org.usage.record(now)?;
    let limit_info = org.usage.header_value(used);
    let fault = org.controls.take_fault(route);
    if fault == Some(Fault::ExpiredSession) {
        org.sessions.expire_all();
        return Err(ApiError::invalid_session());
    }
    Ok(Admitted {
        version,
        limit_info,
        user_id,
        latency: org.controls.latency,
        fault,
    })
}

/// Reads the version segment of a `/services/data/vNN.N/...` path.
pub(super) fn served_version(path: &str) -> Result<ApiVersion, ApiError> {
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
}
