//! SOQL queries: `GET /query?q=...` or `/queryAll?q=...`, then each `nextRecordsUrl` until
//! `done`.

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::api::ApiRequest;
use crate::client::SalesforceClient;
use crate::error::Error;

/// The result of a SOQL query.
///
/// Each record is the JSON object Salesforce returned, `attributes` included. Parent
/// relationships are nested objects and child subqueries are nested query results.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryResult {
    /// Number of rows the whole query matches, over all pages.
    pub total_size: u64,
    /// True when no page follows this one.
    pub done: bool,
    /// Path of the next page, present while `done` is false.
    #[serde(default)]
    pub next_records_url: Option<String>,
    pub records: Vec<Map<String, Value>>,
}

/// Header that requests a page size between 200 and 2,000.
const QUERY_OPTIONS_HEADER: &str = "Sforce-Query-Options";

/// How to run a query.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueryOptions {
    /// Use `queryAll`, which also returns deleted and archived rows (`IsDeleted = true`).
    pub include_deleted: bool,
    /// Page size sent in `Sforce-Query-Options: batchSize=N`, from 200 to 2,000. Salesforce
    /// treats it as a hint. `None` uses the client's setting.
    pub batch_size: Option<u32>,
}

/// Builds the request for the first page of `soql` with default options.
/// Reports the rows read so far and the query's `totalSize` to the progress of a pass.
pub(crate) fn report_page(result: &QueryResult) {
    tandem_engine::progress::page_read(result.records.len() as u64, Some(result.total_size));
}

#[cfg(test)]
pub(crate) fn query_request(soql: &str) -> ApiRequest {
    query_request_with(soql, &QueryOptions::default())
}

/// Builds the request for the first page of `soql` with `options`. The query text is sent as
/// the `q` parameter in `application/x-www-form-urlencoded` form, so `+` in an offset arrives
/// as `+`.
pub(crate) fn query_request_with(soql: &str, options: &QueryOptions) -> ApiRequest {
    let resource = match options.include_deleted {
        true => "queryAll",
        false => "query",
    };
    let request = ApiRequest::versioned(Method::GET, [resource]).param("q", soql);
    match options.batch_size {
        Some(size) => request.header(QUERY_OPTIONS_HEADER, format!("batchSize={size}")),
        None => request,
    }
}

/// Builds the request for a later page from the `nextRecordsUrl` that Salesforce returned.
pub(crate) fn next_page_request(next_records_url: &str) -> ApiRequest {
    ApiRequest::server_path(next_records_url)
}

impl SalesforceClient {
    /// Runs `soql` and returns every matching record, reading all pages.
    ///
    /// The result has `done` set and no `nextRecordsUrl`, and `total_size` is the count
    /// Salesforce reported. Fails when a page is rejected, or when the pages do not add up:
    /// more records than `totalSize`, or a page that is neither last nor has records. That
    /// check bounds the number of requests by the reported size.
    pub async fn query(&self, soql: &str) -> Result<QueryResult, Error> {
        self.query_with(soql, &QueryOptions::default()).await
    }

    /// Runs `soql` with `queryAll`, which also returns deleted and archived rows, and reads
    /// all pages. Otherwise the same as [`SalesforceClient::query`].
    pub async fn query_all(&self, soql: &str) -> Result<QueryResult, Error> {
        let options = QueryOptions {
            include_deleted: true,
            ..QueryOptions::default()
        };
        self.query_with(soql, &options).await
    }

    /// Runs `soql` with `options` and reads all pages, as [`SalesforceClient::query`] does.
    pub async fn query_with(
        &self,
        soql: &str,
        options: &QueryOptions,
    ) -> Result<QueryResult, Error> {
        let mut result = self.query_first_page(soql, options).await?;
        report_page(&result);
        let mut pages = 1u64;
        while !result.done {
            let page = self.query_next_page(&result).await?;
            pages += 1;
            append_page(&mut result, page)?;
            report_page(&result);
        }
        tracing::debug!(records = result.records.len(), pages, "SOQL query finished");
        Ok(result)
    }

    /// Returns the first page of `soql` only. `options.batch_size` falls back to the client's
    /// `query_batch_size`.
    pub async fn query_first_page(
        &self,
        soql: &str,
        options: &QueryOptions,
    ) -> Result<QueryResult, Error> {
        let options = QueryOptions {
            batch_size: options.batch_size.or(self.settings().query_batch_size),
            ..*options
        };
        self.query_page(&query_request_with(soql, &options)).await
    }

