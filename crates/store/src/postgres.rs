//! The store on a PostgreSQL server, for deployments that run several Tandem workers on one
//! database.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgPool};
use tandem_engine::state::StoreError;

use crate::migrate::{Dialect, migrate_error, migrator};

/// The engine's state in a PostgreSQL database.
#[derive(Clone)]
pub struct PostgresStore {
    pub(crate) pool: PgPool,
    /// The server and database, without the password, for messages.
    name: String,
}

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://user@host:port/database`), with
    /// `password` when the server asks for one, and runs the schema migrations it lacks.
    ///
    /// The URL may carry libpq-style parameters such as `sslmode`, a unix socket folder as
    /// `host=/run/postgresql`, or `options=-c search_path=tandem` to keep the tables in their
    /// own schema. Fails when the URL is invalid, the server cannot be reached or refuses the
    /// login, or the database was written by a newer Tandem.
    pub async fn open(url: &str, password: Option<&str>) -> Result<PostgresStore, StoreError> {
        let mut options = PgConnectOptions::from_str(url).map_err(|error| {
            StoreError::new(
                "invalid PostgreSQL URL; write it as postgres://user@host:5432/database",
                error,
            )
        })?;
        if let Some(password) = password {
            options = options.password(password);
        }
        let name = describe(&options);
        let options = options
            .application_name("tandem")
            // Every statement at debug level would drown the engine's own logs.
            .disable_statement_logging();
        // Opens one connection first, because it fails at once with the server's reason (refused,
        // wrong password, missing database), while the pool retries until its timeout.
        let probe = PgConnection::connect_with(&options)
            .await
            .map_err(|error| connect_error(&name, &error))?;
        let _ = probe.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await
            .map_err(|error| connect_error(&name, &error))?;
        migrator(Dialect::Postgres)
            .run(&pool)
            .await
            .map_err(|error| migrate_error(error, &name))?;
        Ok(PostgresStore { pool, name })
    }

    /// Returns the user, server and database of this store, without the password.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Closes every connection.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub(crate) async fn begin(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, StoreError> {
        self.pool
            .begin()
            .await
            .map_err(|error| StoreError::new("cannot start a transaction", error))
    }
}

/// Builds the error of a failed connection to the store `name`, with the server's message.
fn connect_error(name: &str, error: &sqlx::Error) -> StoreError {
    // sqlx adds the line of PostgreSQL's source code that raised the error, which means
    // nothing to a user, so only the message is kept.
    let reason = match error.as_database_error() {
        Some(database) => database.message().to_string(),
        None => error.to_string(),
    };
    StoreError {
        message: format!(
            "cannot connect to the PostgreSQL store {name}: {reason}; check that the server \
             runs, that the database exists and that the user and password \
             (TANDEM_STORE_PASSWORD) are right"
        ),
        cause: None,
    }
}

/// Names a database as `user@host:port/database`, leaving the password out.
fn describe(options: &PgConnectOptions) -> String {
    format!(
        "{}@{}:{}/{}",
        options.get_username(),
        options.get_host(),
        options.get_port(),
        options.get_database().unwrap_or(options.get_username()),
    )
}

/// The engine's store traits, from the SQL shared with SQLite.
mod sql {
    type Store = super::PostgresStore;
    type Db = sqlx::Postgres;
    type DbRow = sqlx::postgres::PgRow;

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

    /// The database's current time in the store's time format (RFC 3339, UTC, microseconds).
    const NOW: &str = r#"to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"#;

    /// Locks the rows a `SELECT` picks, skipping those another transaction holds.
    const SKIP_LOCKED: &str = "FOR UPDATE SKIP LOCKED";

    /// Returns the database's time `seconds` (a parameter such as `$3`) from now, in the
    /// store's time format.
    fn seconds_from_now(seconds: &str) -> String {
        format!(
            r#"to_char((now() + make_interval(secs => {seconds})) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"#
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn closed_port_fails_with_reason() {
        // A port that was just free and is closed again, so no server listens on it.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let url = format!("postgres://tandem@127.0.0.1:{port}/tandem");

        let error = PostgresStore::open(&url, None)
            .await
            .err()
            .expect("no server");

        let text = error.to_string();
        assert!(
            text.contains("cannot connect to the PostgreSQL store"),
            "{text}"
        );
        assert!(text.contains("refused"), "{text}");
        assert!(!text.contains("timed out"), "{text}");
    }

    #[tokio::test]
    async fn missing_database_is_named_without_source_line() {
        let Ok(base) = std::env::var("TANDEM_TEST_POSTGRES_URL") else {
            return;
        };
        let (address, query) = base.split_once('?').unwrap_or((&base, ""));
        let (server, _database) = address.rsplit_once('/').expect("a database in the URL");
        let url = format!("{server}/tandem_no_such_database?{query}");

        let error = PostgresStore::open(&url, None)
            .await
            .err()
            .expect("no database");

        let text = error.to_string();
        assert!(
            text.contains("\"tandem_no_such_database\" does not exist"),
            "{text}"
        );
        assert!(!text.contains(" at line "), "{text}");
    }
}
