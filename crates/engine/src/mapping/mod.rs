//! Field mappings between a NetSuite record and a Salesforce record.
//!
//! A mapping has two kinds of rules. A [`FieldPair`] keeps one field on each side equal, in
//! both directions or one, optionally through a value map (picklist values to select-list
//! IDs) or a lookup (record IDs translated through another flow's cross-references), with a
//! default for creates. A [`Derived`] rule writes one field from the other side's record: a
//! constant, or an expression over that record's fields.

mod expression;
mod lookup;
pub mod suggest;
mod uses;

use std::collections::BTreeSet;

pub use expression::{Expression, ExpressionError};
pub use lookup::{LookupKey, LookupTable};

use crate::record::{FieldValue, Fields, System};

/// Which way a pair's values travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Both,
    ToNetSuite,
    ToSalesforce,
}

impl Direction {
    /// Returns true when values travel from `system` to the other side.
    pub fn allows_from(self, system: System) -> bool {
        match self {
            Direction::Both => true,
            Direction::ToNetSuite => system == System::Salesforce,
            Direction::ToSalesforce => system == System::NetSuite,
        }
    }
}

/// Values that mean the same on both sides, as `(salesforce, netsuite)` pairs. A value that
/// is not listed travels unchanged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ValueMap {
    pub pairs: Vec<(FieldValue, FieldValue)>,
}

impl ValueMap {
    /// Returns the value on `target`'s side for a value read from the other side.
    pub fn to(&self, target: System, value: &FieldValue) -> FieldValue {
        let value = value.normalized();
        let found = self
            .pairs
            .iter()
            .find_map(|(salesforce, netsuite)| match target {
                System::NetSuite if salesforce.normalized() == value => Some(netsuite.clone()),
                System::Salesforce if netsuite.normalized() == value => Some(salesforce.clone()),
                _ => None,
            });
        found.unwrap_or(value)
    }
}

/// One NetSuite field kept equal to one Salesforce field.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldPair {
    pub netsuite: String,
    pub salesforce: String,
    pub direction: Direction,
    /// Values that are written differently on each side.
    pub values: Option<ValueMap>,
    /// The flow whose cross-references translate the values, which are record IDs.
    pub lookup: Option<String>,
    /// The value a create writes to NetSuite when the Salesforce value is blank.
    pub netsuite_default: Option<FieldValue>,
    /// The value a create writes to Salesforce when the NetSuite value is blank.
    pub salesforce_default: Option<FieldValue>,
}

impl FieldPair {
    /// Builds a plain pair, both ways, from the two field names.
    pub fn new(netsuite: &str, salesforce: &str) -> FieldPair {
        FieldPair {
            netsuite: netsuite.to_string(),
            salesforce: salesforce.to_string(),
            direction: Direction::Both,
            values: None,
            lookup: None,
            netsuite_default: None,
            salesforce_default: None,
        }
    }

    /// Returns the field's name on `system`'s side.
    pub fn name(&self, system: System) -> &str {
        match system {
            System::NetSuite => &self.netsuite,
            System::Salesforce => &self.salesforce,
        }
    }

    /// Returns the default written to `target` on create.
    pub fn default_for(&self, target: System) -> Option<&FieldValue> {
        match target {
            System::NetSuite => self.netsuite_default.as_ref(),
            System::Salesforce => self.salesforce_default.as_ref(),
        }
    }
}

/// How a derived field gets its value.
#[derive(Debug, Clone, PartialEq)]
pub enum DerivedRule {
    Constant(FieldValue),
    Expression(Expression),
}

/// A field on `target`'s side written from the other side's record.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub target: System,
    pub field: String,
    pub rule: DerivedRule,
}

impl Derived {
    /// Returns the other side's fields the value is computed from.
    pub fn inputs(&self) -> &[String] {
        match &self.rule {
            DerivedRule::Constant(_) => &[],
            DerivedRule::Expression(expression) => expression.inputs(),
        }
    }
}

/// Why a mapped value could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MappingError {
    /// A lookup found no linked record: the parent is not synced yet.
    #[error("{system} record {id} is not linked by flow {flow} yet, so {field} cannot be set")]
    NotLinked {
        flow: String,
        system: System,
        id: String,
        field: String,
    },
    #[error("{field}: {error}")]
    Expression {
        field: String,
        error: ExpressionError,
    },
}

/// The rules of a flow's mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    pub pairs: Vec<FieldPair>,
    pub derived: Vec<Derived>,
}

impl Mapping {
    /// Builds a mapping of plain pairs, both ways.
    pub fn of_pairs(pairs: Vec<FieldPair>) -> Mapping {
        Mapping {
            pairs,
            derived: Vec::new(),
        }
    }

