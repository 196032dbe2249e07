//! The HTTP client: one connection pool, the shared session, and the API usage figures.

use std::sync::{Mutex, PoisonError};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::api::ApiRequest;
use crate::auth::{Authenticator, Session};
use crate::config::SalesforceConfig;
use crate::error::{Error, error_from_status};

/// Response header with the org's API request usage, `api-usage=<used>/<max>`.
const LIMIT_INFO_HEADER: &str = "Sforce-Limit-Info";

/// API requests the org has used in the rolling 24 hours, and its allowance, as of the latest
/// response that carried `Sforce-Limit-Info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    pub used: u64,
    pub max: u64,
}

impl ApiUsage {
    /// Returns the requests left in the allowance (zero when it is used up or exceeded).
    pub fn remaining(&self) -> u64 {
        self.max.saturating_sub(self.used)
    }

    /// Parses a `Sforce-Limit-Info` value such as `api-usage=28/15000` or
    /// `api-usage=28/15000; api-bursts=1/10`.
    pub fn parse(header: &str) -> Option<ApiUsage> {
        let usage = header
            .split(';')
            .find_map(|part| part.trim().strip_prefix("api-usage="))?;
        let (used, max) = usage.split_once('/')?;
        Some(ApiUsage {
            used: used.trim().parse().ok()?,
            max: max.trim().parse().ok()?,
        })
    }
}

/// A Salesforce REST client for one org.
///
/// It logs in on the first request and shares its session between concurrent requests. When a
/// request gets 401 `INVALID_SESSION_ID`, it logs in again once and replays the request once.
/// A second 401 is returned as an error. The methods that send requests live in
/// [`crate::api`]'s modules.
#[derive(Debug)]
pub struct SalesforceClient {
    http: reqwest::Client,
    api_version: String,
    auth: Authenticator,
    api_usage: Mutex<Option<ApiUsage>>,
}

/// A response whose body has been read in full.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
}

impl RawResponse {
    /// Returns the error for a status the caller did not expect.
    pub(crate) fn into_error(self) -> Error {
        error_from_status(self.status.as_u16(), &self.body)
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
            api_usage: Mutex::new(None),
        })
    }

    /// Returns the API usage reported by the latest response that carried it, or `None` before
    /// the first such response.
    pub fn limit_info(&self) -> Option<ApiUsage> {
        *self
            .api_usage
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns the org's ID from the login's identity URL, logging in first if needed. Without
    /// an identity URL in the token response, returns the instance URL's host instead.
    pub async fn org_id(&self) -> Result<String, Error> {
        let session = self.auth.session().await?;
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

    /// Sends `request` with the current session, and once more with a new session when
    /// Salesforce responds 401 `INVALID_SESSION_ID`. Returns any status, and callers map the
    /// ones they do not expect with [`RawResponse::into_error`].
    pub(crate) async fn execute(&self, request: &ApiRequest) -> Result<RawResponse, Error> {
        let session = self.auth.session().await?;
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

    async fn send(&self, session: &Session, request: &ApiRequest) -> Result<RawResponse, Error> {
        let http_request = request.build(&self.http, session, &self.api_version)?;
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
        self.record_usage(response.headers());
        let status = response.status();
        let body = response.bytes().await.map_err(transport_error)?.to_vec();
        tracing::debug!(
            status = status.as_u16(),
            bytes = body.len(),
            "received Salesforce response"
        );
        Ok(RawResponse { status, body })
    }

    fn record_usage(&self, headers: &HeaderMap) {
        let usage = headers
            .get(LIMIT_INFO_HEADER)
            .and_then(|value| value.to_str().ok())
            .and_then(ApiUsage::parse);
        if let Some(usage) = usage {
            *self
                .api_usage
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(usage);
        }
    }
}

fn is_invalid_session(response: &RawResponse) -> bool {
    response.status == StatusCode::UNAUTHORIZED
        && error_from_status(response.status.as_u16(), &response.body).is_invalid_session()
}

/// Maps a reqwest error to a timeout or a connection error. A request that cannot be built is
/// a bug in the caller's input, not a transport problem.
pub(crate) fn transport_error(error: reqwest::Error) -> Error {
    if error.is_timeout() {
        Error::Timeout { source: error }
    } else if error.is_builder() {
        Error::InvalidRequest {
            message: error.to_string(),
        }
    } else {
        Error::Connection { source: error }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_usage_parses_recorded_headers() {
        assert_eq!(
            ApiUsage::parse("api-usage=568/15000"),
            Some(ApiUsage {
                used: 568,
                max: 15000
            })
        );
        assert_eq!(
            ApiUsage::parse("api-usage=112/15000").unwrap().remaining(),
            14888
        );
    }

    #[test]
    fn api_usage_skips_other_parts() {
        let usage = ApiUsage::parse("api-bursts=1/10; api-usage=28/15000").unwrap();
        assert_eq!(
            usage,
            ApiUsage {
                used: 28,
                max: 15000
            }
        );
    }

    #[test]
    fn api_usage_rejects_malformed_values() {
        for header in [
            "",
            "api-usage=",
            "api-usage=28",
            "api-usage=a/15000",
            "usage=1/2",
        ] {
            assert_eq!(ApiUsage::parse(header), None, "{header:?}");
        }
    }

    #[test]
    fn api_usage_remaining_stops_at_zero() {
        assert_eq!(
            ApiUsage {
                used: 15_010,
                max: 15_000
            }
            .remaining(),
            0
        );
    }

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
    }
}
