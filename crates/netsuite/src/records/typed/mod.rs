//! Typed models of the records the flows read and write, converted to and from the generic
//! [`Record`].
//!
//! A typed record carries the fields a flow needs. Reading it from a record leaves the other
//! fields behind, so code that needs them keeps the [`Record`]. Writing sends only the fields
//! that are `Some`, never read-only ones (balances, totals, statuses). Every sublist goes out
//! with an explicit `replaceAll`, because NetSuite's defaults differ per sublist, and an update
//! with one line and the default `true` would delete the other lines.
//!
//! Date-only fields (`tranDate`, `dueDate`) are [`NaiveDate`](chrono::NaiveDate)s, read and
//! written in the web services user's time zone (see [`crate::records::time`]).

mod customer;
mod items;
mod setup;
mod transactions;

use chrono_tz::Tz;

use crate::error::Error;
use crate::records::access::{bool_value, text_value};
use crate::records::{BodyValue, Complex, FieldAccess, Record, Sublist};

pub use customer::{AddressbookEntry, Contact, CreditHoldOverride, Customer};
pub use items::{
    InventoryItem, Item, ItemLocation, NonInventorySaleItem, Price, Pricing, ServiceSaleItem,
};
pub use setup::{Currency, PriceLevel, Subsidiary, Term};
pub use transactions::{
    CustomerPayment, Invoice, InvoiceLine, PaymentApply, SalesOrder, SalesOrderLine,
};

/// A record type with a typed model.
pub trait TypedRecord: Sized {
    /// The `RecordType` value (`customer`).
    const RECORD_TYPE: &'static str;

    /// Reads the model from a record of [`TypedRecord::RECORD_TYPE`]. `zone` is the web
    /// services user's time zone, for date-only fields.
    fn from_record(record: &Record, zone: Tz) -> Result<Self, Error>;

    /// Builds the record to send: the keys and every writable field that is `Some`.
    fn to_record(&self, zone: Tz) -> Record;
}

/// A line of a typed sublist.
pub trait SublistLine: Sized {
    /// Reads a line.
    fn from_line(line: &Complex, zone: Tz) -> Result<Self, Error>;

    /// Builds the line to send.
    fn to_line(&self, zone: Tz) -> Complex;
}

/// The lines of a sublist and what an update does with the lines it does not carry.
#[derive(Debug, Clone, PartialEq)]
pub struct Lines<T> {
    /// True replaces every line of the record with these; false merges these into the
    /// existing lines by their key (`line` on transactions, `internalId` on addresses).
    pub replace_all: bool,
    /// The lines in order.
    pub lines: Vec<T>,
}

impl<T: SublistLine> Lines<T> {
    /// Reads the sublist `name` of `record`; `None` when the record does not carry it, as
    /// searched records with body fields only do not. `default_replace_all` is the schema
    /// default, used when NetSuite sends no attribute.
    pub(crate) fn read(
        record: &impl FieldAccess,
        name: &str,
        default_replace_all: bool,
        zone: Tz,
    ) -> Result<Option<Lines<T>>, Error> {
        let Some(sublist) = record.sublist(name) else {
            return Ok(None);
        };
        let lines = sublist
            .lines
            .iter()
            .map(|line| T::from_line(line, zone))
            .collect::<Result<Vec<T>, Error>>()?;
        Ok(Some(Lines {
            replace_all: sublist.replace_all.unwrap_or(default_replace_all),
            lines,
        }))
    }

    /// Builds the sublist value with an explicit `replaceAll`.
    pub(crate) fn to_value(&self, zone: Tz) -> BodyValue {
        let lines = self.lines.iter().map(|line| line.to_line(zone)).collect();
        BodyValue::Sublist(Sublist::new(self.replace_all, lines))
    }
}

/// A postal address (`platformCommon:Address`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Address {
    /// Country as NetSuite's enumeration spells it (`_unitedStates`, `_germany`).
    pub country: Option<String>,
    pub attention: Option<String>,
    pub addressee: Option<String>,
    pub addr_phone: Option<String>,
    pub addr1: Option<String>,
    pub addr2: Option<String>,
    pub addr3: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub zip: Option<String>,
    /// The formatted address, read-only.
    pub addr_text: Option<String>,
    /// True when `addr_text` was typed by hand instead of formatted from the fields.
    pub override_text: Option<bool>,
}

/// The writable text fields of an address, in the order the model lists them.
const ADDRESS_TEXT: [&str; 10] = [
    "country",
    "attention",
    "addressee",
    "addrPhone",
    "addr1",
    "addr2",
    "addr3",
    "city",
    "state",
    "zip",
];

impl Address {
    /// Reads an address value.
    pub fn from_complex(value: &Complex) -> Result<Address, Error> {
        let text = |name: &str| value.text(name).map(str::to_string);
        Ok(Address {
            country: text("country"),
            attention: text("attention"),
            addressee: text("addressee"),
            addr_phone: text("addrPhone"),
            addr1: text("addr1"),
            addr2: text("addr2"),
            addr3: text("addr3"),
            city: text("city"),
            state: text("state"),
            zip: text("zip"),
            addr_text: text("addrText"),
            override_text: value.boolean("override")?,
        })
    }

    /// Builds the address value to send, without the read-only `addrText`.
    pub fn to_complex(&self) -> Complex {
        let values = [
            &self.country,
            &self.attention,
            &self.addressee,
            &self.addr_phone,
            &self.addr1,
            &self.addr2,
            &self.addr3,
            &self.city,
            &self.state,
            &self.zip,
        ];
        let mut complex = Complex::new();
        for (name, value) in ADDRESS_TEXT.iter().zip(values) {
            complex.set_some(name, text_value(value));
        }
        complex.set_some("override", bool_value(self.override_text));
        complex
    }
}

/// Checks that `record` has the type `expected`.
pub(crate) fn check_type(record: &Record, expected: &str) -> Result<(), Error> {
    if record.record_type == expected {
        Ok(())
    } else {
        Err(Error::InvalidResponse(format!(
            "expected a {expected} record, found {}",
            record.record_type
        )))
    }
}

/// Returns the text of field `name` as an owned string.
pub(crate) fn owned_text(value: &impl FieldAccess, name: &str) -> Option<String> {
    value.text(name).map(str::to_string)
}

/// Returns the reference of field `name` as an owned value.
pub(crate) fn owned_ref(value: &impl FieldAccess, name: &str) -> Option<crate::records::RecordRef> {
    value.reference(name).cloned()
}
