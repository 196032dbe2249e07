//! Errors that the remote systems return, classified by what the engine should do about them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::record::System;

/// What the engine does with a failed call or a refused record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorClass {
    /// Worth retrying later as it is: timeouts, concurrency limits, locked rows, HTTP 5xx.
    Transient,
    /// The record's data is wrong for the target; it becomes a dead letter until someone fixes it.
    Data,
    /// Credentials, permissions, endpoints or mappings are wrong; no record can succeed until the
    /// configuration is fixed.
    Config,
    /// The system's API allowance (or the share Tandem may use) is spent; the flow stops and
    /// resumes on a later pass, because retrying within minutes would only spend more of it.
    Budget,
}

impl ErrorClass {
    /// Returns the name stored with dead letters (`transient`, `data`, `config`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Transient => "transient",
            ErrorClass::Data => "data",
            ErrorClass::Config => "config",
            ErrorClass::Budget => "budget",
        }
    }
}

/// An error from NetSuite or Salesforce, or from reaching them.
///
/// `code` keeps the remote system's own code (`WS_REQUEST_BLOCKED`, `INVALID_KEY_OR_REF`,
/// `STRING_TOO_LONG`, `INVALID_SESSION_ID`). Errors that happen before an answer arrives use
/// Tandem's codes: `TIMEOUT`, `CONNECTION_FAILED`, `INVALID_RESPONSE`. The message never contains
/// a secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub struct RemoteError {
    pub system: System,
    pub code: String,
    pub message: String,
    /// Fields the remote system named as the cause, if it named any.
    pub fields: Vec<String>,
    pub class: ErrorClass,
}

impl RemoteError {
    /// Builds an error with no field names.
    pub fn new(
        system: System,
        class: ErrorClass,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> RemoteError {
        RemoteError {
            system,
            code: code.into(),
            message: message.into(),
            fields: Vec::new(),
            class,
        }
    }

    /// Returns true when retrying the same request later may succeed.
    pub fn is_transient(&self) -> bool {
        self.class == ErrorClass::Transient
    }

    /// Returns true when the request may have taken effect although it failed: no readable
    /// response came back (`TIMEOUT`, `CONNECTION_FAILED`, `INVALID_RESPONSE`), so a write may
    /// have been committed before the response was lost.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self.code.as_str(),
            "TIMEOUT" | "CONNECTION_FAILED" | "INVALID_RESPONSE"
        )
    }
}

impl fmt::Display for RemoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}: {}", self.system, self.code, self.message)?;
        if !self.fields.is_empty() {
            write!(f, " (fields: {})", self.fields.join(", "))?;
        }
        Ok(())
    }
}
