//! The field mapper's API: a flow's mapping with both objects' fields, suggested pairs and
//! warnings; a preview of a mapping on real records; and saving it to the configuration file.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use tandem_engine::actions::fields_json;
use tandem_engine::mapping::suggest::suggest;
use tandem_engine::mapping::{LookupTable, Mapping, MappingError, normalized};
use tandem_engine::{FieldValue, ObjectInfo, ObjectSpec, RecordPort, SourceRecord, System};

use super::{ApiError, ApiResult};
use crate::AppState;
use crate::mapper::{MapperError, MappingEditor, entry_warnings, field_json};

/// How far back the preview looks for a recent record when no ID is given, before it reads
/// every record of the object.
const RECENT_DAYS: i64 = 30;

impl From<MapperError> for ApiError {
    fn from(error: MapperError) -> ApiError {
        let status = match &error {
            MapperError::UnknownFlow(_) => StatusCode::NOT_FOUND,
            MapperError::Invalid(_) => StatusCode::BAD_REQUEST,
            MapperError::Problems(_) => StatusCode::UNPROCESSABLE_ENTITY,
            MapperError::Failed(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, error.to_string())
    }
}

fn editor(state: &AppState) -> Result<Arc<dyn MappingEditor>, ApiError> {
    state.runner.mapper().cloned().ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            "this server has no configuration file to edit mappings in",
        )
    })
}

/// Describes one side's object, or returns the error as text for the mapper to show.
async fn describe(port: &dyn RecordPort, object: &str) -> Result<ObjectInfo, String> {
    port.describe(object).await.map_err(|error| {
        tracing::warn!(%error, object, "mapper cannot describe the object");
        format!("{object} cannot be described: {error}")
    })
}

fn side_json(described: &Result<ObjectInfo, String>, object: &str) -> Value {
    match described {
        Ok(info) => field_json(info),
        Err(error) => json!({"object": object, "fields": [], "error": error}),
    }
}

/// Returns the fields a mapping fills or reads on `system`'s side as pairs and derived
/// targets, which suggestions leave out.
fn mapped_names(mapping: &Mapping, system: System) -> Vec<String> {
    let pairs = mapping
        .pairs
        .iter()
        .map(|pair| pair.name(system).to_string());
    let derived = mapping
        .derived
        .iter()
        .filter(|derived| derived.target == system)
        .map(|derived| derived.field.clone());
    pairs.chain(derived).collect()
}

/// `GET /api/flows/{flow}/mapping`.
pub async fn show_mapping(State(state): State<AppState>, Path(flow): Path<String>) -> ApiResult {
    let editor = editor(&state)?;
    let mapping = editor.mapping(&flow)?;
    let rules = editor.rules(&flow, &mapping.entries)?;
    let connections = state.runner.connections();
    let netsuite = describe(connections.netsuite.as_ref(), &mapping.netsuite_object).await;
    let salesforce = describe(connections.salesforce.as_ref(), &mapping.salesforce_object).await;
    let suggestions = match (&netsuite, &salesforce) {
        (Ok(ns), Ok(sf)) => suggest(
            ns,
            sf,
            &mapped_names(&rules, System::NetSuite),
            &mapped_names(&rules, System::Salesforce),
        ),
        _ => Vec::new(),
    };
    let suggestions: Vec<Value> = suggestions
        .iter()
        .map(|s| {
            json!({"netsuite": s.netsuite, "salesforce": s.salesforce,
                "direction": direction_text(s.direction), "score": s.score})
        })
        .collect();
    let warnings = entry_warnings(
        &mapping.entries,
        netsuite.as_ref().ok(),
        salesforce.as_ref().ok(),
    );
    Ok(Json(json!({
        "flow": mapping.flow,
        "config_path": mapping.config_path,
        "template_entries": mapping.template_entries,
        "entries": mapping.entries,
        "netsuite": side_json(&netsuite, &mapping.netsuite_object),
        "salesforce": side_json(&salesforce, &mapping.salesforce_object),
        "suggestions": suggestions,
        "warnings": warnings,
    })))
}

fn direction_text(direction: tandem_engine::mapping::Direction) -> &'static str {
    use tandem_engine::mapping::Direction;
    match direction {
        Direction::Both => "both",
        Direction::ToNetSuite => "to_netsuite",
        Direction::ToSalesforce => "to_salesforce",
    }
}

/// The body of a preview.
#[derive(Debug, Deserialize)]
pub struct PreviewRequest {
    pub entries: Vec<Value>,
    /// The NetSuite record to read, by internal ID; default the most recently modified.
    pub netsuite_id: Option<String>,
    /// The Salesforce record to read, by Id; default the most recently modified.
    pub salesforce_id: Option<String>,
}

