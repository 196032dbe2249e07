//! NetSuite SuiteTalk SOAP emulator.
//!
//! Serves `POST /services/NetSuitePort_{YYYY_N}` for any endpoint version, with token-based
//! authentication and the account's concurrency limit: `add`, `update`, `upsert`, `delete` and
//! their `*List` forms, `get`, `getList`, `search`, `searchMoreWithId`, `getDeleted`,
//! `getItemAvailability` and `getServerTime`, on customers, contacts, sales orders, invoices,
//! customer payments, items and the reference lists (currencies, price levels, locations,
//! subsidiaries, terms), with the business rules the sync flows meet, `getAll` of the
//! account's currencies, and `getCustomizationId` with `get`/`getList` of the custom fields the
//! account defines (see `operations/customization.rs`). Responses follow the element names, namespaces, attributes and HTTP
//! statuses of recorded NetSuite traffic, under the namespaces of the requested endpoint
//! version, and times are in US Pacific time. The published WSDL is served under `/wsdl/`, and
//! the controls for tests and benchmarks under `/__sandbox/`.

mod control;
mod control_http;
mod customer;
mod datetime;
mod faults;
mod import;
mod large_seed;
mod notify;
mod operations;
mod passport;
mod records;
mod reference;
mod rest;
mod seeding;
mod service;
mod soap;
mod state;
mod wsdl;
mod xml;
mod xsd;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

pub use control::{Counters, FaultKind, FaultPlan, FaultTrigger, Latency};
pub use customer::{CustomField, CustomFieldValue, Customer};
pub use import::ImportedRecord;
pub use large_seed::{LargeSeed, MAX_LARGE_SEED};
pub use reference::{Currency, Location, PriceLevel, Subsidiary, Term};
pub use seeding::RecordError;

use customer::StoredCustomer;
use state::State;

/// The token-based authentication credentials of an emulated account. `Debug` shows the
/// account only; the keys and secrets are never formatted.
#[derive(Clone, PartialEq, Eq)]
pub struct NetSuiteCredentials {
    /// The account ID as it appears in the token passport, e.g. `TSTDRV1234567`.
    pub account: String,
    /// The integration record's consumer key.
    pub consumer_key: String,
    /// The integration record's consumer secret.
    pub consumer_secret: String,
    /// The access token ID.
    pub token_id: String,
    /// The access token secret.
    pub token_secret: String,
}

impl NetSuiteCredentials {
    /// Generates random credentials: an account `TSTDRV` followed by seven digits, and keys and
    /// secrets of 64 hexadecimal characters like the ones NetSuite issues.
    pub fn generate() -> NetSuiteCredentials {
        let account_number: u32 = rand::random_range(1_000_000..10_000_000);
        NetSuiteCredentials {
            account: format!("TSTDRV{account_number}"),
            consumer_key: random_hex(),
            consumer_secret: random_hex(),
            token_id: random_hex(),
            token_secret: random_hex(),
        }
    }
}

impl fmt::Debug for NetSuiteCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetSuiteCredentials")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One emulated NetSuite account. Clones share the same account state.
#[derive(Clone)]
pub struct NetSuiteEmulator {
    inner: Arc<Inner>,
}

struct Inner {
    credentials: NetSuiteCredentials,
    state: Mutex<State>,
    in_flight: AtomicUsize,
}

impl fmt::Debug for NetSuiteEmulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetSuiteEmulator")
            .field("account", &self.inner.credentials.account)
            .finish_non_exhaustive()
    }
}

impl NetSuiteEmulator {
    /// Creates an empty account that accepts token passports signed with `credentials`.
    pub fn new(credentials: NetSuiteCredentials) -> NetSuiteEmulator {
        NetSuiteEmulator {
            inner: Arc::new(Inner {
                credentials,
                state: Mutex::new(State::default()),
                in_flight: AtomicUsize::new(0),
            }),
        }
    }

    /// Returns the credentials the account accepts.
    pub fn credentials(&self) -> &NetSuiteCredentials {
        &self.inner.credentials
    }

    /// Returns a router serving `POST /services/NetSuitePort_{YYYY_N}`, the WSDL under
    /// `/wsdl/v{YYYY_N}_0/`, the REST record service, SuiteQL and the OAuth 2.0 token
    /// endpoint under `/services/rest/`, and the control routes under `/__sandbox/`. Other
    /// paths return 404. SOAP faults return 500 and everything else 200, as NetSuite does.
    pub fn router(&self) -> axum::Router {
        service::router(self.clone())
            .merge(rest::router(self.clone()))
            .merge(control_http::router(self.clone()))
    }

    /// Stores a customer as given, assigning the next internal ID when `internal_id` is empty,
    /// and returns its internal ID. A customer with the same internal ID is replaced.
    /// External IDs should be unique; when two customers share one, lookups by external ID
    /// find the one stored last.
    pub fn insert_customer(&self, mut customer: Customer) -> String {
        let mut state = self.lock();
        if customer.internal_id.is_empty() {
            customer.internal_id = state.allocate_internal_id();
        }
        let internal_id = customer.internal_id.clone();
        state.put(StoredCustomer::from_customer(customer));
        drop(state);
        self.send_webhooks();
        internal_id
    }

