//! Reads by Id and finds by field value: `WHERE field IN (...)` queries, split so that each
//! query URL stays within Salesforce's limit.

use std::collections::HashSet;

use tandem_engine::{ObjectSpec, SourceRecord};
use url::form_urlencoded;

use super::describe::describe_field;
use super::literal::LiteralKind;
use super::read::query_records;
use super::select::Selection;
use crate::client::SalesforceClient;
use crate::error::Error;
use crate::id::SalesforceId;
use crate::soql::string_literal;

/// Maximum bytes of percent-encoded SOQL in one query URL.
///
/// Salesforce accepts at most 16,384 bytes of URI and headers together in one REST call and
/// returns 414 or 431 beyond that (Salesforce Help article 000386264, "Maximum number of rows
/// returned by SOQL queries over the REST API"). 14,000 bytes of query text leave 2,384 for
/// the rest of the request line and the headers. The client's headers take about 300 bytes
/// besides the bearer token, so a token of up to 2,000 bytes fits, which the tests check. An
/// 18-character Id takes 27 encoded bytes with its quotes and the comma after it
/// (`%27...%27%2C`), so a query with a short field list carries about 500 Ids. The statement
/// stays far below SOQL's own limit of 100,000 characters, and every string in it below the
/// 4,000 characters allowed in a `WHERE` clause, because text longer than its field is left
/// out before.
///
/// NOTE: the same article recommends URIs of at most 2,000 characters, because the server
/// expands a query before it runs it. This limit trades that margin for seven times fewer API
/// requests; lower it if an org answers long `IN` lists with `QUERY_TOO_COMPLICATED`.
pub(super) const MAX_ENCODED_SOQL_BYTES: usize = 14_000;

/// Reads the `object` records with these Ids (15 or 18 characters). Values that are not
/// Salesforce Ids cannot name a record and are left out, as are repeats.
pub(super) async fn read(
    client: &SalesforceClient,
    object: &ObjectSpec,
    ids: &[String],
) -> Result<Vec<SourceRecord>, Error> {
    let mut literals: Vec<String> = Vec::with_capacity(ids.len());
    let mut seen: HashSet<SalesforceId> = HashSet::new();
    for value in ids {
        match SalesforceId::parse(value) {
            Ok(id) if seen.insert(id.clone()) => literals.push(string_literal(id.as_str())),
            Ok(_) => {}
            Err(error) => tracing::warn!(
                record_type = object.name.as_str(),
                %error,
                "left out of a read by Id: not a Salesforce Id"
            ),
        }
    }
    let records = query_in(client, object, "Id", &literals).await?;
    tracing::info!(
        record_type = object.name.as_str(),
        requested = ids.len(),
        records = records.len(),
        "read Salesforce records by Id"
    );
    Ok(records)
}

/// Finds the `object` records whose `field` (a field, or a dotted path through parents such as
/// `Account.NetSuite_ID__c`) equals one of `values`, compared as SOQL compares: text ignoring
/// case.
///
/// The field's type comes from the describe, read once per object and client. A value that no
/// record of that type can hold (see [`LiteralKind::literal`]) is left out.
pub(super) async fn find(
    client: &SalesforceClient,
    object: &ObjectSpec,
    field: &str,
    values: &[String],
) -> Result<Vec<SourceRecord>, Error> {
    Selection::of(object)?;
    let describe = describe_field(client, &object.name, field).await?;
    let kind = LiteralKind::of(&object.name, &describe)?;
    let mut literals: Vec<String> = Vec::with_capacity(values.len());
    for value in values {
        match kind.literal(value) {
            Some(literal) if !literals.contains(&literal) => literals.push(literal),
            Some(_) => {}
            None => tracing::debug!(
                record_type = object.name.as_str(),
                field,
                "left out of a search: the value cannot be a {} value",
                describe.field_type
            ),
        }
    }
    let records = query_in(client, object, field, &literals).await?;
    tracing::info!(
        record_type = object.name.as_str(),
        field,
        values = values.len(),
        records = records.len(),
        "found Salesforce records by field value"
    );
    Ok(records)
}

