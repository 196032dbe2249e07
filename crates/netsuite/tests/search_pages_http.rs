//! `search_all` reads the pages after the first in parallel, against a fake SuiteTalk endpoint
//! on 127.0.0.1 that builds each response from the request's page index and counts the
//! requests in flight.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use support::{FakeNetSuite, PATH, customer, failed_search_page, search_page};
use tandem_engine::ErrorClass;
use tandem_netsuite::{Error, NetSuiteClient, SearchPreferences, SearchRecord};

const TIMEOUT: Duration = Duration::from_secs(10);

/// The fake's delay per request: long enough that pages sent at once overlap.
const DELAY: Duration = Duration::from_millis(30);

const MODIFIED: &str = "2025-03-01T02:00:00.000-08:00";

/// The search ID of the first `search`; a later `search` returns another one.
const FIRST_SEARCH_ID: &str = "WEBSERVICES_1234567_SB1_search";

/// The pages the fake serves, and the requests it received.
#[derive(Default)]
struct Pages {
    total_pages: u32,
    /// A page whose `searchMoreWithId` fails with `INSUFFICIENT_PERMISSION`.
    failing_page: Option<u32>,
    /// Pages from which the first search ID is reported expired (`INVALID_JOB_ID`).
    expired_from: Option<u32>,
    searches: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// The page index of every `searchMoreWithId`, in arrival order.
    requested: Mutex<Vec<u32>>,
}

impl Pages {
    fn requested(&self) -> Vec<u32> {
        self.requested.lock().unwrap().clone()
    }

    /// Builds the reply to one request.
    fn reply(&self, body: &str) -> String {
        let Some(page_index) = element(body, "pageIndex") else {
            let count = self.searches.fetch_add(1, Ordering::SeqCst);
            let page = self.page("search", 1);
            return match count {
                0 => page,
                _ => page.replace(FIRST_SEARCH_ID, "WEBSERVICES_1234567_SB1_again"),
            };
        };
        let page_index: u32 = page_index.parse().unwrap();
        self.requested.lock().unwrap().push(page_index);
        let search_id = element(body, "searchId").unwrap();
        let expired = self
            .expired_from
            .is_some_and(|from| page_index >= from && search_id == FIRST_SEARCH_ID);
        if expired {
            return failed_search_page("searchMoreWithId", "INVALID_JOB_ID", "expired");
        }
        if self.failing_page == Some(page_index) {
            return failed_search_page(
                "searchMoreWithId",
                "INSUFFICIENT_PERMISSION",
                "Permission Violation",
            );
        }
        self.page("searchMoreWithId", page_index)
    }

    /// Builds page `page_index` with two customers, `{page}01` and `{page}02`.
    fn page(&self, operation: &str, page_index: u32) -> String {
        let records = [
            customer(&format!("{page_index}01"), "A", MODIFIED),
            customer(&format!("{page_index}02"), "B", MODIFIED),
        ];
        let total_records = self.total_pages * 2;
        search_page(
            operation,
            total_records,
            self.total_pages,
            page_index,
            Some(&records),
        )
    }
}

/// Returns the text of the first element whose local name is `local`.
fn element(body: &str, local: &str) -> Option<String> {
    let start = body.find(&format!(":{local}>"))? + local.len() + 2;
    let end = body[start..].find('<')? + start;
    Some(body[start..end].to_string())
}

async fn answer(State(pages): State<Arc<Pages>>, body: String) -> impl IntoResponse {
    let now = pages.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    pages.max_in_flight.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(DELAY).await;
    let reply = pages.reply(&body);
    pages.in_flight.fetch_sub(1, Ordering::SeqCst);
    ([(header::CONTENT_TYPE, "text/xml; charset=utf-8")], reply)
}

