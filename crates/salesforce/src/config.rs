//! Settings of the Salesforce client: where the org is, how to log in, and how the client
//! spends API calls.

use std::net::IpAddr;
use std::time::Duration;

use tandem_engine::Secret;
use url::Url;

use crate::error::Error;

/// Oldest API version the client accepts. Upsert results carry the `created` flag from v46.0
/// on. Before it, an update by external ID returns 204 with no body and no record Id.
const MIN_API_VERSION: (u32, u32) = (46, 0);

/// Smallest and largest `batchSize` that `Sforce-Query-Options` accepts.
pub const QUERY_BATCH_SIZES: std::ops::RangeInclusive<u32> = 200..=2000;

/// Largest `collection_concurrency`. Salesforce lets an org run at most 25 requests of 20
/// seconds or more at once (5 in Developer Edition and trial orgs), and a collection call of 200
/// records with triggers can take that long.
pub const MAX_COLLECTION_CONCURRENCY: usize = 25;

/// The OAuth 2.0 flow that gets the access token, with its credentials.
///
/// None of these flows returns a refresh token that the client keeps: when a session expires,
/// the client runs the same flow again.
#[derive(Debug, Clone)]
pub enum Login {
    /// `grant_type=client_credentials`: a connected app (or external client app) with a
    /// "run as" user. Works only against the org's My Domain URL.
    ClientCredentials {
        /// Consumer key of the app.
        client_id: String,
        /// Consumer secret of the app.
        client_secret: Secret,
    },
    /// `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`: an RS256 assertion signed with
    /// the private key whose certificate the connected app holds. The user must be
    /// pre-approved for the app.
    JwtBearer {
        /// Consumer key of the app, sent as the `iss` claim.
        client_id: String,
        /// Salesforce username to act as, sent as the `sub` claim.
        username: String,
        /// PEM text of the RSA private key (PKCS#1 or PKCS#8).
        private_key: Secret,
        /// The `aud` claim. `None` means `https://test.salesforce.com` when the login URL is
        /// `test.salesforce.com`, and `https://login.salesforce.com` otherwise. An Experience
        /// Cloud site sets its own URL here.
        audience: Option<String>,
    },
    /// `grant_type=refresh_token`: a refresh token issued to the app earlier by an interactive
    /// flow with the `refresh_token` scope.
    RefreshToken {
        /// Consumer key of the app.
        client_id: String,
        /// Consumer secret, for apps that require it on refresh.
        client_secret: Option<Secret>,
        /// The refresh token.
        refresh_token: Secret,
    },
    /// `grant_type=password`: the username-password flow that older orgs still allow.
    Password {
        /// Consumer key of the app.
        client_id: String,
        /// Consumer secret of the app.
        client_secret: Secret,
        /// Salesforce username.
        username: String,
        /// The password, followed by the user's security token when the org requires one.
        password: Secret,
    },
}

impl Login {
    /// Returns the flow's `grant_type` name as Tandem reports it (`client_credentials`,
    /// `jwt_bearer`, `refresh_token`, `password`).
    pub fn flow_name(&self) -> &'static str {
        match self {
            Login::ClientCredentials { .. } => "client_credentials",
            Login::JwtBearer { .. } => "jwt_bearer",
            Login::RefreshToken { .. } => "refresh_token",
            Login::Password { .. } => "password",
        }
    }

    /// Returns the consumer key of the app.
    pub fn client_id(&self) -> &str {
        match self {
            Login::ClientCredentials { client_id, .. }
            | Login::JwtBearer { client_id, .. }
            | Login::RefreshToken { client_id, .. }
            | Login::Password { client_id, .. } => client_id,
        }
    }
}

