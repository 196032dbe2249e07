//! A fake SuiteTalk endpoint on 127.0.0.1 for the HTTP tests. It records every request and
//! returns the replies a test queued, in order: recorded corpus responses, or small 2025_2
//! envelopes built here.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use tandem_engine::Secret;
use tandem_netsuite::{NetSuiteClient, NetSuiteConfig, TokenCredentials};
use url::Url;

pub const PATH: &str = "/services/NetSuitePort_2025_2";

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../corpus/netsuite");

/// Reads a recorded response from the corpus.
pub fn corpus(path: &str) -> String {
    let full = format!("{CORPUS}/{path}");
    std::fs::read_to_string(&full).unwrap_or_else(|error| panic!("cannot read {full}: {error}"))
}

/// One request as the fake endpoint received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub headers: HeaderMap,
    pub body: String,
}

impl Recorded {
    /// Returns a header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }

    /// Returns the text of the first element named `prefix:local`, attributes allowed.
    pub fn element_text(&self, local: &str) -> Option<String> {
        let needle = format!(":{local}");
        let mut from = 0;
        while let Some(found) = self.body[from..].find(&needle) {
            let at = from + found;
            let after = at + needle.len();
            let tag_start = self.body[..at].rfind('<')?;
            let is_start_tag = !self.body[tag_start..].starts_with("</");
            let ends_name = matches!(self.body[after..].chars().next(), Some('>' | ' '));
            if is_start_tag && ends_name {
                let content = self.body[after..].find('>')? + after + 1;
                let end = self.body[content..].find('<')? + content;
                return Some(self.body[content..end].to_string());
            }
            from = after;
        }
        None
    }
}

/// One queued reply.
pub struct Reply {
    pub status: u16,
    pub body: String,
    /// Time to wait before sending the reply.
    pub delay: Duration,
}

impl Reply {
    /// Builds a reply with `status` and an XML body.
    pub fn xml(status: u16, body: impl Into<String>) -> Reply {
        Reply {
            status,
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    /// Builds a reply with status 200.
    pub fn ok(body: impl Into<String>) -> Reply {
        Reply::xml(200, body)
    }
}

#[derive(Default)]
struct EndpointState {
    replies: VecDeque<Reply>,
    requests: Vec<Recorded>,
}

/// The running fake endpoint.
pub struct FakeNetSuite {
    pub url: Url,
    state: Arc<Mutex<EndpointState>>,
}

impl FakeNetSuite {
    /// Starts the endpoint on a free port of 127.0.0.1 with the given replies.
    pub async fn start(replies: Vec<Reply>) -> FakeNetSuite {
        let state = Arc::new(Mutex::new(EndpointState {
            replies: replies.into(),
            requests: Vec::new(),
        }));
        let router = Router::new()
            .route(PATH, post(answer))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, router).await.unwrap();
        });
        let url = Url::parse(&format!("http://{address}{PATH}")).unwrap();
        FakeNetSuite { url, state }
    }

    /// Returns the requests received so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// Returns a client for this endpoint with `timeout`.
    pub fn client(&self, timeout: Duration) -> NetSuiteClient {
        NetSuiteClient::new(self.config(timeout)).unwrap()
    }

    /// Returns a configuration for this endpoint with `timeout` and pages of 50.
    pub fn config(&self, timeout: Duration) -> NetSuiteConfig {
        FakeNetSuite::config_for(self.url.clone(), timeout)
    }

    /// Returns a configuration for the endpoint at `url` with `timeout` and pages of 50.
    pub fn config_for(url: Url, timeout: Duration) -> NetSuiteConfig {
        let credentials = TokenCredentials {
            consumer_key: "test-consumer-key".to_string(),
            consumer_secret: Secret::new("test-consumer-secret"),
            token_id: "test-token-id".to_string(),
            token_secret: Secret::new("test-token-secret"),
        };
        let mut config = NetSuiteConfig::new("1234567_sb1", credentials);
        config.endpoint = Some(url);
        config.timeout = timeout;
        config.page_size = 50;
        // Concurrency faults come back at once, unless a test gives the client a scheduler
        // that retries them.
        config.concurrency_retry = Duration::ZERO;
        // One request at a time, so the chunks of a list operation meet the queued replies in
        // order.
        config.concurrency_limit = 1;
        config
    }
}

