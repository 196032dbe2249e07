//! The record service (`/services/rest/record/v1/{type}[/{id}|/eid:{externalId}]`): get,
//! create (the new ID from the `Location` header), update (`PATCH`), upsert by external ID
//! (`PUT` to `eid:`) and delete, and the list operations the engine's port builds on.

use std::collections::HashSet;
use std::future::Future;

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::Value;

use super::errors::{NONEXISTENT_ID, Scope};
use super::json::{record_body, record_from_json, rest_name};
use super::suiteql::{self, Row, quote, table_of, timestamp};
use super::{RestClient, RestRequest, RestResponse};
use crate::error::Error;
use crate::operations::other::{DeletedFilter, DeletedRecord};
use crate::operations::search::{SearchPreferences, SearchRecord};
use crate::records::{BodyValue, Record, RecordRef};

/// The root of the record service.
const RECORD_PATH: &str = "/services/rest/record/v1";

/// How a record is named in its URL.
fn key_segment(reference: &RecordRef) -> Result<String, Error> {
    match (&reference.internal_id, &reference.external_id) {
        (Some(id), _) => Ok(encode_segment(id)),
        (None, Some(external_id)) => Ok(format!("eid:{}", encode_segment(external_id))),
        (None, None) => Err(Error::InvalidValue {
            field: "internalId".to_string(),
            message: "a record is named by internal ID or external ID; this one has neither"
                .to_string(),
        }),
    }
}

/// Percent-encodes a path segment, so an external ID with `/` or `?` stays one segment.
fn encode_segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Returns the REST names of the record's sublists that replace their stored lines, joined
/// with commas for the `replace` parameter (`item,addressBook`), or `None` when there are
/// none. A sublist replaces unless it is marked `replaceAll` false, as on SOAP.
// NOTE: SOAP's `pricingMatrix` merges by default, but REST has no equal of it here, so
// a `pricingMatrix` without `replaceAll` is treated like the other sublists.
fn replaced_sublists(record: &Record) -> Option<String> {
    let names: Vec<&str> = record
        .fields
        .iter()
        .filter_map(|(name, value)| match value {
            BodyValue::Sublist(sublist) if sublist.replace_all != Some(false) => {
                Some(rest_name(name))
            }
            _ => None,
        })
        .collect();
    (!names.is_empty()).then(|| names.join(","))
}

/// Reads the internal ID from a `Location` header (`.../record/v1/customer/123`).
fn id_from_location(response: &RestResponse) -> Result<String, Error> {
    let location = response.location.as_deref().ok_or_else(|| {
        Error::InvalidResponse("a successful write has no Location header".to_string())
    })?;
    let id = location
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::InvalidResponse(format!(
            "the Location header {location} does not end in an internal ID"
        )));
    }
    Ok(id.to_string())
}

impl RestClient {
    /// Reads one record; `expand` includes the sublist lines. A missing record is
    /// [`Error::Record`] with `NONEXISTENT_ID`.
    pub async fn get_record(
        &self,
        record_type: &str,
        reference: &RecordRef,
        expand: bool,
    ) -> Result<Record, Error> {
        let path = format!("{RECORD_PATH}/{record_type}/{}", key_segment(reference)?);
        let query = if expand {
            vec![("expandSubResources".to_string(), "true".to_string())]
        } else {
            Vec::new()
        };
        let response = self
            .send(RestRequest {
                operation: "record.get",
                method: &Method::GET,
                path: &path,
                query: &query,
                body: None,
                scope: Scope::Record("record.get"),
            })
            .await?;
        let value: Value = serde_json::from_slice(&response.body).map_err(|error| {
            Error::InvalidResponse(format!("a {record_type} record is not JSON: {error}"))
        })?;
        record_from_json(record_type, &value)
    }

    /// Adds a record (`POST`) and returns its internal ID from the `Location` header.
    pub async fn create_record(&self, record: &Record) -> Result<String, Error> {
        let path = format!("{RECORD_PATH}/{}", record.record_type);
        self.write(&Method::POST, "record.create", &path, &[], record)
            .await
    }

