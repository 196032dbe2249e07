//! Sale items (`listAcct`): inventory, non-inventory and service items, with their pricing
//! matrix and, for inventory items, their locations.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::error::Error;
use crate::records::access::{bool_value, double_value, ref_value, text_value};
use crate::records::{BodyValue, Complex, CustomField, FieldAccess, Record, RecordRef, Sublist};

use super::{Lines, SublistLine, TypedRecord, check_type, owned_ref, owned_text};

/// One price of a pricing line: the unit price from a quantity on.
#[derive(Debug, Clone, PartialEq)]
pub struct Price {
    pub value: f64,
    /// The quantity this price starts at, for quantity pricing; `None` or 0 for the base.
    pub quantity: Option<f64>,
}

/// One line of an item's `pricingMatrix`: the prices of one price level in one currency.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pricing {
    pub currency: Option<RecordRef>,
    /// The price level; the base price is a price level too.
    pub price_level: Option<RecordRef>,
    pub discount: Option<f64>,
    pub prices: Vec<Price>,
}

impl SublistLine for Pricing {
    fn from_line(line: &Complex, _zone: Tz) -> Result<Pricing, Error> {
        let mut prices = Vec::new();
        if let Some(list) = line.sublist("priceList") {
            for price in &list.lines {
                let value = price
                    .double("value")?
                    .ok_or_else(|| Error::InvalidResponse("a price has no value".to_string()))?;
                let quantity = price.double("quantity")?;
                prices.push(Price { value, quantity });
            }
        }
        Ok(Pricing {
            currency: owned_ref(line, "currency"),
            price_level: owned_ref(line, "priceLevel"),
            discount: line.double("discount")?,
            prices,
        })
    }

    fn to_line(&self, _zone: Tz) -> Complex {
        let mut line = Complex::new();
        line.set_some("currency", ref_value(&self.currency));
        line.set_some("priceLevel", ref_value(&self.price_level));
        line.set_some("discount", double_value(self.discount));
        let prices = self
            .prices
            .iter()
            .map(|price| {
                let mut entry = Complex::new();
                entry.set_text("value", price.value.to_string());
                entry.set_some("quantity", double_value(price.quantity));
                entry
            })
            .collect();
        let list = Sublist {
            replace_all: None,
            lines: prices,
            line_name: None,
        };
        line.set("priceList", BodyValue::Sublist(list));
        line
    }
}

/// One location of an inventory item (`locationsList`), read-only quantities.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemLocation {
    pub location: Option<RecordRef>,
    /// The location's name.
    pub location_name: Option<String>,
    pub quantity_on_hand: Option<f64>,
    pub quantity_available: Option<f64>,
    pub quantity_on_order: Option<f64>,
    pub quantity_committed: Option<f64>,
    pub quantity_back_ordered: Option<f64>,
    pub reorder_point: Option<f64>,
    pub preferred_stock_level: Option<f64>,
}

impl SublistLine for ItemLocation {
    fn from_line(line: &Complex, _zone: Tz) -> Result<ItemLocation, Error> {
        Ok(ItemLocation {
            location: owned_ref(line, "locationId"),
            location_name: owned_text(line, "location"),
            quantity_on_hand: line.double("quantityOnHand")?,
            quantity_available: line.double("quantityAvailable")?,
            quantity_on_order: line.double("quantityOnOrder")?,
            quantity_committed: line.double("quantityCommitted")?,
            quantity_back_ordered: line.double("quantityBackOrdered")?,
            reorder_point: line.double("reorderPoint")?,
            preferred_stock_level: line.double("preferredStockLevel")?,
        })
    }

    fn to_line(&self, _zone: Tz) -> Complex {
        let mut line = Complex::new();
        line.set_some("reorderPoint", double_value(self.reorder_point));
        line.set_some(
            "preferredStockLevel",
            double_value(self.preferred_stock_level),
        );
        line.set_some("locationId", ref_value(&self.location));
        line
    }
}

