//! `search`, `searchMoreWithId`, and walks over every page of a search.

use std::collections::HashMap;

use crate::client::NetSuiteClient;
use crate::error::Error;
use crate::operations::search::{
    AdvancedSearch, SearchMoreRequest, SearchPage, SearchPreferences, SearchRecord, SearchRequest,
    SearchRow,
};
use crate::operations::{Operation, RequestBody};
use crate::parse;
use crate::records::Record;

/// The maximum number of pages a walk reads, a bound against a server that keeps raising
/// `totalPages`. At the largest page size this is ten million records.
pub const MAX_SEARCH_PAGES: u32 = 10_000;

/// How often a walk runs its search again after its search ID expired (`INVALID_JOB_ID`).
const MAX_SEARCH_RESTARTS: u32 = 3;

impl NetSuiteClient {
    /// Runs a basic or joined search and returns its first page. Page sizes outside 5 to
    /// 1000 are rejected before sending; a failed status is [`Error::SearchPage`] with page
    /// index 1. No match is a page without records, not an error.
    pub async fn search(
        &self,
        search: &SearchRecord,
        preferences: &SearchPreferences,
    ) -> Result<SearchPage, Error> {
        preferences.validate()?;
        let request = SearchRequest::new(search)?;
        self.search_page(&request, preferences, 1).await
    }

    /// Runs an advanced search (a saved search, criteria and columns) and returns its first
    /// page, with rows when `returnSearchColumns` is true.
    pub async fn search_advanced(
        &self,
        search: &AdvancedSearch,
        preferences: &SearchPreferences,
    ) -> Result<SearchPage, Error> {
        preferences.validate()?;
        let request = SearchRequest::advanced(search)?;
        self.search_page(&request, preferences, 1).await
    }

    /// Reads page `page_index` (1-based) of an earlier search with the same credentials and
    /// account. NetSuite runs the search again for the page, and a search ID expires 15
    /// minutes after its last use (`INVALID_JOB_ID`).
    pub async fn search_more_with_id(
        &self,
        search_id: &str,
        page_index: u32,
        preferences: &SearchPreferences,
    ) -> Result<SearchPage, Error> {
        preferences.validate()?;
        let request = SearchMoreRequest::new(search_id, page_index)?;
        self.search_page(&request, preferences, page_index).await
    }

    /// Runs a search and reads every page up to `totalPages`, returning each record once.
    ///
    /// Pages may come back short or empty when records change during the walk: the walk
    /// still reads up to the highest `totalPages` a page reported, keeps the last copy of a
    /// record that appears twice, and stops without error when a page past a lowered total
    /// no longer exists. An expired search ID runs the search again and goes on from the same
    /// page. Any other failed page ends the walk with its error ([`Error::SearchPage`] names
    /// the page).
    pub async fn search_all(
        &self,
        search: &SearchRecord,
        preferences: &SearchPreferences,
    ) -> Result<Vec<Record>, Error> {
        preferences.validate()?;
        let request = SearchRequest::new(search)?;
        let mut records = UniqueRecords::default();
        self.walk(&request, preferences, |page| {
            let total = page.total_records.map(u64::from);
            records.extend(page.records);
            tandem_engine::progress::page_read(records.len() as u64, total);
        })
        .await?;
        tracing::debug!(
            record_type = %search.record_type,
            records = records.len(),
            "read every search page"
        );
        Ok(records.into_vec())
    }

    /// Runs an advanced search and reads the rows of every page, as
    /// [`NetSuiteClient::search_all`] reads records.
    pub async fn search_all_rows(
        &self,
        search: &AdvancedSearch,
        preferences: &SearchPreferences,
    ) -> Result<Vec<SearchRow>, Error> {
        preferences.validate()?;
        let request = SearchRequest::advanced(search)?;
        let mut rows = Vec::new();
        self.walk(&request, preferences, |page| rows.extend(page.rows))
            .await?;
        Ok(rows)
    }

