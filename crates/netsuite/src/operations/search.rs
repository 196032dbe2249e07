//! The `search` and `searchMoreWithId` operations with basic search criteria.
//!
//! A search returns its first page and a search ID; the other pages are read with
//! `searchMoreWithId(searchId, pageIndex)`, which runs the search again for that page, so
//! records changed during a walk can move between pages.

use std::io;

use chrono::{DateTime, Utc};
use quick_xml::Writer;

use crate::config::{DEFAULT_PAGE_SIZE, PAGE_SIZE_RANGE};
use crate::envelope::{bool_text, qualified, text_element};
use crate::error::Error;
use crate::operations::get::write_record_ref;
use crate::operations::{Operation, RequestBody, Status};
use crate::records::{
    CriterionKind, Record, RecordRef, SearchSchema, format_date_time, search_schema_for,
};

/// The `searchPreferences` header sent with every search and page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchPreferences {
    /// True returns body fields only, without sublists such as `addressbookList`.
    pub body_fields_only: bool,
    /// Records per page, 5 to 1000.
    pub page_size: u32,
}

impl Default for SearchPreferences {
    /// Body fields only, 1000 records per page: NetSuite's own defaults.
    fn default() -> SearchPreferences {
        SearchPreferences {
            body_fields_only: true,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl SearchPreferences {
    /// Returns [`Error::Config`] when the page size is outside 5 to 1000.
    pub fn validate(&self) -> Result<(), Error> {
        if PAGE_SIZE_RANGE.contains(&self.page_size) {
            Ok(())
        } else {
            Err(Error::Config(format!(
                "invalid search page size {}: NetSuite accepts 5 to 1000",
                self.page_size
            )))
        }
    }
}

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
        operator: DateOperator,
        value: DateTime<Utc>,
        second: Option<DateTime<Utc>>,
    },
    /// A `SearchStringField`.
    String {
        operator: StringOperator,
        value: String,
    },
    /// A `SearchBooleanField`, which has no operator.
    Boolean(bool),
    /// A `SearchMultiSelectField` (records) with `anyOf`, or `noneOf` when `none_of` is set.
    MultiSelect {
        none_of: bool,
        values: Vec<RecordRef>,
    },
    /// A `SearchEnumMultiSelectField` (enum values such as `_customer`) with `anyOf`, or
    /// `noneOf` when `none_of` is set.
    EnumMultiSelect { none_of: bool, values: Vec<String> },
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

/// One page of search results (`searchResult`).
///
/// An empty result has `total_records` and `total_pages` 0, no `page_size` and no
/// `page_index`, and no records.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    pub status: Status,
    pub total_records: Option<u32>,
    pub page_size: Option<u32>,
    pub total_pages: Option<u32>,
    /// 1-based index of this page.
    pub page_index: Option<u32>,
    /// The ID that `searchMoreWithId` reads the other pages with.
    pub search_id: Option<String>,
    /// The page's records. Advanced searches return rows (`searchRowList`) instead, which
    /// this client skips.
    pub records: Vec<Record>,
}

/// The body of a `search` request.
pub(crate) struct SearchRequest {
    schema: &'static SearchSchema,
    /// Criteria sorted by XSD position.
    criteria: Vec<Criterion>,
}

impl SearchRequest {
    /// Checks each criterion against the search schema and sorts them into XSD order.
    pub fn new(search: &SearchRecord) -> Result<SearchRequest, Error> {
        let schema = search_schema_for(&search.record_type).ok_or_else(|| {
            Error::Config(format!(
                "NetSuite record type `{}` cannot be searched yet; supported: customer",
                search.record_type
            ))
        })?;
        let mut positioned = Vec::with_capacity(search.criteria.len());
        for criterion in &search.criteria {
            positioned.push((check_criterion(schema, criterion)?, criterion.clone()));
        }
        positioned.sort_by_key(|(position, _)| *position);
        if positioned.windows(2).any(|pair| pair[0].0 == pair[1].0) {
            return Err(Error::Config(
                "a search criterion field is given twice".to_string(),
            ));
        }
        Ok(SearchRequest {
            schema,
            criteria: positioned
                .into_iter()
                .map(|(_, criterion)| criterion)
                .collect(),
        })
    }
}

fn check_criterion(schema: &SearchSchema, criterion: &Criterion) -> Result<usize, Error> {
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
        let given = if second.is_some() { 2 } else { 1 };
        if expected != given {
            return Err(Error::Config(format!(
                "criterion `{}`: operator {} takes {expected} value(s), {given} given",
                criterion.field,
                operator.as_str(),
            )));
        }
    }
    Ok(position)
}

impl RequestBody for SearchRequest {
    fn operation(&self) -> Operation {
        Operation::Search
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let xsi_type = qualified(self.schema.namespace, self.schema.type_name);
        writer
            .create_element("platformMsgs:search")
            .write_inner_content(|writer| {
                let start = writer
                    .create_element("platformMsgs:searchRecord")
                    .with_attribute(("xsi:type", xsi_type.as_str()));
                if self.criteria.is_empty() {
                    start.write_empty()?;
                    return Ok(());
                }
                start.write_inner_content(|writer| self.write_basic(writer))?;
                Ok(())
            })?;
        Ok(())
    }
}

impl SearchRequest {
    fn write_basic(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let basic = qualified(self.schema.namespace, "basic");
        writer
            .create_element(basic.as_str())
            .write_inner_content(|writer| {
                self.criteria
                    .iter()
                    .try_for_each(|criterion| write_criterion(writer, criterion))
            })?;
        Ok(())
    }
}

fn write_criterion(writer: &mut Writer<Vec<u8>>, criterion: &Criterion) -> io::Result<()> {
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

/// The body of a `searchMoreWithId` request.
pub(crate) struct SearchMoreRequest {
    search_id: String,
    page_index: u32,
}

impl SearchMoreRequest {
    /// Builds a request for page `page_index` (1-based) of the search `search_id`.
    pub fn new(search_id: &str, page_index: u32) -> Result<SearchMoreRequest, Error> {
        if search_id.is_empty() || page_index == 0 {
            return Err(Error::Config(format!(
                "searchMoreWithId needs a search ID and a page index from 1 (got {search_id:?}, \
                 {page_index})"
            )));
        }
        Ok(SearchMoreRequest {
            search_id: search_id.to_string(),
            page_index,
        })
    }
}

impl RequestBody for SearchMoreRequest {
    fn operation(&self) -> Operation {
        Operation::SearchMoreWithId
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        writer
            .create_element("platformMsgs:searchMoreWithId")
            .write_inner_content(|writer| {
                text_element(writer, "platformMsgs:searchId", &self.search_id)?;
                text_element(
                    writer,
                    "platformMsgs:pageIndex",
                    &self.page_index.to_string(),
                )
            })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
