//! The HTTP client: one connection pool, the shared session, the API version check, the API
//! budget and the describe cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use tokio::sync::OnceCell;

use crate::api::describe::SObjectDescribe;
use crate::api::{ApiRequest, Target};
use crate::auth::{Authenticator, Session};
use crate::budget::{ApiBudget, ApiUsage};
use crate::config::SalesforceConfig;
use crate::error::{Error, error_from_status};

/// Response header with the org's API request usage, `api-usage=<used>/<max>`.
const LIMIT_INFO_HEADER: &str = "Sforce-Limit-Info";

/// A Salesforce REST client for one org.
///
/// It logs in on the first request, checks once that the org offers the configured API
/// version, and shares its session between concurrent requests. When a request gets 401
/// `INVALID_SESSION_ID`, it logs in again once and replays the request once. A second 401 is
/// returned as an error. The methods that send requests live in [`crate::api`]'s modules.
#[derive(Debug)]
pub struct SalesforceClient {
    http: reqwest::Client,
    api_version: String,
    auth: Authenticator,
    settings: Settings,
    /// Set once the org has listed the configured version among the ones it offers.
    version_checked: OnceCell<()>,
    budget: Mutex<BudgetState>,
    describes: Mutex<HashMap<String, Arc<SObjectDescribe>>>,
}

/// The settings the request methods read.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) bulk_threshold: usize,
    pub(crate) query_batch_size: Option<u32>,
    pub(crate) bulk_timeout: Duration,
    pub(crate) bulk_poll_interval: Duration,
    pub(crate) collection_concurrency: usize,
}

/// The API budget with what the client knows of the calls that change it.
///
/// Concurrent calls make two corrections necessary. A call that is in flight is not yet in
/// the latest usage figures, so the budget check counts it as used. And responses can arrive
/// in another order than their calls were sent, so a response to an older call does not
/// lower the usage that a newer call's response reported.
#[derive(Debug)]
struct BudgetState {
    budget: ApiBudget,
    /// Calls sent whose response has not been read yet.
    in_flight: u64,
    /// Sequence number of the next call sent.
    next_call: u64,
    /// Sequence number of the call whose response set `budget.usage`.
    usage_call: u64,
}

impl BudgetState {
    /// Takes the sequence number of a call about to be sent.
    fn number_call(&mut self) -> u64 {
        let number = self.next_call;
        self.next_call += 1;
        number
    }

    /// Stores the usage that the response to call `number` reported. A response to a call
    /// sent before the one that set the current figures only raises them.
    fn record(&mut self, usage: ApiUsage, number: u64) {
        let newer = number >= self.usage_call;
        let usage = match self.budget.usage {
            Some(current) if !newer => ApiUsage {
                used: current.used.max(usage.used),
                max: usage.max,
            },
            _ => usage,
        };
        self.budget.usage = Some(usage);
        self.usage_call = self.usage_call.max(number);
    }

    /// Returns [`Error::BudgetExhausted`] when the calls in flight would use up what is left
    /// of Tandem's allowance, or else counts one more call in flight.
    fn start_call(&mut self) -> Result<(), Error> {
        if let (Some(remaining), Some(usage)) = (self.budget.remaining(), self.budget.usage)
            && remaining <= self.in_flight
        {
            return Err(Error::BudgetExhausted {
                used: usage.used,
                max: usage.max,
                reserve_percent: self.budget.reserve_percent,
            });
        }
        self.in_flight += 1;
        Ok(())
    }
}

/// One call counted in flight until it is dropped.
struct InFlight<'a> {
    state: &'a Mutex<BudgetState>,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.in_flight = state.in_flight.saturating_sub(1);
    }
}

/// A response whose body has been read in full.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    /// Returns the error for a status the caller did not expect.
    pub(crate) fn into_error(self) -> Error {
        error_from_status(self.status.as_u16(), &self.body)
    }

    /// Returns a header's value as text, or `None` when it is missing or not text.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }
}

