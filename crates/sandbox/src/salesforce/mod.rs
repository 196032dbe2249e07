//! Salesforce REST emulator: an in-memory org served over HTTP on the real wire format.
//!
//! It implements the OAuth 2.0 token endpoint (client credentials, password, refresh token
//! and JWT bearer grants), the version list, describe, SOQL queries with paging (`/query`,
//! `/queryAll`), sObject rows by Id and by external ID (including upsert), sObject
//! Collections, composite requests, `updated` and `deleted`, `limits` and Bulk API 2.0 jobs.
//! Every `/services/data/vNN.N` call needs a bearer token and is counted against a daily
//! allocation reported in `Sforce-Limit-Info`. Tests steer it through the methods below or
//! through the control endpoints under `/__sandbox/`.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use tandem_sandbox::salesforce::{SalesforceCredentials, SalesforceEmulator};
//!
//! let emulator = SalesforceEmulator::new(SalesforceCredentials::generate());
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! axum::serve(listener, emulator.router()).await
//! # }
//! ```

mod auth;
mod bulk;
mod controls;
mod cursors;
mod errors;
mod id;
mod json_position;
mod jwt;
mod limits;
mod notify;
pub(crate) use notify::loopback_url;
mod oauth;
mod org_seed;
mod record;
mod routes;
mod rules;
mod schema;
mod soql;
mod state;
mod tls;
mod validate;
mod values;
mod version;
mod write;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{Map, Value};

pub use auth::SalesforceCredentials;
pub use controls::{Fault, FaultRule, ValidationRule};
pub use errors::ApiError;
pub use schema::{Access, FieldDef, FieldType, ObjectDef, SchemaError};
pub use tls::TlsIdentity;

use record::full_row;
use schema::Currencies;
use state::{Lookup, Org};
use validate::WriteBody;
use version::DEFAULT_VERSION;
use write::WriteStamp;

/// The emulated org. Clones share one org, so a clone can serve HTTP while the original
/// seeds and inspects records.
#[derive(Clone)]
pub struct SalesforceEmulator {
    inner: Arc<Shared>,
}

struct Shared {
    credentials: SalesforceCredentials,
    org: Mutex<Org>,
    /// Held shared while an API request runs, and exclusively by a composite request that
    /// may roll back, so no other request sees or changes records until it ends.
    transactions: tokio::sync::RwLock<()>,
}

impl fmt::Debug for SalesforceEmulator {
    /// Prints the consumer key only; the secret and tokens stay out of logs.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("SalesforceEmulator")
            .field("client_id", &self.inner.credentials.client_id)
            .finish_non_exhaustive()
    }
}

impl SalesforceEmulator {
    /// Creates an org with the Account and User objects, an integration user (the connected
    /// app's "run as" user) and an admin user, accepting `credentials` at the token endpoint.
    pub fn new(credentials: SalesforceCredentials) -> SalesforceEmulator {
        SalesforceEmulator {
            inner: Arc::new(Shared {
                credentials,
                org: Mutex::new(Org::new()),
                transactions: tokio::sync::RwLock::new(()),
            }),
        }
    }

    /// Returns the connected app credentials the token endpoint accepts.
    pub fn credentials(&self) -> &SalesforceCredentials {
        &self.inner.credentials
    }

    /// Returns the HTTP routes: `POST /services/oauth2/token`, `GET /services/data` and the
    /// versioned API under `/services/data/vNN.N`.
    pub fn router(&self) -> axum::Router {
        routes::router(self.clone(), oauth::Scheme::Http)
    }

    /// Returns the same routes for a server that terminates TLS, so token responses give an
    /// `https://` `instance_url`.
    pub fn tls_router(&self) -> axum::Router {
        routes::router(self.clone(), oauth::Scheme::Https)
    }

    /// Inserts a record as data loading would: validated like an API create, made by the
    /// admin user, with `CreatedDate`, `LastModifiedDate` and `SystemModstamp` set to
    /// `modified_at` (cut to milliseconds). Returns the 18-character Id.
    pub fn insert_record(
        &self,
        object: &str,
        fields: Map<String, Value>,
        modified_at: DateTime<Utc>,
    ) -> Result<String, ApiError> {
        let raw = Value::Object(fields.clone()).to_string();
        let mut org = self.org();
        let stamp = WriteStamp {
            user_id: org.admin_user_id.clone(),
            at: modified_at.trunc_subsecs(3),
        };
        let canonical = org
            .object(object)
            .map(|definition| definition.name.clone())
            .ok_or_else(ApiError::not_found)?;
        let created = org.create(&canonical, &WriteBody::top_level(fields, &raw), &stamp);
        drop(org);
        self.send_notifications();
        created
    }

