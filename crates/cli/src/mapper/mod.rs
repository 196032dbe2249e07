//! The web UI's field mapper on the command line's side: mappings read from and saved to the
//! configuration file, checked as `tandem check` checks them, and reloaded into the running
//! flows.

mod reload;
mod toml_file;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;
use tandem_engine::flow::Flow;
use tandem_engine::flows::{
    account_customer, contact_contact, credit_hold_alert, customer_onboarding,
    invoice_to_salesforce, item_to_price_book, opportunity_to_sales_order,
};
use tandem_engine::mapping::{Direction, Mapping};
use tandem_engine::{RecordPort, System};
use tandem_server::mapper::{FlowMapping, MapperError, MappingEditor};

use crate::check::problems;
use crate::config::mapping::rules;
use crate::config::{FileConfig, MappingEntry, MappingRules};
use crate::flows::enabled_flows;

pub use reload::{FlowSlots, reloadable};
use toml_file::{entries_in, entry_table, mapping_entries, write_entries};

/// Edits the mappings in one configuration file for a running daemon.
pub struct ConfigMapper {
    path: PathBuf,
    slots: FlowSlots,
    netsuite: Arc<dyn RecordPort>,
    salesforce: Arc<dyn RecordPort>,
    /// Held by a save from reading the file to writing it, so two saves never interleave.
    saving: tokio::sync::Mutex<()>,
}

impl ConfigMapper {
    /// Builds the editor of the configuration file `path`, whose flows run in `slots` and are
    /// checked through the two ports.
    pub fn new(
        path: &Path,
        slots: FlowSlots,
        netsuite: Arc<dyn RecordPort>,
        salesforce: Arc<dyn RecordPort>,
    ) -> ConfigMapper {
        ConfigMapper {
            path: path.to_path_buf(),
            slots,
            netsuite,
            salesforce,
            saving: tokio::sync::Mutex::new(()),
        }
    }

    fn read(&self) -> Result<String, MapperError> {
        std::fs::read_to_string(&self.path).map_err(|error| {
            MapperError::Failed(format!("cannot read {}: {error}", self.path.display()))
        })
    }

    /// Replaces the file with `text` through a file next to it, so a crash never leaves half a
    /// configuration.
    fn write(&self, text: &str) -> Result<(), MapperError> {
        let failed = |error: std::io::Error| {
            MapperError::Failed(format!("cannot write {}: {error}", self.path.display()))
        };
        let mut temporary = self.path.clone().into_os_string();
        temporary.push(".saving");
        let temporary = PathBuf::from(temporary);
        std::fs::write(&temporary, text).map_err(failed)?;
        if let Ok(metadata) = std::fs::metadata(&self.path) {
            std::fs::set_permissions(&temporary, metadata.permissions()).map_err(failed)?;
        }
        std::fs::rename(&temporary, &self.path).map_err(failed)
    }

    fn mapping_in(&self, text: &str, flow: &str) -> Result<FlowMapping, MapperError> {
        let file =
            FileConfig::parse(text).map_err(|error| MapperError::Failed(error.to_string()))?;
        let flows = enabled_flows(&file).map_err(|error| MapperError::Failed(error.to_string()))?;
        let running = flows
            .iter()
            .find(|running| running.name() == flow)
            .ok_or_else(|| MapperError::UnknownFlow(flow.to_string()))?;
        let (netsuite_object, salesforce_object) = objects(running.as_ref())?;
        let failed = |error: String| MapperError::Failed(error);
        let defaults = default_mapping(flow)
            .map(|mapping| mapping_entries(&mapping))
            .unwrap_or_default();
        let (entries, template_entries) = match entries_in(text, flow, "fields").map_err(failed)? {
            Some(fields) => (fields, 0),
            None => {
                let extra = entries_in(text, flow, "extra_fields").map_err(failed)?;
                let count = defaults.len();
                let mut entries = defaults;
                entries.extend(extra.unwrap_or_default());
                (entries, count)
            }
        };
        Ok(FlowMapping {
            flow: flow.to_string(),
            netsuite_object,
            salesforce_object,
            entries,
            template_entries,
            config_path: self.path.display().to_string(),
        })
    }
}

/// Returns the objects a flow's mapping reads and writes, from the fields the flow uses.
fn objects(flow: &dyn Flow) -> Result<(String, String), MapperError> {
    let uses = flow.fields();
    let object = |system: System| {
        let mapped = uses
            .iter()
            .find(|used| used.system == system && used.purpose == "mapping");
        mapped
            .or_else(|| uses.iter().find(|used| used.system == system))
            .map(|used| used.object.clone())
            .ok_or_else(|| {
                MapperError::Failed(format!(
                    "flow {} reads no {system} object, so it has no mapping to edit",
                    flow.name()
                ))
            })
    };
    Ok((object(System::NetSuite)?, object(System::Salesforce)?))
}

/// Returns a template's own mapping, which `fields` replaces and `extra_fields` adds to.
fn default_mapping(flow: &str) -> Option<Mapping> {
    Some(match flow {
        account_customer::FLOW => account_customer::default_mapping(),
        contact_contact::FLOW => contact_contact::default_mapping(),
        customer_onboarding::FLOW => customer_onboarding::default_mapping(),
        item_to_price_book::FLOW => item_to_price_book::default_mapping(),
        opportunity_to_sales_order::FLOW => opportunity_to_sales_order::default_mapping(),
        invoice_to_salesforce::FLOW => invoice_to_salesforce::default_mapping(),
        credit_hold_alert::FLOW => credit_hold_alert::default_mapping(),
        _ => return None,
    })
}

