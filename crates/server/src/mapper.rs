//! The visual field mapper's side of the server: what it needs from the program that owns the
//! configuration file, and the checks it runs on a mapping while a person edits it.
//!
//! Mapping entries travel as JSON objects with the keys of a `[[flows.<flow>.fields]]` entry
//! of the configuration file (`netsuite`, `salesforce`, `direction`, `values`, `lookup`,
//! `netsuite_default`, `salesforce_default`, `constant`, `expression`).

use async_trait::async_trait;
use serde::Serialize;
use serde_json::{Value, json};
use tandem_engine::mapping::Mapping;
use tandem_engine::mapping::suggest::{type_mismatch, type_name};
use tandem_engine::{FieldType, ObjectInfo};

/// A flow's mapping as the configuration file has it.
#[derive(Debug, Clone, Serialize)]
pub struct FlowMapping {
    pub flow: String,
    /// The NetSuite record type the mapping reads and writes (`customer`).
    pub netsuite_object: String,
    /// The Salesforce object the mapping reads and writes (`Account`).
    pub salesforce_object: String,
    /// Every entry in effect: the template's default entries first, unless the file replaces
    /// them with `fields`, then the file's own.
    pub entries: Vec<Value>,
    /// How many of the first entries are the template's defaults. Saving keeps them out of the
    /// file while they stay first and unchanged.
    pub template_entries: usize,
    /// The configuration file a save writes.
    pub config_path: String,
}

/// The reason the mapper could not load, convert or save a mapping.
#[derive(Debug, thiserror::Error)]
pub enum MapperError {
    #[error("flow {0} is not enabled in the configuration, so it has no mapping to edit")]
    UnknownFlow(String),
    /// An entry is malformed; the message names its key.
    #[error("{0}")]
    Invalid(String),
    /// The mapping is well formed, but `tandem check` finds problems with it.
    #[error("the mapping has {} problem(s); nothing was saved", .0.len())]
    Problems(Vec<String>),
    /// The configuration file could not be read or written, or a system could not be reached.
    #[error("{0}")]
    Failed(String),
}

/// Loads, converts and saves mappings in the configuration file, and makes the running flows
/// use a saved mapping from their next pass on. The command line implements it.
#[async_trait]
pub trait MappingEditor: Send + Sync {
    /// Returns the mapping of the enabled flow `flow` as the configuration file has it now.
    fn mapping(&self, flow: &str) -> Result<FlowMapping, MapperError>;

    /// Converts entries into the engine's mapping, as a pass would run it.
    fn rules(&self, flow: &str, entries: &[Value]) -> Result<Mapping, MapperError>;

    /// Validates `entries` as `tandem check` does and, when they pass, writes them into the
    /// configuration file (keeping its comments and layout) and reloads the flows. Returns the
    /// saved mapping.
    async fn save(&self, flow: &str, entries: &[Value]) -> Result<FlowMapping, MapperError>;
}

/// Describes a field for the mapper's lists: name, type, picklist values and whether a write
/// may set it.
pub fn field_json(info: &ObjectInfo) -> Value {
    let fields: Vec<Value> = info
        .fields
        .iter()
        .map(|field| {
            let values = match &field.field_type {
                FieldType::Picklist(values) => values.clone(),
                _ => Vec::new(),
            };
            json!({
                "name": field.name,
                "type": type_name(&field.field_type),
                "picklist": values,
                "writable": field.createable || field.updateable,
            })
        })
        .collect();
    json!({"object": info.name, "fields": fields, "unlisted_prefix": info.unlisted_prefix})
}

/// One warning about an entry, by its position in the list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EntryWarning {
    pub index: usize,
    pub message: String,
}

/// Returns the warnings of each entry: a field neither description lists, types that do not
/// fit, or value-map values outside a picklist. Sides that could not be described are not
/// checked.
pub fn entry_warnings(
    entries: &[Value],
    netsuite: Option<&ObjectInfo>,
    salesforce: Option<&ObjectInfo>,
) -> Vec<EntryWarning> {
    let mut warnings = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let name = |key: &str| entry.get(key).and_then(Value::as_str).map(str::to_string);
        let mut warn = |message: String| warnings.push(EntryWarning { index, message });
        let ns_field = name("netsuite").and_then(|n| find(netsuite, &n, &mut warn));
        let sf_field = name("salesforce").and_then(|n| find(salesforce, &n, &mut warn));
        let single = entry.get("constant").is_some() || entry.get("expression").is_some();
        let (Some(ns_type), Some(sf_type)) = (ns_field, sf_field) else {
            continue;
        };
        if single {
            continue;
        }
        let has_lookup = entry.get("lookup").and_then(Value::as_str).is_some();
        let references = matches!(ns_type, FieldType::Reference(_))
            && matches!(sf_type, FieldType::Reference(_));
        if references && !has_lookup {
            warn("both fields are record references: set a lookup so IDs are translated".into());
        } else if !has_lookup && let Some(reason) = type_mismatch(&ns_type, &sf_type) {
            warn(reason);
        }
        if let Some(values) = entry.get("values").and_then(Value::as_object) {
            picklist_warnings(values, &ns_type, &sf_type, &mut warn);
        }
    }
    warnings
}

