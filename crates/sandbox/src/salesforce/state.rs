//! The in-memory org: schema, records, users, sessions, query cursors and API accounting.

use std::collections::{BTreeMap, BTreeSet, HashMap};

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
    FieldDef, FieldType, ObjectDef, TANDEM_SCHEMA, apply_schema, standard_objects,
};
use crate::salesforce::soql::{self, QueryOutcome};
use crate::salesforce::version::ApiVersion;

/// Default number of rows per query page, Salesforce's default batch size.
pub(crate) const DEFAULT_QUERY_BATCH_SIZE: usize = 2000;

/// Rows per Bulk API 2.0 result page when the client gives no `maxRecords`.
// NOTE: Salesforce documents no fixed default; the value is an assumption.
pub(crate) const DEFAULT_BULK_QUERY_PAGE_SIZE: usize = 50_000;

/// Key prefix of query locators.
const QUERY_LOCATOR_PREFIX: &str = "01g";

/// Records of one object, by 18-character Id; Ids sort in creation order.
#[derive(Debug, Default)]
struct Table {
    records: BTreeMap<String, Values>,
    next_serial: u64,
    /// Ids of live records by field name and [`index_key`] of the value, for the external ID
    /// and unique fields that upserts, look-ups and duplicate checks match on.
    index: HashMap<String, HashMap<String, BTreeSet<String>>>,
}

impl Table {
    fn unindex(&mut self, indexed: &[FieldDef], id: &str, values: &Values) {
        for (field, key) in index_entries(indexed, values) {
            if let Some(ids) = self
                .index
                .get_mut(&field.name)
                .and_then(|keys| keys.get_mut(&key))
            {
                ids.remove(id);
            }
        }
    }

    fn reindex(&mut self, indexed: &[FieldDef], id: &str, values: &Values) {
        for (field, key) in index_entries(indexed, values) {
            self.index
                .entry(field.name.clone())
                .or_default()
                .entry(key)
                .or_default()
                .insert(id.to_string());
        }
    }

    /// Replaces the record `id`, keeping the index in step; `None` removes it.
    fn replace(&mut self, indexed: &[FieldDef], id: &str, values: Option<Values>) {
        if let Some(old) = self.records.remove(id) {
            self.unindex(indexed, id, &old);
        }
        if let Some(values) = values {
            self.reindex(indexed, id, &values);
            self.records.insert(id.to_string(), values);
        }
    }
}

/// Returns whether matches on `field` go through the index.
fn is_indexed(field: &FieldDef) -> bool {
    field.external_id || field.unique
}

/// Returns the index key of a value: the value itself for case-sensitive fields and its
/// lowercase form otherwise, so matching ignores case as Salesforce does by default.
fn index_key(field: &FieldDef, text: &str) -> String {
    if field.case_sensitive {
        text.to_string()
    } else {
        text.to_lowercase()
    }
}

