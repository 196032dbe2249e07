//! `GET /query`, `GET /queryAll` and the `nextRecordsUrl` pages that follow them.

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Serialize;

use super::json_response;
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::cursors::Cursor;
use crate::salesforce::errors::ApiError;
use crate::salesforce::record::{Cell, Row};
use crate::salesforce::version::ApiVersion;

/// Smallest and largest page size a client may ask for with `Sforce-Query-Options`.
const MIN_BATCH_SIZE: usize = 200;
const MAX_BATCH_SIZE: usize = 2000;

/// One page of a query result.
#[derive(Debug, Serialize)]
struct QueryPage {
    #[serde(rename = "totalSize")]
    total_size: usize,
    done: bool,
    #[serde(rename = "nextRecordsUrl", skip_serializing_if = "Option::is_none")]
    next_records_url: Option<String>,
    records: Vec<Row>,
}

/// Runs the SOQL statement in `q` over live records.
pub(super) async fn query(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    run(&emulator, version, raw.as_deref(), &headers, false)
}

/// Runs the SOQL statement in `q` over live records and those in the recycle bin.
pub(super) async fn query_all(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    run(&emulator, version, raw.as_deref(), &headers, true)
}

fn run(
    emulator: &SalesforceEmulator,
    version: ApiVersion,
    raw_query: Option<&str>,
    headers: &HeaderMap,
    include_deleted: bool,
) -> Result<Response, ApiError> {
    // Form decoding turns an unencoded `+` into a space, as Salesforce's decoding does.
    let soql = url::form_urlencoded::parse(raw_query.unwrap_or_default().as_bytes())
        .find(|(name, _)| name == "q")
        .map(|(_, value)| value.into_owned())
        .ok_or_else(|| {
            ApiError::bad_request("MALFORMED_QUERY", "A query string has to be specified")
        })?;

    let mut org = emulator.org();
    let batch_size = requested_batch_size(headers)
        .unwrap_or(org.query_batch_size)
        .max(1);
    let mut outcome = org.run_query(&soql, include_deleted, version)?;
    tracing::debug!(soql = %soql, rows = outcome.total, "ran query");
    let child_batch_size = org.child_batch_size.max(1);
    for row in &mut outcome.rows {
        page_children(&mut org, version, row, child_batch_size);
    }
    if outcome.rows.len() <= batch_size {
        return Ok(page(outcome.total, None, outcome.rows));
    }

    // The cursor keeps every row, so later pages are sliced by offset like the first one.
    let first_page = outcome.rows[..batch_size].to_vec();
    let locator = org.new_locator();
    let cursor = Cursor {
        rows: outcome.rows,
        batch_size,
    };
    org.cursors.open(locator.clone(), cursor);
    let next = next_url(version, &locator, batch_size);
    Ok(page(outcome.total, Some(next), first_page))
}

/// Serves the page of an open cursor named by `{locator}-{offset}`.
pub(super) async fn query_more(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
    Path((_version, locator_and_offset)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let invalid = || ApiError::bad_request("INVALID_QUERY_LOCATOR", "invalid query locator");
    let (locator, offset) = locator_and_offset.rsplit_once('-').ok_or_else(invalid)?;
    let offset: usize = offset.parse().map_err(|_| invalid())?;
    let mut org = emulator.org();
    let cursor = org.cursors.get(locator).ok_or_else(invalid)?;
    if offset >= cursor.rows.len() {
        return Err(invalid());
    }
    let end = (offset + cursor.batch_size).min(cursor.rows.len());
    let rows = cursor.rows[offset..end].to_vec();
    let total_size = cursor.rows.len();
    if end == total_size {
        org.cursors.close(locator);
        return Ok(page(total_size, None, rows));
    }
    Ok(page(
        total_size,
        Some(next_url(version, locator, end)),
        rows,
    ))
}

/// Cuts each child subquery result of `row` longer than `batch_size` to its first page and
/// opens a cursor for the rest, served like any other query page.
fn page_children(
    org: &mut crate::salesforce::state::Org,
    version: ApiVersion,
    row: &mut Row,
    batch_size: usize,
) {
    for (_, cell) in &mut row.0 {
        let Cell::Children(children) = cell else {
            continue;
        };
        if children.records.len() <= batch_size {
            continue;
        }
        let locator = org.new_locator();
        let rows = children.records.clone();
        children.records.truncate(batch_size);
        children.next_records_url = Some(next_url(version, &locator, batch_size));
        org.cursors.open(locator, Cursor { rows, batch_size });
    }
}

fn next_url(version: ApiVersion, locator: &str, offset: usize) -> String {
    format!("{}/query/{locator}-{offset}", version.base_path())
}

fn page(total_size: usize, next_records_url: Option<String>, records: Vec<Row>) -> Response {
    let done = next_records_url.is_none();
    json_response(
        StatusCode::OK,
        &QueryPage {
            total_size,
            done,
            next_records_url,
            records,
        },
    )
}

/// Reads `batchSize=N` from `Sforce-Query-Options`, kept within 200 to 2,000 as Salesforce
/// documents.
fn requested_batch_size(headers: &HeaderMap) -> Option<usize> {
    let options = headers.get("Sforce-Query-Options")?.to_str().ok()?;
    let size = options.split(',').find_map(|option| {
        let (name, value) = option.trim().split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("batchSize")
            .then(|| value.trim().parse::<usize>().ok())?
    })?;
    Some(size.clamp(MIN_BATCH_SIZE, MAX_BATCH_SIZE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requested_batch_size_is_clamped() {
        let mut headers = HeaderMap::new();
        headers.insert("Sforce-Query-Options", "batchSize=50".parse().unwrap());
        assert_eq!(requested_batch_size(&headers), Some(200));
        headers.insert("Sforce-Query-Options", "batchSize=500".parse().unwrap());
        assert_eq!(requested_batch_size(&headers), Some(500));
        headers.insert("Sforce-Query-Options", "batchSize=9000".parse().unwrap());
        assert_eq!(requested_batch_size(&headers), Some(2000));
    }

    #[test]
    fn requested_batch_size_ignores_other_options() {
        let mut headers = HeaderMap::new();
        headers.insert("Sforce-Query-Options", "foo=1".parse().unwrap());
        assert_eq!(requested_batch_size(&headers), None);
    }
}
