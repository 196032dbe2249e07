//! The emulator's account state: customers with their indexes, open searches, seen nonces,
//! operation counts and settings. It lives behind one mutex that is never held across an
//! `.await`.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use super::control::{Counters, FaultPlans, Latency};
use super::customer::StoredCustomer;
use super::operations::search::StoredSearch;
use super::passport::NonceCache;
use super::records::RecordTable;
use super::rest::OAuth2State;

/// How long a search ID stays valid after its last use unless changed by a setter.
pub(crate) const DEFAULT_SEARCH_TTL: Duration = Duration::from_secs(15 * 60);
/// The concurrency limit of a NetSuite account at the Standard service tier.
pub(crate) const DEFAULT_CONCURRENCY_LIMIT: usize = 5;

/// A key that orders numeric internal IDs by value, before any non-numeric ones.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum IdKey {
    Numeric(u64),
    Text(String),
}

impl IdKey {
    /// Returns the key of an internal ID.
    pub fn of(internal_id: &str) -> IdKey {
        match internal_id.parse::<u64>() {
            Ok(number) if number.to_string() == internal_id => IdKey::Numeric(number),
            _ => IdKey::Text(internal_id.to_string()),
        }
    }
}

/// Settings that tests and the sandbox change at run time.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub concurrency_limit: usize,
    pub search_ttl: Duration,
    /// The latency of every operation without its own entry in `operation_latency`.
    pub latency: Latency,
    pub operation_latency: BTreeMap<String, Latency>,
}

impl Settings {
    /// Returns the latency of an operation; `None` stands for a request whose body could not
    /// be read.
    pub fn latency_for(&self, operation: Option<&str>) -> Latency {
        operation
            .and_then(|name| self.operation_latency.get(name))
            .copied()
            .unwrap_or(self.latency)
    }
}

/// All mutable state of one emulated account.
#[derive(Debug)]
pub(crate) struct State {
    customers: BTreeMap<IdKey, StoredCustomer>,
    external_ids: HashMap<String, IdKey>,
    entity_ids: HashMap<String, IdKey>,
    next_internal_id: u64,
    next_entity_number: u64,
    custom_field_ids: HashMap<String, String>,
    next_custom_field_id: u64,
    /// Records of every type besides the customer.
    pub records: RecordTable,
    pub searches: HashMap<String, StoredSearch>,
    pub nonces: NonceCache,
    /// Certificates for OAuth 2.0 client credentials and the access tokens issued.
    pub oauth2: OAuth2State,
    pub counters: Counters,
    pub faults: FaultPlans,
    pub settings: Settings,
    /// The webhooks sent after records change.
    pub notifier: super::notify::Notifier,
}

impl Default for State {
    /// Returns a new account: no customers or transactions, and the currencies and price
    /// levels NetSuite gives every account.
    fn default() -> State {
        let mut records = RecordTable::default();
        for record in super::reference::new_account_records(chrono::Utc::now()) {
            records.put(record);
        }
        State {
            customers: BTreeMap::new(),
            external_ids: HashMap::new(),
            entity_ids: HashMap::new(),
            next_internal_id: 1,
            next_entity_number: 1,
            custom_field_ids: HashMap::new(),
            next_custom_field_id: 1001,
            records,
            searches: HashMap::new(),
            nonces: NonceCache::default(),
            oauth2: OAuth2State::default(),
            counters: Counters::default(),
            faults: FaultPlans::default(),
            settings: Settings {
                concurrency_limit: DEFAULT_CONCURRENCY_LIMIT,
                search_ttl: DEFAULT_SEARCH_TTL,
                latency: Latency::NONE,
                operation_latency: BTreeMap::new(),
            },
            notifier: super::notify::Notifier::default(),
        }
    }
}

impl State {
    /// Returns a new internal ID, above every numeric ID stored so far.
    pub fn allocate_internal_id(&mut self) -> String {
        let id = self.next_internal_id;
        self.next_internal_id += 1;
        id.to_string()
    }

    /// Moves the internal ID counter past an ID stored as given, so later IDs stay unique.
    pub fn note_internal_id(&mut self, internal_id: &str) {
        if let IdKey::Numeric(number) = IdKey::of(internal_id) {
            self.next_internal_id = self.next_internal_id.max(number + 1);
        }
    }

    /// Returns the next auto-numbered entity ID, `CUST00001` onwards.
    pub fn allocate_entity_id(&mut self) -> String {
        let number = self.next_entity_number;
        self.next_entity_number += 1;
        format!("CUST{number:05}")
    }

    /// Stores a customer, replacing any record with the same internal ID, and keeps the
    /// external ID index and the ID counter up to date.
    pub fn put(&mut self, stored: StoredCustomer) {
        let key = IdKey::of(&stored.customer.internal_id);
        if let IdKey::Numeric(number) = key {
            self.next_internal_id = self.next_internal_id.max(number + 1);
        }
        if let Some(previous) = self.customers.get(&key) {
            let previous = previous.customer.clone();
            self.unindex(&previous.external_id, &previous.entity_id, &key);
        }
        if let Some(entity_id) = &stored.customer.entity_id {
            self.entity_ids
                .insert(entity_id.to_lowercase(), key.clone());
        }
        if let Some(external_id) = &stored.customer.external_id {
            if let Some(other) = self.external_ids.get(external_id)
                && *other != key
            {
                tracing::warn!(
                    external_id = %external_id,
                    "two customers share an external ID; lookups return the newer one"
                );
            }
            self.external_ids.insert(external_id.clone(), key.clone());
        }
        self.notifier
            .record("customer", &stored.customer.internal_id);
        self.customers.insert(key, stored);
    }

