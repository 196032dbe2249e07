//! Errors of the NetSuite client, with NetSuite's own codes kept and a classification the
//! engine acts on.

use std::fmt;
use std::time::Duration;

use tandem_engine::{ErrorClass, RemoteError, System};

use crate::operations::{StatusDetail, StatusDetailType};

/// A SOAP fault: NetSuite rejected the whole request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    /// HTTP status of the response; NetSuite sends faults with 500.
    pub http_status: u16,
    /// The SOAP `faultcode`, usually `soapenv:Server.userException`.
    pub faultcode: String,
    /// The SOAP `faultstring`, a human-readable summary such as "Invalid login attempt.".
    pub faultstring: String,
    /// The name of the element under `detail`, such as `invalidCredentialsFault` or
    /// `exceededConcurrentRequestLimitFault`. `None` for schema errors, which carry no
    /// NetSuite detail.
    pub detail_name: Option<String>,
    /// The detail's `code`, such as `WS_REQUEST_BLOCKED`.
    pub code: Option<String>,
    /// The detail's `message`.
    pub message: Option<String>,
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.detail_name.as_deref().unwrap_or(&self.faultcode);
        write!(f, "{name}")?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        let message = self.message.as_deref().unwrap_or(&self.faultstring);
        write!(f, ": {message} (HTTP {})", self.http_status)
    }
}

/// Everything that can go wrong between building a request and reading its response.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// NetSuite returned a SOAP fault.
    #[error("NetSuite fault {0}")]
    Fault(Box<Fault>),
    /// NetSuite rejected one record (`isSuccess="false"` in a read or write response).
    #[error("NetSuite rejected the record in {operation}: {}", DetailList(.details))]
    Record {
        /// The operation name (`add`, `get`).
        operation: &'static str,
        /// NetSuite's status details, errors first as NetSuite sent them.
        details: Vec<StatusDetail>,
    },
    /// One page of a search failed (`isSuccess="false"` in a search result).
    #[error("NetSuite search page {page_index} failed: {}", DetailList(.details))]
    SearchPage {
        /// 1-based index of the page that failed.
        page_index: u32,
        /// NetSuite's status details for the page.
        details: Vec<StatusDetail>,
    },
    /// NetSuite, or a proxy in front of it, returned an HTTP error status and a body that is
    /// not a SOAP envelope.
    #[error("NetSuite returned HTTP {status} without a SOAP body{}", http_hint(*.status))]
    Http {
        /// The HTTP status code.
        status: u16,
    },
    /// No complete response arrived within the configured timeout.
    #[error("NetSuite request timed out after {} s", .timeout.as_secs_f64())]
    Timeout {
        /// The configured timeout that passed.
        timeout: Duration,
    },
    /// The connection could not be opened, or it broke before a response arrived.
    #[error("connection to NetSuite failed: {0}")]
    Connection(#[source] reqwest::Error),
    /// The response could not be read: what was expected and what was found.
    #[error("invalid NetSuite response: {0}")]
    InvalidResponse(String),
    /// A value cannot be sent as the field it is meant for.
    #[error("invalid value for NetSuite field {field}: {message}")]
    InvalidValue {
        /// Field name or custom field script ID, followed by the attribute of a reference
        /// where the value is one (`subsidiary.internalId`).
        field: String,
        /// The reason the value cannot be sent.
        message: String,
    },
    /// The configuration or a mapping is wrong: an invalid setting, an unsupported record
    /// type or a field the record type does not have.
    #[error("{0}")]
    Config(String),
}