/// Returns the index entries of a live record; records in the recycle bin have none.
fn index_entries<'f>(indexed: &'f [FieldDef], values: &Values) -> Vec<(&'f FieldDef, String)> {
    if values.get("IsDeleted") == Some(&Value::Bool(true)) {
        return Vec::new();
    }
    indexed
        .iter()
        .filter_map(|field| {
            let text = values.get(&field.name)?.as_str()?;
            Some((field, index_key(field, text)))
        })
        .collect()
}

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
    /// Rows per query page when the request does not ask for a batch size.
    pub query_batch_size: usize,
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
            query_batch_size: DEFAULT_QUERY_BATCH_SIZE,
            passwords: HashMap::new(),
            jwt_certificate: None,
            controls: Controls::default(),
            notifier: Notifier::default(),
            bulk: BulkJobs::default(),
            bulk_query_page_size: DEFAULT_BULK_QUERY_PAGE_SIZE,
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

    /// Stores `values` as the record `id` of `object`, replacing any earlier version.
    pub(crate) fn put(&mut self, object: &str, id: String, values: Values) {
        self.restore(object, &id, Some(values));
    }

    /// Puts back the state of a record captured before a write: `None` removes it.
    pub fn restore(&mut self, object: &str, id: &str, previous: Option<Values>) {
        let indexed = self.indexed_fields(object);
        self.table_mut(object).replace(&indexed, id, previous);
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
    /// order. `field` must be `Id`, an external ID field or a unique field; other fields
    /// match nothing.
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

    /// Replaces the schema, giving existing records their initial value in new fields.
    pub fn replace_objects(&mut self, objects: Vec<ObjectDef>) {
        self.objects = objects;
        for object in self.objects.clone() {
            for values in self.table_mut(&object.name).records.values_mut() {
                for field in &object.fields {
                    values
                        .entry(field.name.clone())
                        .or_insert_with(|| initial_value(field));
                }
            }
        }
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
        let records = self.records(&plan.object.name, include_deleted);
        Ok(plan.execute(records, version))
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
mod tests {
    use serde_json::json;

    use super::*;
    use crate::salesforce::schema::Access;

    fn account_with(org: &mut Org, key: &str) -> String {
        let account = org.object("Account").cloned().unwrap();
        let id = org.next_id(&account);
        let mut values = empty_values(&account);
        values.insert("Id".into(), json!(id));
        values.insert("NetSuite_Internal_ID__c".into(), json!(key));
        org.put("Account", id.clone(), values);
        id
    }

    #[test]
    fn find_by_field_ignores_case_through_index() {
        let mut org = Org::new();
        let id = account_with(&mut org, "Ns-1");
        let account = org.object("Account").cloned().unwrap();
        let field = account.field("NetSuite_Internal_ID__c").unwrap();
        assert_eq!(org.find_by_field(&account, field, "ns-1"), vec![id]);
    }

    #[test]
    fn find_by_field_follows_updates_and_deletes() {
        let mut org = Org::new();
        let id = account_with(&mut org, "a");
        let account = org.object("Account").cloned().unwrap();
        let field = account.field("NetSuite_Internal_ID__c").unwrap().clone();
        let mut values = match org.lookup("Account", &id) {
            Lookup::Live(values) => values.clone(),
            _ => panic!("record {id} is live"),
        };
        values.insert("NetSuite_Internal_ID__c".into(), json!("b"));
        org.put("Account", id.clone(), values.clone());
        assert!(org.find_by_field(&account, &field, "a").is_empty());
        assert_eq!(org.find_by_field(&account, &field, "B"), vec![id.clone()]);
        values.insert("IsDeleted".into(), json!(true));
        org.put("Account", id, values);
        assert!(org.find_by_field(&account, &field, "b").is_empty());
    }

    #[test]
    fn restore_removes_created_record_from_index() {
        let mut org = Org::new();
        let id = account_with(&mut org, "a");
        org.restore("Account", &id, None);
        let account = org.object("Account").cloned().unwrap();
        let field = account.field("NetSuite_Internal_ID__c").unwrap();
        assert!(org.find_by_field(&account, field, "a").is_empty());
        assert!(matches!(org.lookup("Account", &id), Lookup::Missing));
    }

    #[test]
    fn new_seeds_two_active_users() {
        let org = Org::new();
        assert!(org.integration_user_id.starts_with("005"));
        assert!(org.admin_user_id.starts_with("005"));
        assert_ne!(org.integration_user_id, org.admin_user_id);
        assert_eq!(org.records("User", false).count(), 2);
    }

    #[test]
    fn next_id_increases_within_object() {
        let mut org = Org::new();
        let account = org.object("Account").cloned().unwrap();
        let first = org.next_id(&account);
        let second = org.next_id(&account);
        assert!(first.starts_with("001"));
        assert!(first < second);
    }

    #[test]
    fn add_field_rejects_existing_name() {
        let mut org = Org::new();
        let field = FieldDef::new("name", "Name", FieldType::String, 10, Access::Optional);
        let error = org.add_field("Account", field).unwrap_err();
        assert_eq!(error.error_code, "DUPLICATE_DEVELOPER_NAME");
    }

    #[test]
    fn new_locator_has_query_locator_prefix() {
        let mut org = Org::new();
        assert!(org.new_locator().starts_with("01g"));
    }
}
