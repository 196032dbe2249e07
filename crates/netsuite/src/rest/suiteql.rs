//! SuiteQL over REST (`POST /services/rest/query/v1/suiteql`): paging by `limit` and
//! `offset`, the switch to internal ID ranges before the 100,000-row ceiling, and the queries
//! that stand in for the SOAP searches the engine's port makes.

use std::ops::ControlFlow;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::errors::Scope;
use super::{RestClient, RestRequest};
use crate::error::Error;
use crate::operations::search::{
    Criterion, CriterionValue, DateOperator, SearchRecord, StringOperator,
};

/// The maximum number of rows one SuiteQL page returns.
pub const MAX_PAGE_SIZE: usize = 1000;

/// The maximum number of rows one SuiteQL query pages through. Past it, NetSuite requires
/// SuiteAnalytics Connect.
pub const MAX_RESULTS: usize = 100_000;

/// The path of the SuiteQL service.
const PATH: &str = "/services/rest/query/v1/suiteql";

/// One SuiteQL row: column name in lower case to value (SuiteQL sends values as strings).
pub type Row = Map<String, Value>;

/// One page of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub rows: Vec<Row>,
    pub has_more: bool,
    pub total_results: Option<u64>,
}

/// A filter on a table's type column, as `(column, value)`: `("type", "SalesOrd")`.
pub type TypeFilter = Option<(&'static str, &'static str)>;

/// Returns the SuiteQL table of a record type and the filter that picks its rows.
pub fn table_of(record_type: &str) -> Result<(&'static str, TypeFilter), Error> {
    Ok(match record_type {
        "customer" => ("customer", None),
        "contact" => ("contact", None),
        "salesOrder" => ("transaction", Some(("type", "SalesOrd"))),
        "invoice" => ("transaction", Some(("type", "CustInvc"))),
        "customerPayment" => ("transaction", Some(("type", "CustPymt"))),
        "inventoryItem" => ("item", Some(("itemtype", "InvtPart"))),
        "nonInventorySaleItem" => ("item", Some(("itemtype", "NonInvtPart"))),
        "serviceSaleItem" => ("item", Some(("itemtype", "Service"))),
        "currency" => ("currency", None),
        "priceLevel" => ("pricelevel", None),
        "subsidiary" => ("subsidiary", None),
        "term" => ("term", None),
        "location" => ("location", None),
        other => {
            return Err(Error::Config(format!(
                "NetSuite record type `{other}` has no SuiteQL table in this client"
            )));
        }
    })
}

/// Quotes a string for SuiteQL.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Writes an instant as a SuiteQL timestamp: wall time in `zone`, the integration user's
/// time zone, because SuiteQL reads `TO_TIMESTAMP` values in the user's time zone and not in
/// UTC as the record service writes datetimes.
// NOTE: the user's-zone reading of `TO_TIMESTAMP` is how SuiteQL is commonly described; it
// is not confirmed against a live account here. A wrong reading shifts change windows by the
// zone's offset.
pub fn timestamp(instant: DateTime<Utc>, zone: Tz) -> String {
    format!(
        "TO_TIMESTAMP('{}', 'YYYY-MM-DD HH24:MI:SS')",
        instant.with_timezone(&zone).format("%Y-%m-%d %H:%M:%S")
    )
}

/// Builds the `WHERE` condition of a search's criteria, or `None` for a search without any.
/// Criteria a SOAP search takes but this translation does not (joins, custom field criteria,
/// other operators) are a configuration error naming the criterion.
pub fn condition(search: &SearchRecord, zone: Tz) -> Result<Option<String>, Error> {
    if !search.joins.is_empty() || !search.custom_criteria.is_empty() {
        return Err(Error::Config(format!(
            "a {} search with joins or custom field criteria cannot run over REST yet",
            search.record_type
        )));
    }
    let (_, type_filter) = table_of(&search.record_type)?;
    let mut parts: Vec<String> = type_filter
        .map(|(column, value)| format!("{column} = {}", quote(value)))
        .into_iter()
        .collect();
    for criterion in &search.criteria {
        parts.push(criterion_sql(criterion, zone)?);
    }
    Ok((!parts.is_empty()).then(|| parts.join(" AND ")))
}

fn column_of(field: &str) -> String {
    match field {
        "internalId" => "id".to_string(),
        other => other.to_ascii_lowercase(),
    }
}

