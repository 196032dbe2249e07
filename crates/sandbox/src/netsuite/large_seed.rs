//! The large seed: N customers, N inventory items and N invoices (every fourth one paid in
//! full), generated the same way every time, for benchmarks and tests at scale.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::seeding::RecordError;
use super::{Customer, NetSuiteEmulator};

/// The largest N the large seed accepts, so a typing mistake cannot exhaust memory.
pub const MAX_LARGE_SEED: usize = 100_000;

/// How many records a large seed added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LargeSeed {
    /// Customers added.
    pub customers: usize,
    /// Inventory items added.
    pub items: usize,
    /// Invoices added.
    pub invoices: usize,
    /// Customer payments added, each paying one invoice in full.
    pub payments: usize,
}

/// Words that make company names varied enough for matching benchmarks.
const FIRST_WORDS: [&str; 12] = [
    "Northwind",
    "Blue Heron",
    "Cedar",
    "Summit",
    "Harbor",
    "Ironwood",
    "Lakeside",
    "Pioneer",
    "Redstone",
    "Silverline",
    "Tidewater",
    "Granite",
];
const SECOND_WORDS: [&str; 8] = [
    "Trading",
    "Logistics",
    "Outfitters",
    "Foods",
    "Analytics",
    "Supply",
    "Builders",
    "Labs",
];

/// The namespaces the generated records declare.
const NAMESPACES: &str = concat!(
    r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
    r#"xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com" "#,
    r#"xmlns:listAcct="urn:accounting_2025_2.lists.webservices.netsuite.com" "#,
    r#"xmlns:tranSales="urn:sales_2025_2.transactions.webservices.netsuite.com" "#,
    r#"xmlns:tranCust="urn:customers_2025_2.transactions.webservices.netsuite.com""#
);

impl NetSuiteEmulator {
    /// Adds `count` customers, `count` inventory items and `count` invoices, one per customer
    /// for one item each, dated over the 30 days before `now`; every fourth invoice is paid
    /// in full by a customer payment. Numbering continues after the inventory items already
    /// stored, so a second call adds more records. Fails when `count` is above
    /// [`MAX_LARGE_SEED`].
    pub fn load_large_seed(
        &self,
        count: usize,
        now: DateTime<Utc>,
    ) -> Result<LargeSeed, RecordError> {
        if count > MAX_LARGE_SEED {
            return Err(RecordError::Invalid(format!(
                "the large seed takes at most {MAX_LARGE_SEED} records per type, not {count}"
            )));
        }
        let mut seed = LargeSeed {
            customers: 0,
            items: 0,
            invoices: 0,
            payments: 0,
        };
        let first = self.record_count("inventoryItem");
        for index in first..first + count {
            let at = now - TimeDelta::seconds(spread_seconds(index - first, count));
            let customer_id = self.insert_customer(large_customer(index, at));
            seed.customers += 1;
            let item_id = self.add_record(&item_xml(index), at)?;
            seed.items += 1;
            let invoice_id = self.add_record(&invoice_xml(index, &customer_id, &item_id), at)?;
            seed.invoices += 1;
            if index % 4 == 3 {
                self.add_record(&payment_xml(&customer_id, &invoice_id), at)?;
                seed.payments += 1;
            }
        }
        Ok(seed)
    }
}

/// Spreads record times over 30 days, the oldest first, in whole seconds as NetSuite keeps
/// them. Up to 100,000 records of a type stay 25 seconds or more apart, so a change feed's
/// watermark after one record never covers the records after it.
fn spread_seconds(index: usize, count: usize) -> i64 {
    let span = 30 * 24 * 60 * 60;
    let step = span / count.max(1) as i64;
    span - step * index as i64
}

fn company_name(index: usize) -> String {
    let first = FIRST_WORDS[index % FIRST_WORDS.len()];
    let second = SECOND_WORDS[(index / FIRST_WORDS.len()) % SECOND_WORDS.len()];
    format!("{first} {second} {:05}", index + 1)
}

fn large_customer(index: usize, at: DateTime<Utc>) -> Customer {
    let number = index + 1;
    Customer {
        internal_id: String::new(),
        external_id: None,
        entity_id: Some(format!("LARGE{number:06}")),
        company_name: Some(company_name(index)),
        email: Some(format!("billing{number}@large.example")),
        phone: Some(format!("555-{:04}", number % 10_000)),
        url: Some(format!("https://www.large{number}.example")),
        is_inactive: false,
        date_created: at - TimeDelta::days(30),
        last_modified: at,
        custom_fields: Vec::new(),
    }
}

