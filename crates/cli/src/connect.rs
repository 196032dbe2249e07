//! Building the clients, the store and the enabled flows from the configuration.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tandem_engine::Secret;
use tandem_engine::dry_run::DryRunPort;
use tandem_engine::flow::Flow;
use tandem_engine::retry::RetryPolicy;
use tandem_engine::two_way::Connections;
use tandem_netsuite::governance::{Scheduler, SharedLimit};
use tandem_netsuite::{NetSuiteClient, NetSuiteConfig, NetSuitePort, TokenCredentials};
use tandem_salesforce::{Login, SalesforceClient, SalesforceConfig, SalesforcePort};
use tandem_store::{AnyStore, LockError, PostgresStore, SqliteStore, StoreLocation, StoreLock};

use crate::config::{
    ConfigError, FileConfig, SalesforceSection, SecretSource, parse_url, store_password,
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
}

impl SetupError {
    /// Converts into the error `main` reports, keeping a [`ConfigError`] recognisable there so
    /// that it exits with status 2.
    pub fn into_anyhow(self) -> anyhow::Error {
        match self {
            SetupError::Config(error) => anyhow::Error::new(error),
            SetupError::Busy(error) => anyhow::Error::new(error),
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
    let store = AnyStore::open(&location, password.as_deref())
        .await
        .map_err(|error| ConfigError::new(key, error.to_string()))?;
    // On PostgreSQL this process is one of possibly several workers: it leases each flow
    // before a pass, which also closes the runs a dead worker left, and takes each NetSuite
    // request's slot from the limit all workers share.
    let (netsuite, worker) = match &store {
        AnyStore::Postgres(postgres) => {
            let shared = SharedNetSuiteLimit {
                store: postgres.clone(),
                limit: netsuite.client().scheduler().limit(),
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
        netsuite: Arc::new(netsuite),
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
    let netsuite = Arc::new(DryRunPort::new(Arc::new(netsuite_port(config, secrets)?)));
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

/// Builds the NetSuite port from the configuration and the secrets.
pub fn netsuite_port(
    config: &FileConfig,
    secrets: &SecretSource,
) -> Result<NetSuitePort, ConfigError> {
    netsuite_port_with(config, secrets, None)
}

/// Builds the NetSuite port, with its concurrency limit shared through `shared` when given.
fn netsuite_port_with(
    config: &FileConfig,
    secrets: &SecretSource,
    shared: Option<Box<dyn SharedLimit>>,
) -> Result<NetSuitePort, ConfigError> {
    let [
        account,
        consumer_key,
        consumer_secret,
        token_id,
        token_secret,
    ] = secrets.required_all([
        "TANDEM_NETSUITE_ACCOUNT",
        "TANDEM_NETSUITE_CONSUMER_KEY",
        "TANDEM_NETSUITE_CONSUMER_SECRET",
        "TANDEM_NETSUITE_TOKEN_ID",
        "TANDEM_NETSUITE_TOKEN_SECRET",
    ])?;
    let credentials = TokenCredentials {
        consumer_key,
        consumer_secret: Secret::new(consumer_secret),
        token_id,
        token_secret: Secret::new(token_secret),
    };
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
    let client = match shared {
        Some(shared) => {
            let limit = settings.concurrency_limit;
            let retry = settings.concurrency_retry;
            let scheduler = Scheduler::with_shared_limit(limit, retry, shared);
            NetSuiteClient::with_scheduler(settings, scheduler)
        }
        None => NetSuiteClient::new(settings),
    }
    .map_err(|error| ConfigError::new("netsuite", error.to_string()))?;
    Ok(NetSuitePort::new(client))
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
