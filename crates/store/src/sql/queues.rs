// The engine's review queue, conflict queue and audit log in SQL that SQLite and PostgreSQL
// both run.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Utc;
use tandem_engine::System;
use tandem_engine::state::{
    AuditEntry, Conflict, ConflictStatus, ConflictStore, ReviewDecision, ReviewItem, ReviewStatus,
    ReviewStore, StoreError, StoredAuditEntry, StoredConflict, StoredReview,
};

use super::state::{column, failed};
use super::{Db, DbRow, Store};
use crate::codec::{
    fields_text, json_text, parse_fields, parse_json, parse_system, parse_time, time_text,
};

fn status<T: std::str::FromStr<Err = String>>(row: &DbRow) -> Result<T, StoreError> {
    let text: String = column(row, "status")?;
    text.parse().map_err(|message| StoreError {
        message,
        cause: None,
    })
}

fn review_from_row(row: &DbRow) -> Result<StoredReview, StoreError> {
    let target: Option<String> = column(row, "decision_target")?;
    let decision = match (column::<String>(row, "decision")?.as_str(), target) {
        ("link", Some(target)) => ReviewDecision::Link(target),
        ("create", _) => ReviewDecision::Create,
        ("reject", _) => ReviewDecision::Reject,
        _ => ReviewDecision::Pending,
    };
    let item = ReviewItem {
        flow: column(row, "flow")?,
        system: parse_system(&column::<String>(row, "system")?)?,
        record_id: column(row, "record_id")?,
        values: parse_fields(&column::<String>(row, "field_values")?)?,
        candidates: parse_json(&column::<String>(row, "candidates")?, "candidates")?,
    };
    Ok(StoredReview {
        id: column(row, "id")?,
        created_at: parse_time(&column::<String>(row, "created_at")?)?,
        updated_at: parse_time(&column::<String>(row, "updated_at")?)?,
        status: status(row)?,
        decision,
        item,
    })
}

pub(super) fn conflict_from_row(row: &DbRow) -> Result<StoredConflict, StoreError> {
    let value = |name: &str| -> Result<_, StoreError> {
        parse_json(&column::<String>(row, name)?, "field value")
    };
    let conflict = Conflict {
        flow: column(row, "flow")?,
        ns_id: column(row, "ns_id")?,
        sf_id: column(row, "sf_id")?,
        netsuite_field: column(row, "netsuite_field")?,
        salesforce_field: column(row, "salesforce_field")?,
        synced_value: value("synced_value")?,
        netsuite_value: value("netsuite_value")?,
        salesforce_value: value("salesforce_value")?,
    };
    let winner: Option<String> = column(row, "winner")?;
    Ok(StoredConflict {
        id: column(row, "id")?,
        created_at: parse_time(&column::<String>(row, "created_at")?)?,
        updated_at: parse_time(&column::<String>(row, "updated_at")?)?,
        status: status(row)?,
        winner: winner.as_deref().map(parse_system).transpose()?,
        conflict,
    })
}

pub(super) fn audit_from_row(row: &DbRow) -> Result<StoredAuditEntry, StoreError> {
    let value = |name: &str| -> Result<_, StoreError> {
        let text: Option<String> = column(row, name)?;
        text.map(|text| parse_json(&text, "field value"))
            .transpose()
    };
    let entry = AuditEntry {
        flow: column(row, "flow")?,
        kind: column(row, "kind")?,
        ns_id: column(row, "ns_id")?,
        sf_id: column(row, "sf_id")?,
        field: column(row, "field")?,
        netsuite_value: value("netsuite_value")?,
        salesforce_value: value("salesforce_value")?,
        decision: column(row, "decision")?,
    };
    Ok(StoredAuditEntry {
        id: column(row, "id")?,
        at: parse_time(&column::<String>(row, "at")?)?,
        entry,
    })
}

fn decision_columns(decision: &ReviewDecision) -> (&'static str, Option<&str>, &'static str) {
    match decision {
        ReviewDecision::Pending => ("pending", None, ReviewStatus::Pending.as_str()),
        ReviewDecision::Link(target) => ("link", Some(target), ReviewStatus::Decided.as_str()),
        ReviewDecision::Create => ("create", None, ReviewStatus::Decided.as_str()),
        ReviewDecision::Reject => ("reject", None, ReviewStatus::Decided.as_str()),
    }
}

impl Store {
    async fn expect_change(
        &self,
        result: <Db as sqlx::Database>::QueryResult,
        kind: &str,
        id: i64,
    ) -> Result<(), StoreError> {
        if result.rows_affected() == 0 {
            return Err(StoreError {
                message: format!("{kind} {id} not found"),
                cause: None,
            });
        }
        Ok(())
    }
}

