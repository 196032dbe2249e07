//! Reading `platformCore:status` and its `statusDetail` list.

use crate::error::Error;
use crate::namespace::Namespace;
use crate::operations::{Status, StatusDetail, StatusDetailType};
use crate::parse::cursor::{Element, XmlCursor};

/// Reads a `status` element: the `isSuccess` attribute and each `statusDetail`.
pub(crate) fn read_status(cursor: &mut XmlCursor<'_>, status: &Element) -> Result<Status, Error> {
    let is_success = match status.attribute("isSuccess").map(str::trim) {
        Some("true") | Some("1") => true,
        Some("false") | Some("0") => false,
        other => {
            return Err(Error::InvalidResponse(format!(
                "status has no valid isSuccess attribute (found {other:?})"
            )));
        }
    };
    let mut details = Vec::new();
    while let Some(child) = cursor.next_child(status)? {
        if child.is_netsuite(Namespace::Core, "statusDetail") {
            details.push(read_detail(cursor, &child)?);
        } else {
            cursor.skip(&child)?;
        }
    }
    Ok(Status {
        is_success,
        details,
    })
}

fn read_detail(cursor: &mut XmlCursor<'_>, detail: &Element) -> Result<StatusDetail, Error> {
    let mut parsed = StatusDetail {
        detail_type: StatusDetailType::parse(detail.attribute("type")),
        code: String::new(),
        message: String::new(),
        after_submit_failed: None,
    };
    while let Some(child) = cursor.next_child(detail)? {
        if !matches!(
            child.namespace,
            crate::parse::cursor::ElementNamespace::NetSuite(_)
        ) {
            cursor.skip(&child)?;
            continue;
        }
        match child.local_name.as_str() {
            "code" => parsed.code = cursor.text(&child)?.trim().to_string(),
            "message" => parsed.message = cursor.text(&child)?.trim().to_string(),
            "afterSubmitFailed" => {
                parsed.after_submit_failed = Some(cursor.text(&child)?.trim() == "true");
            }
            _ => cursor.skip(&child)?,
        }
    }
    Ok(parsed)
}
