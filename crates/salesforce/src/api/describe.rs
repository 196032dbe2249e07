//! Describe: `GET /sobjects/` (global) and `GET /sobjects/{Type}/describe`, cached per client
//! and used to validate mappings before a run.

mod validate;

use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde::Deserialize;

pub use validate::{FieldUse, MappingProblem};

use crate::api::ApiRequest;
use crate::client::SalesforceClient;
use crate::error::Error;
use crate::soql::check_name;

/// The org's sObjects, from `GET /sobjects/`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalDescribe {
    /// Records per collection call the org accepts (200).
    #[serde(default)]
    pub max_batch_size: Option<u32>,
    pub sobjects: Vec<SObjectSummary>,
}

/// One sObject of the global describe.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SObjectSummary {
    pub name: String,
    #[serde(default)]
    pub label: String,
    /// First three characters of the object's record Ids (`001` for Account).
    #[serde(default)]
    pub key_prefix: Option<String>,
    #[serde(default)]
    pub custom: bool,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub queryable: bool,
    /// True when `updated` and `deleted` change reads work on the object.
    #[serde(default)]
    pub replicateable: bool,
}

/// One sObject's describe: its flags and its fields as the integration user sees them.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SObjectDescribe {
    pub name: String,
    #[serde(default)]
    pub label: String,
    #[serde(default)]
    pub key_prefix: Option<String>,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub queryable: bool,
    #[serde(default)]
    pub replicateable: bool,
    pub fields: Vec<FieldDescribe>,
    /// The objects whose reference fields point at this one, each under the relationship name
    /// that a SOQL subquery uses (`Contacts` on Account).
    #[serde(default)]
    pub child_relationships: Vec<ChildRelationship>,
}

/// One child relationship of a describe: the child object and the reference field on it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChildRelationship {
    /// The child object (`OpportunityLineItem`).
    #[serde(rename = "childSObject")]
    pub child_sobject: String,
    /// The reference field on the child that points at the parent (`OpportunityId`).
    pub field: String,
    /// The name that a subquery selects from (`OpportunityLineItems`). Relationships without
    /// a name cannot be queried from the parent.
    #[serde(default)]
    pub relationship_name: Option<String>,
    /// True when deleting the parent deletes the children.
    #[serde(default)]
    pub cascade_delete: bool,
}

/// One field of a describe.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescribe {
    pub name: String,
    #[serde(default)]
    pub label: String,
    /// Salesforce's field type: `id`, `string`, `textarea`, `picklist`, `multipicklist`,
    /// `reference`, `boolean`, `currency`, `double`, `percent`, `int`, `date`, `datetime`,
    /// `email`, `phone`, `url`, `address`, `combobox`, ...
    #[serde(rename = "type")]
    pub field_type: String,
    /// Maximum length in characters of text fields, 0 for other types.
    #[serde(default)]
    pub length: u32,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub nillable: bool,
    #[serde(default)]
    pub defaulted_on_create: bool,
    /// True for formula and roll-up fields, which cannot be written.
    #[serde(default)]
    pub calculated: bool,
    #[serde(default)]
    pub external_id: bool,
    #[serde(default)]
    pub id_lookup: bool,
    #[serde(default)]
    pub unique: bool,
    #[serde(default)]
    pub case_sensitive: bool,
    /// True when the field can appear in a SOQL `WHERE`.
    #[serde(default)]
    pub filterable: bool,
    #[serde(default)]
    pub reference_to: Vec<String>,
    #[serde(default)]
    pub relationship_name: Option<String>,
    #[serde(default)]
    pub picklist_values: Vec<PicklistValue>,
    #[serde(default)]
    pub restricted_picklist: bool,
    /// Total digits of number fields.
    #[serde(default)]
    pub precision: Option<u32>,
    /// Digits after the decimal point of number fields.
    #[serde(default)]
    pub scale: Option<u32>,
}

/// One value of a picklist field.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistValue {
    pub value: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub active: bool,
    #[serde(default)]
    pub default_value: bool,
}

impl SObjectDescribe {
    /// Returns the field named `name`, compared ignoring ASCII case as Salesforce does.
    pub fn field(&self, name: &str) -> Option<&FieldDescribe> {
        self.fields
            .iter()
            .find(|field| field.name.eq_ignore_ascii_case(name))
    }

    /// Returns the child relationship named `name` (`OpportunityLineItems`), compared
    /// ignoring ASCII case.
    pub fn child_relationship(&self, name: &str) -> Option<&ChildRelationship> {
        self.child_relationships.iter().find(|child| {
            child
                .relationship_name
                .as_deref()
                .is_some_and(|relationship| relationship.eq_ignore_ascii_case(name))
        })
    }

