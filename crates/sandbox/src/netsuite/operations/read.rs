//! `get`, `getList`, `getServerTime` and `getItemAvailability`.

use super::customization::{self, CustomFieldDefinition};
use super::{Context, required_children};
use crate::netsuite::customer::{RecordContext, StoredCustomer, write_customer};
use crate::netsuite::datetime::format_pacific;
use crate::netsuite::faults::{Fault, StatusDetail, write_status};
use crate::netsuite::records::render::{RecordPlace, write_record};
use crate::netsuite::records::{RecordKind, StoredRecord};
use crate::netsuite::soap::{CORE, MESSAGES};
use crate::netsuite::state::State;
use crate::netsuite::xml::{Element, XmlWriter};

/// The maximum number of references in one `getList` request (NetSuite's synchronous limit).
const GET_LIST_LIMIT: usize = 1000;

/// The maximum number of items in one `getItemAvailability` request (documented).
const AVAILABILITY_LIMIT: usize = 10_000;

/// A record found by a `baseRef`.
enum Found<'a> {
    Customer(&'a StoredCustomer),
    Record(&'a StoredRecord),
    /// A custom field definition, with its internal ID.
    CustomField(&'static CustomFieldDefinition, String),
}

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

/// Finds the record a `baseRef` names: by internal ID when given, else by external ID.
fn look_up<'a>(state: &'a State, base_ref: &Element) -> Result<Found<'a>, StatusDetail> {
    let is_record_ref = base_ref
        .xsi_type
        .as_ref()
        .is_none_or(|t| t.ns == CORE && t.name == "RecordRef");
    let record_type = base_ref.attr("type").unwrap_or_default();
    let internal_id = base_ref.attr("internalId").filter(|id| !id.is_empty());
    let external_id = base_ref.attr("externalId").filter(|id| !id.is_empty());
    if is_record_ref && record_type == "customer" {
        let found = match (internal_id, external_id) {
            (Some(internal_id), _) => state.get(internal_id),
            (None, Some(external_id)) => state.get_by_external_id(external_id),
            (None, None) => None,
        };
        return found
            .map(Found::Customer)
            .ok_or_else(StatusDetail::invalid_key);
    }
    if is_record_ref && customization::is_customization_type(record_type) {
        let (field, id) = customization::look_up(state, base_ref)?;
        return Ok(Found::CustomField(field, id));
    }
    let kind = RecordKind::from_record_type(record_type)
        .filter(|_| is_record_ref)
        .ok_or_else(StatusDetail::unknown_record_type)?;
    let found = match (internal_id, external_id) {
        (Some(internal_id), _) => state.records.get(kind, internal_id),
        (None, Some(external_id)) => state.records.get_by_external_id(kind, external_id),
        (None, None) => None,
    };
    found
        .map(Found::Record)
        .ok_or_else(StatusDetail::invalid_key)
}

fn write_read_response(
    out: &mut XmlWriter,
    found: &Result<Found, StatusDetail>,
    context: &Context,
) {
    out.open("readResponse", &[]);
    match found {
        Ok(Found::Customer(stored)) => {
            write_status(out, &[], false, context.version);
            let record = RecordContext {
                element: "record",
                core_in_scope: false,
                body_fields_only: false,
            };
            write_customer(out, stored, record, context.version);
        }
        Ok(Found::Record(record)) => {
            write_status(out, &[], false, context.version);
            let place = RecordPlace {
                element: "record",
                core_in_scope: false,
                body_fields_only: false,
            };
            write_record(out, record, place, context.version);
        }
        Ok(Found::CustomField(field, id)) => {
            write_status(out, &[], false, context.version);
            customization::write_definition(out, field, id, context);
        }
        Err(error) => write_status(out, std::slice::from_ref(error), false, context.version),
    }
    out.close("readResponse");
}

/// Serves `getItemAvailability`: one `itemAvailability` per location of each inventory item
/// named in the filter.
pub(crate) fn item_availability(state: &State, context: &Context) -> Result<String, Fault> {
    let items: Vec<&Element> = context
        .operation()
        .child(MESSAGES, "itemAvailabilityFilter")
        .and_then(|filter| filter.child(CORE, "item"))
        .map(|list| {
            list.children
                .iter()
                .filter(|r| r.is(CORE, "recordRef"))
                .collect()
        })
        .unwrap_or_default();
    if items.len() > AVAILABILITY_LIMIT {
        return Err(Fault::record_count(AVAILABILITY_LIMIT));
    }
    let records: Vec<&StoredRecord> = items
        .iter()
        .filter_map(|r| r.attr("internalId"))
        .filter_map(|id| state.records.get(RecordKind::InventoryItem, id))
        .collect();
    let core = context.version.namespace(CORE);
    Ok(context.respond(|out| {
        out.open(
            "platformCore:getItemAvailabilityResult",
            &[("xmlns:platformCore", &core)],
        );
        write_status(out, &[], true, context.version);
        out.open("platformCore:itemAvailabilityList", &[]);
        for record in &records {
            write_availability(out, record);
        }
        out.close("platformCore:itemAvailabilityList");
        out.close("platformCore:getItemAvailabilityResult");
    }))
}

fn write_availability(out: &mut XmlWriter, item: &StoredRecord) {
    let Some(locations) = item.field("locationsList") else {
        return;
    };
    let name = crate::netsuite::records::rules::display_name(item);
    for location in &locations.children {
        out.open("platformCore:itemAvailability", &[]);
        out.open("platformCore:item", &[("internalId", &item.internal_id)]);
        out.text_element("platformCore:name", &[], &name);
        out.close("platformCore:item");
        if let Some(id) = location
            .child_named("locationId")
            .and_then(|l| l.attr("internalId"))
        {
            out.open("platformCore:locationId", &[("internalId", id)]);
            if let Some(text) = location.child_named("location") {
                out.text_element("platformCore:name", &[], text.trimmed_text());
            }
            out.close("platformCore:locationId");
        }
        // The order of `platformCore:ItemAvailability` (2023_2 schema).
        for name in [
            "quantityOnHand",
            "onHandValueMli",
            "reorderPoint",
            "preferredStockLevel",
            "quantityOnOrder",
            "quantityCommitted",
            "quantityBackOrdered",
            "quantityAvailable",
        ] {
            if let Some(value) = location.child_named(name) {
                let tag = format!("platformCore:{name}");
                out.text_element(&tag, &[], value.trimmed_text());
            }
        }
        out.close("platformCore:itemAvailability");
    }
}