    /// Changes the fields a record carries (`PATCH`), by internal ID, or by external ID when
    /// it has none; a record with both also sets its external ID. A sublist replaces all its
    /// lines, as a SOAP update with `replaceAll` true does, unless it is marked
    /// `replaceAll` false: REST merges sent lines into the stored ones unless the `replace`
    /// parameter names the sublist.
    pub async fn update_record(&self, record: &Record) -> Result<String, Error> {
        let path = format!(
            "{RECORD_PATH}/{}/{}",
            record.record_type,
            key_segment(&record.record_ref())?
        );
        let query: Vec<(String, String)> = replaced_sublists(record)
            .map(|names| vec![("replace".to_string(), names)])
            .unwrap_or_default();
        self.write(&Method::PATCH, "record.update", &path, &query, record)
            .await
    }

    /// Adds the record or updates the one with its external ID (`PUT` to `eid:`), so sending
    /// it twice leaves one record.
    pub async fn upsert_record(&self, record: &Record) -> Result<String, Error> {
        let external_id = record
            .external_id
            .as_deref()
            .ok_or_else(|| Error::InvalidValue {
                field: "externalId".to_string(),
                message: "an upsert is keyed by external ID; the record has none".to_string(),
            })?;
        let path = format!(
            "{RECORD_PATH}/{}/eid:{}",
            record.record_type,
            encode_segment(external_id)
        );
        self.write(&Method::PUT, "record.upsert", &path, &[], record)
            .await
    }

    /// Deletes a record.
    pub async fn delete_record(&self, reference: &RecordRef) -> Result<(), Error> {
        let record_type = reference.record_type.as_deref().unwrap_or_default();
        let path = format!("{RECORD_PATH}/{record_type}/{}", key_segment(reference)?);
        self.send(RestRequest {
            operation: "record.delete",
            method: &Method::DELETE,
            path: &path,
            query: &[],
            body: None,
            scope: Scope::Record("record.delete"),
        })
        .await?;
        Ok(())
    }

    async fn write(
        &self,
        method: &Method,
        operation: &'static str,
        path: &str,
        query: &[(String, String)],
        record: &Record,
    ) -> Result<String, Error> {
        let mut body = record_body(record)?;
        if let (Some(external_id), Some(object)) = (&record.external_id, body.as_object_mut()) {
            object.insert("externalId".to_string(), Value::String(external_id.clone()));
        }
        let response = self
            .send(RestRequest {
                operation,
                method,
                path,
                query,
                body: Some(&body),
                scope: Scope::Record(operation),
            })
            .await?;
        let id = id_from_location(&response)?;
        tracing::debug!(operation, record_type = %record.record_type, ns_id = %id, "NetSuite wrote a record");
        Ok(id)
    }

    /// Reads records, one request each, all at once as far as the account's concurrency
    /// limit allows, and returns one result per reference in input order. A record NetSuite
    /// rejects is an `Err` at its position; any other failure fails the call.
    pub async fn get_records(
        &self,
        references: &[RecordRef],
        expand: bool,
    ) -> Result<Vec<Result<Record, Error>>, Error> {
        each(references, |reference| {
            let record_type = reference.record_type.as_deref().unwrap_or_default();
            self.get_record(record_type, reference, expand)
        })
        .await
    }

    /// Upserts records by external ID in parallel, as [`RestClient::get_records`] reads.
    pub async fn upsert_records(
        &self,
        records: &[Record],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        each(records, |record| async move {
            self.upsert_record(record)
                .await
                .map(|id| written_ref(record, id))
        })
        .await
    }

    /// Updates records by internal ID in parallel, as [`RestClient::get_records`] reads.
    pub async fn update_records(
        &self,
        records: &[Record],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        each(records, |record| async move {
            self.update_record(record)
                .await
                .map(|id| written_ref(record, id))
        })
        .await
    }

