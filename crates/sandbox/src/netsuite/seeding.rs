//! Adding and reading records from Rust, without HTTP or a token passport: for seed data and
//! tests. Records go through the same checks and business rules as an `add` request.

use chrono::{DateTime, Utc};

use super::NetSuiteEmulator;
use super::datetime::whole_seconds;
use super::operations::Context;
use super::operations::write::{WriteKind, write_element};
use super::records::RecordKind;
use super::records::render::{RecordPlace, write_record};
use super::reference::{Currency, Location, PriceLevel, Subsidiary, Term};
use super::soap::{MESSAGES, Request, new_ns_id};
use super::xml::{Element, Version, XmlWriter, document_version, parse_document};

/// Why a record given to [`NetSuiteEmulator::add_record`] was not stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The XML is not a record element NetSuite would accept: malformed, without NetSuite
    /// namespaces, or with elements or values the schema does not allow.
    #[error("the record XML is invalid: {0}")]
    Invalid(String),
    /// NetSuite's rules refused the record, with the code and message a client would get.
    #[error("the record was refused: {code} {message}")]
    Refused {
        /// The status detail code, such as `INVALID_KEY_OR_REF`.
        code: String,
        /// NetSuite's message.
        message: String,
    },
}

impl NetSuiteEmulator {
    /// Adds a record as an `add` request would, written at `at`, and returns its internal
    /// ID. `record_xml` is one element (its name does not matter) with an `xsi:type` such as
    /// `tranSales:SalesOrder` and the NetSuite namespaces of any endpoint version declared on
    /// it, as in a request body.
    pub fn add_record(&self, record_xml: &str, at: DateTime<Utc>) -> Result<String, RecordError> {
        self.write_record_xml(record_xml, WriteKind::Add, at)
    }

    /// Updates a record of any served type, customers included, as an `update` request
    /// would, written at `at`, and returns its internal ID. `record_xml` is shaped as for
    /// [`Self::add_record`] and names the record by its `internalId` or `externalId`
    /// attribute. Fields it leaves out keep their values.
    pub fn update_record(
        &self,
        record_xml: &str,
        at: DateTime<Utc>,
    ) -> Result<String, RecordError> {
        self.write_record_xml(record_xml, WriteKind::Update, at)
    }

    fn write_record_xml(
        &self,
        record_xml: &str,
        kind: WriteKind,
        at: DateTime<Utc>,
    ) -> Result<String, RecordError> {
        let version = document_version(record_xml).ok_or_else(|| {
            RecordError::Invalid("the record declares no NetSuite namespace".to_string())
        })?;
        let record = parse_document(record_xml, version)
            .map_err(|error| RecordError::Invalid(error.to_string()))?;
        let request = Request {
            headers: Vec::new(),
            operation: operation_element(kind, record.clone()),
        };
        let now = whole_seconds(at);
        let ns_id = new_ns_id(&self.credentials().account, now);
        let context = Context {
            request: &request,
            version,
            ns_id: &ns_id,
            now,
        };
        let mut state = self.lock();
        let result = write_element(&mut state, &record, kind, &context)
            .map_err(|fault| RecordError::Invalid(fault.faultstring));
        drop(state);
        self.send_webhooks();
        let result = result?;
        match (result.error, result.base_ref) {
            (Some(error), _) => Err(RecordError::Refused {
                code: error.code.to_string(),
                message: error.message,
            }),
            (None, Some(base_ref)) => Ok(base_ref.internal_id.unwrap_or_default()),
            (None, None) => Err(RecordError::Invalid("no record was written".to_string())),
        }
    }

    /// Returns a record of a type other than `customer` (`salesOrder`, `invoice`,
    /// `inventoryItem`...) as the `record` element of a `get` response of endpoint
    /// `version` (`2025_2`), or `None` when there is no such record.
    pub fn record_xml(
        &self,
        record_type: &str,
        internal_id: &str,
        version: &str,
    ) -> Option<String> {
        let kind = RecordKind::from_record_type(record_type)?;
        let version = Version::parse(version)?;
        let state = self.lock();
        let record = state.records.get(kind, internal_id)?;
        let mut out = XmlWriter::default();
        let place = RecordPlace {
            element: "record",
            core_in_scope: false,
            body_fields_only: false,
        };
        write_record(&mut out, record, place, version);
        Some(out.finish())
    }

