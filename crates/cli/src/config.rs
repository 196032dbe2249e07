//! The configuration file (`tandem.toml`) and the secrets that come from the environment.
//!
//! Secrets never live in the TOML file. Each one comes from an environment variable, from a file
//! named by the same variable with `_FILE` appended, or from an env file given on the command
//! line, in that order.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use tandem_engine::System;
use tandem_engine::two_way::{
    ConflictPolicy, ConflictSettings, DeletePolicy, DeleteSettings, MatchSettings,
};
use tandem_store::StoreLocation;
use url::Url;

/// A configuration problem. `key` names the TOML key or environment variable at fault, or the
/// line of a syntax error; `file` means the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error{}: {message}", location(key))]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

/// Returns where a configuration error is, for its message: nothing for the whole file.
fn location(key: &str) -> String {
    match key {
        "file" => String::new(),
        key => format!(" at {key}"),
    }
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
    /// SuiteTalk endpoint version, `YYYY_N`. Default `2025_2`. Only for `transport = "soap"`:
    /// REST web services have no endpoint version, so a REST configuration that sets it is
    /// rejected.
    pub version: Option<String>,
    /// Seconds before a request times out. Default 120.
    pub timeout_seconds: Option<u64>,
    /// Requests Tandem sends to the account at once, shared by every flow: the account's
    /// concurrency limit (5 on the standard service tier) minus what other integrations use.
    /// Default 5.
    pub concurrency_limit: Option<usize>,
    /// Seconds of waiting, in total, during which a request rejected by the concurrency limit
    /// (`WS_REQUEST_BLOCKED`) is retried with backoff before it fails. Default 300.
    pub concurrency_retry_seconds: Option<u64>,
    /// The time zone set in the integration user's preferences, an IANA name such as
    /// `America/Chicago`. NetSuite reads and writes date-only fields (transaction and due
    /// dates) as midnight in this zone. Default `America/Los_Angeles`.
    pub user_time_zone: Option<String>,
    /// The web services Tandem talks to: `soap` (SuiteTalk SOAP, the default) or `rest` (REST
    /// web services and SuiteQL). Oracle switches SOAP off in 2028.2.
    pub transport: Option<String>,
    /// Base URL of the REST web services, the part before `/services/rest/`. Default: the
    /// scheme, host and port of `endpoint` when it is set, else
    /// `https://<account>.suitetalk.api.netsuite.com`.
    pub rest_url: Option<String>,
    /// How REST requests authenticate: `tba` (token-based authentication with the same
    /// `TANDEM_NETSUITE_*` token secrets as SOAP; the default) or `oauth2` (client credentials
    /// with `TANDEM_NETSUITE_CLIENT_ID`, `TANDEM_NETSUITE_CERTIFICATE_ID` and
    /// `TANDEM_NETSUITE_PRIVATE_KEY`, a PEM RSA key for PS256 or EC P-256 key for ES256).
    pub auth: Option<String>,
}

/// The values of `[netsuite] transport`.
pub const NETSUITE_TRANSPORTS: [&str; 2] = ["soap", "rest"];

/// The values of `[netsuite] auth`.
pub const NETSUITE_REST_AUTH: [&str; 2] = ["tba", "oauth2"];

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
    /// OAuth flow: `client_credentials` (default), `jwt_bearer`, `refresh_token` or
    /// `password`. Each reads its secrets from `TANDEM_SALESFORCE_*` variables.
    pub login_flow: Option<String>,
    /// Salesforce username to act as, required by `jwt_bearer` and `password`.
    pub username: Option<String>,
    /// `aud` claim of `jwt_bearer` assertions. Default `https://login.salesforce.com`, or
    /// `https://test.salesforce.com` when `login_url` is that host.
    pub jwt_audience: Option<String>,
    /// Record count above which reads and writes use Bulk API 2.0 jobs. Default 10000.
    pub bulk_threshold: Option<usize>,
    /// Percent of the org's daily API requests left to other integrations: Tandem stops
    /// calling once the rest is used. Default 10.
    pub api_reserve_percent: Option<u8>,
    /// sObject Collections calls (200 records each) that one write sends at once, from 1 to
    /// 25. Each call counts as one request against the daily API allowance. Default 4.
    pub collection_concurrency: Option<usize>,
}

/// Values of `[salesforce] login_flow`.
pub const SALESFORCE_LOGIN_FLOWS: [&str; 4] = [
    "client_credentials",
    "jwt_bearer",
    "refresh_token",
    "password",
];

