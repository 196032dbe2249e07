//! Inventory and non-inventory sale items: a required, unique name, and quantities per
//! location.

use super::figures::set_item_quantities;
use crate::netsuite::faults::StatusDetail;
use crate::netsuite::records::{RecordKind, StoredRecord, errors};
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
    Ok(())
}
