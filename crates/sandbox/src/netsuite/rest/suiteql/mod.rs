//! `POST /services/rest/query/v1/suiteql`: SuiteQL over the same records the SOAP side serves.
//!
//! Tables: `customer`, `contact`, `transaction` (sales orders, invoices and customer payments,
//! distinguished by `type`: `SalesOrd`, `CustInvc`, `CustPymt`), `item` (by `itemtype`:
//! `InvtPart`, `NonInvtPart`, `Service`), `currency`, `pricelevel`, `location`, `subsidiary`
//! and `term`, and `deletedrecord` with the deletions of every type. Tables join on one
//! column equality each (`FROM transaction t JOIN customer c ON t.entity = c.id`). A table's columns are the record's body fields in lower case, with references
//! as their internal ID, booleans as `T` or `F` and datetimes in UTC. Values come back as
//! strings, and empty ones are left out, as SuiteQL does.
//!
//! Paging follows the REST query service: `limit` (1 to 1000, 1000 by default) and `offset`
//! in the query string, `hasMore`, `count`, `offset`, `totalResults` and `links`, and no row
//! past the 100,000th.

mod eval;
mod parse;

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::errors::RestError;
use super::gateway;
use super::json::{RestType, record_json};
use super::{Incoming, serve};
use crate::netsuite::NetSuiteEmulator;
use crate::netsuite::records::RecordKind;
use crate::netsuite::state::State;
use crate::netsuite::xml::Element;

/// The maximum number of rows one page returns.
pub(crate) const MAX_LIMIT: usize = 1000;

/// The maximum number of rows a query can page through. Past it, NetSuite requires
/// SuiteAnalytics Connect.
pub(crate) const MAX_RESULTS: usize = 100_000;

/// One row: column name in lower case to value.
pub(crate) type Row = Map<String, Value>;

/// Handles a SuiteQL request.
pub(crate) async fn query(
    AxumState(emulator): AxumState<NetSuiteEmulator>,
    Query(parameters): Query<HashMap<String, String>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let incoming = Incoming::new(method, uri, headers);
    let account = emulator.credentials().account.clone();
    serve(&emulator, "suiteql", &incoming, |state, now| {
        check_prefer(&incoming.headers)?;
        let (limit, offset) = paging(&parameters)?;
        let text = query_text(&body)?;
        let query = parse::parse(&text).map_err(|message| invalid_query(&message))?;
        let origin = incoming.origin();
        let base = table_rows(state, &account, now, &query.table, &origin)?;
        let mut rows = eval::qualify(base, &query.alias);
        for join in &query.joins {
            let joined = table_rows(state, &account, now, &join.table, &origin)?;
            rows = eval::join(rows, join, joined).map_err(|message| invalid_query(&message))?;
        }
        let selected = eval::run(&query, rows);
        Ok(page(&incoming, selected, limit, offset))
    })
    .await
}

/// Builds the error of a query NetSuite cannot run, in the wording of its search errors.
fn invalid_query(message: &str) -> RestError {
    RestError::bad_request(
        "INVALID_PARAMETER",
        format!(
            "Invalid search query. Detailed unprocessed description follows. Search error \
             occurred: {message}."
        ),
    )
    .at(Some("q".to_string()))
}

/// SuiteQL over REST needs `Prefer: transient`.
fn check_prefer(headers: &HeaderMap) -> Result<(), RestError> {
    let transient = headers
        .get_all("Prefer")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| {
            value
                .split(',')
                .any(|p| p.trim().eq_ignore_ascii_case("transient"))
        });
    if transient {
        return Ok(());
    }
    Err(RestError::bad_request(
        "INVALID_HEADER",
        "The Prefer header must be set to transient for SuiteQL queries.",
    ))
}

