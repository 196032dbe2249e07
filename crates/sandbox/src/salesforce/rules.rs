//! Rules a real org applies on save beyond field validation: derived fields (a Contact's
//! `Name`, an Opportunity's `IsWon`, `IsClosed` and `Probability`), price book rules
//! (a standard price before a custom one, one entry per price book and product, both per
//! currency in a multi-currency org), and Opportunity products that take their price book
//! entry's product, price book and list price, must share the Opportunity's currency, and
//! roll their totals up into the Opportunity's `Amount`.
//!
//! NOTE: the texts of the `FIELD_INTEGRITY_EXCEPTION` and `STANDARD_PRICE_NOT_DEFINED`
//! messages follow Salesforce's documented codes; they are not taken from recorded responses.

use serde_json::{Value, json};

use crate::salesforce::errors::ApiError;
use crate::salesforce::record::{Values, record_id};
use crate::salesforce::schema::CURRENCY_FIELD;
use crate::salesforce::schema::standard::OPPORTUNITY_STAGES;
use crate::salesforce::state::{Lookup, Org};
use crate::salesforce::values::render_datetime;
use crate::salesforce::write::WriteStamp;

fn text<'v>(values: &'v Values, name: &str) -> Option<&'v str> {
    values.get(name).and_then(Value::as_str)
}

fn number(values: &Values, name: &str) -> Option<f64> {
    values.get(name).and_then(Value::as_f64)
}

fn integrity(message: &str) -> ApiError {
    ApiError::bad_request(
        "FIELD_INTEGRITY_EXCEPTION",
        format!("field integrity exception: {message}"),
    )
}

