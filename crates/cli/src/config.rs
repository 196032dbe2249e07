//! The configuration file (`tandem.toml`) and the secrets that come from the environment.
//!
//! Secrets never live in the TOML file. Each one comes from an environment variable, from a file
//! named by the same variable with `_FILE` appended, or from an env file given on the command
//! line, in that order.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use url::Url;

/// A configuration problem. `key` names the TOML key or environment variable at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error at {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl ConfigError {
    pub fn new(key: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError {
            key: key.into(),
            message: message.into(),
        }
    }
}

/// `[netsuite]`: where the SuiteTalk endpoint is.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetSuiteSection {
    /// Full SOAP endpoint URL. Default: the account's own host,
    /// `https://<account>.suitetalk.api.netsuite.com/services/NetSuitePort_<version>`.
    pub endpoint: Option<String>,
    /// SuiteTalk endpoint version, `YYYY_N`. Default `2025_2`.
    pub version: Option<String>,
    /// Seconds before a request times out. Default 120.
    pub timeout_seconds: Option<u64>,
}

/// `[salesforce]`: where the org is.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SalesforceSection {
    /// Base URL of the OAuth token endpoint. Default `https://login.salesforce.com`; use the
    /// org's My Domain URL for the client credentials flow.
    pub login_url: Option<String>,
    /// REST API version, `vNN.N`. Default `v62.0`.
    pub api_version: Option<String>,
    /// Seconds before a request times out. Default 120.
    pub timeout_seconds: Option<u64>,
}

/// `[store]`: where the state lives.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreSection {
    /// Path of the SQLite file, relative to the configuration file's folder. Default `tandem.db`.
    pub path: Option<PathBuf>,
}

/// `[run]`: how the daemon schedules passes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// Seconds between the start of two passes. Default 60.
    pub interval_seconds: Option<u64>,
}

/// `[flows.account-customer]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountCustomerSection {
    /// Whether the flow runs. Default true.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Seconds each read starts before the watermark. Default 300.
    pub overlap_seconds: Option<u64>,
}

impl Default for AccountCustomerSection {
    fn default() -> AccountCustomerSection {
        AccountCustomerSection {
            enabled: true,
            overlap_seconds: None,
        }
    }
}

fn enabled_by_default() -> bool {
    true
}

/// `[flows]`: one table per flow template.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowsSection {
    #[serde(rename = "account-customer", default)]
    pub account_customer: AccountCustomerSection,
}

/// The whole configuration file.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    #[serde(default)]
    pub netsuite: NetSuiteSection,
    #[serde(default)]
    pub salesforce: SalesforceSection,
    #[serde(default)]
    pub store: StoreSection,
    #[serde(default)]
    pub run: RunSection,
    #[serde(default)]
    pub flows: FlowsSection,
}

/// Keys that look like secrets. They are refused in the file with a pointer to the
/// environment variable to use instead.
const SECRET_KEYS: &[(&str, &str)] = &[
    ("consumer_secret", "TANDEM_NETSUITE_CONSUMER_SECRET"),
    ("token_secret", "TANDEM_NETSUITE_TOKEN_SECRET"),
    ("client_secret", "TANDEM_SALESFORCE_CLIENT_SECRET"),
    ("password", "the environment"),
    ("access_token", "the environment"),
];

impl FileConfig {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<FileConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| {
            ConfigError::new(
                path.display().to_string(),
                format!("cannot read the configuration file: {error}"),
            )
        })?;
        FileConfig::parse(&text)
    }

    /// Parses configuration text. Unknown keys and secrets are refused, naming the key.
    pub fn parse(text: &str) -> Result<FileConfig, ConfigError> {
        let value: toml::Table = toml::from_str(text)
            .map_err(|error| ConfigError::new("file", format!("invalid TOML: {error}")))?;
        refuse_secrets(&value, "")?;
        let config: FileConfig = toml::from_str(text).map_err(|error| {
            let message = error.message().to_string();
            ConfigError::new(key_of_error(text, &error), message)
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        if let Some(endpoint) = &self.netsuite.endpoint {
            parse_url("netsuite.endpoint", endpoint)?;
        }
        if let Some(login_url) = &self.salesforce.login_url {
            parse_url("salesforce.login_url", login_url)?;
        }
        if self.run.interval_seconds == Some(0) {
            return Err(ConfigError::new(
                "run.interval_seconds",
                "must be at least 1",
            ));
        }
        Ok(())
    }

    /// Returns the store path, resolved against the configuration file's folder.
    pub fn store_path(&self, config_dir: &Path) -> PathBuf {
        let path = self
            .store
            .path
            .clone()
            .unwrap_or_else(|| PathBuf::from("tandem.db"));
        if path.is_absolute() {
            path
        } else {
            config_dir.join(path)
        }
    }

    /// Returns the time between passes of the daemon.
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.run.interval_seconds.unwrap_or(60))
    }
}

