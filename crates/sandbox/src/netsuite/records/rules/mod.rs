//! The business rules of the record types that the sync flows meet.
//!
//! - Sales orders: lines priced from the item's price levels, totals, and the order status
//!   (pending approval, pending fulfillment, billed once an invoice is created from the
//!   order). A billed order refuses changes to its lines, customer and status. A customer on
//!   credit hold cannot get a new order.
//! - Invoices: lines, totals, amount paid and remaining, and the status (`Open`,
//!   `Paid In Full`), paid down by customer payments.
//! - Customer payments: lines applied to the customer's open invoices, applied and unapplied
//!   totals.
//! - Customers: balance, open order amount, overdue balance and days overdue, from their
//!   invoices, orders and payments.
//! - Items: unique names, and quantities per location: available is on hand minus what open
//!   orders commit.
//!
//! [`prepare`] checks and completes a record before it is stored; [`after_write`] brings the
//! records it affects up to date.

mod figures;
mod items;
mod lines;
mod orders;
mod payments;
pub(crate) mod refs;

use chrono::{DateTime, Utc};

use super::parse::RecordInput;
use super::{RecordKind, StoredRecord, errors};
use crate::netsuite::faults::StatusDetail;
use crate::netsuite::state::State;

pub(crate) use figures::after_write;
pub(crate) use refs::display_name;

/// Checks a record about to be stored and fills in what NetSuite computes. `old` is the
/// stored record before an update, `None` for an add.
pub(crate) fn prepare(
    state: &State,
    old: Option<&StoredRecord>,
    record: &mut StoredRecord,
    input: &RecordInput,
    now: DateTime<Utc>,
) -> Result<(), StatusDetail> {
    match record.kind {
        RecordKind::Contact => prepare_contact(state, record),
        RecordKind::SalesOrder => orders::prepare_sales_order(state, old, record, input, now),
        RecordKind::Invoice => orders::prepare_invoice(state, old, record, now),
        RecordKind::CustomerPayment => payments::prepare(state, old, record, now),
        RecordKind::InventoryItem
        | RecordKind::NonInventorySaleItem
        | RecordKind::ServiceSaleItem => items::prepare(state, record),
        RecordKind::Currency
        | RecordKind::PriceLevel
        | RecordKind::Location
        | RecordKind::Subsidiary
        | RecordKind::Term => prepare_reference(record),
    }
}

/// Checks that a record may be deleted: nothing else refers to it.
pub(crate) fn check_delete(state: &State, record: &StoredRecord) -> Result<(), StatusDetail> {
    let id = record.internal_id.as_str();
    let referenced = match record.kind {
        RecordKind::SalesOrder => orders::invoices_from(state, id).next().is_some(),
        RecordKind::Invoice => payments::paid_on(state, id, None) > 0.0,
        RecordKind::InventoryItem
        | RecordKind::NonInventorySaleItem
        | RecordKind::ServiceSaleItem => lines::item_is_used(state, id),
        // NOTE: records that refer to a currency, price level, location, subsidiary or term
        // do not keep it from being deleted here; NetSuite refuses such deletes.
        RecordKind::Contact
        | RecordKind::CustomerPayment
        | RecordKind::Currency
        | RecordKind::PriceLevel
        | RecordKind::Location
        | RecordKind::Subsidiary
        | RecordKind::Term => false,
    };
    if referenced {
        return Err(errors::has_dependents());
    }
    Ok(())
}

/// Returns true when a transaction refers to the customer, which then cannot be deleted.
pub(crate) fn customer_has_transactions(state: &State, customer_id: &str) -> bool {
    refs::transactions_of(state, customer_id).next().is_some()
}

/// Checks a record of a reference list: every one of them needs a name.
fn prepare_reference(record: &StoredRecord) -> Result<(), StatusDetail> {
    if record.text("name").is_none() {
        return Err(StatusDetail::required_fields(&["Name"]));
    }
    Ok(())
}

fn prepare_contact(state: &State, record: &mut StoredRecord) -> Result<(), StatusDetail> {
    if let Some(company) = record.ref_id("company").map(str::to_string) {
        let Some(customer) = state.get(&company) else {
            return Err(errors::invalid_reference("company", &company));
        };
        let name = refs::customer_name(&customer.customer);
        record.set_ref("company", &company, Some(&name));
    }
    if record.text("entityId").is_none() {
        let name = [record.text("firstName"), record.text("lastName")]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        if name.is_empty() {
            return Err(StatusDetail::required_fields(&["Name"]));
        }
        record.set_text("entityId", &name);
    }
    Ok(())
}
