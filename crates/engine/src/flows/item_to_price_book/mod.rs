//! `item-to-price-book`: NetSuite items become Salesforce products with their prices.
//!
//! The flow reads the change feeds of three NetSuite record types: `inventoryItem`,
//! `nonInventorySaleItem` and `serviceSaleItem`. Each item becomes one `Product2`, upserted on
//! its external ID field `NetSuite_Internal_ID__c`. By default it maps `itemId` to
//! `ProductCode`, `displayName` to `Name` (`itemId` when the display name is blank),
//! `salesDescription` to `Description`, and `isInactive` to `IsActive` (negated). An
//! inventory item also gets `Quantity_Available__c`, the sum of `quantityAvailable` over its
//! locations. Other items leave that field alone. An item without a linked product is linked
//! to the one unlinked `Product2` with the same `ProductCode`, if there is exactly one, unless
//! option `match_product_code` is false.
//!
//! Prices come from the item's pricing matrix, one price per price level and currency:
//! - Prices at the base price level (option `base_price_level`, default internal ID `"1"`,
//!   "Base Price" in NetSuite) become `PricebookEntry` rows in the standard price book.
//! - Prices at any other level become rows in the `Pricebook2` whose `Name` is the level's name.
//!   Tandem creates that price book (active) when none has the name. Option `price_levels` lists
//!   the level names to copy and by default copies them all.
//!
//! In an org with multiple currencies, each entry carries the `CurrencyIsoCode` of the NetSuite
//! currency's `symbol`. Option `currency` sets whether the org has multiple currencies:
//! `"auto"` (the default) checks whether `describe` lists `CurrencyIsoCode` on
//! `PricebookEntry`, and `"on"` and `"off"` set it without a check. With currencies off, only
//! the prices in the currency with the lowest NetSuite internal ID are copied.
//!
//! Standard entries are written before the others, because Salesforce rejects an entry in
//! another price book while the product has no standard price in that currency. An item with
//! such a price and no base price in the same currency becomes a dead letter with
//! `STANDARD_PRICE_NOT_DEFINED`. Entries are matched to the existing ones by price book and
//! currency, so a price change updates one entry and a pass never inserts a duplicate. A price
//! removed in NetSuite deactivates its entry. Entries in price books that the flow does not
//! write to are left alone.
//!
//! An item made inactive deactivates its product and all of its entries. An item deleted in
//! NetSuite does the same on the next pass unless option `deactivate_deleted` is false.
//! Option `standard_price_book` names the standard price book by its `Pricebook2` Id. By
//! default Tandem looks up the one with `IsStandard` true, and a pass stops with a
//! configuration error when none can be found. The flow's cross-references
//! (`item-to-price-book`) link each item to its product, so other flows can translate a
//! `Product2` Id to a NetSuite item.

mod catalog;
mod deleted;
mod entries;
mod prices;
mod product;
mod product_code;

use std::sync::Mutex;

use async_trait::async_trait;

use super::Settings;
use crate::flow::{Access, FieldUse, Flow, NamedRecords, OneWayFlow};
use crate::mapping::{Derived, DerivedRule, Direction, Expression, FieldPair, Mapping, ValueMap};
use crate::one_way::{OneWaySpec, OneWayTemplate, Outcome, PAGE_BATCH_SIZE, SourceItem};
use crate::pass::{Connections, PassError};
use crate::record::{FieldValue, Fields, ObjectSpec, System};
use crate::report::PassReport;
use catalog::Catalog;

/// The flow's name in configuration files, the store, logs and reports.
pub const FLOW: &str = "item-to-price-book";

/// The NetSuite item record types the flow reads, each with its own change feed.
pub const ITEM_TYPES: [&str; 3] = ["inventoryItem", "nonInventorySaleItem", "serviceSaleItem"];

/// The item record type whose locations carry quantities.
const INVENTORY_ITEM: &str = "inventoryItem";

/// The Salesforce external ID field of `Product2` that stores the item's internal ID.
pub const PRODUCT_LINK_FIELD: &str = "NetSuite_Internal_ID__c";

/// The `Product2` field that receives the quantity available over all locations.
pub const QUANTITY_FIELD: &str = "Quantity_Available__c";

/// Whether price book entries carry a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CurrencyMode {
    /// Entries carry `CurrencyIsoCode` when `describe` lists it on `PricebookEntry`.
    Auto,
    /// Entries always carry `CurrencyIsoCode`: the org has multiple currencies.
    On,
    /// Entries never carry a currency: the org has one.
    Off,
}

