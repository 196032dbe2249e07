//! Importing records as NetSuite returned them, for tests that replay recorded traffic: the
//! record keeps its internal ID, external ID and dates, and every field the 2023_2 schema
//! defines, without business rules. Fields the schema does not define, such as those of older
//! endpoint versions, are left out and reported.

use chrono::{DateTime, Utc};

use super::NetSuiteEmulator;
use super::customer::schema::{field_kind, is_read_only};
use super::customer::{StoredCustomer, parse_customer};
use super::datetime::parse_xsd_datetime;
use super::records::{RecordKind, StoredRecord, render};
use super::seeding::RecordError;
use super::soap::RELATIONSHIPS;
use super::state::State;
use super::xml::{Element, Version, document_version, parse_document};
use super::xsd::schema;

/// A record stored by [`NetSuiteEmulator::import_record`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedRecord {
    /// The internal ID the record was stored under.
    pub internal_id: String,
    /// The fields left out because the 2023_2 schema does not define them, or not in the
    /// form given.
    pub dropped_fields: Vec<String>,
}

impl NetSuiteEmulator {
    /// Stores a record element as a NetSuite response carries it (a `record` with an
    /// `xsi:type`, its namespaces declared on it), keeping its internal ID, external ID and
    /// dates, without running business rules. A record without an internal ID gets the next
    /// one. Records of types the emulator does not serve are refused.
    pub fn import_record(&self, record_xml: &str) -> Result<ImportedRecord, RecordError> {
        let version = document_version(record_xml).ok_or_else(|| {
            RecordError::Invalid("the record declares no NetSuite namespace".to_string())
        })?;
        let record = parse_document(record_xml, version)
            .map_err(|error| RecordError::Invalid(error.to_string()))?;
        let Some(record_type) = record.xsi_type.clone() else {
            return Err(RecordError::Invalid(
                "the record has no xsi:type".to_string(),
            ));
        };
        let mut state = self.lock();
        let internal_id = match record.attr("internalId").filter(|id| !id.is_empty()) {
            Some(id) => id.to_string(),
            None => state.allocate_internal_id(),
        };
        state.note_internal_id(&internal_id);
        let dropped = if record_type.ns == RELATIONSHIPS && record_type.name == "Customer" {
            import_customer(&mut state, &record, internal_id.clone(), version)
        } else if let Some(kind) = RecordKind::from_qname(&record_type.ns, &record_type.name) {
            import_other(&mut state, &record, kind, internal_id.clone())
        } else {
            return Err(RecordError::Invalid(format!(
                "records of type {} are not served",
                record_type.name
            )));
        };
        Ok(ImportedRecord {
            internal_id,
            dropped_fields: dropped,
        })
    }
}

fn import_other(
    state: &mut State,
    element: &Element,
    kind: RecordKind,
    internal_id: String,
) -> Vec<String> {
    let mut record = StoredRecord::new(kind, internal_id, Utc::now());
    record.external_id = element.attr("externalId").map(str::to_string);
    let type_name = kind.qname();
    let mut dropped = Vec::new();
    for field in &element.children {
        let known = schema()
            .field(&type_name, &field.name)
            .is_some_and(|definition| definition.ns == field.ns);
        if !known {
            dropped.push(field.name.clone());
        } else if Some(field.name.as_str()) == kind.created_field() {
            record.created = date_of(field).unwrap_or(record.created);
        } else if field.name == "lastModifiedDate" {
            record.last_modified = date_of(field).unwrap_or(record.last_modified);
        } else {
            record.fields.push(field.clone());
        }
    }
    render::sort_fields(&mut record);
    if let Some(tran_id) = record.text("tranId").map(str::to_string) {
        state.records.note_tran_id(kind, &tran_id);
    }
    state.records.put(record);
    dropped
}

/// Imports a customer field by field, so one field in a form the schema does not accept
/// leaves out that field only.
fn import_customer(
    state: &mut State,
    element: &Element,
    internal_id: String,
    version: Version,
) -> Vec<String> {
    let now = Utc::now();
    let mut stored = StoredCustomer::new(internal_id, now);
    let (mut created, mut modified) = (now, now);
    let mut dropped = Vec::new();
    for field in &element.children {
        match field.name.as_str() {
            "dateCreated" => created = date_of(field).unwrap_or(created),
            "lastModifiedDate" => modified = date_of(field).unwrap_or(modified),
            name if is_read_only(name) && field_kind(name).is_some() => {
                stored.extras.push(field.clone());
            }
            _ => {
                let mut single = element.clone();
                single.children = vec![field.clone()];
                match parse_customer(&single, version) {
                    Ok(input) => stored.apply(&input, now),
                    Err(_) => dropped.push(field.name.clone()),
                }
            }
        }
    }
    stored.customer.external_id = element.attr("externalId").map(str::to_string);
    stored.customer.date_created = created;
    stored.customer.last_modified = modified;
    state.put(stored);
    dropped
}

fn date_of(field: &Element) -> Option<DateTime<Utc>> {
    parse_xsd_datetime(field.trimmed_text())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netsuite::NetSuiteCredentials;

    const ORDER: &str = r#"<record internalId="42" externalId="E-1"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
        xmlns:tranSales="urn:sales_2013_2.transactions.webservices.netsuite.com"
        xsi:type="tranSales:SalesOrder">
        <tranSales:createdDate>2013-12-01T10:00:00.000-08:00</tranSales:createdDate>
        <tranSales:tranId>650</tranSales:tranId>
        <tranSales:transactionShipAddress/>
        <tranSales:status>Pending Fulfillment</tranSales:status></record>"#;

    #[test]
    fn import_record_keeps_ids_and_drops_old_fields() {
        let emulator = NetSuiteEmulator::new(NetSuiteCredentials::generate());
        let imported = emulator.import_record(ORDER).unwrap();
        assert_eq!(imported.internal_id, "42");
        assert_eq!(
            imported.dropped_fields,
            vec!["transactionShipAddress".to_string()]
        );
        let xml = emulator.record_xml("salesOrder", "42", "2013_2").unwrap();
        assert!(xml.contains("<tranSales:status>Pending Fulfillment</tranSales:status>"));
        assert!(xml.contains("2013-12-01T10:00:00.000-08:00"));
        assert_eq!(emulator.customers().len(), 0);
    }

    #[test]
    fn import_record_moves_internal_ids_on() {
        let emulator = NetSuiteEmulator::new(NetSuiteCredentials::generate());
        emulator.import_record(ORDER).unwrap();
        let next = emulator.insert_customer(crate::netsuite::Customer {
            internal_id: String::new(),
            external_id: None,
            entity_id: None,
            company_name: Some("Next".into()),
            email: None,
            phone: None,
            url: None,
            is_inactive: false,
            date_created: Utc::now(),
            last_modified: Utc::now(),
            custom_fields: Vec::new(),
        });
        assert_eq!(next, "43");
    }
}
