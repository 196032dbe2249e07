// Read-only views of the run history and the read records, in SQL that SQLite and
// PostgreSQL both run.

use chrono::Utc;
use tandem_engine::System;
use tandem_engine::state::{StoreError, StoredAuditEntry, Xref};

use super::dead_letters::dead_letter_from_row;
use super::queues::audit_from_row;
use super::state::{column, failed, xref_from_row};
use super::{DbRow, Store};
use crate::codec::{parse_fields, parse_system, parse_time, time_text};
use crate::history::{FoundRecord, RunOutcomes, RunRecord, SEARCH_LIMIT, escape_like};

fn run_from_row(row: &DbRow) -> Result<RunRecord, StoreError> {
    let finished: Option<String> = column(row, "finished_at")?;
    let counts: Option<String> = column(row, "counts")?;
    Ok(RunRecord {
        id: column(row, "id")?,
        flow: column(row, "flow")?,
        status: column(row, "status")?,
        started_at: parse_time(&column::<String>(row, "started_at")?)?,
        finished_at: finished.as_deref().map(parse_time).transpose()?,
        counts: counts.and_then(|text| serde_json::from_str(&text).ok()),
        error: column(row, "error")?,
    })
}

impl Store {
    /// Returns the newest `limit` runs, newest first, of one flow or of all.
    pub async fn runs(&self, flow: Option<&str>, limit: u32) -> Result<Vec<RunRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM runs WHERE ($1 IS NULL OR flow = $2) ORDER BY id DESC LIMIT $3",
        )
        .bind(flow)
        .bind(flow)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(failed("read the run history"))?;
        rows.iter().map(run_from_row).collect()
    }

    /// Returns one run.
    pub async fn run(&self, id: i64) -> Result<Option<RunRecord>, StoreError> {
        let row = sqlx::query("SELECT * FROM runs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("read a run"))?;
        row.as_ref().map(run_from_row).transpose()
    }

    /// Returns the record decisions and dead letters of a run's flow that fall between the
    /// run's start and end (or now, while it runs). Runs of one flow never overlap, because
    /// one process locks the store, so the window contains only this run's work.
    pub async fn run_outcomes(&self, run: &RunRecord) -> Result<RunOutcomes, StoreError> {
        let from = time_text(run.started_at);
        let to = time_text(run.finished_at.unwrap_or_else(Utc::now));
        let decisions = sqlx::query(
            "SELECT * FROM audit_log WHERE flow = $1 AND at >= $2 AND at <= $3 ORDER BY id",
        )
        .bind(&run.flow)
        .bind(&from)
        .bind(&to)
        .fetch_all(&self.pool)
        .await
        .map_err(failed("read a run's decisions"))?;
        let letters = sqlx::query(
            "SELECT * FROM dead_letters WHERE flow = $1 AND updated_at >= $2 AND updated_at <= $3
             ORDER BY id",
        )
        .bind(&run.flow)
        .bind(&from)
        .bind(&to)
        .fetch_all(&self.pool)
        .await
        .map_err(failed("read a run's dead letters"))?;
        Ok(RunOutcomes {
            decisions: decisions
                .iter()
                .map(audit_from_row)
                .collect::<Result<_, _>>()?,
            dead_letters: letters
                .iter()
                .map(dead_letter_from_row)
                .collect::<Result<_, _>>()?,
        })
    }

    /// Finds read records by ID (a Salesforce Id or a NetSuite internal ID, on the record or
    /// stored on it as the other side's ID) or by a piece of any mapped value such as the
    /// name, ignoring case. Returns at most [`SEARCH_LIMIT`] records, exact ID matches first.
    pub async fn search_records(&self, query: &str) -> Result<Vec<FoundRecord>, StoreError> {
        let query = query.trim();
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let pattern = format!("%{}%", escape_like(query));
        let rows = sqlx::query(
            "SELECT system, object, id, link, field_values FROM seen_records
             WHERE id = $1 OR link = $2 OR LOWER(field_values) LIKE LOWER($3) ESCAPE '\\'
             ORDER BY (id = $4 OR link = $5) DESC, system, object, id LIMIT $6",
        )
        .bind(query)
        .bind(query)
        .bind(&pattern)
        .bind(query)
        .bind(query)
        .bind(SEARCH_LIMIT)
        .fetch_all(&self.pool)
        .await
        .map_err(failed("search the records"))?;
        rows.iter()
            .map(|row| {
                Ok(FoundRecord {
                    system: parse_system(&column::<String>(row, "system")?)?,
                    object: column(row, "object")?,
                    id: column(row, "id")?,
                    link: column(row, "link")?,
                    values: parse_fields(&column::<String>(row, "field_values")?)?,
                })
            })
            .collect()
    }

    /// Returns every flow's cross-reference that contains the record `id` on `system`'s side.
    pub async fn xrefs_of(&self, system: System, id: &str) -> Result<Vec<Xref>, StoreError> {
        let column_name = match system {
            System::NetSuite => "ns_id",
            System::Salesforce => "sf_id",
        };
        let sql = format!("SELECT * FROM xrefs WHERE {column_name} = $1 ORDER BY flow");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_all(&self.pool)
            .await
            .map_err(failed("read a record's cross-references"))?;
        rows.iter().map(xref_from_row).collect()
    }

    /// Returns the newest `limit` audit entries about the record `id` on `system`'s side.
    pub async fn record_audit(
        &self,
        system: System,
        id: &str,
        limit: u32,
    ) -> Result<Vec<StoredAuditEntry>, StoreError> {
        let column_name = match system {
            System::NetSuite => "ns_id",
            System::Salesforce => "sf_id",
        };
        let sql =
            format!("SELECT * FROM audit_log WHERE {column_name} = $1 ORDER BY id DESC LIMIT $2");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(failed("read a record's audit entries"))?;
        rows.iter().map(audit_from_row).collect()
    }
}
