//! Sales orders and invoices: customer, currency, number and date defaults, priced lines and
//! totals, the order status, invoices created from orders, and the credit hold check.

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::America::Los_Angeles;

use super::figures::customer_exposure;
use super::lines::price_lines;
use super::refs::{self, BASE};
use crate::netsuite::datetime::pacific_date;
use crate::netsuite::faults::StatusDetail;
use crate::netsuite::records::parse::RecordInput;
use crate::netsuite::records::{RecordKind, StoredRecord, errors};
use crate::netsuite::state::State;
use crate::netsuite::xml::Element;
use crate::netsuite::xsd::schema;

/// The `orderStatus` values a client may set, and the status text of every value the
/// emulator uses.
const ORDER_STATUSES: [(&str, &str, bool); 5] = [
    ("_pendingApproval", "Pending Approval", true),
    ("_pendingFulfillment", "Pending Fulfillment", true),
    ("_cancelled", "Cancelled", true),
    ("_closed", "Closed", true),
    ("_fullyBilled", "Billed", false),
];

/// The order status that commits inventory and counts as an open order.
pub(crate) const PENDING_FULFILLMENT: &str = "_pendingFulfillment";
/// The order status once an invoice was created from the order.
pub(crate) const FULLY_BILLED: &str = "_fullyBilled";

/// Checks and completes a sales order.
pub(crate) fn prepare_sales_order(
    state: &State,
    old: Option<&StoredRecord>,
    record: &mut StoredRecord,
    input: &RecordInput,
    now: DateTime<Utc>,
) -> Result<(), StatusDetail> {
    let billed = old.is_some_and(|old| old.text("orderStatus") == Some(FULLY_BILLED));
    if billed && touches_locked_fields(input) {
        return Err(errors::billed_order_locked());
    }
    let customer = check_customer(state, record, "entity")?;
    fill_defaults(state, record, &customer, now);
    let old_status = old.and_then(|o| o.text("orderStatus")).map(str::to_string);
    let status = order_status(old_status.as_deref(), record.text("orderStatus"))?;
    record.set_text("orderStatus", &status);
    record.set_text("status", status_text(&status));
    let total = price_lines(state, record)?;
    record.set_number("subTotal", total);
    record.set_number("total", total);
    let open = matches!(status.as_str(), "_pendingApproval" | PENDING_FULFILLMENT);
    if open && !billed {
        check_credit(state, &customer, record, total)?;
    }
    Ok(())
}

/// Checks and completes an invoice, copying customer and lines from the order it is created
/// from.
pub(crate) fn prepare_invoice(
    state: &State,
    old: Option<&StoredRecord>,
    record: &mut StoredRecord,
    now: DateTime<Utc>,
) -> Result<(), StatusDetail> {
    if old.is_none()
        && let Some(order_id) = record.ref_id("createdFrom").map(str::to_string)
    {
        copy_from_order(state, record, &order_id)?;
    }
    let customer = check_customer(state, record, "entity")?;
    fill_defaults(state, record, &customer, now);
    if record.field("dueDate").is_none()
        && let Some(date) = record.date("tranDate")
    {
        record.set_date("dueDate", date);
    }
    let total = price_lines(state, record)?;
    record.set_number("subTotal", total);
    record.set_number("total", total);
    let paid = super::payments::paid_on(state, &record.internal_id, None);
    if total + 0.005 < paid {
        return Err(errors::total_below_paid(paid));
    }
    super::figures::set_invoice_figures(record, paid);
    Ok(())
}

/// Iterates over the invoices created from a sales order.
pub(crate) fn invoices_from<'a>(
    state: &'a State,
    order_id: &'a str,
) -> impl Iterator<Item = &'a StoredRecord> + 'a {
    state
        .records
        .of_kind(RecordKind::Invoice)
        .filter(move |invoice| invoice.ref_id("createdFrom") == Some(order_id))
}

/// Returns the status text NetSuite shows for an `orderStatus` value.
pub(crate) fn status_text(order_status: &str) -> &'static str {
    ORDER_STATUSES
        .iter()
        .find(|(value, _, _)| *value == order_status)
        .map(|(_, text, _)| *text)
        .unwrap_or("Pending Approval")
}

fn touches_locked_fields(input: &RecordInput) -> bool {
    let locked = ["itemList", "entity", "currency", "orderStatus"];
    input
        .fields
        .iter()
        .any(|f| locked.contains(&f.name.as_str()))
        || input
            .null_fields
            .iter()
            .any(|name| locked.contains(&name.as_str()))
}

/// Returns the status after a write: the default on add is pending approval; an approved
/// order cannot go back to pending approval, and billed is set by invoicing only.
fn order_status(old: Option<&str>, sent: Option<&str>) -> Result<String, StatusDetail> {
    let Some(sent) = sent else {
        return Ok(old.unwrap_or("_pendingApproval").to_string());
    };
    if old == Some(sent) {
        return Ok(sent.to_string());
    }
    let settable = ORDER_STATUSES
        .iter()
        .any(|(value, _, settable)| *value == sent && *settable);
    let backwards = sent == "_pendingApproval" && old.is_some();
    if !settable || backwards {
        return Err(errors::invalid_value(sent, "orderStatus"));
    }
    Ok(sent.to_string())
}

