//! Bulk API 2.0 ingest jobs: create, upload CSV, close, poll, then read the successful, failed
//! and unprocessed records.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::csv_data::{CsvRow, parse_error_cell, read_rows, write_upload};
use super::{JobInfo, check_job_id, parse_job};
use crate::api::ApiRequest;
use crate::client::SalesforceClient;
use crate::error::{Error, ErrorDetail};
use crate::fields::FieldChanges;
use crate::id::SalesforceId;
use crate::soql::check_name;

/// Largest CSV upload the client sends in one job. Salesforce takes 150 MB after base64
/// encoding, which is about 100 MB of CSV.
pub const MAX_UPLOAD_BYTES: usize = 100_000_000;

/// The operation of an ingest job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IngestOperation {
    Insert,
    /// Update by `Id`; every row carries the record's Id.
    Update,
    /// Upsert by an external ID field; every row carries its value.
    Upsert {
        external_id_field: String,
    },
    Delete,
}

impl IngestOperation {
    fn name(&self) -> &'static str {
        match self {
            IngestOperation::Insert => "insert",
            IngestOperation::Update => "update",
            IngestOperation::Upsert { .. } => "upsert",
            IngestOperation::Delete => "delete",
        }
    }

    /// Returns the column that identifies a row, if the operation has one.
    pub fn key_column(&self) -> Option<&str> {
        match self {
            IngestOperation::Insert => None,
            IngestOperation::Update | IngestOperation::Delete => Some("Id"),
            IngestOperation::Upsert { external_id_field } => Some(external_id_field),
        }
    }
}

/// One row of an ingest: its key (Id or external ID value, `None` for inserts) and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestRow {
    pub key: Option<String>,
    pub changes: FieldChanges,
}

/// A record the job wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessfulRow {
    pub id: SalesforceId,
    /// True when the row created a record (`sf__Created`).
    pub created: bool,
    /// The uploaded columns.
    pub row: CsvRow,
}

/// A record the job rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRow {
    /// Id of the record, for updates of existing records.
    pub id: Option<SalesforceId>,
    pub error: ErrorDetail,
    pub row: CsvRow,
}

/// The outcome of an ingest job for each uploaded row. `JobComplete` does not mean every row
/// succeeded, so the three sets are always read.
#[derive(Debug, Clone, PartialEq)]
pub struct IngestOutcome {
    pub job: JobInfo,
    pub successful: Vec<SuccessfulRow>,
    pub failed: Vec<FailedRow>,
    /// Rows the job never reached, because it failed or was aborted.
    pub unprocessed: Vec<CsvRow>,
}

pub(crate) fn create_job_request(
    sobject: &str,
    operation: &IngestOperation,
) -> Result<ApiRequest, Error> {
    check_name(sobject)?;
    let mut body = json!({
        "object": sobject,
        "operation": operation.name(),
        "contentType": "CSV",
        "lineEnding": "LF",
        "columnDelimiter": "COMMA",
    });
    if let IngestOperation::Upsert { external_id_field } = operation {
        check_name(external_id_field)?;
        body["externalIdFieldName"] = Value::String(external_id_field.clone());
    }
    Ok(ApiRequest::versioned(Method::POST, ["jobs", "ingest"]).write_json(body))
}

pub(crate) fn upload_request(job_id: &str, csv: String) -> Result<ApiRequest, Error> {
    let id = check_job_id(job_id)?;
    Ok(ApiRequest::versioned(Method::PUT, ["jobs", "ingest", id, "batches"]).write_csv(csv))
}

pub(crate) fn close_request(job_id: &str) -> Result<ApiRequest, Error> {
    let id = check_job_id(job_id)?;
    Ok(ApiRequest::versioned(Method::PATCH, ["jobs", "ingest", id])
        .write_json(json!({"state": "UploadComplete"})))
}

pub(crate) fn job_request(job_id: &str) -> Result<ApiRequest, Error> {
    let id = check_job_id(job_id)?;
    Ok(ApiRequest::versioned(Method::GET, ["jobs", "ingest", id]))
}

pub(crate) fn results_request(job_id: &str, set: &'static str) -> Result<ApiRequest, Error> {
    let id = check_job_id(job_id)?;
    Ok(ApiRequest::versioned(Method::GET, ["jobs", "ingest", id, set, ""]).accept_csv())
}

/// Writes the CSV upload of `rows` for `operation`: the key column first, an empty cell for a
/// field a row leaves unchanged, and `#N/A` for a field it clears.
pub fn upload_csv_text(operation: &IngestOperation, rows: &[IngestRow]) -> Result<String, Error> {
    upload_csv(operation, rows)
}

