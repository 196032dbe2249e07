//! The in-memory org: schema, records, users, sessions, query cursors and API accounting.

mod table;
mod transaction;

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use crate::salesforce::auth::Sessions;
use crate::salesforce::bulk::BulkJobs;
use crate::salesforce::controls::Controls;
use crate::salesforce::cursors::Cursors;
use crate::salesforce::errors::ApiError;
use crate::salesforce::id;
use crate::salesforce::limits::{ApiUsage, DEFAULT_DAILY_LIMIT};
use crate::salesforce::notify::Notifier;
use crate::salesforce::record::Values;
use crate::salesforce::schema::{
    CURRENCY_FIELD, Currencies, FieldDef, FieldType, ObjectDef, TANDEM_SCHEMA, apply_currencies,
    apply_schema, standard_objects,
};
use crate::salesforce::soql::{self, QueryOutcome, RecordSource};
use crate::salesforce::version::ApiVersion;
use table::{Table, index_key, is_indexed};
use transaction::Journal;

/// Default number of rows per query page, Salesforce's default batch size.
pub(crate) const DEFAULT_QUERY_BATCH_SIZE: usize = 2000;

/// Child records per page of a child subquery. NOTE: an estimate; Salesforce pages large
/// child results with their own `nextRecordsUrl` but does not document the size, and 200
/// is the page size reported for it in practice.
pub(crate) const DEFAULT_CHILD_BATCH_SIZE: usize = 200;

/// Rows per Bulk API 2.0 result page when the client gives no `maxRecords`.
// NOTE: Salesforce documents no fixed default; the value is an assumption.
pub(crate) const DEFAULT_BULK_QUERY_PAGE_SIZE: usize = 50_000;

/// Key prefix of query locators.
const QUERY_LOCATOR_PREFIX: &str = "01g";

/// Result of looking up an Id.
#[derive(Debug)]
pub(crate) enum Lookup<'a> {
    /// A record that exists.
    Live(&'a Values),
    /// A record in the recycle bin.
    Deleted,
    /// No record has this Id.
    Missing,
}

/// State of the emulated org.
#[derive(Debug)]
pub(crate) struct Org {
    /// Objects and fields.
    pub objects: Vec<ObjectDef>,
    tables: BTreeMap<String, Table>,
    /// Two-character instance code inside every Id of this org.
    instance: String,
    /// 18-character Id of the organization.
    pub org_id: String,
    /// User the connected app runs as; API writes are made by this user.
    pub integration_user_id: String,
    /// User behind data loading and edits in the UI.
    pub admin_user_id: String,
    /// Valid access tokens.
    pub sessions: Sessions,
    /// Open query cursors.
    pub cursors: Cursors,
    /// Daily API request accounting.
    pub usage: ApiUsage,
    /// Requests per route, such as `GET /query`.
    pub request_counts: BTreeMap<String, u64>,
    /// How many times each record was stored, keyed by object and Id.
    pub write_counts: HashMap<(String, String), u64>,
    /// Rows per query page when the request does not ask for a batch size.
    pub query_batch_size: usize,
    /// Child records per page of a child subquery's result inside a parent record.
    pub child_batch_size: usize,
    /// Passwords of users who may log in with the password grant, by user Id.
    pub passwords: HashMap<String, String>,
    /// PEM certificate that JWT bearer assertions must be signed for.
    pub jwt_certificate: Option<String>,
    /// Injected latency and faults.
    pub controls: Controls,
    /// Change notifications waiting to be sent.
    pub notifier: Notifier,
    /// Bulk API 2.0 jobs.
    pub bulk: BulkJobs,
    /// Rows per Bulk API 2.0 query result page when the request gives no `maxRecords`.
    pub bulk_query_page_size: usize,
    /// Currencies of a multi-currency org; `None` while the org has one currency.
    pub currencies: Option<Currencies>,
    /// Record states before the writes made while a savepoint is open.
    journal: Journal,
    next_locator: u64,
}