    /// Deletes records in parallel, as [`RestClient::get_records`] reads.
    pub async fn delete_records(
        &self,
        references: &[RecordRef],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        each(references, |reference| async move {
            self.delete_record(reference)
                .await
                .map(|()| reference.clone())
        })
        .await
    }

    /// Reads the records a search finds: their IDs with SuiteQL, then each record, with its
    /// sublists unless `body_fields_only` is set. A record deleted in between is left out.
    pub async fn search_records(
        &self,
        search: &SearchRecord,
        preferences: &SearchPreferences,
    ) -> Result<Vec<Record>, Error> {
        let (table, _) = table_of(&search.record_type)?;
        let condition = suiteql::condition(search, self.config.user_time_zone)?;
        let ids = self.suiteql_ids(table, condition.as_deref()).await?;
        self.read_found(&search.record_type, ids, !preferences.body_fields_only)
            .await
    }

    /// Reads every record of a type.
    pub async fn all_records(&self, record_type: &str) -> Result<Vec<Record>, Error> {
        let (table, type_filter) = table_of(record_type)?;
        let condition = type_filter.map(|(column, value)| format!("{column} = {}", quote(value)));
        let ids = self.suiteql_ids(table, condition.as_deref()).await?;
        self.read_found(record_type, ids, false).await
    }

    async fn read_found(
        &self,
        record_type: &str,
        ids: Vec<String>,
        expand: bool,
    ) -> Result<Vec<Record>, Error> {
        let references: Vec<RecordRef> = ids
            .into_iter()
            .map(|id| RecordRef::internal(record_type, id))
            .collect();
        let mut records = Vec::with_capacity(references.len());
        for read in self.get_records(&references, expand).await? {
            match read {
                Ok(record) => records.push(record),
                Err(error) if error.code() == NONEXISTENT_ID => {}
                Err(error) => return Err(error),
            }
        }
        Ok(records)
    }

    /// Reads deletions from SuiteQL's `deletedrecord` table, every page, past the 100,000-row
    /// ceiling by continuing after the last deletion read.
    pub async fn deleted_records(
        &self,
        filter: &DeletedFilter,
    ) -> Result<Vec<DeletedRecord>, Error> {
        // NOTE: `recordid`, `type`, `name` and `deleteddate` are the DeletedRecord columns as
        // third parties list them. That `type` contains lower-case record type IDs is an
        // assumption, and neither is checked against a live account.
        let zone = self.config.user_time_zone;
        let mut conditions = vec![format!(
            "deleteddate >= {}",
            timestamp(filter.deleted_from, zone)
        )];
        if let Some(to) = filter.deleted_to {
            conditions.push(format!("deleteddate <= {}", timestamp(to, zone)));
        }
        if !filter.record_types.is_empty() {
            let types: Vec<String> = filter
                .record_types
                .iter()
                .map(|t| quote(&t.to_ascii_lowercase()))
                .collect();
            conditions.push(format!("type IN ({})", types.join(", ")));
        }
        let window = conditions.join(" AND ");
        let mut deleted: Vec<DeletedRecord> = Vec::new();
        let mut seen = HashSet::new();
        let mut resume = String::new();
        loop {
            let query = format!(
                "SELECT recordid, type, deleteddate, name FROM deletedrecord WHERE {window}\
                 {resume} ORDER BY deleteddate, recordid"
            );
            let (rows, complete) = self.suiteql_to_ceiling(&query).await?;
            let before = deleted.len();
            for record in rows.iter().filter_map(deleted_of) {
                let key = (
                    record.record.record_type.clone(),
                    record.record.internal_id.clone(),
                );
                if seen.insert(key) {
                    deleted.push(record);
                }
            }
            if complete {
                return Ok(deleted);
            }
            // Past the ceiling, a new query continues after the last deletion read. The time
            // is written in the user's zone, where the repeated hour at the end of daylight
            // saving reads as its earlier pass. So rows may come twice, but none is skipped,
            // and `seen` drops the repeats.
            let last = deleted.last().filter(|_| deleted.len() > before);
            let (Some(at), Some(id)) = (
                last.and_then(|record| record.deleted_at),
                last.and_then(|record| record.record.internal_id.as_deref()?.parse::<u64>().ok()),
            ) else {
                return Err(Error::InvalidResponse(
                    "a deletedrecord page past the SuiteQL ceiling brought no new deletion \
                     with a date and a numeric ID to continue after"
                        .to_string(),
                ));
            };
            let at = timestamp(at, zone);
            resume =
                format!(" AND (deleteddate > {at} OR (deleteddate = {at} AND recordid > {id}))");
        }
    }
}