    /// Returns the record with every field and `attributes`, as `GET /sobjects/{object}/{id}`
    /// returns it, or `None` when no live record has this 15- or 18-character Id.
    pub fn record(&self, object: &str, id: &str) -> Option<Map<String, Value>> {
        let org = self.org();
        let definition = org.object(object)?;
        let id = id::normalize(id)?;
        match org.lookup(&definition.name, &id) {
            Lookup::Live(values) => Some(full_row(definition, values, DEFAULT_VERSION).into_map()),
            Lookup::Deleted | Lookup::Missing => None,
        }
    }

    /// Returns every live record of `object` in Id order, rendered like [`Self::record`].
    pub fn records(&self, object: &str) -> Vec<Map<String, Value>> {
        let org = self.org();
        let Some(definition) = org.object(object) else {
            return Vec::new();
        };
        org.records(&definition.name, false)
            .map(|values| full_row(definition, values, DEFAULT_VERSION).into_map())
            .collect()
    }

    /// Applies an edit made by a user in the UI: validated like an API update, made by the
    /// admin user, with `LastModifiedDate` and `SystemModstamp` set to now.
    pub fn edit_record(
        &self,
        object: &str,
        id: &str,
        fields: Map<String, Value>,
    ) -> Result<(), ApiError> {
        let raw = Value::Object(fields.clone()).to_string();
        let mut org = self.org();
        let stamp = WriteStamp {
            user_id: org.admin_user_id.clone(),
            at: values::now_millis(),
        };
        let canonical = org
            .object(object)
            .map(|definition| definition.name.clone())
            .ok_or_else(ApiError::not_found)?;
        let id = id::normalize(id).ok_or_else(ApiError::not_found)?;
        let updated = org.update(&canonical, &id, &WriteBody::top_level(fields, &raw), &stamp);
        drop(org);
        self.send_notifications();
        updated
    }

    /// Returns how many requests each route received, keyed by method and route below the
    /// version: `POST /composite/sobjects`, `GET /query`, `PATCH /sobjects/Account/{id}`,
    /// and `POST /services/oauth2/token` for logins. Rejected requests count too.
    pub fn request_counts(&self) -> BTreeMap<String, u64> {
        self.org().request_counts.clone()
    }

    /// Returns how many times each record of `object` was stored, keyed by Id: its creation
    /// and every update, by the API, a user's edit or the seed. Writes that an all-or-none
    /// request rolled back count too.
    pub fn write_counts(&self, object: &str) -> BTreeMap<String, u64> {
        let org = self.org();
        let Some(definition) = org.object(object) else {
            return BTreeMap::new();
        };
        let name = definition.name.clone();
        org.write_counts
            .iter()
            .filter(|((written, _), _)| *written == name)
            .map(|((_, id), count)| (id.clone(), *count))
            .collect()
    }

    /// Sets the default number of rows per query page (2,000 unless set); a request's
    /// `Sforce-Query-Options: batchSize=N` still takes precedence. Values below 1 count as 1.
    pub fn set_query_batch_size(&self, size: usize) {
        self.org().query_batch_size = size.max(1);
    }

    /// Sets the child records per page of a child subquery's result (200 unless set); the
    /// rest are served through the child result's `nextRecordsUrl`. Values below 1 count as 1.
    pub fn set_child_batch_size(&self, size: usize) {
        self.org().child_batch_size = size.max(1);
    }

    /// Sets the rows per Bulk API 2.0 query result page when a request gives no `maxRecords`
    /// (50,000 unless set). Values below 1 count as 1.
    pub fn set_bulk_query_page_size(&self, size: usize) {
        self.org().bulk_query_page_size = size.max(1);
    }

    /// Sets how long an access token stays valid after it is issued (two hours unless set).
    pub fn set_session_timeout(&self, timeout: std::time::Duration) {
        let timeout = chrono::Duration::from_std(timeout).unwrap_or(chrono::Duration::MAX);
        self.org().sessions.timeout = timeout;
    }

    /// Invalidates every access token, so the next API call fails with 401 `INVALID_SESSION_ID`.
    pub fn expire_sessions(&self) {
        self.org().sessions.expire_all();
    }

    /// Sets the number of API requests allowed in any 24 hours (15,000 unless set). Requests
    /// beyond it fail with 403 `REQUEST_LIMIT_EXCEEDED`.
    pub fn set_daily_api_limit(&self, limit: u64) {
        self.org().usage.limit = limit;
    }

    /// Adds the custom objects and fields of a schema file (JSON, described in
    /// `schema/file.rs`) to the org. Nothing is added when the file has an error. Records
    /// that exist get null in new fields (false for a checkbox).
    pub fn load_schema(&self, text: &str) -> Result<(), SchemaError> {
        let mut org = self.org();
        let mut objects = org.objects.clone();
        schema::apply_schema(&mut objects, text)?;
        org.replace_objects(objects);
        Ok(())
    }

