//! The SOAP operations the emulator serves, dispatched on the body element's local name in the
//! messages namespace.

pub(crate) mod criteria;
mod customization;
mod delete;
mod deleted;
mod get_all;
pub(crate) mod read;
mod record_criteria;
pub(crate) mod search;
mod select_value;
pub(crate) mod write;
mod write_records;

use chrono::{DateTime, Utc};

use super::faults::{Fault, messages_ns};
use super::soap::{CORE, MESSAGES, Request};
use super::state::State;
use super::xml::{Element, Version, XmlWriter};

/// Everything an operation needs to know about the request it serves.
#[derive(Debug)]
pub(crate) struct Context<'a> {
    pub request: &'a Request,
    pub version: Version,
    pub ns_id: &'a str,
    pub now: DateTime<Utc>,
}

impl Context<'_> {
    /// Returns the operation element (`<add>`, `<search>`...).
    pub fn operation(&self) -> &Element {
        &self.request.operation
    }

    /// Returns true when the `preferences` header sets this boolean preference.
    pub fn preference(&self, name: &str) -> bool {
        self.request
            .headers_named("preferences")
            .filter_map(|prefs| prefs.child_named(name))
            .any(|value| matches!(value.trimmed_text(), "true" | "1"))
    }

    /// Returns the children of the search preferences header, accepting the capitalised
    /// `SearchPreferences` with unqualified children that a common Ruby client sends and
    /// NetSuite honours.
    pub fn search_preference(&self, name: &str) -> Option<&str> {
        self.request
            .headers
            .iter()
            .filter(|h| h.ns == MESSAGES)
            .filter(|h| h.name == "searchPreferences" || h.name == "SearchPreferences")
            .find_map(|prefs| prefs.child_named(name))
            .map(Element::trimmed_text)
    }

    /// Writes `<{operation}Response xmlns="urn:messages_...">` around `body`.
    pub fn respond(&self, body: impl FnOnce(&mut XmlWriter)) -> String {
        let wrapper = format!("{}Response", self.operation().name);
        let messages = messages_ns(self.version);
        super::soap::response(self.ns_id, self.version, |out| {
            out.open(&wrapper, &[("xmlns", &messages)]);
            body(out);
            out.close(&wrapper);
        })
    }
}

/// The operations this emulator serves, by the local name of their body element.
pub(crate) const OPERATIONS: [&str; 18] = [
    "add",
    "addList",
    "update",
    "updateList",
    "upsert",
    "upsertList",
    "delete",
    "deleteList",
    "get",
    "getList",
    "getAll",
    "search",
    "searchMoreWithId",
    "getDeleted",
    "getSelectValue",
    "getServerTime",
    "getItemAvailability",
    "getCustomizationId",
];

/// Returns true for the operations this emulator serves.
pub(crate) fn is_supported(name: &str) -> bool {
    OPERATIONS.contains(&name)
}

/// Runs the operation of an authenticated request and returns the response document.
pub(crate) fn dispatch(state: &mut State, context: &Context) -> Result<String, Fault> {
    match context.operation().name.as_str() {
        "add" => write::write_one(state, context, write::WriteKind::Add),
        "update" => write::write_one(state, context, write::WriteKind::Update),
        "upsert" => write::write_one(state, context, write::WriteKind::Upsert),
        "addList" => write::write_list(state, context, write::WriteKind::Add),
        "updateList" => write::write_list(state, context, write::WriteKind::Update),
        "upsertList" => write::write_list(state, context, write::WriteKind::Upsert),
        "delete" => delete::delete(state, context),
        "deleteList" => delete::delete_list(state, context),
        "getDeleted" => deleted::get_deleted(state, context),
        "getItemAvailability" => read::item_availability(state, context),
        "get" => read::get(state, context),
        "getList" => read::get_list(state, context),
        "getAll" => get_all::get_all(state, context),
        "getSelectValue" => select_value::get_select_value(state, context),
        "getServerTime" => Ok(read::server_time(context)),
        "getCustomizationId" => customization::get_customization_id(state, context),
        "search" => search::search(state, context),
        "searchMoreWithId" => search::search_more_with_id(state, context),
        other => Err(Fault::request(format!("No such operation '{other}'"))),
    }
}

/// A `baseRef` of a write response: the keys of the record and its type.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct BaseRef {
    pub internal_id: Option<String>,
    pub external_id: Option<String>,
    /// The `RecordType` value, such as `customer`.
    pub record_type: &'static str,
}

/// Writes `<baseRef internalId externalId type xsi:type="platformCore:RecordRef">`.
pub(crate) fn write_base_ref(out: &mut XmlWriter, base_ref: &BaseRef, version: Version) {
    let core = version.namespace(CORE);
    let mut attrs = Vec::new();
    if let Some(internal_id) = &base_ref.internal_id {
        attrs.push(("internalId", internal_id.as_str()));
    }
    if let Some(external_id) = &base_ref.external_id {
        attrs.push(("externalId", external_id.as_str()));
    }
    attrs.push(("type", base_ref.record_type));
    attrs.push(("xsi:type", "platformCore:RecordRef"));
    attrs.push(("xmlns:platformCore", core.as_str()));
    out.empty("baseRef", &attrs);
}

/// Returns the children of the operation element with this local name in the messages
/// namespace, faulting when there are none.
pub(crate) fn required_children<'a>(
    context: &'a Context,
    name: &str,
) -> Result<Vec<&'a Element>, Fault> {
    let children: Vec<&Element> = context
        .operation()
        .children
        .iter()
        .filter(|c| c.is(MESSAGES, name))
        .collect();
    if children.is_empty() {
        return Err(Fault::request(format!(
            "The {} request has no {name} element.",
            context.operation().name
        )));
    }
    Ok(children)
}
