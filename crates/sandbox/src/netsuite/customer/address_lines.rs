//! Applying a sent `addressbookList` to a customer's stored one, line by line.
//!
//! NetSuite keys addressbook lines by their `internalId` ("Updating Sublists in SOAP Web
//! Services", NetSuite Help Center, section N3441570). A sent line with the key of a stored
//! line updates it, and sent lines without a matching key are added. With `replaceAll` true,
//! the schema default, stored lines that were not sent are removed. With `replaceAll` false
//! they stay. A customer has one default billing and one default shipping address, so a line
//! sent as the default clears that flag on the other lines. Every stored line gets an
//! `internalId`, because reads return one for each line.

use super::addressbook::ADDRESSBOOK_FIELDS;
use super::parse_bool;
use crate::netsuite::xml::Element;

/// Flags that at most one line of a customer may set.
const DEFAULT_FLAGS: [&str; 2] = ["defaultBilling", "defaultShipping"];

/// Returns the stored `addressbookList` after applying `sent` to `stored` (absent on a new
/// customer or one without addresses).
pub(crate) fn merge_addressbook(stored: Option<&Element>, sent: &Element) -> Element {
    let stored_lines = stored.map_or(&[][..], |list| list.children.as_slice());
    let mut merged = sent.clone();
    merged.attrs.retain(|attr| attr.name != "replaceAll");
    merged.children = if replaces_all(sent) {
        Vec::new()
    } else {
        stored_lines.to_vec()
    };
    for line in &sent.children {
        let stored_line = line_key(line).and_then(|key| find_line(stored_lines, key));
        let updated = match stored_line {
            Some(stored_line) => merge_line(stored_line, line),
            None => line.clone(),
        };
        let position = line_key(&updated).and_then(|key| {
            merged
                .children
                .iter()
                .position(|other| line_key(other) == Some(key))
        });
        let index = match position {
            Some(index) => {
                merged.children[index] = updated;
                index
            }
            None => {
                merged.children.push(updated);
                merged.children.len() - 1
            }
        };
        clear_other_defaults(&mut merged.children, index);
    }
    assign_line_ids(&mut merged.children);
    merged
}

fn replaces_all(sent: &Element) -> bool {
    sent.attr("replaceAll").and_then(parse_bool).unwrap_or(true)
}

fn line_key(line: &Element) -> Option<&str> {
    line.child_named("internalId")
        .map(Element::trimmed_text)
        .filter(|key| !key.is_empty())
}

fn find_line<'a>(lines: &'a [Element], key: &str) -> Option<&'a Element> {
    lines.iter().find(|line| line_key(line) == Some(key))
}

/// Returns the stored line with the fields of the sent line in place of its own, in schema
/// order. The address subrecord is replaced as a whole, as NetSuite replaces it.
fn merge_line(stored: &Element, sent: &Element) -> Element {
    let mut merged = stored.clone();
    merged.children = ADDRESSBOOK_FIELDS
        .iter()
        .filter_map(|name| sent.child_named(name).or_else(|| stored.child_named(name)))
        .cloned()
        .collect();
    merged
}

/// Sets each default flag that the line at `index` sets to false on every other line.
fn clear_other_defaults(lines: &mut [Element], index: usize) {
    for flag in DEFAULT_FLAGS {
        let is_default = lines[index]
            .child_named(flag)
            .and_then(|value| parse_bool(&value.text))
            .unwrap_or(false);
        if !is_default {
            continue;
        }
        for (other, line) in lines.iter_mut().enumerate() {
            if other == index {
                continue;
            }
            for child in line.children.iter_mut().filter(|child| child.name == flag) {
                child.text = "false".to_string();
            }
        }
    }
}

