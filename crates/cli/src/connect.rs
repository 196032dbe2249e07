//! Building the clients, the store and the enabled flows from the configuration.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tandem_engine::dry_run::DryRunPort;
use tandem_engine::flow::Flow;
use tandem_engine::retry::RetryPolicy;
use tandem_engine::two_way::Connections;
use tandem_engine::{RecordPort, Secret};
use tandem_netsuite::config::DEFAULT_CONCURRENCY_LIMIT;
use tandem_netsuite::governance::{Scheduler, SharedLimit};
use tandem_netsuite::{
    NetSuiteClient, NetSuiteConfig, NetSuitePort, OAuth2Credentials, RestAuth, RestClient,
    RestConfig, RestPort, SigningAlgorithm, TokenCredentials,
};
use tandem_salesforce::{Login, SalesforceClient, SalesforceConfig, SalesforcePort};
use tandem_store::{AnyStore, LockError, PostgresStore, SqliteStore, StoreLocation, StoreLock};

use crate::config::{
    ConfigError, FileConfig, NetSuiteSection, SalesforceSection, SecretSource, parse_url,
    store_password,
};
use crate::flows::enabled_flows;
use crate::worker::{SharedNetSuiteLimit, Worker};

/// Everything a pass needs: the two ports, the store and the enabled flows.
pub struct Setup {
    pub connections: Connections,
    pub flows: Vec<Box<dyn Flow>>,
    pub store: AnyStore,
    /// With a PostgreSQL store: this process as one of the store's workers.
    pub worker: Option<Worker>,
    /// Keeps other Tandem processes off a SQLite store while the setup lives.
    _lock: Option<StoreLock>,
    /// For a dry run: the folder of the store's copy, removed when the setup is dropped.
    _copy: Option<tempfile::TempDir>,
    /// For a dry run: the ports that record the writes instead of sending them.
    pub dry_run: Option<[Arc<DryRunPort>; 2]>,
}

/// Why a setup could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// Another process holds the store.
    #[error(transparent)]
    Busy(LockError),
    /// The PostgreSQL store could not be opened: its server is unreachable or rejects the
    /// login.
    #[error("cannot open the store at {key}: {error}")]
    Store {
        key: &'static str,
        error: tandem_engine::state::StoreError,
    },
}

impl SetupError {
    /// Converts into the error `main` reports, keeping a [`ConfigError`] recognisable there so
    /// that it exits with status 2.
    pub fn into_anyhow(self) -> anyhow::Error {
        match self {
            SetupError::Config(error) => anyhow::Error::new(error),
            SetupError::Busy(error) => anyhow::Error::new(error),
            error @ SetupError::Store { .. } => anyhow::Error::new(error),
        }
    }
}

/// Builds the setup from a configuration file's contents. `config_dir` resolves a relative
/// store path. Configuration problems come back as [`ConfigError`].
pub async fn connect(
    config: &FileConfig,
    config_dir: &Path,
    secrets: &SecretSource,
) -> Result<Setup, SetupError> {
    let flows = enabled_flows(config)?;
    let netsuite = netsuite_port(config, secrets)?;
    let salesforce = salesforce_port(config, secrets)?;
    let location = config.store_location(config_dir)?;
    let key = store_key(&location);
    // Several workers may share a PostgreSQL store; a SQLite file belongs to one process.
    let lock = match &location {
        StoreLocation::Sqlite(path) => {
            Some(StoreLock::acquire(path).map_err(|error| match error {
                LockError::Busy { .. } => SetupError::Busy(error),
                _ => SetupError::Config(ConfigError::new(key, error.to_string())),
            })?)
        }
        StoreLocation::Postgres(_) => None,
    };
    let password = store_password(secrets)?;
    // A SQLite file that cannot be opened means a wrong path in the file. A PostgreSQL server
    // that is unreachable or rejects the login is a problem outside it.
    let store = AnyStore::open(&location, password.as_deref())
        .await
        .map_err(|error| match &location {
            StoreLocation::Sqlite(_) => {
                SetupError::Config(ConfigError::new(key, error.to_string()))
            }
            StoreLocation::Postgres(_) => SetupError::Store { key, error },
        })?;
    // On PostgreSQL this process is one of possibly several workers: it leases each flow
    // before a pass, which also closes the runs a dead worker left, and takes each NetSuite
    // request's slot from the limit all workers share.
    let (netsuite, worker) = match &store {
        AnyStore::Postgres(postgres) => {
            let shared = SharedNetSuiteLimit {
                store: postgres.clone(),
                limit: config
                    .netsuite
                    .concurrency_limit
                    .unwrap_or(DEFAULT_CONCURRENCY_LIMIT),
            };
            let netsuite = netsuite_port_with(config, secrets, Some(Box::new(shared)))?;
            let worker = Worker::new(postgres.clone(), config.lease());
            tracing::info!(
                worker = worker.id(),
                store = postgres.name(),
                "worker started"
            );
            (netsuite, Some(worker))
        }
        AnyStore::Sqlite(_) => {
            close_interrupted_runs(&store, key).await?;
            (netsuite, None)
        }
    };
    let connections = Connections {
        netsuite,
        salesforce: Arc::new(salesforce),
        store: store.shared(),
        retry: RetryPolicy::default(),
    };
    Ok(Setup {
        connections,
        flows,
        store,
        worker,
        _lock: lock,
        _copy: None,
        dry_run: None,
    })
}

