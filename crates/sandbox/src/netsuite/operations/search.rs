//! `search` and `searchMoreWithId` over customers, contacts, transactions, items, locations,
//! subsidiaries, price levels and terms.
//!
//! A search ID keeps the criteria, not the results: every `searchMoreWithId` evaluates them
//! again, so records changed between pages move between pages or drop out, as NetSuite
//! documents. Results are ordered by internal ID.

use std::time::Instant;

use super::Context;
use super::criteria::Criteria;
use super::record_criteria::RecordCriteria;
use crate::netsuite::customer::{RecordContext, StoredCustomer, write_customer};
use crate::netsuite::faults::{Fault, StatusDetail, write_status};
use crate::netsuite::records::render::{RecordPlace, write_record};
use crate::netsuite::records::{ACCOUNTING, RecordKind, SALES, StoredRecord};
use crate::netsuite::soap::{COMMON, CORE, MESSAGES, RELATIONSHIPS};
use crate::netsuite::state::{IdKey, State};
use crate::netsuite::xml::{Element, XmlWriter};

/// The page size of a search without a `pageSize` preference.
const DEFAULT_PAGE_SIZE: usize = 1000;
/// The page sizes NetSuite accepts for synchronous searches.
const PAGE_SIZES: std::ops::RangeInclusive<i64> = 5..=1000;

/// The records a search covers, with its criteria.
#[derive(Debug, Clone)]
enum Target {
    Customers(Criteria),
    Records(RecordCriteria),
}

/// One search result.
#[derive(Debug, Clone, Copy)]
enum Hit<'a> {
    Customer(&'a StoredCustomer),
    Record(&'a StoredRecord),
}

/// A search kept for `searchMoreWithId`.
#[derive(Debug, Clone)]
pub(crate) struct StoredSearch {
    target: Target,
    page_size: usize,
    body_fields_only: bool,
    /// The page count of the first response. Pages up to it stay valid when records drop out
    /// of the results, so they come back short or empty instead of failing.
    first_total_pages: usize,
    last_used: Instant,
}

/// One page to write, or the first response of a search that found nothing.
struct Page<'a> {
    search_id: &'a str,
    total_records: usize,
    page_size: usize,
    page_index: usize,
    records: Vec<Hit<'a>>,
    body_fields_only: bool,
}

/// Serves `search`: evaluates the criteria, stores them under a new search ID (the response's
/// `nsId`, as in recorded responses) and returns the first page.
pub(crate) fn search(state: &mut State, context: &Context) -> Result<String, Fault> {
    let search_record = context
        .operation()
        .child(MESSAGES, "searchRecord")
        .ok_or_else(|| Fault::request("The search request has no searchRecord.".to_string()))?;
    let prepared = page_size(context).and_then(|size| Ok((size, read_target(search_record)?)));
    let (page_size, target) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => return Ok(failed(context, &error)),
    };
    forget_expired_searches(state);
    let body_fields_only = context
        .search_preference("bodyFieldsOnly")
        .is_none_or(|value| !matches!(value, "false" | "0"));
    let total = matching(state, &target).len();
    let stored = StoredSearch {
        target,
        page_size,
        body_fields_only,
        first_total_pages: total.div_ceil(page_size),
        last_used: Instant::now(),
    };
    state
        .searches
        .insert(context.ns_id.to_string(), stored.clone());
    Ok(respond_with_page(state, context, context.ns_id, &stored, 1))
}

