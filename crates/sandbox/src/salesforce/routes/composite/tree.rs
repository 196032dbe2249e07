//! `POST /composite/tree/{object}`: creates trees of new records, a parent with its children
//! nested under their child relationship name, up to 200 records in all, all or none.
//!
//! Every record names itself in `attributes.referenceId`. Records are created level by
//! level, parents first, and children get the reference to their new parent. The response
//! is 201 with `{"hasErrors": false, "results": [{"referenceId", "id"}]}`, or 400 with
//! `hasErrors` and the errors of the first record that failed, nothing created.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::invalid_input;
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::routes::{json_response, object_in_url, parse_json};
use crate::salesforce::schema::{FieldDef, ObjectDef};
use crate::salesforce::state::Org;
use crate::salesforce::validate::WriteBody;
use crate::salesforce::write::WriteStamp;

/// Most records of one tree request, over all levels.
const MAX_RECORDS: usize = 200;

/// One record of the tree, with where its parent's Id goes.
struct Node {
    object: ObjectDef,
    reference_id: String,
    fields: Map<String, Value>,
    /// Position of the parent node and the reference field that points to it.
    parent: Option<(usize, FieldDef)>,
}

/// `POST /composite/tree/{object}`.
pub(in crate::salesforce::routes) async fn tree(
    State(emulator): State<SalesforceEmulator>,
    Path((_version, object)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let definition = object_in_url(&emulator, &object)?;
    let (json, raw) = parse_json(&body)?;
    let stamp = emulator.api_stamp();
    let mut org = emulator.org();
    let nodes = read_tree(&org, &definition, &json)?;

    let savepoint = org.savepoint();
    let mut ids: Vec<String> = Vec::with_capacity(nodes.len());
    for node in &nodes {
        match create_node(&mut org, node, &ids, raw, &stamp) {
            Ok(id) => ids.push(id),
            Err(error) => {
                org.rollback_to(savepoint);
                tracing::debug!(reference_id = %node.reference_id, error = %error, "tree request failed");
                let result = json!({
                    "referenceId": node.reference_id,
                    "errors": [error.save_error()],
                });
                let body = json!({"hasErrors": true, "results": [result]});
                return Ok(json_response(StatusCode::BAD_REQUEST, &body));
            }
        }
    }
    org.release(savepoint);
    drop(org);

    let results: Vec<Value> = nodes
        .iter()
        .zip(&ids)
        .map(|(node, id)| json!({"referenceId": node.reference_id, "id": id}))
        .collect();
    tracing::debug!(records = results.len(), "ran tree request");
    Ok(json_response(
        StatusCode::CREATED,
        &json!({"hasErrors": false, "results": results}),
    ))
}

fn create_node(
    org: &mut Org,
    node: &Node,
    ids: &[String],
    raw: &str,
    stamp: &WriteStamp,
) -> Result<String, ApiError> {
    let mut fields = node.fields.clone();
    if let Some((parent, reference)) = &node.parent {
        fields.insert(reference.name.clone(), Value::String(ids[*parent].clone()));
    }
    org.create(&node.object.name, &WriteBody::top_level(fields, raw), stamp)
}

/// Flattens the tree into nodes, level by level, checking types, reference Ids and the
/// record count.
fn read_tree(org: &Org, root: &ObjectDef, json: &Value) -> Result<Vec<Node>, ApiError> {
    let top = json
        .get("records")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid_input("The request body must contain a records array".into()))?;
    let mut nodes: Vec<Node> = Vec::new();
    let mut level: Vec<Child> = top
        .iter()
        .map(|record| (record.clone(), root.clone(), None))
        .collect();
    let mut seen = HashSet::new();
    while !level.is_empty() {
        let mut next = Vec::new();
        for (record, object, parent) in level {
            let position = nodes.len();
            let (node, children) = read_node(org, &record, object, parent, position)?;
            if !seen.insert(node.reference_id.to_ascii_lowercase()) {
                return Err(invalid_input(format!(
                    "Duplicate referenceId '{}'",
                    node.reference_id
                )));
            }
            nodes.push(node);
            next.extend(children);
        }
        if nodes.len() + next.len() > MAX_RECORDS {
            return Err(invalid_input(format!(
                "A tree request takes at most {MAX_RECORDS} records"
            )));
        }
        level = next;
    }
    Ok(nodes)
}

/// A record still to read: its JSON, its object, and its parent's position and reference.
type Child = (Value, ObjectDef, Option<(usize, FieldDef)>);

/// Reads one record: its reference Id, its fields, and its children by relationship.
fn read_node(
    org: &Org,
    record: &Value,
    object: ObjectDef,
    parent: Option<(usize, FieldDef)>,
    position: usize,
) -> Result<(Node, Vec<Child>), ApiError> {
    let members = record
        .as_object()
        .ok_or_else(|| invalid_input("Every record of a tree must be a JSON object".into()))?;
    let attributes = members.get("attributes");
    let sent_type = attributes
        .and_then(|attributes| attributes.get("type"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !sent_type.eq_ignore_ascii_case(&object.name) {
        return Err(invalid_input(format!(
            "Record of type '{sent_type}' where a {} is expected",
            object.name
        )));
    }
    let reference_id = attributes
        .and_then(|attributes| attributes.get("referenceId"))
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| invalid_input("Every record of a tree needs a referenceId".into()))?
        .to_string();

    let mut fields = Map::new();
    let mut children = Vec::new();
    for (name, value) in members.iter().filter(|(name, _)| *name != "attributes") {
        let child = value
            .get("records")
            .and_then(Value::as_array)
            .and_then(|records| child_relationship(org, &object, name).map(|c| (records, c)));
        match child {
            Some((records, (child_object, reference))) => {
                for child_record in records {
                    let link = Some((position, reference.clone()));
                    children.push((child_record.clone(), child_object.clone(), link));
                }
            }
            None => {
                fields.insert(name.clone(), value.clone());
            }
        }
    }
    let node = Node {
        object,
        reference_id,
        fields,
        parent,
    };
    Ok((node, children))
}

/// Finds the child object and reference field of the child relationship `name` of `parent`.
fn child_relationship(org: &Org, parent: &ObjectDef, name: &str) -> Option<(ObjectDef, FieldDef)> {
    org.objects.iter().find_map(|object| {
        object
            .fields
            .iter()
            .find(|field| {
                field
                    .reference_to
                    .iter()
                    .any(|target| target == &parent.name)
                    && field
                        .child_relationship
                        .as_deref()
                        .is_some_and(|child| child.eq_ignore_ascii_case(name))
            })
            .map(|field| (object.clone(), field.clone()))
    })
}