/// How to reach one Salesforce org, log in to it, and spend its API calls.
#[derive(Debug, Clone)]
pub struct SalesforceConfig {
    /// Base URL of the OAuth token endpoint (`{login_url}/services/oauth2/token`). Default
    /// `https://login.salesforce.com`. The client credentials flow only works against the org's
    /// My Domain URL (`https://example.my.salesforce.com`), so production setups set this.
    /// Must be `https`, or plain `http` to a loopback address.
    pub login_url: Url,
    /// REST API version used in every path, in the form `vNN.N`. Default `v62.0`
    /// (Winter '25), and at least `v46.0`. The client checks on its first call that the org
    /// offers it.
    pub api_version: String,
    /// The OAuth flow and its credentials.
    pub login: Login,
    /// Limit on each HTTP request, from connecting until the whole response is read.
    /// Default 120 seconds.
    pub timeout: Duration,
    /// Record count above which reads and writes go through Bulk API 2.0 jobs instead of
    /// REST queries and sObject Collections. Default 10,000.
    pub bulk_threshold: usize,
    /// Page size asked of REST queries through `Sforce-Query-Options: batchSize=N`, from 200
    /// to 2,000. Salesforce treats it as a hint. Default `None` (Salesforce's default of up to
    /// 2,000).
    pub query_batch_size: Option<u32>,
    /// Share of the org's daily API requests, in percent, that the client leaves to other
    /// integrations: once `Sforce-Limit-Info` shows more than `100 - reserve` percent used,
    /// calls fail with [`Error::BudgetExhausted`] before they are sent. Default 10.
    pub api_reserve_percent: u8,
    /// Maximum time a Bulk API 2.0 job may take before the client stops polling it.
    /// Default 30 minutes.
    pub bulk_timeout: Duration,
    /// Pause between two polls of a Bulk API 2.0 job. Default 2 seconds.
    pub bulk_poll_interval: Duration,
    /// sObject Collections calls that one write of more than 200 records sends at once, from 1
    /// to [`MAX_COLLECTION_CONCURRENCY`]. Each call still counts as one API request against
    /// the daily allowance. Default 4.
    pub collection_concurrency: usize,
}

impl SalesforceConfig {
    /// Default OAuth base URL: Salesforce production login.
    pub const DEFAULT_LOGIN_URL: &'static str = "https://login.salesforce.com";
    /// Default API version, Winter '25.
    pub const DEFAULT_API_VERSION: &'static str = "v62.0";
    /// Default per-request timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
    /// Default record count above which Bulk API 2.0 is used.
    pub const DEFAULT_BULK_THRESHOLD: usize = 10_000;
    /// Default share of the daily API requests left to other integrations, in percent.
    pub const DEFAULT_API_RESERVE_PERCENT: u8 = 10;
    /// Default number of sObject Collections calls of one write in flight at once.
    pub const DEFAULT_COLLECTION_CONCURRENCY: usize = 4;

    /// Creates a configuration for the client credentials flow with the default login URL,
    /// API version, timeouts and thresholds.
    pub fn new(client_id: impl Into<String>, client_secret: Secret) -> SalesforceConfig {
        SalesforceConfig::with_login(Login::ClientCredentials {
            client_id: client_id.into(),
            client_secret,
        })
    }

    /// Creates a configuration for `login` with the default login URL, API version, timeouts
    /// and thresholds.
    pub fn with_login(login: Login) -> SalesforceConfig {
        SalesforceConfig {
            // The constant is a valid absolute URL, which the tests check.
            login_url: Url::parse(Self::DEFAULT_LOGIN_URL).expect("default login URL is valid"),
            api_version: Self::DEFAULT_API_VERSION.to_string(),
            login,
            timeout: Self::DEFAULT_TIMEOUT,
            bulk_threshold: Self::DEFAULT_BULK_THRESHOLD,
            query_batch_size: None,
            api_reserve_percent: Self::DEFAULT_API_RESERVE_PERCENT,
            bulk_timeout: Duration::from_secs(30 * 60),
            bulk_poll_interval: Duration::from_secs(2),
            collection_concurrency: Self::DEFAULT_COLLECTION_CONCURRENCY,
        }
    }

    /// Checks every setting and returns an error that names the first invalid one.
    pub fn validate(&self) -> Result<(), Error> {
        check_api_version(&self.api_version)?;
        check_base_url("login_url", &self.login_url)?;
        check_login(&self.login)?;
        if self.timeout.is_zero() {
            return Err(config_error(
                "timeout is zero: set a positive duration such as 120 s",
            ));
        }
        if let Some(size) = self.query_batch_size
            && !QUERY_BATCH_SIZES.contains(&size)
        {
            return Err(config_error(format!(
                "query_batch_size {size} is out of range: Salesforce accepts 200 to 2000"
            )));
        }
        if self.api_reserve_percent > 99 {
            return Err(config_error(format!(
                "api_reserve_percent {} leaves no calls for Tandem: use 0 to 99",
                self.api_reserve_percent
            )));
        }
        if !(1..=MAX_COLLECTION_CONCURRENCY).contains(&self.collection_concurrency) {
            return Err(config_error(format!(
                "collection_concurrency {} is out of range: use 1 to {MAX_COLLECTION_CONCURRENCY}",
                self.collection_concurrency
            )));
        }
        if self.bulk_timeout.is_zero() || self.bulk_poll_interval.is_zero() {
            return Err(config_error(
                "bulk_timeout and bulk_poll_interval must be positive durations",
            ));
        }
        Ok(())
    }