async fn answer(
    State(state): State<Arc<Mutex<EndpointState>>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let reply = {
        let mut state = state.lock().unwrap();
        state.requests.push(Recorded { headers, body });
        state.replies.pop_front()
    };
    let Some(reply) = reply else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "no reply queued").into_response();
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let status = StatusCode::from_u16(reply.status).unwrap();
    // NetSuite sets a session cookie on every answer; a client with credentials per request
    // must not send it back.
    let cookie = "JSESSIONID=fake-session; Path=/";
    let content_type = "text/xml; charset=utf-8";
    (
        status,
        [
            (header::SET_COOKIE, cookie),
            (header::CONTENT_TYPE, content_type),
        ],
        reply.body,
    )
        .into_response()
}

const MESSAGES: &str = "urn:messages_2025_2.platform.webservices.netsuite.com";
const CORE: &str = "urn:core_2025_2.platform.webservices.netsuite.com";
const RELATIONSHIPS: &str = "urn:relationships_2025_2.lists.webservices.netsuite.com";

/// Wraps a response element in a 2025_2 envelope with a `documentInfo` header.
pub fn envelope(body: &str) -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/""#,
            r#" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Header>"#,
            r#"<platformMsgs:documentInfo xmlns:platformMsgs="{messages}">"#,
            "<platformMsgs:nsId>WEBSERVICES_1234567_SB1_test</platformMsgs:nsId>",
            "</platformMsgs:documentInfo></soapenv:Header><soapenv:Body>{body}</soapenv:Body>",
            "</soapenv:Envelope>"
        ),
        messages = MESSAGES,
        body = body
    )
}

/// Builds a customer record for a search page, as `platformCore:record`.
pub fn customer(internal_id: &str, company: &str, modified: &str) -> String {
    format!(
        concat!(
            r#"<platformCore:record internalId="{id}" externalId="SF-{id}" xsi:type="listRel:Customer""#,
            r#" xmlns:listRel="{relationships}">"#,
            "<listRel:companyName>{company}</listRel:companyName>",
            "<listRel:isInactive>false</listRel:isInactive>",
            "<listRel:creditLimit>1000.0</listRel:creditLimit>",
            r#"<listRel:subsidiary internalId="1"><platformCore:name>Parent</platformCore:name>"#,
            "</listRel:subsidiary>",
            "<listRel:lastModifiedDate>{modified}</listRel:lastModifiedDate>",
            "<listRel:customFieldList>",
            r#"<platformCore:customField scriptId="custentity_vip" xsi:type="platformCore:BooleanCustomFieldRef">"#,
            "<platformCore:value>true</platformCore:value></platformCore:customField>",
            "</listRel:customFieldList>",
            "</platformCore:record>"
        ),
        id = internal_id,
        relationships = RELATIONSHIPS,
        company = company,
        modified = modified
    )
}

/// Builds a successful search page. `records` is `None` for a page without `recordList`.
pub fn search_page(
    operation: &str,
    total_records: u32,
    total_pages: u32,
    page_index: u32,
    records: Option<&[String]>,
) -> String {
    let list = match records {
        Some([]) => "<platformCore:recordList/>".to_string(),
        Some(records) => format!(
            "<platformCore:recordList>{}</platformCore:recordList>",
            records.concat()
        ),
        None => String::new(),
    };
    envelope(&format!(
        concat!(
            r#"<{operation}Response xmlns="{messages}">"#,
            r#"<platformCore:searchResult xmlns:platformCore="{core}">"#,
            r#"<platformCore:status isSuccess="true"/>"#,
            "<platformCore:totalRecords>{total_records}</platformCore:totalRecords>",
            "<platformCore:pageSize>50</platformCore:pageSize>",
            "<platformCore:totalPages>{total_pages}</platformCore:totalPages>",
            "<platformCore:pageIndex>{page_index}</platformCore:pageIndex>",
            "<platformCore:searchId>WEBSERVICES_1234567_SB1_search</platformCore:searchId>",
            "{list}</platformCore:searchResult></{operation}Response>"
        ),
        operation = operation,
        messages = MESSAGES,
        core = CORE,
        total_records = total_records,
        total_pages = total_pages,
        page_index = page_index,
        list = list
    ))
}

