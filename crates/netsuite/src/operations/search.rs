//! The `search` and `searchMoreWithId` operations with basic search criteria.
//!
//! A search returns its first page and a search ID; the other pages are read with
//! `searchMoreWithId(searchId, pageIndex)`, which runs the search again for that page, so
//! records changed during a walk can move between pages.

mod criteria;

use std::io;

use quick_xml::Writer;

use crate::config::{DEFAULT_PAGE_SIZE, PAGE_SIZE_RANGE};
use crate::envelope::{check_xml_text, qualified, text_element};
use crate::error::Error;
use crate::operations::{Operation, RequestBody, Status};
use crate::records::{Record, SearchSchema, search_schema_for};

pub use criteria::{Criterion, CriterionValue, DateOperator, SearchRecord, StringOperator};

use criteria::{check_criterion, write_criterion};

/// The `searchPreferences` header sent with every search and page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchPreferences {
    /// True returns body fields only, without sublists such as `addressbookList`.
    pub body_fields_only: bool,
    /// Records per page, 5 to 1000.
    pub page_size: u32,
}

impl Default for SearchPreferences {
    /// Body fields only, 1000 records per page: NetSuite's own defaults.
    fn default() -> SearchPreferences {
        SearchPreferences {
            body_fields_only: true,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl SearchPreferences {
    /// Returns [`Error::Config`] when the page size is outside 5 to 1000.
    pub fn validate(&self) -> Result<(), Error> {
        if PAGE_SIZE_RANGE.contains(&self.page_size) {
            Ok(())
        } else {
            Err(Error::Config(format!(
                "invalid search page size {}: NetSuite accepts 5 to 1000",
                self.page_size
            )))
        }
    }
}

/// One page of search results (`searchResult`).
///
/// An empty result has `total_records` and `total_pages` 0, no `page_size` and no
/// `page_index`, and no records.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    /// The page status. The client turns a failed status into [`Error::SearchPage`].
    pub status: Status,
    /// Records matching the search, over all pages.
    pub total_records: Option<u32>,
    /// Records per page.
    pub page_size: Option<u32>,
    /// Pages of the search, as counted when this page was read.
    pub total_pages: Option<u32>,
    /// 1-based index of this page.
    pub page_index: Option<u32>,
    /// The ID that `searchMoreWithId` reads the other pages with.
    pub search_id: Option<String>,
    /// The page's records. Advanced searches return rows (`searchRowList`) instead, which
    /// this client skips.
    pub records: Vec<Record>,
}

/// The body of a `search` request.
pub(crate) struct SearchRequest {
    schema: &'static SearchSchema,
    /// Criteria sorted by XSD position.
    criteria: Vec<Criterion>,
}

impl SearchRequest {
    /// Checks each criterion against the search schema and sorts them into XSD order.
    pub fn new(search: &SearchRecord) -> Result<SearchRequest, Error> {
        let schema = search_schema_for(&search.record_type).ok_or_else(|| {
            Error::Config(format!(
                "NetSuite record type `{}` cannot be searched yet; supported: customer",
                search.record_type
            ))
        })?;
        let mut positioned = Vec::with_capacity(search.criteria.len());
        for criterion in &search.criteria {
            positioned.push((check_criterion(schema, criterion)?, criterion.clone()));
        }
        positioned.sort_by_key(|(position, _)| *position);
        if positioned.windows(2).any(|pair| pair[0].0 == pair[1].0) {
            return Err(Error::Config(
                "a search criterion field is given twice".to_string(),
            ));
        }
        Ok(SearchRequest {
            schema,
            criteria: positioned
                .into_iter()
                .map(|(_, criterion)| criterion)
                .collect(),
        })
    }
}

impl RequestBody for SearchRequest {
    fn operation(&self) -> Operation {
        Operation::Search
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let xsi_type = qualified(self.schema.namespace, self.schema.type_name);
        writer
            .create_element("platformMsgs:search")
            .write_inner_content(|writer| {
                let start = writer
                    .create_element("platformMsgs:searchRecord")
                    .with_attribute(("xsi:type", xsi_type.as_str()));
                if self.criteria.is_empty() {
                    start.write_empty()?;
                    return Ok(());
                }
                start.write_inner_content(|writer| self.write_basic(writer))?;
                Ok(())
            })?;
        Ok(())
    }
}

impl SearchRequest {
    fn write_basic(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let basic = qualified(self.schema.namespace, "basic");
        writer
            .create_element(basic.as_str())
            .write_inner_content(|writer| {
                self.criteria
                    .iter()
                    .try_for_each(|criterion| write_criterion(writer, criterion))
            })?;
        Ok(())
    }
}

/// The body of a `searchMoreWithId` request.
pub(crate) struct SearchMoreRequest {
    search_id: String,
    page_index: u32,
}

impl SearchMoreRequest {
    /// Builds a request for page `page_index` (1-based) of the search `search_id`.
    pub fn new(search_id: &str, page_index: u32) -> Result<SearchMoreRequest, Error> {
        if search_id.is_empty() || page_index == 0 {
            return Err(Error::Config(format!(
                "searchMoreWithId needs a search ID and a page index from 1 (got {search_id:?}, \
                 {page_index})"
            )));
        }
        check_xml_text("searchId", search_id)?;
        Ok(SearchMoreRequest {
            search_id: search_id.to_string(),
            page_index,
        })
    }
}

impl RequestBody for SearchMoreRequest {
    fn operation(&self) -> Operation {
        Operation::SearchMoreWithId
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        writer
            .create_element("platformMsgs:searchMoreWithId")
            .write_inner_content(|writer| {
                text_element(writer, "platformMsgs:searchId", &self.search_id)?;
                text_element(
                    writer,
                    "platformMsgs:pageIndex",
                    &self.page_index.to_string(),
                )
            })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
