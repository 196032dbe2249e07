//! NetSuite REST web services: the record service and SuiteQL, with OAuth 2.0 client
//! credentials or token-based authentication (an OAuth 1.0a header).
//!
//! [`RestClient`] reads and writes the same [`Record`](crate::Record) model as the SOAP
//! client, classifies failures into the same [`Error`] categories, and sends every request
//! through the same kind of [`Scheduler`], which retries HTTP 429 (NetSuite's concurrency
//! rejection on REST) like a SOAP concurrency fault. Times are UTC on REST, so nothing is
//! converted from Pacific time.

pub mod auth;
mod errors;
mod json;
mod metadata;
mod records;
pub mod suiteql;

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use chrono_tz::Tz;
use reqwest::Method;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, LOCATION};
use serde_json::Value;
use url::Url;

pub use auth::{OAuth2Credentials, SigningAlgorithm};
pub use errors::NONEXISTENT_ID;

use crate::config::{
    DEFAULT_CONCURRENCY_LIMIT, DEFAULT_CONCURRENCY_RETRY, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT,
    DEFAULT_USER_TIME_ZONE, TokenCredentials,
};
use crate::error::Error;
use crate::governance::Scheduler;
use auth::TokenCache;
use errors::{Scope, error_of};

/// How a REST client authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestAuth {
    /// OAuth 2.0 client credentials with a signed JWT assertion (recommended by NetSuite).
    OAuth2(OAuth2Credentials),
    /// Token-based authentication, sent as an OAuth 1.0a `Authorization` header.
    Tba(TokenCredentials),
}

/// Connection settings for the REST web services of one NetSuite account.
#[derive(Debug, Clone, PartialEq)]
pub struct RestConfig {
    /// Account ID as NetSuite shows it (`1234567`, `1234567_SB1`).
    pub account: String,
    /// The REST base URL, the part before `/services/rest/`. `None` derives the
    /// account-specific host `https://<account>.suitetalk.api.netsuite.com`. Must be `https`,
    /// or plain `http` to a loopback host.
    pub base_url: Option<Url>,
    pub auth: RestAuth,
    /// HTTP timeout per request (default 120 s).
    pub timeout: Duration,
    /// Time allowed to open a connection (default 30 s).
    pub connect_timeout: Duration,
    /// Requests this client lets run at once against the account (default 5).
    pub concurrency_limit: usize,
    /// How long HTTP 429 responses are retried, in total waiting time (default 300 s).
    pub concurrency_retry: Duration,
    /// The web services user's time zone, for date-only fields (default Pacific time).
    pub user_time_zone: Tz,
    /// Rows per SuiteQL page, 1 to 1000 (default 1000, NetSuite's maximum).
    pub page_size: u32,
    /// The maximum number of rows one SuiteQL query can page through with `offset`
    /// (NetSuite's 100,000).
    /// Reading goes on past it with a new query that starts after the last internal ID read.
    /// Lower it only to test that switch.
    pub suiteql_max_results: usize,
}

impl RestConfig {
    /// Builds a configuration with the default timeouts, limits and time zone.
    pub fn new(account: impl Into<String>, auth: RestAuth) -> RestConfig {
        RestConfig {
            account: account.into(),
            base_url: None,
            auth,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            concurrency_limit: DEFAULT_CONCURRENCY_LIMIT,
            concurrency_retry: DEFAULT_CONCURRENCY_RETRY,
            user_time_zone: DEFAULT_USER_TIME_ZONE,
            page_size: suiteql::MAX_PAGE_SIZE as u32,
            suiteql_max_results: suiteql::MAX_RESULTS,
        }
    }

    /// Checks the settings and returns [`Error::Config`] naming the first invalid one.
    pub fn validate(&self) -> Result<(), Error> {
        let valid_account = !self.account.is_empty()
            && self
                .account
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !valid_account {
            return Err(Error::Config(format!(
                "invalid NetSuite account ID {:?}: expected letters, digits and `_`, as in \
                 1234567 or 1234567_SB1",
                self.account
            )));
        }
        if let Some(url) = &self.base_url {
            let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
            if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
                return Err(Error::Config(format!(
                    "invalid NetSuite REST URL {url}: use https (plain http is allowed only to \
                     127.0.0.1, ::1 or localhost)"
                )));
            }
        }
        if self.concurrency_limit == 0 {
            return Err(Error::Config(
                "invalid NetSuite concurrency limit 0: at least 1 request must be allowed"
                    .to_string(),
            ));
        }
        if self.page_size == 0 || self.page_size as usize > suiteql::MAX_PAGE_SIZE {
            return Err(Error::Config(format!(
                "invalid NetSuite SuiteQL page size {}: NetSuite accepts 1 to 1000 rows per page",
                self.page_size
            )));
        }
        if self.suiteql_max_results < self.page_size as usize {
            return Err(Error::Config(
                "the SuiteQL result ceiling must be at least one page".to_string(),
            ));
        }
        if self.timeout.is_zero() || self.connect_timeout.is_zero() {
            return Err(Error::Config(
                "invalid NetSuite timeout: it must be longer than zero".to_string(),
            ));
        }
        if let RestAuth::OAuth2(credentials) = &self.auth {
            credentials.check()?;
        }
        Ok(())
    }

    /// Returns the REST base URL: the configured one, or the account's own host.
    pub fn base(&self) -> Result<Url, Error> {
        if let Some(url) = &self.base_url {
            return Ok(url.clone());
        }
        let host = self.account.to_ascii_lowercase().replace('_', "-");
        let url = format!("https://{host}.suitetalk.api.netsuite.com");
        Url::parse(&url)
            .map_err(|error| Error::Config(format!("invalid NetSuite REST URL {url}: {error}")))
    }

    /// Returns the account ID as the OAuth 1.0a `realm` needs it: the suffix in upper case.
    pub fn realm(&self) -> String {
        match self.account.split_once('_') {
            Some((number, suffix)) => format!("{number}_{}", suffix.to_ascii_uppercase()),
            None => self.account.clone(),
        }
    }
}

