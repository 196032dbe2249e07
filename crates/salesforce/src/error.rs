//! Errors of the Salesforce client and how the engine should treat them.

mod classify;

use std::sync::Arc;

use serde::Deserialize;
use tandem_engine::{ErrorClass, RemoteError, System};

pub use classify::Remedy;

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
/// No variant contains the client secret or an access token. Errors are `Clone` so that a
/// failed sObject Collections call can give its error to each of its records.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// An invalid client configuration. The message names the setting and the fix.
    #[error("invalid Salesforce configuration: {message}")]
    Config { message: String },

    /// The OAuth token endpoint rejected the login (`invalid_client`, `invalid_grant`, ...).
    #[error(
        "Salesforce {flow} login failed with HTTP {status} {code}: {description}; {}",
        classify::login_hint(flow)
    )]
    OAuth {
        /// The flow that was tried, as [`crate::Login::flow_name`] names it.
        flow: &'static str,
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
        source: Arc<reqwest::Error>,
    },

    /// The connection to Salesforce failed before a complete response arrived.
    #[error("Salesforce request failed: {source}")]
    Connection {
        #[source]
        source: Arc<reqwest::Error>,
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

    /// The org's daily API requests, as the latest `Sforce-Limit-Info` reported them, reached
    /// the share left to other integrations, so the call was not sent.
    #[error(
        "Salesforce API budget reached: {used} of {max} daily requests used, and {reserve_percent}% \
         are kept for other integrations; the next pass can go on once the rolling 24-hour \
         usage drops"
    )]
    BudgetExhausted {
        used: u64,
        max: u64,
        reserve_percent: u8,
    },

    /// A Bulk API 2.0 job ended as `Failed` or `Aborted`, or did not finish in time.
    #[error("Salesforce Bulk API job {job_id} {state}: {message}")]
    BulkJob {
        job_id: String,
        /// The job's last state (`Failed`, `Aborted`, or the state it was in when polling
        /// stopped).
        state: String,
        message: String,
    },
}

impl Error {
    /// Returns what it takes to get past this error: a later retry, API budget, a fix to the
    /// record's data, or a fix to the configuration.
    pub fn remedy(&self) -> Remedy {
        classify::remedy(self)
    }

    /// Returns the engine's class of this error: retry it later, fix the record's data, or fix
    /// the configuration. See [`Remedy::class`] for the mapping.
    pub fn class(&self) -> ErrorClass {
        self.remedy().class()
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
            Error::BudgetExhausted { .. } => "API_BUDGET_EXHAUSTED".into(),
            Error::BulkJob { .. } => "BULK_JOB_FAILED".into(),
        }
    }

    /// Returns the errors Salesforce reported, empty for errors that did not come from an
    /// error array or a record result.
    pub fn details(&self) -> &[ErrorDetail] {
        match self {
            Error::Api { errors, .. } | Error::Record { errors } => errors,
            _ => &[],
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
