//! `add`, `update`, `upsert`, `delete` and their list forms.

use crate::client::{NetSuiteClient, check_status, short_list};
use crate::error::Error;
use crate::operations::Operation;
use crate::operations::RequestBody;
use crate::operations::record_xml::CheckedRecord;
use crate::operations::write::{
    DeleteRequest, DeletionReason, WriteRequest, WriteResponse, WriteResponseList,
};
use crate::parse;
use crate::records::{Record, RecordRef};

impl NetSuiteClient {
    /// Adds one record and returns the reference NetSuite assigned.
    pub async fn add(&self, record: &Record) -> Result<RecordRef, Error> {
        self.write_one(Operation::Add, record).await
    }

    /// Updates one record, found by its internal ID (or external ID), with the fields it
    /// carries; fields it does not carry stay as they are, and sublists follow their
    /// `replaceAll`.
    pub async fn update(&self, record: &Record) -> Result<RecordRef, Error> {
        self.write_one(Operation::Update, record).await
    }

    /// Adds or updates one record keyed by its external ID, so that sending it twice leaves
    /// one record.
    pub async fn upsert(&self, record: &Record) -> Result<RecordRef, Error> {
        self.write_one(Operation::Upsert, record).await
    }

    /// Deletes one record. `reason` is required by accounts that use deletion reasons.
    pub async fn delete(
        &self,
        reference: &RecordRef,
        reason: Option<&DeletionReason>,
    ) -> Result<RecordRef, Error> {
        let request =
            DeleteRequest::new(Operation::Delete, std::slice::from_ref(reference), reason)?;
        let operation = Operation::Delete;
        let parser = move |xml: &[u8], status| parse::write_response(xml, operation, status);
        let response = self.call(&request, None, &parser).await?;
        written_ref(
            operation,
            &reference.record_type.clone().unwrap_or_default(),
            response,
        )
    }

    /// Adds records with `addList`, 200 per request and as many requests at once as the
    /// concurrency limit allows. Returns one result per record in input
    /// order: the reference NetSuite assigned, or the error for that record (a record that
    /// cannot be sent is never sent). A fault or a transport failure fails the call.
    pub async fn add_list(
        &self,
        records: &[Record],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        self.write_list(Operation::AddList, records).await
    }

    /// Updates records with `updateList`, 100 per request, with one result per record as
    /// [`NetSuiteClient::add_list`] returns them.
    pub async fn update_list(
        &self,
        records: &[Record],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        self.write_list(Operation::UpdateList, records).await
    }

    /// Upserts records with `upsertList`, 100 per request, with one result per record as
    /// [`NetSuiteClient::add_list`] returns them.
    pub async fn upsert_list(
        &self,
        records: &[Record],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        self.write_list(Operation::UpsertList, records).await
    }

    /// Deletes records with `deleteList`, 200 per request, with one result per reference in
    /// input order.
    pub async fn delete_list(
        &self,
        references: &[RecordRef],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        let checked: Vec<Result<RecordRef, Error>> = references
            .iter()
            .map(|reference| {
                DeleteRequest::new(Operation::DeleteList, std::slice::from_ref(reference), None)
                    .map(|_| reference.clone())
            })
            .collect();
        let build = |valid: Vec<RecordRef>| -> Result<Box<dyn RequestBody>, Error> {
            Ok(Box::new(DeleteRequest::new(
                Operation::DeleteList,
                &valid,
                None,
            )?))
        };
        self.send_chunks(Operation::DeleteList, checked, build)
            .await
    }

    async fn write_one(&self, operation: Operation, record: &Record) -> Result<RecordRef, Error> {
        let request = WriteRequest::new(operation, record)?;
        let parser = move |xml: &[u8], status| parse::write_response(xml, operation, status);
        let response = self.call(&request, None, &parser).await?;
        written_ref(operation, &record.record_type, response)
    }

    async fn write_list(
        &self,
        operation: Operation,
        records: &[Record],
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        let checked: Vec<Result<CheckedRecord, Error>> = records
            .iter()
            .map(|record| WriteRequest::check(operation, record))
            .collect();
        let build = move |valid: Vec<CheckedRecord>| -> Result<Box<dyn RequestBody>, Error> {
            Ok(Box::new(WriteRequest::list(operation, valid)))
        };
        self.send_chunks(operation, checked, build).await
    }

    /// Sends the valid items in requests of the operation's limit, several at once (see
    /// `each_chunk`), and puts each response, or each item's own error, at the item's
    /// position.
    async fn send_chunks<T: Clone>(
        &self,
        operation: Operation,
        items: Vec<Result<T, Error>>,
        build: impl Fn(Vec<T>) -> Result<Box<dyn RequestBody>, Error>,
    ) -> Result<Vec<Result<RecordRef, Error>>, Error> {
        let limit = operation.list_limit().unwrap_or(100);
        let build = &build;
        let send_chunk = |chunk: Vec<Result<T, Error>>| async move {
            let valid: Vec<T> = chunk.iter().flatten().cloned().collect();
            let mut written = if valid.is_empty() {
                Vec::new().into_iter()
            } else {
                let expected = valid.len();
                let request = build(valid)?;
                let parser =
                    move |xml: &[u8], status| parse::write_list_response(xml, operation, status);
                let list = self.call(request.as_ref(), None, &parser).await?;
                list_results(operation, expected, list)?.into_iter()
            };
            let mut results = Vec::with_capacity(chunk.len());
            for item in chunk {
                match item {
                    Err(error) => results.push(Err(error)),
                    Ok(_) => results.push(written.next().ok_or_else(short_list)?),
                }
            }
            Ok(results)
        };
        self.each_chunk(items, limit, send_chunk).await
    }
}

/// Turns a `writeResponseList` into one result per record sent.
fn list_results(
    operation: Operation,
    expected: usize,
    list: WriteResponseList,
) -> Result<Vec<Result<RecordRef, Error>>, Error> {
    if list.responses.is_empty()
        && let Some(status) = list.status.filter(|status| !status.is_success)
    {
        check_status(operation, &status)?;
    }
    if list.responses.len() != expected {
        return Err(Error::InvalidResponse(format!(
            "{} sent {expected} records and received {} responses",
            operation.name(),
            list.responses.len()
        )));
    }
    Ok(list
        .responses
        .into_iter()
        .map(|response| written_ref(operation, "", response))
        .collect())
}

/// Returns the reference of a successful write, or the record's error.
fn written_ref(
    operation: Operation,
    record_type: &str,
    response: WriteResponse,
) -> Result<RecordRef, Error> {
    check_status(operation, &response.status)?;
    let base_ref = response.base_ref.unwrap_or_default();
    if base_ref.internal_id.is_none() {
        return Err(Error::InvalidResponse(format!(
            "a successful {} response has no internal ID",
            operation.name()
        )));
    }
    tracing::debug!(
        operation = operation.name(),
        record_type = base_ref.record_type.as_deref().unwrap_or(record_type),
        ns_id = base_ref.internal_id.as_deref().unwrap_or(""),
        "NetSuite wrote a record"
    );
    Ok(base_ref)
}
