//! Checks of a mapping's fields against a describe, so that a run does not start with a field
//! Salesforce would reject on every record.

use std::fmt;

use super::{FieldDescribe, SObjectDescribe};

/// What a mapping does with a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldUse {
    /// Read in queries.
    Read,
    /// Filtered on in a SOQL `WHERE`, such as a watermark.
    Filter,
    /// Written when records are created.
    Create,
    /// Written when records are updated.
    Update,
    /// Used as the key of upserts: must be an external ID or an `idLookup` field.
    UpsertKey,
}

/// One way a mapping does not fit the org's describe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingProblem {
    /// The field does not exist, or the integration user cannot see it.
    UnknownField { sobject: String, field: String },
    /// The field exists but does not allow the use.
    NotAllowed {
        sobject: String,
        field: String,
        usage: FieldUse,
    },
    /// A compound field (`BillingAddress`) is read-only; its components are written instead.
    CompoundField { sobject: String, field: String },
}

impl fmt::Display for MappingProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MappingProblem::UnknownField { sobject, field } => write!(
                f,
                "{sobject}.{field} does not exist or the integration user cannot see it; check \
                 the API name and the field-level security"
            ),
            MappingProblem::NotAllowed {
                sobject,
                field,
                usage,
            } => write!(f, "{sobject}.{field} cannot be {}", usage_text(*usage)),
            MappingProblem::CompoundField { sobject, field } => write!(
                f,
                "{sobject}.{field} is a compound field and read-only; map its components \
                 (Street, City, State, PostalCode, Country) instead"
            ),
        }
    }
}

fn usage_text(usage: FieldUse) -> &'static str {
    match usage {
        FieldUse::Read => "read",
        FieldUse::Filter => "filtered on in a query",
        FieldUse::Create => "set when creating records (not createable)",
        FieldUse::Update => "written on updates (not updateable)",
        FieldUse::UpsertKey => "an upsert key: mark it External ID",
    }
}

/// Returns every problem of `fields` for `usage`. Relationship paths (`Owner.Name`) are only
/// checked for their first part.
pub(crate) fn check_fields(
    describe: &SObjectDescribe,
    fields: &[&str],
    usage: FieldUse,
) -> Vec<MappingProblem> {
    fields
        .iter()
        .filter_map(|name| check_field(describe, name, usage))
        .collect()
}

fn check_field(describe: &SObjectDescribe, name: &str, usage: FieldUse) -> Option<MappingProblem> {
    let sobject = describe.name.clone();
    let field = match name.split_once('.') {
        Some((relationship, _)) => return check_relationship(describe, relationship),
        None => describe.field(name),
    };
    let Some(field) = field else {
        return Some(MappingProblem::UnknownField {
            sobject,
            field: name.to_string(),
        });
    };
    let writes = matches!(usage, FieldUse::Create | FieldUse::Update);
    if writes && field.field_type == "address" {
        return Some(MappingProblem::CompoundField {
            sobject,
            field: field.name.clone(),
        });
    }
    (!allows(field, usage)).then(|| MappingProblem::NotAllowed {
        sobject,
        field: field.name.clone(),
        usage,
    })
}

fn check_relationship(describe: &SObjectDescribe, relationship: &str) -> Option<MappingProblem> {
    let known = describe.fields.iter().any(|field| {
        field
            .relationship_name
            .as_deref()
            .is_some_and(|name| name.eq_ignore_ascii_case(relationship))
    });
    (!known).then(|| MappingProblem::UnknownField {
        sobject: describe.name.clone(),
        field: relationship.to_string(),
    })
}

fn allows(field: &FieldDescribe, usage: FieldUse) -> bool {
    match usage {
        FieldUse::Read => true,
        FieldUse::Filter => field.filterable,
        FieldUse::Create => field.createable && !field.calculated,
        FieldUse::Update => field.updateable && !field.calculated,
        FieldUse::UpsertKey => field.external_id || field.id_lookup,
    }
}
