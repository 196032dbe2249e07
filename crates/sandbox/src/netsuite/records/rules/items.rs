//! Inventory and non-inventory sale items: a required, unique name, and quantities per
//! location.

use super::figures::set_item_quantities;
use crate::netsuite::faults::StatusDetail;
use crate::netsuite::records::{RecordKind, StoredRecord, errors};
use crate::netsuite::state::State;

/// Checks and completes an item.
pub(crate) fn prepare(state: &State, record: &mut StoredRecord) -> Result<(), StatusDetail> {
    let Some(name) = record.text("itemId").map(str::to_lowercase) else {
        return Err(StatusDetail::required_fields(&["Item Name/Number"]));
    };
    let taken = [RecordKind::InventoryItem, RecordKind::NonInventorySaleItem]
        .into_iter()
        .flat_map(|kind| state.records.of_kind(kind))
        .filter(|other| other.internal_id != record.internal_id)
        .any(|other| other.text("itemId").map(str::to_lowercase).as_deref() == Some(&name));
    if taken {
        return Err(errors::duplicate_item());
    }
    if record.kind == RecordKind::InventoryItem {
        set_item_quantities(state, record);
    }
    Ok(())
}
