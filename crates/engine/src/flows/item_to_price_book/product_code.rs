//! Products that exist in Salesforce before the flow links them: an item without a linked
//! product is linked to the one unlinked product with the same `ProductCode`, instead of
//! getting a second product.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::catalog;
use super::product::ItemWork;
use crate::flows::support;
use crate::pass::{Connections, PassError};
use crate::record::{ObjectSpec, SourceRecord};

/// The `Product2` field matched against the product code the mapping gives.
const CODE_FIELD: &str = "ProductCode";

/// Adds to `existing` each unlinked product whose `ProductCode` equals the code of exactly one
/// item of the batch that has no product, keyed by that item's internal ID. Returns the
/// internal IDs of the items so matched. A code shared by several items or several unlinked
/// products matches nothing, so a product is never linked to the wrong item.
pub(super) async fn match_by_code(
    connections: &Connections,
    object: &ObjectSpec,
    works: &[ItemWork],
    existing: &mut HashMap<String, SourceRecord>,
) -> Result<BTreeSet<String>, PassError> {
    let mut items: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for work in works {
        if work.failure.is_some() || existing.contains_key(&work.ns_id) {
            continue;
        }
        if let Some(code) = support::text(&work.product, CODE_FIELD) {
            items.entry(code.to_string()).or_default().push(&work.ns_id);
        }
    }
    let codes: Vec<String> = items.keys().cloned().collect();
    let found = catalog::find(connections, object, CODE_FIELD, &codes).await?;
    let mut products: BTreeMap<String, Vec<SourceRecord>> = BTreeMap::new();
    for product in found {
        let linked = product
            .link
            .as_deref()
            .is_some_and(|link| !link.trim().is_empty());
        if let (false, Some(code)) = (linked, support::text(&product.fields, CODE_FIELD)) {
            products.entry(code.to_string()).or_default().push(product);
        }
    }
    let mut matched = BTreeSet::new();
    for (code, mut candidates) in products {
        let Some(ids) = items.get(&code) else {
            continue;
        };
        if ids.len() != 1 || candidates.len() != 1 {
            tracing::warn!(flow = super::FLOW, code = %code, items = ids.len(),
                products = candidates.len(),
                "product code is not unique; a new product is created instead of linking one");
            continue;
        }
        let product = candidates.remove(0);
        tracing::info!(flow = super::FLOW, ns_id = ids[0], sf_id = %product.id, code = %code,
            "linking item to the existing product with its product code");
        matched.insert(ids[0].to_string());
        existing.insert(ids[0].to_string(), product);
    }
    Ok(matched)
}
