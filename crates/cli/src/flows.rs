//! The enabled flows, built from the `[flows.<name>]` tables of the configuration file.
//!
//! Every template has a table of the same name. `account-customer` runs unless its table
//! sets `enabled = false`. Every other template runs when its table is present, unless the
//! table sets `enabled = false`. Flows run in the order of [`ORDER`], so that parents are linked
//! before the records that need them: companies before their contacts and orders, items
//! before order lines.

use chrono::TimeDelta;
use serde::de::DeserializeOwned;
use tandem_engine::System;
use tandem_engine::flow::Flow;
use tandem_engine::flows::account_customer::{self, AccountCustomerSettings};
use tandem_engine::flows::contact_contact::{self, ContactSettings};
use tandem_engine::flows::support::StatusFields;
use tandem_engine::flows::{DEFAULT_OVERLAP, Settings};
use tandem_engine::flows::{
    credit_hold_alert, customer_onboarding, invoice_to_salesforce, item_to_price_book,
    opportunity_to_sales_order,
};
use tandem_engine::mapping::{Derived, Direction, FieldPair, Mapping};
use tandem_engine::two_way::{
    ConflictSettings, Creates, DeleteSettings, MatchSettings, TwoWaySpec,
};

use crate::config::mapping::rules;
use crate::config::{
    ConfigError, FileConfig, FlowSection, FlowsSection, MappingRules, TemplateSection,
    plain_message, without_values,
};

/// The templates, in the order their passes run.
pub const ORDER: [&str; 7] = [
    "account-customer",
    "contact-contact",
    "customer-onboarding",
    "item-to-price-book",
    "opportunity-to-sales-order",
    "invoice-to-salesforce",
    "credit-hold-alert",
];

/// Builds every enabled flow, in [`ORDER`]. Refuses a configuration that enables none.
pub fn enabled_flows(config: &FileConfig) -> Result<Vec<Box<dyn Flow>>, ConfigError> {
    let sections = &config.flows;
    let onboarding = sections
        .customer_onboarding
        .as_ref()
        .is_some_and(|section| section.enabled);
    let companies = account_customer_settings(&sections.account_customer, onboarding)?;
    let link_mapping = account_customer::spec(&companies).mapping;
    let mut flows = Vec::new();
    if sections.account_customer.enabled {
        flows.push(account_customer::flow(&companies));
    }
    if let Some(section) = sections.contact_contact.as_ref().filter(|s| s.enabled) {
        flows.push(contact_flow(section)?);
    }
    for (name, section) in sections.templates() {
        if let Some(section) = section.filter(|section| section.enabled) {
            flows.push(one_way_flow(name, section, sections, &link_mapping)?);
        }
    }
    if flows.is_empty() {
        return Err(ConfigError::new(
            "flows",
            "no flow is enabled; add a [flows.<name>] table for a template, for example \
             [flows.account-customer]",
        ));
    }
    flows.sort_by_key(|flow| ORDER.iter().position(|name| *name == flow.name()));
    Ok(flows)
}

fn account_customer_settings(
    section: &FlowSection,
    onboarding: bool,
) -> Result<AccountCustomerSettings, ConfigError> {
    let prefix = "flows.account-customer";
    let mut settings = AccountCustomerSettings::default();
    let common = TwoWayParts {
        overlap: &mut settings.overlap,
        fields: &mut settings.fields,
        derived: &mut settings.derived,
        matching: &mut settings.matching,
        conflicts: &mut settings.conflicts,
        deletes: &mut settings.deletes,
        status: &mut settings.status,
        netsuite_status: &mut settings.netsuite_status,
    };
    common.apply(prefix, section)?;
    if onboarding {
        settings.creates = Creates {
            netsuite: false,
            salesforce: true,
        };
    }
    let spec = account_customer::spec(&settings);
    check_conflict_fields(&spec, &format!("{prefix}.conflicts.fields"))?;
    check_two_way_status(&spec, prefix)?;
    Ok(settings)
}

fn contact_flow(section: &FlowSection) -> Result<Box<dyn Flow>, ConfigError> {
    let prefix = "flows.contact-contact";
    let mut settings = ContactSettings::default();
    let common = TwoWayParts {
        overlap: &mut settings.overlap,
        fields: &mut settings.fields,
        derived: &mut settings.derived,
        matching: &mut settings.matching,
        conflicts: &mut settings.conflicts,
        deletes: &mut settings.deletes,
        status: &mut settings.status,
        netsuite_status: &mut settings.netsuite_status,
    };
    common.apply(prefix, section)?;
    let spec = contact_contact::spec(&settings);
    check_conflict_fields(&spec, &format!("{prefix}.conflicts.fields"))?;
    check_two_way_status(&spec, prefix)?;
    Ok(contact_contact::flow(&settings))
}

/// The settings every two-way template shares, borrowed from its own settings.
struct TwoWayParts<'a> {
    overlap: &'a mut TimeDelta,
    fields: &'a mut Vec<FieldPair>,
    derived: &'a mut Vec<Derived>,
    matching: &'a mut MatchSettings,
    conflicts: &'a mut ConflictSettings,
    deletes: &'a mut DeleteSettings,
    status: &'a mut StatusFields,
    netsuite_status: &'a mut StatusFields,
}

