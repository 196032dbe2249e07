//! Describes for the engine: Salesforce describe results as [`ObjectInfo`], relationship
//! paths resolved to the object or field they end at.

use std::sync::Arc;

use tandem_engine::{FieldInfo, FieldType, ObjectInfo};

use crate::api::describe::{FieldDescribe, SObjectDescribe};
use crate::client::SalesforceClient;
use crate::error::Error;
use crate::soql::check_name;

/// Describes the object at the end of `path`: an object name (`Opportunity`), or an object
/// followed by relationship names (`Opportunity.OpportunityLineItems`, `Contact.Account`).
///
/// Each step after the first follows a child relationship to the child object or a parent
/// relationship to the object its reference field points at. Describes come from the client's
/// cache, so each object costs one request per client.
pub(super) async fn describe_path(
    client: &SalesforceClient,
    path: &str,
) -> Result<Arc<SObjectDescribe>, Error> {
    check_name(path)?;
    let mut steps = path.split('.');
    let first = steps.next().unwrap_or_default();
    let mut current = describe_object(client, first).await?;
    for step in steps {
        let next = related_object(&current, step)?;
        current = describe_object(client, &next).await?;
    }
    Ok(current)
}

/// Returns the describe of the field at the end of `path` on `object`: a field name
/// (`Email`), or parent relationships followed by a field (`Account.NetSuite_ID__c`).
pub(super) async fn describe_field(
    client: &SalesforceClient,
    object: &str,
    path: &str,
) -> Result<FieldDescribe, Error> {
    check_name(path)?;
    let (parents, field) = match path.rsplit_once('.') {
        Some((parents, field)) => (Some(parents), field),
        None => (None, path),
    };
    let owner = match parents {
        Some(parents) => describe_path(client, &format!("{object}.{parents}")).await?,
        None => describe_object(client, object).await?,
    };
    owner.field(field).cloned().ok_or_else(|| Error::Config {
        message: format!(
            "{object}.{path}: {} has no field {field} that the integration user can see; \
             check the API name (custom fields end in __c) and its field-level security",
            owner.name
        ),
    })
}

/// Returns the describe of one object; an unknown object is a configuration error naming it.
async fn describe_object(
    client: &SalesforceClient,
    name: &str,
) -> Result<Arc<SObjectDescribe>, Error> {
    client.describe(name).await
}

/// Returns the object that the relationship `step` of `object` leads to: the child object of
/// a child relationship, or the object a parent relationship's reference field points at.
fn related_object(object: &SObjectDescribe, step: &str) -> Result<String, Error> {
    if let Some(child) = object.child_relationship(step) {
        return Ok(child.child_sobject.clone());
    }
    let Some(reference) = object.parent_relationship(step) else {
        return Err(Error::Config {
            message: format!(
                "{} has no relationship {step}; use a child relationship name such as \
                 OpportunityLineItems or a parent one such as Account (custom ones end in __r)",
                object.name
            ),
        });
    };
    match reference.reference_to.as_slice() {
        [target] => Ok(target.clone()),
        targets => Err(Error::Config {
            message: format!(
                "{}.{step} may point at {} objects ({}), so its fields cannot be described \
                 as those of one object",
                object.name,
                targets.len(),
                targets.join(", ")
            ),
        }),
    }
}

/// Converts a describe: every field, then one [`FieldType::List`] entry per named child
/// relationship (`OpportunityLineItems`), whose line fields are described by the path
/// `Opportunity.OpportunityLineItems`.
pub(super) fn object_info(describe: &SObjectDescribe) -> ObjectInfo {
    let mut fields: Vec<FieldInfo> = describe.fields.iter().map(field_info).collect();
    let children = describe
        .child_relationships
        .iter()
        .filter_map(|child| child.relationship_name.as_deref());
    for relationship in children {
        fields.push(FieldInfo {
            name: relationship.to_string(),
            field_type: FieldType::List,
            // Child records are written as records of their own object.
            createable: false,
            updateable: false,
            external_id: false,
        });
    }
    ObjectInfo {
        name: describe.name.clone(),
        fields,
        unlisted_prefix: None,
    }
}

fn field_info(field: &FieldDescribe) -> FieldInfo {
    FieldInfo {
        name: field.name.clone(),
        field_type: field_type(field),
        createable: field.createable,
        updateable: field.updateable,
        external_id: field.external_id,
    }
}

/// Maps Salesforce's field type to the engine's. `long` counts as a number, `id` and compound
/// types such as `address` are [`FieldType::Other`].
pub(super) fn field_type(field: &FieldDescribe) -> FieldType {
    match field.field_type.as_str() {
        "string" | "textarea" | "email" | "phone" | "url" => FieldType::Text,
        "double" | "currency" | "percent" | "int" | "long" => FieldType::Number,
        "boolean" => FieldType::Bool,
        "date" => FieldType::Date,
        "datetime" => FieldType::DateTime,
        "reference" => FieldType::Reference(field.reference_to.clone()),
        "picklist" | "multipicklist" => {
            FieldType::Picklist(field.active_values().map(str::to_string).collect())
        }
        other => FieldType::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests;
