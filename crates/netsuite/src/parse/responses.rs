//! Reading `readResponse`, `writeResponse`, their lists, `getAllResult` and `searchResult`.

use crate::error::Error;
use crate::namespace::Namespace;
use crate::operations::Status;
use crate::operations::get::{GetAllResult, ReadResponse, ReadResponseList};
use crate::operations::search::SearchPage;
use crate::operations::write::{WriteResponse, WriteResponseList};
use crate::parse::cursor::{Element, XmlCursor};
use crate::parse::record::{is_record_element, read_record, read_reference};
use crate::parse::rows::read_row_list;
use crate::parse::status::read_status;
use crate::records::Record;

/// Reads a `readResponse`: status, then the record (in the messages namespace) if any.
pub(crate) fn read_response(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
) -> Result<ReadResponse, Error> {
    let mut status = None;
    let mut record = None;
    while let Some(child) = cursor.next_child(element)? {
        if child.is_netsuite(Namespace::Core, "status") {
            status = Some(read_status(cursor, &child)?);
        } else if is_record_element(&child) {
            record = Some(read_record(cursor, &child)?);
        } else {
            cursor.skip(&child)?;
        }
    }
    Ok(ReadResponse {
        status: require_status(status, "readResponse")?,
        record,
    })
}

/// Reads a `writeResponse`: status, then `baseRef`.
pub(crate) fn write_response(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
) -> Result<WriteResponse, Error> {
    let mut status = None;
    let mut base_ref = None;
    while let Some(child) = cursor.next_child(element)? {
        if child.is_netsuite(Namespace::Core, "status") {
            status = Some(read_status(cursor, &child)?);
        } else if child.local_name == "baseRef" {
            base_ref = Some(read_reference(cursor, &child)?);
        } else {
            cursor.skip(&child)?;
        }
    }
    Ok(WriteResponse {
        status: require_status(status, "writeResponse")?,
        base_ref,
    })
}

/// Reads a `readResponseList`: an optional overall status, then one `readResponse` each.
pub(crate) fn read_response_list(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
) -> Result<ReadResponseList, Error> {
    let mut list = ReadResponseList {
        status: None,
        responses: Vec::new(),
    };
    while let Some(child) = cursor.next_child(element)? {
        if child.is_netsuite(Namespace::Core, "status") {
            list.status = Some(read_status(cursor, &child)?);
        } else if child.local_name == "readResponse" {
            list.responses.push(read_response(cursor, &child)?);
        } else {
            cursor.skip(&child)?;
        }
    }
    Ok(list)
}

/// Reads a `writeResponseList`: an optional overall status, then one `writeResponse` each.
pub(crate) fn write_response_list(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
) -> Result<WriteResponseList, Error> {
    let mut list = WriteResponseList {
        status: None,
        responses: Vec::new(),
    };
    while let Some(child) = cursor.next_child(element)? {
        if child.is_netsuite(Namespace::Core, "status") {
            list.status = Some(read_status(cursor, &child)?);
        } else if child.local_name == "writeResponse" {
            list.responses.push(write_response(cursor, &child)?);
        } else {
            cursor.skip(&child)?;
        }
    }
    Ok(list)
}

/// Reads a `getAllResult`: status, count and `recordList`.
pub(crate) fn get_all_result(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
) -> Result<GetAllResult, Error> {
    let mut status = None;
    let mut records = Vec::new();
    while let Some(child) = cursor.next_child(element)? {
        if child.is_netsuite(Namespace::Core, "status") {
            status = Some(read_status(cursor, &child)?);
        } else if child.is_netsuite(Namespace::Core, "recordList") {
            records = read_records(cursor, &child)?;
        } else {
            cursor.skip(&child)?;
        }
    }
    Ok(GetAllResult {
        status: require_status(status, "getAllResult")?,
        records,
    })
}

/// Reads a `searchResult`. Counts and the page index are optional: an empty result has no
/// `pageSize` and no `pageIndex`, and may have an empty or missing `recordList`.
pub(crate) fn search_result(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
) -> Result<SearchPage, Error> {
    let mut status = None;
    let mut page = SearchPage {
        status: Status {
            is_success: false,
            details: Vec::new(),
        },
        total_records: None,
        page_size: None,
        total_pages: None,
        page_index: None,
        search_id: None,
        records: Vec::new(),
        rows: Vec::new(),
    };
    while let Some(child) = cursor.next_child(element)? {
        if !child.is_netsuite(Namespace::Core, &child.local_name) {
            cursor.skip(&child)?;
            continue;
        }
        match child.local_name.as_str() {
            "status" => status = Some(read_status(cursor, &child)?),
            "totalRecords" => page.total_records = Some(read_count(cursor, &child)?),
            "pageSize" => page.page_size = Some(read_count(cursor, &child)?),
            "totalPages" => page.total_pages = Some(read_count(cursor, &child)?),
            "pageIndex" => page.page_index = Some(read_count(cursor, &child)?),
            "searchId" => page.search_id = Some(cursor.text(&child)?.trim().to_string()),
            "recordList" => page.records = read_records(cursor, &child)?,
            "searchRowList" => page.rows = read_row_list(cursor, &child)?,
            _ => cursor.skip(&child)?,
        }
    }
    page.status = require_status(status, "searchResult")?;
    Ok(page)
}

fn read_records(cursor: &mut XmlCursor<'_>, list: &Element) -> Result<Vec<Record>, Error> {
    let mut records = Vec::new();
    while let Some(child) = cursor.next_child(list)? {
        if is_record_element(&child) {
            records.push(read_record(cursor, &child)?);
        } else {
            cursor.skip(&child)?;
        }
    }
    Ok(records)
}

pub(crate) fn read_count(cursor: &mut XmlCursor<'_>, element: &Element) -> Result<u32, Error> {
    let text = cursor.text(element)?;
    text.trim().parse().map_err(|_| {
        Error::InvalidResponse(format!(
            "<{}> is not a whole number: {text:?}",
            element.local_name
        ))
    })
}

pub(crate) fn require_status(status: Option<Status>, element: &str) -> Result<Status, Error> {
    status.ok_or_else(|| Error::InvalidResponse(format!("<{element}> has no status")))
}