    /// Returns the fields read on `system`'s side, in mapping order: both ends of the pairs
    /// and the inputs of fields derived for the other side.
    pub fn field_names(&self, system: System) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let mut add = |name: &str| {
            if !names.iter().any(|kept| kept == name) {
                names.push(name.to_string());
            }
        };
        for pair in &self.pairs {
            add(pair.name(system));
        }
        for derived in self.derived.iter().filter(|d| d.target != system) {
            for input in derived.inputs() {
                add(input);
            }
        }
        names
    }

    /// Returns the mapped values of a record read from `system`, with every field of
    /// [`Mapping::field_names`] present (missing ones as `Null`) and normalized for comparison.
    pub fn project(&self, system: System, fields: &Fields) -> Fields {
        self.field_names(system)
            .into_iter()
            .map(|name| {
                let value = fields
                    .get(&name)
                    .map_or(FieldValue::Null, FieldValue::normalized);
                (name, value)
            })
            .collect()
    }

    /// Returns the pairs whose value on `system`'s side differs between `before` and `after`
    /// and travels from that side.
    pub fn changed<'a>(
        &'a self,
        system: System,
        before: &Fields,
        after: &Fields,
    ) -> Vec<&'a FieldPair> {
        self.pairs
            .iter()
            .filter(|pair| pair.direction.allows_from(system))
            .filter(|pair| {
                let name = pair.name(system);
                normalized(before.get(name)) != normalized(after.get(name))
            })
            .collect()
    }

    /// Returns the derived fields for the other side whose inputs on `system`'s side differ
    /// between `before` and `after`.
    pub fn derived_changed<'a>(
        &'a self,
        system: System,
        before: &Fields,
        after: &Fields,
    ) -> Vec<&'a Derived> {
        self.derived
            .iter()
            .filter(|derived| derived.target != system)
            .filter(|derived| {
                derived
                    .inputs()
                    .iter()
                    .any(|name| normalized(before.get(name)) != normalized(after.get(name)))
            })
            .collect()
    }

    /// Converts a pair's value read on `from`'s side into the other side's value: through the
    /// value map, then through the lookup.
    pub fn convert(
        &self,
        pair: &FieldPair,
        from: System,
        value: &FieldValue,
        lookups: &LookupTable,
    ) -> Result<FieldValue, MappingError> {
        let target = from.other();
        let value = match &pair.values {
            Some(values) => values.to(target, value),
            None => value.normalized(),
        };
        let Some(flow) = &pair.lookup else {
            return Ok(value);
        };
        let Some(id) = value.as_text() else {
            return Ok(FieldValue::Null);
        };
        match lookups.get(flow, from, id) {
            Some(other) => Ok(FieldValue::Text(other.to_string())),
            None => Err(MappingError::NotLinked {
                flow: flow.clone(),
                system: from,
                id: id.to_string(),
                field: pair.name(target).to_string(),
            }),
        }
    }

    /// Computes a derived field from the other side's record.
    pub fn evaluate(&self, derived: &Derived, source: &Fields) -> Result<FieldValue, MappingError> {
        match &derived.rule {
            DerivedRule::Constant(value) => Ok(value.clone()),
            DerivedRule::Expression(expression) => {
                expression
                    .evaluate(source)
                    .map_err(|error| MappingError::Expression {
                        field: derived.field.clone(),
                        error,
                    })
            }
        }
    }

    /// Builds every field of a new record on the side opposite `from`: each pair that travels
    /// that way (its default when the source is blank, nothing when both are blank), and every
    /// derived field.
    pub fn translate(
        &self,
        from: System,
        values: &Fields,
        lookups: &LookupTable,
    ) -> Result<Fields, MappingError> {
        let target = from.other();
        let mut fields = Fields::new();
        for pair in self.pairs.iter().filter(|p| p.direction.allows_from(from)) {
            let source = normalized(values.get(pair.name(from)));
            let value = if source.is_blank() {
                pair.default_for(target)
                    .cloned()
                    .unwrap_or(FieldValue::Null)
            } else {
                self.convert(pair, from, &source, lookups)?
            };
            if !value.is_blank() {
                fields.insert(pair.name(target).to_string(), value);
            }
        }
        for derived in self.derived.iter().filter(|d| d.target == target) {
            let value = self.evaluate(derived, values)?;
            if !value.is_blank() {
                fields.insert(derived.field.clone(), value);
            }
        }
        Ok(fields)
    }

    /// Returns the lookups the pairs need for values read on `from`'s side, as
    /// `(flow, id)`.
    pub fn lookup_keys(&self, from: System, values: &Fields) -> BTreeSet<LookupKey> {
        self.pairs
            .iter()
            .filter(|pair| pair.direction.allows_from(from))
            .filter_map(|pair| {
                let flow = pair.lookup.as_ref()?;
                let id = values.get(pair.name(from))?.as_text()?;
                Some(LookupKey {
                    flow: flow.clone(),
                    system: from,
                    id: id.to_string(),
                })
            })
            .collect()
    }
}

/// Returns the comparison form of an optional value: missing and blank are both `Null`.
pub fn normalized(value: Option<&FieldValue>) -> FieldValue {
    value.map_or(FieldValue::Null, FieldValue::normalized)
}

#[cfg(test)]
mod tests;
