//! `GET /limits`: the org's allocations and what remains of each.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use crate::api::ApiRequest;
use crate::budget::ApiUsage;
use crate::client::SalesforceClient;
use crate::error::Error;

/// Name of the daily API request allocation in `/limits`.
pub const DAILY_API_REQUESTS: &str = "DailyApiRequests";

/// One allocation: its maximum and what remains of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct Limit {
    #[serde(rename = "Max")]
    pub max: u64,
    #[serde(rename = "Remaining")]
    pub remaining: u64,
}

/// Every allocation `/limits` returned, by name (`DailyApiRequests`, `DailyBulkV2QueryJobs`,
/// ...). Entries without `Max` and `Remaining` numbers are left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Limits {
    pub entries: BTreeMap<String, Limit>,
}

impl Limits {
    /// Returns the allocation named `name`.
    pub fn get(&self, name: &str) -> Option<Limit> {
        self.entries.get(name).copied()
    }

    /// Returns the daily API request usage, the figure that feeds the budget.
    pub fn daily_api_usage(&self) -> Option<ApiUsage> {
        let limit = self.get(DAILY_API_REQUESTS)?;
        Some(ApiUsage {
            used: limit.max.saturating_sub(limit.remaining),
            max: limit.max,
        })
    }
}

/// Parses a `/limits` body. Nested per-application entries are skipped.
pub(crate) fn parse_limits(body: &[u8]) -> Result<Limits, Error> {
    let raw: BTreeMap<String, Value> =
        serde_json::from_slice(body).map_err(|error| Error::InvalidResponse {
            message: format!("the limits are not a JSON object: {error}"),
        })?;
    let entries = raw
        .into_iter()
        .filter_map(|(name, value)| Some((name, serde_json::from_value(value).ok()?)))
        .collect();
    Ok(Limits { entries })
}

pub(crate) fn limits_request() -> ApiRequest {
    ApiRequest::versioned(Method::GET, ["limits"])
}

impl SalesforceClient {
    /// Reads the org's allocations and updates the API budget with `DailyApiRequests`.
    ///
    /// This call is sent even when the budget is exhausted, so it can tell when the rolling
    /// 24-hour usage has dropped.
    pub async fn limits(&self) -> Result<Limits, Error> {
        let response = self.execute(&limits_request()).await?;
        if response.status != StatusCode::OK {
            return Err(response.into_error());
        }
        let limits = parse_limits(&response.body)?;
        if let Some(usage) = limits.daily_api_usage() {
            self.set_usage(usage);
        }
        Ok(limits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::test_support::*;

    const FIXTURE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../corpus/salesforce/apache__camel/limits.json"
    );

    #[test]
    fn parse_limits_reads_recorded_limits() {
        let limits = parse_limits(&std::fs::read(FIXTURE).unwrap()).unwrap();
        assert_eq!(limits.entries.len(), 23);
        assert_eq!(
            limits.get(DAILY_API_REQUESTS),
            Some(Limit {
                max: 15_000,
                remaining: 14_998
            })
        );
        assert_eq!(
            limits.get("DailyBulkApiRequests"),
            Some(Limit {
                max: 5_000,
                remaining: 5_000
            })
        );
        assert_eq!(
            limits.daily_api_usage(),
            Some(ApiUsage {
                used: 2,
                max: 15_000
            })
        );
    }

    #[test]
    fn parse_limits_skips_entries_of_other_shapes() {
        let body = br#"{"DailyApiRequests":{"Max":5,"Remaining":4,"Ant Migration Tool":{"Max":0,"Remaining":0}},"Odd":3}"#;
        let limits = parse_limits(body).unwrap();
        assert_eq!(limits.entries.len(), 1);
        assert_eq!(limits.get("Odd"), None);
    }

    #[test]
    fn limits_request_is_exact() {
        let request = build(&limits_request());
        assert_eq!(request.method(), Method::GET);
        assert_eq!(request.url().path(), "/services/data/v62.0/limits");
        assert_eq!(request.url().query(), None);
        assert_eq!(header(&request, "accept"), Some("application/json"));
        assert!(request.body().is_none());
    }
}
