use super::*;
use crate::Remedy;
use crate::api::bulk::ingest::{FailedRow, SuccessfulRow};
use crate::api::bulk::{JobInfo, JobState};
use crate::fields::FieldChanges;
use crate::id::SalesforceId;

fn row(key: &str) -> IngestRow {
    IngestRow {
        key: Some(key.into()),
        changes: FieldChanges::new(),
    }
}

fn cells(key: &str) -> crate::api::bulk::csv_data::CsvRow {
    [("NetSuite_Id__c".to_string(), key.to_string())]
        .into_iter()
        .collect()
}

fn job(state: JobState) -> JobInfo {
    JobInfo {
        id: "7505f000004C2AAM".into(),
        state,
        object: "Account".into(),
        operation: "upsert".into(),
        number_records_processed: 3,
        number_records_failed: 1,
        error_message: None,
    }
}

#[test]
fn match_outcome_restores_input_order() {
    let operation = IngestOperation::Upsert {
        external_id_field: "NetSuite_Id__c".into(),
    };
    let rows = [row("1"), row("2"), row("3"), row("4")];
    let outcome = IngestOutcome {
        job: job(JobState::Aborted),
        successful: vec![
            SuccessfulRow {
                id: SalesforceId::parse("001dM00003kS3tN").unwrap(),
                created: false,
                row: cells("3"),
            },
            SuccessfulRow {
                id: SalesforceId::parse("0014H00002LbR7Q").unwrap(),
                created: true,
                row: cells("1"),
            },
        ],
        failed: vec![FailedRow {
            id: None,
            error: ErrorDetail {
                code: "UNABLE_TO_LOCK_ROW".into(),
                message: "unable to obtain exclusive access to this record".into(),
                fields: Vec::new(),
            },
            row: cells("2"),
        }],
        unprocessed: vec![cells("4")],
    };
    let results = match_outcome(&operation, &rows, outcome);
    assert_eq!(results.len(), 4);
    let first = results[0].as_ref().unwrap();
    assert_eq!(first.id.as_str(), "0014H00002LbR7QQAV");
    assert!(first.created);
    let locked = results[1].as_ref().unwrap_err();
    assert_eq!(locked.code(), "UNABLE_TO_LOCK_ROW");
    assert_eq!(locked.remedy(), Remedy::RetryLater);
    assert!(!results[2].as_ref().unwrap().created);
    let skipped = results[3].as_ref().unwrap_err();
    assert_eq!(skipped.code(), UNPROCESSED_CODE);
    assert_eq!(skipped.remedy(), Remedy::RetryLater);
}

#[test]
fn match_outcome_pairs_repeated_keys_in_order() {
    let operation = IngestOperation::Update;
    let id = "001dM00003kS3tNQAS";
    let rows = [row(id), row(id)];
    let key_cells = |_: ()| -> crate::api::bulk::csv_data::CsvRow {
        [("Id".to_string(), id.to_string())].into_iter().collect()
    };
    let outcome = IngestOutcome {
        job: job(JobState::JobComplete),
        successful: vec![SuccessfulRow {
            id: SalesforceId::parse(id).unwrap(),
            created: false,
            row: key_cells(()),
        }],
        failed: Vec::new(),
        unprocessed: Vec::new(),
    };
    let results = match_outcome(&operation, &rows, outcome);
    assert!(results[0].is_ok());
    assert_eq!(results[1].as_ref().unwrap_err().code(), UNPROCESSED_CODE);
}
