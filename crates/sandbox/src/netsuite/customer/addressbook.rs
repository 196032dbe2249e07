//! Schema checks for `addressbookList`, the customer sublist that integrations send most, so
//! that requests in the pre-2014_2 flat address form fail as they do in NetSuite
//! (`addr1 not found on {urn:relationships_...}CustomerAddressbook`).

use crate::netsuite::faults::Fault;
use crate::netsuite::soap::{COMMON, CORE, RELATIONSHIPS};
use crate::netsuite::xml::{Element, Version};

/// `CustomerAddressbook` elements in schema order (2023_2 `lists.relationships.xsd`).
pub(super) const ADDRESSBOOK_FIELDS: [&str; 6] = [
    "defaultShipping",
    "defaultBilling",
    "isResidential",
    "label",
    "addressbookAddress",
    "internalId",
];

/// `platformCommon:Address` elements in schema order (2023_2 `platform.common.xsd`).
const ADDRESS_FIELDS: [&str; 14] = [
    "internalId",
    "country",
    "attention",
    "addressee",
    "addrPhone",
    "addr1",
    "addr2",
    "addr3",
    "city",
    "state",
    "zip",
    "addrText",
    "override",
    "customFieldList",
];

/// Checks an `addressbookList` element and returns it with every level in schema order and
/// each address's read-only `addrText` computed from its fields. `read_only` receives
/// `addrText` when a client sent it.
pub(crate) fn check_addressbook_list(
    list: &Element,
    version: Version,
    read_only: &mut Vec<String>,
) -> Result<Element, Fault> {
    let mut checked = list.clone();
    checked.children.clear();
    for entry in &list.children {
        if !entry.is(RELATIONSHIPS, "addressbook") {
            return Err(not_found(
                entry,
                RELATIONSHIPS,
                "CustomerAddressbookList",
                version,
            ));
        }
        checked
            .children
            .push(check_addressbook(entry, version, read_only)?);
    }
    Ok(checked)
}

fn check_addressbook(
    entry: &Element,
    version: Version,
    read_only: &mut Vec<String>,
) -> Result<Element, Fault> {
    let mut checked = entry.clone();
    for field in &entry.children {
        if field.ns != RELATIONSHIPS || !ADDRESSBOOK_FIELDS.contains(&field.name.as_str()) {
            return Err(not_found(
                field,
                RELATIONSHIPS,
                "CustomerAddressbook",
                version,
            ));
        }
    }
    checked.children = in_schema_order(&entry.children, &ADDRESSBOOK_FIELDS);
    for field in &mut checked.children {
        if field.name == "addressbookAddress" {
            *field = check_address(field, version, read_only)?;
        }
    }
    Ok(checked)
}

fn check_address(
    address: &Element,
    version: Version,
    read_only: &mut Vec<String>,
) -> Result<Element, Fault> {
    let mut checked = address.clone();
    for field in &address.children {
        let known = field.ns == COMMON && ADDRESS_FIELDS.contains(&field.name.as_str());
        if !known && !field.is(CORE, "nullFieldList") {
            return Err(not_found(field, COMMON, "Address", version));
        }
        if field.name == "addrText" {
            read_only.push(field.name.clone());
        }
    }
    let mut kept: Vec<Element> = address
        .children
        .iter()
        .filter(|field| field.name != "addrText")
        .cloned()
        .collect();
    let text = address_text(&kept);
    if !text.is_empty() {
        let mut addr_text = address.clone();
        addr_text.name = "addrText".to_string();
        addr_text.ns = COMMON.to_string();
        addr_text.attrs.clear();
        addr_text.children.clear();
        addr_text.xsi_type = None;
        addr_text.text = text;
        kept.push(addr_text);
    }
    checked.children = in_schema_order(&kept, &ADDRESS_FIELDS);
    Ok(checked)
}

