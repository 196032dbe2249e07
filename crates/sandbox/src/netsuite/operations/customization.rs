//! `getCustomizationId` and the custom field records that `get` and `getList` read. These are
//! the custom fields this emulator's account defines, so a client discovers their script ID,
//! label, field type and record types as it would in a real account.

use super::{Context, required_children};
use crate::netsuite::faults::{Fault, StatusDetail, write_status};
use crate::netsuite::soap::CORE;
use crate::netsuite::state::State;
use crate::netsuite::xml::{Element, XmlWriter};

/// The namespace of custom field records (`setupCustom:EntityCustomField`).
const CUSTOMIZATION: &str = "urn:customization_{V}.setup.webservices.netsuite.com";

/// One custom field the account defines.
pub(crate) struct CustomFieldDefinition {
    /// The `GetCustomizationType` and record type: `entityCustomField`, `itemCustomField` or
    /// `transactionBodyCustomField`.
    pub kind: &'static str,
    pub script_id: &'static str,
    pub label: &'static str,
    /// The `CustomizationFieldType` value, such as `_freeFormText`.
    pub field_type: &'static str,
    /// The boolean elements set to true, such as `appliesToCustomer` or `bodySale`.
    pub applies_to: &'static [&'static str],
}

/// The custom fields of the emulated account.
pub(crate) const DEFINITIONS: &[CustomFieldDefinition] = &[
    CustomFieldDefinition {
        kind: "entityCustomField",
        script_id: "custentity_region",
        label: "Sales Region",
        field_type: "_freeFormText",
        applies_to: &["appliesToCustomer"],
    },
    CustomFieldDefinition {
        kind: "entityCustomField",
        script_id: "custentity_tier",
        label: "Customer Tier",
        field_type: "_freeFormText",
        applies_to: &["appliesToCustomer"],
    },
    CustomFieldDefinition {
        kind: "entityCustomField",
        script_id: "custentity_credit_score",
        label: "Credit Score",
        field_type: "_integerNumber",
        applies_to: &["appliesToCustomer"],
    },
    CustomFieldDefinition {
        kind: "entityCustomField",
        script_id: "custentity_linkedin_url",
        label: "LinkedIn Profile",
        field_type: "_hyperlink",
        applies_to: &["appliesToContact"],
    },
    CustomFieldDefinition {
        kind: "transactionBodyCustomField",
        script_id: "custbody_sf_opportunity_id",
        label: "Salesforce Opportunity ID",
        field_type: "_freeFormText",
        applies_to: &["bodySale"],
    },
    CustomFieldDefinition {
        kind: "itemCustomField",
        script_id: "custitem_web_ready",
        label: "Ready for the Web Store",
        field_type: "_checkBox",
        applies_to: &[
            "appliesToInventory",
            "appliesToNonInventory",
            "appliesToService",
        ],
    },
];

/// Returns the record type name of a customization kind (`EntityCustomField`).
fn type_name(kind: &str) -> String {
    let mut chars = kind.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Returns true for the record types of custom field definitions.
pub(crate) fn is_customization_type(record_type: &str) -> bool {
    DEFINITIONS.iter().any(|field| field.kind == record_type)
}

/// Serves `getCustomizationId`: a `customizationRef` per custom field of the type asked for.
pub(crate) fn get_customization_id(state: &mut State, context: &Context) -> Result<String, Fault> {
    let requested = required_children(context, "customizationType")?[0]
        .attr("getCustomizationType")
        .unwrap_or_default()
        .to_string();
    let refs: Vec<(String, &CustomFieldDefinition)> = DEFINITIONS
        .iter()
        .filter(|field| field.kind == requested)
        .map(|field| (state.custom_field_id(field.script_id, None), field))
        .collect();
    let core = context.version.namespace(CORE);
    Ok(context.respond(|out| {
        out.open(
            "platformCore:getCustomizationIdResult",
            &[("xmlns:platformCore", &core)],
        );
        write_status(out, &[], true, context.version);
        out.text_element("platformCore:totalRecords", &[], &refs.len().to_string());
        out.open("platformCore:customizationRefList", &[]);
        for (id, field) in &refs {
            out.open(
                "platformCore:customizationRef",
                &[
                    ("internalId", id),
                    ("scriptId", field.script_id),
                    ("type", field.kind),
                ],
            );
            out.text_element("platformCore:name", &[], field.label);
            out.close("platformCore:customizationRef");
        }
        out.close("platformCore:customizationRefList");
        out.close("platformCore:getCustomizationIdResult");
    }))
}

/// Finds the custom field a `baseRef` of a customization type names, by internal ID, and
/// returns it with that ID.
pub(crate) fn look_up(
    state: &State,
    base_ref: &Element,
) -> Result<(&'static CustomFieldDefinition, String), StatusDetail> {
    let record_type = base_ref.attr("type").unwrap_or_default();
    let internal_id = base_ref.attr("internalId").unwrap_or_default();
    let script_id = state.custom_field_script_id(internal_id);
    DEFINITIONS
        .iter()
        .filter(|field| field.kind == record_type)
        .find(|field| script_id.as_deref() == Some(field.script_id))
        .map(|field| (field, internal_id.to_string()))
        .ok_or_else(StatusDetail::invalid_key)
}

/// Writes a custom field definition with internal ID `id` as the `record` of a read response.
pub(crate) fn write_definition(
    out: &mut XmlWriter,
    field: &CustomFieldDefinition,
    id: &str,
    context: &Context,
) {
    let namespace = context.version.namespace(CUSTOMIZATION);
    let xsi_type = format!("setupCustom:{}", type_name(field.kind));
    out.open(
        "record",
        &[
            ("internalId", id),
            ("xsi:type", xsi_type.as_str()),
            ("xmlns:setupCustom", namespace.as_str()),
        ],
    );
    out.text_element("setupCustom:fieldType", &[], field.field_type);
    out.text_element("setupCustom:scriptId", &[], field.script_id);
    out.text_element("setupCustom:label", &[], field.label);
    for applies in field.applies_to {
        out.text_element(&format!("setupCustom:{applies}"), &[], "true");
    }
    out.close("record");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definitions_have_unique_script_ids() {
        for (index, field) in DEFINITIONS.iter().enumerate() {
            let later = &DEFINITIONS[index + 1..];
            assert!(
                !later.iter().any(|other| other.script_id == field.script_id),
                "{} is defined twice",
                field.script_id
            );
        }
    }

    #[test]
    fn type_name_capitalizes_the_kind() {
        assert_eq!(type_name("entityCustomField"), "EntityCustomField");
    }

    #[test]
    fn customization_types_are_known() {
        assert!(is_customization_type("entityCustomField"));
        assert!(!is_customization_type("customer"));
    }
}
