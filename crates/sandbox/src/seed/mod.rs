//! Seed data: the records a new sandbox starts with.
//!
//! The demo seed is shaped like a real first sync, with work for every flow template. Some
//! companies are already linked on both sides, and some exist on both sides under slightly
//! different spellings. Others exist on one side only, and one Account has a name too long for
//! a NetSuite customer, so NetSuite rejects it. Linked companies have contacts, invoices,
//! credit limits and opportunities; NetSuite has items with prices in USD and EUR, and
//! Salesforce has products for some of them. The data lives in `seed/demo-*.txt`, described in
//! `seed/README.md`. The large seed (`large:N`) fills NetSuite alone with N customers, items
//! and invoices, for benchmarks.

mod companies;
mod contacts;
mod data;
mod invoices;
mod items;
mod opportunities;
mod setup;
mod xml;

use chrono::{DateTime, Utc};

use crate::netsuite::{MAX_LARGE_SEED, NetSuiteEmulator, RecordError};
use crate::salesforce::{ApiError, SalesforceEmulator};

pub use setup::{LOCATION_NAMES, SUBSIDIARY_NAME, TERMS_NAME};

/// The internal ID of the demo customer whose credit hold is forced on (`creditHoldOverride`
/// `_on`), Tailspin Toys: NetSuite rejects every sales order for it.
pub const CREDIT_HOLD_CUSTOMER_ID: &str = "1204";

/// The internal ID of the demo customer whose balance is over 90% of its credit limit,
/// Fabrikam Robotics.
pub const NEAR_CREDIT_LIMIT_CUSTOMER_ID: &str = "1203";

/// The internal ID of the demo customer whose currency is EUR, Wingtip Outdoor Supply.
pub const EUR_CUSTOMER_ID: &str = "1205";

/// The names of the won Opportunities on linked Accounts that NetSuite accepts as sales
/// orders.
pub const WON_OPPORTUNITIES: [&str; 3] = [
    "Northwind Traders - Spring fleet",
    "Contoso Pharmaceuticals - Wellness bikes",
    "Wingtip Outdoor Supply - Rental fleet",
];

/// The name of the open (not won) Opportunity.
pub const OPEN_OPPORTUNITY: &str = "Adventure Works Cycles - Team kits";

/// The name of the won Opportunity on a Salesforce-only Account of Type Customer: its
/// customer must be created before the order.
pub const ONBOARDING_OPPORTUNITY: &str = "Blue Heron Outfitters - First order";

/// The name of the won Opportunity on the customer on credit hold.
pub const CREDIT_HOLD_OPPORTUNITY: &str = "Tailspin Toys - Holiday order";

/// The item name (`itemId`) of the active item that has no Salesforce Product2 yet.
pub const ITEM_WITHOUT_PRODUCT: &str = "LOCK-CHAIN";

/// The item name (`itemId`) of the inactive item.
pub const INACTIVE_ITEM: &str = "BIKE-CLASSIC";

/// The email of the contact that is already linked both ways.
pub const LINKED_CONTACT_EMAIL: &str = "andrew.fuller@northwind.example";

/// The currencies of the demo seed: ISO code and NetSuite currency internal ID (the IDs of US
/// Dollar and Euro in the emulator's currency list).
pub const CURRENCIES: [(&str, &str); 2] = [("USD", "1"), ("EUR", "4")];

/// The NetSuite price levels the demo items are priced at: internal ID, name and share of the
/// Base Price. The seed renames the new account's levels 2 and 3. Salesforce has a price book
/// of each name but the first, whose prices are the standard prices.
pub const PRICE_LEVELS: [(&str, &str, f64); 3] = [
    ("1", "Base Price", 1.0),
    ("2", "Wholesale", 0.9),
    ("3", "Partner", 0.85),
];

/// The set of records a sandbox starts with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Tens of companies in the states a first sync meets, with contacts, items, invoices and
    /// opportunities for every flow template.
    Demo,
    /// No records.
    Empty,
    /// N NetSuite customers, N inventory items and N invoices (every fourth one paid), and
    /// no Salesforce records. Written `large:N` on the command line.
    Large(usize),
}

impl std::str::FromStr for Seed {
    type Err = String;

    fn from_str(text: &str) -> Result<Seed, String> {
        if let Some(count) = text.strip_prefix("large:") {
            return match count.parse::<usize>() {
                Ok(count) if (1..=MAX_LARGE_SEED).contains(&count) => Ok(Seed::Large(count)),
                _ => Err(format!(
                    "invalid seed {text:?}; large:N needs N from 1 to {MAX_LARGE_SEED}"
                )),
            };
        }
        match text {
            "demo" => Ok(Seed::Demo),
            "empty" => Ok(Seed::Empty),
            other => Err(format!(
                "unknown seed {other:?}; expected demo, empty or large:N"
            )),
        }
    }
}

/// The reason a seed could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The Salesforce emulator rejected a seed record, named by `record`.
    #[error("the Salesforce emulator rejected the seed record {record:?}: {error}")]
    Salesforce { record: String, error: ApiError },
    /// The NetSuite emulator rejected a seed record, named by `record`.
    #[error("the NetSuite emulator rejected the seed record {record:?}: {error}")]
    NetSuite { record: String, error: RecordError },
    /// A seed data file is invalid or names a record that does not exist.
    #[error("invalid seed data: {0}")]
    Data(String),
}

impl SeedError {
    fn salesforce(record: &str) -> impl FnOnce(ApiError) -> SeedError + '_ {
        move |error| SeedError::Salesforce {
            record: record.to_string(),
            error,
        }
    }

    fn netsuite(record: &str) -> impl FnOnce(RecordError) -> SeedError + '_ {
        move |error| SeedError::NetSuite {
            record: record.to_string(),
            error,
        }
    }
}

/// Returns the NetSuite currency internal ID of an ISO code the seed uses.
fn netsuite_currency_id(iso: &str) -> Option<&'static str> {
    CURRENCIES
        .iter()
        .find(|(code, _)| *code == iso)
        .map(|(_, id)| *id)
}

/// Loads a seed into both emulators. `now` anchors the records' modification times, which lie
/// hours to weeks in the past.
pub fn load(
    seed: Seed,
    netsuite: &NetSuiteEmulator,
    salesforce: &SalesforceEmulator,
    now: DateTime<Utc>,
) -> Result<(), SeedError> {
    match seed {
        Seed::Empty => Ok(()),
        Seed::Demo => load_demo(netsuite, salesforce, now),
        Seed::Large(count) => netsuite
            .load_large_seed(count, now)
            .map(|_| ())
            .map_err(SeedError::netsuite("large seed")),
    }
}

/// Loads the demo seed: currencies and setup records first, then companies, items, contacts, invoices and
/// opportunities, each step using the Ids of the records before it.
fn load_demo(
    netsuite: &NetSuiteEmulator,
    salesforce: &SalesforceEmulator,
    now: DateTime<Utc>,
) -> Result<(), SeedError> {
    let others: Vec<&str> = CURRENCIES.iter().skip(1).map(|(iso, _)| *iso).collect();
    salesforce
        .enable_multi_currency(CURRENCIES[0].0, &others)
        .map_err(SeedError::salesforce("currencies"))?;
    let setup = setup::load(netsuite, now)?;
    let companies = companies::load(netsuite, salesforce, &setup, now)?;
    let items = items::load(netsuite, salesforce, &setup, now)?;
    contacts::load(netsuite, salesforce, &companies, now)?;
    invoices::load(netsuite, &companies, &items, now)?;
    opportunities::load(salesforce, &companies, &items, now)?;
    Ok(())
}

#[cfg(test)]
mod tests;
