// The engine's `DeadLetterStore` in SQL that SQLite and PostgreSQL both run.

use async_trait::async_trait;
use chrono::Utc;
use tandem_engine::state::{
    DeadLetter, DeadLetterStatus, DeadLetterStore, StoreError, StoredDeadLetter,
};
use tandem_engine::{Fields, RemoteError, System};

use super::state::{column, failed};
use super::{Db, DbRow, Store};
use crate::codec::{
    error_text, fields_text, parse_error, parse_fields, parse_system, parse_time, time_text,
};

pub(super) fn dead_letter_from_row(row: &DbRow) -> Result<StoredDeadLetter, StoreError> {
    let letter = DeadLetter {
        flow: column(row, "flow")?,
        source_system: parse_system(&column::<String>(row, "source_system")?)?,
        source_id: column(row, "source_id")?,
        target_id: column(row, "target_id")?,
        action: column(row, "action")?,
        payload: parse_fields(&column::<String>(row, "payload")?)?,
        error: parse_error(&column::<String>(row, "error")?)?,
    };
    let status: String = column(row, "status")?;
    let status = status.parse().map_err(|message| StoreError {
        message,
        cause: None,
    })?;
    let attempts: i64 = column(row, "attempts")?;
    Ok(StoredDeadLetter {
        id: column(row, "id")?,
        created_at: parse_time(&column::<String>(row, "created_at")?)?,
        updated_at: parse_time(&column::<String>(row, "updated_at")?)?,
        status,
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        letter,
    })
}

impl Store {
    async fn change_dead_letter(
        &self,
        id: i64,
        query: sqlx::query::Query<'_, Db, <Db as sqlx::Database>::Arguments>,
        what: &str,
    ) -> Result<(), StoreError> {
        let result = query.execute(&self.pool).await.map_err(failed(what))?;
        if result.rows_affected() == 0 {
            return Err(StoreError {
                message: format!("dead letter {id} not found"),
                cause: None,
            });
        }
        Ok(())
    }
}

#[async_trait]
impl DeadLetterStore for Store {
    async fn add_dead_letter(&self, letter: &DeadLetter) -> Result<i64, StoreError> {
        let now = time_text(Utc::now());
        let mut transaction = self.begin().await?;
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM dead_letters
             WHERE flow = $1 AND source_system = $2 AND source_id = $3 AND action = $4
               AND status = 'open'
             ORDER BY id LIMIT 1",
        )
        .bind(&letter.flow)
        .bind(letter.source_system.as_str())
        .bind(&letter.source_id)
        .bind(&letter.action)
        .fetch_optional(&mut *transaction)
        .await
        .map_err(failed("look for an open dead letter"))?;

        let id = match open {
            Some(id) => {
                sqlx::query(
                    "UPDATE dead_letters SET target_id = $1, payload = $2, error = $3,
                        attempts = attempts + 1, updated_at = $4
                     WHERE id = $5",
                )
                .bind(&letter.target_id)
                .bind(fields_text(&letter.payload)?)
                .bind(error_text(&letter.error)?)
                .bind(&now)
                .bind(id)
                .execute(&mut *transaction)
                .await
                .map_err(failed("update a dead letter"))?;
                id
            }
            None => sqlx::query_scalar::<_, i64>(
                "INSERT INTO dead_letters (flow, source_system, source_id, target_id, action,
                                           payload, error, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(&letter.flow)
            .bind(letter.source_system.as_str())
            .bind(&letter.source_id)
            .bind(&letter.target_id)
            .bind(&letter.action)
            .bind(fields_text(&letter.payload)?)
            .bind(error_text(&letter.error)?)
            .bind(&now)
            .bind(&now)
            .fetch_one(&mut *transaction)
            .await
            .map_err(failed("store a dead letter"))?,
        };
        transaction
            .commit()
            .await
            .map_err(failed("commit a dead letter"))?;
        Ok(id)
    }

    async fn dead_letters(
        &self,
        flow: Option<&str>,
        status: Option<DeadLetterStatus>,
    ) -> Result<Vec<StoredDeadLetter>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM dead_letters
             WHERE ($1 IS NULL OR flow = $2) AND ($3 IS NULL OR status = $4)
             ORDER BY id",
        )
        .bind(flow)
        .bind(flow)
        .bind(status.map(DeadLetterStatus::as_str))
        .bind(status.map(DeadLetterStatus::as_str))
        .fetch_all(&self.pool)
        .await
        .map_err(failed("read dead letters"))?;
        rows.iter().map(dead_letter_from_row).collect()
    }

    async fn dead_letter(&self, id: i64) -> Result<Option<StoredDeadLetter>, StoreError> {
        let row = sqlx::query("SELECT * FROM dead_letters WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("read a dead letter"))?;
        row.as_ref().map(dead_letter_from_row).transpose()
    }

    async fn set_dead_letter_payload(&self, id: i64, payload: &Fields) -> Result<(), StoreError> {
        let query =
            sqlx::query("UPDATE dead_letters SET payload = $1, updated_at = $2 WHERE id = $3")
                .bind(fields_text(payload)?)
                .bind(time_text(Utc::now()))
                .bind(id);
        self.change_dead_letter(id, query, "edit a dead letter")
            .await
    }

    async fn set_dead_letter_error(&self, id: i64, error: &RemoteError) -> Result<(), StoreError> {
        let query = sqlx::query(
            "UPDATE dead_letters SET error = $1, attempts = attempts + 1, updated_at = $2
             WHERE id = $3",
        )
        .bind(error_text(error)?)
        .bind(time_text(Utc::now()))
        .bind(id);
        self.change_dead_letter(id, query, "record a failed replay")
            .await
    }

    async fn set_dead_letter_status(
        &self,
        id: i64,
        status: DeadLetterStatus,
    ) -> Result<(), StoreError> {
        let query =
            sqlx::query("UPDATE dead_letters SET status = $1, updated_at = $2 WHERE id = $3")
                .bind(status.as_str())
                .bind(time_text(Utc::now()))
                .bind(id);
        self.change_dead_letter(id, query, "change a dead letter's status")
            .await
    }

    async fn resolve_dead_letters(
        &self,
        flow: &str,
        source_system: System,
        source_id: &str,
        action: &str,
    ) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "UPDATE dead_letters SET status = 'resolved', updated_at = $1
             WHERE flow = $2 AND source_system = $3 AND source_id = $4 AND action = $5
               AND status = 'open'",
        )
        .bind(time_text(Utc::now()))
        .bind(flow)
        .bind(source_system.as_str())
        .bind(source_id)
        .bind(action)
        .execute(&self.pool)
        .await
        .map_err(failed("resolve dead letters"))?;
        Ok(result.rows_affected())
    }

    async fn resolve_dead_letters_batch(
        &self,
        flow: &str,
        source_system: System,
        source_ids: &[String],
        action: &str,
    ) -> Result<Vec<String>, StoreError> {
        self.resolve_letters(flow, source_system, source_ids, action)
            .await
    }
}