    /// Turns the org into a multi-currency org, as an administrator does in Setup:
    /// `CurrencyIsoCode` appears on Account, Contact, Opportunity, Opportunity products,
    /// products, price books and their entries, Task, User and custom objects, as a restricted
    /// picklist of `corporate` and `others` (ISO 4217 codes). Existing records and new
    /// records without a currency get `corporate`. Calling it again changes the currencies.
    /// Fails with `INVALID_FIELD` for a code that is not three uppercase letters.
    pub fn enable_multi_currency(&self, corporate: &str, others: &[&str]) -> Result<(), ApiError> {
        let currencies = Currencies::new(corporate, others).map_err(|code| {
            let message = format!("{code} is not an ISO 4217 currency code such as USD");
            ApiError::bad_request("INVALID_FIELD", message)
        })?;
        self.org().set_currencies(currencies);
        Ok(())
    }

    /// Adds a field, such as a custom field, to an object. Existing records get null (false
    /// for a checkbox). Fails with `NOT_FOUND` for an unknown object and
    /// `DUPLICATE_DEVELOPER_NAME` when the object already has a field of that name.
    pub fn add_field(&self, object: &str, field: FieldDef) -> Result<(), ApiError> {
        self.org().add_field(object, field)
    }

    /// Returns the username of the integration user, the `sub` of a JWT bearer assertion and
    /// the `username` of a password grant that act as it.
    pub fn integration_username(&self) -> String {
        let org = self.org();
        org.username(&org.integration_user_id).unwrap_or_default()
    }

    /// Returns the username of the admin user.
    pub fn admin_username(&self) -> String {
        let org = self.org();
        org.username(&org.admin_user_id).unwrap_or_default()
    }

    /// Sets the password the password grant accepts for the active user `username`. Fails
    /// with `NOT_FOUND` when no active user has that username.
    pub fn set_password(&self, username: &str, password: &str) -> Result<(), ApiError> {
        let mut org = self.org();
        let user_id = org
            .user_by_username(username)
            .ok_or_else(ApiError::not_found)?;
        org.passwords.insert(user_id, password.to_string());
        Ok(())
    }

    /// Sets the PEM X.509 certificate (or public key) of the connected app, against which the
    /// JWT bearer grant checks RS256 signatures. Fails with `INVALID_FIELD` when the PEM contains
    /// no RSA key.
    pub fn set_jwt_certificate(&self, pem: &str) -> Result<(), ApiError> {
        jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes()).map_err(|_| {
            ApiError::bad_request(
                "INVALID_FIELD",
                "the certificate is not a PEM RSA certificate or public key",
            )
        })?;
        self.org().jwt_certificate = Some(pem.to_string());
        Ok(())
    }

    /// Issues a refresh token for the active user `username`, as the web server flow does
    /// once a user approves the connected app. Fails with `NOT_FOUND` for an unknown user.
    pub fn issue_refresh_token(&self, username: &str) -> Result<String, ApiError> {
        let mut org = self.org();
        let user_id = org
            .user_by_username(username)
            .ok_or_else(ApiError::not_found)?;
        let org_id = org.org_id.clone();
        Ok(org.sessions.issue_refresh_token(&org_id, &user_id))
    }

    /// Returns the Id of the integration user, the user API writes are made by and the
    /// default owner of new records.
    pub fn integration_user_id(&self) -> String {
        self.org().integration_user_id.clone()
    }

    /// Returns the Id of the admin user, the user behind [`Self::insert_record`] and
    /// [`Self::edit_record`].
    pub fn admin_user_id(&self) -> String {
        self.org().admin_user_id.clone()
    }

    /// Locks the org. A handler that panicked while holding the lock leaves the org usable:
    /// every write replaces whole records, so no record is left half-written.
    fn org(&self) -> MutexGuard<'_, Org> {
        self.inner
            .org
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Returns the stamp of a write made through the API now, by the user of the request's
    /// session (the integration user outside a request).
    pub(crate) fn api_stamp(&self) -> WriteStamp {
        let user_id =
            routes::session_user().unwrap_or_else(|| self.org().integration_user_id.clone());
        WriteStamp {
            user_id,
            at: values::now_millis(),
        }
    }

    /// Waits until the request may run: alongside other requests, or alone for a composite
    /// request that may roll back (`exclusive`).
    async fn transaction_permit(&self, exclusive: bool) -> TransactionPermit<'_> {
        if exclusive {
            TransactionPermit {
                _shared: None,
                _exclusive: Some(self.inner.transactions.write().await),
            }
        } else {
            TransactionPermit {
                _shared: Some(self.inner.transactions.read().await),
                _exclusive: None,
            }
        }
    }

    fn count_request(&self, key: String) {
        *self.org().request_counts.entry(key).or_insert(0) += 1;
    }
}

/// Permission to run an API request, held until its response is built; one of the two
/// guards is set.
struct TransactionPermit<'a> {
    _shared: Option<tokio::sync::RwLockReadGuard<'a, ()>>,
    _exclusive: Option<tokio::sync::RwLockWriteGuard<'a, ()>>,
}
