//! Tandem's durable state: cross-references with their last synced values and fingerprints,
//! watermarks, the index of seen records, dead letters, the review and conflict queues, the
//! audit log, run history, and the MCP gateway's client tokens, approval requests and call log.
//!
//! Two databases hold the same schema and behave the same: [`SqliteStore`] (one file, the
//! default, for one process) and [`PostgresStore`] (for several workers on one database).
//! Both implement the engine's store traits from one body of SQL in `src/sql/`, which each
//! backend compiles with its own sqlx types through `include!`. The SQL uses `$1`-style
//! parameters and `RETURNING`, which both databases accept, so one query text serves both and
//! the two implementations cannot drift apart. The schema is versioned by the migrations in
//! `migrations/`, one folder per database.

mod codec;
mod copy;
mod history;
mod leases;
mod lock;
mod migrate;
mod postgres;
mod sqlite;

pub use history::{FoundRecord, RunOutcomes, RunRecord, SEARCH_LIMIT};
pub use leases::NetSuiteSlot;
pub use lock::{LockError, StoreLock};
pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

use std::path::PathBuf;
use std::sync::Arc;

use tandem_engine::state::{GatewayBackend, Store, StoreError};

/// Where a store lives, as the configuration names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    /// A SQLite database file.
    Sqlite(PathBuf),
    /// A PostgreSQL database, as a `postgres://` URL without the password.
    Postgres(String),
}

impl std::fmt::Display for StoreLocation {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreLocation::Sqlite(path) => write!(formatter, "{}", path.display()),
            StoreLocation::Postgres(url) => write!(formatter, "{url}"),
        }
    }
}

/// An open store on either database.
#[derive(Clone)]
pub enum AnyStore {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl AnyStore {
    /// Opens the store at `location`, running the schema migrations it lacks. `password` is
    /// used only for PostgreSQL.
    pub async fn open(
        location: &StoreLocation,
        password: Option<&str>,
    ) -> Result<AnyStore, StoreError> {
        match location {
            StoreLocation::Sqlite(path) => Ok(AnyStore::Sqlite(SqliteStore::open(path).await?)),
            StoreLocation::Postgres(url) => Ok(AnyStore::Postgres(
                PostgresStore::open(url, password).await?,
            )),
        }
    }

    /// Returns the store as the engine uses it.
    pub fn shared(&self) -> Arc<dyn Store> {
        match self {
            AnyStore::Sqlite(store) => Arc::new(store.clone()),
            AnyStore::Postgres(store) => Arc::new(store.clone()),
        }
    }

    /// Returns the store as the MCP gateway uses it: the engine's state, the gateway's own
    /// tables and the look-ups.
    pub fn gateway(&self) -> Arc<dyn GatewayBackend> {
        match self {
            AnyStore::Sqlite(store) => Arc::new(store.clone()),
            AnyStore::Postgres(store) => Arc::new(store.clone()),
        }
    }

    /// Marks runs still recorded as running as interrupted, and returns how many there were.
    /// Call it only while holding the store's lock.
    pub async fn close_interrupted_runs(&self) -> Result<u64, StoreError> {
        match self {
            AnyStore::Sqlite(store) => store.close_interrupted_runs().await,
            AnyStore::Postgres(store) => store.close_interrupted_runs().await,
        }
    }

    /// Closes every connection.
    pub async fn close(&self) {
        match self {
            AnyStore::Sqlite(store) => store.close().await,
            AnyStore::Postgres(store) => store.close().await,
        }
    }
}

/// Gives the engine's store methods on either database.
impl std::ops::Deref for AnyStore {
    type Target = dyn Store;

    fn deref(&self) -> &Self::Target {
        match self {
            AnyStore::Sqlite(store) => store,
            AnyStore::Postgres(store) => store,
        }
    }
}

#[cfg(test)]
mod tests;