/// Builds a setup for a dry run: the real ports wrapped so that they only record writes, and
/// a copy of the store in a temporary folder, so neither system nor the store changes.
pub async fn connect_dry_run(
    config: &FileConfig,
    config_dir: &Path,
    secrets: &SecretSource,
) -> Result<Setup, ConfigError> {
    let flows = enabled_flows(config)?;
    let netsuite = Arc::new(DryRunPort::new(netsuite_port(config, secrets)?));
    let salesforce = Arc::new(DryRunPort::new(Arc::new(salesforce_port(config, secrets)?)));
    let copy = tempfile::TempDir::with_prefix("tandem-dry-run-").map_err(|error| {
        ConfigError::new(
            "store.path",
            format!("cannot create a temporary folder: {error}"),
        )
    })?;
    let copy_path = copy.path().join("tandem.db");
    let location = config.store_location(config_dir)?;
    let key = store_key(&location);
    let store = copy_store(&location, &copy_path, secrets)
        .await
        .map_err(|error| ConfigError::new(key, error.to_string()))?;
    let connections = Connections {
        netsuite: netsuite.clone(),
        salesforce: salesforce.clone(),
        store: Arc::new(store.clone()),
        retry: RetryPolicy::default(),
    };
    Ok(Setup {
        connections,
        flows,
        store: AnyStore::Sqlite(store),
        worker: None,
        _lock: None,
        _copy: Some(copy),
        dry_run: Some([netsuite, salesforce]),
    })
}

/// Copies the store at `location` into a new SQLite file at `copy_path` and opens the copy.
/// A store that does not exist yet gives an empty copy.
async fn copy_store(
    location: &StoreLocation,
    copy_path: &Path,
    secrets: &SecretSource,
) -> Result<SqliteStore, Box<dyn std::error::Error>> {
    match location {
        StoreLocation::Sqlite(path) if path.exists() => {
            SqliteStore::copy_file(path, copy_path).await?;
        }
        StoreLocation::Sqlite(_) => {}
        StoreLocation::Postgres(url) => {
            let password = store_password(secrets)?;
            let original = PostgresStore::open(url, password.as_deref()).await?;
            let copy = original.copy_to_sqlite(copy_path).await?;
            copy.close().await;
            original.close().await;
        }
    }
    Ok(SqliteStore::open(copy_path).await?)
}

/// Opens the store named by the configuration without locking it, for the commands that work
/// the queues while a daemon may be running.
pub async fn open_store(
    config: &FileConfig,
    config_dir: &Path,
    secrets: &SecretSource,
) -> Result<AnyStore, ConfigError> {
    let location = config.store_location(config_dir)?;
    let key = store_key(&location);
    if let StoreLocation::Sqlite(path) = &location
        && !path.exists()
    {
        let message = format!(
            "no store at {}; run `tandem run` first, or check [store] path",
            path.display()
        );
        return Err(ConfigError::new(key, message));
    }
    let password = store_password(secrets)?;
    AnyStore::open(&location, password.as_deref())
        .await
        .map_err(|error| ConfigError::new(key, error.to_string()))
}

/// Marks the runs a stopped process left running as interrupted. Only for a store this
/// process holds alone.
async fn close_interrupted_runs(store: &AnyStore, key: &str) -> Result<(), ConfigError> {
    let interrupted = store
        .close_interrupted_runs()
        .await
        .map_err(|error| ConfigError::new(key, error.to_string()))?;
    if interrupted > 0 {
        tracing::warn!(
            runs = interrupted,
            "marked runs of a stopped process as interrupted"
        );
    }
    Ok(())
}

