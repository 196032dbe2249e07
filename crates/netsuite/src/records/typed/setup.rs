//! Setup lists (`listAcct`): price levels, subsidiaries, currencies and terms.

use chrono_tz::Tz;

use crate::error::Error;
use crate::records::access::{bool_value, double_value, ref_value, text_value};
use crate::records::{BodyValue, FieldAccess, Record, RecordRef};

use super::{TypedRecord, check_type, owned_ref, owned_text};

/// A price level (`listAcct:PriceLevel`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PriceLevel {
    pub internal_id: Option<String>,
    pub external_id: Option<String>,
    pub name: Option<String>,
    /// Discount from the base price in percent; negative for a markup.
    pub discount_pct: Option<f64>,
    pub is_online: Option<bool>,
    pub is_inactive: Option<bool>,
}

impl TypedRecord for PriceLevel {
    const RECORD_TYPE: &'static str = "priceLevel";

    fn from_record(record: &Record, _zone: Tz) -> Result<PriceLevel, Error> {
        check_type(record, Self::RECORD_TYPE)?;
        Ok(PriceLevel {
            internal_id: record.internal_id.clone(),
            external_id: record.external_id.clone(),
            name: owned_text(record, "name"),
            discount_pct: record.double("discountpct")?,
            is_online: record.boolean("isOnline")?,
            is_inactive: record.boolean("isInactive")?,
        })
    }

    fn to_record(&self, _zone: Tz) -> Record {
        let mut record = keyed(Self::RECORD_TYPE, &self.internal_id, &self.external_id);
        record.set_some("name", text_value(&self.name));
        record.set_some("discountpct", double_value(self.discount_pct));
        record.set_some("isOnline", bool_value(self.is_online));
        record.set_some("isInactive", bool_value(self.is_inactive));
        record
    }
}

/// A subsidiary (`listAcct:Subsidiary`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subsidiary {
    pub internal_id: Option<String>,
    pub external_id: Option<String>,
    pub name: Option<String>,
    pub legal_name: Option<String>,
    pub parent: Option<RecordRef>,
    pub currency: Option<RecordRef>,
    /// Country as NetSuite's enumeration spells it (`_unitedStates`).
    pub country: Option<String>,
    pub is_elimination: Option<bool>,
    pub is_inactive: Option<bool>,
}

impl TypedRecord for Subsidiary {
    const RECORD_TYPE: &'static str = "subsidiary";

    fn from_record(record: &Record, _zone: Tz) -> Result<Subsidiary, Error> {
        check_type(record, Self::RECORD_TYPE)?;
        Ok(Subsidiary {
            internal_id: record.internal_id.clone(),
            external_id: record.external_id.clone(),
            name: owned_text(record, "name"),
            legal_name: owned_text(record, "legalName"),
            parent: owned_ref(record, "parent"),
            currency: owned_ref(record, "currency"),
            country: owned_text(record, "country"),
            is_elimination: record.boolean("isElimination")?,
            is_inactive: record.boolean("isInactive")?,
        })
    }

    fn to_record(&self, _zone: Tz) -> Record {
        let mut record = keyed(Self::RECORD_TYPE, &self.internal_id, &self.external_id);
        record.set_some("name", text_value(&self.name));
        record.set_some("parent", ref_value(&self.parent));
        record.set_some("isInactive", bool_value(self.is_inactive));
        record.set_some("country", text_value(&self.country));
        record.set_some("legalName", text_value(&self.legal_name));
        record.set_some("isElimination", bool_value(self.is_elimination));
        record.set_some("currency", ref_value(&self.currency));
        record
    }
}

/// A currency (`listAcct:Currency`), read with `getAll` because currencies cannot be searched.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Currency {
    pub internal_id: Option<String>,
    pub external_id: Option<String>,
    pub name: Option<String>,
    /// The ISO 4217 code (`USD`).
    pub symbol: Option<String>,
    pub is_base_currency: Option<bool>,
    /// Units of the base currency per unit of this one.
    pub exchange_rate: Option<f64>,
    pub is_inactive: Option<bool>,
}

impl TypedRecord for Currency {
    const RECORD_TYPE: &'static str = "currency";

    fn from_record(record: &Record, _zone: Tz) -> Result<Currency, Error> {
        check_type(record, Self::RECORD_TYPE)?;
        Ok(Currency {
            internal_id: record.internal_id.clone(),
            external_id: record.external_id.clone(),
            name: owned_text(record, "name"),
            symbol: owned_text(record, "symbol"),
            is_base_currency: record.boolean("isBaseCurrency")?,
            exchange_rate: record.double("exchangeRate")?,
            is_inactive: record.boolean("isInactive")?,
        })
    }

    fn to_record(&self, _zone: Tz) -> Record {
        let mut record = keyed(Self::RECORD_TYPE, &self.internal_id, &self.external_id);
        record.set_some("name", text_value(&self.name));
        record.set_some("symbol", text_value(&self.symbol));
        record.set_some("isBaseCurrency", bool_value(self.is_base_currency));
        record.set_some("isInactive", bool_value(self.is_inactive));
        record.set_some("exchangeRate", double_value(self.exchange_rate));
        record
    }
}

/// Payment terms (`listAcct:Term`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Term {
    pub internal_id: Option<String>,
    pub external_id: Option<String>,
    pub name: Option<String>,
    /// Days from the transaction date to the due date.
    pub days_until_net_due: Option<i64>,
    /// Early payment discount in percent.
    pub discount_percent: Option<f64>,
    /// Days the early payment discount lasts.
    pub days_until_expiry: Option<i64>,
    pub is_inactive: Option<bool>,
}

impl TypedRecord for Term {
    const RECORD_TYPE: &'static str = "term";

    fn from_record(record: &Record, _zone: Tz) -> Result<Term, Error> {
        check_type(record, Self::RECORD_TYPE)?;
        Ok(Term {
            internal_id: record.internal_id.clone(),
            external_id: record.external_id.clone(),
            name: owned_text(record, "name"),
            days_until_net_due: record.long("daysUntilNetDue")?,
            discount_percent: record.double("discountPercent")?,
            days_until_expiry: record.long("daysUntilExpiry")?,
            is_inactive: record.boolean("isInactive")?,
        })
    }

    fn to_record(&self, _zone: Tz) -> Record {
        let whole = |value: Option<i64>| value.map(|days| BodyValue::Text(days.to_string()));
        let mut record = keyed(Self::RECORD_TYPE, &self.internal_id, &self.external_id);
        record.set_some("name", text_value(&self.name));
        record.set_some("daysUntilNetDue", whole(self.days_until_net_due));
        record.set_some("discountPercent", double_value(self.discount_percent));
        record.set_some("daysUntilExpiry", whole(self.days_until_expiry));
        record.set_some("isInactive", bool_value(self.is_inactive));
        record
    }
}

fn keyed(record_type: &str, internal_id: &Option<String>, external_id: &Option<String>) -> Record {
    let mut record = Record::new(record_type);
    record.internal_id = internal_id.clone();
    record.external_id = external_id.clone();
    record
}
