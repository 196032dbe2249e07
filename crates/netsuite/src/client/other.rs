//! `getDeleted`, `getSelectValue`, `getServerTime` and `getCustomizationId`.

use chrono::{DateTime, Utc};

use crate::client::search::MAX_SEARCH_PAGES;
use crate::client::{NetSuiteClient, check_status};
use crate::error::Error;
use crate::operations::Operation;
use crate::operations::other::{
    CustomizationRef, DeletedFilter, DeletedPage, DeletedRecord, GetCustomizationIdRequest,
    GetDeletedRequest, GetSelectValueRequest, GetServerTimeRequest, SelectField, SelectValuePage,
};
use crate::parse;
use crate::records::RecordRef;

impl NetSuiteClient {
    /// Returns NetSuite's clock in UTC. A sync takes it before a read, so the next read
    /// starts from NetSuite's time and not from a local clock that may be off.
    pub async fn get_server_time(&self) -> Result<DateTime<Utc>, Error> {
        let parser = |xml: &[u8], status| parse::get_server_time_response(xml, status);
        let result = self.call(&GetServerTimeRequest, None, &parser).await?;
        check_status(Operation::GetServerTime, &result.status)?;
        result.server_time.ok_or_else(|| {
            Error::InvalidResponse("a successful getServerTimeResult has no serverTime".to_string())
        })
    }

    /// Reads page `page_index` (1-based) of the records deleted as `filter` says.
    pub async fn get_deleted_page(
        &self,
        filter: &DeletedFilter,
        page_index: u32,
    ) -> Result<DeletedPage, Error> {
        let request = GetDeletedRequest::new(filter, page_index)?;
        let parser = |xml: &[u8], status| parse::get_deleted_response(xml, status);
        let page = self.call(&request, None, &parser).await?;
        if !page.status.is_success {
            return Err(Error::SearchPage {
                page_index,
                details: page.status.details,
            });
        }
        Ok(page)
    }

    /// Reads every page of the records deleted as `filter` says. The role needs the
    /// "Deleted Records" permission.
    pub async fn get_deleted(&self, filter: &DeletedFilter) -> Result<Vec<DeletedRecord>, Error> {
        let first = self.get_deleted_page(filter, 1).await?;
        let total_pages = bounded_pages(first.total_pages)?;
        let mut records = first.records;
        for page_index in 2..=total_pages {
            records.extend(self.get_deleted_page(filter, page_index).await?.records);
        }
        Ok(records)
    }

    /// Reads page `page_index` (1-based) of the values select field `field` accepts.
    pub async fn get_select_value_page(
        &self,
        field: &SelectField,
        page_index: u32,
    ) -> Result<SelectValuePage, Error> {
        let request = GetSelectValueRequest::new(field, page_index)?;
        let parser = |xml: &[u8], status| parse::get_select_value_response(xml, status);
        let page = self.call(&request, None, &parser).await?;
        if !page.status.is_success {
            return Err(Error::SearchPage {
                page_index,
                details: page.status.details,
            });
        }
        Ok(page)
    }

    /// Reads every value select field `field` accepts: internal ID and name.
    pub async fn get_select_value(&self, field: &SelectField) -> Result<Vec<RecordRef>, Error> {
        let first = self.get_select_value_page(field, 1).await?;
        let total_pages = bounded_pages(first.total_pages)?;
        let mut values = first.values;
        for page_index in 2..=total_pages {
            values.extend(self.get_select_value_page(field, page_index).await?.values);
        }
        Ok(values)
    }

    /// Lists the account's active customizations of one type (`entityCustomField`,
    /// `itemCustomField`, `transactionBodyCustomField`) with `getCustomizationId`.
    pub async fn get_customization_ids(
        &self,
        customization_type: &str,
    ) -> Result<Vec<CustomizationRef>, Error> {
        let request = GetCustomizationIdRequest::new(customization_type)?;
        let parser = |xml: &[u8], status| parse::get_customization_id_response(xml, status);
        let ids = self.call(&request, None, &parser).await?;
        if !ids.status.is_success {
            return Err(Error::InvalidResponse(format!(
                "getCustomizationId of {customization_type} failed: {:?}; check that the \
                 role may read customizations",
                ids.status.details
            )));
        }
        Ok(ids.refs)
    }
}

fn bounded_pages(total_pages: Option<u32>) -> Result<u32, Error> {
    let total = total_pages.unwrap_or(1);
    if total > MAX_SEARCH_PAGES {
        return Err(Error::InvalidResponse(format!(
            "the result reports {total} pages, more than the {MAX_SEARCH_PAGES} this client reads"
        )));
    }
    Ok(total)
}
