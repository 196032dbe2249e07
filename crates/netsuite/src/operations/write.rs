//! The write operations: `add`, `update`, `upsert` and `delete`, and their list forms
//! `addList`, `updateList`, `upsertList` and `deleteList`.
//!
//! A list operation carries up to NetSuite's limit of records per request: 200 for add and
//! delete, 100 for update and upsert. The client splits longer inputs into several calls.

use std::collections::BTreeSet;
use std::io;

use quick_xml::Writer;

use crate::envelope::{check_xml_text, text_element};
use crate::error::Error;
use crate::namespace::Namespace;
use crate::operations::get::{GetRequest, write_record_ref};
use crate::operations::record_xml::CheckedRecord;
use crate::operations::{Operation, RequestBody, Status};
use crate::records::{Record, RecordRef};

/// The content of a `writeResponse`.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteResponse {
    /// Whether NetSuite wrote the record, with any errors or warnings.
    pub status: Status,
    /// The written record (`internalId`, `externalId`, `type`); NetSuite may omit it on
    /// failure.
    pub base_ref: Option<RecordRef>,
}

/// The content of a `writeResponseList`: one response per record sent, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteResponseList {
    /// The overall status, which NetSuite sends only when the whole list failed.
    pub status: Option<Status>,
    /// One response per record, in request order.
    pub responses: Vec<WriteResponse>,
}

/// The reason sent with a `delete` where the account requires deletion reasons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionReason {
    /// The deletion reason record (Setup > Accounting > Accounting Lists).
    pub code: RecordRef,
    /// Free text stored with the deletion.
    pub memo: Option<String>,
}

/// The body of an add, update or upsert request, single or list.
pub(crate) struct WriteRequest {
    operation: Operation,
    records: Vec<CheckedRecord>,
}

impl WriteRequest {
    /// Checks `record` for the single-record `operation` (`add`, `update`, `upsert`).
    pub fn new(operation: Operation, record: &Record) -> Result<WriteRequest, Error> {
        let checked = WriteRequest::check(operation, record)?;
        Ok(WriteRequest {
            operation,
            records: vec![checked],
        })
    }

    /// Builds a list request (`addList`, `updateList`, `upsertList`) from checked records.
    pub fn list(operation: Operation, records: Vec<CheckedRecord>) -> WriteRequest {
        WriteRequest { operation, records }
    }

    /// Checks that `record` has the key `operation` needs and fits its schema.
    pub fn check(operation: Operation, record: &Record) -> Result<CheckedRecord, Error> {
        let missing = match operation.single() {
            Operation::Update if record.internal_id.is_none() && record.external_id.is_none() => {
                Some("an update needs an internal ID or an external ID")
            }
            Operation::Upsert if record.external_id.is_none() => {
                Some("an upsert needs an external ID, which is its key")
            }
            _ => None,
        };
        if let Some(message) = missing {
            return Err(Error::Config(message.to_string()));
        }
        CheckedRecord::new(record)
    }
}

impl RequestBody for WriteRequest {
    fn operation(&self) -> Operation {
        self.operation
    }

    fn namespaces(&self, namespaces: &mut BTreeSet<Namespace>) {
        for record in &self.records {
            record.collect_namespaces(namespaces);
        }
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let operation = format!("platformMsgs:{}", self.operation.name());
        writer
            .create_element(operation.as_str())
            .write_inner_content(|writer| {
                self.records
                    .iter()
                    .try_for_each(|record| record.write(writer, "platformMsgs:record"))
            })?;
        Ok(())
    }
}

/// The body of a `delete` or `deleteList` request.
pub(crate) struct DeleteRequest {
    operation: Operation,
    references: Vec<RecordRef>,
    reason: Option<DeletionReason>,
}

impl DeleteRequest {
    /// Checks each reference (a record type and an internal or external ID) and the reason.
    pub fn new(
        operation: Operation,
        references: &[RecordRef],
        reason: Option<&DeletionReason>,
    ) -> Result<DeleteRequest, Error> {
        for reference in references {
            GetRequest::check_reference("delete", reference)?;
        }
        if let Some(reason) = reason {
            crate::operations::get::check_record_ref_text("deletionReasonCode", &reason.code)?;
            if let Some(memo) = &reason.memo {
                check_xml_text("deletionReasonMemo", memo)?;
            }
        }
        Ok(DeleteRequest {
            operation,
            references: references.to_vec(),
            reason: reason.cloned(),
        })
    }
}

impl RequestBody for DeleteRequest {
    fn operation(&self) -> Operation {
        self.operation
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let operation = format!("platformMsgs:{}", self.operation.name());
        writer
            .create_element(operation.as_str())
            .write_inner_content(|writer| {
                for reference in &self.references {
                    write_record_ref(writer, "platformMsgs:baseRef", reference, true)?;
                }
                if let Some(reason) = &self.reason {
                    write_deletion_reason(writer, reason)?;
                }
                Ok(())
            })?;
        Ok(())
    }
}

fn write_deletion_reason(writer: &mut Writer<Vec<u8>>, reason: &DeletionReason) -> io::Result<()> {
    writer
        .create_element("platformMsgs:deletionReason")
        .write_inner_content(|writer| {
            write_record_ref(
                writer,
                "platformCore:deletionReasonCode",
                &reason.code,
                false,
            )?;
            if let Some(memo) = &reason.memo {
                text_element(writer, "platformCore:deletionReasonMemo", memo)?;
            }
            Ok(())
        })?;
    Ok(())
}

#[cfg(test)]
mod tests;