/// Returns the way a one-way template sends pairs that do not name a direction.
fn template_direction(flow: &str) -> Option<Direction> {
    match flow {
        item_to_price_book::FLOW | invoice_to_salesforce::FLOW | credit_hold_alert::FLOW => {
            Some(Direction::ToSalesforce)
        }
        customer_onboarding::FLOW | opportunity_to_sales_order::FLOW => Some(Direction::ToNetSuite),
        _ => None,
    }
}

/// Converts JSON entries into TOML tables and the configuration's entries, naming the entry
/// and key of a mistake.
fn parse_entries(
    flow: &str,
    entries: &[Value],
) -> Result<(Vec<toml::Table>, Vec<MappingEntry>), MapperError> {
    let mut tables = Vec::with_capacity(entries.len());
    let mut parsed = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let table = entry_table(index, entry).map_err(MapperError::Invalid)?;
        let mapping_entry: MappingEntry =
            toml::Value::Table(table.clone())
                .try_into()
                .map_err(|error: toml::de::Error| {
                    MapperError::Invalid(format!(
                        "flows.{flow}.fields[{index}]: {}",
                        error.message()
                    ))
                })?;
        tables.push(table);
        parsed.push(mapping_entry);
    }
    Ok((tables, parsed))
}

#[async_trait]
impl MappingEditor for ConfigMapper {
    fn mapping(&self, flow: &str) -> Result<FlowMapping, MapperError> {
        self.mapping_in(&self.read()?, flow)
    }

    fn rules(&self, flow: &str, entries: &[Value]) -> Result<Mapping, MapperError> {
        let (_, parsed) = parse_entries(flow, entries)?;
        let prefix = format!("flows.{flow}");
        let mut built = rules(&prefix, MappingRules::default(), Some(&parsed), &[])
            .map_err(|error| MapperError::Invalid(error.to_string()))?;
        if let Some(direction) = template_direction(flow) {
            for pair in &mut built.pairs {
                if pair.direction == Direction::Both {
                    pair.direction = direction;
                }
            }
        }
        Ok(Mapping {
            pairs: built.pairs,
            derived: built.derived,
        })
    }

    async fn save(&self, flow: &str, entries: &[Value]) -> Result<FlowMapping, MapperError> {
        let _saving = self.saving.lock().await;
        let text = self.read()?;
        let current = self.mapping_in(&text, flow)?;
        let (tables, _) = parse_entries(flow, entries)?;
        let defaults = default_mapping(flow)
            .map(|mapping| mapping_entries(&mapping))
            .unwrap_or_default();
        let (defaults, _) = parse_entries(flow, &defaults)?;
        let written =
            write_entries(&text, flow, &tables, &defaults).map_err(MapperError::Failed)?;

        let file =
            FileConfig::parse(&written).map_err(|error| MapperError::Invalid(error.to_string()))?;
        let mut checked =
            enabled_flows(&file).map_err(|error| MapperError::Invalid(error.to_string()))?;
        checked.retain(|checked| checked.name() == current.flow);
        let found = problems(&checked, self.netsuite.as_ref(), self.salesforce.as_ref())
            .await
            .map_err(|error| {
                MapperError::Failed(format!("the mapping could not be checked: {error:#}"))
            })?;
        if !found.is_empty() {
            return Err(MapperError::Problems(
                found.iter().map(ToString::to_string).collect(),
            ));
        }

        self.write(&written)?;
        let flows =
            enabled_flows(&file).map_err(|error| MapperError::Invalid(error.to_string()))?;
        let replaced = self.slots.replace(flows);
        tracing::info!(flow, ?replaced, path = %self.path.display(), "mapping saved; flows reloaded");
        self.mapping_in(&written, flow)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_mapping_round_trips_through_entries() {
        for flow in crate::flows::ORDER {
            let mapping = default_mapping(flow).unwrap();
            let entries = mapping_entries(&mapping);
            let (_, parsed) = parse_entries(flow, &entries).unwrap();
            let rebuilt = rules("p", MappingRules::default(), Some(&parsed), &[]).unwrap();
            // A value map's Salesforce values are text in the file, so the Boolean keys of
            // item-to-price-book's `isInactive` map come back as text.
            let text_keys = |pairs: &[tandem_engine::mapping::FieldPair]| {
                pairs
                    .iter()
                    .map(|pair| (pair.netsuite.clone(), pair.values.is_some()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                text_keys(&rebuilt.pairs),
                text_keys(&mapping.pairs),
                "{flow}"
            );
            let plain = |pairs: &[tandem_engine::mapping::FieldPair]| {
                pairs
                    .iter()
                    .filter(|pair| pair.values.is_none())
                    .cloned()
                    .collect::<Vec<_>>()
            };
            assert_eq!(plain(&rebuilt.pairs), plain(&mapping.pairs), "{flow}");
            assert_eq!(rebuilt.derived, mapping.derived, "{flow}");
        }
    }

    #[test]
    fn parse_entries_names_unknown_key() {
        let entries =
            vec![serde_json::json!({"netsuite": "a", "salesforce": "B", "colour": "red"})];
        let error = parse_entries("account-customer", &entries).unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("flows.account-customer.fields[0]"),
            "{message}"
        );
        assert!(message.contains("colour"), "{message}");
    }
}
