//! Settings for one NetSuite account: endpoint, WSDL version, token credentials and limits.

use std::net::IpAddr;
use std::time::Duration;

use chrono_tz::Tz;
use tandem_engine::Secret;
use url::Url;

use crate::error::Error;
use crate::operations::preferences::WritePreferences;

/// The endpoint version used when none is configured. 2025_2 is the last SOAP endpoint that
/// NetSuite plans to ship, and the only one it will serve from 2027.1 on.
pub const DEFAULT_VERSION: &str = "2025_2";

/// The HTTP timeout used when none is configured, per request, covering connect and body.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// The search page size used when none is configured; also NetSuite's own default.
pub const DEFAULT_PAGE_SIZE: u32 = 1000;

/// The page sizes NetSuite accepts for a synchronous search.
pub const PAGE_SIZE_RANGE: std::ops::RangeInclusive<u32> = 5..=1000;

/// The concurrency limit used when none is configured: the limit of a NetSuite account on the
/// standard service tier, the lowest there is.
pub const DEFAULT_CONCURRENCY_LIMIT: usize = 5;

/// How long concurrency faults are retried when nothing else is configured.
pub const DEFAULT_CONCURRENCY_RETRY: Duration = Duration::from_secs(300);

/// The connect timeout used when none is configured.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// The time zone of date-only fields used when none is configured: NetSuite's own zone for
/// web services, which makes date fields need no conversion.
pub const DEFAULT_USER_TIME_ZONE: Tz = chrono_tz::America::Los_Angeles;

/// Token-based authentication (TBA) credentials of one integration record and one access token.
///
/// The secrets are [`Secret`]s: they are only read to sign the token passport and never
/// formatted into a log or an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCredentials {
    /// Consumer key of the integration record.
    pub consumer_key: String,
    /// Consumer secret of the integration record.
    pub consumer_secret: Secret,
    /// Token ID of the access token.
    pub token_id: String,
    /// Token secret of the access token.
    pub token_secret: Secret,
}

/// Connection settings for one NetSuite account.
#[derive(Debug, Clone, PartialEq)]
pub struct NetSuiteConfig {
    /// Account ID as NetSuite shows it, for example `1234567` or `1234567_SB1` for a sandbox.
    /// The case of a suffix does not matter: the passport upper-cases it and the host name
    /// lower-cases it.
    pub account: String,
    /// Full SOAP endpoint URL. `None` derives the account-specific host from `account`.
    /// Must be `https`, or plain `http` to a loopback host (127.0.0.0/8, ::1 or `localhost`),
    /// because every request carries a signed token passport.
    pub endpoint: Option<Url>,
    /// Endpoint version in NetSuite's `YYYY_N` form (default [`DEFAULT_VERSION`]). It sets the
    /// endpoint path and every namespace URI of the requests.
    pub version: String,
    /// Token-based authentication credentials.
    pub credentials: TokenCredentials,
    /// HTTP timeout per request, from connect to the last byte of the body (default
    /// [`DEFAULT_TIMEOUT`]).
    pub timeout: Duration,
    /// Time allowed to open a connection (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub connect_timeout: Duration,
    /// Records per search page, 5 to 1000 (default [`DEFAULT_PAGE_SIZE`]).
    pub page_size: u32,
    /// Requests this client lets run at once against the account (default
    /// [`DEFAULT_CONCURRENCY_LIMIT`]). Set it to the account's limit minus what other
    /// integrations on the account use.
    pub concurrency_limit: usize,
    /// How long concurrency faults are retried, in total waiting time, before the request
    /// fails (default [`DEFAULT_CONCURRENCY_RETRY`]).
    pub concurrency_retry: Duration,
    /// The time zone preference of the web services user (the role the access token belongs
    /// to), which NetSuite uses for date-only fields (default
    /// [`DEFAULT_USER_TIME_ZONE`]).
    pub user_time_zone: Tz,
    /// The `preferences` header of reads and writes (default: ignore read-only fields).
    pub write_preferences: WritePreferences,
    /// An application ID for the `applicationInfo` header. Must stay `None`: NetSuite rejects
    /// a request that carries both an application ID and a token passport ("Ambiguous
    /// authentication"), so [`NetSuiteConfig::validate`] refuses it.
    pub application_id: Option<String>,
}

impl NetSuiteConfig {
    /// Builds a configuration with the default version, timeouts, page size, concurrency
    /// limit and time zone.
    pub fn new(account: impl Into<String>, credentials: TokenCredentials) -> NetSuiteConfig {
        NetSuiteConfig {
            account: account.into(),
            endpoint: None,
            version: DEFAULT_VERSION.to_string(),
            credentials,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            page_size: DEFAULT_PAGE_SIZE,
            concurrency_limit: DEFAULT_CONCURRENCY_LIMIT,
            concurrency_retry: DEFAULT_CONCURRENCY_RETRY,
            user_time_zone: DEFAULT_USER_TIME_ZONE,
            write_preferences: WritePreferences::default(),
            application_id: None,
        }
    }