/// `[run]`: how the daemon schedules passes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSection {
    /// Seconds between the start of two passes. Default 60.
    pub interval_seconds: Option<u64>,
    /// With a PostgreSQL store: seconds a worker's lease on a flow lasts unless renewed (every
    /// third of it while a pass runs). A dead worker's flows are taken over after this time.
    /// Default 60.
    pub lease_seconds: Option<u64>,
}

/// `[flows.<flow>.matching]`: how unlinked records are matched.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingSection {
    /// Score (0 to 1) at or above which a record is linked to its best candidate. Default 0.92.
    pub link_threshold: Option<f64>,
    /// Score (0 to 1) at or above which a candidate sends the record to the review queue
    /// instead of creating its counterpart. Default 0.75.
    pub review_threshold: Option<f64>,
    /// Two-letter country assumed for phone numbers without a country code. Default `US`.
    pub phone_region: Option<String>,
    /// Link records with the same email address before scoring. Default: on for
    /// `contact-contact`, off for companies.
    pub link_by_email: Option<bool>,
}

/// `[flows.<flow>.conflicts]`: who wins a field changed on both sides since the last sync.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictsSection {
    /// `netsuite`, `salesforce`, `latest` (the later change) or `manual` (the conflict queue).
    /// Default `latest`.
    pub default: Option<String>,
    /// Policies of single fields, keyed by the NetSuite or the Salesforce field name.
    #[serde(default)]
    pub fields: BTreeMap<String, String>,
}

/// `[flows.<flow>.deletes]`: what a deletion on one side does to the other.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeletesSection {
    /// What happens to the Salesforce record when its NetSuite record is deleted: `unlink`
    /// (default), `ignore`, `deactivate` or `delete`.
    pub from_netsuite: Option<String>,
    /// What happens to the NetSuite record when its Salesforce record is deleted: `unlink`
    /// (default), `ignore`, `deactivate` or `delete`.
    pub from_salesforce: Option<String>,
}

impl DeletesSection {
    /// Applies the section to a flow's delete settings, naming the key of a bad policy.
    pub fn apply(&self, prefix: &str, settings: &mut DeleteSettings) -> Result<(), ConfigError> {
        for (name, value, slot) in [
            (
                "from_netsuite",
                &self.from_netsuite,
                &mut settings.from_netsuite,
            ),
            (
                "from_salesforce",
                &self.from_salesforce,
                &mut settings.from_salesforce,
            ),
        ] {
            let Some(text) = value else { continue };
            let key = format!("{prefix}.{name}");
            let policy = text
                .parse::<DeletePolicy>()
                .map_err(|message| ConfigError::new(&key, message))?;
            *slot = policy;
        }
        for (name, deleted_on) in [
            ("from_netsuite", System::NetSuite),
            ("from_salesforce", System::Salesforce),
        ] {
            let target = deleted_on.other();
            if settings.policy(deleted_on) == DeletePolicy::Deactivate
                && settings.inactive(target).is_none()
            {
                let message = format!(
                    "{target} records of this flow have no inactive field; use unlink, ignore or delete"
                );
                return Err(ConfigError::new(format!("{prefix}.{name}"), message));
            }
        }
        Ok(())
    }
}

/// `[flows.<flow>]`: the settings every flow template takes.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowSection {
    /// Whether the flow runs. Default true.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Seconds each read starts before the watermark. Default 300.
    pub overlap_seconds: Option<u64>,
    #[serde(default)]
    pub matching: MatchingSection,
    #[serde(default)]
    pub conflicts: ConflictsSection,
    #[serde(default)]
    pub deletes: DeletesSection,
    /// The field mapping, replacing the template's default mapping.
    pub fields: Option<Vec<MappingEntry>>,
    /// Mapping entries added to the template's (or `fields`') mapping.
    #[serde(default)]
    pub extra_fields: Vec<MappingEntry>,
    /// The Salesforce field that receives each record's sync status (Synced or Error).
    /// Default `NetSuite_Sync_Status__c`; empty turns it off.
    pub status_field: Option<String>,
    /// The Salesforce field that receives the error of a record's last sync. Default
    /// `NetSuite_Sync_Error__c`; empty turns it off.
    pub error_field: Option<String>,
    /// The NetSuite custom field (script ID) that receives each record's sync status.
    /// Default none: nothing is written to NetSuite records.
    pub netsuite_status_field: Option<String>,
    /// The NetSuite custom field (script ID) that receives the error of a record's last sync.
    /// Default none.
    pub netsuite_error_field: Option<String>,
}

