//! `get`, `getList` and `getServerTime`.

use super::{Context, required_children};
use crate::netsuite::customer::{RecordContext, StoredCustomer, write_customer};
use crate::netsuite::datetime::format_pacific;
use crate::netsuite::faults::{Fault, StatusDetail, write_status};
use crate::netsuite::soap::CORE;
use crate::netsuite::state::State;
use crate::netsuite::xml::{Element, XmlWriter};

/// The maximum number of references in one `getList` request (NetSuite's synchronous limit).
const GET_LIST_LIMIT: usize = 1000;

/// Serves `get`: one `baseRef` in, one `readResponse` out.
pub(crate) fn get(state: &State, context: &Context) -> Result<String, Fault> {
    let base_refs = required_children(context, "baseRef")?;
    let found = look_up(state, base_refs[0]);
    Ok(context.respond(|out| write_read_response(out, &found, context)))
}

/// Serves `getList`: a `readResponse` per `baseRef`, in request order.
pub(crate) fn get_list(state: &State, context: &Context) -> Result<String, Fault> {
    let base_refs = required_children(context, "baseRef")?;
    if base_refs.len() > GET_LIST_LIMIT {
        return Err(Fault::record_count(GET_LIST_LIMIT));
    }
    let results: Vec<_> = base_refs.iter().map(|r| look_up(state, r)).collect();
    Ok(context.respond(|out| {
        out.open("readResponseList", &[]);
        write_status(out, &[], false, context.version);
        for found in &results {
            write_read_response(out, found, context);
        }
        out.close("readResponseList");
    }))
}

/// Serves `getServerTime` with the emulator's clock.
pub(crate) fn server_time(context: &Context) -> String {
    let core = context.version.namespace(CORE);
    context.respond(|out| {
        out.open(
            "platformCore:getServerTimeResult",
            &[("xmlns:platformCore", &core)],
        );
        write_status(out, &[], true, context.version);
        out.text_element("platformCore:serverTime", &[], &format_pacific(context.now));
        out.close("platformCore:getServerTimeResult");
    })
}

/// Finds the customer a `baseRef` names: by internal ID when given, else by external ID.
fn look_up<'a>(state: &'a State, base_ref: &Element) -> Result<&'a StoredCustomer, StatusDetail> {
    let is_record_ref = base_ref
        .xsi_type
        .as_ref()
        .is_none_or(|t| t.ns == CORE && t.name == "RecordRef");
    if !is_record_ref || base_ref.attr("type") != Some("customer") {
        return Err(StatusDetail::unknown_record_type());
    }
    let internal_id = base_ref.attr("internalId").filter(|id| !id.is_empty());
    let external_id = base_ref.attr("externalId").filter(|id| !id.is_empty());
    let found = match (internal_id, external_id) {
        (Some(internal_id), _) => state.get(internal_id),
        (None, Some(external_id)) => state.get_by_external_id(external_id),
        (None, None) => None,
    };
    found.ok_or_else(StatusDetail::invalid_key)
}

fn write_read_response(
    out: &mut XmlWriter,
    found: &Result<&StoredCustomer, StatusDetail>,
    context: &Context,
) {
    out.open("readResponse", &[]);
    match found {
        Ok(stored) => {
            write_status(out, &[], false, context.version);
            let record = RecordContext {
                element: "record",
                core_in_scope: false,
                body_fields_only: false,
            };
            write_customer(out, stored, record, context.version);
        }
        Err(error) => write_status(out, std::slice::from_ref(error), false, context.version),
    }
    out.close("readResponse");
}
