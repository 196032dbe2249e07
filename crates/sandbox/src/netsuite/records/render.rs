//! Writing a stored record as NetSuite does: the record element with its keys and `xsi:type`,
//! then its fields in schema order, dates in Pacific time.

use std::collections::BTreeSet;

use super::StoredRecord;
use crate::netsuite::customer::write_stored_element;
use crate::netsuite::datetime::format_pacific;
use crate::netsuite::soap::CORE;
use crate::netsuite::xml::{Version, XmlWriter};
use crate::netsuite::xsd::schema;

/// The element name and surroundings of a written record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordPlace<'a> {
    /// `record` inside a get response, `platformCore:record` inside a search result.
    pub element: &'a str,
    /// True when an ancestor declares the `platformCore` prefix.
    pub core_in_scope: bool,
    /// True to leave sublists out, as search does while `bodyFieldsOnly` is true.
    pub body_fields_only: bool,
}

/// Writes one record.
pub(crate) fn write_record(
    out: &mut XmlWriter,
    record: &StoredRecord,
    place: RecordPlace,
    version: Version,
) {
    let kind = record.kind;
    let namespace = version.namespace(kind.namespace());
    let type_attr = format!("{}:{}", kind.prefix(), kind.type_name());
    let declaration = format!("xmlns:{}", kind.prefix());
    let mut attrs = vec![("internalId", record.internal_id.as_str())];
    if let Some(external_id) = &record.external_id {
        attrs.push(("externalId", external_id));
    }
    attrs.push(("xsi:type", &type_attr));
    attrs.push((&declaration, &namespace));
    out.open(place.element, &attrs);

    let mut in_scope = BTreeSet::from([kind.namespace().to_string()]);
    if place.core_in_scope {
        in_scope.insert(CORE.to_string());
    }
    let type_name = kind.qname();
    let prefix = kind.prefix();
    for definition in schema().fields(&type_name) {
        let name = definition.name.as_str();
        if Some(name) == kind.created_field() {
            let tag = format!("{prefix}:{name}");
            out.text_element(&tag, &[], &format_pacific(record.created));
            continue;
        }
        if name == "lastModifiedDate" {
            let tag = format!("{prefix}:{name}");
            out.text_element(&tag, &[], &format_pacific(record.last_modified));
            continue;
        }
        if place.body_fields_only && schema().is_sublist(&definition.type_name) {
            continue;
        }
        if let Some(field) = record.field(name) {
            write_stored_element(out, field, &in_scope, version);
        }
    }
    out.close(place.element);
}

/// Sorts a record's fields into schema order.
pub(crate) fn sort_fields(record: &mut StoredRecord) {
    let order: Vec<String> = schema()
        .fields(&record.kind.qname())
        .iter()
        .map(|f| f.name.clone())
        .collect();
    record.fields.sort_by_key(|field| {
        order
            .iter()
            .position(|name| *name == field.name)
            .unwrap_or(order.len())
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netsuite::records::RecordKind;
    use chrono::{TimeZone, Utc};

    const V: Version = Version {
        year: 2025,
        release: 2,
    };

    #[test]
    fn write_record_puts_dates_and_fields_in_schema_order() {
        let when = Utc.with_ymd_and_hms(2024, 7, 1, 12, 0, 0).unwrap();
        let mut record = StoredRecord::new(RecordKind::SalesOrder, "77".into(), when);
        record.external_id = Some("OPP-9".into());
        record.set_text("memo", "Rush & ship");
        record.set_ref("entity", "5", Some("Acme"));
        let mut out = XmlWriter::default();
        let place = RecordPlace {
            element: "record",
            core_in_scope: false,
            body_fields_only: false,
        };
        write_record(&mut out, &record, place, V);
        let xml = out.finish();
        assert!(xml.starts_with(
            "<record internalId=\"77\" externalId=\"OPP-9\" xsi:type=\"tranSales:SalesOrder\" \
             xmlns:tranSales=\"urn:sales_2025_2.transactions.webservices.netsuite.com\">\
             <tranSales:createdDate>2024-07-01T05:00:00.000-07:00</tranSales:createdDate>"
        ));
        let entity = xml.find("<tranSales:entity internalId=\"5\"").unwrap();
        let memo = xml
            .find("<tranSales:memo>Rush &amp; ship</tranSales:memo>")
            .unwrap();
        let modified = xml.find("<tranSales:lastModifiedDate>").unwrap();
        assert!(entity < memo);
        assert!(memo < modified);
        assert!(xml.contains(
            "<tranSales:entity internalId=\"5\" \
             xmlns:platformCore=\"urn:core_2025_2.platform.webservices.netsuite.com\">\
             <platformCore:name>Acme</platformCore:name>"
        ));
    }
}
