//! Customer payments: lines applied to the customer's open invoices, chosen by the client or
//! automatically (oldest invoice first), and the applied and unapplied totals.

use chrono::{DateTime, Utc};

use super::lines::{number, set_child, sort_children};
use super::orders::fill_defaults;
use super::refs;
use crate::netsuite::customer::parse_bool;
use crate::netsuite::faults::StatusDetail;
use crate::netsuite::records::{RecordKind, StoredRecord, errors, format_double, text_element};
use crate::netsuite::state::State;
use crate::netsuite::xml::Element;
use crate::netsuite::xsd::QName;

/// The status of a payment that waits in undeposited funds, the default for new payments.
const NOT_DEPOSITED: &str = "Not Deposited";

/// One application of a payment to an invoice.
struct Application {
    invoice: String,
    amount: f64,
}

/// Checks and completes a customer payment.
pub(crate) fn prepare(
    state: &State,
    _old: Option<&StoredRecord>,
    record: &mut StoredRecord,
    now: DateTime<Utc>,
) -> Result<(), StatusDetail> {
    let Some(customer_id) = record.ref_id("customer").map(str::to_string) else {
        return Err(StatusDetail::required_fields(&["Customer"]));
    };
    let Some(customer) = state.get(&customer_id) else {
        return Err(errors::invalid_reference("customer", &customer_id));
    };
    let name = refs::customer_name(&customer.customer);
    record.set_ref("customer", &customer_id, Some(&name));
    fill_defaults(state, record, &customer_id, now);

    let payment = record.number("payment");
    let applications = match record.field("applyList") {
        Some(list) => sent_applications(state, record, list, &customer_id, payment)?,
        None if record.text("autoApply") == Some("true") => {
            auto_applications(state, record, &customer_id, payment.unwrap_or(0.0))
        }
        None => Vec::new(),
    };
    let applied: f64 = applications.iter().map(|a| a.amount).sum();
    let payment = payment.unwrap_or(applied);
    if payment <= 0.0 {
        return Err(StatusDetail::required_fields(&["Payment Amount"]));
    }
    if applied > payment + 0.005 {
        return Err(errors::applied_exceeds_payment());
    }
    write_apply_list(state, record, &applications);
    record.set_number("payment", payment);
    record.set_number("total", payment);
    record.set_number("applied", applied);
    record.set_number("unapplied", payment - applied);
    if record.text("status").is_none() {
        record.set_text("status", NOT_DEPOSITED);
    }
    Ok(())
}

/// Returns the amount that payments apply to an invoice, leaving out one payment. Only the
/// payments of the invoice's customer can apply to it.
pub(crate) fn paid_on(state: &State, invoice_id: &str, excluding: Option<&str>) -> f64 {
    let Some(customer) = state
        .records
        .get(RecordKind::Invoice, invoice_id)
        .and_then(StoredRecord::customer_id)
    else {
        return 0.0;
    };
    refs::transactions_of(state, customer)
        .filter(|t| t.kind == RecordKind::CustomerPayment)
        .filter(|payment| Some(payment.internal_id.as_str()) != excluding)
        .flat_map(applied_lines)
        .filter(|(doc, _)| doc == invoice_id)
        .map(|(_, amount)| amount)
        .sum()
}

/// Returns the invoice internal ID and amount of each applied line of a payment.
pub(crate) fn applied_lines(payment: &StoredRecord) -> Vec<(String, f64)> {
    let Some(list) = payment.field("applyList") else {
        return Vec::new();
    };
    list.children
        .iter()
        .filter(|line| line.child_named("apply").and_then(|a| parse_bool(&a.text)) != Some(false))
        .filter_map(|line| {
            let doc = line.child_named("doc")?.trimmed_text().to_string();
            Some((doc, number(line, "amount").unwrap_or(0.0)))
        })
        .collect()
}

/// Returns what an invoice still owes before this payment.
fn due_before(state: &State, invoice: &StoredRecord, payment_id: &str) -> f64 {
    let total = invoice.number("total").unwrap_or(0.0);
    total - paid_on(state, &invoice.internal_id, Some(payment_id))
}

