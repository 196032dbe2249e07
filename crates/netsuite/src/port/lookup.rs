//! Reading records by internal ID (`getList`) and finding them by the value of one field
//! (`search`, or `getAll` for record types NetSuite cannot search).

use std::collections::{BTreeMap, BTreeSet};

use tandem_engine::{ObjectSpec, SourceRecord};

use super::RecordService;
use super::fields::source_record;
use super::request::Requested;
use crate::error::Error;
use crate::operations::search::{
    Criterion, CriterionValue, SearchPreferences, SearchRecord, StringOperator, basic_group,
};
use crate::records::{Record, RecordRef};
use crate::rest::NONEXISTENT_ID;
use crate::schema::{ComplexType, CriterionKind, FieldKind};

/// Record types that `search` does not serve and `getAll` reads whole: small lists such as
/// `currency`, which have no search type in the schema.
pub(super) const READ_WHOLE: &[&str] = &["currency"];

/// Internal or external IDs per `anyOf` criterion. NetSuite documents no maximum; this keeps
/// a request near the size of a `getList` of the same IDs.
const IDS_PER_SEARCH: usize = 1000;

/// The maximum number of values a find on a text field takes, because each value is a search of its own
/// (a `SearchStringField` compares with one value).
pub(super) const MAX_TEXT_VALUES: usize = 1000;

/// The per-record error codes of a record that does not exist: `INVALID_KEY_OR_REF` for a
/// key that matches no record, `RCRD_DSNT_EXIST`, which NetSuite also uses for it, and the
/// REST record service's `NONEXISTENT_ID`.
const NOT_FOUND_CODES: &[&str] = &["INVALID_KEY_OR_REF", "RCRD_DSNT_EXIST", NONEXISTENT_ID];

/// Reads the records `ids` with `getList` (in calls of 1000), or picks them out of `getAll`
/// for the record types in [`READ_WHOLE`]. A record that does not exist (see
/// [`NOT_FOUND_CODES`]) is left out, and any other per-record error fails the read.
pub(super) async fn read(
    client: &impl RecordService,
    record_type: &str,
    schema: &ComplexType,
    object: &ObjectSpec,
    ids: &[String],
) -> Result<Vec<SourceRecord>, Error> {
    Requested::new(record_type, schema, &object.fields)?;
    let unique: BTreeSet<&str> = ids.iter().map(String::as_str).collect();
    let references: Vec<RecordRef> = unique
        .iter()
        .map(|id| RecordRef::internal(record_type, *id))
        .collect();
    if references.is_empty() {
        return Ok(Vec::new());
    }
    let zone = client.user_time_zone();
    if READ_WHOLE.contains(&record_type) {
        let ids: Vec<&str> = unique.into_iter().collect();
        return find_in_all(client, record_type, "internalId", &ids)
            .await?
            .iter()
            .map(|record| source_record(record_type, schema, &object.fields, record, zone))
            .collect();
    }
    let mut records = Vec::new();
    for read in client.get_list(&references).await? {
        match read {
            Ok(record) => records.push(source_record(
                record_type,
                schema,
                &object.fields,
                &record,
                zone,
            )?),
            Err(error) if NOT_FOUND_CODES.contains(&error.code().as_str()) => {}
            Err(error) => return Err(error),
        }
    }
    tracing::debug!(
        record_type,
        requested = references.len(),
        found = records.len(),
        "read NetSuite records by internal ID"
    );
    Ok(records)
}

/// Returns the records whose `field` equals one of `values`: `internalId` and `externalId`
/// with `anyOf`, a text search field (`email`, `entityId`, `itemId`, `tranId`) with one `is`
/// search per value, which NetSuite compares without regard to case.
pub(super) async fn find(
    client: &impl RecordService,
    record_type: &str,
    schema: &ComplexType,
    object: &ObjectSpec,
    field: &str,
    values: &[String],
) -> Result<Vec<SourceRecord>, Error> {
    let plan = Requested::new(record_type, schema, &object.fields)?;
    let wanted: Vec<&str> = unique_values(values);
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let found = if READ_WHOLE.contains(&record_type) {
        find_in_all(client, record_type, field, &wanted).await?
    } else {
        let preferences = SearchPreferences {
            body_fields_only: !plan.needs_sublists(),
            return_search_columns: false,
            page_size: client.page_size(),
        };
        let mut found = BTreeMap::new();
        for search in searches(record_type, field, &wanted)? {
            for record in client.search_all(&search, &preferences).await? {
                if let Some(id) = record.internal_id.clone() {
                    found.insert(id, record);
                }
            }
        }
        found.into_values().collect()
    };
    let zone = client.user_time_zone();
    let records = found
        .iter()
        .map(|record| source_record(record_type, schema, &object.fields, record, zone))
        .collect::<Result<Vec<_>, Error>>()?;
    tracing::debug!(
        record_type,
        field,
        values = wanted.len(),
        found = records.len(),
        "found NetSuite records by field"
    );
    Ok(records)
}

