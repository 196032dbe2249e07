//! Error responses of the REST service: an RFC 9457 problem document whose `o:errorDetails`
//! entries carry NetSuite's error code and message.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// The media type NetSuite sends error bodies with.
const ERROR_MEDIA_TYPE: &str = "application/vnd.oracle.resource+json; type=error";

/// A failed REST request.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RestError {
    pub status: StatusCode,
    /// The `o:errorCode` value (`NONEXISTENT_ID`, `INVALID_LOGIN`...).
    pub code: String,
    /// The `detail` value.
    pub detail: String,
    /// The `o:errorPath` value: the JSON path of the request body member at fault
    /// (`item.items[0].item`).
    pub path: Option<String>,
}

impl RestError {
    /// Builds an error with any status.
    pub fn new(status: StatusCode, code: impl Into<String>, detail: impl Into<String>) -> Self {
        RestError {
            status,
            code: code.into(),
            detail: detail.into(),
            path: None,
        }
    }

    /// Sets the `o:errorPath` of the error.
    pub fn at(mut self, path: Option<String>) -> Self {
        self.path = path;
        self
    }

    /// Builds a 400 error.
    pub fn bad_request(code: impl Into<String>, detail: impl Into<String>) -> Self {
        RestError::new(StatusCode::BAD_REQUEST, code, detail)
    }

    /// Builds the 401 of a request whose credentials are missing or invalid. NetSuite sends
    /// the same text for every reason; the reason is only logged.
    pub fn invalid_login() -> Self {
        RestError::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_LOGIN",
            "Invalid login attempt. For more details, see the Login Audit Trail in the \
             NetSuite UI at Setup > Users/Roles > User Management > View Login Audit Trail.",
        )
    }

    /// Builds the 429 of a request over the account's concurrency limit.
    pub fn concurrency_limit() -> Self {
        RestError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "CONCURRENCY_LIMIT_EXCEEDED",
            "Concurrent request limit exceeded. Request blocked.",
        )
    }

    /// Builds the 404 of a record that does not exist.
    pub fn nonexistent_id() -> Self {
        RestError::new(
            StatusCode::NOT_FOUND,
            "NONEXISTENT_ID",
            "The record instance does not exist. Provide a valid record instance ID.",
        )
    }

    /// Builds the 500 of an error inside the emulator.
    pub fn unexpected(detail: impl Into<String>) -> Self {
        RestError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNEXPECTED_ERROR",
            detail,
        )
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let title = self.status.canonical_reason().unwrap_or("Error");
        let mut detail = json!({
            "detail": self.detail,
            "o:errorCode": self.code,
        });
        if let Some(path) = self.path {
            detail["o:errorPath"] = json!(path);
        }
        let body = json!({
            "type": format!(
                "https://www.rfc-editor.org/rfc/rfc9110.html#status.{}",
                self.status.as_u16()
            ),
            "title": title,
            "status": self.status.as_u16(),
            "o:errorDetails": [detail],
        });
        (
            self.status,
            [(header::CONTENT_TYPE, ERROR_MEDIA_TYPE)],
            body.to_string(),
        )
            .into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn error_body_has_error_details() {
        let response = RestError::nonexistent_id().into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let bytes = axum::body::to_bytes(response.into_body(), 4096)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(body["status"], 404);
        assert_eq!(body["o:errorDetails"][0]["o:errorCode"], "NONEXISTENT_ID");
    }
}