fn paging(parameters: &HashMap<String, String>) -> Result<(usize, usize), RestError> {
    let number = |name: &str, default: usize| -> Result<usize, RestError> {
        match parameters.get(name) {
            None => Ok(default),
            Some(text) => text.parse().map_err(|_| {
                RestError::bad_request(
                    "INVALID_PARAMETER",
                    format!("The {name} parameter must be a whole number, not {text}."),
                )
            }),
        }
    };
    let limit = number("limit", MAX_LIMIT)?;
    let offset = number("offset", 0)?;
    if limit == 0 || limit > MAX_LIMIT {
        return Err(RestError::bad_request(
            "INVALID_PARAMETER",
            format!("The limit parameter must be between 1 and {MAX_LIMIT}."),
        ));
    }
    if offset >= MAX_RESULTS {
        return Err(RestError::bad_request(
            "INVALID_PARAMETER",
            format!(
                "The offset parameter must be below {MAX_RESULTS}; page through larger results \
                 with a narrower query."
            ),
        ));
    }
    Ok((limit, offset))
}

fn query_text(body: &[u8]) -> Result<String, RestError> {
    let parsed: Value = serde_json::from_slice(body).map_err(|_| {
        RestError::bad_request(
            "INVALID_CONTENT",
            "The request body must be JSON: {\"q\": \"SELECT ...\"}.",
        )
    })?;
    parsed
        .get("q")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            RestError::bad_request(
                "INVALID_CONTENT",
                "The request body has no q member with the query.",
            )
        })
}