/// Starts the fake with `pages` and returns a client with `limit` requests at once.
async fn start(pages: Arc<Pages>, limit: usize) -> NetSuiteClient {
    let router = Router::new().route(PATH, post(answer)).with_state(pages);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let url = format!("http://{address}{PATH}").parse().unwrap();
    let mut config = FakeNetSuite::config_for(url, TIMEOUT);
    config.concurrency_limit = limit;
    NetSuiteClient::new(config).unwrap()
}

fn preferences() -> SearchPreferences {
    SearchPreferences {
        page_size: 5,
        ..SearchPreferences::default()
    }
}

/// Returns the internal IDs of pages `from..=to` in page order.
fn ids_of_pages(from: u32, to: u32) -> Vec<String> {
    (from..=to)
        .flat_map(|page| [format!("{page}01"), format!("{page}02")])
        .collect()
}

#[tokio::test]
async fn search_all_reads_pages_in_parallel_in_order() {
    let pages = Arc::new(Pages {
        total_pages: 9,
        ..Pages::default()
    });
    let client = start(pages.clone(), 3).await;

    let records = client
        .search_all(&SearchRecord::new("customer"), &preferences())
        .await
        .unwrap();

    let ids: Vec<String> = records
        .into_iter()
        .map(|record| record.internal_id.unwrap())
        .collect();
    assert_eq!(ids, ids_of_pages(1, 9));
    let mut requested = pages.requested();
    requested.sort_unstable();
    assert_eq!(requested, (2..=9).collect::<Vec<u32>>());
    assert_eq!(
        pages.max_in_flight.load(Ordering::SeqCst),
        3,
        "pages were not read up to the concurrency limit at once"
    );
    assert_eq!(client.scheduler().max_in_flight(), 3);
}

#[tokio::test]
async fn search_all_fails_with_index_of_failed_page() {
    let pages = Arc::new(Pages {
        total_pages: 12,
        failing_page: Some(5),
        ..Pages::default()
    });
    let client = start(pages.clone(), 3).await;

    let error = client
        .search_all(&SearchRecord::new("customer"), &preferences())
        .await
        .unwrap_err();

    let Error::SearchPage {
        page_index,
        details,
    } = &error
    else {
        panic!("expected a search page error, got {error}");
    };
    assert_eq!(*page_index, 5);
    assert_eq!(details[0].code, "INSUFFICIENT_PERMISSION");
    assert_eq!(error.class(), ErrorClass::Config);
    let requested = pages.requested();
    assert!(
        requested.iter().all(|&page| page <= 7),
        "pages past those in flight were requested after the failure: {requested:?}"
    );
    assert_eq!(
        pages.in_flight.load(Ordering::SeqCst),
        0,
        "a page request outlived the search"
    );
}

#[tokio::test]
async fn search_all_searches_again_when_parallel_pages_expire() {
    let pages = Arc::new(Pages {
        total_pages: 6,
        expired_from: Some(3),
        ..Pages::default()
    });
    let client = start(pages.clone(), 3).await;

    let records = client
        .search_all(&SearchRecord::new("customer"), &preferences())
        .await
        .unwrap();

    let ids: Vec<String> = records
        .into_iter()
        .map(|record| record.internal_id.unwrap())
        .collect();
    assert_eq!(ids, ids_of_pages(1, 6));
    assert_eq!(pages.searches.load(Ordering::SeqCst), 2);
    let requested = pages.requested();
    let third_page_reads = requested.iter().filter(|&&page| page == 3).count();
    assert_eq!(
        third_page_reads, 2,
        "page 3 was not read again: {requested:?}"
    );
}

#[tokio::test]
async fn search_all_limit_one_reads_sequentially() {
    let pages = Arc::new(Pages {
        total_pages: 4,
        ..Pages::default()
    });
    let client = start(pages.clone(), 1).await;

    client
        .search_all(&SearchRecord::new("customer"), &preferences())
        .await
        .unwrap();

    assert_eq!(pages.requested(), [2, 3, 4]);
    assert_eq!(pages.max_in_flight.load(Ordering::SeqCst), 1);
}