impl Org {
    /// Creates an org with the standard objects, an integration user and an admin user.
    pub fn new() -> Org {
        let instance = id::random_base62(2);
        let mut org = Org {
            objects: standard_objects(),
            tables: BTreeMap::new(),
            org_id: id::build("00D", &instance, rand::random_range(1_000_000..100_000_000)),
            instance,
            integration_user_id: String::new(),
            admin_user_id: String::new(),
            sessions: Sessions::new(),
            cursors: Cursors::default(),
            usage: ApiUsage::new(DEFAULT_DAILY_LIMIT),
            request_counts: BTreeMap::new(),
            write_counts: HashMap::new(),
            query_batch_size: DEFAULT_QUERY_BATCH_SIZE,
            child_batch_size: DEFAULT_CHILD_BATCH_SIZE,
            passwords: HashMap::new(),
            jwt_certificate: None,
            controls: Controls::default(),
            notifier: Notifier::default(),
            bulk: BulkJobs::default(),
            bulk_query_page_size: DEFAULT_BULK_QUERY_PAGE_SIZE,
            currencies: None,
            journal: Journal::default(),
            next_locator: rand::random_range(1_000_000..100_000_000),
        };
        // Tandem's schema file is part of the crate and checked by a unit test.
        if let Err(error) = apply_schema(&mut org.objects, TANDEM_SCHEMA) {
            tracing::error!(%error, "Tandem's schema file was rejected");
        }
        org.admin_user_id = org.seed_user("Org Admin", "admin");
        org.integration_user_id = org.seed_user("Integration User", "integration");
        org.seed_standard_pricebook();
        org
    }

    /// Finds an object by API name, ignoring case.
    pub fn object(&self, name: &str) -> Option<&ObjectDef> {
        self.objects
            .iter()
            .find(|object| object.name.eq_ignore_ascii_case(name))
    }

    fn table_mut(&mut self, object: &str) -> &mut Table {
        self.tables.entry(object.to_string()).or_default()
    }

    /// Returns the next Id for `object`. Serials start at a random point so Ids look like
    /// those of an org that has been in use.
    pub(crate) fn next_id(&mut self, object: &ObjectDef) -> String {
        let instance = self.instance.clone();
        let table = self.table_mut(&object.name);
        if table.next_serial == 0 {
            table.next_serial = rand::random_range(1_000_000..50_000_000);
        }
        table.next_serial += 1;
        id::build(&object.key_prefix, &instance, table.next_serial)
    }

