// The engine's `StateStore` in SQL that SQLite and PostgreSQL both run.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::Utc;
use sqlx::Row;
use tandem_engine::System;
use tandem_engine::state::{
    Processed, RunStatus, SeenRecord, StateStore, StoreError, Watermark, Xref,
};

use super::{Db, DbRow, Store};
use crate::codec::{fields_text, parse_fields, parse_system, parse_time, time_text};

pub(super) fn failed(what: &str) -> impl FnOnce(sqlx::Error) -> StoreError + '_ {
    move |error| StoreError::new(format!("cannot {what}"), error)
}

pub(super) fn column<'r, T>(row: &'r DbRow, name: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, Db> + sqlx::Type<Db>,
{
    row.try_get(name)
        .map_err(|error| StoreError::new(format!("cannot read column {name}"), error))
}

pub(super) fn seen_from_row(row: &DbRow) -> Result<SeenRecord, StoreError> {
    Ok(SeenRecord {
        system: parse_system(&column::<String>(row, "system")?)?,
        object: column(row, "object")?,
        id: column(row, "id")?,
        link: column(row, "link")?,
        name_key: column(row, "name_key")?,
        email_key: column(row, "email_key")?,
        values: parse_fields(&column::<String>(row, "field_values")?)?,
    })
}

pub(super) fn xref_from_row(row: &DbRow) -> Result<Xref, StoreError> {
    Ok(Xref {
        flow: column(row, "flow")?,
        ns_id: column(row, "ns_id")?,
        sf_id: column(row, "sf_id")?,
        ns_values: parse_fields(&column::<String>(row, "ns_values")?)?,
        sf_values: parse_fields(&column::<String>(row, "sf_values")?)?,
        ns_written: column(row, "ns_written")?,
        sf_written: column(row, "sf_written")?,
    })
}

impl Store {
    /// Marks runs still recorded as running as interrupted, and returns how many there were.
    ///
    /// Call it only while no pass can be running, as while holding a SQLite store's
    /// `StoreLock`: a run left `running` then belongs to a process that was killed. Workers
    /// on PostgreSQL close a flow's runs when they take its lease instead.
    pub async fn close_interrupted_runs(&self) -> Result<u64, StoreError> {
        let result = sqlx::query(
            "UPDATE runs SET status = 'interrupted', finished_at = $1,
                error = 'the process stopped before the pass finished'
             WHERE status = 'running'",
        )
        .bind(time_text(chrono::Utc::now()))
        .execute(&self.pool)
        .await
        .map_err(|error| StoreError::new("cannot close interrupted runs", error))?;
        Ok(result.rows_affected())
    }
}

pub(super) const SEEN_COLUMNS: &str = "system, object, id, link, name_key, email_key, field_values";