/// The options of the `[flows.item-to-price-book]` table.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Internal ID of the NetSuite price level whose prices become standard prices.
    /// Default `"1"`, NetSuite's "Base Price".
    pub base_price_level: String,
    /// Names of the other price levels to copy, each into the price book of the same name.
    /// Default empty, which copies every level found.
    pub price_levels: Vec<String>,
    /// Id of the standard `Pricebook2`. Default none: the one with `IsStandard` true.
    pub standard_price_book: Option<String>,
    /// Whether entries carry `CurrencyIsoCode`. Default `auto`.
    pub currency: CurrencyMode,
    /// Whether an item deleted in NetSuite deactivates its product and entries. Default true.
    pub deactivate_deleted: bool,
    /// Whether an item without a linked product is linked to the one unlinked `Product2`
    /// with the same `ProductCode` instead of getting a new product. Default true.
    pub match_product_code: bool,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            base_price_level: "1".to_string(),
            price_levels: Vec::new(),
            standard_price_book: None,
            currency: CurrencyMode::Auto,
            deactivate_deleted: true,
            match_product_code: true,
        }
    }
}

/// Returns the `Product2` fields the template maps when the configuration names none.
pub fn default_mapping() -> Mapping {
    let to_salesforce = |netsuite: &str, salesforce: &str| FieldPair {
        direction: Direction::ToSalesforce,
        ..FieldPair::new(netsuite, salesforce)
    };
    let mut active = to_salesforce("isInactive", "IsActive");
    active.values = Some(ValueMap {
        pairs: vec![
            (FieldValue::Bool(true), FieldValue::Bool(false)),
            (FieldValue::Bool(false), FieldValue::Bool(true)),
        ],
    });
    active.salesforce_default = Some(FieldValue::Bool(true));
    let name = Expression::new("{{ displayName or itemId }}")
        .expect("the default name expression compiles");
    Mapping {
        pairs: vec![
            to_salesforce("itemId", "ProductCode"),
            to_salesforce("salesDescription", "Description"),
            active,
        ],
        derived: vec![Derived {
            target: System::Salesforce,
            field: "Name".to_string(),
            rule: DerivedRule::Expression(name),
        }],
    }
}

/// Builds the flow from its settings.
pub fn flow(settings: Settings<Options>) -> Box<dyn Flow> {
    Box::new(OneWayFlow {
        template: Box::new(Template::new(settings)),
    })
}

/// The template with its settings and the price book references of the current pass.
struct Template {
    spec: OneWaySpec,
    mapping: Mapping,
    options: Options,
    /// Price books, currencies and price levels read this pass; cleared before each pass.
    catalog: Mutex<Option<Catalog>>,
}

impl Template {
    fn new(settings: Settings<Options>) -> Template {
        let objects = ITEM_TYPES
            .iter()
            .map(|name| item_object(name, &settings.mapping))
            .collect();
        Template {
            spec: OneWaySpec {
                flow: FLOW.to_string(),
                source: System::NetSuite,
                objects,
                written_back: Vec::new(),
                overlap: settings.overlap,
                batch_size: PAGE_BATCH_SIZE,
            },
            mapping: settings.mapping,
            options: settings.options,
            catalog: Mutex::new(None),
        }
    }

    /// Returns this pass's catalog, reading it when the pass has none yet.
    async fn catalog(&self, connections: &Connections) -> Result<Catalog, PassError> {
        let cached = self.catalog.lock().map(|kept| kept.clone()).ok().flatten();
        match cached {
            Some(catalog) => Ok(catalog),
            None => Catalog::load(connections, &self.options).await,
        }
    }

    /// Keeps the catalog, with what a batch added to it, for the rest of the pass.
    fn keep_catalog(&self, catalog: Catalog) {
        if let Ok(mut kept) = self.catalog.lock() {
            *kept = Some(catalog);
        }
    }
}

/// The pricing matrix fields read from each item.
const PRICE_FIELDS: [&str; 3] = [
    "pricingMatrix[].currency",
    "pricingMatrix[].priceLevel",
    "pricingMatrix[].price",
];

/// The location field summed into [`QUANTITY_FIELD`].
const QUANTITY_LINE_FIELD: &str = "locationsList[].quantityAvailable";

/// The item field that makes an item inactive.
const INACTIVE_FIELD: &str = "isInactive";

/// Returns the item record type `name` with the fields the flow reads: the mapping's, the
/// inactive flag, the prices and, for inventory items, the quantities.
fn item_object(name: &str, mapping: &Mapping) -> ObjectSpec {
    let mut fields = mapping.field_names(System::NetSuite);
    let mut fixed = vec![INACTIVE_FIELD];
    fixed.extend(PRICE_FIELDS);
    if name == INVENTORY_ITEM {
        fixed.push(QUANTITY_LINE_FIELD);
    }
    for field in fixed {
        if !fields.iter().any(|kept| kept == field) {
            fields.push(field.to_string());
        }
    }
    ObjectSpec {
        name: name.to_string(),
        fields,
        link_field: "externalId".to_string(),
    }
}

#[async_trait]
impl OneWayTemplate for Template {
    fn spec(&self) -> &OneWaySpec {
        &self.spec
    }

    fn field_uses(&self) -> Vec<FieldUse> {
        field_uses(&self.mapping, &self.options)
    }

