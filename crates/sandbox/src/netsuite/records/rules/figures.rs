//! Figures that depend on other records: an invoice's amount paid and status, an order's
//! billed status, an item's committed and available quantities, and a customer's balances.
//! After every write, the records the write touched are brought up to date.
// NOTE: a payment that changes an invoice's status, and an invoice that bills an order, move
// that record's lastModifiedDate, so change feeds see the new status. Balances and quantities
// change without moving the customer's or item's date. Overdue figures are computed at the
// time of the last write that touched the customer, not at read time.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use super::lines::{lines, number, set_child, sort_children};
use super::orders::{FULLY_BILLED, PENDING_FULFILLMENT, invoices_from, status_text};
use super::payments::{applied_lines, paid_on};
use super::refs::transactions_of;
use crate::netsuite::records::{ACCOUNTING, RecordKind, StoredRecord, format_double};
use crate::netsuite::soap::RELATIONSHIPS;
use crate::netsuite::state::State;
use crate::netsuite::xsd::QName;

/// The records one write can change the figures of.
#[derive(Debug, Default)]
struct Affected {
    customers: BTreeSet<String>,
    invoices: BTreeSet<String>,
    orders: BTreeSet<String>,
    items: BTreeSet<String>,
}

impl Affected {
    fn add(&mut self, record: &StoredRecord) {
        if let Some(customer) = record.customer_id() {
            self.customers.insert(customer.to_string());
        }
        let id = record.internal_id.clone();
        match record.kind {
            RecordKind::SalesOrder => {
                self.orders.insert(id);
            }
            RecordKind::Invoice => {
                self.invoices.insert(id);
                if let Some(order) = record.ref_id("createdFrom") {
                    self.orders.insert(order.to_string());
                }
            }
            RecordKind::CustomerPayment => {
                self.invoices
                    .extend(applied_lines(record).into_iter().map(|(doc, _)| doc));
            }
            _ => {}
        }
        self.items
            .extend(lines(record).into_iter().map(|line| line.item));
    }
}

/// Brings up to date the figures of every record a write touched. `old` is the record before
/// the write (`None` for an add) and `new` after it (`None` for a delete).
pub(crate) fn after_write(
    state: &mut State,
    old: Option<&StoredRecord>,
    new: Option<&StoredRecord>,
    now: DateTime<Utc>,
) {
    let mut affected = Affected::default();
    for record in old.into_iter().chain(new) {
        affected.add(record);
    }
    for id in &affected.invoices {
        refresh_invoice(state, id, now);
    }
    for id in &affected.orders {
        refresh_order(state, id, now);
    }
    for id in &affected.items {
        refresh_item(state, id);
    }
    for id in &affected.customers {
        refresh_customer(state, id, now);
    }
}

/// Sets an invoice's amount paid, amount remaining and status.
pub(crate) fn set_invoice_figures(invoice: &mut StoredRecord, paid: f64) {
    let total = invoice.number("total").unwrap_or(0.0);
    let remaining = (total - paid).max(0.0);
    invoice.set_number("amountPaid", paid);
    invoice.set_number("amountRemaining", remaining);
    let status = if remaining <= 0.005 && total > 0.0 {
        "Paid In Full"
    } else {
        "Open"
    };
    invoice.set_text("status", status);
}

fn refresh_invoice(state: &mut State, id: &str, now: DateTime<Utc>) {
    let Some(mut invoice) = state.records.get(RecordKind::Invoice, id).cloned() else {
        return;
    };
    let before = (
        invoice.text("status").map(str::to_string),
        invoice.number("amountPaid"),
    );
    set_invoice_figures(&mut invoice, paid_on(state, id, None));
    let after = (
        invoice.text("status").map(str::to_string),
        invoice.number("amountPaid"),
    );
    if before != after {
        invoice.last_modified = now;
    }
    state.records.put(invoice);
}

fn refresh_order(state: &mut State, id: &str, now: DateTime<Utc>) {
    let Some(mut order) = state.records.get(RecordKind::SalesOrder, id).cloned() else {
        return;
    };
    let billed = invoices_from(state, id).next().is_some();
    let status = order.text("orderStatus").unwrap_or_default().to_string();
    let new_status = match (billed, status.as_str()) {
        (true, s) if s != FULLY_BILLED => FULLY_BILLED,
        (false, FULLY_BILLED) => PENDING_FULFILLMENT,
        _ => return,
    };
    order.set_text("orderStatus", new_status);
    order.set_text("status", status_text(new_status));
    order.last_modified = now;
    state.records.put(order);
}

fn refresh_item(state: &mut State, id: &str) {
    let Some(mut item) = state.records.get(RecordKind::InventoryItem, id).cloned() else {
        return;
    };
    set_item_quantities(state, &mut item);
    state.records.put(item);
}

