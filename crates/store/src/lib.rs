//! Tandem's durable state in one SQLite file (WAL mode): cross-references with their last
//! synced values and fingerprints, watermarks, the index of seen records, dead letters and run
//! history. [`SqliteStore`] implements the engine's [`StateStore`].

mod codec;
mod dead_letters;
mod lock;
mod queues;
mod schema;
mod sqlite;

pub use lock::{LockError, StoreLock};

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Row, SqlitePool};
use tandem_engine::state::StoreError;

/// The engine's state in a SQLite database file.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file and the schema when missing.
    ///
    /// Fails when the file cannot be opened or created, or when it was written by a newer
    /// Tandem whose schema this build does not know.
    pub async fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|error| StoreError::new("invalid SQLite options", error))?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true)
            // Every statement at debug level would drown the engine's own logs.
            .disable_statement_logging();
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|error| {
                let message = format!(
                    "cannot open the store at {}; check that its folder exists and is \
                     writable and that the file is a Tandem store",
                    path.display()
                );
                StoreError::new(message, error)
            })?;
        let store = SqliteStore { pool, path };
        store.migrate().await?;
        Ok(store)
    }

    /// Marks runs still recorded as running as interrupted, and returns how many there were.
    ///
    /// Call it only while holding the store's [`StoreLock`], when no pass can be running: a
    /// run left `running` then belongs to a process that was killed.
    pub async fn close_interrupted_runs(&self) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "UPDATE runs SET status = 'interrupted', finished_at = ?,
                error = 'the process stopped before the pass finished'
             WHERE status = 'running'",
        )
        .bind(codec::time_text(chrono::Utc::now()))
        .execute(&self.pool)
        .await
        .map_err(|error| StoreError::new("cannot close interrupted runs", error))?;
        Ok(result.rows_affected())
    }

    /// Writes a consistent copy of the database to `path` (which must not exist), for a dry
    /// run that must leave this store as it is.
    pub async fn copy_to(&self, path: &Path) -> Result<(), StoreError> {
        let target = path.to_string_lossy().to_string();
        sqlx::query("VACUUM INTO ?")
            .bind(target)
            .execute(&self.pool)
            .await
            .map_err(|error| {
                StoreError::new(
                    format!("cannot copy the store to {}", path.display()),
                    error,
                )
            })?;
        Ok(())
    }

    /// Returns the path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Closes every connection, checkpointing the write-ahead log into the database file.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let version: i64 = sqlx::query("PRAGMA user_version")
            .fetch_one(&self.pool)
            .await
            .and_then(|row| row.try_get(0))
            .map_err(|error| StoreError::new("cannot read the schema version", error))?;
        if version > schema::VERSION {
            return Err(StoreError {
                message: format!(
                    "{} has schema version {version}, newer than this Tandem knows ({}); \
                     upgrade Tandem or use another store path",
                    self.path.display(),
                    schema::VERSION
                ),
                cause: None,
            });
        }
        let mut transaction = self.begin().await?;
        for statement in schema::CREATE {
            sqlx::query(*statement)
                .execute(&mut *transaction)
                .await
                .map_err(|error| StoreError::new("cannot create the schema", error))?;
        }
        let set_version = format!("PRAGMA user_version = {}", schema::VERSION);
        sqlx::query(sqlx::AssertSqlSafe(set_version))
            .execute(&mut *transaction)
            .await
            .map_err(|error| StoreError::new("cannot set the schema version", error))?;
        transaction
            .commit()
            .await
            .map_err(|error| StoreError::new("cannot commit the schema", error))
    }

    pub(crate) async fn begin(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        self.pool
            .begin()
            .await
            .map_err(|error| StoreError::new("cannot start a transaction", error))
    }
}

#[cfg(test)]
mod tests;
