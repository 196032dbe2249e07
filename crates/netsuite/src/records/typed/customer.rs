//! Customers and contacts (`listRel`).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::error::Error;
use crate::records::access::{bool_value, double_value, ref_value, text_value};
use crate::records::{BodyValue, Complex, CustomField, FieldAccess, Record, RecordRef};

use super::{Address, Lines, SublistLine, TypedRecord, check_type, owned_ref, owned_text};

/// Whether a customer's credit hold follows its limit (`creditHoldOverride`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditHoldOverride {
    /// NetSuite puts orders on hold when the balance passes the credit limit.
    Auto,
    /// The customer is on hold whatever the balance.
    On,
    /// The customer is never on hold.
    Off,
}

impl CreditHoldOverride {
    /// Returns the enumeration value (`_auto`).
    pub fn as_str(self) -> &'static str {
        match self {
            CreditHoldOverride::Auto => "_auto",
            CreditHoldOverride::On => "_on",
            CreditHoldOverride::Off => "_off",
        }
    }

    /// Reads the enumeration value.
    pub fn parse(text: &str) -> Option<CreditHoldOverride> {
        match text.trim() {
            "_auto" => Some(CreditHoldOverride::Auto),
            "_on" => Some(CreditHoldOverride::On),
            "_off" => Some(CreditHoldOverride::Off),
            _ => None,
        }
    }
}

/// One address of a customer's or contact's address book.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AddressbookEntry {
    /// The entry's ID, the key that merges an update into the existing entry.
    pub internal_id: Option<String>,
    pub label: Option<String>,
    pub default_billing: Option<bool>,
    pub default_shipping: Option<bool>,
    /// Customers only.
    pub is_residential: Option<bool>,
    pub address: Option<Address>,
}

impl SublistLine for AddressbookEntry {
    fn from_line(line: &Complex, _zone: Tz) -> Result<AddressbookEntry, Error> {
        let address = line
            .complex("addressbookAddress")
            .map(Address::from_complex);
        Ok(AddressbookEntry {
            internal_id: owned_text(line, "internalId"),
            label: owned_text(line, "label"),
            default_billing: line.boolean("defaultBilling")?,
            default_shipping: line.boolean("defaultShipping")?,
            is_residential: line.boolean("isResidential")?,
            address: address.transpose()?,
        })
    }

    fn to_line(&self, _zone: Tz) -> Complex {
        let mut line = Complex::new();
        line.set_some("defaultShipping", bool_value(self.default_shipping));
        line.set_some("defaultBilling", bool_value(self.default_billing));
        line.set_some("isResidential", bool_value(self.is_residential));
        line.set_some("label", text_value(&self.label));
        if let Some(address) = &self.address {
            line.set(
                "addressbookAddress",
                BodyValue::Complex(address.to_complex()),
            );
        }
        line.set_some("internalId", text_value(&self.internal_id));
        line
    }
}

/// A customer (`listRel:Customer`) with its credit fields and address book.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Customer {
    pub internal_id: Option<String>,
    pub external_id: Option<String>,
    pub entity_id: Option<String>,
    pub company_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub url: Option<String>,
    pub is_inactive: Option<bool>,
    pub subsidiary: Option<RecordRef>,
    pub terms: Option<RecordRef>,
    pub currency: Option<RecordRef>,
    pub price_level: Option<RecordRef>,
    pub credit_limit: Option<f64>,
    pub credit_hold_override: Option<CreditHoldOverride>,
    /// Open balance, read-only.
    pub balance: Option<f64>,
    /// Balance past its due date, read-only.
    pub overdue_balance: Option<f64>,
    /// Read-only.
    pub last_modified: Option<DateTime<Utc>>,
    /// `None` when the record did not carry the address book (body fields only).
    pub addressbook: Option<Lines<AddressbookEntry>>,
    pub custom_fields: Vec<CustomField>,
}

impl TypedRecord for Customer {
    const RECORD_TYPE: &'static str = "customer";

