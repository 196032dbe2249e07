//! Inventory, non-inventory and service sale items: a required, unique name, names on the
//! pricing matrix's references, and quantities per location.

use super::figures::set_item_quantities;
use super::refs;
use crate::netsuite::faults::StatusDetail;
use crate::netsuite::records::{RecordKind, StoredRecord, errors, text_element};
use crate::netsuite::soap::CORE;
use crate::netsuite::state::State;

/// Checks and completes an item.
pub(crate) fn prepare(state: &State, record: &mut StoredRecord) -> Result<(), StatusDetail> {
    let Some(name) = record.text("itemId") else {
        return Err(StatusDetail::required_fields(&["Item Name/Number"]));
    };
    let taken = state
        .records
        .item_named(name)
        .is_some_and(|owner| owner != record.internal_id);
    if taken {
        return Err(errors::duplicate_item());
    }
    if record.kind == RecordKind::InventoryItem {
        set_item_quantities(state, record);
    }
    name_pricing_refs(state, record);
    Ok(())
}

/// Puts the names of the account's currencies and price levels on the pricing matrix's
/// references, as NetSuite returns them. References to records the account does not have
/// stay as sent.
fn name_pricing_refs(state: &State, record: &mut StoredRecord) {
    let Some(matrix) = record.field_mut("pricingMatrix") else {
        return;
    };
    for pricing in &mut matrix.children {
        for reference in &mut pricing.children {
            let kind = match reference.name.as_str() {
                "currency" => RecordKind::Currency,
                "priceLevel" => RecordKind::PriceLevel,
                _ => continue,
            };
            let id = reference.attr("internalId").unwrap_or_default();
            let Some(name) = refs::stored_name(state, kind, id) else {
                continue;
            };
            reference.children.retain(|child| !child.is(CORE, "name"));
            reference.children.push(text_element(CORE, "name", &name));
        }
    }
}