    /// Returns how many records of a type other than `customer` are stored.
    pub fn record_count(&self, record_type: &str) -> usize {
        let Some(kind) = RecordKind::from_record_type(record_type) else {
            return 0;
        };
        self.lock().records.count(kind)
    }

    /// Stores a currency record under its internal ID, replacing the account's currency of
    /// that ID. Records that refer to the currency afterwards carry its name.
    pub fn insert_currency(&self, currency: &Currency) {
        self.lock().records.put(currency.to_record(Utc::now()));
    }

    /// Stores a price level record under its internal ID, replacing the account's level of
    /// that ID. Pricing matrix and sales order lines written afterwards carry its name.
    pub fn insert_price_level(&self, level: &PriceLevel) {
        self.lock().records.put(level.to_record(Utc::now()));
    }

    /// Stores a location record under its internal ID, replacing any location of that ID.
    /// Insert its subsidiaries first for their names to appear on `subsidiaryList`.
    pub fn insert_location(&self, location: &Location) {
        let mut state = self.lock();
        let record = location.to_record(&state, Utc::now());
        state.records.put(record);
    }

    /// Stores a subsidiary record under its internal ID, replacing any subsidiary of that ID.
    pub fn insert_subsidiary(&self, subsidiary: &Subsidiary) {
        let mut state = self.lock();
        let record = subsidiary.to_record(&state, Utc::now());
        state.records.put(record);
    }

    /// Stores a term record under its internal ID, replacing any term of that ID.
    pub fn insert_term(&self, term: &Term) {
        self.lock().records.put(term.to_record(Utc::now()));
    }
}

fn operation_element(kind: WriteKind, record: Element) -> Element {
    let name = match kind {
        WriteKind::Add => "add",
        WriteKind::Update => "update",
        WriteKind::Upsert => "upsert",
    };
    Element {
        ns: MESSAGES.to_string(),
        name: name.to_string(),
        attrs: Vec::new(),
        children: vec![record],
        text: String::new(),
        xsi_type: None,
        is_nil: false,
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::RecordError;
    use crate::netsuite::{Customer, NetSuiteCredentials, NetSuiteEmulator};

    const NAMESPACES: &str = concat!(
        r#"xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" "#,
        r#"xmlns:listRel="urn:relationships_2025_2.lists.webservices.netsuite.com""#
    );

    fn emulator_with_customer() -> NetSuiteEmulator {
        let emulator = NetSuiteEmulator::new(NetSuiteCredentials::generate());
        let now = Utc::now();
        emulator.insert_customer(Customer {
            internal_id: "77".to_string(),
            external_id: None,
            entity_id: Some("CUST77".to_string()),
            company_name: Some("Seeded Co".to_string()),
            email: None,
            phone: None,
            url: None,
            is_inactive: false,
            date_created: now,
            last_modified: now,
            custom_fields: Vec::new(),
        });
        emulator
    }

    #[test]
    fn update_record_sets_customer_fields() {
        let emulator = emulator_with_customer();
        let xml = format!(
            r#"<record {NAMESPACES} xsi:type="listRel:Customer" internalId="77">
              <listRel:phone>555-0100</listRel:phone>
              <listRel:creditLimit>2500</listRel:creditLimit></record>"#
        );
        let at = Utc::now() - chrono::TimeDelta::days(2);
        assert_eq!(emulator.update_record(&xml, at).unwrap(), "77");
        let customer = emulator.customer("77").unwrap();
        assert_eq!(customer.phone.as_deref(), Some("555-0100"));
        assert_eq!(customer.company_name.as_deref(), Some("Seeded Co"));
        assert!(customer.last_modified < Utc::now() - chrono::TimeDelta::days(1));
        let state = emulator.lock();
        let stored = state.get("77").unwrap();
        let limit = stored.extras.iter().find(|e| e.name == "creditLimit");
        assert_eq!(limit.map(|e| e.trimmed_text()), Some("2500.0"));
    }

    #[test]
    fn update_record_of_missing_record_is_refused() {
        let emulator = emulator_with_customer();
        let xml = format!(
            r#"<record {NAMESPACES} xsi:type="listRel:Customer" internalId="78">
              <listRel:phone>555-0100</listRel:phone></record>"#
        );
        let error = emulator.update_record(&xml, Utc::now()).unwrap_err();
        assert!(
            matches!(&error, RecordError::Refused { code, .. } if code == "RCRD_DSNT_EXIST"),
            "{error}"
        );
    }
}
