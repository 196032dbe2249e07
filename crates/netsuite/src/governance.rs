//! The concurrency scheduler: one per NetSuite account, shared by every clone of a client and
//! so by every flow that uses it.
//!
//! NetSuite limits the requests in flight per account, and every SOAP, REST and RESTlet
//! integration on the account shares the limit: 5 on a standard tier, more on higher tiers and
//! with SuiteCloud Plus licences. It rejects the excess with a concurrency fault
//! (`WS_REQUEST_BLOCKED` for token-based requests). The scheduler holds at most the configured number of requests in
//! flight and retries concurrency faults with exponential backoff and jitter until the
//! configured retry time has passed, because another integration on the account may be
//! holding the slots.

use std::collections::HashMap;
use std::future::Future;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex, Weak};
use std::time::Duration;

use async_trait::async_trait;
use backon::{ExponentialBuilder, Retryable};
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use tokio::sync::Semaphore;

use crate::error::Error;

/// The first wait after a concurrency fault; later waits double, with jitter.
pub const FIRST_RETRY_DELAY: Duration = Duration::from_secs(1);

/// The maximum single wait between two attempts.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(30);

/// A concurrency limit shared with other processes that call the same account, such as
/// other Tandem workers on one store. The scheduler takes a slot of it for each request in
/// flight, besides its own permit.
#[async_trait]
pub trait SharedLimit: Send + Sync {
    /// Waits for a free slot and returns a guard that frees it when dropped. An error stops
    /// the request and is reported as a configuration error.
    async fn acquire(&self) -> Result<Box<dyn Send + Sync>, String>;
}

/// Holds the account's concurrency limit and retries concurrency faults.
pub struct Scheduler {
    permits: Semaphore,
    shared: Option<Box<dyn SharedLimit>>,
    limit: usize,
    retry_for: Duration,
    first_delay: Duration,
    max_delay: Duration,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
}

impl std::fmt::Debug for Scheduler {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("Scheduler")
            .field("limit", &self.limit)
            .field("shared", &self.shared.is_some())
            .field("retry_for", &self.retry_for)
            .finish_non_exhaustive()
    }
}

impl Scheduler {
    /// Builds a scheduler that lets `limit` requests run at once and retries concurrency
    /// faults for up to `retry_for` of waiting in total.
    pub fn new(limit: usize, retry_for: Duration) -> Arc<Scheduler> {
        Scheduler::with_delays(limit, retry_for, FIRST_RETRY_DELAY, MAX_RETRY_DELAY)
    }

    /// Builds a scheduler with other backoff delays; tests use short ones.
    pub fn with_delays(
        limit: usize,
        retry_for: Duration,
        first_delay: Duration,
        max_delay: Duration,
    ) -> Arc<Scheduler> {
        Arc::new(Scheduler {
            permits: Semaphore::new(limit),
            shared: None,
            limit,
            retry_for,
            first_delay,
            max_delay,
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        })
    }

    /// Builds a scheduler whose `limit` is shared with other processes through `shared`: each
    /// request in flight holds both a local permit and a slot of `shared`.
    pub fn with_shared_limit(
        limit: usize,
        retry_for: Duration,
        shared: Box<dyn SharedLimit>,
    ) -> Arc<Scheduler> {
        Arc::new(Scheduler {
            permits: Semaphore::new(limit),
            shared: Some(shared),
            limit,
            retry_for,
            first_delay: FIRST_RETRY_DELAY,
            max_delay: MAX_RETRY_DELAY,
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
        })
    }

    /// Returns the scheduler of the account `key` in this process, building one with `limit`
    /// and `retry_for` when no client uses it any more. A SOAP client and a REST client of
    /// the same account built with the same key share one limit, because NetSuite counts
    /// requests of every transport against one account limit. The first scheduler's
    /// settings win; a later call with another limit logs a warning.
    pub fn for_account(key: &str, limit: usize, retry_for: Duration) -> Arc<Scheduler> {
        static ACCOUNTS: LazyLock<Mutex<HashMap<String, Weak<Scheduler>>>> =
            LazyLock::new(Mutex::default);
        let mut accounts = ACCOUNTS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        accounts.retain(|_, scheduler| scheduler.strong_count() > 0);
        if let Some(scheduler) = accounts.get(key).and_then(Weak::upgrade) {
            if scheduler.limit != limit {
                tracing::warn!(
                    account = key,
                    limit = scheduler.limit,
                    ignored_limit = limit,
                    "a NetSuite client of this account already set its concurrency limit"
                );
            }
            return scheduler;
        }
        let scheduler = Scheduler::new(limit, retry_for);
        accounts.insert(key.to_string(), Arc::downgrade(&scheduler));
        scheduler
    }

