//! The records that price book entries refer to, read once per pass. They are the standard
//! price book, whether the org has multiple currencies, the price books named after price
//! levels, and the ISO codes and names of NetSuite currencies and price levels.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::{CurrencyMode, FLOW, Options};
use crate::error::{ErrorClass, RemoteError};
use crate::flows::support;
use crate::pass::{Connections, PassError};
use crate::record::{FieldValue, Fields, ObjectSpec, SourceRecord, System};

/// The flow value that lists the managed price books, as a JSON array of Ids.
const MANAGED_KEY: &str = "price-books";

/// The Salesforce field of a price book entry's currency.
pub(super) const CURRENCY_FIELD: &str = "CurrencyIsoCode";

/// The price book references of one pass.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Catalog {
    /// Id of the standard `Pricebook2`.
    pub standard_book: String,
    /// True when entries carry `CurrencyIsoCode`.
    pub multi_currency: bool,
    /// Ids of the other price books, by lower-case name.
    books: HashMap<String, String>,
    /// Ids of every price book other than the standard one that the flow has written prices
    /// to in any pass, kept as a flow value.
    managed: BTreeSet<String>,
    /// ISO codes of NetSuite currencies, by internal ID.
    currencies: HashMap<String, String>,
    /// Names of NetSuite price levels, by internal ID.
    levels: HashMap<String, String>,
}

impl Catalog {
    /// Finds the standard price book and decides whether entries carry a currency. A missing
    /// standard price book is a configuration error.
    pub async fn load(connections: &Connections, options: &Options) -> Result<Catalog, PassError> {
        let standard_book = standard_book(connections, options).await?;
        let stored = connections.store.flow_value(FLOW, MANAGED_KEY).await?;
        let managed = match stored.as_deref().map(serde_json::from_str) {
            Some(Ok(ids)) => ids,
            Some(Err(error)) => {
                tracing::warn!(flow = FLOW, key = MANAGED_KEY, %error,
                    "invalid list of price books; entries in books not seen this pass stay active");
                BTreeSet::new()
            }
            None => BTreeSet::new(),
        };
        let multi_currency = match options.currency {
            CurrencyMode::On => true,
            CurrencyMode::Off => false,
            CurrencyMode::Auto => describes_currency(connections).await?,
        };
        tracing::debug!(flow = FLOW, standard_book = %standard_book, multi_currency,
            "read price book settings");
        Ok(Catalog {
            standard_book,
            multi_currency,
            books: HashMap::new(),
            managed,
            currencies: HashMap::new(),
            levels: HashMap::new(),
        })
    }

    /// Builds a catalog with known currencies and price levels and no price books but the
    /// standard one (`01s-standard`).
    #[cfg(test)]
    pub fn for_tests(
        multi_currency: bool,
        currencies: &[(&str, &str)],
        levels: &[(&str, &str)],
    ) -> Catalog {
        let pairs = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(id, value)| (id.to_string(), value.to_string()))
                .collect()
        };
        Catalog {
            standard_book: "01s-standard".to_string(),
            multi_currency,
            books: HashMap::new(),
            managed: BTreeSet::new(),
            currencies: pairs(currencies),
            levels: pairs(levels),
        }
    }

    /// Returns the ISO code of a NetSuite currency read by [`Catalog::learn`].
    pub fn currency_code(&self, id: &str) -> Option<&str> {
        self.currencies.get(id).map(String::as_str)
    }

    /// Returns the name of a NetSuite price level read by [`Catalog::learn`].
    pub fn level_name(&self, id: &str) -> Option<&str> {
        self.levels.get(id).map(String::as_str)
    }

    /// Returns the Id of the price book named `name`, found or created by
    /// [`Catalog::resolve_books`].
    pub fn book_id(&self, name: &str) -> Option<&str> {
        self.books.get(&name.to_lowercase()).map(String::as_str)
    }

    /// Returns true when the flow writes prices to the price book `id`: the standard one, and
    /// those named after price levels in this pass or an earlier one.
    pub fn is_managed(&self, id: &str) -> bool {
        id == self.standard_book || self.managed.contains(id)
    }

    /// Reads the currencies and price levels not known yet. IDs that NetSuite does not return
    /// stay unknown.
    pub async fn learn(
        &mut self,
        connections: &Connections,
        currencies: BTreeSet<String>,
        levels: BTreeSet<String>,
    ) -> Result<(), PassError> {
        let currencies: Vec<String> = currencies
            .into_iter()
            .filter(|id| !self.currencies.contains_key(id))
            .collect();
        let object = netsuite_object("currency", "symbol");
        for record in read(connections, System::NetSuite, &object, &currencies).await? {
            if let Some(code) = support::text(&record.fields, "symbol") {
                self.currencies.insert(record.id, code.to_uppercase());
            }
        }
        let levels: Vec<String> = levels
            .into_iter()
            .filter(|id| !self.levels.contains_key(id))
            .collect();
        let object = netsuite_object("priceLevel", "name");
        for record in read(connections, System::NetSuite, &object, &levels).await? {
            if let Some(name) = support::text(&record.fields, "name") {
                self.levels.insert(record.id, name.to_string());
            }
        }
        Ok(())
    }

    /// Finds the price books named `names`, and creates (active) those that do not exist.
    /// Returns the error of each price book that could not be created.
    ///
    /// NOTE: a pass creates its books before its batches (`prices::prepare_books`). Only a
    /// book whose creation failed there is created by batches, and two workers' batches that
    /// need it at the same moment can then both create it.
    pub async fn resolve_books(
        &mut self,
        connections: &Connections,
        names: BTreeSet<String>,
    ) -> Result<BTreeMap<String, RemoteError>, PassError> {
        let missing: Vec<String> = names
            .into_iter()
            .filter(|name| self.book_id(name).is_none())
            .collect();
        if missing.is_empty() {
            return Ok(BTreeMap::new());
        }
        let object = book_object();
        let found = find(connections, &object, "Name", &missing).await?;
        for book in found.iter().filter(|book| book.id != self.standard_book) {
            if let Some(name) = support::text(&book.fields, "Name") {
                let key = name.to_lowercase();
                if self.books.contains_key(&key) {
                    tracing::warn!(flow = FLOW, name, sf_id = %book.id,
                        "several price books have this name; the first one found is used");
                    continue;
                }
                self.books.insert(key, book.id.clone());
            }
        }
        let to_create: Vec<String> = missing
            .into_iter()
            .filter(|name| self.book_id(name).is_none())
            .collect();
        let failed = self.create_books(connections, &object, to_create).await?;
        self.remember_books(connections).await?;
        Ok(failed)
    }

    /// Adds the price books found or created this pass to the stored list of managed ones.
    async fn remember_books(&mut self, connections: &Connections) -> Result<(), PassError> {
        let before = self.managed.len();
        self.managed.extend(self.books.values().cloned());
        if self.managed.len() == before {
            return Ok(());
        }
        let ids = serde_json::to_string(&self.managed).unwrap_or_default();
        let store = connections.store.as_ref();
        store.set_flow_value(FLOW, MANAGED_KEY, Some(&ids)).await?;
        Ok(())
    }

    async fn create_books(
        &mut self,
        connections: &Connections,
        object: &ObjectSpec,
        names: Vec<String>,
    ) -> Result<BTreeMap<String, RemoteError>, PassError> {
        let records = names
            .iter()
            .map(|name| {
                Fields::from([
                    ("Name".to_string(), FieldValue::text(name)),
                    ("IsActive".to_string(), FieldValue::Bool(true)),
                ])
            })
            .collect();
        let results = support::insert(connections, System::Salesforce, object, records).await?;
        let mut failed = BTreeMap::new();
        for (name, result) in names.into_iter().zip(results) {
            match result {
                Ok(written) => {
                    tracing::info!(flow = FLOW, name = %name, sf_id = %written.id,
                        "created price book");
                    self.books.insert(name.to_lowercase(), written.id);
                }
                Err(error) => {
                    tracing::warn!(flow = FLOW, name = %name, %error,
                        "could not create price book");
                    failed.insert(name, error);
                }
            }
        }
        Ok(failed)
    }
}

