//! Controls for tests and benchmarks: latency and faults injected into API requests, with
//! the [`SalesforceEmulator`] methods that set them.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;

/// A failure the emulator returns for an API request instead of handling it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Fault {
    /// 400 `UNABLE_TO_LOCK_ROW`, as when another transaction holds the record's lock.
    UnableToLockRow,
    /// 503 with `SERVER_UNAVAILABLE`, as during maintenance or an overload.
    ServiceUnavailable,
    /// 403 `REQUEST_LIMIT_EXCEEDED` for too many concurrent long-running requests.
    ConcurrentRequestLimit,
    /// 401 `INVALID_SESSION_ID`; every access token is invalidated too, as a revoked
    /// session does.
    ExpiredSession,
    /// The request is handled and committed, then the response waits `delay_ms`
    /// milliseconds, so a client with a shorter timeout gives up on a write that happened.
    SlowSuccess {
        /// Milliseconds between the commit and the response.
        delay_ms: u64,
    },
}

impl Fault {
    /// Returns the response Salesforce sends for this failure. Not used for
    /// [`Fault::SlowSuccess`], which returns the normal response.
    pub(crate) fn response(self) -> Response {
        let error = match self {
            Fault::UnableToLockRow => ApiError::bad_request(
                "UNABLE_TO_LOCK_ROW",
                "unable to obtain exclusive access to this record or 1 records",
            ),
            Fault::ConcurrentRequestLimit => ApiError::new(
                403,
                "REQUEST_LIMIT_EXCEEDED",
                "ConcurrentRequests (Concurrent API Requests) Limit exceeded.",
            ),
            Fault::ExpiredSession => ApiError::invalid_session(),
            // NOTE: the body of Salesforce's 503 is not taken from a recorded response.
            Fault::ServiceUnavailable | Fault::SlowSuccess { .. } => {
                ApiError::new(503, "SERVER_UNAVAILABLE", "Service temporarily unavailable")
            }
        };
        let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json([error.rest_entry()])).into_response()
    }
}

/// An injected fault: which requests it hits and how many times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FaultRule {
    /// The failure to return.
    pub fault: Fault,
    /// Start of the route names it hits, as [`SalesforceEmulator::request_counts`] names
    /// them (`PATCH /sobjects/Account`, `GET /query`); `None` hits every API request.
    #[serde(default)]
    pub route: Option<String>,
    /// How many matching requests fail; 0 counts as 1.
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

/// Latency and pending faults of the org.
#[derive(Debug, Default)]
pub(crate) struct Controls {
    /// Wait added before every API request is handled.
    pub latency: Duration,
    faults: Vec<FaultRule>,
}

impl Controls {
    /// Takes one use of the first rule that matches `route`, removing used-up rules.
    pub fn take_fault(&mut self, route: &str) -> Option<Fault> {
        let index = self.faults.iter().position(|rule| {
            rule.route
                .as_deref()
                .is_none_or(|prefix| route.starts_with(prefix))
        })?;
        let rule = &mut self.faults[index];
        let fault = rule.fault;
        rule.count = rule.count.saturating_sub(1);
        if rule.count == 0 {
            self.faults.remove(index);
        }
        Some(fault)
    }

    /// Adds a rule after the ones already pending.
    pub fn add(&mut self, mut rule: FaultRule) {
        rule.count = rule.count.max(1);
        self.faults.push(rule);
    }

    /// Removes every pending rule.
    pub fn clear(&mut self) {
        self.faults.clear();
    }

    /// Returns the pending rules in the order they apply.
    pub fn pending(&self) -> Vec<FaultRule> {
        self.faults.clone()
    }
}

impl SalesforceEmulator {
    /// Makes the next `rule.count` API requests whose route starts with `rule.route` fail
    /// with `rule.fault`. Rules apply in the order they were added, and a failed request
    /// still counts against the daily allocation.
    pub fn inject_fault(&self, rule: FaultRule) {
        tracing::debug!(fault = ?rule.fault, route = ?rule.route, count = rule.count, "fault injected");
        self.org().controls.add(rule);
    }

    /// Removes every fault that has not happened yet.
    pub fn clear_faults(&self) {
        self.org().controls.clear();
    }

    /// Returns the faults that have not happened yet, in the order they apply.
    pub fn pending_faults(&self) -> Vec<FaultRule> {
        self.org().controls.pending()
    }

    /// Adds `latency` before every API request below `/services/data/vNN.N` is handled
    /// (none unless set).
    pub fn set_latency(&self, latency: Duration) {
        self.org().controls.latency = latency;
    }

    /// Forgets the counts [`SalesforceEmulator::request_counts`] returns; the daily API
    /// allocation is not reset.
    pub fn reset_request_counts(&self) {
        self.org().request_counts = BTreeMap::new();
    }

    /// Returns the API requests counted in the last 24 hours and the daily allocation.
    pub fn api_usage(&self) -> (u64, u64) {
        let org = self.org();
        (org.usage.used(chrono::Utc::now()), org.usage.limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn take_fault_matches_route_prefix_and_counts_down() {
        let mut controls = Controls::default();
        controls.add(FaultRule {
            fault: Fault::UnableToLockRow,
            route: Some("PATCH /sobjects/Account".into()),
            count: 2,
        });
        assert_eq!(controls.take_fault("GET /query"), None);
        let route = "PATCH /sobjects/Account/{id}";
        assert_eq!(controls.take_fault(route), Some(Fault::UnableToLockRow));
        assert_eq!(controls.take_fault(route), Some(Fault::UnableToLockRow));
        assert_eq!(controls.take_fault(route), None);
    }

    #[test]
    fn fault_rule_reads_json_with_defaults() {
        let rule: FaultRule =
            serde_json::from_str(r#"{"fault":{"kind":"SERVICE_UNAVAILABLE"}}"#).unwrap();
        assert_eq!(rule.fault, Fault::ServiceUnavailable);
        assert_eq!(rule.route, None);
        assert_eq!(rule.count, 1);
        let slow: Fault = serde_json::from_str(r#"{"kind":"SLOW_SUCCESS","delay_ms":50}"#).unwrap();
        assert_eq!(slow, Fault::SlowSuccess { delay_ms: 50 });
    }

    #[test]
    fn unable_to_lock_row_response_is_error_array() {
        let response = Fault::UnableToLockRow.response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
}
