//! Basic search criteria: which field, which operator, which values.

use std::io;

use chrono::{DateTime, Utc};
use quick_xml::Writer;

use crate::envelope::{bool_text, check_xml_text, qualified, text_element};
use crate::error::Error;
use crate::namespace::Namespace;
use crate::operations::get::{check_record_ref_text, write_record_ref};
use crate::records::{RecordRef, format_date_time};
use crate::schema::{ComplexType, CriterionKind, FieldKind};

pub use super::operators::{DateOperator, NumberOperator, StringOperator};

/// The value of one criterion. New criterion kinds become new variants.
#[derive(Debug, Clone, PartialEq)]
pub enum CriterionValue {
    /// A `SearchDateField`; `second` is required by `within` and `notWithin` only.
    Date {
        /// The comparison between the field and the values.
        operator: DateOperator,
        /// The value, sent in UTC with `Z`.
        value: DateTime<Utc>,
        /// The end of a `within` or `notWithin` range.
        second: Option<DateTime<Utc>>,
    },
    /// A `SearchStringField`.
    String {
        /// The comparison between the field and the value.
        operator: StringOperator,
        /// The text to compare with.
        value: String,
    },
    /// A `SearchBooleanField`, which has no operator.
    Boolean(bool),
    /// A `SearchDoubleField` or `SearchLongField`; `second` is required by `between` and
    /// `notBetween` only. A long field takes whole numbers.
    Number {
        /// The comparison between the field and the values.
        operator: NumberOperator,
        /// The value.
        value: f64,
        /// The end of a `between` or `notBetween` range.
        second: Option<f64>,
    },
    /// A `SearchTextNumberField` such as a transaction's `tranId`, compared as a number where
    /// the text is one.
    TextNumber {
        /// The comparison between the field and the values.
        operator: NumberOperator,
        /// The value (`SO1042` or `1042`).
        value: String,
        /// The end of a `between` or `notBetween` range.
        second: Option<String>,
    },
    /// A `SearchMultiSelectField` (records) with `anyOf`, or `noneOf` when `none_of` is set.
    MultiSelect {
        /// True selects `noneOf`: records whose field matches no entry of `values`.
        none_of: bool,
        /// References by internal ID (or external ID).
        values: Vec<RecordRef>,
    },
    /// A `SearchEnumMultiSelectField` (enum values such as `_customer`) with `anyOf`, or
    /// `noneOf` when `none_of` is set.
    EnumMultiSelect {
        /// True selects `noneOf`: records whose field matches no entry of `values`.
        none_of: bool,
        /// Enum values as NetSuite spells them (`_customer`).
        values: Vec<String>,
    },
}

impl CriterionValue {
    fn kind(&self) -> CriterionKind {
        match self {
            CriterionValue::Date { .. } => CriterionKind::Date,
            CriterionValue::String { .. } => CriterionKind::String,
            CriterionValue::Boolean(_) => CriterionKind::Boolean,
            CriterionValue::Number { .. } => CriterionKind::Double,
            CriterionValue::TextNumber { .. } => CriterionKind::TextNumber,
            CriterionValue::MultiSelect { .. } => CriterionKind::MultiSelect,
            CriterionValue::EnumMultiSelect { .. } => CriterionKind::EnumMultiSelect,
        }
    }
}

/// One basic search criterion: a field of the `*SearchBasic` type and its condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    /// Element name in the search's basic type (`lastModifiedDate`, `email`).
    pub field: String,
    /// The condition on the field.
    pub value: CriterionValue,
}

impl Criterion {
    /// Builds a criterion on `field`.
    pub fn new(field: impl Into<String>, value: CriterionValue) -> Criterion {
        Criterion {
            field: field.into(),
            value,
        }
    }
}

/// A criterion on a custom field of the searched record, by script ID.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomCriterion {
    /// The custom field's script ID (`custentity_region`).
    pub script_id: String,
    /// The condition. A `MultiSelect` value matches select and multi-select fields by the
    /// internal IDs of list values.
    pub value: CriterionValue,
}

/// Criteria on one joined record type (`contactJoin` of a customer search).
#[derive(Debug, Clone, PartialEq)]
pub struct Join {
    /// The join element (`contactJoin`, `customerJoin`).
    pub name: String,
    /// Criteria of the joined type's basic search.
    pub criteria: Vec<Criterion>,
}

/// A search over one record type: all criteria must match, on the record itself, its custom
/// fields and the joined records.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRecord {
    /// The `RecordType` value of the records searched (`customer`, `salesOrder`), or
    /// `transaction` or `item` for every kind.
    pub record_type: String,
    /// Criteria in any order; requests sort them into XSD order.
    pub criteria: Vec<Criterion>,
    /// Criteria on custom fields.
    pub custom_criteria: Vec<CustomCriterion>,
    /// Criteria on joined records.
    pub joins: Vec<Join>,
}