/// The status, `Location` header and body of one REST response.
#[derive(Debug)]
pub(crate) struct RestResponse {
    pub status: u16,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// One REST request: what to send, and how a rejection is scoped.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RestRequest<'a> {
    /// The operation name for logs and the scheduler (`record.get`, `suiteql`).
    pub operation: &'static str,
    pub method: &'a Method,
    /// The path below the base URL, starting with `/services/rest/`.
    pub path: &'a str,
    pub query: &'a [(String, String)],
    pub body: Option<&'a Value>,
    pub scope: Scope,
}

/// A client for the REST web services of one NetSuite account. Clones share connections,
/// the access token and the concurrency scheduler.
#[derive(Debug, Clone)]
pub struct RestClient {
    http: reqwest::Client,
    config: Arc<RestConfig>,
    base: Url,
    scheduler: Arc<Scheduler>,
    tokens: Arc<TokenCache>,
}

impl RestClient {
    /// Checks `config` and builds the HTTP client and the account's scheduler.
    pub fn new(config: RestConfig) -> Result<RestClient, Error> {
        let scheduler = Scheduler::new(config.concurrency_limit, config.concurrency_retry);
        RestClient::with_scheduler(config, scheduler)
    }

    /// Builds a client that shares `scheduler` with other clients of the same account, such
    /// as a SOAP client, because both count against one concurrency limit.
    pub fn with_scheduler(
        config: RestConfig,
        scheduler: Arc<Scheduler>,
    ) -> Result<RestClient, Error> {
        config.validate()?;
        let base = config.base()?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .gzip(true)
            .build()
            .map_err(|error| Error::Config(format!("cannot build the HTTP client: {error}")))?;
        Ok(RestClient {
            http,
            config: Arc::new(config),
            base,
            scheduler,
            tokens: Arc::new(TokenCache::default()),
        })
    }

    /// Returns the configuration.
    pub fn config(&self) -> &RestConfig {
        &self.config
    }

    /// Returns the account's concurrency scheduler.
    pub fn scheduler(&self) -> &Arc<Scheduler> {
        &self.scheduler
    }

    /// Sends a request through the scheduler; a 2xx response is returned, anything else
    /// becomes an error scoped as the request specifies. A rejected OAuth 2.0 token is fetched
    /// again once.
    pub(crate) async fn send(&self, request: RestRequest<'_>) -> Result<RestResponse, Error> {
        self.scheduler
            .run(request.operation, || async move {
                let response = self.send_once(&request).await?;
                if response.status == 401 && matches!(self.config.auth, RestAuth::OAuth2(_)) {
                    tracing::debug!(
                        operation = request.operation,
                        "access token rejected; fetching a new one"
                    );
                    self.tokens.clear().await;
                    return self.checked(&request, self.send_once(&request).await?);
                }
                self.checked(&request, response)
            })
            .await
    }

    fn checked(
        &self,
        request: &RestRequest,
        response: RestResponse,
    ) -> Result<RestResponse, Error> {
        if (200..300).contains(&response.status) {
            return Ok(response);
        }
        Err(error_of(response.status, &response.body, request.scope))
    }

    async fn send_once(&self, request: &RestRequest<'_>) -> Result<RestResponse, Error> {
        let url = self.url(request.path)?;
        let authorization = self.authorization(request, &url).await?;
        let mut builder = self
            .http
            .request(request.method.clone(), url)
            .query(request.query)
            .header(AUTHORIZATION, authorization);
        if request.operation == "suiteql" {
            builder = builder.header("Prefer", "transient");
        }
        if request.operation == metadata::OPERATION {
            builder = builder.header(ACCEPT, "application/schema+json");
        }
        if let Some(body) = request.body {
            builder = builder
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let started = Instant::now();
        let response = builder
            .send()
            .await
            .map_err(|error| self.transport_error(error))?;
        let status = response.status().as_u16();
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_string);
        let body = response
            .bytes()
            .await
            .map_err(|error| self.transport_error(error))?
            .to_vec();
        tracing::debug!(
            operation = request.operation,
            http_status = status,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "NetSuite REST request finished"
        );
        Ok(RestResponse {
            status,
            location,
            body,
        })
    }

    fn url(&self, path: &str) -> Result<Url, Error> {
        self.base
            .join(path)
            .map_err(|error| Error::Config(format!("invalid NetSuite REST path {path}: {error}")))
    }

    async fn authorization(&self, request: &RestRequest<'_>, url: &Url) -> Result<String, Error> {
        match &self.config.auth {
            RestAuth::OAuth2(credentials) => {
                let token_url = self.url(auth::TOKEN_PATH)?;
                let token = self
                    .tokens
                    .token(&self.http, token_url.as_str(), credentials)
                    .await?;
                Ok(format!("Bearer {}", token.expose()))
            }
            RestAuth::Tba(credentials) => {
                let signed = auth::SignedRequest {
                    method: request.method.as_str(),
                    base_url: url.as_str(),
                    query: request.query,
                };
                let timestamp = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |since| since.as_secs());
                Ok(auth::oauth1_header(
                    &self.config.realm(),
                    credentials,
                    signed,
                    &auth::nonce(),
                    timestamp,
                ))
            }
        }
    }

    fn transport_error(&self, error: reqwest::Error) -> Error {
        if error.is_timeout() {
            Error::Timeout {
                timeout: self.config.timeout,
            }
        } else {
            Error::Connection(error)
        }
    }
}