    /// Returns the number of requests allowed in flight.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Returns the highest number of requests that were in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::Relaxed)
    }

    /// Runs `call` with a slot of the account's limit, again after each concurrency fault
    /// until `retry_for` has been spent waiting. Other errors return at once. A slot is
    /// held only while a request is in flight, never during a wait.
    pub async fn run<T, F, Fut>(&self, operation: &'static str, call: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let backoff = ExponentialBuilder::default()
            .with_min_delay(self.first_delay)
            .with_max_delay(self.max_delay)
            .without_max_times()
            .with_total_delay(Some(self.retry_for))
            .with_jitter();
        let mut call = call;
        let mut attempt = 1u32;
        let limited = || {
            let future = call();
            async move {
                let _permit = self.permits.acquire().await.map_err(|_| {
                    Error::Config("the NetSuite concurrency scheduler was closed".to_string())
                })?;
                let _shared = match &self.shared {
                    Some(shared) => Some(shared.acquire().await.map_err(|error| {
                        Error::Config(format!(
                            "cannot take a slot of the shared NetSuite concurrency limit: {error}"
                        ))
                    })?),
                    None => None,
                };
                let _slot = InFlight::enter(self);
                future.await
            }
        };
        limited
            .retry(backoff)
            .when(Error::is_concurrency_limit)
            .notify(|error: &Error, delay: Duration| {
                tracing::warn!(
                    operation,
                    attempt,
                    delay_ms = delay.as_millis() as u64,
                    code = %error.code(),
                    "NetSuite concurrency limit reached; retrying"
                );
                attempt += 1;
            })
            .await
    }

    /// Runs `reads` as many at once as the limit allows and hands each output to `take` in
    /// the order of `reads`, so a walk over pages reads them in parallel but takes them in
    /// sequence. Each read must send its requests through [`Scheduler::run`], which enforces
    /// the limit; this only keeps enough reads started to fill it.
    ///
    /// When `take` returns [`ControlFlow::Break`], no further read starts, and the reads
    /// already started run to their end with their outputs dropped, because a request the
    /// client stops waiting for may still run on the server and count against the limit. Returns the break value, or
    /// `None` when every output was taken.
    pub async fn in_order<T, B, Fut>(
        &self,
        reads: impl Iterator<Item = Fut>,
        mut take: impl FnMut(T) -> ControlFlow<B>,
    ) -> Option<B>
    where
        Fut: Future<Output = T>,
    {
        let stopped = AtomicBool::new(false);
        let mut reads = reads;
        let mut started = FuturesOrdered::new();
        let mut result = None;
        loop {
            while result.is_none() && started.len() < self.limit.max(1) {
                let Some(read) = reads.next() else { break };
                started.push_back(unless_stopped(&stopped, read));
            }
            let Some(output) = started.next().await else {
                return result;
            };
            let Some(output) = output else { continue };
            if result.is_some() {
                continue;
            }
            if let ControlFlow::Break(value) = take(output) {
                stopped.store(true, Ordering::SeqCst);
                result = Some(value);
            }
        }
    }
}

/// Runs `read` unless `stopped` was set before its first poll, so a read queued behind a
/// break never sends its request.
async fn unless_stopped<Fut: Future>(stopped: &AtomicBool, read: Fut) -> Option<Fut::Output> {
    if stopped.load(Ordering::SeqCst) {
        return None;
    }
    Some(read.await)
}

/// Counts a request in flight while it lives.
struct InFlight<'a> {
    scheduler: &'a Scheduler,
}