impl Default for FlowSection {
    fn default() -> FlowSection {
        FlowSection {
            enabled: true,
            overlap_seconds: None,
            matching: MatchingSection::default(),
            conflicts: ConflictsSection::default(),
            deletes: DeletesSection::default(),
            fields: None,
            extra_fields: Vec::new(),
            status_field: None,
            error_field: None,
            netsuite_status_field: None,
            netsuite_error_field: None,
        }
    }
}

fn enabled_by_default() -> bool {
    true
}

/// `[flows.<template>]` of a one-way template: the keys every template takes, and the
/// template's own options, which the template checks.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TemplateSection {
    /// Whether the flow runs. Default true once the table is present.
    #[serde(default = "enabled_by_default")]
    pub enabled: bool,
    /// Seconds each read starts before the watermark. Default 300.
    pub overlap_seconds: Option<u64>,
    /// The field mapping, replacing the template's default mapping.
    pub fields: Option<Vec<MappingEntry>>,
    /// Mapping entries added to the template's (or `fields`') mapping.
    #[serde(default)]
    pub extra_fields: Vec<MappingEntry>,
    /// The template's own options, by name.
    #[serde(flatten)]
    pub options: toml::Table,
}

/// `[flows]`: one table per flow template.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowsSection {
    #[serde(rename = "account-customer", default)]
    pub account_customer: FlowSection,
    #[serde(rename = "contact-contact")]
    pub contact_contact: Option<FlowSection>,
    #[serde(rename = "customer-onboarding")]
    pub customer_onboarding: Option<TemplateSection>,
    #[serde(rename = "item-to-price-book")]
    pub item_to_price_book: Option<TemplateSection>,
    #[serde(rename = "opportunity-to-sales-order")]
    pub opportunity_to_sales_order: Option<TemplateSection>,
    #[serde(rename = "invoice-to-salesforce")]
    pub invoice_to_salesforce: Option<TemplateSection>,
    #[serde(rename = "credit-hold-alert")]
    pub credit_hold_alert: Option<TemplateSection>,
}