    /// Returns the reference field whose relationship name is `name` (`Account` for
    /// `AccountId`), compared ignoring ASCII case.
    pub fn parent_relationship(&self, name: &str) -> Option<&FieldDescribe> {
        self.fields.iter().find(|field| {
            field
                .relationship_name
                .as_deref()
                .is_some_and(|relationship| relationship.eq_ignore_ascii_case(name))
        })
    }

    /// Returns the field to order change reads by: `SystemModstamp`, else
    /// `LastModifiedDate`, else `CreatedDate`, whichever is first to exist and be filterable.
    /// Some objects (field history, for example) cannot filter on `SystemModstamp`.
    pub fn watermark_field(&self) -> Result<&str, Error> {
        ["SystemModstamp", "LastModifiedDate", "CreatedDate"]
            .into_iter()
            .filter_map(|name| self.field(name))
            .find(|field| field.filterable)
            .map(|field| field.name.as_str())
            .ok_or_else(|| Error::Config {
                message: format!(
                    "{} has no filterable SystemModstamp, LastModifiedDate or CreatedDate, so \
                     its changes cannot be read incrementally",
                    self.name
                ),
            })
    }
}

impl FieldDescribe {
    /// Returns true when a create must set the field: it cannot be null, has no default, and
    /// can be written.
    pub fn is_required_on_create(&self) -> bool {
        self.createable && !self.nillable && !self.defaulted_on_create
    }

    /// Returns the active picklist values.
    pub fn active_values(&self) -> impl Iterator<Item = &str> {
        self.picklist_values
            .iter()
            .filter(|value| value.active)
            .map(|value| value.value.as_str())
    }
}

pub(crate) fn global_request() -> ApiRequest {
    ApiRequest::versioned(Method::GET, ["sobjects"])
}

pub(crate) fn describe_request(sobject: &str) -> Result<ApiRequest, Error> {
    check_name(sobject)?;
    Ok(ApiRequest::versioned(
        Method::GET,
        ["sobjects", sobject, "describe"],
    ))
}

pub(crate) fn parse_global(body: &[u8]) -> Result<GlobalDescribe, Error> {
    serde_json::from_slice(body).map_err(|error| Error::InvalidResponse {
        message: format!("the global describe is not valid: {error}"),
    })
}

pub(crate) fn parse_describe(body: &[u8]) -> Result<SObjectDescribe, Error> {
    serde_json::from_slice(body).map_err(|error| Error::InvalidResponse {
        message: format!("the sObject describe is not valid: {error}"),
    })
}

impl SalesforceClient {
    /// Returns the org's sObjects. Not cached.
    pub async fn describe_global(&self) -> Result<GlobalDescribe, Error> {
        let response = self.execute(&global_request()).await?;
        if response.status != StatusCode::OK {
            return Err(response.into_error());
        }
        parse_global(&response.body)
    }

    /// Returns the describe of `sobject`, from the cache when it was read before.
    /// [`SalesforceClient::clear_describe_cache`] drops cached describes, for example after
    /// an `INVALID_FIELD` error. An object the org does not have (or the user cannot see) is
    /// a configuration error that names it.
    pub async fn describe(&self, sobject: &str) -> Result<Arc<SObjectDescribe>, Error> {
        if let Some(cached) = self.cached_describe(sobject) {
            return Ok(cached);
        }
        let response = self.execute(&describe_request(sobject)?).await?;
        if response.status == StatusCode::NOT_FOUND {
            return Err(Error::Config {
                message: format!(
                    "Salesforce has no object {sobject} that the integration user can see; \
                     check the API name (custom objects end in __c) and the user's object \
                     permissions"
                ),
            });
        }
        if response.status != StatusCode::OK {
            return Err(response.into_error());
        }
        let describe = Arc::new(parse_describe(&response.body)?);
        self.cache_describe(Arc::clone(&describe));
        Ok(describe)
    }

    /// Checks that `fields` of `sobject` exist and allow `usage`, and returns every problem
    /// found. An empty list means the mapping fits the org.
    pub async fn validate_fields(
        &self,
        sobject: &str,
        fields: &[&str],
        usage: FieldUse,
    ) -> Result<Vec<MappingProblem>, Error> {
        let describe = self.describe(sobject).await?;
        Ok(validate::check_fields(&describe, fields, usage))
    }
}

#[cfg(test)]
mod tests;
