//! Errors of the Salesforce client and how the engine should treat them.

use serde::Deserialize;
use tandem_engine::{ErrorClass, RemoteError, System};

use crate::id::IdError;

/// One error that Salesforce reported: its code, message and the fields it named.
///
/// REST calls report errors as a JSON array of `{"errorCode","message","fields"}`, while
/// per-record results of sObject Collections use `statusCode` for the code. Both end up here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorDetail {
    /// Salesforce's code, such as `REQUIRED_FIELD_MISSING` or `UNABLE_TO_LOCK_ROW`.
    pub code: String,
    pub message: String,
    /// Fields that Salesforce named as the cause, often none.
    pub fields: Vec<String>,
}

/// An error returned by [`crate::SalesforceClient`] or [`crate::SalesforcePort`].
///
/// No variant contains the client secret or an access token.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An invalid client configuration. The message names the setting and the fix.
    #[error("invalid Salesforce configuration: {message}")]
    Config { message: String },

    /// The OAuth token endpoint rejected the login (`invalid_client`, `invalid_grant`, ...).
    #[error(
        "Salesforce login failed with HTTP {status} {code}: {description}; check the client ID, \
         the client secret and the login URL (the client credentials flow needs the org's My \
         Domain URL)"
    )]
    OAuth {
        status: u16,
        code: String,
        description: String,
    },

    /// Salesforce rejected the whole request with an error array.
    #[error("Salesforce rejected the request with HTTP {status}: {}", describe(.errors))]
    Api {
        status: u16,
        errors: Vec<ErrorDetail>,
    },

    /// Salesforce rejected one record of an sObject Collections call.
    #[error("Salesforce rejected the record: {}", describe(.errors))]
    Record { errors: Vec<ErrorDetail> },

    /// An upsert matched several records by external ID (HTTP 300), so nothing was written.
    #[error(
        "the external ID value matches {} records ({}); make it unique before writing",
        .ids.len(),
        .ids.join(", ")
    )]
    MultipleChoices {
        /// Ids of the matching records, taken from the URLs that Salesforce listed.
        ids: Vec<String>,
    },

    /// An HTTP error status with a body that is not an error array.
    #[error("Salesforce returned HTTP {status}: {body}")]
    Http {
        status: u16,
        /// The start of the response body, for diagnosis.
        body: String,
    },

    /// The request or the response did not complete within the configured timeout.
    #[error("Salesforce request timed out: {source}")]
    Timeout {
        #[source]
        source: reqwest::Error,
    },

    /// The connection to Salesforce failed before a complete response arrived.
    #[error("Salesforce request failed: {source}")]
    Connection {
        #[source]
        source: reqwest::Error,
    },

    /// A response body that does not have the documented shape.
    #[error("invalid response from Salesforce: {message}")]
    InvalidResponse { message: String },

    /// The caller's input cannot be sent: a bad sObject or field name, or a body that names a
    /// field the request sets itself.
    #[error("invalid Salesforce request: {message}")]
    InvalidRequest { message: String },

    /// A value is not a Salesforce record Id.
    #[error(transparent)]
    InvalidId(#[from] IdError),
}

