//! Items as `Product2` records: the fields the mapping and the quantity give, the upsert or
//! update of what changed, and the cross-reference that links each item to its product.

use std::collections::{BTreeSet, HashMap};

use super::prices::Price;
use super::{FLOW, INACTIVE_FIELD, INVENTORY_ITEM, PRODUCT_LINK_FIELD, QUANTITY_FIELD};
use super::{catalog, product_code};
use crate::error::{ErrorClass, RemoteError};
use crate::flows::support;
use crate::mapping::{LookupTable, Mapping, MappingError};
use crate::one_way::{OneWaySpec, Outcome, Refusal, SourceItem};
use crate::pass::{Connections, PassError};
use crate::port::WriteResult;
use crate::record::{
    FieldValue, Fields, NewRecord, ObjectSpec, RecordUpdate, SourceRecord, System,
};
use crate::state::Xref;

/// The `Product2` field that marks a product as active, so it can be added to opportunities.
const ACTIVE_FIELD: &str = "IsActive";

/// One item of a batch on its way to Salesforce, with what happened to it so far.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ItemWork {
    /// The item's internal ID.
    pub ns_id: String,
    /// The item's fields as read.
    pub source: Fields,
    /// True when the item is inactive: its product and entries are deactivated.
    pub inactive: bool,
    /// The `Product2` fields to write; `Null` clears a field on update.
    pub product: Fields,
    /// The prices the product should have.
    pub prices: Vec<Price>,
    /// The product's Id, once found or written.
    pub product_id: Option<String>,
    /// True when this pass created the product.
    pub created: bool,
    /// True when this pass wrote anything for the item.
    pub written: bool,
    /// True when this pass linked the item to a product that existed without a link.
    pub linked: bool,
    /// The first failure; the item is not written further once its product is missing.
    pub failure: Option<Outcome>,
}

impl ItemWork {
    fn new(mapping: &Mapping, object: &str, item: &SourceItem, lookups: &LookupTable) -> ItemWork {
        let fields = &item.record.fields;
        let mut work = ItemWork {
            ns_id: item.record.id.clone(),
            source: fields.clone(),
            inactive: support::flag(fields, INACTIVE_FIELD),
            product: Fields::new(),
            prices: Vec::new(),
            product_id: None,
            created: false,
            written: false,
            linked: false,
            failure: None,
        };
        match mapping.translate(System::NetSuite, fields, lookups) {
            Ok(mapped) => work.product = product_fields(mapping, object, fields, mapped),
            Err(error) => work.fail(mapping_failure(error)),
        }
        work
    }

    /// Records a failure unless an earlier one is recorded.
    pub fn fail(&mut self, outcome: Outcome) {
        if self.failure.is_none() {
            self.failure = Some(outcome);
        }
    }

    /// Records a write's error as the item's failure: deferred when transient, refused
    /// otherwise with `payload` for the dead letter.
    pub fn fail_write(&mut self, error: RemoteError, payload: Fields) {
        let outcome = support::outcome(Err(error), self.created, self.product_id.clone(), payload);
        self.fail(outcome);
    }

    /// Returns true when the item's product exists and nothing stopped the item.
    pub fn is_ready(&self) -> bool {
        self.failure.is_none() && self.product_id.is_some()
    }

    /// Returns what became of the item.
    pub fn outcome(self) -> Outcome {
        let id = self.product_id.unwrap_or_default();
        match self.failure {
            Some(failure) => failure,
            None if self.created => Outcome::Created(id),
            None if self.written => Outcome::Updated(id),
            None => Outcome::Unchanged,
        }
    }
}

/// Maps each item of a batch to its product fields.
pub(super) async fn plan(
    connections: &Connections,
    mapping: &Mapping,
    spec: &OneWaySpec,
    items: &[SourceItem],
) -> Result<Vec<ItemWork>, PassError> {
    let keys = items
        .iter()
        .flat_map(|item| mapping.lookup_keys(System::NetSuite, &item.record.fields))
        .collect();
    let lookups = LookupTable::load(connections.store.as_ref(), keys).await?;
    Ok(items
        .iter()
        .map(|item| {
            let object = &spec.objects[item.object].name;
            ItemWork::new(mapping, object, item, &lookups)
        })
        .collect())
}

