// The engine's `WorkStore` in SQL that SQLite and PostgreSQL both run. The two differ only in
// how they name the current time and in row locks, which the backend gives as `NOW`,
// `seconds_from_now` and `SKIP_LOCKED`.

use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use tandem_engine::state::{StoreError, WorkItem, WorkPass, WorkProgress, WorkStore};

use super::state::{column, failed};
use super::{NOW, SKIP_LOCKED, Store, seconds_from_now};
use crate::codec::time_text;

#[async_trait]
impl WorkStore for Store {
    async fn open_work_pass(&self, flow: &str) -> Result<Option<WorkPass>, StoreError> {
        let row = sqlx::query("SELECT id, flow, state FROM work_passes WHERE flow = $1")
            .bind(flow)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("read the open work pass of a flow"))?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(WorkPass {
            id: column(&row, "id")?,
            flow: column(&row, "flow")?,
            state: column(&row, "state")?,
        }))
    }

    async fn create_work_pass(
        &self,
        flow: &str,
        state: &str,
        payloads: &[String],
    ) -> Result<i64, StoreError> {
        let mut transaction = self.begin().await?;
        let pass_id: i64 = sqlx::query_scalar(
            "INSERT INTO work_passes (flow, state, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(flow)
        .bind(state)
        .bind(time_text(Utc::now()))
        .fetch_one(&mut *transaction)
        .await
        .map_err(|error| {
            StoreError::new(
                format!("cannot store a work pass of flow {flow}; it may have an open one"),
                error,
            )
        })?;
        for payload in payloads {
            sqlx::query("INSERT INTO work_items (pass_id, payload) VALUES ($1, $2)")
                .bind(pass_id)
                .bind(payload)
                .execute(&mut *transaction)
                .await
                .map_err(failed("store a work item"))?;
        }
        transaction
            .commit()
            .await
            .map_err(failed("commit a work pass"))?;
        Ok(pass_id)
    }

    async fn lease_work_item(
        &self,
        pass_id: i64,
        worker: &str,
        ttl: Duration,
    ) -> Result<Option<WorkItem>, StoreError> {
        // The inner SELECT locks the row it picks and skips rows that another worker is
        // leasing at this moment, so two workers never lease one item.
        let lease = format!(
            "UPDATE work_items SET worker = $2, expires_at = {expires}, attempts = attempts + 1
             WHERE id = (
                SELECT id FROM work_items
                WHERE pass_id = $1 AND result IS NULL AND (worker IS NULL OR expires_at < {NOW})
                ORDER BY id LIMIT 1 {SKIP_LOCKED})
             RETURNING id, pass_id, payload, attempts",
            expires = seconds_from_now("$3"),
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(lease))
            .bind(pass_id)
            .bind(worker)
            .bind(ttl.as_secs_f64())
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("lease a work item"))?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(WorkItem {
            id: column(&row, "id")?,
            pass_id: column(&row, "pass_id")?,
            payload: column(&row, "payload")?,
            attempts: column(&row, "attempts")?,
        }))
    }

    async fn renew_work_item(
        &self,
        item_id: i64,
        worker: &str,
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let renew = format!(
            "UPDATE work_items SET expires_at = {expires}
             WHERE id = $1 AND worker = $2 AND result IS NULL",
            expires = seconds_from_now("$3"),
        );
        let result = sqlx::query(sqlx::AssertSqlSafe(renew))
            .bind(item_id)
            .bind(worker)
            .bind(ttl.as_secs_f64())
            .execute(&self.pool)
            .await
            .map_err(failed("renew the lease of a work item"))?;
        Ok(result.rows_affected() == 1)
    }

    async fn finish_work_item(
        &self,
        item_id: i64,
        worker: &str,
        result: &str,
    ) -> Result<bool, StoreError> {
        let finished = sqlx::query(
            "UPDATE work_items SET result = $3 WHERE id = $1 AND worker = $2 AND result IS NULL",
        )
        .bind(item_id)
        .bind(worker)
        .bind(result)
        .execute(&self.pool)
        .await
        .map_err(failed("mark a work item done"))?;
        Ok(finished.rows_affected() == 1)
    }

    async fn free_work_items(&self, pass_id: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE work_items SET worker = NULL, expires_at = ''
             WHERE pass_id = $1 AND result IS NULL",
        )
        .bind(pass_id)
        .execute(&self.pool)
        .await
        .map_err(failed("free the leases of a work pass"))?;
        Ok(())
    }

    async fn work_progress(&self, pass_id: i64) -> Result<WorkProgress, StoreError> {
        let progress = format!(
            "SELECT COUNT(*) AS total,
                COALESCE(SUM(CASE WHEN result IS NOT NULL THEN 1 ELSE 0 END), 0) AS done,
                COALESCE(SUM(CASE WHEN result IS NULL AND worker IS NOT NULL
                    AND expires_at >= {NOW} THEN 1 ELSE 0 END), 0) AS leased
             FROM work_items WHERE pass_id = $1"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(progress))
            .bind(pass_id)
            .fetch_one(&self.pool)
            .await
            .map_err(failed("count the items of a work pass"))?;
        let count = |name: &str| column::<i64>(&row, name).map(|count| count.max(0) as u64);
        let (total, done, leased) = (count("total")?, count("done")?, count("leased")?);
        Ok(WorkProgress {
            free: total.saturating_sub(done + leased),
            leased,
            done,
        })
    }

    async fn work_results(&self, pass_id: i64) -> Result<Vec<String>, StoreError> {
        sqlx::query_scalar(
            "SELECT result FROM work_items WHERE pass_id = $1 AND result IS NOT NULL ORDER BY id",
        )
        .bind(pass_id)
        .fetch_all(&self.pool)
        .await
        .map_err(failed("read the results of a work pass"))
    }

    async fn close_work_pass(&self, pass_id: i64) -> Result<(), StoreError> {
        let mut transaction = self.begin().await?;
        sqlx::query("DELETE FROM work_items WHERE pass_id = $1")
            .bind(pass_id)
            .execute(&mut *transaction)
            .await
            .map_err(failed("delete the items of a work pass"))?;
        sqlx::query("DELETE FROM work_passes WHERE id = $1")
            .bind(pass_id)
            .execute(&mut *transaction)
            .await
            .map_err(failed("delete a work pass"))?;
        transaction
            .commit()
            .await
            .map_err(failed("commit the close of a work pass"))
    }
}
