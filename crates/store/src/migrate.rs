//! Versioned schema migrations, run each time a store opens.
//!
//! Each database has its own folder of SQL files under `migrations/`, one file per version,
//! compiled into the binary. sqlx records the applied versions in `_sqlx_migrations`, runs the
//! missing ones in order, each in its own transaction, and on PostgreSQL holds an advisory
//! lock meanwhile, so workers that start together migrate once.

use std::borrow::Cow;

use sqlx::SqlSafeStr;
use sqlx::migrate::{MigrateError, Migration, MigrationType, Migrator};
use tandem_engine::state::StoreError;

/// The SQL dialect a migration is written for.
#[derive(Debug, Clone, Copy)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One schema version, written once for each database.
struct Version {
    number: i64,
    description: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

/// Every schema version this build knows, oldest first.
const VERSIONS: &[Version] = &[
    Version {
        number: 1,
        description: "initial",
        sqlite: include_str!("../migrations/sqlite/0001_initial.sql"),
        postgres: include_str!("../migrations/postgres/0001_initial.sql"),
    },
    Version {
        number: 2,
        description: "flow leases",
        sqlite: include_str!("../migrations/sqlite/0002_flow_leases.sql"),
        postgres: include_str!("../migrations/postgres/0002_flow_leases.sql"),
    },
    Version {
        number: 3,
        description: "mcp gateway",
        sqlite: include_str!("../migrations/sqlite/0003_mcp_gateway.sql"),
        postgres: include_str!("../migrations/postgres/0003_mcp_gateway.sql"),
    },
    Version {
        number: 4,
        description: "work items",
        sqlite: include_str!("../migrations/sqlite/0004_work_items.sql"),
        postgres: include_str!("../migrations/postgres/0004_work_items.sql"),
    },
];

/// Builds the migrator of `dialect` from the migrations compiled into this build.
pub fn migrator(dialect: Dialect) -> Migrator {
    let migrations = VERSIONS
        .iter()
        .map(|version| {
            let sql = match dialect {
                Dialect::Sqlite => version.sqlite,
                Dialect::Postgres => version.postgres,
            };
            Migration::new(
                version.number,
                Cow::Borrowed(version.description),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(migrations)
}

/// Converts a migration failure into a store error that names the store and the way out.
pub fn migrate_error(error: MigrateError, store: &str) -> StoreError {
    match error {
        MigrateError::VersionMissing(version) => StoreError {
            message: format!(
                "{store} has schema version {version}, newer than this Tandem knows ({}); \
                 upgrade Tandem or use another store",
                latest_version()
            ),
            cause: None,
        },
        other => StoreError::new(format!("cannot migrate the schema of {store}"), other),
    }
}

/// Returns the newest schema version this build knows.
pub fn latest_version() -> i64 {
    VERSIONS.last().map_or(0, |version| version.number)
}
