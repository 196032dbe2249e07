//! Settings of the Salesforce client.

use std::net::IpAddr;
use std::time::Duration;

use tandem_engine::Secret;
use url::Url;

use crate::error::Error;

/// Oldest API version the client accepts. Upsert results carry the `created` flag from v46.0
/// on. Before it, an update by external ID returns 204 with no body and no record Id.
const MIN_API_VERSION: (u32, u32) = (46, 0);

/// How to reach one Salesforce org and log in to it with the OAuth 2.0 client credentials flow.
#[derive(Debug, Clone)]
pub struct SalesforceConfig {
    /// Base URL of the OAuth token endpoint (`{login_url}/services/oauth2/token`). Default
    /// `https://login.salesforce.com`. The client credentials flow only works against the org's
    /// My Domain URL (`https://example.my.salesforce.com`), so production setups set this.
    /// Must be `https`, or plain `http` to a loopback address.
    pub login_url: Url,
    /// REST API version used in every path, in the form `vNN.N`. Default `v62.0`
    /// (Winter '25), and at least `v46.0`.
    pub api_version: String,
    /// Consumer key of the connected app (or external client app).
    pub client_id: String,
    /// Consumer secret of the connected app.
    pub client_secret: Secret,
    /// Limit on each HTTP request, from connecting until the whole response is read.
    /// Default 120 seconds.
    pub timeout: Duration,
}

impl SalesforceConfig {
    /// Default OAuth base URL: Salesforce production login.
    pub const DEFAULT_LOGIN_URL: &'static str = "https://login.salesforce.com";
    /// Default API version, Winter '25.
    pub const DEFAULT_API_VERSION: &'static str = "v62.0";
    /// Default per-request timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

    /// Creates a configuration with the default login URL, API version and timeout.
    pub fn new(client_id: impl Into<String>, client_secret: Secret) -> SalesforceConfig {
        SalesforceConfig {
            // The constant is a valid absolute URL, which the tests check.
            login_url: Url::parse(Self::DEFAULT_LOGIN_URL).expect("default login URL is valid"),
            api_version: Self::DEFAULT_API_VERSION.to_string(),
            client_id: client_id.into(),
            client_secret,
            timeout: Self::DEFAULT_TIMEOUT,
        }
    }

    /// Checks every setting and returns an error that names the first invalid one.
    pub fn validate(&self) -> Result<(), Error> {
        check_api_version(&self.api_version)?;
        check_base_url("login_url", &self.login_url)?;
        if self.client_id.trim().is_empty() {
            return Err(config_error(
                "client_id is empty: set the connected app's consumer key",
            ));
        }
        if self.client_secret.expose().is_empty() {
            return Err(config_error(
                "client_secret is empty: set the connected app's consumer secret",
            ));
        }
        if self.timeout.is_zero() {
            return Err(config_error(
                "timeout is zero: set a positive duration such as 120 s",
            ));
        }
        Ok(())
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
mod tests {
    use super::*;

    fn config() -> SalesforceConfig {
        SalesforceConfig::new("client-id", Secret::new("client-secret"))
    }

    fn message(result: Result<(), Error>) -> String {
        match result {
            Err(Error::Config { message }) => message,
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn new_uses_documented_defaults() {
        let config = config();
        assert_eq!(config.login_url.as_str(), "https://login.salesforce.com/");
        assert_eq!(config.api_version, "v62.0");
        assert_eq!(config.timeout, Duration::from_secs(120));
        assert!(config.validate().is_ok());
    }

    #[test]
    fn validate_accepts_version_forms() {
        for version in ["v46.0", "v62.0", "v66.0", "v100.0"] {
            let config = SalesforceConfig {
                api_version: version.into(),
                ..config()
            };
            assert!(config.validate().is_ok(), "{version}");
        }
    }

    #[test]
    fn validate_rejects_malformed_versions() {
        for version in [
            "62.0", "v62", "v62.00", "v6.0", "v62.x", "vab.0", "v62.0 ", "V62.0", "",
        ] {
            let config = SalesforceConfig {
                api_version: version.into(),
                ..config()
            };
            let message = message(config.validate());
            assert!(
                message.contains("use the form vNN.N"),
                "{version}: {message}"
            );
        }
    }

    #[test]
    fn validate_rejects_versions_before_46() {
        let config = SalesforceConfig {
            api_version: "v45.0".into(),
            ..config()
        };
        assert!(message(config.validate()).contains("v46.0 or later"));
    }

    #[test]
    fn validate_rejects_plain_http_to_remote_host() {
        let config = SalesforceConfig {
            login_url: Url::parse("http://login.salesforce.com").unwrap(),
            ..config()
        };
        assert!(message(config.validate()).contains("use https"));
    }

    #[test]
    fn validate_accepts_plain_http_to_loopback() {
        for url in [
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "http://localhost:1",
        ] {
            let config = SalesforceConfig {
                login_url: Url::parse(url).unwrap(),
                ..config()
            };
            assert!(config.validate().is_ok(), "{url}");
        }
    }

    #[test]
    fn validate_rejects_empty_credentials_and_timeout() {
        let no_id = SalesforceConfig {
            client_id: " ".into(),
            ..config()
        };
        assert!(message(no_id.validate()).contains("client_id"));
        let no_secret = SalesforceConfig {
            client_secret: Secret::new(""),
            ..config()
        };
        assert!(message(no_secret.validate()).contains("client_secret"));
        let no_timeout = SalesforceConfig {
            timeout: Duration::ZERO,
            ..config()
        };
        assert!(message(no_timeout.validate()).contains("timeout"));
    }

    #[test]
    fn debug_hides_client_secret() {
        let text = format!("{:?}", config());
        assert!(!text.contains("client-secret"), "{text}");
    }
}