impl TwoWayParts<'_> {
    /// Sets the parts from a `[flows.<template>]` table, keeping the template's defaults for
    /// what the table leaves out.
    fn apply(self, prefix: &str, section: &FlowSection) -> Result<(), ConfigError> {
        if let Some(overlap) = overlap(prefix, section.overlap_seconds)? {
            *self.overlap = overlap;
        }
        let defaults = MappingRules {
            pairs: self.fields.clone(),
            derived: self.derived.clone(),
        };
        let rules = rules(
            prefix,
            defaults,
            section.fields.as_deref(),
            &section.extra_fields,
        )?;
        *self.fields = rules.pairs;
        *self.derived = rules.derived;
        *self.matching = section.matching.settings(self.matching.clone());
        *self.conflicts = section.conflicts.settings(&format!("{prefix}.conflicts"))?;
        *self.status = StatusFields::named(
            section
                .status_field
                .as_deref()
                .or(self.status.status.as_deref()),
            section
                .error_field
                .as_deref()
                .or(self.status.error.as_deref()),
        );
        *self.netsuite_status = StatusFields::named(
            section.netsuite_status_field.as_deref(),
            section.netsuite_error_field.as_deref(),
        );
        section
            .deletes
            .apply(&format!("{prefix}.deletes"), self.deletes)
    }
}

/// Builds a one-way template by name. `link_mapping` is `account-customer`'s mapping, which
/// the customers that templates create are linked with.
fn one_way_flow(
    name: &str,
    section: &TemplateSection,
    sections: &FlowsSection,
    link_mapping: &Mapping,
) -> Result<Box<dyn Flow>, ConfigError> {
    let to_salesforce = Direction::ToSalesforce;
    let to_netsuite = Direction::ToNetSuite;
    let flow = match name {
        item_to_price_book::FLOW => item_to_price_book::flow(one_way_settings(
            name,
            section,
            to_salesforce,
            item_to_price_book::default_mapping(),
        )?),
        invoice_to_salesforce::FLOW => invoice_to_salesforce::flow(one_way_settings(
            name,
            section,
            to_salesforce,
            invoice_to_salesforce::default_mapping(),
        )?),
        credit_hold_alert::FLOW => credit_hold_alert::flow(one_way_settings(
            name,
            section,
            to_salesforce,
            credit_hold_alert::default_mapping(),
        )?),
        customer_onboarding::FLOW => customer_onboarding::flow_with_link_mapping(
            onboarding_settings(section)?,
            link_mapping.clone(),
        ),
        opportunity_to_sales_order::FLOW => {
            let onboarding = match &sections.customer_onboarding {
                Some(section) => onboarding_settings(section)?,
                None => Settings {
                    mapping: customer_onboarding::default_mapping(),
                    overlap: DEFAULT_OVERLAP,
                    options: customer_onboarding::Options::default(),
                },
            };
            let mut customers = onboarding.options.onboarding(onboarding.mapping);
            customers.link_mapping = link_mapping.clone();
            let settings: Settings<opportunity_to_sales_order::Options> = one_way_settings(
                name,
                section,
                to_netsuite,
                opportunity_to_sales_order::default_mapping(),
            )?;
            let status = settings.options.netsuite_status_fields();
            check_netsuite_status(name, &status)?;
            opportunity_to_sales_order::flow_with_onboarding(settings, customers)
        }
        _ => {
            return Err(ConfigError::new(
                format!("flows.{name}"),
                "this template is not available in this build",
            ));
        }
    };
    Ok(flow)
}

fn onboarding_settings(
    section: &TemplateSection,
) -> Result<Settings<customer_onboarding::Options>, ConfigError> {
    let settings: Settings<customer_onboarding::Options> = one_way_settings(
        customer_onboarding::FLOW,
        section,
        Direction::ToNetSuite,
        customer_onboarding::default_mapping(),
    )?;
    let status = settings.options.netsuite_status_fields();
    check_netsuite_status(customer_onboarding::FLOW, &status)?;
    Ok(settings)
}

/// Rejects a one-way template's NetSuite status fields that are not custom fields.
fn check_netsuite_status(flow: &str, status: &StatusFields) -> Result<(), ConfigError> {
    let keys = ("netsuite_status_field", "netsuite_error_field");
    check_status_fields(
        &format!("flows.{flow}"),
        keys,
        status,
        System::NetSuite,
        None,
    )
}

/// Builds a one-way template's settings: its mapping (the default, or the table's `fields`,
/// plus `extra_fields`), the overlap and its own options from the table's other keys. Pairs
/// that do not say a direction travel the template's way.
fn one_way_settings<O: DeserializeOwned>(
    name: &str,
    section: &TemplateSection,
    direction: Direction,
    default_mapping: Mapping,
) -> Result<Settings<O>, ConfigError> {
    let prefix = format!("flows.{name}");
    let defaults = MappingRules {
        pairs: default_mapping.pairs,
        derived: default_mapping.derived,
    };
    let mut rules = rules(
        &prefix,
        defaults,
        section.fields.as_deref(),
        &section.extra_fields,
    )?;
    for pair in &mut rules.pairs {
        if pair.direction == Direction::Both {
            pair.direction = direction;
        }
    }
    let options: O = template_options(&prefix, &section.options)?;
    Ok(Settings {
        mapping: Mapping {
            pairs: rules.pairs,
            derived: rules.derived,
        },
        overlap: overlap(&prefix, section.overlap_seconds)?.unwrap_or(DEFAULT_OVERLAP),
        options,
    })
}

