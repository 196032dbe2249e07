//! Applying a write to a stored record: sent fields replace stored ones, `nullFieldList`
//! clears, sublists replace or merge their lines as their `replaceAll` attribute sets, and
//! custom fields merge by script ID.
//!
//! A sent line that names a stored line by its key (`line`, `doc`, location, or currency and
//! price level) changes only the fields it sends. With `replaceAll` true the list then holds
//! the sent lines alone; with `replaceAll` false the other stored lines stay.

use super::parse::RecordInput;
use super::{StoredRecord, render};
use crate::netsuite::customer::parse_bool;
use crate::netsuite::soap::CORE;
use crate::netsuite::xml::Element;
use crate::netsuite::xsd::schema;

/// Sublists whose `replaceAll` defaults to false in the schema; every other sublist replaces
/// all its lines unless the client sends `replaceAll="false"`.
const MERGED_BY_DEFAULT: [&str; 1] = ["pricingMatrix"];

impl StoredRecord {
    /// Applies a write. The record's dates are left to the caller.
    pub fn apply(&mut self, input: &RecordInput) {
        for name in &input.null_fields {
            self.clear(name);
        }
        if let Some(external_id) = &input.external_id {
            self.external_id = Some(external_id.clone());
        }
        let type_name = self.kind.qname();
        for sent in &input.fields {
            let is_sublist = schema()
                .field(&type_name, &sent.name)
                .is_some_and(|definition| schema().is_sublist(&definition.type_name));
            let merged = match self.field(&sent.name) {
                Some(stored) if is_sublist => merge_lines(stored, sent, replaces_all(sent)),
                Some(stored) if sent.name == "customFieldList" => merge_custom_fields(stored, sent),
                _ => sent.clone(),
            };
            self.fields.retain(|f| f.name != sent.name);
            self.fields.push(merged);
        }
        render::sort_fields(self);
    }

    /// Clears a field named in `nullFieldList`, or a custom field by script ID or internal ID.
    fn clear(&mut self, name: &str) {
        self.fields.retain(|f| f.name != name);
        if let Some(list) = self.field_mut("customFieldList") {
            list.children.retain(|custom| {
                custom.attr("scriptId") != Some(name) && custom.attr("internalId") != Some(name)
            });
        }
    }
}

/// Returns the effective `replaceAll` of a sent sublist.
fn replaces_all(sent: &Element) -> bool {
    match sent.attr("replaceAll").and_then(parse_bool) {
        Some(flag) => flag,
        None => !MERGED_BY_DEFAULT.contains(&sent.name.as_str()),
    }
}

/// Merges sent lines into stored ones: a line with the key of a stored line updates the
/// fields it sends; the others are added at the end. Stored lines that were not sent stay
/// unless `replace_all`.
fn merge_lines(stored: &Element, sent: &Element, replace_all: bool) -> Element {
    let mut merged = sent.clone();
    merged.children.clear();
    if !replace_all {
        merged.children = stored.children.clone();
    }
    for line in &sent.children {
        let key = line_key(line);
        let stored_line = key.as_ref().and_then(|key| {
            stored
                .children
                .iter()
                .find(|l| line_key(l).as_ref() == Some(key))
        });
        let updated = match stored_line {
            Some(stored_line) => merge_fields(stored_line, line),
            None => line.clone(),
        };
        let position = key.as_ref().and_then(|key| {
            merged
                .children
                .iter()
                .position(|l| line_key(l).as_ref() == Some(key))
        });
        match position {
            Some(index) => merged.children[index] = updated,
            None => merged.children.push(updated),
        }
    }
    merged
}

/// Returns a stored line with the fields of a sent line put in place of its own.
fn merge_fields(stored: &Element, sent: &Element) -> Element {
    let mut merged = stored.clone();
    for field in &sent.children {
        merged.children.retain(|f| f.name != field.name);
        merged.children.push(field.clone());
    }
    merged
}

/// Returns the value that identifies a sublist line: its line number, the document it applies
/// to, its location, or its currency and price level.
pub(crate) fn line_key(line: &Element) -> Option<String> {
    for name in ["line", "doc", "orderLine"] {
        if let Some(child) = line.child_named(name) {
            return Some(format!("{name}={}", child.trimmed_text()));
        }
    }
    if let Some(location) = line
        .child_named("locationId")
        .and_then(|l| l.attr("internalId"))
    {
        return Some(format!("location={location}"));
    }
    let currency = line
        .child_named("currency")
        .and_then(|c| c.attr("internalId"));
    let level = line
        .child_named("priceLevel")
        .and_then(|c| c.attr("internalId"));
    match (currency, level) {
        (None, None) => None,
        _ => Some(format!(
            "pricing={}/{}",
            currency.unwrap_or_default(),
            level.unwrap_or_default()
        )),
    }
}

