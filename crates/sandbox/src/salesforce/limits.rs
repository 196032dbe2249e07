//! The org's daily API request allocation, counted over a rolling 24 hours as Salesforce
//! counts it, and reported in the `Sforce-Limit-Info` header.

use std::collections::VecDeque;

use chrono::{DateTime, Duration, Utc};

use crate::salesforce::errors::ApiError;

/// Daily API requests of a Developer Edition org.
pub(crate) const DEFAULT_DAILY_LIMIT: u64 = 15_000;

/// Times of the API requests of the last 24 hours.
#[derive(Debug)]
pub(crate) struct ApiUsage {
    requests: VecDeque<DateTime<Utc>>,
    /// Requests allowed in any 24 hours.
    pub limit: u64,
}

impl ApiUsage {
    /// Creates an empty window with the given allocation.
    pub fn new(limit: u64) -> ApiUsage {
        ApiUsage {
            requests: VecDeque::new(),
            limit,
        }
    }

    /// Counts one request made at `now` and returns the number used, including it.
    ///
    /// Fails with 403 `REQUEST_LIMIT_EXCEEDED` when the allocation is used up; the rejected
    /// request is not counted. The window keeps at most `limit` entries.
    pub fn record(&mut self, now: DateTime<Utc>) -> Result<u64, ApiError> {
        let window_start = now - Duration::hours(24);
        while self
            .requests
            .front()
            .is_some_and(|time| *time <= window_start)
        {
            self.requests.pop_front();
        }
        if self.requests.len() as u64 >= self.limit {
            return Err(ApiError::new(
                403,
                "REQUEST_LIMIT_EXCEEDED",
                "TotalRequests Limit exceeded.",
            ));
        }
        self.requests.push_back(now);
        Ok(self.requests.len() as u64)
    }

    /// Returns how many requests were counted in the 24 hours before `now`.
    pub fn used(&self, now: DateTime<Utc>) -> u64 {
        let window_start = now - Duration::hours(24);
        self.requests
            .iter()
            .filter(|time| **time > window_start)
            .count() as u64
    }

    /// Returns the `Sforce-Limit-Info` header value for `used` requests.
    pub fn header_value(&self, used: u64) -> String {
        format!("api-usage={used}/{}", self.limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_counts_and_rejects_past_limit() {
        let mut usage = ApiUsage::new(2);
        let now = Utc::now();
        assert_eq!(usage.record(now).unwrap(), 1);
        assert_eq!(usage.record(now).unwrap(), 2);
        let error = usage.record(now).unwrap_err();
        assert_eq!(error.status, 403);
        assert_eq!(error.error_code, "REQUEST_LIMIT_EXCEEDED");
    }

    #[test]
    fn record_forgets_requests_older_than_a_day() {
        let mut usage = ApiUsage::new(1);
        let now = Utc::now();
        usage.record(now - Duration::hours(25)).unwrap();
        assert_eq!(usage.record(now).unwrap(), 1);
    }

    #[test]
    fn header_value_matches_salesforce_format() {
        assert_eq!(ApiUsage::new(15_000).header_value(28), "api-usage=28/15000");
    }
}
