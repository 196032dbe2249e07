//! Per-client rate limits: each client gets its own budget of calls per minute.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};

/// A call over a client's limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "rate limit exceeded: client {client} may make {per_minute} calls per minute; retry in \
     {} s",
    retry_after.as_secs().max(1)
)]
pub struct RateLimited {
    pub client: String,
    pub per_minute: u32,
    /// How long until the next call is allowed.
    pub retry_after: Duration,
}

/// The rate limiters of every client seen so far. A client's limiter is made on its first
/// call with the limit it has then.
#[derive(Default)]
pub struct RateLimits {
    limiters: Mutex<HashMap<String, (u32, Arc<DefaultDirectRateLimiter>)>>,
}

impl RateLimits {
    /// Counts one call of `client`, whose limit is `per_minute` calls (0 is taken as 1), or
    /// returns how long it must wait.
    pub fn check(&self, client: &str, per_minute: u32) -> Result<(), RateLimited> {
        let per_minute = per_minute.max(1);
        let limiter = self.limiter(client, per_minute);
        limiter.check().map_err(|not_until| RateLimited {
            client: client.to_string(),
            per_minute,
            retry_after: not_until.wait_time_from(DefaultClock::default().now()),
        })
    }

    fn limiter(&self, client: &str, per_minute: u32) -> Arc<DefaultDirectRateLimiter> {
        let mut limiters = self.limiters.lock().unwrap_or_else(PoisonError::into_inner);
        match limiters.get(client) {
            Some((limit, limiter)) if *limit == per_minute => limiter.clone(),
            _ => {
                // The whole minute's calls may come in one burst, as an agent often sends
                // several look-ups at once; after that they refill evenly.
                let quota =
                    Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
                let limiter = Arc::new(RateLimiter::direct(quota));
                limiters.insert(client.to_string(), (per_minute, limiter.clone()));
                limiter
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_within_limit_pass() {
        let limits = RateLimits::default();
        for _ in 0..3 {
            assert!(limits.check("agent", 3).is_ok());
        }
    }

    #[test]
    fn call_over_limit_is_refused() {
        let limits = RateLimits::default();
        for _ in 0..2 {
            limits.check("agent", 2).unwrap();
        }
        let refused = limits.check("agent", 2).unwrap_err();
        assert_eq!(refused.per_minute, 2);
        assert!(refused.retry_after > Duration::ZERO);
        assert!(refused.retry_after <= Duration::from_secs(30));
    }

    #[test]
    fn clients_have_separate_budgets() {
        let limits = RateLimits::default();
        limits.check("first", 1).unwrap();
        assert!(limits.check("first", 1).is_err());
        assert!(limits.check("second", 1).is_ok());
    }

    #[test]
    fn refusal_message_names_client_and_limit() {
        let limits = RateLimits::default();
        limits.check("desk", 1).unwrap();
        let message = limits.check("desk", 1).unwrap_err().to_string();
        assert!(
            message.contains("client desk may make 1 calls per minute"),
            "{message}"
        );
    }
}
