//! `delete` and `deleteList`: a `writeResponse` per `baseRef`, a record that others still
//! reference is kept, and every deletion is logged for `getDeleted`.

use super::write::{WriteResult, failure, write_response};
use super::{BaseRef, Context, required_children};
use crate::netsuite::faults::{Fault, StatusDetail, write_status};
use crate::netsuite::records::{DeletedRecord, RecordKind, has_dependents, rules};
use crate::netsuite::soap::CORE;
use crate::netsuite::state::State;
use crate::netsuite::xml::Element;

/// The maximum number of references in one `deleteList` request (NetSuite's synchronous
/// limit).
const DELETE_LIST_LIMIT: usize = 200;

/// Serves `delete`.
pub(crate) fn delete(state: &mut State, context: &Context) -> Result<String, Fault> {
    let base_refs = required_children(context, "baseRef")?;
    let result = delete_one(state, base_refs[0], context);
    Ok(context.respond(|out| write_response(out, &result, context)))
}

/// Serves `deleteList`, deleting in request order.
pub(crate) fn delete_list(state: &mut State, context: &Context) -> Result<String, Fault> {
    let base_refs = required_children(context, "baseRef")?;
    if base_refs.len() > DELETE_LIST_LIMIT {
        return Err(Fault::record_count(DELETE_LIST_LIMIT));
    }
    let results: Vec<WriteResult> = base_refs
        .iter()
        .map(|base_ref| delete_one(state, base_ref, context))
        .collect();
    Ok(context.respond(|out| {
        out.open("writeResponseList", &[]);
        write_status(out, &[], false, context.version);
        for result in &results {
            write_response(out, result, context);
        }
        out.close("writeResponseList");
    }))
}

fn delete_one(state: &mut State, base_ref: &Element, context: &Context) -> WriteResult {
    let record_type = base_ref.attr("type").unwrap_or_default();
    let internal_id = base_ref.attr("internalId").filter(|id| !id.is_empty());
    let external_id = base_ref.attr("externalId").filter(|id| !id.is_empty());
    let is_record_ref = base_ref
        .xsi_type
        .as_ref()
        .is_none_or(|t| t.ns == CORE && t.name == "RecordRef");
    let kind = RecordKind::from_record_type(record_type);
    let keys = BaseRef {
        internal_id: internal_id.map(str::to_string),
        external_id: external_id.map(str::to_string),
        record_type: kind.map_or("customer", RecordKind::record_type),
    };
    let outcome = match (is_record_ref, record_type, kind) {
        (true, "customer", _) => delete_customer(state, internal_id, external_id, context),
        (true, _, Some(kind)) => delete_record(state, kind, internal_id, external_id, context),
        _ => Err(StatusDetail::unknown_record_type()),
    };
    match outcome {
        Ok(internal_id) => WriteResult {
            error: None,
            base_ref: Some(BaseRef {
                internal_id: Some(internal_id),
                ..keys
            }),
        },
        Err(error) => {
            tracing::info!(record_type, code = error.code, "delete rejected");
            failure(error, Some(keys))
        }
    }
}

fn delete_customer(
    state: &mut State,
    internal_id: Option<&str>,
    external_id: Option<&str>,
    context: &Context,
) -> Result<String, StatusDetail> {
    let found = match (internal_id, external_id) {
        (Some(id), _) => state.get(id),
        (None, Some(external_id)) => state.get_by_external_id(external_id),
        (None, None) => return Err(StatusDetail::invalid_key()),
    };
    let Some(customer) = found.map(|stored| stored.customer.clone()) else {
        return Err(StatusDetail::record_does_not_exist());
    };
    if rules::customer_has_transactions(state, &customer.internal_id) {
        return Err(has_dependents());
    }
    state.remove_customer(&customer.internal_id);
    state.records.deleted.push(DeletedRecord {
        record_type: "customer",
        internal_id: customer.internal_id.clone(),
        external_id: customer.external_id.clone(),
        name: customer.company_name.clone().or(customer.entity_id.clone()),
        deleted_at: context.now,
    });
    Ok(customer.internal_id)
}

fn delete_record(
    state: &mut State,
    kind: RecordKind,
    internal_id: Option<&str>,
    external_id: Option<&str>,
    context: &Context,
) -> Result<String, StatusDetail> {
    let found = match (internal_id, external_id) {
        (Some(id), _) => state.records.get(kind, id),
        (None, Some(external_id)) => state.records.get_by_external_id(kind, external_id),
        (None, None) => return Err(StatusDetail::invalid_key()),
    };
    let Some(record) = found.cloned() else {
        return Err(StatusDetail::record_does_not_exist());
    };
    rules::check_delete(state, &record)?;
    state.records.remove(kind, &record.internal_id);
    state.records.deleted.push(DeletedRecord {
        record_type: kind.record_type(),
        internal_id: record.internal_id.clone(),
        external_id: record.external_id.clone(),
        name: Some(rules::display_name(&record)),
        deleted_at: context.now,
    });
    rules::after_write(state, Some(&record), None, context.now);
    Ok(record.internal_id)
}