    /// Returns the `aud` claim of a JWT bearer login: the configured audience, or the
    /// Salesforce login host that matches `login_url`.
    pub(crate) fn jwt_audience(&self) -> String {
        if let Login::JwtBearer {
            audience: Some(audience),
            ..
        } = &self.login
        {
            return audience.clone();
        }
        match self.login_url.host_str() {
            Some("test.salesforce.com") => "https://test.salesforce.com".into(),
            _ => Self::DEFAULT_LOGIN_URL.into(),
        }
    }
}

/// Checks the credentials of `login`: nothing empty, and a private key that parses.
fn check_login(login: &Login) -> Result<(), Error> {
    if login.client_id().trim().is_empty() {
        return Err(config_error(
            "client_id is empty: set the connected app's consumer key",
        ));
    }
    match login {
        Login::ClientCredentials { client_secret, .. } => {
            require_secret(client_secret, "client_secret")
        }
        Login::JwtBearer {
            username,
            private_key,
            audience,
            ..
        } => {
            require_text(username, "username", "the Salesforce username to act as")?;
            crate::auth::jwt::check_private_key(private_key)?;
            match audience {
                Some(audience) => check_audience(audience),
                None => Ok(()),
            }
        }
        Login::RefreshToken { refresh_token, .. } => require_secret(refresh_token, "refresh_token"),
        Login::Password {
            client_secret,
            username,
            password,
            ..
        } => {
            require_secret(client_secret, "client_secret")?;
            require_text(username, "username", "the Salesforce username")?;
            require_secret(password, "password")
        }
    }
}

fn require_secret(secret: &Secret, name: &str) -> Result<(), Error> {
    match secret.expose().is_empty() {
        true => Err(config_error(format!("{name} is empty: set it"))),
        false => Ok(()),
    }
}

fn require_text(value: &str, name: &str, what: &str) -> Result<(), Error> {
    match value.trim().is_empty() {
        true => Err(config_error(format!("{name} is empty: set {what}"))),
        false => Ok(()),
    }
}

fn check_audience(audience: &str) -> Result<(), Error> {
    match Url::parse(audience) {
        Ok(url) if url.scheme() == "https" => Ok(()),
        _ => Err(config_error(format!(
            "jwt audience {audience:?} is invalid: use https://login.salesforce.com, \
             https://test.salesforce.com or an Experience Cloud site URL"
        ))),
    }
}

/// Checks that `version` has the form `vNN.N` and is at least [`MIN_API_VERSION`].
fn check_api_version(version: &str) -> Result<(), Error> {
    let invalid = || {
        config_error(format!(
            "api_version {version:?} is invalid: use the form vNN.N, such as v62.0"
        ))
    };
    let (major, minor) = version
        .strip_prefix('v')
        .and_then(|number| number.split_once('.'))
        .ok_or_else(invalid)?;
    let all_digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !(2..=3).contains(&major.len())
        || minor.len() != 1
        || !all_digits(major)
        || !all_digits(minor)
    {
        return Err(invalid());
    }
    let parsed = (
        major.parse::<u32>().map_err(|_| invalid())?,
        minor.parse::<u32>().map_err(|_| invalid())?,
    );
    if parsed < MIN_API_VERSION {
        return Err(config_error(format!(
            "api_version {version} is too old: the client needs v46.0 or later, because older \
             upsert results do not say whether a record was created"
        )));
    }
    Ok(())
}

/// Checks that a URL that will receive a secret or a token is `https`, or `http` to a loopback
/// address (a local sandbox).
pub(crate) fn check_base_url(setting: &str, url: &Url) -> Result<(), Error> {
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        _ => Err(config_error(format!(
            "{setting} {url} is not allowed: use https (plain http only reaches 127.0.0.1, \
             ::1 or localhost)"
        ))),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(address)) => IpAddr::V4(address).is_loopback(),
        Some(url::Host::Ipv6(address)) => IpAddr::V6(address).is_loopback(),
        None => false,
    }
}

fn config_error(message: impl Into<String>) -> Error {
    Error::Config {
        message: message.into(),
    }
}

#[cfg(test)]
mod tests;