/// The fields the sale item types share.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Item {
    pub internal_id: Option<String>,
    pub external_id: Option<String>,
    /// The item's name or number (SKU).
    pub item_id: Option<String>,
    pub display_name: Option<String>,
    pub sales_description: Option<String>,
    pub is_inactive: Option<bool>,
    /// The item's rate where it has no pricing matrix.
    pub rate: Option<f64>,
    pub subsidiaries: Option<Vec<RecordRef>>,
    /// Account-wide quantity available, inventory items only, read-only.
    pub quantity_available: Option<f64>,
    /// Account-wide quantity on hand, inventory items only, read-only.
    pub quantity_on_hand: Option<f64>,
    /// Read-only.
    pub last_modified: Option<DateTime<Utc>>,
    /// Prices per currency and price level; `None` when not carried (searches with body
    /// fields only). NetSuite's default `replaceAll` here is false.
    pub pricing: Option<Lines<Pricing>>,
    /// Inventory items only.
    pub locations: Option<Lines<ItemLocation>>,
    pub custom_fields: Vec<CustomField>,
}

impl Item {
    fn read(record: &Record, zone: Tz) -> Result<Item, Error> {
        let subsidiaries = record.references("subsidiaryList").map(<[_]>::to_vec);
        Ok(Item {
            internal_id: record.internal_id.clone(),
            external_id: record.external_id.clone(),
            item_id: owned_text(record, "itemId"),
            display_name: owned_text(record, "displayName"),
            sales_description: owned_text(record, "salesDescription"),
            is_inactive: record.boolean("isInactive")?,
            rate: record.double("rate")?,
            subsidiaries,
            quantity_available: record.double("quantityAvailable")?,
            quantity_on_hand: record.double("quantityOnHand")?,
            last_modified: record.date_time("lastModifiedDate")?,
            pricing: Lines::read(record, "pricingMatrix", false, zone)?,
            locations: Lines::read(record, "locationsList", true, zone)?,
            custom_fields: record.custom_fields.clone(),
        })
    }

    fn write(&self, record_type: &str, zone: Tz) -> Record {
        let mut record = Record::new(record_type);
        record.internal_id = self.internal_id.clone();
        record.external_id = self.external_id.clone();
        record.set_some("itemId", text_value(&self.item_id));
        record.set_some("displayName", text_value(&self.display_name));
        record.set_some("salesDescription", text_value(&self.sales_description));
        record.set_some("isInactive", bool_value(self.is_inactive));
        record.set_some("rate", double_value(self.rate));
        let subsidiaries = self.subsidiaries.clone().map(BodyValue::RefList);
        record.set_some("subsidiaryList", subsidiaries);
        let pricing = self.pricing.as_ref().map(|lines| lines.to_value(zone));
        record.set_some("pricingMatrix", pricing);
        let locations = self.locations.as_ref().map(|lines| lines.to_value(zone));
        record.set_some("locationsList", locations);
        record.custom_fields = self.custom_fields.clone();
        record
    }
}

macro_rules! sale_item {
    ($(#[$doc:meta])* $name:ident, $record_type:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct $name(pub Item);

        impl TypedRecord for $name {
            const RECORD_TYPE: &'static str = $record_type;

            fn from_record(record: &Record, zone: Tz) -> Result<$name, Error> {
                check_type(record, Self::RECORD_TYPE)?;
                Item::read(record, zone).map($name)
            }

            fn to_record(&self, zone: Tz) -> Record {
                self.0.write(Self::RECORD_TYPE, zone)
            }
        }
    };
}

sale_item!(
    /// An inventory item (`listAcct:InventoryItem`).
    InventoryItem,
    "inventoryItem"
);
sale_item!(
    /// A non-inventory item for sale (`listAcct:NonInventorySaleItem`).
    NonInventorySaleItem,
    "nonInventorySaleItem"
);
sale_item!(
    /// A service item for sale (`listAcct:ServiceSaleItem`).
    ServiceSaleItem,
    "serviceSaleItem"
);
