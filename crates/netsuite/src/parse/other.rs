//! Reading `getDeletedResult`, `getSelectValueResult` and `getServerTimeResult`.

use crate::error::Error;
use crate::namespace::Namespace;
use crate::operations::Status;
use crate::operations::other::{
    CustomizationIds, CustomizationRef, DeletedPage, DeletedRecord, SelectValuePage, ServerTime,
};
use crate::parse::cursor::{Element, XmlCursor};
use crate::parse::record::read_reference;
use crate::parse::responses::{read_count, require_status};
use crate::parse::status::read_status;
use crate::records::parse_date_time;

/// Reads a `getDeletedResult`.
pub(crate) fn deleted_page(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
) -> Result<DeletedPage, Error> {
    let mut status = None;
    let mut page = DeletedPage {
        status: empty_status(),
        total_records: None,
        page_size: None,
        total_pages: None,
        page_index: None,
        records: Vec::new(),
    };
    while let Some(child) = cursor.next_child(element)? {
        match child.local_name.as_str() {
            "status" => status = Some(read_status(cursor, &child)?),
            "totalRecords" => page.total_records = Some(read_count(cursor, &child)?),
            "pageSize" => page.page_size = Some(read_count(cursor, &child)?),
            "totalPages" => page.total_pages = Some(read_count(cursor, &child)?),
            "pageIndex" => page.page_index = Some(read_count(cursor, &child)?),
            "deletedRecordList" => page.records = read_deleted_records(cursor, &child)?,
            _ => cursor.skip(&child)?,
        }
    }
    page.status = require_status(status, "getDeletedResult")?;
    Ok(page)
}

fn read_deleted_records(
    cursor: &mut XmlCursor<'_>,
    list: &Element,
) -> Result<Vec<DeletedRecord>, Error> {
    let mut records = Vec::new();
    while let Some(entry) = cursor.next_child(list)? {
        let mut deleted_at = None;
        let mut record = None;
        while let Some(child) = cursor.next_child(&entry)? {
            match child.local_name.as_str() {
                "deletedDate" => {
                    let text = cursor.text(&child)?;
                    deleted_at = Some(parse_date_time(&text).ok_or_else(|| {
                        Error::InvalidResponse(format!("invalid deletedDate {text:?}"))
                    })?);
                }
                "record" => record = Some(read_reference(cursor, &child)?),
                _ => cursor.skip(&child)?,
            }
        }
        let record = record
            .ok_or_else(|| Error::InvalidResponse("a deletedRecord has no record".to_string()))?;
        records.push(DeletedRecord { deleted_at, record });
    }
    Ok(records)
}

/// Reads a `getSelectValueResult`.
pub(crate) fn select_value_page(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
) -> Result<SelectValuePage, Error> {
    let mut status = None;
    let mut page = SelectValuePage {
        status: empty_status(),
        total_records: None,
        total_pages: None,
        values: Vec::new(),
    };
    while let Some(child) = cursor.next_child(element)? {
        match child.local_name.as_str() {
            "status" => status = Some(read_status(cursor, &child)?),
            "totalRecords" => page.total_records = Some(read_count(cursor, &child)?),
            "totalPages" => page.total_pages = Some(read_count(cursor, &child)?),
            "baseRefList" => {
                while let Some(reference) = cursor.next_child(&child)? {
                    page.values.push(read_reference(cursor, &reference)?);
                }
            }
            _ => cursor.skip(&child)?,
        }
    }
    page.status = require_status(status, "getSelectValueResult")?;
    Ok(page)
}

/// Reads a `getServerTimeResult`.
pub(crate) fn server_time(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
) -> Result<ServerTime, Error> {
    let mut status = None;
    let mut time = None;
    while let Some(child) = cursor.next_child(element)? {
        if child.is_netsuite(Namespace::Core, "status") {
            status = Some(read_status(cursor, &child)?);
        } else if child.local_name == "serverTime" {
            let text = cursor.text(&child)?;
            time =
                Some(parse_date_time(&text).ok_or_else(|| {
                    Error::InvalidResponse(format!("invalid serverTime {text:?}"))
                })?);
        } else {
            cursor.skip(&child)?;
        }
    }
    Ok(ServerTime {
        status: require_status(status, "getServerTimeResult")?,
        server_time: time,
    })
}

fn empty_status() -> Status {
    Status {
        is_success: false,
        details: Vec::new(),
    }
}

/// Reads a `getCustomizationIdResult`.
pub(crate) fn customization_ids(
    cursor: &mut XmlCursor<'_>,
    element: &Element,
) -> Result<CustomizationIds, Error> {
    let mut status = None;
    let mut ids = CustomizationIds {
        status: empty_status(),
        total_records: None,
        refs: Vec::new(),
    };
    while let Some(child) = cursor.next_child(element)? {
        match child.local_name.as_str() {
            "status" => status = Some(read_status(cursor, &child)?),
            "totalRecords" => ids.total_records = Some(read_count(cursor, &child)?),
            "customizationRefList" => {
                while let Some(reference) = cursor.next_child(&child)? {
                    let script_id = reference.attribute("scriptId").map(str::to_string);
                    let read = read_reference(cursor, &reference)?;
                    ids.refs.push(CustomizationRef {
                        internal_id: read.internal_id,
                        script_id,
                        record_type: read.record_type,
                        name: read.name,
                    });
                }
            }
            _ => cursor.skip(&child)?,
        }
    }
    ids.status = require_status(status, "getCustomizationIdResult")?;
    Ok(ids)
}
