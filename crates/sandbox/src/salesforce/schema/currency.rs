//! Multi-currency: the org setting that adds `CurrencyIsoCode` to the objects, as enabling
//! multiple currencies in Salesforce does.
//!
//! The field is a restricted picklist of the active currencies, three characters long, and
//! new records get the corporate currency unless they name another. It is writable on the
//! objects a user edits, create-only on a price book entry, and read-only on an Opportunity
//! product (which takes its Opportunity's currency) and on a user.

use serde_json::Value;

use super::{Access, FieldDef, FieldType, ObjectDef};

/// API name of the currency field.
pub(crate) const CURRENCY_FIELD: &str = "CurrencyIsoCode";

/// Standard objects that get the currency field, with its write access on each.
const CURRENCY_OBJECTS: &[(&str, Access)] = &[
    ("Account", Access::Defaulted),
    ("Contact", Access::Defaulted),
    ("Opportunity", Access::Defaulted),
    ("OpportunityLineItem", Access::System),
    ("Pricebook2", Access::Defaulted),
    ("PricebookEntry", Access::CreateOnly),
    ("Product2", Access::Defaulted),
    ("Task", Access::Defaulted),
    ("User", Access::System),
];

/// The currencies of a multi-currency org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currencies {
    /// ISO 4217 code of the corporate currency, the default of new records.
    pub corporate: String,
    /// ISO 4217 codes a record may use, the corporate currency first.
    pub active: Vec<String>,
}

impl Currencies {
    /// Creates the setting from the corporate currency and the other active ones, or returns
    /// the first code that is not three uppercase ASCII letters.
    pub fn new(corporate: &str, others: &[&str]) -> Result<Currencies, String> {
        let mut active = vec![corporate.to_string()];
        for code in others {
            if !active.iter().any(|known| known == code) {
                active.push((*code).to_string());
            }
        }
        if let Some(invalid) = active.iter().find(|code| !is_iso_code(code)) {
            return Err(invalid.clone());
        }
        Ok(Currencies {
            corporate: corporate.to_string(),
            active,
        })
    }
}

fn is_iso_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|byte| byte.is_ascii_uppercase())
}

/// Adds the currency field to the objects that carry one (custom objects included), or
/// updates its values and default where it exists.
pub(crate) fn apply_currencies(objects: &mut [ObjectDef], currencies: &Currencies) {
    for object in objects.iter_mut() {
        let access = CURRENCY_OBJECTS
            .iter()
            .find(|(name, _)| *name == object.name)
            .map(|(_, access)| *access)
            .or_else(|| object.custom().then_some(Access::Defaulted));
        let Some(access) = access else {
            continue;
        };
        let field = currency_field(access, currencies);
        match object
            .fields
            .iter_mut()
            .find(|existing| existing.name == CURRENCY_FIELD)
        {
            Some(existing) => *existing = field,
            None => insert_before_audit_fields(object, field),
        }
    }
}

fn currency_field(access: Access, currencies: &Currencies) -> FieldDef {
    let codes: Vec<&str> = currencies.active.iter().map(String::as_str).collect();
    let mut field = FieldDef::new(
        CURRENCY_FIELD,
        "Currency ISO Code",
        FieldType::Picklist,
        3,
        access,
    )
    .picklist(&codes, true);
    if access != Access::System {
        field = field.default(Value::String(currencies.corporate.clone()));
    }
    field
}

/// Puts the field after the object's own fields, where a describe lists it.
fn insert_before_audit_fields(object: &mut ObjectDef, field: FieldDef) {
    let position = object
        .fields
        .iter()
        .position(|existing| existing.name == "CreatedDate")
        .unwrap_or(object.fields.len());
    object.fields.insert(position, field);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::schema::standard_objects;

    fn currencies() -> Currencies {
        Currencies::new("USD", &["EUR", "USD", "GBP"]).unwrap()
    }

    #[test]
    fn new_puts_corporate_first_once() {
        assert_eq!(currencies().active, ["USD", "EUR", "GBP"]);
    }

    #[test]
    fn new_rejects_lowercase_code() {
        assert_eq!(Currencies::new("usd", &[]).unwrap_err(), "usd");
    }

    #[test]
    fn apply_currencies_sets_access_per_object() {
        let mut objects = standard_objects();
        apply_currencies(&mut objects, &currencies());
        let access_of = |name: &str| {
            let object = objects.iter().find(|object| object.name == name).unwrap();
            object.field(CURRENCY_FIELD).unwrap().access
        };
        assert_eq!(access_of("Account"), Access::Defaulted);
        assert_eq!(access_of("PricebookEntry"), Access::CreateOnly);
        assert_eq!(access_of("OpportunityLineItem"), Access::System);
    }

    #[test]
    fn apply_currencies_updates_existing_field() {
        let mut objects = standard_objects();
        apply_currencies(&mut objects, &currencies());
        let euro = Currencies::new("EUR", &[]).unwrap();
        apply_currencies(&mut objects, &euro);
        let field = objects[0].field(CURRENCY_FIELD).unwrap();
        assert_eq!(field.picklist_values, ["EUR"]);
        assert_eq!(field.default_value, Some(Value::from("EUR")));
        let count = objects[0]
            .fields
            .iter()
            .filter(|field| field.name == CURRENCY_FIELD)
            .count();
        assert_eq!(count, 1);
    }
}
