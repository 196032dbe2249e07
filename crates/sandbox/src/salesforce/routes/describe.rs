//! `GET /sobjects` (describe global) and `GET /sobjects/{object}/describe`, generated from the
//! schema with the keys of a real org's describe results.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::object_in_url;
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::oauth::{Scheme, instance_url};
use crate::salesforce::schema::{Access, FieldDef, FieldType, ObjectDef};
use crate::salesforce::version::ApiVersion;

/// Id of the master record type, which every object has.
const MASTER_RECORD_TYPE_ID: &str = "012000000000000AAA";

/// Most records one collection call may carry, reported as `maxBatchSize`.
const MAX_BATCH_SIZE: u32 = 200;

/// `GET /sobjects`: every object with its capabilities and URLs.
pub(super) async fn global(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
) -> Json<Value> {
    let org = emulator.org();
    let sobjects: Vec<Value> = org
        .objects
        .iter()
        .map(|object| object_summary(object, version))
        .collect();
    Json(json!({
        "encoding": "UTF-8",
        "maxBatchSize": MAX_BATCH_SIZE,
        "sobjects": sobjects,
    }))
}

/// `GET /sobjects/{object}/describe`: the object, its fields and child relationships.
pub(super) async fn object(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
    scheme: Option<Extension<Scheme>>,
    headers: HeaderMap,
    Path((_version, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let definition = object_in_url(&emulator, &name)?;
    let org = emulator.org();
    let mut described = object_summary(&definition, version);
    let scheme = scheme.map_or(Scheme::Http, |Extension(scheme)| scheme);
    let instance = instance_url(&headers, scheme);
    described["urls"] = describe_urls(&definition, version, &instance);
    let base = version.base_path();
    let sobject_url = format!("{base}/sobjects/{}", definition.name);
    let fields: Vec<Value> = definition.fields.iter().map(describe_field).collect();
    let children = child_relationships(&org.objects, &definition.name);
    let extra = json!({
        "actionOverrides": [],
        "childRelationships": children,
        "compactLayoutable": true,
        "deepCloneable": false,
        "defaultImplementation": null,
        "extendedBy": null,
        "extendsInterfaces": null,
        "fields": fields,
        "hasSubtypes": false,
        "implementedBy": null,
        "implementsInterfaces": null,
        "isInterface": false,
        "isSubtype": false,
        "listviewable": null,
        "lookupLayoutable": null,
        "namedLayoutInfos": [],
        "networkScopeFieldName": null,
        "recordTypeInfos": [{
            "active": true,
            "available": true,
            "defaultRecordTypeMapping": true,
            "developerName": "Master",
            "master": true,
            "name": "Master",
            "recordTypeId": MASTER_RECORD_TYPE_ID,
            "urls": {"layout": format!("{sobject_url}/describe/layouts/{MASTER_RECORD_TYPE_ID}")},
        }],
        "searchLayoutable": true,
        "supportedScopes": [{"label": "All records", "name": "everything"}],
    });
    if let (Value::Object(members), Value::Object(more)) = (&mut described, extra) {
        members.extend(more);
    }
    Ok(Json(described))
}

/// Returns the members a global describe lists for one object.
fn object_summary(object: &ObjectDef, version: ApiVersion) -> Value {
    let sobject_url = format!("{}/sobjects/{}", version.base_path(), object.name);
    json!({
        "activateable": false,
        "createable": object.createable,
        "custom": object.custom(),
        "customSetting": false,
        "deletable": object.createable,
        "deprecatedAndHidden": false,
        "feedEnabled": false,
        "keyPrefix": object.key_prefix,
        "label": object.label,
        "labelPlural": object.label_plural,
        "layoutable": true,
        "mergeable": false,
        "mruEnabled": true,
        "name": object.name,
        "queryable": true,
        "replicateable": true,
        "retrieveable": true,
        "searchable": true,
        "triggerable": true,
        "undeletable": object.createable,
        "updateable": object.createable,
        "urls": {
            "sobject": sobject_url,
            "describe": format!("{sobject_url}/describe"),
            "rowTemplate": format!("{sobject_url}/{{ID}}"),
        },
    })
}

/// Returns the `urls` of a full describe: the API resources of the object and the pages of
/// the org's user interface.
fn describe_urls(object: &ObjectDef, version: ApiVersion, instance: &str) -> Value {
    let sobject = format!("{}/sobjects/{}", version.base_path(), object.name);
    json!({
        "compactLayouts": format!("{sobject}/describe/compactLayouts"),
        "rowTemplate": format!("{sobject}/{{ID}}"),
        "approvalLayouts": format!("{sobject}/describe/approvalLayouts"),
        "uiDetailTemplate": format!("{instance}/{{ID}}"),
        "uiEditTemplate": format!("{instance}/{{ID}}/e"),
        "defaultValues": format!("{sobject}/defaultValues?recordTypeId&fields"),
        "listviews": format!("{sobject}/listviews"),
        "describe": format!("{sobject}/describe"),
        "uiNewRecord": format!("{instance}/{}/e", object.key_prefix),
        "quickActions": format!("{sobject}/quickActions"),
        "layouts": format!("{sobject}/describe/layouts"),
        "sobject": sobject,
    })
}

/// Returns the relationships through which records of other objects point to `parent`.
fn child_relationships(objects: &[ObjectDef], parent: &str) -> Vec<Value> {
    let mut children = Vec::new();
    for object in objects {
        for field in &object.fields {
            let points_here = field.reference_to.iter().any(|target| target == parent);
            if !points_here {
                continue;
            }
            children.push(json!({
                "cascadeDelete": false,
                "childSObject": object.name,
                "deprecatedAndHidden": false,
                "field": field.name,
                "junctionIdListNames": [],
                "junctionReferenceTo": [],
                "relationshipName": field.child_relationship,
                "restrictedDelete": false,
            }));
        }
    }
    children
}

/// Returns the describe of one field.
fn describe_field(field: &FieldDef) -> Value {
    let kind = field.field_type;
    let system = field.access == Access::System;
    let text = kind.is_text();
    let picklist: Vec<Value> = field
        .picklist_values
        .iter()
        .map(|value| {
            let is_default = field.default_value.as_ref().and_then(Value::as_str) == Some(value);
            json!({"active": true, "defaultValue": is_default, "label": value, "validFor": null, "value": value})
        })
        .collect();
    let mut described = json!({
        "aggregatable": field.filterable(),
        "aiPredictionField": false,
        "autoNumber": false,
        "byteLength": if text || kind.is_id() { field.length * 3 } else { 0 },
        "calculated": false,
        "calculatedFormula": null,
        "cascadeDelete": false,
        "caseSensitive": field.case_sensitive,
        "compoundFieldName": null,
        "controllerName": null,
        "createable": field.createable(),
        "custom": field.custom(),
        "defaultValue": field.default_value,
        "defaultValueFormula": null,
        "defaultedOnCreate": system || field.access == Access::Defaulted
            || field.default_value.is_some() || kind == FieldType::Boolean,
        "dependentPicklist": false,
        "deprecatedAndHidden": false,
        "digits": if kind == FieldType::Int { 18 } else { 0 },
        "displayLocationInDecimal": false,
        "encrypted": false,
        "externalId": field.external_id,
        "extraTypeInfo": (kind == FieldType::TextArea).then_some("plaintextarea"),
        "filterable": field.filterable(),
        "filteredLookupInfo": null,
        "formulaTreatNullNumberAsZero": false,
        "groupable": field.filterable() && (kind == FieldType::Int || !kind.is_number()),
        "highScaleNumber": false,
        "htmlFormatted": false,
        "idLookup": field.matchable(),
        "inlineHelpText": null,
        "label": field.label,
    });
    let rest = json!({
        "length": if text || kind.is_id() { field.length } else { 0 },
        "mask": null,
        "maskType": null,
        "name": field.name,
        "nameField": field.name == "Name",
        "namePointing": false,
        "nillable": !field.required() && kind != FieldType::Boolean && !system,
        "permissionable": !field.required() && !system,
        "picklistValues": picklist,
        "polymorphicForeignKey": field.reference_to.len() > 1,
        "precision": if matches!(kind, FieldType::Currency | FieldType::Double | FieldType::Percent) { 18 } else { 0 },
        "queryByDistance": false,
        "referenceTargetField": null,
        "referenceTo": field.reference_to,
        "relationshipName": field.relationship_name,
        "relationshipOrder": null,
        "restrictedDelete": false,
        "restrictedPicklist": field.restricted_picklist,
        "scale": if kind == FieldType::Currency { 2 } else { 0 },
        "searchPrefilterable": false,
        "soapType": soap_type(kind),
        "sortable": field.filterable(),
        "type": kind.describe_name(),
        "unique": field.unique,
        "updateable": field.updateable(),
        "writeRequiresMasterRead": false,
    });
    if let (Value::Object(members), Value::Object(more)) = (&mut described, rest) {
        members.extend(more);
    }
    described
}

fn soap_type(kind: FieldType) -> &'static str {
    match kind {
        FieldType::Id | FieldType::Reference => "tns:ID",
        FieldType::Boolean => "xsd:boolean",
        FieldType::Double | FieldType::Currency | FieldType::Percent => "xsd:double",
        FieldType::Int => "xsd:int",
        FieldType::Date => "xsd:date",
        FieldType::DateTime => "xsd:dateTime",
        _ => "xsd:string",
    }
}

/// `GET /sobjects/{object}`: the object's summary and its recently viewed records (none
/// here, since no user views records in the emulator).
pub(super) async fn basic(
    State(emulator): State<SalesforceEmulator>,
    Extension(version): Extension<ApiVersion>,
    Path((_version, name)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let definition = object_in_url(&emulator, &name)?;
    Ok(Json(json!({
        "objectDescribe": object_summary(&definition, version),
        "recentItems": [],
    })))
}
