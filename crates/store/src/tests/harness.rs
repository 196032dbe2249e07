//! Opens a fresh, empty store on each database for one test.

use std::sync::atomic::{AtomicU32, Ordering};

use tandem_engine::state::StoreError;
use tempfile::TempDir;

use crate::{AnyStore, StoreLocation};

/// The variable that names the PostgreSQL database the tests may use, as a `postgres://` URL.
/// Each test creates a schema of its own there and leaves it behind.
pub const POSTGRES_URL_VARIABLE: &str = "TANDEM_TEST_POSTGRES_URL";

/// One test's store location: a file in a temporary folder, or a new PostgreSQL schema.
pub struct Harness {
    location: StoreLocation,
    _dir: Option<TempDir>,
}

impl Harness {
    /// A store in a new SQLite file.
    pub fn sqlite() -> Harness {
        let dir = TempDir::new().expect("temporary folder");
        Harness {
            location: StoreLocation::Sqlite(dir.path().join("tandem.db")),
            _dir: Some(dir),
        }
    }

    /// A store in a new schema of the test database, or `None` when no test database is
    /// named. Panics when one is named but cannot be used, so a broken CI setup fails.
    pub async fn postgres(test: &str) -> Option<Harness> {
        let Ok(url) = std::env::var(POSTGRES_URL_VARIABLE) else {
            eprintln!("{test}: {POSTGRES_URL_VARIABLE} is not set, PostgreSQL not checked");
            return None;
        };
        let schema = unique_schema(test);
        let pool = sqlx::PgPool::connect(&url).await.unwrap_or_else(|error| {
            panic!("{POSTGRES_URL_VARIABLE} is set but does not connect: {error}")
        });
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&pool)
            .await
            .expect("test schema is created");
        pool.close().await;
        let separator = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{separator}options[search_path]={schema}");
        Some(Harness {
            location: StoreLocation::Postgres(url),
            _dir: None,
        })
    }

    /// Opens the store, panicking when it does not open.
    pub async fn open(&self) -> AnyStore {
        self.try_open().await.expect("store opens")
    }

    /// Opens the store.
    pub async fn try_open(&self) -> Result<AnyStore, StoreError> {
        AnyStore::open(&self.location, None).await
    }
}

/// Names a schema after the test, the process and a counter, so concurrent and repeated test
/// runs never share one.
fn unique_schema(test: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or(0);
    format!("test_{test}_{}_{nanos}_{count}", std::process::id())
}

/// Reads one text column from one row selected by an integer ID, on either database.
pub async fn text(store: &AnyStore, sql: &'static str, id: i64) -> String {
    match store {
        AnyStore::Sqlite(store) => {
            sqlx::query_scalar(sql)
                .bind(id)
                .fetch_one(&store.pool)
                .await
        }
        AnyStore::Postgres(store) => {
            sqlx::query_scalar(sql)
                .bind(id)
                .fetch_one(&store.pool)
                .await
        }
    }
    .expect("row is read")
}

/// Records a schema version as applied, as a newer Tandem would.
pub async fn record_migration(store: &AnyStore, version: i64) {
    let sql = "INSERT INTO _sqlx_migrations
                   (version, description, success, checksum, execution_time)
               VALUES ($1, 'from a newer Tandem', TRUE, $2, 0)";
    let checksum = vec![0_u8; 48];
    match store {
        AnyStore::Sqlite(store) => sqlx::query(sql)
            .bind(version)
            .bind(checksum)
            .execute(&store.pool)
            .await
            .map(|_| ()),
        AnyStore::Postgres(store) => sqlx::query(sql)
            .bind(version)
            .bind(checksum)
            .execute(&store.pool)
            .await
            .map(|_| ()),
    }
    .expect("migration is recorded");
}

/// Reads when the cross-reference of NetSuite record `ns_id` was first saved, on either
/// database.
pub async fn xref_created_at(store: &AnyStore, flow: &str, ns_id: &str) -> String {
    let sql = "SELECT created_at FROM xrefs WHERE flow = $1 AND ns_id = $2";
    match store {
        AnyStore::Sqlite(store) => {
            sqlx::query_scalar(sql)
                .bind(flow)
                .bind(ns_id)
                .fetch_one(&store.pool)
                .await
        }
        AnyStore::Postgres(store) => {
            sqlx::query_scalar(sql)
                .bind(flow)
                .bind(ns_id)
                .fetch_one(&store.pool)
                .await
        }
    }
    .expect("cross-reference is read")
}