/// Formats an address as NetSuite's read-only `addrText`: attention, addressee and street
/// lines, then city, state and zip on one line, then the country's name, one per line.
pub(crate) fn address_text(fields: &[Element]) -> String {
    let value = |name: &str| {
        fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.trimmed_text().to_string())
            .filter(|v| !v.is_empty())
    };
    let place: Vec<String> = ["city", "state", "zip"]
        .into_iter()
        .filter_map(value)
        .collect();
    let mut lines: Vec<String> = ["attention", "addressee", "addr1", "addr2", "addr3"]
        .into_iter()
        .filter_map(value)
        .collect();
    if !place.is_empty() {
        lines.push(place.join(" "));
    }
    lines.extend(value("country").map(|country| country_name(&country)));
    lines.join("\n")
}

/// Turns a `Country` enumeration value into its name: `_unitedStates` gives `United States`.
fn country_name(value: &str) -> String {
    let mut name = String::new();
    for (index, c) in value.trim_start_matches('_').chars().enumerate() {
        if index == 0 {
            name.extend(c.to_uppercase());
        } else if c.is_uppercase() {
            name.push(' ');
            name.push(c);
        } else {
            name.push(c);
        }
    }
    name
}

/// Returns the elements sorted by their position in `order`; elements not listed keep their
/// relative order after the listed ones.
fn in_schema_order(elements: &[Element], order: &[&str]) -> Vec<Element> {
    let mut sorted = elements.to_vec();
    sorted.sort_by_key(|element| {
        order
            .iter()
            .position(|name| *name == element.name)
            .unwrap_or(order.len())
    });
    sorted
}

fn not_found(element: &Element, parent_ns: &str, parent_type: &str, version: Version) -> Fault {
    Fault::element_not_found(&element.name, &version.namespace(parent_ns), parent_type)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netsuite::xml::parse_document;

    const V: Version = Version {
        year: 2025,
        release: 2,
    };

    fn list(content: &str) -> Element {
        let doc = format!(
            r#"<listRel:addressbookList
                xmlns:listRel="urn:relationships_2025_2.lists.webservices.netsuite.com"
                xmlns:platformCommon="urn:common_2025_2.platform.webservices.netsuite.com">{content}</listRel:addressbookList>"#
        );
        parse_document(&doc, V).unwrap()
    }

    #[test]
    fn check_addressbook_list_rejects_flat_address() {
        let flat = list(
            "<listRel:addressbook><listRel:addr1>1 Main</listRel:addr1></listRel:addressbook>",
        );
        let fault = check_addressbook_list(&flat, V, &mut Vec::new()).unwrap_err();
        assert_eq!(
            fault.faultstring,
            "com.netledger.util.schemabean.NLSchemaBeanException: addr1 not found on \
             {urn:relationships_2025_2.lists.webservices.netsuite.com}CustomerAddressbook"
        );
    }

    #[test]
    fn check_addressbook_list_sorts_and_drops_addr_text() {
        let nested = list(
            "<listRel:addressbook><listRel:addressbookAddress>\
             <platformCommon:city>Portland</platformCommon:city>\
             <platformCommon:addrText>x</platformCommon:addrText>\
             <platformCommon:country>_unitedStates</platformCommon:country>\
             </listRel:addressbookAddress><listRel:label>HQ</listRel:label></listRel:addressbook>",
        );
        let mut read_only = Vec::new();
        let checked = check_addressbook_list(&nested, V, &mut read_only).unwrap();
        let entry = &checked.children[0];
        assert_eq!(entry.children[0].name, "label");
        let address: Vec<&str> = entry.children[1]
            .children
            .iter()
            .map(|f| f.name.as_str())
            .collect();
        assert_eq!(address, vec!["country", "city", "addrText"]);
        assert_eq!(
            entry.children[1].children[2].text,
            "Portland\nUnited States"
        );
        assert_eq!(read_only, vec!["addrText".to_string()]);
    }
}