impl Error {
    /// Classifies the error: transient errors may succeed when retried as they are, data
    /// errors need the record fixed, config errors need the configuration fixed.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Fault(fault) => fault_class(fault),
            Error::Record { details, .. } | Error::SearchPage { details, .. } => {
                details_class(details)
            }
            Error::Http { status } => http_class(*status),
            Error::Timeout { .. } | Error::Connection(_) => ErrorClass::Transient,
            // The likely causes of a body that does not parse, a truncated response or a
            // proxy's error page, go away on retry.
            Error::InvalidResponse(_) => ErrorClass::Transient,
            Error::InvalidValue { .. } => ErrorClass::Data,
            Error::Config(_) => ErrorClass::Config,
        }
    }

    /// Returns true for NetSuite's concurrency limit: the faults `WS_REQUEST_BLOCKED` (token
    /// requests) and `WS_CONCUR_SESSION_DISALLWD` (sessions), the other concurrency codes in a
    /// status, and HTTP 429. The scheduler retries these.
    pub fn is_concurrency_limit(&self) -> bool {
        match self {
            Error::Fault(fault) => {
                let name = fault.detail_name.as_deref().unwrap_or("");
                let code = fault.code.as_deref().unwrap_or("");
                let rest_429 =
                    fault.http_status == 429 && fault.faultcode.starts_with(REST_FAULTCODE_PREFIX);
                CONCURRENCY_FAULTS.contains(&name) || CONCURRENCY_CODES.contains(&code) || rest_429
            }
            Error::Record { details, .. } | Error::SearchPage { details, .. } => {
                primary_detail(details)
                    .is_some_and(|detail| CONCURRENCY_CODES.contains(&detail.code.as_str()))
            }
            Error::Http { status } => *status == 429,
            _ => false,
        }
    }

    /// Returns true for errors about one record (rejected by NetSuite, or with a value that
    /// cannot be sent), after which other records of the same call can still succeed.
    pub fn is_record_level(&self) -> bool {
        matches!(self, Error::Record { .. } | Error::InvalidValue { .. })
    }

    /// Returns NetSuite's code for the error, or this client's code when NetSuite gave none
    /// (`TIMEOUT`, `CONNECTION_FAILED`, `INVALID_RESPONSE`, `HTTP_503`...).
    pub fn code(&self) -> String {
        match self {
            Error::Fault(fault) => fault
                .code
                .clone()
                .or_else(|| fault.detail_name.clone())
                .unwrap_or_else(|| fault.faultcode.clone()),
            Error::Record { details, .. } | Error::SearchPage { details, .. } => {
                primary_detail(details)
                    .map(|detail| detail.code.clone())
                    .unwrap_or_else(|| "UNKNOWN_ERROR".to_string())
            }
            Error::Http { status } => format!("HTTP_{status}"),
            Error::Timeout { .. } => "TIMEOUT".to_string(),
            Error::Connection(_) => "CONNECTION_FAILED".to_string(),
            Error::InvalidResponse(_) => "INVALID_RESPONSE".to_string(),
            Error::InvalidValue { .. } => "INVALID_VALUE".to_string(),
            Error::Config(_) => "INVALID_CONFIG".to_string(),
        }
    }

    /// Returns NetSuite's message for the error, or a description when NetSuite gave none.
    pub fn message(&self) -> String {
        match self {
            Error::Fault(fault) => fault
                .message
                .clone()
                .unwrap_or_else(|| fault.faultstring.clone()),
            Error::Record { details, .. } => messages_of(details),
            Error::SearchPage {
                page_index,
                details,
            } => format!("page {page_index}: {}", messages_of(details)),
            other => other.to_string(),
        }
    }
}

/// Keeps NetSuite's code and message, and the classification of [`Error::class`].
impl From<Error> for RemoteError {
    fn from(error: Error) -> RemoteError {
        RemoteError::new(
            System::NetSuite,
            error.class(),
            error.code(),
            error.message(),
        )
    }
}

/// The start of the `faultcode` of a REST error response that rejects a whole request
/// (`rest.429`); the rest is the HTTP status.
pub(crate) const REST_FAULTCODE_PREFIX: &str = "rest.";

/// Codes of NetSuite's concurrency limit.
const CONCURRENCY_CODES: &[&str] = &[
    "WS_REQUEST_BLOCKED",
    "WS_CONCUR_SESSION_DISALLWD",
    "WS_EXCEEDED_CONCUR_USERS_ALLWD",
    "EXCEEDED_MAX_CONCUR_RQST",
    "CONCURRENCY_LIMIT_EXCEEDED",
];

/// Fault elements of NetSuite's concurrency limit.
const CONCURRENCY_FAULTS: &[&str] = &[
    "exceededConcurrentRequestLimitFault",
    "exceededRequestLimitFault",
];

/// Codes after which the same request can succeed later: concurrency limits, a busy or
/// failing server, a heavy search, an optimistic lock, or an expired search ID.
const TRANSIENT_CODES: &[&str] = &[
    "WS_REQUEST_BLOCKED",
    "WS_CONCUR_SESSION_DISALLWD",
    "WS_EXCEEDED_CONCUR_USERS_ALLWD",
    "CONCURRENCY_LIMIT_EXCEEDED",
    "ACCT_TEMP_UNAVAILABLE",
    "UNEXPECTED_ERROR",
    "SEARCH_TIMED_OUT",
    "ABORT_SEARCH_EXCEEDED_MAX_TIME",
    "RCRD_HAS_BEEN_CHANGED",
    "INVALID_JOB_ID",
];

