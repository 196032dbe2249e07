//! The operations `getDeleted` (records deleted in a time window), `getSelectValue` (the
//! values a select field accepts) and `getServerTime` (NetSuite's clock).

use std::io;

use chrono::{DateTime, Utc};
use quick_xml::Writer;

use crate::envelope::{check_xml_text, text_element};
use crate::error::Error;
use crate::operations::{Operation, RequestBody, Status};
use crate::records::{RecordRef, format_date_time};

/// Which deleted records `getDeleted` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedFilter {
    /// Records deleted at or after this time.
    pub deleted_from: DateTime<Utc>,
    /// Records deleted at or before this time; `None` for no upper bound.
    pub deleted_to: Option<DateTime<Utc>>,
    /// Record types (`customer`, `invoice`); empty for every type.
    pub record_types: Vec<String>,
}

/// One record of a `getDeleted` result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletedRecord {
    /// When the record was deleted, in UTC.
    pub deleted_at: Option<DateTime<Utc>>,
    /// The deleted record: type, internal ID and name.
    pub record: RecordRef,
}

/// One page of a `getDeleted` result.
#[derive(Debug, Clone, PartialEq)]
pub struct DeletedPage {
    /// The page status.
    pub status: Status,
    /// Deleted records matching the filter, over all pages.
    pub total_records: Option<u32>,
    /// Records per page (1000).
    pub page_size: Option<u32>,
    /// Pages of the result.
    pub total_pages: Option<u32>,
    /// 1-based index of this page.
    pub page_index: Option<u32>,
    /// The page's deleted records.
    pub records: Vec<DeletedRecord>,
}

/// The body of a `getDeleted` request.
pub(crate) struct GetDeletedRequest {
    filter: DeletedFilter,
    page_index: u32,
}

impl GetDeletedRequest {
    /// Checks the filter and the 1-based page index.
    pub fn new(filter: &DeletedFilter, page_index: u32) -> Result<GetDeletedRequest, Error> {
        if page_index == 0 {
            return Err(Error::Config("getDeleted pages start at 1".to_string()));
        }
        for record_type in &filter.record_types {
            check_xml_text("getDeletedFilter.type", record_type)?;
        }
        Ok(GetDeletedRequest {
            filter: filter.clone(),
            page_index,
        })
    }
}

impl RequestBody for GetDeletedRequest {
    fn operation(&self) -> Operation {
        Operation::GetDeleted
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        writer
            .create_element("platformMsgs:getDeleted")
            .write_inner_content(|writer| {
                writer
                    .create_element("platformMsgs:getDeletedFilter")
                    .write_inner_content(|writer| self.write_filter(writer))?;
                let page = self.page_index.to_string();
                text_element(writer, "platformMsgs:pageIndex", &page)
            })?;
        Ok(())
    }
}

impl GetDeletedRequest {
    fn write_filter(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let filter = &self.filter;
        let operator = if filter.deleted_to.is_some() {
            "within"
        } else {
            "onOrAfter"
        };
        writer
            .create_element("platformCore:deletedDate")
            .with_attribute(("operator", operator))
            .write_inner_content(|writer| {
                let from = format_date_time(filter.deleted_from);
                text_element(writer, "platformCore:searchValue", &from)?;
                if let Some(to) = filter.deleted_to {
                    let to = format_date_time(to);
                    text_element(writer, "platformCore:searchValue2", &to)?;
                }
                Ok(())
            })?;
        if filter.record_types.is_empty() {
            return Ok(());
        }
        writer
            .create_element("platformCore:type")
            .with_attribute(("operator", "anyOf"))
            .write_inner_content(|writer| {
                filter
                    .record_types
                    .iter()
                    .try_for_each(|value| text_element(writer, "platformCore:searchValue", value))
            })?;
        Ok(())
    }
}

/// How a `getSelectValue` filter compares the value names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectFilterOperator {
    Contains,
    Is,
    StartsWith,
}

impl SelectFilterOperator {
    fn as_str(self) -> &'static str {
        match self {
            SelectFilterOperator::Contains => "contains",
            SelectFilterOperator::Is => "is",
            SelectFilterOperator::StartsWith => "startsWith",
        }
    }
}

/// The field whose accepted values `getSelectValue` lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectField {
    /// The record type (`salesOrder`).
    pub record_type: String,
    /// The sublist of the field, for a line field (`itemList`).
    pub sublist: Option<String>,
    /// The field (`shipMethod`, `item`).
    pub field: String,
    /// Keeps only values whose name matches.
    pub filter: Option<(SelectFilterOperator, String)>,
}