/// `POST /api/flows/{flow}/mapping/preview`: reads one record of each side through the
/// ports and returns what the mapping writes to the other side from it.
pub async fn preview_mapping(
    State(state): State<AppState>,
    Path(flow): Path<String>,
    Json(request): Json<PreviewRequest>,
) -> ApiResult {
    let editor = editor(&state)?;
    let mapping = editor.mapping(&flow)?;
    let rules = editor.rules(&flow, &request.entries)?;
    let connections = state.runner.connections();
    // NOTE: every preview describes both objects again, one API call each, because nothing
    // caches descriptions; the mapper sends a preview only when asked or after an edit.
    let netsuite = describe(connections.netsuite.as_ref(), &mapping.netsuite_object).await;
    let salesforce = describe(connections.salesforce.as_ref(), &mapping.salesforce_object).await;
    let warnings = entry_warnings(
        &request.entries,
        netsuite.as_ref().ok(),
        salesforce.as_ref().ok(),
    );
    let mut sides = Vec::new();
    for (system, object, id) in [
        (
            System::NetSuite,
            &mapping.netsuite_object,
            &request.netsuite_id,
        ),
        (
            System::Salesforce,
            &mapping.salesforce_object,
            &request.salesforce_id,
        ),
    ] {
        let port = connections.port(system);
        let sample = sample(port, &rules, object, id.as_deref()).await;
        let side = match sample {
            Ok(Some(record)) => json!({
                "id": record.id,
                "fields": fields_json(&record.fields),
                "output": output(&rules, system, &record),
            }),
            Ok(None) => json!({"error": format!("there is no {object} record to preview with")}),
            Err(error) => json!({"error": error}),
        };
        sides.push(side);
    }
    let salesforce_side = sides.pop().unwrap_or_default();
    let netsuite_side = sides.pop().unwrap_or_default();
    Ok(Json(json!({
        "netsuite": netsuite_side,
        "salesforce": salesforce_side,
        "warnings": warnings,
    })))
}

/// Reads the record `id`, or else the most recently modified record, with the fields the
/// mapping reads on the port's side.
async fn sample(
    port: &dyn RecordPort,
    rules: &Mapping,
    object: &str,
    id: Option<&str>,
) -> Result<Option<SourceRecord>, String> {
    let system = port.system();
    let spec = ObjectSpec {
        name: object.to_string(),
        fields: rules.field_names(system),
        link_field: match system {
            System::NetSuite => "externalId".to_string(),
            System::Salesforce => String::new(),
        },
    };
    let failed = |error: tandem_engine::RemoteError| format!("cannot read {object}: {error}");
    if let Some(id) = id.map(str::trim).filter(|id| !id.is_empty()) {
        let records = port.read(&spec, &[id.to_string()]).await.map_err(failed)?;
        return match records.into_iter().next() {
            Some(record) => Ok(Some(record)),
            None => Err(format!("{system} has no {object} record with ID {id}")),
        };
    }
    let recent = Utc::now() - Duration::days(RECENT_DAYS);
    let mut records = port.changed_since(&spec, recent).await.map_err(failed)?;
    if records.is_empty() {
        records = port
            .changed_since(&spec, chrono::DateTime::UNIX_EPOCH)
            .await
            .map_err(failed)?;
    }
    Ok(records.into_iter().max_by_key(|record| record.modified_at))
}

/// Returns each field the mapping writes to the other side from `record`, read on `from`'s
/// side, with the value or the reason it cannot be computed.
fn output(rules: &Mapping, from: System, record: &SourceRecord) -> Vec<Value> {
    let target = from.other();
    let lookups = LookupTable::default();
    let mut rows = Vec::new();
    for pair in rules.pairs.iter().filter(|p| p.direction.allows_from(from)) {
        let source = normalized(record.fields.get(pair.name(from)));
        let converted = if source.is_blank() {
            Ok(pair
                .default_for(target)
                .cloned()
                .unwrap_or(FieldValue::Null))
        } else {
            rules.convert(pair, from, &source, &lookups)
        };
        let (value, note) = match converted {
            Ok(value) => (value, None),
            Err(MappingError::NotLinked { flow, .. }) => (
                source,
                Some(format!(
                    "shown as read: a pass translates it through flow {flow}'s cross-references"
                )),
            ),
            Err(error) => (source, Some(error.to_string())),
        };
        rows.push(json!({"field": pair.name(target), "from": pair.name(from),
            "value": value, "note": note}));
    }
    for derived in rules.derived.iter().filter(|d| d.target == target) {
        let (value, note) = match rules.evaluate(derived, &record.fields) {
            Ok(value) => (json!(value), None),
            Err(error) => (Value::Null, Some(error.to_string())),
        };
        let from_text = derived.inputs().join(", ");
        rows.push(
            json!({"field": derived.field, "from": from_text, "value": value,
            "note": note}),
        );
    }
    rows
}

/// The body of a save.
#[derive(Debug, Deserialize)]
pub struct SaveRequest {
    pub entries: Vec<Value>,
}

/// `PUT /api/flows/{flow}/mapping`: checks the mapping as `tandem check` does and, when it
/// passes, saves it to the configuration file; the flow's next pass uses it.
pub async fn save_mapping(
    State(state): State<AppState>,
    Path(flow): Path<String>,
    Json(request): Json<SaveRequest>,
) -> Response {
    let editor = match editor(&state) {
        Ok(editor) => editor,
        Err(error) => return error.into_response(),
    };
    match editor.save(&flow, &request.entries).await {
        Ok(saved) => {
            tracing::info!(flow, path = saved.config_path, "mapping saved");
            Json(json!({"saved": true, "mapping": saved})).into_response()
        }
        Err(MapperError::Problems(problems)) => {
            let message = MapperError::Problems(problems.clone()).to_string();
            let body = json!({"error": message, "problems": problems});
            (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
        }
        Err(error) => ApiError::from(error).into_response(),
    }
}
