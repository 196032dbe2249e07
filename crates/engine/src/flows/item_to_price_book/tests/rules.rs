//! A Salesforce test port with the price book rules of a real org: one entry per product,
//! price book and currency, and a standard price before any other in the same currency.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::STANDARD;
use crate::error::{ErrorClass, RemoteError};
use crate::fake_port::FakePort;
use crate::port::{FieldInfo, FieldType, ObjectInfo, RecordPort, WriteResult};
use crate::record::{
    DeletedRecord, Fields, NewRecord, ObjectSpec, RecordUpdate, SourceRecord, System,
};

/// [`FakePort`] with the rules Salesforce applies when a price book entry is inserted, and a
/// `describe` of `PricebookEntry` that lists `CurrencyIsoCode` while the org has multiple
/// currencies.
pub(super) struct PriceBookRules {
    pub inner: Arc<FakePort>,
    pub multi_currency: AtomicBool,
}

impl PriceBookRules {
    /// Makes the org one with a single currency.
    pub fn set_single_currency(&self) {
        self.multi_currency.store(false, Ordering::SeqCst);
    }

    /// Returns the error Salesforce gives an entry, if any.
    fn check_entry(&self, entry: &Fields) -> Option<RemoteError> {
        let value = |fields: &Fields, name: &str| fields.get(name).map(|v| v.normalized());
        let same = |other: &Fields, name: &str| value(other, name) == value(entry, name);
        let existing: Vec<Fields> = self
            .inner
            .all("PricebookEntry")
            .into_iter()
            .map(|(_, fields)| fields)
            .filter(|other| same(other, "Product2Id") && same(other, "CurrencyIsoCode"))
            .collect();
        let reject = |code: &str| {
            let error = RemoteError::new(System::Salesforce, ErrorClass::Data, code, code);
            Some(error)
        };
        if existing.iter().any(|other| same(other, "Pricebook2Id")) {
            return reject("DUPLICATE_VALUE");
        }
        let book = entry.get("Pricebook2Id").and_then(|v| v.as_text());
        let is_standard = |fields: &Fields| {
            fields.get("Pricebook2Id").and_then(|v| v.as_text()) == Some(STANDARD)
        };
        if book != Some(STANDARD) && !existing.iter().any(is_standard) {
            return reject("STANDARD_PRICE_NOT_DEFINED");
        }
        None
    }
}

#[async_trait]
impl RecordPort for PriceBookRules {
    fn system(&self) -> System {
        self.inner.system()
    }

    async fn identity(&self) -> Result<String, RemoteError> {
        self.inner.identity().await
    }

    async fn changed_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        self.inner.changed_since(object, since).await
    }

    async fn create(
        &self,
        object: &ObjectSpec,
        records: Vec<NewRecord>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        self.inner.create(object, records).await
    }

    async fn update(
        &self,
        object: &ObjectSpec,
        records: Vec<RecordUpdate>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        self.inner.update(object, records).await
    }

    async fn deleted_since(
        &self,
        object: &ObjectSpec,
        since: DateTime<Utc>,
    ) -> Result<Vec<DeletedRecord>, RemoteError> {
        self.inner.deleted_since(object, since).await
    }

    async fn describe(&self, object: &str) -> Result<ObjectInfo, RemoteError> {
        let mut names = vec!["Pricebook2Id", "Product2Id", "UnitPrice", "IsActive"];
        if self.multi_currency.load(Ordering::SeqCst) {
            names.push("CurrencyIsoCode");
        }
        let fields = names
            .into_iter()
            .map(|name| FieldInfo {
                name: name.to_string(),
                field_type: FieldType::Text,
                createable: true,
                updateable: true,
                external_id: false,
            })
            .collect();
        Ok(ObjectInfo {
            name: object.to_string(),
            fields,
            unlisted_prefix: None,
        })
    }

    async fn read(
        &self,
        object: &ObjectSpec,
        ids: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        self.inner.read(object, ids).await
    }

    async fn find(
        &self,
        object: &ObjectSpec,
        field: &str,
        values: &[String],
    ) -> Result<Vec<SourceRecord>, RemoteError> {
        self.inner.find(object, field, values).await
    }

    async fn insert(
        &self,
        object: &ObjectSpec,
        records: Vec<Fields>,
    ) -> Result<Vec<WriteResult>, RemoteError> {
        if object.name != "PricebookEntry" {
            return self.inner.insert(object, records).await;
        }
        let mut results = Vec::new();
        for record in records {
            match self.check_entry(&record) {
                Some(error) => results.push(Err(error)),
                None => results.extend(self.inner.insert(object, vec![record]).await?),
            }
        }
        Ok(results)
    }
}