impl Error {
    /// Returns what the engine should do about this error: retry it later, fix the record's
    /// data, or fix the configuration.
    ///
    /// An error array is classified by its first error, and HTTP 5xx is always transient.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Config { .. } | Error::OAuth { .. } | Error::InvalidRequest { .. } => {
                ErrorClass::Config
            }
            Error::Api { status, errors } => classify_api(*status, errors),
            Error::Record { errors } => errors
                .first()
                .and_then(classify_code)
                .unwrap_or(ErrorClass::Data),
            Error::MultipleChoices { .. } | Error::InvalidId(_) => ErrorClass::Data,
            Error::Http { status, .. } => classify_http_status(*status),
            Error::Timeout { .. } | Error::Connection { .. } => ErrorClass::Transient,
            // A body of the wrong shape usually means the URL reaches something other than the
            // Salesforce API, which retrying does not fix.
            Error::InvalidResponse { .. } => ErrorClass::Config,
        }
    }

    /// Returns the Salesforce error code, or Tandem's code for errors that have none
    /// (`TIMEOUT`, `CONNECTION_FAILED`, `INVALID_RESPONSE`, ...).
    pub fn code(&self) -> String {
        match self {
            Error::Config { .. } => "INVALID_CONFIGURATION".into(),
            Error::OAuth { code, .. } => code.clone(),
            Error::Api { errors, .. } | Error::Record { errors } => errors
                .first()
                .map_or_else(|| "UNKNOWN_ERROR".into(), |error| error.code.clone()),
            Error::MultipleChoices { .. } => "MULTIPLE_CHOICES".into(),
            Error::Http { status, .. } => format!("HTTP_{status}"),
            Error::Timeout { .. } => "TIMEOUT".into(),
            Error::Connection { .. } => "CONNECTION_FAILED".into(),
            Error::InvalidResponse { .. } => "INVALID_RESPONSE".into(),
            Error::InvalidRequest { .. } => "INVALID_REQUEST".into(),
            Error::InvalidId(_) => "MALFORMED_ID".into(),
        }
    }

    /// Returns true when Salesforce rejected the session token, so that a new login may help.
    pub(crate) fn is_invalid_session(&self) -> bool {
        matches!(self, Error::Api { status: 401, errors }
            if errors.iter().any(|error| error.code == "INVALID_SESSION_ID"))
    }

    /// Returns the fields named by the error array, without repeats.
    fn fields(&self) -> Vec<String> {
        let mut fields: Vec<String> = Vec::new();
        if let Error::Api { errors, .. } | Error::Record { errors } = self {
            for field in errors.iter().flat_map(|error| &error.fields) {
                if !fields.contains(field) {
                    fields.push(field.clone());
                }
            }
        }
        fields
    }

    /// Returns the message without the code, since [`RemoteError`] keeps the code apart.
    fn message(&self) -> String {
        match self {
            Error::Api { errors, .. } | Error::Record { errors } if !errors.is_empty() => errors
                .iter()
                .map(|error| error.message.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            Error::OAuth { description, .. } => format!("login failed: {description}"),
            other => other.to_string(),
        }
    }
}

impl From<Error> for RemoteError {
    fn from(error: Error) -> RemoteError {
        RemoteError {
            system: System::Salesforce,
            code: error.code(),
            message: error.message(),
            fields: error.fields(),
            class: error.class(),
        }
    }
}

/// Classifies a whole-request error array: HTTP 5xx first, then the first error's code, then
/// the status.
fn classify_api(status: u16, errors: &[ErrorDetail]) -> ErrorClass {
    if status >= 500 {
        return ErrorClass::Transient;
    }
    if let Some(class) = errors.first().and_then(classify_code) {
        return class;
    }
    match status {
        401 | 403 => ErrorClass::Config,
        _ => ErrorClass::Data,
    }
}

fn classify_http_status(status: u16) -> ErrorClass {
    match status {
        429 | 500.. => ErrorClass::Transient,
        _ => ErrorClass::Config,
    }
}