    /// Returns the page after `page`, which must have `done` false.
    pub async fn query_next_page(&self, page: &QueryResult) -> Result<QueryResult, Error> {
        let next_url = next_url_of(page)?;
        self.query_page(&next_page_request(&next_url)).await
    }

    async fn query_page(&self, request: &ApiRequest) -> Result<QueryResult, Error> {
        let response = self.execute(request).await?;
        if response.status != StatusCode::OK {
            return Err(response.into_error());
        }
        parse_query_result(&response.body)
    }
}

impl QueryResult {
    /// Parses one query page as Salesforce returns it.
    pub fn from_slice(body: &[u8]) -> Result<QueryResult, Error> {
        parse_query_result(body)
    }
}

pub(crate) fn parse_query_result(body: &[u8]) -> Result<QueryResult, Error> {
    serde_json::from_slice(body).map_err(|error| Error::InvalidResponse {
        message: format!("the query result is not valid: {error}"),
    })
}

/// Returns the path of the page after `result`, which is not the last one.
fn next_url_of(result: &QueryResult) -> Result<String, Error> {
    result
        .next_records_url
        .clone()
        .ok_or_else(|| Error::InvalidResponse {
            message: "a query page has done=false but no nextRecordsUrl".into(),
        })
}

/// Appends `page` to `result` and takes over its `done` and `nextRecordsUrl`.
pub(crate) fn append_page(result: &mut QueryResult, page: QueryResult) -> Result<(), Error> {
    if !page.done && page.records.is_empty() {
        return Err(Error::InvalidResponse {
            message: "a query page has no records but more pages follow".into(),
        });
    }
    result.records.extend(page.records);
    if result.records.len() as u64 > result.total_size {
        return Err(Error::InvalidResponse {
            message: format!(
                "the query returned more records than its totalSize of {}",
                result.total_size
            ),
        });
    }
    result.done = page.done;
    result.next_records_url = page.next_records_url;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::api::test_support::*;
    use crate::datetime::parse_datetime;

    const FIXTURES: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../corpus/salesforce/restforce__restforce/spec/fixtures/sobject"
    );

    fn fixture(name: &str) -> QueryResult {
        let body = std::fs::read(format!("{FIXTURES}/{name}")).unwrap();
        parse_query_result(&body).unwrap()
    }

    #[test]
    fn query_request_encodes_soql() {
        let soql = "SELECT Id FROM Account WHERE Name = 'A&B' AND SystemModstamp >= \
                    2017-03-21T12:11:06.000+00:00";
        let request = build(&query_request(soql));
        assert_eq!(request.method(), Method::GET);
        assert_eq!(request.url().path(), "/services/data/v62.0/query");
        assert_eq!(
            request.url().query(),
            Some(
                "q=SELECT+Id+FROM+Account+WHERE+Name+%3D+%27A%26B%27+AND+SystemModstamp+%3E%3D+\
                 2017-03-21T12%3A11%3A06.000%2B00%3A00"
            )
        );
        let decoded: Vec<(String, String)> = request.url().query_pairs().into_owned().collect();
        assert_eq!(decoded, vec![("q".to_string(), soql.to_string())]);
        assert_eq!(header(&request, "authorization"), Some("Bearer test-token"));
        assert_eq!(header(&request, "sforce-call-options"), None);
        assert!(request.body().is_none());
    }

    #[test]
    fn query_all_request_sets_batch_size() {
        let options = QueryOptions {
            include_deleted: true,
            batch_size: Some(500),
        };
        let request = build(&query_request_with("SELECT Id FROM Account", &options));
        assert_eq!(request.method(), Method::GET);
        assert_eq!(request.url().path(), "/services/data/v62.0/queryAll");
        assert_eq!(
            params(&request),
            [("q".to_string(), "SELECT Id FROM Account".to_string())]
        );
        assert_eq!(
            header(&request, "sforce-query-options"),
            Some("batchSize=500")
        );
        assert!(request.body().is_none());
    }

    #[test]
    fn next_page_request_follows_url_verbatim() {
        let request = build(&next_page_request("/services/data/v26.0/query/01gD"));
        assert_eq!(request.method(), Method::GET);
        assert_eq!(
            request.url().as_str(),
            "https://example.my.salesforce.com/services/data/v26.0/query/01gD"
        );
        assert!(request.body().is_none());
    }

    #[test]
    fn parse_reads_query_success_values() {
        let result = fixture("query_success_response.json");
        assert_eq!(result.total_size, 1);
        assert!(result.done);
        assert_eq!(result.next_records_url, None);
        let record = &result.records[0];
        assert_eq!(record["attributes"]["type"], json!("Whizbang"));
        assert_eq!(record["Checkbox_Label"], json!(false));
        assert_eq!(record["Text_Label"], json!("Hi there!"));
        assert_eq!(record["Date_Label"], json!("2010-01-01"));
        assert_eq!(record["Picklist_Multiselect_Label"], json!("four;six"));
        assert_eq!(
            record["ParentWhizbang__r"]["Name"],
            json!("Parent Whizbang")
        );
        assert_eq!(
            record["Whizbangs__r"]["records"][0]["Name"],
            json!("Child Whizbang")
        );
        let modified = parse_datetime(record["DateTime_Label"].as_str().unwrap()).unwrap();
        assert_eq!(modified.to_rfc3339(), "2011-07-07T00:37:00+00:00");
    }

    #[test]
    fn parse_reads_paginated_pages() {
        let first = fixture("query_paginated_first_page_response.json");
        assert_eq!(first.total_size, 2);
        assert!(!first.done);
        assert_eq!(
            first.next_records_url.as_deref(),
            Some("/services/data/v26.0/query/01gD")
        );
        assert_eq!(first.records[0]["Text_Label"], json!("First Page"));
        let last = fixture("query_paginated_last_page_response.json");
        assert!(last.done);
        assert_eq!(last.records[0]["Text_Label"], json!("Last Page"));
    }

    #[test]
    fn append_page_joins_recorded_pages() {
        let mut result = fixture("query_paginated_first_page_response.json");
        append_page(
            &mut result,
            fixture("query_paginated_last_page_response.json"),
        )
        .unwrap();
        assert!(result.done);
        assert_eq!(result.next_records_url, None);
        let texts: Vec<&Value> = result.records.iter().map(|r| &r["Text_Label"]).collect();
        assert_eq!(texts, vec![&json!("First Page"), &json!("Last Page")]);
    }

    #[test]
    fn parse_reads_empty_and_aggregate_results() {
        let empty = fixture("query_empty_response.json");
        assert_eq!(empty.total_size, 0);
        assert!(empty.records.is_empty());
        let aggregate = fixture("query_aggregate_success_response.json");
        assert_eq!(aggregate.records.len(), 3);
        assert_eq!(
            aggregate.records[0]["attributes"]["type"],
            json!("AggregateResult")
        );
        assert_eq!(
            aggregate.records[0]["CampaignId"],
            json!("701E0000000JuFHIA0")
        );
        assert_eq!(aggregate.records[0]["expr0"].as_f64(), Some(300.0));
        assert_eq!(aggregate.records[2]["CampaignId"], Value::Null);
    }

    #[test]
    fn parse_reads_org_query() {
        let result = fixture("org_query_response.json");
        assert_eq!(result.records[0]["Id"], json!("00Dx0000000BV7z"));
    }

    #[test]
    fn append_page_rejects_more_records_than_total() {
        let mut result = fixture("query_paginated_first_page_response.json");
        let mut extra = fixture("query_paginated_last_page_response.json");
        extra.records.push(extra.records[0].clone());
        assert!(matches!(
            append_page(&mut result, extra),
            Err(Error::InvalidResponse { .. })
        ));
    }

    #[test]
    fn append_page_rejects_empty_unfinished_page() {
        let mut result = fixture("query_paginated_first_page_response.json");
        let mut empty = fixture("query_paginated_first_page_response.json");
        empty.records.clear();
        assert!(append_page(&mut result, empty).is_err());
    }

    #[test]
    fn next_url_of_requires_url_while_not_done() {
        let mut result = fixture("query_paginated_first_page_response.json");
        result.next_records_url = None;
        assert!(matches!(
            next_url_of(&result),
            Err(Error::InvalidResponse { .. })
        ));
    }
}