/// Names the configuration key that chose the store, for error messages.
fn store_key(location: &StoreLocation) -> &'static str {
    match location {
        StoreLocation::Sqlite(_) => "store.path",
        StoreLocation::Postgres(_) => "store.url",
    }
}

/// Builds the NetSuite port of `[netsuite] transport` from the configuration and the secrets.
pub fn netsuite_port(
    config: &FileConfig,
    secrets: &SecretSource,
) -> Result<Arc<dyn RecordPort>, ConfigError> {
    netsuite_port_with(config, secrets, None)
}

/// Builds the NetSuite port of `[netsuite] transport`, with its concurrency limit shared
/// through `shared` when given.
fn netsuite_port_with(
    config: &FileConfig,
    secrets: &SecretSource,
    shared: Option<Box<dyn SharedLimit>>,
) -> Result<Arc<dyn RecordPort>, ConfigError> {
    match config.netsuite.transport.as_deref() {
        Some("rest") => Ok(Arc::new(netsuite_rest_port(config, secrets, shared)?)),
        _ => Ok(Arc::new(netsuite_soap_port(config, secrets, shared)?)),
    }
}

/// Returns the concurrency scheduler of a new client of `[netsuite] transport`, for reports of
/// the configured limit.
pub fn netsuite_scheduler(
    config: &FileConfig,
    secrets: &SecretSource,
) -> Result<Arc<Scheduler>, ConfigError> {
    let scheduler = match config.netsuite.transport.as_deref() {
        Some("rest") => netsuite_rest_port(config, secrets, None)?
            .client()
            .scheduler()
            .clone(),
        _ => netsuite_soap_port(config, secrets, None)?
            .client()
            .scheduler()
            .clone(),
    };
    Ok(scheduler)
}

/// Returns the account's scheduler: one that takes each request's slot from `shared` when
/// given, else the one this process keeps for `account` at `url`'s origin, so SOAP and REST
/// clients of one account share its concurrency limit.
fn account_scheduler(
    account: &str,
    url: &url::Url,
    limit: usize,
    retry: Duration,
    shared: Option<Box<dyn SharedLimit>>,
) -> Arc<Scheduler> {
    match shared {
        Some(shared) => Scheduler::with_shared_limit(limit, retry, shared),
        None => {
            let key = format!(
                "{}@{}",
                account.to_ascii_uppercase(),
                url.origin().ascii_serialization()
            );
            Scheduler::for_account(&key, limit, retry)
        }
    }
}

/// Reads the token-based authentication secrets.
fn token_credentials(secrets: &SecretSource) -> Result<TokenCredentials, ConfigError> {
    let [consumer_key, consumer_secret, token_id, token_secret] = secrets.required_all([
        "TANDEM_NETSUITE_CONSUMER_KEY",
        "TANDEM_NETSUITE_CONSUMER_SECRET",
        "TANDEM_NETSUITE_TOKEN_ID",
        "TANDEM_NETSUITE_TOKEN_SECRET",
    ])?;
    Ok(TokenCredentials {
        consumer_key,
        consumer_secret: Secret::new(consumer_secret),
        token_id,
        token_secret: Secret::new(token_secret),
    })
}

/// Builds the SuiteTalk SOAP port.
fn netsuite_soap_port(
    config: &FileConfig,
    secrets: &SecretSource,
    shared: Option<Box<dyn SharedLimit>>,
) -> Result<NetSuitePort, ConfigError> {
    let account = secrets.required("TANDEM_NETSUITE_ACCOUNT")?;
    let credentials = token_credentials(secrets)?;
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
    if let Some(limit) = section.concurrency_limit {
        settings.concurrency_limit = limit;
    }
    if let Some(seconds) = section.concurrency_retry_seconds {
        settings.concurrency_retry = Duration::from_secs(seconds);
    }
    if let Some(zone) = &section.user_time_zone {
        settings.user_time_zone = crate::config::parse_time_zone(zone)?;
    }
    settings
        .validate()
        .map_err(|error| ConfigError::new("netsuite", error.to_string()))?;
    let endpoint = settings
        .endpoint_url()
        .map_err(|error| ConfigError::new("netsuite", error.to_string()))?;
    let scheduler = account_scheduler(
        &settings.passport_account(),
        &endpoint,
        settings.concurrency_limit,
        settings.concurrency_retry,
        shared,
    );
    let client = NetSuiteClient::with_scheduler(settings, scheduler)
        .map_err(|error| ConfigError::new("netsuite", error.to_string()))?;
    Ok(NetSuitePort::new(client))
}

