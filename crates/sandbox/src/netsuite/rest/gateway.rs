//! Runs the REST service's reads and writes as the SOAP operations they correspond to, on the
//! same account state, so both sides share one store, one set of business rules and one set of
//! record-level error codes.

use chrono::{DateTime, Utc};

use super::errors::RestError;
use crate::netsuite::faults::Fault;
use crate::netsuite::operations::{self, Context};
use crate::netsuite::soap::{CORE, MESSAGES, Request, SOAP_ENV, new_ns_id};
use crate::netsuite::state::State;
use crate::netsuite::xml::{Attribute, Element, ResolvedName, Version, parse_document};

/// The endpoint version whose SOAP operations back the REST service.
pub(crate) const VERSION: Version = Version {
    year: 2025,
    release: 2,
};

/// A record-level rejection: the status detail code and message of the SOAP operation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rejection {
    pub code: String,
    pub message: String,
}

/// How a record is named in a request path: `123` or `eid:ABC`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RecordKey {
    Internal(String),
    External(String),
}

impl RecordKey {
    /// Reads the last path segment of a record URL.
    pub fn parse(segment: &str) -> Result<RecordKey, RestError> {
        if let Some(external_id) = segment.strip_prefix("eid:") {
            if external_id.is_empty() {
                return Err(RestError::bad_request(
                    "INVALID_ID",
                    "The external ID after eid: is empty.",
                ));
            }
            return Ok(RecordKey::External(external_id.to_string()));
        }
        if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RestError::bad_request(
                "INVALID_ID",
                format!(
                    "The record ID {segment} is not valid. Provide an internal ID or eid: \
                     followed by an external ID."
                ),
            ));
        }
        Ok(RecordKey::Internal(segment.to_string()))
    }

    /// Sets the key as `internalId` or `externalId` attribute of a record or `baseRef`.
    fn attribute(&self) -> Attribute {
        match self {
            RecordKey::Internal(id) => plain_attribute("internalId", id),
            RecordKey::External(id) => plain_attribute("externalId", id),
        }
    }
}

/// Builds an element without attributes or content.
pub(crate) fn element(ns: &str, name: &str) -> Element {
    Element {
        ns: ns.to_string(),
        name: name.to_string(),
        attrs: Vec::new(),
        children: Vec::new(),
        text: String::new(),
        xsi_type: None,
        is_nil: false,
    }
}

/// Builds an unqualified attribute.
pub(crate) fn plain_attribute(name: &str, value: &str) -> Attribute {
    Attribute {
        ns: String::new(),
        name: name.to_string(),
        value: value.to_string(),
    }
}

/// Builds a `baseRef` for `get`, `getList` and `delete`.
fn base_ref(record_type: &str, key: &RecordKey) -> Element {
    let mut base = element(MESSAGES, "baseRef");
    base.attrs.push(key.attribute());
    base.attrs.push(plain_attribute("type", record_type));
    base.xsi_type = Some(ResolvedName {
        ns: CORE.to_string(),
        name: "RecordRef".to_string(),
    });
    base
}

/// Runs one SOAP operation element and returns the single element inside its response body.
fn run(
    state: &mut State,
    account: &str,
    now: DateTime<Utc>,
    operation: Element,
) -> Result<Element, RestError> {
    let request = Request {
        headers: Vec::new(),
        operation,
    };
    let ns_id = new_ns_id(account, now);
    let context = Context {
        request: &request,
        version: VERSION,
        ns_id: &ns_id,
        now,
    };
    let document = operations::dispatch(state, &context).map_err(fault_error)?;
    let root = parse_document(&document, VERSION)
        .map_err(|error| RestError::unexpected(format!("unreadable SOAP response: {error}")))?;
    root.child(SOAP_ENV, "Body")
        .and_then(|body| body.children.first())
        .cloned()
        .ok_or_else(|| RestError::unexpected("the SOAP response has no body element"))
}

/// Turns a SOAP fault of the backing operation into a REST error.
fn fault_error(fault: Fault) -> RestError {
    match fault.detail {
        Some(detail) => RestError::bad_request(detail.code, detail.message),
        None => RestError::bad_request("INVALID_CONTENT", fault.faultstring),
    }
}

/// Returns the status detail of a failed `status` element, or `None` when it succeeded.
fn rejection(parent: &Element) -> Option<Rejection> {
    let status = parent.child(CORE, "status")?;
    if status.attr("isSuccess") == Some("true") {
        return None;
    }
    let detail = status.child(CORE, "statusDetail");
    let text = |name: &str| {
        detail
            .and_then(|detail| detail.child(CORE, name))
            .map(|element| element.trimmed_text().to_string())
            .unwrap_or_default()
    };
    Some(Rejection {
        code: text("code"),
        message: text("message"),
    })
}