/// Classifies the codes whose meaning does not depend on the HTTP status, or returns `None`.
fn classify_code(error: &ErrorDetail) -> Option<ErrorClass> {
    let class = match error.code.as_str() {
        "UNABLE_TO_LOCK_ROW" | "SERVER_UNAVAILABLE" => ErrorClass::Transient,
        // The query cursor expired, and running the query again from the start succeeds.
        "INVALID_QUERY_LOCATOR" => ErrorClass::Transient,
        // "ConcurrentRequests" clears once other long-running requests finish. "TotalRequests"
        // is the rolling daily allowance, which retrying cannot restore, so it and any unknown
        // variant stop the flow.
        "REQUEST_LIMIT_EXCEEDED" if error.message.contains("ConcurrentRequests") => {
            ErrorClass::Transient
        }
        "REQUEST_LIMIT_EXCEEDED" => ErrorClass::Config,
        "INVALID_FIELD"
        | "INVALID_TYPE"
        | "MALFORMED_QUERY"
        | "INVALID_SESSION_ID"
        | "INVALID_FIELD_FOR_INSERT_UPDATE"
        | "JSON_PARSER_ERROR" => ErrorClass::Config,
        code if code.starts_with("INSUFFICIENT_ACCESS") => ErrorClass::Config,
        "NOT_FOUND" if is_missing_external_id_field(error) => ErrorClass::Config,
        "REQUIRED_FIELD_MISSING"
        | "STRING_TOO_LONG"
        | "DUPLICATE_VALUE"
        | "INVALID_CROSS_REFERENCE_KEY"
        | "FIELD_CUSTOM_VALIDATION_EXCEPTION"
        | "MALFORMED_ID" => ErrorClass::Data,
        _ => return None,
    };
    Some(class)
}

/// Returns true for the `NOT_FOUND` that an upsert gets when the external ID field in its URL
/// does not exist or is not visible, as opposed to a missing record.
pub(crate) fn is_missing_external_id_field(error: &ErrorDetail) -> bool {
    error.code == "NOT_FOUND" && error.message.contains("external ID field")
}

fn describe(errors: &[ErrorDetail]) -> String {
    if errors.is_empty() {
        return "no error details".into();
    }
    let described: Vec<String> = errors
        .iter()
        .map(|error| {
            let mut text = format!("{} {}", error.code, error.message);
            if !error.fields.is_empty() {
                text.push_str(&format!(" (fields: {})", error.fields.join(", ")));
            }
            text
        })
        .collect();
    described.join("; ")
}

/// One element of a REST error array, `{"errorCode","message","fields"}`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ApiErrorWire {
    error_code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    fields: Vec<String>,
}

impl From<ApiErrorWire> for ErrorDetail {
    fn from(wire: ApiErrorWire) -> ErrorDetail {
        ErrorDetail {
            code: wire.error_code,
            message: wire.message,
            fields: wire.fields,
        }
    }
}

/// One element of a per-record `errors` array in sObject Collections results, which names the
/// code `statusCode`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RecordErrorWire {
    status_code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    fields: Vec<String>,
}

impl From<RecordErrorWire> for ErrorDetail {
    fn from(wire: RecordErrorWire) -> ErrorDetail {
        ErrorDetail {
            code: wire.status_code,
            message: wire.message,
            fields: wire.fields,
        }
    }
}

/// The body of an OAuth error, `{"error","error_description"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct OAuthErrorWire {
    pub(crate) error: String,
    #[serde(default)]
    pub(crate) error_description: String,
}

/// Parses a REST error array, or returns `None` when the body is not one.
pub(crate) fn parse_error_array(body: &[u8]) -> Option<Vec<ErrorDetail>> {
    let wire: Vec<ApiErrorWire> = serde_json::from_slice(body).ok()?;
    Some(wire.into_iter().map(ErrorDetail::from).collect())
}

/// Builds the error for an unexpected HTTP status: the error array when the body is one, the
/// start of the body otherwise.
pub(crate) fn error_from_status(status: u16, body: &[u8]) -> Error {
    match parse_error_array(body) {
        Some(errors) => Error::Api { status, errors },
        None => Error::Http {
            status,
            body: body_snippet(body),
        },
    }
}

/// Returns at most the first 300 characters of a body, as lossy UTF-8.
pub(crate) fn body_snippet(body: &[u8]) -> String {
    const MAX_CHARS: usize = 300;
    let text = String::from_utf8_lossy(body);
    let mut snippet: String = text.chars().take(MAX_CHARS).collect();
    if text.chars().count() > MAX_CHARS {
        snippet.push_str("...");
    }
    snippet
}

#[cfg(test)]
mod tests;
