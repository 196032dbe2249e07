//! Reads and writes of any size: REST queries and sObject Collections up to the configured
//! bulk threshold, Bulk API 2.0 jobs above it, with one result per input record either way.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::api::bulk::ingest::{IngestOperation, IngestOutcome, IngestRow};
use crate::api::bulk::query_job::typed_record;
use crate::api::collections::{RecordPatch, RecordResult, UpsertRecord, UpsertRecordResult};
use crate::api::query::QueryOptions;
use crate::api::sobjects::UpsertResult;
use crate::client::SalesforceClient;
use crate::error::{Error, ErrorDetail};
use crate::soql::SoqlQuery;

/// Rows per Bulk API ingest job. Rows of up to 1,000 characters keep a job's CSV under the
/// upload limit.
const ROWS_PER_JOB: usize = 100_000;

/// Code of the per-record error for rows a Bulk API job never processed.
pub const UNPROCESSED_CODE: &str = "BULK_UNPROCESSED";

impl SalesforceClient {
    /// Upserts `records` by `external_id_field` and returns one result per record in input
    /// order: through sObject Collections up to the bulk threshold, through Bulk API 2.0
    /// ingest jobs above it.
    pub async fn upsert_records(
        &self,
        sobject: &str,
        external_id_field: &str,
        records: &[UpsertRecord],
    ) -> Result<Vec<UpsertRecordResult>, Error> {
        if records.len() <= self.bulk_threshold() {
            return self
                .upsert_collection(sobject, external_id_field, records)
                .await;
        }
        let operation = IngestOperation::Upsert {
            external_id_field: external_id_field.to_string(),
        };
        let rows: Vec<IngestRow> = records
            .iter()
            .map(|record| IngestRow {
                key: Some(record.external_id.clone()),
                changes: record.changes.clone(),
            })
            .collect();
        self.ingest_in_jobs(sobject, &operation, &rows).await
    }

    /// Updates `records` by Id and returns one result per record in input order: through
    /// sObject Collections up to the bulk threshold, through Bulk API 2.0 above it.
    pub async fn update_records(
        &self,
        sobject: &str,
        records: &[RecordPatch],
    ) -> Result<Vec<RecordResult>, Error> {
        if records.len() <= self.bulk_threshold() {
            return self.update_collection(sobject, records).await;
        }
        let rows: Vec<IngestRow> = records
            .iter()
            .map(|record| IngestRow {
                key: Some(record.id.to_string()),
                changes: record.changes.clone(),
            })
            .collect();
        let results = self
            .ingest_in_jobs(sobject, &IngestOperation::Update, &rows)
            .await?;
        Ok(results
            .into_iter()
            .map(|result| result.map(|written| written.id))
            .collect())
    }

    /// Runs `query` and returns every record: over REST while the result has at most the
    /// bulk threshold of rows, else as a Bulk API 2.0 query job whose CSV rows are typed with
    /// the sObject's describe. The first REST page reports the size, so a small result costs no
    /// extra call.
    pub async fn read_records(
        &self,
        query: &SoqlQuery,
        include_deleted: bool,
    ) -> Result<Vec<Map<String, Value>>, Error> {
        self.read_soql(query.sobject(), &query.to_soql()?, include_deleted)
            .await
    }

    /// Runs `soql`, a query of `sobject`, as [`SalesforceClient::read_records`] does.
    pub(crate) async fn read_soql(
        &self,
        sobject: &str,
        soql: &str,
        include_deleted: bool,
    ) -> Result<Vec<Map<String, Value>>, Error> {
        let options = QueryOptions {
            include_deleted,
            ..QueryOptions::default()
        };
        let mut result = self.query_first_page(soql, &options).await?;
        crate::api::query::report_page(&result);
        let total = usize::try_from(result.total_size).unwrap_or(usize::MAX);
        if result.done || total <= self.bulk_threshold() {
            while !result.done {
                let page = self.query_next_page(&result).await?;
                crate::api::query::append_page(&mut result, page)?;
                crate::api::query::report_page(&result);
            }
            return Ok(result.records);
        }
        tracing::info!(
            rows = total,
            record_type = sobject,
            "reading through a Bulk API query job"
        );
        let describe = self.describe(sobject).await?;
        let rows = self.bulk_query(soql, include_deleted).await?;
        Ok(rows
            .iter()
            .map(|row| typed_record(row, Some(&describe)))
            .collect())
    }

    async fn ingest_in_jobs(
        &self,
        sobject: &str,
        operation: &IngestOperation,
        rows: &[IngestRow],
    ) -> Result<Vec<UpsertRecordResult>, Error> {
        let mut results = Vec::with_capacity(rows.len());
        for chunk in rows.chunks(ROWS_PER_JOB) {
            let outcome = self.bulk_ingest(sobject, operation, chunk).await?;
            results.extend(match_outcome(operation, chunk, outcome));
        }
        Ok(results)
    }
}

/// Puts the rows of a job's three result sets back in input order, matching each by its key
/// column. A row in none of the sets counts as unprocessed.
pub(crate) fn match_outcome(
    operation: &IngestOperation,
    rows: &[IngestRow],
    outcome: IngestOutcome,
) -> Vec<UpsertRecordResult> {
    let key_column = operation.key_column().unwrap_or("Id");
    let mut positions: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, row) in rows.iter().enumerate().rev() {
        if let Some(key) = row.key.as_deref() {
            positions.entry(key).or_default().push(index);
        }
    }
    let mut results: Vec<Option<UpsertRecordResult>> = (0..rows.len()).map(|_| None).collect();
    let mut place = |key: Option<&String>, result: UpsertRecordResult| {
        let index = key.and_then(|key| positions.get_mut(key.as_str())?.pop());
        if let Some(index) = index {
            results[index] = Some(result);
        }
    };
    for row in outcome.successful {
        let written = UpsertResult {
            id: row.id,
            created: row.created,
        };
        place(row.row.get(key_column), Ok(written));
    }
    for row in outcome.failed {
        let error = Error::Record {
            errors: vec![row.error],
        };
        place(row.row.get(key_column), Err(error));
    }
    results
        .into_iter()
        .map(|result| result.unwrap_or_else(|| Err(unprocessed(&outcome.job.id))))
        .collect()
}

fn unprocessed(job_id: &str) -> Error {
    Error::Record {
        errors: vec![ErrorDetail {
            code: UNPROCESSED_CODE.into(),
            message: format!("Bulk API job {job_id} ended before it processed this record"),
            fields: Vec::new(),
        }],
    }
}

#[cfg(test)]
mod tests;