/// Writes the CSV of `rows` for `operation`.
pub(crate) fn upload_csv(operation: &IngestOperation, rows: &[IngestRow]) -> Result<String, Error> {
    let key_column = operation.key_column();
    let pairs: Vec<(Option<&str>, &FieldChanges)> = rows
        .iter()
        .map(|row| (row.key.as_deref(), &row.changes))
        .collect();
    if let Some(key) = key_column
        && let Some(row) = rows.iter().find(|row| row.key.is_none())
    {
        return Err(Error::InvalidRequest {
            message: format!("a {} row has no {key}: {:?}", operation.name(), row.changes),
        });
    }
    write_upload(key_column, &pairs)
}

pub(crate) fn successful_rows(body: &[u8]) -> Result<Vec<SuccessfulRow>, Error> {
    read_rows(body)?
        .into_iter()
        .map(|mut row| {
            let id = row.remove("sf__Id").unwrap_or_default();
            let created = row.remove("sf__Created").is_some_and(|text| text == "true");
            Ok(SuccessfulRow {
                id: crate::api::sobjects::parse_response_id(&id)?,
                created,
                row,
            })
        })
        .collect()
}

pub(crate) fn failed_rows(body: &[u8]) -> Result<Vec<FailedRow>, Error> {
    Ok(read_rows(body)?
        .into_iter()
        .map(|mut row| {
            let id = row
                .remove("sf__Id")
                .and_then(|id| SalesforceId::parse(&id).ok());
            let error = parse_error_cell(&row.remove("sf__Error").unwrap_or_default());
            FailedRow { id, error, row }
        })
        .collect())
}

impl SalesforceClient {
    /// Runs one ingest job over `rows`: creates it, uploads the CSV, closes it, polls until it
    /// ends, and reads the three result sets. Fails when the upload is larger than
    /// [`MAX_UPLOAD_BYTES`]; [`SalesforceClient::upsert_records`] splits large inputs.
    pub async fn bulk_ingest(
        &self,
        sobject: &str,
        operation: &IngestOperation,
        rows: &[IngestRow],
    ) -> Result<IngestOutcome, Error> {
        let csv = upload_csv(operation, rows)?;
        if csv.len() > MAX_UPLOAD_BYTES {
            return Err(Error::InvalidRequest {
                message: format!(
                    "the upload has {} bytes, more than the {MAX_UPLOAD_BYTES} one job takes",
                    csv.len()
                ),
            });
        }
        let job = self
            .send_job(create_job_request(sobject, operation)?)
            .await?;
        tracing::info!(job_id = %job.id, record_type = sobject, rows = rows.len(), "Bulk API ingest job created");
        self.expect_status(&upload_request(&job.id, csv)?, StatusCode::CREATED)
            .await?;
        self.send_job(close_request(&job.id)?).await?;
        let job = self
            .wait_for_job(&job.id, || async {
                self.send_job(job_request(&job.id)?).await
            })
            .await?;
        self.ingest_outcome(job).await
    }

    async fn ingest_outcome(&self, job: JobInfo) -> Result<IngestOutcome, Error> {
        let successful = successful_rows(&self.fetch_csv(&job.id, "successfulResults").await?)?;
        let failed = failed_rows(&self.fetch_csv(&job.id, "failedResults").await?)?;
        let unprocessed = read_rows(&self.fetch_csv(&job.id, "unprocessedrecords").await?)?;
        tracing::info!(
            job_id = %job.id,
            state = job.state.as_str(),
            successful = successful.len(),
            failed = failed.len(),
            unprocessed = unprocessed.len(),
            "Bulk API ingest job results read"
        );
        Ok(IngestOutcome {
            job,
            successful,
            failed,
            unprocessed,
        })
    }

    async fn fetch_csv(&self, job_id: &str, set: &'static str) -> Result<Vec<u8>, Error> {
        let response = self.execute(&results_request(job_id, set)?).await?;
        match response.status {
            StatusCode::OK => Ok(response.body),
            _ => Err(response.into_error()),
        }
    }

    /// Sends a request that returns a job and reads it.
    pub(crate) async fn send_job(&self, request: ApiRequest) -> Result<JobInfo, Error> {
        let response = self.execute(&request).await?;
        match response.status {
            StatusCode::OK | StatusCode::CREATED => parse_job(&response.body),
            _ => Err(response.into_error()),
        }
    }

    async fn expect_status(&self, request: &ApiRequest, expected: StatusCode) -> Result<(), Error> {
        let response = self.execute(request).await?;
        match response.status == expected || response.status == StatusCode::OK {
            true => Ok(()),
            false => Err(response.into_error()),
        }
    }
}

#[cfg(test)]
mod tests;
