//! Invoice currencies as ISO codes for `CurrencyIsoCode`, and whether to write them at all,
//! looked up at most once per pass.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

use super::{CURRENCY_FIELD, CurrencyMode, FLOW, TARGET_OBJECT};
use crate::pass::{Connections, PassError};
use crate::record::{FieldValue, ObjectSpec, System};

/// The field of a NetSuite currency record that contains its ISO 4217 code (`USD`). The
/// `displaySymbol` field contains the sign (`$`).
pub(super) const ISO_CODE_FIELD: &str = "symbol";

/// What the current pass has learned about currencies.
#[derive(Debug, Default)]
struct Known {
    /// Whether the org uses multiple currencies, once described.
    multi_currency: Option<bool>,
    /// ISO codes by currency internal ID; `None` for a currency that has none or is missing.
    codes: BTreeMap<String, Option<String>>,
}

/// The currency look-ups of one pass, emptied when a pass starts.
#[derive(Debug, Default)]
pub(super) struct Currencies {
    known: Mutex<Known>,
}

impl Currencies {
    /// Forgets what earlier passes looked up, so a change to the org or to a currency is seen.
    pub fn reset(&self) {
        *self.lock() = Known::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Returns true when `CurrencyIsoCode` is to be written. With `auto`, the first call of a
    /// pass describes the Salesforce object and later calls reuse the answer.
    pub async fn multi_currency(
        &self,
        connections: &Connections,
        mode: CurrencyMode,
    ) -> Result<bool, PassError> {
        match mode {
            CurrencyMode::On => return Ok(true),
            CurrencyMode::Off => return Ok(false),
            CurrencyMode::Auto => {}
        }
        if let Some(known) = self.lock().multi_currency {
            return Ok(known);
        }
        let port = connections.port(System::Salesforce);
        let what = format!("Salesforce {TARGET_OBJECT} describe");
        let info = connections
            .retry
            .run(&what, || port.describe(TARGET_OBJECT))
            .await?;
        let multi_currency = info.field(CURRENCY_FIELD).is_some();
        tracing::info!(
            flow = FLOW,
            multi_currency,
            "checked the org for multiple currencies"
        );
        self.lock().multi_currency = Some(multi_currency);
        Ok(multi_currency)
    }

    /// Returns the ISO codes of these currency internal IDs, reading the ones not known yet in
    /// one call. IDs without a code are left out.
    pub async fn codes(
        &self,
        connections: &Connections,
        ids: BTreeSet<String>,
    ) -> Result<BTreeMap<String, String>, PassError> {
        let missing: Vec<String> = {
            let known = self.lock();
            ids.iter()
                .filter(|id| !known.codes.contains_key(*id))
                .cloned()
                .collect()
        };
        if !missing.is_empty() {
            let found = read_codes(connections, &missing).await?;
            let mut known = self.lock();
            for id in missing {
                let code = found.get(&id).cloned();
                known.codes.insert(id, code);
            }
        }
        let known = self.lock();
        Ok(ids
            .into_iter()
            .filter_map(|id| {
                let code = known.codes.get(&id).cloned().flatten()?;
                Some((id, code))
            })
            .collect())
    }
}

/// Reads NetSuite currency records by internal ID and returns their ISO codes.
async fn read_codes(
    connections: &Connections,
    ids: &[String],
) -> Result<BTreeMap<String, String>, PassError> {
    let object = ObjectSpec {
        name: "currency".to_string(),
        fields: vec![ISO_CODE_FIELD.to_string()],
        link_field: "externalId".to_string(),
    };
    let port = connections.port(System::NetSuite);
    let records = connections
        .retry
        .run("NetSuite currency by ID", || port.read(&object, ids))
        .await?;
    Ok(records
        .into_iter()
        .filter_map(|record| {
            let code = record
                .fields
                .get(ISO_CODE_FIELD)
                .and_then(FieldValue::as_text)?;
            let code = code.trim().to_string();
            (!code.is_empty()).then_some((record.id, code))
        })
        .collect())
}