#[async_trait]
impl StateStore for Store {
    async fn watermark(
        &self,
        flow: &str,
        system: System,
        object: &str,
    ) -> Result<Option<Watermark>, StoreError> {
        let row = sqlx::query(
            "SELECT modified_at, record_id FROM watermarks
             WHERE flow = $1 AND system = $2 AND object = $3",
        )
        .bind(flow)
        .bind(system.as_str())
        .bind(object)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed("read a watermark"))?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Watermark {
            modified_at: parse_time(&column::<String>(&row, "modified_at")?)?,
            record_id: column(&row, "record_id")?,
        }))
    }

    async fn set_watermark(
        &self,
        flow: &str,
        system: System,
        object: &str,
        watermark: &Watermark,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO watermarks (flow, system, object, modified_at, record_id, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (flow, system, object) DO UPDATE SET
                modified_at = excluded.modified_at,
                record_id = excluded.record_id,
                updated_at = excluded.updated_at",
        )
        .bind(flow)
        .bind(system.as_str())
        .bind(object)
        .bind(time_text(watermark.modified_at))
        .bind(&watermark.record_id)
        .bind(time_text(Utc::now()))
        .execute(&self.pool)
        .await
        .map_err(failed("store a watermark"))?;
        Ok(())
    }

    async fn identity(&self, system: System) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT identity FROM identities WHERE system = $1")
            .bind(system.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("read the identity of an account"))
    }

    async fn set_identity(&self, system: System, identity: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO identities (system, identity, recorded_at) VALUES ($1, $2, $3)
             ON CONFLICT (system) DO UPDATE SET
                identity = excluded.identity,
                recorded_at = excluded.recorded_at",
        )
        .bind(system.as_str())
        .bind(identity)
        .bind(time_text(Utc::now()))
        .execute(&self.pool)
        .await
        .map_err(failed("store the identity of an account"))?;
        Ok(())
    }

    async fn remember(&self, records: &[SeenRecord]) -> Result<(), StoreError> {
        self.upsert_seen(records).await
    }

    async fn processed(
        &self,
        system: System,
        object: &str,
        id: &str,
    ) -> Result<Option<Processed>, StoreError> {
        let row = sqlx::query(
            "SELECT processed_at, processed_fingerprint FROM seen_records
             WHERE system = $1 AND object = $2 AND id = $3 AND processed_at IS NOT NULL",
        )
        .bind(system.as_str())
        .bind(object)
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed("read how far a record was processed"))?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Processed {
            modified_at: parse_time(&column::<String>(&row, "processed_at")?)?,
            fingerprint: column::<Option<String>>(&row, "processed_fingerprint")?
                .unwrap_or_default(),
        }))
    }

    async fn processed_batch(
        &self,
        system: System,
        object: &str,
        ids: &[String],
    ) -> Result<HashMap<String, Processed>, StoreError> {
        self.select_processed(system, object, ids).await
    }

    async fn mark_processed(
        &self,
        system: System,
        object: &str,
        records: &[(String, Processed)],
    ) -> Result<(), StoreError> {
        self.upsert_processed(system, object, records).await
    }

    async fn find_by_key(
        &self,
        system: System,
        object: &str,
        name_key: Option<&str>,
        email_key: Option<&str>,
    ) -> Result<Vec<SeenRecord>, StoreError> {
        let sql = format!(
            "SELECT {SEEN_COLUMNS} FROM seen_records
             WHERE system = $1 AND object = $2
               AND (($3 IS NOT NULL AND name_key = $4) OR ($5 IS NOT NULL AND email_key = $6))
             ORDER BY id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(system.as_str())
            .bind(object)
            .bind(name_key)
            .bind(name_key)
            .bind(email_key)
            .bind(email_key)
            .fetch_all(&self.pool)
            .await
            .map_err(failed("find records by key"))?;
        rows.iter().map(seen_from_row).collect()
    }

    async fn seen(
        &self,
        system: System,
        object: &str,
        id: &str,
    ) -> Result<Option<SeenRecord>, StoreError> {
        let sql = format!(
            "SELECT {SEEN_COLUMNS} FROM seen_records WHERE system = $1 AND object = $2 AND id = $3"
        );
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(system.as_str())
            .bind(object)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("read a seen record"))?;
        row.as_ref().map(seen_from_row).transpose()
    }

    async fn unlinked(
        &self,
        flow: &str,
        system: System,
        object: &str,
    ) -> Result<Vec<SeenRecord>, StoreError> {
        let column = match system {
            System::NetSuite => "ns_id",
            System::Salesforce => "sf_id",
        };
        let sql = format!(
            "SELECT {SEEN_COLUMNS} FROM seen_records AS seen
             WHERE system = $1 AND object = $2
               AND NOT EXISTS (SELECT 1 FROM xrefs WHERE flow = $3 AND {column} = seen.id)
             ORDER BY id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(system.as_str())
            .bind(object)
            .bind(flow)
            .fetch_all(&self.pool)
            .await
            .map_err(failed("read unlinked records"))?;
        rows.iter().map(seen_from_row).collect()
    }

    async fn find_by_link(
        &self,
        system: System,
        object: &str,
        link: &str,
    ) -> Result<Vec<SeenRecord>, StoreError> {
        let sql = format!(
            "SELECT {SEEN_COLUMNS} FROM seen_records
             WHERE system = $1 AND object = $2 AND link = $3 ORDER BY id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(system.as_str())
            .bind(object)
            .bind(link)
            .fetch_all(&self.pool)
            .await
            .map_err(failed("find records by link"))?;
        rows.iter().map(seen_from_row).collect()
    }

    async fn find_by_link_batch(
        &self,
        system: System,
        object: &str,
        links: &[String],
    ) -> Result<HashMap<String, Vec<SeenRecord>>, StoreError> {
        self.select_by_links(system, object, links).await
    }

    async fn xref(&self, flow: &str, system: System, id: &str) -> Result<Option<Xref>, StoreError> {
        let sql = match system {
            System::NetSuite => "SELECT * FROM xrefs WHERE flow = $1 AND ns_id = $2",
            System::Salesforce => "SELECT * FROM xrefs WHERE flow = $1 AND sf_id = $2",
        };
        let row = sqlx::query(sql)
            .bind(flow)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("read a cross-reference"))?;
        row.as_ref().map(xref_from_row).transpose()
    }

    async fn xref_batch(
        &self,
        flow: &str,
        system: System,
        ids: &[String],
    ) -> Result<HashMap<String, Xref>, StoreError> {
        self.select_xrefs(flow, system, ids).await
    }

    async fn save_xref_batch(&self, xrefs: &[Xref]) -> Result<(), StoreError> {
        self.replace_xrefs(xrefs).await
    }

    async fn save_xref(&self, xref: &Xref) -> Result<(), StoreError> {
        let now = time_text(Utc::now());
        let mut transaction = self.begin().await?;
        let created_at: Option<String> = sqlx::query_scalar(
            "SELECT created_at FROM xrefs WHERE flow = $1 AND (ns_id = $2 OR sf_id = $3)
             ORDER BY created_at LIMIT 1",
        )
        .bind(&xref.flow)
        .bind(&xref.ns_id)
        .bind(&xref.sf_id)
        .fetch_optional(&mut *transaction)
        .await
        .map_err(failed("read a cross-reference"))?;
        // Either side's ID identifies a pair, so replacing by both keeps each record in one pair.
        sqlx::query("DELETE FROM xrefs WHERE flow = $1 AND (ns_id = $2 OR sf_id = $3)")
            .bind(&xref.flow)
            .bind(&xref.ns_id)
            .bind(&xref.sf_id)
            .execute(&mut *transaction)
            .await
            .map_err(failed("replace a cross-reference"))?;
        sqlx::query(
            "INSERT INTO xrefs (flow, ns_id, sf_id, ns_values, sf_values, ns_written,
                                sf_written, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&xref.flow)
        .bind(&xref.ns_id)
        .bind(&xref.sf_id)
        .bind(fields_text(&xref.ns_values)?)
        .bind(fields_text(&xref.sf_values)?)
        .bind(&xref.ns_written)
        .bind(&xref.sf_written)
        .bind(created_at.unwrap_or_else(|| now.clone()))
        .bind(&now)
        .execute(&mut *transaction)
        .await
        .map_err(failed("store a cross-reference"))?;
        transaction
            .commit()
            .await
            .map_err(failed("commit a cross-reference"))
    }

    async fn delete_xref(&self, flow: &str, system: System, id: &str) -> Result<(), StoreError> {
        let sql = match system {
            System::NetSuite => "DELETE FROM xrefs WHERE flow = $1 AND ns_id = $2",
            System::Salesforce => "DELETE FROM xrefs WHERE flow = $1 AND sf_id = $2",
        };
        sqlx::query(sql)
            .bind(flow)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(failed("remove a cross-reference"))?;
        Ok(())
    }

    async fn exclude(
        &self,
        flow: &str,
        system: System,
        id: &str,
        reason: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO excluded_records (flow, system, id, reason, excluded_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (flow, system, id) DO UPDATE SET reason = excluded.reason",
        )
        .bind(flow)
        .bind(system.as_str())
        .bind(id)
        .bind(reason)
        .bind(time_text(Utc::now()))
        .execute(&self.pool)
        .await
        .map_err(failed("leave a record out of a flow"))?;
        Ok(())
    }

    async fn is_excluded(&self, flow: &str, system: System, id: &str) -> Result<bool, StoreError> {
        // The row is only tested for presence: `SELECT 1` is a 32-bit integer on PostgreSQL
        // and a 64-bit one on SQLite, so decoding it would differ between the two.
        let found = sqlx::query(
            "SELECT 1 FROM excluded_records WHERE flow = $1 AND system = $2 AND id = $3",
        )
        .bind(flow)
        .bind(system.as_str())
        .bind(id)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed("read whether a record is left out"))?;
        Ok(found.is_some())
    }

    async fn excluded_batch(
        &self,
        flow: &str,
        system: System,
        ids: &[String],
    ) -> Result<HashSet<String>, StoreError> {
        self.select_excluded(flow, system, ids).await
    }

    async fn flow_value(&self, flow: &str, key: &str) -> Result<Option<String>, StoreError> {
        sqlx::query_scalar("SELECT value FROM flow_values WHERE flow = $1 AND key = $2")
            .bind(flow)
            .bind(key)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("read a flow's value"))
    }

    async fn set_flow_value(
        &self,
        flow: &str,
        key: &str,
        value: Option<&str>,
    ) -> Result<(), StoreError> {
        let query = match value {
            Some(value) => sqlx::query(
                "INSERT INTO flow_values (flow, key, value, updated_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (flow, key) DO UPDATE SET
                    value = excluded.value, updated_at = excluded.updated_at",
            )
            .bind(flow)
            .bind(key)
            .bind(value)
            .bind(time_text(Utc::now())),
            None => sqlx::query("DELETE FROM flow_values WHERE flow = $1 AND key = $2")
                .bind(flow)
                .bind(key),
        };
        query
            .execute(&self.pool)
            .await
            .map_err(failed("store a flow's value"))?;
        Ok(())
    }

    async fn forget(&self, system: System, object: &str, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM seen_records WHERE system = $1 AND object = $2 AND id = $3")
            .bind(system.as_str())
            .bind(object)
            .bind(id)
            .execute(&self.pool)
            .await
            .map_err(failed("forget a record"))?;
        Ok(())
    }

    async fn start_run(&self, flow: &str) -> Result<i64, StoreError> {
        sqlx::query_scalar::<_, i64>(
            "INSERT INTO runs (flow, status, started_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(flow)
        .bind(RunStatus::Running.as_str())
        .bind(time_text(Utc::now()))
        .fetch_one(&self.pool)
        .await
        .map_err(failed("record the start of a run"))
    }

    async fn finish_run(
        &self,
        run_id: i64,
        status: RunStatus,
        counts: &serde_json::Value,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE runs SET status = $1, finished_at = $2, counts = $3, error = $4 WHERE id = $5",
        )
        .bind(status.as_str())
        .bind(time_text(Utc::now()))
        .bind(counts.to_string())
        .bind(error)
        .bind(run_id)
        .execute(&self.pool)
        .await
        .map_err(failed("record the end of a run"))?;
        Ok(())
    }
}
