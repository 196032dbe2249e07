//! The `get` operation: one record by internal or external ID.

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

/// The body of a `get` request.
pub(crate) struct GetRequest {
    reference: RecordRef,
}

impl GetRequest {
    /// Checks that `reference` names a record type and an internal or external ID, in
    /// characters that XML 1.0 allows.
    pub fn new(reference: &RecordRef) -> Result<GetRequest, Error> {
        if reference.record_type.as_deref().unwrap_or("").is_empty() {
            return Err(Error::Config(
                "a get request needs the record type of the reference".to_string(),
            ));
        }
        if reference.internal_id.is_none() && reference.external_id.is_none() {
            return Err(Error::Config(
                "a get request needs an internal ID or an external ID".to_string(),
            ));
        }
        check_record_ref_text("baseRef", reference)?;
        Ok(GetRequest {
            reference: reference.clone(),
        })
    }
}

impl RequestBody for GetRequest {
    fn operation(&self) -> Operation {
        Operation::Get
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        writer
            .create_element("platformMsgs:get")
            .write_inner_content(|writer| {
                write_record_ref(writer, "platformMsgs:baseRef", &self.reference, true)
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