/// Returns the `Product2` fields of an item: every field the mapping writes (`Null` when the
/// mapping gives no value) and, for an inventory item, the quantity available. `IsActive` is
/// false for an inactive item whatever the mapping says, and true for an active one unless
/// the mapping writes it.
fn product_fields(mapping: &Mapping, object: &str, source: &Fields, mapped: Fields) -> Fields {
    let mut fields: Fields = written_fields(mapping)
        .into_iter()
        .map(|name| (name, FieldValue::Null))
        .collect();
    fields.extend(mapped);
    let active = fields
        .entry(ACTIVE_FIELD.to_string())
        .or_insert(FieldValue::Bool(true));
    if support::flag(source, INACTIVE_FIELD) {
        *active = FieldValue::Bool(false);
    }
    if object == INVENTORY_ITEM {
        let locations = source
            .get("locationsList")
            .map_or(&[][..], FieldValue::lines);
        let total: f64 = locations
            .iter()
            .filter_map(|line| support::number(line, "quantityAvailable"))
            .sum();
        fields.insert(QUANTITY_FIELD.to_string(), FieldValue::Number(total));
    }
    fields
}

/// Returns the `Product2` fields the mapping writes.
fn written_fields(mapping: &Mapping) -> Vec<String> {
    let pairs = mapping
        .pairs
        .iter()
        .filter(|pair| pair.direction.allows_from(System::NetSuite))
        .map(|pair| pair.salesforce.clone());
    let derived = mapping
        .derived
        .iter()
        .filter(|derived| derived.target == System::Salesforce)
        .map(|derived| derived.field.clone());
    pairs.chain(derived).collect()
}

/// Returns the `Product2` object with every field the flow writes.
pub(super) fn product_object(mapping: &Mapping) -> ObjectSpec {
    let mut fields = written_fields(mapping);
    for fixed in [QUANTITY_FIELD, ACTIVE_FIELD] {
        if !fields.iter().any(|name| name.eq_ignore_ascii_case(fixed)) {
            fields.push(fixed.to_string());
        }
    }
    ObjectSpec {
        name: "Product2".to_string(),
        fields,
        link_field: PRODUCT_LINK_FIELD.to_string(),
    }
}

fn mapping_failure(error: MappingError) -> Outcome {
    let message = error.to_string();
    match error {
        MappingError::NotLinked { .. } => {
            support::waiting(System::Salesforce, Fields::new(), message)
        }
        MappingError::Expression { .. } => Outcome::Refused(Refusal {
            target_id: None,
            payload: Fields::new(),
            error: RemoteError::new(
                System::Salesforce,
                ErrorClass::Data,
                "EXPRESSION_FAILED",
                message,
            ),
        }),
    }
}

/// Creates the products that do not exist and updates the fields that differ on those that
/// do. With `match_code`, an item without a linked product is first matched to an unlinked
/// one by product code. An item whose product cannot be written fails.
pub(super) async fn write(
    connections: &Connections,
    object: &ObjectSpec,
    works: &mut [ItemWork],
    match_code: bool,
) -> Result<(), PassError> {
    let mut existing = existing_products(connections, object, works).await?;
    let matched = match match_code {
        true => product_code::match_by_code(connections, object, works, &mut existing).await?,
        false => BTreeSet::new(),
    };
    let writes = product_writes(works, &existing, &matched);

    let (indexes, records): (Vec<usize>, Vec<NewRecord>) = writes.creates.into_iter().unzip();
    let payloads: Vec<Fields> = records.iter().map(|record| record.fields.clone()).collect();
    let results = support::create(connections, System::Salesforce, object, records).await?;
    record_results(works, &indexes, payloads, results, true);

    let (indexes, records): (Vec<usize>, Vec<RecordUpdate>) = writes.updates.into_iter().unzip();
    let payloads: Vec<Fields> = records.iter().map(|record| record.fields.clone()).collect();
    let results = support::update(connections, System::Salesforce, object, records).await?;
    record_results(works, &indexes, payloads, results, false);
    Ok(())
}

