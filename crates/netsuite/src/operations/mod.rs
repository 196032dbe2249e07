//! SuiteTalk operations: request bodies and response types, one module per operation family.
//!
//! - [`get`]: `get`, which returns a `readResponse`.
//! - [`write`]: `add`, `update` and `upsert`, which return a `writeResponse`.
//! - [`search`]: `search` and `searchMoreWithId`, which return a `searchResult`.

pub mod get;
pub mod search;
pub mod write;

use std::io;

use quick_xml::Writer;

/// The operations this client sends. The name is the body element, the `SOAPAction` value
/// and, with `Response` appended, the response element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operation {
    Get,
    Add,
    Update,
    Upsert,
    Search,
    SearchMoreWithId,
}

impl Operation {
    /// Returns the operation name (`get`, `searchMoreWithId`).
    pub fn name(self) -> &'static str {
        match self {
            Operation::Get => "get",
            Operation::Add => "add",
            Operation::Update => "update",
            Operation::Upsert => "upsert",
            Operation::Search => "search",
            Operation::SearchMoreWithId => "searchMoreWithId",
        }
    }

    /// Returns the name of the response element (`getResponse`).
    pub fn response_name(self) -> &'static str {
        match self {
            Operation::Get => "getResponse",
            Operation::Add => "addResponse",
            Operation::Update => "updateResponse",
            Operation::Upsert => "upsertResponse",
            Operation::Search => "searchResponse",
            Operation::SearchMoreWithId => "searchMoreWithIdResponse",
        }
    }
}

/// The kind of a status detail (`type` attribute, `ERROR` when absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusDetailType {
    Error,
    Warn,
    Info,
}

impl StatusDetailType {
    /// Reads the `type` attribute. `WARN` and any other value starting with `WARN` are
    /// warnings, `INFO` is information, anything else (and no attribute) is an error.
    pub fn parse(value: Option<&str>) -> StatusDetailType {
        match value.map(str::trim) {
            Some(value) if value.starts_with("WARN") => StatusDetailType::Warn,
            Some("INFO") => StatusDetailType::Info,
            _ => StatusDetailType::Error,
        }
    }
}

/// One `statusDetail`: a NetSuite code and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusDetail {
    /// Error, warning or information.
    pub detail_type: StatusDetailType,
    /// NetSuite's code, such as `DUP_ENTITY` or `WARNING`; empty when NetSuite sent none.
    pub code: String,
    /// NetSuite's message, such as "This entity already exists."; empty when NetSuite sent
    /// none.
    pub message: String,
    /// True when the record was saved but a script that runs after saving failed.
    pub after_submit_failed: Option<bool>,
}

/// The `status` of a response or search result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The `isSuccess` attribute. A success may still carry warnings.
    pub is_success: bool,
    /// The `statusDetail` entries in document order.
    pub details: Vec<StatusDetail>,
}

impl Status {
    /// Returns the details of type WARN.
    pub fn warnings(&self) -> impl Iterator<Item = &StatusDetail> {
        self.details
            .iter()
            .filter(|detail| detail.detail_type == StatusDetailType::Warn)
    }
}

/// The body element of one request.
pub(crate) trait RequestBody: Sync {
    /// Returns the operation the body belongs to.
    fn operation(&self) -> Operation;

    /// Writes the body element. The value was checked when it was built, so only the writer
    /// can fail.
    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()>;
}
