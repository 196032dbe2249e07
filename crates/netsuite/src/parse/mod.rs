//! Reading SuiteTalk responses: the SOAP envelope, `documentInfo`, faults and the response
//! bodies of each operation.
//!
//! Elements are matched by namespace URI and local name, never by prefix, and NetSuite
//! namespaces are recognised in every version, so responses from 2011_2 to 2025_2 endpoints
//! read the same way. Elements this client does not know are skipped.

pub(crate) mod cursor;
mod fault;
mod other;
mod record;
mod responses;
mod rows;
mod status;

use crate::error::Error;
use crate::namespace::Namespace;
use crate::operations::Operation;
use crate::operations::get::{GetAllResult, ReadResponse, ReadResponseList};
use crate::operations::other::{CustomizationIds, DeletedPage, SelectValuePage, ServerTime};
use crate::operations::search::SearchPage;
use crate::operations::write::{WriteResponse, WriteResponseList};

use cursor::{Element, ElementNamespace, XmlCursor};

/// A parsed response body with the `nsId` NetSuite gave the request.
#[derive(Debug, Clone, PartialEq)]
pub struct Response<T> {
    /// `documentInfo/nsId`: NetSuite's ID of the request, which NetSuite support requests.
    /// Faults carry none.
    pub ns_request_id: Option<String>,
    /// The parsed response element.
    pub body: T,
}

/// Parses a `getResponse`. A SOAP fault becomes [`Error::Fault`] with `http_status`.
pub fn get_response(xml: &[u8], http_status: u16) -> Result<Response<ReadResponse>, Error> {
    read_envelope(xml, http_status, Operation::Get, |cursor, body| {
        let read = expect_child(cursor, body, Namespace::Messages, "readResponse")?;
        responses::read_response(cursor, &read)
    })
}

/// Parses the response of `add`, `update` or `upsert`. A SOAP fault becomes
/// [`Error::Fault`] with `http_status`.
pub fn write_response(
    xml: &[u8],
    operation: Operation,
    http_status: u16,
) -> Result<Response<WriteResponse>, Error> {
    read_envelope(xml, http_status, operation, |cursor, body| {
        let write = expect_child(cursor, body, Namespace::Messages, "writeResponse")?;
        responses::write_response(cursor, &write)
    })
}

/// Parses the response of `search` or `searchMoreWithId`. A SOAP fault becomes
/// [`Error::Fault`] with `http_status`.
pub fn search_response(
    xml: &[u8],
    operation: Operation,
    http_status: u16,
) -> Result<Response<SearchPage>, Error> {
    read_envelope(xml, http_status, operation, |cursor, body| {
        let result = expect_child(cursor, body, Namespace::Core, "searchResult")?;
        responses::search_result(cursor, &result)
    })
}

/// Parses a `getListResponse`: one `readResponse` per reference, in order.
pub fn get_list_response(
    xml: &[u8],
    http_status: u16,
) -> Result<Response<ReadResponseList>, Error> {
    read_envelope(xml, http_status, Operation::GetList, |cursor, body| {
        let list = expect_child(cursor, body, Namespace::Messages, "readResponseList")?;
        responses::read_response_list(cursor, &list)
    })
}

/// Parses a `getAllResponse`.
pub fn get_all_response(xml: &[u8], http_status: u16) -> Result<Response<GetAllResult>, Error> {
    read_envelope(xml, http_status, Operation::GetAll, |cursor, body| {
        let result = expect_child(cursor, body, Namespace::Core, "getAllResult")?;
        responses::get_all_result(cursor, &result)
    })
}

/// Parses the response of `addList`, `updateList`, `upsertList` or `deleteList`: one
/// `writeResponse` per record, in order.
pub fn write_list_response(
    xml: &[u8],
    operation: Operation,
    http_status: u16,
) -> Result<Response<WriteResponseList>, Error> {
    read_envelope(xml, http_status, operation, |cursor, body| {
        let list = expect_child(cursor, body, Namespace::Messages, "writeResponseList")?;
        responses::write_response_list(cursor, &list)
    })
}

/// Parses a `getDeletedResponse`.
pub fn get_deleted_response(xml: &[u8], http_status: u16) -> Result<Response<DeletedPage>, Error> {
    read_envelope(xml, http_status, Operation::GetDeleted, |cursor, body| {
        let result = expect_child(cursor, body, Namespace::Core, "getDeletedResult")?;
        other::deleted_page(cursor, &result)
    })
}

/// Parses a `getSelectValueResponse`.
pub fn get_select_value_response(
    xml: &[u8],
    http_status: u16,
) -> Result<Response<SelectValuePage>, Error> {
    read_envelope(
        xml,
        http_status,
        Operation::GetSelectValue,
        |cursor, body| {
            let result = expect_child(cursor, body, Namespace::Core, "getSelectValueResult")?;
            other::select_value_page(cursor, &result)
        },
    )
}

