//! Search criteria of transactions, items, contacts and reference lists
//! (`TransactionSearchBasic`, `ItemSearchBasic`, `ContactSearchBasic`, `LocationSearchBasic`,
//! `SubsidiarySearchBasic`, `PriceLevelSearchBasic`, `TermSearchBasic`). Each criterion's
//! kind comes from the published schema, and it is matched against the record field of the
//! same name, with NetSuite's special names (`type`, `status`, `internalId`,
//! `externalIdString`...) mapped to keys and states.

use super::criteria::{DateCriterion, StringOperator, read_date_field};
use crate::netsuite::customer::parse_bool;
use crate::netsuite::faults::StatusDetail;
use crate::netsuite::records::{RecordKind, StoredRecord};
use crate::netsuite::soap::{COMMON, CORE};
use crate::netsuite::xml::Element;
use crate::netsuite::xsd::{QName, schema};

/// The record types a search covers and the conditions every result meets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RecordCriteria {
    kinds: Vec<RecordKind>,
    conditions: Vec<(String, Test)>,
}

/// One condition on a named field.
#[derive(Debug, Clone, PartialEq)]
enum Test {
    Date(DateCriterion),
    Text(StringOperator, String),
    /// RecordRef values by internal ID (or external ID for `externalId`).
    Refs {
        any_of: bool,
        values: Vec<String>,
    },
    /// Enumeration values such as `_salesOrder`.
    Enums {
        any_of: bool,
        values: Vec<String>,
    },
    Bool(bool),
    Number(NumberTest),
}

/// A `SearchLongField` or `SearchDoubleField` condition.
#[derive(Debug, Clone, Copy, PartialEq)]
struct NumberTest {
    operator: &'static str,
    negated: bool,
    from: Option<f64>,
    to: Option<f64>,
}

impl RecordCriteria {
    /// Reads the basic criteria of a search over `kinds`; `basic` is the `*SearchBasic`
    /// element, or `None` for a search with no criteria.
    pub fn parse(
        kinds: Vec<RecordKind>,
        basic_type: &str,
        basic: Option<&Element>,
    ) -> Result<RecordCriteria, StatusDetail> {
        let type_name = QName::new(COMMON, basic_type);
        let mut conditions = Vec::new();
        for field in basic.map(|b| b.children.as_slice()).unwrap_or_default() {
            let definition = schema()
                .field(&type_name, &field.name)
                .filter(|d| d.ns == field.ns)
                .ok_or_else(|| StatusDetail::unsupported_search_field(&field.name))?;
            let test = read_test(field, &definition.type_name.name)?;
            conditions.push((field.name.clone(), test));
        }
        Ok(RecordCriteria { kinds, conditions })
    }

    /// Returns the record types the search covers.
    pub fn kinds(&self) -> &[RecordKind] {
        &self.kinds
    }

    /// Returns true when the record meets every condition.
    pub fn matches(&self, record: &StoredRecord) -> bool {
        self.conditions
            .iter()
            .all(|(name, test)| test.matches(name, record))
    }
}

fn read_test(field: &Element, search_type: &str) -> Result<Test, StatusDetail> {
    let operator = field.attr("operator").unwrap_or_default();
    let values = |attr: Option<&str>| -> Vec<String> {
        field
            .children
            .iter()
            .filter(|v| v.is(CORE, "searchValue"))
            .filter_map(|v| match attr {
                Some(attr) => v.attr(attr).map(str::to_string),
                None => Some(v.trimmed_text().to_string()),
            })
            .collect()
    };
    let list_operator = || match operator {
        "anyOf" => Ok(true),
        "noneOf" => Ok(false),
        other => Err(StatusDetail::invalid_search_operator(&field.name, other)),
    };
    match search_type {
        "SearchDateField" => Ok(Test::Date(read_date_field(field)?)),
        "SearchStringField" | "SearchTextNumberField" => {
            let parsed = StringOperator::parse(operator)
                .ok_or_else(|| StatusDetail::invalid_search_operator(&field.name, operator))?;
            let value = values(None).into_iter().next().unwrap_or_default();
            Ok(Test::Text(parsed, value))
        }
        "SearchMultiSelectField" => {
            let attr = if field.name == "externalId" {
                "externalId"
            } else {
                "internalId"
            };
            Ok(Test::Refs {
                any_of: list_operator()?,
                values: values(Some(attr)),
            })
        }
        "SearchEnumMultiSelectField" => Ok(Test::Enums {
            any_of: list_operator()?,
            values: values(None),
        }),
        "SearchBooleanField" => {
            let text = values(None).into_iter().next().unwrap_or_default();
            let value = parse_bool(&text)
                .ok_or_else(|| StatusDetail::invalid_search_value(&field.name, &text))?;
            Ok(Test::Bool(value))
        }
        "SearchLongField" | "SearchDoubleField" => Ok(Test::Number(read_number(field, operator)?)),
        _ => Err(StatusDetail::unsupported_search_field(&field.name)),
    }
}

