//! The read operations `get` (one record by internal or external ID), `getList` (up to 1000
//! per request) and `getAll` (every record of a small list type such as currency).

use std::io;

use quick_xml::Writer;

use crate::envelope::check_xml_text;
use crate::error::Error;
use crate::operations::{Operation, RequestBody, Status};
use crate::records::{Record, RecordRef};

/// The content of a `readResponse`.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadResponse {
    /// Whether NetSuite found and returned the record.
    pub status: Status,
    /// The record; absent when the status is a failure.
    pub record: Option<Record>,
}

/// The content of a `readResponseList`: one response per reference sent, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadResponseList {
    /// The overall status, which NetSuite sends only when the whole list failed.
    pub status: Option<Status>,
    /// One response per reference, in request order.
    pub responses: Vec<ReadResponse>,
}

/// The content of a `getAllResult`.
#[derive(Debug, Clone, PartialEq)]
pub struct GetAllResult {
    /// Whether NetSuite returned the records.
    pub status: Status,
    /// Every record of the type.
    pub records: Vec<Record>,
}

/// The body of a `get` or `getList` request.
pub(crate) struct GetRequest {
    operation: Operation,
    references: Vec<RecordRef>,
}

impl GetRequest {
    /// Checks `reference` for a `get`.
    pub fn new(reference: &RecordRef) -> Result<GetRequest, Error> {
        GetRequest::check_reference("get", reference)?;
        Ok(GetRequest {
            operation: Operation::Get,
            references: vec![reference.clone()],
        })
    }

    /// Builds a `getList` request from references checked with
    /// [`GetRequest::check_reference`].
    pub fn list(references: Vec<RecordRef>) -> GetRequest {
        GetRequest {
            operation: Operation::GetList,
            references,
        }
    }

    /// Checks that `reference` names a record type and an internal or external ID, in
    /// characters that XML 1.0 allows.
    pub fn check_reference(operation: &str, reference: &RecordRef) -> Result<(), Error> {
        if reference.record_type.as_deref().unwrap_or("").is_empty() {
            return Err(Error::Config(format!(
                "a {operation} request needs the record type of the reference"
            )));
        }
        if reference.internal_id.is_none() && reference.external_id.is_none() {
            return Err(Error::Config(format!(
                "a {operation} request needs an internal ID or an external ID"
            )));
        }
        check_record_ref_text("baseRef", reference)
    }
}

impl RequestBody for GetRequest {
    fn operation(&self) -> Operation {
        self.operation
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let element = format!("platformMsgs:{}", self.operation.name());
        writer
            .create_element(element.as_str())
            .write_inner_content(|writer| {
                self.references.iter().try_for_each(|reference| {
                    write_record_ref(writer, "platformMsgs:baseRef", reference, true)
                })
            })?;
        Ok(())
    }
}

/// The body of a `getAll` request: every record of one list type.
pub(crate) struct GetAllRequest {
    record_type: String,
}

impl GetAllRequest {
    /// Builds a request for every record of `record_type` (`currency`, `state`).
    pub fn new(record_type: &str) -> Result<GetAllRequest, Error> {
        if record_type.is_empty() {
            return Err(Error::Config("getAll needs a record type".to_string()));
        }
        check_xml_text("recordType", record_type)?;
        Ok(GetAllRequest {
            record_type: record_type.to_string(),
        })
    }
}

impl RequestBody for GetAllRequest {
    fn operation(&self) -> Operation {
        Operation::GetAll
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        writer
            .create_element("platformMsgs:getAll")
            .write_inner_content(|writer| {
                writer
                    .create_element("platformMsgs:record")
                    .with_attribute(("recordType", self.record_type.as_str()))
                    .write_empty()?;
                Ok(())
            })?;
        Ok(())
    }
}

/// Checks each text of `reference` with [`check_xml_text`], naming it `field.internalId`,
/// `field.externalId`, `field.type` or `field.name`.
pub(crate) fn check_record_ref_text(field: &str, reference: &RecordRef) -> Result<(), Error> {
    let parts = [
        ("internalId", &reference.internal_id),
        ("externalId", &reference.external_id),
        ("type", &reference.record_type),
        ("name", &reference.name),
    ];
    for (part, value) in parts {
        if let Some(text) = value {
            check_xml_text(&format!("{field}.{part}"), text)?;
        }
    }
    Ok(())
}

/// Writes a `RecordRef` element: attributes `internalId`, `externalId`, `type`, and a
/// `platformCore:name` child when the reference has a name. `with_xsi_type` adds
/// `xsi:type="platformCore:RecordRef"`, which a `baseRef` needs because its declared type is
/// the abstract `BaseRef`.
pub(crate) fn write_record_ref(
    writer: &mut Writer<Vec<u8>>,
    element: &str,
    reference: &RecordRef,
    with_xsi_type: bool,
) -> io::Result<()> {
    let mut start = writer.create_element(element);
    if with_xsi_type {
        start = start.with_attribute(("xsi:type", "platformCore:RecordRef"));
    }
    if let Some(internal_id) = &reference.internal_id {
        start = start.with_attribute(("internalId", internal_id.as_str()));
    }
    if let Some(external_id) = &reference.external_id {
        start = start.with_attribute(("externalId", external_id.as_str()));
    }
    if let Some(record_type) = &reference.record_type {
        start = start.with_attribute(("type", record_type.as_str()));
    }
    match &reference.name {
        Some(name) => {
            start.write_inner_content(|writer| {
                crate::envelope::text_element(writer, "platformCore:name", name)
            })?;
        }
        None => {
            start.write_empty()?;
        }
    }
    Ok(())
}