/// Parses a URL value, naming the key when it is invalid.
pub fn parse_url(key: &str, text: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(text)
        .map_err(|error| ConfigError::new(key, format!("invalid URL {text:?}: {error}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ConfigError::new(
            key,
            format!("{text:?} is not an http or https URL"),
        ));
    }
    Ok(url)
}

fn refuse_secrets(table: &toml::Table, prefix: &str) -> Result<(), ConfigError> {
    for (key, value) in table {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if let Some((_, variable)) = SECRET_KEYS.iter().find(|(name, _)| name == key) {
            return Err(ConfigError::new(
                path,
                format!("secrets are not read from the configuration file; set {variable} instead"),
            ));
        }
        if let toml::Value::Table(inner) = value {
            refuse_secrets(inner, &path)?;
        }
    }
    Ok(())
}

/// Names the TOML key an error points at, from the error's text span, or `file` if none.
fn key_of_error(text: &str, error: &toml::de::Error) -> String {
    let Some(span) = error.span() else {
        return "file".to_string();
    };
    let line_start = text[..span.start].rfind('\n').map_or(0, |at| at + 1);
    let section = text[..line_start].lines().rev().find_map(|line| {
        line.trim()
            .strip_prefix('[')?
            .strip_suffix(']')
            .map(str::to_string)
    });
    let key = text[line_start..]
        .split(['=', '\n'])
        .next()
        .unwrap_or_default()
        .trim()
        .trim_matches('"');
    match (section, key.is_empty() || key.starts_with('[')) {
        (Some(section), false) => format!("{section}.{key}"),
        (Some(section), true) => section,
        (None, false) => key.to_string(),
        (None, true) => "file".to_string(),
    }
}

/// Where secrets are looked up: the process environment first, then an optional env file.
#[derive(Debug, Clone)]
pub struct SecretSource {
    file_values: BTreeMap<String, String>,
    /// False when only the given values count, as for the demo's own sandbox.
    use_environment: bool,
}

impl Default for SecretSource {
    fn default() -> SecretSource {
        SecretSource {
            file_values: BTreeMap::new(),
            use_environment: true,
        }
    }
}

impl SecretSource {
    /// Uses only the process environment.
    pub fn environment() -> SecretSource {
        SecretSource::default()
    }

    /// Uses only the given pairs, ignoring the process environment.
    pub fn only<K: Into<String>>(pairs: impl IntoIterator<Item = (K, String)>) -> SecretSource {
        let file_values = pairs.into_iter().map(|(k, v)| (k.into(), v)).collect();
        SecretSource {
            file_values,
            use_environment: false,
        }
    }

    /// Adds the `KEY=VALUE` lines of an env file (blank lines and `#` comments are skipped).
    pub fn with_env_file(path: &Path) -> Result<SecretSource, ConfigError> {
        let key = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|error| {
            ConfigError::new(&key, format!("cannot read the env file: {error}"))
        })?;
        let mut file_values = BTreeMap::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let line = line.strip_prefix("export ").unwrap_or(line);
            let Some((name, value)) = line.split_once('=') else {
                let message = format!("line {} is not KEY=VALUE", number + 1);
                return Err(ConfigError::new(&key, message));
            };
            let value = value.trim().trim_matches('"').trim_matches('\'');
            file_values.insert(name.trim().to_string(), value.to_string());
        }
        Ok(SecretSource {
            file_values,
            use_environment: true,
        })
    }

    /// Returns the value of a required variable: from the environment, from the file named by
    /// `<NAME>_FILE`, or from the env file. Missing or empty values are configuration errors.
    pub fn required(&self, name: &str) -> Result<String, ConfigError> {
        let from_environment = self
            .use_environment
            .then(|| std::env::var(name).ok())
            .flatten();
        let value = match from_environment {
            Some(value) => value,
            None => self
                .read_file_variable(name)?
                .unwrap_or_else(|| self.file_values.get(name).cloned().unwrap_or_default()),
        };
        let value = value.trim().to_string();
        if value.is_empty() {
            return Err(ConfigError::new(
                name,
                format!(
                    "missing; set {name} (or {name}_FILE with the path of a file that holds it)"
                ),
            ));
        }
        Ok(value)
    }

    fn read_file_variable(&self, name: &str) -> Result<Option<String>, ConfigError> {
        let variable = format!("{name}_FILE");
        let from_environment = self.use_environment.then(|| std::env::var(&variable).ok());
        let path = from_environment
            .flatten()
            .or_else(|| self.file_values.get(&variable).cloned());
        let Some(path) = path else { return Ok(None) };
        std::fs::read_to_string(&path)
            .map(Some)
            .map_err(|error| ConfigError::new(variable, format!("cannot read {path}: {error}")))
    }
}

#[cfg(test)]
mod tests;
