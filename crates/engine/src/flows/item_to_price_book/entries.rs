//! Price book entries: each item's prices matched to its product's existing entries by price
//! book and currency, then written in an order Salesforce accepts.
//!
//! Salesforce rejects an entry in a custom price book while the product has no standard
//! price in that currency. So writes go in three phases. Standard entries are created, changed
//! or activated first, then every entry in the other price books is written, and standard
//! entries are deactivated last.

use std::collections::{HashMap, HashSet};

use super::catalog::{self, CURRENCY_FIELD, Catalog};
use super::prices::Price;
use super::product::ItemWork;
use crate::flows::support;
use crate::mapping::normalized;
use crate::pass::{Connections, PassError};
use crate::record::{FieldValue, Fields, ObjectSpec, RecordUpdate, SourceRecord, System};

/// When an entry write happens; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    StandardFirst,
    Others,
    StandardLast,
}

/// A write to one entry.
#[derive(Debug, Clone, PartialEq)]
enum EntryWrite {
    Insert(Fields),
    Update(RecordUpdate),
}

impl EntryWrite {
    fn payload(&self) -> Fields {
        match self {
            EntryWrite::Insert(fields) => fields.clone(),
            EntryWrite::Update(update) => update.fields.clone(),
        }
    }
}

/// Writes the entries of every item whose product exists.
pub(super) async fn write(
    connections: &Connections,
    catalog: &Catalog,
    works: &mut [ItemWork],
) -> Result<(), PassError> {
    let object = entry_object(catalog);
    let ids: Vec<String> = works
        .iter()
        .filter(|work| work.is_ready())
        .filter_map(|work| work.product_id.clone())
        .collect();
    let found = catalog::find(connections, &object, "Product2Id", &ids).await?;
    let mut existing: HashMap<String, Vec<SourceRecord>> = HashMap::new();
    for entry in found {
        if let Some(product) = support::text(&entry.fields, "Product2Id") {
            existing.entry(product.to_string()).or_default().push(entry);
        }
    }
    let mut planned = Vec::new();
    for (index, work) in works.iter().enumerate() {
        let Some(product) = work.product_id.as_deref().filter(|_| work.is_ready()) else {
            continue;
        };
        let entries = existing.get(product).map_or(&[][..], Vec::as_slice);
        let writes = plan(work, product, entries, catalog);
        planned.extend(
            writes
                .into_iter()
                .map(|(phase, write)| (phase, index, write)),
        );
    }
    for phase in [Phase::StandardFirst, Phase::Others, Phase::StandardLast] {
        let writes = planned
            .iter()
            .filter(|(planned, _, _)| *planned == phase)
            .map(|(_, index, write)| (*index, write.clone()))
            .collect();
        run(connections, &object, works, writes).await?;
    }
    Ok(())
}

/// Returns the `PricebookEntry` object with the fields the flow reads.
fn entry_object(catalog: &Catalog) -> ObjectSpec {
    let mut fields = vec!["Pricebook2Id", "Product2Id", "UnitPrice", "IsActive"];
    if catalog.multi_currency {
        fields.push(CURRENCY_FIELD);
    }
    ObjectSpec {
        name: "PricebookEntry".to_string(),
        fields: fields.into_iter().map(str::to_string).collect(),
        link_field: String::new(),
    }
}

