//! The demo invoices: NetSuite invoices for linked customers, paid in full, part paid or
//! open, some past due, one in EUR. NetSuite's own rules compute their totals, amounts
//! remaining and statuses, and the customers' balances.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::SeedError;
use super::companies::Companies;
use super::data::{ItemLine, item_lines, number, rows};
use super::items::ItemIds;
use super::xml::{NAMESPACES, date_time, record_ref, text};
use crate::netsuite::NetSuiteEmulator;

const DEMO_INVOICES: &str = include_str!("../../seed/demo-invoices.txt");

/// The payment applied to a demo invoice.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Payment {
    None,
    /// A customer payment applies the whole amount due.
    Full,
    /// A customer payment applies this amount.
    Part(f64),
}

/// One demo invoice.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Invoice {
    /// The customer's NetSuite company name.
    pub customer: String,
    pub days_ago: i64,
    pub due_after_days: i64,
    pub lines: Vec<ItemLine>,
    pub payment: Payment,
    /// Days since the payment, 0 when there is none.
    pub paid_days_ago: i64,
}

/// Parses the demo invoice list.
pub(super) fn demo_invoices() -> Result<Vec<Invoice>, String> {
    rows::<6>(DEMO_INVOICES)?
        .into_iter()
        .map(parse_invoice)
        .collect()
}

fn parse_invoice(fields: [&str; 6]) -> Result<Invoice, String> {
    let [customer, days_ago, due_after, lines, payment, paid_days_ago] = fields;
    let payment = match payment {
        "none" => Payment::None,
        "full" => Payment::Full,
        amount => Payment::Part(number(amount, "payment")?),
    };
    let paid_days_ago = match payment {
        Payment::None => 0,
        _ => number(paid_days_ago, "payment day count")?,
    };
    Ok(Invoice {
        customer: customer.to_string(),
        days_ago: number(days_ago, "day count")?,
        due_after_days: number(due_after, "due day count")?,
        lines: item_lines(lines)?,
        payment,
        paid_days_ago,
    })
}

/// Adds the demo invoices and the payments applied to them.
pub(super) fn load(
    netsuite: &NetSuiteEmulator,
    companies: &Companies,
    items: &BTreeMap<String, ItemIds>,
    now: DateTime<Utc>,
) -> Result<(), SeedError> {
    for invoice in demo_invoices().map_err(SeedError::Data)? {
        let customer = companies.customers.get(&invoice.customer).ok_or_else(|| {
            SeedError::Data(format!("no NetSuite customer {:?}", invoice.customer))
        })?;
        let at = now - TimeDelta::days(invoice.days_ago);
        let xml = invoice_xml(&invoice, customer, items, at)?;
        let record = format!("invoice for {}", invoice.customer);
        let invoice_id = netsuite
            .add_record(&xml, at)
            .map_err(SeedError::netsuite(&record))?;
        let amount = match invoice.payment {
            Payment::None => continue,
            Payment::Full => None,
            Payment::Part(amount) => Some(amount),
        };
        let paid_at = now - TimeDelta::days(invoice.paid_days_ago);
        netsuite
            .add_record(&payment_xml(customer, &invoice_id, amount), paid_at)
            .map_err(SeedError::netsuite(&record))?;
    }
    Ok(())
}

fn invoice_xml(
    invoice: &Invoice,
    customer: &str,
    items: &BTreeMap<String, ItemIds>,
    at: DateTime<Utc>,
) -> Result<String, SeedError> {
    let mut lines = String::new();
    for line in &invoice.lines {
        let item = items
            .get(&line.item)
            .ok_or_else(|| SeedError::Data(format!("no demo item {:?}", line.item)))?;
        lines.push_str(&format!(
            "<tranSales:item>{}{}</tranSales:item>",
            record_ref("tranSales:item", &item.internal_id),
            text("tranSales:quantity", &line.quantity.to_string()),
        ));
    }
    let due = at + TimeDelta::days(invoice.due_after_days);
    Ok(format!(
        r#"<record {NAMESPACES} xsi:type="tranSales:Invoice">{}{}{}<tranSales:itemList>{lines}</tranSales:itemList></record>"#,
        record_ref("tranSales:entity", customer),
        text("tranSales:tranDate", &date_time(at)),
        text("tranSales:dueDate", &date_time(due)),
    ))
}

/// Returns a customer payment applied to one invoice: `amount`, or all that is due.
fn payment_xml(customer: &str, invoice_id: &str, amount: Option<f64>) -> String {
    let amount = amount.map_or(String::new(), |amount| {
        text("tranCust:amount", &format!("{amount:.2}"))
    });
    format!(
        r#"<record {NAMESPACES} xsi:type="tranCust:CustomerPayment">{}<tranCust:applyList><tranCust:apply>{}{}{amount}</tranCust:apply></tranCust:applyList></record>"#,
        record_ref("tranCust:customer", customer),
        text("tranCust:apply", "true"),
        text("tranCust:doc", invoice_id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_invoices_cover_each_payment_state() {
        let invoices = demo_invoices().unwrap();
        assert!(invoices.iter().any(|i| i.payment == Payment::Full));
        assert!(
            invoices
                .iter()
                .any(|i| matches!(i.payment, Payment::Part(_)))
        );
        assert!(invoices.iter().any(|i| i.payment == Payment::None));
    }

    #[test]
    fn demo_invoices_include_one_past_due() {
        let past_due = demo_invoices()
            .unwrap()
            .into_iter()
            .filter(|i| i.payment != Payment::Full && i.due_after_days < i.days_ago)
            .count();
        assert!(past_due >= 1);
    }

    #[test]
    fn payments_come_after_their_invoice() {
        for invoice in demo_invoices().unwrap() {
            if invoice.payment != Payment::None {
                assert!(invoice.paid_days_ago < invoice.days_ago, "{invoice:?}");
            }
        }
    }

    #[test]
    fn invalid_payment_is_rejected() {
        let fields = ["A", "1", "30", "X*1", "half", "1"];
        assert!(parse_invoice(fields).is_err());
    }

    #[test]
    fn payment_xml_sends_amount_only_for_part_payments() {
        assert!(!payment_xml("1", "2", None).contains("tranCust:amount"));
        let part = payment_xml("1", "2", Some(12.5));
        assert!(part.contains("<tranCust:amount>12.50</tranCust:amount>"));
    }
}