/// Checks that a RecordRef field names a customer and gives it the customer's name; returns
/// the customer's internal ID.
fn check_customer(
    state: &State,
    record: &mut StoredRecord,
    field: &str,
) -> Result<String, StatusDetail> {
    let Some(id) = record.ref_id(field).map(str::to_string) else {
        return Err(StatusDetail::required_fields(&["Customer"]));
    };
    let Some(customer) = state.get(&id) else {
        return Err(errors::invalid_reference(field, &id));
    };
    let name = refs::customer_name(&customer.customer);
    record.set_ref(field, &id, Some(&name));
    Ok(id)
}

/// Fills the transaction number, date, currency and exchange rate when the client left them
/// out.
pub(crate) fn fill_defaults(
    state: &State,
    record: &mut StoredRecord,
    customer_id: &str,
    now: DateTime<Utc>,
) {
    if record.text("tranId").is_none() {
        let next = state.records.peek_tran_id(record.kind);
        record.set_text("tranId", &next);
    }
    if record.field("tranDate").is_none() {
        record.set_date("tranDate", pacific_midnight(now));
    }
    let currency = record
        .ref_id("currency")
        .map(str::to_string)
        .or_else(|| customer_currency(state, customer_id))
        .unwrap_or_else(|| BASE.to_string());
    let name = refs::currency_name(state, &currency);
    record.set_ref("currency", &currency, name.as_deref());
    if record.field("exchangeRate").is_none() {
        let rate = refs::exchange_rate(state, &currency).unwrap_or(1.0);
        record.set_number("exchangeRate", rate);
    }
}

fn customer_currency(state: &State, customer_id: &str) -> Option<String> {
    let stored = state.get(customer_id)?;
    let currency = stored.extras.iter().find(|e| e.name == "currency")?;
    currency.attr("internalId").map(str::to_string)
}

/// Returns midnight of an instant's Pacific calendar date, the form of date-only fields.
pub(crate) fn pacific_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let date = pacific_date(now);
    let midnight = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    Los_Angeles
        .from_local_datetime(&midnight)
        .earliest()
        .map(|local| local.with_timezone(&Utc))
        .unwrap_or(now)
}

fn copy_from_order(
    state: &State,
    invoice: &mut StoredRecord,
    order_id: &str,
) -> Result<(), StatusDetail> {
    let order = state.records.get(RecordKind::SalesOrder, order_id);
    let billable = order.filter(|order| {
        order.text("orderStatus") == Some(PENDING_FULFILLMENT)
            && invoices_from(state, order_id).next().is_none()
    });
    let Some(order) = billable else {
        return Err(errors::invalid_initialize_ref("invoice", order_id));
    };
    let display = refs::display_name(order);
    invoice.set_ref("createdFrom", order_id, Some(&display));
    for name in ["entity", "currency", "location", "exchangeRate"] {
        if invoice.field(name).is_none()
            && let Some(field) = order.field(name)
        {
            invoice.set(field.clone());
        }
    }
    if invoice.field("itemList").is_none()
        && let Some(lines) = order.field("itemList")
    {
        invoice.set(invoice_lines(lines));
    }
    Ok(())
}

/// Returns an order's item list as an invoice's, keeping the line fields invoices have.
fn invoice_lines(order_lines: &Element) -> Element {
    let invoice = RecordKind::Invoice.qname();
    let line_type = schema()
        .field(&invoice, "itemList")
        .and_then(|list| schema().field(&list.type_name, "item"))
        .map(|line| line.type_name.clone());
    let mut copied = order_lines.clone();
    for line in &mut copied.children {
        line.children.retain(|field| {
            line_type
                .as_ref()
                .is_some_and(|line_type| schema().field(line_type, &field.name).is_some())
        });
    }
    copied
}

/// Refuses an order for a customer on credit hold: the hold is forced on, or it is automatic
/// and the balance, other open orders and this order together exceed the credit limit.
fn check_credit(
    state: &State,
    customer_id: &str,
    order: &StoredRecord,
    total: f64,
) -> Result<(), StatusDetail> {
    let Some(customer) = state.get(customer_id) else {
        return Ok(());
    };
    let extra = |name: &str| {
        customer
            .extras
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.trimmed_text().to_string())
    };
    let name = refs::customer_name(&customer.customer);
    match extra("creditHoldOverride").as_deref() {
        Some("_on") => return Err(errors::credit_hold(&name)),
        Some("_off") => return Ok(()),
        _ => {}
    }
    let Some(limit) = extra("creditLimit").and_then(|l| l.parse::<f64>().ok()) else {
        return Ok(());
    };
    let exposure = customer_exposure(state, customer_id, Some(&order.internal_id));
    if exposure + total > limit + 0.005 {
        return Err(errors::credit_hold(&name));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_status_defaults_to_pending_approval() {
        assert_eq!(order_status(None, None).unwrap(), "_pendingApproval");
        assert_eq!(
            order_status(Some("_pendingFulfillment"), None).unwrap(),
            "_pendingFulfillment"
        );
    }

    #[test]
    fn order_status_refuses_billed_and_going_back() {
        assert!(order_status(None, Some("_fullyBilled")).is_err());
        assert!(order_status(Some("_pendingFulfillment"), Some("_pendingApproval")).is_err());
        assert!(order_status(Some("_pendingApproval"), Some("_pendingFulfillment")).is_ok());
    }

    #[test]
    fn pacific_midnight_is_start_of_pacific_day() {
        let instant = Utc.with_ymd_and_hms(2024, 7, 2, 3, 0, 0).unwrap();
        let midnight = pacific_midnight(instant);
        assert_eq!(midnight, Utc.with_ymd_and_hms(2024, 7, 1, 7, 0, 0).unwrap());
    }
}