/// Serves `searchMoreWithId`: checks the search ID and page index, then evaluates the stored
/// criteria again for that page.
pub(crate) fn search_more_with_id(state: &mut State, context: &Context) -> Result<String, Fault> {
    let operation = context.operation();
    let search_id = operation
        .child(MESSAGES, "searchId")
        .map(|e| e.trimmed_text().to_string())
        .unwrap_or_default();
    let page_index: i64 = operation
        .child(MESSAGES, "pageIndex")
        .and_then(|e| e.trimmed_text().parse().ok())
        .unwrap_or(0);
    let ttl = state.settings.search_ttl;
    let Some(stored) = state.searches.get_mut(&search_id) else {
        return Ok(failed(
            context,
            &StatusDetail::invalid_search_id(&search_id),
        ));
    };
    if stored.last_used.elapsed() > ttl {
        state.searches.remove(&search_id);
        return Ok(failed(
            context,
            &StatusDetail::invalid_search_id(&search_id),
        ));
    }
    stored.last_used = Instant::now();
    let stored = stored.clone();
    let total = matching(state, &stored.target).len();
    let last_page = stored
        .first_total_pages
        .max(total.div_ceil(stored.page_size));
    match usize::try_from(page_index) {
        Ok(index) if (1..=last_page).contains(&index) => Ok(respond_with_page(
            state, context, &search_id, &stored, index,
        )),
        _ => Ok(failed(
            context,
            &StatusDetail::invalid_page_index(page_index, last_page),
        )),
    }
}

fn respond_with_page(
    state: &State,
    context: &Context,
    search_id: &str,
    stored: &StoredSearch,
    page_index: usize,
) -> String {
    let matching = matching(state, &stored.target);
    let records = matching
        .iter()
        .skip((page_index - 1) * stored.page_size)
        .take(stored.page_size)
        .copied()
        .collect();
    let page = Page {
        search_id,
        total_records: matching.len(),
        page_size: stored.page_size,
        page_index,
        records,
        body_fields_only: stored.body_fields_only,
    };
    let first_response = context.operation().name == "search";
    context.respond(|out| write_search_result(out, &page, first_response, context))
}

/// Reads the `searchRecord` of a basic search: customers, contacts, transactions, items or one
/// of the reference lists that have a search, with their basic criteria. Joins and advanced searches are not evaluated.
fn read_target(search_record: &Element) -> Result<Target, StatusDetail> {
    let Some(record_type) = &search_record.xsi_type else {
        return Err(StatusDetail::unknown_record_type());
    };
    let families: [(&str, &str, &str, &[RecordKind]); 7] = [
        (
            SALES,
            "TransactionSearch",
            "TransactionSearchBasic",
            &[
                RecordKind::SalesOrder,
                RecordKind::Invoice,
                RecordKind::CustomerPayment,
            ],
        ),
        (
            ACCOUNTING,
            "ItemSearch",
            "ItemSearchBasic",
            &[
                RecordKind::InventoryItem,
                RecordKind::NonInventorySaleItem,
                RecordKind::ServiceSaleItem,
            ],
        ),
        (
            RELATIONSHIPS,
            "ContactSearch",
            "ContactSearchBasic",
            &[RecordKind::Contact],
        ),
        (
            ACCOUNTING,
            "LocationSearch",
            "LocationSearchBasic",
            &[RecordKind::Location],
        ),
        (
            ACCOUNTING,
            "SubsidiarySearch",
            "SubsidiarySearchBasic",
            &[RecordKind::Subsidiary],
        ),
        (
            ACCOUNTING,
            "PriceLevelSearch",
            "PriceLevelSearchBasic",
            &[RecordKind::PriceLevel],
        ),
        (
            ACCOUNTING,
            "TermSearch",
            "TermSearchBasic",
            &[RecordKind::Term],
        ),
    ];
    for (ns, search, basic, kinds) in families {
        let criteria = if record_type.ns == COMMON && record_type.name == basic {
            RecordCriteria::parse(kinds.to_vec(), basic, Some(search_record))?
        } else if record_type.ns == ns && record_type.name == search {
            if let Some(join) = search_record.children.iter().find(|c| c.name != "basic") {
                return Err(StatusDetail::unsupported_search_field(&join.name));
            }
            let basic_element = search_record.child(ns, "basic");
            RecordCriteria::parse(kinds.to_vec(), basic, basic_element)?
        } else {
            continue;
        };
        return Ok(Target::Records(criteria));
    }
    Criteria::parse(search_record).map(Target::Customers)
}