/// Merges custom fields by script ID (or internal ID when no script ID was sent).
fn merge_custom_fields(stored: &Element, sent: &Element) -> Element {
    let mut merged = stored.clone();
    for field in sent.children.iter().filter(|c| c.is(CORE, "customField")) {
        let key = custom_field_key(field);
        merged
            .children
            .retain(|existing| key.is_none() || custom_field_key(existing) != key);
        merged.children.push(field.clone());
    }
    merged
}

fn custom_field_key(field: &Element) -> Option<String> {
    field
        .attr("scriptId")
        .or_else(|| field.attr("internalId"))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netsuite::records::RecordKind;
    use crate::netsuite::records::parse::parse_record;
    use crate::netsuite::xml::{Version, parse_document};
    use chrono::Utc;

    const V: Version = Version {
        year: 2025,
        release: 2,
    };

    fn input(fields: &str) -> RecordInput {
        let doc = format!(
            r#"<r xmlns:tranSales="urn:sales_2025_2.transactions.webservices.netsuite.com"
                xmlns:platformCore="urn:core_2025_2.platform.webservices.netsuite.com">{fields}</r>"#
        );
        let element = parse_document(&doc, V).unwrap();
        parse_record(&element, RecordKind::SalesOrder, V).unwrap()
    }

    fn lines(record: &StoredRecord) -> Vec<String> {
        record
            .field("itemList")
            .unwrap()
            .children
            .iter()
            .map(|line| line.child_named("description").unwrap().text.clone())
            .collect()
    }

    fn item_list(replace_all: &str, content: &str) -> String {
        format!("<tranSales:itemList{replace_all}>{content}</tranSales:itemList>")
    }

    fn line(number: u32, description: &str) -> String {
        format!(
            "<tranSales:item><tranSales:description>{description}</tranSales:description>\
             <tranSales:line>{number}</tranSales:line></tranSales:item>"
        )
    }

    #[test]
    fn apply_replaces_all_lines_by_default() {
        let mut record = StoredRecord::new(RecordKind::SalesOrder, "1".into(), Utc::now());
        record.apply(&input(&item_list("", &(line(1, "a") + &line(2, "b")))));
        record.apply(&input(&item_list("", &line(2, "c"))));
        assert_eq!(lines(&record), vec!["c"]);
    }

    #[test]
    fn apply_merges_lines_by_line_number() {
        let mut record = StoredRecord::new(RecordKind::SalesOrder, "1".into(), Utc::now());
        record.apply(&input(&item_list("", &(line(1, "a") + &line(2, "b")))));
        let merge = item_list(" replaceAll=\"false\"", &(line(2, "c") + &line(3, "d")));
        record.apply(&input(&merge));
        assert_eq!(lines(&record), vec!["a", "c", "d"]);
    }

    #[test]
    fn apply_updates_keyed_line_fields_only() {
        let mut record = StoredRecord::new(RecordKind::SalesOrder, "1".into(), Utc::now());
        record.apply(&input(&item_list("", &(line(1, "a") + &line(2, "b")))));
        let close = "<tranSales:item><tranSales:line>1</tranSales:line>\
                     <tranSales:isClosed>true</tranSales:isClosed></tranSales:item>";
        record.apply(&input(&item_list("", close)));
        assert_eq!(lines(&record), vec!["a"]);
        let line = &record.field("itemList").unwrap().children[0];
        assert_eq!(line.child_named("isClosed").unwrap().text, "true");
    }

    #[test]
    fn apply_clears_null_fields_only() {
        let mut record = StoredRecord::new(RecordKind::SalesOrder, "1".into(), Utc::now());
        record.apply(&input(
            "<tranSales:memo>m</tranSales:memo><tranSales:otherRefNum>7</tranSales:otherRefNum>",
        ));
        record.apply(&input(
            "<platformCore:nullFieldList><platformCore:name>memo</platformCore:name>\
             </platformCore:nullFieldList>",
        ));
        assert!(record.field("memo").is_none());
        assert_eq!(record.text("otherRefNum"), Some("7"));
    }
}
