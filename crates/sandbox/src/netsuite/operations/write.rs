//! `add`, `update`, `upsert` and their `*List` forms: customers here, records of the other
//! types in [`super::write_records`].

use super::write_records::write_other;
use super::{BaseRef, Context, required_children, write_base_ref};
use crate::netsuite::customer::{CustomerInput, StoredCustomer, parse_customer, validate};
use crate::netsuite::faults::{Fault, StatusDetail, write_status};
use crate::netsuite::records::RecordKind;
use crate::netsuite::records::parse::{RecordInput, parse_record};
use crate::netsuite::soap::RELATIONSHIPS;
use crate::netsuite::state::State;
use crate::netsuite::xml::{Attribute, Element, XmlWriter};

/// The kind of write a request makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteKind {
    Add,
    Update,
    Upsert,
}

impl WriteKind {
    /// Returns the maximum number of records in one `*List` request (NetSuite's synchronous
    /// limits).
    pub(crate) fn list_limit(self) -> usize {
        match self {
            WriteKind::Add => 200,
            WriteKind::Update | WriteKind::Upsert => 100,
        }
    }
}

/// The outcome of writing one record: the error, if any, and the `baseRef` to return.
#[derive(Debug)]
pub(crate) struct WriteResult {
    pub error: Option<StatusDetail>,
    pub base_ref: Option<BaseRef>,
}

/// A record element as read from the request: a customer, a record of another served type,
/// or a record type this emulator does not hold.
enum SentRecord {
    Customer(Box<CustomerInput>),
    Other(Box<RecordInput>),
    Unserved,
}

/// Serves `add`, `update` or `upsert`.
pub(crate) fn write_one(
    state: &mut State,
    context: &Context,
    kind: WriteKind,
) -> Result<String, Fault> {
    let records = required_children(context, "record")?;
    let input = read_record(records[0], context)?;
    let result = write_record(state, &input, kind, context);
    Ok(context.respond(|out| write_response(out, &result, context)))
}

/// Serves `addList`, `updateList` or `upsertList`: every record is read first (a schema error
/// fails the whole request), then each is written in order with its own status.
pub(crate) fn write_list(
    state: &mut State,
    context: &Context,
    kind: WriteKind,
) -> Result<String, Fault> {
    let records = required_children(context, "record")?;
    if records.len() > kind.list_limit() {
        return Err(Fault::record_count(kind.list_limit()));
    }
    let inputs = records
        .iter()
        .map(|record| read_record(record, context))
        .collect::<Result<Vec<_>, _>>()?;
    let results: Vec<WriteResult> = inputs
        .iter()
        .map(|input| write_record(state, input, kind, context))
        .collect();
    Ok(context.respond(|out| {
        out.open("writeResponseList", &[]);
        write_status(out, &[], false, context.version);
        for result in &results {
            write_response(out, result, context);
        }
        out.close("writeResponseList");
    }))
}

/// Writes one record element of any served type, as the operation `kind` does: the entry
/// point of records added from Rust.
pub(crate) fn write_element(
    state: &mut State,
    record: &Element,
    kind: WriteKind,
    context: &Context,
) -> Result<WriteResult, Fault> {
    let input = read_record(record, context)?;
    Ok(write_record(state, &input, kind, context))
}

fn read_record(record: &Element, context: &Context) -> Result<SentRecord, Fault> {
    let Some(record_type) = &record.xsi_type else {
        return Err(Fault::request(format!(
            "org.xml.sax.SAXException: The record element has no xsi:type; Record is an \
             abstract type of {}.",
            context.version.namespace(crate::netsuite::soap::CORE)
        )));
    };
    if let Some(kind) = RecordKind::from_qname(&record_type.ns, &record_type.name) {
        let input = parse_record(record, kind, context.version)?;
        return Ok(SentRecord::Other(Box::new(input)));
    }
    if record_type.ns != RELATIONSHIPS || record_type.name != "Customer" {
        return Ok(SentRecord::Unserved);
    }
    let input = parse_customer(record, context.version)?;
    Ok(SentRecord::Customer(Box::new(input)))
}

