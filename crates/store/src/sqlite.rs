//! The store in one SQLite file, in WAL mode. One `tandem run` process uses it at a time
//! (see [`crate::StoreLock`]).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, SqlitePool};
use tandem_engine::state::StoreError;

use crate::migrate::{Dialect, migrate_error, migrator};

/// The engine's state in a SQLite database file.
#[derive(Clone)]
pub struct SqliteStore {
    pub(crate) pool: SqlitePool,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens the database at `path`, creating the file when missing and running the schema
    /// migrations it lacks.
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
        migrator(Dialect::Sqlite)
            .run(&pool)
            .await
            .map_err(|error| migrate_error(error, &path.display().to_string()))?;
        Ok(SqliteStore { pool, path })
    }

    /// Writes a consistent copy of the database at `source` to `target` (which must not
    /// exist) through a read-only connection, so the source file is not written at all: not
    /// even by the migration check that [`SqliteStore::open`] runs. For a dry run.
    pub async fn copy_file(source: &Path, target: &Path) -> Result<(), StoreError> {
        let failed = |error| {
            let message = format!("cannot copy the store at {}", source.display());
            StoreError::new(message, error)
        };
        let options = SqliteConnectOptions::from_str("sqlite://")
            .map_err(|error| StoreError::new("invalid SQLite options", error))?
            .filename(source)
            .read_only(true)
            .busy_timeout(Duration::from_secs(10))
            .disable_statement_logging();
        let mut connection = options.connect().await.map_err(failed)?;
        sqlx::query("VACUUM INTO $1")
            .bind(target.to_string_lossy().to_string())
            .execute(&mut connection)
            .await
            .map_err(failed)?;
        connection.close().await.map_err(failed)?;
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

    pub(crate) async fn begin(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, StoreError> {
        self.pool
            .begin()
            .await
            .map_err(|error| StoreError::new("cannot start a transaction", error))
    }
}

/// The engine's store traits, from the SQL shared with PostgreSQL.
mod sql {
    type Store = super::SqliteStore;
    type Db = sqlx::Sqlite;
    type DbRow = sqlx::sqlite::SqliteRow;

    mod state {
        include!("sql/state.rs");
    }
    mod queues {
        include!("sql/queues.rs");
    }
    mod dead_letters {
        include!("sql/dead_letters.rs");
    }
    mod gateway {
        include!("sql/gateway.rs");
    }
    mod history {
        include!("sql/history.rs");
    }
    mod work {
        include!("sql/work.rs");
    }
    mod batch {
        include!("sql/batch.rs");
    }

    /// The database's current time, RFC 3339 in UTC with milliseconds. Only compared with
    /// times from `seconds_from_now`, which has the same format.
    const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

    /// SQLite has no row locks: a statement that writes holds the whole database, so one
    /// `UPDATE ... WHERE id = (SELECT ...)` already picks and leases an item atomically.
    const SKIP_LOCKED: &str = "";

    /// Returns the database's time `seconds` (a parameter such as `$3`) from now, in the
    /// format of `NOW`.
    fn seconds_from_now(seconds: &str) -> String {
        format!("strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+' || {seconds} || ' seconds')")
    }
}
