//! Command output: readable pass summaries, the `--json` report and error hints.

use serde::Serialize;
use serde_json::json;
use tandem_engine::two_way::{PassError, PassFailure};
use tandem_engine::{ErrorClass, PassReport, RemoteError, System};

/// Writes a line to stdout, returning the error instead of panicking when stdout is closed
/// (for example when the output is piped into `head`).
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)
    }};
}

/// The result of one pass of one flow.
pub struct FlowResult {
    pub report: PassReport,
    /// The reason the pass stopped early, with a hint on what to do.
    pub error: Option<String>,
}

impl FlowResult {
    /// Builds the result of a pass from what the engine returned.
    pub fn from_pass(result: Result<PassReport, PassFailure>) -> FlowResult {
        match result {
            Ok(report) => FlowResult {
                report,
                error: None,
            },
            Err(failure) => FlowResult {
                error: Some(explain(&failure.error)),
                report: failure.report,
            },
        }
    }
}

/// One flow in the `--json` report: the engine's counts, then `status` and `error`.
#[derive(Serialize)]
struct FlowJson<'a> {
    #[serde(flatten)]
    report: &'a PassReport,
    /// `completed`, or `failed` when the pass stopped early.
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

/// Renders pass results as the `--json` report: `{"flows":[{...counts...}]}`. Each flow has
/// the engine's counts plus `status` (`completed` or `failed`) and, when failed, `error`.
pub fn json_report(results: &[FlowResult]) -> String {
    let flows: Vec<FlowJson> = results
        .iter()
        .map(|result| FlowJson {
            report: &result.report,
            status: if result.error.is_some() {
                "failed"
            } else {
                "completed"
            },
            error: result.error.as_deref(),
        })
        .collect();
    json!({ "flows": flows }).to_string()
}

/// Renders one pass as a readable line.
pub fn summary(report: &PassReport) -> String {
    format!(
        "{}: read {}, created {}, updated {}, linked {}, echoes skipped {}, unchanged {}, \
         dead letters {}, in review {}{} ({} records written)",
        report.flow,
        report.read,
        report.created,
        report.updated,
        report.linked,
        report.echoes_skipped,
        report.unchanged,
        report.dead_letters,
        report.in_review,
        optional(", skipped", report.skipped) + &optional(", deferred", report.deferred),
        report.written,
    )
}

/// Returns `label count` when the count is not zero, so rare counts stay out of the line.
fn optional(label: &str, count: u64) -> String {
    if count > 0 {
        format!("{label} {count}")
    } else {
        String::new()
    }
}

/// Describes why a pass stopped, with what to check next.
pub fn explain(error: &PassError) -> String {
    match error {
        PassError::Store(error) => format!("{error}; check [store] path and the disk"),
        PassError::WrongStore { .. } => error.to_string(),
        PassError::Remote(error) => match hint(error) {
            Some(hint) => format!("{}; {hint}", error.to_string().trim_end_matches('.')),
            None => error.to_string(),
        },
    }
}

/// Codes that mean the credentials were refused.
const NETSUITE_LOGIN_CODES: &[&str] = &[
    "INVALID_LOGIN_ATTEMPT",
    "INVALID_LOGIN_CREDENTIALS",
    "INVALID_LOGIN",
    "USER_ERROR",
    "invalidCredentialsFault",
];
const SALESFORCE_LOGIN_CODES: &[&str] = &[
    "invalid_client",
    "invalid_client_id",
    "invalid_grant",
    "unsupported_grant_type",
    "INVALID_SESSION_ID",
];

fn hint(error: &RemoteError) -> Option<&'static str> {
    let code = error.code.as_str();
    match (error.system, error.class) {
        (System::NetSuite, ErrorClass::Config) if NETSUITE_LOGIN_CODES.contains(&code) => Some(
            "check TANDEM_NETSUITE_ACCOUNT and the token credentials \
             (TANDEM_NETSUITE_CONSUMER_KEY/SECRET, TANDEM_NETSUITE_TOKEN_ID/SECRET)",
        ),
        (System::Salesforce, ErrorClass::Config) if SALESFORCE_LOGIN_CODES.contains(&code) => Some(
            "check TANDEM_SALESFORCE_CLIENT_ID, TANDEM_SALESFORCE_CLIENT_SECRET and \
                 [salesforce] login_url",
        ),
        (System::NetSuite, ErrorClass::Transient) => Some(
            "NetSuite did not answer in time or refused the connection; check [netsuite] endpoint",
        ),
        (System::Salesforce, ErrorClass::Transient) => Some(
            "Salesforce did not answer in time or refused the connection; check [salesforce] login_url",
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn report() -> PassReport {
        PassReport {
            flow: "account-customer".to_string(),
            read: 4,
            created: 1,
            ..PassReport::default()
        }
    }

    #[test]
    fn json_report_has_contract_fields() {
        let text = json_report(&[FlowResult {
            report: report(),
            error: None,
        }]);
        let value: Value = serde_json::from_str(&text).unwrap();
        let flow = &value["flows"][0];
        assert_eq!(flow["flow"], "account-customer");
        for key in [
            "read",
            "created",
            "updated",
            "linked",
            "echoes_skipped",
            "unchanged",
            "dead_letters",
        ] {
            assert!(flow[key].is_u64(), "{key} missing in {text}");
        }
        assert_eq!(flow["status"], "completed");
    }

    #[test]
    fn json_report_carries_error() {
        let text = json_report(&[FlowResult {
            report: report(),
            error: Some("boom".to_string()),
        }]);
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["flows"][0]["status"], "failed");
        assert_eq!(value["flows"][0]["error"], "boom");
    }

    #[test]
    fn refused_salesforce_login_names_variables() {
        let error = RemoteError::new(
            System::Salesforce,
            ErrorClass::Config,
            "invalid_client",
            "invalid client credentials",
        );
        let text = explain(&PassError::Remote(error));
        assert!(text.contains("TANDEM_SALESFORCE_CLIENT_SECRET"), "{text}");
    }
}