impl FlowsSection {
    /// Returns the one-way templates' tables by template name.
    pub fn templates(&self) -> [(&'static str, Option<&TemplateSection>); 5] {
        [
            ("customer-onboarding", self.customer_onboarding.as_ref()),
            ("item-to-price-book", self.item_to_price_book.as_ref()),
            (
                "opportunity-to-sales-order",
                self.opportunity_to_sales_order.as_ref(),
            ),
            ("invoice-to-salesforce", self.invoice_to_salesforce.as_ref()),
            ("credit-hold-alert", self.credit_hold_alert.as_ref()),
        ]
    }
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
    /// The MCP gateway: clients, rate limit, write policies.
    #[serde(default)]
    pub mcp: tandem_mcp::McpSettings,
    /// The web UI's public URL and the reverse proxies it trusts.
    #[serde(default)]
    pub server: tandem_server::ServerSettings,
}

/// The largest interval, overlap or other span of seconds the file accepts: one week.
const WEEK_SECONDS: u64 = 7 * 24 * 3600;

/// Keys that look like secrets. They are refused in the file with a pointer to the
/// environment variable to use instead.
const SECRET_KEYS: &[(&str, &str)] = &[
    ("consumer_secret", "TANDEM_NETSUITE_CONSUMER_SECRET"),
    ("token_secret", "TANDEM_NETSUITE_TOKEN_SECRET"),
    ("client_secret", "TANDEM_SALESFORCE_CLIENT_SECRET"),
    ("private_key", "TANDEM_SALESFORCE_PRIVATE_KEY"),
    ("refresh_token", "TANDEM_SALESFORCE_REFRESH_TOKEN"),
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
    ///
    /// Messages never quote the file's values, since a misplaced secret could be among them.
    pub fn parse(text: &str) -> Result<FileConfig, ConfigError> {
        let value: toml::Table = toml::from_str(text).map_err(|error| {
            let line = error.span().map_or(0, |span| line_of(text, span.start));
            let message = without_values(error.message());
            if message.starts_with("duplicate key") {
                // The span points at the repeated key, so the key itself can be named.
                let key = key_of_error(text, &error);
                return ConfigError::new(
                    format!("{key} (line {line})"),
                    "invalid TOML: the key is set twice; keep one of the two",
                );
            }
            ConfigError::new(format!("line {line}"), format!("invalid TOML: {message}"))
        })?;
        refuse_secrets(&value, "")?;
        let config: FileConfig = toml::from_str(text).map_err(|error| {
            let message = plain_message(&without_values(error.message()));
            ConfigError::new(key_of_error(text, &error), message)
        })?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<(), ConfigError> {
        self.store.check()?;
        if let Some(endpoint) = &self.netsuite.endpoint {
            parse_url("netsuite.endpoint", endpoint)?;
        }
        if let Some(login_url) = &self.salesforce.login_url {
            parse_url("salesforce.login_url", login_url)?;
        }
        if let Some(rest_url) = &self.netsuite.rest_url {
            parse_url("netsuite.rest_url", rest_url)?;
        }
        if let Some(public_url) = &self.server.public_url {
            parse_url("server.public_url", public_url)?;
        }
        let choices = [
            (
                "netsuite.transport",
                &self.netsuite.transport,
                &NETSUITE_TRANSPORTS,
            ),
            ("netsuite.auth", &self.netsuite.auth, &NETSUITE_REST_AUTH),
        ];
        for (key, value, allowed) in choices {
            if let Some(value) = value
                && !allowed.contains(&value.as_str())
            {
                let message = format!("{value:?} is not known; use {}", allowed.join(" or "));
                return Err(ConfigError::new(key, message));
            }
        }
        if self.netsuite.transport.as_deref() == Some("rest") && self.netsuite.version.is_some() {
            let message = "sets the SuiteTalk SOAP endpoint version, which REST web services do \
                           not have; remove it, or set netsuite.transport = \"soap\"";
            return Err(ConfigError::new("netsuite.version", message));
        }
        if let Some(flow) = &self.salesforce.login_flow
            && !SALESFORCE_LOGIN_FLOWS.contains(&flow.as_str())
        {
            let message = format!("use one of {}", SALESFORCE_LOGIN_FLOWS.join(", "));
            return Err(ConfigError::new("salesforce.login_flow", message));
        }
        let bounds = [
            (
                "run.interval_seconds",
                self.run.interval_seconds,
                1,
                WEEK_SECONDS,
            ),
            ("run.lease_seconds", self.run.lease_seconds, 3, 3600),
            (
                "netsuite.timeout_seconds",
                self.netsuite.timeout_seconds,
                1,
                3600,
            ),
            (
                "salesforce.timeout_seconds",
                self.salesforce.timeout_seconds,
                1,
                3600,
            ),
            (
                "flows.account-customer.overlap_seconds",
                self.flows.account_customer.overlap_seconds,
                0,
                WEEK_SECONDS,
            ),
        ];
        for (key, value, min, max) in bounds {
            if let Some(value) = value.filter(|value| !(min..=max).contains(value)) {
                let message = format!("{value} is out of range; use {min} to {max} seconds");
                return Err(ConfigError::new(key, message));
            }
        }
        if let Some(zone) = &self.netsuite.user_time_zone {
            parse_time_zone(zone)?;
        }
        let two_way = [
            ("account-customer", Some(&self.flows.account_customer)),
            ("contact-contact", self.flows.contact_contact.as_ref()),
        ];
        for (name, flow) in two_way {
            let Some(flow) = flow else { continue };
            flow.matching.check(&format!("flows.{name}.matching"))?;
            flow.conflicts.check(&format!("flows.{name}.conflicts"))?;
        }
        Ok(())
    }

    /// Returns where the store lives, with a relative SQLite path resolved against the
    /// configuration file's folder.
    pub fn store_location(&self, config_dir: &Path) -> Result<StoreLocation, ConfigError> {
        self.store.location(config_dir)
    }

    /// Returns how long a worker's lease on a flow lasts unless renewed.
    pub fn lease(&self) -> Duration {
        Duration::from_secs(self.run.lease_seconds.unwrap_or(60))
    }

    /// Returns the time between passes of the daemon.
    pub fn interval(&self) -> Duration {
        Duration::from_secs(self.run.interval_seconds.unwrap_or(60))
    }
}

impl MatchingSection {
    fn check(&self, prefix: &str) -> Result<(), ConfigError> {
        for (name, value) in [
            ("link_threshold", self.link_threshold),
            ("review_threshold", self.review_threshold),
        ] {
            if let Some(value) = value.filter(|value| !(0.0..=1.0).contains(value)) {
                let message = format!("{value} is out of range; use a score from 0 to 1");
                return Err(ConfigError::new(format!("{prefix}.{name}"), message));
            }
        }
        let settings = self.settings(MatchSettings::default());
        if settings.review_threshold > settings.link_threshold {
            let message = format!(
                "{} is above link_threshold ({}); the review band must lie below it",
                settings.review_threshold, settings.link_threshold
            );
            return Err(ConfigError::new(
                format!("{prefix}.review_threshold"),
                message,
            ));
        }
        let region = &settings.phone_region;
        if region.len() != 2 || !region.chars().all(|c| c.is_ascii_uppercase()) {
            let message = format!("{region:?} is not a two-letter country code such as US or DE");
            return Err(ConfigError::new(format!("{prefix}.phone_region"), message));
        }
        Ok(())
    }

    /// Returns the engine's settings, with the flow's defaults where nothing is set.
    pub fn settings(&self, defaults: MatchSettings) -> MatchSettings {
        MatchSettings {
            link_threshold: self.link_threshold.unwrap_or(defaults.link_threshold),
            review_threshold: self.review_threshold.unwrap_or(defaults.review_threshold),
            phone_region: self.phone_region.clone().unwrap_or(defaults.phone_region),
            link_by_email: self.link_by_email.unwrap_or(defaults.link_by_email),
        }
    }
}

impl ConflictsSection {
    fn check(&self, prefix: &str) -> Result<(), ConfigError> {
        self.settings(prefix).map(|_| ())
    }

    /// Returns the engine's settings, naming the key of a policy that is not one.
    pub fn settings(&self, prefix: &str) -> Result<ConflictSettings, ConfigError> {
        let policy = |key: String, text: &str| {
            text.parse::<ConflictPolicy>()
                .map_err(|message| ConfigError::new(key, message))
        };
        let mut settings = ConflictSettings::default();
        if let Some(default) = &self.default {
            settings.default = policy(format!("{prefix}.default"), default)?;
        }
        for (field, text) in &self.fields {
            let value = policy(format!("{prefix}.fields.{field}"), text)?;
            settings.fields.insert(field.clone(), value);
        }
        Ok(settings)
    }
}

/// Parses the NetSuite user's time zone, naming the key when it is not an IANA zone name.
pub fn parse_time_zone(zone: &str) -> Result<chrono_tz::Tz, ConfigError> {
    zone.parse::<chrono_tz::Tz>().map_err(|_| {
        let message = format!("{zone:?} is not a time zone name such as America/Chicago");
        ConfigError::new("netsuite.user_time_zone", message)
    })
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
            let variable = match path.as_str() {
                "store.password" => "TANDEM_STORE_PASSWORD (or TANDEM_STORE_PASSWORD_FILE)",
                "salesforce.password" => "TANDEM_SALESFORCE_PASSWORD",
                _ => variable,
            };
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

/// Returns an error message with every double-quoted part replaced by `"…"`, so no value
/// from the file is repeated.
pub(crate) fn without_values(message: &str) -> String {
    let mut result = String::new();
    for (index, part) in message.split('"').enumerate() {
        match index % 2 {
            0 => result.push_str(part),
            _ => result.push_str("\"…\""),
        }
    }
    result
}

/// Returns a serde error message in a user's words: `f64` is a number, `u32` a whole number,
/// a string is text and a sequence a list.
pub(crate) fn plain_message(message: &str) -> String {
    const WHOLE: [&str; 10] = [
        "usize", "isize", "u16", "u32", "u64", "i16", "i32", "i64", "u8", "i8",
    ];
    let mut text = message.to_string();
    for kind in WHOLE {
        text = text.replace(&format!("expected {kind}"), "expected a whole number");
    }
    for (serde, plain) in [
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
        ("expected a string", "expected text"),
        ("expected a sequence", "expected a list"),
        ("invalid type: string", "invalid type: text"),
        ("invalid type: sequence", "invalid type: a list"),
        ("invalid type: map", "invalid type: a table"),
        ("invalid type: integer", "invalid type: a whole number"),
        ("invalid type: floating point", "invalid type: a number"),
    ] {
        text = text.replace(serde, plain);
    }
    text
}

/// Returns the 1-based line number of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Names the TOML key an error points at, from the error's text span, or `file` if none.
fn key_of_error(text: &str, error: &toml::de::Error) -> String {
    let Some(span) = error.span() else {
        return "file".to_string();
    };
    let line_start = text[..span.start].rfind('\n').map_or(0, |at| at + 1);
    let line = text[line_start..].lines().next().unwrap_or_default().trim();
    if let Some(header) = line.strip_prefix('[') {
        let name = header
            .trim_start_matches('[')
            .split(']')
            .next()
            .unwrap_or_default();
        return name.trim().to_string();
    }
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
        warn_if_readable_by_others(path);
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

    /// Returns the value of a variable that may be left unset: `None` when neither `<NAME>` nor
    /// `<NAME>_FILE` is set (or both are blank), else what [`SecretSource::required`] returns.
    pub fn optional(&self, name: &str) -> Result<Option<String>, ConfigError> {
        let file_variable = format!("{name}_FILE");
        let is_set = |key: &str| {
            let in_environment = self.use_environment
                && std::env::var(key).is_ok_and(|value| !value.trim().is_empty());
            let in_file = self
                .file_values
                .get(key)
                .is_some_and(|value| !value.trim().is_empty());
            in_environment || in_file
        };
        if !is_set(name) && !is_set(&file_variable) {
            return Ok(None);
        }
        self.required(name).map(Some)
    }

    /// Returns the value of a required variable. The process environment is looked at first,
    /// then the env file; in each, `<NAME>` holds the value or `<NAME>_FILE` the path of a file
    /// that holds it. Missing or empty values are configuration errors, and so is a source that
    /// sets both `<NAME>` and `<NAME>_FILE`.
    pub fn required(&self, name: &str) -> Result<String, ConfigError> {
        let file_variable = format!("{name}_FILE");
        let environment = |key: &str| {
            self.use_environment
                .then(|| std::env::var(key).ok())
                .flatten()
        };
        let env_file = |key: &str| self.file_values.get(key).cloned();
        for (source, lookup) in [
            (
                "the environment",
                &environment as &dyn Fn(&str) -> Option<String>,
            ),
            ("the env file", &env_file),
        ] {
            let direct = lookup(name).filter(|value| !value.trim().is_empty());
            let path = lookup(&file_variable).filter(|value| !value.trim().is_empty());
            let value = match (direct, path) {
                (Some(_), Some(_)) => {
                    let message =
                        format!("both {name} and {file_variable} are set in {source}; keep one");
                    return Err(ConfigError::new(name, message));
                }
                (Some(value), None) => value,
                (None, Some(path)) => read_secret_file(&file_variable, &path)?,
                (None, None) => continue,
            };
            let value = value.trim().to_string();
            if !value.is_empty() {
                return Ok(value);
            }
        }
        Err(ConfigError::new(
            name,
            format!("missing; set {name} (or {name}_FILE with the path of a file that holds it)"),
        ))
    }

    /// Returns the values of several required variables, in order. When some are missing,
    /// the error names all of them.
    pub fn required_all<const N: usize>(
        &self,
        names: [&str; N],
    ) -> Result<[String; N], ConfigError> {
        let results = names.map(|name| self.required(name));
        let missing: Vec<&str> = names
            .iter()
            .zip(&results)
            .filter(|(_, result)| {
                result
                    .as_ref()
                    .is_err_and(|e| e.message.starts_with("missing"))
            })
            .map(|(name, _)| *name)
            .collect();
        if missing.len() > 1 {
            let message = format!(
                "missing: {}; set each (or <NAME>_FILE with the path of a file that holds it)",
                missing.join(", ")
            );
            return Err(ConfigError::new(missing[0], message));
        }
        let mut values = Vec::with_capacity(N);
        for result in results {
            values.push(result?);
        }
        values
            .try_into()
            .map_err(|_| ConfigError::new(names[0], "internal error collecting values"))
    }
}

/// Reads a secret from the file named by `variable`.
fn read_secret_file(variable: &str, path: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map_err(|error| ConfigError::new(variable, format!("cannot read {path}: {error}")))
}

/// Logs a warning when a file of secrets can be read by other users.
fn warn_if_readable_by_others(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(metadata) = std::fs::metadata(path)
            && metadata.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(path = %path.display(),
                "the env file can be read by other users; run chmod 600 on it");
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

pub mod mapping;
pub mod store;

pub use mapping::{MappingEntry, MappingRules};
pub use store::{StoreSection, store_password};

#[cfg(test)]
mod tests;