fn read_number(field: &Element, operator: &str) -> Result<NumberTest, StatusDetail> {
    let (base, negated) = match operator.strip_prefix("not") {
        Some(rest) if !rest.is_empty() => {
            let mut chars = rest.chars();
            let first = chars.next().map(|c| c.to_ascii_lowercase());
            (
                format!("{}{}", first.unwrap_or_default(), chars.as_str()),
                true,
            )
        }
        _ => (operator.to_string(), false),
    };
    let known = [
        "equalTo",
        "greaterThan",
        "greaterThanOrEqualTo",
        "lessThan",
        "lessThanOrEqualTo",
        "between",
        "empty",
    ];
    let Some(base) = known.into_iter().find(|k| *k == base) else {
        return Err(StatusDetail::invalid_search_operator(&field.name, operator));
    };
    let value = |name: &str| -> Result<Option<f64>, StatusDetail> {
        let Some(text) = field.child(CORE, name).map(Element::trimmed_text) else {
            return Ok(None);
        };
        text.parse()
            .map(Some)
            .map_err(|_| StatusDetail::invalid_search_value(&field.name, text))
    };
    Ok(NumberTest {
        operator: base,
        negated,
        from: value("searchValue")?,
        to: value("searchValue2")?,
    })
}

impl Test {
    fn matches(&self, name: &str, record: &StoredRecord) -> bool {
        match self {
            Test::Date(criterion) => date_of(name, record).is_some_and(|d| criterion.matches(d)),
            Test::Text(operator, value) => operator.test(text_of(name, record), value),
            Test::Refs { any_of, values } => {
                let keys = refs_of(name, record);
                keys.iter().any(|key| values.iter().any(|v| v == key)) == *any_of
            }
            Test::Enums { any_of, values } => {
                let value = enum_of(name, record);
                value.is_some_and(|value| values.contains(&value)) == *any_of
            }
            Test::Bool(wanted) => name == "mainLine" || bool_of(name, record) == *wanted,
            Test::Number(test) => test.matches(number_of(name, record)),
        }
    }
}

impl NumberTest {
    fn matches(&self, value: Option<f64>) -> bool {
        let result = match (self.operator, value, self.from) {
            ("empty", value, _) => value.is_none(),
            (_, None, _) | (_, _, None) => false,
            ("equalTo", Some(v), Some(from)) => (v - from).abs() < 1e-9,
            ("greaterThan", Some(v), Some(from)) => v > from,
            ("greaterThanOrEqualTo", Some(v), Some(from)) => v >= from,
            ("lessThan", Some(v), Some(from)) => v < from,
            ("lessThanOrEqualTo", Some(v), Some(from)) => v <= from,
            ("between", Some(v), Some(from)) => self.to.is_some_and(|to| from <= v && v <= to),
            _ => false,
        };
        result != self.negated
    }
}

fn date_of(name: &str, record: &StoredRecord) -> Option<chrono::DateTime<chrono::Utc>> {
    match name {
        "lastModifiedDate" => Some(record.last_modified),
        "dateCreated" | "created" | "createdDate" => Some(record.created),
        _ => record.date(name),
    }
}

fn text_of<'a>(name: &str, record: &'a StoredRecord) -> Option<&'a str> {
    match name {
        "externalIdString" => record.external_id.as_deref(),
        _ => record.text(name),
    }
}

/// Returns the keys a multi-select criterion compares: one RecordRef's internal ID, or every
/// reference of a list such as `subsidiaryList` for the `subsidiary` criterion.
fn refs_of<'a>(name: &str, record: &'a StoredRecord) -> Vec<&'a str> {
    let single = match name {
        "internalId" => Some(record.internal_id.as_str()),
        "externalId" => record.external_id.as_deref(),
        "entity" if record.kind == RecordKind::CustomerPayment => record.ref_id("customer"),
        "subsidiary" if record.field("subsidiaryList").is_some() => {
            return record
                .field("subsidiaryList")
                .into_iter()
                .flat_map(|list| &list.children)
                .filter_map(|reference| reference.attr("internalId"))
                .collect();
        }
        _ => record.ref_id(name),
    };
    single.into_iter().collect()
}

/// Returns the enumeration value a record has for `type` or `status` criteria: the record
/// type as search names it, or the status as `_<recordType><Status>` (`_invoiceOpen`).
fn enum_of(name: &str, record: &StoredRecord) -> Option<String> {
    match name {
        "type" => record.kind.search_type().map(str::to_string),
        "status" => {
            let status: String = record.text("status")?.split_whitespace().collect();
            Some(format!("_{}{status}", record.kind.record_type()))
        }
        _ => record.text(name).map(str::to_string),
    }
}

fn bool_of(name: &str, record: &StoredRecord) -> bool {
    record.text(name).and_then(parse_bool).unwrap_or(false)
}

fn number_of(name: &str, record: &StoredRecord) -> Option<f64> {
    match name {
        "internalIdNumber" => record.internal_id.parse().ok(),
        "amount" => record.number("total"),
        // The price level search names the record's `discountpct` field `discountPct`.
        "discountPct" => record.number("discountpct"),
        _ => record.number(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_of_builds_search_status_values() {
        let mut record = StoredRecord::new(RecordKind::SalesOrder, "1".into(), chrono::Utc::now());
        record.set_text("status", "Pending Fulfillment");
        assert_eq!(
            enum_of("status", &record).as_deref(),
            Some("_salesOrderPendingFulfillment")
        );
        assert_eq!(enum_of("type", &record).as_deref(), Some("_salesOrder"));
    }

    #[test]
    fn number_test_negates_with_not_prefix() {
        let element = crate::netsuite::records::text_element(COMMON, "amount", "");
        let test = read_number(&element, "notGreaterThan").unwrap();
        assert_eq!(test.operator, "greaterThan");
        assert!(test.negated);
    }
}