fn criterion_sql(criterion: &Criterion, zone: Tz) -> Result<String, Error> {
    let column = column_of(&criterion.field);
    let unsupported = || {
        Error::Config(format!(
            "the search criterion on `{}` cannot run over REST yet",
            criterion.field
        ))
    };
    Ok(match &criterion.value {
        CriterionValue::Date {
            operator,
            value,
            second,
        } => {
            let at = timestamp(*value, zone);
            match (operator, second) {
                (DateOperator::OnOrAfter, _) => format!("{column} >= {at}"),
                (DateOperator::After, _) => format!("{column} > {at}"),
                (DateOperator::OnOrBefore, _) => format!("{column} <= {at}"),
                (DateOperator::Before, _) => format!("{column} < {at}"),
                (DateOperator::Within, Some(end)) => {
                    format!("{column} >= {at} AND {column} <= {}", timestamp(*end, zone))
                }
                _ => return Err(unsupported()),
            }
        }
        CriterionValue::String { operator, value } => {
            let lowered = value.to_lowercase();
            match operator {
                StringOperator::Is => format!("LOWER({column}) = {}", quote(&lowered)),
                StringOperator::Contains => {
                    format!("LOWER({column}) LIKE {}", quote(&format!("%{lowered}%")))
                }
                StringOperator::StartsWith => {
                    format!("LOWER({column}) LIKE {}", quote(&format!("{lowered}%")))
                }
                _ => return Err(unsupported()),
            }
        }
        CriterionValue::Boolean(flag) => {
            format!("{column} = {}", quote(if *flag { "T" } else { "F" }))
        }
        CriterionValue::MultiSelect {
            none_of: false,
            values,
        } if criterion.field == "internalId" || criterion.field == "externalId" => {
            let keys: Vec<String> = values
                .iter()
                .filter_map(|reference| match criterion.field.as_str() {
                    "internalId" => reference.internal_id.as_deref().map(quote),
                    _ => reference.external_id.as_deref().map(quote),
                })
                .collect();
            if keys.is_empty() {
                "1 = 0".to_string()
            } else {
                format!("{column} IN ({})", keys.join(", "))
            }
        }
        _ => return Err(unsupported()),
    })
}

impl RestClient {
    /// Runs one page of a query.
    pub async fn suiteql_page(
        &self,
        query: &str,
        limit: usize,
        offset: usize,
    ) -> Result<Page, Error> {
        let body = json!({"q": query});
        let paging = [
            ("limit".to_string(), limit.to_string()),
            ("offset".to_string(), offset.to_string()),
        ];
        let response = self
            .send(RestRequest {
                operation: "suiteql",
                method: &Method::POST,
                path: PATH,
                query: &paging,
                body: Some(&body),
                scope: Scope::Request,
            })
            .await?;
        let page: Value = serde_json::from_slice(&response.body).map_err(|error| {
            Error::InvalidResponse(format!("a SuiteQL page is not JSON: {error}"))
        })?;
        let rows = page["items"]
            .as_array()
            .ok_or_else(|| Error::InvalidResponse("a SuiteQL page has no items".to_string()))?
            .iter()
            .filter_map(Value::as_object)
            .map(|row| {
                row.iter()
                    .filter(|(name, _)| name.as_str() != "links")
                    .map(|(name, value)| (name.to_ascii_lowercase(), value.clone()))
                    .collect()
            })
            .collect();
        Ok(Page {
            rows,
            has_more: page["hasMore"].as_bool().unwrap_or(false),
            total_results: page["totalResults"].as_u64(),
        })
    }

    /// Returns the internal IDs of every row of `table` that matches `condition`, in ID
    /// order. Pages go by `offset` until the next page would pass the result ceiling; then a
    /// new query continues after the last ID read, so any number of rows can be read.
    pub async fn suiteql_ids(
        &self,
        table: &str,
        condition: Option<&str>,
    ) -> Result<Vec<String>, Error> {
        let mut ids: Vec<String> = Vec::new();
        loop {
            let after = ids.last().map(|id| format!("id > {id}"));
            let filters: Vec<&str> = condition.into_iter().chain(after.as_deref()).collect();
            let query = match filters.is_empty() {
                true => format!("SELECT id FROM {table} ORDER BY id"),
                false => format!(
                    "SELECT id FROM {table} WHERE {} ORDER BY id",
                    wrap(&filters)
                ),
            };
            let (rows, complete) = self.suiteql_to_ceiling(&query).await?;
            for row in &rows {
                let id = row
                    .get("id")
                    .and_then(id_text)
                    .ok_or_else(|| Error::InvalidResponse("a SuiteQL row has no id".to_string()))?;
                ids.push(id);
            }
            if complete {
                return Ok(ids);
            }
            tracing::debug!(
                table,
                read = ids.len(),
                "SuiteQL ceiling near; continuing after the last ID"
            );
        }
    }

    /// Reads the pages of a query by offset until the next page would pass the result
    /// ceiling. Returns the rows in query order and whether they are all the query has.
    ///
    /// The first page gives `totalResults`. The later pages it counts are then read as many
    /// at once as the account's concurrency limit allows. Pages past that total, or of a
    /// query without one, are read one at a time.
    pub(crate) async fn suiteql_to_ceiling(&self, query: &str) -> Result<(Vec<Row>, bool), Error> {
        let limit = self.config.page_size as usize;
        let ceiling = self.config.suiteql_max_results;
        let mut rows: Vec<Row> = Vec::new();
        let mut total = None;
        loop {
            if !rows.is_empty() && rows.len() + limit > ceiling {
                return Ok((rows, false));
            }
            let offsets = planned_offsets(rows.len(), limit, total, ceiling);
            let reads = offsets
                .into_iter()
                .map(|offset| self.suiteql_page(query, limit, offset));
            let stop = self
                .scheduler
                .in_order(reads, |page| {
                    let page = match page {
                        Ok(page) => page,
                        Err(error) => return ControlFlow::Break(Err(error)),
                    };
                    let count = page.rows.len();
                    total = page.total_results.or(total);
                    rows.extend(page.rows);
                    if !page.has_more || count == 0 {
                        return ControlFlow::Break(Ok(true));
                    }
                    // The offsets planned after a short page would skip rows, so the next
                    // pages are planned again from the rows read.
                    if count < limit {
                        return ControlFlow::Break(Ok(false));
                    }
                    ControlFlow::Continue(())
                })
                .await;
            match stop {
                Some(Err(error)) => return Err(error),
                Some(Ok(true)) => return Ok((rows, true)),
                Some(Ok(false)) | None => {}
            }
        }
    }
}

