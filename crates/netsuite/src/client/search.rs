//! `search`, `searchMoreWithId`, and walks over every page of a search.

use std::collections::HashMap;
use std::ops::{ControlFlow, RangeInclusive};

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
    /// The pages after the first are read as many at once as the account's concurrency
    /// limit allows, and taken in page order.
    ///
    /// Pages may come back short or empty when records change during the walk: the walk
    /// still reads up to the highest `totalPages` a page reported, keeps the last copy of a
    /// record that appears twice, and stops without error when a page past a lowered total
    /// no longer exists. An expired search ID runs the search again and goes on from the same
    /// page. Any other failed page ends the walk with its error ([`Error::SearchPage`] names
    /// the page), once the page requests already sent have finished.
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

    /// Reads every page of `request`, handing each to `take` in page order.
    ///
    /// The first page gives `totalPages` and the search ID. The later pages are then read as
    /// many at once as the account's concurrency limit allows, because `searchMoreWithId`
    /// takes any page index. When a page reports more pages than were known, the walk reads
    /// those next.
    async fn walk(
        &self,
        request: &SearchRequest,
        preferences: &SearchPreferences,
        mut take: impl FnMut(SearchPage),
    ) -> Result<(), Error> {
        let first = self.search_page(request, preferences, 1).await?;
        let mut state = Walk::new(&first);
        state.saw(&first, 1)?;
        take(first);
        let mut next_page = 2;
        while next_page <= state.total_pages {
            let search_id = state.search_id.clone().ok_or_else(|| {
                Error::InvalidResponse("a search with several pages has no searchId".to_string())
            })?;
            let pages = next_page..=state.total_pages;
            let stop = self
                .read_pages(
                    &search_id,
                    pages.clone(),
                    preferences,
                    &mut state,
                    &mut take,
                )
                .await;
            match stop {
                None => next_page = pages.end() + 1,
                Some(Stop::Expired { page_index }) => {
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
                    next_page = page_index;
                }
                Some(Stop::Shrank) => break,
                Some(Stop::Failed(error)) => return Err(error),
            }
        }
        Ok(())
    }

    /// Reads `pages` of search `search_id` in parallel through the scheduler and hands them
    /// to `take` in page order. Returns why it stopped before the last page, if it did.
    async fn read_pages(
        &self,
        search_id: &str,
        pages: RangeInclusive<u32>,
        preferences: &SearchPreferences,
        state: &mut Walk,
        take: &mut impl FnMut(SearchPage),
    ) -> Option<Stop> {
        let reads = pages.map(|page_index| async move {
            let page = self
                .search_more_with_id(search_id, page_index, preferences)
                .await;
            (page_index, page)
        });
        self.scheduler
            .in_order(reads, |(page_index, page)| {
                match state.judge(page_index, page) {
                    Ok(page) => {
                        take(page);
                        ControlFlow::Continue(())
                    }
                    Err(stop) => ControlFlow::Break(stop),
                }
            })
            .await
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

/// The reason a walk stopped before the last page it had planned.
enum Stop {
    /// The search ID expired at this page; the walk searches again and goes on from it.
    Expired { page_index: u32 },
    /// A page past a lowered `totalPages` no longer exists; the walk ends without error.
    Shrank,
    /// A page failed; the walk fails with this error.
    Failed(Error),
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

    /// Checks the outcome of page `page_index`, read in page order: the page to take, or why
    /// the walk stops here.
    fn judge(
        &mut self,
        page_index: u32,
        page: Result<SearchPage, Error>,
    ) -> Result<SearchPage, Stop> {
        match page {
            Ok(page) => match self.saw(&page, page_index) {
                Ok(()) => Ok(page),
                Err(error) => Err(Stop::Failed(error)),
            },
            Err(error) if is_expired(&error) && self.restarts < MAX_SEARCH_RESTARTS => {
                Err(Stop::Expired { page_index })
            }
            Err(error) if is_past_the_end(&error) && page_index > self.latest_total => {
                tracing::warn!(
                    page_index,
                    total_pages = self.latest_total,
                    "search shrank during the walk"
                );
                Err(Stop::Shrank)
            }
            Err(error) => Err(Stop::Failed(error)),
        }
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