/// Builds a failed search page with one status detail.
pub fn failed_search_page(operation: &str, code: &str, message: &str) -> String {
    envelope(&format!(
        concat!(
            r#"<{operation}Response xmlns="{messages}">"#,
            r#"<platformCore:searchResult xmlns:platformCore="{core}">"#,
            r#"<platformCore:status isSuccess="false"><platformCore:statusDetail type="ERROR">"#,
            "<platformCore:code>{code}</platformCore:code>",
            "<platformCore:message>{message}</platformCore:message>",
            "</platformCore:statusDetail></platformCore:status>",
            "</platformCore:searchResult></{operation}Response>"
        ),
        operation = operation,
        messages = MESSAGES,
        core = CORE,
        code = code,
        message = message
    ))
}

/// The outcome of one record in a write response: its IDs, or a code and message.
pub type WriteOutcome<'a> = Result<(&'a str, &'a str), (&'a str, &'a str)>;

/// Builds one `writeResponse`: success with the record's IDs, or failure with one status
/// detail.
pub fn write_entry(result: WriteOutcome<'_>) -> String {
    let inner = match result {
        Ok((internal_id, external_id)) => format!(
            concat!(
                r#"<platformCore:status isSuccess="true" xmlns:platformCore="{core}"/>"#,
                r#"<baseRef internalId="{internal_id}" externalId="{external_id}" type="customer""#,
                r#" xsi:type="platformCore:RecordRef" xmlns:platformCore="{core}"/>"#
            ),
            core = CORE,
            internal_id = internal_id,
            external_id = external_id
        ),
        Err((code, message)) => format!(
            concat!(
                r#"<platformCore:status isSuccess="false" xmlns:platformCore="{core}">"#,
                r#"<platformCore:statusDetail type="ERROR"><platformCore:code>{code}</platformCore:code>"#,
                "<platformCore:message>{message}</platformCore:message></platformCore:statusDetail>",
                "</platformCore:status>"
            ),
            core = CORE,
            code = code,
            message = message
        ),
    };
    format!("<writeResponse>{inner}</writeResponse>")
}

/// Builds the response of a single write (`add`, `update`, `upsert`).
pub fn write_response(operation: &str, result: WriteOutcome<'_>) -> String {
    let entry = write_entry(result);
    envelope(&format!(
        r#"<{operation}Response xmlns="{MESSAGES}">{entry}</{operation}Response>"#
    ))
}

/// Builds the response of a list write (`addList`, `upsertList`): one entry per record.
pub fn write_list_response(operation: &str, results: &[WriteOutcome<'_>]) -> String {
    let entries: String = results.iter().map(|result| write_entry(*result)).collect();
    envelope(&format!(
        concat!(
            r#"<{operation}Response xmlns="{messages}"><writeResponseList>{entries}"#,
            "</writeResponseList></{operation}Response>"
        ),
        operation = operation,
        messages = MESSAGES,
        entries = entries
    ))
}

/// Builds a concurrency fault as NetSuite sends it to token-based requests.
pub fn concurrency_fault() -> String {
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8"?>"#,
            r#"<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">"#,
            "<soapenv:Body><soapenv:Fault><faultcode>soapenv:Server.userException</faultcode>",
            "<faultstring>SuiteTalk concurrent request limit exceeded. Request blocked.</faultstring>",
            r#"<detail><platformFaults:exceededConcurrentRequestLimitFault xmlns:platformFaults="{faults}">"#,
            "<platformFaults:code>WS_REQUEST_BLOCKED</platformFaults:code>",
            "<platformFaults:message>SuiteTalk concurrent request limit exceeded. Request blocked.",
            "</platformFaults:message></platformFaults:exceededConcurrentRequestLimitFault>",
            "</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
        ),
        faults = "urn:faults_2025_2.platform.webservices.netsuite.com"
    )
}
