//! The `search` and `searchMoreWithId` operations: basic, joined and advanced searches.
//!
//! A search returns its first page and a search ID; the other pages are read with
//! `searchMoreWithId(searchId, pageIndex)`, which runs the search again for that page, so
//! records changed during a walk can move between pages.

mod advanced;
mod criteria;
mod groups;
mod operators;
mod target;

use std::collections::BTreeSet;
use std::io;

use quick_xml::Writer;

use crate::config::{DEFAULT_PAGE_SIZE, PAGE_SIZE_RANGE};
use crate::envelope::{bool_text, check_xml_text, qualified, text_element};
use crate::error::Error;
use crate::namespace::Namespace;
use crate::operations::{Operation, RequestBody, Status};
use crate::records::{Complex, Record};

pub use advanced::{AdvancedSearch, Column, CustomColumnKind};
pub use criteria::{
    Criterion, CriterionValue, CustomCriterion, DateOperator, Join, NumberOperator, SearchRecord,
    StringOperator,
};

use advanced::CheckedAdvanced;
use groups::CheckedCriteria;

pub(crate) use target::basic_group;

/// The `searchPreferences` header sent with every search and page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchPreferences {
    /// True returns body fields only, without sublists such as `addressbookList` or
    /// `itemList`. Searches for lines or prices need false (or a `getList` of the IDs).
    pub body_fields_only: bool,
    /// True makes an advanced search return rows with its columns; false returns records.
    pub return_search_columns: bool,
    /// Records per page, 5 to 1000.
    pub page_size: u32,
}

impl Default for SearchPreferences {
    /// Body fields only, columns for advanced searches, 1000 records per page: NetSuite's
    /// own defaults.
    fn default() -> SearchPreferences {
        SearchPreferences {
            body_fields_only: true,
            return_search_columns: true,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl SearchPreferences {
    /// Returns [`Error::Config`] when the page size is outside 5 to 1000, which NetSuite
    /// rejects for synchronous searches.
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

    /// Writes the `searchPreferences` header, children in XSD order.
    pub(crate) fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        writer
            .create_element("platformMsgs:searchPreferences")
            .write_inner_content(|writer| {
                let body_fields_only = bool_text(self.body_fields_only);
                text_element(writer, "platformMsgs:bodyFieldsOnly", body_fields_only)?;
                let columns = bool_text(self.return_search_columns);
                text_element(writer, "platformMsgs:returnSearchColumns", columns)?;
                let page_size = self.page_size.to_string();
                text_element(writer, "platformMsgs:pageSize", &page_size)
            })?;
        Ok(())
    }
}

/// One row of an advanced search: the columns of the searched record (`basic`) and of each
/// join, each with its custom field columns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchRow {
    /// The row's groups in document order: `basic` and joins (`customerJoin`). A column's
    /// value is text, or a reference for select columns.
    pub groups: Vec<(String, Complex)>,
}

impl SearchRow {
    /// Returns the group `name` (`basic`, `contactJoin`).
    pub fn group(&self, name: &str) -> Option<&Complex> {
        self.groups
            .iter()
            .find(|(group, _)| group == name)
            .map(|(_, columns)| columns)
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
    /// The page's records (basic and joined searches, and advanced searches without columns).
    pub records: Vec<Record>,
    /// The page's rows (advanced searches with columns).
    pub rows: Vec<SearchRow>,
}

/// What a search request carries.
#[derive(Debug, Clone)]
enum SearchBody {
    Basic(CheckedCriteria),
    Advanced(CheckedAdvanced),
}

/// The body of a `search` request.
pub(crate) struct SearchRequest {
    body: SearchBody,
}

impl SearchRequest {
    /// Checks a basic or joined search against its schema and sorts its criteria into XSD
    /// order.
    pub fn new(search: &SearchRecord) -> Result<SearchRequest, Error> {
        Ok(SearchRequest {
            body: SearchBody::Basic(CheckedCriteria::new(search)?),
        })
    }

    /// Checks an advanced search against its schema.
    pub fn advanced(search: &AdvancedSearch) -> Result<SearchRequest, Error> {
        Ok(SearchRequest {
            body: SearchBody::Advanced(CheckedAdvanced::new(search)?),
        })
    }

    fn search_type(&self) -> &'static crate::schema::ComplexType {
        match &self.body {
            SearchBody::Basic(criteria) => criteria.search,
            SearchBody::Advanced(advanced) => advanced.advanced,
        }
    }
}

impl RequestBody for SearchRequest {
    fn operation(&self) -> Operation {
        Operation::Search
    }

    fn namespaces(&self, namespaces: &mut BTreeSet<Namespace>) {
        namespaces.insert(self.search_type().namespace);
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let search_type = self.search_type();
        let xsi_type = qualified(search_type.namespace, search_type.name);
        writer
            .create_element("platformMsgs:search")
            .write_inner_content(|writer| {
                let mut start = writer
                    .create_element("platformMsgs:searchRecord")
                    .with_attribute(("xsi:type", xsi_type.as_str()));
                match &self.body {
                    SearchBody::Basic(criteria) if criteria.is_empty() => {
                        start.write_empty()?;
                    }
                    SearchBody::Basic(criteria) => {
                        start.write_inner_content(|writer| criteria.write_groups(writer))?;
                    }
                    SearchBody::Advanced(advanced) => {
                        if let Some(id) = &advanced.saved_search_id {
                            start = start.with_attribute(("savedSearchId", id.as_str()));
                        }
                        if let Some(id) = &advanced.saved_search_script_id {
                            start = start.with_attribute(("savedSearchScriptId", id.as_str()));
                        }
                        if advanced.has_no_children() {
                            start.write_empty()?;
                        } else {
                            start.write_inner_content(|writer| advanced.write_children(writer))?;
                        }
                    }
                }
                Ok(())
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