impl<'a> InFlight<'a> {
    fn enter(scheduler: &'a Scheduler) -> InFlight<'a> {
        let now = scheduler.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        scheduler.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight { scheduler }
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.scheduler.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU32;

    use super::*;
    use crate::error::Fault;

    fn concurrency_fault() -> Error {
        Error::Fault(Box::new(Fault {
            http_status: 500,
            faultcode: "soapenv:Server.userException".to_string(),
            faultstring: "SuiteTalk concurrent request limit exceeded. Request blocked."
                .to_string(),
            detail_name: Some("exceededConcurrentRequestLimitFault".to_string()),
            code: Some("WS_REQUEST_BLOCKED".to_string()),
            message: None,
        }))
    }

    fn scheduler(limit: usize, retry_for: Duration) -> Arc<Scheduler> {
        let delay = Duration::from_millis(1);
        Scheduler::with_delays(limit, retry_for, delay, Duration::from_millis(4))
    }

    /// A limit shared by two schedulers, as two workers share one through their store.
    struct OneSlot(Arc<Semaphore>);

    #[async_trait]
    impl SharedLimit for OneSlot {
        async fn acquire(&self) -> Result<Box<dyn Send + Sync>, String> {
            let permit = self
                .0
                .clone()
                .acquire_owned()
                .await
                .map_err(|e| e.to_string())?;
            Ok(Box::new(permit))
        }
    }

    #[tokio::test]
    async fn shared_limit_bounds_two_schedulers() {
        let slot = Arc::new(Semaphore::new(1));
        let first =
            Scheduler::with_shared_limit(2, Duration::ZERO, Box::new(OneSlot(slot.clone())));
        let second = Scheduler::with_shared_limit(2, Duration::ZERO, Box::new(OneSlot(slot)));
        let in_flight = AtomicUsize::new(0);
        let max = AtomicUsize::new(0);
        let call = || async {
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            max.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            in_flight.fetch_sub(1, Ordering::SeqCst);
            Ok::<(), Error>(())
        };

        let results = tokio::join!(
            first.run("get", call),
            first.run("get", call),
            second.run("get", call),
            second.run("get", call),
        );

        assert!(results.0.is_ok(), "{:?}", results.0);
        assert!(results.1.is_ok(), "{:?}", results.1);
        assert!(results.2.is_ok(), "{:?}", results.2);
        assert!(results.3.is_ok(), "{:?}", results.3);
        assert_eq!(
            max.load(Ordering::SeqCst),
            1,
            "more requests in flight than shared slots"
        );
    }

    #[tokio::test]
    async fn run_retries_concurrency_fault_until_success() {
        let scheduler = scheduler(2, Duration::from_secs(5));
        let calls = AtomicU32::new(0);
        let result = scheduler
            .run("get", || async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0..=2 => Err(concurrency_fault()),
                    _ => Ok(7),
                }
            })
            .await;
        assert_eq!(result.unwrap(), 7);
        assert_eq!(calls.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn run_gives_up_after_retry_time() {
        let scheduler = scheduler(1, Duration::from_millis(20));
        let calls = AtomicU32::new(0);
        let result: Result<(), Error> = scheduler
            .run("get", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(concurrency_fault())
            })
            .await;
        assert_eq!(result.unwrap_err().code(), "WS_REQUEST_BLOCKED");
        assert!(calls.load(Ordering::SeqCst) >= 2);
    }

    #[tokio::test]
    async fn run_returns_other_errors_at_once() {
        let scheduler = scheduler(1, Duration::from_secs(5));
        let calls = AtomicU32::new(0);
        let result: Result<(), Error> = scheduler
            .run("get", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(Error::Http { status: 503 })
            })
            .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn for_account_shares_one_scheduler_per_key() {
        let soap = Scheduler::for_account("TEST_SHARE@http://127.0.0.1:1", 3, Duration::ZERO);
        let rest = Scheduler::for_account("TEST_SHARE@http://127.0.0.1:1", 7, Duration::ZERO);
        let other = Scheduler::for_account("TEST_SHARE@http://127.0.0.1:2", 3, Duration::ZERO);
        assert!(Arc::ptr_eq(&soap, &rest));
        assert_eq!(rest.limit(), 3);
        assert!(!Arc::ptr_eq(&soap, &other));
        drop((soap, rest));
        let fresh = Scheduler::for_account("TEST_SHARE@http://127.0.0.1:1", 4, Duration::ZERO);
        assert_eq!(fresh.limit(), 4);
    }

    /// Reads that finish in reverse order: read `n` of `count` sleeps `count - n` ticks and
    /// records in `started` that it began.
    fn reversed_reads<'a>(
        scheduler: &'a Scheduler,
        count: u64,
        started: &'a Mutex<Vec<u64>>,
    ) -> impl Iterator<Item = impl Future<Output = u64>> + 'a {
        (0..count).map(move |n| async move {
            started.lock().unwrap().push(n);
            scheduler
                .run("searchMoreWithId", || async {
                    tokio::time::sleep(Duration::from_millis(5 * (count - n))).await;
                    Ok::<_, Error>(n)
                })
                .await
                .unwrap()
        })
    }

    #[tokio::test]
    async fn in_order_keeps_order_within_limit() {
        let scheduler = scheduler(3, Duration::ZERO);
        let started = Mutex::new(Vec::new());
        let mut taken = Vec::new();

        let stop = scheduler
            .in_order(reversed_reads(&scheduler, 10, &started), |n| {
                taken.push(n);
                ControlFlow::<()>::Continue(())
            })
            .await;

        assert_eq!(stop, None);
        assert_eq!(taken, (0..10).collect::<Vec<u64>>());
        assert_eq!(scheduler.max_in_flight(), 3);
    }

    #[tokio::test]
    async fn in_order_break_starts_no_further_read() {
        let scheduler = scheduler(3, Duration::ZERO);
        let started = Mutex::new(Vec::new());
        let mut taken = Vec::new();

        let stop = scheduler
            .in_order(reversed_reads(&scheduler, 10, &started), |n| {
                taken.push(n);
                match n {
                    4 => ControlFlow::Break("stopped at 4"),
                    _ => ControlFlow::Continue(()),
                }
            })
            .await;

        assert_eq!(stop, Some("stopped at 4"));
        assert_eq!(taken, [0, 1, 2, 3, 4]);
        // With 3 at once, reads 5 and 6 at most were started when read 4 came in.
        let started = started.into_inner().unwrap();
        assert!(
            started.iter().all(|&n| n <= 6),
            "reads started after the break: {started:?}"
        );
        assert_eq!(scheduler.in_flight.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn run_holds_the_limit() {
        let scheduler = scheduler(2, Duration::from_secs(5));
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let scheduler = scheduler.clone();
                tokio::spawn(async move {
                    scheduler
                        .run("get", || async {
                            tokio::time::sleep(Duration::from_millis(20)).await;
                            Ok::<_, Error>(())
                        })
                        .await
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        assert_eq!(scheduler.max_in_flight(), 2);
    }
}
