//! The NetSuite setup records the demo customers and items refer to: a subsidiary, the
//! `Net 30` terms and two locations.

use chrono::{DateTime, TimeDelta, Utc};

use super::SeedError;
use super::xml::{NAMESPACES, text};
use crate::netsuite::NetSuiteEmulator;

/// The name of the demo subsidiary.
pub const SUBSIDIARY_NAME: &str = "Tandem Demo Inc.";

/// The name of the demo customers' terms.
pub const TERMS_NAME: &str = "Net 30";

/// The names of the two locations the inventory items keep stock at.
pub const LOCATION_NAMES: [&str; 2] = ["Seattle Warehouse", "Munich Warehouse"];

/// The internal IDs of the setup records.
#[derive(Debug, Clone)]
pub(super) struct Setup {
    pub subsidiary: String,
    pub terms: String,
    pub locations: [String; 2],
}

/// Adds the setup records, dated weeks before `now`.
pub(super) fn load(netsuite: &NetSuiteEmulator, now: DateTime<Utc>) -> Result<Setup, SeedError> {
    let at = now - TimeDelta::days(60);
    let add = |record_type: &str, fields: String, name: &str| {
        let xml = format!(r#"<record {NAMESPACES} xsi:type="{record_type}">{fields}</record>"#);
        netsuite
            .add_record(&xml, at)
            .map_err(SeedError::netsuite(name))
    };
    let subsidiary = add(
        "listAcct:Subsidiary",
        text("listAcct:name", SUBSIDIARY_NAME),
        SUBSIDIARY_NAME,
    )?;
    let terms_fields = [
        text("listAcct:name", TERMS_NAME),
        text("listAcct:daysUntilNetDue", "30"),
    ];
    let terms = add("listAcct:Term", terms_fields.concat(), TERMS_NAME)?;
    let mut locations = [String::new(), String::new()];
    for (id, name) in locations.iter_mut().zip(LOCATION_NAMES) {
        *id = add("listAcct:Location", text("listAcct:name", name), name)?;
    }
    Ok(Setup {
        subsidiary,
        terms,
        locations,
    })
}