fn write_record(
    state: &mut State,
    input: &SentRecord,
    kind: WriteKind,
    context: &Context,
) -> WriteResult {
    let input = match input {
        SentRecord::Customer(input) => input,
        SentRecord::Other(input) => return write_other(state, input, kind, context),
        SentRecord::Unserved => return failure(StatusDetail::unknown_record_type(), None),
    };
    let mut input = (**input).clone();
    if let Err(error) = resolve_custom_field_ids(state, &mut input) {
        return failure(error, sent_keys(&input, kind));
    }
    let result = match kind {
        WriteKind::Add => add(state, &input, context),
        WriteKind::Update => update(state, &input, context),
        WriteKind::Upsert => upsert(state, &input, context),
    };
    if let Some(error) = &result.error {
        tracing::info!(
            operation = %context.operation().name,
            record_type = "customer",
            code = error.code,
            "customer write rejected"
        );
    }
    result
}

fn add(state: &mut State, input: &CustomerInput, context: &Context) -> WriteResult {
    if input.internal_id.is_some() {
        let error = StatusDetail {
            code: "INVALID_INTERNALID",
            message: "The specified internal id is not allowed.".to_string(),
        };
        return failure(error, None);
    }
    if let Some(external_id) = &input.external_id
        && state.get_by_external_id(external_id).is_some()
    {
        return failure(StatusDetail::duplicate_entity(), None);
    }
    let mut merged = StoredCustomer::new(String::new(), context.now);
    merged.apply(input, context.now);
    let ignore_read_only = context.preference("ignoreReadOnlyFields");
    if let Some(error) = validate(input, &merged, true, ignore_read_only) {
        return failure(error, None);
    }
    if let Some(entity_id) = &merged.customer.entity_id
        && state.entity_id_taken(entity_id, "")
    {
        return failure(StatusDetail::duplicate_entity(), None);
    }
    if merged.customer.entity_id.is_none() {
        merged.customer.entity_id = Some(state.allocate_entity_id());
    }
    merged.customer.internal_id = state.allocate_internal_id();
    store(state, merged, context)
}

fn update(state: &mut State, input: &CustomerInput, context: &Context) -> WriteResult {
    let keys = sent_keys(input, WriteKind::Update);
    let existing = match (&input.internal_id, &input.external_id) {
        (Some(internal_id), _) => state.get(internal_id),
        (None, Some(external_id)) => state.get_by_external_id(external_id),
        (None, None) => return failure(StatusDetail::invalid_key(), keys),
    };
    let Some(existing) = existing else {
        return failure(StatusDetail::record_does_not_exist(), keys);
    };
    let mut merged = existing.clone();
    merged.apply(input, context.now);
    if let Some(error) = check_update(state, input, &merged, context) {
        return failure(error, keys);
    }
    store(state, merged, context)
}

fn upsert(state: &mut State, input: &CustomerInput, context: &Context) -> WriteResult {
    let keys = sent_keys(input, WriteKind::Upsert);
    if input.internal_id.is_some() {
        return failure(StatusDetail::upsert_forbids_internal_id(), keys);
    }
    let Some(external_id) = &input.external_id else {
        return failure(StatusDetail::upsert_needs_external_id(), keys);
    };
    match state.internal_id_of_external(external_id) {
        Some(internal_id) => {
            let mut keyed = input.clone();
            keyed.internal_id = Some(internal_id);
            let mut result = update(state, &keyed, context);
            if result.error.is_some() {
                result.base_ref = keys;
            }
            result
        }
        None => {
            let mut result = add(state, input, context);
            if result.error.is_some() {
                result.base_ref = keys;
            }
            result
        }
    }
}

