//! Custom fields discovered in the account: `getCustomizationId` lists the custom fields of a
//! customization type, and a `getList` of their records gives each one's script ID, field
//! type and the record types it applies to.

use tandem_engine::{FieldInfo, FieldType};

use crate::client::NetSuiteClient;
use crate::error::Error;
use crate::records::{BodyValue, Record, RecordRef};

/// Returns the customization type of a record type's custom fields, and the checkboxes of a
/// custom field record that mark it as applying to that record type.
fn customization_of(record_type: &str) -> Option<(&'static str, &'static [&'static str])> {
    let found: (&str, &[&str]) = match record_type {
        "customer" => ("entityCustomField", &["appliesToCustomer"]),
        "contact" => ("entityCustomField", &["appliesToContact"]),
        "salesOrder" | "invoice" => ("transactionBodyCustomField", &["bodySale"]),
        "customerPayment" => ("transactionBodyCustomField", &["bodyCustomerPayment"]),
        "inventoryItem" => ("itemCustomField", &["appliesToInventory"]),
        "nonInventorySaleItem" => ("itemCustomField", &["appliesToNonInventory"]),
        "serviceSaleItem" => ("itemCustomField", &["appliesToService"]),
        _ => return None,
    };
    Some(found)
}

/// Returns the engine type of a `CustomizationFieldType` value.
fn field_type(value: &str) -> FieldType {
    match value {
        "_checkBox" => FieldType::Bool,
        "_currency" | "_decimalNumber" | "_integerNumber" | "_percent" => FieldType::Number,
        "_date" => FieldType::Date,
        "_datetime" => FieldType::DateTime,
        "_listRecord" | "_multipleSelect" => FieldType::Reference(Vec::new()),
        "_freeFormText" | "_textArea" | "_longText" | "_eMailAddress" | "_hyperlink"
        | "_phoneNumber" | "_richText" => FieldType::Text,
        other => FieldType::Other(other.to_string()),
    }
}

/// Returns the custom fields of `record_type` the account defines, or none for a record type
/// without custom fields here.
pub(super) async fn discover(
    client: &NetSuiteClient,
    record_type: &str,
) -> Result<Vec<FieldInfo>, Error> {
    let Some((kind, applies_to)) = customization_of(record_type) else {
        return Ok(Vec::new());
    };
    let references: Vec<RecordRef> = client
        .get_customization_ids(kind)
        .await?
        .into_iter()
        .filter(|found| found.internal_id.is_some())
        .map(|found| RecordRef {
            record_type: Some(kind.to_string()),
            internal_id: found.internal_id,
            external_id: None,
            name: None,
        })
        .collect();
    if references.is_empty() {
        return Ok(Vec::new());
    }
    let mut fields = Vec::new();
    for record in client.get_list(&references).await? {
        let record = record?;
        if let Some(field) = field_info(&record, applies_to) {
            fields.push(field);
        }
    }
    Ok(fields)
}

/// Describes one custom field record, or returns `None` when it does not apply to the record
/// type (none of the `applies_to` checkboxes is set).
fn field_info(record: &Record, applies_to: &[&str]) -> Option<FieldInfo> {
    let text = |name: &str| {
        record.fields.iter().find_map(|(field, value)| match value {
            BodyValue::Text(text) if field == name => Some(text.as_str()),
            _ => None,
        })
    };
    let applies = applies_to.iter().any(|name| text(name) == Some("true"));
    if !applies {
        return None;
    }
    Some(FieldInfo {
        name: text("scriptId")?.to_string(),
        field_type: field_type(text("fieldType").unwrap_or_default()),
        createable: true,
        updateable: true,
        external_id: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[(&str, &str)]) -> Record {
        Record {
            record_type: "entityCustomField".to_string(),
            fields: fields
                .iter()
                .map(|(name, value)| (name.to_string(), BodyValue::Text(value.to_string())))
                .collect(),
            ..Record::default()
        }
    }

    #[test]
    fn field_info_reads_script_id_and_type() {
        let found = record(&[
            ("fieldType", "_integerNumber"),
            ("scriptId", "custentity_score"),
            ("appliesToCustomer", "true"),
        ]);
        let info = field_info(&found, &["appliesToCustomer"]).unwrap();
        assert_eq!(info.name, "custentity_score");
        assert_eq!(info.field_type, FieldType::Number);
    }

    #[test]
    fn field_info_skips_other_record_types() {
        let found = record(&[
            ("fieldType", "_freeFormText"),
            ("scriptId", "custentity_linkedin"),
            ("appliesToContact", "true"),
        ]);
        assert_eq!(field_info(&found, &["appliesToCustomer"]), None);
    }

    #[test]
    fn field_type_maps_select_to_reference() {
        assert_eq!(field_type("_listRecord"), FieldType::Reference(Vec::new()));
        assert_eq!(field_type("_checkBox"), FieldType::Bool);
    }
}
