//! The demo opportunities: won and open Salesforce Opportunities with products, on linked
//! Accounts, on a Salesforce-only customer and on the customer on credit hold.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Map, Value};

use super::SeedError;
use super::companies::Companies;
use super::data::{ItemLine, item_lines, number, rows};
use super::items::{ItemIds, standard_pricebook};
use crate::salesforce::SalesforceEmulator;

const DEMO_OPPORTUNITIES: &str = include_str!("../../seed/demo-opportunities.txt");

/// One demo opportunity.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Opportunity {
    pub account: String,
    pub name: String,
    pub stage: String,
    /// ISO 4217 code.
    pub currency: String,
    /// Days from the close date to now, negative for a close date still ahead.
    pub closed_days_ago: i64,
    pub lines: Vec<ItemLine>,
}

/// Parses the demo opportunity list.
pub(super) fn demo_opportunities() -> Result<Vec<Opportunity>, String> {
    rows::<6>(DEMO_OPPORTUNITIES)?
        .into_iter()
        .map(|[account, name, stage, currency, days, lines]| {
            Ok(Opportunity {
                account: account.to_string(),
                name: name.to_string(),
                stage: stage.to_string(),
                currency: currency.to_string(),
                closed_days_ago: number(days, "day count")?,
                lines: item_lines(lines)?,
            })
        })
        .collect()
}

/// Adds the demo opportunities and their products, each priced at the standard price of
/// its currency.
pub(super) fn load(
    salesforce: &SalesforceEmulator,
    companies: &Companies,
    items: &BTreeMap<String, ItemIds>,
    now: DateTime<Utc>,
) -> Result<(), SeedError> {
    let standard = standard_pricebook(salesforce)?;
    for (index, opportunity) in demo_opportunities()
        .map_err(SeedError::Data)?
        .iter()
        .enumerate()
    {
        let account = companies
            .accounts
            .get(&opportunity.account)
            .ok_or_else(|| SeedError::Data(format!("no Account {:?}", opportunity.account)))?;
        let at = now - TimeDelta::hours(30 - 4 * index as i64);
        let close = (now - TimeDelta::days(opportunity.closed_days_ago)).date_naive();
        let mut fields = Map::new();
        for (name, value) in [
            ("Name", opportunity.name.as_str()),
            ("AccountId", account),
            ("StageName", &opportunity.stage),
            ("CurrencyIsoCode", &opportunity.currency),
            ("Pricebook2Id", &standard),
        ] {
            fields.insert(name.into(), Value::from(value));
        }
        fields.insert("CloseDate".into(), Value::from(close.to_string()));
        let opportunity_id = salesforce
            .insert_record("Opportunity", fields, at)
            .map_err(SeedError::salesforce(&opportunity.name))?;
        for line in &opportunity.lines {
            let (entry, price) = items
                .get(&line.item)
                .and_then(|item| item.entries.get(&opportunity.currency))
                .ok_or_else(|| {
                    SeedError::Data(format!(
                        "item {:?} has no Salesforce price in {}",
                        line.item, opportunity.currency
                    ))
                })?;
            let mut fields = Map::new();
            fields.insert("OpportunityId".into(), Value::from(opportunity_id.as_str()));
            fields.insert("PricebookEntryId".into(), Value::from(entry.as_str()));
            fields.insert("Quantity".into(), Value::from(line.quantity));
            fields.insert("UnitPrice".into(), Value::from(*price));
            salesforce
                .insert_record("OpportunityLineItem", fields, at)
                .map_err(SeedError::salesforce(&opportunity.name))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_opportunities_include_won_and_open() {
        let opportunities = demo_opportunities().unwrap();
        let won = opportunities.iter().filter(|o| o.stage == "Closed Won");
        assert!(won.count() >= 2);
        assert!(opportunities.iter().any(|o| !o.stage.starts_with("Closed")));
    }

    #[test]
    fn demo_opportunities_have_one_to_three_lines() {
        for opportunity in demo_opportunities().unwrap() {
            let count = opportunity.lines.len();
            assert!((1..=3).contains(&count), "{}: {count}", opportunity.name);
        }
    }
}
