//! The duplicate check before a customer is created.

use std::collections::BTreeSet;

use super::{COMPANY_NAME, CUSTOMER, CUSTOMER_LINK_FIELD, LINK_FLOW};
use crate::flows::support;
use crate::matching::name_key;
use crate::pass::{Connections, PassError};
use crate::record::{ObjectSpec, SourceRecord, System};

/// Returns, per candidate, an unlinked NetSuite customer that `account-customer`'s matcher
/// would link the Account to instead of creating one.
///
/// The rule is deliberately simple: a customer whose company name equals the Account's name
/// (NetSuite compares without regard to case), or a customer that `account-customer` has read
/// whose name has the same matching key (legal forms, accents and punctuation dropped, so
/// "ACME Corp." and "Acme Corporation" are the same). Customers linked to another Account and
/// the customer created earlier for this Account (its `externalId` is the Account Id) do not
/// count. Names spelled differently in other ways are left to the matcher after the create.
pub(super) async fn duplicate_of(
    connections: &Connections,
    names: &[Option<&str>],
    candidates: &[usize],
    accounts: &[SourceRecord],
) -> Result<Vec<Option<String>>, PassError> {
    let wanted: BTreeSet<String> = names
        .iter()
        .flatten()
        .map(|name| name.to_string())
        .collect();
    let found = if wanted.is_empty() {
        Vec::new()
    } else {
        let spec = ObjectSpec {
            name: CUSTOMER.to_string(),
            fields: vec![COMPANY_NAME.to_string()],
            link_field: CUSTOMER_LINK_FIELD.to_string(),
        };
        let values: Vec<String> = wanted.into_iter().collect();
        let port = connections.port(System::NetSuite);
        connections
            .retry
            .run("NetSuite customer by company name", || {
                port.find(&spec, COMPANY_NAME, &values)
            })
            .await?
    };
    let store = connections.store.as_ref();
    let mut duplicates = Vec::new();
    for (name, &index) in names.iter().zip(candidates) {
        let account_id = &accounts[index].id;
        let Some(name) = name else {
            duplicates.push(None);
            continue;
        };
        let key = name_key(name);
        let mut ids: Vec<String> = found
            .iter()
            .filter(|customer| customer.link.as_deref() != Some(account_id.as_str()))
            .filter(|customer| {
                support::text(&customer.fields, COMPANY_NAME)
                    .is_some_and(|found| found.eq_ignore_ascii_case(name))
            })
            .map(|customer| customer.id.clone())
            .collect();
        if key.is_some() {
            let seen = store
                .find_by_key(System::NetSuite, CUSTOMER, key.as_deref(), None)
                .await?;
            ids.extend(
                seen.into_iter()
                    .filter(|seen| seen.link.as_deref() != Some(account_id.as_str()))
                    .map(|seen| seen.id),
            );
        }
        let mut duplicate = None;
        for id in ids {
            if store
                .xref(LINK_FLOW, System::NetSuite, &id)
                .await?
                .is_none()
            {
                duplicate = Some(id);
                break;
            }
        }
        duplicates.push(duplicate);
    }
    Ok(duplicates)
}
