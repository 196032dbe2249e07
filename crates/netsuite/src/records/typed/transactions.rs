//! Sales orders and invoices (`tranSales`), customer payments (`tranCust`).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

use crate::error::Error;
use crate::records::access::{bool_value, date_value, double_value, ref_value, text_value};
use crate::records::{BodyValue, Complex, CustomField, FieldAccess, Record, RecordRef};

use super::{Lines, SublistLine, TypedRecord, check_type, owned_ref, owned_text};

/// One item line of a sales order (`SalesOrderItem`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SalesOrderLine {
    /// The line number, the key that merges an update into an existing line; read-only on
    /// add.
    pub line: Option<i64>,
    pub item: Option<RecordRef>,
    pub description: Option<String>,
    pub quantity: Option<f64>,
    /// The price level. Internal ID `-1` is the custom price, which takes `rate`.
    pub price: Option<RecordRef>,
    /// The rate as NetSuite keeps it: text, because it may be a percentage (`10%`).
    pub rate: Option<String>,
    pub amount: Option<f64>,
    pub is_closed: Option<bool>,
    /// Read-only.
    pub quantity_billed: Option<f64>,
    /// Read-only.
    pub quantity_fulfilled: Option<f64>,
    pub custom_fields: Vec<CustomField>,
}

impl SublistLine for SalesOrderLine {
    fn from_line(line: &Complex, _zone: Tz) -> Result<SalesOrderLine, Error> {
        Ok(SalesOrderLine {
            line: line.long("line")?,
            item: owned_ref(line, "item"),
            description: owned_text(line, "description"),
            quantity: line.double("quantity")?,
            price: owned_ref(line, "price"),
            rate: owned_text(line, "rate"),
            amount: line.double("amount")?,
            is_closed: line.boolean("isClosed")?,
            quantity_billed: line.double("quantityBilled")?,
            quantity_fulfilled: line.double("quantityFulfilled")?,
            custom_fields: line.custom_fields.clone(),
        })
    }

    fn to_line(&self, _zone: Tz) -> Complex {
        let mut line = Complex::new();
        line.set_some("item", ref_value(&self.item));
        line.set_some("quantity", double_value(self.quantity));
        line.set_some("description", text_value(&self.description));
        line.set_some("price", ref_value(&self.price));
        line.set_some("rate", text_value(&self.rate));
        line.set_some("amount", double_value(self.amount));
        line.set_some("isClosed", bool_value(self.is_closed));
        line.set_some(
            "line",
            self.line.map(|line| BodyValue::Text(line.to_string())),
        );
        line.custom_fields = self.custom_fields.clone();
        line
    }
}

/// A sales order (`tranSales:SalesOrder`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SalesOrder {
    pub internal_id: Option<String>,
    pub external_id: Option<String>,
    /// The customer.
    pub entity: Option<RecordRef>,
    pub tran_id: Option<String>,
    /// Date-only.
    pub tran_date: Option<NaiveDate>,
    /// `_pendingApproval`, `_pendingFulfillment`, `_closed`... writable on add.
    pub order_status: Option<String>,
    /// The status as text ("Pending Fulfillment"), read-only.
    pub status: Option<String>,
    pub currency: Option<RecordRef>,
    pub subsidiary: Option<RecordRef>,
    pub terms: Option<RecordRef>,
    pub memo: Option<String>,
    pub other_ref_num: Option<String>,
    /// Read-only.
    pub total: Option<f64>,
    /// Read-only.
    pub last_modified: Option<DateTime<Utc>>,
    /// `None` when the record did not carry its lines (searches with body fields only).
    pub items: Option<Lines<SalesOrderLine>>,
    pub custom_fields: Vec<CustomField>,
}

impl TypedRecord for SalesOrder {
    const RECORD_TYPE: &'static str = "salesOrder";

    fn from_record(record: &Record, zone: Tz) -> Result<SalesOrder, Error> {
        check_type(record, Self::RECORD_TYPE)?;
        Ok(SalesOrder {
            internal_id: record.internal_id.clone(),
            external_id: record.external_id.clone(),
            entity: owned_ref(record, "entity"),
            tran_id: owned_text(record, "tranId"),
            tran_date: record.date("tranDate", zone)?,
            order_status: owned_text(record, "orderStatus"),
            status: owned_text(record, "status"),
            currency: owned_ref(record, "currency"),
            subsidiary: owned_ref(record, "subsidiary"),
            terms: owned_ref(record, "terms"),
            memo: owned_text(record, "memo"),
            other_ref_num: owned_text(record, "otherRefNum"),
            total: record.double("total")?,
            last_modified: record.date_time("lastModifiedDate")?,
            items: Lines::read(record, "itemList", true, zone)?,
            custom_fields: record.custom_fields.clone(),
        })
    }