    /// Reads every page of `request`, handing each to `take`.
    async fn walk(
        &self,
        request: &SearchRequest,
        preferences: &SearchPreferences,
        mut take: impl FnMut(SearchPage),
    ) -> Result<(), Error> {
        let first = self.search_page(request, preferences, 1).await?;
        let mut state = Walk::new(&first);
        take(first);
        let mut page_index = 2;
        while page_index <= state.total_pages {
            let search_id = state.search_id.clone().ok_or_else(|| {
                Error::InvalidResponse("a search with several pages has no searchId".to_string())
            })?;
            match self
                .search_more_with_id(&search_id, page_index, preferences)
                .await
            {
                Ok(page) => {
                    state.saw(&page, page_index)?;
                    take(page);
                    page_index += 1;
                }
                Err(error) if is_expired(&error) && state.restarts < MAX_SEARCH_RESTARTS => {
                    state.restarts += 1;
                    tracing::warn!(
                        page_index,
                        restart = state.restarts,
                        "search ID expired; searching again"
                    );
                    let again = self.search_page(request, preferences, 1).await?;
                    state.search_id = again.search_id.clone();
                    state.saw(&again, 1)?;
                    take(again);
                }
                Err(error) if is_past_the_end(&error) && page_index > state.latest_total => {
                    tracing::warn!(
                        page_index,
                        total_pages = state.latest_total,
                        "search shrank during the walk"
                    );
                    break;
                }
                Err(error) => return Err(error),
            }
        }
        Ok(())
    }

    async fn search_page(
        &self,
        request: &dyn RequestBody,
        preferences: &SearchPreferences,
        page_index: u32,
    ) -> Result<SearchPage, Error> {
        let operation = request.operation();
        let parser = move |xml: &[u8], status| parse::search_response(xml, operation, status);
        let page = self.call(request, Some(preferences), &parser).await?;
        if !page.status.is_success {
            return Err(Error::SearchPage {
                page_index,
                details: page.status.details,
            });
        }
        tracing::debug!(
            operation = operation_name(operation),
            page_index,
            total_pages = page.total_pages,
            records = page.records.len(),
            rows = page.rows.len(),
            "read a search page"
        );
        Ok(page)
    }
}

fn operation_name(operation: Operation) -> &'static str {
    operation.name()
}

/// What a walk knows about its search.
struct Walk {
    search_id: Option<String>,
    /// The highest `totalPages` any page reported.
    total_pages: u32,
    /// The `totalPages` of the last page read.
    latest_total: u32,
    restarts: u32,
}

impl Walk {
    fn new(first: &SearchPage) -> Walk {
        let total = first.total_pages.unwrap_or(0);
        Walk {
            search_id: first.search_id.clone(),
            total_pages: total,
            latest_total: total,
            restarts: 0,
        }
    }

    /// Records the counts of a page and checks the page bound.
    fn saw(&mut self, page: &SearchPage, page_index: u32) -> Result<(), Error> {
        let total = page.total_pages.unwrap_or(self.latest_total);
        if total != self.latest_total {
            tracing::warn!(
                page_index,
                before = self.latest_total,
                now = total,
                "search total pages changed during the walk"
            );
        }
        self.latest_total = total;
        self.total_pages = self.total_pages.max(total);
        if self.total_pages > MAX_SEARCH_PAGES {
            return Err(Error::InvalidResponse(format!(
                "the search reports {} pages, more than the {MAX_SEARCH_PAGES} this client reads",
                self.total_pages
            )));
        }
        Ok(())
    }
}

/// Returns true for an expired or unknown search ID.
fn is_expired(error: &Error) -> bool {
    matches!(error, Error::SearchPage { .. }) && error.code() == "INVALID_JOB_ID"
}

/// Returns true for a page index past the end of the search.
fn is_past_the_end(error: &Error) -> bool {
    matches!(error, Error::SearchPage { .. })
        && matches!(
            error.code().as_str(),
            "INVALID_SEARCH_PAGE_INDEX" | "INVALID_PAGE_INDEX"
        )
}

/// Records in first-seen order, one per internal ID, keeping the last copy of each.
#[derive(Default)]
struct UniqueRecords {
    records: Vec<Record>,
    positions: HashMap<String, usize>,
}

impl UniqueRecords {
    fn extend(&mut self, records: Vec<Record>) {
        for record in records {
            let Some(id) = record.internal_id.clone() else {
                self.records.push(record);
                continue;
            };
            match self.positions.get(&id) {
                Some(&position) => self.records[position] = record,
                None => {
                    self.positions.insert(id, self.records.len());
                    self.records.push(record);
                }
            }
        }
    }

    fn len(&self) -> usize {
        self.records.len()
    }

    fn into_vec(self) -> Vec<Record> {
        self.records
    }
}