fn sent_applications(
    state: &State,
    record: &StoredRecord,
    list: &Element,
    customer_id: &str,
    payment: Option<f64>,
) -> Result<Vec<Application>, StatusDetail> {
    let mut remaining = payment.unwrap_or(f64::INFINITY);
    let mut applications = Vec::new();
    for line in &list.children {
        let apply = line.child_named("apply").and_then(|a| parse_bool(&a.text));
        if apply == Some(false) {
            continue;
        }
        let Some(doc) = line
            .child_named("doc")
            .map(|d| d.trimmed_text().to_string())
        else {
            return Err(StatusDetail::required_fields(&["Invoice"]));
        };
        let invoice = state
            .records
            .get(RecordKind::Invoice, &doc)
            .filter(|invoice| invoice.ref_id("entity") == Some(customer_id));
        let Some(invoice) = invoice else {
            return Err(errors::invoice_not_open(&doc));
        };
        let due = due_before(state, invoice, &record.internal_id);
        if due <= 0.005 {
            return Err(errors::invoice_not_open(&doc));
        }
        let amount = number(line, "amount").unwrap_or_else(|| due.min(remaining));
        if amount > due + 0.005 {
            return Err(errors::over_applied(&doc, due));
        }
        remaining -= amount;
        applications.push(Application {
            invoice: doc,
            amount,
        });
    }
    Ok(applications)
}

/// Applies a payment to the customer's open invoices, oldest first, until it is used up.
fn auto_applications(
    state: &State,
    record: &StoredRecord,
    customer_id: &str,
    payment: f64,
) -> Vec<Application> {
    let mut invoices: Vec<&StoredRecord> = state
        .records
        .of_kind(RecordKind::Invoice)
        .filter(|invoice| invoice.ref_id("entity") == Some(customer_id))
        .collect();
    invoices.sort_by_key(|invoice| invoice.date("tranDate"));
    let mut remaining = payment;
    let mut applications = Vec::new();
    for invoice in invoices {
        let due = due_before(state, invoice, &record.internal_id);
        if remaining <= 0.005 {
            break;
        }
        if due <= 0.005 {
            continue;
        }
        let amount = due.min(remaining);
        remaining -= amount;
        applications.push(Application {
            invoice: invoice.internal_id.clone(),
            amount,
        });
    }
    applications
}

/// Writes the applied lines with the invoice's number, date, total and amount due.
fn write_apply_list(state: &State, record: &mut StoredRecord, applications: &[Application]) {
    let ns = record.kind.namespace();
    let line_type = QName::new(ns, "CustomerPaymentApply");
    let mut list = text_element(ns, "applyList", "");
    for (index, application) in applications.iter().enumerate() {
        let Some(invoice) = state.records.get(RecordKind::Invoice, &application.invoice) else {
            continue;
        };
        let mut line = text_element(ns, "apply", "");
        set_child(&mut line, ns, "apply", "true");
        set_child(&mut line, ns, "doc", &application.invoice);
        set_child(&mut line, ns, "line", &index.to_string());
        if let Some(date) = invoice.text("tranDate") {
            set_child(&mut line, ns, "applyDate", date);
        }
        set_child(&mut line, ns, "type", "Invoice");
        if let Some(tran_id) = invoice.text("tranId") {
            set_child(&mut line, ns, "refNum", tran_id);
        }
        let total = invoice.number("total").unwrap_or(0.0);
        set_child(&mut line, ns, "total", &format_double(total));
        let due = due_before(state, invoice, &record.internal_id);
        set_child(&mut line, ns, "due", &format_double(due));
        if let Some(currency) = invoice.field("currency").and_then(super::lines::ref_name) {
            set_child(&mut line, ns, "currency", currency);
        }
        set_child(&mut line, ns, "amount", &format_double(application.amount));
        sort_children(&mut line, &line_type);
        list.children.push(line);
    }
    if list.children.is_empty() {
        record.remove("applyList");
    } else {
        record.set(list);
    }
}