    fn to_record(&self, zone: Tz) -> Record {
        let mut record = Record::new(Self::RECORD_TYPE);
        record.internal_id = self.internal_id.clone();
        record.external_id = self.external_id.clone();
        record.set_some("entity", ref_value(&self.entity));
        record.set_some("tranId", text_value(&self.tran_id));
        record.set_some("tranDate", date_value(self.tran_date, zone));
        record.set_some("orderStatus", text_value(&self.order_status));
        record.set_some("currency", ref_value(&self.currency));
        record.set_some("subsidiary", ref_value(&self.subsidiary));
        record.set_some("terms", ref_value(&self.terms));
        record.set_some("memo", text_value(&self.memo));
        record.set_some("otherRefNum", text_value(&self.other_ref_num));
        let items = self.items.as_ref().map(|lines| lines.to_value(zone));
        record.set_some("itemList", items);
        record.custom_fields = self.custom_fields.clone();
        record
    }
}

/// One item line of an invoice (`InvoiceItem`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InvoiceLine {
    pub line: Option<i64>,
    pub item: Option<RecordRef>,
    pub description: Option<String>,
    pub quantity: Option<f64>,
    pub price: Option<RecordRef>,
    pub rate: Option<String>,
    pub amount: Option<f64>,
    pub custom_fields: Vec<CustomField>,
}

impl SublistLine for InvoiceLine {
    fn from_line(line: &Complex, _zone: Tz) -> Result<InvoiceLine, Error> {
        Ok(InvoiceLine {
            line: line.long("line")?,
            item: owned_ref(line, "item"),
            description: owned_text(line, "description"),
            quantity: line.double("quantity")?,
            price: owned_ref(line, "price"),
            rate: owned_text(line, "rate"),
            amount: line.double("amount")?,
            custom_fields: line.custom_fields.clone(),
        })
    }

    fn to_line(&self, _zone: Tz) -> Complex {
        let mut line = Complex::new();
        line.set_some("item", ref_value(&self.item));
        line.set_some(
            "line",
            self.line.map(|line| BodyValue::Text(line.to_string())),
        );
        line.set_some("description", text_value(&self.description));
        line.set_some("amount", double_value(self.amount));
        line.set_some("quantity", double_value(self.quantity));
        line.set_some("price", ref_value(&self.price));
        line.set_some("rate", text_value(&self.rate));
        line.custom_fields = self.custom_fields.clone();
        line
    }
}

/// An invoice (`tranSales:Invoice`). The payments applied to it are the `applyList` lines of
/// the customer payments whose `doc` is the invoice's internal ID; the invoice itself carries
/// their sum in `amount_paid`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Invoice {
    pub internal_id: Option<String>,
    pub external_id: Option<String>,
    pub entity: Option<RecordRef>,
    pub tran_id: Option<String>,
    /// Date-only.
    pub tran_date: Option<NaiveDate>,
    /// Date-only.
    pub due_date: Option<NaiveDate>,
    /// The sales order the invoice bills.
    pub created_from: Option<RecordRef>,
    pub currency: Option<RecordRef>,
    pub subsidiary: Option<RecordRef>,
    pub terms: Option<RecordRef>,
    pub memo: Option<String>,
    /// The status as text ("Open", "Paid In Full"), read-only.
    pub status: Option<String>,
    /// Read-only.
    pub total: Option<f64>,
    /// Read-only.
    pub amount_paid: Option<f64>,
    /// Read-only.
    pub amount_remaining: Option<f64>,
    /// Read-only.
    pub last_modified: Option<DateTime<Utc>>,
    pub items: Option<Lines<InvoiceLine>>,
    pub custom_fields: Vec<CustomField>,
}

impl TypedRecord for Invoice {
    const RECORD_TYPE: &'static str = "invoice";

    fn from_record(record: &Record, zone: Tz) -> Result<Invoice, Error> {
        check_type(record, Self::RECORD_TYPE)?;
        Ok(Invoice {
            internal_id: record.internal_id.clone(),
            external_id: record.external_id.clone(),
            entity: owned_ref(record, "entity"),
            tran_id: owned_text(record, "tranId"),
            tran_date: record.date("tranDate", zone)?,
            due_date: record.date("dueDate", zone)?,
            created_from: owned_ref(record, "createdFrom"),
            currency: owned_ref(record, "currency"),
            subsidiary: owned_ref(record, "subsidiary"),
            terms: owned_ref(record, "terms"),
            memo: owned_text(record, "memo"),
            status: owned_text(record, "status"),
            total: record.double("total")?,
            amount_paid: record.double("amountPaid")?,
            amount_remaining: record.double("amountRemaining")?,
            last_modified: record.date_time("lastModifiedDate")?,
            items: Lines::read(record, "itemList", true, zone)?,
            custom_fields: record.custom_fields.clone(),
        })
    }

    fn to_record(&self, zone: Tz) -> Record {
        let mut record = Record::new(Self::RECORD_TYPE);
        record.internal_id = self.internal_id.clone();
        record.external_id = self.external_id.clone();
        record.set_some("entity", ref_value(&self.entity));
        record.set_some("tranId", text_value(&self.tran_id));
        record.set_some("tranDate", date_value(self.tran_date, zone));
        record.set_some("dueDate", date_value(self.due_date, zone));
        record.set_some("createdFrom", ref_value(&self.created_from));
        record.set_some("currency", ref_value(&self.currency));
        record.set_some("subsidiary", ref_value(&self.subsidiary));
        record.set_some("terms", ref_value(&self.terms));
        record.set_some("memo", text_value(&self.memo));
        let items = self.items.as_ref().map(|lines| lines.to_value(zone));
        record.set_some("itemList", items);
        record.custom_fields = self.custom_fields.clone();
        record
    }
}

