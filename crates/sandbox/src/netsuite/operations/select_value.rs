//! `getSelectValue`: the values a select field accepts, each as an internal ID and a name, in
//! pages. The emulator lists the values of the fields that point at its stored lists: `currency`,
//! `terms`, `subsidiary`, `location`, `priceLevel` (also `price` on item lines) and `item`.

use super::Context;
use crate::netsuite::faults::{Fault, write_status};
use crate::netsuite::records::RecordKind;
use crate::netsuite::soap::{CORE, MESSAGES};
use crate::netsuite::state::State;
use crate::netsuite::xml::Element;

/// Values per page. NOTE: an estimate; NetSuite's documentation does not state the page size
/// of `getSelectValue`, and the recorded responses hold fewer values than this.
const PAGE_SIZE: usize = 1000;

/// Serves `getSelectValue`. A field the emulator has no list for fails with a fault that
/// names it and the fields it serves.
pub(crate) fn get_select_value(state: &State, context: &Context) -> Result<String, Fault> {
    let operation = context.operation();
    let description = operation
        .child(MESSAGES, "fieldDescription")
        .ok_or_else(|| {
            Fault::request("The getSelectValue request has no fieldDescription.".into())
        })?;
    let text = |name: &str| {
        description
            .child(CORE, name)
            .map(|element| element.trimmed_text().to_string())
    };
    let record_type = text("recordType").unwrap_or_default();
    let field = text("field").unwrap_or_default();
    let page_index: usize = operation
        .child(MESSAGES, "pageIndex")
        .and_then(|element| element.trimmed_text().parse().ok())
        .filter(|index| *index >= 1)
        .unwrap_or(1);
    let Some(kinds) = kinds_of(&field) else {
        return Err(Fault::request(format!(
            "getSelectValue of {record_type}.{field} is not emulated; the emulator serves the \
             fields currency, terms, subsidiary, location, priceLevel, price and item."
        )));
    };
    let filter = description.child(CORE, "filter").map(Filter::of);
    let mut values: Vec<(String, String)> = kinds
        .iter()
        .flat_map(|kind| state.records.of_kind(*kind))
        .map(|record| {
            let name = record
                .text(name_field(record.kind))
                .unwrap_or_default()
                .to_string();
            (record.internal_id.clone(), name)
        })
        .filter(|(_, name)| filter.as_ref().is_none_or(|filter| filter.keeps(name)))
        .collect();
    values.sort_by_key(|(_, name)| name.to_lowercase());
    let total = values.len();
    let pages = total.div_ceil(PAGE_SIZE);
    let page: Vec<&(String, String)> = values
        .iter()
        .skip((page_index - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .collect();
    let core = context.version.namespace(CORE);
    Ok(context.respond(|out| {
        out.open(
            "platformCore:getSelectValueResult",
            &[("xmlns:platformCore", &core)],
        );
        write_status(out, &[], true, context.version);
        out.text_element("platformCore:totalRecords", &[], &total.to_string());
        out.text_element("platformCore:totalPages", &[], &pages.to_string());
        if !page.is_empty() {
            out.open("platformCore:baseRefList", &[]);
            for (id, name) in page {
                out.open(
                    "platformCore:baseRef",
                    &[("internalId", id), ("xsi:type", "platformCore:RecordRef")],
                );
                out.text_element("platformCore:name", &[], name);
                out.close("platformCore:baseRef");
            }
            out.close("platformCore:baseRefList");
        }
        out.close("platformCore:getSelectValueResult");
    }))
}

/// Returns the stored lists whose records a select field points at.
fn kinds_of(field: &str) -> Option<Vec<RecordKind>> {
    let kinds = match field {
        "currency" => vec![RecordKind::Currency],
        "terms" => vec![RecordKind::Term],
        "subsidiary" => vec![RecordKind::Subsidiary],
        "location" => vec![RecordKind::Location],
        "priceLevel" | "price" => vec![RecordKind::PriceLevel],
        "item" => vec![
            RecordKind::InventoryItem,
            RecordKind::NonInventorySaleItem,
            RecordKind::ServiceSaleItem,
        ],
        _ => return None,
    };
    Some(kinds)
}

/// Returns the field that names a record of `kind` in a select list.
fn name_field(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::InventoryItem
        | RecordKind::NonInventorySaleItem
        | RecordKind::ServiceSaleItem => "itemId",
        _ => "name",
    }
}

/// A `getSelectValue` filter on the value names, compared without regard to case.
struct Filter {
    operator: String,
    value: String,
}

impl Filter {
    fn of(element: &Element) -> Filter {
        Filter {
            operator: element.attr("operator").unwrap_or("contains").to_string(),
            value: element
                .child(CORE, "filterValue")
                .map(|value| value.trimmed_text().to_lowercase())
                .unwrap_or_default(),
        }
    }

    fn keeps(&self, name: &str) -> bool {
        let name = name.to_lowercase();
        match self.operator.as_str() {
            "is" => name == self.value,
            "startsWith" => name.starts_with(&self.value),
            _ => name.contains(&self.value),
        }
    }
}