/// Returns the records that meet a search's criteria, in internal ID order.
fn matching<'a>(state: &'a State, target: &Target) -> Vec<Hit<'a>> {
    match target {
        Target::Customers(criteria) => state
            .customers()
            .filter(|c| criteria.matches(c))
            .map(Hit::Customer)
            .collect(),
        Target::Records(criteria) => {
            let mut hits: Vec<&StoredRecord> = criteria
                .kinds()
                .iter()
                .flat_map(|kind| state.records.of_kind(*kind))
                .filter(|record| criteria.matches(record))
                .collect();
            hits.sort_by_key(|record| IdKey::of(&record.internal_id));
            hits.into_iter().map(Hit::Record).collect()
        }
    }
}

/// Reads the `pageSize` preference; absent means 1000.
fn page_size(context: &Context) -> Result<usize, StatusDetail> {
    let Some(text) = context.search_preference("pageSize") else {
        return Ok(DEFAULT_PAGE_SIZE);
    };
    let size: i64 = text.parse().unwrap_or(0);
    if !PAGE_SIZES.contains(&size) {
        return Err(StatusDetail::invalid_page_size(size));
    }
    usize::try_from(size).map_err(|_| StatusDetail::invalid_page_size(size))
}

fn forget_expired_searches(state: &mut State) {
    let ttl = state.settings.search_ttl;
    state
        .searches
        .retain(|_, search| search.last_used.elapsed() <= ttl);
}

/// Writes `platformCore:searchResult`. A first response that found nothing has no
/// `pageSize`/`pageIndex` and an empty `recordList`; a later page with no records has no
/// `recordList` at all. Both shapes are the ones NetSuite returns.
fn write_search_result(out: &mut XmlWriter, page: &Page, first_response: bool, context: &Context) {
    let core = context.version.namespace(CORE);
    out.open(
        "platformCore:searchResult",
        &[("xmlns:platformCore", &core)],
    );
    write_status(out, &[], true, context.version);
    let total_pages = page.total_records.div_ceil(page.page_size);
    out.text_element(
        "platformCore:totalRecords",
        &[],
        &page.total_records.to_string(),
    );
    let empty_search = first_response && page.total_records == 0;
    if !empty_search {
        out.text_element("platformCore:pageSize", &[], &page.page_size.to_string());
    }
    out.text_element("platformCore:totalPages", &[], &total_pages.to_string());
    if !empty_search {
        out.text_element("platformCore:pageIndex", &[], &page.page_index.to_string());
    }
    out.text_element("platformCore:searchId", &[], page.search_id);
    if empty_search {
        out.empty("platformCore:recordList", &[]);
    } else if !page.records.is_empty() {
        write_records(out, page, context);
    }
    out.close("platformCore:searchResult");
}

fn write_records(out: &mut XmlWriter, page: &Page, context: &Context) {
    out.open("platformCore:recordList", &[]);
    let record = RecordContext {
        element: "platformCore:record",
        core_in_scope: true,
        body_fields_only: page.body_fields_only,
    };
    let place = RecordPlace {
        element: "platformCore:record",
        core_in_scope: true,
        body_fields_only: page.body_fields_only,
    };
    for hit in &page.records {
        match hit {
            Hit::Customer(stored) => write_customer(out, stored, record, context.version),
            Hit::Record(stored) => write_record(out, stored, place, context.version),
        }
    }
    out.close("platformCore:recordList");
}

/// Writes a failed search: a `searchResult` whose status carries the error (HTTP 200).
fn failed(context: &Context, error: &StatusDetail) -> String {
    tracing::info!(
        operation = %context.operation().name,
        code = error.code,
        ns_id = context.ns_id,
        "search rejected"
    );
    let core = context.version.namespace(CORE);
    context.respond(|out| {
        out.open(
            "platformCore:searchResult",
            &[("xmlns:platformCore", &core)],
        );
        write_status(out, std::slice::from_ref(error), true, context.version);
        out.close("platformCore:searchResult");
    })
}