/// One line of a customer payment's `applyList`: an open invoice and what the payment pays
/// of it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PaymentApply {
    /// True when the payment is applied to this document.
    pub apply: Option<bool>,
    /// The internal ID of the invoice (or other document).
    pub doc: Option<i64>,
    pub line: Option<i64>,
    /// The document type as text ("Invoice"), read-only.
    pub doc_type: Option<String>,
    /// The document number, read-only.
    pub ref_num: Option<String>,
    /// Date-only, read-only.
    pub apply_date: Option<NaiveDate>,
    /// The document total, read-only.
    pub total: Option<f64>,
    /// The amount still due, read-only.
    pub due: Option<f64>,
    /// The amount this payment applies.
    pub amount: Option<f64>,
}

impl SublistLine for PaymentApply {
    fn from_line(line: &Complex, zone: Tz) -> Result<PaymentApply, Error> {
        Ok(PaymentApply {
            apply: line.boolean("apply")?,
            doc: line.long("doc")?,
            line: line.long("line")?,
            doc_type: owned_text(line, "type"),
            ref_num: owned_text(line, "refNum"),
            apply_date: line.date("applyDate", zone)?,
            total: line.double("total")?,
            due: line.double("due")?,
            amount: line.double("amount")?,
        })
    }

    fn to_line(&self, _zone: Tz) -> Complex {
        let mut line = Complex::new();
        line.set_some("apply", bool_value(self.apply));
        line.set_some("doc", self.doc.map(|doc| BodyValue::Text(doc.to_string())));
        line.set_some(
            "line",
            self.line.map(|line| BodyValue::Text(line.to_string())),
        );
        line.set_some("amount", double_value(self.amount));
        line
    }
}

/// A customer payment (`tranCust:CustomerPayment`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerPayment {
    pub internal_id: Option<String>,
    pub external_id: Option<String>,
    pub customer: Option<RecordRef>,
    pub tran_id: Option<String>,
    /// Date-only.
    pub tran_date: Option<NaiveDate>,
    /// The amount received.
    pub payment: Option<f64>,
    pub currency: Option<RecordRef>,
    pub subsidiary: Option<RecordRef>,
    pub payment_method: Option<RecordRef>,
    pub memo: Option<String>,
    /// Read-only.
    pub applied: Option<f64>,
    /// Read-only.
    pub unapplied: Option<f64>,
    /// Read-only.
    pub status: Option<String>,
    /// Read-only.
    pub last_modified: Option<DateTime<Utc>>,
    /// The invoices the payment is applied to.
    pub apply_list: Option<Lines<PaymentApply>>,
    pub custom_fields: Vec<CustomField>,
}

impl TypedRecord for CustomerPayment {
    const RECORD_TYPE: &'static str = "customerPayment";

    fn from_record(record: &Record, zone: Tz) -> Result<CustomerPayment, Error> {
        check_type(record, Self::RECORD_TYPE)?;
        Ok(CustomerPayment {
            internal_id: record.internal_id.clone(),
            external_id: record.external_id.clone(),
            customer: owned_ref(record, "customer"),
            tran_id: owned_text(record, "tranId"),
            tran_date: record.date("tranDate", zone)?,
            payment: record.double("payment")?,
            currency: owned_ref(record, "currency"),
            subsidiary: owned_ref(record, "subsidiary"),
            payment_method: owned_ref(record, "paymentMethod"),
            memo: owned_text(record, "memo"),
            applied: record.double("applied")?,
            unapplied: record.double("unapplied")?,
            status: owned_text(record, "status"),
            last_modified: record.date_time("lastModifiedDate")?,
            apply_list: Lines::read(record, "applyList", true, zone)?,
            custom_fields: record.custom_fields.clone(),
        })
    }

    fn to_record(&self, zone: Tz) -> Record {
        let mut record = Record::new(Self::RECORD_TYPE);
        record.internal_id = self.internal_id.clone();
        record.external_id = self.external_id.clone();
        record.set_some("customer", ref_value(&self.customer));
        record.set_some("tranId", text_value(&self.tran_id));
        record.set_some("tranDate", date_value(self.tran_date, zone));
        record.set_some("payment", double_value(self.payment));
        record.set_some("currency", ref_value(&self.currency));
        record.set_some("subsidiary", ref_value(&self.subsidiary));
        record.set_some("paymentMethod", ref_value(&self.payment_method));
        record.set_some("memo", text_value(&self.memo));
        let apply = self.apply_list.as_ref().map(|lines| lines.to_value(zone));
        record.set_some("applyList", apply);
        record.custom_fields = self.custom_fields.clone();
        record
    }
}