    /// Returns the customer with this internal ID.
    pub fn customer(&self, internal_id: &str) -> Option<Customer> {
        self.lock()
            .get(internal_id)
            .map(|stored| stored.customer.clone())
    }

    /// Returns every customer, ordered by internal ID (numerically).
    pub fn customers(&self) -> Vec<Customer> {
        self.lock()
            .customers()
            .map(|stored| stored.customer.clone())
            .collect()
    }

    /// Edits a customer the way a user in the NetSuite UI would: applies `edit`, then sets
    /// `last_modified` to now (whole seconds). Returns false when no customer has this
    /// internal ID. Changing `internal_id` inside `edit` is ignored.
    pub fn edit_customer(&self, internal_id: &str, edit: impl FnOnce(&mut Customer)) -> bool {
        let mut state = self.lock();
        let Some(mut stored) = state.get(internal_id).cloned() else {
            return false;
        };
        edit(&mut stored.customer);
        stored.customer.internal_id = internal_id.to_string();
        stored.customer.last_modified = datetime::whole_seconds(chrono::Utc::now());
        state.put(stored);
        true
    }

    /// Returns how many requests of each operation (`add`, `search`, `searchMoreWithId`...)
    /// passed authentication and ran so far. Requests rejected by a fault before their
    /// operation ran are not counted.
    pub fn operation_counts(&self) -> BTreeMap<String, u64> {
        self.lock().counters.operations.clone()
    }

    /// Returns the operation counts, the injected faults per kind and the requests blocked by
    /// the concurrency limit since the start or the last [`reset_counters`].
    ///
    /// [`reset_counters`]: NetSuiteEmulator::reset_counters
    pub fn counters(&self) -> Counters {
        self.lock().counters.clone()
    }

    /// Sets every counter back to zero.
    pub fn reset_counters(&self) {
        self.lock().counters = Counters::default();
    }

    /// Sets how many requests may be in flight at once; one more gets the
    /// `exceededConcurrentRequestLimitFault`. The default is 5, the Standard tier's limit.
    pub fn set_concurrency_limit(&self, limit: usize) {
        self.lock().settings.concurrency_limit = limit;
    }

    /// Sets how long a search ID stays valid after its last use; 15 minutes by default.
    pub fn set_search_ttl(&self, ttl: Duration) {
        self.lock().settings.search_ttl = ttl;
    }

    /// Sets the delay added to every request while it counts against the concurrency limit,
    /// to imitate NetSuite's response times: a [`Duration`] for a fixed delay, or a
    /// [`Latency`] distribution. Operations with their own latency keep it. Zero by default.
    pub fn set_latency(&self, latency: impl Into<Latency>) {
        self.lock().settings.latency = latency.into();
    }

    /// Sets the latency of one operation (`search`, `upsertList`...), or removes its own
    /// latency with `None` so it follows [`set_latency`] again.
    ///
    /// [`set_latency`]: NetSuiteEmulator::set_latency
    pub fn set_operation_latency(&self, operation: &str, latency: Option<Latency>) {
        let mut state = self.lock();
        match latency {
            Some(latency) => {
                state
                    .settings
                    .operation_latency
                    .insert(operation.to_string(), latency);
            }
            None => {
                state.settings.operation_latency.remove(operation);
            }
        }
    }

    /// Uploads the certificate (or public key, PEM) that OAuth 2.0 client credentials
    /// assertions with the header `kid = certificate_id` are verified against, as an
    /// integration's certificate mapping does. Fails when the PEM holds no RSA or EC key.
    pub fn set_oauth2_certificate(&self, certificate_id: &str, pem: &str) -> Result<(), String> {
        self.lock().oauth2.add_certificate(certificate_id, pem)
    }

    /// Makes every OAuth 2.0 access token issued so far invalid, as their hour running out
    /// would, so tests can check that a client fetches a new one.
    pub fn expire_oauth2_tokens(&self) {
        self.lock().oauth2.expire_tokens();
    }

    /// Adds a fault plan. Plans are tried in the order they were added, and the first that
    /// fires decides the request's fault.
    pub fn inject_fault(&self, plan: FaultPlan) {
        self.lock().faults.push(plan);
    }

    /// Removes every fault plan.
    pub fn clear_faults(&self) {
        self.lock().faults.clear();
    }

    /// Returns the fault plans still active; a `Next` plan goes once it has fired its count.
    pub fn fault_plans(&self) -> Vec<FaultPlan> {
        self.lock().faults.plans().to_vec()
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while the lock is held leaves the state as consistent as the last completed
        // write, so a poisoned lock is recovered rather than failing every later request.
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn in_flight(&self) -> &AtomicUsize {
        &self.inner.in_flight
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generate_makes_tstdrv_account() {
        let credentials = NetSuiteCredentials::generate();
        assert!(credentials.account.starts_with("TSTDRV"));
        assert_eq!(credentials.account.len(), 13);
        assert_eq!(credentials.token_secret.len(), 64);
        assert_ne!(credentials.consumer_key, credentials.token_id);
    }

    #[test]
    fn debug_hides_secrets() {
        let credentials = NetSuiteCredentials::generate();
        let text = format!("{credentials:?}");
        assert!(!text.contains(&credentials.token_secret));
        assert!(!text.contains(&credentials.consumer_secret));
    }
}