/// One page of a `getSelectValue` result.
#[derive(Debug, Clone, PartialEq)]
pub struct SelectValuePage {
    /// The page status.
    pub status: Status,
    /// Values over all pages.
    pub total_records: Option<u32>,
    /// Pages of the result.
    pub total_pages: Option<u32>,
    /// The page's values: internal ID and name.
    pub values: Vec<RecordRef>,
}

/// The body of a `getSelectValue` request.
pub(crate) struct GetSelectValueRequest {
    field: SelectField,
    page_index: u32,
}

impl GetSelectValueRequest {
    /// Checks the field description and the 1-based page index.
    pub fn new(field: &SelectField, page_index: u32) -> Result<GetSelectValueRequest, Error> {
        if page_index == 0 || field.field.is_empty() || field.record_type.is_empty() {
            return Err(Error::Config(
                "getSelectValue needs a record type, a field and a page index from 1".to_string(),
            ));
        }
        let texts = [
            Some(&field.record_type),
            field.sublist.as_ref(),
            Some(&field.field),
            field.filter.as_ref().map(|(_, value)| value),
        ];
        for text in texts.into_iter().flatten() {
            check_xml_text("fieldDescription", text)?;
        }
        Ok(GetSelectValueRequest {
            field: field.clone(),
            page_index,
        })
    }
}

impl RequestBody for GetSelectValueRequest {
    fn operation(&self) -> Operation {
        Operation::GetSelectValue
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        writer
            .create_element("platformMsgs:getSelectValue")
            .write_inner_content(|writer| {
                writer
                    .create_element("platformMsgs:fieldDescription")
                    .write_inner_content(|writer| self.write_description(writer))?;
                let page = self.page_index.to_string();
                text_element(writer, "platformMsgs:pageIndex", &page)
            })?;
        Ok(())
    }
}

impl GetSelectValueRequest {
    fn write_description(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        let field = &self.field;
        text_element(writer, "platformCore:recordType", &field.record_type)?;
        if let Some(sublist) = &field.sublist {
            text_element(writer, "platformCore:sublist", sublist)?;
        }
        text_element(writer, "platformCore:field", &field.field)?;
        if let Some((operator, value)) = &field.filter {
            writer
                .create_element("platformCore:filter")
                .with_attribute(("operator", operator.as_str()))
                .write_inner_content(|writer| {
                    text_element(writer, "platformCore:filterValue", value)
                })?;
        }
        Ok(())
    }
}

/// The content of a `getServerTimeResult`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerTime {
    /// Whether NetSuite returned its time.
    pub status: Status,
    /// NetSuite's current time, in UTC.
    pub server_time: Option<DateTime<Utc>>,
}

/// The body of a `getServerTime` request, which has no content.
pub(crate) struct GetServerTimeRequest;

impl RequestBody for GetServerTimeRequest {
    fn operation(&self) -> Operation {
        Operation::GetServerTime
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        writer
            .create_element("platformMsgs:getServerTime")
            .write_empty()?;
        Ok(())
    }
}

/// One custom field, custom record type or custom list of the account, as
/// `getCustomizationId` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomizationRef {
    pub internal_id: Option<String>,
    /// The script ID (`custentity_region`).
    pub script_id: Option<String>,
    /// The customization's record type (`entityCustomField`).
    pub record_type: Option<String>,
    /// The label shown in NetSuite.
    pub name: Option<String>,
}

/// The content of a `getCustomizationIdResult`.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomizationIds {
    pub status: Status,
    pub total_records: Option<u32>,
    pub refs: Vec<CustomizationRef>,
}

/// The body of a `getCustomizationId` request for the active customizations of one type.
pub(crate) struct GetCustomizationIdRequest {
    customization_type: String,
}

impl GetCustomizationIdRequest {
    /// Checks the `GetCustomizationType` value (`entityCustomField`, `itemCustomField`).
    pub fn new(customization_type: &str) -> Result<GetCustomizationIdRequest, Error> {
        if customization_type.is_empty() {
            return Err(Error::Config(
                "getCustomizationId needs a customization type such as entityCustomField"
                    .to_string(),
            ));
        }
        check_xml_text("customizationType", customization_type)?;
        Ok(GetCustomizationIdRequest {
            customization_type: customization_type.to_string(),
        })
    }
}

impl RequestBody for GetCustomizationIdRequest {
    fn operation(&self) -> Operation {
        Operation::GetCustomizationId
    }

    fn write(&self, writer: &mut Writer<Vec<u8>>) -> io::Result<()> {
        writer
            .create_element("platformMsgs:getCustomizationId")
            .write_inner_content(|writer| {
                writer
                    .create_element("platformMsgs:customizationType")
                    .with_attribute(("getCustomizationType", self.customization_type.as_str()))
                    .write_empty()?;
                text_element(writer, "platformMsgs:includeInactives", "false")
            })?;
        Ok(())
    }
}
