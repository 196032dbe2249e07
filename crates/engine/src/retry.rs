//! Retries of calls that failed with a transient remote error.

use std::future::Future;
use std::time::Duration;

use backon::{ExponentialBuilder, Retryable};

use crate::error::RemoteError;

/// How often and how patiently a transient failure is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: usize,
    /// Delay before the first retry; each later delay doubles, with jitter.
    pub first_delay: Duration,
    /// Upper bound of a single delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_retries: 4,
            first_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// Runs `call` until it succeeds, fails with an error that is not transient, or has been
    /// retried `max_retries` times. Each retry is logged with its attempt number.
    pub async fn run<T, F, Fut>(&self, what: &str, call: F) -> Result<T, RemoteError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, RemoteError>>,
    {
        self.run_when(what, call, RemoteError::is_transient).await
    }

    /// Runs `call` like [`RetryPolicy::run`], for a request that must not be sent twice (an
    /// insert without an external ID). An error after which the request may have taken effect
    /// ([`RemoteError::outcome_unknown`]) is returned at once instead of retried, so the caller
    /// can read what the target contains before it writes again.
    pub async fn run_once_applied<T, F, Fut>(&self, what: &str, call: F) -> Result<T, RemoteError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, RemoteError>>,
    {
        let retried = |error: &RemoteError| error.is_transient() && !error.outcome_unknown();
        self.run_when(what, call, retried).await
    }

    async fn run_when<T, F, Fut>(
        &self,
        what: &str,
        call: F,
        retried: impl FnMut(&RemoteError) -> bool,
    ) -> Result<T, RemoteError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, RemoteError>>,
    {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.first_delay)
            .with_max_delay(self.max_delay)
            .with_max_times(self.max_retries)
            .with_jitter();
        let mut attempt = 1;
        call.retry(backoff)
            .when(retried)
            .notify(|error: &RemoteError, delay: Duration| {
                tracing::warn!(call = what, attempt, ?delay, error = %error, "retrying after transient error");
                attempt += 1;
            })
            .await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::error::ErrorClass;
    use crate::record::System;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 2,
            first_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        }
    }

    fn error(class: ErrorClass) -> RemoteError {
        RemoteError::new(System::NetSuite, class, "CODE", "message")
    }

    #[tokio::test]
    async fn transient_error_is_retried_until_success() {
        let calls = AtomicUsize::new(0);
        let result = policy()
            .run("test", || async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 => Err(error(ErrorClass::Transient)),
                    _ => Ok(7),
                }
            })
            .await;
        assert_eq!(result, Ok(7));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn data_error_is_not_retried() {
        let calls = AtomicUsize::new(0);
        let result: Result<(), _> = policy()
            .run("test", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(error(ErrorClass::Data))
            })
            .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn lost_response_of_insert_is_not_retried() {
        let calls = AtomicUsize::new(0);
        let result: Result<(), _> = policy()
            .run_once_applied("test", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(RemoteError::new(
                    System::Salesforce,
                    ErrorClass::Transient,
                    "TIMEOUT",
                    "no response within 2 s",
                ))
            })
            .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn refused_insert_is_retried() {
        let calls = AtomicUsize::new(0);
        let result = policy()
            .run_once_applied("test", || async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 => Err(RemoteError::new(
                        System::Salesforce,
                        ErrorClass::Transient,
                        "UNABLE_TO_LOCK_ROW",
                        "unable to obtain exclusive access to this record",
                    )),
                    _ => Ok(7),
                }
            })
            .await;
        assert_eq!(result, Ok(7));
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn retries_stop_at_the_limit() {
        let calls = AtomicUsize::new(0);
        let result: Result<(), _> = policy()
            .run("test", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(error(ErrorClass::Transient))
            })
            .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 3);
    }
}