impl Org {
    /// Applies the save rules of `object` to the record about to be stored. `given` names
    /// the fields the request set; `creating` is true for a create and false for an update.
    pub(crate) fn apply_rules(
        &self,
        object: &str,
        values: &mut Values,
        given: &[String],
        creating: bool,
    ) -> Result<(), ApiError> {
        self.standard_rules(object, values, given, creating)?;
        let rules = &self.controls.validation_rules;
        match rules.iter().find_map(|rule| rule.check(object, values)) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    fn standard_rules(
        &self,
        object: &str,
        values: &mut Values,
        given: &[String],
        creating: bool,
    ) -> Result<(), ApiError> {
        match object {
            "Contact" => {
                let name = [text(values, "FirstName"), text(values, "LastName")]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                values.insert("Name".into(), json!(name));
                Ok(())
            }
            "Opportunity" => {
                opportunity_stage(values, given, creating);
                Ok(())
            }
            "PricebookEntry" if creating => self.pricebook_entry(values),
            "OpportunityLineItem" => self.line_item(values, given, creating),
            _ => Ok(()),
        }
    }

    fn live(&self, object: &str, id: Option<&str>) -> Option<&Values> {
        match self.lookup(object, id?) {
            Lookup::Live(values) => Some(values),
            _ => None,
        }
    }

    fn pricebook_entry(&self, values: &mut Values) -> Result<(), ApiError> {
        let pricebook = self
            .live("Pricebook2", text(values, "Pricebook2Id"))
            .cloned();
        let product = self.live("Product2", text(values, "Product2Id")).cloned();
        let (Some(pricebook), Some(product)) = (pricebook, product) else {
            return Ok(());
        };
        let product_id = record_id(&product).to_string();
        let pricebook_id = record_id(&pricebook).to_string();
        // A multi-currency org keeps one entry and one standard price per currency; in a
        // single-currency org both sides have no currency and always match.
        let currency = text(values, CURRENCY_FIELD);
        let entries: Vec<&Values> = self
            .children("PricebookEntry", "Product2Id", &product_id)
            .filter(|entry| text(entry, CURRENCY_FIELD) == currency)
            .collect();
        if entries
            .iter()
            .any(|entry| text(entry, "Pricebook2Id") == Some(pricebook_id.as_str()))
        {
            return Err(ApiError::bad_request(
                "DUPLICATE_VALUE",
                "This price definition already exists in this price book",
            ));
        }
        if pricebook.get("IsStandard") != Some(&Value::Bool(true)) {
            let standard = entries.iter().find(|entry| {
                self.live("Pricebook2", text(entry, "Pricebook2Id"))
                    .is_some_and(|book| book.get("IsStandard") == Some(&Value::Bool(true)))
            });
            let Some(standard) = standard else {
                return Err(ApiError::bad_request(
                    "STANDARD_PRICE_NOT_DEFINED",
                    "No standard price defined for this product",
                ));
            };
            if values.get("UseStandardPrice") == Some(&Value::Bool(true)) {
                let price = standard.get("UnitPrice").cloned().unwrap_or(Value::Null);
                values.insert("UnitPrice".into(), price);
            }
        }
        for (target, source) in [("Name", "Name"), ("ProductCode", "ProductCode")] {
            let value = product.get(source).cloned().unwrap_or(Value::Null);
            values.insert(target.into(), value);
        }
        Ok(())
    }

    fn line_item(
        &self,
        values: &mut Values,
        given: &[String],
        creating: bool,
    ) -> Result<(), ApiError> {
        if creating {
            self.link_line_item(values)?;
        }
        let set = |name: &str| given.iter().any(|field| field == name);
        let quantity = number(values, "Quantity").unwrap_or(0.0);
        let factor = 1.0 - number(values, "Discount").unwrap_or(0.0) / 100.0;
        if set("UnitPrice") && set("TotalPrice") {
            return Err(integrity(
                "TotalPrice (only one of unit price or total price may be specified)",
            ));
        }
        if set("TotalPrice") {
            let total = number(values, "TotalPrice").unwrap_or(0.0);
            let divisor = quantity * factor;
            let unit = if divisor == 0.0 { 0.0 } else { total / divisor };
            values.insert("UnitPrice".into(), json!(unit));
        } else if creating && !set("UnitPrice") {
            return Err(integrity(
                "unknown (must specify either UnitPrice or TotalPrice)",
            ));
        }
        let unit = number(values, "UnitPrice").unwrap_or(0.0);
        values.insert("TotalPrice".into(), json!(quantity * unit * factor));
        Ok(())
    }

    fn link_line_item(&self, values: &mut Values) -> Result<(), ApiError> {
        let entry = self
            .live("PricebookEntry", text(values, "PricebookEntryId"))
            .cloned()
            .ok_or_else(|| integrity("PricebookEntryId (pricebook entry does not exist)"))?;
        if entry.get("IsActive") != Some(&Value::Bool(true)) {
            return Err(integrity("PricebookEntryId (pricebook entry is inactive)"));
        }
        let opportunity = self
            .live("Opportunity", text(values, "OpportunityId"))
            .cloned()
            .unwrap_or_default();
        let book = text(&opportunity, "Pricebook2Id");
        if book.is_some() && book != text(&entry, "Pricebook2Id") {
            return Err(integrity(
                "PricebookEntryId (pricebook entry is in a different pricebook than the one \
                 assigned to the opportunity)",
            ));
        }
        if values.contains_key(CURRENCY_FIELD) {
            let currency = text(&opportunity, CURRENCY_FIELD);
            if currency != text(&entry, CURRENCY_FIELD) {
                return Err(integrity(
                    "PricebookEntryId (pricebook entry currency code does not match \
                     opportunity currency code)",
                ));
            }
            let code = currency.map_or(Value::Null, |code| json!(code));
            values.insert(CURRENCY_FIELD.into(), code);
        }
        for (target, source) in [
            ("Product2Id", "Product2Id"),
            ("ListPrice", "UnitPrice"),
            ("Name", "Name"),
        ] {
            let value = entry.get(source).cloned().unwrap_or(Value::Null);
            values.insert(target.into(), value);
        }
        Ok(())
    }

    /// Updates records that depend on a written record: an Opportunity takes the price book
    /// of its first product and the sum of its products' totals as `Amount`. The
    /// Opportunity's `SystemModstamp` moves, as a system change does, but not its
    /// `LastModifiedDate`.
    pub(crate) fn after_write(&mut self, object: &str, values: &Values, stamp: &WriteStamp) {
        if object != "OpportunityLineItem" {
            return;
        }
        let Some(opportunity_id) = text(values, "OpportunityId").map(str::to_string) else {
            return;
        };
        let lines: Vec<&Values> = self
            .children("OpportunityLineItem", "OpportunityId", &opportunity_id)
            .collect();
        let amount: f64 = lines
            .iter()
            .filter_map(|line| number(line, "TotalPrice"))
            .sum();
        let book = lines
            .iter()
            .find_map(|line| self.live("PricebookEntry", text(line, "PricebookEntryId")))
            .and_then(|entry| entry.get("Pricebook2Id").cloned());
        let Some(mut opportunity) = self.live("Opportunity", Some(&opportunity_id)).cloned() else {
            return;
        };
        opportunity.insert("Amount".into(), json!(amount));
        if let Some(book) = book.filter(|_| opportunity.get("Pricebook2Id") == Some(&Value::Null)) {
            opportunity.insert("Pricebook2Id".into(), book);
        }
        opportunity.insert("SystemModstamp".into(), json!(render_datetime(stamp.at)));
        self.put("Opportunity", opportunity_id, opportunity);
    }
}

/// Derives `IsWon`, `IsClosed` and, unless the request set it, `Probability` from the stage.
fn opportunity_stage(values: &mut Values, given: &[String], creating: bool) {
    let stage = text(values, "StageName").unwrap_or_default().to_string();
    values.insert("IsWon".into(), json!(stage == "Closed Won"));
    values.insert("IsClosed".into(), json!(stage.starts_with("Closed")));
    let stage_changed = creating || given.iter().any(|field| field == "StageName");
    let probability_given = given.iter().any(|field| field == "Probability");
    if stage_changed && !probability_given {
        let default = OPPORTUNITY_STAGES
            .iter()
            .find(|(name, _)| *name == stage)
            .map(|(_, probability)| *probability);
        if let Some(default) = default {
            values.insert("Probability".into(), json!(default));
        }
    }
}