fn item_xml(index: usize) -> String {
    let number = index + 1;
    let base = 10 + (index % 90) as u32;
    format!(
        r#"<record {NAMESPACES} xsi:type="listAcct:InventoryItem">
          <listAcct:displayName>Large item {number}</listAcct:displayName>
          <listAcct:itemId>ITEM-{number:06}</listAcct:itemId>
          <listAcct:pricingMatrix>{}{}{}</listAcct:pricingMatrix>
          <listAcct:locationsList>{}{}</listAcct:locationsList>
        </record>"#,
        pricing("1", "1", f64::from(base)),
        pricing("1", "2", f64::from(base) * 0.9),
        pricing("4", "1", f64::from(base) * 0.95),
        location("1", 20 + index % 50),
        location("2", index % 7),
    )
}

fn pricing(currency: &str, level: &str, value: f64) -> String {
    format!(
        r#"<listAcct:pricing><listAcct:currency internalId="{currency}"/>
          <listAcct:priceLevel internalId="{level}"/>
          <listAcct:priceList><listAcct:price><listAcct:value>{value:.2}</listAcct:value>
          <listAcct:quantity>0</listAcct:quantity></listAcct:price></listAcct:priceList>
        </listAcct:pricing>"#
    )
}

fn location(id: &str, on_hand: usize) -> String {
    format!(
        r#"<listAcct:locations><listAcct:locationId internalId="{id}"/>
          <listAcct:quantityOnHand>{on_hand}</listAcct:quantityOnHand></listAcct:locations>"#
    )
}

fn invoice_xml(index: usize, customer_id: &str, item_id: &str) -> String {
    let quantity = 1 + index % 5;
    format!(
        r#"<record {NAMESPACES} xsi:type="tranSales:Invoice">
          <tranSales:entity internalId="{customer_id}"/>
          <tranSales:itemList><tranSales:item><tranSales:item internalId="{item_id}"/>
          <tranSales:quantity>{quantity}</tranSales:quantity></tranSales:item></tranSales:itemList>
        </record>"#
    )
}

fn payment_xml(customer_id: &str, invoice_id: &str) -> String {
    format!(
        r#"<record {NAMESPACES} xsi:type="tranCust:CustomerPayment">
          <tranCust:customer internalId="{customer_id}"/>
          <tranCust:applyList><tranCust:apply><tranCust:apply>true</tranCust:apply>
          <tranCust:doc>{invoice_id}</tranCust:doc></tranCust:apply></tranCust:applyList>
        </record>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netsuite::NetSuiteCredentials;

    #[test]
    fn largest_seed_gives_each_record_its_own_second() {
        let count = MAX_LARGE_SEED;
        let first = spread_seconds(0, count);
        let second = spread_seconds(1, count);
        let last = spread_seconds(count - 1, count);
        assert!(first - second >= 1, "records share a second");
        assert!(last > 0, "the newest record is in the future");
        assert!(first <= 30 * 24 * 60 * 60);
    }

    #[test]
    fn load_large_seed_adds_each_type() {
        let emulator = NetSuiteEmulator::new(NetSuiteCredentials::generate());
        let seed = emulator.load_large_seed(8, Utc::now()).unwrap();
        assert_eq!(seed.customers, 8);
        assert_eq!(seed.items, 8);
        assert_eq!(seed.invoices, 8);
        assert_eq!(seed.payments, 2);
        assert_eq!(emulator.customers().len(), 8);
        assert_eq!(emulator.record_count("invoice"), 8);
        assert_eq!(emulator.record_count("customerPayment"), 2);
    }

    #[test]
    fn load_large_seed_pays_every_fourth_invoice() {
        let emulator = NetSuiteEmulator::new(NetSuiteCredentials::generate());
        emulator.load_large_seed(4, Utc::now()).unwrap();
        let state = emulator.lock();
        let statuses: Vec<&str> = state
            .records
            .of_kind(crate::netsuite::records::RecordKind::Invoice)
            .map(|invoice| invoice.text("status").unwrap_or_default())
            .collect();
        assert_eq!(statuses, vec!["Open", "Open", "Open", "Paid In Full"]);
    }

    #[test]
    fn load_large_seed_twice_adds_more() {
        let emulator = NetSuiteEmulator::new(NetSuiteCredentials::generate());
        emulator.load_large_seed(3, Utc::now()).unwrap();
        emulator.load_large_seed(3, Utc::now()).unwrap();
        assert_eq!(emulator.record_count("inventoryItem"), 6);
    }

    #[test]
    fn load_large_seed_rejects_huge_counts() {
        let emulator = NetSuiteEmulator::new(NetSuiteCredentials::generate());
        assert!(
            emulator
                .load_large_seed(MAX_LARGE_SEED + 1, Utc::now())
                .is_err()
        );
    }

    #[test]
    fn company_names_are_unique() {
        let names: std::collections::BTreeSet<String> = (0..500).map(company_name).collect();
        assert_eq!(names.len(), 500);
    }
}
