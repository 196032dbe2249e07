//! `getDeleted`: the deletions logged by `delete` and `deleteList`, filtered by deletion date
//! and record type, in pages of 1000 as recorded.

use super::Context;
use super::criteria::read_date_field;
use crate::netsuite::datetime::format_pacific;
use crate::netsuite::faults::{Fault, StatusDetail, write_status};
use crate::netsuite::records::DeletedRecord;
use crate::netsuite::soap::{CORE, MESSAGES};
use crate::netsuite::state::State;
use crate::netsuite::xml::{Element, XmlWriter};

/// The page size of `getDeleted` (recorded).
const PAGE_SIZE: usize = 1000;

/// Serves `getDeleted`.
pub(crate) fn get_deleted(state: &State, context: &Context) -> Result<String, Fault> {
    let operation = context.operation();
    let filter = operation.child(MESSAGES, "getDeletedFilter");
    let page_index: i64 = operation
        .child(MESSAGES, "pageIndex")
        .and_then(|p| p.trimmed_text().parse().ok())
        .unwrap_or(1);
    let matching = match filter.map(|f| matching(state, f)).transpose() {
        Ok(found) => found.unwrap_or_else(|| state.records.deleted.iter().collect()),
        Err(error) => return Ok(failed(context, &error)),
    };
    let total = matching.len();
    let total_pages = total.div_ceil(PAGE_SIZE);
    let index = usize::try_from(page_index).unwrap_or(0);
    if index < 1 || (index > total_pages.max(1)) {
        let error = StatusDetail::invalid_page_index(page_index, total_pages);
        return Ok(failed(context, &error));
    }
    let page: Vec<&DeletedRecord> = matching
        .into_iter()
        .skip((index - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    Ok(context.respond(|out| write_result(out, &page, total, index, context)))
}

/// Returns the deletions that pass the filter: `deletedDate` (a date criterion) and `type`
/// (`anyOf` or `noneOf` record types).
fn matching<'a>(
    state: &'a State,
    filter: &Element,
) -> Result<Vec<&'a DeletedRecord>, StatusDetail> {
    let date = filter
        .child(CORE, "deletedDate")
        .map(read_date_field)
        .transpose()?;
    let types = filter.child(CORE, "type").map(read_types).transpose()?;
    Ok(state
        .records
        .deleted
        .iter()
        .filter(|d| date.as_ref().is_none_or(|date| date.matches(d.deleted_at)))
        .filter(|d| {
            types
                .as_ref()
                .is_none_or(|(any_of, values)| values.iter().any(|v| v == d.record_type) == *any_of)
        })
        .collect())
}

fn read_types(field: &Element) -> Result<(bool, Vec<String>), StatusDetail> {
    let any_of = match field.attr("operator").unwrap_or("anyOf") {
        "anyOf" => true,
        "noneOf" => false,
        other => return Err(StatusDetail::invalid_search_operator("type", other)),
    };
    let values = field
        .children
        .iter()
        .filter(|v| v.is(CORE, "searchValue"))
        .map(|v| v.trimmed_text().to_string())
        .collect();
    Ok((any_of, values))
}

fn write_result(
    out: &mut XmlWriter,
    page: &[&DeletedRecord],
    total: usize,
    index: usize,
    context: &Context,
) {
    let core = context.version.namespace(CORE);
    out.open(
        "platformCore:getDeletedResult",
        &[("xmlns:platformCore", &core)],
    );
    write_status(out, &[], true, context.version);
    out.text_element("platformCore:totalRecords", &[], &total.to_string());
    out.text_element("platformCore:pageSize", &[], &PAGE_SIZE.to_string());
    let total_pages = total.div_ceil(PAGE_SIZE);
    out.text_element("platformCore:totalPages", &[], &total_pages.to_string());
    out.text_element("platformCore:pageIndex", &[], &index.to_string());

    out.open("platformCore:deletedRecordList", &[]);
    for deleted in page {
        out.open("platformCore:deletedRecord", &[]);
        let when = format_pacific(deleted.deleted_at);
        out.text_element("platformCore:deletedDate", &[], &when);
        let mut attrs = vec![("internalId", deleted.internal_id.as_str())];
        if let Some(external_id) = &deleted.external_id {
            attrs.push(("externalId", external_id));
        }
        attrs.push(("type", deleted.record_type));
        attrs.push(("xsi:type", "platformCore:RecordRef"));
        match &deleted.name {
            Some(name) => {
                out.open("platformCore:record", &attrs);
                out.text_element("platformCore:name", &[], name);
                out.close("platformCore:record");
            }
            None => out.empty("platformCore:record", &attrs),
        }
        out.close("platformCore:deletedRecord");
    }
    out.close("platformCore:deletedRecordList");
    out.close("platformCore:getDeletedResult");
}

/// Writes a failed `getDeleted`: a result whose status carries the error (HTTP 200).
fn failed(context: &Context, error: &StatusDetail) -> String {
    let core = context.version.namespace(CORE);
    context.respond(|out| {
        out.open(
            "platformCore:getDeletedResult",
            &[("xmlns:platformCore", &core)],
        );
        write_status(out, std::slice::from_ref(error), true, context.version);
        out.close("platformCore:getDeletedResult");
    })
}