    /// Checks the account ID, the version format, the endpoint's scheme, the page size, the
    /// timeouts, the concurrency limit and the absence of an application ID, and returns
    /// [`Error::Config`] naming the first invalid value.
    pub fn validate(&self) -> Result<(), Error> {
        if self.application_id.is_some() {
            return Err(Error::Config(
                "a NetSuite application ID cannot be used with token-based authentication: \
                 NetSuite rejects a request with both an applicationInfo header and a token \
                 passport (\"Ambiguous authentication\"). Remove the application ID"
                    .to_string(),
            ));
        }
        if self.concurrency_limit == 0 {
            return Err(Error::Config(
                "invalid NetSuite concurrency limit 0: at least 1 request must be allowed"
                    .to_string(),
            ));
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::Config(
                "invalid NetSuite connect timeout: it must be longer than zero".to_string(),
            ));
        }
        validate_account(&self.account)?;
        validate_version(&self.version)?;
        if let Some(endpoint) = &self.endpoint {
            validate_endpoint(endpoint)?;
        }
        if !PAGE_SIZE_RANGE.contains(&self.page_size) {
            return Err(Error::Config(format!(
                "invalid NetSuite page size {}: NetSuite accepts 5 to 1000 records per page",
                self.page_size
            )));
        }
        if self.timeout.is_zero() {
            return Err(Error::Config(
                "invalid NetSuite timeout: it must be longer than zero".to_string(),
            ));
        }
        Ok(())
    }

    /// Returns the SOAP endpoint: the configured URL, or
    /// `https://<account host>.suitetalk.api.netsuite.com/services/NetSuitePort_<version>`
    /// where the account host is the account ID in lower case with `_` replaced by `-`.
    pub fn endpoint_url(&self) -> Result<Url, Error> {
        if let Some(endpoint) = &self.endpoint {
            return Ok(endpoint.clone());
        }
        validate_account(&self.account)?;
        validate_version(&self.version)?;
        let host = self.account.to_ascii_lowercase().replace('_', "-");
        let url = format!(
            "https://{host}.suitetalk.api.netsuite.com/services/NetSuitePort_{}",
            self.version
        );
        Url::parse(&url)
            .map_err(|error| Error::Config(format!("invalid NetSuite endpoint {url}: {error}")))
    }

    /// Returns the account ID as the token passport needs it: the suffix after the first `_`
    /// in upper case (`1234567_sb1` becomes `1234567_SB1`). A lower-case suffix in the
    /// passport makes NetSuite reject the request with "Invalid login attempt".
    pub fn passport_account(&self) -> String {
        match self.account.split_once('_') {
            Some((number, suffix)) => format!("{number}_{}", suffix.to_ascii_uppercase()),
            None => self.account.clone(),
        }
    }
}

fn validate_account(account: &str) -> Result<(), Error> {
    let valid = !account.is_empty()
        && account
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if valid {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "invalid NetSuite account ID {account:?}: expected letters, digits and `_`, \
             as in 1234567 or 1234567_SB1"
        )))
    }
}