/// Returns the offsets of the pages to read from `start`: each page below `total` that ends
/// within `ceiling`, or the page at `start` alone when no total is known or it is passed.
fn planned_offsets(start: usize, limit: usize, total: Option<u64>, ceiling: usize) -> Vec<usize> {
    let end = total.map_or(0, |total| usize::try_from(total).unwrap_or(usize::MAX));
    let mut offsets: Vec<usize> = (start..end)
        .step_by(limit.max(1))
        .take_while(|offset| offset + limit <= ceiling)
        .collect();
    if offsets.is_empty() {
        offsets.push(start);
    }
    offsets
}

/// Joins filters with `AND`, each in parentheses so an `OR` inside stays inside.
fn wrap(filters: &[&str]) -> String {
    filters
        .iter()
        .map(|filter| format!("({filter})"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// Reads an internal ID, which SuiteQL sends as a string and some tools as a number.
fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::records::RecordRef;

    #[test]
    fn condition_translates_change_feed_search() {
        let since = Utc.with_ymd_and_hms(2026, 1, 31, 8, 0, 0).unwrap();
        let search = SearchRecord::new("salesOrder").with(Criterion::new(
            "lastModifiedDate",
            CriterionValue::Date {
                operator: DateOperator::OnOrAfter,
                value: since,
                second: None,
            },
        ));
        assert_eq!(
            condition(&search, Tz::UTC).unwrap().unwrap(),
            "type = 'SalesOrd' AND lastmodifieddate >= \
             TO_TIMESTAMP('2026-01-31 08:00:00', 'YYYY-MM-DD HH24:MI:SS')"
        );
    }

    #[test]
    fn timestamp_is_wall_time_in_user_zone() {
        let winter = Utc.with_ymd_and_hms(2026, 1, 31, 8, 0, 0).unwrap();
        assert_eq!(
            timestamp(winter, chrono_tz::America::Los_Angeles),
            "TO_TIMESTAMP('2026-01-31 00:00:00', 'YYYY-MM-DD HH24:MI:SS')"
        );
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 8, 0, 0).unwrap();
        assert_eq!(
            timestamp(summer, chrono_tz::America::Los_Angeles),
            "TO_TIMESTAMP('2026-07-01 01:00:00', 'YYYY-MM-DD HH24:MI:SS')"
        );
    }

    #[test]
    fn condition_translates_key_lookups() {
        let search = SearchRecord::new("customer").with(Criterion::new(
            "externalId",
            CriterionValue::MultiSelect {
                none_of: false,
                values: vec![RecordRef {
                    external_id: Some("O'Brien".to_string()),
                    ..RecordRef::default()
                }],
            },
        ));
        assert_eq!(
            condition(&search, Tz::UTC).unwrap().unwrap(),
            "externalid IN ('O''Brien')"
        );
        let email = SearchRecord::new("contact").with(Criterion::new(
            "email",
            CriterionValue::String {
                operator: StringOperator::Is,
                value: "A@X.com".to_string(),
            },
        ));
        assert_eq!(
            condition(&email, Tz::UTC).unwrap().unwrap(),
            "LOWER(email) = 'a@x.com'"
        );
    }

    #[test]
    fn condition_rejects_untranslated_operator() {
        let search = SearchRecord::new("customer").with(Criterion::new(
            "email",
            CriterionValue::String {
                operator: StringOperator::HasKeywords,
                value: "x".to_string(),
            },
        ));
        let error = condition(&search, Tz::UTC).unwrap_err();
        assert!(error.to_string().contains("email"));
    }

    #[test]
    fn planned_offsets_cover_total_within_ceiling() {
        assert_eq!(planned_offsets(2, 2, Some(9), 100), [2, 4, 6, 8]);
        assert_eq!(planned_offsets(2, 2, Some(9), 6), [2, 4]);
    }

    #[test]
    fn planned_offsets_without_total_read_one_page() {
        assert_eq!(planned_offsets(0, 1000, None, 100_000), [0]);
        assert_eq!(planned_offsets(10, 5, Some(10), 100), [10]);
    }

    #[test]
    fn table_of_maps_transactions_and_items() {
        assert_eq!(
            table_of("invoice").unwrap(),
            ("transaction", Some(("type", "CustInvc")))
        );
        assert_eq!(table_of("serviceSaleItem").unwrap().0, "item");
        assert!(table_of("vendor").is_err());
    }
}