/// Parses a `getCustomizationIdResponse`.
pub fn get_customization_id_response(
    xml: &[u8],
    http_status: u16,
) -> Result<Response<CustomizationIds>, Error> {
    read_envelope(
        xml,
        http_status,
        Operation::GetCustomizationId,
        |cursor, body| {
            let result = expect_child(cursor, body, Namespace::Core, "getCustomizationIdResult")?;
            other::customization_ids(cursor, &result)
        },
    )
}

/// Parses a `getServerTimeResponse`.
pub fn get_server_time_response(
    xml: &[u8],
    http_status: u16,
) -> Result<Response<ServerTime>, Error> {
    read_envelope(
        xml,
        http_status,
        Operation::GetServerTime,
        |cursor, body| {
            let result = expect_child(cursor, body, Namespace::Core, "getServerTimeResult")?;
            other::server_time(cursor, &result)
        },
    )
}

/// Walks `Envelope`, `Header` and `Body`, and hands the operation's response element to
/// `read_body`.
fn read_envelope<T>(
    xml: &[u8],
    http_status: u16,
    operation: Operation,
    read_body: impl FnOnce(&mut XmlCursor<'_>, &Element) -> Result<T, Error>,
) -> Result<Response<T>, Error> {
    let mut cursor = XmlCursor::new(xml);
    let envelope = cursor.root()?;
    if !envelope.is(ElementNamespace::Soap, "Envelope") {
        return Err(Error::InvalidResponse(format!(
            "expected a SOAP 1.1 Envelope, found <{}>",
            envelope.local_name
        )));
    }
    let mut ns_request_id = None;
    while let Some(child) = cursor.next_child(&envelope)? {
        if child.is(ElementNamespace::Soap, "Header") {
            ns_request_id = read_header(&mut cursor, &child)?;
        } else if child.is(ElementNamespace::Soap, "Body") {
            // The header comes before the body, so nothing after the body is needed.
            let body = read_soap_body(&mut cursor, &child, http_status, operation, read_body)?;
            return Ok(Response {
                ns_request_id,
                body,
            });
        } else {
            cursor.skip(&child)?;
        }
    }
    Err(Error::InvalidResponse(
        "the SOAP envelope has no Body".to_string(),
    ))
}

/// Returns `documentInfo/nsId` from the SOAP header, if present.
fn read_header(cursor: &mut XmlCursor<'_>, header: &Element) -> Result<Option<String>, Error> {
    let mut ns_id = None;
    while let Some(child) = cursor.next_child(header)? {
        if !child.is_netsuite(Namespace::Messages, "documentInfo") {
            cursor.skip(&child)?;
            continue;
        }
        while let Some(field) = cursor.next_child(&child)? {
            if field.is_netsuite(Namespace::Messages, "nsId") {
                ns_id = Some(cursor.text(&field)?.trim().to_string());
            } else {
                cursor.skip(&field)?;
            }
        }
    }
    Ok(ns_id)
}

fn read_soap_body<T>(
    cursor: &mut XmlCursor<'_>,
    body: &Element,
    http_status: u16,
    operation: Operation,
    read_body: impl FnOnce(&mut XmlCursor<'_>, &Element) -> Result<T, Error>,
) -> Result<T, Error> {
    let Some(first) = cursor.next_child(body)? else {
        return Err(Error::InvalidResponse("the SOAP Body is empty".to_string()));
    };
    if first.is(ElementNamespace::Soap, "Fault") {
        let fault = fault::read_fault(cursor, &first, http_status)?;
        return Err(Error::Fault(Box::new(fault)));
    }
    let response_name = operation.response_name();
    if !first.is_netsuite(Namespace::Messages, &response_name) {
        return Err(Error::InvalidResponse(format!(
            "expected <{response_name}> in the SOAP Body, found <{}>",
            first.local_name
        )));
    }
    let parsed = read_body(cursor, &first)?;
    cursor.skip(&first)?;
    Ok(parsed)
}

/// Reads children of `parent` up to the first `local_name` in `namespace`, skipping others.
fn expect_child(
    cursor: &mut XmlCursor<'_>,
    parent: &Element,
    namespace: Namespace,
    local_name: &str,
) -> Result<Element, Error> {
    while let Some(child) = cursor.next_child(parent)? {
        if child.is_netsuite(namespace, local_name) {
            return Ok(child);
        }
        cursor.skip(&child)?;
    }
    Err(Error::InvalidResponse(format!(
        "<{}> has no <{local_name}>",
        parent.local_name
    )))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod corpus_tests;
