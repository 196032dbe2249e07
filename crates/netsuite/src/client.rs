//! The SuiteTalk client: one pooled HTTP client, a fresh token passport per request, and
//! typed results per operation.

use std::collections::HashMap;
use std::time::Instant;

use reqwest::header::CONTENT_TYPE;
use url::Url;

use crate::config::NetSuiteConfig;
use crate::envelope::{self, Envelope};
use crate::error::Error;
use crate::operations::get::GetRequest;
use crate::operations::search::{
    SearchMoreRequest, SearchPage, SearchPreferences, SearchRecord, SearchRequest,
};
use crate::operations::write::{WriteRequest, WriteResponse};
use crate::operations::{Operation, RequestBody, Status};
use crate::parse::{self, Response};
use crate::passport::TokenPassport;
use crate::records::{Record, RecordRef};

/// The maximum number of pages [`NetSuiteClient::search_all`] reads, a bound against a server
/// that keeps raising `totalPages`. At the largest page size this is ten million records.
pub const MAX_SEARCH_PAGES: u32 = 10_000;

/// A client for one NetSuite account.
///
/// Each request is signed with a new token passport and carries no cookies: NetSuite ties a
/// request that sends a `JSESSIONID` back to a session, and sessions allow one request at a
/// time. The client is cheap to share by reference; its HTTP connections are pooled.
#[derive(Debug, Clone)]
pub struct NetSuiteClient {
    http: reqwest::Client,
    config: NetSuiteConfig,
    endpoint: Url,
}

/// The status and body of one HTTP exchange.
struct RawResponse {
    status: u16,
    body: Vec<u8>,
}

impl NetSuiteClient {
    /// Checks `config` and builds the HTTP client (rustls, gzip, the configured timeout, no
    /// cookie store).
    pub fn new(config: NetSuiteConfig) -> Result<NetSuiteClient, Error> {
        config.validate()?;
        let endpoint = config.endpoint_url()?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .gzip(true)
            .build()
            .map_err(|error| Error::Config(format!("cannot build the HTTP client: {error}")))?;
        Ok(NetSuiteClient {
            http,
            config,
            endpoint,
        })
    }

    /// Returns the configuration the client was built with.
    pub fn config(&self) -> &NetSuiteConfig {
        &self.config
    }

    /// Reads one record. A rejection such as `INVALID_KEY_OR_REF` (no such record) is
    /// [`Error::Record`].
    pub async fn get(&self, reference: &RecordRef) -> Result<Record, Error> {
        let request = GetRequest::new(reference)?;
        let raw = self.send(&request, None).await?;
        let read = self.parse(Operation::Get, &raw, parse::get_response)?;
        check_status(Operation::Get, &read.status)?;
        read.record.ok_or_else(|| {
            Error::InvalidResponse("a successful readResponse has no record".to_string())
        })
    }

    /// Adds one record and returns the reference NetSuite assigned.
    pub async fn add(&self, record: &Record) -> Result<RecordRef, Error> {
        self.write(Operation::Add, record).await
    }

    /// Updates one record, found by its internal ID (or external ID), with the fields it
    /// carries; fields it does not carry stay as they are.
    pub async fn update(&self, record: &Record) -> Result<RecordRef, Error> {
        self.write(Operation::Update, record).await
    }

    /// Adds or updates one record keyed by its external ID, so that sending it twice leaves
    /// one record.
    pub async fn upsert(&self, record: &Record) -> Result<RecordRef, Error> {
        self.write(Operation::Upsert, record).await
    }

    /// Runs a search and returns its first page. A failed status is [`Error::SearchPage`]
    /// with page index 1.
    pub async fn search(
        &self,
        search: &SearchRecord,
        preferences: &SearchPreferences,
    ) -> Result<SearchPage, Error> {
        preferences.validate()?;
        let request = SearchRequest::new(search)?;
        self.search_page(&request, preferences, 1).await
    }

    /// Reads page `page_index` (1-based) of an earlier search. NetSuite runs the search again
    /// for the page, and a search ID expires 15 minutes after its last use
    /// (`INVALID_JOB_ID`).
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
    /// Pages may come back short or empty when records change during the walk. The walk
    /// still reads up to the highest `totalPages` any page reported, and keeps the last copy
    /// of a record that appears twice. A page that fails ends the walk with its error
    /// ([`Error::SearchPage`] names the page).
    pub async fn search_all(
        &self,
        search: &SearchRecord,
        preferences: &SearchPreferences,
    ) -> Result<Vec<Record>, Error> {
        let first = self.search(search, preferences).await?;
        let mut total_pages = first.total_pages.unwrap_or(0);
        let search_id = first.search_id.clone();
        let mut records = UniqueRecords::default();
        records.extend(first.records);
        let mut page_index = 2;
        while page_index <= total_pages {
            let search_id = search_id.as_deref().ok_or_else(|| {
                Error::InvalidResponse("a search with several pages has no searchId".to_string())
            })?;
            let page = self
                .search_more_with_id(search_id, page_index, preferences)
                .await?;
            total_pages = total_pages.max(page.total_pages.unwrap_or(0));
            if total_pages > MAX_SEARCH_PAGES {
                return Err(Error::InvalidResponse(format!(
                    "the search reports {total_pages} pages, more than the {MAX_SEARCH_PAGES} \
                     this client reads"
                )));
            }
            records.extend(page.records);
            page_index += 1;
        }
        tracing::debug!(
            record_type = %search.record_type,
            pages = total_pages,
            records = records.len(),
            "read every search page"
        );
        Ok(records.into_vec())
    }

