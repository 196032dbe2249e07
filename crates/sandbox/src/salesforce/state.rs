//! The in-memory org: schema, records, users, sessions, query cursors and API accounting.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::salesforce::auth::Sessions;
use crate::salesforce::cursors::Cursors;
use crate::salesforce::errors::ApiError;
use crate::salesforce::id;
use crate::salesforce::limits::{ApiUsage, DEFAULT_DAILY_LIMIT};
use crate::salesforce::record::Values;
use crate::salesforce::schema::{FieldDef, ObjectDef, standard_objects};
use crate::salesforce::soql::{self, QueryOutcome};
use crate::salesforce::values::{now_millis, render_datetime};
use crate::salesforce::version::ApiVersion;

/// Default number of rows per query page, Salesforce's default batch size.
pub(crate) const DEFAULT_QUERY_BATCH_SIZE: usize = 2000;

/// Key prefix of query locators.
const QUERY_LOCATOR_PREFIX: &str = "01g";

/// Records of one object, by 18-character Id; Ids sort in creation order.
#[derive(Debug, Default)]
struct Table {
    records: BTreeMap<String, Values>,
    next_serial: u64,
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

/// Everything the emulated org holds.
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
            next_locator: rand::random_range(1_000_000..100_000_000),
        };
        org.admin_user_id = org.seed_user("Org Admin", "admin");
        org.integration_user_id = org.seed_user("Integration User", "integration");
        org
    }

    fn seed_user(&mut self, name: &str, alias: &str) -> String {
        let Some(user) = self.object("User").cloned() else {
            return String::new();
        };
        let user_id = self.next_id(&user);
        let now = render_datetime(now_millis());
        let creator = if self.admin_user_id.is_empty() {
            user_id.clone()
        } else {
            self.admin_user_id.clone()
        };
        let mut values = empty_values(&user);
        let org_15 = id::to_15(&self.org_id).to_ascii_lowercase();
        for (field, value) in [
            ("Id", Value::String(user_id.clone())),
            ("Name", Value::String(name.to_string())),
            (
                "Username",
                Value::String(format!("{alias}@{org_15}.example.com")),
            ),
            ("Email", Value::String(format!("{alias}@example.com"))),
            ("IsActive", Value::Bool(true)),
            ("CreatedDate", Value::String(now.clone())),
            ("CreatedById", Value::String(creator.clone())),
            ("LastModifiedDate", Value::String(now.clone())),
            ("LastModifiedById", Value::String(creator)),
            ("SystemModstamp", Value::String(now)),
        ] {
            values.insert(field.to_string(), value);
        }
        self.table_mut("User")
            .records
            .insert(user_id.clone(), values);
        user_id
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
        self.table_mut(object).records.insert(id, values);
    }

    /// Puts back the state of a record captured before a write: `None` removes it.
    pub fn restore(&mut self, object: &str, id: &str, previous: Option<Values>) {
        let table = self.table_mut(object);
        match previous {
            Some(values) => table.records.insert(id.to_string(), values),
            None => table.records.remove(id),
        };
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

    /// Returns a new query locator, an Id with key prefix `01g`.
    pub fn new_locator(&mut self) -> String {
        self.next_locator += 1;
        id::build(QUERY_LOCATOR_PREFIX, &self.instance, self.next_locator)
    }
}

fn initial_value(field: &FieldDef) -> Value {
    if field.field_type == crate::salesforce::schema::FieldType::Boolean {
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
    use super::*;
    use crate::salesforce::schema::{Access, FieldType};

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
