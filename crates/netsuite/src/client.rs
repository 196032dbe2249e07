//! The SuiteTalk client: one pooled HTTP client, a fresh token passport per request, the
//! account's concurrency scheduler, and typed results per operation.
//!
//! The operations live in submodules by family: [`reads`](self) (`get`, `getList`, `getAll`),
//! writes (`add`, `update`, `upsert`, `delete` and their lists), searches and the other
//! operations (`getDeleted`, `getSelectValue`, `getServerTime`).

mod other;
mod reads;
mod search;
mod writes;

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use futures_util::StreamExt;
use reqwest::header::CONTENT_TYPE;
use url::Url;

use crate::config::NetSuiteConfig;
use crate::envelope::{self, Envelope};
use crate::error::Error;
use crate::governance::Scheduler;
use crate::operations::preferences::WritePreferences;
use crate::operations::search::SearchPreferences;
use crate::operations::{Operation, RequestBody, Status};
use crate::parse::Response;
use crate::passport::TokenPassport;

pub use search::MAX_SEARCH_PAGES;

/// A client for one NetSuite account.
///
/// Each request is signed with a new token passport and carries no cookies: NetSuite ties a
/// request that sends a `JSESSIONID` back to a session, and sessions allow one request at a
/// time. Clones share the HTTP connections and the concurrency scheduler, so every flow that
/// uses a clone counts against the same account limit.
#[derive(Debug, Clone)]
pub struct NetSuiteClient {
    http: reqwest::Client,
    config: Arc<NetSuiteConfig>,
    endpoint: Url,
    scheduler: Arc<Scheduler>,
    write_preferences: WritePreferences,
}

/// The status and body of one HTTP exchange.
struct RawResponse {
    status: u16,
    body: Vec<u8>,
}

/// A response parser: the body and the HTTP status in, the parsed response out.
type Parser<'a, T> = &'a (dyn Fn(&[u8], u16) -> Result<Response<T>, Error> + Sync);

impl NetSuiteClient {
    /// Checks `config` and builds the HTTP client (rustls, gzip, the configured timeouts,
    /// pooled connections, no cookie store) and the account's concurrency scheduler.
    pub fn new(config: NetSuiteConfig) -> Result<NetSuiteClient, Error> {
        let scheduler = Scheduler::new(config.concurrency_limit, config.concurrency_retry);
        NetSuiteClient::with_scheduler(config, scheduler)
    }

    /// Builds a client that shares `scheduler` with other clients of the same account.
    pub fn with_scheduler(
        config: NetSuiteConfig,
        scheduler: Arc<Scheduler>,
    ) -> Result<NetSuiteClient, Error> {
        config.validate()?;
        let endpoint = config.endpoint_url()?;
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .gzip(true)
            .build()
            .map_err(|error| Error::Config(format!("cannot build the HTTP client: {error}")))?;
        Ok(NetSuiteClient {
            http,
            write_preferences: config.write_preferences,
            config: Arc::new(config),
            endpoint,
            scheduler,
        })
    }

    /// Returns the configuration the client was built with.
    pub fn config(&self) -> &NetSuiteConfig {
        &self.config
    }

    /// Returns the account's concurrency scheduler.
    pub fn scheduler(&self) -> &Arc<Scheduler> {
        &self.scheduler
    }

    /// Returns a client that sends `preferences` with its reads and writes instead of the
    /// configured ones. It shares connections and the scheduler with this one.
    pub fn with_write_preferences(&self, preferences: WritePreferences) -> NetSuiteClient {
        NetSuiteClient {
            write_preferences: preferences,
            ..self.clone()
        }
    }

    /// Sends `body` through the scheduler and parses the response with `parse`. Concurrency
    /// faults are retried by the scheduler; a non-SOAP HTTP error becomes [`Error::Http`].
    async fn call<T>(
        &self,
        body: &dyn RequestBody,
        search_preferences: Option<&SearchPreferences>,
        parse: Parser<'_, T>,
    ) -> Result<T, Error> {
        let operation = body.operation();
        self.scheduler
            .run(operation.name(), || async move {
                let raw = self.send(body, search_preferences).await?;
                self.parse(operation, &raw, parse)
            })
            .await
    }

    /// Splits `items` into chunks of at most `size` and runs `send` on each, with as many
    /// chunks in flight as the account's concurrency limit allows, so a list operation of
    /// several requests takes about one request's time per `limit` requests. Returns the
    /// results of every chunk concatenated in the order of `items`. The first error fails
    /// the call and cancels the chunks still in flight; chunks sent before it stay written.
    async fn each_chunk<T, R, F, Fut>(
        &self,
        items: Vec<T>,
        size: usize,
        send: F,
    ) -> Result<Vec<R>, Error>
    where
        F: FnMut(Vec<T>) -> Fut,
        Fut: Future<Output = Result<Vec<R>, Error>>,
    {
        let capacity = items.len();
        let parallel = self.scheduler.limit().max(1);
        let mut chunks = futures_util::stream::iter(into_chunks(items, size))
            .map(send)
            .buffered(parallel);
        let mut results = Vec::with_capacity(capacity);
        while let Some(chunk) = chunks.next().await {
            results.extend(chunk?);
        }
        Ok(results)
    }

    /// Signs, sends and receives one request.
    async fn send(
        &self,
        body: &dyn RequestBody,
        search_preferences: Option<&SearchPreferences>,
    ) -> Result<RawResponse, Error> {
        let operation = body.operation().name();
        let passport = TokenPassport::generate(&self.config);
        let preferences = body
            .operation()
            .takes_preferences()
            .then_some(&self.write_preferences);
        let envelope = Envelope {
            version: &self.config.version,
            passport: Some(&passport),
            preferences,
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
        parse: Parser<'_, T>,
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
pub(crate) fn check_status(operation: Operation, status: &Status) -> Result<(), Error> {
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

/// Splits `items` into consecutive groups of at most `size`, keeping their order.
pub(crate) fn into_chunks<T>(items: Vec<T>, size: usize) -> Vec<Vec<T>> {
    let mut chunks = Vec::with_capacity(items.len().div_ceil(size.max(1)));
    let mut current = Vec::with_capacity(size.min(items.len()));
    for item in items {
        current.push(item);
        if current.len() == size {
            chunks.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// The error of a list response with fewer entries than the request had.
pub(crate) fn short_list() -> Error {
    Error::InvalidResponse("a list response has fewer entries than the request".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn into_chunks_keeps_order_and_limit() {
        let chunks = into_chunks((1..=450).collect::<Vec<_>>(), 200);
        let sizes: Vec<usize> = chunks.iter().map(Vec::len).collect();
        assert_eq!(sizes, [200, 200, 50]);
        assert_eq!(chunks[1][0], 201);
        assert_eq!(chunks[2][49], 450);
        assert!(into_chunks(Vec::<u8>::new(), 100).is_empty());
    }
}