/// Reads a one-way template's options, naming the key of a value that does not fit.
fn template_options<O: DeserializeOwned>(
    prefix: &str,
    table: &toml::Table,
) -> Result<O, ConfigError> {
    let error = match toml::Value::Table(table.clone()).try_into::<O>() {
        Ok(options) => return Ok(options),
        Err(error) => error,
    };
    // Every option has a default, so a key that fails on its own is the key at fault.
    let key = table.iter().find_map(|(name, value)| {
        let single = toml::Table::from_iter([(name.clone(), value.clone())]);
        let fails = toml::Value::Table(single).try_into::<O>().is_err();
        fails.then(|| format!("{prefix}.{name}"))
    });
    let message = plain_message(&without_values(error.message()));
    Err(ConfigError::new(key.unwrap_or(prefix.to_string()), message))
}

/// The largest read overlap the file accepts: one week.
const MAX_OVERLAP_SECONDS: u64 = 7 * 24 * 3600;

fn overlap(prefix: &str, seconds: Option<u64>) -> Result<Option<TimeDelta>, ConfigError> {
    let Some(seconds) = seconds else {
        return Ok(None);
    };
    if seconds > MAX_OVERLAP_SECONDS {
        let message = format!("{seconds} is out of range; use 0 to {MAX_OVERLAP_SECONDS} seconds");
        return Err(ConfigError::new(
            format!("{prefix}.overlap_seconds"),
            message,
        ));
    }
    Ok(Some(TimeDelta::seconds(seconds as i64)))
}

/// Refuses conflict policies for fields the flow does not map.
fn check_conflict_fields(spec: &TwoWaySpec, prefix: &str) -> Result<(), ConfigError> {
    for field in spec.conflicts.fields.keys() {
        let mapped = spec
            .mapping
            .pairs
            .iter()
            .any(|pair| &pair.netsuite == field || &pair.salesforce == field);
        if !mapped {
            let names: Vec<String> = spec
                .mapping
                .pairs
                .iter()
                .map(|pair| format!("{}/{}", pair.netsuite, pair.salesforce))
                .collect();
            let message = format!(
                "{field} is not a mapped field; mapped: {}",
                names.join(", ")
            );
            return Err(ConfigError::new(format!("{prefix}.{field}"), message));
        }
    }
    Ok(())
}

/// Rejects sync status fields that a two-way flow also maps, since a mapped status would
/// travel to the other side and come back as a change.
fn check_two_way_status(spec: &TwoWaySpec, prefix: &str) -> Result<(), ConfigError> {
    let keys = [
        (System::Salesforce, ("status_field", "error_field")),
        (
            System::NetSuite,
            ("netsuite_status_field", "netsuite_error_field"),
        ),
    ];
    for (system, keys) in keys {
        let fields = spec.status_fields(system);
        check_status_fields(prefix, keys, fields, system, Some(&spec.mapping))?;
    }
    Ok(())
}

/// Rejects status fields on `system`'s side that `mapping` maps, NetSuite ones that are not
/// custom fields, and one field named for both the status and the error. `keys` are the
/// table's keys of the status and the error field.
fn check_status_fields(
    prefix: &str,
    keys: (&str, &str),
    fields: &StatusFields,
    system: System,
    mapping: Option<&Mapping>,
) -> Result<(), ConfigError> {
    for (key, name) in [(keys.0, &fields.status), (keys.1, &fields.error)] {
        let Some(name) = name else { continue };
        let key = format!("{prefix}.{key}");
        let mapped = mapping.is_some_and(|mapping| {
            let paired = mapping.pairs.iter().any(|pair| pair.name(system) == name);
            let mut derived = mapping.derived.iter();
            paired || derived.any(|derived| derived.target == system && &derived.field == name)
        });
        if mapped {
            let message =
                format!("{name} is a mapped field; the sync status needs a field of its own");
            return Err(ConfigError::new(key, message));
        }
        if system == System::NetSuite {
            check_custom_field(&key, name)?;
        }
    }
    if fields.status.is_some() && fields.status == fields.error {
        let message = "the status and the error need two different fields";
        return Err(ConfigError::new(format!("{prefix}.{}", keys.1), message));
    }
    Ok(())
}

/// Rejects a NetSuite status field that is not a custom field's script ID.
fn check_custom_field(key: &str, name: &str) -> Result<(), ConfigError> {
    if name.starts_with("cust") {
        return Ok(());
    }
    let message = format!(
        "{name} is not a custom field's script ID; create a free-form text custom field \
         for the status (such as custentity_tandem_sync_status) and name its script ID here"
    );
    Err(ConfigError::new(key, message))
}