impl SalesforceClient {
    /// Creates a client after checking `config`. Nothing is sent until the first request.
    pub fn new(config: SalesforceConfig) -> Result<SalesforceClient, Error> {
        config.validate()?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .gzip(true)
            .user_agent(concat!("tandem-salesforce/", env!("CARGO_PKG_VERSION")))
            // Redirects are not part of the REST API. Following one could send the token to
            // another host, and a 300 on upsert is a response to read, not a place to go.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|error| Error::Config {
                message: format!("cannot create the HTTP client: {error}"),
            })?;
        let auth = Authenticator::new(http.clone(), &config)?;
        Ok(SalesforceClient {
            http,
            api_version: config.api_version,
            auth,
            settings: Settings {
                bulk_threshold: config.bulk_threshold,
                query_batch_size: config.query_batch_size,
                bulk_timeout: config.bulk_timeout,
                bulk_poll_interval: config.bulk_poll_interval,
                collection_concurrency: config.collection_concurrency,
            },
            version_checked: OnceCell::new(),
            budget: Mutex::new(BudgetState {
                budget: ApiBudget {
                    usage: None,
                    reserve_percent: config.api_reserve_percent,
                },
                in_flight: 0,
                next_call: 0,
                usage_call: 0,
            }),
            describes: Mutex::new(HashMap::new()),
        })
    }

    /// Returns the API usage reported by the latest response that carried it, or `None` before
    /// the first such response.
    pub fn limit_info(&self) -> Option<ApiUsage> {
        self.budget().usage
    }

    /// Returns the part of the org's daily API requests that Tandem may still spend, as of the
    /// latest response.
    pub fn budget(&self) -> ApiBudget {
        self.budget_state().budget
    }

    fn budget_state(&self) -> std::sync::MutexGuard<'_, BudgetState> {
        self.budget.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns the org's ID from the login's identity URL, logging in first if needed. Without
    /// an identity URL in the token response, returns the instance URL's host instead.
    pub async fn org_id(&self) -> Result<String, Error> {
        let session = self.ready_session().await?;
        let host = || {
            session
                .instance_url
                .host_str()
                .unwrap_or_default()
                .to_string()
        };
        Ok(session.org_id.clone().unwrap_or_else(host))
    }

    /// Returns the API version used in every path, such as `v62.0`.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// Returns the record count above which reads and writes use Bulk API 2.0.
    pub fn bulk_threshold(&self) -> usize {
        self.settings.bulk_threshold
    }

    pub(crate) fn settings(&self) -> &Settings {
        &self.settings
    }

    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Sends `request` with the current session, and once more with a new session when
    /// Salesforce responds 401 `INVALID_SESSION_ID`. Returns any status, and callers map the
    /// ones they do not expect with [`RawResponse::into_error`].
    ///
    /// Fails with [`Error::BudgetExhausted`] without sending when the API budget is used up,
    /// counting the calls in flight as used, except for `/limits`, which shows whether the
    /// budget has come back.
    pub(crate) async fn execute(&self, request: &ApiRequest) -> Result<RawResponse, Error> {
        let _in_flight = self.start_call(!is_limits_request(request))?;
        let session = self.ready_session().await?;
        let response = self.send(&session, request).await?;
        if !is_invalid_session(&response) {
            return Ok(response);
        }
        tracing::warn!(
            generation = session.generation,
            "Salesforce rejected the session; logging in again and replaying the request once"
        );
        let session = self.auth.renew(&session).await?;
        self.send(&session, request).await
    }

    /// Returns the session, logging in first, and checks once that the org offers the API
    /// version.
    async fn ready_session(&self) -> Result<Arc<Session>, Error> {
        let session = self.auth.session().await?;
        self.version_checked
            .get_or_try_init(|| self.check_version_offered(&session))
            .await?;
        Ok(session)
    }

    /// Returns the session, logging in first, without the version check.
    pub(crate) async fn org_session(&self) -> Result<Arc<Session>, Error> {
        self.auth.session().await
    }

    /// Counts a call in flight until the returned guard drops, after checking the budget when
    /// `check` is true.
    fn start_call(&self, check: bool) -> Result<InFlight<'_>, Error> {
        let mut state = self.budget_state();
        match check {
            true => state.start_call()?,
            false => state.in_flight += 1,
        }
        Ok(InFlight {
            state: &self.budget,
        })
    }

    async fn send(&self, session: &Session, request: &ApiRequest) -> Result<RawResponse, Error> {
        let http_request = request.build(&self.http, session, &self.api_version)?;
        let number = self.budget_state().number_call();
        tracing::debug!(
            method = %http_request.method(),
            path = http_request.url().path(),
            "sending Salesforce request"
        );
        let response = self
            .http
            .execute(http_request)
            .await
            .map_err(transport_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        self.record_usage(&headers, number);
        let body = response.bytes().await.map_err(transport_error)?.to_vec();
        tracing::debug!(
            status = status.as_u16(),
            bytes = body.len(),
            "received Salesforce response"
        );
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    fn record_usage(&self, headers: &HeaderMap, number: u64) {
        let usage = headers
            .get(LIMIT_INFO_HEADER)
            .and_then(|value| value.to_str().ok())
            .and_then(ApiUsage::parse);
        if let Some(usage) = usage {
            self.budget_state().record(usage, number);
        }
    }

    /// Replaces the usage figures, for example with the ones `/limits` returned, which are
    /// newer than those of every call sent before.
    pub(crate) fn set_usage(&self, usage: ApiUsage) {
        let mut state = self.budget_state();
        let number = state.number_call();
        state.record(usage, number);
    }

    /// Returns the cached describe of `sobject_type`, if one was read before.
    pub(crate) fn cached_describe(&self, sobject_type: &str) -> Option<Arc<SObjectDescribe>> {
        let cache = self
            .describes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        cache.get(&sobject_type.to_ascii_lowercase()).cloned()
    }

    /// Stores a describe in the cache, keyed by the sObject name ignoring case.
    pub(crate) fn cache_describe(&self, describe: Arc<SObjectDescribe>) {
        let mut cache = self
            .describes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        cache.insert(describe.name.to_ascii_lowercase(), describe);
    }

    /// Drops every cached describe, so the next validation reads them again.
    pub fn clear_describe_cache(&self) {
        let mut cache = self
            .describes
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        cache.clear();
    }
}

fn is_limits_request(request: &ApiRequest) -> bool {
    matches!(&request.target, Target::Versioned(segments) if segments == &["limits"])
}

fn is_invalid_session(response: &RawResponse) -> bool {
    response.status == StatusCode::UNAUTHORIZED
        && error_from_status(response.status.as_u16(), &response.body).is_invalid_session()
}

/// Maps a reqwest error to a timeout or a connection error. A request that cannot be built is
/// a bug in the caller's input, not a transport problem.
pub(crate) fn transport_error(error: reqwest::Error) -> Error {
    if error.is_timeout() {
        Error::Timeout {
            source: Arc::new(error),
        }
    } else if error.is_builder() {
        Error::InvalidRequest {
            message: error.to_string(),
        }
    } else {
        Error::Connection {
            source: Arc::new(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_rejects_invalid_config() {
        let config = SalesforceConfig {
            api_version: "62".into(),
            ..SalesforceConfig::new("id", tandem_engine::Secret::new("secret"))
        };
        assert!(matches!(
            SalesforceClient::new(config),
            Err(Error::Config { .. })
        ));
    }

    #[test]
    fn new_starts_without_usage() {
        let config = SalesforceConfig::new("id", tandem_engine::Secret::new("secret"));
        let client = SalesforceClient::new(config).unwrap();
        assert_eq!(client.limit_info(), None);
        assert_eq!(client.api_version(), "v62.0");
        assert_eq!(client.bulk_threshold(), 10_000);
    }

    #[test]
    fn check_budget_refuses_once_reserve_is_reached() {
        let config = SalesforceConfig::new("id", tandem_engine::Secret::new("secret"));
        let client = SalesforceClient::new(config).unwrap();
        client.set_usage(ApiUsage {
            used: 13_499,
            max: 15_000,
        });
        assert!(client.start_call(true).is_ok());
        client.set_usage(ApiUsage {
            used: 13_500,
            max: 15_000,
        });
        let error = client.start_call(true).err().unwrap();
        assert!(matches!(
            error,
            Error::BudgetExhausted {
                used: 13_500,
                max: 15_000,
                reserve_percent: 10
            }
        ));
    }

    #[test]
    fn start_call_counts_calls_in_flight() {
        let config = SalesforceConfig::new("id", tandem_engine::Secret::new("secret"));
        let client = SalesforceClient::new(config).unwrap();
        client.set_usage(ApiUsage {
            used: 13_498,
            max: 15_000,
        });

        let first = client.start_call(true).unwrap();
        let second = client.start_call(true).unwrap();
        let third = client.start_call(true);

        assert!(
            matches!(third, Err(Error::BudgetExhausted { used: 13_498, .. })),
            "two calls in flight use the last two requests of the allowance"
        );
        assert!(client.start_call(false).is_ok(), "/limits is not checked");
        drop(first);
        assert!(
            client.start_call(true).is_ok(),
            "a finished call frees its place"
        );
        drop(second);
    }

    #[test]
    fn record_keeps_usage_of_newer_call() {
        let mut state = BudgetState {
            budget: ApiBudget {
                usage: None,
                reserve_percent: 10,
            },
            in_flight: 0,
            next_call: 0,
            usage_call: 0,
        };
        let older = state.number_call();
        let newer = state.number_call();
        let usage = |used| ApiUsage { used, max: 15_000 };

        state.record(usage(102), newer);
        state.record(usage(101), older);
        assert_eq!(state.budget.usage, Some(usage(102)));

        state.record(usage(150), older);
        assert_eq!(
            state.budget.usage,
            Some(usage(150)),
            "an older call may still raise it"
        );

        let latest = state.number_call();
        state.record(usage(90), latest);
        assert_eq!(
            state.budget.usage,
            Some(usage(90)),
            "a newer call lowers it as the rolling 24 hours move on"
        );
    }
}