/// Accepts `https`, and plain `http` only to a loopback host, where the passport does not
/// cross a network.
fn validate_endpoint(endpoint: &Url) -> Result<(), Error> {
    match endpoint.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(endpoint) => Ok(()),
        _ => Err(Error::Config(format!(
            "invalid NetSuite endpoint {endpoint}: use https (plain http is allowed only to \
             127.0.0.1, ::1 or localhost)"
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

/// Accepts exactly `YYYY_N`, four digits, an underscore and one digit (`2025_2`).
fn validate_version(version: &str) -> Result<(), Error> {
    let bytes = version.as_bytes();
    let valid = bytes.len() == 6
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'_'
        && bytes[5].is_ascii_digit();
    if valid {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "invalid NetSuite version {version:?}: expected the form YYYY_N, as in 2025_2"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(account: &str) -> NetSuiteConfig {
        let credentials = TokenCredentials {
            consumer_key: "ck".to_string(),
            consumer_secret: Secret::new("cs"),
            token_id: "ti".to_string(),
            token_secret: Secret::new("ts"),
        };
        NetSuiteConfig::new(account, credentials)
    }

    #[test]
    fn new_uses_defaults() {
        let config = config("1234567");
        assert_eq!(config.version, "2025_2");
        assert_eq!(config.timeout, Duration::from_secs(120));
        assert_eq!(config.page_size, 1000);
        assert!(config.validate().is_ok());
    }

    #[test]
    fn endpoint_url_derives_sandbox_host() {
        let url = config("1234567_SB1").endpoint_url().unwrap();
        assert_eq!(
            url.as_str(),
            "https://1234567-sb1.suitetalk.api.netsuite.com/services/NetSuitePort_2025_2"
        );
    }

    #[test]
    fn endpoint_url_prefers_configured_url() {
        let mut config = config("1234567");
        config.endpoint = Some(Url::parse("http://127.0.0.1:9000/soap").unwrap());
        assert_eq!(
            config.endpoint_url().unwrap().as_str(),
            "http://127.0.0.1:9000/soap"
        );
    }

    #[test]
    fn passport_account_upper_cases_suffix() {
        assert_eq!(config("1234567_sb1").passport_account(), "1234567_SB1");
        assert_eq!(config("1234567_SB1").passport_account(), "1234567_SB1");
        assert_eq!(config("1234567").passport_account(), "1234567");
    }

    #[test]
    fn validate_rejects_malformed_versions() {
        for version in ["2025", "2025_2_0", "25_2", "2025-2", "v2025_2", ""] {
            let mut config = config("1234567");
            config.version = version.to_string();
            let error = config.validate().unwrap_err();
            assert!(
                error.to_string().contains("YYYY_N"),
                "{version:?} gave {error}"
            );
        }
    }

    #[test]
    fn validate_rejects_page_size_out_of_range() {
        for page_size in [0, 4, 1001] {
            let mut config = config("1234567");
            config.page_size = page_size;
            assert!(config.validate().is_err(), "page size {page_size} passed");
        }
        let mut config = config("1234567");
        config.page_size = 5;
        assert!(config.validate().is_ok());
    }

    #[test]
    fn validate_rejects_account_with_host_characters() {
        let error = config("1234567.evil.example").validate().unwrap_err();
        assert!(error.to_string().contains("account ID"));
    }

    #[test]
    fn validate_rejects_plain_http_to_remote_host() {
        let endpoints = [
            "http://1234567.suitetalk.api.netsuite.com/services/NetSuitePort_2025_2",
            "http://10.0.0.5:8080/services/NetSuitePort_2025_2",
            "http://[2001:db8::1]/services/NetSuitePort_2025_2",
            "http://localhost.example.com/services/NetSuitePort_2025_2",
        ];
        for endpoint in endpoints {
            let mut config = config("1234567");
            config.endpoint = Some(Url::parse(endpoint).unwrap());
            let error = config.validate().unwrap_err();
            assert!(matches!(error, Error::Config(_)), "{endpoint} gave {error}");
            assert!(
                error.to_string().contains("use https"),
                "{endpoint} gave {error}"
            );
        }
    }

    #[test]
    fn validate_rejects_other_schemes() {
        let mut config = config("1234567");
        config.endpoint = Some(Url::parse("ftp://127.0.0.1/services").unwrap());
        let error = config.validate().unwrap_err();
        assert!(error.to_string().contains("use https"), "{error}");
    }

    #[test]
    fn validate_accepts_plain_http_to_loopback() {
        let endpoints = [
            "http://127.0.0.1:9000/services/NetSuitePort_2025_2",
            "http://127.42.0.7/services/NetSuitePort_2025_2",
            "http://[::1]:9000/services/NetSuitePort_2025_2",
            "http://localhost:9000/services/NetSuitePort_2025_2",
            "http://LOCALHOST/services/NetSuitePort_2025_2",
        ];
        for endpoint in endpoints {
            let mut config = config("1234567");
            config.endpoint = Some(Url::parse(endpoint).unwrap());
            assert!(config.validate().is_ok(), "{endpoint} was rejected");
        }
    }

    #[test]
    fn validate_accepts_https_to_any_host() {
        let mut config = config("1234567");
        let endpoint = "https://1234567.suitetalk.api.netsuite.com/services/NetSuitePort_2025_2";
        config.endpoint = Some(Url::parse(endpoint).unwrap());
        assert!(config.validate().is_ok());
    }

    #[test]
    fn validate_rejects_application_id_with_token() {
        let mut config = config("1234567");
        config.application_id = Some("3E5C1F2A-0000".to_string());
        let error = config.validate().unwrap_err();
        assert!(matches!(error, Error::Config(_)));
        assert!(
            error.to_string().contains("Ambiguous authentication"),
            "{error}"
        );
    }

    #[test]
    fn validate_rejects_zero_concurrency_limit() {
        let mut config = config("1234567");
        config.concurrency_limit = 0;
        assert!(config.validate().is_err());
    }

    #[test]
    fn new_uses_governance_defaults() {
        let config = config("1234567");
        assert_eq!(config.concurrency_limit, 5);
        assert_eq!(config.concurrency_retry, Duration::from_secs(300));
        assert_eq!(config.user_time_zone, chrono_tz::America::Los_Angeles);
        assert_eq!(config.write_preferences.ignore_read_only_fields, Some(true));
    }

    #[test]
    fn debug_hides_secrets() {
        let text = format!("{:?}", config("1234567"));
        assert!(!text.contains("\"cs\""));
        assert!(!text.contains("\"ts\""));
        assert!(text.contains("[redacted]"));
    }
}
