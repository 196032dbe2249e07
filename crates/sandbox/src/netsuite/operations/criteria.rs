//! Customer search criteria (`listRel:CustomerSearch` / `platformCommon:CustomerSearchBasic`):
//! reading them from a request and matching them against stored customers.

use chrono::{DateTime, Utc};

use crate::netsuite::customer::{Customer, StoredCustomer};
use crate::netsuite::datetime::{pacific_date, parse_xsd_datetime, whole_seconds};
use crate::netsuite::faults::StatusDetail;
use crate::netsuite::soap::{COMMON, CORE, RELATIONSHIPS};
use crate::netsuite::xml::Element;

/// The conditions of a search; a customer matches when it meets all of them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Criteria {
    conditions: Vec<Condition>,
}

#[derive(Debug, Clone, PartialEq)]
enum Condition {
    LastModified {
        operator: DateOperator,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    },
    Text {
        field: TextField,
        operator: StringOperator,
        value: String,
    },
    Keys {
        by_external_id: bool,
        any_of: bool,
        values: Vec<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum TextField {
    ExternalIdString,
    Email,
    CompanyName,
    EntityId,
}

/// `SearchDateFieldOperator` values; the `not*` forms negate their base form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DateOperator {
    base: DateTest,
    negated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum DateTest {
    After,
    Before,
    On,
    OnOrAfter,
    OnOrBefore,
    Within,
    Empty,
}

/// `SearchStringFieldOperator` values; the negative forms negate their base form.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct StringOperator {
    base: StringTest,
    negated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum StringTest {
    Is,
    Contains,
    StartsWith,
    HasKeywords,
    Empty,
}

impl Criteria {
    /// Reads the `searchRecord` element of a search request.
    pub fn parse(search_record: &Element) -> Result<Criteria, StatusDetail> {
        let Some(record_type) = &search_record.xsi_type else {
            return Err(StatusDetail::unknown_record_type());
        };
        let basic = match (record_type.ns.as_str(), record_type.name.as_str()) {
            (ns, "CustomerSearchBasic") if ns == COMMON => Some(search_record),
            (ns, "CustomerSearch") if ns == RELATIONSHIPS => customer_search_basic(search_record)?,
            (ns, name) if ns == RELATIONSHIPS && name.starts_with("CustomerSearch") => {
                return Err(StatusDetail::unsupported_search_field(name));
            }
            _ => return Err(StatusDetail::unknown_record_type()),
        };
        let conditions = match basic {
            Some(basic) => basic
                .children
                .iter()
                .map(parse_condition)
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        Ok(Criteria { conditions })
    }

    /// Returns true when the customer meets every condition.
    pub fn matches(&self, stored: &StoredCustomer) -> bool {
        self.conditions
            .iter()
            .all(|condition| condition.matches(&stored.customer))
    }
}

/// Returns the `basic` criteria of a `CustomerSearch`; joins are not evaluated.
fn customer_search_basic(search: &Element) -> Result<Option<&Element>, StatusDetail> {
    if let Some(join) = search.children.iter().find(|c| c.name != "basic") {
        return Err(StatusDetail::unsupported_search_field(&join.name));
    }
    Ok(search.child(RELATIONSHIPS, "basic"))
}

fn parse_condition(field: &Element) -> Result<Condition, StatusDetail> {
    if field.ns != COMMON {
        return Err(StatusDetail::unsupported_search_field(&field.name));
    }
    let operator = field.attr("operator").unwrap_or_default();
    match field.name.as_str() {
        "lastModifiedDate" => parse_date_condition(field, operator),
        "externalIdString" => parse_text(field, operator, TextField::ExternalIdString),
        "email" => parse_text(field, operator, TextField::Email),
        "companyName" => parse_text(field, operator, TextField::CompanyName),
        "entityId" => parse_text(field, operator, TextField::EntityId),
        "internalId" => parse_keys(field, operator, false),
        "externalId" => parse_keys(field, operator, true),
        other => Err(StatusDetail::unsupported_search_field(other)),
    }
}

/// A `SearchDateField` as read from a request: its operator and its one or two values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct DateCriterion {
    operator: DateOperator,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
}

impl DateCriterion {
    /// Returns true when an instant meets the criterion, compared at whole seconds.
    pub(crate) fn matches(&self, value: DateTime<Utc>) -> bool {
        self.operator.test(whole_seconds(value), self.from, self.to)
    }
}

/// Reads a `SearchDateField`, checking that it has the values its operator needs.
pub(crate) fn read_date_field(field: &Element) -> Result<DateCriterion, StatusDetail> {
    let operator = field.attr("operator").unwrap_or_default();
    let Condition::LastModified { operator, from, to } = parse_date_condition(field, operator)?
    else {
        return Err(StatusDetail::invalid_search_operator(&field.name, operator));
    };
    Ok(DateCriterion { operator, from, to })
}

fn parse_date_condition(field: &Element, operator: &str) -> Result<Condition, StatusDetail> {
    let parsed = DateOperator::parse(operator)
        .ok_or_else(|| StatusDetail::invalid_search_operator(&field.name, operator))?;
    if field.child(CORE, "predefinedSearchValue").is_some() {
        return Err(StatusDetail::unsupported_search_field(
            "predefinedSearchValue",
        ));
    }
    let from = date_value(field, "searchValue")?;
    let to = date_value(field, "searchValue2")?;
    let needs_from = parsed.base != DateTest::Empty;
    let needs_to = parsed.base == DateTest::Within;
    if (needs_from && from.is_none()) || (needs_to && to.is_none()) {
        return Err(StatusDetail::invalid_search_value(&field.name, ""));
    }
    Ok(Condition::LastModified {
        operator: parsed,
        from,
        to,
    })
}

fn date_value(field: &Element, name: &str) -> Result<Option<DateTime<Utc>>, StatusDetail> {
    let Some(value) = field.child(CORE, name) else {
        return Ok(None);
    };
    parse_xsd_datetime(value.trimmed_text())
        .map(|instant| Some(whole_seconds(instant)))
        .ok_or_else(|| StatusDetail::invalid_search_value(&field.name, value.trimmed_text()))
}

fn parse_text(
    field: &Element,
    operator: &str,
    text_field: TextField,
) -> Result<Condition, StatusDetail> {
    let parsed = StringOperator::parse(operator)
        .ok_or_else(|| StatusDetail::invalid_search_operator(&field.name, operator))?;
    let value = field
        .child(CORE, "searchValue")
        .map(|v| v.trimmed_text().to_string())
        .unwrap_or_default();
    if parsed.base != StringTest::Empty && value.is_empty() {
        return Err(StatusDetail::invalid_search_value(&field.name, ""));
    }
    Ok(Condition::Text {
        field: text_field,
        operator: parsed,
        value,
    })
}

fn parse_keys(
    field: &Element,
    operator: &str,
    by_external_id: bool,
) -> Result<Condition, StatusDetail> {
    let any_of = match operator {
        "anyOf" => true,
        "noneOf" => false,
        _ => return Err(StatusDetail::invalid_search_operator(&field.name, operator)),
    };
    let key = if by_external_id {
        "externalId"
    } else {
        "internalId"
    };
    let values = field
        .children
        .iter()
        .filter(|v| v.is(CORE, "searchValue"))
        .filter_map(|v| v.attr(key))
        .map(str::to_string)
        .collect();
    Ok(Condition::Keys {
        by_external_id,
        any_of,
        values,
    })
}

impl Condition {
    fn matches(&self, customer: &Customer) -> bool {
        match self {
            Condition::LastModified { operator, from, to } => {
                operator.test(whole_seconds(customer.last_modified), *from, *to)
            }
            Condition::Text {
                field,
                operator,
                value,
            } => operator.test(text_of(customer, *field), value),
            Condition::Keys {
                by_external_id,
                any_of,
                values,
            } => {
                let key = if *by_external_id {
                    customer.external_id.as_deref()
                } else {
                    Some(customer.internal_id.as_str())
                };
                let listed = key.is_some_and(|key| values.iter().any(|v| v == key));
                listed == *any_of
            }
        }
    }
}

fn text_of(customer: &Customer, field: TextField) -> Option<&str> {
    match field {
        TextField::ExternalIdString => customer.external_id.as_deref(),
        TextField::Email => customer.email.as_deref(),
        TextField::CompanyName => customer.company_name.as_deref(),
        TextField::EntityId => customer.entity_id.as_deref(),
    }
}

impl DateOperator {
    /// Reads a `SearchDateFieldOperator` value.
    pub(crate) fn parse(text: &str) -> Option<DateOperator> {
        let (base, negated) = match text {
            "after" => (DateTest::After, false),
            "notAfter" => (DateTest::After, true),
            "before" => (DateTest::Before, false),
            "notBefore" => (DateTest::Before, true),
            "on" => (DateTest::On, false),
            "notOn" => (DateTest::On, true),
            "onOrAfter" => (DateTest::OnOrAfter, false),
            "notOnOrAfter" => (DateTest::OnOrAfter, true),
            "onOrBefore" => (DateTest::OnOrBefore, false),
            "notOnOrBefore" => (DateTest::OnOrBefore, true),
            "within" => (DateTest::Within, false),
            "notWithin" => (DateTest::Within, true),
            "empty" => (DateTest::Empty, false),
            "notEmpty" => (DateTest::Empty, true),
            _ => return None,
        };
        Some(DateOperator { base, negated })
    }

    /// Compares at whole seconds; `on` compares calendar dates in Pacific time.
    pub(crate) fn test(
        self,
        value: DateTime<Utc>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> bool {
        let result = match (self.base, from) {
            (DateTest::Empty, _) => false,
            (_, None) => false,
            (DateTest::After, Some(from)) => value > from,
            (DateTest::Before, Some(from)) => value < from,
            (DateTest::OnOrAfter, Some(from)) => value >= from,
            (DateTest::OnOrBefore, Some(from)) => value <= from,
            (DateTest::On, Some(from)) => pacific_date(value) == pacific_date(from),
            (DateTest::Within, Some(from)) => to.is_some_and(|to| from <= value && value <= to),
        };
        result != self.negated
    }
}

impl StringOperator {
    /// Reads a `SearchStringFieldOperator` value.
    pub(crate) fn parse(text: &str) -> Option<StringOperator> {
        let (base, negated) = match text {
            "is" => (StringTest::Is, false),
            "isNot" => (StringTest::Is, true),
            "contains" => (StringTest::Contains, false),
            "doesNotContain" => (StringTest::Contains, true),
            "startsWith" => (StringTest::StartsWith, false),
            "doesNotStartWith" => (StringTest::StartsWith, true),
            "hasKeywords" => (StringTest::HasKeywords, false),
            "empty" => (StringTest::Empty, false),
            "notEmpty" => (StringTest::Empty, true),
            _ => return None,
        };
        Some(StringOperator { base, negated })
    }

    /// Compares without regard to case, as NetSuite's text searches do.
    pub(crate) fn test(self, field: Option<&str>, value: &str) -> bool {
        let field = field.unwrap_or_default().to_lowercase();
        let value = value.to_lowercase();
        let result = match self.base {
            StringTest::Is => field == value,
            StringTest::Contains => field.contains(&value),
            StringTest::StartsWith => field.starts_with(&value),
            StringTest::HasKeywords => value.split_whitespace().all(|word| field.contains(word)),
            StringTest::Empty => field.is_empty(),
        };
        result != self.negated
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        parse_xsd_datetime(text).unwrap()
    }

    #[test]
    fn date_operator_parses_schema_spellings() {
        assert!(DateOperator::parse("onOrAfter").is_some());
        assert!(DateOperator::parse("notOnOrAfter").is_some());
        assert!(DateOperator::parse("OnOrAfter").is_none());
        assert!(DateOperator::parse("sometime").is_none());
    }

    #[test]
    fn date_operator_within_is_inclusive() {
        let within = DateOperator::parse("within").unwrap();
        let from = Some(at("2024-01-01T00:00:00Z"));
        let to = Some(at("2024-01-02T00:00:00Z"));
        assert!(within.test(at("2024-01-01T00:00:00Z"), from, to));
        assert!(within.test(at("2024-01-02T00:00:00Z"), from, to));
        assert!(!within.test(at("2024-01-02T00:00:01Z"), from, to));
    }

    #[test]
    fn date_operator_on_compares_pacific_dates() {
        let on = DateOperator::parse("on").unwrap();
        let value = Some(at("2024-01-15T12:00:00-08:00"));
        assert!(on.test(at("2024-01-16T07:59:59Z"), value, None));
        assert!(!on.test(at("2024-01-16T08:00:00Z"), value, None));
    }

    #[test]
    fn entity_id_condition_matches_customer_id() {
        let common = COMMON.replace("{V}", "2023_2");
        let core = CORE.replace("{V}", "2023_2");
        let text = format!(
            r#"<searchRecord xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:c="{common}" xmlns:core="{core}" xsi:type="c:CustomerSearchBasic"><c:entityId operator="contains"><core:searchValue>cust004</core:searchValue></c:entityId></searchRecord>"#
        );
        let version = crate::netsuite::xml::Version::parse("2023_2").unwrap();
        let element = crate::netsuite::xml::parse_document(&text, version).unwrap();
        let criteria = Criteria::parse(&element).unwrap();
        let mut stored = StoredCustomer::new("42".to_string(), at("2024-01-01T00:00:00Z"));
        stored.customer.entity_id = Some("CUST0042".to_string());
        assert!(criteria.matches(&stored));
        stored.customer.entity_id = Some("CUST0100".to_string());
        assert!(!criteria.matches(&stored));
    }

    #[test]
    fn string_operator_ignores_case() {
        let starts = StringOperator::parse("startsWith").unwrap();
        assert!(starts.test(Some("Acme Corp"), "acme"));
        let is_not = StringOperator::parse("isNot").unwrap();
        assert!(is_not.test(None, "acme"));
        let keywords = StringOperator::parse("hasKeywords").unwrap();
        assert!(keywords.test(Some("Blue Heron Outfitters"), "heron blue"));
    }
}
