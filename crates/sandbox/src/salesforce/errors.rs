//! The error type of the emulator and its two wire shapes: the REST error array
//! (`[{"message","errorCode","fields"}]`) and the per-record save error of collection results
//! (`{"statusCode","message","fields"}`).

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error as Salesforce reports it: HTTP status, error code (`REQUIRED_FIELD_MISSING`,
/// `MALFORMED_QUERY`, ...), message and the API names of the fields involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error_code}: {message}")]
pub struct ApiError {
    /// HTTP status of the response when this error fails a whole request.
    pub status: u16,
    /// Salesforce error code, sent as `errorCode` (or `statusCode` inside collection results).
    pub error_code: String,
    /// Message text, worded as Salesforce words it.
    pub message: String,
    /// API names of the fields the error is about; empty for request-level errors.
    pub fields: Vec<String>,
    /// Whether the REST error entry lists `fields` even when it is empty, as the errors of
    /// a record write do (`"fields":[]` on `ENTITY_IS_DELETED`); request-level errors such as
    /// `INVALID_SESSION_ID` leave it out.
    pub lists_fields: bool,
}

/// Message of Salesforce's 404 for an unknown resource or record.
pub(crate) const RESOURCE_NOT_FOUND: &str = "The requested resource does not exist";

impl ApiError {
    /// Creates an error without fields.
    pub(crate) fn new(status: u16, error_code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            error_code: error_code.to_string(),
            message: message.into(),
            fields: Vec::new(),
            lists_fields: false,
        }
    }

    /// Creates a 400 error without fields.
    pub(crate) fn bad_request(error_code: &str, message: impl Into<String>) -> ApiError {
        ApiError::new(400, error_code, message)
    }

    /// Creates the 404 `NOT_FOUND` error for a resource or record that does not exist.
    pub(crate) fn not_found() -> ApiError {
        ApiError::new(404, "NOT_FOUND", RESOURCE_NOT_FOUND)
    }

    /// Creates the 401 error for a missing, unknown or expired access token.
    pub(crate) fn invalid_session() -> ApiError {
        ApiError::new(401, "INVALID_SESSION_ID", "Session expired or invalid")
    }

    /// Creates the 404 error for a write or read of a record in the recycle bin.
    pub(crate) fn entity_is_deleted() -> ApiError {
        let mut error = ApiError::new(404, "ENTITY_IS_DELETED", "entity is deleted");
        error.lists_fields = true;
        error
    }

    /// Returns this error with `fields` set.
    pub(crate) fn with_fields(mut self, fields: Vec<String>) -> ApiError {
        self.fields = fields;
        self
    }

    /// Returns the entry of a REST error array for this error.
    pub(crate) fn rest_entry(&self) -> RestErrorEntry<'_> {
        RestErrorEntry {
            message: &self.message,
            error_code: &self.error_code,
            fields: (self.lists_fields || !self.fields.is_empty()).then_some(&self.fields),
        }
    }

    /// Returns the per-record error of a collection result for this error.
    pub(crate) fn save_error(&self) -> SaveError<'_> {
        SaveError {
            status_code: &self.error_code,
            message: &self.message,
            fields: &self.fields,
        }
    }
}

/// One element of the JSON array that REST endpoints return on failure.
#[derive(Debug, Serialize)]
pub(crate) struct RestErrorEntry<'a> {
    message: &'a str,
    #[serde(rename = "errorCode")]
    error_code: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a Vec<String>>,
}

/// One element of `errors` in a collection or create result.
#[derive(Debug, Serialize)]
pub(crate) struct SaveError<'a> {
    #[serde(rename = "statusCode")]
    status_code: &'a str,
    message: &'a str,
    fields: &'a Vec<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json([self.rest_entry()])).into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_entry_omits_empty_fields() {
        let error = ApiError::invalid_session();
        let json = serde_json::to_string(&[error.rest_entry()]).unwrap();
        assert_eq!(
            json,
            r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#
        );
    }

    #[test]
    fn save_error_keeps_empty_fields() {
        let error =
            ApiError::bad_request("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id");
        let json = serde_json::to_string(&error.save_error()).unwrap();
        assert_eq!(
            json,
            r#"{"statusCode":"INVALID_CROSS_REFERENCE_KEY","message":"invalid cross reference id","fields":[]}"#
        );
    }

    #[test]
    fn display_joins_code_and_message() {
        let error = ApiError::not_found();
        assert_eq!(
            error.to_string(),
            "NOT_FOUND: The requested resource does not exist"
        );
    }

    #[test]
    fn rest_entry_lists_empty_fields_of_deleted_entity() {
        let error = ApiError::entity_is_deleted();
        let json = serde_json::to_string(&[error.rest_entry()]).unwrap();
        assert_eq!(
            json,
            r#"[{"message":"entity is deleted","errorCode":"ENTITY_IS_DELETED","fields":[]}]"#
        );
    }
}
