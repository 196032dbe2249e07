//! The record errors the business rules return, with NetSuite's codes.
// NOTE: "Invalid ... reference key", "You must enter at least one line item" and the
// initialize error are NetSuite's recorded or widely quoted wording. The messages of the
// billed-order, credit-limit, over-application and dependent-record errors are written here
// in NetSuite's style; their codes are values of the schema's StatusDetailCodeType.

use crate::netsuite::faults::StatusDetail;

/// Returns the error for a RecordRef that names no record of the expected type (`entity`,
/// `item`...).
pub(crate) fn invalid_reference(field: &str, internal_id: &str) -> StatusDetail {
    let field = field.to_ascii_lowercase();
    StatusDetail::new(
        "INVALID_KEY_OR_REF",
        format!("Invalid {field} reference key {internal_id}."),
    )
}

/// Returns the error for a transaction without item lines.
pub(crate) fn no_lines() -> StatusDetail {
    StatusDetail::new(
        "USER_ERROR",
        "You must enter at least one line item for this transaction.",
    )
}

/// Returns the error for an invoice whose `createdFrom` order cannot be billed.
pub(crate) fn invalid_initialize_ref(record_type: &str, internal_id: &str) -> StatusDetail {
    StatusDetail::new(
        "INVALID_INITIALIZE_REF",
        format!("You can not initialize {record_type}: invalid reference {internal_id}."),
    )
}

/// Returns the error for a change to the lines, customer or status of a fully billed sales order.
pub(crate) fn billed_order_locked() -> StatusDetail {
    StatusDetail::new(
        "TRANS_EDIT_DISALLWD",
        "This sales order has been billed; its items, customer and status cannot be changed.",
    )
}

/// Returns the error for a sales order for a customer on credit hold, or one that would take the
/// customer over the credit limit.
pub(crate) fn credit_hold(customer: &str) -> StatusDetail {
    StatusDetail::new(
        "BALANCE_EXCEEDS_CREDIT_LIMIT",
        format!(
            "Customer {customer} is on credit hold: the balance and open orders exceed the \
             credit limit."
        ),
    )
}

/// Returns the error for a payment line that applies more than the invoice still owes.
pub(crate) fn over_applied(invoice: &str, due: f64) -> StatusDetail {
    StatusDetail::new(
        "INVALID_AMT",
        format!("The amount applied to invoice {invoice} exceeds the amount due ({due:.2})."),
    )
}

/// Returns the error for a payment whose lines apply more than its amount.
pub(crate) fn applied_exceeds_payment() -> StatusDetail {
    StatusDetail::new(
        "TRANS_APPLIED_AMTS_UNBALNCD",
        "The total applied exceeds the payment amount.",
    )
}

/// Returns the error for a payment line for an invoice of another customer, or one already paid in
/// full.
pub(crate) fn invoice_not_open(invoice: &str) -> StatusDetail {
    StatusDetail::new(
        "INVALID_KEY_OR_REF",
        format!("Invoice {invoice} is not an open invoice of this customer."),
    )
}

/// Returns the error for a value the field does not accept, such as a status clients cannot set.
pub(crate) fn invalid_value(value: &str, field: &str) -> StatusDetail {
    StatusDetail::invalid_field_value(value, &field.to_ascii_lowercase())
}

/// Returns the error for a delete of a record that other records still reference.
pub(crate) fn has_dependents() -> StatusDetail {
    StatusDetail::new(
        "CANT_DELETE_CHILD_RCRDS_EXIST",
        "This record cannot be deleted because it has dependent records.",
    )
}

/// Returns the error for a name that another record of the family already uses.
pub(crate) fn duplicate_item() -> StatusDetail {
    StatusDetail::new("DUP_ITEM", "This item already exists.")
}

/// Returns the error for an external ID that another record of the type already uses.
pub(crate) fn duplicate_record() -> StatusDetail {
    StatusDetail::new("DUP_RCRD", "This record already exists.")
}

/// Returns the error for an invoice total below what payments already applied to it.
pub(crate) fn total_below_paid(paid: f64) -> StatusDetail {
    StatusDetail::new(
        "INVALID_AMT",
        format!("The invoice total cannot be less than the amount already paid ({paid:.2})."),
    )
}
