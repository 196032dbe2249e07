//! Reading a flow's mapping entries from the configuration file and writing them back with
//! `toml_edit`, so the user's comments, key order and layout stay as they were.

use serde_json::Value;
use tandem_engine::FieldValue;
use tandem_engine::mapping::{DerivedRule, Direction, Mapping};
use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table};

/// The keys of a mapping entry, in the order a saved entry lists them.
const KEYS: [&str; 9] = [
    "netsuite",
    "salesforce",
    "direction",
    "values",
    "lookup",
    "netsuite_default",
    "salesforce_default",
    "constant",
    "expression",
];

/// Converts a JSON entry from the mapper into a TOML table. Blank values (`null`, empty
/// text) are left out, as the mapper sends an unset key.
pub fn entry_table(index: usize, entry: &Value) -> Result<toml::Table, String> {
    let Value::Object(object) = entry else {
        return Err(format!("entry {index} is not a JSON object"));
    };
    let mut table = toml::Table::new();
    for (key, value) in object {
        if value.is_null() || value.as_str().is_some_and(|text| text.trim().is_empty()) {
            continue;
        }
        let value = toml::Value::try_from(value)
            .map_err(|error| format!("entry {index}: {key} cannot be written to TOML: {error}"))?;
        table.insert(key.clone(), value);
    }
    Ok(table)
}

