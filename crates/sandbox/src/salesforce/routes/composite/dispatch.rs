//! Runs one subrequest of a composite, batch or graph request through the emulator's own
//! routes, so a subrequest behaves exactly as the same call made on its own.
//!
//! The enclosing request has passed the token, limit and fault checks already, so
//! subrequests skip them, count as no separate route in the request counts, and queue their
//! change notifications for the enclosing request to send.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tower_service::Service;

use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::routes::collections::{ForcedAllOrNone, RolledBack};
use crate::salesforce::routes::{data_routes, guard, not_found, strip_trailing_slash};

/// Largest subrequest response body read back, far above any response the emulator builds
/// for the resources a subrequest may call.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// Headers a subrequest inherits from the enclosing request and may not set itself.
const INHERITED_HEADERS: [&str; 3] = ["accept", "authorization", "content-type"];

/// One subrequest, with its references already resolved.
#[derive(Debug, Clone)]
pub(super) struct Subrequest {
    pub method: Method,
    /// Path and query, starting with `/services/data/vNN.N/`.
    pub url: String,
    pub body: Option<Value>,
    /// Request headers such as `If-Modified-Since` or `Sforce-Query-Options`.
    pub headers: Vec<(String, String)>,
    /// Whether sObject Collections subrequests must be all-or-none.
    pub all_or_none: bool,
}

/// The response of one subrequest.
#[derive(Debug, Clone)]
pub(super) struct SubResponse {
    pub status: u16,
    /// The `Location` header of a created record.
    pub location: Option<String>,
    /// The JSON body, `null` when the response had none.
    pub body: Value,
    /// Whether a collection subrequest rolled its own writes back.
    pub rolled_back: bool,
}

impl SubResponse {
    /// Creates the response of a subrequest that failed before it ran.
    pub fn error(error: &ApiError) -> SubResponse {
        SubResponse {
            status: error.status,
            location: None,
            body: serde_json::json!([error.rest_entry()]),
            rolled_back: false,
        }
    }

    /// Returns whether the subrequest failed, so an all-or-none request rolls back.
    pub fn failed(&self) -> bool {
        self.status >= 400 || self.rolled_back
    }
}

/// Runs `subrequest` and reads its response.
pub(super) async fn run(emulator: &SalesforceEmulator, subrequest: Subrequest) -> SubResponse {
    let request = match build_request(subrequest) {
        Ok(request) => request,
        Err(error) => return SubResponse::error(&error),
    };
    let mut router = data_routes()
        .route_layer(middleware::from_fn(check_version))
        .fallback(not_found)
        .with_state(emulator.clone());
    let response = match router.call(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    read_response(response).await
}

fn build_request(subrequest: Subrequest) -> Result<Request, ApiError> {
    let mut builder = Request::builder()
        .method(subrequest.method.clone())
        .uri(encode_unsafe_characters(&subrequest.url))
        .header(CONTENT_TYPE, "application/json");
    for (name, value) in &subrequest.headers {
        if INHERITED_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
            continue;
        }
        let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) else {
            continue;
        };
        builder = builder.header(name, value);
    }
    let body = subrequest
        .body
        .as_ref()
        .map_or_else(String::new, Value::to_string);
    // A URL that is no valid URI names no resource.
    let mut request = builder
        .body(Body::from(body))
        .map_err(|_| ApiError::not_found())?;
    if subrequest.all_or_none {
        request.extensions_mut().insert(ForcedAllOrNone);
    }
    Ok(strip_trailing_slash(request))
}

/// Percent-encodes the characters a URI may not contain, such as the spaces of a SOQL
/// statement that clients send unencoded in subrequest URLs.
fn encode_unsafe_characters(url: &str) -> String {
    const ALLOWED: &str = "-._~:/?#[]@!$&'()*+,;=%";
    let mut encoded = String::with_capacity(url.len());
    for byte in url.bytes() {
        if byte.is_ascii_alphanumeric() || ALLOWED.as_bytes().contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

/// Checks the version in the subrequest's path and hands it to the handler, as the guard of
/// a top-level request does.
async fn check_version(mut request: Request, next: Next) -> Response {
    match guard::served_version(request.uri().path()) {
        Ok(version) => {
            request.extensions_mut().insert(version);
            next.run(request).await
        }
        Err(error) => error.into_response(),
    }
}

async fn read_response(response: Response) -> SubResponse {
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    let rolled_back = response.extensions().get::<RolledBack>().is_some();
    let bytes = to_bytes(response.into_body(), MAX_RESPONSE_BYTES)
        .await
        .unwrap_or_default();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    SubResponse {
        status,
        location,
        body,
        rolled_back,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_unsafe_characters_encodes_spaces_only() {
        assert_eq!(
            encode_unsafe_characters("/services/data/v62.0/query?q=SELECT Id FROM Account"),
            "/services/data/v62.0/query?q=SELECT%20Id%20FROM%20Account"
        );
        assert_eq!(
            encode_unsafe_characters("/query?q=Name+%3D+'a'"),
            "/query?q=Name+%3D+'a'"
        );
    }
}