impl SearchRecord {
    /// Builds a search over `record_type` without criteria, which matches every record.
    pub fn new(record_type: impl Into<String>) -> SearchRecord {
        SearchRecord {
            record_type: record_type.into(),
            criteria: Vec::new(),
            custom_criteria: Vec::new(),
            joins: Vec::new(),
        }
    }

    /// Adds a criterion.
    pub fn with(mut self, criterion: Criterion) -> SearchRecord {
        self.criteria.push(criterion);
        self
    }

    /// Adds a criterion on a custom field.
    pub fn with_custom(
        mut self,
        script_id: impl Into<String>,
        value: CriterionValue,
    ) -> SearchRecord {
        self.custom_criteria.push(CustomCriterion {
            script_id: script_id.into(),
            value,
        });
        self
    }

    /// Adds a criterion on the joined record `join` (`contactJoin`).
    pub fn with_join(mut self, join: &str, criterion: Criterion) -> SearchRecord {
        match self.joins.iter_mut().find(|existing| existing.name == join) {
            Some(existing) => existing.criteria.push(criterion),
            None => self.joins.push(Join {
                name: join.to_string(),
                criteria: vec![criterion],
            }),
        }
        self
    }
}

/// Checks a criterion against the basic search type `group` and returns its position.
pub(super) fn check_criterion(group: &ComplexType, criterion: &Criterion) -> Result<usize, Error> {
    let (position, field) = group.field(&criterion.field).ok_or_else(|| {
        Error::Config(format!(
            "NetSuite {} has no criterion `{}`",
            group.name, criterion.field
        ))
    })?;
    let FieldKind::Criterion(kind) = field.kind else {
        return Err(Error::Config(format!(
            "`{}` of {} is not a search criterion",
            criterion.field, group.name
        )));
    };
    check_value(&criterion.field, kind, &criterion.value)?;
    Ok(position)
}

/// Checks that `value` fits a criterion of `kind`, with as many values as its operator takes.
pub(super) fn check_value(
    field: &str,
    kind: CriterionKind,
    value: &CriterionValue,
) -> Result<(), Error> {
    let fits = match value {
        CriterionValue::Number { value, second, .. } => {
            let numbers = std::iter::once(value).chain(second.iter());
            match kind {
                CriterionKind::Double => true,
                CriterionKind::Long => numbers.into_iter().all(|number| number.fract() == 0.0),
                _ => false,
            }
        }
        other => other.kind() == kind,
    };
    if !fits {
        return Err(Error::Config(format!(
            "criterion `{field}` is a {kind:?} field and cannot take {value:?}"
        )));
    }
    let (two_values, operator, provided) = match value {
        CriterionValue::Date {
            operator, second, ..
        } => (
            operator.takes_two_values(),
            operator.as_str(),
            second.is_some(),
        ),
        CriterionValue::Number {
            operator, second, ..
        } => (
            operator.takes_two_values(),
            operator.as_str(),
            second.is_some(),
        ),
        CriterionValue::TextNumber {
            operator, second, ..
        } => (
            operator.takes_two_values(),
            operator.as_str(),
            second.is_some(),
        ),
        _ => (false, "", false),
    };
    if two_values != provided {
        let expected = if two_values { 2 } else { 1 };
        let given = if provided { 2 } else { 1 };
        return Err(Error::Config(format!(
            "criterion `{field}`: operator {operator} takes {expected} value(s), {given} provided"
        )));
    }
    check_criterion_text(field, value)
}

/// Checks the text values of a criterion with [`check_xml_text`].
fn check_criterion_text(field: &str, value: &CriterionValue) -> Result<(), Error> {
    match value {
        CriterionValue::String { value, .. } => check_xml_text(field, value),
        CriterionValue::EnumMultiSelect { values, .. } => values
            .iter()
            .try_for_each(|value| check_xml_text(field, value)),
        CriterionValue::MultiSelect { values, .. } => values
            .iter()
            .try_for_each(|value| check_record_ref_text(field, value)),
        CriterionValue::TextNumber { value, second, .. } => std::iter::once(value)
            .chain(second.iter())
            .try_for_each(|value| check_xml_text(field, value)),
        CriterionValue::Date { .. }
        | CriterionValue::Boolean(_)
        | CriterionValue::Number { .. } => Ok(()),
    }
}

/// Writes a criterion as an element of `namespace` (`platformCommon:lastModifiedDate`).
pub(super) fn write_criterion(
    writer: &mut Writer<Vec<u8>>,
    namespace: Namespace,
    criterion: &Criterion,
) -> io::Result<()> {
    let element = qualified(namespace, &criterion.field);
    let start = writer.create_element(element.as_str());
    write_condition(start, &criterion.value)
}