/// Returns the existing products of the items that have not failed, by item internal ID.
async fn existing_products(
    connections: &Connections,
    object: &ObjectSpec,
    works: &[ItemWork],
) -> Result<HashMap<String, SourceRecord>, PassError> {
    let ids: Vec<String> = works
        .iter()
        .filter(|work| work.failure.is_none())
        .map(|work| work.ns_id.clone())
        .collect();
    let found = catalog::find(connections, object, PRODUCT_LINK_FIELD, &ids).await?;
    let mut existing = HashMap::new();
    for record in found {
        let link = record
            .link
            .clone()
            .or_else(|| support::text(&record.fields, PRODUCT_LINK_FIELD).map(str::to_string));
        if let Some(link) = link {
            existing.entry(link).or_insert(record);
        }
    }
    Ok(existing)
}

/// The products to create and the changes to existing ones, each with the index of its item.
#[derive(Debug, Default)]
struct ProductWrites {
    creates: Vec<(usize, NewRecord)>,
    updates: Vec<(usize, RecordUpdate)>,
}

/// Returns the product writes of a batch, and notes the Id of every existing product on its
/// item.
fn product_writes(
    works: &mut [ItemWork],
    existing: &HashMap<String, SourceRecord>,
    matched: &BTreeSet<String>,
) -> ProductWrites {
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    for (index, work) in works.iter_mut().enumerate() {
        if work.failure.is_some() {
            continue;
        }
        let Some(current) = existing.get(&work.ns_id) else {
            let mut fields = work.product.clone();
            fields.retain(|_, value| !value.is_blank());
            let link = work.ns_id.clone();
            creates.push((index, NewRecord { link, fields }));
            continue;
        };
        work.product_id = Some(current.id.clone());
        let changed = support::changes(&current.fields, &work.product);
        let link = matched.contains(&work.ns_id).then(|| work.ns_id.clone());
        work.linked = link.is_some();
        if !changed.is_empty() || link.is_some() {
            let update = RecordUpdate {
                id: current.id.clone(),
                fields: changed,
                link,
            };
            updates.push((index, update));
        }
    }
    ProductWrites { creates, updates }
}

fn record_results(
    works: &mut [ItemWork],
    indexes: &[usize],
    payloads: Vec<Fields>,
    results: Vec<WriteResult>,
    created: bool,
) {
    for ((index, payload), result) in indexes.iter().zip(payloads).zip(results) {
        let work = &mut works[*index];
        match result {
            Ok(written) => {
                work.product_id = Some(written.id);
                work.created = created;
                work.written = true;
            }
            Err(error) => {
                work.linked = false;
                work.fail_write(error, payload);
            }
        }
    }
}

/// Saves the cross-reference of every item whose product exists, unless the store holds it,
/// with one store call to read them and one to save those that changed.
pub(super) async fn save_xrefs(
    connections: &Connections,
    works: &[ItemWork],
) -> Result<(), PassError> {
    let store = connections.store.as_ref();
    let linked: Vec<(&String, &String)> = works
        .iter()
        .filter_map(|work| Some((&work.ns_id, work.product_id.as_ref()?)))
        .collect();
    if linked.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = linked.iter().map(|(ns_id, _)| (*ns_id).clone()).collect();
    let stored = store.xref_batch(FLOW, System::NetSuite, &ids).await?;
    let changed: Vec<Xref> = linked
        .into_iter()
        .filter(|(ns_id, product_id)| {
            stored
                .get(*ns_id)
                .is_none_or(|xref| &xref.sf_id != *product_id)
        })
        .map(|(ns_id, product_id)| Xref {
            flow: FLOW.to_string(),
            ns_id: ns_id.clone(),
            sf_id: product_id.clone(),
            ns_values: Fields::new(),
            sf_values: Fields::new(),
            ns_written: None,
            sf_written: None,
        })
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    store.save_xref_batch(&changed).await?;
    Ok(())
}