    fn named_records(&self) -> Vec<NamedRecords> {
        if self.options.price_levels.is_empty() {
            return Vec::new();
        }
        vec![NamedRecords {
            system: System::NetSuite,
            object: "priceLevel".to_string(),
            field: "name".to_string(),
            names: self.options.price_levels.clone(),
            option: "price_levels".to_string(),
        }]
    }

    async fn before(
        &self,
        connections: &Connections,
        report: &mut PassReport,
    ) -> Result<(), PassError> {
        if let Ok(mut kept) = self.catalog.lock() {
            *kept = None;
        }
        if !self.options.deactivate_deleted {
            return Ok(());
        }
        deleted::deactivate_deleted(&self.spec, connections, report).await
    }

    async fn prepare(
        &self,
        connections: &Connections,
        items: &[SourceItem],
    ) -> Result<(), PassError> {
        // A pass with nothing to sync needs no price book, so it reads none.
        if items.is_empty() {
            return Ok(());
        }
        let mut catalog = self.catalog(connections).await?;
        let fields: Vec<&Fields> = items.iter().map(|item| &item.record.fields).collect();
        let result = prices::prepare_books(connections, &self.options, &mut catalog, &fields).await;
        self.keep_catalog(catalog);
        result
    }

    async fn sync(
        &self,
        connections: &Connections,
        items: &[SourceItem],
        report: &mut PassReport,
    ) -> Result<Vec<Outcome>, PassError> {
        let mut catalog = self.catalog(connections).await?;
        let mut works = product::plan(connections, &self.mapping, &self.spec, items).await?;
        prices::plan(connections, &self.options, &mut catalog, &mut works).await?;
        let result = self.write(connections, &mut catalog, &mut works).await;
        self.keep_catalog(catalog);
        result?;
        report.linked += works.iter().filter(|work| work.linked).count() as u64;
        Ok(works.into_iter().map(product::ItemWork::outcome).collect())
    }
}

impl Template {
    /// Writes the products, their cross-references and their entries.
    async fn write(
        &self,
        connections: &Connections,
        catalog: &mut Catalog,
        works: &mut [product::ItemWork],
    ) -> Result<(), PassError> {
        let object = product::product_object(&self.mapping);
        let match_code = self.options.match_product_code;
        product::write(connections, &object, works, match_code).await?;
        product::save_xrefs(connections, works).await?;
        entries::write(connections, catalog, works).await
    }
}

/// Returns every field the flow reads and writes on both sides.
fn field_uses(mapping: &Mapping, options: &Options) -> Vec<FieldUse> {
    let mut uses = Vec::new();
    for (index, item_type) in ITEM_TYPES.iter().enumerate() {
        let mapped = mapping.field_uses(item_type, "Product2");
        let first = index == 0;
        uses.extend(
            mapped
                .into_iter()
                .filter(|used| first || used.system == System::NetSuite),
        );
        uses.extend(item_uses(item_type));
    }
    uses.extend(salesforce_uses(options));
    uses
}

/// Returns the fixed fields read from items of `item_type` and the records they refer to.
fn item_uses(item_type: &str) -> Vec<FieldUse> {
    let read = |object: &str, field: &str, purpose: &str| {
        FieldUse::new(System::NetSuite, object, field, Access::Read, purpose)
    };
    let mut uses = vec![read(item_type, INACTIVE_FIELD, "deactivation")];
    uses.extend(
        PRICE_FIELDS
            .iter()
            .map(|field| read(item_type, field, "price")),
    );
    if item_type == INVENTORY_ITEM {
        uses.push(read(item_type, QUANTITY_LINE_FIELD, "quantity available"));
    }
    if item_type == ITEM_TYPES[0] {
        uses.push(read("currency", "symbol", "currency code"));
        uses.push(read("priceLevel", "name", "price book name"));
    }
    uses
}

/// Returns the fixed fields of products, price books and entries.
fn salesforce_uses(options: &Options) -> Vec<FieldUse> {
    let used = |object: &str, field: &str, access: Access, purpose: &str| {
        FieldUse::new(System::Salesforce, object, field, access, purpose)
    };
    let mut uses = vec![
        used("Product2", PRODUCT_LINK_FIELD, Access::Write, "link field"),
        used(
            "Product2",
            QUANTITY_FIELD,
            Access::Write,
            "quantity available",
        ),
        used("Product2", "IsActive", Access::Write, "deactivation"),
        used(
            "Pricebook2",
            "IsStandard",
            Access::Read,
            "standard price book",
        ),
        used("Pricebook2", "Name", Access::ReadWrite, "price book name"),
        used("Pricebook2", "IsActive", Access::Write, "price book"),
    ];
    for field in ["Pricebook2Id", "Product2Id", "UnitPrice", "IsActive"] {
        uses.push(used("PricebookEntry", field, Access::ReadWrite, "price"));
    }
    if options.currency == CurrencyMode::On {
        let currency = catalog::CURRENCY_FIELD;
        uses.push(used(
            "PricebookEntry",
            currency,
            Access::ReadWrite,
            "price currency",
        ));
    }
    uses
}

#[cfg(test)]
mod tests;