/// Writes the operator and values of a condition into the started element `start`.
pub(super) fn write_condition(
    start: quick_xml::writer::ElementWriter<'_, Vec<u8>>,
    value: &CriterionValue,
) -> io::Result<()> {
    const VALUE: &str = "platformCore:searchValue";
    const VALUE2: &str = "platformCore:searchValue2";
    match value {
        CriterionValue::Date {
            operator,
            value,
            second,
        } => start
            .with_attribute(("operator", operator.as_str()))
            .write_inner_content(|writer| {
                text_element(writer, VALUE, &format_date_time(*value))?;
                if let Some(second) = second {
                    text_element(writer, VALUE2, &format_date_time(*second))?;
                }
                Ok(())
            })?,
        CriterionValue::String { operator, value } => start
            .with_attribute(("operator", operator.as_str()))
            .write_inner_content(|writer| text_element(writer, VALUE, value))?,
        CriterionValue::Boolean(value) => {
            start.write_inner_content(|writer| text_element(writer, VALUE, bool_text(*value)))?
        }
        CriterionValue::Number {
            operator,
            value,
            second,
        } => start
            .with_attribute(("operator", operator.as_str()))
            .write_inner_content(|writer| {
                text_element(writer, VALUE, &value.to_string())?;
                if let Some(second) = second {
                    text_element(writer, VALUE2, &second.to_string())?;
                }
                Ok(())
            })?,
        CriterionValue::TextNumber {
            operator,
            value,
            second,
        } => start
            .with_attribute(("operator", operator.as_str()))
            .write_inner_content(|writer| {
                text_element(writer, VALUE, value)?;
                if let Some(second) = second {
                    text_element(writer, VALUE2, second)?;
                }
                Ok(())
            })?,
        CriterionValue::MultiSelect { none_of, values } => start
            .with_attribute(("operator", multi_select_operator(*none_of)))
            .write_inner_content(|writer| {
                values
                    .iter()
                    .try_for_each(|value| write_record_ref(writer, VALUE, value, false))
            })?,
        CriterionValue::EnumMultiSelect { none_of, values } => start
            .with_attribute(("operator", multi_select_operator(*none_of)))
            .write_inner_content(|writer| {
                values
                    .iter()
                    .try_for_each(|value| text_element(writer, VALUE, value))
            })?,
    };
    Ok(())
}

fn multi_select_operator(none_of: bool) -> &'static str {
    if none_of { "noneOf" } else { "anyOf" }
}

/// Checks a custom field criterion: a script ID and a value kind that custom field searches
/// have.
pub(super) fn check_custom_criterion(criterion: &CustomCriterion) -> Result<(), Error> {
    if criterion.script_id.is_empty() {
        return Err(Error::Config(
            "a custom field criterion needs a script ID".to_string(),
        ));
    }
    check_xml_text("customField.scriptId", &criterion.script_id)?;
    if custom_search_type(&criterion.value).is_none() {
        return Err(Error::Config(format!(
            "custom field criterion `{}` cannot take a transaction number",
            criterion.script_id
        )));
    }
    let kind = criterion.value.kind();
    check_value(&criterion.script_id, kind, &criterion.value)
}

/// Returns the `xsi:type` of a custom field criterion with `value`.
fn custom_search_type(value: &CriterionValue) -> Option<&'static str> {
    let name = match value {
        CriterionValue::Date { .. } => "platformCore:SearchDateCustomField",
        CriterionValue::String { .. } => "platformCore:SearchStringCustomField",
        CriterionValue::Boolean(_) => "platformCore:SearchBooleanCustomField",
        CriterionValue::Number { .. } => "platformCore:SearchDoubleCustomField",
        CriterionValue::MultiSelect { .. } => "platformCore:SearchMultiSelectCustomField",
        CriterionValue::EnumMultiSelect { .. } => "platformCore:SearchEnumMultiSelectCustomField",
        CriterionValue::TextNumber { .. } => return None,
    };
    Some(name)
}

/// Writes the `customFieldList` of a basic search group, or nothing without criteria.
pub(super) fn write_custom_criteria(
    writer: &mut Writer<Vec<u8>>,
    namespace: Namespace,
    criteria: &[CustomCriterion],
) -> io::Result<()> {
    if criteria.is_empty() {
        return Ok(());
    }
    let element = qualified(namespace, "customFieldList");
    writer
        .create_element(element.as_str())
        .write_inner_content(|writer| {
            for criterion in criteria {
                // `check_custom_criterion` rejected the values without a custom search type.
                let xsi_type = custom_search_type(&criterion.value).unwrap_or_default();
                let start = writer
                    .create_element("platformCore:customField")
                    .with_attribute(("xsi:type", xsi_type))
                    .with_attribute(("scriptId", criterion.script_id.as_str()));
                write_condition(start, &criterion.value)?;
            }
            Ok(())
        })?;
    Ok(())
}