#[async_trait]
impl ReviewStore for Store {
    async fn add_review(&self, item: &ReviewItem) -> Result<i64, StoreError> {
        let now = time_text(Utc::now());
        let candidates = json_text(&item.candidates, "candidates")?;
        let mut transaction = self.begin().await?;
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM reviews WHERE flow = $1 AND system = $2 AND record_id = $3
               AND status != 'done' ORDER BY id LIMIT 1",
        )
        .bind(&item.flow)
        .bind(item.system.as_str())
        .bind(&item.record_id)
        .fetch_optional(&mut *transaction)
        .await
        .map_err(failed("look for an open review item"))?;
        let id = match open {
            Some(id) => {
                sqlx::query(
                    "UPDATE reviews SET field_values = $1, candidates = $2, updated_at = $3 WHERE id = $4",
                )
                .bind(fields_text(&item.values)?)
                .bind(&candidates)
                .bind(&now)
                .bind(id)
                .execute(&mut *transaction)
                .await
                .map_err(failed("update a review item"))?;
                id
            }
            None => sqlx::query_scalar::<_, i64>(
                "INSERT INTO reviews (flow, system, record_id, field_values, candidates, status,
                                      decision, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, 'pending', 'pending', $6, $7) RETURNING id",
            )
            .bind(&item.flow)
            .bind(item.system.as_str())
            .bind(&item.record_id)
            .bind(fields_text(&item.values)?)
            .bind(&candidates)
            .bind(&now)
            .bind(&now)
            .fetch_one(&mut *transaction)
            .await
            .map_err(failed("queue a review item"))?,
        };
        transaction
            .commit()
            .await
            .map_err(failed("commit a review item"))?;
        Ok(id)
    }

    async fn reviews(
        &self,
        flow: Option<&str>,
        status: Option<ReviewStatus>,
    ) -> Result<Vec<StoredReview>, StoreError> {
        let status = status.map(ReviewStatus::as_str);
        let rows = sqlx::query(
            "SELECT * FROM reviews WHERE ($1 IS NULL OR flow = $2) AND ($3 IS NULL OR status = $4)
             ORDER BY id",
        )
        .bind(flow)
        .bind(flow)
        .bind(status)
        .bind(status)
        .fetch_all(&self.pool)
        .await
        .map_err(failed("read review items"))?;
        rows.iter().map(review_from_row).collect()
    }

    async fn review(&self, id: i64) -> Result<Option<StoredReview>, StoreError> {
        let row = sqlx::query("SELECT * FROM reviews WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("read a review item"))?;
        row.as_ref().map(review_from_row).transpose()
    }

    async fn open_review(
        &self,
        flow: &str,
        system: System,
        record_id: &str,
    ) -> Result<Option<StoredReview>, StoreError> {
        let row = sqlx::query(
            "SELECT * FROM reviews WHERE flow = $1 AND system = $2 AND record_id = $3
               AND status != 'done' ORDER BY id LIMIT 1",
        )
        .bind(flow)
        .bind(system.as_str())
        .bind(record_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(failed("read a review item"))?;
        row.as_ref().map(review_from_row).transpose()
    }

    async fn decide_review(&self, id: i64, decision: &ReviewDecision) -> Result<(), StoreError> {
        let (decision, target, status) = decision_columns(decision);
        let result = sqlx::query(
            "UPDATE reviews SET decision = $1, decision_target = $2, status = $3, updated_at = $4
             WHERE id = $5",
        )
        .bind(decision)
        .bind(target)
        .bind(status)
        .bind(time_text(Utc::now()))
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(failed("record a review decision"))?;
        self.expect_change(result, "review item", id).await
    }

    async fn finish_review(&self, id: i64) -> Result<(), StoreError> {
        let result =
            sqlx::query("UPDATE reviews SET status = 'done', updated_at = $1 WHERE id = $2")
                .bind(time_text(Utc::now()))
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(failed("finish a review item"))?;
        self.expect_change(result, "review item", id).await
    }
}

#[async_trait]
impl ConflictStore for Store {
    async fn add_conflict(&self, conflict: &Conflict) -> Result<i64, StoreError> {
        let now = time_text(Utc::now());
        let values = [
            json_text(&conflict.synced_value, "a field value")?,
            json_text(&conflict.netsuite_value, "a field value")?,
            json_text(&conflict.salesforce_value, "a field value")?,
        ];
        let mut transaction = self.begin().await?;
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM conflicts WHERE flow = $1 AND ns_id = $2 AND netsuite_field = $3
               AND status = 'open' ORDER BY id LIMIT 1",
        )
        .bind(&conflict.flow)
        .bind(&conflict.ns_id)
        .bind(&conflict.netsuite_field)
        .fetch_optional(&mut *transaction)
        .await
        .map_err(failed("look for an open conflict"))?;
        let id = match open {
            Some(id) => {
                sqlx::query(
                    "UPDATE conflicts SET synced_value = $1, netsuite_value = $2,
                        salesforce_value = $3, updated_at = $4 WHERE id = $5",
                )
                .bind(&values[0])
                .bind(&values[1])
                .bind(&values[2])
                .bind(&now)
                .bind(id)
                .execute(&mut *transaction)
                .await
                .map_err(failed("update a conflict"))?;
                id
            }
            None => sqlx::query_scalar::<_, i64>(
                "INSERT INTO conflicts (flow, ns_id, sf_id, netsuite_field, salesforce_field,
                    synced_value, netsuite_value, salesforce_value, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10) RETURNING id",
            )
            .bind(&conflict.flow)
            .bind(&conflict.ns_id)
            .bind(&conflict.sf_id)
            .bind(&conflict.netsuite_field)
            .bind(&conflict.salesforce_field)
            .bind(&values[0])
            .bind(&values[1])
            .bind(&values[2])
            .bind(&now)
            .bind(&now)
            .fetch_one(&mut *transaction)
            .await
            .map_err(failed("park a conflict"))?,
        };
        transaction
            .commit()
            .await
            .map_err(failed("commit a conflict"))?;
        Ok(id)
    }

    async fn conflicts(
        &self,
        flow: Option<&str>,
        status: Option<ConflictStatus>,
    ) -> Result<Vec<StoredConflict>, StoreError> {
        let status = status.map(ConflictStatus::as_str);
        let rows = sqlx::query(
            "SELECT * FROM conflicts WHERE ($1 IS NULL OR flow = $2) AND ($3 IS NULL OR status = $4)
             ORDER BY id",
        )
        .bind(flow)
        .bind(flow)
        .bind(status)
        .bind(status)
        .fetch_all(&self.pool)
        .await
        .map_err(failed("read conflicts"))?;
        rows.iter().map(conflict_from_row).collect()
    }

    async fn conflict(&self, id: i64) -> Result<Option<StoredConflict>, StoreError> {
        let row = sqlx::query("SELECT * FROM conflicts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(failed("read a conflict"))?;
        row.as_ref().map(conflict_from_row).transpose()
    }

    async fn pair_conflicts(
        &self,
        flow: &str,
        ns_id: &str,
    ) -> Result<Vec<StoredConflict>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM conflicts WHERE flow = $1 AND ns_id = $2 AND status != 'done' ORDER BY id",
        )
        .bind(flow)
        .bind(ns_id)
        .fetch_all(&self.pool)
        .await
        .map_err(failed("read the conflicts of a pair"))?;
        rows.iter().map(conflict_from_row).collect()
    }

    async fn pair_conflicts_batch(
        &self,
        flow: &str,
        ns_ids: &[String],
    ) -> Result<HashMap<String, Vec<StoredConflict>>, StoreError> {
        self.read_pair_conflicts(flow, ns_ids).await
    }

    async fn decide_conflict(&self, id: i64, winner: System) -> Result<(), StoreError> {
        let result = sqlx::query(
            "UPDATE conflicts SET winner = $1, status = 'decided', updated_at = $2 WHERE id = $3",
        )
        .bind(winner.as_str())
        .bind(time_text(Utc::now()))
        .bind(id)
        .execute(&self.pool)
        .await
        .map_err(failed("decide a conflict"))?;
        self.expect_change(result, "conflict", id).await
    }

    async fn finish_conflict(&self, id: i64) -> Result<(), StoreError> {
        let result =
            sqlx::query("UPDATE conflicts SET status = 'done', updated_at = $1 WHERE id = $2")
                .bind(time_text(Utc::now()))
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(failed("finish a conflict"))?;
        self.expect_change(result, "conflict", id).await
    }

    async fn audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        let value = |value: &Option<tandem_engine::FieldValue>| {
            value
                .as_ref()
                .map(|value| json_text(value, "a field value"))
                .transpose()
        };
        sqlx::query(
            "INSERT INTO audit_log (at, flow, kind, ns_id, sf_id, field, netsuite_value,
                                    salesforce_value, decision)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(time_text(Utc::now()))
        .bind(&entry.flow)
        .bind(&entry.kind)
        .bind(&entry.ns_id)
        .bind(&entry.sf_id)
        .bind(&entry.field)
        .bind(value(&entry.netsuite_value)?)
        .bind(value(&entry.salesforce_value)?)
        .bind(&entry.decision)
        .execute(&self.pool)
        .await
        .map_err(failed("append to the audit log"))?;
        Ok(())
    }

    async fn audit_batch(&self, entries: &[AuditEntry]) -> Result<(), StoreError> {
        self.insert_audit(entries).await
    }

    async fn audit_entries(
        &self,
        flow: Option<&str>,
        limit: usize,
    ) -> Result<Vec<StoredAuditEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM audit_log WHERE ($1 IS NULL OR flow = $2) ORDER BY id DESC LIMIT $3",
        )
        .bind(flow)
        .bind(flow)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.pool)
        .await
        .map_err(failed("read the audit log"))?;
        rows.iter().map(audit_from_row).collect()
    }
}