    fn unindex(&mut self, external_id: &Option<String>, entity_id: &Option<String>, key: &IdKey) {
        if let Some(external_id) = external_id
            && self.external_ids.get(external_id) == Some(key)
        {
            self.external_ids.remove(external_id);
        }
        if let Some(entity_id) = entity_id {
            let lower = entity_id.to_lowercase();
            if self.entity_ids.get(&lower) == Some(key) {
                self.entity_ids.remove(&lower);
            }
        }
    }

    /// Removes the customer with this internal ID and returns it.
    pub fn remove_customer(&mut self, internal_id: &str) -> Option<StoredCustomer> {
        let key = IdKey::of(internal_id);
        let removed = self.customers.remove(&key)?;
        let customer = removed.customer.clone();
        self.unindex(&customer.external_id, &customer.entity_id, &key);
        Some(removed)
    }

    /// Returns the customer with this internal ID.
    pub fn get(&self, internal_id: &str) -> Option<&StoredCustomer> {
        self.customers.get(&IdKey::of(internal_id))
    }

    /// Returns the customer with this external ID.
    pub fn get_by_external_id(&self, external_id: &str) -> Option<&StoredCustomer> {
        self.external_ids
            .get(external_id)
            .and_then(|key| self.customers.get(key))
    }

    /// Returns the internal ID of the customer with this external ID.
    pub fn internal_id_of_external(&self, external_id: &str) -> Option<String> {
        self.get_by_external_id(external_id)
            .map(|stored| stored.customer.internal_id.clone())
    }

    /// Returns true when another customer than `internal_id` has this entity ID, compared
    /// without regard to case.
    pub fn entity_id_taken(&self, entity_id: &str, internal_id: &str) -> bool {
        self.entity_ids
            .get(&entity_id.to_lowercase())
            .is_some_and(|key| *key != IdKey::of(internal_id))
    }

    /// Iterates over the customers in internal ID order.
    pub fn customers(&self) -> impl Iterator<Item = &StoredCustomer> {
        self.customers.values()
    }

    /// Returns the internal ID of a custom field, recording the one the client sent or
    /// assigning a new one the first time a script ID is seen.
    pub fn custom_field_id(&mut self, script_id: &str, sent: Option<&str>) -> String {
        if let Some(known) = self.custom_field_ids.get(script_id) {
            return known.clone();
        }
        let id = match sent {
            Some(sent) => sent.to_string(),
            None => {
                let id = self.next_custom_field_id;
                self.next_custom_field_id += 1;
                id.to_string()
            }
        };
        self.custom_field_ids
            .insert(script_id.to_string(), id.clone());
        id
    }

    /// Returns the script ID of the custom field with this internal ID, when known.
    pub fn custom_field_script_id(&self, internal_id: &str) -> Option<String> {
        self.custom_field_ids
            .iter()
            .find(|(_, id)| *id == internal_id)
            .map(|(script_id, _)| script_id.clone())
    }

    /// Adds one to the count of an operation.
    pub fn count_operation(&mut self, operation: &str) {
        *self
            .counters
            .operations
            .entry(operation.to_string())
            .or_default() += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn customer(internal_id: &str, external_id: Option<&str>) -> StoredCustomer {
        let mut stored = StoredCustomer::new(internal_id.to_string(), Utc::now());
        stored.customer.external_id = external_id.map(str::to_string);
        stored
    }

    #[test]
    fn id_key_orders_numbers_by_value() {
        assert!(IdKey::of("9") < IdKey::of("10"));
        assert!(IdKey::of("10") < IdKey::of("abc"));
        assert_eq!(IdKey::of("007"), IdKey::Text("007".into()));
    }

    #[test]
    fn put_moves_external_id_index() {
        let mut state = State::default();
        state.put(customer("5", Some("A")));
        state.put(customer("5", Some("B")));
        assert!(state.get_by_external_id("A").is_none());
        assert_eq!(state.internal_id_of_external("B").as_deref(), Some("5"));
    }

    #[test]
    fn allocate_internal_id_skips_inserted_ids() {
        let mut state = State::default();
        state.put(customer("41", None));
        assert_eq!(state.allocate_internal_id(), "42");
    }

    #[test]
    fn custom_field_id_is_stable_per_script_id() {
        let mut state = State::default();
        let first = state.custom_field_id("custentity_a", None);
        assert_eq!(state.custom_field_id("custentity_a", None), first);
        assert_eq!(state.custom_field_id("custentity_b", Some("77")), "77");
        assert_eq!(
            state.custom_field_script_id("77").as_deref(),
            Some("custentity_b")
        );
    }
}
