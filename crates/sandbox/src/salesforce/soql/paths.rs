//! Field paths: a field of the queried object (`Name`), or a field of a parent reached
//! through relationship fields (`Account.Name`, `Account.Owner.Email`), resolved against the
//! schema and read from records.

use serde_json::Value;

use super::schema_fault;
use crate::salesforce::errors::ApiError;
use crate::salesforce::record::Values;
use crate::salesforce::schema::{FieldDef, ObjectDef};

/// The records a statement reads.
pub(crate) trait RecordSource {
    /// Returns the record `id` (18 characters) of `object`, when the statement may see it.
    fn record(&self, object: &str, id: &str) -> Option<&Values>;

    /// Returns the records of `object` the statement may see, in Id order.
    fn records<'a>(&'a self, object: &str) -> Box<dyn Iterator<Item = &'a Values> + 'a>;
}

/// One step from a record to its parent.
#[derive(Debug, Clone)]
pub(crate) struct Hop<'s> {
    /// The reference field followed (`AccountId`). Its relationship name (`Account`) names
    /// the nested parent in results.
    pub reference: &'s FieldDef,
    /// Objects the reference may point to; several for a polymorphic field such as `WhatId`.
    pub targets: Vec<&'s ObjectDef>,
}

impl<'s> Hop<'s> {
    /// Returns the relationship name that keys the parent in results.
    pub fn name(&self) -> &'s str {
        self.reference
            .relationship_name
            .as_deref()
            .unwrap_or(&self.reference.name)
    }

    /// Follows the reference of `values` to the parent record and its object.
    pub fn follow<'v>(
        &self,
        values: &'v Values,
        source: &'v dyn RecordSource,
    ) -> Option<(&'s ObjectDef, &'v Values)> {
        let target = values.get(&self.reference.name)?.as_str()?;
        let object = self
            .targets
            .iter()
            .find(|object| target.starts_with(&object.key_prefix))?;
        Some((object, source.record(&object.name, target)?))
    }
}

/// A field, reached from the queried object through zero or more parents.
#[derive(Debug, Clone)]
pub(crate) struct FieldPath<'s> {
    /// Relationship steps, nearest first.
    pub hops: Vec<Hop<'s>>,
    /// The field read on the last object. For a polymorphic last step it is the field of
    /// the first target; every target has a field of that name.
    pub field: &'s FieldDef,
}

impl<'s> FieldPath<'s> {
    /// Returns the path with canonical names, such as `Account.Owner.Email`.
    pub fn name(&self) -> String {
        let mut parts: Vec<&str> = self.hops.iter().map(Hop::name).collect();
        parts.push(&self.field.name);
        parts.join(".")
    }

    /// Reads the value of the path from a record; `None` when a parent is missing.
    pub fn value<'v>(&self, values: &'v Values, source: &'v dyn RecordSource) -> Option<&'v Value> {
        let mut current = values;
        for hop in &self.hops {
            current = hop.follow(current, source)?.1;
        }
        current.get(&self.field.name)
    }
}

/// Resolves field paths against one object of a statement.
pub(crate) struct PathResolver<'t, 's> {
    pub text: &'t str,
    pub object: &'s ObjectDef,
    pub objects: &'s [ObjectDef],
}

impl<'s> PathResolver<'_, 's> {
    /// Returns a schema error framed at byte `offset` of the statement.
    pub fn fault(&self, code: &str, offset: usize, reason: &str) -> ApiError {
        ApiError::bad_request(code, schema_fault(self.text, offset, reason))
    }

    /// Resolves `path`, which starts at byte `offset`. A leading segment naming the queried
    /// object itself (`Account.Name` in a query of Account) is skipped.
    pub fn resolve(&self, path: &str, offset: usize) -> Result<FieldPath<'s>, ApiError> {
        let mut segments: Vec<&str> = path.split('.').collect();
        let names_self = segments.len() > 1
            && segments[0].eq_ignore_ascii_case(&self.object.name)
            && self.object.relationship(segments[0]).is_none();
        if names_self {
            segments.remove(0);
        }
        let Some((last, parents)) = segments.split_last() else {
            return Err(self.no_such_column(path, &self.object.name, offset));
        };
        let mut hops: Vec<Hop<'s>> = Vec::with_capacity(parents.len());
        let mut targets: Vec<&'s ObjectDef> = vec![self.object];
        for segment in parents {
            let reference = match targets.as_slice() {
                [single] => single.relationship(segment),
                _ => None,
            };
            let Some(reference) = reference else {
                return Err(self.unknown_relationship(segment, offset));
            };
            targets = self.targets_of(reference);
            hops.push(Hop {
                reference,
                targets: targets.clone(),
            });
        }
        let field = self.last_field(&targets, last, offset)?;
        Ok(FieldPath { hops, field })
    }

    fn targets_of(&self, reference: &FieldDef) -> Vec<&'s ObjectDef> {
        reference
            .reference_to
            .iter()
            .filter_map(|name| self.objects.iter().find(|object| &object.name == name))
            .collect()
    }

    fn last_field(
        &self,
        targets: &[&'s ObjectDef],
        name: &str,
        offset: usize,
    ) -> Result<&'s FieldDef, ApiError> {
        match targets {
            [single] => single
                .field(name)
                .ok_or_else(|| self.no_such_column(name, &single.name, offset)),
            // A polymorphic parent offers only the fields every target has. Salesforce
            // names this pseudo-object `Name`.
            _ => {
                let everywhere = targets.iter().all(|object| object.field(name).is_some());
                targets
                    .first()
                    .and_then(|object| object.field(name))
                    .filter(|_| everywhere)
                    .ok_or_else(|| self.no_such_column(name, "Name", offset))
            }
        }
    }

    fn no_such_column(&self, name: &str, entity: &str, offset: usize) -> ApiError {
        let reason = format!(
            "No such column '{name}' on entity '{entity}'. If you are attempting to use a custom \
             field, be sure to append the '__c' after the custom field name. Please reference \
             your WSDL or the describe call for the appropriate names."
        );
        self.fault("INVALID_FIELD", offset, &reason)
    }

    fn unknown_relationship(&self, name: &str, offset: usize) -> ApiError {
        let reason = format!(
            "Didn't understand relationship '{name}' in field path. If you are attempting to use \
             a custom relationship, be sure to append the '__r' after the custom relationship \
             name. Please reference your WSDL or the describe call for the appropriate names."
        );
        self.fault("INVALID_FIELD", offset, &reason)
    }
}
