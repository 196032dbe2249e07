//! What each error takes to get past: a retry, API budget, a data fix or a configuration fix.

use tandem_engine::ErrorClass;

use super::{Error, ErrorDetail, is_missing_external_id_field};

/// What it takes to get past an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Remedy {
    /// Retrying the same request later may succeed: a locked row, an unavailable server, HTTP
    /// 503, a timeout, the concurrent long-request limit, a sibling's rollback.
    RetryLater,
    /// The org's rolling 24-hour API allowance is used up (`REQUEST_LIMIT_EXCEEDED` with
    /// `TotalRequests`, or Tandem's own reserve). Retrying within minutes cannot help.
    WaitForBudget,
    /// The record's data is wrong for the org: a missing required field, a duplicate, a bad
    /// reference, a validation rule. The record waits until someone changes it.
    FixData,
    /// Credentials, permissions, field names or settings are wrong, so no record can succeed.
    FixConfig,
}

impl Remedy {
    /// Returns the engine's class for this remedy.
    pub fn class(self) -> ErrorClass {
        match self {
            Remedy::RetryLater => ErrorClass::Transient,
            Remedy::FixData => ErrorClass::Data,
            Remedy::WaitForBudget => ErrorClass::Budget,
            Remedy::FixConfig => ErrorClass::Config,
        }
    }
}

/// Returns the remedy of `error`. An error array is judged by its first error, and HTTP 5xx
/// always means a later retry.
pub(super) fn remedy(error: &Error) -> Remedy {
    match error {
        Error::Config { .. } | Error::OAuth { .. } | Error::InvalidRequest { .. } => {
            Remedy::FixConfig
        }
        Error::Api { status, errors } => remedy_of_api(*status, errors),
        Error::Record { errors } => errors
            .first()
            .and_then(remedy_of_code)
            .unwrap_or(Remedy::FixData),
        Error::MultipleChoices { .. } | Error::InvalidId(_) => Remedy::FixData,
        Error::Http { status, .. } => remedy_of_status(*status),
        Error::Timeout { .. } | Error::Connection { .. } => Remedy::RetryLater,
        // A body of the wrong shape usually means the URL reaches something other than the
        // Salesforce API, which retrying does not fix.
        Error::InvalidResponse { .. } => Remedy::FixConfig,
        Error::BudgetExhausted { .. } => Remedy::WaitForBudget,
        Error::BulkJob { state, .. } => match state.as_str() {
            // The job was refused as a whole (an unknown column, a bad external ID field).
            "Failed" => Remedy::FixConfig,
            _ => Remedy::RetryLater,
        },
    }
}

fn remedy_of_api(status: u16, errors: &[ErrorDetail]) -> Remedy {
    if status >= 500 {
        return Remedy::RetryLater;
    }
    if let Some(remedy) = errors.first().and_then(remedy_of_code) {
        return remedy;
    }
    match status {
        401 | 403 => Remedy::FixConfig,
        _ => Remedy::FixData,
    }
}

fn remedy_of_status(status: u16) -> Remedy {
    match status {
        429 | 500.. => Remedy::RetryLater,
        _ => Remedy::FixConfig,
    }
}

/// Classifies the codes whose meaning does not depend on the HTTP status, or returns `None`.
fn remedy_of_code(error: &ErrorDetail) -> Option<Remedy> {
    let code = error.code.as_str();
    if code == "REQUEST_LIMIT_EXCEEDED" {
        // "ConcurrentRequests" clears once other long-running requests finish. "TotalRequests"
        // is the rolling daily allowance, and any other variant is treated like it.
        return Some(match error.message.contains("ConcurrentRequests") {
            true => Remedy::RetryLater,
            false => Remedy::WaitForBudget,
        });
    }
    if code == "NOT_FOUND" && is_missing_external_id_field(error) {
        return Some(Remedy::FixConfig);
    }
    if code.starts_with("INSUFFICIENT_ACCESS") {
        return Some(Remedy::FixConfig);
    }
    if RETRY_LATER_CODES.contains(&code) {
        Some(Remedy::RetryLater)
    } else if FIX_CONFIG_CODES.contains(&code) {
        Some(Remedy::FixConfig)
    } else if FIX_DATA_CODES.contains(&code) {
        Some(Remedy::FixData)
    } else {
        None
    }
}

/// Codes that a later retry of the same request can get past.
const RETRY_LATER_CODES: &[&str] = &[
    "UNABLE_TO_LOCK_ROW",
    "SERVER_UNAVAILABLE",
    // The query cursor expired, and running the query again from the start succeeds.
    "INVALID_QUERY_LOCATOR",
    // An allOrNone sibling failed, so this record was rolled back without a fault of its own.
    "PROCESSING_HALTED",
    "QUERY_TIMEOUT",
    // Tandem's code for rows a Bulk API job never reached.
    crate::api::batch::UNPROCESSED_CODE,
];

/// Codes that name a setting, a field, a permission or a bug in the request.
const FIX_CONFIG_CODES: &[&str] = &[
    "INVALID_FIELD",
    "INVALID_TYPE",
    "MALFORMED_QUERY",
    "INVALID_SESSION_ID",
    "INVALID_AUTH_HEADER",
    "INVALID_FIELD_FOR_INSERT_UPDATE",
    "JSON_PARSER_ERROR",
    "API_DISABLED_FOR_ORG",
    "API_CURRENTLY_DISABLED",
    "FUNCTIONALITY_NOT_ENABLED",
    "METHOD_NOT_ALLOWED",
    "INVALID_OPERATION_WITH_EXPIRED_PASSWORD",
];

/// Codes that name something wrong with the record's values.
const FIX_DATA_CODES: &[&str] = &[
    "REQUIRED_FIELD_MISSING",
    "STRING_TOO_LONG",
    "DUPLICATE_VALUE",
    "DUPLICATES_DETECTED",
    "INVALID_CROSS_REFERENCE_KEY",
    "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    "FIELD_INTEGRITY_EXCEPTION",
    "DUPLICATE_EXTERNAL_ID",
    "MALFORMED_ID",
    "ENTITY_IS_LOCKED",
    "ENTITY_IS_DELETED",
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    "INVALID_EMAIL_ADDRESS",
    "NUMBER_OUTSIDE_VALID_RANGE",
    "INVALID_TYPE_ON_FIELD_IN_RECORD",
    "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
    "NOT_FOUND",
];

/// Returns what to check after a rejected login with `flow`.
pub(super) fn login_hint(flow: &str) -> &'static str {
    match flow {
        "jwt_bearer" => {
            "check the consumer key, the username, that the user is pre-approved for the \
             connected app, that the app holds the certificate of this private key, and the \
             audience (https://test.salesforce.com for a sandbox org)"
        }
        "refresh_token" => {
            "the refresh token may be expired or revoked: authorize the app again for a new one"
        }
        "password" => {
            "check the username, the password with the security token appended, and the client \
             ID and secret"
        }
        _ => {
            "check the client ID, the client secret and the login URL (the client credentials \
             flow needs the org's My Domain URL)"
        }
    }
}
