//! Bulk API 2.0: ingest jobs (CSV upload, job polling, successful, failed and unprocessed
//! results) and query jobs (CSV pages with `Sforce-Locator`), for record counts where REST
//! calls of 200 records would spend too many API requests.

pub mod csv_data;
pub mod ingest;
pub mod query_job;

use std::time::Duration;

use serde::Deserialize;

use crate::client::SalesforceClient;
use crate::error::Error;

/// State of a Bulk API 2.0 job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobState {
    Open,
    UploadComplete,
    InProgress,
    /// Processing finished. Some records may still have failed.
    JobComplete,
    /// The job could not be processed; records it did process stay written.
    Failed,
    Aborted,
    /// A state this client does not know.
    Other(String),
}

impl JobState {
    fn parse(text: &str) -> JobState {
        match text {
            "Open" => JobState::Open,
            "UploadComplete" => JobState::UploadComplete,
            "InProgress" => JobState::InProgress,
            "JobComplete" => JobState::JobComplete,
            "Failed" => JobState::Failed,
            "Aborted" => JobState::Aborted,
            other => JobState::Other(other.to_string()),
        }
    }

    /// Returns true for states after which the job never changes.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            JobState::JobComplete | JobState::Failed | JobState::Aborted
        )
    }

    /// Returns the state's name as Salesforce writes it.
    pub fn as_str(&self) -> &str {
        match self {
            JobState::Open => "Open",
            JobState::UploadComplete => "UploadComplete",
            JobState::InProgress => "InProgress",
            JobState::JobComplete => "JobComplete",
            JobState::Failed => "Failed",
            JobState::Aborted => "Aborted",
            JobState::Other(text) => text,
        }
    }
}

/// A job as `GET /jobs/ingest/{id}` or `GET /jobs/query/{id}` returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobInfo {
    /// Job Id, starting with `750`.
    pub id: String,
    pub state: JobState,
    pub object: String,
    pub operation: String,
    pub number_records_processed: u64,
    pub number_records_failed: u64,
    /// Reason the job failed, when it did.
    pub error_message: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobInfoWire {
    id: String,
    state: String,
    #[serde(default)]
    object: String,
    #[serde(default)]
    operation: String,
    #[serde(default)]
    number_records_processed: u64,
    #[serde(default)]
    number_records_failed: u64,
    #[serde(default)]
    error_message: Option<String>,
}

/// Parses a job body.
pub(crate) fn parse_job(body: &[u8]) -> Result<JobInfo, Error> {
    let wire: JobInfoWire =
        serde_json::from_slice(body).map_err(|error| Error::InvalidResponse {
            message: format!("the Bulk API job is not valid: {error}"),
        })?;
    Ok(JobInfo {
        id: wire.id,
        state: JobState::parse(&wire.state),
        object: wire.object,
        operation: wire.operation,
        number_records_processed: wire.number_records_processed,
        number_records_failed: wire.number_records_failed,
        error_message: wire.error_message.filter(|message| !message.is_empty()),
    })
}

/// Checks that a job Id from a response can be placed in a path.
pub(crate) fn check_job_id(id: &str) -> Result<&str, Error> {
    match !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        true => Ok(id),
        false => Err(Error::InvalidResponse {
            message: format!("Salesforce returned an invalid job Id {id:?}"),
        }),
    }
}

impl SalesforceClient {
    /// Polls a job with `fetch` until it reaches a terminal state, pausing
    /// `bulk_poll_interval` between polls, for at most `bulk_timeout`. A job still running
    /// after that is an [`Error::BulkJob`] with its last state.
    pub(crate) async fn wait_for_job<F, Fut>(
        &self,
        job_id: &str,
        fetch: F,
    ) -> Result<JobInfo, Error>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<JobInfo, Error>>,
    {
        let settings = self.settings();
        let started = tokio::time::Instant::now();
        let mut polls = 0u32;
        loop {
            let job = fetch().await?;
            polls += 1;
            if job.state.is_terminal() {
                tracing::info!(
                    job_id,
                    state = job.state.as_str(),
                    polls,
                    "Bulk API job finished"
                );
                return Ok(job);
            }
            if started.elapsed() + settings.bulk_poll_interval > settings.bulk_timeout {
                return Err(Error::BulkJob {
                    job_id: job_id.to_string(),
                    state: job.state.as_str().to_string(),
                    message: format!(
                        "still not finished after {} s; its results can be read later",
                        settings.bulk_timeout.as_secs()
                    ),
                });
            }
            tracing::debug!(
                job_id,
                state = job.state.as_str(),
                polls,
                "Bulk API job running"
            );
            tokio::time::sleep(settings.bulk_poll_interval.max(Duration::from_millis(1))).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_job_reads_documented_fields() {
        let body = br#"{"id":"7505fEXAMPLE4C2AAM","operation":"upsert","object":"Account",
            "createdById":"005xx000001X7kEAAS","createdDate":"2024-05-06T07:08:09.000+0000",
            "state":"JobComplete","externalIdFieldName":"NetSuite_Id__c","concurrencyMode":"Parallel",
            "contentType":"CSV","apiVersion":62.0,"jobType":"V2Ingest","lineEnding":"LF",
            "columnDelimiter":"COMMA","numberRecordsProcessed":3,"numberRecordsFailed":1,
            "retries":0,"totalProcessingTime":120,"errorMessage":""}"#;
        let job = parse_job(body).unwrap();
        assert_eq!(job.id, "7505fEXAMPLE4C2AAM");
        assert_eq!(job.state, JobState::JobComplete);
        assert!(job.state.is_terminal());
        assert_eq!(job.object, "Account");
        assert_eq!(job.operation, "upsert");
        assert_eq!(job.number_records_processed, 3);
        assert_eq!(job.number_records_failed, 1);
        assert_eq!(job.error_message, None);
    }

    #[test]
    fn job_state_keeps_unknown_names() {
        assert_eq!(JobState::parse("InProgress"), JobState::InProgress);
        assert!(!JobState::parse("InProgress").is_terminal());
        assert_eq!(JobState::parse("Paused").as_str(), "Paused");
    }

    #[test]
    fn check_job_id_rejects_paths() {
        assert!(check_job_id("750R0000000zlh9IAA").is_ok());
        assert!(check_job_id("../x").is_err());
        assert!(check_job_id("").is_err());
    }
}
