//! Copies a PostgreSQL store into a new SQLite file, for a dry run that must plan against the
//! real state and leave it as it is.

use std::path::Path;

use sqlx::postgres::PgRow;
use sqlx::{Column, Row, TypeInfo};
use tandem_engine::state::StoreError;

use crate::{PostgresStore, SqliteStore};

/// The tables that hold state, in an order that satisfies every reference between them.
const TABLES: &[&str] = &[
    "identities",
    "watermarks",
    "seen_records",
    "xrefs",
    "dead_letters",
    "excluded_records",
    "reviews",
    "conflicts",
    "audit_log",
    "flow_values",
    "runs",
];

/// One column value: every column of the schema is text or a 64-bit integer.
enum Value {
    Text(Option<String>),
    Integer(Option<i64>),
}

fn failed(what: String) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |error| StoreError::new(format!("cannot {what}"), error)
}

fn values(row: &PgRow, table: &str) -> Result<Vec<Value>, StoreError> {
    row.columns()
        .iter()
        .map(|column| {
            let name = column.name();
            let read = failed(format!("read column {table}.{name}"));
            match column.type_info().name() {
                "INT8" | "INT4" => row.try_get(column.ordinal()).map(Value::Integer),
                _ => row.try_get(column.ordinal()).map(Value::Text),
            }
            .map_err(read)
        })
        .collect()
}

impl PostgresStore {
    /// Writes a copy of this store's state to a new SQLite store at `path` and returns it.
    /// The tables are read in one read-only transaction, so the copy is consistent while
    /// workers keep writing.
    ///
    /// NOTE: each table is read into memory whole, so a copy needs memory in proportion to
    /// the largest table (usually `seen_records`).
    pub async fn copy_to_sqlite(&self, path: &Path) -> Result<SqliteStore, StoreError> {
        let copy = SqliteStore::open(path).await?;
        let mut source = self.begin().await?;
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .execute(&mut *source)
            .await
            .map_err(failed("start a consistent read of the store".to_string()))?;
        for table in TABLES {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT * FROM {table}")))
                .fetch_all(&mut *source)
                .await
                .map_err(failed(format!("read the table {table}")))?;
            copy.insert_rows(table, &rows).await?;
        }
        Ok(copy)
    }
}

impl SqliteStore {
    async fn insert_rows(&self, table: &str, rows: &[PgRow]) -> Result<(), StoreError> {
        let Some(first) = rows.first() else {
            return Ok(());
        };
        let names: Vec<&str> = first.columns().iter().map(Column::name).collect();
        let placeholders: Vec<String> = (1..=names.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "INSERT INTO {table} ({}) VALUES ({})",
            names.join(", "),
            placeholders.join(", ")
        );
        let mut transaction = self.begin().await?;
        for row in rows {
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()));
            for value in values(row, table)? {
                query = match value {
                    Value::Text(text) => query.bind(text),
                    Value::Integer(number) => query.bind(number),
                };
            }
            query
                .execute(&mut *transaction)
                .await
                .map_err(failed(format!("copy a row of {table}")))?;
        }
        transaction
            .commit()
            .await
            .map_err(failed(format!("commit the copy of {table}")))
    }
}