/// Reads one record with `get`. The outer error is a failure of the request itself; the
/// inner one is the record's rejection (`INVALID_KEY_OR_REF` for a missing record).
pub(crate) fn get(
    state: &mut State,
    account: &str,
    now: DateTime<Utc>,
    record_type: &str,
    key: &RecordKey,
) -> Result<Result<Element, Rejection>, RestError> {
    let mut operation = element(MESSAGES, "get");
    operation.children.push(base_ref(record_type, key));
    let response = run(state, account, now, operation)?;
    let read = response
        .child_named("readResponse")
        .ok_or_else(|| RestError::unexpected("the get response has no readResponse"))?;
    Ok(read_record(read))
}

/// Reads records by internal ID with `getList` and returns those that exist, in the order
/// given.
pub(crate) fn get_list(
    state: &mut State,
    account: &str,
    now: DateTime<Utc>,
    record_type: &str,
    ids: &[String],
) -> Result<Vec<Element>, RestError> {
    let mut records = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(1000) {
        let mut operation = element(MESSAGES, "getList");
        for id in chunk {
            let key = RecordKey::Internal(id.clone());
            operation.children.push(base_ref(record_type, &key));
        }
        let response = run(state, account, now, operation)?;
        let list = response
            .child_named("readResponseList")
            .ok_or_else(|| RestError::unexpected("the getList response has no list"))?;
        records.extend(
            list.children
                .iter()
                .filter(|child| child.name == "readResponse")
                .filter_map(|read| read_record(read).ok()),
        );
    }
    Ok(records)
}

fn read_record(read: &Element) -> Result<Element, Rejection> {
    if let Some(rejected) = rejection(read) {
        return Err(rejected);
    }
    read.child_named("record").cloned().ok_or(Rejection {
        code: "UNEXPECTED_ERROR".to_string(),
        message: "The read response has no record.".to_string(),
    })
}

/// The write a REST method makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    Add,
    Update,
    Upsert,
}

impl Write {
    fn operation(self) -> &'static str {
        match self {
            Write::Add => "add",
            Write::Update => "update",
            Write::Upsert => "upsert",
        }
    }
}

/// Writes a record element (built by [`super::json::record_element`]) and returns the
/// internal ID of the written record, or its rejection.
pub(crate) fn write(
    state: &mut State,
    account: &str,
    now: DateTime<Utc>,
    write: Write,
    mut record: Element,
    key: Option<&RecordKey>,
) -> Result<Result<String, Rejection>, RestError> {
    // The path names the record; an `externalId` in the body of a write by internal ID
    // stays, and sets the record's external ID.
    if let Some(key) = key {
        let attribute = key.attribute();
        record
            .attrs
            .retain(|existing| existing.name != attribute.name);
        record.attrs.push(attribute);
    }
    let mut operation = element(MESSAGES, write.operation());
    operation.children.push(record);
    let response = run(state, account, now, operation)?;
    written_id(&response)
}

/// Deletes a record and returns its rejection, if any.
pub(crate) fn delete(
    state: &mut State,
    account: &str,
    now: DateTime<Utc>,
    record_type: &str,
    key: &RecordKey,
) -> Result<Result<String, Rejection>, RestError> {
    let mut operation = element(MESSAGES, "delete");
    operation.children.push(base_ref(record_type, key));
    let response = run(state, account, now, operation)?;
    written_id(&response)
}

fn written_id(response: &Element) -> Result<Result<String, Rejection>, RestError> {
    let written = response
        .child_named("writeResponse")
        .ok_or_else(|| RestError::unexpected("the write response has no writeResponse"))?;
    if let Some(rejected) = rejection(written) {
        return Ok(Err(rejected));
    }
    let id = written
        .child_named("baseRef")
        .and_then(|base| base.attr("internalId"))
        .map(str::to_string)
        .ok_or_else(|| RestError::unexpected("the write response has no internal ID"))?;
    Ok(Ok(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_key_reads_internal_and_external() {
        assert_eq!(
            RecordKey::parse("42").unwrap(),
            RecordKey::Internal("42".to_string())
        );
        assert_eq!(
            RecordKey::parse("eid:SF-1").unwrap(),
            RecordKey::External("SF-1".to_string())
        );
    }

    #[test]
    fn record_key_rejects_text_and_empty_eid() {
        assert_eq!(RecordKey::parse("abc").unwrap_err().code, "INVALID_ID");
        assert_eq!(RecordKey::parse("eid:").unwrap_err().code, "INVALID_ID");
    }
}
