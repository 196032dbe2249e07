//! Controls for tests and benchmarks: latency and faults injected into API requests, with
//! the [`SalesforceEmulator`] methods that set them.

use std::collections::BTreeMap;
use std::time::Duration;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::record::Values;

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

/// A validation rule, as an administrator defines one in Setup: a save that leaves `field`
/// of an `object` record equal to `equals` fails with `FIELD_CUSTOM_VALIDATION_EXCEPTION` and
/// `message`, shown at the field. It applies to every create and update of the object, by
/// the API or by [`SalesforceEmulator::insert_record`], until it is removed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationRule {
    /// The object's API name, `Account` or `NetSuite_Invoice__c`.
    pub object: String,
    /// The field's API name.
    pub field: String,
    /// The value that fails the rule, compared as JSON (`"Blocked"`, `42`, `true`).
    pub equals: Value,
    /// The error message the rule returns.
    pub message: String,
}

impl ValidationRule {
    /// Returns the error a save of `values` of `object` gets from this rule, if any.
    pub(crate) fn check(&self, object: &str, values: &Values) -> Option<ApiError> {
        let hit = self.object.eq_ignore_ascii_case(object)
            && values.get(&self.field) == Some(&self.equals);
        hit.then(|| {
            ApiError::bad_request("FIELD_CUSTOM_VALIDATION_EXCEPTION", self.message.clone())
                .with_fields(vec![self.field.clone()])
        })
    }
}

/// Latency, pending faults and validation rules of the org.
#[derive(Debug, Default)]
pub(crate) struct Controls {
    /// Wait added before every API request is handled.
    pub latency: Duration,
    faults: Vec<FaultRule>,
    /// Validation rules, checked on every save in the order they were added.
    pub validation_rules: Vec<ValidationRule>,
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

    /// Adds a validation rule; saves that break it fail from now on.
    pub fn add_validation_rule(&self, rule: ValidationRule) {
        tracing::debug!(object = %rule.object, field = %rule.field, "validation rule added");
        self.org().controls.validation_rules.push(rule);
    }

    /// Removes every validation rule.
    pub fn clear_validation_rules(&self) {
        self.org().controls.validation_rules.clear();
    }

    /// Returns the validation rules in force, in the order they are checked.
    pub fn validation_rules(&self) -> Vec<ValidationRule> {
        self.org().controls.validation_rules.clone()
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

    fn blocked_names() -> ValidationRule {
        ValidationRule {
            object: "Account".into(),
            field: "Name".into(),
            equals: Value::from("Blocked"),
            message: "This name is not allowed".into(),
        }
    }

    #[test]
    fn validation_rule_rejects_matching_value() {
        let mut values = Values::new();
        values.insert("Name".into(), Value::from("Blocked"));
        let error = blocked_names().check("Account", &values).expect("rejected");
        assert_eq!(error.error_code, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
        assert_eq!(error.message, "This name is not allowed");
        assert_eq!(error.fields, vec!["Name".to_string()]);
    }

    #[test]
    fn validation_rule_passes_other_values_and_objects() {
        let mut values = Values::new();
        values.insert("Name".into(), Value::from("Allowed"));
        assert_eq!(blocked_names().check("Account", &values), None);
        values.insert("Name".into(), Value::from("Blocked"));
        assert_eq!(blocked_names().check("Contact", &values), None);
    }

    #[test]
    fn unable_to_lock_row_response_is_error_array() {
        let response = Fault::UnableToLockRow.response();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
}
