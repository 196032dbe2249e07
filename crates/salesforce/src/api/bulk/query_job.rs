//! Bulk API 2.0 query jobs: create, poll, then read CSV pages by `Sforce-Locator`, and turn the
//! rows into JSON records typed by describe.

use reqwest::{Method, StatusCode};
use serde_json::{Map, Number, Value, json};

use super::csv_data::{CsvRow, read_rows};
use super::{JobInfo, check_job_id};
use crate::api::ApiRequest;
use crate::api::describe::SObjectDescribe;
use crate::client::SalesforceClient;
use crate::error::Error;

/// Rows asked for per results page.
pub const RESULT_PAGE_ROWS: u32 = 50_000;

/// Most result pages the client reads for one job, a bound on the loop that a locator which
/// never ends would otherwise not have: 20,000 pages of 50,000 rows.
const MAX_RESULT_PAGES: u32 = 20_000;

pub(crate) fn create_query_job_request(soql: &str, include_deleted: bool) -> ApiRequest {
    let operation = if include_deleted { "queryAll" } else { "query" };
    ApiRequest::versioned(Method::POST, ["jobs", "query"])
        .json(json!({"operation": operation, "query": soql}))
}

pub(crate) fn query_job_request(job_id: &str) -> Result<ApiRequest, Error> {
    let id = check_job_id(job_id)?;
    Ok(ApiRequest::versioned(Method::GET, ["jobs", "query", id]))
}

pub(crate) fn results_page_request(
    job_id: &str,
    locator: Option<&str>,
) -> Result<ApiRequest, Error> {
    let id = check_job_id(job_id)?;
    let request = ApiRequest::versioned(Method::GET, ["jobs", "query", id, "results"])
        .param("maxRecords", RESULT_PAGE_ROWS.to_string())
        .accept_csv();
    Ok(match locator {
        Some(locator) => request.param("locator", locator),
        None => request,
    })
}

/// Returns the locator of the next page from `Sforce-Locator`, or `None` when the header says
/// `null` or is missing.
pub(crate) fn next_locator(header: Option<&str>) -> Option<String> {
    header
        .map(str::trim)
        .filter(|value| !value.is_empty() && *value != "null")
        .map(str::to_string)
}

/// Converts one CSV row of a query job into a JSON record like a REST query row: empty cells
/// become `null`, numbers and booleans get their JSON types from `describe`, and `Owner.Name`
/// columns become nested objects.
pub fn typed_record(row: &CsvRow, describe: Option<&SObjectDescribe>) -> Map<String, Value> {
    let mut record = Map::new();
    for (column, cell) in row {
        let value = typed_value(
            cell,
            describe
                .and_then(|d| d.field(column))
                .map(|f| f.field_type.as_str()),
        );
        insert_path(&mut record, column, value);
    }
    record
}

fn typed_value(cell: &str, field_type: Option<&str>) -> Value {
    if cell.is_empty() {
        return Value::Null;
    }
    let number = |text: &str| text.parse::<f64>().ok().and_then(Number::from_f64);
    match field_type {
        Some("boolean") => Value::Bool(cell.eq_ignore_ascii_case("true")),
        Some("int") => cell
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or_else(|_| Value::String(cell.into())),
        Some("double" | "currency" | "percent") => {
            number(cell).map_or_else(|| Value::String(cell.into()), Value::Number)
        }
        _ => Value::String(cell.to_string()),
    }
}

fn insert_path(record: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            record.insert(path.to_string(), value);
        }
        Some((parent, rest)) => {
            let entry = record
                .entry(parent.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(nested) = entry {
                insert_path(nested, rest, value);
            }
        }
    }
}

impl SalesforceClient {
    /// Runs `soql` as a Bulk API 2.0 query job and returns every row as CSV cells by column.
    /// With `include_deleted`, the job is `queryAll`.
    pub async fn bulk_query(
        &self,
        soql: &str,
        include_deleted: bool,
    ) -> Result<Vec<CsvRow>, Error> {
        let job = self
            .send_job(create_query_job_request(soql, include_deleted))
            .await?;
        tracing::info!(job_id = %job.id, "Bulk API query job created");
        let job = self
            .wait_for_job(&job.id, || async {
                self.send_job(query_job_request(&job.id)?).await
            })
            .await?;
        if job.state != super::JobState::JobComplete {
            return Err(job_failed(&job));
        }
        self.read_result_pages(&job.id).await
    }

    async fn read_result_pages(&self, job_id: &str) -> Result<Vec<CsvRow>, Error> {
        let mut rows = Vec::new();
        let mut locator: Option<String> = None;
        for _ in 0..MAX_RESULT_PAGES {
            let request = results_page_request(job_id, locator.as_deref())?;
            let response = self.execute(&request).await?;
            if response.status != StatusCode::OK {
                return Err(response.into_error());
            }
            let next = next_locator(response.header("Sforce-Locator"));
            rows.extend(read_rows(&response.body)?);
            match next {
                Some(value) => locator = Some(value),
                None => return Ok(rows),
            }
        }
        Err(Error::InvalidResponse {
            message: format!("the query job {job_id} returned more than {MAX_RESULT_PAGES} pages"),
        })
    }
}

fn job_failed(job: &JobInfo) -> Error {
    Error::BulkJob {
        job_id: job.id.clone(),
        state: job.state.as_str().to_string(),
        message: job
            .error_message
            .clone()
            .unwrap_or_else(|| "the query job did not complete".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::test_support::*;

    #[test]
    fn create_query_job_request_is_exact() {
        let request = build(&create_query_job_request("SELECT Id FROM Account", true));
        assert_eq!(request.method(), Method::POST);
        assert_eq!(request.url().path(), "/services/data/v62.0/jobs/query");
        assert_eq!(
            json_body(&request),
            json!({"operation": "queryAll", "query": "SELECT Id FROM Account"})
        );
        assert_eq!(header(&request, "sforce-call-options"), None);
    }

    #[test]
    fn results_page_request_passes_locator() {
        let request = build(&results_page_request("750R0000000zlh9IAA", Some("MTAwMDA")).unwrap());
        assert_eq!(
            request.url().path(),
            "/services/data/v62.0/jobs/query/750R0000000zlh9IAA/results"
        );
        assert_eq!(
            request.url().query(),
            Some("maxRecords=50000&locator=MTAwMDA")
        );
        assert_eq!(header(&request, "accept"), Some("text/csv"));
    }

    #[test]
    fn next_locator_ends_on_null() {
        assert_eq!(next_locator(Some("MTAwMDA")), Some("MTAwMDA".into()));
        assert_eq!(next_locator(Some("null")), None);
        assert_eq!(next_locator(None), None);
    }

    #[test]
    fn typed_record_uses_describe_types() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../corpus/salesforce/SFDO-Tooling__CumulusCI/extracted/Account_describe.response.json"
        );
        let describe = crate::api::describe::parse_describe(&std::fs::read(path).unwrap()).unwrap();
        let row: CsvRow = [
            ("Id", "001dM00003kS3tNQAS"),
            ("Name", "Acme"),
            ("NumberOfEmployees", "12"),
            ("AnnualRevenue", "1500.5"),
            ("Phone", ""),
            ("Owner.Name", "Ada"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let record = typed_record(&row, Some(&describe));
        assert_eq!(record["Id"], json!("001dM00003kS3tNQAS"));
        assert_eq!(record["NumberOfEmployees"], json!(12));
        assert_eq!(record["AnnualRevenue"], json!(1500.5));
        assert_eq!(record["Phone"], Value::Null);
        assert_eq!(record["Owner"]["Name"], json!("Ada"));
    }
}