/// Sets each location's committed and available quantity, and the item's totals: available
/// is on hand minus what orders pending fulfillment commit at that location.
pub(crate) fn set_item_quantities(state: &State, item: &mut StoredRecord) {
    let committed = committed_by_location(state, &item.internal_id);
    let Some(mut list) = item.field("locationsList").cloned() else {
        return;
    };
    let line_type = QName::new(ACCOUNTING, "InventoryItemLocations");
    let (mut on_hand_total, mut committed_total) = (0.0, 0.0);
    for location in &mut list.children {
        let id = location
            .child_named("locationId")
            .and_then(|l| l.attr("internalId"))
            .map(str::to_string);
        let on_hand = number(location, "quantityOnHand").unwrap_or(0.0);
        let held: f64 = committed
            .iter()
            .filter(|(at, _)| *at == id)
            .map(|(_, quantity)| quantity)
            .sum();
        set_child(
            location,
            ACCOUNTING,
            "quantityOnHand",
            &format_double(on_hand),
        );
        set_child(
            location,
            ACCOUNTING,
            "quantityCommitted",
            &format_double(held),
        );
        let available = format_double(on_hand - held);
        set_child(location, ACCOUNTING, "quantityAvailable", &available);
        sort_children(location, &line_type);
        on_hand_total += on_hand;
        committed_total += held;
    }
    item.set(list);
    item.set_number("quantityOnHand", on_hand_total);
    item.set_number("quantityCommitted", committed_total);
    item.set_number("quantityAvailable", on_hand_total - committed_total);
}

/// Returns the quantities of an item that orders pending fulfillment commit, by location.
fn committed_by_location(state: &State, item_id: &str) -> Vec<(Option<String>, f64)> {
    state
        .records
        .of_kind(RecordKind::SalesOrder)
        .filter(|order| order.text("orderStatus") == Some(PENDING_FULFILLMENT))
        .flat_map(lines)
        .filter(|line| line.item == item_id)
        .map(|line| (line.location, line.quantity))
        .collect()
}

/// Returns what a customer owes and has on order: open invoice amounts, minus unapplied
/// payments, plus orders pending approval or fulfillment other than `excluding`.
pub(crate) fn customer_exposure(state: &State, customer_id: &str, excluding: Option<&str>) -> f64 {
    let open_orders: f64 = transactions_of(state, customer_id)
        .filter(|t| t.kind == RecordKind::SalesOrder)
        .filter(|t| Some(t.internal_id.as_str()) != excluding)
        .filter(|t| {
            matches!(
                t.text("orderStatus"),
                Some("_pendingApproval" | PENDING_FULFILLMENT)
            )
        })
        .filter_map(|t| t.number("total"))
        .sum();
    balance(state, customer_id) + open_orders
}

fn balance(state: &State, customer_id: &str) -> f64 {
    transactions_of(state, customer_id)
        .map(|t| match t.kind {
            RecordKind::Invoice => t.number("amountRemaining").unwrap_or(0.0),
            RecordKind::CustomerPayment => -t.number("unapplied").unwrap_or(0.0),
            _ => 0.0,
        })
        .sum()
}

/// Sets a customer's balance, unbilled orders, overdue balance and days overdue. Customers
/// that never had a transaction keep their fields as they are.
fn refresh_customer(state: &mut State, customer_id: &str, now: DateTime<Utc>) {
    let Some(mut stored) = state.get(customer_id).cloned() else {
        return;
    };
    let unbilled: f64 = transactions_of(state, customer_id)
        .filter(|t| t.text("orderStatus") == Some(PENDING_FULFILLMENT))
        .filter_map(|t| t.number("total"))
        .sum();
    let overdue: Vec<(f64, DateTime<Utc>)> = transactions_of(state, customer_id)
        .filter(|t| t.kind == RecordKind::Invoice)
        .filter_map(|t| Some((t.number("amountRemaining")?, t.date("dueDate")?)))
        .filter(|(remaining, due)| *remaining > 0.005 && *due < now)
        .collect();
    let days_overdue = overdue
        .iter()
        .map(|(_, due)| (now - *due).num_days())
        .max()
        .unwrap_or(0);
    let figures = [
        ("balance", format_double(balance(state, customer_id))),
        (
            "overdueBalance",
            format_double(overdue.iter().map(|o| o.0).sum()),
        ),
        ("daysOverdue", days_overdue.to_string()),
        ("unbilledOrders", format_double(unbilled)),
    ];
    for (name, value) in figures {
        stored.extras.retain(|e| e.name != name);
        let element = crate::netsuite::records::text_element(RELATIONSHIPS, name, &value);
        stored.extras.push(element);
    }
    state.put(stored);
}
