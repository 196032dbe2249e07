//! The change feed (SOQL over `SystemModstamp`), deletions from the recycle bin, and the
//! paging of child relationship results that every read of the port shares.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use tandem_engine::{DeletedRecord, ObjectSpec, SourceRecord};

use super::convert::{lookup_key, source_record};
use super::select::{MODSTAMP_FIELD, Selection};
use crate::api::query::{QueryResult, append_page};
use crate::client::SalesforceClient;
use crate::datetime::parse_datetime;
use crate::error::Error;
use crate::id::SalesforceId;
use crate::soql::{check_name, datetime_literal};

/// Reads every `object` record with `SystemModstamp >= since`. See [`query_records`] for when
/// a Bulk API query job is used.
pub(super) async fn changed_since(
    client: &SalesforceClient,
    object: &ObjectSpec,
    since: DateTime<Utc>,
) -> Result<Vec<SourceRecord>, Error> {
    let selection = Selection::of(object)?;
    let soql = changed_since_soql(object, since)?;
    let records = query_records(client, object, &selection, &soql).await?;
    tracing::info!(
        record_type = object.name.as_str(),
        %since,
        records = records.len(),
        "read changed Salesforce records"
    );
    Ok(records)
}

/// Builds `SELECT Id, SystemModstamp, <link>, <fields>, <subqueries> FROM <name> WHERE
/// SystemModstamp >= <since> ORDER BY SystemModstamp, Id`, naming each column once.
pub(super) fn changed_since_soql(
    object: &ObjectSpec,
    since: DateTime<Utc>,
) -> Result<String, Error> {
    let selection = Selection::of(object)?;
    Ok(format!(
        "SELECT {} FROM {} WHERE {MODSTAMP_FIELD} >= {} ORDER BY {MODSTAMP_FIELD}, Id",
        selection.to_soql(),
        object.name,
        datetime_literal(since)
    ))
}

/// Runs `soql`, a query of `object` that selects `selection`, and converts every row.
///
/// Without child subqueries the rows come through a Bulk API 2.0 query job when there are
/// more than the client's bulk threshold. Bulk API 2.0 rejects parent-to-child subqueries, so
/// a selection with children always reads over REST, page by page, and each child result that
/// has more pages is read to its end.
pub(super) async fn query_records(
    client: &SalesforceClient,
    object: &ObjectSpec,
    selection: &Selection,
    soql: &str,
) -> Result<Vec<SourceRecord>, Error> {
    let mut rows = match selection.has_children() {
        true => client.query(soql).await?.records,
        false => client.read_soql(&object.name, soql, false).await?,
    };
    for row in &mut rows {
        complete_children(client, selection, row).await?;
    }
    rows.iter()
        .map(|row| source_record(object, selection, row))
        .collect()
}

/// Reads the remaining pages of each child result in `row` that is not `done`, following its
/// `nextRecordsUrl`, and replaces the result with one that holds every child.
///
/// The number of requests is bounded by the child result's `totalSize`: a page that adds no
/// records without being the last, or more records than the total, fails the read.
async fn complete_children(
    client: &SalesforceClient,
    selection: &Selection,
    row: &mut Map<String, Value>,
) -> Result<(), Error> {
    for child in &selection.children {
        let Some(key) = lookup_key(row, &child.relationship).map(str::to_string) else {
            continue;
        };
        let Some(result) = row.get(&key).filter(|result| is_unfinished(result)) else {
            continue;
        };
        let mut result: QueryResult =
            serde_json::from_value(result.clone()).map_err(|error| Error::InvalidResponse {
                message: format!("the {key} result is not a query result: {error}"),
            })?;
        let mut pages = 1u64;
        while !result.done {
            let page = client.query_next_page(&result).await?;
            append_page(&mut result, page)?;
            pages += 1;
        }
        tracing::debug!(
            relationship = key.as_str(),
            lines = result.records.len(),
            pages,
            "read every page of a child relationship"
        );
        let complete = json!({
            "totalSize": result.total_size,
            "done": true,
            "records": result.records,
        });
        row.insert(key, complete);
    }
    Ok(())
}

fn is_unfinished(result: &Value) -> bool {
    result.get("done") == Some(&Value::Bool(false))
}

/// Reads the `object` records deleted (moved to the recycle bin) at or after `since` with
/// `queryAll`, with the surviving record of a merge when the object has `MasterRecordId`.
pub(super) async fn deleted_since(
    client: &SalesforceClient,
    object: &ObjectSpec,
    since: DateTime<Utc>,
) -> Result<Vec<DeletedRecord>, Error> {
    check_name(&object.name)?;
    let merges = match client.describe(&object.name).await {
        Ok(describe) => describe
            .fields
            .iter()
            .any(|field| field.name == "MasterRecordId"),
        Err(error) => {
            tracing::debug!(record_type = object.name.as_str(), %error, "no describe; reading deletions without merges");
            false
        }
    };
    let columns = if merges {
        "Id, SystemModstamp, MasterRecordId"
    } else {
        "Id, SystemModstamp"
    };
    let soql = format!(
        "SELECT {columns} FROM {} WHERE IsDeleted = true AND {MODSTAMP_FIELD} >= {} ORDER BY {MODSTAMP_FIELD}, Id",
        object.name,
        datetime_literal(since)
    );
    let result = client.query_all(&soql).await?;
    result.records.iter().map(deleted_record).collect()
}

fn deleted_record(row: &Map<String, Value>) -> Result<DeletedRecord, Error> {
    let text = |name: &str| row.get(name).and_then(Value::as_str);
    let invalid = |message: &str| Error::InvalidResponse {
        message: message.to_string(),
    };
    let id = text("Id").ok_or_else(|| invalid("a deleted row has no Id"))?;
    let id = SalesforceId::parse(id).map_err(|_| invalid("a deleted row has an invalid Id"))?;
    let stamp =
        text(MODSTAMP_FIELD).ok_or_else(|| invalid("a deleted row has no SystemModstamp"))?;
    let merged_into = text("MasterRecordId")
        .and_then(|id| SalesforceId::parse(id).ok())
        .map(|id| id.as_str().to_string());
    Ok(DeletedRecord {
        id: id.as_str().to_string(),
        deleted_at: parse_datetime(stamp)
            .map_err(|_| invalid("a deleted row has an invalid SystemModstamp"))?,
        merged_into,
    })
}

#[cfg(test)]
mod tests;