    async fn write(&self, operation: Operation, record: &Record) -> Result<RecordRef, Error> {
        let request = WriteRequest::new(operation, record)?;
        let raw = self.send(&request, None).await?;
        let response = self.parse(operation, &raw, |xml, status| {
            parse::write_response(xml, operation, status)
        })?;
        written_ref(operation, record, response)
    }

    async fn search_page(
        &self,
        request: &dyn RequestBody,
        preferences: &SearchPreferences,
        page_index: u32,
    ) -> Result<SearchPage, Error> {
        let operation = request.operation();
        let raw = self.send(request, Some(preferences)).await?;
        let page = self.parse(operation, &raw, |xml, status| {
            parse::search_response(xml, operation, status)
        })?;
        if !page.status.is_success {
            return Err(Error::SearchPage {
                page_index,
                details: page.status.details,
            });
        }
        tracing::debug!(
            page_index,
            total_pages = page.total_pages,
            records = page.records.len(),
            "read a search page"
        );
        Ok(page)
    }

    /// Signs, sends and receives one request.
    async fn send(
        &self,
        body: &dyn RequestBody,
        search_preferences: Option<&SearchPreferences>,
    ) -> Result<RawResponse, Error> {
        let operation = body.operation().name();
        let passport = TokenPassport::generate(&self.config);
        let envelope = Envelope {
            version: &self.config.version,
            passport: Some(&passport),
            search_preferences,
            body,
        };
        let xml = envelope.render();
        log_request_body(&envelope);

        let started = Instant::now();
        let response = self
            .http
            .post(self.endpoint.clone())
            .header(CONTENT_TYPE, envelope::CONTENT_TYPE)
            .header("SOAPAction", format!("\"{operation}\""))
            .body(xml)
            .send()
            .await
            .map_err(|error| self.transport_error(error))?;

        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|error| self.transport_error(error))?
            .to_vec();

        tracing::debug!(
            operation,
            http_status = status,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "NetSuite request finished"
        );
        tracing::trace!(operation, body = %String::from_utf8_lossy(&body), "NetSuite response body");
        Ok(RawResponse { status, body })
    }

    /// Parses a response, turning a non-SOAP error page into [`Error::Http`].
    fn parse<T>(
        &self,
        operation: Operation,
        raw: &RawResponse,
        parse: impl FnOnce(&[u8], u16) -> Result<Response<T>, Error>,
    ) -> Result<T, Error> {
        let is_http_error = !(200..300).contains(&raw.status);
        match parse(&raw.body, raw.status) {
            Ok(response) => {
                tracing::debug!(
                    operation = operation.name(),
                    ns_request_id = response.ns_request_id.as_deref().unwrap_or(""),
                    "NetSuite response"
                );
                Ok(response.body)
            }
            Err(Error::InvalidResponse(reason)) if is_http_error => {
                tracing::debug!(
                    operation = operation.name(),
                    http_status = raw.status,
                    %reason,
                    "HTTP error without a SOAP body"
                );
                Err(Error::Http { status: raw.status })
            }
            Err(error) => Err(error),
        }
    }

    fn transport_error(&self, error: reqwest::Error) -> Error {
        if error.is_timeout() {
            Error::Timeout {
                timeout: self.config.timeout,
            }
        } else {
            Error::Connection(error)
        }
    }
}

/// Logs the request at trace level, rendered again without the token passport so that no
/// signature reaches a log.
fn log_request_body(envelope: &Envelope<'_>) {
    if !tracing::enabled!(tracing::Level::TRACE) {
        return;
    }
    let redacted = Envelope {
        passport: None,
        ..*envelope
    };
    let xml = redacted.render();
    tracing::trace!(
        operation = envelope.body.operation().name(),
        body = %String::from_utf8_lossy(&xml),
        "NetSuite request body (token passport removed)"
    );
}

/// Fails on an unsuccessful status and logs warnings of a successful one.
fn check_status(operation: Operation, status: &Status) -> Result<(), Error> {
    if !status.is_success {
        return Err(Error::Record {
            operation: operation.name(),
            details: status.details.clone(),
        });
    }
    for warning in status.warnings() {
        tracing::warn!(
            operation = operation.name(),
            code = %warning.code,
            message = %warning.message,
            "NetSuite accepted the request with a warning"
        );
    }
    Ok(())
}

fn written_ref(
    operation: Operation,
    record: &Record,
    response: WriteResponse,
) -> Result<RecordRef, Error> {
    check_status(operation, &response.status)?;
    let base_ref = response.base_ref.unwrap_or_default();
    if base_ref.internal_id.is_none() {
        return Err(Error::InvalidResponse(format!(
            "a successful {} response has no internal ID",
            operation.name()
        )));
    }
    tracing::debug!(
        operation = operation.name(),
        record_type = %record.record_type,
        ns_id = base_ref.internal_id.as_deref().unwrap_or(""),
        "NetSuite wrote a record"
    );
    Ok(base_ref)
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
