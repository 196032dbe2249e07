//! Basic search criteria: which field, which operator, which values.

use std::io;

use chrono::{DateTime, Utc};
use quick_xml::Writer;

use crate::envelope::{bool_text, check_xml_text, text_element};
use crate::error::Error;
use crate::operations::get::{check_record_ref_text, write_record_ref};
use crate::records::{CriterionKind, RecordRef, SearchSchema, format_date_time};

/// Operators of a date criterion (`SearchDateField`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateOperator {
    After,
    Before,
    On,
    OnOrAfter,
    OnOrBefore,
    /// Between the value and the second value, both included.
    Within,
    NotAfter,
    NotBefore,
    NotOn,
    NotOnOrAfter,
    NotOnOrBefore,
    NotWithin,
}

impl DateOperator {
    /// Returns the operator as NetSuite spells it (`onOrAfter`).
    pub fn as_str(self) -> &'static str {
        match self {
            DateOperator::After => "after",
            DateOperator::Before => "before",
            DateOperator::On => "on",
            DateOperator::OnOrAfter => "onOrAfter",
            DateOperator::OnOrBefore => "onOrBefore",
            DateOperator::Within => "within",
            DateOperator::NotAfter => "notAfter",
            DateOperator::NotBefore => "notBefore",
            DateOperator::NotOn => "notOn",
            DateOperator::NotOnOrAfter => "notOnOrAfter",
            DateOperator::NotOnOrBefore => "notOnOrBefore",
            DateOperator::NotWithin => "notWithin",
        }
    }

    fn takes_two_values(self) -> bool {
        matches!(self, DateOperator::Within | DateOperator::NotWithin)
    }
}

/// Operators of a text criterion (`SearchStringField`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringOperator {
    Is,
    IsNot,
    Contains,
    DoesNotContain,
    StartsWith,
    DoesNotStartWith,
    HasKeywords,
}

impl StringOperator {
    /// Returns the operator as NetSuite spells it (`startsWith`).
    pub fn as_str(self) -> &'static str {
        match self {
            StringOperator::Is => "is",
            StringOperator::IsNot => "isNot",
            StringOperator::Contains => "contains",
            StringOperator::DoesNotContain => "doesNotContain",
            StringOperator::StartsWith => "startsWith",
            StringOperator::DoesNotStartWith => "doesNotStartWith",
            StringOperator::HasKeywords => "hasKeywords",
        }
    }
}

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

/// A basic search over one record type: all criteria must match.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRecord {
    /// The `RecordType` value of the records searched (`customer`).
    pub record_type: String,
    /// Criteria in any order; requests sort them into XSD order.
    pub criteria: Vec<Criterion>,
}

impl SearchRecord {
    /// Builds a search over `record_type` without criteria, which matches every record.
    pub fn new(record_type: impl Into<String>) -> SearchRecord {
        SearchRecord {
            record_type: record_type.into(),
            criteria: Vec::new(),
        }
    }

    /// Adds a criterion.
    pub fn with(mut self, criterion: Criterion) -> SearchRecord {
        self.criteria.push(criterion);
        self
    }
}

pub(super) fn check_criterion(
    schema: &SearchSchema,
    criterion: &Criterion,
) -> Result<usize, Error> {
    let (position, field) = schema.criterion(&criterion.field).ok_or_else(|| {
        Error::Config(format!(
            "NetSuite {} has no basic criterion `{}`",
            schema.type_name, criterion.field
        ))
    })?;
    if field.kind != criterion.value.kind() {
        return Err(Error::Config(format!(
            "criterion `{}` is a {:?} field, not {:?}",
            criterion.field,
            field.kind,
            criterion.value.kind()
        )));
    }
    if let CriterionValue::Date {
        operator, second, ..
    } = &criterion.value
    {
        let expected = if operator.takes_two_values() { 2 } else { 1 };
        let provided = if second.is_some() { 2 } else { 1 };
        if expected != provided {
            return Err(Error::Config(format!(
                "criterion `{}`: operator {} takes {expected} value(s), {provided} provided",
                criterion.field,
                operator.as_str(),
            )));
        }
    }
    check_criterion_text(criterion)?;
    Ok(position)
}

/// Checks the text values of a criterion with [`check_xml_text`].
fn check_criterion_text(criterion: &Criterion) -> Result<(), Error> {
    let field = criterion.field.as_str();
    match &criterion.value {
        CriterionValue::String { value, .. } => check_xml_text(field, value),
        CriterionValue::EnumMultiSelect { values, .. } => values
            .iter()
            .try_for_each(|value| check_xml_text(field, value)),
        CriterionValue::MultiSelect { values, .. } => values
            .iter()
            .try_for_each(|value| check_record_ref_text(field, value)),
        CriterionValue::Date { .. } | CriterionValue::Boolean(_) => Ok(()),
    }
}

pub(super) fn write_criterion(
    writer: &mut Writer<Vec<u8>>,
    criterion: &Criterion,
) -> io::Result<()> {
    const VALUE: &str = "platformCore:searchValue";
    let element = format!("platformCommon:{}", criterion.field);
    let start = writer.create_element(element.as_str());
    match &criterion.value {
        CriterionValue::Date {
            operator,
            value,
            second,
        } => start
            .with_attribute(("operator", operator.as_str()))
            .write_inner_content(|writer| {
                text_element(writer, VALUE, &format_date_time(*value))?;
                if let Some(second) = second {
                    text_element(
                        writer,
                        "platformCore:searchValue2",
                        &format_date_time(*second),
                    )?;
                }
                Ok(())
            })?,
        CriterionValue::String { operator, value } => start
            .with_attribute(("operator", operator.as_str()))
            .write_inner_content(|writer| text_element(writer, VALUE, value))?,
        CriterionValue::Boolean(value) => {
            start.write_inner_content(|writer| text_element(writer, VALUE, bool_text(*value)))?
        }
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