/// Finds at most `limit` records whose text search field `field` (for example `companyName`,
/// `entityId`, `email` or `tranId`) contains `text`, with one basic search and its
/// `contains` operator, which NetSuite applies without regard to case.
///
/// NOTE: the search returns every page of matches and the surplus is dropped here, so a
/// short `text` on a large account costs one request per page of results.
pub(super) async fn search_text(
    client: &impl RecordService,
    record_type: &str,
    schema: &ComplexType,
    object: &ObjectSpec,
    field: &str,
    text: &str,
    limit: usize,
) -> Result<Vec<SourceRecord>, Error> {
    let plan = Requested::new(record_type, schema, &object.fields)?;
    check_text_field(record_type, field)?;
    let criterion = CriterionValue::String {
        operator: StringOperator::Contains,
        value: text.trim().to_string(),
    };
    let search = SearchRecord::new(record_type).with(Criterion::new(field, criterion));
    let preferences = SearchPreferences {
        body_fields_only: !plan.needs_sublists(),
        return_search_columns: false,
        page_size: client.page_size(),
    };
    let mut found = client.search_all(&search, &preferences).await?;
    found.truncate(limit);
    let zone = client.user_time_zone();
    let records = found
        .iter()
        .map(|record| source_record(record_type, schema, &object.fields, record, zone))
        .collect::<Result<Vec<_>, Error>>()?;
    tracing::info!(
        record_type,
        field,
        found = records.len(),
        "searched NetSuite records by part of a text"
    );
    Ok(records)
}

/// Returns the distinct non-blank values, in input order.
fn unique_values(values: &[String]) -> Vec<&str> {
    let mut seen = BTreeSet::new();
    values
        .iter()
        .map(|value| value.trim())
        .filter(|value| !value.is_empty() && seen.insert(*value))
        .collect()
}

/// Builds the searches that find `values` of `field`.
fn searches(record_type: &str, field: &str, values: &[&str]) -> Result<Vec<SearchRecord>, Error> {
    let key = |value: &str| match field {
        "externalId" => RecordRef {
            external_id: Some(value.to_string()),
            ..RecordRef::default()
        },
        _ => RecordRef::id(value),
    };
    if field == "internalId" || field == "externalId" {
        return Ok(values
            .chunks(IDS_PER_SEARCH)
            .map(|chunk| {
                let criterion = CriterionValue::MultiSelect {
                    none_of: false,
                    values: chunk.iter().map(|value| key(value)).collect(),
                };
                SearchRecord::new(record_type).with(Criterion::new(field, criterion))
            })
            .collect());
    }
    check_text_field(record_type, field)?;
    if values.len() > MAX_TEXT_VALUES {
        return Err(Error::Config(format!(
            "finding NetSuite {record_type} records by `{field}` takes at most \
             {MAX_TEXT_VALUES} values per call, one search each; {} were given",
            values.len()
        )));
    }
    Ok(values
        .iter()
        .map(|value| {
            let criterion = CriterionValue::String {
                operator: StringOperator::Is,
                value: value.to_string(),
            };
            SearchRecord::new(record_type).with(Criterion::new(field, criterion))
        })
        .collect())
}

/// Checks that `field` is a text criterion of the record type's basic search.
fn check_text_field(record_type: &str, field: &str) -> Result<(), Error> {
    let group = basic_group(record_type)?;
    let kind = group.field(field).map(|(_, schema)| schema.kind);
    if kind == Some(FieldKind::Criterion(CriterionKind::String)) {
        return Ok(());
    }
    Err(Error::Config(format!(
        "NetSuite {record_type} records cannot be found by `{field}`: {} has no text \
         criterion of that name; use internalId, externalId or a text search field such as \
         email, entityId, itemId or tranId",
        group.name
    )))
}

/// Reads every record with `getAll` and keeps those whose `field` equals a value: the
/// internal or external ID, or a body field's text compared without regard to case.
async fn find_in_all(
    client: &impl RecordService,
    record_type: &str,
    field: &str,
    values: &[&str],
) -> Result<Vec<Record>, Error> {
    let all = client.get_all(record_type).await?;
    Ok(all
        .into_iter()
        .filter(|record| {
            let value = match field {
                "internalId" => record.internal_id.as_deref(),
                "externalId" => record.external_id.as_deref(),
                _ => record.text(field),
            };
            value.is_some_and(|value| {
                values
                    .iter()
                    .any(|wanted| wanted.eq_ignore_ascii_case(value.trim()))
            })
        })
        .collect())
}

#[cfg(test)]
mod tests;