    fn from_record(record: &Record, zone: Tz) -> Result<Customer, Error> {
        check_type(record, Self::RECORD_TYPE)?;
        let hold = owned_text(record, "creditHoldOverride");
        let credit_hold_override = match hold {
            Some(text) => Some(CreditHoldOverride::parse(&text).ok_or_else(|| {
                Error::InvalidResponse(format!("unknown creditHoldOverride {text:?}"))
            })?),
            None => None,
        };
        Ok(Customer {
            internal_id: record.internal_id.clone(),
            external_id: record.external_id.clone(),
            entity_id: owned_text(record, "entityId"),
            company_name: owned_text(record, "companyName"),
            email: owned_text(record, "email"),
            phone: owned_text(record, "phone"),
            url: owned_text(record, "url"),
            is_inactive: record.boolean("isInactive")?,
            subsidiary: owned_ref(record, "subsidiary"),
            terms: owned_ref(record, "terms"),
            currency: owned_ref(record, "currency"),
            price_level: owned_ref(record, "priceLevel"),
            credit_limit: record.double("creditLimit")?,
            credit_hold_override,
            balance: record.double("balance")?,
            overdue_balance: record.double("overdueBalance")?,
            last_modified: record.date_time("lastModifiedDate")?,
            addressbook: Lines::read(record, "addressbookList", true, zone)?,
            custom_fields: record.custom_fields.clone(),
        })
    }

    fn to_record(&self, zone: Tz) -> Record {
        let mut record = Record::new(Self::RECORD_TYPE);
        record.internal_id = self.internal_id.clone();
        record.external_id = self.external_id.clone();
        record.set_some("entityId", text_value(&self.entity_id));
        record.set_some("companyName", text_value(&self.company_name));
        record.set_some("email", text_value(&self.email));
        record.set_some("phone", text_value(&self.phone));
        record.set_some("url", text_value(&self.url));
        record.set_some("isInactive", bool_value(self.is_inactive));
        record.set_some("subsidiary", ref_value(&self.subsidiary));
        record.set_some("terms", ref_value(&self.terms));
        record.set_some("currency", ref_value(&self.currency));
        record.set_some("priceLevel", ref_value(&self.price_level));
        record.set_some("creditLimit", double_value(self.credit_limit));
        let hold = self
            .credit_hold_override
            .map(|hold| BodyValue::Text(hold.as_str().to_string()));
        record.set_some("creditHoldOverride", hold);
        let addressbook = self.addressbook.as_ref().map(|lines| lines.to_value(zone));
        record.set_some("addressbookList", addressbook);
        record.custom_fields = self.custom_fields.clone();
        record
    }
}

/// A contact (`listRel:Contact`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contact {
    pub internal_id: Option<String>,
    pub external_id: Option<String>,
    pub entity_id: Option<String>,
    /// The customer or other company the contact belongs to.
    pub company: Option<RecordRef>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub is_inactive: Option<bool>,
    pub subsidiary: Option<RecordRef>,
    /// Read-only.
    pub last_modified: Option<DateTime<Utc>>,
    pub addressbook: Option<Lines<AddressbookEntry>>,
    pub custom_fields: Vec<CustomField>,
}

impl TypedRecord for Contact {
    const RECORD_TYPE: &'static str = "contact";

    fn from_record(record: &Record, zone: Tz) -> Result<Contact, Error> {
        check_type(record, Self::RECORD_TYPE)?;
        Ok(Contact {
            internal_id: record.internal_id.clone(),
            external_id: record.external_id.clone(),
            entity_id: owned_text(record, "entityId"),
            company: owned_ref(record, "company"),
            first_name: owned_text(record, "firstName"),
            last_name: owned_text(record, "lastName"),
            title: owned_text(record, "title"),
            email: owned_text(record, "email"),
            phone: owned_text(record, "phone"),
            is_inactive: record.boolean("isInactive")?,
            subsidiary: owned_ref(record, "subsidiary"),
            last_modified: record.date_time("lastModifiedDate")?,
            addressbook: Lines::read(record, "addressbookList", true, zone)?,
            custom_fields: record.custom_fields.clone(),
        })
    }

    fn to_record(&self, zone: Tz) -> Record {
        let mut record = Record::new(Self::RECORD_TYPE);
        record.internal_id = self.internal_id.clone();
        record.external_id = self.external_id.clone();
        record.set_some("entityId", text_value(&self.entity_id));
        record.set_some("company", ref_value(&self.company));
        record.set_some("firstName", text_value(&self.first_name));
        record.set_some("lastName", text_value(&self.last_name));
        record.set_some("title", text_value(&self.title));
        record.set_some("email", text_value(&self.email));
        record.set_some("phone", text_value(&self.phone));
        record.set_some("isInactive", bool_value(self.is_inactive));
        record.set_some("subsidiary", ref_value(&self.subsidiary));
        let addressbook = self.addressbook.as_ref().map(|lines| lines.to_value(zone));
        record.set_some("addressbookList", addressbook);
        record.custom_fields = self.custom_fields.clone();
        record
    }
}