/// Sends one request per item at once and returns the results in input order. The record
/// service has no batch operations, so this is how a batch goes out. The client's scheduler
/// keeps the requests in flight within the account's concurrency limit and retries HTTP 429.
/// A record-level error stays at its item's position; any other error fails the whole call,
/// after every request has finished, so none is left running.
async fn each<'a, T, R, F, Fut>(items: &'a [T], call: F) -> Result<Vec<Result<R, Error>>, Error>
where
    F: FnMut(&'a T) -> Fut,
    Fut: Future<Output = Result<R, Error>>,
{
    let outcomes = join_all(items.iter().map(call)).await;
    let mut results = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Err(error) if !error.is_record_level() => return Err(error),
            other => results.push(other),
        }
    }
    Ok(results)
}

/// Returns the reference of a record written as `id`.
fn written_ref(record: &Record, id: String) -> RecordRef {
    RecordRef {
        record_type: Some(record.record_type.clone()),
        internal_id: Some(id),
        external_id: record.external_id.clone(),
        name: None,
    }
}

fn deleted_of(row: &Row) -> Option<DeletedRecord> {
    let text = |name: &str| row.get(name).and_then(Value::as_str).map(str::to_string);
    let deleted_at = text("deleteddate")
        .and_then(|value| DateTime::parse_from_rfc3339(&value).ok())
        .map(|instant| instant.with_timezone(&Utc));
    Some(DeletedRecord {
        deleted_at,
        record: RecordRef {
            record_type: text("type"),
            internal_id: Some(text("recordid")?),
            external_id: None,
            name: text("name"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(location: Option<&str>) -> RestResponse {
        RestResponse {
            status: 204,
            location: location.map(str::to_string),
            body: Vec::new(),
        }
    }

    #[test]
    fn id_comes_from_location() {
        let created = response(Some(
            "https://1.suitetalk.api.netsuite.com/services/rest/record/v1/customer/647",
        ));
        assert_eq!(id_from_location(&created).unwrap(), "647");
    }

    #[test]
    fn missing_location_is_invalid_response() {
        let error = id_from_location(&response(None)).unwrap_err();
        assert!(matches!(error, Error::InvalidResponse(_)));
    }

    #[test]
    fn replaced_sublists_names_replacing_lists() {
        let sublist = |replace_all| {
            BodyValue::Sublist(crate::records::Sublist {
                replace_all,
                lines: Vec::new(),
                line_name: None,
            })
        };
        let mut record = Record::new("salesOrder");
        record
            .fields
            .push(("memo".into(), BodyValue::Text("x".into())));
        assert_eq!(replaced_sublists(&record), None);
        record.fields.push(("itemList".into(), sublist(None)));
        record
            .fields
            .push(("applyList".into(), sublist(Some(false))));
        record
            .fields
            .push(("addressbookList".into(), sublist(Some(true))));
        assert_eq!(
            replaced_sublists(&record).as_deref(),
            Some("item,addressBook")
        );
    }

    #[test]
    fn key_segment_encodes_external_id() {
        let reference = RecordRef::external("customer", "SF/1 2");
        assert_eq!(key_segment(&reference).unwrap(), "eid:SF%2F1%202");
        let internal = RecordRef::internal("customer", "5");
        assert_eq!(key_segment(&internal).unwrap(), "5");
    }
}
