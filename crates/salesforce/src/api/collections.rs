//! sObject Collections: create (`POST /composite/sobjects`), update (`PATCH`), upsert
//! (`PATCH /composite/sobjects/{Type}/{Field}`) and delete (`DELETE ?ids=`), up to 200
//! records a call, `allOrNone=false`, one result per record in input order.

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::api::ApiRequest;
use crate::api::sobjects::{UpsertResult, parse_response_id};
use crate::client::{RawResponse, SalesforceClient};
use crate::error::{Error, ErrorDetail, RecordErrorWire};
use crate::fields::FieldChanges;
use crate::id::SalesforceId;
use crate::soql::check_name;

/// Maximum records in one sObject Collections call. The client splits longer inputs.
pub const MAX_COLLECTION_RECORDS: usize = 200;

/// Changes to one existing record, identified by its Id.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPatch {
    pub id: SalesforceId,
    pub changes: FieldChanges,
}

/// The outcome for one record of a collection call: the record's Id, or [`Error::Record`] with
/// the errors Salesforce reported for it.
pub type RecordResult = Result<SalesforceId, Error>;

/// One record of an upsert by external ID: the key value and the other fields to write.
#[derive(Debug, Clone, PartialEq)]
pub struct UpsertRecord {
    /// Value of the external ID field that identifies the record.
    pub external_id: String,
    /// Fields to write, without the external ID field itself.
    pub changes: FieldChanges,
}

/// The outcome for one record of a collection upsert: created or updated, or
/// [`Error::Record`].
pub type UpsertRecordResult = Result<UpsertResult, Error>;

/// One element of a collection response, `{"id","success","errors":[{"statusCode",...}]}`,
/// with `created` on upserts.
#[derive(Debug, Deserialize)]
pub(crate) struct CollectionResultWire {
    /// Absent on some failed records.
    pub(crate) id: Option<String>,
    pub(crate) success: bool,
    #[serde(default)]
    pub(crate) errors: Vec<RecordErrorWire>,
    #[serde(default)]
    pub(crate) created: Option<bool>,
}

/// Builds `POST /composite/sobjects` creating `records` with `allOrNone=false`.
pub(crate) fn create_request(
    sobject_type: &str,
    records: &[FieldChanges],
) -> Result<ApiRequest, Error> {
    let bodies = records
        .iter()
        .map(|changes| record_body(sobject_type, None, changes))
        .collect::<Result<Vec<Value>, Error>>()?;
    collection_request(Method::POST, sobject_type, bodies)
}

/// Builds `PATCH /composite/sobjects` updating `records` with `allOrNone=false`.
pub(crate) fn update_request(
    sobject_type: &str,
    records: &[RecordPatch],
) -> Result<ApiRequest, Error> {
    let bodies = records
        .iter()
        .map(|patch| record_body(sobject_type, Some(&patch.id), &patch.changes))
        .collect::<Result<Vec<Value>, Error>>()?;
    collection_request(Method::PATCH, sobject_type, bodies)
}

/// Builds `PATCH /composite/sobjects/{sobject_type}/{external_id_field}` upserting `records`
/// with `allOrNone=false`. Each record carries its key in `external_id_field`.
pub(crate) fn upsert_request(
    sobject_type: &str,
    external_id_field: &str,
    records: &[UpsertRecord],
) -> Result<ApiRequest, Error> {
    check_name(sobject_type)?;
    check_name(external_id_field)?;
    if external_id_field.contains('.') {
        return Err(Error::InvalidRequest {
            message: format!("{external_id_field} is not a field of {sobject_type}"),
        });
    }
    let bodies = records
        .iter()
        .map(|record| upsert_body(sobject_type, external_id_field, record))
        .collect::<Result<Vec<Value>, Error>>()?;
    let mut request = collection_request(Method::PATCH, sobject_type, bodies)?;
    if let crate::api::Target::Versioned(segments) = &mut request.target {
        segments.extend([sobject_type.to_string(), external_id_field.to_string()]);
    }
    Ok(request)
}