/// Builds the REST web services and SuiteQL port.
fn netsuite_rest_port(
    config: &FileConfig,
    secrets: &SecretSource,
    shared: Option<Box<dyn SharedLimit>>,
) -> Result<RestPort, ConfigError> {
    let account = secrets.required("TANDEM_NETSUITE_ACCOUNT")?;
    let section = &config.netsuite;
    let auth = match section.auth.as_deref() {
        Some("oauth2") => RestAuth::OAuth2(oauth2_credentials(secrets)?),
        _ => RestAuth::Tba(token_credentials(secrets)?),
    };
    let mut settings = RestConfig::new(account, auth);
    settings.base_url = rest_base_url(section)?;
    if let Some(seconds) = section.timeout_seconds {
        settings.timeout = Duration::from_secs(seconds);
    }
    if let Some(limit) = section.concurrency_limit {
        settings.concurrency_limit = limit;
    }
    if let Some(seconds) = section.concurrency_retry_seconds {
        settings.concurrency_retry = Duration::from_secs(seconds);
    }
    if let Some(zone) = &section.user_time_zone {
        settings.user_time_zone = crate::config::parse_time_zone(zone)?;
    }
    settings
        .validate()
        .map_err(|error| ConfigError::new("netsuite", error.to_string()))?;
    let base = settings
        .base()
        .map_err(|error| ConfigError::new("netsuite", error.to_string()))?;
    let scheduler = account_scheduler(
        &settings.realm(),
        &base,
        settings.concurrency_limit,
        settings.concurrency_retry,
        shared,
    );
    let client = RestClient::with_scheduler(settings, scheduler)
        .map_err(|error| ConfigError::new("netsuite", error.to_string()))?;
    Ok(RestPort::new(client))
}

/// Reads the OAuth 2.0 client credentials; the algorithm follows the private key's type.
fn oauth2_credentials(secrets: &SecretSource) -> Result<OAuth2Credentials, ConfigError> {
    let [client_id, certificate_id, private_key] = secrets.required_all([
        "TANDEM_NETSUITE_CLIENT_ID",
        "TANDEM_NETSUITE_CERTIFICATE_ID",
        "TANDEM_NETSUITE_PRIVATE_KEY",
    ])?;
    let private_key = Secret::new(private_key);
    let algorithm = SigningAlgorithm::for_key(&private_key)
        .map_err(|error| ConfigError::new("TANDEM_NETSUITE_PRIVATE_KEY", error.to_string()))?;
    Ok(OAuth2Credentials {
        client_id,
        certificate_id,
        private_key,
        algorithm,
    })
}

/// Returns `[netsuite] rest_url`, or the scheme, host and port of `endpoint`, or `None` for
/// the account's own host.
fn rest_base_url(section: &NetSuiteSection) -> Result<Option<url::Url>, ConfigError> {
    if let Some(rest_url) = &section.rest_url {
        return parse_url("netsuite.rest_url", rest_url).map(Some);
    }
    let Some(endpoint) = &section.endpoint else {
        return Ok(None);
    };
    let mut origin = parse_url("netsuite.endpoint", endpoint)?;
    origin.set_path("");
    origin.set_query(None);
    Ok(Some(origin))
}

/// Builds the Salesforce port from the configuration and the secrets.
pub fn salesforce_port(
    config: &FileConfig,
    secrets: &SecretSource,
) -> Result<SalesforcePort, ConfigError> {
    let section = &config.salesforce;
    let mut settings = SalesforceConfig::with_login(salesforce_login(section, secrets)?);
    match &section.login_url {
        Some(login_url) => settings.login_url = parse_url("salesforce.login_url", login_url)?,
        None => tracing::warn!(
            login_url = %settings.login_url,
            "no [salesforce] login_url: the client credentials flow needs your org's My Domain URL"
        ),
    }
    if let Some(version) = &section.api_version {
        settings.api_version = version.clone();
    }
    if let Some(seconds) = section.timeout_seconds {
        settings.timeout = Duration::from_secs(seconds);
    }
    if let Some(threshold) = section.bulk_threshold {
        settings.bulk_threshold = threshold;
    }
    if let Some(percent) = section.api_reserve_percent {
        settings.api_reserve_percent = percent;
    }
    if let Some(concurrency) = section.collection_concurrency {
        settings.collection_concurrency = concurrency;
    }
    settings
        .validate()
        .map_err(|error| ConfigError::new("salesforce", error.to_string()))?;
    let client = SalesforceClient::new(settings)
        .map_err(|error| ConfigError::new("salesforce", error.to_string()))?;
    Ok(SalesforcePort::new(client))
}