/// Codes that no record can get past until credentials, roles, permissions or the endpoint
/// version are fixed.
const CONFIG_CODES: &[&str] = &[
    "INSUFFICIENT_PERMISSION",
    "UNSUPPORTED_WS_VERSION",
    "INVALID_WS_VERSION",
    "INVALID_ACCT",
    "INVALID_SIGNATURE",
    "INVALID_ROLE",
    "ROLE_REQUIRED",
    "LOGIN_DISABLED",
    "INVALID_SESSION",
    "SESSION_TIMED_OUT",
    "WS_FEATURE_REQD",
    "WS_PERMISSION_REQD",
    "WS_LOG_IN_REQD",
    "OI_FEATURE_REQD",
    "OI_PERMISSION_REQD",
];

/// Fault elements that mean "retry later".
const TRANSIENT_FAULTS: &[&str] = &[
    "exceededConcurrentRequestLimitFault",
    "exceededRequestLimitFault",
    "exceededUsageLimitFault",
    "unexpectedErrorFault",
];

/// Fault elements that mean "fix the configuration".
const CONFIG_FAULTS: &[&str] = &[
    "invalidCredentialsFault",
    "invalidAccountFault",
    "invalidVersionFault",
    "invalidSessionFault",
    "insufficientPermissionFault",
];

/// Fault elements for a request that is too large. Sending the same request again fails the
/// same way, so they are data errors although their names start with `exceeded`.
const TOO_LARGE_FAULTS: &[&str] = &["exceededRecordCountFault", "exceededRequestSizeFault"];

fn code_class(code: &str) -> Option<ErrorClass> {
    if TRANSIENT_CODES.contains(&code) || code.starts_with("EXCEEDED_") {
        Some(ErrorClass::Transient)
    } else if CONFIG_CODES.contains(&code) || code.starts_with("INVALID_LOGIN") {
        Some(ErrorClass::Config)
    } else {
        None
    }
}

fn fault_class(fault: &Fault) -> ErrorClass {
    let name = fault.detail_name.as_deref().unwrap_or("");
    if TOO_LARGE_FAULTS.contains(&name) {
        return ErrorClass::Data;
    }
    if let Some(class) = fault.code.as_deref().and_then(code_class) {
        return class;
    }
    if TRANSIENT_FAULTS.contains(&name) {
        return ErrorClass::Transient;
    }
    if CONFIG_FAULTS.contains(&name) || fault.faultstring.starts_with("Invalid login attempt") {
        return ErrorClass::Config;
    }
    // A REST rejection with a code of its own (`INVALID_PARAMETER`) is classified by its
    // HTTP status, because REST returns 429 and 5xx for what can pass on a retry.
    if fault.faultcode.starts_with(REST_FAULTCODE_PREFIX) {
        return http_class(fault.http_status);
    }
    // Any other fault rejects the request as a whole (schema errors such as "addr1 not found
    // on CustomerAddressbook" come from a request that does not fit the endpoint version), so
    // no record gets through until the request is built differently.
    ErrorClass::Config
}

fn details_class(details: &[StatusDetail]) -> ErrorClass {
    primary_detail(details)
        .and_then(|detail| code_class(&detail.code))
        .unwrap_or(ErrorClass::Data)
}

fn http_class(status: u16) -> ErrorClass {
    match status {
        408 | 429 | 500..=599 => ErrorClass::Transient,
        _ => ErrorClass::Config,
    }
}

/// Returns the detail that explains a failure: the first of type ERROR, else the first one.
fn primary_detail(details: &[StatusDetail]) -> Option<&StatusDetail> {
    details
        .iter()
        .find(|detail| detail.detail_type == StatusDetailType::Error)
        .or_else(|| details.first())
}

/// Joins the messages of `details` with `; `, using the code where a message is empty.
fn messages_of(details: &[StatusDetail]) -> String {
    if details.is_empty() {
        return "no status detail".to_string();
    }
    let messages: Vec<&str> = details
        .iter()
        .map(|detail| {
            if detail.message.is_empty() {
                detail.code.as_str()
            } else {
                detail.message.as_str()
            }
        })
        .collect();
    messages.join("; ")
}

/// Formats status details as `CODE: message; CODE: message`.
struct DetailList<'a>(&'a [StatusDetail]);

impl fmt::Display for DetailList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("no status detail");
        }
        for (index, detail) in self.0.iter().enumerate() {
            if index > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", detail.code, detail.message)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;

/// Returns what to check after an HTTP error without a SOAP body: a 404 means the endpoint
/// is not a SOAP endpoint, usually a base URL without its `/services/NetSuitePort_` path.
fn http_hint(status: u16) -> &'static str {
    match status {
        404 => {
            "; check [netsuite] endpoint: it must be the full SOAP URL, ending in \
             /services/NetSuitePort_<version>"
        }
        _ => "",
    }
}
