//! `DELETE /composite/sobjects?ids=...&allOrNone=...`: moves up to 200 records, of any
//! objects, to the recycle bin.

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::response::Response;

use super::write::invalid_cross_reference;
use super::{ForcedAllOrNone, Outcome, check_record_count, id_list, run_writes};
use crate::salesforce::SalesforceEmulator;
use crate::salesforce::errors::ApiError;
use crate::salesforce::id;
use crate::salesforce::state::{Lookup, Org};
use crate::salesforce::write::WriteStamp;

/// `DELETE /composite/sobjects`.
pub(in crate::salesforce::routes) async fn delete(
    State(emulator): State<SalesforceEmulator>,
    forced: Option<Extension<ForcedAllOrNone>>,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let ids = id_list(query.as_deref(), "ids").ok_or_else(|| {
        // NOTE: the wording is not taken from a recorded response.
        ApiError::bad_request("MISSING_ARGUMENT", "ids: the Ids of the records to delete")
    })?;
    check_record_count(ids.len())?;
    let all_or_none = forced.is_some()
        || url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .any(|(name, value)| name == "allOrNone" && value.eq_ignore_ascii_case("true"));
    let stamp = emulator.api_stamp();
    Ok(run_writes(
        &emulator,
        ids.len(),
        all_or_none,
        |org, index| delete_one(org, &ids[index], &stamp),
    ))
}

fn delete_one(org: &mut Org, given: &str, stamp: &WriteStamp) -> Outcome {
    let Some(id) = id::normalize(given) else {
        // NOTE: the wording is not taken from a recorded response.
        let error = ApiError::bad_request("MALFORMED_ID", format!("malformed id {given}"));
        return Outcome::failed(None, error);
    };
    let Some(definition) = org
        .objects
        .iter()
        .find(|object| id.starts_with(&object.key_prefix))
        .cloned()
    else {
        return Outcome::failed(Some(id), invalid_cross_reference());
    };
    match org.lookup(&definition.name, &id) {
        Lookup::Live(_) => {}
        Lookup::Deleted => {
            let error = ApiError::bad_request("ENTITY_IS_DELETED", "entity is deleted");
            return Outcome::failed(Some(id), error);
        }
        Lookup::Missing => return Outcome::failed(Some(id), invalid_cross_reference()),
    }
    let result = org.delete(&definition.name, &id, stamp);
    Outcome {
        id: Some(id),
        result: result.map(|()| None),
        existed: true,
    }
}