/// Builds the OAuth login of `[salesforce] login_flow` from its secrets and settings.
fn salesforce_login(
    section: &SalesforceSection,
    secrets: &SecretSource,
) -> Result<Login, ConfigError> {
    let username = || {
        section.username.clone().ok_or_else(|| {
            ConfigError::new(
                "salesforce.username",
                "missing: set the Salesforce username",
            )
        })
    };
    let login = match section
        .login_flow
        .as_deref()
        .unwrap_or("client_credentials")
    {
        "jwt_bearer" => {
            let [client_id, private_key] = secrets.required_all([
                "TANDEM_SALESFORCE_CLIENT_ID",
                "TANDEM_SALESFORCE_PRIVATE_KEY",
            ])?;
            Login::JwtBearer {
                client_id,
                username: username()?,
                private_key: Secret::new(private_key),
                audience: section.jwt_audience.clone(),
            }
        }
        "refresh_token" => {
            let [client_id, client_secret, refresh_token] = secrets.required_all([
                "TANDEM_SALESFORCE_CLIENT_ID",
                "TANDEM_SALESFORCE_CLIENT_SECRET",
                "TANDEM_SALESFORCE_REFRESH_TOKEN",
            ])?;
            Login::RefreshToken {
                client_id,
                client_secret: Some(Secret::new(client_secret)),
                refresh_token: Secret::new(refresh_token),
            }
        }
        "password" => {
            let [client_id, client_secret, password] = secrets.required_all([
                "TANDEM_SALESFORCE_CLIENT_ID",
                "TANDEM_SALESFORCE_CLIENT_SECRET",
                "TANDEM_SALESFORCE_PASSWORD",
            ])?;
            Login::Password {
                client_id,
                client_secret: Secret::new(client_secret),
                username: username()?,
                password: Secret::new(password),
            }
        }
        _ => {
            let [client_id, client_secret] = secrets.required_all([
                "TANDEM_SALESFORCE_CLIENT_ID",
                "TANDEM_SALESFORCE_CLIENT_SECRET",
            ])?;
            Login::ClientCredentials {
                client_id,
                client_secret: Secret::new(client_secret),
            }
        }
    };
    Ok(login)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(endpoint: Option<&str>, rest_url: Option<&str>) -> NetSuiteSection {
        NetSuiteSection {
            endpoint: endpoint.map(str::to_string),
            rest_url: rest_url.map(str::to_string),
            ..NetSuiteSection::default()
        }
    }

    #[test]
    fn rest_base_url_follows_soap_endpoint() {
        let soap = section(
            Some("http://127.0.0.1:9001/services/NetSuitePort_2025_2"),
            None,
        );
        let base = rest_base_url(&soap).unwrap().unwrap();
        assert_eq!(base.as_str(), "http://127.0.0.1:9001/");
    }

    #[test]
    fn rest_base_url_prefers_rest_url() {
        let both = section(
            Some("http://127.0.0.1:9001/services/NetSuitePort_2025_2"),
            Some("https://123.suitetalk.api.netsuite.com"),
        );
        let base = rest_base_url(&both).unwrap().unwrap();
        assert_eq!(base.host_str(), Some("123.suitetalk.api.netsuite.com"));
        assert!(rest_base_url(&section(None, None)).unwrap().is_none());
    }

    #[test]
    fn oauth2_credentials_need_all_three_secrets() {
        let secrets = SecretSource::only([("TANDEM_NETSUITE_CLIENT_ID", "abc".to_string())]);
        let error = oauth2_credentials(&secrets).unwrap_err();
        assert!(
            error.message.contains("TANDEM_NETSUITE_CERTIFICATE_ID"),
            "{}",
            error.message
        );
        assert!(
            error.message.contains("TANDEM_NETSUITE_PRIVATE_KEY"),
            "{}",
            error.message
        );
    }
}