/// Returns the type of a listed field, warning about a field the description lacks.
fn find(info: Option<&ObjectInfo>, name: &str, warn: &mut impl FnMut(String)) -> Option<FieldType> {
    let info = info?;
    match info.field(name) {
        Some(field) => Some(field.field_type.clone()),
        None if info.is_unlisted(name) || name.contains('.') || name.contains("[]") => None,
        None => {
            warn(format!("{} has no field {name}", info.name));
            None
        }
    }
}

/// Warns about value-map values that the picklist on their side does not list.
fn picklist_warnings(
    values: &serde_json::Map<String, Value>,
    netsuite: &FieldType,
    salesforce: &FieldType,
    warn: &mut impl FnMut(String),
) {
    if let FieldType::Picklist(allowed) = salesforce
        && !allowed.is_empty()
    {
        for key in values.keys().filter(|key| !allowed.contains(key)) {
            warn(format!("{key} is not a value of the Salesforce picklist"));
        }
    }
    if let FieldType::Picklist(allowed) = netsuite
        && !allowed.is_empty()
    {
        for value in values.values() {
            let text = value
                .as_str()
                .map_or_else(|| value.to_string(), str::to_string);
            if !allowed.contains(&text) {
                warn(format!("{text} is not a value of the NetSuite field"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_engine::FieldInfo;

    fn object(name: &str, fields: &[(&str, FieldType)]) -> ObjectInfo {
        ObjectInfo {
            name: name.to_string(),
            fields: fields
                .iter()
                .map(|(name, field_type)| FieldInfo {
                    name: name.to_string(),
                    field_type: field_type.clone(),
                    createable: true,
                    updateable: true,
                    external_id: false,
                })
                .collect(),
            unlisted_prefix: Some("cust".to_string()),
        }
    }

    fn sides() -> (ObjectInfo, ObjectInfo) {
        let netsuite = object(
            "customer",
            &[
                ("companyName", FieldType::Text),
                ("creditLimit", FieldType::Number),
                ("salesRep", FieldType::Reference(Vec::new())),
            ],
        );
        let salesforce = object(
            "Account",
            &[
                ("Name", FieldType::Text),
                (
                    "Rating",
                    FieldType::Picklist(vec!["Hot".into(), "Cold".into()]),
                ),
                ("OwnerId", FieldType::Reference(vec!["User".into()])),
            ],
        );
        (netsuite, salesforce)
    }

    fn warnings(entry: Value) -> Vec<String> {
        let (netsuite, salesforce) = sides();
        entry_warnings(&[entry], Some(&netsuite), Some(&salesforce))
            .into_iter()
            .map(|warning| warning.message)
            .collect()
    }

    #[test]
    fn warnings_flag_type_mismatch() {
        let found = warnings(json!({"netsuite": "creditLimit", "salesforce": "Name"}));
        assert_eq!(found.len(), 1);
        assert!(
            found[0].starts_with("number and text do not fit"),
            "{found:?}"
        );
    }

    #[test]
    fn warnings_flag_missing_field() {
        let found = warnings(json!({"netsuite": "companyNmae", "salesforce": "Name"}));
        assert_eq!(found, vec!["customer has no field companyNmae".to_string()]);
    }

    #[test]
    fn warnings_pass_unlisted_custom_fields() {
        let found = warnings(json!({"netsuite": "custentity_tier", "salesforce": "Name"}));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn warnings_flag_value_outside_picklist() {
        let entry = json!({"netsuite": "companyName", "salesforce": "Rating",
            "values": {"Hot": "A", "Warm": "B"}});
        let found = warnings(entry);
        assert_eq!(
            found,
            vec!["Warm is not a value of the Salesforce picklist".to_string()]
        );
    }

    #[test]
    fn warnings_ask_for_lookup_between_references() {
        let found = warnings(json!({"netsuite": "salesRep", "salesforce": "OwnerId"}));
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("set a lookup"), "{found:?}");
        let found = warnings(json!({"netsuite": "salesRep", "salesforce": "OwnerId",
            "lookup": "account-customer"}));
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn warnings_skip_constants() {
        let found = warnings(json!({"netsuite": "creditLimit", "constant": 5}));
        assert!(found.is_empty(), "{found:?}");
    }
}