/// Builds `DELETE /composite/sobjects?ids=...&allOrNone=false`.
pub(crate) fn delete_request(ids: &[SalesforceId]) -> Result<ApiRequest, Error> {
    if ids.len() > MAX_COLLECTION_RECORDS {
        return Err(too_many(ids.len()));
    }
    let ids: Vec<&str> = ids.iter().map(SalesforceId::as_str).collect();
    Ok(
        ApiRequest::versioned(Method::DELETE, ["composite", "sobjects"])
            .param("ids", ids.join(","))
            .param("allOrNone", "false")
            .write(),
    )
}

fn upsert_body(
    sobject_type: &str,
    external_id_field: &str,
    record: &UpsertRecord,
) -> Result<Value, Error> {
    if let Some(name) = record.changes.find_ignoring_case(external_id_field) {
        return Err(Error::InvalidRequest {
            message: format!(
                "an upsert by {external_id_field} carries the key apart, not as {name}"
            ),
        });
    }
    let mut body = record_body(sobject_type, None, &record.changes)?;
    if let Value::Object(fields) = &mut body {
        fields.insert(
            external_id_field.to_string(),
            Value::String(record.external_id.clone()),
        );
    }
    Ok(body)
}

fn too_many(count: usize) -> Error {
    Error::InvalidRequest {
        message: format!(
            "a collection call takes at most {MAX_COLLECTION_RECORDS} records, not {count}"
        ),
    }
}

fn collection_request(
    method: Method,
    sobject_type: &str,
    records: Vec<Value>,
) -> Result<ApiRequest, Error> {
    check_name(sobject_type)?;
    if records.len() > MAX_COLLECTION_RECORDS {
        return Err(too_many(records.len()));
    }
    let body = json!({"allOrNone": false, "records": records});
    Ok(ApiRequest::versioned(method, ["composite", "sobjects"]).write_json(body))
}

/// Builds one record of a collection body: `attributes.type`, `Id` on updates, then `changes`.
fn record_body(
    sobject_type: &str,
    id: Option<&SalesforceId>,
    changes: &FieldChanges,
) -> Result<Value, Error> {
    for key in ["Id", "attributes"] {
        if let Some(name) = changes.find_ignoring_case(key) {
            return Err(Error::InvalidRequest {
                message: format!("a collection record cannot set {name} among its fields"),
            });
        }
    }
    let mut record = Map::new();
    record.insert("attributes".into(), json!({"type": sobject_type}));
    if let Some(id) = id {
        record.insert("Id".into(), Value::String(id.to_string()));
    }
    record.extend(changes.to_json());
    Ok(Value::Object(record))
}

impl SalesforceClient {
    /// Creates `records` as `sobject_type` records, 200 per call with several calls in
    /// flight, and returns one result per record in input order.
    ///
    /// Records succeed or fail one by one (`allOrNone=false`). A call that fails with a
    /// transient or data error fails its own records only. A configuration or API budget
    /// error, or the failure of every call, fails the whole method. Records of other calls
    /// stay created either way.
    pub async fn create_collection(
        &self,
        sobject_type: &str,
        records: &[FieldChanges],
    ) -> Result<Vec<RecordResult>, Error> {
        let results = self
            .send_in_chunks(sobject_type, records, |chunk| async move {
                let request = create_request(sobject_type, chunk)?;
                self.send_collection(&request, chunk.len()).await
            })
            .await?;
        log_outcome("created", sobject_type, &results);
        Ok(results)
    }

    /// Updates `records`, 200 per call with several calls in flight, sending only the fields
    /// in each record's changes, and returns one result per record in input order.
    ///
    /// Records succeed or fail one by one (`allOrNone=false`). A call that fails with a
    /// transient or data error fails its own records only. A configuration or API budget
    /// error, or the failure of every call, fails the whole method. Records of other calls
    /// stay updated either way.
    pub async fn update_collection(
        &self,
        sobject_type: &str,
        records: &[RecordPatch],
    ) -> Result<Vec<RecordResult>, Error> {
        let results = self
            .send_in_chunks(sobject_type, records, |chunk| async move {
                let request = update_request(sobject_type, chunk)?;
                self.send_collection(&request, chunk.len()).await
            })
            .await?;
        log_outcome("updated", sobject_type, &results);
        Ok(results)
    }