/// Finds at most `limit` `object` records whose text `field` contains `text`, ignoring case
/// as SOQL's `LIKE` does, newest first, in one query.
pub(super) async fn search_text(
    client: &SalesforceClient,
    object: &ObjectSpec,
    field: &str,
    text: &str,
    limit: usize,
) -> Result<Vec<SourceRecord>, Error> {
    let selection = Selection::of(object)?;
    let soql = format!(
        "SELECT {} FROM {} WHERE {field} LIKE {} ORDER BY LastModifiedDate DESC LIMIT {limit}",
        selection.to_soql(),
        object.name,
        like_pattern(text)
    );
    let records = query_records(client, object, &selection, &soql).await?;
    tracing::info!(
        record_type = object.name.as_str(),
        field,
        records = records.len(),
        "searched Salesforce records by part of a text"
    );
    Ok(records)
}

/// Returns the SOQL literal of a `LIKE` pattern that matches any text containing `text`.
/// `%` and `_` in `text` are escaped with a backslash so they match themselves; every other
/// character is escaped as in any string literal.
pub(super) fn like_pattern(text: &str) -> String {
    let mut literal = String::from("'%");
    for character in text.chars() {
        match character {
            '%' | '_' => {
                literal.push('\\');
                literal.push(character);
            }
            other => {
                let quoted = string_literal(&other.to_string());
                literal.push_str(&quoted[1..quoted.len() - 1]);
            }
        }
    }
    literal.push_str("%'");
    literal
}

/// Runs `SELECT ... FROM object WHERE field IN (literals)` in as many queries as the URL limit
/// needs, and returns each record once.
async fn query_in(
    client: &SalesforceClient,
    object: &ObjectSpec,
    field: &str,
    literals: &[String],
) -> Result<Vec<SourceRecord>, Error> {
    if literals.is_empty() {
        return Ok(Vec::new());
    }
    let selection = Selection::of(object)?;
    let prefix = format!(
        "SELECT {} FROM {} WHERE {field} IN (",
        selection.to_soql(),
        object.name
    );
    let mut records: Vec<SourceRecord> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for list in in_lists(&prefix, literals, MAX_ENCODED_SOQL_BYTES)? {
        let soql = format!("{prefix}{})", list.join(IN_SEPARATOR));
        for record in query_records(client, object, &selection, &soql).await? {
            // Text compares ignoring case, so two values in different queries may match the
            // same record.
            if seen.insert(record.id.clone()) {
                records.push(record);
            }
        }
    }
    Ok(records)
}

/// Separator of the values in an `IN` list. SOQL needs no space after the comma, and leaving
/// it out saves the `+` that encodes it.
const IN_SEPARATOR: &str = ",";

/// Splits `literals` into IN lists such that `prefix`, the list joined with [`IN_SEPARATOR`]
/// and the closing `)` take at most `max_bytes` once percent-encoded as the `q` parameter.
/// Fails when the prefix and a single literal do not fit.
pub(super) fn in_lists<'a>(
    prefix: &str,
    literals: &'a [String],
    max_bytes: usize,
) -> Result<Vec<Vec<&'a str>>, Error> {
    let fixed = encoded_len(prefix) + encoded_len(")");
    let mut lists: Vec<Vec<&str>> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut length = fixed;
    for literal in literals {
        let added = |current: &[&str]| match current.is_empty() {
            true => encoded_len(literal),
            false => encoded_len(IN_SEPARATOR) + encoded_len(literal),
        };
        if !current.is_empty() && length + added(&current) > max_bytes {
            lists.push(std::mem::take(&mut current));
            length = fixed;
        }
        let added = added(&current);
        if length + added > max_bytes {
            return Err(too_long(max_bytes));
        }
        current.push(literal);
        length += added;
    }
    if !current.is_empty() {
        lists.push(current);
    }
    Ok(lists)
}

fn too_long(max_bytes: usize) -> Error {
    Error::InvalidRequest {
        message: format!(
            "the field list and one value take more than {max_bytes} bytes of query URL; \
             request fewer fields"
        ),
    }
}

/// Returns the length of `text` in `application/x-www-form-urlencoded` form, as the query is
/// sent.
fn encoded_len(text: &str) -> usize {
    form_urlencoded::byte_serialize(text.as_bytes())
        .map(str::len)
        .sum()
}

#[cfg(test)]
mod tests;