/// Returns the entries of `flows.<flow>.<key>` in the configuration text as JSON objects.
pub fn entries_in(text: &str, flow: &str, key: &str) -> Result<Option<Vec<Value>>, String> {
    let document: toml::Table = toml::from_str(text).map_err(|error| error.to_string())?;
    let list = document
        .get("flows")
        .and_then(|flows| flows.get(flow))
        .and_then(|section| section.get(key));
    let Some(list) = list else {
        return Ok(None);
    };
    let toml::Value::Array(items) = list else {
        return Err(format!("flows.{flow}.{key} is not a list of tables"));
    };
    let entries = items
        .iter()
        .map(|item| serde_json::to_value(item).map_err(|error| error.to_string()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(entries))
}

/// Returns a mapping's rules as the entries a configuration file would write for them.
pub fn mapping_entries(mapping: &Mapping) -> Vec<Value> {
    let mut entries = Vec::new();
    for pair in &mapping.pairs {
        let mut entry = serde_json::Map::new();
        entry.insert("netsuite".into(), Value::from(pair.netsuite.as_str()));
        entry.insert("salesforce".into(), Value::from(pair.salesforce.as_str()));
        match pair.direction {
            Direction::Both => {}
            Direction::ToNetSuite => {
                entry.insert("direction".into(), "to_netsuite".into());
            }
            Direction::ToSalesforce => {
                entry.insert("direction".into(), "to_salesforce".into());
            }
        }
        // NOTE: the file writes a value map's Salesforce values as text, so a template map
        // keyed by Booleans (item-to-price-book's `isInactive`) is saved with text keys, which
        // match only text values once the mapper writes the template's pairs as `fields`.
        if let Some(values) = &pair.values {
            let map: serde_json::Map<String, Value> = values
                .pairs
                .iter()
                .map(|(sf, ns)| (value_text(sf), value_json(ns)))
                .collect();
            entry.insert("values".into(), Value::Object(map));
        }
        if let Some(flow) = &pair.lookup {
            entry.insert("lookup".into(), Value::from(flow.as_str()));
        }
        if let Some(value) = &pair.netsuite_default {
            entry.insert("netsuite_default".into(), value_json(value));
        }
        if let Some(value) = &pair.salesforce_default {
            entry.insert("salesforce_default".into(), value_json(value));
        }
        entries.push(Value::Object(entry));
    }
    for derived in &mapping.derived {
        let mut entry = serde_json::Map::new();
        let side = match derived.target {
            tandem_engine::System::NetSuite => "netsuite",
            tandem_engine::System::Salesforce => "salesforce",
        };
        entry.insert(side.into(), Value::from(derived.field.as_str()));
        match &derived.rule {
            DerivedRule::Constant(value) => entry.insert("constant".into(), value_json(value)),
            DerivedRule::Expression(expression) => {
                entry.insert("expression".into(), Value::from(expression.source()))
            }
        };
        entries.push(Value::Object(entry));
    }
    entries
}

fn value_text(value: &FieldValue) -> String {
    match value_json(value) {
        Value::String(text) => text,
        other => other.to_string(),
    }
}

fn value_json(value: &FieldValue) -> Value {
    match value {
        FieldValue::Text(text) => Value::from(text.as_str()),
        FieldValue::Bool(value) => Value::from(*value),
        FieldValue::Number(number) if number.fract() == 0.0 && number.abs() < 1e15 => {
            Value::from(*number as i64)
        }
        FieldValue::Number(number) => Value::from(*number),
        FieldValue::Null | FieldValue::List(_) => Value::Null,
    }
}

/// Writes `entries` as the mapping of `flow` into the configuration `text` and returns the
/// new text. While the file has no `fields` for the flow and the entries start with the
/// template's `defaults` unchanged, only the rest is written, as `extra_fields`. Otherwise the
/// whole list is written as `fields`, which replaces the template's mapping. Entries that are
/// unchanged keep their comments.
pub fn write_entries(
    text: &str,
    flow: &str,
    entries: &[toml::Table],
    defaults: &[toml::Table],
) -> Result<String, String> {
    let mut document: DocumentMut = text
        .parse()
        .map_err(|error| format!("the configuration file is not valid TOML: {error}"))?;
    let flows = document
        .entry("flows")
        .or_insert_with(|| implicit_table().into())
        .as_table_mut()
        .ok_or("flows is not a table")?;
    let section = flows
        .entry(flow)
        .or_insert_with(|| implicit_table().into())
        .as_table_mut()
        .ok_or_else(|| format!("flows.{flow} is not a table"))?;
    let keeps_defaults = !section.contains_key("fields") && entries.starts_with(defaults);
    if keeps_defaults {
        let extra = &entries[defaults.len()..];
        if extra.is_empty() {
            section.remove("extra_fields");
        } else {
            set_list(section, "extra_fields", extra);
        }
    } else {
        section.remove("extra_fields");
        set_list(section, "fields", entries);
    }
    Ok(document.to_string())
}

fn implicit_table() -> Table {
    let mut table = Table::new();
    table.set_implicit(true);
    table
}

/// Sets `section.key` to the entries. An array of tables keeps each table that equals a new
/// entry (with its comments), and reuses the table at the same place for a changed entry,
/// so a comment above it stays there. An inline array is written inline again.
fn set_list(section: &mut Table, key: &str, entries: &[toml::Table]) {
    match section.get_mut(key) {
        Some(Item::ArrayOfTables(old)) => {
            let mut unused: Vec<Option<Table>> = old.iter().cloned().map(Some).collect();
            let mut list = ArrayOfTables::new();
            for (index, entry) in entries.iter().enumerate() {
                let same = unused
                    .iter()
                    .position(|table| table.as_ref().is_some_and(|t| table_equals(t, entry)));
                let table = match same {
                    Some(position) => unused[position].take(),
                    None => None,
                };
                let table = table.unwrap_or_else(|| {
                    let mut table = unused
                        .get_mut(index)
                        .and_then(Option::take)
                        .unwrap_or_default();
                    fill(&mut table, entry);
                    table
                });
                list.push(table);
            }
            *old = list;
        }
        Some(Item::Value(toml_edit::Value::Array(old))) => {
            let decor = old.decor().clone();
            let mut array = toml_edit::Array::new();
            for entry in entries {
                array.push(inline_table(entry));
            }
            array.set_trailing_comma(true);
            for item in array.iter_mut() {
                item.decor_mut().set_prefix("\n  ");
            }
            array.set_trailing("\n");
            *array.decor_mut() = decor;
            *old = array;
        }
        _ => {
            let mut list = ArrayOfTables::new();
            for entry in entries {
                let mut table = Table::new();
                fill(&mut table, entry);
                list.push(table);
            }
            section.insert(key, Item::ArrayOfTables(list));
        }
    }
}

/// Returns true when a table of the file has the same keys and values as `entry`.
fn table_equals(table: &Table, entry: &toml::Table) -> bool {
    toml::from_str::<toml::Table>(&table.to_string()).is_ok_and(|parsed| parsed == *entry)
}

/// Replaces the keys of `table` with those of `entry`, in the order of [`KEYS`], keeping the
/// table's own decoration (the comment lines above its header).
fn fill(table: &mut Table, entry: &toml::Table) {
    table.clear();
    let known = KEYS.iter().filter_map(|key| entry.get_key_value(*key));
    let other = entry
        .iter()
        .filter(|(key, _)| !KEYS.contains(&key.as_str()));
    for (key, value) in known.chain(other) {
        table.insert(key, Item::Value(edit_value(value)));
    }
}

fn inline_table(entry: &toml::Table) -> InlineTable {
    let mut table = InlineTable::new();
    let known = KEYS.iter().filter_map(|key| entry.get_key_value(*key));
    let other = entry
        .iter()
        .filter(|(key, _)| !KEYS.contains(&key.as_str()));
    for (key, value) in known.chain(other) {
        table.insert(key, edit_value(value));
    }
    table
}

/// Converts a parsed TOML value into the editable form, written in TOML's usual style.
fn edit_value(value: &toml::Value) -> toml_edit::Value {
    match value {
        toml::Value::String(text) => text.as_str().into(),
        toml::Value::Integer(number) => (*number).into(),
        toml::Value::Float(number) => (*number).into(),
        toml::Value::Boolean(value) => (*value).into(),
        toml::Value::Datetime(time) => time.to_string().into(),
        toml::Value::Array(items) => items
            .iter()
            .map(edit_value)
            .collect::<toml_edit::Array>()
            .into(),
        toml::Value::Table(table) => {
            let mut inline = InlineTable::new();
            for (key, value) in table {
                inline.insert(key, edit_value(value));
            }
            inline.into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tables(entries: &[Value]) -> Vec<toml::Table> {
        entries
            .iter()
            .enumerate()
            .map(|(index, entry)| entry_table(index, entry).unwrap())
            .collect()
    }

    const FILE: &str = r#"# Tandem configuration, kept by hand.
[store]
path = "tandem.db" # next to this file

# The companies flow.
[flows.account-customer]
overlap_seconds = 120

# Tier travels as a select list.
[[flows.account-customer.extra_fields]]
netsuite = "custentity_tier"   # the script ID
salesforce = "Tier__c"
values = { Gold = "1" }

# Region is plain text.
[[flows.account-customer.extra_fields]]
netsuite = "custentity_region"
salesforce = "Region__c"
"#;

    fn defaults() -> Vec<Value> {
        vec![json!({"netsuite": "companyName", "salesforce": "Name"})]
    }

    #[test]
    fn save_keeps_comments_of_unchanged_entries() {
        let mut entries = defaults();
        entries.push(
            json!({"netsuite": "custentity_tier", "salesforce": "Tier__c",
            "values": {"Gold": "1"}}),
        );
        entries.push(json!({"netsuite": "custentity_region", "salesforce": "Region__c"}));
        entries.push(json!({"netsuite": "phone", "salesforce": "Phone"}));
        let text = write_entries(
            FILE,
            "account-customer",
            &tables(&entries),
            &tables(&defaults()),
        )
        .unwrap();
        assert!(
            text.starts_with("# Tandem configuration, kept by hand.\n"),
            "{text}"
        );
        assert!(
            text.contains("path = \"tandem.db\" # next to this file"),
            "{text}"
        );
        assert!(text.contains("# Tier travels as a select list."), "{text}");
        assert!(
            text.contains("netsuite = \"custentity_tier\"   # the script ID"),
            "{text}"
        );
        assert!(text.contains("# Region is plain text."), "{text}");
        assert!(
            text.contains("netsuite = \"phone\"\nsalesforce = \"Phone\""),
            "{text}"
        );
        assert!(!text.contains("companyName"), "{text}");
    }

    #[test]
    fn save_reparses_to_the_entries() {
        let mut entries = defaults();
        entries.push(json!({"netsuite": "phone", "salesforce": "Phone",
            "direction": "to_salesforce"}));
        let text = write_entries(
            FILE,
            "account-customer",
            &tables(&entries),
            &tables(&defaults()),
        )
        .unwrap();
        let saved = entries_in(&text, "account-customer", "extra_fields")
            .unwrap()
            .unwrap();
        assert_eq!(saved, vec![entries[1].clone()]);
    }

    #[test]
    fn save_keeps_comment_above_changed_entry() {
        let mut entries = defaults();
        entries.push(json!({"netsuite": "custentity_tier", "salesforce": "Level__c"}));
        entries.push(json!({"netsuite": "custentity_region", "salesforce": "Region__c"}));
        let text = write_entries(
            FILE,
            "account-customer",
            &tables(&entries),
            &tables(&defaults()),
        )
        .unwrap();
        let comment = text.find("# Tier travels as a select list.").unwrap();
        let changed = text.find("salesforce = \"Level__c\"").unwrap();
        assert!(comment < changed, "{text}");
        assert!(!text.contains("Tier__c"), "{text}");
    }

    #[test]
    fn save_writes_fields_when_defaults_change() {
        let entries = vec![json!({"netsuite": "entityId", "salesforce": "Name"})];
        let text = write_entries(
            FILE,
            "account-customer",
            &tables(&entries),
            &tables(&defaults()),
        )
        .unwrap();
        assert!(!text.contains("extra_fields"), "{text}");
        let saved = entries_in(&text, "account-customer", "fields")
            .unwrap()
            .unwrap();
        assert_eq!(saved, entries);
        assert!(text.contains("overlap_seconds = 120"), "{text}");
    }

    #[test]
    fn save_adds_missing_flow_table() {
        let text = "# only a store\n[store]\npath = \"x.db\"\n";
        let mut entries = defaults();
        entries.push(json!({"salesforce": "Description", "expression": "{{ comments }}"}));
        let written = write_entries(
            text,
            "account-customer",
            &tables(&entries),
            &tables(&defaults()),
        )
        .unwrap();
        assert!(written.starts_with("# only a store\n"), "{written}");
        assert!(
            written.contains("[[flows.account-customer.extra_fields]]"),
            "{written}"
        );
        assert!(!written.contains("[flows]\n"), "{written}");
        let saved = entries_in(&written, "account-customer", "extra_fields")
            .unwrap()
            .unwrap();
        assert_eq!(saved, vec![entries[1].clone()]);
    }

    #[test]
    fn save_rewrites_inline_list_inline() {
        let text = "[flows.contact-contact]\n# inline\nextra_fields = [{ netsuite = \"title\", salesforce = \"Title\" }]\n";
        let entries = vec![json!({"netsuite": "phone", "salesforce": "Phone"})];
        let written = write_entries(text, "contact-contact", &tables(&entries), &[]).unwrap();
        assert!(written.contains("# inline\nextra_fields = ["), "{written}");
        let saved = entries_in(&written, "contact-contact", "extra_fields")
            .unwrap()
            .unwrap();
        assert_eq!(saved, entries);
    }

    #[test]
    fn entry_table_drops_blank_values() {
        let table =
            entry_table(0, &json!({"netsuite": "a", "lookup": "", "values": null})).unwrap();
        assert_eq!(table.len(), 1);
    }

    #[test]
    fn entry_table_rejects_non_objects() {
        let error = entry_table(3, &json!("x")).unwrap_err();
        assert_eq!(error, "entry 3 is not a JSON object");
    }
}