/// Validation of an update, including the uniqueness of a changed external or entity ID.
fn check_update(
    state: &State,
    input: &CustomerInput,
    merged: &StoredCustomer,
    context: &Context,
) -> Option<StatusDetail> {
    let internal_id = &merged.customer.internal_id;
    let ignore_read_only = context.preference("ignoreReadOnlyFields");
    if let Some(error) = validate(input, merged, false, ignore_read_only) {
        return Some(error);
    }
    let external_taken = input.external_id.as_ref().is_some_and(|external_id| {
        state
            .internal_id_of_external(external_id)
            .is_some_and(|owner| owner != *internal_id)
    });
    let entity_taken = input
        .entity_id
        .as_ref()
        .is_some_and(|entity_id| state.entity_id_taken(entity_id, internal_id));
    (external_taken || entity_taken).then(StatusDetail::duplicate_entity)
}

fn store(state: &mut State, stored: StoredCustomer, context: &Context) -> WriteResult {
    let base_ref = BaseRef {
        internal_id: Some(stored.customer.internal_id.clone()),
        external_id: stored.customer.external_id.clone(),
        record_type: "customer",
    };
    tracing::debug!(
        operation = %context.operation().name,
        record_type = "customer",
        ns_id = context.ns_id,
        internal_id = %stored.customer.internal_id,
        "customer written"
    );
    state.put(stored);
    WriteResult {
        error: None,
        base_ref: Some(base_ref),
    }
}

/// Fills in custom field internal IDs from the account's registry, and script IDs of fields
/// sent by internal ID only.
fn resolve_custom_field_ids(
    state: &mut State,
    input: &mut CustomerInput,
) -> Result<(), StatusDetail> {
    for field in &mut input.custom_fields {
        if field.script_id.is_empty() {
            let internal_id = field.internal_id.as_deref().unwrap_or_default();
            field.script_id = state
                .custom_field_script_id(internal_id)
                .ok_or_else(StatusDetail::invalid_key)?;
        }
        let id = state.custom_field_id(&field.script_id, field.internal_id.as_deref());
        field.internal_id = Some(id);
    }
    for raw in &mut input.raw_custom_fields {
        identify_raw_custom_field(state, raw)?;
    }
    Ok(())
}

/// Gives a custom field kept as sent both its `internalId` and `scriptId` attributes, as
/// NetSuite writes them back.
fn identify_raw_custom_field(state: &mut State, raw: &mut Element) -> Result<(), StatusDetail> {
    let sent_internal_id = raw.attr("internalId").map(str::to_string);
    let script_id = match raw.attr("scriptId") {
        Some(script_id) => script_id.to_string(),
        None => state
            .custom_field_script_id(sent_internal_id.as_deref().unwrap_or_default())
            .ok_or_else(StatusDetail::invalid_key)?,
    };
    let internal_id = state.custom_field_id(&script_id, sent_internal_id.as_deref());
    raw.attrs
        .retain(|a| a.name != "internalId" && a.name != "scriptId");
    let attribute = |name: &str, value: String| Attribute {
        ns: String::new(),
        name: name.to_string(),
        value,
    };
    raw.attrs.insert(0, attribute("scriptId", script_id));
    raw.attrs.insert(0, attribute("internalId", internal_id));
    Ok(())
}

/// Returns the keys a failed update or upsert echoes in its `baseRef`. Failed adds carry no
/// `baseRef`, as in the recorded responses.
fn sent_keys(input: &CustomerInput, kind: WriteKind) -> Option<BaseRef> {
    (kind != WriteKind::Add).then(|| BaseRef {
        internal_id: input.internal_id.clone(),
        external_id: input.external_id.clone(),
        record_type: "customer",
    })
}

pub(crate) fn failure(error: StatusDetail, base_ref: Option<BaseRef>) -> WriteResult {
    WriteResult {
        error: Some(error),
        base_ref,
    }
}

pub(crate) fn write_response(out: &mut XmlWriter, result: &WriteResult, context: &Context) {
    out.open("writeResponse", &[]);
    let details: Vec<StatusDetail> = result.error.iter().cloned().collect();
    write_status(out, &details, false, context.version);
    if let Some(base_ref) = &result.base_ref {
        write_base_ref(out, base_ref, context.version);
    }
    out.close("writeResponse");
}