/// Returns the writes that give one product the item's prices: entries updated where the
/// price or the active flag differs, inserted where missing, and deactivated where the item
/// has no price any more. An inactive item deactivates every entry of its product; an active
/// one only those in the price books this flow writes to.
fn plan(
    work: &ItemWork,
    product: &str,
    entries: &[SourceRecord],
    catalog: &Catalog,
) -> Vec<(Phase, EntryWrite)> {
    let active = !work.inactive;
    let mut matched = HashSet::new();
    let mut writes = Vec::new();
    for price in &work.prices {
        let book = match &price.level {
            None => catalog.standard_book.as_str(),
            Some(name) => match catalog.book_id(name) {
                Some(book) => book,
                None => continue,
            },
        };
        let standard = price.level.is_none();
        let expected = Fields::from([
            ("UnitPrice".to_string(), FieldValue::Number(price.amount)),
            ("IsActive".to_string(), FieldValue::Bool(active)),
        ]);
        let current = entries
            .iter()
            .find(|entry| is_entry_of(entry, book, price, catalog));
        let Some(current) = current else {
            let mut fields = expected;
            fields.insert("Pricebook2Id".to_string(), FieldValue::text(book));
            fields.insert("Product2Id".to_string(), FieldValue::text(product));
            if let Some(code) = &price.currency {
                fields.insert(CURRENCY_FIELD.to_string(), FieldValue::text(code));
            }
            let phase = if standard {
                Phase::StandardFirst
            } else {
                Phase::Others
            };
            writes.push((phase, EntryWrite::Insert(fields)));
            continue;
        };
        matched.insert(current.id.as_str());
        let changed = support::changes(&current.fields, &expected);
        if !changed.is_empty() {
            writes.push((update_phase(standard, active), update(current, changed)));
        }
    }
    for entry in entries
        .iter()
        .filter(|entry| !matched.contains(entry.id.as_str()))
    {
        let book = support::text(&entry.fields, "Pricebook2Id").unwrap_or_default();
        let owned = work.inactive || catalog.is_managed(book);
        if owned && support::flag(&entry.fields, "IsActive") {
            let off = Fields::from([("IsActive".to_string(), FieldValue::Bool(false))]);
            let standard = book == catalog.standard_book;
            writes.push((update_phase(standard, false), update(entry, off)));
        }
    }
    writes
}

fn update_phase(standard: bool, active: bool) -> Phase {
    match (standard, active) {
        (true, true) => Phase::StandardFirst,
        (true, false) => Phase::StandardLast,
        (false, _) => Phase::Others,
    }
}

fn update(entry: &SourceRecord, fields: Fields) -> EntryWrite {
    EntryWrite::Update(RecordUpdate {
        id: entry.id.clone(),
        fields,
        link: None,
    })
}

/// Returns true when `entry` is the product's entry in price book `book` for the price's
/// currency. Without currencies, a price book contains one entry per product.
fn is_entry_of(entry: &SourceRecord, book: &str, price: &Price, catalog: &Catalog) -> bool {
    if support::text(&entry.fields, "Pricebook2Id") != Some(book) {
        return false;
    }
    if !catalog.multi_currency {
        return true;
    }
    let currency = normalized(entry.fields.get(CURRENCY_FIELD));
    let code = currency.as_text().map(str::to_uppercase);
    code == price.currency
}

/// Sends one phase's writes and records their results on the items.
async fn run(
    connections: &Connections,
    object: &ObjectSpec,
    works: &mut [ItemWork],
    writes: Vec<(usize, EntryWrite)>,
) -> Result<(), PassError> {
    let mut inserts = Vec::new();
    let mut updates = Vec::new();
    for (index, write) in writes {
        if !works[index].is_ready() {
            continue;
        }
        let payload = write.payload();
        match write {
            EntryWrite::Insert(fields) => inserts.push((index, payload, fields)),
            EntryWrite::Update(update) => updates.push((index, payload, update)),
        }
    }
    let (targets, records): (Vec<_>, Vec<_>) = inserts
        .into_iter()
        .map(|(index, payload, fields)| ((index, payload), fields))
        .unzip();
    let results = support::insert(connections, System::Salesforce, object, records).await?;
    record(works, targets, results);
    let (targets, records): (Vec<_>, Vec<_>) = updates
        .into_iter()
        .map(|(index, payload, update)| ((index, payload), update))
        .unzip();
    let results = support::update(connections, System::Salesforce, object, records).await?;
    record(works, targets, results);
    Ok(())
}

fn record(
    works: &mut [ItemWork],
    targets: Vec<(usize, Fields)>,
    results: Vec<crate::port::WriteResult>,
) {
    for ((index, payload), result) in targets.into_iter().zip(results) {
        let work = &mut works[index];
        match result {
            Ok(_) => work.written = true,
            Err(error) => work.fail_write(error, payload),
        }
    }
}