/// Gives each line without an `internalId` the next number after the highest one the list
/// has. NetSuite chooses its own line IDs, and a key unique within the customer is all an
/// update needs.
fn assign_line_ids(lines: &mut [Element]) {
    let mut next = lines
        .iter()
        .filter_map(|line| line_key(line)?.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    for line in lines.iter_mut().filter(|line| line_key(line).is_none()) {
        next += 1;
        line.children.retain(|child| child.name != "internalId");
        line.children.push(Element {
            ns: line.ns.clone(),
            name: "internalId".to_string(),
            attrs: Vec::new(),
            children: Vec::new(),
            text: next.to_string(),
            xsi_type: None,
            is_nil: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netsuite::xml::{Version, parse_document};

    const V: Version = Version {
        year: 2025,
        release: 2,
    };

    fn list(attrs: &str, lines: &str) -> Element {
        let doc = format!(
            r#"<listRel:addressbookList {attrs}
                xmlns:listRel="urn:relationships_2025_2.lists.webservices.netsuite.com"
                xmlns:platformCommon="urn:common_2025_2.platform.webservices.netsuite.com">{lines}</listRel:addressbookList>"#
        );
        parse_document(&doc, V).unwrap()
    }

    fn line(key: Option<&str>, billing: bool, city: &str) -> String {
        let key = key.map_or(String::new(), |key| {
            format!("<listRel:internalId>{key}</listRel:internalId>")
        });
        format!(
            "<listRel:addressbook><listRel:defaultBilling>{billing}</listRel:defaultBilling>\
             <listRel:addressbookAddress><platformCommon:city>{city}</platformCommon:city>\
             </listRel:addressbookAddress>{key}</listRel:addressbook>"
        )
    }

    fn city(line: &Element) -> &str {
        line.child_named("addressbookAddress")
            .and_then(|address| address.child_named("city"))
            .map_or("", Element::trimmed_text)
    }

    fn flag<'a>(line: &'a Element, name: &str) -> &'a str {
        line.child_named(name).map_or("", Element::trimmed_text)
    }

    fn stored_two() -> Element {
        let sent = list(
            "",
            &(line(None, true, "Denver") + &line(None, false, "Boston")),
        );
        merge_addressbook(None, &sent)
    }

    #[test]
    fn merge_assigns_line_ids() {
        let stored = stored_two();
        let keys: Vec<Option<&str>> = stored.children.iter().map(line_key).collect();
        assert_eq!(keys, [Some("1"), Some("2")]);
        let last = stored.children[0].children.last().unwrap();
        assert_eq!(last.name, "internalId");
    }

    #[test]
    fn merge_without_replace_all_keeps_other_lines() {
        let stored = stored_two();
        let sent = list(r#"replaceAll="false""#, &line(Some("1"), true, "Austin"));
        let merged = merge_addressbook(Some(&stored), &sent);
        assert_eq!(merged.children.len(), 2);
        assert_eq!(city(&merged.children[0]), "Austin");
        assert_eq!(city(&merged.children[1]), "Boston");
        assert_eq!(line_key(&merged.children[0]), Some("1"));
        assert_eq!(merged.attr("replaceAll"), None);
    }

    #[test]
    fn merge_with_replace_all_drops_lines_not_sent() {
        let stored = stored_two();
        let sent = list("", &line(Some("2"), false, "Salem"));
        let merged = merge_addressbook(Some(&stored), &sent);
        assert_eq!(merged.children.len(), 1);
        assert_eq!(city(&merged.children[0]), "Salem");
        assert_eq!(line_key(&merged.children[0]), Some("2"));
    }

    #[test]
    fn merge_adds_line_without_key() {
        let stored = stored_two();
        let sent = list(r#"replaceAll="false""#, &line(None, false, "Reno"));
        let merged = merge_addressbook(Some(&stored), &sent);
        assert_eq!(merged.children.len(), 3);
        assert_eq!(city(&merged.children[2]), "Reno");
        assert_eq!(line_key(&merged.children[2]), Some("3"));
    }

    #[test]
    fn merge_moves_default_billing_to_sent_line() {
        let stored = stored_two();
        let sent = list(r#"replaceAll="false""#, &line(None, true, "Reno"));
        let merged = merge_addressbook(Some(&stored), &sent);
        assert_eq!(flag(&merged.children[0], "defaultBilling"), "false");
        assert_eq!(flag(&merged.children[2], "defaultBilling"), "true");
    }

    #[test]
    fn merge_keeps_fields_the_line_does_not_send() {
        let stored = stored_two();
        let sent = list(
            r#"replaceAll="false""#,
            "<listRel:addressbook><listRel:label>HQ</listRel:label>\
             <listRel:internalId>2</listRel:internalId></listRel:addressbook>",
        );
        let merged = merge_addressbook(Some(&stored), &sent);
        let updated = &merged.children[1];
        assert_eq!(city(updated), "Boston");
        assert_eq!(flag(updated, "label"), "HQ");
        let names: Vec<&str> = updated.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "defaultBilling",
                "label",
                "addressbookAddress",
                "internalId"
            ]
        );
    }
}
