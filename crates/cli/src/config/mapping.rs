//! Field mappings as written in the configuration file.
//!
//! ```toml
//! [[flows.account-customer.extra_fields]]
//! netsuite = "custentity_tier"       # a pair: kept equal both ways
//! salesforce = "Tier__c"
//! values = { Gold = "1", Silver = "2" }   # Salesforce value = NetSuite value
//!
//! [[flows.account-customer.extra_fields]]
//! netsuite = "comments"              # derived: written from the Salesforce record
//! expression = "{{ Name }} ({{ BillingCity }})"
//! ```

use std::collections::BTreeMap;

use serde::Deserialize;
use tandem_engine::mapping::{Derived, DerivedRule, Direction, Expression, FieldPair, ValueMap};
use tandem_engine::{FieldValue, System};

use super::ConfigError;

/// One entry of `fields` or `extra_fields`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MappingEntry {
    /// The NetSuite field: an element name (`companyName`) or a custom field's script ID.
    pub netsuite: Option<String>,
    /// The Salesforce field's API name (`Name`, `Tier__c`).
    pub salesforce: Option<String>,
    /// For a pair: `both` (default), `to_netsuite` or `to_salesforce`.
    pub direction: Option<String>,
    /// For a pair: Salesforce values and the NetSuite values they stand for.
    pub values: Option<BTreeMap<String, toml::Value>>,
    /// For a pair of record IDs: the flow whose cross-references translate them.
    pub lookup: Option<String>,
    /// For a pair: the value a create writes to NetSuite when the Salesforce value is blank.
    pub netsuite_default: Option<toml::Value>,
    /// For a pair: the value a create writes to Salesforce when the NetSuite value is blank.
    pub salesforce_default: Option<toml::Value>,
    /// For a single field: the value always written to it.
    pub constant: Option<toml::Value>,
    /// For a single field: a template over the other side's record.
    pub expression: Option<String>,
}

/// The rules of a flow's mapping, as the engine takes them.
#[derive(Debug, Clone, Default)]
pub struct MappingRules {
    pub pairs: Vec<FieldPair>,
    pub derived: Vec<Derived>,
}

impl MappingEntry {
    /// Converts the entry into a rule, naming the key (`prefix`) of any mistake.
    pub fn rule(&self, prefix: &str, rules: &mut MappingRules) -> Result<(), ConfigError> {
        let error = |message: &str| ConfigError::new(prefix, message);
        let single = self.constant.is_some() || self.expression.is_some();
        match (&self.netsuite, &self.salesforce, single) {
            (Some(netsuite), Some(salesforce), false) => {
                rules.pairs.push(self.pair(prefix, netsuite, salesforce)?);
                Ok(())
            }
            (Some(_), Some(_), true) => Err(error(
                "a constant or expression fills one field: give netsuite or salesforce, not both",
            )),
            (Some(field), None, true) => self.derived(prefix, System::NetSuite, field, rules),
            (None, Some(field), true) => self.derived(prefix, System::Salesforce, field, rules),
            (_, _, false) => Err(error(
                "name both netsuite and salesforce for a pair, or one of them with constant or expression",
            )),
            (None, None, true) => Err(error("name the netsuite or salesforce field to fill")),
        }
    }

    fn pair(
        &self,
        prefix: &str,
        netsuite: &str,
        salesforce: &str,
    ) -> Result<FieldPair, ConfigError> {
        let mut pair = FieldPair::new(netsuite, salesforce);
        if let Some(direction) = &self.direction {
            pair.direction = match direction.as_str() {
                "both" => Direction::Both,
                "to_netsuite" => Direction::ToNetSuite,
                "to_salesforce" => Direction::ToSalesforce,
                other => {
                    let message = format!(
                        "unknown direction {other:?}; expected both, to_netsuite or to_salesforce"
                    );
                    return Err(ConfigError::new(format!("{prefix}.direction"), message));
                }
            };
        }
        if let Some(values) = &self.values {
            let pairs = values
                .iter()
                .map(|(salesforce, netsuite)| {
                    let key = format!("{prefix}.values.{salesforce}");
                    Ok((
                        FieldValue::text(salesforce.as_str()),
                        field_value(&key, netsuite)?,
                    ))
                })
                .collect::<Result<Vec<_>, ConfigError>>()?;
            pair.values = Some(ValueMap { pairs });
        }
        pair.lookup = self.lookup.clone();
        if let Some(value) = &self.netsuite_default {
            pair.netsuite_default =
                Some(field_value(&format!("{prefix}.netsuite_default"), value)?);
        }
        if let Some(value) = &self.salesforce_default {
            let key = format!("{prefix}.salesforce_default");
            pair.salesforce_default = Some(field_value(&key, value)?);
        }
        Ok(pair)
    }

