//! Building the clients, the store and the enabled flows from the configuration.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::TimeDelta;
use tandem_engine::Secret;
use tandem_engine::flows::account_customer::{self, AccountCustomerSettings};
use tandem_engine::retry::RetryPolicy;
use tandem_engine::two_way::{Connections, TwoWaySpec};
use tandem_netsuite::{NetSuiteClient, NetSuiteConfig, NetSuitePort, TokenCredentials};
use tandem_salesforce::{SalesforceClient, SalesforceConfig, SalesforcePort};
use tandem_store::SqliteStore;

use crate::config::{ConfigError, FileConfig, SecretSource, parse_url};

/// Everything a pass needs: the two ports, the store and the enabled flows.
pub struct Setup {
    pub connections: Connections,
    pub flows: Vec<TwoWaySpec>,
    pub store: SqliteStore,
}

/// Builds the setup from a configuration file's contents. `config_dir` resolves a relative
/// store path. Configuration problems come back as [`ConfigError`].
pub async fn connect(
    config: &FileConfig,
    config_dir: &Path,
    secrets: &SecretSource,
) -> Result<Setup, ConfigError> {
    let flows = enabled_flows(config)?;
    let netsuite = netsuite_port(config, secrets)?;
    let salesforce = salesforce_port(config, secrets)?;
    let path = config.store_path(config_dir);
    let store = SqliteStore::open(&path)
        .await
        .map_err(|error| ConfigError::new("store.path", error.to_string()))?;
    let connections = Connections {
        netsuite: Arc::new(netsuite),
        salesforce: Arc::new(salesforce),
        store: Arc::new(store.clone()),
        retry: RetryPolicy::default(),
    };
    Ok(Setup {
        connections,
        flows,
        store,
    })
}

fn enabled_flows(config: &FileConfig) -> Result<Vec<TwoWaySpec>, ConfigError> {
    let mut flows = Vec::new();
    let section = &config.flows.account_customer;
    if section.enabled {
        let mut settings = AccountCustomerSettings::default();
        if let Some(seconds) = section.overlap_seconds {
            settings.overlap = TimeDelta::seconds(i64::try_from(seconds).unwrap_or(i64::MAX));
        }
        flows.push(account_customer::spec(&settings));
    }
    if flows.is_empty() {
        return Err(ConfigError::new(
            "flows",
            "no flow is enabled; set enabled = true under [flows.account-customer]",
        ));
    }
    Ok(flows)
}

fn netsuite_port(config: &FileConfig, secrets: &SecretSource) -> Result<NetSuitePort, ConfigError> {
    let credentials = TokenCredentials {
        consumer_key: secrets.required("TANDEM_NETSUITE_CONSUMER_KEY")?,
        consumer_secret: Secret::new(secrets.required("TANDEM_NETSUITE_CONSUMER_SECRET")?),
        token_id: secrets.required("TANDEM_NETSUITE_TOKEN_ID")?,
        token_secret: Secret::new(secrets.required("TANDEM_NETSUITE_TOKEN_SECRET")?),
    };
    let account = secrets.required("TANDEM_NETSUITE_ACCOUNT")?;
    let section = &config.netsuite;
    let mut settings = NetSuiteConfig::new(account, credentials);
    if let Some(endpoint) = &section.endpoint {
        settings.endpoint = Some(parse_url("netsuite.endpoint", endpoint)?);
    }
    if let Some(version) = &section.version {
        settings.version = version.clone();
    }
    if let Some(seconds) = section.timeout_seconds {
        settings.timeout = Duration::from_secs(seconds);
    }
    settings
        .validate()
        .map_err(|error| ConfigError::new("netsuite", error.to_string()))?;
    let client = NetSuiteClient::new(settings)
        .map_err(|error| ConfigError::new("netsuite", error.to_string()))?;
    Ok(NetSuitePort::new(client))
}

fn salesforce_port(
    config: &FileConfig,
    secrets: &SecretSource,
) -> Result<SalesforcePort, ConfigError> {
    let client_id = secrets.required("TANDEM_SALESFORCE_CLIENT_ID")?;
    let client_secret = Secret::new(secrets.required("TANDEM_SALESFORCE_CLIENT_SECRET")?);
    let section = &config.salesforce;
    let mut settings = SalesforceConfig::new(client_id, client_secret);
    if let Some(login_url) = &section.login_url {
        settings.login_url = parse_url("salesforce.login_url", login_url)?;
    }
    if let Some(version) = &section.api_version {
        settings.api_version = version.clone();
    }
    if let Some(seconds) = section.timeout_seconds {
        settings.timeout = Duration::from_secs(seconds);
    }
    settings
        .validate()
        .map_err(|error| ConfigError::new("salesforce", error.to_string()))?;
    let client = SalesforceClient::new(settings)
        .map_err(|error| ConfigError::new("salesforce", error.to_string()))?;
    Ok(SalesforcePort::new(client))
}