    /// Creates or updates `records` by `external_id_field`, 200 per call with several calls
    /// in flight, and returns one result per record in input order, with `created` telling
    /// which branch ran.
    ///
    /// Records succeed or fail one by one (`allOrNone=false`). A call that fails with a
    /// transient or data error fails its own records only. A configuration or API budget
    /// error, or the failure of every call, fails the whole method. Sending the same records
    /// again updates them, so a retry after a lost response creates no duplicate.
    pub async fn upsert_collection(
        &self,
        sobject_type: &str,
        external_id_field: &str,
        records: &[UpsertRecord],
    ) -> Result<Vec<UpsertRecordResult>, Error> {
        let results = self
            .send_in_chunks(sobject_type, records, |chunk| async move {
                let request = upsert_request(sobject_type, external_id_field, chunk)?;
                let response = self.execute(&request).await?;
                read_collection_wire(response, chunk.len())?
                    .into_iter()
                    .map(upsert_result)
                    .collect()
            })
            .await?;
        let failed = results.iter().filter(|result| result.is_err()).count();
        tracing::info!(
            record_type = sobject_type,
            action = "upserted",
            records = results.len(),
            failed,
            "wrote Salesforce records through sObject Collections"
        );
        Ok(results)
    }

    /// Deletes the records `ids`, 200 per call with several calls in flight, and returns one
    /// result per Id in input order. Errors of a whole call are handled as in
    /// [`SalesforceClient::update_collection`].
    pub async fn delete_collection(
        &self,
        ids: &[SalesforceId],
    ) -> Result<Vec<RecordResult>, Error> {
        let results = self
            .send_in_chunks("(any)", ids, |chunk| async move {
                let request = delete_request(chunk)?;
                self.send_collection(&request, chunk.len()).await
            })
            .await?;
        log_outcome("deleted", "(any)", &results);
        Ok(results)
    }

    async fn send_collection(
        &self,
        request: &ApiRequest,
        expected: usize,
    ) -> Result<Vec<RecordResult>, Error> {
        let response = self.execute(request).await?;
        read_collection_response(response, expected)
    }
}

/// Reads a collection response: HTTP 200 with one result per record, even when records fail.
pub(crate) fn read_collection_response(
    response: RawResponse,
    expected: usize,
) -> Result<Vec<RecordResult>, Error> {
    read_collection_wire(response, expected)?
        .into_iter()
        .map(record_result)
        .collect()
}

/// Reads the result array of a collection call and checks that it has one element per record.
/// HTTP 200 does not mean the records were written: each carries its own `success`.
pub(crate) fn read_collection_wire(
    response: RawResponse,
    expected: usize,
) -> Result<Vec<CollectionResultWire>, Error> {
    if response.status != StatusCode::OK {
        return Err(response.into_error());
    }
    let wire: Vec<CollectionResultWire> =
        serde_json::from_slice(&response.body).map_err(|error| Error::InvalidResponse {
            message: format!("the collection result is not valid: {error}"),
        })?;
    if wire.len() != expected {
        return Err(Error::InvalidResponse {
            message: format!(
                "the collection call sent {expected} records but got {} results",
                wire.len()
            ),
        });
    }
    Ok(wire)
}

/// Turns one upsert result into a record result, as [`record_result`] does.
fn upsert_result(wire: CollectionResultWire) -> Result<UpsertRecordResult, Error> {
    let created = wire.created;
    Ok(record_result(wire)?.map(|id| UpsertResult {
        id,
        // `created` is present on every upsert result from v46.0 on, the oldest version the
        // client accepts.
        created: created.unwrap_or(false),
    }))
}

/// Turns one wire result into a record result. The outer `Err` is an invalid response, which
/// fails the whole call.
pub(crate) fn record_result(wire: CollectionResultWire) -> Result<RecordResult, Error> {
    if !wire.success {
        let errors: Vec<ErrorDetail> = wire.errors.into_iter().map(ErrorDetail::from).collect();
        return Ok(Err(Error::Record { errors }));
    }
    let id = wire.id.ok_or_else(|| Error::InvalidResponse {
        message: "a successful collection result has no id".into(),
    })?;
    Ok(Ok(parse_response_id(&id)?))
}

fn log_outcome(action: &str, sobject_type: &str, results: &[RecordResult]) {
    let failed = results.iter().filter(|result| result.is_err()).count();
    tracing::info!(
        record_type = sobject_type,
        action,
        records = results.len(),
        failed,
        "wrote Salesforce records through sObject Collections"
    );
}

mod chunks;

#[cfg(test)]
mod tests;