/// Returns the Id of the standard price book: the configured one, which must exist, or the
/// one with `IsStandard` true.
async fn standard_book(connections: &Connections, options: &Options) -> Result<String, PassError> {
    let object = book_object();
    if let Some(id) = &options.standard_price_book {
        let found = read(
            connections,
            System::Salesforce,
            &object,
            std::slice::from_ref(id),
        )
        .await?;
        return match found.into_iter().next() {
            Some(book) => Ok(book.id),
            None => Err(not_found(format!(
                "the standard price book {id} set by standard_price_book does not exist or is \
                 not visible to the integration user; set the Id of the Pricebook2 whose \
                 IsStandard is true, or remove the option"
            ))),
        };
    }
    let found = find(connections, &object, "IsStandard", &["true".to_string()]).await?;
    match found.into_iter().next() {
        Some(book) => Ok(book.id),
        None => Err(not_found(
            "no Pricebook2 with IsStandard = true is visible to the integration user; give \
             the user read access to the standard price book, or set standard_price_book to \
             its Id"
                .to_string(),
        )),
    }
}

fn not_found(message: String) -> PassError {
    PassError::Remote(RemoteError::new(
        System::Salesforce,
        ErrorClass::Config,
        "STANDARD_PRICE_BOOK_NOT_FOUND",
        message,
    ))
}

/// Returns true when Salesforce describes `CurrencyIsoCode` on `PricebookEntry`, which it does
/// only in orgs with multiple currencies.
async fn describes_currency(connections: &Connections) -> Result<bool, PassError> {
    let port = connections.port(System::Salesforce);
    let info = connections
        .retry
        .run("Salesforce PricebookEntry describe", || {
            port.describe("PricebookEntry")
        })
        .await?;
    Ok(info.field(CURRENCY_FIELD).is_some())
}

fn book_object() -> ObjectSpec {
    ObjectSpec {
        name: "Pricebook2".to_string(),
        fields: vec![
            "Name".to_string(),
            "IsActive".to_string(),
            "IsStandard".to_string(),
        ],
        link_field: String::new(),
    }
}

fn netsuite_object(name: &str, field: &str) -> ObjectSpec {
    ObjectSpec {
        name: name.to_string(),
        fields: vec![field.to_string()],
        link_field: "externalId".to_string(),
    }
}

/// Reads records by ID with retries; no IDs make no call.
pub(super) async fn read(
    connections: &Connections,
    system: System,
    object: &ObjectSpec,
    ids: &[String],
) -> Result<Vec<SourceRecord>, PassError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let port = connections.port(system);
    let what = format!("{system} {} by ID", object.name);
    Ok(connections
        .retry
        .run(&what, || port.read(object, ids))
        .await?)
}

/// Finds Salesforce records by field values with retries; no values make no call.
pub(super) async fn find(
    connections: &Connections,
    object: &ObjectSpec,
    field: &str,
    values: &[String],
) -> Result<Vec<SourceRecord>, PassError> {
    if values.is_empty() {
        return Ok(Vec::new());
    }
    let port = connections.port(System::Salesforce);
    let what = format!("Salesforce {} by {field}", object.name);
    Ok(connections
        .retry
        .run(&what, || port.find(object, field, values))
        .await?)
}