    fn derived(
        &self,
        prefix: &str,
        target: System,
        field: &str,
        rules: &mut MappingRules,
    ) -> Result<(), ConfigError> {
        let pair_only = [
            ("direction", self.direction.is_some()),
            ("values", self.values.is_some()),
            ("lookup", self.lookup.is_some()),
            ("netsuite_default", self.netsuite_default.is_some()),
            ("salesforce_default", self.salesforce_default.is_some()),
        ];
        if let Some((name, _)) = pair_only.iter().find(|(_, set)| *set) {
            let message = format!("{name} applies to pairs, not to a constant or expression");
            return Err(ConfigError::new(format!("{prefix}.{name}"), message));
        }
        let rule = match (&self.constant, &self.expression) {
            (Some(value), None) => {
                DerivedRule::Constant(field_value(&format!("{prefix}.constant"), value)?)
            }
            (None, Some(source)) => {
                DerivedRule::Expression(Expression::new(source).map_err(|error| {
                    ConfigError::new(format!("{prefix}.expression"), error.to_string())
                })?)
            }
            _ => {
                let message = "give constant or expression, not both";
                return Err(ConfigError::new(prefix, message));
            }
        };
        rules.derived.push(Derived {
            target,
            field: field.to_string(),
            rule,
        });
        Ok(())
    }
}

/// Converts a TOML value into a field value: text, number, boolean.
fn field_value(key: &str, value: &toml::Value) -> Result<FieldValue, ConfigError> {
    match value {
        toml::Value::String(text) => Ok(FieldValue::text(text.as_str())),
        toml::Value::Integer(number) => Ok(FieldValue::Number(*number as f64)),
        toml::Value::Float(number) => Ok(FieldValue::Number(*number)),
        toml::Value::Boolean(value) => Ok(FieldValue::Bool(*value)),
        _ => Err(ConfigError::new(key, "use text, a number or true/false")),
    }
}

/// Builds a flow's rules: its template's defaults, replaced by `fields` when given, then
/// `extra_fields` added.
pub fn rules(
    prefix: &str,
    defaults: MappingRules,
    fields: Option<&[MappingEntry]>,
    extra_fields: &[MappingEntry],
) -> Result<MappingRules, ConfigError> {
    let mut rules = match fields {
        Some(entries) => {
            let mut rules = MappingRules::default();
            for (index, entry) in entries.iter().enumerate() {
                entry.rule(&format!("{prefix}.fields[{index}]"), &mut rules)?;
            }
            rules
        }
        None => defaults,
    };
    for (index, entry) in extra_fields.iter().enumerate() {
        entry.rule(&format!("{prefix}.extra_fields[{index}]"), &mut rules)?;
    }
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(text: &str) -> MappingEntry {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn pair_with_value_map_and_direction() {
        let mut rules = MappingRules::default();
        entry("netsuite = 'custentity_tier'\nsalesforce = 'Tier__c'\ndirection = 'to_netsuite'\nvalues = { Gold = 1 }")
            .rule("f", &mut rules)
            .unwrap();
        let pair = &rules.pairs[0];
        assert_eq!(pair.direction, Direction::ToNetSuite);
        let values = pair.values.as_ref().unwrap();
        assert_eq!(
            values.to(System::NetSuite, &FieldValue::text("Gold")),
            FieldValue::Number(1.0)
        );
    }

    #[test]
    fn constant_fills_one_field() {
        let mut rules = MappingRules::default();
        entry("netsuite = 'subsidiary'\nconstant = '1'")
            .rule("f", &mut rules)
            .unwrap();
        assert_eq!(rules.derived[0].target, System::NetSuite);
    }

    #[test]
    fn expression_syntax_error_is_named() {
        let mut rules = MappingRules::default();
        let error = entry("salesforce = 'Description'\nexpression = '{{ x '")
            .rule("flows.a.fields[0]", &mut rules)
            .unwrap_err();
        assert_eq!(error.key, "flows.a.fields[0].expression");
    }

    #[test]
    fn constant_with_both_fields_is_refused() {
        let mut rules = MappingRules::default();
        let error = entry("netsuite = 'a'\nsalesforce = 'B'\nconstant = 'x'")
            .rule("f", &mut rules)
            .unwrap_err();
        assert!(error.message.contains("not both"), "{error}");
    }

    #[test]
    fn lone_field_without_value_is_refused() {
        let mut rules = MappingRules::default();
        assert!(entry("netsuite = 'a'").rule("f", &mut rules).is_err());
    }

    #[test]
    fn unknown_direction_is_named() {
        let mut rules = MappingRules::default();
        let error = entry("netsuite = 'a'\nsalesforce = 'B'\ndirection = 'sideways'")
            .rule("f", &mut rules)
            .unwrap_err();
        assert_eq!(error.key, "f.direction");
    }

    #[test]
    fn fields_replace_and_extra_fields_add() {
        let defaults = MappingRules {
            pairs: vec![FieldPair::new("companyName", "Name")],
            derived: Vec::new(),
        };
        let replaced = rules(
            "p",
            defaults.clone(),
            Some(&[entry("netsuite = 'phone'\nsalesforce = 'Phone'")]),
            &[],
        )
        .unwrap();
        let added = rules(
            "p",
            defaults,
            None,
            &[entry("netsuite = 'phone'\nsalesforce = 'Phone'")],
        )
        .unwrap();
        assert_eq!(replaced.pairs.len(), 1);
        assert_eq!(replaced.pairs[0].netsuite, "phone");
        assert_eq!(added.pairs.len(), 2);
    }
}