    /// Looks up a record by canonical 18-character Id.
    pub fn lookup(&self, object: &str, id: &str) -> Lookup<'_> {
        let Some(values) = self
            .tables
            .get(object)
            .and_then(|table| table.records.get(id))
        else {
            return Lookup::Missing;
        };
        if values.get("IsDeleted") == Some(&Value::Bool(true)) {
            Lookup::Deleted
        } else {
            Lookup::Live(values)
        }
    }

    /// Returns the records of `object` in Id order, with or without those in the recycle bin.
    pub fn records<'a>(
        &'a self,
        object: &str,
        include_deleted: bool,
    ) -> impl Iterator<Item = &'a Values> + 'a {
        self.tables
            .get(object)
            .into_iter()
            .flat_map(|table| table.records.values())
            .filter(move |values| {
                include_deleted || values.get("IsDeleted") != Some(&Value::Bool(true))
            })
    }

    /// Stores `values` as the record `id` of `object`, replacing any earlier version. While
    /// a savepoint is open, the earlier state is kept so a rollback can put it back.
    pub(crate) fn put(&mut self, object: &str, id: String, values: Values) {
        if self.journal.is_open() {
            let previous = self
                .tables
                .get(object)
                .and_then(|table| table.records.get(&id))
                .cloned();
            self.journal.record(object, &id, previous);
        }
        let key = (object.to_string(), id.clone());
        *self.write_counts.entry(key).or_insert(0) += 1;
        self.replace_record(object, &id, Some(values));
    }

    /// Replaces the record `id` of `object` without journaling it: `None` removes it.
    fn replace_record(&mut self, object: &str, id: &str, values: Option<Values>) {
        let indexed = self.indexed_fields(object);
        self.table_mut(object).replace(&indexed, id, values);
    }

    fn indexed_fields(&self, object: &str) -> Vec<FieldDef> {
        self.object(object)
            .map(|definition| {
                definition
                    .fields
                    .iter()
                    .filter(|field| is_indexed(field))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Returns the Ids of live records of `definition` whose `field` equals `value`, in Id
    /// order. `field` must be `Id`, an external ID, `idLookup`, unique or reference field;
    /// other fields match nothing.
    pub fn find_by_field(
        &self,
        definition: &ObjectDef,
        field: &FieldDef,
        value: &str,
    ) -> Vec<String> {
        if field.field_type == FieldType::Id {
            return match id::normalize(value) {
                Some(id) if matches!(self.lookup(&definition.name, &id), Lookup::Live(_)) => {
                    vec![id]
                }
                _ => Vec::new(),
            };
        }
        self.tables
            .get(&definition.name)
            .and_then(|table| table.index.get(&field.name))
            .and_then(|keys| keys.get(&index_key(field, value)))
            .map(|ids| ids.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Returns the live records of `object` whose reference field `field` holds `parent`, in
    /// Id order, through the index rather than a scan of the object's records.
    pub fn children<'a>(
        &'a self,
        object: &str,
        field: &str,
        parent: &str,
    ) -> impl Iterator<Item = &'a Values> + 'a {
        let table = self.tables.get(object);
        let ids = self
            .object(object)
            .and_then(|definition| definition.field(field))
            .filter(|definition| definition.field_type == FieldType::Reference)
            .and_then(|definition| {
                let keys = table?.index.get(&definition.name)?;
                keys.get(&index_key(definition, parent))
            });
        ids.into_iter()
            .flatten()
            .filter_map(move |id| table?.records.get(id))
    }

    /// Replaces the schema, giving existing records their initial value in new fields. In a
    /// multi-currency org, new objects get the currency field and records the corporate
    /// currency.
    pub fn replace_objects(&mut self, mut objects: Vec<ObjectDef>) {
        if let Some(currencies) = &self.currencies {
            apply_currencies(&mut objects, currencies);
        }
        self.objects = objects;
        let corporate = self
            .currencies
            .as_ref()
            .map(|currencies| Value::String(currencies.corporate.clone()));
        for object in self.objects.clone() {
            for values in self.table_mut(&object.name).records.values_mut() {
                for field in &object.fields {
                    let initial = match &corporate {
                        Some(code) if field.name == CURRENCY_FIELD => code.clone(),
                        _ => initial_value(field),
                    };
                    values.entry(field.name.clone()).or_insert(initial);
                }
            }
        }
    }

    /// Turns the org into a multi-currency org with `currencies`, or changes its currencies.
    /// Objects get `CurrencyIsoCode`, and records that have none get the corporate currency.
    pub fn set_currencies(&mut self, currencies: Currencies) {
        self.currencies = Some(currencies);
        let objects = self.objects.clone();
        self.replace_objects(objects);
    }

    /// Adds a field to an object; existing records get null (false for a checkbox).
    pub fn add_field(&mut self, object: &str, field: FieldDef) -> Result<(), ApiError> {
        let Some(definition) = self
            .objects
            .iter_mut()
            .find(|def| def.name.eq_ignore_ascii_case(object))
        else {
            return Err(ApiError::not_found());
        };
        if definition.field(&field.name).is_some() {
            let message = format!(
                "duplicate field: {} already exists on {}",
                field.name, definition.name
            );
            return Err(ApiError::bad_request("DUPLICATE_DEVELOPER_NAME", message));
        }
        let object_name = definition.name.clone();
        let initial = initial_value(&field);
        let name = field.name.clone();
        definition.fields.push(field);
        for values in self.table_mut(&object_name).records.values_mut() {
            values.insert(name.clone(), initial.clone());
        }
        Ok(())
    }

    /// Runs a SOQL statement and renders its rows for `version`.
    pub fn run_query(
        &self,
        text: &str,
        include_deleted: bool,
        version: ApiVersion,
    ) -> Result<QueryOutcome, ApiError> {
        let plan = soql::prepare(text, &self.objects)?;
        let source = QuerySource {
            org: self,
            include_deleted,
        };
        Ok(plan.execute(&source, version))
    }

    /// Returns a new Bulk API job Id, with key prefix `750`.
    pub fn new_job_id(&mut self) -> String {
        let instance = self.instance.clone();
        self.bulk.next_id(&instance)
    }

    /// Returns a new query locator, an Id with key prefix `01g`.
    pub fn new_locator(&mut self) -> String {
        self.next_locator += 1;
        id::build(QUERY_LOCATOR_PREFIX, &self.instance, self.next_locator)
    }
}

/// The records a query reads: live ones, and for `queryAll` those in the recycle bin too.
struct QuerySource<'a> {
    org: &'a Org,
    include_deleted: bool,
}

impl RecordSource for QuerySource<'_> {
    fn record(&self, object: &str, id: &str) -> Option<&Values> {
        let values = self.org.tables.get(object)?.records.get(id)?;
        let deleted = values.get("IsDeleted") == Some(&Value::Bool(true));
        (self.include_deleted || !deleted).then_some(values)
    }

    fn records<'a>(&'a self, object: &str) -> Box<dyn Iterator<Item = &'a Values> + 'a> {
        Box::new(self.org.records(object, self.include_deleted))
    }
}

fn initial_value(field: &FieldDef) -> Value {
    if field.field_type == FieldType::Boolean {
        Value::Bool(false)
    } else {
        Value::Null
    }
}

/// Returns a record of `object` with every field at its initial value.
pub(crate) fn empty_values(object: &ObjectDef) -> Values {
    object
        .fields
        .iter()
        .map(|field| (field.name.clone(), initial_value(field)))
        .collect()
}

#[cfg(test)]
mod tests;