/// The record kinds behind a table, each with the value of its type column.
fn table_kinds(table: &str) -> Option<(Vec<(RestType, &'static str)>, &'static str)> {
    let record = |kind| RestType::Record(kind);
    let kinds = match table {
        "customer" => (vec![(RestType::Customer, "")], ""),
        "contact" => (vec![(record(RecordKind::Contact), "")], ""),
        "transaction" => (
            vec![
                (record(RecordKind::SalesOrder), "SalesOrd"),
                (record(RecordKind::Invoice), "CustInvc"),
                (record(RecordKind::CustomerPayment), "CustPymt"),
            ],
            "type",
        ),
        "item" => (
            vec![
                (record(RecordKind::InventoryItem), "InvtPart"),
                (record(RecordKind::NonInventorySaleItem), "NonInvtPart"),
                (record(RecordKind::ServiceSaleItem), "Service"),
            ],
            "itemtype",
        ),
        "currency" => (vec![(record(RecordKind::Currency), "")], ""),
        "pricelevel" => (vec![(record(RecordKind::PriceLevel), "")], ""),
        "location" => (vec![(record(RecordKind::Location), "")], ""),
        "subsidiary" => (vec![(record(RecordKind::Subsidiary), "")], ""),
        "term" => (vec![(record(RecordKind::Term), "")], ""),
        _ => return None,
    };
    Some(kinds)
}

/// Builds every row of a table from the stored records.
fn table_rows(
    state: &mut State,
    account: &str,
    now: DateTime<Utc>,
    table: &str,
    origin: &str,
) -> Result<Vec<Row>, RestError> {
    if table == "deletedrecord" {
        return Ok(deleted_rows(state));
    }
    let (kinds, type_column) = table_kinds(table).ok_or_else(|| {
        invalid_query(&format!(
            "Record '{table}' was not found; the sandbox serves customer, contact, \
             transaction, item, currency, pricelevel, location, subsidiary, term and \
             deletedrecord"
        ))
    })?;
    let mut rows = Vec::new();
    for (rest_type, type_value) in kinds {
        let record_type = rest_type.record_type();
        for record in stored_records(state, account, now, rest_type)? {
            let url = format!("{origin}/services/rest/record/v1/{record_type}");
            let mut row = flatten(&record_json(&record, rest_type, &url, false));
            if !type_column.is_empty() {
                row.insert(
                    type_column.to_string(),
                    Value::String(type_value.to_string()),
                );
            }
            rows.push(row);
        }
    }
    Ok(rows)
}

/// Reads every stored record of a type as the SOAP side's `getList` returns it.
pub(crate) fn stored_records(
    state: &mut State,
    account: &str,
    now: DateTime<Utc>,
    rest_type: RestType,
) -> Result<Vec<Element>, RestError> {
    let ids: Vec<String> = match rest_type {
        RestType::Customer => state
            .customers()
            .map(|stored| stored.customer.internal_id.clone())
            .collect(),
        RestType::Record(kind) => state
            .records
            .of_kind(kind)
            .map(|record| record.internal_id.clone())
            .collect(),
    };
    gateway::get_list(state, account, now, rest_type.record_type(), &ids)
}

/// Builds the rows of `deletedrecord`: one per deletion, of every record type, with the
/// columns `recordid`, `type` (the record type ID in lower case, `salesorder`), `name`,
/// `externalid` and `deleteddate`.
// NOTE: `recordid`, `type`, `name` and `deleteddate` follow the columns of NetSuite's
// DeletedRecord analytics table as third parties list them. Lower-case type IDs as values
// are this emulator's reading, not checked against a live account.
fn deleted_rows(state: &State) -> Vec<Row> {
    state
        .records
        .deleted
        .iter()
        .map(|deleted| {
            let mut row = Row::new();
            let mut put = |name: &str, value: &str| {
                row.insert(name.to_string(), Value::String(value.to_string()));
            };
            put("recordid", &deleted.internal_id);
            put("type", &deleted.record_type.to_ascii_lowercase());
            put(
                "deleteddate",
                &deleted.deleted_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
            );
            if let Some(external_id) = &deleted.external_id {
                put("externalid", external_id);
            }
            if let Some(name) = &deleted.name {
                put("name", name);
            }
            row
        })
        .collect()
}

/// Turns a REST record into a SuiteQL row.
fn flatten(record: &Value) -> Row {
    let mut row = Row::new();
    for (name, value) in record.as_object().into_iter().flatten() {
        let text = match value {
            Value::String(text) if !text.is_empty() => text.clone(),
            Value::Number(number) => number_text(number),
            Value::Bool(flag) => if *flag { "T" } else { "F" }.to_string(),
            Value::Object(object) => match object.get("id").and_then(Value::as_str) {
                Some(id) => id.to_string(),
                None => continue,
            },
            _ => continue,
        };
        row.insert(name.to_ascii_lowercase(), Value::String(text));
    }
    row
}

/// Writes a number as SuiteQL does: whole numbers without a fraction.
fn number_text(number: &serde_json::Number) -> String {
    match number.as_f64() {
        Some(value) if value.fract() == 0.0 && value.abs() < 1e15 => format!("{value:.0}"),
        _ => number.to_string(),
    }
}

fn page(incoming: &Incoming, rows: Vec<Row>, limit: usize, offset: usize) -> Response {
    let total = rows.len().min(MAX_RESULTS);
    let items: Vec<Value> = rows
        .into_iter()
        .take(MAX_RESULTS)
        .skip(offset)
        .take(limit)
        .map(|mut row| {
            row.insert("links".to_string(), json!([]));
            Value::Object(row)
        })
        .collect();
    let count = items.len();
    let has_more = offset + count < total;
    let base = format!("{}{}", incoming.origin(), incoming.uri.path());
    let link = |rel: &str, at: usize| json!({"rel": rel, "href": format!("{base}?limit={limit}&offset={at}")});
    let mut links = vec![link("self", offset)];
    if offset > 0 {
        links.push(link("previous", offset.saturating_sub(limit)));
        links.push(link("first", 0));
    }
    if has_more {
        links.push(link("next", offset + limit));
        let last = total.saturating_sub(1) / limit * limit;
        links.push(link("last", last));
    }
    let body = json!({
        "links": links,
        "count": count,
        "hasMore": has_more,
        "items": items,
        "offset": offset,
        "totalResults": total,
    });
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/vnd.oracle.resource+json; type=collection",
        )],
        body.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_writes_refs_flags_and_numbers_as_text() {
        let record = json!({"id": "5", "subsidiary": {"id": "1", "refName": "HQ"},
            "isInactive": false, "balance": 12.0, "addressBook": {"links": []}});
        let row = flatten(&record);
        assert_eq!(row["subsidiary"], "1");
        assert_eq!(row["isinactive"], "F");
        assert_eq!(row["balance"], "12");
        assert!(!row.contains_key("addressbook"));
    }

    #[test]
    fn paging_rejects_limit_over_maximum_and_offset_at_ceiling() {
        let limit = HashMap::from([("limit".to_string(), "1001".to_string())]);
        assert_eq!(paging(&limit).unwrap_err().code, "INVALID_PARAMETER");
        let offset = HashMap::from([("offset".to_string(), "100000".to_string())]);
        assert_eq!(paging(&offset).unwrap_err().code, "INVALID_PARAMETER");
        assert_eq!(paging(&HashMap::new()).unwrap(), (1000, 0));
    }
}
